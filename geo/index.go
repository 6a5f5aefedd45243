package geo

import (
	"fmt"
	"slices"
	"strings"

	"github.com/peterstace/simplefeatures/geom"
	"github.com/peterstace/simplefeatures/rtree"
)

// Area is a grid (or any area) polygon to be indexed.
type Area struct {
	Code string
	Geom geom.Geometry // Polygon or MultiPolygon, WGS-84
}

// ParseArea reads an area's outline from a GeoJSON Polygon or
// MultiPolygon, as the stores keep it.
func ParseArea(code, geojson string) (Area, error) {
	g, err := geom.UnmarshalGeoJSON([]byte(geojson))
	if err != nil {
		return Area{}, fmt.Errorf("geo: outline of %s: %w", code, err)
	}
	return Area{Code: code, Geom: g}, nil
}

// Index answers "which grid is this point in" without allocating. It is
// immutable once built and safe for concurrent use; rebuild it (NewIndex)
// when boundaries change and swap the pointer.
type Index struct {
	tree  *rtree.RTree  // the R-tree simplefeatures brings; record IDs index polys
	polys []indexedPoly // sorted by code, so a lower position = a lower code
}

// indexedPoly holds one area's edges, precomputed for the crossing test.
type indexedPoly struct {
	code string
	// edges is flat, edgeStride floats per non-horizontal edge of every ring
	// (shells and holes alike; parity needs no distinction):
	// ylo, yhi, xlo, dx, dy — the edge taken from its lower endpoint
	// (lower y, then lower x), dx = xhi-xlo, dy = yhi-ylo > 0.
	edges []float64
}

const edgeStride = 5

// NewIndex builds an Index over areas. Codes must be unique and non-empty;
// geometries must be non-empty polygons or multipolygons (validity is the
// importer's job; see ParseFeatureCollection).
func NewIndex(areas []Area) (*Index, error) {
	sorted := slices.Clone(areas)
	slices.SortFunc(sorted, func(a, b Area) int { return strings.Compare(a.Code, b.Code) })
	ix := &Index{polys: make([]indexedPoly, len(sorted))}
	items := make([]rtree.BulkItem, len(sorted))
	for i, a := range sorted {
		if a.Code == "" {
			return nil, fmt.Errorf("geo: area %d has no code", i)
		}
		if i > 0 && sorted[i-1].Code == a.Code {
			return nil, fmt.Errorf("geo: duplicate area code %s", a.Code)
		}
		var polys []geom.Polygon
		switch a.Geom.Type() {
		case geom.TypePolygon:
			polys = []geom.Polygon{a.Geom.MustAsPolygon()}
		case geom.TypeMultiPolygon:
			mp := a.Geom.MustAsMultiPolygon()
			for j := range mp.NumPolygons() {
				polys = append(polys, mp.PolygonN(j))
			}
		default:
			return nil, fmt.Errorf("geo: area %s is a %s, not a polygon", a.Code, a.Geom.Type())
		}
		env := a.Geom.Envelope()
		lo, okLo := env.Min().XY()
		hi, okHi := env.Max().XY()
		if !okLo || !okHi {
			return nil, fmt.Errorf("geo: area %s has an empty geometry", a.Code)
		}
		var edges []float64
		for _, p := range polys {
			for _, ring := range p.DumpRings() {
				edges = appendRingEdges(edges, ring.Coordinates())
			}
		}
		ix.polys[i] = indexedPoly{code: a.Code, edges: edges}
		items[i] = rtree.BulkItem{Box: rtree.Box{MinX: lo.X, MinY: lo.Y, MaxX: hi.X, MaxY: hi.Y}, RecordID: i}
	}
	// Bulk loading packs the tree with little overlap between nodes, and
	// the index never changes once built.
	ix.tree = rtree.BulkLoad(items)
	return ix, nil
}

func appendRingEdges(edges []float64, seq geom.Sequence) []float64 {
	n := seq.Length()
	for k := 0; k+1 < n; k++ {
		a, b := seq.GetXY(k), seq.GetXY(k+1)
		if a.Y == b.Y {
			continue // horizontal edges never cross a horizontal ray
		}
		if b.Y < a.Y {
			a, b = b, a
		}
		edges = append(edges, a.Y, b.Y, a.X, b.X-a.X, b.Y-a.Y)
	}
	return edges
}

// contains is the half-open crossing-number test described in the package
// comment.
func (p *indexedPoly) contains(x, y float64) bool {
	in := false
	e := p.edges
	for len(e) >= edgeStride {
		if y >= e[0] && y < e[1] && (x-e[2])*e[4] < e[3]*(y-e[0]) {
			in = !in
		}
		e = e[edgeStride:]
	}
	return in
}

// Len is the number of indexed areas.
func (ix *Index) Len() int { return len(ix.polys) }

// Locate returns the code of the area containing (lng, lat) (WGS-84) under
// the border rule of the package comment, or ok=false when no area does.
func (ix *Index) Locate(lng, lat float64) (code string, ok bool) {
	best := -1
	// The callback returns nil only, so RangeSearch has no error to give.
	_ = ix.tree.RangeSearch(rtree.Box{MinX: lng, MinY: lat, MaxX: lng, MaxY: lat}, func(i int) error {
		if (best < 0 || i < best) && ix.polys[i].contains(lng, lat) {
			best = i
		}
		return nil
	})
	if best < 0 {
		return "", false
	}
	return ix.polys[best].code, true
}

// locateScan is Locate without the R-tree: the same exact test over every
// area. It is the brute-force anchor for tests and benchmarks.
func (ix *Index) locateScan(lng, lat float64) (string, bool) {
	for i := range ix.polys {
		if ix.polys[i].contains(lng, lat) {
			return ix.polys[i].code, true
		}
	}
	return "", false
}
