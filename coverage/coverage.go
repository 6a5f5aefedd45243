// Package coverage checks that an area's children tile it — grids their
// community, communities their sub-district, sub-districts the district —
// with no gaps and no overlaps, and that every building lies in exactly one
// grid, its own. The command line (`wangge coverage`) and the map pages both
// ask it; the geometry itself is geo.CheckCoverage.
package coverage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/peterstace/simplefeatures/geom"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/geo"
)

// TolM2 is the smallest gap or overlap reported: below it are the
// floating-point slivers of borders that are meant to be shared.
const TolM2 = 1.0

// Item is one gap, overlap or piece outside the parent.
type Item struct {
	Codes  []string      `json:"codes,omitempty"`
	AreaM2 float64       `json:"area_m2"`
	Lng    float64       `json:"lng"`
	Lat    float64       `json:"lat"`
	Geom   geom.Geometry `json:"-"` // the piece, for drawing
}

// Parent is the check of one parent area against its children.
type Parent struct {
	Code           string   `json:"code"`
	Name           string   `json:"name"`
	Level          string   `json:"level"`
	Seamless       bool     `json:"seamless"`
	Children       int      `json:"children"`
	Gaps           []Item   `json:"gaps"`
	Overlaps       []Item   `json:"overlaps"`
	OutsideParent  []Item   `json:"outside_parent"`
	MissingOutline []string `json:"children_without_boundary,omitempty"`
}

// Building is a building that is not where it should be.
type Building struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	GridCode string   `json:"grid_code"`
	Lng      float64  `json:"lng"`
	Lat      float64  `json:"lat"`
	Grids    []string `json:"grids,omitempty"`
}

// Report is the whole check under one root.
type Report struct {
	Seamless               bool       `json:"seamless"`
	Parents                []Parent   `json:"parents"`
	BuildingsOutsideGrids  []Building `json:"buildings_outside_grids"`
	BuildingsInTwoGrids    []Building `json:"buildings_in_two_grids"`
	BuildingsInAnotherGrid []Building `json:"buildings_in_another_grid"`
}

// Store is what the check reads: outlines, the area tree and buildings.
// Outlines and area names are public; buildings are read in scope.
type Store interface {
	Boundaries(ctx context.Context, prefix string, level wangge.Level, at time.Time) ([]wangge.Boundary, error)
	ListAreas(ctx context.Context, f wangge.AreaFilter) ([]wangge.Area, int, error)
	ListBuildings(ctx context.Context, scope wangge.Scope, f wangge.BuildingFilter) ([]wangge.BuildingSummary, int, error)
}

