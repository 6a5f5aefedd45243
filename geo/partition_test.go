package geo

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/peterstace/simplefeatures/geom"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/msg"
	"github.com/wangge/wangge/synth"
)

// randomSites scatters n buildings of 15–55 households over the box
// [x0,x1]×[y0,y1], keeping those inside (when given).
func randomSites(seed uint64, n int, x0, y0, x1, y1 float64, inside func(x, y float64) bool) []Site {
	r := rand.New(rand.NewPCG(seed, 7))
	var out []Site
	for id := int64(1); len(out) < n; id++ {
		x, y := x0+(x1-x0)*r.Float64(), y0+(y1-y0)*r.Float64()
		if inside != nil && !inside(x, y) {
			continue
		}
		out = append(out, Site{ID: id * 10, Lng: x, Lat: y, Households: 15 + r.IntN(41)})
	}
	return out
}

// checkTiling checks what every partition must hold: the groups tile the
// outline (seamless), every site is in exactly one group, inside its
// group's polygon (unless outside the outline or warned), and the counts
// add up.
func checkTiling(t *testing.T, outline geom.Geometry, sites []Site, p *Partition) {
	t.Helper()
	var children []Child
	for i, g := range p.Groups {
		if !g.Geom.IsEmpty() {
			children = append(children, Child{Code: fmt.Sprint(i + 1), Geom: g.Geom})
		}
	}
	cov, err := CheckCoverage(outline, children, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !cov.Seamless || len(cov.OutsideParent) > 0 {
		t.Errorf("not seamless: %d gaps, %d overlaps, %d outside", len(cov.Gaps), len(cov.Overlaps), len(cov.OutsideParent))
		for _, g := range cov.Gaps {
			t.Logf("gap %.1f m² at %.6f,%.6f", g.AreaM2, g.Lng, g.Lat)
		}
	}
	warned := map[int64]bool{}
	for _, w := range p.Warnings {
		for _, id := range w.Sites {
			warned[id] = true
		}
	}
	in := map[int64]int{}
	total := 0
	for gi, g := range p.Groups {
		hh := 0
		for _, id := range g.Sites {
			if _, dup := in[id]; dup {
				t.Errorf("building %d in two groups", id)
			}
			in[id] = gi
		}
		for _, s := range sites {
			if in[s.ID] == gi && slices.Contains(g.Sites, s.ID) {
				hh += s.Households
				pnt := geom.XY{X: s.Lng, Y: s.Lat}.AsPoint().AsGeometry()
				if !warned[s.ID] && !geom.Intersects(pnt, g.Geom) {
					t.Errorf("building %d lies outside its group %d's polygon", s.ID, gi+1)
				}
			}
		}
		if hh != g.Households || g.Deviation != hh-p.Target {
			t.Errorf("group %d: households %d (deviation %d), counted %d", gi+1, g.Households, g.Deviation, hh)
		}
		total += hh
	}
	if len(in) != len(sites) || total != p.Households {
		t.Errorf("%d of %d buildings grouped, %d of %d households", len(in), len(sites), total, p.Households)
	}
}

func contiguous(t *testing.T, p *Partition) {
	t.Helper()
	for gi, g := range p.Groups {
		if g.Geom.Type() != geom.TypePolygon || g.Geom.IsEmpty() {
			t.Errorf("group %d is a %s (%d sites), want one polygon", gi+1, g.Geom.Type(), len(g.Sites))
		}
	}
	for _, w := range p.Warnings {
		if w.Kind == WarnDetached || w.Kind == WarnEmptyGroup {
			t.Errorf("warning: %s", w.En())
		}
	}
}

// TestProposalTilesARectangularCommunity: 90 scattered buildings of about
// 3,150 households become round(3150/300) contiguous groups that tile the
// community, every building in its group's polygon, none far from 300.
func TestProposalTilesARectangularCommunity(t *testing.T) {
	outline := rectG(113.10, 36.20, 113.12, 36.215)
	sites := randomSites(1, 90, 113.10, 36.20, 113.12, 36.215, nil)
	p, err := ProposePartition(outline, sites, 300)
	if err != nil {
		t.Fatal(err)
	}
	want := int(math.Round(float64(p.Households) / 300))
	if len(p.Groups) != want {
		t.Errorf("%d groups for %d households, want %d", len(p.Groups), p.Households, want)
	}
	checkTiling(t, outline, sites, p)
	contiguous(t, p)
	if m := p.MaxDeviationPct(); m > 15 {
		t.Errorf("max deviation %.1f%%, want ≤ 15%%", m)
	}
	for gi, g := range p.Groups {
		if len(g.Neighbours) == 0 {
			t.Errorf("group %d has no neighbours", gi+1)
		}
		t.Logf("group %d: %d buildings, %d households (%+.1f%%), %.0f m², compactness %.2f", gi+1, len(g.Sites), g.Households, g.DeviationPct, g.AreaM2, compactness(g.Geom))
	}
}

// compactness is the Polsby–Popper score 4πA/P² (1 for a disc) in metres.
func compactness(g geom.Geometry) float64 {
	c, _ := g.Envelope().Center().XY()
	pr := newLocalProj(c.X, c.Y)
	m := g.TransformXY(func(p geom.XY) geom.XY { x, y := pr.fwd(p.X, p.Y); return geom.XY{X: x, Y: y} })
	per := m.Boundary().Length()
	return 4 * math.Pi * m.Area() / (per * per)
}

// uShape is a U-shaped community: two arms joined by a bar at the bottom.
//
//	+--+    +--+  36.22
//	|  |    |  |
//	|  +----+  |  36.205
//	+----------+  36.20
//	113.10   113.13
func uShape() (geom.Geometry, func(x, y float64) bool) {
	g := geom.NewPolygonXY([]float64{
		113.10, 36.20, 113.13, 36.20, 113.13, 36.22, 113.123, 36.22, 113.123, 36.205,
		113.107, 36.205, 113.107, 36.22, 113.10, 36.22, 113.10, 36.20,
	}).AsGeometry()
	inside := func(x, y float64) bool {
		return y < 36.205 || x < 113.107 || x > 113.123
	}
	return g, inside
}

// TestProposalKeepsGroupsContiguousInAConcaveCommunity: in a U-shaped
// community no group straddles the gap between the arms, and the cells that
// reach across it are handed to a neighbour, so every group is one polygon.
func TestProposalKeepsGroupsContiguousInAConcaveCommunity(t *testing.T) {
	outline, inside := uShape()
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			sites := randomSites(seed, 70, 113.10, 36.20, 113.13, 36.22, inside)
			p, err := ProposePartition(outline, sites, 300)
			if err != nil {
				t.Fatal(err)
			}
			checkTiling(t, outline, sites, p)
			contiguous(t, p)
			t.Logf("%d groups, max deviation %.1f%%", len(p.Groups), p.MaxDeviationPct())
		})
	}
}

