package synth

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/wangge/wangge"
)

// Rect is a rectangle in WGS-84 longitude and latitude.
type Rect struct{ MinLng, MinLat, MaxLng, MaxLat float64 }

// Contains reports whether the point lies inside r or on its border.
// GeoJSON returns the rectangle as a GeoJSON Polygon, counter-clockwise.
func (r Rect) GeoJSON() string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 7, 64) }
	pt := func(x, y float64) string { return "[" + f(x) + "," + f(y) + "]" }
	return `{"type":"Polygon","coordinates":[[` + pt(r.MinLng, r.MinLat) + "," + pt(r.MaxLng, r.MinLat) + "," +
		pt(r.MaxLng, r.MaxLat) + "," + pt(r.MinLng, r.MaxLat) + "," + pt(r.MinLng, r.MinLat) + `]]}`
}

func (r Rect) Contains(lng, lat float64) bool {
	return lng >= r.MinLng && lng <= r.MaxLng && lat >= r.MinLat && lat <= r.MaxLat
}

// districtBox is the invented district's extent: the centre of Changzhi,
// where a real city district would lie (GCJ-02 offsets are ignored).
var districtBox = Rect{MinLng: 113.07, MinLat: 36.15, MaxLng: 113.17, MaxLat: 36.24}

const (
	// DistrictCode is the invented district's code. 1404 is Changzhi's
	// prefix but no county 140499 exists.
	DistrictCode = "140499"
	// DistrictName is the invented district's name.
	DistrictName = "示范城区"

	fullCommunities   = 50
	fullSubdistricts  = 6
	unitsPerCommunity = 40
)

// plan is the shape of the district drawn from the seed before anything is
// written: areas, their rectangles and per-grid seeds and sizes. Generate and
// Layout share it, so the rectangles Layout returns are the ones buildings
// were placed in.
type plan struct {
	subdistricts []subPlan
	communities  []commPlan
	grids        []gridPlan
}

type subPlan struct {
	code, name string
	rect       Rect
}

type commPlan struct {
	code, name, stem string
	rect             Rect
	sub              int // index into plan.subdistricts
	firstGrid, grids int // range in plan.grids
	oldTown          bool
}

type gridPlan struct {
	code, name string
	rect       Rect
	comm       int // index into plan.communities
	seq        int // 1-based within the community
	seed       uint64
	buildings  int
	households int
	units      int
	// streets are the four bounds of the grid's service area (四至: east,
	// west, south, north): the street along a side on its community's edge,
	// or the neighbouring grid inside the community.
	streets [4]string
	// addrStreets are the streets buildings in the grid have their
	// addresses on: its sides' streets, or its community's when it has none.
	addrStreets []string
}

// Layout returns the rectangle of every area the generator places (the
// district, its sub-districts, communities and grids), keyed by region code.
// Sibling rectangles tile their parent without gaps or overlaps.
func Layout(cfg Config) map[string]Rect {
	p := newPlan(cfg)
	m := make(map[string]Rect, 1+len(p.subdistricts)+len(p.communities)+len(p.grids))
	m[DistrictCode] = districtBox
	for _, s := range p.subdistricts {
		m[s.code] = s.rect
	}
	for _, c := range p.communities {
		m[c.code] = c.rect
	}
	for _, g := range p.grids {
		m[g.code] = g.rect
	}
	return m
}

// counts returns the number of communities and sub-districts at the scale:
// at least one community, at most 999 per sub-district (three digits).
func counts(scale float64) (communities, subdistricts int) {
	switch {
	case math.IsNaN(scale) || scale*fullCommunities < 1:
		communities = 1
	case scale*fullCommunities > fullSubdistricts*999:
		communities = fullSubdistricts * 999
	default:
		communities = int(math.Round(fullCommunities * scale))
	}
	subdistricts = (communities*fullSubdistricts + fullCommunities - 1) / fullCommunities
	subdistricts = min(max(subdistricts, 1), fullSubdistricts, communities)
	return communities, subdistricts
}

