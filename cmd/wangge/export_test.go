package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/peterstace/simplefeatures/geom"

	"github.com/wangge/wangge/geo"
)

// TestExportAreasRoundTrips: grids exported as GeoJSON carry their codes,
// names and 20-digit CJ/T 349 codes; read back (WGS-84, or GCJ-02 converted
// back) they are the outlines that were imported; an exported file imports
// into another database as the same areas.
func TestExportAreasRoundTrips(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	load := func(db string) {
		capture(t, "migrate", "--db", db) // only demo, migrate and serve make a database
		capture(t, "import", "areas", write("d.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"测试区","code":"140498"},"geometry":{"type":"Polygon","coordinates":[[[113,36],[113.1,36],[113.1,36.1],[113,36.1],[113,36]]]}}]}`), "--db", db, "--level", "district")
		capture(t, "import", "areas", write("s.geojson", collection(box("测试街道", 113, 36, 113.1, 36.1))), "--db", db, "--level", "subdistrict", "--parent", "140498")
		capture(t, "import", "areas", write("c.geojson", collection(box("测试社区", 113, 36, 113.1, 36.1))), "--db", db, "--level", "community", "--parent", "140498001")
	}
	db := filepath.Join(dir, "a.db")
	load(db)
	grids := collection(box("第一网格", 113, 36, 113.05, 36.1), polygon("第二网格", [2]float64{113.05, 36}, [2]float64{113.1, 36}, [2]float64{113.1, 36.1}, [2]float64{113.05, 36.1}, [2]float64{113.07, 36.05}, [2]float64{113.05, 36}))
	capture(t, "import", "grids", write("g.geojson", grids), "--db", db, "--parent", "140498001001")
	want, err := geo.ParseFeatureCollection([]byte(grids), geo.WGS84)
	if err != nil {
		t.Fatal(err)
	}

	exported := capture(t, "export", "areas", "--db", db, "--within", "140498001001", "--object", "010100")
	got, err := geo.ParseFeatureCollection([]byte(exported), geo.WGS84)
	if err != nil || len(got) != 2 {
		t.Fatalf("export: %v\n%s", err, exported)
	}
	for i, f := range got {
		code := []string{"140498001001001", "140498001001002"}[i]
		if f.Code != code || f.Name != want[i].Name || f.Props["code_cjt349"] != "010100140498001001"+code[13:] ||
			f.Props["level"] != "grid" || f.Props["parent_code"] != "140498001001" {
			t.Errorf("feature %d: %s %s %v", i, f.Code, f.Name, f.Props)
		}
		if !geom.ExactEquals(f.Geom, want[i].Geom) {
			t.Errorf("%s: outline %v, want %v", f.Code, f.Geom.AsText(), want[i].Geom.AsText())
		}
	}

	// GCJ-02 for Chinese map apps: shifted, and back within 1e-7°.
	gcj := capture(t, "export", "areas", "--db", db, "--within", "140498001001", "--crs", "gcj02")
	shifted, _ := geo.ParseFeatureCollection([]byte(gcj), geo.WGS84)
	back, err := geo.ParseFeatureCollection([]byte(gcj), geo.GCJ02)
	if err != nil || len(back) != 2 || geom.ExactEquals(shifted[0].Geom, want[0].Geom, geom.ToleranceXY(1e-5)) {
		t.Fatalf("gcj02 export: %v", err)
	}
	for i := range back {
		if !geom.ExactEquals(back[i].Geom, want[i].Geom, geom.ToleranceXY(1e-7)) {
			t.Errorf("%s through GCJ-02: %v", back[i].Code, back[i].Geom.AsText())
		}
	}

	// Into another database: the same codes.
	other := filepath.Join(dir, "b.db")
	load(other)
	out := capture(t, "import", "grids", write("export.geojson", exported), "--db", other, "--parent", "140498001001")
	if !strings.Contains(out, "140498001001001\t第一网格") || !strings.Contains(out, "140498001001002\t第二网格") {
		t.Errorf("re-import printed:\n%s", out)
	}
	var fc struct{ Features []json.RawMessage }
	if json.Unmarshal([]byte(capture(t, "export", "areas", "--db", other, "--level", "community")), &fc); len(fc.Features) != 1 {
		t.Errorf("communities exported: %d", len(fc.Features))
	}

	if _, err := runOut("export", "areas", "--db", db, "--level", "community", "--object", "010100"); err == nil {
		t.Error("--object accepted for communities")
	}
	if _, err := runOut("export", "areas", "--db", db, "--level", "town"); err == nil {
		t.Error("--level town accepted")
	}
}