// Check checks every parent at or under root ("" for all) against its
// children, with the outlines valid at at (the current ones when zero), and
// every building under root against the grids. A building
// outside every grid or in two breaks seamlessness; one in another grid
// than its own is listed (it needs moving, or a recorded reason).
func Check(ctx context.Context, db Store, root string, at time.Time) (*Report, error) {
	rep := &Report{Seamless: true, Parents: []Parent{}, BuildingsOutsideGrids: []Building{},
		BuildingsInTwoGrids: []Building{}, BuildingsInAnotherGrid: []Building{}}
	outline := map[string]geom.Geometry{}
	for _, lv := range []wangge.Level{wangge.LevelDistrict, wangge.LevelSubdistrict, wangge.LevelCommunity, wangge.LevelGrid} {
		prefix := root
		if len(prefix) > lv.CodeLen() {
			prefix = prefix[:lv.CodeLen()]
		}
		bs, err := db.Boundaries(ctx, prefix, lv, at)
		if err != nil {
			return nil, err
		}
		for _, b := range bs {
			a, err := geo.ParseArea(b.AreaCode, b.GeoJSON)
			if err != nil {
				return nil, err
			}
			outline[b.AreaCode] = a.Geom
		}
	}
	areas, _, err := db.ListAreas(ctx, wangge.AreaFilter{Page: wangge.Page{Limit: wangge.MaxPageLimit}})
	if err != nil {
		return nil, err
	}
	children := map[string][]wangge.Area{}
	for _, a := range areas {
		if a.RetiredAt == nil || !at.IsZero() && a.RetiredAt.After(at) {
			children[a.ParentCode] = append(children[a.ParentCode], a)
		}
	}
	var gridGeoms []geo.Child
	for _, a := range areas {
		if len(children[a.Code]) == 0 || !strings.HasPrefix(a.Code, root) {
			continue
		}
		pg, ok := outline[a.Code]
		if !ok {
			continue // a parent without an outline cannot be checked
		}
		pc := Parent{Code: a.Code, Name: a.Name, Level: a.Level.String(), Children: len(children[a.Code]),
			Gaps: []Item{}, Overlaps: []Item{}, OutsideParent: []Item{}}
		var kids []geo.Child
		for _, k := range children[a.Code] {
			if g, ok := outline[k.Code]; ok {
				kids = append(kids, geo.Child{Code: k.Code, Geom: g})
			} else {
				pc.MissingOutline = append(pc.MissingOutline, k.Code)
			}
		}
		cov, err := geo.CheckCoverage(pg, kids, TolM2)
		if err != nil {
			return nil, fmt.Errorf("coverage of %s: %w", a.Code, err)
		}
		items := func(ps []geo.Problem) []Item {
			out := []Item{}
			for _, p := range ps {
				out = append(out, Item{Codes: p.Codes, AreaM2: p.AreaM2, Lng: p.Lng, Lat: p.Lat, Geom: p.Geom})
			}
			return out
		}
		pc.Gaps, pc.Overlaps, pc.OutsideParent = items(cov.Gaps), items(cov.Overlaps), items(cov.OutsideParent)
		pc.Seamless = cov.Seamless && len(pc.MissingOutline) == 0
		rep.Seamless = rep.Seamless && pc.Seamless
		rep.Parents = append(rep.Parents, pc)
		if a.Level == wangge.LevelCommunity {
			gridGeoms = append(gridGeoms, kids...)
		}
	}

	// Buildings: against every grid outline, not just the one they claim.
	var idxAreas []geo.Area
	for code, g := range outline {
		if wangge.LevelOf(code) == wangge.LevelGrid {
			idxAreas = append(idxAreas, geo.Area{Code: code, Geom: g})
		}
	}
	ix, err := geo.NewIndex(idxAreas)
	if err != nil {
		return nil, err
	}
	scope := wangge.ScopeAll()
	if root != "" {
		scope = wangge.ScopeOf(root)
	}
	for page := 0; ; page++ {
		bs, total, err := db.ListBuildings(ctx, scope, wangge.BuildingFilter{Page: wangge.Page{Offset: page * wangge.MaxPageLimit, Limit: wangge.MaxPageLimit}})
		if err != nil {
			return nil, err
		}
		for _, b := range bs {
			sb := Building{ID: b.ID, Name: b.Name, GridCode: b.GridCode, Lng: b.Lng, Lat: b.Lat}
			code, ok := ix.Locate(b.Lng, b.Lat)
			switch {
			case !ok:
				rep.BuildingsOutsideGrids = append(rep.BuildingsOutsideGrids, sb)
			case code != b.GridCode:
				sb.Grids = []string{code}
				rep.BuildingsInAnotherGrid = append(rep.BuildingsInAnotherGrid, sb)
			}
			if in := gridsHolding(gridGeoms, b.Lng, b.Lat); len(in) > 1 {
				sb.Grids = in
				rep.BuildingsInTwoGrids = append(rep.BuildingsInTwoGrids, sb)
			}
		}
		if (page+1)*wangge.MaxPageLimit >= total {
			break
		}
	}
	if len(rep.BuildingsOutsideGrids)+len(rep.BuildingsInTwoGrids) > 0 {
		rep.Seamless = false
	}
	return rep, nil
}

// gridsHolding returns the grids whose interior holds the point.
func gridsHolding(grids []geo.Child, lng, lat float64) []string {
	pt := geom.NewPoint(geom.Coordinates{XY: geom.XY{X: lng, Y: lat}, Type: geom.DimXY}).AsGeometry()
	var in []string
	for _, g := range grids {
		env := g.Geom.Envelope()
		if !env.Contains(geom.XY{X: lng, Y: lat}) {
			continue
		}
		if ok, err := geom.Contains(g.Geom, pt); err == nil && ok {
			in = append(in, g.Code)
		}
	}
	return in
}
