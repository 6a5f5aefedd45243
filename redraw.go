package wangge

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// GridPlan is one grid of a community's new division into grids (网格划分
// 方案), as staff accepted it: the buildings it holds and its outline.
type GridPlan struct {
	Buildings []int64 // building ids; every building of the community in exactly one plan
	GeoJSON   string  // the outline, a GeoJSON Polygon or MultiPolygon in WGS-84
	// Name is the name of a grid that gets a new code; "" gives
	// "<community>第N网格". A grid that keeps its code keeps its name.
	Name string
}

// Overlap is how much of a current grid a planned grid would take over.
type Overlap struct {
	Households, Buildings int
}

// MatchGrids decides which current grid's code each planned grid keeps,
// so that assistants keep their grids: overlaps[i][code] is what planned
// grid i takes over from the current grid code. Pairs are matched greedily,
// the largest overlap first (by households, then buildings; ties by code,
// then plan order), each current grid to at most one planned grid and only
// where the planned grid takes over at least one of its buildings. The
// result holds the kept code of each planned grid, or "" for a new one.
func MatchGrids(overlaps []map[string]Overlap) []string {
	type pair struct {
		plan int
		code string
		o    Overlap
	}
	var pairs []pair
	for i, m := range overlaps {
		for code, o := range m {
			if o.Buildings > 0 {
				pairs = append(pairs, pair{i, code, o})
			}
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		return cmp.Or(cmp.Compare(b.o.Households, a.o.Households), cmp.Compare(b.o.Buildings, a.o.Buildings),
			cmp.Compare(a.code, b.code), cmp.Compare(a.plan, b.plan))
	})
	out := make([]string, len(overlaps))
	taken := map[string]bool{}
	for _, p := range pairs {
		if out[p.plan] == "" && !taken[p.code] {
			out[p.plan], taken[p.code] = p.code, true
		}
	}
	return out
}

// GridRedrawer redraws a community's grids in one go.
type GridRedrawer interface {
	// RedrawGrids puts the community's buildings into the planned grids,
	// all or nothing: each planned grid keeps the code of the current grid
	// MatchGrids gives it, or gets a fresh code (never a retired one); the
	// current grids left without a plan are retired, their outlines ended
	// and their assistants' terms ended; buildings move with everyone in
	// them, as MoveBuilding moves them, with the reason; each planned grid
	// whose outline changes gets a new version valid from validFrom (now
	// when zero; never in the future). The community must lie in scope and
	// the actor's role must have PermManageAreas. It returns each planned
	// grid's code, in plan order.
	RedrawGrids(ctx context.Context, scope Scope, community string, plan []GridPlan, validFrom time.Time, reason string) ([]string, error)
}

// DefaultGridName is the name a new grid of a redraw gets when the plan
// names none: "<community>第N网格", N its sequence in the community.
func DefaultGridName(community string, n int) string {
	return fmt.Sprintf("%s第%d网格", community, n)
}