// TestProposalIsDeterministic: the same input, in any order, gives the same
// groups and the same polygons.
func TestProposalIsDeterministic(t *testing.T) {
	outline, inside := uShape()
	sites := randomSites(9, 60, 113.10, 36.20, 113.13, 36.22, inside)
	a, err := ProposePartition(outline, sites, 250)
	if err != nil {
		t.Fatal(err)
	}
	shuffled := slices.Clone(sites)
	rand.New(rand.NewPCG(3, 3)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	b, err := ProposePartition(outline, shuffled, 250)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Groups) != len(b.Groups) {
		t.Fatalf("%d groups, then %d", len(a.Groups), len(b.Groups))
	}
	for i := range a.Groups {
		if !slices.Equal(a.Groups[i].Sites, b.Groups[i].Sites) || a.Groups[i].Geom.AsText() != b.Groups[i].Geom.AsText() {
			t.Errorf("group %d differs between runs", i+1)
		}
	}
}

// TestProposalEdgeCases: bad input is refused with a Chinese and an English
// reason; buildings at one point stay together; zero-household buildings
// are grouped too; a community of empty buildings is one group; one
// building takes the whole community.
func TestProposalEdgeCases(t *testing.T) {
	outline := rectG(113.10, 36.20, 113.11, 36.21)
	sites := randomSites(2, 20, 113.10, 36.20, 113.11, 36.21, nil)
	for name, c := range map[string]struct {
		outline geom.Geometry
		sites   []Site
		target  int
		field   string
	}{
		"zero target":     {outline, sites, 0, "target"},
		"negative target": {outline, sites, -300, "target"},
		"no buildings":    {outline, nil, 300, "sites"},
		"no outline":      {geom.Polygon{}.AsGeometry(), sites, 300, "outline"},
		"a point outline": {geom.XY{X: 113.1, Y: 36.2}.AsPoint().AsGeometry(), sites, 300, "outline"},
		"duplicate id":    {outline, append(slices.Clone(sites), sites[0]), 300, "sites"},
		"bad coordinates": {outline, []Site{{ID: 1, Lng: math.NaN(), Lat: 36.2}}, 300, "sites"},
		"negative count":  {outline, []Site{{ID: 1, Lng: 113.105, Lat: 36.205, Households: -1}}, 300, "sites"},
	} {
		_, err := ProposePartition(c.outline, c.sites, c.target)
		var pe *PartitionError
		if !errors.As(err, &pe) || pe.Field != c.field || !msg.Has(pe.Key) || pe.Zh() == pe.Key || pe.En() == pe.Key {
			t.Errorf("%s: %v, want a PartitionError about %s", name, err, c.field)
		}
	}

	// Three buildings at one point (a compound) share a group; zero-household
	// buildings are grouped.
	same := slices.Clone(sites)
	same = append(same, Site{ID: 1001, Lng: sites[0].Lng, Lat: sites[0].Lat, Households: 40},
		Site{ID: 1002, Lng: sites[0].Lng, Lat: sites[0].Lat, Households: 0},
		Site{ID: 1003, Lng: 113.109, Lat: 36.209, Households: 0})
	p, err := ProposePartition(outline, same, 200)
	if err != nil {
		t.Fatal(err)
	}
	checkTiling(t, outline, same, p)
	contiguous(t, p)
	of := p.GroupOf()
	if of[1001] != of[sites[0].ID] || of[1002] != of[sites[0].ID] {
		t.Errorf("buildings at one point in groups %d, %d, %d", of[sites[0].ID], of[1001], of[1002])
	}

	empty := []Site{{ID: 1, Lng: 113.101, Lat: 36.201}, {ID: 2, Lng: 113.109, Lat: 36.209}}
	if p, err := ProposePartition(outline, empty, 300); err != nil || len(p.Groups) != 1 || len(p.Groups[0].Sites) != 2 {
		t.Errorf("empty buildings: %+v, %v; want one group of both", p, err)
	}
	one := []Site{{ID: 7, Lng: 113.105, Lat: 36.205, Households: 900}}
	p, err = ProposePartition(outline, one, 300)
	if err != nil || len(p.Groups) != 1 {
		t.Fatalf("one building: %+v, %v", p, err)
	}
	checkTiling(t, outline, one, p)
	if p.Groups[0].Deviation != 600 || p.Groups[0].DeviationPct != 200 {
		t.Errorf("one building of 900 households: deviation %d (%.0f%%)", p.Groups[0].Deviation, p.Groups[0].DeviationPct)
	}
}

