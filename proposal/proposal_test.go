package proposal

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqldb"
	"github.com/wangge/wangge/sqlite"
)

const (
	district  = "140499"
	sub       = "140499001"
	community = "140499001001"
	other     = "140499001002"
	grid1     = "140499001001001"
	grid2     = "140499001001002"
)

func rect(x0, y0, x1, y1 float64) string {
	return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`, x0, y0, x1, y0, x1, y1, x0, y1, x0, y0)
}

// world is a community of two grids side by side, ten buildings of 20
// households in each, and one building without coordinates in grid 2.
type world struct {
	db        *sqldb.DB
	ctx       context.Context
	west      []int64 // buildings of grid 1, west to east
	east      []int64
	unlocated int64
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := wangge.WithActor(context.Background(), wangge.Actor{Username: "tester", Role: wangge.RoleDistrictAdmin})
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	box, err := secret.New(secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.UseKey(ctx, box))
	for _, a := range [][2]string{{district, "示范城区"}, {sub, "示范街道"}, {community, "东苑社区"}, {other, "西苑社区"}, {grid1, "东苑第一网格"}, {grid2, "东苑第二网格"}} {
		must(db.CreateArea(ctx, &wangge.Area{Code: a[0], Name: a[1]}))
	}
	w := &world{db: db, ctx: ctx}
	building := func(grid string, lng, lat float64, households int) int64 {
		b := &wangge.Building{GridCode: grid, Name: fmt.Sprintf("楼%.4f", lng), Kind: wangge.BuildingTower, Lng: lng, Lat: lat}
		must(db.CreateBuilding(ctx, wangge.ScopeAll(), b))
		for h := range households {
			must(db.CreateHousehold(ctx, wangge.ScopeAll(), &wangge.Household{BuildingID: b.ID, Room: fmt.Sprint(101 + h), Kind: wangge.ResidentRegistered}))
		}
		return b.ID
	}
	for i := range 10 {
		w.west = append(w.west, building(grid1, 113.101+0.001*float64(i%5), 36.102+0.004*float64(i/5), 20))
		w.east = append(w.east, building(grid2, 113.106+0.001*float64(i%5), 36.102+0.004*float64(i/5), 20))
	}
	w.unlocated = building(grid2, 0, 0, 15)
	for code, gj := range map[string]string{community: rect(113.10, 36.10, 113.111, 36.11), grid1: rect(113.10, 36.10, 113.1055, 36.11), grid2: rect(113.1055, 36.10, 113.111, 36.11)} {
		_, err := db.SetBoundary(ctx, code, gj, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
		must(err)
	}
	return w
}

// TestProposalKeepsCodesAndPlacesBuildingsWithoutCoordinates: two grids of
// 200 households and one of 15 without coordinates, proposed at 200: two
// grids that keep the two codes; the building without coordinates goes
// with its grid's code, counted and warned about by name.
func TestProposalKeepsCodesAndPlacesBuildingsWithoutCoordinates(t *testing.T) {
	w := newWorld(t)
	p, err := Make(w.ctx, w.db, wangge.ScopeOf(community), community, Options{Households: 200})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Grids) != 2 || p.Households != 415 {
		t.Fatalf("%d grids, %d households", len(p.Grids), p.Households)
	}
	hh := 0
	for _, g := range p.Grids {
		hh += g.Households
		if g.Code == "" || !g.Contiguous {
			t.Errorf("grid %+v", g)
		}
		if g.Code == grid2 && !slices.Contains(g.BuildingIDs, w.unlocated) {
			t.Errorf("the building without coordinates is not in %s's successor", grid2)
		}
	}
	if hh != 415 || len(p.Retired) != 0 || len(p.Current) != 2 {
		t.Errorf("households %d, retired %v, current %d", hh, p.Retired, len(p.Current))
	}
	if len(p.Warnings) != 1 || p.Warnings[0].Kind != WarnUnlocated || !slices.Equal(p.Warnings[0].Buildings, []int64{w.unlocated}) {
		t.Errorf("warnings %+v", p.Warnings)
	}
	if w := p.Warnings[0]; !strings.Contains(w.Zh, "没有坐标") || !strings.Contains(w.EN, "no coordinates") {
		t.Errorf("a warning without its catalogue texts: %+v", w)
	}
}

// TestAdjustmentsAndAccepting: moving two buildings into "one more grid"
// starts a new grid without a code, coloured unlike the grids it borders; accepting what was shown gives it a
// fresh code, while a proposal made from other data is refused as stale.
func TestAdjustmentsAndAccepting(t *testing.T) {
	w := newWorld(t)
	opt := Options{Households: 200, Moves: []Move{{w.east[4], 3}, {w.east[9], 3}}}
	p, err := Make(w.ctx, w.db, wangge.ScopeOf(sub), community, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Grids) != 3 || p.Grids[2].Code != "" || p.Grids[2].Buildings != 2 || p.Grids[2].Households != 40 || !p.Grids[2].Contiguous {
		t.Fatalf("grids %+v", p.Grids)
	}
	for _, g := range p.Grids {
		if len(g.Neighbours) == 0 {
			t.Errorf("grid %d borders no other grid", g.Number)
		}
		for _, n := range g.Neighbours {
			if c := p.Grids[n-1].Colour; c == g.Colour || c < 0 || c >= Palette {
				t.Errorf("grids %d and %d, neighbours, have colours %d and %d", g.Number, n, g.Colour, c)
			}
		}
	}
	for _, b := range p.Buildings {
		if (b.ID == w.east[4] || b.ID == w.east[9]) != (b.Group != b.Proposed) {
			t.Errorf("building %d: group %d, proposed %d", b.ID, b.Group, b.Proposed)
		}
	}
	plain, err := Make(w.ctx, w.db, wangge.ScopeOf(sub), community, Options{Households: 200})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Accept(w.ctx, w.db, wangge.ScopeOf(sub), plain.Digest, time.Time{}, "试划"); err != ErrStale {
		t.Errorf("accepting with another proposal's digest: %v, want stale", err)
	}
	codes, err := p.Accept(w.ctx, w.db, wangge.ScopeOf(sub), p.Digest, time.Time{}, "分出第三网格")
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 3 || codes[2] != community+"003" {
		t.Errorf("codes %v", codes)
	}
	b, err := w.db.Building(w.ctx, wangge.ScopeAll(), w.east[9])
	if err != nil || b.GridCode != community+"003" {
		t.Errorf("moved building in %v (%v)", b, err)
	}
}

// TestProposalRefusals: out of scope, no outline, no buildings, no
// coordinates, a bad N or adjustment.
func TestProposalRefusals(t *testing.T) {
	w := newWorld(t)
	for name, c := range map[string]struct {
		scope wangge.Scope
		code  string
		opt   Options
		want  error
		field string
	}{
		"another community's staff": {wangge.ScopeOf(other), community, Options{}, wangge.ErrNotFound, ""},
		"a grid":                    {wangge.ScopeOf(district), grid1, Options{}, wangge.ErrNotFound, ""},
		"no outline":                {wangge.ScopeOf(district), other, Options{}, ErrNoOutline, ""},
		"a negative N":              {wangge.ScopeOf(district), community, Options{Households: -1}, nil, "households"},
		"a building elsewhere":      {wangge.ScopeOf(district), community, Options{Moves: []Move{{99999, 1}}}, nil, "move"},
		"a grid too far":            {wangge.ScopeOf(district), community, Options{Moves: []Move{{w.west[0], 5}}}, nil, "move"},
	} {
		_, err := Make(w.ctx, w.db, c.scope, c.code, c.opt)
		switch {
		case c.want != nil && err != c.want:
			t.Errorf("%s: %v, want %v", name, err, c.want)
		case c.field != "":
			if we, ok := err.(*wangge.Error); !ok || we.Field != c.field || we.Code != wangge.EInvalid {
				t.Errorf("%s: %v, want invalid %s", name, err, c.field)
			}
		}
	}
	_, err := w.db.SetBoundary(w.ctx, other, rect(113.111, 36.10, 113.12, 36.11), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Make(w.ctx, w.db, wangge.ScopeOf(district), other, Options{}); err != ErrNoBuildings {
		t.Errorf("no buildings: %v", err)
	}
	if err := w.db.CreateArea(w.ctx, &wangge.Area{Code: other + "001", Name: "西苑第一网格"}); err != nil {
		t.Fatal(err)
	}
	if err := w.db.CreateBuilding(w.ctx, wangge.ScopeAll(), &wangge.Building{GridCode: other + "001", Name: "无坐标楼", Kind: wangge.BuildingTower}); err != nil {
		t.Fatal(err)
	}
	if _, err := Make(w.ctx, w.db, wangge.ScopeOf(district), other, Options{}); err != ErrNoLocations {
		t.Errorf("no coordinates: %v", err)
	}

	for v, ok := range map[string]bool{"12:3": true, " 12:3 ": true, "": true, "x": false, "1:0": false, "0:1": false, "1:2:3": false} {
		if _, err := ParseMoves([]string{v}); (err == nil) != ok {
			t.Errorf("ParseMoves(%q): %v", v, err)
		}
	}
}
