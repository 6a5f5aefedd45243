// Package svg draws areas as an SVG picture for a page: polygons filled
// by colour index, outlines, dots and text labels, in metres on a local
// projection, north up, so the picture needs no script, no tiles and no
// map library. The proposal page draws a community's proposed grids with
// it.
//
// It is a package of its own rather than part of geo because it is
// presentation — classes, titles, text for people — while geo is
// geometry; only the HTTP side imports it.
//
// The picture carries presentation attributes and classes only (no style
// attributes, which the pages' content security policy refuses); the
// style sheet gives the classes their strokes and fills. Every text and
// attribute value is escaped, so names from the data cannot inject markup.
package svg

import (
	"fmt"
	"html"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/peterstace/simplefeatures/geom"
)

// Picture is what Draw draws, in this order: shapes, dots, labels, the
// scale bar. Lengths given as fractions are of the frame's larger side,
// so the picture reads the same whatever the area's size.
type Picture struct {
	Class string        // the <svg> element's class
	Title string        // its accessible name
	Frame geom.Geometry // what the view box fits, with a 3% margin

	// FillClass names the fill colours: a shape with Colour c ≥ 0 gets the
	// class FillClass+c (as "pg3"), which the style sheet fills.
	FillClass string
	Shapes    []Shape
	Dots      []Dot
	DotRadius float64 // fraction
	Labels    []Label

	// ScaleLabel, when set, adds a scale bar of a round length about a
	// fifth of the frame's width, labelled ScaleLabel(metres).
	ScaleLabel func(metres string) string
	ScaleClass string // the bar's class; its label's is ScaleClass+"-label"
}

// Shape is a polygonal geometry (Polygon, MultiPolygon, or the polygons
// of a collection; other parts are not drawn), drawn even-odd so holes
// stay open.
type Shape struct {
	Geom   geom.Geometry
	Class  string
	Colour int               // a fill colour index, or −1 for none
	Data   map[string]string // data-KEY="VALUE" attributes; keys are [a-z0-9-]
	Title  string            // a tooltip, "" for none
}

// Dot is a point, drawn as a circle.
type Dot struct {
	Lng, Lat     float64
	Class, Title string
}

// Label is a text centred on a point.
type Label struct {
	Lng, Lat float64
	Class    string
	Text     string
	Size     float64 // font size, fraction
	Down     float64 // how far below the point the baseline sits, fraction
}

// scaleSize is the scale label's font size, fraction.
const scaleSize = 1.0 / 48

// projection maps WGS-84 to metres east of the frame's west side and
// south of its north side: equirectangular at the frame's middle
// latitude, exact enough for a community-sized picture.
type projection struct {
	west, north, kx float64
}

const metresPerDegree = 6371008.8 * math.Pi / 180

func (p projection) xy(lng, lat float64) (float64, float64) {
	return (lng - p.west) * p.kx, (p.north - lat) * metresPerDegree
}

