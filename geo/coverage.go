package geo

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/peterstace/simplefeatures/geom"
	"github.com/peterstace/simplefeatures/rtree"
)

// Child is one child area (e.g. a grid of a community) for the coverage check.
type Child struct {
	Code string
	Geom geom.Geometry // Polygon or MultiPolygon, WGS-84 (x = lng, y = lat)
}

// Problem kinds.
const (
	ProblemGap           = "gap"
	ProblemOverlap       = "overlap"
	ProblemOutsideParent = "outside_parent"
)

// Problem is one polygon piece of a gap, an overlap or a child outside its
// parent.
type Problem struct {
	Kind     string        // ProblemGap, ProblemOverlap or ProblemOutsideParent
	Codes    []string      // children involved: overlap the two (sorted); outside_parent the one; gap none
	AreaM2   float64       // area of this piece, m² (AreaM2)
	Lng, Lat float64       // a representative point inside the piece (PointOnSurface)
	Geom     geom.Geometry // the piece (a Polygon), for drawing on a map
}

// Coverage is the result of CheckCoverage.
type Coverage struct {
	// Seamless: no gaps and no overlaps above the tolerance. Children outside
	// the parent are reported but do not break seamlessness.
	Seamless bool
	// Gaps sorted by area, largest first; Overlaps by codes; OutsideParent by
	// code (then area, largest first). Never nil.
	Gaps, Overlaps, OutsideParent []Problem
	// ParentAreaM2 is the parent's area; CoveredAreaM2 the part of it covered
	// by at least one child (parent minus all gaps, slivers included).
	ParentAreaM2, CoveredAreaM2 float64
}

