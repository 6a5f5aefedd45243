package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wangge/wangge/coverage"
)

// TestDemoDistrictIsSeamless: the demo's grids tile their communities, its
// communities their sub-districts and those the district, and every
// building lies in its own grid.
func TestDemoDistrictIsSeamless(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	db := filepath.Join(t.TempDir(), "w.db")
	capture(t, "demo", "--db", db, "--scale", "0.1", "--admin-password", "Demo-Test-2026")
	var rep coverage.Report
	if err := json.Unmarshal([]byte(capture(t, "coverage", "--db", db, "--json")), &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Seamless || len(rep.Parents) != 1+1+5 {
		t.Fatalf("demo coverage: seamless %v over %d parents", rep.Seamless, len(rep.Parents))
	}
	for _, p := range rep.Parents {
		if !p.Seamless || len(p.Gaps)+len(p.Overlaps)+len(p.OutsideParent) > 0 {
			t.Errorf("%s %s: %+v", p.Code, p.Name, p)
		}
	}
	if n := len(rep.BuildingsOutsideGrids) + len(rep.BuildingsInTwoGrids) + len(rep.BuildingsInAnotherGrid); n != 0 {
		t.Errorf("%d stray buildings", n)
	}
}

func polygon(name string, pts ...[2]float64) string {
	var c []string
	for _, p := range pts {
		c = append(c, fmt.Sprintf("[%g,%g]", p[0], p[1]))
	}
	return fmt.Sprintf(`{"type":"Feature","properties":{"name":%q},"geometry":{"type":"Polygon","coordinates":[[%s]]}}`, name, strings.Join(c, ","))
}

func collection(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

func box(name string, x0, y0, x1, y1 float64) string {
	return polygon(name, [2]float64{x0, y0}, [2]float64{x1, y0}, [2]float64{x1, y1}, [2]float64{x0, y1}, [2]float64{x0, y0})
}

// TestImportAreasBuildsAHierarchyAndChecksIt loads a district, a
// sub-district, a community and its grids from GeoJSON into an empty
// database, with codes assigned; refuses invalid geometry naming the
// feature; warns about (or under --strict refuses) a grid crossing its
// community's border; and the coverage check then finds the planted gap.
func TestImportAreasBuildsAHierarchyAndChecksIt(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	district := write("d.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"测试区","adcode":140498},"geometry":{"type":"Polygon","coordinates":[[[113,36],[113.1,36],[113.1,36.1],[113,36.1],[113,36]]]}}]}`)
	capture(t, "migrate", "--db", db) // only demo, migrate and serve make a database
	out := capture(t, "import", "areas", district, "--db", db, "--level", "district")
	if !strings.Contains(out, "140498\t测试区") {
		t.Fatalf("district import printed:\n%s", out)
	}
	capture(t, "import", "areas", write("s.geojson", collection(box("测试街道", 113, 36, 113.1, 36.1))), "--db", db, "--level", "subdistrict", "--parent", "140498")
	capture(t, "import", "areas", write("c.geojson", collection(box("测试社区", 113, 36, 113.1, 36.1))), "--db", db, "--level", "community", "--parent", "140498001")

	// Two grids leave a strip between 113.05 and 113.06 uncovered.
	grids := write("g.geojson", collection(box("第一网格", 113, 36, 113.05, 36.1), box("第二网格", 113.06, 36, 113.1, 36.1)))
	out = capture(t, "import", "grids", grids, "--db", db, "--parent", "140498001001")
	if !strings.Contains(out, "140498001001001\t第一网格") || !strings.Contains(out, "140498001001002\t第二网格") {
		t.Fatalf("grid codes not assigned:\n%s", out)
	}

	bowtie := write("bad.geojson", collection(polygon("自相交网格", [2]float64{113, 36}, [2]float64{113.1, 36.1}, [2]float64{113.1, 36}, [2]float64{113, 36.1}, [2]float64{113, 36})))
	if _, err := runOut("import", "grids", bowtie, "--db", db, "--parent", "140498001001"); err == nil {
		t.Error("a self-intersecting grid was imported")
	}
	crossing := write("x.geojson", collection(box("越界网格", 113.05, 36, 113.2, 36.02)))
	if _, err := runOut("import", "grids", crossing, "--db", db, "--parent", "140498001001", "--strict"); err == nil {
		t.Error("--strict accepted a grid crossing its community's border")
	}

	var rep coverage.Report
	raw, err := runOut("coverage", "--db", db, "--community", "140498001001", "--json")
	if err == nil {
		t.Error("coverage of a community with a gap exited 0")
	}
	if err := json.Unmarshal([]byte(raw), &rep); err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	if rep.Seamless || len(rep.Parents) != 1 || len(rep.Parents[0].Gaps) != 1 {
		t.Fatalf("coverage: %+v", rep)
	}
	g := rep.Parents[0].Gaps[0]
	// 0.01° × 0.1° at 36°N ≈ 901 m × 11,120 m.
	if g.AreaM2 < 9.8e6 || g.AreaM2 > 10.2e6 || g.Lng < 113.05 || g.Lng > 113.06 {
		t.Errorf("the gap: %+v", g)
	}

	out = capture(t, "import", "grids", crossing, "--db", db, "--parent", "140498001001")
	if !strings.Contains(out, "warning") {
		t.Errorf("a grid crossing its community's border was imported without a warning:\n%s", out)
	}
	raw, _ = runOut("coverage", "--db", db, "--community", "140498001001", "--json")
	json.Unmarshal([]byte(raw), &rep)
	if len(rep.Parents[0].OutsideParent) != 1 || rep.Parents[0].OutsideParent[0].Codes[0] != "140498001001003" {
		t.Errorf("outside parent: %+v", rep.Parents[0].OutsideParent)
	}
}
