// Package geo holds the pure geometry of wangge: datum conversion between
// WGS-84 and GCJ-02, GeoJSON import/export of area boundaries with
// validation, the in-memory locate index over grid polygons, the coverage
// check, proposed grids of about N households ([ProposePartition]: weighted
// bisection of the buildings, Voronoi cells clipped to the community; see
// partition.go), the map colouring that keeps neighbours apart
// ([Colours], [ColourPolygons]; see colour.go), and region-code helpers.
// It touches no database and no network; drawing areas as SVG for a page
// is its subpackage svg.
//
// # Locate and the border rule
//
// [Index.Locate] finds the grid whose polygon contains a point: an R-tree over
// the polygons' bounding boxes gives the candidates, then an exact
// crossing-number (ray casting) test decides. Every point, including one lying
// exactly on a border or on a vertex shared by several grids, gets at most one
// grid, by this deterministic rule:
//
//  1. Half-open edges. A point belongs to a polygon when the point nudged an
//     infinitesimal step east (towards larger longitude), and then an even
//     smaller step north (larger latitude), lies inside it. So a point on a
//     north–south (or any non-horizontal) shared border belongs to the grid
//     east of the border; a point on an east–west border belongs to the grid
//     north of it; a vertex shared by several grids belongs to the grid
//     that covers the area just east (then north) of it. Points on a grid's
//     outer border facing no other grid belong to it only on its west and
//     south sides.
//     Implementation: a ray is cast towards +x; an edge is counted when its
//     y-range is half-open [ymin, ymax) around the point's y and the point
//     is strictly left of it; horizontal edges never count. Each edge is
//     evaluated from its lower endpoint, so two grids sharing an edge (same
//     two vertices, in either direction) compute bit-identical answers and
//     never both claim, nor both refuse, a point on it.
//  2. Lowest code. If several grids still claim the point (only possible
//     when the input overlaps, or when neighbours do not share vertices
//     exactly, e.g. a T-junction), the grid with the lowest code wins.
//
// Holes are handled by the same parity test, so a point in a hole belongs to
// the grid filling the hole, if any.
package geo
