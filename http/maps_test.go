package http

import (
	"context"
	"encoding/json"
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

// TestMapDataShowsPlantedGapsAndOverlaps: the map data of a community holds
// its outline, its grids (neighbours in different colours), the planted gap
// and overlap with their areas, and its buildings; the page lists the same
// problems and says the community is not seamless.
func TestMapDataShowsPlantedGapsAndOverlaps(t *testing.T) {
	f := newFixture(t)
	plantMap(t, f)
	h := f.server(t).Handler()
	c := login(t, h, "dongyuan")

	w := getAs(t, h, c, "/areas/"+communityA+"/map.geojson")
	if w.Code != 200 {
		t.Fatalf("map data: %d %s", w.Code, w.Body)
	}
	var fc struct {
		Features []struct {
			Geometry   struct{ Type string }
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	colour := map[string]float64{}
	for _, ft := range fc.Features {
		p := ft.Properties
		kind := p["kind"].(string)
		kinds[kind]++
		switch kind {
		case "grid":
			colour[p["code"].(string)] = p["colour"].(float64)
		case "gap":
			// 0.02° × 0.1° at 36.15°N: about 1,797 m × 11,100 m.
			if a := p["area_m2"].(float64); a < 19.5e6 || a > 20.5e6 || ft.Geometry.Type != "Polygon" {
				t.Errorf("gap: %v m², %s", a, ft.Geometry.Type)
			}
		case "overlap":
			if codes := p["codes"].([]any); len(codes) != 2 || codes[0] != gridA || codes[1] != gridA2 {
				t.Errorf("overlap between %v", codes)
			}
		}
	}
	if kinds["outline"] != 1 || kinds["grid"] != 2 || kinds["gap"] != 1 || kinds["overlap"] != 1 || kinds["building"] != 2 || kinds["stray"] != 0 {
		t.Errorf("features by kind: %v", kinds)
	}
	if colour[gridA] == colour[gridA2] {
		t.Errorf("neighbouring grids share colour %v", colour[gridA])
	}

	w = getAs(t, h, c, "/areas/"+communityA+"/map")
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, `data-seamless="false"`) || strings.Count(body, `class="problem problem-gap"`) != 1 ||
		strings.Count(body, `class="problem problem-overlap"`) != 1 || !strings.Contains(body, `data-map="/areas/`+communityA+`/map.geojson"`) {
		t.Errorf("map page: %d\n%s", w.Code, body)
	}
	// Community B is seamless.
	if w := getAs(t, h, login(t, h, "admin"), "/areas/"+communityB+"/map"); !strings.Contains(w.Body.String(), `data-seamless="true"`) {
		t.Errorf("community B page: %s", w.Body)
	}
}

// TestGridCardShowsAssistantAndCounts: a click on a grid shows its
// assistant with the work phone (never the personal one), its counts and
// the key groups the role may see.
func TestGridCardShowsAssistantAndCounts(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	card := func(user string) (int, gridCard, string) {
		w := getAs(t, h, login(t, h, user), "/areas/"+gridA+"/card.json")
		var c gridCard
		if w.Code == 200 {
			if err := json.Unmarshal(w.Body.Bytes(), &c); err != nil {
				t.Fatal(err)
			}
		}
		return w.Code, c, w.Body.String()
	}
	code, c, body := card("dongyuan")
	if code != 200 || c.Name != "东苑第一网格" || c.Assistant != "周敏" || c.WorkPhone != "0355-2021001" ||
		c.Households != 3 || c.Buildings != 2 || c.URL != "/areas/"+gridA || strings.Contains(body, "13512345672") {
		t.Errorf("card: %d %+v", code, c)
	}
	elderly := false
	for _, g := range c.Groups {
		elderly = elderly || g.Group == "elderly" && g.Count == 2 && g.Name == "老年人" // both over 60
	}
	if !elderly {
		t.Errorf("card groups: %+v", c.Groups)
	}
	// A grid of another community is out of community staff's scope.
	w := getAs(t, h, login(t, h, "dongyuan"), "/areas/"+gridB+"/card.json")
	if w.Code != 404 {
		t.Errorf("card out of scope: %d", w.Code)
	}
}

// TestMapShowsOutlinesAsOfADay: once grid A2 is redrawn to close the gap,
// today's map is seamless while the map of a day before the edit still
// shows the gap and the overlap; the grid's page lists both versions.
func TestMapShowsOutlinesAsOfADay(t *testing.T) {
	f := newFixture(t)
	plantMap(t, f)
	if _, err := f.store.SetBoundary(context.Background(), gridA2, rect(113.15, 36.10, 113.20, 36.20), time.Time{}); err != nil {
		t.Fatal(err)
	}
	h := f.server(t).Handler()
	c := login(t, h, "dongyuan")
	if w := getAs(t, h, c, "/areas/"+communityA+"/map"); !strings.Contains(w.Body.String(), `data-seamless="true"`) {
		t.Errorf("today's map: %d %s", w.Code, w.Body)
	}
	w := getAs(t, h, c, "/areas/"+communityA+"/map?on=2025-06-01")
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, `data-seamless="false"`) || !strings.Contains(body, `data-day="2025-06-01"`) ||
		!strings.Contains(body, `data-map="/areas/`+communityA+`/map.geojson?on=2025-06-01"`) {
		t.Errorf("the map of 2025-06-01: %d %s", w.Code, body)
	}
	w = getAs(t, h, c, "/areas/"+communityA+"/map.geojson?on=2025-06-01")
	if !strings.Contains(w.Body.String(), `"kind":"gap"`) {
		t.Errorf("the map data of 2025-06-01 has no gap: %s", w.Body)
	}
	// Before any outline: nothing to draw, nothing to check.
	if w := getAs(t, h, c, "/areas/"+communityA+"/map.geojson?on=2024-06-01"); strings.Contains(w.Body.String(), `"kind":"grid"`) {
		t.Errorf("grids before their outlines: %s", w.Body)
	}
	if w := getAs(t, h, c, "/areas/"+communityA+"/map?on=2025-13-01"); w.Code != 400 || !strings.Contains(w.Body.String(), "YYYY-MM-DD") {
		t.Errorf("a bad day: %d", w.Code)
	}

	body = getAs(t, h, c, "/areas/"+gridA2).Body.String()
	if !strings.Contains(body, `data-version="1"`) || !strings.Contains(body, `data-version="2"`) ||
		!strings.Contains(body, "/areas/"+gridA2+"/map?on=2025-01-01") || strings.Count(body, "现行") != 1 {
		t.Errorf("the grid's outline versions:\n%s", body)
	}
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
