package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/peterstace/simplefeatures/geom"
)

// rectG is the lng/lat rectangle [x0,x1]×[y0,y1], counter-clockwise.
func rectG(x0, y0, x1, y1 float64) geom.Geometry {
	return quadG(x0, y0, x1, y0, x1, y1, x0, y1)
}

// quadG is the quadrilateral through four corners (given CCW).
func quadG(ax, ay, bx, by, cx, cy, dx, dy float64) geom.Geometry {
	return geom.NewPolygonXY([]float64{ax, ay, bx, by, cx, cy, dx, dy, ax, ay}).AsGeometry()
}

// sphereRectM2 is the exact area on the sphere (R = earthRadiusM) of a
// lng/lat rectangle: R²·Δλ·(sin φ1 − sin φ0). Independent of AreaM2.
func sphereRectM2(x0, y0, x1, y1 float64) float64 {
	const rad = math.Pi / 180
	return earthRadiusM * earthRadiusM * (x1 - x0) * rad * (math.Sin(y1*rad) - math.Sin(y0*rad))
}

func within(t *testing.T, what string, got, want, rel float64) {
	t.Helper()
	if math.Abs(got-want) > rel*math.Abs(want) {
		t.Errorf("%s = %.3f, want %.3f within %.2f%%", what, got, want, rel*100)
	}
}

func mustCheck(t testing.TB, parent geom.Geometry, children []Child, tol float64) *Coverage {
	t.Helper()
	cov, err := CheckCoverage(parent, children, tol)
	if err != nil {
		t.Fatalf("CheckCoverage: %v", err)
	}
	return cov
}

func inBox(p Problem, x0, y0, x1, y1 float64) bool {
	return p.Lng > x0 && p.Lng < x1 && p.Lat > y0 && p.Lat < y1
}

// Base layout: parent [116.00,116.02]×[36.00,36.02] tiled by four 0.01° squares
// A (SW), B (SE), C (NW), D (NE).
const (
	px0, py0, pm, px1, py1 = 116.00, 36.00, 0.01, 116.02, 36.02
)

var (
	pxm = px0 + pm
	pym = py0 + pm
)

func baseParent() geom.Geometry { return rectG(px0, py0, px1, py1) }

func baseChildren() []Child {
	return []Child{
		{"A", rectG(px0, py0, pxm, pym)},
		{"B", rectG(pxm, py0, px1, pym)},
		{"C", rectG(px0, pym, pxm, py1)},
		{"D", rectG(pxm, pym, px1, py1)},
	}
}

func TestCoverageSeamlessTiling(t *testing.T) {
	cov := mustCheck(t, baseParent(), baseChildren(), 1)
	if !cov.Seamless || len(cov.Gaps)+len(cov.Overlaps)+len(cov.OutsideParent) != 0 {
		t.Fatalf("want seamless, no problems; got %+v", cov)
	}
	within(t, "parent area", cov.ParentAreaM2, sphereRectM2(px0, py0, px1, py1), 0.005)
	within(t, "covered area", cov.CoveredAreaM2, cov.ParentAreaM2, 0.001)
	// Same with tolerance 0: exactly shared edges give no pieces at all.
	if cov := mustCheck(t, baseParent(), baseChildren(), 0); !cov.Seamless {
		t.Fatalf("tol 0: want seamless; got %+v", cov)
	}
}

func TestCoverageGap(t *testing.T) {
	ch := baseChildren()
	ch[3].Geom = rectG(pxm, pym, px1-0.001, py1) // D shrunk: strip at its east side
	cov := mustCheck(t, baseParent(), ch, 1)
	if cov.Seamless || len(cov.Gaps) != 1 || len(cov.Overlaps) != 0 || len(cov.OutsideParent) != 0 {
		t.Fatalf("want exactly one gap; got %+v", cov)
	}
	g := cov.Gaps[0]
	want := sphereRectM2(px1-0.001, pym, px1, py1)
	within(t, "gap area", g.AreaM2, want, 0.01)
	if g.Kind != ProblemGap || len(g.Codes) != 0 {
		t.Errorf("gap kind/codes = %q %v", g.Kind, g.Codes)
	}
	if !inBox(g, px1-0.001, pym, px1, py1) {
		t.Errorf("gap point (%v,%v) not inside the gap", g.Lng, g.Lat)
	}
	if g.Geom.Type() != geom.TypePolygon {
		t.Errorf("gap geom is %s", g.Geom.Type())
	}
	within(t, "covered area", cov.CoveredAreaM2, cov.ParentAreaM2-want, 0.001)
}