// TestAdjustedPartitionWarnsAboutWhatItCannotDraw: swapping two buildings
// between neighbouring groups makes both fall apart (warned, with the
// buildings on the detached pieces named);
// buildings at one point split between groups, a building outside the
// outline and an emptied group are warned too; the groups still tile.
func TestAdjustedPartitionWarnsAboutWhatItCannotDraw(t *testing.T) {
	outline := rectG(113.10, 36.20, 113.12, 36.21)
	sites := []Site{
		{1, 113.101, 36.205, 100}, {2, 113.103, 36.205, 100}, {3, 113.105, 36.205, 120},
		{4, 113.115, 36.205, 100}, {5, 113.117, 36.205, 100}, {6, 113.119, 36.205, 100},
		{7, 113.119, 36.205, 50}, // at the same point as 6
		{8, 113.125, 36.205, 10}, // outside the outline
	}
	groupOf := []int{0, 1, 0, 1, 1, 1, 2, 1} // 2 and 3 swapped, 7 leaves 6
	p, err := BuildPartition(outline, sites, groupOf, 300)
	if err != nil {
		t.Fatal(err)
	}
	checkTiling(t, outline, sites, p)
	kinds := map[string][]int64{}
	for _, w := range p.Warnings {
		kinds[w.Kind] = append(kinds[w.Kind], w.Sites...)
		if !msg.Has(w.Key) || w.Zh() == w.Key || w.En() == w.Key {
			t.Errorf("warning without its text in the catalogue: %+v", w)
		}
	}
	if !slices.Equal(kinds[WarnDetached], []int64{1, 2}) || !slices.Equal(kinds[WarnSamePoint], []int64{7}) ||
		!slices.Equal(kinds[WarnOutside], []int64{8}) || !slices.Equal(kinds[WarnEmptyGroup], []int64{7}) {
		t.Errorf("warnings %v", kinds)
	}
	if p.Groups[1].Geom.Type() != geom.TypeMultiPolygon || p.Groups[1].Households != 410 {
		t.Errorf("group 2: %s with %d households", p.Groups[1].Geom.Type(), p.Groups[1].Households)
	}
	if _, err := BuildPartition(outline, sites, []int{0, 1}, 300); err == nil {
		t.Error("an assignment of the wrong length was accepted")
	}
	if _, err := BuildPartition(outline, sites, []int{0, 0, 0, 0, 0, 0, 0, -1}, 300); err == nil {
		t.Error("a negative group was accepted")
	}
}

// demoBulk collects the buildings, households and outlines the synthetic
// generator writes; the rest it drops.
type demoBulk struct {
	buildings []*wangge.Building
	hh        map[int64]int
	outline   map[string]string
}

