package geo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/peterstace/simplefeatures/geom"

	"github.com/wangge/wangge/msg"
)

// Feature is one area boundary read from (or written to) GeoJSON.
type Feature struct {
	Name string // properties.name (required, non-blank)
	Code string // properties.code as written (see codeText), "" when absent
	// Adcode is properties.adcode, the administrative code map services
	// (Amap, DataV) give their districts; "" when absent.
	Adcode string
	Props  map[string]any // all properties, including name and code
	Geom   geom.Geometry  // a valid Polygon or MultiPolygon in WGS-84
}

// CRS names the datum of coordinates in a GeoJSON file.
type CRS int

const (
	WGS84 CRS = iota // stored datum; coordinates taken as they are
	GCJ02            // Chinese map apps; converted with FromGCJ02 on input
)

// ParseCRS maps the command-line/API spelling ("wgs84", "gcj02") to a CRS.
func ParseCRS(s string) (CRS, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "wgs84", "wgs-84", "epsg:4326":
		return WGS84, nil
	case "gcj02", "gcj-02":
		return GCJ02, nil
	}
	return WGS84, newError("geo.crs.unknown", "Q", strconv.Quote(s))
}

// FeatureError describes one problem in a GeoJSON input. Index is the
// feature's position in "features" (0-based; messages count from 1), or -1
// for a problem with the document as a whole. The reason's text is the
// message catalogue's: Key names it, Params fill it in.
type FeatureError struct {
	Index  int
	Name   string // the feature's name property, when it has one
	Key    string
	Params map[string]any
}

// Zh returns the reason in Chinese.
func (e *FeatureError) Zh() string { return msg.Text("zh", e.Key, e.Params) }

// En returns the reason in English.
func (e *FeatureError) En() string { return msg.Text("en", e.Key, e.Params) }

// Error names the feature and gives the reason in Chinese and English.
func (e *FeatureError) Error() string {
	if e.Index < 0 {
		return e.Zh() + " / " + e.En()
	}
	who := map[string]any{"N": e.Index + 1, "Name": e.Name, "Q": strconv.Quote(e.Name)}
	key := "geo.feature.who"
	if e.Name != "" {
		key = "geo.feature.who_named"
	}
	return msg.Text("zh", key, who) + "：" + e.Zh() + " / " + msg.Text("en", key, who) + ": " + e.En()
}

// Error is a problem with a code or a coordinate system, its text the
// message catalogue's.
type Error struct {
	Key    string
	Params map[string]any
}

func newError(key string, params ...any) *Error {
	return &Error{Key: key, Params: msg.Params(params...)}
}

// Error gives the text in Chinese and English.
func (e *Error) Error() string {
	return msg.Text("zh", e.Key, e.Params) + " / " + msg.Text("en", e.Key, e.Params)
}

// ParseError lists every problem found in a FeatureCollection.
type ParseError struct {
	Problems []*FeatureError
}

func (e *ParseError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Error())
	}
	return b.String()
}

// Unwrap lets errors.As reach the individual FeatureErrors.
func (e *ParseError) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

