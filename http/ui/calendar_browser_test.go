package ui

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
)

// phone360 is the narrowest phone the pages are made for.
var phone360 = device.Info{Name: "phone 360", UserAgent: "Mozilla/5.0 (Linux; Android 13) Mobile", Width: 360, Height: 740, Scale: 2, Mobile: true, Touch: true}

// pageOverflow lists what is wider than the window: the page itself, or a
// month grid or table wider than its container.
const pageOverflow = `(() => {
	const out = [];
	for (const t of document.querySelectorAll("main table")) {
		const c = t.parentElement;
		if (t.offsetParent !== null && t.scrollWidth > c.clientWidth + 1) out.push((t.className || "table") + " " + t.scrollWidth + ">" + c.clientWidth);
	}
	const d = document.documentElement;
	if (d.scrollWidth > d.clientWidth + 1) out.push("page " + d.scrollWidth + ">" + d.clientWidth);
	return out;
})()`

// TestBrowserCalendarOnAPhone: at 360 px the administrator's calendar
// shows its month grids without scrolling sideways, with 1 October a
// holiday in colour; a faulty year pasted and sent comes back with the
// line at fault and the text still in the box; the limits page fits too.
func TestBrowserCalendarOnAPhone(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	ts := httptest.NewServer(f.server(t).Handler())
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}
	logInBrowser(b, ts, "admin")
	b.do("open the calendar on a phone", chromedp.Emulate(phone360), chromedp.Navigate(ts.URL+"/admin/calendar?year=2026"),
		chromedp.WaitVisible(chromedp.CSS(`table.month[data-month="10"]`)))
	overflow := func(what string) {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](pageOverflow))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > 0 {
			t.Errorf("%s at 360 px: %v", what, got)
		}
	}
	overflow("the calendar")
	colours, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[
		getComputedStyle(document.querySelector('[data-date="2026-10-01"]')).backgroundColor,
		getComputedStyle(document.querySelector('[data-date="2026-10-10"]')).backgroundColor,
		getComputedStyle(document.querySelector('[data-date="2026-10-12"]')).backgroundColor]`))
	if err != nil {
		t.Fatal(err)
	}
	if colours[0] == colours[2] || colours[1] == colours[2] || colours[0] == colours[1] {
		t.Errorf("holiday, make-up workday and working day share colours: %v", colours)
	}
	b.shoot("calendar-phone")

	bad := "year 2027\nnotice - test\nholiday 2027-10-01 national day\nworkday 2027-10-08 make-up\n"
	b.do("paste a faulty year", chromedp.SetValue(chromedp.ID("year-text"), bad))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`.calendar-load button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	b.do("wait for the refusal", chromedp.WaitVisible(chromedp.CSS(`[data-error="year"]`)))
	if msg := b.text(`[data-error="year"]`); !strings.Contains(msg, "第 4 行") {
		t.Errorf("refusal %q, want it to name line 4", msg)
	}
	kept, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("year-text").value`))
	if err != nil || kept != bad {
		t.Errorf("the box holds %q (%v), want the text sent", kept, err)
	}
	overflow("the refused year")

	b.do("open the limits", chromedp.Navigate(ts.URL+"/admin/case-limits?category=P04"),
		chromedp.WaitVisible(chromedp.CSS(`[data-limit="emergency.acknowledge"]`)))
	overflow("the limits")
	b.shoot("case-limits-phone")
}
