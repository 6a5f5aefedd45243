package geo

import (
	"math"

	"github.com/peterstace/simplefeatures/geom"
)

// A grid's service area names its four bounds (四至: 东至…，西至…): the
// streets along its east, west, south and north sides. FacingEdges finds
// those sides on the outline, so a map can draw the named streets from the
// outlines and the service areas alone.

// Side is the compass direction a part of a boundary faces.
type Side int

const (
	East Side = iota
	West
	South
	North
)

// Segment is a straight line from A to B, WGS-84 [lng, lat].
type Segment struct{ A, B [2]float64 }

// FacingEdges returns the edges of the outer rings of a polygon or
// multipolygon whose outward normal points within 45° of side.
func FacingEdges(g geom.Geometry, side Side) []Segment {
	var polys []geom.Polygon
	switch g.Type() {
	case geom.TypePolygon:
		polys = []geom.Polygon{g.MustAsPolygon()}
	case geom.TypeMultiPolygon:
		mp := g.MustAsMultiPolygon()
		for j := range mp.NumPolygons() {
			polys = append(polys, mp.PolygonN(j))
		}
	}
	var out []Segment
	for _, p := range polys {
		seq := p.ExteriorRing().Coordinates()
		n := seq.Length()
		// The signed area tells which way the ring runs, so which side of
		// an edge is outside.
		area := 0.0
		for k := 0; k+1 < n; k++ {
			a, b := seq.GetXY(k), seq.GetXY(k+1)
			area += a.X*b.Y - b.X*a.Y
		}
		turn := 1.0
		if area < 0 {
			turn = -1
		}
		for k := 0; k+1 < n; k++ {
			a, b := seq.GetXY(k), seq.GetXY(k+1)
			c := math.Cos((a.Y + b.Y) / 2 * math.Pi / 180)
			nx, ny := (b.Y-a.Y)*turn, -(b.X-a.X)*c*turn // outward normal
			var faces bool
			switch side {
			case East:
				faces = nx > math.Abs(ny)
			case West:
				faces = -nx > math.Abs(ny)
			case North:
				faces = ny > math.Abs(nx)
			case South:
				faces = -ny > math.Abs(nx)
			}
			if faces {
				out = append(out, Segment{A: [2]float64{a.X, a.Y}, B: [2]float64{b.X, b.Y}})
			}
		}
	}
	return out
}

// MergeSegments drops repeated segments (the shared side of two
// neighbours, in either direction) and joins segments that meet end to end
// in the same direction, so a street along several grids is one line.
func MergeSegments(segs []Segment) []Segment {
	key := func(p [2]float64) [2]int64 {
		return [2]int64{int64(math.Round(p[0] * 1e7)), int64(math.Round(p[1] * 1e7))}
	}
	seen := map[[2][2]int64]bool{}
	var out []Segment
	for _, s := range segs {
		a, b := key(s.A), key(s.B)
		if a == b || seen[[2][2]int64{a, b}] || seen[[2][2]int64{b, a}] {
			continue
		}
		seen[[2][2]int64{a, b}] = true
		out = append(out, s)
	}
	collinear := func(s, t Segment) bool {
		ux, uy := s.B[0]-s.A[0], s.B[1]-s.A[1]
		vx, vy := t.B[0]-t.A[0], t.B[1]-t.A[1]
		cross := ux*vy - uy*vx
		return math.Abs(cross) <= 1e-9*math.Hypot(ux, uy)*math.Hypot(vx, vy) && ux*vx+uy*vy > 0
	}
	for merged := true; merged; {
		merged = false
		for i := 0; i < len(out) && !merged; i++ {
			for j := 0; j < len(out) && !merged; j++ {
				if i == j {
					continue
				}
				s, t := out[i], out[j]
				if key(t.B) == key(s.A) || key(t.A) == key(s.B) || key(t.A) == key(s.A) || key(t.B) == key(s.B) {
					if !collinear(s, t) { // maybe t runs the other way
						t = Segment{A: t.B, B: t.A}
						if !collinear(s, t) {
							continue
						}
					}
					switch {
					case key(s.B) == key(t.A):
						out[i] = Segment{A: s.A, B: t.B}
					case key(t.B) == key(s.A):
						out[i] = Segment{A: t.A, B: s.B}
					default:
						continue
					}
					out = append(out[:j], out[j+1:]...)
					merged = true
				}
			}
		}
	}
	return out
}
