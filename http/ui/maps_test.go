package ui

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

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
