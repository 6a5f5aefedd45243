package svg

import (
	"encoding/xml"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/peterstace/simplefeatures/geom"
)

func rect(x0, y0, x1, y1 float64) geom.Geometry {
	return geom.NewPolygonXY([]float64{x0, y0, x1, y0, x1, y1, x0, y1, x0, y0}).AsGeometry()
}

// elements parses the drawing as XML (so it must be well-formed) and
// returns its elements' attributes and texts in document order.
func elements(t *testing.T, s string) []element {
	t.Helper()
	var out []element
	d := xml.NewDecoder(strings.NewReader(s))
	var stack []int
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, s)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := element{Name: tok.Name.Local, Attr: map[string]string{}}
			for _, a := range tok.Attr {
				e.Attr[a.Name.Local] = a.Value
			}
			out = append(out, e)
			stack = append(stack, len(out)-1)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				out[stack[len(stack)-1]].Text += string(tok)
			}
		}
	}
	return out
}

type element struct {
	Name string
	Attr map[string]string
	Text string
}

func find(es []element, name, class string) []element {
	var out []element
	for _, e := range es {
		if e.Name == name && (class == "" || e.Attr["class"] == class) {
			out = append(out, e)
		}
	}
	return out
}

func floats(t *testing.T, s string) []float64 {
	t.Helper()
	var out []float64
	for _, f := range regexp.MustCompile(`-?[0-9.]+`).FindAllString(s, -1) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// TestDrawProjectsToMetresNorthUp: a frame 0.01° square at 36°N is about
// 900 m wide and 1,112 m high; the view box is that plus a 3% margin, its
// north-west corner is (0, 0) and y grows southwards.
func TestDrawProjectsToMetresNorthUp(t *testing.T) {
	frame := rect(113.10, 36.00, 113.11, 36.01)
	out := Draw(Picture{Class: "m", Frame: frame,
		Dots: []Dot{{Lng: 113.10, Lat: 36.01, Class: "nw"}, {Lng: 113.11, Lat: 36.00, Class: "se"}}})
	es := elements(t, out)
	w := 0.01 * 6371008.8 * math.Pi / 180 * math.Cos(36.005*math.Pi/180)
	h := 0.01 * 6371008.8 * math.Pi / 180
	pad := 0.03 * h
	vb := floats(t, es[0].Attr["viewBox"])
	want := []float64{-pad, -pad, w + 2*pad, h + 2*pad}
	for i := range want {
		if math.Abs(vb[i]-want[i]) > 0.06 {
			t.Errorf("viewBox %v, want about %v", vb, want)
			break
		}
	}
	nw, se := find(es, "circle", "nw")[0], find(es, "circle", "se")[0]
	if nw.Attr["cx"] != "0" || nw.Attr["cy"] != "0" {
		t.Errorf("the north-west corner at (%s, %s)", nw.Attr["cx"], nw.Attr["cy"])
	}
	if x, _ := strconv.ParseFloat(se.Attr["cx"], 64); math.Abs(x-w) > 0.06 {
		t.Errorf("the south-east corner at x = %v, want %v", x, w)
	}
	if y, _ := strconv.ParseFloat(se.Attr["cy"], 64); math.Abs(y-h) > 0.06 {
		t.Errorf("the south-east corner at y = %v, want %v", y, h)
	}
}

// TestDrawShapesColoursAndLabels: shapes are drawn in order with their
// colour as a fill class, their data attributes and tooltip; a polygon
// with a hole and a multipolygon keep every ring; empty shapes and
// non-polygonal parts are not drawn; labels sit at their point, sized
// relative to the frame; the scale bar is a round length.
func TestDrawShapesColoursAndLabels(t *testing.T) {
	frame := rect(113.10, 36.00, 113.11, 36.01)
	holed := geom.NewPolygonXY(
		[]float64{113.10, 36.00, 113.105, 36.00, 113.105, 36.01, 113.10, 36.01, 113.10, 36.00},
		[]float64{113.101, 36.001, 113.102, 36.001, 113.102, 36.002, 113.101, 36.001}).AsGeometry()
	multi := geom.NewMultiPolygon([]geom.Polygon{
		geom.NewPolygonXY([]float64{113.105, 36.00, 113.11, 36.00, 113.11, 36.005, 113.105, 36.00}),
		geom.NewPolygonXY([]float64{113.105, 36.006, 113.11, 36.006, 113.11, 36.01, 113.105, 36.006})}).AsGeometry()
	out := Draw(Picture{Class: "propose-map", Title: "示意图", Frame: frame, FillClass: "pg",
		Shapes: []Shape{
			{Geom: holed, Class: "pg", Colour: 2, Data: map[string]string{"grid": "1", "code": "140499001001001"}, Title: "第 1 网格"},
			{Geom: multi, Class: "pg pg-detached", Colour: 0},
			{Geom: geom.Polygon{}.AsGeometry(), Class: "empty", Colour: 1},
			{Geom: geom.NewPointXY(113.1, 36).AsGeometry(), Class: "point", Colour: 1},
			{Geom: frame, Class: "outline", Colour: -1},
		},
		Labels:     []Label{{Lng: 113.105, Lat: 36.005, Class: "n", Text: "1", Size: 0.05, Down: 0.1}},
		ScaleClass: "bar", ScaleLabel: func(m string) string { return m + " 米" }})
	es := elements(t, out)
	if es[0].Name != "svg" || es[0].Attr["class"] != "propose-map" || es[0].Attr["aria-label"] != "示意图" || es[1].Name != "title" || es[1].Text != "示意图" {
		t.Errorf("the svg element: %+v %+v", es[0], es[1])
	}
	paths := find(es, "path", "")
	var classes []string
	for _, p := range paths {
		classes = append(classes, p.Attr["class"])
	}
	if got := strings.Join(classes, ","); got != "pg pg2,pg pg-detached pg0,outline,bar" {
		t.Errorf("paths drawn: %s", got)
	}
	if tips := find(es, "title", ""); len(tips) != 2 || tips[1].Text != "第 1 网格" {
		t.Errorf("tooltips %+v", tips)
	}
	if p := paths[0]; p.Attr["data-grid"] != "1" || p.Attr["data-code"] != "140499001001001" ||
		strings.Count(p.Attr["d"], "M") != 2 || strings.Count(p.Attr["d"], "Z") != 2 || p.Attr["fill-rule"] != "evenodd" {
		t.Errorf("the holed shape: %+v", p)
	}
	if strings.Count(paths[1].Attr["d"], "M") != 2 {
		t.Errorf("the multipolygon: %s", paths[1].Attr["d"])
	}
	h := 0.01 * 6371008.8 * math.Pi / 180
	label := find(es, "text", "n")[0]
	y, _ := strconv.ParseFloat(label.Attr["y"], 64)
	size, _ := strconv.ParseFloat(label.Attr["font-size"], 64)
	if label.Text != "1" || math.Abs(y-(h/2+0.1*h)) > 0.1 || math.Abs(size-0.05*h) > 0.1 || label.Attr["text-anchor"] != "middle" {
		t.Errorf("label %+v, want y %.1f size %.1f", label, h/2+0.1*h, 0.05*h)
	}
	// 900 m wide: the longest round length within a fifth is 100 m.
	if bar := find(es, "path", "bar")[0]; !strings.HasPrefix(bar.Attr["d"], "M0 ") || !strings.Contains(bar.Attr["d"], " L100 ") {
		t.Errorf("scale bar %s", bar.Attr["d"])
	}
	if l := find(es, "text", "bar-label"); len(l) != 1 || l[0].Text != "100 米" {
		t.Errorf("scale label %+v", l)
	}
}

// TestDrawEscapesText: names from the data cannot break out of the
// drawing's text or attributes.
func TestDrawEscapesText(t *testing.T) {
	evil := `</title><script>alert("x")</script>&'`
	out := Draw(Picture{Class: `m" onload="x`, Title: evil, Frame: rect(113.1, 36, 113.11, 36.01),
		Shapes: []Shape{{Geom: rect(113.1, 36, 113.11, 36.01), Colour: -1, Title: evil, Data: map[string]string{"name": evil}}},
		Dots:   []Dot{{Lng: 113.105, Lat: 36.005, Class: "d", Title: evil}},
		Labels: []Label{{Lng: 113.105, Lat: 36.005, Text: evil, Size: 0.1}}})
	if strings.Contains(out, "<script") || strings.Contains(out, `" onload`) {
		t.Fatalf("markup escaped the drawing:\n%s", out)
	}
	es := elements(t, out)
	if es[0].Attr["class"] != `m" onload="x` || es[0].Attr["aria-label"] != evil {
		t.Errorf("svg attributes %+v", es[0].Attr)
	}
	texts := 0
	for _, e := range es {
		if e.Text == evil {
			texts++
		}
		if e.Name == "script" || e.Attr["onload"] != "" {
			t.Errorf("an injected element: %+v", e)
		}
	}
	// The picture's title, the shape's and the dot's tooltips, the label.
	if texts != 4 {
		t.Errorf("%d texts read back as written, want 4:\n%s", texts, out)
	}
	if p := find(es, "path", ""); len(p) != 1 || p[0].Attr["data-name"] != evil {
		t.Errorf("data attribute: %+v", p)
	}
}

// TestDrawEmptyFrameAndBadDataKey: a picture of nothing is still a valid
// drawing; a data attribute name that is not [a-z0-9-] is a programming
// error.
func TestDrawEmptyFrameAndBadDataKey(t *testing.T) {
	es := elements(t, Draw(Picture{Frame: geom.Polygon{}.AsGeometry(), ScaleLabel: func(string) string { return "x" }}))
	if vb := floats(t, es[0].Attr["viewBox"]); len(es) != 1 || len(vb) != 4 || vb[2] <= 0 || vb[3] <= 0 {
		t.Errorf("empty drawing: %+v", es)
	}
	defer func() {
		if recover() == nil {
			t.Error("a data key with a space did not panic")
		}
	}()
	Draw(Picture{Frame: rect(0, 0, 1, 1), Shapes: []Shape{{Geom: rect(0, 0, 1, 1), Data: map[string]string{`x onclick`: "y"}}}})
}
