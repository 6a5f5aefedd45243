package ui

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserTablesFitAt1280 opens, at 1280×800 in Chinese and in English,
// the pages whose tables are widest — the civil-affairs and completeness
// reports, a household's file and the four ledgers — on the demo district,
// and checks that no table is wider than its container and that the page
// itself does not scroll sideways.
func TestBrowserTablesFitAt1280(t *testing.T) {
	ctx := newBrowser(t)
	store, accounts := demoDistrict(t, 0.02)
	ts := httptest.NewServer(demoServer(t, store).Handler())
	t.Cleanup(ts.Close)
	admin := accounts["admin"]
	b := browserPage{t, ctx}
	b.do("log in", chromedp.Emulate(desktop),
		chromedp.Navigate(ts.URL+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), admin.Username),
		chromedp.SendKeys(chromedp.ID("password"), admin.Password))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	pages := []struct{ name, path string }{
		{"civil", "/reports/civil"},
		{"completeness", "/reports/completeness"},
		{"household", "/households/1"},
		{"units", "/ledgers/units"},
		{"residents", "/ledgers/residents"},
		{"assistants", "/ledgers/assistants"},
		{"groups", "/ledgers/groups?group=elderly"},
	}
	// overflow lists each table wider than its container, and the page
	// when it is wider than the window: "what scrollWidth>clientWidth".
	const overflow = `(() => {
		const out = [];
		for (const t of document.querySelectorAll("main table")) {
			const c = t.parentElement;
			if (t.offsetParent !== null && t.scrollWidth > c.clientWidth + 1) out.push((t.className || "table") + " " + t.scrollWidth + ">" + c.clientWidth);
		}
		const d = document.documentElement;
		if (d.scrollWidth > d.clientWidth + 1) out.push("page " + d.scrollWidth + ">" + d.clientWidth);
		return out;
	})()`
	for _, l := range []string{"zh", "en"} {
		b.do("language "+l, chromedp.Navigate(ts.URL+"/lang/"+l))
		for _, p := range pages {
			b.do("open "+p.path, chromedp.Navigate(ts.URL+p.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
			got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](overflow))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) > 0 {
				t.Errorf("%s (%s) at 1280 px: %v", p.name, l, got)
			}
			if dir := os.Getenv("WANGGE_SCREENSHOT_DIR"); dir != "" {
				png, err := chromedp.Run(ctx, fullPage())
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("w1280-%s-%s.png", p.name, l)), png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