// CheckCoverage answers "do the children (grids of a community, communities of
// a sub-district, ...) tile the parent with no blank spots and no double
// coverage?" with exact polygon overlay (simplefeatures' robust JTS OverlayNG
// port), not bounding boxes:
//
//   - gaps: parent minus the union of all children;
//   - overlaps: the intersection of every pair of children whose bounding
//     boxes overlap (pairs are found with an R-tree over the children's
//     envelopes; a pair whose envelope overlap is itself smaller than the
//     tolerance cannot hold a reportable overlap and is skipped);
//   - outside_parent: each child minus the parent.
//
// Every result is split into its polygon parts; each part becomes one
// [Problem] with its own area and a representative point (PointOnSurface, so
// it lies inside the part even for L-shaped or ring-shaped pieces). Parts
// smaller than the tolerance (in m², see [AreaM2]) are dropped: those are the
// floating-point slivers left where two neighbours share a border whose
// vertices differ in the last bits. The tolerance is an area, not a width, so
// a genuine long thin gap (2 m × 500 m = 1000 m²) is reported by any
// tolerance below its area.
//
// The verdict: Seamless is true when there are no gaps and no overlaps above
// the tolerance. A child sticking out of the parent does not by itself break
// seamlessness (the parent is still covered exactly once); it is reported in
// OutsideParent for the importer's "grid inside its community" warning.
// Where a child sticks out over a neighbouring parent, that neighbour's own
// check reports the resulting overlap.
//
// Child codes must be non-empty and unique; geometries must be non-empty
// polygons or multipolygons; tolM2 must be ≥ 0 (0 reports every non-empty
// piece, noise included). No children gives one gap per parent part.
func CheckCoverage(parent geom.Geometry, children []Child, tolM2 float64) (*Coverage, error) {
	if math.IsNaN(tolM2) || tolM2 < 0 {
		return nil, fmt.Errorf("geo: coverage tolerance %v m² must be ≥ 0", tolM2)
	}
	if err := checkPolygonal(parent); err != nil {
		return nil, fmt.Errorf("geo: coverage parent: %w", err)
	}
	seen := make(map[string]bool, len(children))
	geoms := make([]geom.Geometry, len(children))
	for i, c := range children {
		if c.Code == "" {
			return nil, fmt.Errorf("geo: coverage child %d has no code", i)
		}
		if seen[c.Code] {
			return nil, fmt.Errorf("geo: coverage: duplicate child code %s", c.Code)
		}
		seen[c.Code] = true
		if err := checkPolygonal(c.Geom); err != nil {
			return nil, fmt.Errorf("geo: coverage child %s: %w", c.Code, err)
		}
		geoms[i] = c.Geom
	}

	cov := &Coverage{
		Gaps:          []Problem{},
		Overlaps:      []Problem{},
		OutsideParent: []Problem{},
		ParentAreaM2:  AreaM2(parent),
	}

	// Gaps: parent minus the union of the children.
	gaps := parent
	if len(children) > 0 {
		union, err := geom.UnionMany(geoms)
		if err != nil {
			return nil, fmt.Errorf("geo: coverage: union of children: %w", err)
		}
		gaps, err = geom.Difference(parent, union)
		if err != nil {
			return nil, fmt.Errorf("geo: coverage: parent minus children: %w", err)
		}
	}
	rawGap := 0.0
	for _, part := range polygonParts(gaps) {
		a := AreaM2(part)
		rawGap += a
		if a >= tolM2 && a > 0 {
			cov.Gaps = append(cov.Gaps, newProblem(ProblemGap, nil, part, a))
		}
	}
	cov.CoveredAreaM2 = max(cov.ParentAreaM2-rawGap, 0)

	// Overlaps: candidate pairs from an R-tree over the envelopes, then exact
	// intersection.
	items := make([]rtree.BulkItem, 0, len(children))
	boxes := make([]rtree.Box, len(children))
	for i, g := range geoms {
		box, _ := g.Envelope().AsBox() // non-empty: checked above
		boxes[i] = box
		items = append(items, rtree.BulkItem{Box: box, RecordID: i})
	}
	tree := rtree.BulkLoad(items)
	for i := range children {
		var cands []int
		_ = tree.RangeSearch(boxes[i], func(j int) error {
			if j > i {
				cands = append(cands, j)
			}
			return nil
		})
		slices.Sort(cands)
		for _, j := range cands {
			if tolM2 > 0 && boxOverlapM2(boxes[i], boxes[j]) < tolM2 {
				continue // cannot hold a piece ≥ tolM2
			}
			inter, err := geom.Intersection(geoms[i], geoms[j])
			if err != nil {
				return nil, fmt.Errorf("geo: coverage: %s ∩ %s: %w", children[i].Code, children[j].Code, err)
			}
			codes := []string{children[i].Code, children[j].Code}
			slices.Sort(codes)
			for _, part := range polygonParts(inter) {
				if a := AreaM2(part); a >= tolM2 && a > 0 {
					cov.Overlaps = append(cov.Overlaps, newProblem(ProblemOverlap, codes, part, a))
				}
			}
		}
	}

	// Outside the parent: each child minus the parent.
	pbox, _ := parent.Envelope().AsBox()
	parentIsRect := isRectangle(parent)
	for i, c := range children {
		b := boxes[i]
		if parentIsRect && b.MinX >= pbox.MinX && b.MinY >= pbox.MinY && b.MaxX <= pbox.MaxX && b.MaxY <= pbox.MaxY {
			continue // inside an axis-aligned rectangular parent's box: nothing outside
		}
		out, err := geom.Difference(c.Geom, parent)
		if err != nil {
			return nil, fmt.Errorf("geo: coverage: %s minus parent: %w", c.Code, err)
		}
		for _, part := range polygonParts(out) {
			if a := AreaM2(part); a >= tolM2 && a > 0 {
				cov.OutsideParent = append(cov.OutsideParent, newProblem(ProblemOutsideParent, []string{c.Code}, part, a))
			}
		}
	}

	slices.SortStableFunc(cov.Gaps, func(a, b Problem) int { return cmp.Compare(b.AreaM2, a.AreaM2) })
	byCodes := func(a, b Problem) int {
		if c := slices.Compare(a.Codes, b.Codes); c != 0 {
			return c
		}
		return cmp.Compare(b.AreaM2, a.AreaM2)
	}
	slices.SortStableFunc(cov.Overlaps, byCodes)
	slices.SortStableFunc(cov.OutsideParent, byCodes)
	cov.Seamless = len(cov.Gaps) == 0 && len(cov.Overlaps) == 0
	return cov, nil
}

// checkPolygonal reports whether g is a non-empty Polygon or MultiPolygon.
func checkPolygonal(g geom.Geometry) error {
	switch g.Type() {
	case geom.TypePolygon, geom.TypeMultiPolygon:
	default:
		return fmt.Errorf("a %s, not a polygon", g.Type())
	}
	if g.IsEmpty() {
		return errors.New("empty geometry")
	}
	return nil
}

// isRectangle reports whether a polygon's exterior ring is exactly its
// envelope (an axis-aligned rectangle), so a child whose envelope lies in the
// parent's envelope lies in the parent.
func isRectangle(g geom.Geometry) bool {
	if g.Type() != geom.TypePolygon || g.MustAsPolygon().NumInteriorRings() != 0 {
		return false
	}
	ring := g.MustAsPolygon().ExteriorRing().Coordinates()
	box, ok := g.Envelope().AsBox()
	if !ok || box.MinX == box.MaxX || box.MinY == box.MaxY {
		return false
	}
	if boxArea := (box.MaxX - box.MinX) * (box.MaxY - box.MinY); math.Abs(g.Area()-boxArea) > 1e-9*boxArea {
		return false
	}
	for i := range ring.Length() {
		xy := ring.GetXY(i)
		if (xy.X != box.MinX && xy.X != box.MaxX) || (xy.Y != box.MinY && xy.Y != box.MaxY) {
			return false
		}
	}
	return true
}

