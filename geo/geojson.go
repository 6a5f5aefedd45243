package geo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/peterstace/simplefeatures/geom"
)

// Feature is one area boundary read from (or written to) GeoJSON.
type Feature struct {
	Name  string         // properties.name (required, non-blank)
	Code  string         // properties.code, "" when absent
	Props map[string]any // all properties, including name and code
	Geom  geom.Geometry  // a valid Polygon or MultiPolygon in WGS-84
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
	return WGS84, fmt.Errorf("未知坐标系 %q / unknown CRS %q (want wgs84 or gcj02)", s, s)
}

// FeatureError describes one problem in a GeoJSON input. Index is the
// feature's position in "features" (0-based; messages count from 1), or -1
// for a problem with the document as a whole.
type FeatureError struct {
	Index int
	Name  string // the feature's name property, when it has one
	ZH    string // reason in Chinese
	EN    string // reason in English
}

func (e *FeatureError) Error() string {
	if e.Index < 0 {
		return e.ZH + " / " + e.EN
	}
	who := fmt.Sprintf("第 %d 个要素", e.Index+1)
	whoEN := fmt.Sprintf("feature %d", e.Index+1)
	if e.Name != "" {
		who += fmt.Sprintf("（%s）", e.Name)
		whoEN += fmt.Sprintf(" (%q)", e.Name)
	}
	return who + "：" + e.ZH + " / " + whoEN + ": " + e.EN
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
	Properties map[string]any  `json:"properties"`
}

type rawGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// ParseFeatureCollection reads a GeoJSON FeatureCollection of Polygon and
// MultiPolygon features, each with a non-blank "name" property (and an
// optional "code"). With crs == GCJ02 every coordinate is converted to WGS-84.
// Every geometry is checked: closed rings of at least 4 positions, finite
// longitude/latitude in range, and simplefeatures validity (no
// self-intersection, holes inside shells, …). All problems are returned
// together as a *ParseError; no features are returned when there is any.
func ParseFeatureCollection(data []byte, crs CRS) ([]Feature, error) {
	var top struct {
		Type     *string           `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, &ParseError{[]*FeatureError{{Index: -1,
			ZH: "不是有效的 JSON 对象：" + err.Error(), EN: "not a valid JSON object: " + err.Error()}}}
	}
	if top.Type == nil || *top.Type != "FeatureCollection" {
		got := "<missing>"
		if top.Type != nil {
			got = *top.Type
		}
		return nil, &ParseError{[]*FeatureError{{Index: -1,
			ZH: fmt.Sprintf("不是 FeatureCollection（type 为 %q）", got),
			EN: fmt.Sprintf("not a FeatureCollection (type is %q)", got)}}}
	}
	var (
		out  = make([]Feature, 0, len(top.Features))
		errs []*FeatureError
	)
	for i, raw := range top.Features {
		f, ferr := parseFeature(i, raw, crs)
		if ferr != nil {
			errs = append(errs, ferr)
			continue
		}
		out = append(out, f)
	}
	if len(errs) > 0 {
		return nil, &ParseError{errs}
	}
	return out, nil
}

func parseFeature(i int, raw json.RawMessage, crs CRS) (Feature, *FeatureError) {
	fail := func(name, zh, en string) (Feature, *FeatureError) {
		return Feature{}, &FeatureError{Index: i, Name: name, ZH: zh, EN: en}
	}
	var rf rawFeature
	if err := json.Unmarshal(raw, &rf); err != nil {
		return fail("", "要素不是有效的 JSON 对象："+err.Error(), "feature is not a valid JSON object: "+err.Error())
	}
	name := ""
	if s, ok := rf.Properties["name"].(string); ok {
		name = strings.TrimSpace(s)
	}
	if rf.Type != "Feature" {
		return fail(name, fmt.Sprintf("type 应为 Feature，实为 %q", rf.Type), fmt.Sprintf("type must be \"Feature\", got %q", rf.Type))
	}
	if name == "" {
		return fail("", "缺少名称（properties.name 为空）", "missing name (properties.name is empty)")
	}
	code := ""
	switch c := rf.Properties["code"].(type) {
	case string:
		code = strings.TrimSpace(c)
	case float64:
		if c >= 0 && c == math.Trunc(c) && c < 1e15 {
			code = strconv.FormatFloat(c, 'f', 0, 64)
		}
	}
	if len(bytes.TrimSpace(rf.Geometry)) == 0 || string(bytes.TrimSpace(rf.Geometry)) == "null" {
		return fail(name, "没有几何图形（geometry 为空）", "feature has no geometry")
	}
	var rg rawGeometry
	if err := json.Unmarshal(rf.Geometry, &rg); err != nil {
		return fail(name, "几何不是有效的 JSON 对象："+err.Error(), "geometry is not a valid JSON object: "+err.Error())
	}
	var polys [][][][]float64 // polygon → ring → position → number
	switch rg.Type {
	case "Polygon":
		var c [][][]float64
		if err := json.Unmarshal(rg.Coordinates, &c); err != nil {
			return fail(name, "Polygon 坐标格式错误："+err.Error(), "malformed Polygon coordinates: "+err.Error())
		}
		polys = [][][][]float64{c}
	case "MultiPolygon":
		if err := json.Unmarshal(rg.Coordinates, &polys); err != nil {
			return fail(name, "MultiPolygon 坐标格式错误："+err.Error(), "malformed MultiPolygon coordinates: "+err.Error())
		}
	default:
		return fail(name, fmt.Sprintf("几何类型 %q 不是面（须为 Polygon 或 MultiPolygon）", rg.Type),
			fmt.Sprintf("geometry type %q is not a polygon (want Polygon or MultiPolygon)", rg.Type))
	}
	if len(polys) == 0 {
		return fail(name, "几何为空（没有坐标）", "empty geometry (no coordinates)")
	}
	flat := make([][][]float64, len(polys))
	for pi, poly := range polys {
		if len(poly) == 0 {
			return fail(name, fmt.Sprintf("第 %d 个面没有环", pi+1), fmt.Sprintf("polygon %d has no rings", pi))
		}
		flat[pi] = make([][]float64, len(poly))
		for ri, ring := range poly {
			where, whereEN := ringName(len(polys), pi, ri)
			if len(ring) < 4 {
				return fail(name, fmt.Sprintf("%s只有 %d 个点（至少 4 个，首尾相同）", where, len(ring)),
					fmt.Sprintf("%s has %d positions (at least 4 needed, first = last)", whereEN, len(ring)))
			}
			xy := make([]float64, 0, 2*len(ring))
			for k, pos := range ring {
				if len(pos) < 2 || len(pos) > 4 {
					return fail(name, fmt.Sprintf("%s第 %d 个点有 %d 个数值（应为经度、纬度）", where, k+1, len(pos)),
						fmt.Sprintf("%s position %d has %d numbers (want lng, lat)", whereEN, k, len(pos)))
				}
				lng, lat := pos[0], pos[1]
				if math.IsNaN(lng) || math.IsNaN(lat) || lng < -180 || lng > 180 || lat < -90 || lat > 90 {
					return fail(name, fmt.Sprintf("%s第 %d 个点经纬度超出范围（%v, %v）", where, k+1, lng, lat),
						fmt.Sprintf("%s position %d out of range (%v, %v)", whereEN, k, lng, lat))
				}
				xy = append(xy, lng, lat)
			}
			n := len(xy)
			if xy[0] != xy[n-2] || xy[1] != xy[n-1] {
				return fail(name, fmt.Sprintf("%s未闭合（首点 %v,%v ≠ 末点 %v,%v）", where, xy[0], xy[1], xy[n-2], xy[n-1]),
					fmt.Sprintf("%s is not closed (first %v,%v != last %v,%v)", whereEN, xy[0], xy[1], xy[n-2], xy[n-1]))
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
		zh, en := explainInvalid(err)
		return fail(name, zh, en)
	}
	props := make(map[string]any, len(rf.Properties))
	for k, v := range rf.Properties {
		props[k] = v
	}
	return Feature{Name: name, Code: code, Props: props, Geom: g}, nil
}

func ringName(npolys, pi, ri int) (string, string) {
	kind, kindEN := "外环", "exterior ring"
	if ri > 0 {
		kind, kindEN = fmt.Sprintf("第 %d 个内环（洞）", ri), fmt.Sprintf("interior ring %d", ri)
	}
	if npolys > 1 {
		return fmt.Sprintf("第 %d 个面的%s", pi+1, kind), fmt.Sprintf("polygon %d %s", pi, kindEN)
	}
	return kind, kindEN
}

// explainInvalid turns a simplefeatures validation error into a Chinese and
// an English reason (the English keeps the library's text and location).
func explainInvalid(err error) (string, string) {
	msg := err.Error()
	zh := "几何无效"
	for _, m := range []struct{ key, zh string }{
		{"not simple", "环自相交"},
		{"nested rings", "环互相嵌套"},
		{"interior ring outside", "内环（洞）在外环之外"},
		{"disconnected interior", "内部不连通（环把面切断）"},
		{"rings intersect", "环之间相交于多个点"},
		{"polygons touch", "多面中的面相交或接触于多个点"},
		{"only one distinct", "环的点都重合"},
		{"Inf", "坐标为无穷大"},
		{"NaN", "坐标为 NaN"},
	} {
		if strings.Contains(msg, m.key) {
			zh = m.zh
			break
		}
	}
	return zh + "（" + msg + "）", "invalid geometry: " + msg
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
