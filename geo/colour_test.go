package geo

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/peterstace/simplefeatures/geom"
)

// poly builds a polygon from rings of (lng, lat) pairs.
func poly(t *testing.T, rings ...[]geom.XY) geom.Geometry {
	t.Helper()
	var rs []geom.LineString
	for _, r := range rings {
		flat := make([]float64, 0, 2*len(r)+2)
		for _, p := range append(r, r[0]) {
			flat = append(flat, p.X, p.Y)
		}
		rs = append(rs, geom.NewLineString(geom.NewSequence(flat, geom.DimXY)))
	}
	p := geom.NewPolygon(rs)
	if err := p.Validate(); err != nil {
		t.Fatalf("test polygon: %v", err)
	}
	return p.AsGeometry()
}

// cell is the square of a grid of 100 m-ish squares at column i, row j;
// neighbours compute their shared corners from the same integers, so
// they share bit-identical vertices.
func cell(t *testing.T, i, j int) geom.Geometry {
	const x0, y0, d = 113.1, 36.19, 0.001
	x := func(i int) float64 { return x0 + float64(i)*d }
	y := func(j int) float64 { return y0 + float64(j)*d }
	return poly(t, []geom.XY{{X: x(i), Y: y(j)}, {X: x(i + 1), Y: y(j)}, {X: x(i + 1), Y: y(j + 1)}, {X: x(i), Y: y(j + 1)}})
}

// wheel returns k wedges around a hub (the hub last when withHub): the
// ring's wedges border the two beside them and the hub.
func wheel(t *testing.T, k int, withHub bool) []geom.Geometry {
	inner, outer := make([]geom.XY, k), make([]geom.XY, k)
	for i := range k {
		a := 2 * math.Pi * float64(i) / float64(k)
		inner[i] = geom.XY{X: 113.1 + 0.001*math.Cos(a), Y: 36.19 + 0.001*math.Sin(a)}
		outer[i] = geom.XY{X: 113.1 + 0.003*math.Cos(a), Y: 36.19 + 0.003*math.Sin(a)}
	}
	var out []geom.Geometry
	for i := range k {
		n := (i + 1) % k
		out = append(out, poly(t, []geom.XY{inner[i], outer[i], outer[n], inner[n]}))
	}
	if withHub {
		out = append(out, poly(t, inner))
	}
	return out
}

// checkProper fails when two neighbours share a colour or a colour is
// outside the palette, and returns how many colours were used.
func checkProper(t *testing.T, nb [][]int, colours []int, palette int) int {
	t.Helper()
	if len(colours) != len(nb) {
		t.Fatalf("%d colours for %d polygons", len(colours), len(nb))
	}
	seen := map[int]bool{}
	for i, js := range nb {
		if colours[i] < 0 || colours[i] >= palette {
			t.Errorf("polygon %d: colour %d outside the palette of %d", i, colours[i], palette)
		}
		seen[colours[i]] = true
		for _, j := range js {
			if colours[i] == colours[j] {
				t.Errorf("neighbours %d and %d share colour %d", i, j, colours[i])
			}
		}
	}
	return len(seen)
}

