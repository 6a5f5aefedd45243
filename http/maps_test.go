package http

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
)

// gridA2 is a second grid of community A that the map tests plant.
const gridA2 = "140499001001002"

// plantedFrom is when the planted outlines take effect.
var plantedFrom = time.Date(2025, 1, 1, 0, 0, 0, 0, ChinaTime)

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

func getAs(t *testing.T, h http.Handler, c *http.Cookie, path string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	if c != nil {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestTilesWhenConfigured: with a tile URL the map page passes it to the
// map and the CSP allows images from that host and no other; a bad tile
// URL is refused with a clear message and the maps stay vector-only.
func TestTilesWhenConfigured(t *testing.T) {
	for _, c := range []struct{ tmpl, origin string }{
		{"https://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org"},
		{"https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"},
		{"http://10.0.0.5:8080/t/{z}/{x}/{y}.png", "http://10.0.0.5:8080"},
	} {
		if got, err := TileOrigin(c.tmpl); err != nil || got != c.origin {
			t.Errorf("TileOrigin(%s) = %q, %v; want %q", c.tmpl, got, err, c.origin)
		}
	}
	for _, bad := range []string{"ftp://x/{z}/{x}/{y}", "https://tiles.example.org/{z}/{x}.png", "tiles/{z}/{x}/{y}"} {
		if _, err := TileOrigin(bad); err == nil || !strings.Contains(wangge.ErrorZh(err), "瓦片地址") {
			t.Errorf("TileOrigin(%s) accepted: %v", bad, err)
		}
	}

	f := newFixture(t)
	s := f.server(t)
	s2 := newTestServer(f.store, Options{Logger: s.log, Now: s.now, TileURL: "https://tiles.example.org/{z}/{x}/{y}.png"})
	h := s2.Handler()
	w := getAs(t, h, login(t, h, "dongyuan"), "/areas/"+communityA+"/map")
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: https://tiles.example.org;") {
		t.Errorf("CSP with tiles: %s", csp)
	}
	if !strings.Contains(w.Body.String(), `data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"`) {
		t.Errorf("the map page does not pass the tiles on")
	}
	plain := f.server(t).Handler()
	w = getAs(t, plain, login(t, plain, "dongyuan"), "/areas/"+communityA+"/map")
	if csp := w.Header().Get("Content-Security-Policy"); csp != contentSecurityPolicy || strings.Contains(w.Body.String(), "data-tiles") {
		t.Errorf("without tiles: %s", csp)
	}
	bad := newTestServer(f.store, Options{Logger: s.log, TileURL: "javascript:alert(1)"})
	if bad.opts.TileURL != "" {
		t.Errorf("a bad tile URL was kept")
	}
}
