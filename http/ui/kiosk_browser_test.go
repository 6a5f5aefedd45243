package ui

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserKioskFindsGridByAddress types a building into the kiosk on a
// touch screen, taps the result and reads the grid's assistant and phone,
// as a resident in the community hall would.
func TestBrowserKioskFindsGridByAddress(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	seedServices(t, f)
	ts := httptest.NewServer(f.server(t).Handler())
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}

	b.do("open the kiosk", chromedp.Navigate(ts.URL+"/kiosk"), chromedp.WaitVisible(chromedp.ID("q")))
	b.do("type a building", chromedp.SendKeys(chromedp.ID("q"), "东苑2号"), chromedp.Submit(chromedp.ID("q")))
	b.do("wait for the results", chromedp.WaitVisible(chromedp.CSS(".kiosk-hit")))
	if got := b.text(".kiosk-hit"); !strings.Contains(got, "东苑2号楼") || !strings.Contains(got, "东苑第一网格") {
		t.Fatalf("the result reads %q", got)
	}
	b.do("tap the result", chromedp.Click(chromedp.CSS(".kiosk-hit")))
	expectKioskGridA(b)
	fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	if err != nil || !fits {
		t.Errorf("the kiosk page is wider than the screen (%v)", err)
	}
	b.do("go back", chromedp.Click(chromedp.CSS(".kiosk-back")), chromedp.WaitVisible(chromedp.ID("q")))
}

// expectKioskGridA waits for the kiosk page of grid A and checks that it
// names the grid, its assistant and her work phone.
func expectKioskGridA(b browserPage) {
	b.t.Helper()
	b.do("wait for the grid", chromedp.WaitVisible(chromedp.CSS("[data-assistant]")))
	for sel, want := range map[string]string{"main h1": "东苑第一网格", ".kiosk-name": "周敏", ".kiosk-phone": "0355-2021001"} {
		if got := b.text(sel); got != want {
			b.t.Errorf("%s reads %q, want %q", sel, got, want)
		}
	}
}
