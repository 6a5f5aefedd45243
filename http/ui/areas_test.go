package ui

import (
	"context"
	"fmt"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/msg"
)

// TestCatalogueNamesClearsAndCounts pins that every one of the six clears
// a visit records and every count an area page shows has its message in
// every language (the pages print them by key).
func TestCatalogueNamesClearsAndCounts(t *testing.T) {
	var ids []string
	for _, c := range clearsOf(wangge.SixClears{Household: "x", Categories: "x", Facilities: "x", Dangers: "x", Needs: "x", HotIssues: "x"}) {
		ids = append(ids, "clear."+c.Name)
	}
	for _, st := range areaStats(&wangge.AreaSummary{Area: wangge.Area{Level: wangge.LevelDistrict}}, nil) {
		ids = append(ids, "count."+st.Name)
	}
	if len(ids) != 6+7 {
		t.Fatalf("%d ids, want the six clears and seven counts: %v", len(ids), ids)
	}
	for _, id := range ids {
		if !msg.Has(id) {
			t.Errorf("catalogue lacks %q", id)
		}
	}
}

// TestAreaPages walks the region tree's pages as the district's
// administrator and as a community's staff: the counts at each level, the
// grid's assistant, key groups and buildings, a building's households, a
// household's persons masked, and not found outside one's scope.
func TestAreaPages(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	hh := func(h *wangge.Household) string { return fmt.Sprintf("/households/%d", h.ID) }
	bb := func(b *wangge.Building) string { return fmt.Sprintf("/buildings/%d", b.ID) }
	count := func(name, label string, n int) string {
		return fmt.Sprintf(`data-count="%s"><dt>%s</dt><dd>%d</dd>`, name, label, n)
	}
	secrets := append(append([]string{}, f.ids...), f.phones...)

	for _, c := range []struct {
		name string
		sc   scenario
	}{
		{"start page goes to the user's area", scenario{url: "/", as: "admin", status: 303, location: "/areas/" + district}},
		{"community staff start at their community", scenario{url: "/", as: "dongyuan", status: 303, location: "/areas/" + communityA}},
		{"district page shows the real counts", scenario{url: "/areas/" + district, as: "admin", status: 200,
			contains: []string{"<h1>示范城区</h1>", "区管理员甲", "区管理员", `action="/logout"`,
				count("subdistricts", "街道", 1), count("communities", "社区", 2), count("grids", "网格", 2),
				count("buildings", "楼院", 3), count("households", "户数", 4), count("persons", "人数", 7),
				count("units", "驻区单位", 1), `href="/areas/` + subdistrict + `"`, "示范街道"}}},
		{"sub-district page lists both communities", scenario{url: "/areas/" + subdistrict, as: "admin", status: 200,
			contains: []string{"<h1>示范街道</h1>", `href="/areas/` + district + `"`, `href="/areas/` + communityA + `"`,
				`href="/areas/` + communityB + `"`, "东苑社区", "西苑社区", count("communities", "社区", 2)}}},
		{"community page lists its grid and assistant", scenario{url: "/areas/" + communityA, as: "admin", status: 200,
			contains: []string{"<h1>东苑社区</h1>", "东苑第一网格", "周敏", count("persons", "人数", 5), count("households", "户数", 3)}}},
		{"grid page shows assistant, key groups and buildings", scenario{url: "/areas/" + gridA, as: "admin", status: 200,
			contains: []string{"<h1>东苑第一网格</h1>", "周敏", "0355-2021001", `href="tel:0355-2021001"`,
				`data-group="elderly"><a href="/areas/` + gridA + `/groups/elderly"><span class="group-name">老年人</span> <span class="group-count">2</span>`,
				`data-group="childbearing"><a href="/areas/` + gridA + `/groups/childbearing"><span class="group-name">育龄妇女</span> <span class="group-count">1</span>`,
				`href="` + bb(f.buildingA1) + `"`, "东苑1号楼", "东苑2号楼", "张建国",
				count("buildings", "楼院", 2), count("persons", "人数", 5), count("units", "驻区单位", 1)},
			excludes: []string{"西苑1号院"}}},
		{"building page lists households", scenario{url: bb(f.buildingA1), as: "admin", status: 200,
			contains: []string{"<h1>东苑1号楼</h1>", "1单元101室", "1单元102室", "张建国", "王芳", "2025-11-03",
				count("households", "户数", 2), `href="` + hh(f.householdA1) + `"`, `href="/areas/` + gridA + `"`},
			excludes: secrets}},
		{"household page shows persons masked", scenario{url: hh(f.householdA1), as: "admin", status: 200,
			contains: []string{"东苑1号楼 1单元101室", "张建国", "李秀英", "张伟", "户主", "配偶", "子女", "男", "女",
				`class="num">75</td>`, "1499**********", "139****5678", "老年人", "例行走访", "周敏",
				"老两口与儿子同住", "希望办理高龄津贴", "楼道灯损坏", "2025-11-03 17:30", `href="` + bb(f.buildingA1) + `"`,
				`data-counted="groups">老年人、育龄妇女按出生日期计算`},
			excludes: secrets}},
		{"courtyard household", scenario{url: hh(f.householdB1), as: "admin", status: 200,
			contains: []string{"西苑1号院 5号", "刘洋", "陈静"}, excludes: secrets}},
		{"community staff see their community", scenario{url: "/areas/" + communityA, as: "dongyuan", status: 200,
			contains: []string{"东苑社区", "东苑社区工作人员", "社区工作人员"}}},
		{"community staff see only their part of the district", scenario{url: "/areas/" + district, as: "dongyuan", status: 200,
			contains: []string{"示范城区", count("persons", "人数", 5), count("households", "户数", 3)}, excludes: []string{"西苑"}}},
		{"community staff get 404 for the other community", scenario{url: "/areas/" + communityB, as: "dongyuan", status: 404,
			contains: []string{"未找到"}, excludes: []string{"西苑社区"}}},
		{"community staff get 404 for the other grid", scenario{url: "/areas/" + gridB, as: "dongyuan", status: 404}},
		{"community staff get 404 for a building elsewhere", scenario{url: bb(f.buildingB1), as: "dongyuan", status: 404,
			excludes: []string{"西苑1号院"}}},
		{"community staff get 404 for a household elsewhere", scenario{url: hh(f.householdB1), as: "dongyuan", status: 404,
			excludes: []string{"刘洋", "陈静"}}},
		{"community staff see their household", scenario{url: hh(f.householdA1), as: "dongyuan", status: 200,
			contains: []string{"张建国"}, excludes: secrets}},
		{"English switch", scenario{url: "/areas/" + district, as: "admin", lang: "en", status: 200,
			contains: []string{`<html lang="en">`, "Community Grid Services", "District administrator", "Log out",
				count("households", "Households", 4), count("persons", "Persons", 7), "Sub-districts", `href="/lang/zh?next=`},
			excludes: []string{"户数", "区管理员甲 区管理员"}}},
		{"household page in English", scenario{url: hh(f.householdA1), as: "admin", lang: "en", status: 200,
			contains: []string{"Entrance 1, room 101", "Head", "Spouse", "Child", "Male", "Female", "Elderly", "Service needs", "Age"},
			excludes: secrets}},
		{"malformed area code", scenario{url: "/areas/abc", as: "admin", status: 404}},
		{"malformed household id", scenario{url: "/households/abc", as: "admin", status: 404}},
		{"unknown household", scenario{url: "/households/999999", as: "admin", status: 404}},
		{"bad page number", scenario{url: "/areas/" + gridA + "?page=0", as: "admin", status: 400, contains: []string{"页码"}}},
	} {
		t.Run(c.name, func(t *testing.T) { c.sc.run(t, h) })
	}
}

