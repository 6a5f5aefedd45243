package storetest

import (
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

var reportTests = []test{
	{"ReportRowsCountPerChildAreaWithinScope", testReportRowsScope},
	{"ReportElderlyCountChangesAsTimePasses", testReportTimePasses},
	{"ReportDepartmentSeesOnlyItsLine", testReportDepartmentLine},
	{"ReportGapListsNameTheGaps", testReportGapLists},
}

// reportDay is the suite's report date.
var reportDay = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func rowOf(rows []wangge.ReportRow, code string) *wangge.ReportRow {
	for i := range rows {
		if rows[i].Code == code {
			return &rows[i]
		}
	}
	return nil
}

func testReportRowsScope(t *testing.T, e *env) {
	f := e.fixture()
	e.unit(GridA1, "东苑单位")
	rows, err := e.db.ReportRows(e.ctx, wangge.ScopeOf(Subdistrict), Subdistrict, reportDay, 90)
	ok(t, err)
	if len(rows) != 2 {
		t.Fatalf("rows = %d, want the two communities", len(rows))
	}
	a := rowOf(rows, CommunityA)
	if a == nil || a.Buildings != 2 || a.Households != 3 || a.Persons != 3 || a.Units != 1 {
		t.Fatalf("community A = %+v", a)
	}
	if a.EmptyHouseholds != 1 || a.UnvisitedHouseholds != 3 || a.UnvisitedUnits != 1 || a.EmptyBuildings != 0 || a.BuildingsNoHead != 2 {
		t.Errorf("community A gaps = %+v", a)
	}
	// A visit within the cycle takes the household off the unvisited count;
	// one older than the cycle does not.
	as := e.assistant("走访员")
	ok(t, e.db.CreateVisit(e.ctx, &wangge.Visit{AssistantID: as.ID, HouseholdID: &f.HA1.ID, At: reportDay.AddDate(0, 0, -10), Purpose: "走访"}))
	ok(t, e.db.CreateVisit(e.ctx, &wangge.Visit{AssistantID: as.ID, HouseholdID: &f.HA2.ID, At: reportDay.AddDate(0, 0, -200), Purpose: "走访"}))
	rows, err = e.db.ReportRows(e.ctx, wangge.ScopeOf(Subdistrict), CommunityA, reportDay, 90)
	ok(t, err)
	if g := rowOf(rows, GridA1); g == nil || g.UnvisitedHouseholds != 1 {
		t.Errorf("grid A1 after a visit = %+v", g)
	}
	if g := rowOf(rows, GridA2); g == nil || g.UnvisitedHouseholds != 1 {
		t.Errorf("grid A2 after an old visit = %+v", g)
	}
	// A community's scope never yields the other community.
	rows, err = e.db.ReportRows(e.ctx, wangge.ScopeOf(CommunityA), Subdistrict, reportDay, 90)
	ok(t, err)
	if len(rows) != 1 || rows[0].Code != CommunityA {
		t.Errorf("community A's scope over the sub-district = %+v", rows)
	}
	// A grid's scope over the sub-district: its community, counting the grid.
	rows, err = e.db.ReportRows(e.ctx, wangge.ScopeOf(GridA1), Subdistrict, reportDay, 90)
	ok(t, err)
	if len(rows) != 1 || rows[0].Code != CommunityA || rows[0].Buildings != 1 || rows[0].Households != 2 {
		t.Errorf("grid A1's scope over the sub-district = %+v", rows)
	}
	rows, err = e.db.ReportRows(e.ctx, wangge.ScopeOf(CommunityA), CommunityB, reportDay, 90)
	ok(t, err)
	if len(rows) != 0 {
		t.Errorf("community A's scope over community B = %+v", rows)
	}
	items, n, err := e.db.GapList(e.ctx, wangge.ScopeOf(CommunityA), GridB1, wangge.GapUnvisitedHousehold, reportDay, 90, wangge.Page{})
	ok(t, err)
	if n != 0 || len(items) != 0 {
		t.Errorf("gap list outside the scope = %d %+v", n, items)
	}
}

func testReportTimePasses(t *testing.T, e *env) {
	f := e.fixture()
	birth := time.Date(1966, 6, 15, 0, 0, 0, 0, time.UTC)
	p := &wangge.Person{HouseholdID: f.HA1b.ID, Name: "将满六十", IDNumber: string(ident.MakeID("149901", birth, 7, ident.SexFemale)),
		Relation: wangge.RelHead, Ethnicity: "汉族", Employment: wangge.EmployRetired, Phone: e.newPhone()}
	ok(t, e.db.CreatePerson(e.ctx, p))
	count := func(day time.Time) (elderly, women int) {
		rows, err := e.db.ReportRows(e.ctx, wangge.ScopeOf(GridA1), GridA1, day, 90)
		ok(t, err)
		if len(rows) != 1 {
			t.Fatalf("rows = %+v", rows)
		}
		return rows[0].Elderly60, rows[0].Women1549
	}
	before, _ := count(time.Date(2026, 6, 14, 0, 0, 0, 0, time.UTC))
	after, _ := count(time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC))
	if after != before+1 {
		t.Errorf("elderly the day before turning 60 = %d, on the birthday = %d; want one more", before, after)
	}
	// The same birth date: a woman of 49 counts, of 50 does not.
	_, w49 := count(time.Date(2016, 6, 14, 0, 0, 0, 0, time.UTC))
	_, w50 := count(time.Date(2016, 6, 15, 0, 0, 0, 0, time.UTC))
	if w49 != w50+1 {
		t.Errorf("women 15–49 the day before turning 50 = %d, on the birthday = %d", w49, w50)
	}
	var seen int
	ok(t, e.db.EachPersonAged(e.ctx, wangge.ScopeOf(District), District, time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC), 60, 200, false, func(q *wangge.Person) error {
		if q.ID == p.ID {
			seen++
			if q.IDNumber == f.IDNumber[q.ID] || len(q.IDNumber) != 18 || q.IDNumber[6:10] == "1966" {
				t.Errorf("ID number not masked: %q", q.IDNumber)
			}
		}
		return nil
	}))
	if seen != 1 {
		t.Errorf("EachPersonAged saw the new 60-year-old %d times", seen)
	}
}

