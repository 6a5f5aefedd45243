package geo

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/peterstace/simplefeatures/geom"

	"github.com/wangge/wangge/msg"
)

// Proposing grids (网格划分方案).
//
// ProposePartition splits a community into k = max(1, round(H/N)) groups of
// whole buildings of about N households each (H the community's
// households), and BuildPartition draws the polygons and counts of any
// given assignment of buildings to groups, such as one staff adjusted.
//
// Grouping: recursive weighted bisection. A set of buildings that is to
// become k groups is cut by a straight line into two sets that are to become
// ⌊k/2⌋ and ⌈k/2⌉ groups, so that their household sums split as k1:k2. The
// cut runs across the longer side of the set's extent (or up to 30° off it,
// when that balances the households markedly better), which keeps groups
// compact. Two repairs follow on the adjacency graph of the buildings (two
// buildings are adjacent when their areas below share a border inside the
// community): a group that falls apart (a concave community: the two tips
// of a U) keeps its largest piece and hands the others to the neighbour
// they share the longest border with; then single border buildings move to
// a neighbouring group while that lowers the sum of squared deviations from
// N, keeps both groups connected and takes no building much farther from
// its new group's centre than from its old one's.
//
// Polygons: each building's area is its Voronoi cell (the points nearer to
// it than to any other building, by half-plane clipping, in metres on a
// local equirectangular projection) intersected with the community outline.
// A group's polygon is the union of its buildings' areas, so the groups
// tile the community exactly: no gaps, no overlaps. Cell vertices that
// several cells share are computed once, from the sites that define them,
// so that neighbouring cells meet along bit-identical edges. Where the
// outline is concave a cell may fall into several pieces; a piece that does
// not hold its building joins the group it shares the longest border with.
// Buildings at the same point form one site and always share a group when
// proposed; a group that still falls apart is reported, never silently
// fixed, in an adjusted assignment.

// Site is one building or courtyard to be grouped: its id, its location
// (WGS-84) and its household count.
type Site struct {
	ID         int64
	Lng, Lat   float64
	Households int
}

// Warning kinds of a Partition.
const (
	WarnDetached   = "detached"    // a group's polygon falls apart into pieces
	WarnSamePoint  = "same_point"  // buildings at one point are in different groups
	WarnOutside    = "outside"     // a building lies outside the community outline
	WarnEmptyGroup = "empty_group" // a group holds no building or no area
)

// Warning is something staff should look at before accepting a partition.
type Warning struct {
	Kind   string  // one of the Warn… kinds
	Group  int     // the group concerned (index into Groups), or -1
	Sites  []int64 // the buildings concerned, sorted
	Key    string  // the text in the message catalogue, filled in by Params
	Params map[string]any
}

// Zh returns the warning's Chinese text.
func (w Warning) Zh() string { return msg.Text("zh", w.Key, w.Params) }

// En returns the warning's English text.
func (w Warning) En() string { return msg.Text("en", w.Key, w.Params) }

// Group is one proposed grid.
type Group struct {
	Sites        []int64 // building ids, sorted
	Households   int
	Deviation    int     // Households - target
	DeviationPct float64 // 100 · Deviation / target
	// Geom is the group's polygon: a Polygon, a MultiPolygon when it falls
	// apart (see the warnings), empty for a group without area.
	Geom               geom.Geometry
	AreaM2             float64
	LabelLng, LabelLat float64 // a point inside the polygon, for its label
	Neighbours         []int   // groups sharing a border with this one
}

// Partition is a community split into groups of whole buildings.
type Partition struct {
	Target     int // N, households per grid
	Households int // all sites' households
	Groups     []Group
	Warnings   []Warning
}

// MaxDeviationPct is the largest |DeviationPct| over the groups with
// buildings.
func (p *Partition) MaxDeviationPct() float64 {
	m := 0.0
	for _, g := range p.Groups {
		if len(g.Sites) > 0 {
			m = max(m, math.Abs(g.DeviationPct))
		}
	}
	return m
}