// num writes a coordinate to a tenth of a metre.
func num(v float64) string {
	v = math.Round(v*10) / 10
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// Draw returns the picture as an <svg> element. A picture whose frame is
// empty is an empty drawing with a unit view box.
func Draw(p Picture) string {
	var w, h float64
	var pr projection
	if !p.Frame.IsEmpty() {
		env := p.Frame.Envelope()
		lo, _ := env.Min().XY()
		hi, _ := env.Max().XY()
		pr = projection{west: lo.X, north: hi.Y, kx: metresPerDegree * math.Cos((lo.Y+hi.Y)/2*math.Pi/180)}
		w, h = (hi.X-lo.X)*pr.kx, (hi.Y-lo.Y)*metresPerDegree
	}
	size := max(w, h)
	if size == 0 {
		size = 1
	}
	pad := 0.03 * size
	esc := html.EscapeString

	var b strings.Builder
	b.WriteString(`<svg`)
	if p.Class != "" {
		fmt.Fprintf(&b, ` class="%s"`, esc(p.Class))
	}
	fmt.Fprintf(&b, ` xmlns="http://www.w3.org/2000/svg" viewBox="%s %s %s %s" preserveAspectRatio="xMidYMid meet" role="img"`,
		num(-pad), num(-pad), num(w+2*pad), num(h+2*pad))
	if p.Title != "" {
		fmt.Fprintf(&b, ` aria-label="%s"><title>%s</title>`, esc(p.Title), esc(p.Title))
	} else {
		b.WriteString(`>`)
	}
	for _, s := range p.Shapes {
		d := pathOf(pr, s.Geom)
		if d == "" {
			continue
		}
		class := s.Class
		if s.Colour >= 0 && p.FillClass != "" {
			class = strings.TrimSpace(class + " " + p.FillClass + strconv.Itoa(s.Colour))
		}
		b.WriteString("\n<path")
		if class != "" {
			fmt.Fprintf(&b, ` class="%s"`, esc(class))
		}
		keys := make([]string, 0, len(s.Data))
		for k := range s.Data {
			if !dataKey(k) {
				panic(fmt.Sprintf("svg: data attribute name %q", k))
			}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, ` data-%s="%s"`, k, esc(s.Data[k]))
		}
		fmt.Fprintf(&b, ` d="%s" fill-rule="evenodd" vector-effect="non-scaling-stroke"`, d)
		if s.Title != "" {
			fmt.Fprintf(&b, `><title>%s</title></path>`, esc(s.Title))
		} else {
			b.WriteString(`/>`)
		}
	}
	r := num(p.DotRadius * size)
	for _, d := range p.Dots {
		x, y := pr.xy(d.Lng, d.Lat)
		b.WriteString("\n<circle")
		if d.Class != "" {
			fmt.Fprintf(&b, ` class="%s"`, esc(d.Class))
		}
		fmt.Fprintf(&b, ` cx="%s" cy="%s" r="%s"`, num(x), num(y), r)
		if d.Title != "" {
			fmt.Fprintf(&b, `><title>%s</title></circle>`, esc(d.Title))
		} else {
			b.WriteString(`/>`)
		}
	}
	for _, l := range p.Labels {
		x, y := pr.xy(l.Lng, l.Lat)
		b.WriteString("\n<text")
		if l.Class != "" {
			fmt.Fprintf(&b, ` class="%s"`, esc(l.Class))
		}
		fmt.Fprintf(&b, ` x="%s" y="%s" font-size="%s" text-anchor="middle">%s</text>`, num(x), num(y+l.Down*size), num(l.Size*size), esc(l.Text))
	}
	if p.ScaleLabel != nil && w > 0 {
		bar := 1.0
		for _, m := range []float64{10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000} {
			if m <= w/5 {
				bar = m
			}
		}
		by := h + pad/2
		fmt.Fprintf(&b, "\n<path class=\"%s\" d=\"M0 %s L%s %s\" vector-effect=\"non-scaling-stroke\"/>", esc(p.ScaleClass), num(by), num(bar), num(by))
		fmt.Fprintf(&b, "\n<text class=\"%s\" x=\"%s\" y=\"%s\" font-size=\"%s\">%s</text>", esc(p.ScaleClass+"-label"),
			num(bar+size/80), num(by+size/150), num(scaleSize*size), esc(p.ScaleLabel(strconv.FormatFloat(bar, 'f', -1, 64))))
	}
	b.WriteString("\n</svg>")
	return b.String()
}

// pathOf writes the polygons of g as path data, each ring closed.
func pathOf(pr projection, g geom.Geometry) string {
	if g.IsEmpty() {
		return ""
	}
	var b strings.Builder
	for _, part := range g.Dump() {
		poly, ok := part.AsPolygon()
		if !ok {
			continue
		}
		for _, ring := range poly.DumpRings() {
			seq := ring.Coordinates()
			for i := range seq.Length() {
				x, y := pr.xy(seq.GetXY(i).X, seq.GetXY(i).Y)
				if i == 0 {
					b.WriteString("M")
				} else {
					b.WriteString(" L")
				}
				b.WriteString(num(x) + " " + num(y))
			}
			b.WriteString(" Z ")
		}
	}
	return strings.TrimSpace(b.String())
}

// dataKey reports whether k may follow "data-" in an attribute name.
func dataKey(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range k {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