func TestGridBuildingsPaginate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := range 50 {
		if err := f.store.CreateBuilding(ctx, wangge.ScopeAll(), &wangge.Building{GridCode: gridA, Name: fmt.Sprintf("东苑新楼%02d", i+1), Kind: wangge.BuildingTower}); err != nil {
			t.Fatal(err)
		}
	}
	h := f.server(t).Handler()
	scenario{url: "/areas/" + gridA, as: "admin", status: 200,
		contains: []string{"第 1 页 / 共 2 页", `href="/areas/` + gridA + `?page=2"`, "东苑1号楼", `<span class="count">52</span>`},
		excludes: []string{"东苑新楼50"}}.run(t, h)
	scenario{url: "/areas/" + gridA + "?page=2", as: "admin", status: 200,
		contains: []string{"第 2 页 / 共 2 页", `href="/areas/` + gridA + `?page=1"`, "东苑新楼50"},
		excludes: []string{"东苑1号楼"}}.run(t, h)
	scenario{url: "/areas/" + gridA + "?page=2", as: "admin", lang: "en", status: 200,
		contains: []string{"Page 2 of 2"}}.run(t, h)
}

// TestMovedHouseholdFollowsItsGrid pins that a household moved into another
// community shows its move, and that the move carries it into the new
// community's scope and out of the old one's.
func TestMovedHouseholdFollowsItsGrid(t *testing.T) {
	f := newFixture(t)
	ctx := wangge.WithActor(context.Background(), wangge.Actor{Username: "admin", Role: wangge.RoleDistrictAdmin})
	if err := f.store.MoveHousehold(ctx, wangge.ScopeAll(), f.householdB1.ID, f.householdB1.Version, f.buildingA2.ID, "搬入东苑"); err != nil {
		t.Fatal(err)
	}
	h := f.server(t).Handler()
	page := fmt.Sprintf("/households/%d", f.householdB1.ID)
	scenario{url: page, as: "dongyuan", status: 200,
		contains: []string{"东苑2号楼", "刘洋", "西苑第一网格", "东苑第一网格", "搬入东苑", "admin"}}.run(t, h)
	scenario{url: "/areas/" + communityA, as: "dongyuan", status: 200,
		contains: []string{`data-count="persons"><dt>人数</dt><dd>7</dd>`}}.run(t, h)
}
