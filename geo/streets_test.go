package geo

import (
	"testing"

	"github.com/peterstace/simplefeatures/geom"
)

func TestFacingEdgesFindTheSidesOfAnOutline(t *testing.T) {
	for _, ring := range []string{
		"POLYGON((0 0,2 0,2 1,0 1,0 0))", // counter-clockwise
		"POLYGON((0 0,0 1,2 1,2 0,0 0))", // clockwise
	} {
		g, err := geom.UnmarshalWKT(ring)
		if err != nil {
			t.Fatal(err)
		}
		want := map[Side][2][2]float64{
			East: {{2, 0}, {2, 1}}, West: {{0, 0}, {0, 1}}, South: {{0, 0}, {2, 0}}, North: {{0, 1}, {2, 1}},
		}
		for side, w := range want {
			got := FacingEdges(g, side)
			if len(got) != 1 || !sameEnds(got[0], Segment{A: w[0], B: w[1]}) {
				t.Errorf("%s side %d: %v, want %v", ring, side, got, w)
			}
		}
	}
}

func TestMergeSegmentsJoinsAStreetAlongNeighbours(t *testing.T) {
	got := MergeSegments([]Segment{
		{A: [2]float64{1, 0}, B: [2]float64{1, 1}},
		{A: [2]float64{1, 1}, B: [2]float64{1, 0}}, // the neighbour's side of the same edge
		{A: [2]float64{1, 2}, B: [2]float64{1, 1}},
		{A: [2]float64{1, 3}, B: [2]float64{1, 4}}, // a separate piece further north
		{A: [2]float64{1, 2}, B: [2]float64{3, 2}}, // a corner, not the same direction
	})
	if len(got) != 3 {
		t.Fatalf("merged into %v", got)
	}
	var long bool
	for _, s := range got {
		long = long || sameEnds(s, Segment{A: [2]float64{1, 0}, B: [2]float64{1, 2}})
	}
	if !long {
		t.Errorf("the two pieces along x=1 were not joined: %v", got)
	}
}

func sameEnds(s, t Segment) bool {
	return s.A == t.A && s.B == t.B || s.A == t.B && s.B == t.A
}
