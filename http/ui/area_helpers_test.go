package ui

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
)

// The helpers the area, map, building, household and kiosk pages' tests
// share.

// gridA2 is a second grid of community A that the map tests plant.
const gridA2 = "140499001001002"

// plantedFrom is when the planted outlines take effect.
var plantedFrom = time.Date(2025, 1, 1, 0, 0, 0, 0, whttp.ChinaTime)

// plantMap gives the fixture outlines with one planted gap and one planted
// overlap in community A, and puts its buildings in their grids:
//
//	113.10      113.14 113.15      113.18  113.20            113.30
//	| grid A ......|......|           |       | grid B            |
//	|              | grid A2 .........| gap   |                   |
//	                 overlap
func plantMap(t testing.TB, f *fixture) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.store.CreateArea(ctx, &wangge.Area{Code: gridA2, Name: "东苑第二网格"}))
	for code, r := range map[string]string{
		district: rect(113.10, 36.10, 113.30, 36.20), subdistrict: rect(113.10, 36.10, 113.30, 36.20),
		communityA: rect(113.10, 36.10, 113.20, 36.20), communityB: rect(113.20, 36.10, 113.30, 36.20),
		gridA: rect(113.10, 36.10, 113.15, 36.20), gridA2: rect(113.14, 36.10, 113.18, 36.20), gridB: rect(113.20, 36.10, 113.30, 36.20),
	} {
		_, err := f.store.SetBoundary(ctx, code, r, plantedFrom)
		must(err)
	}
	for b, at := range map[*wangge.Building][2]float64{f.buildingA1: {113.12, 36.15}, f.buildingA2: {113.13, 36.16}, f.buildingB1: {113.25, 36.15}} {
		cur, err := f.store.Building(ctx, wangge.ScopeAll(), b.ID)
		must(err)
		cur.Lng, cur.Lat = at[0], at[1]
		must(f.store.UpdateBuilding(ctx, wangge.ScopeAll(), cur))
	}
}

// mapInBrowser serves the fixture with the planted map and gives a new
// browser the session of community A's staff.
func mapInBrowser(t *testing.T) (browserPage, *httptest.Server) {
	t.Helper()
	ctx := newBrowser(t)
	f := newFixture(t)
	plantMap(t, f)
	ts := httptest.NewServer(f.server(t).Handler())
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}
	logInBrowser(b, ts, "dongyuan")
	return b, ts
}

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