// TestColourPolygonsNeighboursDiffer: on the shapes a map is made of,
// polygons sharing a border or overlapping are neighbours and get
// different colours, corner-only contact is no border, and no more
// colours are used than the shape needs.
func TestColourPolygonsNeighboursDiffer(t *testing.T) {
	squares := func(cols, rows int) []geom.Geometry {
		var out []geom.Geometry
		for j := range rows {
			for i := range cols {
				out = append(out, cell(t, i, j))
			}
		}
		return out
	}
	chain := []geom.Geometry{cell(t, 0, 0), cell(t, 1, 0), cell(t, 2, 0), cell(t, 3, 0), cell(t, 4, 0)}
	tests := []struct {
		name    string
		polys   []geom.Geometry
		edges   [][2]int // exactly the neighbour pairs expected
		colours int      // how many colours the colouring uses
	}{
		{"empty input", nil, nil, 0},
		{"one polygon", []geom.Geometry{cell(t, 0, 0)}, nil, 1},
		{"chain", chain, [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}}, 2},
		{"even ring", wheel(t, 6, false), [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {0, 5}}, 2},
		{"odd ring", wheel(t, 5, false), [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {0, 4}}, 3},
		{"wheel with an odd rim", wheel(t, 5, true),
			[][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {0, 4}, {0, 5}, {1, 5}, {2, 5}, {3, 5}, {4, 5}}, 4},
		{"wheel with an even rim", wheel(t, 4, true),
			[][2]int{{0, 1}, {1, 2}, {2, 3}, {0, 3}, {0, 4}, {1, 4}, {2, 4}, {3, 4}}, 3},
		// 0 1
		// 2 3: 0–3 and 1–2 only touch at the centre corner.
		{"grid of squares", squares(2, 2), [][2]int{{0, 1}, {0, 2}, {1, 3}, {2, 3}}, 2},
		// A T-junction: the left square's east edge has no vertex where
		// the two on its right meet, yet it borders both.
		{"T-junction", []geom.Geometry{
			poly(t, []geom.XY{{X: 113.100, Y: 36.190}, {X: 113.102, Y: 36.190}, {X: 113.102, Y: 36.192}, {X: 113.100, Y: 36.192}}),
			poly(t, []geom.XY{{X: 113.102, Y: 36.191}, {X: 113.104, Y: 36.191}, {X: 113.104, Y: 36.192}, {X: 113.102, Y: 36.192}}),
			poly(t, []geom.XY{{X: 113.102, Y: 36.190}, {X: 113.104, Y: 36.190}, {X: 113.104, Y: 36.191}, {X: 113.102, Y: 36.191}})},
			[][2]int{{0, 1}, {0, 2}, {1, 2}}, 3},
		{"squares touching only at a corner", []geom.Geometry{cell(t, 0, 0), cell(t, 1, 1)}, nil, 1},
		{"overlapping squares", []geom.Geometry{cell(t, 0, 0), poly(t, []geom.XY{
			{X: 113.1005, Y: 36.1905}, {X: 113.1015, Y: 36.1905}, {X: 113.1015, Y: 36.1915}, {X: 113.1005, Y: 36.1915}})}, [][2]int{{0, 1}}, 2},
		{"square apart", []geom.Geometry{cell(t, 0, 0), cell(t, 2, 0)}, nil, 1},
		{"island in a hole", []geom.Geometry{
			poly(t, []geom.XY{{X: 113.0, Y: 36.0}, {X: 113.1, Y: 36.0}, {X: 113.1, Y: 36.1}, {X: 113.0, Y: 36.1}},
				[]geom.XY{{X: 113.04, Y: 36.04}, {X: 113.04, Y: 36.06}, {X: 113.06, Y: 36.06}, {X: 113.06, Y: 36.04}}),
			poly(t, []geom.XY{{X: 113.04, Y: 36.04}, {X: 113.06, Y: 36.04}, {X: 113.06, Y: 36.06}, {X: 113.04, Y: 36.06}})}, [][2]int{{0, 1}}, 2},
		{"empty geometry", []geom.Geometry{cell(t, 0, 0), geom.Polygon{}.AsGeometry(), cell(t, 1, 0)}, [][2]int{{0, 2}}, 2},
		{"grid of 8×6 squares", squares(8, 6), nil, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nb, err := Neighbours(tc.polys)
			if err != nil {
				t.Fatal(err)
			}
			if tc.edges != nil || len(tc.polys) < 4 {
				want := make([][]int, len(tc.polys))
				for _, e := range tc.edges {
					want[e[0]] = append(want[e[0]], e[1])
					want[e[1]] = append(want[e[1]], e[0])
				}
				for i := range want {
					slices.Sort(want[i])
					if !slices.Equal(nb[i], want[i]) {
						t.Errorf("neighbours of %d: %v, want %v", i, nb[i], want[i])
					}
				}
			}
			colours, err := ColourPolygons(tc.polys, 6)
			if err != nil {
				t.Fatal(err)
			}
			if n := checkProper(t, nb, colours, 6); n != tc.colours {
				t.Errorf("%d colours used (%v), want %d", n, colours, tc.colours)
			}
			again, _ := ColourPolygons(tc.polys, 6)
			if !slices.Equal(colours, again) {
				t.Errorf("not deterministic: %v then %v", colours, again)
			}
		})
	}
}