type rawFeature struct {
	Type       string          `json:"type"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
}

type rawGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// Limits bound what one GeoJSON file may hold. They are checked while the
// file is read, before any geometry is validated, so a crafted file is
// refused in the time it takes to read it rather than after minutes of
// polygon work. Zero fields take DefaultLimits' values.
type Limits struct {
	FileBytes          int64 // the whole file
	Features           int   // features in the collection
	VerticesPerFeature int   // positions of one feature, all rings together
	Vertices           int   // positions of the whole file
	RingsPerPolygon    int   // exterior ring and holes of one polygon
}

// DefaultLimits are generous for real boundaries — a district's GeoJSON is a
// few MB, its most detailed outline some tens of thousands of positions, and
// a city's grids some tens of thousands of features — and small enough that
// validating a file at the limits takes seconds, not minutes.
var DefaultLimits = Limits{
	FileBytes:          256 << 20,
	Features:           100_000,
	VerticesPerFeature: 250_000,
	Vertices:           5_000_000,
	RingsPerPolygon:    1_000,
}

func (l Limits) orDefault() Limits {
	d := DefaultLimits
	if l.FileBytes > 0 {
		d.FileBytes = l.FileBytes
	}
	if l.Features > 0 {
		d.Features = l.Features
	}
	if l.VerticesPerFeature > 0 {
		d.VerticesPerFeature = l.VerticesPerFeature
	}
	if l.Vertices > 0 {
		d.Vertices = l.Vertices
	}
	if l.RingsPerPolygon > 0 {
		d.RingsPerPolygon = l.RingsPerPolygon
	}
	return d
}

// ParseFeatureCollection reads a GeoJSON FeatureCollection held in memory
// under DefaultLimits; see ReadFeatureCollection.
func ParseFeatureCollection(data []byte, crs CRS) ([]Feature, error) {
	return ReadFeatureCollection(context.Background(), bytes.NewReader(data), crs, DefaultLimits)
}

// errTooLarge is what countingReader returns once the file passes its limit.
var errTooLarge = errors.New("geo: file too large")

// countingReader stops a read at the file-size limit, whatever the source
// (a file, a pipe, an upload).
type countingReader struct {
	r     io.Reader
	n     int64
	limit int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.n > c.limit {
		return 0, errTooLarge
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.limit {
		return n, errTooLarge
	}
	return n, err
}

// ReadFeatureCollection reads a GeoJSON FeatureCollection of Polygon and
// MultiPolygon features, each with a non-blank "name" property (and an
// optional "code"), one feature at a time. A UTF-8 byte-order mark (as
// Windows editors write) is skipped. With crs == GCJ02 every coordinate is
// converted to WGS-84. Every geometry is checked: closed rings of at least 4
// positions, finite longitude/latitude in range, and simplefeatures
// validity (no self-intersection, holes inside shells, …). All problems are
// returned together as a *ParseError; no features are returned when there is
// any. A file past one of the limits is refused at once, with the feature
// where it was passed. The context is checked between features: when it is
// cancelled, its error is returned.
func ReadFeatureCollection(ctx context.Context, r io.Reader, crs CRS, lim Limits) ([]Feature, error) {
	lim = lim.orDefault()
	cr := &countingReader{r: r, limit: lim.FileBytes}
	br := bufio.NewReaderSize(cr, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	dec := json.NewDecoder(br)
	index := -1 // the feature being read, for a limit passed inside it
	docErr := func(err error) error {
		if errors.Is(err, errTooLarge) || cr.n > cr.limit {
			key, p := "geo.limit.file_bytes", map[string]any{"MB": lim.FileBytes >> 20, "Bytes": lim.FileBytes}
			if lim.FileBytes%(1<<20) != 0 {
				key = "geo.limit.file_bytes_small" // a limit set in bytes, as tests do
			}
			return &ParseError{[]*FeatureError{{Index: index, Key: key, Params: p}}}
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return &ParseError{[]*FeatureError{{Index: -1, Key: "geo.doc.json", Params: map[string]any{"Err": err.Error()}}}}
	}
	typeErr := func(got string) error {
		return &ParseError{[]*FeatureError{{Index: -1, Key: "geo.doc.type", Params: map[string]any{"Q": strconv.Quote(got)}}}}
	}
	if tok, err := dec.Token(); err != nil {
		return nil, docErr(err)
	} else if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, &ParseError{[]*FeatureError{{Index: -1, Key: "geo.doc.json", Params: map[string]any{"Err": "not an object"}}}}
	}
	var (
		typ      *string
		out      []Feature
		errs     []*FeatureError
		vertices int
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, docErr(err)
		}
		key, _ := tok.(string)
		switch key {
		case "type":
			var t string
			if err := dec.Decode(&t); err != nil {
				return nil, docErr(err)
			}
			if t != "FeatureCollection" {
				return nil, typeErr(t)
			}
			typ = &t
		case "features":
			tok, err := dec.Token()
			if err != nil {
				return nil, docErr(err)
			}
			if tok == nil {
				continue // "features": null, as json.Unmarshal took it
			}
			if d, ok := tok.(json.Delim); !ok || d != '[' {
				return nil, docErr(errors.New("features is not an array"))
			}
			for dec.More() {
				index++
				if index >= lim.Features {
					return nil, &ParseError{[]*FeatureError{{Index: index, Key: "geo.limit.features", Params: map[string]any{"Max": lim.Features}}}}
				}
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return nil, docErr(err)
				}
				f, n, ferr := parseFeature(index, raw, crs, lim, lim.Vertices-vertices)
				vertices += n
				if ferr != nil {
					if strings.HasPrefix(ferr.Key, "geo.limit.") {
						return nil, &ParseError{[]*FeatureError{ferr}}
					}
					errs = append(errs, ferr)
					continue
				}
				if len(errs) == 0 {
					out = append(out, f)
				}
			}
			if _, err := dec.Token(); err != nil {
				return nil, docErr(err)
			}
			index = -1
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, docErr(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, docErr(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, docErr(errors.New("data after the FeatureCollection"))
	}
	if typ == nil {
		return nil, typeErr("<missing>")
	}
	if len(errs) > 0 {
		return nil, &ParseError{errs}
	}
	if out == nil {
		out = []Feature{}
	}
	return out, nil
}

// parseFeature reads the i-th feature. It counts the feature's positions
// against the limits before building any geometry: budget is what the file
// has left. It returns the positions it counted.
func parseFeature(i int, raw json.RawMessage, crs CRS, lim Limits, budget int) (Feature, int, *FeatureError) {
	counted := 0
	fail := func(name, key string, params ...any) (Feature, int, *FeatureError) {
		return Feature{}, counted, &FeatureError{Index: i, Name: name, Key: key, Params: msg.Params(params...)}
	}
	var rf rawFeature
	if err := json.Unmarshal(raw, &rf); err != nil {
		return fail("", "geo.feature.json", "Err", err.Error())
	}
	var props map[string]any
	var ids struct {
		Name   any             `json:"name"`
		Code   json.RawMessage `json:"code"`
		Adcode json.RawMessage `json:"adcode"`
	}
	if len(rf.Properties) > 0 {
		if err := json.Unmarshal(rf.Properties, &props); err != nil {
			return fail("", "geo.feature.json", "Err", err.Error())
		}
		json.Unmarshal(rf.Properties, &ids) // cannot fail once the map decoded
	}
	name := ""
	if s, ok := ids.Name.(string); ok {
		name = strings.TrimSpace(s)
	}
	if rf.Type != "Feature" {
		return fail(name, "geo.feature.type", "Q", strconv.Quote(rf.Type))
	}
	if name == "" {
		return fail("", "geo.feature.no_name")
	}
	if len(bytes.TrimSpace(rf.Geometry)) == 0 || string(bytes.TrimSpace(rf.Geometry)) == "null" {
		return fail(name, "geo.feature.no_geometry")
	}
	var rg rawGeometry
	if err := json.Unmarshal(rf.Geometry, &rg); err != nil {
		return fail(name, "geo.geometry.json", "Err", err.Error())
	}
	// Count before decoding: a million positions are refused without
	// building a million slices first.
	if n := countPositions(rg.Coordinates); n > lim.VerticesPerFeature {
		counted = n
		return fail(name, "geo.limit.feature_vertices", "N", n, "Max", lim.VerticesPerFeature)
	}
	var polys [][][][]float64 // polygon → ring → position → number
	switch rg.Type {
	case "Polygon":
		var c [][][]float64
		if err := json.Unmarshal(rg.Coordinates, &c); err != nil {
			return fail(name, "geo.geometry.polygon", "Err", err.Error())
		}
		polys = [][][][]float64{c}
	case "MultiPolygon":
		if err := json.Unmarshal(rg.Coordinates, &polys); err != nil {
			return fail(name, "geo.geometry.multipolygon", "Err", err.Error())
		}
	default:
		return fail(name, "geo.geometry.type", "Q", strconv.Quote(rg.Type))
	}
	if len(polys) == 0 {
		return fail(name, "geo.geometry.empty")
	}
	for pi, poly := range polys {
		if len(poly) > lim.RingsPerPolygon {
			return fail(name, "geo.limit.rings", "N", pi+1, "Rings", len(poly), "Max", lim.RingsPerPolygon)
		}
		for _, ring := range poly {
			counted += len(ring)
		}
	}
	if counted > lim.VerticesPerFeature {
		return fail(name, "geo.limit.feature_vertices", "N", counted, "Max", lim.VerticesPerFeature)
	}
	if counted > budget {
		return fail(name, "geo.limit.vertices", "Max", lim.Vertices)
	}
	flat := make([][][]float64, len(polys))
	for pi, poly := range polys {
		if len(poly) == 0 {
			return fail(name, "geo.geometry.no_rings", "N", pi+1, "I", pi)
		}
		flat[pi] = make([][]float64, len(poly))
		for ri, ring := range poly {
			where, whereEN := ringName(len(polys), pi, ri)
			if len(ring) < 4 {
				return fail(name, "geo.ring.short", "Where", where, "WhereEn", whereEN, "N", len(ring))
			}
			xy := make([]float64, 0, 2*len(ring))
			for k, pos := range ring {
				if len(pos) < 2 || len(pos) > 4 {
					return fail(name, "geo.ring.numbers", "Where", where, "WhereEn", whereEN, "N", k+1, "I", k, "Len", len(pos))
				}
				lng, lat := pos[0], pos[1]
				if math.IsNaN(lng) || math.IsNaN(lat) || lng < -180 || lng > 180 || lat < -90 || lat > 90 {
					return fail(name, "geo.ring.range", "Where", where, "WhereEn", whereEN, "N", k+1, "I", k, "Lng", lng, "Lat", lat)
				}
				xy = append(xy, lng, lat)
			}
			n := len(xy)
			if xy[0] != xy[n-2] || xy[1] != xy[n-1] {
				return fail(name, "geo.ring.open", "Where", where, "WhereEn", whereEN, "X0", xy[0], "Y0", xy[1], "X1", xy[n-2], "Y1", xy[n-1])
			}
			if crs == GCJ02 {
				for k := 0; k < n; k += 2 {
					xy[k], xy[k+1] = FromGCJ02(xy[k], xy[k+1])
				}
			}
			flat[pi][ri] = xy
		}
	}
	var g geom.Geometry
	if rg.Type == "Polygon" {
		g = geom.NewPolygonXY(flat[0]...).AsGeometry()
	} else {
		g = geom.NewMultiPolygonXY(flat...).AsGeometry()
	}
	if err := g.Validate(); err != nil {
		return fail(name, "geo.geometry.invalid", "Reason", explainInvalid(err), "Detail", err.Error())
	}
	if props == nil {
		props = map[string]any{}
	}
	return Feature{Name: name, Code: codeText(ids.Code), Adcode: codeText(ids.Adcode), Props: props, Geom: g}, counted, nil
}

// countPositions counts the innermost arrays of GeoJSON coordinates — an
// opening bracket not followed by another — without decoding them.
func countPositions(raw []byte) int {
	n := 0
	open := false
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '[':
			open = true
			continue
		}
		if open {
			n++
		}
		open = false
	}
	return n
}

// codeText is a code property as the file wrote it: a string trimmed, a
// number in its own digits (a float64 would round a 19-digit one into a
// valid-looking code), anything else as its JSON text, so that the importer
// can refuse it rather than overlook it. Absent or null is "".
func codeText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	return string(raw)
}

// ringName names a ring in Chinese and in English, for the messages that
// place a problem on it.
func ringName(npolys, pi, ri int) (string, string) {
	p := map[string]any{"Ring": ri, "N": pi + 1, "I": pi}
	key := "geo.ring.exterior"
	if ri > 0 {
		key = "geo.ring.interior"
	}
	kind, kindEN := msg.Text("zh", key, p), msg.Text("en", key, p)
	if npolys > 1 {
		p["Kind"], p["KindEn"] = kind, kindEN
		return msg.Text("zh", "geo.ring.of_polygon", p), msg.Text("en", "geo.ring.of_polygon", p)
	}
	return kind, kindEN
}

// explainInvalid says in Chinese what a simplefeatures validation error
// means; the messages keep the library's own text and location beside it.
func explainInvalid(err error) string {
	s := err.Error()
	for _, m := range []struct{ match, key string }{
		{"not simple", "geo.invalid.not_simple"},
		{"nested rings", "geo.invalid.nested"},
		{"interior ring outside", "geo.invalid.hole_outside"},
		{"disconnected interior", "geo.invalid.disconnected"},
		{"rings intersect", "geo.invalid.rings_intersect"},
		{"polygons touch", "geo.invalid.polygons_touch"},
		{"only one distinct", "geo.invalid.one_point"},
		{"Inf", "geo.invalid.inf"},
		{"NaN", "geo.invalid.nan"},
	} {
		if strings.Contains(s, m.match) {
			return msg.Text("zh", m.key, nil)
		}
	}
	return msg.Text("zh", "geo.invalid.other", nil)
}

// Encode writes features as a GeoJSON FeatureCollection (WGS-84, or GCJ-02
// when crs == GCJ02). Each feature's properties are its Props with "name"
// and "code" set from Name and Code.
func Encode(fs []Feature, crs CRS) ([]byte, error) {
	fc := geom.GeoJSONFeatureCollection{Features: make([]geom.GeoJSONFeature, len(fs))}
	for i, f := range fs {
		props := make(map[string]any, len(f.Props)+2)
		for k, v := range f.Props {
			props[k] = v
		}
		props["name"] = f.Name
		if f.Code != "" {
			props["code"] = f.Code
		} else {
			delete(props, "code")
		}
		g := f.Geom
		if crs == GCJ02 {
			g = g.TransformXY(func(p geom.XY) geom.XY {
				x, y := ToGCJ02(p.X, p.Y)
				return geom.XY{X: x, Y: y}
			})
		}
		fc.Features[i] = geom.GeoJSONFeature{Geometry: g, Properties: props}
	}
	return json.Marshal(fc)
}
