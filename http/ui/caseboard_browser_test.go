package ui

import (
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserCaseBoardFitsA360Phone opens the case board, the supervision
// view and a department's inbox on a 360 px phone, in Chinese and in
// English, and checks that nothing is wider than the screen (the page
// does not scroll sideways; phone360 is calendar_browser_test.go's), that the board's first card is the emergency
// and that its column tiles can be tapped to filter.
func TestBrowserCaseBoardFitsA360Phone(t *testing.T) {
	ctx := newBrowser(t)
	cf := newCaseFixture(t)
	ts := httptest.NewServer(cf.server(t).Handler())
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}
	// overflow names what sticks out of the window: the page, or an
	// element of main whose right edge passes the window's.
	const overflow = `(() => {
		const out = [];
		const d = document.documentElement;
		if (d.scrollWidth > d.clientWidth + 1) out.push("page " + d.scrollWidth + ">" + d.clientWidth);
		for (const el of document.querySelectorAll("main *")) {
			const r = el.getBoundingClientRect();
			if (r.width > 0 && r.right > d.clientWidth + 1 && !el.closest(".table-wrap")) out.push((el.className || el.tagName) + " " + Math.round(r.right));
		}
		return out.slice(0, 5);
	})()`
	pages := []struct{ as, path string }{
		{"dongyuan", "/cases"},
		{"dongyuan", "/cases?all=1&q=lamp"},
		{"admin", "/cases/supervision"},
		{"minzheng", "/cases/inbox"},
	}
	for _, l := range []string{"zh", "en"} {
		for _, p := range pages {
			logInBrowser(b, ts, p.as)
			b.do("open "+p.path, chromedp.Emulate(phone360), chromedp.Navigate(ts.URL+"/lang/"+l+"?next=/"),
				chromedp.Navigate(ts.URL+p.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
			got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](overflow))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) > 0 {
				t.Errorf("%s as %s (%s) at 360 px: %v", p.path, p.as, l, got)
			}
		}
	}
	logInBrowser(b, ts, "dongyuan")
	b.do("open the board", chromedp.Emulate(phone360), chromedp.Navigate(ts.URL+"/cases"), chromedp.WaitVisible(chromedp.CSS("#case-board")))
	first, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#case-board tbody tr").dataset.column`))
	if err != nil || first != "emergency" {
		t.Errorf("the first card is %q (%v), want the emergency", first, err)
	}
	// The tiles are big enough to tap, and a tap filters the board.
	size, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = document.querySelector('[data-col="overdue"]').getBoundingClientRect(); return [r.width, r.height]; })()`))
	if err != nil || size[0] < 44 || size[1] < 44 {
		t.Errorf("the overdue tile is %v px (%v), want at least 44×44", size, err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`[data-col="overdue"]`))); err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#case-board tbody tr"), r => r.dataset.case)`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{cf.cases["late"].Number, cf.cases["ret"].Number}
	if !slices.Equal(rows, want) {
		t.Errorf("after tapping the overdue tile: %v, want %v", rows, want)
	}
	b.shoot("case-board")
	for _, p := range []struct{ as, path, name string }{{"minzheng", "/cases/inbox", "case-inbox"}, {"admin", "/cases/supervision", "case-supervision"}} {
		logInBrowser(b, ts, p.as)
		b.do("open "+p.path, chromedp.Navigate(ts.URL+p.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		b.shoot(p.name)
	}
}
