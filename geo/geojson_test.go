package geo

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/peterstace/simplefeatures/geom"
)

const square = `[[[116.0,39.0],[116.01,39.0],[116.01,39.01],[116.0,39.01],[116.0,39.0]]]`

func fc(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

func feat(name, geometry string) string {
	return `{"type":"Feature","properties":{"name":"` + name + `","code":"110105001001001","color":"red"},"geometry":` + geometry + `}`
}

func TestParseFeatureCollectionValid(t *testing.T) {
	tests := []struct {
		name  string
		input string
		typ   geom.GeometryType
		area  float64
	}{
		{"polygon", fc(feat("一网格", `{"type":"Polygon","coordinates":`+square+`}`)), geom.TypePolygon, 1e-4},
		{"polygon with hole", fc(feat("带洞", `{"type":"Polygon","coordinates":[
			[[0,0],[10,0],[10,10],[0,10],[0,0]],[[2,2],[2,4],[4,4],[4,2],[2,2]]]}`)), geom.TypePolygon, 96},
		{"multipolygon", fc(feat("两块", `{"type":"MultiPolygon","coordinates":[
			[[[0,0],[1,0],[1,1],[0,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,6],[5,5]]]]}`)), geom.TypeMultiPolygon, 2},
		{"3d positions accepted", fc(feat("z", `{"type":"Polygon","coordinates":[[[0,0,1],[1,0,1],[1,1,1],[0,0,1]]]}`)), geom.TypePolygon, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := ParseFeatureCollection([]byte(tt.input), WGS84)
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != 1 {
				t.Fatalf("got %d features", len(fs))
			}
			f := fs[0]
			if f.Code != "110105001001001" || f.Props["color"] != "red" || f.Name == "" {
				t.Errorf("bad properties: %+v", f)
			}
			if f.Geom.Type() != tt.typ {
				t.Errorf("type %v, want %v", f.Geom.Type(), tt.typ)
			}
			if a := f.Geom.Area(); math.Abs(a-tt.area) > 1e-9 {
				t.Errorf("area %v, want %v", a, tt.area)
			}
		})
	}
}

func TestParseFeatureCollectionGCJ02(t *testing.T) {
	// Build the GCJ-02 square whose WGS-84 corners are known.
	corners := [][2]float64{{116.0, 39.0}, {116.01, 39.0}, {116.01, 39.01}, {116.0, 39.01}, {116.0, 39.0}}
	var b strings.Builder
	b.WriteString(`{"type":"Polygon","coordinates":[[`)
	for i, c := range corners {
		if i > 0 {
			b.WriteString(",")
		}
		x, y := ToGCJ02(c[0], c[1])
		b.WriteString("[" + ftoa(x) + "," + ftoa(y) + "]")
	}
	b.WriteString(`]]}`)
	fs, err := ParseFeatureCollection([]byte(fc(feat("火星", b.String()))), GCJ02)
	if err != nil {
		t.Fatal(err)
	}
	env := fs[0].Geom.Envelope()
	lo, _ := env.Min().XY()
	hi, _ := env.Max().XY()
	if math.Abs(lo.X-116.0) > 1e-8 || math.Abs(lo.Y-39.0) > 1e-8 || math.Abs(hi.X-116.01) > 1e-8 || math.Abs(hi.Y-39.01) > 1e-8 {
		t.Errorf("converted envelope %v..%v, want 116,39..116.01,39.01", lo, hi)
	}
}

func TestParseFeatureCollectionErrors(t *testing.T) {
	good := feat("好", `{"type":"Polygon","coordinates":`+square+`}`)
	tests := []struct {
		name   string
		input  string
		index  int
		zh, en string
	}{
		{"not json", `{`, -1, "JSON", "not a valid JSON"},
		{"not a collection", `{"type":"Feature","geometry":null}`, -1, "不是 FeatureCollection", "not a FeatureCollection"},
		{"no type", `{"features":[]}`, -1, "不是 FeatureCollection", "<missing>"},
		{"no geometry", fc(good, `{"type":"Feature","properties":{"name":"空"},"geometry":null}`), 1, "没有几何", "no geometry"},
		{"geometry missing", fc(`{"type":"Feature","properties":{"name":"空"}}`), 0, "没有几何", "no geometry"},
		{"point", fc(good, good, feat("点", `{"type":"Point","coordinates":[1,2]}`)), 2, "不是面", "not a polygon"},
		{"linestring", fc(feat("线", `{"type":"LineString","coordinates":[[1,2],[3,4]]}`)), 0, "不是面", "not a polygon"},
		{"unclosed", fc(feat("开口", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0.5]]]}`)), 0, "未闭合", "not closed"},
		{"too few points", fc(feat("三点", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`)), 0, "只有 3 个点", "has 3 positions"},
		{"bow tie", fc(feat("蝴蝶结", `{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}`)), 0, "自相交", "invalid geometry"},
		{"hole outside", fc(feat("洞在外", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]],[[5,5],[6,5],[6,6],[5,5]]]}`)), 0, "内环", "invalid geometry"},
		{"overlapping multipolygon", fc(feat("重叠", `{"type":"MultiPolygon","coordinates":[[[[0,0],[2,0],[2,2],[0,2],[0,0]]],[[[1,1],[3,1],[3,3],[1,3],[1,1]]]]}`)), 0, "相交", "touch at multiple points"},
		{"empty name", fc(`{"type":"Feature","properties":{"name":"  "},"geometry":{"type":"Polygon","coordinates":` + square + `}}`), 0, "缺少名称", "missing name"},
		{"no properties", fc(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":` + square + `}}`), 0, "缺少名称", "missing name"},
		{"out of range", fc(feat("远", `{"type":"Polygon","coordinates":[[[0,0],[200,0],[1,1],[0,0]]]}`)), 0, "超出范围", "out of range"},
		{"bad position", fc(feat("一维", `{"type":"Polygon","coordinates":[[[0],[1,0],[1,1],[0,0]]]}`)), 0, "个数值", "numbers"},
		{"no rings", fc(feat("空", `{"type":"Polygon","coordinates":[]}`)), 0, "没有环", "has no rings"},
		{"not a feature", fc(`{"type":"Polygon","properties":{"name":"x"}}`), 0, "Feature", "must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := ParseFeatureCollection([]byte(tt.input), WGS84)
			if err == nil {
				t.Fatalf("no error, got %d features", len(fs))
			}
			if fs != nil {
				t.Errorf("features returned alongside an error")
			}
			var fe *FeatureError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FeatureError", err)
			}
			if fe.Index != tt.index {
				t.Errorf("index %d, want %d (%v)", fe.Index, tt.index, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.zh) || !strings.Contains(msg, tt.en) {
				t.Errorf("message %q lacks %q / %q", msg, tt.zh, tt.en)
			}
			if tt.index >= 0 && !strings.Contains(msg, "第 ") {
				t.Errorf("message %q does not say which feature", msg)
			}
		})
	}
}

