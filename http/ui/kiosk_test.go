package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/wangge/wangge/sqldb"
)

// TestKioskFindsTheGridByAddress: anyone types a building or street and
// gets the grid, its assistant's name and work phone, and the services;
// nothing personal appears, and the page resets itself when idle.
func TestKioskFindsTheGridByAddress(t *testing.T) {
	f := newFixture(t)
	seedServices(t, f)
	h := f.server(t).Handler()
	scenario{url: "/kiosk", status: 200, contains: []string{`name="q"`, `data-idle-reset="/kiosk"`, `kiosk.js`}, excludes: []string{`class="top"`}}.run(t, h)
	scenario{url: "/kiosk?q=东苑1号", status: 200,
		contains: []string{"东苑1号楼", "东苑第一网格", fmt.Sprintf(`href="/kiosk/grids/%s"`, gridA)},
		excludes: []string{"西苑", "张建国"}}.run(t, h)
	scenario{url: "/kiosk?q=不存在的楼", status: 200, contains: []string{"没有找到"}}.run(t, h)
	scenario{url: "/kiosk/grids/" + gridA, status: 200,
		contains: []string{"东苑第一网格", "周敏", "0355-2021001", `href="tel:`, "社区百项服务", "最低生活保障"},
		excludes: []string{"13512345672", "135****", "张建国", "1499"}}.run(t, h)
	scenario{url: "/kiosk/grids/" + gridB, status: 200, contains: []string{"西苑第一网格", "暂无协理员"}}.run(t, h)
	scenario{url: "/kiosk/grids/140499001", status: 404}.run(t, h)
	scenario{url: "/kiosk/grids/140499009009009", status: 404}.run(t, h)
}

// TestKioskMapNamesCommunitiesAndStreets: /kiosk/map.geojson holds the
// grids and communities with their names, and each street the grids' four
// bounds name as one line along the sides that face it; a bound naming a
// neighbouring grid is no street.
func TestKioskMapNamesCommunitiesAndStreets(t *testing.T) {
	f := newFixture(t)
	plantMap(t, f)
	plantStreets(t, f)
	// A grid named after its community, as the demo names them.
	gb, err := f.store.Area(context.Background(), gridB)
	if err != nil {
		t.Fatal(err)
	}
	gb.Name = "西苑社区第一网格"
	if err := f.store.UpdateArea(context.Background(), gb); err != nil {
		t.Fatal(err)
	}
	h := f.server(t).Handler()
	w := getAs(t, h, nil, "/kiosk/map.geojson")
	if w.Code != 200 {
		t.Fatalf("kiosk map: %d %s", w.Code, w.Body)
	}
	var fc map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	names := map[string][]string{}
	streets := map[string][]any{}
	for _, ft := range fc["features"].([]any) {
		ft := ft.(map[string]any)
		p := ft["properties"].(map[string]any)
		kind, name := p["kind"].(string), p["name"].(string)
		names[kind] = append(names[kind], name)
		if kind == "street" {
			g := ft["geometry"].(map[string]any)
			if g["type"] != "MultiLineString" {
				t.Errorf("street %s is a %v", name, g["type"])
			}
			streets[name] = g["coordinates"].([]any)
		}
		if kind == "grid" && p["code"] == gridB && p["label"] != "第一网格" {
			t.Errorf("grid B is labelled %v, want 第一网格 under its community's name", p["label"])
		}
		if kind == "grid" && p["code"] == gridA && p["label"] != nil {
			t.Errorf("grid A is labelled %v, want its whole name", p["label"])
		}
	}
	sort.Strings(names["community"])
	sort.Strings(names["street"])
	if got := strings.Join(names["community"], " "); got != "东苑社区 西苑社区" {
		t.Errorf("communities %q", got)
	}
	if got := strings.Join(names["street"], " "); got != "和平街 建设路 文化街 杏花街 长兴路" {
		t.Errorf("streets %q", got)
	}
	// 杏花街 runs along grid A's west side, x = 113.10 from 36.10 to 36.20.
	xh := streets["杏花街"]
	if len(xh) != 1 {
		t.Fatalf("杏花街 has %d parts", len(xh))
	}
	seg := xh[0].([]any)
	a, b := seg[0].([]any), seg[1].([]any)
	if a[0] != 113.1 || b[0] != 113.1 || min(a[1].(float64), b[1].(float64)) != 36.1 || max(a[1].(float64), b[1].(float64)) != 36.2 {
		t.Errorf("杏花街 runs %v", seg)
	}
	// 和平街 is the south side of A, A2 and B: A and A2 overlap (planted),
	// B lies apart, so more than one part.
	if len(streets["和平街"]) < 2 {
		t.Errorf("和平街: %v", streets["和平街"])
	}
}

// TestPublicPagesLeaveOutTheConfidentialityFooter: the staff's footer
// rule (信息保密，仅限工作使用) is on staff pages only; a bad kiosk place
// is refused in both languages.
func TestPublicPagesLeaveOutTheConfidentialityFooter(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	for _, u := range []string{"/kiosk", "/kiosk/grids/" + gridA, "/login"} {
		scenario{url: u, status: 200, contains: []string{`<footer class="foot">社区网格化服务管理系统</footer>`}, excludes: []string{"信息保密", "仅限工作使用"}}.run(t, h)
	}
	scenario{url: "/areas/" + communityA, as: "dongyuan", status: 200, contains: []string{"信息保密，仅限工作使用"}}.run(t, h)
	// Error pages speak the reader's language alone: Chinese by default.
	scenario{url: "/kiosk?at=113.1", status: 400, contains: []string{"经度,纬度"}, excludes: []string{"lng,lat"}}.run(t, h)
	scenario{url: "/kiosk?at=200,36", status: 400}.run(t, h)
	scenario{url: "/kiosk?at=113.11,36.19", status: 200, contains: []string{`data-here-lng="113.11"`, `data-here-lat="36.19"`, `name="at"`}}.run(t, h)
}

// seedServices gives the fixture the services the kiosk lists.
func seedServices(t testing.TB, f *fixture) {
	t.Helper()
	if err := f.store.(*sqldb.DB).SeedServices(context.Background()); err != nil {
		t.Fatal(err)
	}
}