func TestCoverageOverlap(t *testing.T) {
	ch := baseChildren()
	ch[1].Geom = rectG(pxm-0.001, py0, px1, pym) // B reaches 0.001° into A
	cov := mustCheck(t, baseParent(), ch, 1)
	if cov.Seamless || len(cov.Gaps) != 0 || len(cov.Overlaps) != 1 || len(cov.OutsideParent) != 0 {
		t.Fatalf("want exactly one overlap; got %+v", cov)
	}
	o := cov.Overlaps[0]
	if o.Kind != ProblemOverlap || !slices.Equal(o.Codes, []string{"A", "B"}) {
		t.Errorf("overlap kind/codes = %q %v", o.Kind, o.Codes)
	}
	within(t, "overlap area", o.AreaM2, sphereRectM2(pxm-0.001, py0, pxm, pym), 0.01)
	if !inBox(o, pxm-0.001, py0, pxm, pym) {
		t.Errorf("overlap point (%v,%v) not inside the overlap", o.Lng, o.Lat)
	}
}

func TestCoverageSliverGap(t *testing.T) {
	// Two children 2 m apart (east–west) along a 500 m long parent.
	const rad = math.Pi / 180
	lat := 36.0
	w := 2 / (earthRadiusM * rad * math.Cos(lat*rad)) // 2 m of longitude
	l := 500 / (earthRadiusM * rad)                   // 500 m of latitude
	parent := rectG(116.00, lat, 116.02, lat+l)
	ch := []Child{
		{"L", rectG(116.00, lat, 116.01, lat+l)},
		{"R", rectG(116.01+w, lat, 116.02, lat+l)},
	}
	want := sphereRectM2(116.01, lat, 116.01+w, lat+l)
	within(t, "planted sliver", want, 1000, 0.01)

	cov := mustCheck(t, parent, ch, 10)
	if cov.Seamless || len(cov.Gaps) != 1 || len(cov.Overlaps) != 0 {
		t.Fatalf("tol 10: want the sliver gap; got %+v", cov)
	}
	within(t, "sliver area", cov.Gaps[0].AreaM2, want, 0.01)
	if !inBox(cov.Gaps[0], 116.01, lat, 116.01+w, lat+l) {
		t.Errorf("sliver point (%v,%v) not inside it", cov.Gaps[0].Lng, cov.Gaps[0].Lat)
	}

	cov = mustCheck(t, parent, ch, 2000)
	if !cov.Seamless || len(cov.Gaps) != 0 {
		t.Fatalf("tol 2000: sliver should be ignored; got %+v", cov)
	}
}

func TestCoverageOutsideParent(t *testing.T) {
	ch := baseChildren()
	ch[3].Geom = rectG(pxm, pym, px1, py1+0.001) // D sticks out north
	cov := mustCheck(t, baseParent(), ch, 1)
	if !cov.Seamless {
		t.Errorf("outside_parent alone must not break seamlessness")
	}
	if len(cov.OutsideParent) != 1 || len(cov.Gaps) != 0 || len(cov.Overlaps) != 0 {
		t.Fatalf("want one outside_parent; got %+v", cov)
	}
	o := cov.OutsideParent[0]
	if o.Kind != ProblemOutsideParent || !slices.Equal(o.Codes, []string{"D"}) {
		t.Errorf("outside kind/codes = %q %v", o.Kind, o.Codes)
	}
	within(t, "outside area", o.AreaM2, sphereRectM2(pxm, py1, px1, py1+0.001), 0.01)
	if !inBox(o, pxm, py1, px1, py1+0.001) {
		t.Errorf("outside point (%v,%v) not inside it", o.Lng, o.Lat)
	}

	// Same with a non-rectangular parent (a triangle cut off the NE corner
	// stays inside the box), exercising the exact difference path.
	parent := geom.NewPolygonXY([]float64{px0, py0, px1, py0, px1, py1 - 0.001, px1 - 0.001, py1, px0, py1, px0, py0}).AsGeometry()
	cov = mustCheck(t, parent, baseChildren(), 1)
	if len(cov.OutsideParent) != 1 || cov.OutsideParent[0].Codes[0] != "D" {
		t.Fatalf("corner: want D outside; got %+v", cov.OutsideParent)
	}
	within(t, "corner area", cov.OutsideParent[0].AreaM2, sphereRectM2(px1-0.001, py1-0.001, px1, py1)/2, 0.01)
}

