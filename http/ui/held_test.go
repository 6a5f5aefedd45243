package ui

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/wangge/wangge/casework"
)

// TestHeldPagesPlaceDismissAndRefuse drives the held requests' pages with
// their refusals: who may see them, a building outside the placer's
// community, a point in no grid, a dismissal without a reason; then a
// place by a building and a dismissal, each answered with the list.
func TestHeldPagesPlaceDismissAndRefuse(t *testing.T) {
	f := newFixture(t)
	ledgerUsers(t, f)
	plantMap(t, f)
	for range 2 {
		holdInFixture(t, f, casework.HeldReport{Source: casework.SourceOpen311, CategoryCode: "P01",
			Description: "垃圾堆在路口，身份证 110101199003071234", Address: "菜市场后门", Name: "李女士", Phone: "13812345678", Lang: "zh"})
	}
	list, err := f.store.(interface {
		HeldReports(ctx context.Context, a casework.Actor) ([]casework.HeldRequest, error)
	}).HeldReports(context.Background(), casework.Actor{Role: "system"})
	if err != nil || len(list) != 2 {
		t.Fatalf("held %d, %v: want 2", len(list), err)
	}
	one, two := fmt.Sprint(list[0].ID), fmt.Sprint(list[1].ID)
	h := f.server(t).Handler()
	building := func(id int64, grid string) url.Values {
		return url.Values{"building_id": {fmt.Sprint(id)}, "grid": {grid}}
	}
	for _, sc := range []scenario{
		{url: "/cases/held", as: "dongyuan", status: 200, contains: []string{"菜市场后门", "李*士", "138****5678", "/cases/held/" + one},
			excludes: []string{"13812345678", "110101199003071234", "李女士"}},
		{url: "/cases", as: "dongyuan", status: 200, contains: []string{`data-held-link="2"`}},
		{url: "/cases/held", as: "dongyuan", lang: "en", status: 200, contains: []string{"Requests waiting for a place", "Environmental sanitation"},
			excludes: []string{"待定位的请求", "环境卫生"}},
		{url: "/cases", as: "dongyuan", lang: "en", status: 200, contains: []string{"Waiting for a place (2)"}},
		{url: "/cases", as: "xieliyuan", status: 200, excludes: []string{"data-held-link"}},
		{url: "/cases/held", as: "xieliyuan", status: 403},
		{url: "/cases/held/" + one, as: "louzhang", status: 403},
		{url: "/cases/held/" + one, as: "dongyuan", status: 200, contains: []string{`data-pick="held-place"`, "菜市场后门"}},
		{url: "/cases/held/" + one + "?q=" + url.QueryEscape(f.buildingA1.Name), as: "dongyuan", status: 200,
			contains: []string{fmt.Sprintf(`data-building="%d"`, f.buildingA1.ID)}},
		{method: "POST", url: "/cases/held/" + one + "/place", as: "dongyuan", form: building(f.buildingB1.ID, gridB), status: 403,
			contains: []string{"不在您负责的区域内"}},
		{method: "POST", url: "/cases/held/" + one + "/place", as: "dongyuan", form: building(f.buildingB1.ID, gridA), status: 400,
			contains: []string{"所选楼栋不在该网格内"}},
		{method: "POST", url: "/cases/held/" + one + "/place", as: "dongyuan", form: url.Values{"lng": {"113.19"}, "lat": {"36.15"}}, status: 400,
			contains: []string{"不在任何网格内"}},
		{method: "POST", url: "/cases/held/" + one + "/place", as: "dongyuan", form: url.Values{"lng": {"east"}}, status: 400},
		{method: "POST", url: "/cases/held/" + one + "/dismiss", as: "dongyuan", form: url.Values{"reason": {""}}, status: 400,
			contains: []string{"请选择驳回的原因"}},
		{method: "POST", url: "/cases/held/" + one + "/place", as: "minzheng", form: building(f.buildingA1.ID, gridA), status: 403},
		{method: "POST", url: "/cases/held/" + one + "/place", as: "dongyuan", form: building(f.buildingA1.ID, gridA), status: 303},
		{method: "POST", url: "/cases/held/" + one + "/place", as: "admin", form: building(f.buildingA1.ID, gridA), status: 409},
		{url: "/cases/held/" + one, as: "dongyuan", status: 404},
		{method: "POST", url: "/cases/held/" + two + "/dismiss", as: "dongyuan", form: url.Values{"reason": {"duplicate"}}, status: 303,
			location: "/cases/held?dismissed=duplicate"},
		{url: "/cases/held?dismissed=duplicate", as: "dongyuan", status: 200, contains: []string{`data-dismissed="duplicate"`, `data-empty`}},
		{url: "/cases", as: "dongyuan", status: 200, excludes: []string{"data-held-link"}},
	} {
		sc.run(t, h)
	}
}