func (b *demoBulk) Area(*wangge.Area) error { return nil }
func (b *demoBulk) Boundary(x *wangge.Boundary) error {
	b.outline[x.AreaCode] = x.GeoJSON
	return nil
}
func (b *demoBulk) Building(x *wangge.Building) error {
	b.buildings = append(b.buildings, x)
	return nil
}
func (b *demoBulk) Household(x *wangge.Household) error {
	b.hh[x.BuildingID]++
	return nil
}
func (b *demoBulk) Person(*wangge.Person) error             { return nil }
func (b *demoBulk) Unit(*wangge.Unit) error                 { return nil }
func (b *demoBulk) Assistant(*wangge.Assistant) error       { return nil }
func (b *demoBulk) Assignment(*wangge.Assignment) error     { return nil }
func (b *demoBulk) BuildingHead(*wangge.BuildingHead) error { return nil }
func (b *demoBulk) Membership(*wangge.Membership) error     { return nil }
func (b *demoBulk) Visit(*wangge.Visit) error               { return nil }
func (b *demoBulk) User(*wangge.User) error                 { return nil }
func (b *demoBulk) Commit() error                           { return nil }
func (b *demoBulk) Rollback() error                         { return nil }

// TestProposalOnTheDemoDistrict proposes grids of 300 households for every
// community of the demo district (a tenth of it under -short) and reports
// grids per community and the deviation from 300; every proposal tiles its
// community with contiguous grids.
func TestProposalOnTheDemoDistrict(t *testing.T) {
	scale := 1.0
	if testing.Short() {
		scale = 0.1
	}
	b := &demoBulk{hh: map[int64]int{}, outline: map[string]string{}}
	cfg := synth.Config{Seed: 1, Scale: scale, Now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := synth.Generate(cfg, b, "Demo-Test-2026", func(string) string { return "x" }, nil); err != nil {
		t.Fatal(err)
	}
	byComm := map[string][]Site{}
	var comms []string
	for _, bl := range b.buildings {
		c := bl.GridCode[:wangge.CommunityCodeLen]
		if byComm[c] == nil {
			comms = append(comms, c)
		}
		byComm[c] = append(byComm[c], Site{ID: bl.ID, Lng: bl.Lng, Lat: bl.Lat, Households: b.hh[bl.ID]})
	}
	slices.Sort(comms)
	var maxDev, sumDev, sumComp float64
	grids, n := 0, 0
	start := time.Now()
	for _, c := range comms {
		a, err := ParseArea(c, b.outline[c])
		if err != nil {
			t.Fatal(err)
		}
		p, err := ProposePartition(a.Geom, byComm[c], 300)
		if err != nil {
			t.Fatal(err)
		}
		checkTiling(t, a.Geom, byComm[c], p)
		contiguous(t, p)
		for _, g := range p.Groups {
			sumDev += math.Abs(g.DeviationPct)
			sumComp += compactness(g.Geom)
			n++
		}
		maxDev = max(maxDev, p.MaxDeviationPct())
		grids += len(p.Groups)
		t.Logf("%s: %3d buildings, %5d households → %2d grids, max deviation %4.1f%%, mean %4.1f%%",
			c, len(byComm[c]), p.Households, len(p.Groups), p.MaxDeviationPct(), p.MeanDeviationPct())
	}
	el := time.Since(start)
	t.Logf("%d communities → %d grids in %v (%.0f ms a community); deviation from 300: max %.1f%%, mean %.1f%%; mean compactness %.2f",
		len(comms), grids, el.Round(time.Millisecond), float64(el.Milliseconds())/float64(len(comms)), maxDev, sumDev/float64(n), sumComp/float64(n))
	if maxDev > 20 || sumDev/float64(n) > 6 {
		t.Errorf("deviation from 300: max %.1f%%, mean %.1f%%; want ≤ 20%% and ≤ 6%%", maxDev, sumDev/float64(n))
	}
}

// TestProposalOnARegularLattice: buildings in exact rows and columns put
// four sites on every circle of the Voronoi diagram, where cells meet four
// at a vertex; the groups still tile the community.
func TestProposalOnARegularLattice(t *testing.T) {
	outline := rectG(113.10, 36.20, 113.11, 36.21)
	var sites []Site
	for i := range 10 {
		for j := range 10 {
			sites = append(sites, Site{ID: int64(100*i + j + 1), Lng: 113.1005 + 0.001*float64(i), Lat: 36.2005 + 0.001*float64(j), Households: 30})
		}
	}
	p, err := ProposePartition(outline, sites, 300)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Groups) != 10 {
		t.Errorf("%d groups, want 10", len(p.Groups))
	}
	checkTiling(t, outline, sites, p)
	contiguous(t, p)
	if m := p.MaxDeviationPct(); m > 10 {
		t.Errorf("max deviation %.1f%% on a lattice of equal buildings", m)
	}
}