// TestColoursPlanarMapsNeedAtMostSix: any map whose neighbour graph is
// planar gets a proper colouring from a palette of six — the icosahedron
// (every vertex has five neighbours) and random triangulations, the
// densest planar graphs.
func TestColoursPlanarMapsNeedAtMostSix(t *testing.T) {
	ico := [][]int{
		{1, 2, 3, 4, 5}, {0, 2, 5, 6, 7}, {0, 1, 3, 7, 8}, {0, 2, 4, 8, 9}, {0, 3, 5, 9, 10}, {0, 1, 4, 6, 10},
		{1, 5, 7, 10, 11}, {1, 2, 6, 8, 11}, {2, 3, 7, 9, 11}, {3, 4, 8, 10, 11}, {4, 5, 6, 9, 11}, {6, 7, 8, 9, 10}}
	checkProper(t, ico, Colours(ico, 6), 6)

	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 50 {
		// Grow a triangulation: each new vertex goes into a random face
		// and joins its three corners; then random edge flips mix it.
		n := 4 + rng.IntN(120)
		edges := map[[2]int]bool{}
		add := func(a, b int) { edges[[2]int{min(a, b), max(a, b)}] = true }
		faces := [][3]int{{0, 1, 2}}
		add(0, 1)
		add(1, 2)
		add(0, 2)
		for v := 3; v < n; v++ {
			k := rng.IntN(len(faces))
			f := faces[k]
			add(v, f[0])
			add(v, f[1])
			add(v, f[2])
			faces[k] = [3]int{f[0], f[1], v}
			faces = append(faces, [3]int{f[1], f[2], v}, [3]int{f[0], f[2], v})
		}
		nb := make([][]int, n)
		for e := range edges {
			nb[e[0]] = append(nb[e[0]], e[1]) // one side only: Colours makes it symmetric
		}
		for i := range nb {
			slices.Sort(nb[i])
		}
		full := make([][]int, n)
		for e := range edges {
			full[e[0]] = append(full[e[0]], e[1])
			full[e[1]] = append(full[e[1]], e[0])
		}
		c := Colours(nb, 6)
		checkProper(t, full, c, 6)
		if t.Failed() {
			t.Fatalf("trial %d", trial)
		}
	}
}

// TestColoursPaletteExhausted: seven mutual neighbours (only possible
// with overlaps) and six colours: exactly one pair clashes.
func TestColoursPaletteExhausted(t *testing.T) {
	nb := make([][]int, 7)
	for i := range nb {
		for j := range nb {
			if j != i {
				nb[i] = append(nb[i], j)
			}
		}
	}
	c := Colours(nb, 6)
	clashes := 0
	for i := range c {
		if c[i] < 0 || c[i] >= 6 {
			t.Errorf("colour %d outside the palette", c[i])
		}
		for j := i + 1; j < len(c); j++ {
			if c[i] == c[j] {
				clashes++
			}
		}
	}
	if clashes != 1 {
		t.Errorf("%d clashing pairs in %v, want 1", clashes, c)
	}
}

// TestColoursToleratesUntidyLists: lists naming a vertex itself,
// repeating a neighbour or giving an edge on one side only colour the
// same as the tidy symmetric lists.
func TestColoursToleratesUntidyLists(t *testing.T) {
	tidy := [][]int{{1, 2}, {0, 2}, {0, 1, 3}, {2}}
	untidy := [][]int{{0, 1, 1, 2}, {}, {1, 3, 3}, {3}}
	a, b := Colours(tidy, 4), Colours(untidy, 4)
	if !slices.Equal(a, b) {
		t.Errorf("tidy %v, untidy %v", a, b)
	}
	checkProper(t, tidy, a, 4)
	defer func() {
		if recover() == nil {
			t.Error("an out-of-range neighbour did not panic")
		}
	}()
	Colours([][]int{{1}}, 4)
}
