package geo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// ring returns a closed ring of n+1 positions around (x, y): a regular
// polygon of n vertices, valid at any n.
func ring(x, y, r float64, n int) string {
	var b strings.Builder
	b.WriteString("[")
	for k := 0; k <= n; k++ {
		if k > 0 {
			b.WriteString(",")
		}
		a := 2 * math.Pi * float64(k%n) / float64(n)
		fmt.Fprintf(&b, "[%.9f,%.9f]", x+r*math.Cos(a), y+r*math.Sin(a))
	}
	b.WriteString("]")
	return b.String()
}

func polyFeature(name string, rings ...string) string {
	return `{"type":"Feature","properties":{"name":"` + name + `"},"geometry":{"type":"Polygon","coordinates":[` + strings.Join(rings, ",") + `]}}`
}

// TestReadFeatureCollectionRefusesAtItsLimits: each limit is refused with
// its own message naming the feature where it was passed, and the
// per-feature ones before the geometry is validated (the feature over the
// vertex limit is a bow tie, which validation would refuse otherwise).
func TestReadFeatureCollectionRefusesAtItsLimits(t *testing.T) {
	small := polyFeature("小", ring(113, 36, 0.01, 8))
	bowtie := `{"type":"Feature","properties":{"name":"大"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0.9],[0,0.8],[0,0.7],[0,0.6],[0,0.5],[0,0]]]}}`
	holes := polyFeature("多洞", ring(113, 36, 1, 8), ring(113, 36.5, 0.01, 4), ring(113, 35.5, 0.01, 4), ring(112.5, 36, 0.01, 4))
	tests := []struct {
		name  string
		lim   Limits
		input string
		index int
		key   string
		zh    string
	}{
		{"file size", Limits{FileBytes: 1000}, fc(small, small, small, small), -1, "geo.limit.file_bytes_small", "文件超过 1000 字节"},
		{"features", Limits{Features: 2}, fc(small, small, small), 2, "geo.limit.features", "要素超过 2 个"},
		{"vertices of a feature", Limits{VerticesPerFeature: 9}, fc(small, bowtie), 1, "geo.limit.feature_vertices", "有 10 个坐标点"},
		{"vertices of the file", Limits{Vertices: 20}, fc(small, small, small), 2, "geo.limit.vertices", "坐标点超过 20 个"},
		{"rings of a polygon", Limits{RingsPerPolygon: 3}, fc(small, holes), 1, "geo.limit.rings", "有 4 个环"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := ReadFeatureCollection(context.Background(), strings.NewReader(tt.input), WGS84, tt.lim)
			var pe *ParseError
			if !errors.As(err, &pe) || len(pe.Problems) != 1 || fs != nil {
				t.Fatalf("got %d features, %v", len(fs), err)
			}
			p := pe.Problems[0]
			if p.Key != tt.key || p.Index != tt.index {
				t.Errorf("refused with %s at feature %d, want %s at %d: %v", p.Key, p.Index, tt.key, tt.index, err)
			}
			if m := err.Error(); !strings.Contains(m, tt.zh) || tt.index >= 0 && !strings.Contains(m, fmt.Sprintf("第 %d 个要素", tt.index+1)) {
				t.Errorf("message %q lacks %q or the feature", m, tt.zh)
			}
			_, err = ReadFeatureCollection(context.Background(), strings.NewReader(tt.input), WGS84, Limits{})
			if err != nil && tt.name != "vertices of a feature" {
				t.Errorf("the same file under DefaultLimits: %v", err)
			}
		})
	}
}

// TestDefaultLimitsRefuseAHugePolygonUnvalidated: a polygon past the default
// vertex limit per feature (the attack's was a million) is refused by its
// count, not after validating it.
func TestDefaultLimitsRefuseAHugePolygonUnvalidated(t *testing.T) {
	n := DefaultLimits.VerticesPerFeature + 1
	_, err := ParseFeatureCollection([]byte(fc(polyFeature("百万", ring(113, 36, 0.5, n)))), WGS84)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Problems[0].Key != "geo.limit.feature_vertices" {
		t.Fatalf("a %d-vertex polygon: %v", n, err)
	}
}

// TestReadFeatureCollectionSkipsAByteOrderMark: Windows editors start
// UTF-8 files with EF BB BF; such a file reads as any other.
func TestReadFeatureCollectionSkipsAByteOrderMark(t *testing.T) {
	in := "\xef\xbb\xbf" + fc(polyFeature("带BOM", ring(113, 36, 0.01, 6)))
	fs, err := ParseFeatureCollection([]byte(in), WGS84)
	if err != nil || len(fs) != 1 || fs[0].Name != "带BOM" {
		t.Fatalf("%d features, %v", len(fs), err)
	}
	if _, err := ParseFeatureCollection([]byte("\xef\xbb"+fc()), WGS84); err == nil {
		t.Error("half a byte-order mark was taken for one")
	}
}

// TestReadFeatureCollectionStopsWhenCancelled: a cancelled context stops the
// reading between features with the context's error.
func TestReadFeatureCollectionStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := fc(polyFeature("一", ring(113, 36, 0.01, 6)), polyFeature("二", ring(113.1, 36, 0.01, 6)))
	if fs, err := ReadFeatureCollection(ctx, strings.NewReader(in), WGS84, DefaultLimits); !errors.Is(err, context.Canceled) || fs != nil {
		t.Fatalf("%d features, %v", len(fs), err)
	}
}

// TestFeatureCodeIsTakenAsWritten: a code is kept as the file wrote it, so
// that the importer refuses what is not a region code instead of reading a
// rounded float or nothing.
func TestFeatureCodeIsTakenAsWritten(t *testing.T) {
	for props, want := range map[string][2]string{
		`"code":"140402001001001"`:      {"140402001001001", ""},
		`"code":" 140402001001001 "`:    {"140402001001001", ""},
		`"code":1404020010010010001`:    {"1404020010010010001", ""},
		`"code":"1'; DROP TABLE areas"`: {"1'; DROP TABLE areas", ""},
		`"code":true`:                   {"true", ""},
		`"code":null,"adcode":140402`:   {"", "140402"},
		`"adcode":"140402"`:             {"", "140402"},
	} {
		in := fc(`{"type":"Feature","properties":{"name":"x",` + props + `},"geometry":{"type":"Polygon","coordinates":[` + ring(113, 36, 0.01, 6) + `]}}`)
		fs, err := ParseFeatureCollection([]byte(in), WGS84)
		if err != nil {
			t.Fatalf("%s: %v", props, err)
		}
		if fs[0].Code != want[0] || fs[0].Adcode != want[1] {
			t.Errorf("%s: code %q adcode %q, want %q %q", props, fs[0].Code, fs[0].Adcode, want[0], want[1])
		}
	}
}
