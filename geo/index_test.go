package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/peterstace/simplefeatures/geom"
)

// tiling is a synthetic district: an n×n lattice of jittered quadrilateral
// cells sharing exact vertices; some cells split in two along a zig-zag; one
// 3×3 block merged into a polygon whose hole is another grid.
type tiling struct {
	areas                  []Area
	minX, minY, maxX, maxY float64
}

func buildTiling(n int, seed uint64) tiling {
	r := rand.New(rand.NewPCG(seed, 7))
	const x0, y0, cell = 116.3, 39.9, 0.01
	node := make([][]geom.XY, n+1)
	for i := range node {
		node[i] = make([]geom.XY, n+1)
		for j := range node[i] {
			p := geom.XY{X: x0 + float64(i)*cell, Y: y0 + float64(j)*cell}
			if i > 0 && i < n && j > 0 && j < n {
				p.X += (r.Float64() - 0.5) * 0.4 * cell
				p.Y += (r.Float64() - 0.5) * 0.4 * cell
			}
			node[i][j] = p
		}
	}
	flat := func(pts ...geom.XY) []float64 {
		out := make([]float64, 0, 2*len(pts)+2)
		for _, p := range pts {
			out = append(out, p.X, p.Y)
		}
		return append(out, pts[0].X, pts[0].Y)
	}
	codes := r.Perm(4 * n * n) // codes unrelated to position
	next := 0
	var areas []Area
	add := func(rings ...[]float64) {
		code := fmt.Sprintf("110105%03d%03d%03d", codes[next]/1000000, codes[next]/1000%1000, codes[next]%1000)
		next++
		g := geom.NewPolygonXY(rings...).AsGeometry()
		if err := g.Validate(); err != nil {
			panic(fmt.Sprintf("synthetic polygon %s invalid: %v", code, err))
		}
		areas = append(areas, Area{Code: code, Geom: g})
	}
	inBlock := func(i, j int) bool { return i >= 5 && i <= 7 && j >= 5 && j <= 7 }
	for i := range n {
		for j := range n {
			if inBlock(i, j) {
				continue
			}
			a, b, c, d := node[i][j], node[i+1][j], node[i+1][j+1], node[i][j+1]
			if (i*n+j)%6 == 0 {
				// Split along a zig-zag from a to c.
				var zig []geom.XY
				for k := 1; k <= 4; k++ {
					t := float64(k) / 5
					off := 0.08 * cell
					if k%2 == 0 {
						off = -off
					}
					zig = append(zig, geom.XY{
						X: a.X + t*(c.X-a.X) - off*(c.Y-a.Y)/cell,
						Y: a.Y + t*(c.Y-a.Y) + off*(c.X-a.X)/cell,
					})
				}
				left := append([]geom.XY{a}, zig...)
				left = append(left, c, d)
				right := []geom.XY{a, b, c}
				for k := len(zig) - 1; k >= 0; k-- {
					right = append(right, zig[k])
				}
				l, rr := flat(left...), flat(right...)
				if geom.NewPolygonXY(l).Validate() == nil && geom.NewPolygonXY(rr).Validate() == nil {
					add(l)
					add(rr)
					continue
				}
			}
			add(flat(a, b, c, d))
		}
	}
	// The 3×3 block with its centre cell as a hole, and the centre as a grid.
	var shell []geom.XY
	for i := 5; i < 8; i++ {
		shell = append(shell, node[i][5])
	}
	for j := 5; j < 8; j++ {
		shell = append(shell, node[8][j])
	}
	for i := 8; i > 5; i-- {
		shell = append(shell, node[i][8])
	}
	for j := 8; j > 5; j-- {
		shell = append(shell, node[5][j])
	}
	hole := []geom.XY{node[6][6], node[6][7], node[7][7], node[7][6]}
	add(flat(shell...), flat(hole...))
	add(flat(node[6][6], node[7][6], node[7][7], node[6][7]))
	return tiling{areas: areas, minX: x0, minY: y0, maxX: x0 + float64(n)*cell, maxY: y0 + float64(n)*cell}
}

