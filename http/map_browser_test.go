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

// TestBrowserMapShowsPlantedGapsInRed: the community map draws the planted
// gap and overlap in red over the grids, with no tile server, lists them
// under the map, and a click on a grid opens its card with the assistant.
func TestBrowserMapShowsPlantedGapsInRed(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	plantMap(t, f)
	ts := httptest.NewServer(f.server(t).Handler())
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}
	logInBrowser(b, ts, "dongyuan")

	b.do("open the community map", chromedp.Navigate(ts.URL+"/areas/"+communityA+"/map"),
		chromedp.WaitVisible(chromedp.CSS(`#map[data-ready="1"]`)))
	type drawn struct {
		Gaps, Overlaps, Grids, Buildings, Tiles int
		GapFill, OverlapFill                    string
		GapArea                                 float64
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[drawn](`(function () {
		var q = function (s) { return document.querySelectorAll("#map " + s); };
		var gap = q("path.problem-gap")[0], ov = q("path.problem-overlap")[0];
		var box = gap ? gap.getBoundingClientRect() : {width: 0, height: 0};
		return {Gaps: q("path.problem-gap").length, Overlaps: q("path.problem-overlap").length,
			Grids: q("path.grid").length, Buildings: q("path.building").length, Tiles: q("img.leaflet-tile").length,
			GapFill: gap ? getComputedStyle(gap).fill : "", OverlapFill: ov ? getComputedStyle(ov).fill : "",
			GapArea: box.width * box.height};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if got.Gaps != 1 || got.Overlaps != 1 || got.Grids != 2 || got.Buildings != 2 || got.Tiles != 0 {
		t.Errorf("drawn: %+v", got)
	}
	// Red: a strong red channel and little green or blue.
	for name, fill := range map[string]string{"gap": got.GapFill, "overlap": got.OverlapFill} {
		var r, g, bl int
		if _, err := fmt.Sscanf(fill, "rgb(%d, %d, %d)", &r, &g, &bl); err != nil || r < 150 || g > 40 || bl > 60 {
			t.Errorf("%s fill %q is not red", name, fill)
		}
	}
	if got.GapArea < 100 {
		t.Errorf("the gap covers %.0f px², too small to see", got.GapArea)
	}
	if v := b.text(".verdict"); !strings.Contains(v, "1 处缺口") || !strings.Contains(v, "1 处重叠") {
		t.Errorf("verdict %q", v)
	}

	b.shoot("map")
	b.do("wait for the map", chromedp.WaitVisible(chromedp.CSS(`#map[data-ready="1"]`)))

	// A tap on grid A (west of the overlap) opens its card.
	tap(b, "map", 113.12, 36.13)
	b.do("wait for the card", chromedp.WaitVisible(chromedp.CSS(".leaflet-popup .map-card-stats")))
	if card := b.text(".leaflet-popup .map-card"); !strings.Contains(card, "东苑第一网格") || !strings.Contains(card, "周敏") || !strings.Contains(card, "0355-2021001") {
		t.Errorf("card reads %q", card)
	}
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