// polygonParts returns the Polygon parts of g (a Polygon, MultiPolygon or
// GeometryCollection); lines and points (where neighbours merely touch) are
// dropped.
func polygonParts(g geom.Geometry) []geom.Geometry {
	if g.IsEmpty() {
		return nil
	}
	var parts []geom.Geometry
	for _, p := range g.Dump() {
		if p.Type() == geom.TypePolygon && !p.IsEmpty() {
			parts = append(parts, p)
		}
	}
	return parts
}

func newProblem(kind string, codes []string, part geom.Geometry, area float64) Problem {
	p := Problem{Kind: kind, Codes: codes, AreaM2: area, Geom: part}
	if xy, ok := part.PointOnSurface().XY(); ok {
		p.Lng, p.Lat = xy.X, xy.Y
	}
	if p.Codes == nil {
		p.Codes = []string{}
	}
	return p
}

// boxOverlapM2 approximates the area in m² of the overlap of two lng/lat
// boxes (0 when they only touch), an upper bound for any piece inside it.
func boxOverlapM2(a, b rtree.Box) float64 {
	w := min(a.MaxX, b.MaxX) - max(a.MinX, b.MinX)
	h := min(a.MaxY, b.MaxY) - max(a.MinY, b.MinY)
	if w <= 0 || h <= 0 {
		return 0
	}
	// The latitude nearest the equator maximises the width: an upper bound,
	// enlarged by 1% for safety.
	loY, hiY := max(a.MinY, b.MinY), min(a.MaxY, b.MaxY)
	nearEq := 0.0
	if loY > 0 {
		nearEq = loY
	} else if hiY < 0 {
		nearEq = hiY
	}
	k := earthRadiusM * math.Pi / 180
	return 1.01 * w * k * math.Cos(nearEq*math.Pi/180) * h * k
}

// earthRadiusM is the mean Earth radius (IUGG R1), metres.
const earthRadiusM = 6371008.8

// AreaM2 returns the area in square metres of a WGS-84 polygonal geometry
// (Polygon, MultiPolygon, or the polygons of a GeometryCollection; anything
// else is 0).
//
// Method: the coordinates are projected with the sinusoidal projection
// centred on the geometry's central meridian, x = R·Δλ·cos φ, y = R·φ,
// R = 6371008.8 m (mean radius), and the planar (shoelace) area is taken.
// The sinusoidal projection is equal-area on the sphere, so the only errors
// are the sphere-vs-ellipsoid difference (≲0.3% at China's latitudes) and
// treating the projected edges as straight (negligible for grid- and
// district-sized polygons): well under 0.5% for anything district-sized.
func AreaM2(g geom.Geometry) float64 {
	if g.IsEmpty() {
		return 0
	}
	c, ok := g.Envelope().Center().XY()
	if !ok {
		return 0
	}
	lng0 := c.X
	const rad = math.Pi / 180
	return g.Area(geom.WithTransform(func(p geom.XY) geom.XY {
		return geom.XY{
			X: earthRadiusM * (p.X - lng0) * rad * math.Cos(p.Y*rad),
			Y: earthRadiusM * (p.Y - c.Y) * rad,
		}
	}))
}

// OutsideM2 returns how much of child lies outside parent, in m², counting
// only pieces of at least tolM2 — CheckCoverage's outside_parent for one
// child, without the gap and overlap work an importer checking one feature
// at a time does not need.
func OutsideM2(parent, child geom.Geometry, tolM2 float64) (float64, error) {
	if err := checkPolygonal(parent); err != nil {
		return 0, fmt.Errorf("geo: outside: parent: %w", err)
	}
	if err := checkPolygonal(child); err != nil {
		return 0, fmt.Errorf("geo: outside: child: %w", err)
	}
	pbox, _ := parent.Envelope().AsBox()
	cbox, _ := child.Envelope().AsBox()
	out := child // no common point: all of it is outside
	if cbox.MinX <= pbox.MaxX && cbox.MaxX >= pbox.MinX && cbox.MinY <= pbox.MaxY && cbox.MaxY >= pbox.MinY {
		if isRectangle(parent) && cbox.MinX >= pbox.MinX && cbox.MinY >= pbox.MinY && cbox.MaxX <= pbox.MaxX && cbox.MaxY <= pbox.MaxY {
			return 0, nil
		}
		var err error
		if out, err = geom.Difference(child, parent); err != nil {
			return 0, fmt.Errorf("geo: outside: %w", err)
		}
	}
	sum := 0.0
	for _, part := range polygonParts(out) {
		if a := AreaM2(part); a >= tolM2 && a > 0 {
			sum += a
		}
	}
	return sum, nil
}