func mustIndex(tb testing.TB, areas []Area) *Index {
	tb.Helper()
	ix, err := NewIndex(areas)
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

// claims lists the codes of every polygon whose half-open test contains p
// (the rule before the lowest-code tie-break).
func claims(ix *Index, x, y float64) []string {
	var out []string
	for i := range ix.polys {
		if ix.polys[i].contains(x, y) {
			out = append(out, ix.polys[i].code)
		}
	}
	return out
}

// sfHits lists the areas that simplefeatures says intersect the point
// (interior or boundary): the brute-force exact answer.
func sfHits(areas []Area, x, y float64) []string {
	pt := geom.NewPointXY(x, y).AsGeometry()
	var out []string
	for _, a := range areas {
		env := a.Geom.Envelope()
		if !env.Contains(geom.XY{X: x, Y: y}) {
			continue
		}
		if geom.Intersects(a.Geom, pt) {
			out = append(out, a.Code)
		}
	}
	return out
}

func TestTilingIsSeamless(t *testing.T) {
	tl := buildTiling(20, 1)
	var sum float64
	for _, a := range tl.areas {
		sum += a.Geom.Area()
	}
	want := (tl.maxX - tl.minX) * (tl.maxY - tl.minY)
	if math.Abs(sum-want) > 1e-12 {
		t.Fatalf("areas sum to %v, district is %v", sum, want)
	}
	t.Logf("%d grids", len(tl.areas))
}

func TestLocateMatchesBruteForce(t *testing.T) {
	tl := buildTiling(20, 1)
	ix := mustIndex(t, tl.areas)
	r := rand.New(rand.NewPCG(3, 4))
	w, h := tl.maxX-tl.minX, tl.maxY-tl.minY
	var inside, outside, border int
	for range 100000 {
		x := tl.minX - 0.05*w + r.Float64()*1.1*w
		y := tl.minY - 0.05*h + r.Float64()*1.1*h
		want := sfHits(tl.areas, x, y)
		got, ok := ix.Locate(x, y)
		switch len(want) {
		case 0:
			outside++
			if ok {
				t.Fatalf("Locate(%v, %v) = %s, want none", x, y, got)
			}
		case 1:
			inside++
			if !ok || got != want[0] {
				t.Fatalf("Locate(%v, %v) = %q, %v; want %s", x, y, got, ok, want[0])
			}
		default:
			border++ // on a border by chance: must be one of them
			if !ok || (got != want[0] && got != want[1]) {
				t.Fatalf("border point (%v, %v) located in %q, want one of %v", x, y, got, want)
			}
		}
		if s, sok := ix.locateScan(x, y); s != got || sok != ok {
			t.Fatalf("scan and index disagree at (%v, %v): %q vs %q", x, y, s, got)
		}
	}
	if inside < 70000 || outside < 10000 {
		t.Errorf("poor sample: %d inside, %d outside", inside, outside)
	}
	t.Logf("%d inside, %d outside, %d on borders", inside, outside, border)
}

func TestLocateBorderPoints(t *testing.T) {
	tl := buildTiling(20, 1)
	ix := mustIndex(t, tl.areas)
	type edge struct{ a, b geom.XY }
	key := func(a, b geom.XY) edge {
		if b.X < a.X || (b.X == a.X && b.Y < a.Y) {
			a, b = b, a
		}
		return edge{a, b}
	}
	uses := map[edge]int{}
	for _, ar := range tl.areas {
		for _, ring := range ar.Geom.MustAsPolygon().DumpRings() {
			seq := ring.Coordinates()
			for k := 0; k+1 < seq.Length(); k++ {
				uses[key(seq.GetXY(k), seq.GetXY(k+1))]++
			}
		}
	}
	var shared, vertices, points int
	seen := map[geom.XY]bool{}
	check := func(p geom.XY, interior bool) {
		points++
		c := claims(ix, p.X, p.Y)
		hits := sfHits(tl.areas, p.X, p.Y)
		code, ok := ix.Locate(p.X, p.Y)
		if interior && len(c) != 1 {
			t.Fatalf("point %v on a shared border claimed by %v (simplefeatures: %v)", p, c, hits)
		}
		if len(c) > 1 {
			t.Fatalf("point %v claimed by %v", p, c)
		}
		if ok {
			if code != c[0] {
				t.Fatalf("Locate(%v) = %s, rule says %s", p, code, c[0])
			}
			found := false
			for _, h := range hits {
				found = found || h == code
			}
			if !found {
				t.Fatalf("Locate(%v) = %s, which does not touch the point (touching: %v)", p, code, hits)
			}
		}
		for range 3 {
			if again, ok2 := ix.Locate(p.X, p.Y); again != code || ok2 != ok {
				t.Fatalf("Locate(%v) not deterministic: %s then %s", p, code, again)
			}
		}
	}
	ts := []float64{0.5, 0.25, 0.75, 0.1, 0.9, 1.0 / 3, 0.618}
	for e, n := range uses {
		interior := n == 2
		if n > 2 {
			t.Fatalf("edge %v used %d times", e, n)
		}
		if interior {
			shared++
		}
		for _, tt := range ts {
			check(geom.XY{X: e.a.X + tt*(e.b.X-e.a.X), Y: e.a.Y + tt*(e.b.Y-e.a.Y)}, interior)
		}
		for _, v := range []geom.XY{e.a, e.b} {
			if !seen[v] {
				seen[v] = true
				vertices++
				onOuter := v.X == tl.minX || v.X == tl.maxX || v.Y == tl.minY || v.Y == tl.maxY
				check(v, !onOuter)
			}
		}
	}
	if shared < 1000 {
		t.Errorf("only %d shared edges", shared)
	}
	t.Logf("%d shared edges, %d vertices, %d border points checked", shared, vertices, points)
}

func TestLocateBorderRule(t *testing.T) {
	sq := func(code string, x, y float64) Area {
		return Area{Code: code, Geom: geom.NewPolygonXY([]float64{x, y, x + 1, y, x + 1, y + 1, x, y + 1, x, y}).AsGeometry()}
	}
	// 2×2 squares: SW=4, SE=3, NW=2, NE=1 (codes unrelated to position).
	ix := mustIndex(t, []Area{sq("4", 0, 0), sq("3", 1, 0), sq("2", 0, 1), sq("1", 1, 1)})
	tests := []struct {
		name   string
		x, y   float64
		code   string
		inside bool
	}{
		{"interior SW", 0.5, 0.5, "4", true},
		{"vertical border goes east", 1, 0.5, "3", true},
		{"vertical border north half goes east", 1, 1.5, "1", true},
		{"horizontal border goes north", 0.5, 1, "2", true},
		{"horizontal border east half goes north", 1.5, 1, "1", true},
		{"centre vertex goes north-east", 1, 1, "1", true},
		{"west outer edge inside", 0, 0.5, "4", true},
		{"south outer edge inside", 0.5, 0, "4", true},
		{"SW corner inside", 0, 0, "4", true},
		{"east outer edge outside", 2, 0.5, "", false},
		{"north outer edge outside", 0.5, 2, "", false},
		{"mid-south vertex goes east", 1, 0, "3", true},
		{"mid-west vertex goes north", 0, 1, "2", true},
		{"outside", -1, -1, "", false},
		{"far outside", 100, 100, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, ok := ix.Locate(tt.x, tt.y)
			if code != tt.code || ok != tt.inside {
				t.Errorf("Locate(%v, %v) = %q, %v; want %q, %v", tt.x, tt.y, code, ok, tt.code, tt.inside)
			}
		})
	}
}