func TestCoverageMultipleProblems(t *testing.T) {
	ch := baseChildren()
	ch[0].Geom = rectG(px0, py0+0.0005, pxm, pym) // A shrunk from the south: gap 1
	ch[1].Geom = rectG(pxm-0.001, py0, px1, pym)  // B into A: overlap
	ch[2].Geom = rectG(px0-0.002, pym, pxm, py1)  // C sticks out west
	ch[3].Geom = rectG(pxm, pym, px1-0.001, py1)  // D shrunk: gap 2
	cov := mustCheck(t, baseParent(), ch, 1)
	if cov.Seamless || len(cov.Gaps) != 2 || len(cov.Overlaps) != 1 || len(cov.OutsideParent) != 1 {
		t.Fatalf("want 2 gaps, 1 overlap, 1 outside; got gaps %d overlaps %d outside %d",
			len(cov.Gaps), len(cov.Overlaps), len(cov.OutsideParent))
	}
	gapD := sphereRectM2(px1-0.001, pym, px1, py1)
	gapA := sphereRectM2(px0, py0, pxm-0.001, py0+0.0005)
	// Sorted largest first.
	within(t, "gap D", cov.Gaps[0].AreaM2, gapD, 0.01)
	within(t, "gap A", cov.Gaps[1].AreaM2, gapA, 0.01)
	if !inBox(cov.Gaps[0], px1-0.001, pym, px1, py1) || !inBox(cov.Gaps[1], px0, py0, pxm-0.001, py0+0.0005) {
		t.Errorf("gap points misplaced: %+v", cov.Gaps)
	}
	within(t, "overlap A/B", cov.Overlaps[0].AreaM2, sphereRectM2(pxm-0.001, py0+0.0005, pxm, pym), 0.01)
	if !slices.Equal(cov.Overlaps[0].Codes, []string{"A", "B"}) {
		t.Errorf("overlap codes %v", cov.Overlaps[0].Codes)
	}
	within(t, "outside C", cov.OutsideParent[0].AreaM2, sphereRectM2(px0-0.002, pym, px0, py1), 0.01)
	if cov.OutsideParent[0].Codes[0] != "C" {
		t.Errorf("outside codes %v", cov.OutsideParent[0].Codes)
	}
}

// warpedGrid tiles [x0, x0+n·step]×[y0, y0+n·step] with n×n quadrilaterals
// whose interior vertices are displaced by a smooth field (so cells are not
// rectangles and their boxes overlap their neighbours'), each cell computing
// its own corners and adding independent noise of up to ±jitter degrees, so
// neighbours share edges only up to floating-point noise.
func warpedGrid(n int, x0, y0, step, warp, jitter float64, seed uint64) (geom.Geometry, []Child) {
	rng := rand.New(rand.NewPCG(seed, 1))
	vx := func(i, j int) (float64, float64) {
		x := x0 + float64(i)*step
		y := y0 + float64(j)*step
		if i > 0 && i < n && j > 0 && j < n {
			x += warp * step * math.Sin(float64(i*7+j*3))
			y += warp * step * math.Cos(float64(i*5+j*11))
		}
		return x, y
	}
	noisy := func(i, j int) (float64, float64) {
		x, y := vx(i, j)
		if i > 0 && i < n && j > 0 && j < n || jitter == 0 {
			return x + (rng.Float64()*2-1)*jitter, y + (rng.Float64()*2-1)*jitter
		}
		return x, y // keep the parent's outline exact
	}
	var ch []Child
	for j := range n {
		for i := range n {
			ax, ay := noisy(i, j)
			bx, by := noisy(i+1, j)
			cx, cy := noisy(i+1, j+1)
			dx, dy := noisy(i, j+1)
			ch = append(ch, Child{fmt.Sprintf("G%02d%02d", j, i), quadG(ax, ay, bx, by, cx, cy, dx, dy)})
		}
	}
	end := float64(n) * step
	return rectG(x0, y0, x0+end, y0+end), ch
}

