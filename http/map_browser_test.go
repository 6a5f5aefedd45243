package http

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/wangge/wangge/sqldb"
)

// logInBrowser gives the browser a session of the user, as the login form
// would (the form itself is tested in TestBrowserWalksDistrictToHousehold).
func logInBrowser(b browserPage, ts *httptest.Server, username string) {
	b.t.Helper()
	c := login(b.t, ts.Config.Handler, username)
	b.do("log in as "+username, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, network.SetCookie, network.SetCookieParams{Name: c.Name, Value: c.Value, URL: ts.URL, HTTPOnly: new(true)})
		return chromedp.Void{}, err
	})
}

// tap touches the page at the map point (lng, lat) of the map in element
// id, with a synthesized touch gesture, as a finger on the kiosk would.
func tap(b browserPage, id string, lng, lat float64) {
	b.t.Helper()
	js := fmt.Sprintf(`(function () {
		var el = document.getElementById(%q);
		el.scrollIntoView({block: "nearest"}); // a finger touches what is on screen
		var r = el.getBoundingClientRect();
		var p = el.wanggeMap.latLngToContainerPoint([%f, %f]);
		return [r.left + p.x, r.top + p.y];
	})()`, id, lat, lng)
	xy, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]float64](js))
	if err != nil || len(xy) != 2 {
		b.t.Fatalf("point on the map: %v %v", xy, err)
	}
	b.do(fmt.Sprintf("tap at %.0f,%.0f", xy[0], xy[1]), func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, t, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: true, MaxTouchPoints: 5}); err != nil {
			return chromedp.Void{}, err
		}
		_, err := cdp.Call(ctx, t, input.SynthesizeTapGesture, input.SynthesizeTapGestureParams{X: xy[0], Y: xy[1], GestureSourceType: input.GestureSourceTypeTouch})
		return chromedp.Void{}, err
	})
}

// TestBrowserKioskFindsGridByTap: a resident taps their home on the
// kiosk's map, says yes it is, and gets the grid, its assistant and phone;
// a tap outside every grid says so.
func TestBrowserKioskFindsGridByTap(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	if err := f.store.(*sqldb.DB).SeedServices(context.Background()); err != nil {
		t.Fatal(err)
	}
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