func newPlan(cfg Config) *plan {
	r := newRand(cfg.Seed, streamLayout, 0)
	nc, ns := counts(cfg.Scale)
	p := &plan{}

	// Sub-districts tile the district; communities are spread evenly over them.
	subRects := tile(r, districtBox, ns)
	perSub := spread(nc, ns)
	stems := append([]string(nil), communityStems...)
	r.Shuffle(len(stems), func(i, j int) { stems[i], stems[j] = stems[j], stems[i] })
	// Grid counts 6–10 per community, balanced so the district has ~8 per
	// community (400 at full scale).
	deltas := [5]int{-2, -1, 0, 1, 2}
	off := r.IntN(5)
	gridCounts := make([]int, nc)
	for i := range gridCounts {
		gridCounts[i] = 8 + deltas[(i+off)%5]
	}
	r.Shuffle(nc, func(i, j int) { gridCounts[i], gridCounts[j] = gridCounts[j], gridCounts[i] })

	ci := 0
	for si := range ns {
		sub := subPlan{code: wangge.ChildCode(DistrictCode, si+1), name: subdistrictNames[si], rect: subRects[si]}
		p.subdistricts = append(p.subdistricts, sub)
		commRects := tile(r, sub.rect, perSub[si])
		for k := range perSub[si] {
			stem := stems[ci%len(stems)]
			if ci >= len(stems) {
				stem += strconv.Itoa(ci/len(stems) + 1)
			}
			c := commPlan{
				code:      wangge.ChildCode(sub.code, k+1),
				name:      stem + "社区",
				stem:      stem,
				rect:      commRects[k],
				sub:       si,
				firstGrid: len(p.grids),
				grids:     gridCounts[ci],
				oldTown:   si < 4, // the four old 街 sub-districts
			}
			gridRects := tile(r, c.rect, c.grids)
			units := spread(unitsPerCommunity, c.grids)
			for gi := range c.grids {
				g := gridPlan{
					code:  wangge.ChildCode(c.code, gi+1),
					name:  c.name + "第" + strconv.Itoa(gi+1) + "网格",
					rect:  gridRects[gi],
					comm:  ci,
					seq:   gi + 1,
					seed:  r.Uint64(),
					units: units[gi],
				}
				// The grid's own stream decides its size, so that the
				// service area written with the areas matches the grid
				// written later.
				gr := newRand(int64(g.seed), streamShape, 0)
				g.buildings = 6 + gr.IntN(10)
				g.households = 255 + gr.IntN(91)
				p.grids = append(p.grids, g)
			}
			p.communities = append(p.communities, c)
			ci++
		}
	}
	p.nameStreets(cfg)
	return p
}

// nameStreets names the district's streets and the grids' four bounds.
// Streets run along the communities' edges: every edge at the same
// longitude (a north–south 路) or latitude (an east–west 街) is one street,
// so neighbours name their common side alike and a map can draw each
// street as one line.
func (p *plan) nameStreets(cfg Config) {
	r := newRand(cfg.Seed, streamStreets, 0)
	stems := make([]string, len(streets))
	for i, s := range streets {
		stems[i] = strings.TrimRight(s, "街路")
	}
	r.Shuffle(len(stems), func(i, j int) { stems[i], stems[j] = stems[j], stems[i] })
	// pool returns the n-th name of a kind, with a second series (二路,
	// 大街) once the stems are used up.
	pool := func(n int, suffixes ...string) string {
		return stems[n%len(stems)] + suffixes[min(n/len(stems), len(suffixes)-1)]
	}
	ns, ew := map[float64]string{}, map[float64]string{}
	name := func(m map[float64]string, v float64, suffixes ...string) string {
		if n, ok := m[v]; ok {
			return n
		}
		m[v] = pool(len(m), suffixes...)
		return m[v]
	}
	for _, c := range p.communities {
		east, west := name(ns, c.rect.MaxLng, "路", "二路", "三路"), name(ns, c.rect.MinLng, "路", "二路", "三路")
		south, north := name(ew, c.rect.MinLat, "街", "大街", "后街"), name(ew, c.rect.MaxLat, "街", "大街", "后街")
		grids := p.grids[c.firstGrid : c.firstGrid+c.grids]
		for i := range grids {
			g := &grids[i]
			g.streets = [4]string{
				side(grids, g, g.rect.MaxLng == c.rect.MaxLng, east, func(h *gridPlan) float64 {
					return overlap(g.rect.MinLat, g.rect.MaxLat, h.rect.MinLat, h.rect.MaxLat, h.rect.MinLng == g.rect.MaxLng)
				}),
				side(grids, g, g.rect.MinLng == c.rect.MinLng, west, func(h *gridPlan) float64 {
					return overlap(g.rect.MinLat, g.rect.MaxLat, h.rect.MinLat, h.rect.MaxLat, h.rect.MaxLng == g.rect.MinLng)
				}),
				side(grids, g, g.rect.MinLat == c.rect.MinLat, south, func(h *gridPlan) float64 {
					return overlap(g.rect.MinLng, g.rect.MaxLng, h.rect.MinLng, h.rect.MaxLng, h.rect.MaxLat == g.rect.MinLat)
				}),
				side(grids, g, g.rect.MaxLat == c.rect.MaxLat, north, func(h *gridPlan) float64 {
					return overlap(g.rect.MinLng, g.rect.MaxLng, h.rect.MinLng, h.rect.MaxLng, h.rect.MinLat == g.rect.MaxLat)
				}),
			}
			for k, onEdge := range []bool{g.rect.MaxLng == c.rect.MaxLng, g.rect.MinLng == c.rect.MinLng, g.rect.MinLat == c.rect.MinLat, g.rect.MaxLat == c.rect.MaxLat} {
				if onEdge {
					g.addrStreets = append(g.addrStreets, g.streets[k])
				}
			}
			if len(g.addrStreets) == 0 {
				g.addrStreets = []string{east, west, south, north}
			}
		}
	}
}