func TestCoverageFloatingPointNoise(t *testing.T) {
	// Rectangular cells, each corner recomputed per cell (x0 + i*step) with
	// ±1e-12° jitter.
	parent, ch := warpedGrid(6, 116.1, 36.1, 0.005, 0, 1e-12, 1)
	cov := mustCheck(t, parent, ch, 1)
	if !cov.Seamless || len(cov.OutsideParent) != 0 {
		t.Fatalf("rect grid with noise: want seamless; got gaps %v overlaps %v outside %v",
			cov.Gaps, cov.Overlaps, cov.OutsideParent)
	}
	within(t, "covered", cov.CoveredAreaM2, cov.ParentAreaM2, 0.001)

	// Warped cells: neighbours' boxes overlap, so every pair goes through the
	// exact intersection; the noise slivers must all fall below 1 m².
	parent, ch = warpedGrid(6, 116.1, 36.1, 0.005, 0.2, 1e-12, 2)
	cov = mustCheck(t, parent, ch, 1)
	if !cov.Seamless || len(cov.OutsideParent) != 0 {
		t.Fatalf("warped grid with noise: want seamless; got gaps %v overlaps %v outside %v",
			cov.Gaps, cov.Overlaps, cov.OutsideParent)
	}
	within(t, "covered", cov.CoveredAreaM2, cov.ParentAreaM2, 0.001)

	// The noise is real: at tolerance 0 the slivers show up.
	if cov := mustCheck(t, parent, ch, 0); cov.Seamless {
		t.Errorf("tol 0 on a noisy grid: expected noise slivers to be reported")
	} else {
		t.Logf("tol 0: %d noise gaps, %d noise overlaps", len(cov.Gaps), len(cov.Overlaps))
	}

	// And real problems planted in the warped grid are still found: cell 8
	// replaced by a copy of cell 7 gives one overlap (7/8, all of cell 7)
	// and one gap (the old cell 8).
	old8 := ch[8].Geom
	ch[8].Geom = ch[7].Geom
	cov = mustCheck(t, parent, ch, 1)
	if cov.Seamless || len(cov.Overlaps) != 1 || len(cov.Gaps) != 1 {
		t.Fatalf("planted warped problems: overlaps %v gaps %v", cov.Overlaps, cov.Gaps)
	}
	if !slices.Equal(cov.Overlaps[0].Codes, []string{ch[7].Code, ch[8].Code}) {
		t.Errorf("overlap codes %v", cov.Overlaps[0].Codes)
	}
	within(t, "warped overlap", cov.Overlaps[0].AreaM2, AreaM2(ch[7].Geom), 0.001)
	within(t, "warped gap", cov.Gaps[0].AreaM2, AreaM2(old8), 0.001)
}

func TestAreaM2(t *testing.T) {
	sq := rectG(116.0, 35.995, 116.01, 36.005)
	within(t, "0.01° square at 36°", AreaM2(sq), 1113.2*900.6, 0.005)
	// Against the exact spherical rectangle: much tighter.
	within(t, "vs sphere", AreaM2(sq), sphereRectM2(116.0, 35.995, 116.01, 36.005), 1e-6)
	// A district-sized rectangle (0.3°×0.3°).
	big := rectG(116.0, 36.0, 116.3, 36.3)
	within(t, "district", AreaM2(big), sphereRectM2(116.0, 36.0, 116.3, 36.3), 1e-4)
	// A polygon with a hole, and a multipolygon.
	holed := geom.NewPolygonXY(
		[]float64{116.0, 36.0, 116.02, 36.0, 116.02, 36.02, 116.0, 36.02, 116.0, 36.0},
		[]float64{116.005, 36.005, 116.005, 36.015, 116.015, 36.015, 116.015, 36.005, 116.005, 36.005},
	).AsGeometry()
	within(t, "holed", AreaM2(holed),
		sphereRectM2(116.0, 36.0, 116.02, 36.02)-sphereRectM2(116.005, 36.005, 116.015, 36.015), 1e-5)
	if got := AreaM2(geom.Geometry{}); got != 0 {
		t.Errorf("empty area = %v", got)
	}
}

func TestCoverageErrors(t *testing.T) {
	p := baseParent()
	if _, err := CheckCoverage(p, baseChildren(), -1); err == nil {
		t.Error("negative tolerance accepted")
	}
	dup := append(baseChildren(), Child{"A", rectG(0, 0, 1, 1)})
	if _, err := CheckCoverage(p, dup, 1); err == nil {
		t.Error("duplicate code accepted")
	}
	if _, err := CheckCoverage(p, []Child{{"", rectG(0, 0, 1, 1)}}, 1); err == nil {
		t.Error("empty code accepted")
	}
	if _, err := CheckCoverage(geom.NewLineStringXY(0, 0, 1, 1).AsGeometry(), nil, 1); err == nil {
		t.Error("line parent accepted")
	}
	cov := mustCheck(t, p, nil, 1)
	if cov.Seamless || len(cov.Gaps) != 1 || cov.CoveredAreaM2 != 0 {
		t.Errorf("no children: %+v", cov)
	}
}