func TestLocateOverlapLowestCodeWins(t *testing.T) {
	a := Area{Code: "110105001001002", Geom: geom.NewPolygonXY([]float64{0, 0, 2, 0, 2, 2, 0, 2, 0, 0}).AsGeometry()}
	b := Area{Code: "110105001001001", Geom: geom.NewPolygonXY([]float64{1, 1, 3, 1, 3, 3, 1, 3, 1, 1}).AsGeometry()}
	for _, order := range [][]Area{{a, b}, {b, a}} {
		ix := mustIndex(t, order)
		for _, tt := range []struct {
			x, y float64
			want string
		}{{1.5, 1.5, "110105001001001"}, {0.5, 0.5, "110105001001002"}, {2.5, 2.5, "110105001001001"}} {
			if got, _ := ix.Locate(tt.x, tt.y); got != tt.want {
				t.Errorf("Locate(%v, %v) = %s, want %s", tt.x, tt.y, got, tt.want)
			}
		}
	}
}

func TestLocateMultiPolygonAndHole(t *testing.T) {
	mp := geom.NewMultiPolygonXY(
		[][]float64{{0, 0, 4, 0, 4, 4, 0, 4, 0, 0}, {1, 1, 1, 3, 3, 3, 3, 1, 1, 1}},
		[][]float64{{10, 10, 11, 10, 11, 11, 10, 10}},
	).AsGeometry()
	ix := mustIndex(t, []Area{{Code: "A", Geom: mp}})
	for _, tt := range []struct {
		x, y float64
		ok   bool
	}{{0.5, 0.5, true}, {2, 2, false}, {10.8, 10.2, true}, {10.2, 10.8, false}, {5, 5, false}} {
		if _, ok := ix.Locate(tt.x, tt.y); ok != tt.ok {
			t.Errorf("Locate(%v, %v) ok=%v, want %v", tt.x, tt.y, ok, tt.ok)
		}
	}
}

