package storetest

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
)

var boundaryTests = []test{
	{"BoundaryVersionsAnswerAsOfAnyDate", testBoundaryVersions},
	{"BoundaryRefusesBadGeometryAndOldDates", testBoundaryRefusals},
	{"BuildingsTakeTheirGridFromTheirLocation", testBuildingsTakeTheirGridFromTheirLocation},
	{"OutlineChangesArePushedToOtherServers", testBoundaryFeed},
	{"ImportAreasWritesAllOrNothing", testImportAreasAllOrNothing},
}

func square(x0, y0, d float64) string {
	return `{"type":"Polygon","coordinates":[[[` + f(x0) + `,` + f(y0) + `],[` + f(x0+d) + `,` + f(y0) + `],[` + f(x0+d) + `,` + f(y0+d) + `],[` + f(x0) + `,` + f(y0+d) + `],[` + f(x0) + `,` + f(y0) + `]]]}`
}

func f(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// testBoundaryVersions: an edit starts a new version and ends the old one;
// "as of" a date gives the version then; the history keeps every version;
// Boundaries lists one version per area of a level.
func testBoundaryVersions(t *testing.T, e *env) {
	e.fixture()
	d1 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	d2 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	v1, err := e.db.SetBoundary(e.ctx, GridA1, square(113.10, 36.18, 0.01), d1)
	ok(t, err)
	v2, err := e.db.SetBoundary(e.ctx, GridA1, square(113.10, 36.18, 0.02), d2)
	ok(t, err)
	if v1.Version != 1 || v2.Version != 2 || v2.CreatedBy != Actor.Username {
		t.Fatalf("versions %d, %d by %q", v1.Version, v2.Version, v2.CreatedBy)
	}
	_, err = e.db.SetBoundary(e.ctx, GridA2, square(113.12, 36.18, 0.01), d1)
	ok(t, err)
	_, err = e.db.SetBoundary(e.ctx, CommunityA, square(113.10, 36.18, 0.05), d1)
	ok(t, err)

	for _, c := range []struct {
		at   time.Time
		want int
	}{
		{time.Time{}, 2},
		{d1, 1},
		{d2.Add(-time.Microsecond), 1},
		{d2, 2},
		{time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), 2},
	} {
		b, err := e.db.Boundary(e.ctx, GridA1, c.at)
		ok(t, err, "Boundary as of ", c.at)
		if b.Version != c.want {
			t.Errorf("as of %v: version %d, want %d", c.at, b.Version, c.want)
		}
	}
	if _, err := e.db.Boundary(e.ctx, GridA1, d1.Add(-time.Hour)); wangge.ErrorCode(err) != wangge.ENotFound {
		t.Errorf("before the first version: %v, want not found", err)
	}
	hist, err := e.db.BoundaryHistory(e.ctx, GridA1)
	ok(t, err)
	if len(hist) != 2 || hist[0].ValidTo == nil || !hist[0].ValidTo.Equal(d2) || hist[1].ValidTo != nil || hist[0].GeoJSON != v1.GeoJSON {
		t.Errorf("history %+v", hist)
	}
	grids, err := e.db.Boundaries(e.ctx, CommunityA, wangge.LevelGrid, time.Time{})
	ok(t, err)
	if len(grids) != 2 || grids[0].AreaCode != GridA1 || grids[0].Version != 2 || grids[1].AreaCode != GridA2 {
		t.Errorf("current grid boundaries of community A: %+v", grids)
	}
	old, err := e.db.Boundaries(e.ctx, District, wangge.LevelGrid, d1)
	ok(t, err)
	if len(old) != 2 || old[0].Version != 1 {
		t.Errorf("grid boundaries as of %v: %+v", d1, old)
	}
	// A version set to start later is not yet the current one.
	later := time.Now().AddDate(0, 1, 0)
	_, err = e.db.SetBoundary(e.ctx, GridA1, square(113.10, 36.18, 0.03), later)
	ok(t, err)
	if b, err := e.db.Boundary(e.ctx, GridA1, time.Time{}); err != nil || b.Version != 2 {
		t.Errorf("current boundary before a scheduled change: %+v, %v; want version 2", b, err)
	}
	if b, err := e.db.Boundary(e.ctx, GridA1, later); err != nil || b.Version != 3 {
		t.Errorf("boundary as of the scheduled change: %+v, %v; want version 3", b, err)
	}
	if e.lastAudit().Action != "boundary.set" {
		t.Errorf("last audit entry %s, want boundary.set", e.lastAudit().Action)
	}
	if err := e.db.DeleteArea(e.ctx, GridA2, 1); wangge.ErrorCode(err) != wangge.EConflict {
		t.Errorf("deleting an area with boundary history: %v, want a conflict", err)
	}
}

