package geo

import (
	"container/heap"
	"fmt"
	"slices"

	"github.com/peterstace/simplefeatures/geom"
)

// Map colouring: the map pages and the proposal picture fill each grid
// with one of a few colours so that neighbours differ.
//
// Two polygons are neighbours when they share a stretch of border (of
// positive length) or overlap; polygons that only touch at a corner, or
// at isolated points, are not, as in the four-colour theorem — on the
// page a corner is no border, and counting corners would make a plain
// grid of squares need four colours instead of two. This is also what
// [ProposePartition] reports as a group's Neighbours.
//
// Colours are chosen greedily in smallest-last order (the degeneracy
// order of Matula and Beck): the polygon with the fewest neighbours left
// is set aside last-coloured, repeatedly, and the colouring runs in the
// reverse order, each polygon taking the lowest colour none of its
// coloured neighbours has. A map whose polygons only share borders has a
// planar neighbour graph, in which some vertex always has at most five
// neighbours left, so six colours always suffice in this order (and
// usually three or four are used); largest-first or input order do not
// guarantee that. Ties go to the lower index, so the result is the same
// every time.

// Neighbours returns, for each polygon, the indices (ascending) of the
// polygons it shares a border with or overlaps. Empty geometries have no
// neighbours.
func Neighbours(polys []geom.Geometry) ([][]int, error) {
	nb := make([][]int, len(polys))
	envs := make([]geom.Envelope, len(polys))
	var order []int
	for i, g := range polys {
		if g.IsEmpty() {
			continue
		}
		envs[i] = g.Envelope()
		order = append(order, i)
	}
	minX := func(i int) float64 { xy, _ := envs[i].Min().XY(); return xy.X }
	maxX := func(i int) float64 { xy, _ := envs[i].Max().XY(); return xy.X }
	// A sweep from west to east: only polygons whose boxes overlap in
	// longitude are compared exactly.
	slices.SortStableFunc(order, func(a, b int) int {
		switch xa, xb := minX(a), minX(b); {
		case xa < xb:
			return -1
		case xa > xb:
			return 1
		}
		return 0
	})
	for k, i := range order {
		for _, j := range order[k+1:] {
			if minX(j) > maxX(i) {
				break
			}
			if !envs[i].Intersects(envs[j]) {
				continue
			}
			ok, err := neighbourly(polys[i], polys[j])
			if err != nil {
				return nil, fmt.Errorf("geo: neighbours %d and %d: %w", i, j, err)
			}
			if ok {
				nb[i] = append(nb[i], j)
				nb[j] = append(nb[j], i)
			}
		}
	}
	for i := range nb {
		slices.Sort(nb[i])
	}
	return nb, nil
}

// neighbourly reports whether two polygons overlap (their interiors
// meet) or share a line of border (their boundaries meet in dimension 1).
func neighbourly(a, b geom.Geometry) (bool, error) {
	m, err := geom.Relate(a, b)
	if err != nil {
		return false, err
	}
	return m[0] != 'F' || m[4] == '1', nil
}

// Colours gives each of len(neighbours) vertices a colour in [0, palette)
// so that neighbours differ (see the order above). neighbours[i] lists
// i's neighbours; the lists need not be symmetric (an edge listed on
// either side counts) and an index may repeat or name i itself. Only when
// a vertex already has neighbours of every colour — possible only for
// overlapping polygons, or a palette under six — does it take the colour
// fewest of them have (the lowest on a tie), so the clash is as small as
// can be. It panics when palette < 1 or an index is out of range.
func Colours(neighbours [][]int, palette int) []int {
	if palette < 1 {
		panic("geo: Colours: palette < 1")
	}
	n := len(neighbours)
	adj := make([][]int, n)
	for i, js := range neighbours {
		for _, j := range js {
			if j < 0 || j >= n {
				panic(fmt.Sprintf("geo: Colours: neighbour %d of %d out of range", j, i))
			}
			if j != i {
				adj[i] = append(adj[i], j)
				adj[j] = append(adj[j], i)
			}
		}
	}
	for i := range adj {
		slices.Sort(adj[i])
		adj[i] = slices.Compact(adj[i])
	}

	// Smallest-last order, with a heap of (neighbours left, index).
	left := make([]int, n)
	h := make(degreeHeap, 0, n)
	for i := range adj {
		left[i] = len(adj[i])
		h = append(h, [2]int{left[i], i})
	}
	heap.Init(&h)
	removed := make([]bool, n)
	order := make([]int, 0, n)
	for h.Len() > 0 {
		e := heap.Pop(&h).([2]int)
		i := e[1]
		if removed[i] || e[0] != left[i] {
			continue // a stale entry
		}
		removed[i] = true
		order = append(order, i)
		for _, j := range adj[i] {
			if !removed[j] {
				left[j]--
				heap.Push(&h, [2]int{left[j], j})
			}
		}
	}

	colours := make([]int, n)
	for i := range colours {
		colours[i] = -1
	}
	used := make([]int, palette)
	for k := len(order) - 1; k >= 0; k-- {
		i := order[k]
		clear(used)
		for _, j := range adj[i] {
			if c := colours[j]; c >= 0 {
				used[c]++
			}
		}
		best := 0
		for c := range used {
			if used[c] < used[best] {
				best = c
			}
			if used[c] == 0 {
				best = c
				break
			}
		}
		colours[i] = best
	}
	return colours
}

// ColourPolygons colours polygons so that neighbours (see [Neighbours])
// get different colours in [0, palette).
func ColourPolygons(polys []geom.Geometry, palette int) ([]int, error) {
	nb, err := Neighbours(polys)
	if err != nil {
		return nil, err
	}
	return Colours(nb, palette), nil
}

// degreeHeap is a min-heap of (neighbours left, index) pairs.
type degreeHeap [][2]int

func (h degreeHeap) Len() int { return len(h) }
func (h degreeHeap) Less(a, b int) bool {
	if h[a][0] != h[b][0] {
		return h[a][0] < h[b][0]
	}
	return h[a][1] < h[b][1]
}
func (h degreeHeap) Swap(a, b int) { h[a], h[b] = h[b], h[a] }
func (h *degreeHeap) Push(x any)   { *h = append(*h, x.([2]int)) }
func (h *degreeHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