func TestNewIndexErrors(t *testing.T) {
	sq := geom.NewPolygonXY([]float64{0, 0, 1, 0, 1, 1, 0, 0}).AsGeometry()
	tests := []struct {
		name  string
		areas []Area
	}{
		{"empty code", []Area{{Code: "", Geom: sq}}},
		{"duplicate code", []Area{{Code: "1", Geom: sq}, {Code: "1", Geom: sq}}},
		{"point", []Area{{Code: "1", Geom: geom.NewPointXY(1, 2).AsGeometry()}}},
		{"empty polygon", []Area{{Code: "1", Geom: geom.Polygon{}.AsGeometry()}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewIndex(tt.areas); err == nil {
				t.Error("no error")
			}
		})
	}
	ix := mustIndex(t, nil)
	if _, ok := ix.Locate(0, 0); ok || ix.Len() != 0 {
		t.Error("empty index located something")
	}
}

func TestLocateAllocationFree(t *testing.T) {
	tl := buildTiling(20, 1)
	ix := mustIndex(t, tl.areas)
	x, y := (tl.minX+tl.maxX)/2, (tl.minY+tl.maxY)/2
	if n := testing.AllocsPerRun(1000, func() { ix.Locate(x, y); ix.Locate(0, 0) }); n != 0 {
		t.Errorf("Locate allocates %v times per call", n)
	}
}

func TestLocateConcurrent(t *testing.T) {
	tl := buildTiling(20, 1)
	ix := mustIndex(t, tl.areas)
	r := rand.New(rand.NewPCG(5, 6))
	pts := randomPoints(r, tl, 2000)
	want := make([]string, len(pts))
	for i, p := range pts {
		want[i], _ = ix.Locate(p.X, p.Y)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i, p := range pts {
				if got, _ := ix.Locate(p.X, p.Y); got != want[i] {
					t.Errorf("concurrent Locate(%v) = %s, want %s", p, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

func randomPoints(r *rand.Rand, tl tiling, n int) []geom.XY {
	pts := make([]geom.XY, n)
	for i := range pts {
		pts[i] = geom.XY{X: tl.minX + r.Float64()*(tl.maxX-tl.minX), Y: tl.minY + r.Float64()*(tl.maxY-tl.minY)}
	}
	return pts
}

var sinkCode string

// BenchmarkLocate: the indexed lookup over the synthetic district (~440
// grids), random points inside it.
func BenchmarkLocate(b *testing.B) {
	tl := buildTiling(20, 1)
	ix := mustIndex(b, tl.areas)
	pts := randomPoints(rand.New(rand.NewPCG(9, 9)), tl, 1<<16)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		p := pts[i&(len(pts)-1)]
		sinkCode, _ = ix.Locate(p.X, p.Y)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "lookups/s")
	b.ReportMetric(float64(len(tl.areas)), "grids")
}

// BenchmarkLocateVsBruteForce measures, in the same run and on the same
// random points, the indexed Locate and the anchor: a brute-force scan
// applying the same exact point-in-polygon test to every grid in turn (no
// bounding-box filter). One op is 32 indexed lookups of distinct points plus
// one scan lookup of one of them; it reports both speeds and their ratio.
func BenchmarkLocateVsBruteForce(b *testing.B) {
	const batch = 32
	tl := buildTiling(20, 1)
	ix := mustIndex(b, tl.areas)
	pts := randomPoints(rand.New(rand.NewPCG(9, 9)), tl, 1<<14)
	var tIndex, tScan time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		off := (i * batch) & (len(pts) - 1)
		block := pts[off : off+batch]
		t0 := time.Now()
		for _, p := range block {
			sinkCode, _ = ix.Locate(p.X, p.Y)
		}
		t1 := time.Now()
		p := block[i%batch]
		sinkCode, _ = ix.locateScan(p.X, p.Y)
		tScan += time.Since(t1)
		tIndex += t1.Sub(t0)
	}
	indexPerSec := float64(batch*b.N) / tIndex.Seconds()
	scanPerSec := float64(b.N) / tScan.Seconds()
	b.ReportMetric(indexPerSec, "index-lookups/s")
	b.ReportMetric(scanPerSec, "scan-lookups/s")
	b.ReportMetric(indexPerSec/scanPerSec, "ratio-vs-scan")
}