func testBoundaryRefusals(t *testing.T, e *env) {
	e.fixture()
	d := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for name, g := range map[string]string{
		"not json":   `{"type":`,
		"a point":    `{"type":"Point","coordinates":[113.1,36.2]}`,
		"no type":    `{"coordinates":[]}`,
		"empty text": ``,
	} {
		if _, err := e.db.SetBoundary(e.ctx, GridA1, g, d); wangge.ErrorCode(err) != wangge.EInvalid {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if _, err := e.db.SetBoundary(e.ctx, "140499009009009", square(113, 36, 0.01), d); wangge.ErrorCode(err) != wangge.EInvalid {
		t.Errorf("unknown area: %v, want invalid", err)
	}
	_, err := e.db.SetBoundary(e.ctx, GridA1, square(113, 36, 0.01), d)
	ok(t, err)
	if _, err := e.db.SetBoundary(e.ctx, GridA1, square(113, 36, 0.02), d); wangge.ErrorCode(err) != wangge.EInvalid {
		t.Errorf("a version from the same date: %v, want invalid", err)
	}
	if _, err := e.db.SetBoundary(e.ctx, GridA1, square(113, 36, 0.02), d.AddDate(-1, 0, 0)); wangge.ErrorCode(err) != wangge.EInvalid {
		t.Errorf("a version from an earlier date: %v, want invalid", err)
	}
}

// testBuildingsTakeTheirGridFromTheirLocation: with grid outlines set, a
// building without a grid lands in the grid its point lies in; naming
// another grid needs a reason, which the audit log keeps; a point outside
// every grid needs a grid named.
func testBuildingsTakeTheirGridFromTheirLocation(t *testing.T, e *env) {
	e.fixture()
	_, err := e.db.SetBoundary(e.ctx, GridA1, square(113.10, 36.10, 0.05), time.Time{})
	ok(t, err)
	_, err = e.db.SetBoundary(e.ctx, GridA2, square(113.15, 36.10, 0.05), time.Time{})
	ok(t, err)

	b := &wangge.Building{Name: "定位楼", Kind: wangge.BuildingTower, Lng: 113.17, Lat: 36.12}
	ok(t, e.db.CreateBuilding(e.ctx, wangge.ScopeAll(), b))
	if b.GridCode != GridA2 {
		t.Errorf("placed in %s, want %s", b.GridCode, GridA2)
	}
	against := &wangge.Building{Name: "指定楼", Kind: wangge.BuildingTower, Lng: 113.17, Lat: 36.12, GridCode: GridA1}
	if err := e.db.CreateBuilding(e.ctx, wangge.ScopeAll(), against); wangge.ErrorCode(err) != wangge.EInvalid {
		t.Fatalf("a grid against the location without a reason: %v, want invalid", err)
	}
	against.GridReason = "产权单位统一管理，划入第一网格"
	ok(t, e.db.CreateBuilding(e.ctx, wangge.ScopeAll(), against))
	if against.GridCode != GridA1 || !strings.Contains(e.lastAudit().Detail, "产权单位统一管理") {
		t.Errorf("override: grid %s, audit %s", against.GridCode, e.lastAudit().Detail)
	}
	lost := &wangge.Building{Name: "域外楼", Kind: wangge.BuildingTower, Lng: 114, Lat: 37}
	if err := e.db.CreateBuilding(e.ctx, wangge.ScopeAll(), lost); wangge.ErrorCode(err) != wangge.EInvalid {
		t.Errorf("a point outside every grid without a grid: %v, want invalid", err)
	}
}

// testBoundaryFeed: on PostgreSQL a store follows changes to outlines and
// areas made through another connection (another server) within seconds,
// once per change, without polling; SQLite has no feed (one server).
func testBoundaryFeed(t *testing.T, e *env) {
	e.fixture()
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	changes := e.db.BoundaryChanges(ctx)
	if e.db.Dialect() != "postgres" {
		if changes != nil {
			t.Fatalf("%s pushes changes it cannot have", e.db.Dialect())
		}
		return
	}
	if changes == nil {
		t.Fatal("PostgreSQL offers no feed of outline changes")
	}
	other := e.reopen(t)
	wait := func(what string) {
		t.Helper()
		select {
		case <-changes:
		case <-time.After(5 * time.Second):
			t.Fatalf("no notice within 5 s of %s", what)
		}
	}
	// The listener connects in the background: change until it hears.
	deadline := time.Now().Add(5 * time.Second)
	for heard := false; !heard; {
		if _, err := other.SetBoundary(e.ctx, GridA1, square(113.10, 36.18, 0.01), time.Time{}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-changes:
			heard = true
		case <-time.After(200 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("no notice within 5 s of an outline change")
			}
		}
	}
	a, err := other.Area(e.ctx, GridA2)
	if err != nil {
		t.Fatal(err)
	}
	a.Name = "改名网格"
	if err := other.UpdateArea(e.ctx, a); err != nil {
		t.Fatal(err)
	}
	wait("a renamed grid")
	select {
	case <-changes:
		t.Error("a second notice for one change")
	case <-time.After(300 * time.Millisecond):
	}
	cancel()
	for range changes { // closes once ctx is done
	}
}
