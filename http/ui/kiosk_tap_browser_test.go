package ui

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserKioskFindsGridByTap: a resident taps their home on the
// kiosk's map, says yes it is, and gets the grid, its assistant and phone;
// a tap outside every grid says so.
func TestBrowserKioskFindsGridByTap(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	seedServices(t, f)
	plantMap(t, f)
	ts := httptest.NewServer(f.server(t).Handler())
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}

	b.do("open the kiosk", chromedp.Navigate(ts.URL+"/kiosk"), chromedp.WaitVisible(chromedp.CSS(`#kiosk-map[data-ready="1"]`)))
	b.shoot("kiosk-map")
	b.do("wait for the map", chromedp.WaitVisible(chromedp.CSS(`#kiosk-map[data-ready="1"]`)))
	// The planted gap lies in no grid.
	tap(b, "kiosk-map", 113.19, 36.15)
	b.do("wait for the answer", chromedp.WaitVisible(chromedp.ID("kiosk-tap-result")))
	if got := b.text("#kiosk-tap-result"); !strings.Contains(got, "不在任何网格内") {
		t.Errorf("tap in the gap: %q", got)
	}
	tap(b, "kiosk-map", 113.12, 36.15)
	b.do("answer yes", chromedp.WaitVisible(chromedp.ID("kiosk-confirm")), chromedp.Click(chromedp.CSS("#kiosk-confirm [data-yes]")))
	expectKioskGridA(b)
}
