package synth

import (
	"strings"
	"testing"
)

// TestGridBoundsNameStreetsAlike: the four bounds (四至) of neighbouring
// grids name their common side alike — one street when the side lies on a
// community's edge, the neighbour grid inside a community — so a map can
// draw each street as one line; buildings have their addresses on streets.
func TestGridBoundsNameStreetsAlike(t *testing.T) {
	for _, scale := range []float64{0.1, 1} {
		p := newPlan(Config{Seed: 11, Scale: scale})
		names := map[string]bool{}
		for _, g := range p.grids {
			names[g.name] = true
		}
		shared := 0
		for i := range p.grids {
			g := &p.grids[i]
			for _, s := range g.addrStreets {
				if names[s] || !(strings.HasSuffix(s, "街") || strings.HasSuffix(s, "路")) {
					t.Fatalf("grid %s has addresses on %q", g.code, s)
				}
			}
			for j := range p.grids {
				h := &p.grids[j]
				// h lies east of g and they share part of a side.
				if h.rect.MinLng != g.rect.MaxLng || min(g.rect.MaxLat, h.rect.MaxLat) <= max(g.rect.MinLat, h.rect.MinLat) {
					continue
				}
				shared++
				if g.comm == h.comm {
					if g.streets[0] != h.name && !names[g.streets[0]] {
						t.Errorf("scale %v: %s's east bound %q is no grid, its neighbour is %s", scale, g.name, g.streets[0], h.name)
					}
				} else if g.streets[0] != h.streets[1] || names[g.streets[0]] {
					t.Errorf("scale %v: %s east %q, %s west %q: want one street", scale, g.name, g.streets[0], h.name, h.streets[1])
				}
			}
		}
		if shared == 0 {
			t.Fatalf("scale %v: no neighbours", scale)
		}
	}
}