func testReportDepartmentLine(t *testing.T, e *env) {
	f := e.fixture()
	e.membership(f.PA1.ID, wangge.GroupDisabled, map[string]string{"type": "肢体", "level": "二级"})
	e.membership(f.PA1b.ID, wangge.GroupUnemployed, map[string]string{"registered": "已登记"})
	e.membership(f.PB1.ID, wangge.GroupElderly, map[string]string{"living": "独居"})
	civil := (&wangge.User{Role: wangge.RoleDepartment, ScopeCode: District, Line: wangge.LineCivil}).Scope()
	rows, err := e.db.ReportRows(e.ctx, civil, Subdistrict, reportDay, 90)
	ok(t, err)
	a, b := rowOf(rows, CommunityA), rowOf(rows, CommunityB)
	if a == nil || b == nil {
		t.Fatalf("rows = %+v", rows)
	}
	if a.Groups[wangge.GroupDisabled] != 1 || a.GroupAttrs["disabled.level=二级"] != 1 || b.GroupAttrs["elderly.living=独居"] != 1 {
		t.Errorf("civil line's groups: A %v %v, B %v", a.Groups, a.GroupAttrs, b.GroupAttrs)
	}
	if a.Groups[wangge.GroupUnemployed] != 0 || a.GroupAttrs["unemployed.registered=已登记"] != 0 {
		t.Errorf("civil line sees the labour line's group: %v", a.Groups)
	}
	labor := (&wangge.User{Role: wangge.RoleDepartment, ScopeCode: District, Line: wangge.LineLabor}).Scope()
	rows, err = e.db.ReportRows(e.ctx, labor, Subdistrict, reportDay, 90)
	ok(t, err)
	if a := rowOf(rows, CommunityA); a.Groups[wangge.GroupUnemployed] != 1 || a.Groups[wangge.GroupDisabled] != 0 {
		t.Errorf("labour line's groups: %v", a.Groups)
	}
	// A scope without the sensitive right counts no disabled persons.
	staff := (&wangge.User{Role: wangge.RoleBuildingHead, ScopeCode: District}).Scope()
	rows, err = e.db.ReportRows(e.ctx, staff, Subdistrict, reportDay, 90)
	ok(t, err)
	if a := rowOf(rows, CommunityA); len(a.Groups) != 0 {
		t.Errorf("a building head's report counts groups: %v", a.Groups)
	}
	// A department reads no lists of persons or households.
	items, n, err := e.db.GapList(e.ctx, civil, District, wangge.GapEmptyHousehold, reportDay, 90, wangge.Page{})
	ok(t, err)
	if n != 0 || len(items) != 0 {
		t.Errorf("a department's household gap list = %d", n)
	}
	ok(t, e.db.EachPersonAged(e.ctx, civil, District, reportDay, 0, 200, false, func(*wangge.Person) error {
		t.Error("a department read a person")
		return nil
	}))
}

