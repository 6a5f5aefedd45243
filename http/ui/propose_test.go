package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
)

// plantProposal gives community A an outline and its two buildings
// locations, so that a proposal can be made and accepted.
func plantProposal(t testing.TB, f *fixture) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.store.SetBoundary(ctx, communityA, rect(113.10, 36.10, 113.20, 36.20), time.Time{}); err != nil {
		t.Fatal(err)
	}
	for b, at := range map[*wangge.Building][2]float64{f.buildingA1: {113.12, 36.15}, f.buildingA2: {113.13, 36.16}} {
		cur, err := f.store.Building(ctx, wangge.ScopeAll(), b.ID)
		if err != nil {
			t.Fatal(err)
		}
		cur.Lng, cur.Lat = at[0], at[1]
		if err := f.store.UpdateBuilding(ctx, wangge.ScopeAll(), cur); err != nil {
			t.Fatal(err)
		}
	}
}

// plantCommunity adds to community A a row of eight more buildings of 3 to
// 6 households each, west to east, and returns their ids.
func plantCommunity(t testing.TB, f *fixture) []int64 {
	t.Helper()
	plantProposal(t, f)
	ctx := context.Background()
	var ids []int64
	for i := range 8 {
		b := &wangge.Building{GridCode: gridA, Name: fmt.Sprintf("东苑%d号楼", 11+i), Kind: wangge.BuildingTower, Floors: 6, Entrances: 1,
			Lng: 113.105 + 0.011*float64(i), Lat: 36.11 + 0.01*float64(i%3)}
		if err := f.store.CreateBuilding(ctx, wangge.ScopeAll(), b); err != nil {
			t.Fatal(err)
		}
		for h := range 3 + i%4 {
			if err := f.store.CreateHousehold(ctx, wangge.ScopeAll(), &wangge.Household{BuildingID: b.ID, Room: fmt.Sprint(101 + h), Kind: wangge.ResidentRegistered}); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, b.ID)
	}
	return ids
}