// side names one bound of grid g: the community's street when the side
// lies on the community's edge, otherwise the neighbour that shares most
// of it.
func side(grids []gridPlan, g *gridPlan, onEdge bool, street string, shared func(h *gridPlan) float64) string {
	if onEdge {
		return street
	}
	best, most := "", 0.0
	for i := range grids {
		if h := &grids[i]; h != g {
			if o := shared(h); o > most {
				best, most = h.name, o
			}
		}
	}
	if best == "" {
		return street
	}
	return best
}

// overlap returns how much [a0,a1] and [b0,b1] overlap, when they touch
// (touching), else 0.
func overlap(a0, a1, b0, b1 float64, touching bool) float64 {
	if !touching {
		return 0
	}
	return max(0, min(a1, b1)-max(a0, b0))
}

// spread splits n into k near-equal parts.
func spread(n, k int) []int {
	out := make([]int, k)
	for i := range out {
		out[i] = (i+1)*n/k - i*n/k
	}
	return out
}

// tile splits box into k rectangles in reading order (rows from north to
// south, columns from west to east). Rows hold near-equal numbers of cells
// and are about as tall as the cells are wide; edges are jittered a little.
// Neighbours share the very same float for their common edge, so the tiling
// has no gaps or overlaps.
func tile(r *rand.Rand, box Rect, k int) []Rect {
	coslat := math.Cos((box.MinLat + box.MaxLat) / 2 * math.Pi / 180)
	w := (box.MaxLng - box.MinLng) * coslat
	h := box.MaxLat - box.MinLat
	rows := int(math.Round(math.Sqrt(float64(k) * h / w)))
	rows = min(max(rows, 1), k)
	per := make([]int, rows)
	for i := range per {
		per[i] = k / rows
	}
	for _, i := range r.Perm(rows)[:k%rows] {
		per[i]++
	}
	rowEdges := edges(r, box.MaxLat, box.MinLat, per)
	out := make([]Rect, 0, k)
	for i, n := range per {
		ones := make([]int, n)
		for j := range ones {
			ones[j] = 1
		}
		colEdges := edges(r, box.MinLng, box.MaxLng, ones)
		for j := range n {
			out = append(out, Rect{MinLng: colEdges[j], MaxLng: colEdges[j+1], MinLat: rowEdges[i+1], MaxLat: rowEdges[i]})
		}
	}
	return out
}

// edges returns len(weights)+1 cut points from a to b (a and b exact), with
// spans proportional to the weights jittered by ±12%.
func edges(r *rand.Rand, a, b float64, weights []int) []float64 {
	ws := make([]float64, len(weights))
	total := 0.0
	for i, w := range weights {
		ws[i] = float64(w) * (0.88 + 0.24*r.Float64())
		total += ws[i]
	}
	out := make([]float64, len(weights)+1)
	out[0] = a
	cum := 0.0
	for i := 1; i < len(weights); i++ {
		cum += ws[i-1]
		out[i] = a + (b-a)*cum/total
	}
	out[len(weights)] = b
	return out
}

// Random streams. Each part of the generator draws from its own stream,
// seeded from the configuration seed, the stream and an index, so that one
// part's draws never shift another's.
const (
	streamLayout = iota + 1
	streamShape
	streamComposition
	streamDetail
	streamUnits
	streamUsers
	streamStreets
	streamCases
)

func newRand(seed int64, stream, index uint64) *rand.Rand {
	return rand.New(rand.NewPCG(mix(uint64(seed), stream), mix(index, stream^0x9e3779b97f4a7c15)))
}

// mix is SplitMix64's finaliser over a and b.
func mix(a, b uint64) uint64 {
	z := a + b*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// today returns the calendar date of cfg.Now (or of the current time) at
// midnight UTC.
func today(cfg Config) time.Time {
	t := cfg.Now
	if t.IsZero() {
		t = time.Now().UTC()
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