func testReportGapLists(t *testing.T, e *env) {
	f := e.fixture()
	empty := e.building(GridA1, "空楼")
	// A head with no phone and no ethnicity; a 30-year-old with no employment.
	p := &wangge.Person{HouseholdID: f.HA1b.ID, Name: "缺项", IDNumber: string(ident.MakeID("149901", time.Date(1996, 1, 2, 0, 0, 0, 0, time.UTC), 9, ident.SexMale)), Relation: wangge.RelHead}
	ok(t, e.db.CreatePerson(e.ctx, p))
	s := wangge.ScopeOf(District)
	items, n, err := e.db.GapList(e.ctx, s, CommunityA, wangge.GapEmptyBuilding, reportDay, 90, wangge.Page{})
	ok(t, err)
	if n != 1 || items[0].ID != empty.ID {
		t.Errorf("empty buildings = %d %+v", n, items)
	}
	items, n, err = e.db.GapList(e.ctx, s, CommunityA, wangge.GapIncompletePerson, reportDay, 90, wangge.Page{})
	ok(t, err)
	if n != 1 || items[0].ID != p.ID || len(items[0].Missing) != 3 {
		t.Errorf("incomplete persons = %d %+v", n, items)
	}
	rows, err := e.db.ReportRows(e.ctx, s, CommunityA, reportDay, 90)
	ok(t, err)
	if g := rowOf(rows, GridA1); g.IncompletePersons != 1 || g.EmptyBuildings != 1 || g.EmptyHouseholds != 0 {
		t.Errorf("grid A1 counts = %+v", g)
	}
	items, n, err = e.db.GapList(e.ctx, s, District, wangge.GapUnvisitedHousehold, reportDay, 90, wangge.Page{Limit: 2})
	ok(t, err)
	if n != 4 || len(items) != 2 || items[0].Room == "" {
		t.Errorf("unvisited households page = %d %+v", n, items)
	}
	var each []int64
	ok(t, e.db.EachGap(e.ctx, s, District, wangge.GapUnvisitedHousehold, reportDay, 90, func(it *wangge.GapItem) error {
		each = append(each, it.ID)
		return nil
	}))
	if len(each) != 4 || each[0] != items[0].ID || each[1] != items[1].ID {
		t.Errorf("EachGap = %v, the first page %+v", each, items)
	}
	each = nil
	ok(t, e.db.EachGap(e.ctx, wangge.ScopeOf(CommunityB), District, wangge.GapUnvisitedHousehold, reportDay, 90, func(it *wangge.GapItem) error {
		each = append(each, it.ID)
		return nil
	}))
	if len(each) != 1 || each[0] != f.HB1.ID {
		t.Errorf("EachGap in community B's scope = %v", each)
	}
}