func postAs(t *testing.T, h http.Handler, c *http.Cookie, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if c != nil {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

var (
	gridRow      = regexp.MustCompile(`<tr data-grid="(\d+)"[^>]*>`)
	digestRe     = regexp.MustCompile(`name="digest" value="([0-9a-f]+)"`)
	householdsRe = regexp.MustCompile(`<td class="num" data-households>(\d+)</td>`)
)

// TestProposalPageDrawsAdjustsAndAccepts: community staff see their
// community divided into grids of about N households — an SVG picture with
// no inline style, a table with the deviation from N, a choice of grid per
// building — the same page for the same address; an adjustment given as
// move=BUILDING:GRID moves the building; the accept form redraws the grids
// and sends them to the community page with a notice.
func TestProposalPageDrawsAdjustsAndAccepts(t *testing.T) {
	f := newFixture(t)
	ids := plantCommunity(t, f)
	h := f.server(t).Handler()
	c := login(t, h, "dongyuan")

	page := "/areas/" + communityA + "/propose?n=10"
	w := getAs(t, h, c, page)
	if w.Code != 200 {
		t.Fatalf("proposal page: %d\n%s", w.Code, w.Body)
	}
	body := w.Body.String()
	for _, want := range []string{`<svg class="propose-map"`, `<path class="pg pg`, `<circle class="pg-dot"`, `data-page="propose"`,
		`name="move"`, `method="post" action="/areas/` + communityA + `/propose"`, "东苑11号楼", "偏差"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// No inline style or script (the layout's own scripts load from
	// /static, as caselive.js does on every page of staff who work cases).
	checkHeadersAndScripts(t, w)
	rows := gridRow.FindAllStringSubmatch(body, -1)
	counts := householdsRe.FindAllStringSubmatch(body, -1)
	// 3 + 36 households in community A, 10 a grid: 4 grids.
	if len(rows) != 4 || len(counts) != 4 {
		t.Fatalf("%d grid rows, %d counts; want 4", len(rows), len(counts))
	}
	if again := getAs(t, h, c, page).Body.String(); again != body {
		t.Error("the same address gave a different page")
	}

	// An adjustment: the first planted building into grid 4.
	moved := getAs(t, h, c, page+fmt.Sprintf("&move=%d:4", ids[0]))
	if moved.Code != 200 || !strings.Contains(moved.Body.String(), `<tr data-building="`+fmt.Sprint(ids[0])+`" class="moved">`) ||
		!strings.Contains(moved.Body.String(), `pg-dot-moved`) {
		t.Errorf("adjusted page: %d, building not marked moved", moved.Code)
	}
	for name, u := range map[string]string{"a bad adjustment": page + "&move=abc", "a grid too far": page + fmt.Sprintf("&move=%d:9", ids[0]),
		"a building elsewhere": page + fmt.Sprintf("&move=%d:1", f.buildingB1.ID), "a bad N": "/areas/" + communityA + "/propose?n=0"} {
		if w := getAs(t, h, c, u); w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, w.Code)
		}
	}
	if w := getAs(t, h, c, "/areas/"+gridA+"/propose"); w.Code != http.StatusNotFound {
		t.Errorf("a grid's proposal: %d, want 404", w.Code)
	}
	if w := getAs(t, h, c, "/areas/"+communityB+"/propose"); w.Code != http.StatusNotFound {
		t.Errorf("another community's proposal: %d, want 404", w.Code)
	}

	// Accepting: a stale digest and a missing reason are refused with the
	// form shown again; then the proposal is accepted.
	digest := digestRe.FindStringSubmatch(body)[1]
	form := url.Values{"n": {"10"}, "valid_from": {"2026-03-01"}, "reason": {"按每格十户试划"}, "digest": {digest}}
	stale := url.Values{"n": {"10"}, "valid_from": {"2026-03-01"}, "reason": {"过期"}, "digest": {"0000000000000000"}}
	if w := postAs(t, h, c, "/areas/"+communityA+"/propose", stale); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), `role="alert"`) {
		t.Errorf("a stale proposal: %d, want 409 with the form", w.Code)
	}
	noReason := url.Values{"n": {"10"}, "valid_from": {"2026-03-01"}, "digest": {digest}}
	if w := postAs(t, h, c, "/areas/"+communityA+"/propose", noReason); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "请填写理由") {
		t.Errorf("no reason: %d, want 400 with the reason asked for", w.Code)
	}
	w = postAs(t, h, c, "/areas/"+communityA+"/propose", form)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/areas/"+communityA+"?redrawn=1" {
		t.Fatalf("accept: %d to %q\n%.500s", w.Code, w.Header().Get("Location"), w.Body)
	}
	area := getAs(t, h, c, w.Header().Get("Location")).Body.String()
	if !strings.Contains(area, `data-notice="redrawn"`) || !strings.Contains(area, `data-action="propose"`) {
		t.Error("the community page after accepting lacks the notice or the link")
	}
	grids, err := f.store.Boundaries(context.Background(), communityA, wangge.LevelGrid, time.Time{})
	if err != nil || len(grids) != 4 {
		t.Fatalf("grid outlines after accepting: %d, %v; want 4", len(grids), err)
	}
	if grids[0].AreaCode != gridA || !grids[0].ValidFrom.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, whttp.ChinaTime)) || grids[0].CreatedBy != "dongyuan" {
		t.Errorf("first grid outline %+v", grids[0])
	}
	es, _, err := f.store.ListAudit(context.Background(), wangge.AuditFilter{Page: wangge.Page{Limit: 1}})
	if err != nil || es[0].Action != "grids.redraw" || es[0].Username != "dongyuan" {
		t.Errorf("last audit entry %+v, %v", es, err)
	}
	// Proposing again now finds the grids as accepted.
	again := getAs(t, h, c, page).Body.String()
	if strings.Contains(again, "新网格（新编码）") {
		t.Error("after accepting, the same proposal still wants new grids")
	}
}

// TestProposalNeedsAnOutline: a community without an outline cannot be
// divided; the page says why.
func TestProposalNeedsAnOutline(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	w := getAs(t, h, login(t, h, "admin"), "/areas/"+communityA+"/propose")
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "本社区还没有边界") {
		t.Errorf("no outline: %d\n%.300s", w.Code, w.Body)
	}
}

// getAs sends a GET as the session c (nil: anonymous).
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

// rect is the GeoJSON polygon of a rectangle in WGS-84.
func rect(x0, y0, x1, y1 float64) string {
	return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`, x0, y0, x1, y0, x1, y1, x0, y1, x0, y0)
}