// MeanDeviationPct is the mean |DeviationPct| over the groups with
// buildings.
func (p *Partition) MeanDeviationPct() float64 {
	sum, n := 0.0, 0
	for _, g := range p.Groups {
		if len(g.Sites) > 0 {
			sum += math.Abs(g.DeviationPct)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// GroupOf returns the group index of every site, by id.
func (p *Partition) GroupOf() map[int64]int {
	m := map[int64]int{}
	for gi, g := range p.Groups {
		for _, id := range g.Sites {
			m[id] = gi
		}
	}
	return m
}

// PartitionError is bad input to ProposePartition or BuildPartition. Field
// names the input: "target", "sites", "outline" or "groups"; Key names the
// text in the message catalogue and Params fill it in.
type PartitionError struct {
	Field  string
	Key    string
	Params map[string]any
}

func partitionError(field, key string, params ...any) *PartitionError {
	return &PartitionError{Field: field, Key: key, Params: msg.Params(params...)}
}

// Zh returns the Chinese text.
func (e *PartitionError) Zh() string { return msg.Text("zh", e.Key, e.Params) }

// En returns the English text.
func (e *PartitionError) En() string { return msg.Text("en", e.Key, e.Params) }

func (e *PartitionError) Error() string { return e.Zh() + " / " + e.En() }

// ProposePartition proposes groups of about target households each (see
// the comment at the top of this file).
func ProposePartition(outline geom.Geometry, sites []Site, target int) (*Partition, error) {
	pt, err := newPartitioner(outline, sites, target)
	if err != nil {
		return nil, err
	}
	if err := pt.cells(); err != nil {
		return nil, err
	}
	locGroup := pt.propose()
	groupOf := make([]int, len(sites))
	for li, l := range pt.locs {
		for _, si := range l.sites {
			groupOf[si] = locGroup[li]
		}
	}
	return pt.build(groupOf)
}

// BuildPartition draws the polygons and counts the households of a given
// assignment: groupOf[i] is the group (0, 1, …) of sites[i]. Groups are
// numbered as given, so a group may be empty (warned). Problems an
// adjustment can cause — a group that falls apart, buildings at one point
// in different groups — are reported as warnings, not fixed.
func BuildPartition(outline geom.Geometry, sites []Site, groupOf []int, target int) (*Partition, error) {
	pt, err := newPartitioner(outline, sites, target)
	if err != nil {
		return nil, err
	}
	if len(groupOf) != len(sites) {
		return nil, partitionError("groups", "geo.partition.groups")
	}
	for _, g := range groupOf {
		if g < 0 || g >= len(sites) {
			return nil, partitionError("groups", "geo.partition.group", "N", g+1)
		}
	}
	if err := pt.cells(); err != nil {
		return nil, err
	}
	return pt.build(groupOf)
}

// partitioner holds one community's sites, cells and pieces.
type partitioner struct {
	outline geom.Geometry
	rings   [][]geom.XY // the outline's rings (shells and holes alike)
	sites   []Site
	target  int
	proj    localProj
	locs    []loc

	pieces  []piece
	adj     map[[2]int]float64 // piece pair (lower first) → shared border, m
	locAdj  []map[int]float64  // main-piece adjacency of locations, m
	minX    float64
	maxX    float64
	minY    float64
	maxY    float64
	cellXY  [][]geom.XY // cell vertices, lng/lat, per loc (closed ring, CCW)
	cellLab [][]int     // cellLab[i][k]: label of the edge from vertex k
}

// loc is a location: one or more sites at the same point.
type loc struct {
	x, y     float64 // metres
	lng, lat float64
	sites    []int // indexes into sites, by id
	w        int   // households
	main     int   // index of the piece holding the point, -1 when outside
}

// piece is one polygon part of a cell within the outline.
type piece struct {
	loc  int
	g    geom.Geometry
	main bool
}

// localProj is an equirectangular projection in metres around a centre.
type localProj struct{ lng0, lat0, kx, ky float64 }

func newLocalProj(lng0, lat0 float64) localProj {
	const rad = math.Pi / 180
	return localProj{lng0: lng0, lat0: lat0, kx: earthRadiusM * rad * math.Cos(lat0*rad), ky: earthRadiusM * rad}
}

func (p localProj) fwd(lng, lat float64) (float64, float64) {
	return (lng - p.lng0) * p.kx, (lat - p.lat0) * p.ky
}

func (p localProj) inv(x, y float64) (float64, float64) { return p.lng0 + x/p.kx, p.lat0 + y/p.ky }

func newPartitioner(outline geom.Geometry, sites []Site, target int) (*partitioner, error) {
	if target <= 0 {
		return nil, partitionError("target", "geo.partition.target")
	}
	if err := checkPolygonal(outline); err != nil {
		return nil, partitionError("outline", "geo.partition.outline", "Err", err.Error())
	}
	if len(sites) == 0 {
		return nil, partitionError("sites", "geo.partition.no_sites")
	}
	seen := map[int64]bool{}
	for _, s := range sites {
		if seen[s.ID] {
			return nil, partitionError("sites", "geo.partition.site_twice", "ID", s.ID)
		}
		seen[s.ID] = true
		if math.IsNaN(s.Lng) || math.IsNaN(s.Lat) || s.Lng < -180 || s.Lng > 180 || s.Lat < -90 || s.Lat > 90 {
			return nil, partitionError("sites", "geo.partition.site_coordinates", "ID", s.ID)
		}
		if s.Households < 0 {
			return nil, partitionError("sites", "geo.partition.site_households", "ID", s.ID)
		}
	}
	env := outline.Envelope()
	c, _ := env.Center().XY()
	pt := &partitioner{outline: outline, sites: sites, target: target, proj: newLocalProj(c.X, c.Y)}
	pt.rings = outlineRings(outline)

	// Sites at the same point form one location.
	order := make([]int, len(sites))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		sa, sb := sites[a], sites[b]
		return cmp.Or(cmp.Compare(sa.Lng, sb.Lng), cmp.Compare(sa.Lat, sb.Lat), cmp.Compare(sa.ID, sb.ID))
	})
	for _, i := range order {
		s := sites[i]
		if n := len(pt.locs); n > 0 && pt.locs[n-1].lng == s.Lng && pt.locs[n-1].lat == s.Lat {
			pt.locs[n-1].sites = append(pt.locs[n-1].sites, i)
			pt.locs[n-1].w += s.Households
			continue
		}
		x, y := pt.proj.fwd(s.Lng, s.Lat)
		pt.locs = append(pt.locs, loc{x: x, y: y, lng: s.Lng, lat: s.Lat, sites: []int{i}, w: s.Households, main: -1})
	}

	// The box the cells are clipped to holds the outline and every site.
	lo, _ := env.Min().XY()
	hi, _ := env.Max().XY()
	x0, y0 := pt.proj.fwd(lo.X, lo.Y)
	x1, y1 := pt.proj.fwd(hi.X, hi.Y)
	for _, l := range pt.locs {
		x0, y0, x1, y1 = min(x0, l.x), min(y0, l.y), max(x1, l.x), max(y1, l.y)
	}
	pad := 0.1*max(x1-x0, y1-y0) + 100
	pt.minX, pt.minY, pt.maxX, pt.maxY = x0-pad, y0-pad, x1+pad, y1+pad
	return pt, nil
}

// outlineRings returns the rings of a Polygon or MultiPolygon.
func outlineRings(g geom.Geometry) [][]geom.XY {
	var out [][]geom.XY
	for _, part := range polygonParts(g) {
		for _, r := range part.MustAsPolygon().DumpRings() {
			seq := r.Coordinates()
			xy := make([]geom.XY, seq.Length())
			for i := range xy {
				xy[i] = seq.GetXY(i)
			}
			out = append(out, xy)
		}
	}
	return out
}

// inOutline is the even-odd point-in-polygon test over the outline's rings.
func (pt *partitioner) inOutline(x, y float64) bool {
	in := false
	for _, r := range pt.rings {
		for k := 0; k+1 < len(r); k++ {
			a, b := r[k], r[k+1]
			if (a.Y > y) != (b.Y > y) && x < a.X+(y-a.Y)*(b.X-a.X)/(b.Y-a.Y) {
				in = !in
			}
		}
	}
	return in
}

// Box sides, as edge labels (a non-negative label is the location whose
// bisector the edge lies on).
const (
	sideW = -1 - iota
	sideE
	sideS
	sideN
)

// vpoly is a convex polygon in metres whose edges know what they lie on:
// lab[k] labels the edge from vertex k to vertex k+1 (cyclically).
type vpoly struct {
	x, y []float64
	lab  []int
}

// clip keeps the part of p where a·x + b·y ≤ c; the new edge is labelled.
func (p vpoly) clip(a, b, c float64, label int) vpoly {
	n := len(p.x)
	var out vpoly
	for k := range n {
		k1 := (k + 1) % n
		dk := a*p.x[k] + b*p.y[k] - c
		d1 := a*p.x[k1] + b*p.y[k1] - c
		inK, in1 := dk <= 0, d1 <= 0
		switch {
		case inK && in1:
			out.add(p.x[k], p.y[k], p.lab[k])
		case inK && !in1:
			t := dk / (dk - d1)
			out.add(p.x[k], p.y[k], p.lab[k])
			out.add(p.x[k]+t*(p.x[k1]-p.x[k]), p.y[k]+t*(p.y[k1]-p.y[k]), label)
		case !inK && in1:
			t := dk / (dk - d1)
			out.add(p.x[k]+t*(p.x[k1]-p.x[k]), p.y[k]+t*(p.y[k1]-p.y[k]), p.lab[k])
		}
	}
	return out
}

func (p *vpoly) add(x, y float64, lab int) {
	p.x, p.y, p.lab = append(p.x, x), append(p.y, y), append(p.lab, lab)
}

// cells computes every location's Voronoi cell within the box, with shared
// vertices made identical, clips them to the outline and finds which
// pieces border which.
func (pt *partitioner) cells() error {
	n := len(pt.locs)
	raw := make([]vpoly, n)
	byDist := make([]int, 0, n)
	for i, li := range pt.locs {
		p := vpoly{
			x:   []float64{pt.minX, pt.maxX, pt.maxX, pt.minX},
			y:   []float64{pt.minY, pt.minY, pt.maxY, pt.maxY},
			lab: []int{sideS, sideE, sideN, sideW},
		}
		byDist = byDist[:0]
		for j := range pt.locs {
			if j != i {
				byDist = append(byDist, j)
			}
		}
		d2 := func(j int) float64 { dx, dy := pt.locs[j].x-li.x, pt.locs[j].y-li.y; return dx*dx + dy*dy }
		slices.SortFunc(byDist, func(a, b int) int { return cmp.Or(cmp.Compare(d2(a), d2(b)), cmp.Compare(a, b)) })
		for _, j := range byDist {
			// A site farther than twice the cell's reach cannot cut it.
			reach := 0.0
			for k := range p.x {
				dx, dy := p.x[k]-li.x, p.y[k]-li.y
				reach = max(reach, dx*dx+dy*dy)
			}
			if d2(j) > 4*reach {
				break
			}
			lj := pt.locs[j]
			a, b := lj.x-li.x, lj.y-li.y
			p = p.clip(a, b, a*(li.x+lj.x)/2+b*(li.y+lj.y)/2, j)
			if len(p.x) < 3 {
				return fmt.Errorf("geo: partition: the cell of building %d vanished", pt.sites[li.sites[0]].ID)
			}
		}
		raw[i] = p
	}

	// Canonical vertices: a vertex is named by what defines it (three
	// sites, two sites and a box side, or two sides) and computed once.
	type key [3]int
	canon := map[key][2]float64{}
	var keys []key
	vkeys := make([][]key, n)
	for i, p := range raw {
		m := len(p.x)
		vkeys[i] = make([]key, m)
		for k := range m {
			in, out := p.lab[(k+m-1)%m], p.lab[k]
			var kk key
			var xy [2]float64
			switch {
			case in == out:
				// Degenerate (collinear): this cell's own vertex.
				kk, xy = key{math.MinInt, i, k}, [2]float64{p.x[k], p.y[k]}
			case in < 0 && out < 0:
				s1, s2 := min(in, out), max(in, out)
				kk = key{s1, s2, math.MinInt + 1}
				xy = pt.corner(s1, s2)
			case in < 0 || out < 0:
				side, j := min(in, out), max(in, out)
				u, v := min(i, j), max(i, j)
				kk = key{side, u, v}
				xy = pt.sideBisector(side, u, v, p.x[k], p.y[k])
			default:
				t := []int{i, in, out}
				slices.Sort(t)
				kk = key{t[0], t[1], t[2]}
				xy = pt.circumcentre(t[0], t[1], t[2], p.x[k], p.y[k])
			}
			if _, ok := canon[kk]; !ok {
				canon[kk] = xy
				keys = append(keys, kk)
			}
			vkeys[i][k] = kk
		}
	}
	// Vertices closer than a tenth of a millimetre (four or more sites on
	// one circle) become one.
	const eps = 1e-4
	rep := map[key]geom.XY{}
	grid := map[[2]int64][]int{}
	var reps [][2]float64
	var repXY []geom.XY
	for _, kk := range keys {
		xy := canon[kk]
		cx, cy := int64(math.Floor(xy[0]/eps)), int64(math.Floor(xy[1]/eps))
		found := -1
		for dx := int64(-1); dx <= 1 && found < 0; dx++ {
			for dy := int64(-1); dy <= 1 && found < 0; dy++ {
				for _, r := range grid[[2]int64{cx + dx, cy + dy}] {
					if math.Hypot(reps[r][0]-xy[0], reps[r][1]-xy[1]) <= eps {
						found = r
						break
					}
				}
			}
		}
		if found < 0 {
			found = len(reps)
			reps = append(reps, xy)
			lng, lat := pt.proj.inv(xy[0], xy[1])
			repXY = append(repXY, geom.XY{X: lng, Y: lat})
			grid[[2]int64{cx, cy}] = append(grid[[2]int64{cx, cy}], found)
		}
		rep[kk] = repXY[found]
	}
	pt.cellXY = make([][]geom.XY, n)
	pt.cellLab = make([][]int, n)
	for i, p := range raw {
		var xy []geom.XY
		var lab []int
		for k := range p.x {
			v := rep[vkeys[i][k]]
			if len(xy) > 0 && xy[len(xy)-1] == v {
				// A zero-length edge: keep the later edge's label.
				lab[len(lab)-1] = p.lab[k]
				continue
			}
			xy, lab = append(xy, v), append(lab, p.lab[k])
		}
		for len(xy) > 1 && xy[len(xy)-1] == xy[0] {
			xy, lab = xy[:len(xy)-1], lab[:len(lab)-1]
		}
		if len(xy) < 3 {
			return fmt.Errorf("geo: partition: the cell of building %d is degenerate", pt.sites[pt.locs[i].sites[0]].ID)
		}
		pt.cellXY[i] = append(xy, xy[0])
		pt.cellLab[i] = lab
	}

	// Clip the cells to the outline.
	for i := range pt.locs {
		flat := make([]float64, 0, 2*len(pt.cellXY[i]))
		for _, v := range pt.cellXY[i] {
			flat = append(flat, v.X, v.Y)
		}
		cell := geom.NewPolygonXY(flat).AsGeometry()
		inter, err := geom.Intersection(cell, pt.outline)
		if err != nil {
			return fmt.Errorf("geo: partition: cell of building %d ∩ outline: %w", pt.sites[pt.locs[i].sites[0]].ID, err)
		}
		site := geom.XY{X: pt.locs[i].lng, Y: pt.locs[i].lat}.AsPoint().AsGeometry()
		best, bestArea := -1, 0.0
		for _, part := range polygonParts(inter) {
			pt.pieces = append(pt.pieces, piece{loc: i, g: part})
			if a := part.Area(); geom.Intersects(site, part) && (best < 0 || a > bestArea) {
				best, bestArea = len(pt.pieces)-1, a
			}
		}
		if best >= 0 {
			pt.pieces[best].main = true
			pt.locs[i].main = best
		}
	}
	pt.borders()
	return nil
}

// corner returns a corner of the box.
func (pt *partitioner) corner(s1, s2 int) [2]float64 {
	x, y := pt.minX, pt.minY
	if s1 == sideE || s2 == sideE {
		x = pt.maxX
	}
	if s1 == sideN || s2 == sideN {
		y = pt.maxY
	}
	return [2]float64{x, y}
}

// sideBisector returns where the bisector of locations u and v meets a box
// side, or fallback when they are parallel.
func (pt *partitioner) sideBisector(side, u, v int, fx, fy float64) [2]float64 {
	lu, lv := pt.locs[u], pt.locs[v]
	a, b := lv.x-lu.x, lv.y-lu.y
	c := a*(lu.x+lv.x)/2 + b*(lu.y+lv.y)/2
	switch side {
	case sideW, sideE:
		x := pt.minX
		if side == sideE {
			x = pt.maxX
		}
		if b == 0 {
			return [2]float64{fx, fy}
		}
		return [2]float64{x, (c - a*x) / b}
	default:
		y := pt.minY
		if side == sideN {
			y = pt.maxY
		}
		if a == 0 {
			return [2]float64{fx, fy}
		}
		return [2]float64{(c - b*y) / a, y}
	}
}

// circumcentre returns the point equidistant from locations u < v < w, or
// fallback when they are (nearly) collinear.
func (pt *partitioner) circumcentre(u, v, w int, fx, fy float64) [2]float64 {
	a, b, c := pt.locs[u], pt.locs[v], pt.locs[w]
	bx, by := b.x-a.x, b.y-a.y
	cx, cy := c.x-a.x, c.y-a.y
	d := 2 * (bx*cy - by*cx)
	if d == 0 {
		return [2]float64{fx, fy}
	}
	b2, c2 := bx*bx+by*by, cx*cx+cy*cy
	x, y := a.x+(cy*b2-by*c2)/d, a.y+(bx*c2-cx*b2)/d
	if math.Hypot(x-fx, y-fy) > 1 { // ill-conditioned: keep the clipped vertex
		return [2]float64{fx, fy}
	}
	return [2]float64{x, y}
}

// borders measures the border every two pieces share: along each Voronoi
// edge, the stretches inside the outline, attributed to the pieces on
// either side by a point nudged a millimetre off the edge.
func (pt *partitioner) borders() {
	pt.adj = map[[2]int]float64{}
	pt.locAdj = make([]map[int]float64, len(pt.locs))
	for i := range pt.locAdj {
		pt.locAdj[i] = map[int]float64{}
	}
	byLoc := make([][]int, len(pt.locs))
	for pi, p := range pt.pieces {
		byLoc[p.loc] = append(byLoc[p.loc], pi)
	}
	done := map[[2]int]bool{}
	for i := range pt.locs {
		xy, lab := pt.cellXY[i], pt.cellLab[i]
		for k, j := range lab {
			if j < 0 || done[[2]int{min(i, j), max(i, j)}] {
				continue
			}
			done[[2]int{min(i, j), max(i, j)}] = true
			pt.edgeBorders(i, j, xy[k], xy[k+1], byLoc)
		}
	}
}

func (pt *partitioner) edgeBorders(i, j int, a, b geom.XY, byLoc [][]int) {
	ax, ay := pt.proj.fwd(a.X, a.Y)
	bx, by := pt.proj.fwd(b.X, b.Y)
	length := math.Hypot(bx-ax, by-ay)
	if length < 0.01 {
		return
	}
	// Parameters where the edge crosses the outline.
	ts := []float64{0, 1}
	for _, r := range pt.rings {
		for k := 0; k+1 < len(r); k++ {
			if t, ok := segCross(a, b, r[k], r[k+1]); ok {
				ts = append(ts, t)
			}
		}
	}
	sort.Float64s(ts)
	// The unit normal towards location i, in metres.
	nx, ny := -(by-ay)/length, (bx-ax)/length
	li := pt.locs[i]
	if nx*(li.x-ax)+ny*(li.y-ay) < 0 {
		nx, ny = -nx, -ny
	}
	const nudge = 0.001
	for k := 0; k+1 < len(ts); k++ {
		t0, t1 := ts[k], ts[k+1]
		if (t1-t0)*length < 0.01 {
			continue
		}
		tm := (t0 + t1) / 2
		mx, my := ax+tm*(bx-ax), ay+tm*(by-ay)
		if lng, lat := pt.proj.inv(mx, my); !pt.inOutline(lng, lat) {
			continue
		}
		pi := pt.pieceAt(byLoc[i], mx+nudge*nx, my+nudge*ny)
		pj := pt.pieceAt(byLoc[j], mx-nudge*nx, my-nudge*ny)
		if pi < 0 || pj < 0 {
			continue
		}
		d := (t1 - t0) * length
		pt.adj[[2]int{min(pi, pj), max(pi, pj)}] += d
		if pt.pieces[pi].main && pt.pieces[pj].main {
			pt.locAdj[i][j] += d
			pt.locAdj[j][i] += d
		}
	}
}

// pieceAt returns which of the pieces holds the point (metres), or -1.
func (pt *partitioner) pieceAt(cands []int, x, y float64) int {
	lng, lat := pt.proj.inv(x, y)
	p := geom.XY{X: lng, Y: lat}.AsPoint().AsGeometry()
	for _, c := range cands {
		if geom.Intersects(p, pt.pieces[c].g) {
			return c
		}
	}
	return -1
}

// segCross returns the parameter t along a→b where it properly crosses
// c→d.
func segCross(a, b, c, d geom.XY) (float64, bool) {
	rx, ry := b.X-a.X, b.Y-a.Y
	sx, sy := d.X-c.X, d.Y-c.Y
	den := rx*sy - ry*sx
	if den == 0 {
		return 0, false
	}
	qx, qy := c.X-a.X, c.Y-a.Y
	t := (qx*sy - qy*sx) / den
	u := (qx*ry - qy*rx) / den
	if t <= 0 || t >= 1 || u < 0 || u > 1 {
		return 0, false
	}
	return t, true
}

// propose groups the locations: bisection, then the repairs. It returns
// each location's group, groups numbered in reading order (north to south,
// west to east).
func (pt *partitioner) propose() []int {
	total := 0
	for _, l := range pt.locs {
		total += l.w
	}
	k := max(1, int(math.Round(float64(total)/float64(pt.target))))
	k = min(k, len(pt.locs))
	group := make([]int, len(pt.locs))
	all := make([]int, len(pt.locs))
	for i := range all {
		all[i] = i
	}
	next := 0
	pt.bisect(all, k, group, &next)
	pt.mend(group, k)
	pt.balance(group, k)

	// Reading order of the groups' centres.
	type centre struct{ x, y float64 }
	cs := make([]centre, k)
	ns := make([]int, k)
	for i, l := range pt.locs {
		cs[group[i]].x += l.x
		cs[group[i]].y += l.y
		ns[group[i]]++
	}
	order := make([]int, k)
	for g := range order {
		order[g] = g
		if ns[g] > 0 {
			cs[g].x /= float64(ns[g])
			cs[g].y /= float64(ns[g])
		}
	}
	// Rows about as tall as a group is wide.
	row := math.Sqrt((pt.maxX - pt.minX) * (pt.maxY - pt.minY) / float64(k))
	slices.SortFunc(order, func(a, b int) int {
		ra, rb := math.Floor(-cs[a].y/row), math.Floor(-cs[b].y/row)
		return cmp.Or(cmp.Compare(ra, rb), cmp.Compare(cs[a].x, cs[b].x), cmp.Compare(a, b))
	})
	renum := make([]int, k)
	for n, g := range order {
		renum[g] = n
	}
	for i := range group {
		group[i] = renum[group[i]]
	}
	return group
}

// bisect splits the locations ls into k groups by recursive weighted
// bisection.
func (pt *partitioner) bisect(ls []int, k int, group []int, next *int) {
	if k <= 1 || len(ls) <= 1 {
		for _, l := range ls {
			group[l] = *next
		}
		*next++
		return
	}
	k1 := k / 2
	k2 := k - k1
	w := 0
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, l := range ls {
		p := pt.locs[l]
		w += p.w
		x0, y0, x1, y1 = min(x0, p.x), min(y0, p.y), max(x1, p.x), max(y1, p.y)
	}
	base := 0.0 // sort along x: cut across the longer side
	if y1-y0 > x1-x0 {
		base = math.Pi / 2
	}
	want := float64(w) * float64(k1) / float64(k)
	per := max(float64(w)/float64(k), 1)
	type cut struct {
		order []int
		at    int
		cost  float64
	}
	var best *cut
	for _, off := range []float64{0, 15, -15, 30, -30} {
		th := base + off*math.Pi/180
		cx, cy := math.Cos(th), math.Sin(th)
		order := slices.Clone(ls)
		key := func(l int) float64 { return cx*pt.locs[l].x + cy*pt.locs[l].y }
		slices.SortFunc(order, func(a, b int) int {
			return cmp.Or(cmp.Compare(key(a), key(b)), cmp.Compare(-cy*pt.locs[a].x+cx*pt.locs[a].y, -cy*pt.locs[b].x+cx*pt.locs[b].y), cmp.Compare(a, b))
		})
		// Each side needs at least as many locations as groups.
		sum := 0
		for c := 1; c < len(order); c++ {
			sum += pt.locs[order[c-1]].w
			if c < k1 || len(order)-c < k2 {
				continue
			}
			// Balance first; every 15° off the long side costs 2% of N.
			cost := math.Abs(float64(sum)-want)/per + 0.02*math.Abs(off)/15
			if best == nil || cost < best.cost {
				best = &cut{order: order, at: c, cost: cost}
			}
		}
	}
	left, right := best.order[:best.at], best.order[best.at:]
	pt.bisect(left, k1, group, next)
	pt.bisect(right, k2, group, next)
}

// components returns the connected components (by main-piece adjacency) of
// the group's locations that lie inside the outline, largest by households
// first.
func (pt *partitioner) components(group []int, g int) [][]int {
	seen := map[int]bool{}
	var comps [][]int
	for i := range pt.locs {
		if group[i] != g || pt.locs[i].main < 0 || seen[i] {
			continue
		}
		comp := []int{i}
		seen[i] = true
		for q := 0; q < len(comp); q++ {
			for _, j := range sortedKeys(pt.locAdj[comp[q]]) {
				if group[j] == g && !seen[j] && pt.locs[j].main >= 0 {
					seen[j] = true
					comp = append(comp, j)
				}
			}
		}
		comps = append(comps, comp)
	}
	weight := func(c []int) int {
		w := 0
		for _, l := range c {
			w += pt.locs[l].w
		}
		return w
	}
	slices.SortStableFunc(comps, func(a, b []int) int {
		return cmp.Or(cmp.Compare(weight(b), weight(a)), cmp.Compare(len(b), len(a)))
	})
	return comps
}

func sortedKeys(m map[int]float64) []int {
	ks := make([]int, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// mend gives every group one connected piece: a detached piece joins the
// neighbouring group it shares the longest border with.
func (pt *partitioner) mend(group []int, k int) {
	for range len(pt.locs) {
		changed := false
		for g := range k {
			comps := pt.components(group, g)
			for _, comp := range comps[min(1, len(comps)):] {
				border := make([]float64, k)
				for _, l := range comp {
					for j, d := range pt.locAdj[l] {
						if group[j] != g {
							border[group[j]] += d
						}
					}
				}
				to := -1
				for h := range k {
					if h != g && border[h] > 0 && (to < 0 || border[h] > border[to]) {
						to = h
					}
				}
				if to >= 0 {
					for _, l := range comp {
						group[l] = to
					}
					changed = true
				}
			}
		}
		if !changed {
			return
		}
	}
}

// balance moves single border locations between neighbouring groups while
// that lowers the sum of squared deviations, keeps both groups connected
// and non-empty, and keeps the moved location near its new group.
func (pt *partitioner) balance(group []int, k int) {
	dev := make([]int, k)
	for g := range dev {
		dev[g] = -pt.target
	}
	for i, l := range pt.locs {
		dev[group[i]] += l.w
	}
	for range 10 * len(pt.locs) {
		cx, cy, cn := make([]float64, k), make([]float64, k), make([]int, k)
		for i, l := range pt.locs {
			cx[group[i]] += l.x
			cy[group[i]] += l.y
			cn[group[i]]++
		}
		for g := range k {
			if cn[g] > 0 {
				cx[g] /= float64(cn[g])
				cy[g] /= float64(cn[g])
			}
		}
		bestGain, bestLoc, bestTo := 0, -1, -1
		for i, l := range pt.locs {
			g := group[i]
			if l.w == 0 || l.main < 0 || cn[g] < 2 {
				continue
			}
			for _, j := range sortedKeys(pt.locAdj[i]) {
				h := group[j]
				if h == g {
					continue
				}
				// Gain in the sum of squares: dg² + dh² − (dg−w)² − (dh+w)².
				gain := 2*l.w*(dev[g]-dev[h]) - 2*l.w*l.w
				if gain <= bestGain {
					continue
				}
				if math.Hypot(l.x-cx[h], l.y-cy[h]) > 1.5*math.Hypot(l.x-cx[g], l.y-cy[g]) {
					continue
				}
				group[i] = h
				ok := len(pt.components(group, g)) <= 1
				group[i] = g
				if ok {
					bestGain, bestLoc, bestTo = gain, i, h
				}
			}
		}
		if bestLoc < 0 {
			return
		}
		w := pt.locs[bestLoc].w
		dev[group[bestLoc]] -= w
		dev[bestTo] += w
		group[bestLoc] = bestTo
	}
}

// build draws the groups of an assignment of sites.
func (pt *partitioner) build(groupOf []int) (*Partition, error) {
	k := 0
	for _, g := range groupOf {
		k = max(k, g+1)
	}
	p := &Partition{Target: pt.target, Groups: make([]Group, k)}
	for i, s := range pt.sites {
		g := &p.Groups[groupOf[i]]
		g.Sites = append(g.Sites, s.ID)
		g.Households += s.Households
		p.Households += s.Households
	}

	// A location's area goes to the group holding most of its households.
	locGroup := make([]int, len(pt.locs))
	for li, l := range pt.locs {
		hh := map[int]int{}
		best := -1
		for _, si := range l.sites {
			g := groupOf[si]
			hh[g] += pt.sites[si].Households
			if best < 0 || hh[g] > hh[best] || hh[g] == hh[best] && g < best {
				best = g
			}
		}
		locGroup[li] = best
		var strays []int64
		for _, si := range l.sites {
			if groupOf[si] != best {
				strays = append(strays, pt.sites[si].ID)
			}
		}
		if len(strays) > 0 {
			slices.Sort(strays)
			p.Warnings = append(p.Warnings, Warning{Kind: WarnSamePoint, Group: best, Sites: strays,
				Key: "geo.warn.same_point", Params: map[string]any{"Sites": strays, "N": best + 1}})
		}
		if l.main < 0 {
			ids := make([]int64, len(l.sites))
			for n, si := range l.sites {
				ids[n] = pt.sites[si].ID
			}
			p.Warnings = append(p.Warnings, Warning{Kind: WarnOutside, Group: best, Sites: ids,
				Key: "geo.warn.outside", Params: map[string]any{"Sites": ids}})
		}
	}

	// Pieces: main pieces go with their location; the others join the
	// group they share the longest border with, round by round.
	owner := make([]int, len(pt.pieces))
	for pi, pc := range pt.pieces {
		owner[pi] = -1
		if pc.main {
			owner[pi] = locGroup[pc.loc]
		}
	}
	nbr := make([]map[int]float64, len(pt.pieces))
	for i := range nbr {
		nbr[i] = map[int]float64{}
	}
	for pair, d := range pt.adj {
		nbr[pair[0]][pair[1]] += d
		nbr[pair[1]][pair[0]] += d
	}
	for {
		var assign [][2]int
		for pi := range pt.pieces {
			if owner[pi] >= 0 {
				continue
			}
			border := map[int]float64{}
			for _, q := range sortedKeys(nbr[pi]) {
				if owner[q] >= 0 {
					border[owner[q]] += nbr[pi][q]
				}
			}
			best := -1
			for _, g := range sortedKeys(border) {
				if best < 0 || border[g] > border[best] {
					best = g
				}
			}
			if best >= 0 {
				assign = append(assign, [2]int{pi, best})
			}
		}
		if len(assign) == 0 {
			break
		}
		for _, a := range assign {
			owner[a[0]] = a[1]
		}
	}
	// Pieces bordering no group at all (islands of the outline without
	// buildings) go to the group of the nearest building.
	for pi, pc := range pt.pieces {
		if owner[pi] >= 0 {
			continue
		}
		best, bestD := -1, math.Inf(1)
		for li, l := range pt.locs {
			d, _ := geom.Distance(geom.XY{X: l.lng, Y: l.lat}.AsPoint().AsGeometry(), pc.g)
			if d < bestD {
				best, bestD = li, d
			}
		}
		owner[pi] = locGroup[best]
	}

	byGroup := make([][]geom.Geometry, k)
	for pi, pc := range pt.pieces {
		byGroup[owner[pi]] = append(byGroup[owner[pi]], pc.g)
	}
	neighbours := make([]map[int]bool, k)
	for g := range neighbours {
		neighbours[g] = map[int]bool{}
	}
	for pair := range pt.adj {
		if g, h := owner[pair[0]], owner[pair[1]]; g != h {
			neighbours[g][h], neighbours[h][g] = true, true
		}
	}
	for gi := range p.Groups {
		g := &p.Groups[gi]
		slices.Sort(g.Sites)
		g.Deviation = g.Households - pt.target
		g.DeviationPct = 100 * float64(g.Deviation) / float64(pt.target)
		for h := range neighbours[gi] {
			g.Neighbours = append(g.Neighbours, h)
		}
		slices.Sort(g.Neighbours)
		g.Geom = geom.Polygon{}.AsGeometry()
		if len(byGroup[gi]) > 0 {
			u, err := geom.UnionMany(byGroup[gi])
			if err != nil {
				return nil, fmt.Errorf("geo: partition: union of group %d: %w", gi+1, err)
			}
			g.Geom = dropSlivers(u)
		}
		g.AreaM2 = AreaM2(g.Geom)
		parts := polygonParts(g.Geom)
		if len(parts) == 0 {
			p.Warnings = append(p.Warnings, Warning{Kind: WarnEmptyGroup, Group: gi, Sites: slices.Clone(g.Sites),
				Key: "geo.warn.empty_group", Params: map[string]any{"N": gi + 1}})
			continue
		}
		slices.SortStableFunc(parts, func(a, b geom.Geometry) int { return cmp.Compare(b.Area(), a.Area()) })
		if xy, ok := parts[0].PointOnSurface().XY(); ok {
			g.LabelLng, g.LabelLat = xy.X, xy.Y
		}
		if len(parts) > 1 {
			// The part holding most households stays; the rest are detached.
			hh := make([]int, len(parts))
			where := make([][]int64, len(parts))
			for li, l := range pt.locs {
				if locGroup[li] != gi {
					continue
				}
				pnt := geom.XY{X: l.lng, Y: l.lat}.AsPoint().AsGeometry()
				for n, part := range parts {
					if geom.Intersects(pnt, part) {
						for _, si := range l.sites {
							if groupOf[si] == gi {
								hh[n] += pt.sites[si].Households
								where[n] = append(where[n], pt.sites[si].ID)
							}
						}
						break
					}
				}
			}
			keep := 0
			for n := range parts {
				if hh[n] > hh[keep] {
					keep = n
				}
			}
			var detached []int64
			for n := range parts {
				if n != keep {
					detached = append(detached, where[n]...)
				}
			}
			slices.Sort(detached)
			w := Warning{Kind: WarnDetached, Group: gi, Sites: detached,
				Key: "geo.warn.detached", Params: map[string]any{"N": gi + 1, "Pieces": len(parts), "Sites": detached}}
			if len(detached) == 0 {
				w.Key = "geo.warn.detached_empty"
			}
			p.Warnings = append(p.Warnings, w)
		}
	}
	slices.SortStableFunc(p.Warnings, func(a, b Warning) int { return cmp.Compare(a.Group, b.Group) })
	return p, nil
}

// slivers are polygon parts and holes below this area (m²): the
// floating-point crumbs of overlay along shared borders.
const sliverM2 = 0.01

// dropSlivers removes crumbs: parts and holes smaller than sliverM2.
func dropSlivers(g geom.Geometry) geom.Geometry {
	var polys []geom.Polygon
	for _, part := range polygonParts(g) {
		if AreaM2(part) < sliverM2 {
			continue
		}
		rings := part.MustAsPolygon().DumpRings()
		keep := rings[:1]
		for _, r := range rings[1:] {
			if AreaM2(geom.NewPolygon([]geom.LineString{r}).AsGeometry()) >= sliverM2 {
				keep = append(keep, r)
			}
		}
		polys = append(polys, geom.NewPolygon(keep))
	}
	switch len(polys) {
	case 0:
		return geom.Polygon{}.AsGeometry()
	case 1:
		return polys[0].AsGeometry()
	}
	return geom.NewMultiPolygon(polys).AsGeometry()
}
