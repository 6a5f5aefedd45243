package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/sqldb"
)

// testImportAreasAllOrNothing: a boundary file's areas are written in one
// transaction — one refused area (here, one whose parent does not exist)
// or a cancelled context leaves every area and outline as it was; a good
// file creates the new areas, renames the known ones and outlines each.
func testImportAreasAllOrNothing(t *testing.T, e *env) {
	e.fixture()
	from := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	good := []sqldb.AreaOutline{
		{Code: GridA3, Name: "新网格", GeoJSON: square(113.10, 36.18, 0.01)},
		{Code: GridA1, Name: "改名网格", GeoJSON: square(113.11, 36.18, 0.01)},
	}
	unchanged := func(what string) {
		t.Helper()
		if _, err := e.db.Area(e.ctx, GridA3); wangge.ErrorCode(err) != wangge.ENotFound {
			t.Errorf("%s: the new grid exists (%v)", what, err)
		}
		if a, err := e.db.Area(e.ctx, GridA1); err != nil || a.Name == "改名网格" {
			t.Errorf("%s: the known grid was renamed (%v)", what, err)
		}
		if h, err := e.db.BoundaryHistory(e.ctx, GridA1); err != nil || len(h) != 0 {
			t.Errorf("%s: %d outlines of the known grid (%v)", what, len(h), err)
		}
	}
	bad := append(append([]sqldb.AreaOutline{}, good...), sqldb.AreaOutline{Code: "140499009001001", Name: "无上级", GeoJSON: square(113.12, 36.18, 0.01)})
	if err := e.db.ImportAreas(e.ctx, bad, from); err == nil {
		t.Fatal("an area without its parent was imported")
	}
	unchanged("refused")
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	if err := e.db.ImportAreas(ctx, good, from); err == nil {
		t.Fatal("a cancelled import succeeded")
	}
	unchanged("cancelled")

	ok(t, e.db.ImportAreas(e.ctx, good, from))
	for _, o := range good {
		a, err := e.db.Area(e.ctx, o.Code)
		ok(t, err, "Area ", o.Code)
		b, err := e.db.Boundary(e.ctx, o.Code, from)
		ok(t, err, "Boundary ", o.Code)
		if a.Name != o.Name || b.Version != 1 || !b.ValidFrom.Equal(from) || b.CreatedBy != Actor.Username {
			t.Errorf("%s: %q, outline v%d from %v by %q", o.Code, a.Name, b.Version, b.ValidFrom, b.CreatedBy)
		}
	}
}