func TestParseFeatureCollectionAllProblems(t *testing.T) {
	in := fc(feat("a", `null`), feat("b", `{"type":"Point","coordinates":[1,2]}`), feat("c", `{"type":"Polygon","coordinates":`+square+`}`))
	_, err := ParseFeatureCollection([]byte(in), WGS84)
	var pe *ParseError
	if !errors.As(err, &pe) || len(pe.Problems) != 2 {
		t.Fatalf("want 2 problems, got %v", err)
	}
	if pe.Problems[0].Name != "a" || pe.Problems[1].Name != "b" {
		t.Errorf("problems name the wrong features: %v", err)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	in := fc(
		feat("一", `{"type":"Polygon","coordinates":`+square+`}`),
		feat("二", `{"type":"MultiPolygon","coordinates":[[[[116.1,39.1],[116.2,39.1],[116.2,39.2],[116.1,39.1]]]]}`),
	)
	for _, crs := range []CRS{WGS84, GCJ02} {
		fs, err := ParseFeatureCollection([]byte(in), WGS84)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Encode(fs, crs)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseFeatureCollection(out, crs)
		if err != nil {
			t.Fatalf("crs %d: %v\n%s", crs, err, out)
		}
		if len(back) != len(fs) {
			t.Fatalf("crs %d: %d features back, want %d", crs, len(back), len(fs))
		}
		for i := range fs {
			if back[i].Name != fs[i].Name || back[i].Code != fs[i].Code || back[i].Props["color"] != "red" {
				t.Errorf("crs %d: feature %d properties %+v, want %+v", crs, i, back[i].Props, fs[i].Props)
			}
			tol := 0.0
			if crs == GCJ02 {
				tol = 1e-8
			}
			if !geom.ExactEquals(back[i].Geom, fs[i].Geom, geom.ToleranceXY(tol)) {
				t.Errorf("crs %d: feature %d geometry %v, want %v", crs, i, back[i].Geom.AsText(), fs[i].Geom.AsText())
			}
		}
	}
}

func TestParseCRS(t *testing.T) {
	for in, want := range map[string]CRS{"": WGS84, "wgs84": WGS84, "WGS-84": WGS84, "gcj02": GCJ02, "GCJ-02": GCJ02} {
		if got, err := ParseCRS(in); err != nil || got != want {
			t.Errorf("ParseCRS(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseCRS("bd09"); err == nil {
		t.Error("ParseCRS(bd09) accepted")
	}
}

func FuzzParseFeatureCollection(f *testing.F) {
	f.Add([]byte(fc(feat("a", `{"type":"Polygon","coordinates":`+square+`}`))))
	f.Add([]byte(fc(feat("b", `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}`))))
	f.Add([]byte(fc(feat("c", `{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}`))))
	f.Add([]byte(fc(feat("d", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]],[]]}`))))
	f.Add([]byte(fc(feat("e", `{"type":"GeometryCollection","geometries":[]}`))))
	f.Add([]byte(`{"type":"FeatureCollection","features":[null,1,"x",{}]}`))
	f.Add([]byte(`{"type":"FeatureCollection"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, crs := range []CRS{WGS84, GCJ02} {
			fs, err := ParseFeatureCollection(data, crs)
			if err != nil {
				if fs != nil {
					t.Fatal("features returned with an error")
				}
				_ = err.Error()
				continue
			}
			for _, f := range fs {
				if f.Name == "" {
					t.Fatal("feature without name accepted")
				}
				if tp := f.Geom.Type(); tp != geom.TypePolygon && tp != geom.TypeMultiPolygon {
					t.Fatalf("non-polygon %v accepted", tp)
				}
				if err := f.Geom.Validate(); err != nil {
					t.Fatalf("invalid geometry accepted: %v", err)
				}
			}
			if _, err := Encode(fs, crs); err != nil {
				t.Fatalf("Encode: %v", err)
			}
		}
	})
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