// The 400-child district: a 20×20 grid of 0.005° cells (≈450 m × 555 m each,
// ≈9 km × 11 km in all) with shared edges, straight and warped, is found
// seamless. How long it takes is BenchmarkCheckCoverage400's to say.
func TestCoverageDistrictIsSeamless(t *testing.T) {
	for _, warp := range []float64{0, 0.2} {
		parent, ch := warpedGrid(20, 116.0, 36.0, 0.005, warp, 1e-12, 3)
		cov := mustCheck(t, parent, ch, 1)
		if !cov.Seamless || len(cov.Gaps) != 0 || len(cov.Overlaps) != 0 || len(cov.OutsideParent) != 0 {
			t.Errorf("warp %.1f: district grid not seamless: gaps %d overlaps %d outside %d", warp, len(cov.Gaps), len(cov.Overlaps), len(cov.OutsideParent))
		}
		if math.Abs(cov.CoveredAreaM2-cov.ParentAreaM2) > 1 {
			t.Errorf("warp %.1f: covered %.0f m² of a %.0f m² parent", warp, cov.CoveredAreaM2, cov.ParentAreaM2)
		}
	}
}

// BenchmarkCheckCoverage400 times the check of the 400-child district
// against an anchor measured in the same loop: the union of the children
// alone, the one overlay any coverage check needs. It reports both and
// their ratio, which does not depend on the machine's speed or load.
func BenchmarkCheckCoverage400(b *testing.B) {
	for _, warp := range []float64{0, 0.2} {
		b.Run(fmt.Sprintf("warp%.1f", warp), func(b *testing.B) {
			parent, ch := warpedGrid(20, 116.0, 36.0, 0.005, warp, 1e-12, 3)
			geoms := make([]geom.Geometry, len(ch))
			for i, c := range ch {
				geoms[i] = c.Geom
			}
			var tCheck, tUnion time.Duration
			for b.Loop() {
				t0 := time.Now()
				mustCheck(b, parent, ch, 1)
				t1 := time.Now()
				if _, err := geom.UnionMany(geoms); err != nil {
					b.Fatal(err)
				}
				tUnion += time.Since(t1)
				tCheck += t1.Sub(t0)
			}
			b.ReportMetric(tCheck.Seconds()*1e3/float64(b.N), "check-ms")
			b.ReportMetric(tUnion.Seconds()*1e3/float64(b.N), "union-ms")
			b.ReportMetric(tCheck.Seconds()/tUnion.Seconds(), "ratio-vs-union")
		})
	}
}

// TestOutsideM2AgreesWithCheckCoverage: the importer's one-child check gives
// the area CheckCoverage reports outside the parent — for a child inside, one
// crossing the border, one beyond it, and under an L-shaped parent that is no
// rectangle — and drops pieces below the tolerance.
func TestOutsideM2AgreesWithCheckCoverage(t *testing.T) {
	rect := rectG(113, 36, 113.1, 36.1)
	ell, err := geom.UnmarshalWKT("POLYGON((113 36,113.1 36,113.1 36.05,113.05 36.05,113.05 36.1,113 36.1,113 36))")
	if err != nil {
		t.Fatal(err)
	}
	for _, parent := range []geom.Geometry{rect, ell} {
		for _, child := range []geom.Geometry{
			rectG(113.01, 36.01, 113.02, 36.02),
			rectG(113.08, 36.01, 113.12, 36.02),
			rectG(113.2, 36.2, 113.21, 36.21),
			rectG(113.06, 36.06, 113.09, 36.09),
		} {
			cov, err := CheckCoverage(parent, []Child{{Code: "c", Geom: child}}, 1)
			if err != nil {
				t.Fatal(err)
			}
			want := 0.0
			for _, p := range cov.OutsideParent {
				want += p.AreaM2
			}
			got, err := OutsideM2(parent, child, 1)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-want) > 1e-6*max(want, 1) {
				t.Errorf("%s in %s: OutsideM2 %v, CheckCoverage %v", child.AsText(), parent.AsText(), got, want)
			}
		}
	}
	if got, _ := OutsideM2(rect, rectG(113.09, 36.01, 113.1000001, 36.02), 100); got != 0 {
		t.Errorf("a sliver of %v m² under a 100 m² tolerance", got)
	}
}
