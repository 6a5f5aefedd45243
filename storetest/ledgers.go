package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

var ledgerTests = []test{
	{"LedgerHouseholdSearchFindsRoomsBuildingsAndMembers", testLedgerHouseholdSearch},
	{"LedgerHouseholdSortsAndPages", testLedgerHouseholdSorts},
	{"LedgerHouseholdsCarryTheKeyGroupsTheScopeMaySee", testLedgerHouseholdGroups},
	{"LedgerSortOutsideTheWhitelistIsRefused", testLedgerSortWhitelist},
	{"LedgerUnitsSortAndSearchByCreditCode", testLedgerUnits},
	{"LedgerAssistantsCarryTheirGridsCounts", testLedgerAssistants},
	{"LedgerMembershipsSearchSortAndKeepThoseWhoLeft", testLedgerMemberships},
	{"LedgerExportsKeepToTheScope", testLedgerExportScope},
	{"EachResidentGoesHouseholdByHouseholdHeadFirst", testEachResident},
	{"FullExportsOpenHouseholdAndUnitPhones", testFullExportsOpenPhones},
	{"GroupChangesCountJoinsAndLeavesInThePeriod", testGroupChanges},
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func householdIDs(hs []wangge.HouseholdSummary) []int64 {
	return ids(hs, func(h wangge.HouseholdSummary) int64 { return h.ID })
}

// spacedID writes an ID number as people type it into a spreadsheet:
// "110105 19491231 002X".
func spacedID(id string) string { return id[:6] + " " + id[6:14] + "\u3000" + id[14:] }

func testLedgerHouseholdSearch(t *testing.T, e *env) {
	f := e.fixture()
	district := wangge.ScopeOf(District)
	for _, c := range []struct {
		scope  wangge.Scope
		search string
		want   []int64
	}{
		{district, "101", []int64{f.HA1.ID}},
		{district, "10", []int64{f.HA1.ID, f.HA1b.ID}},
		{district, "东苑2号", []int64{f.HA2.ID}},    // part of the building's name
		{district, "2号楼", []int64{f.HA2.ID}},     // anywhere in it
		{district, "测试甲", []int64{f.HA1.ID}},     // two members match: the household once
		{district, " 测试丙一 ", []int64{f.HB1.ID}},  // a whole name, spaces trimmed
		{wangge.ScopeOf(CommunityA), "测试丙", nil}, // a name outside the scope
		{district, "甲一", nil},                    // names match from their start
		{district, "%", nil},                     // wildcards are plain characters
		{district, "_01", nil},
		// A dwelling written as the pages show it, or as people type it.
		{district, "1单元101室", []int64{f.HA1.ID}},
		{district, "1单元101", []int64{f.HA1.ID}},
		{district, "101室", []int64{f.HA1.ID}},
		{district, "1-101", []int64{f.HA1.ID}},
		{district, "Entrance 1, room 301", []int64{f.HB1.ID}},
		{district, "2单元101室", nil},
		{district, "1-10", nil},
		{wangge.ScopeOf(CommunityA), "1单元301室", nil},
		// The household number, whole or its start.
		{district, "H201", []int64{f.HA2.ID}},
		{wangge.ScopeOf(CommunityB), "H201", nil},
		// An ID number, exactly, through the blind index; typed with spaces.
		{district, f.IDNumber[f.PA1b.ID], []int64{f.HA1.ID}},
		{district, spacedID(f.IDNumber[f.PB1.ID]), []int64{f.HB1.ID}},
		{wangge.ScopeOf(CommunityA), f.IDNumber[f.PB1.ID], nil},
		{district, f.IDNumber[f.PB1.ID][:17], nil},
		{district, string(ident.MakeID("110105", day("1949-12-31"), 0, ident.SexFemale)), nil},
	} {
		hs, n, err := e.db.ListHouseholds(e.ctx, c.scope, wangge.HouseholdFilter{Search: c.search})
		ok(t, err, "search ", c.search)
		if got := householdIDs(hs); !sameIDs(got, c.want) || n != len(c.want) {
			t.Errorf("search %q in %s: %v (total %d), want %v", c.search, c.scope.Prefix(), got, n, c.want)
		}
	}
	// The search narrows within a grid filter, and the grid filter within the scope.
	hs, n, err := e.db.ListHouseholds(e.ctx, district, wangge.HouseholdFilter{GridCode: GridA2, Search: "测试"})
	ok(t, err)
	if got := householdIDs(hs); !sameIDs(got, []int64{f.HA2.ID}) || n != 1 {
		t.Errorf("search in grid A2: %v (total %d)", got, n)
	}
	hs, _, err = e.db.ListHouseholds(e.ctx, wangge.ScopeOf(CommunityA), wangge.HouseholdFilter{GridCode: GridB1, Search: "测试"})
	ok(t, err)
	if len(hs) != 0 {
		t.Errorf("grid B1 from community A's scope: %v", householdIDs(hs))
	}
	// A scope that may not read people finds nothing, whatever it searches.
	hs, _, err = e.db.ListHouseholds(e.ctx, roleScope(wangge.RoleBuildingHead, GridA1, ""), wangge.HouseholdFilter{Search: "101"})
	ok(t, err)
	if len(hs) != 0 {
		t.Errorf("a building head's search: %v", householdIDs(hs))
	}
}

func testLedgerHouseholdSorts(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	h1001 := e.household(f.BA1.ID, "1001") // after 102, not before it
	as := e.assistant("排序协理员")
	ok(t, e.db.AssignAssistant(ctx, as.ID, GridA1, time.Time{}, ""))
	visit := func(h int64, at time.Time) {
		ok(t, e.db.CreateVisit(ctx, wangge.ScopeAll(), &wangge.Visit{AssistantID: as.ID, HouseholdID: &h, At: at, Purpose: "走访"}))
	}
	visit(f.HA2.ID, time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC))
	visit(f.HA1.ID, time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
	visit(f.HA1.ID, time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC))
	visit(h1001.ID, time.Date(2025, 2, 1, 9, 0, 0, 0, time.UTC))
	e.person(h1001.ID, "测试丁一", wangge.RelHead)
	e.person(h1001.ID, "测试丁二", wangge.RelChild)
	e.person(h1001.ID, "测试丁三", wangge.RelChild)

	all := wangge.ScopeOf(District)
	list := func(sort wangge.Sort, p wangge.Page) ([]wangge.HouseholdSummary, int) {
		t.Helper()
		hs, n, err := e.db.ListHouseholds(ctx, all, wangge.HouseholdFilter{Sort: sort, Page: p})
		ok(t, err, "sort ", sort)
		return hs, n
	}
	HA1, HA1b, HA2, HB1, H1001 := f.HA1.ID, f.HA1b.ID, f.HA2.ID, f.HB1.ID, h1001.ID
	for _, c := range []struct {
		sort wangge.Sort
		want []int64
	}{
		{"", []int64{HA1, HA1b, H1001, HA2, HB1}},
		{"building", []int64{HA1, HA1b, H1001, HA2, HB1}},
		{"-building", []int64{HB1, HA2, H1001, HA1b, HA1}},
		{"persons", []int64{HA1b, HA2, HB1, HA1, H1001}},
		{"-persons", []int64{H1001, HA1, HA2, HB1, HA1b}},
		{"last_visit", []int64{HA1b, HB1, HA2, H1001, HA1}},  // never visited first
		{"-last_visit", []int64{HA1, H1001, HA2, HA1b, HB1}}, // never visited last
	} {
		hs, n := list(c.sort, wangge.Page{})
		if got := householdIDs(hs); !sameIDs(got, c.want) || n != 5 {
			t.Errorf("sort %q: %v (total %d), want %v", c.sort, got, n, c.want)
		}
		// Pages are slices of the same order.
		hs, n = list(c.sort, wangge.Page{Offset: 2, Limit: 2})
		if got := householdIDs(hs); !sameIDs(got, c.want[2:4]) || n != 5 {
			t.Errorf("sort %q, page 2 of 2: %v (total %d), want %v", c.sort, got, n, c.want[2:4])
		}
	}
	hs, _ := list("-persons", wangge.Page{Limit: 2})
	if hs[0].Persons != 3 || hs[0].HeadName != "测试丁一" || hs[0].BuildingName != "东苑1号楼" ||
		hs[0].LastVisit == nil || !hs[0].LastVisit.Equal(time.Date(2025, 2, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("summary %+v", hs[0])
	}
	if hs[1].Persons != 2 || hs[1].LastVisit == nil || !hs[1].LastVisit.Equal(time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("summary of HA1: persons %d, last visit %v", hs[1].Persons, hs[1].LastVisit)
	}
	if strings.ContainsAny(hs[0].Phone, "0123456789") && !strings.Contains(hs[0].Phone, "*") {
		t.Errorf("household phone unmasked: %q", hs[0].Phone)
	}
	// Past the end: nothing, with the total.
	hs, n := list("persons", wangge.Page{Offset: 10, Limit: 5})
	if len(hs) != 0 || n != 5 {
		t.Errorf("past the end: %d rows, total %d", len(hs), n)
	}
}

func testLedgerHouseholdGroups(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	e.membership(f.PA1.ID, wangge.GroupElderly, elderlyAttrs)
	e.membership(f.PA1.ID, wangge.GroupDisabled, disabledAttrs)
	e.membership(f.PA1b.ID, wangge.GroupFloating, floatingAttrs)
	e.membership(f.PA1b.ID, wangge.GroupElderly, elderlyAttrs) // elderly twice in the household: one tag
	left := e.membership(f.PA2.ID, wangge.GroupUnemployed, map[string]string{"registered": "已登记"})
	ok(t, e.db.EndMembership(ctx, wangge.ScopeAll(), left.ID, left.Version, day("2025-01-01")))

	sens := wangge.ScopeOf(CommunityA)
	sens.Sensitive = true
	for _, c := range []struct {
		name  string
		scope wangge.Scope
		want  []wangge.KeyGroup
	}{
		{"plain", wangge.ScopeOf(CommunityA), []wangge.KeyGroup{wangge.GroupFloating, wangge.GroupElderly}},
		{"sensitive", sens, []wangge.KeyGroup{wangge.GroupFloating, wangge.GroupDisabled, wangge.GroupElderly}},
	} {
		hs, _, err := e.db.ListHouseholds(ctx, c.scope, wangge.HouseholdFilter{})
		ok(t, err)
		got := map[int64][]wangge.KeyGroup{}
		for _, h := range hs {
			got[h.ID] = h.Groups
		}
		if !slices.Equal(got[f.HA1.ID], c.want) {
			t.Errorf("%s: household A1's groups %v, want %v", c.name, got[f.HA1.ID], c.want)
		}
		// PA2 left the unemployed, but is over 60: elderly by age, with no
		// row. HA1b is empty.
		if !slices.Equal(got[f.HA2.ID], []wangge.KeyGroup{wangge.GroupElderly}) || len(got[f.HA1b.ID]) != 0 {
			t.Errorf("%s: groups of household A2 %v (want elderly only), of the empty one %v", c.name, got[f.HA2.ID], got[f.HA1b.ID])
		}
	}
}

func testLedgerSortWhitelist(t *testing.T, e *env) {
	ctx := e.ctx
	e.fixture()
	s := wangge.ScopeAll()
	for _, bad := range []wangge.Sort{"id", "h.id; DROP TABLE persons", "--persons", "head", "persons DESC"} {
		_, _, err := e.db.ListHouseholds(ctx, s, wangge.HouseholdFilter{Sort: bad})
		wantField(t, err, "sort", "ListHouseholds ", bad)
		_, _, err = e.db.ListUnits(ctx, s, wangge.UnitFilter{Sort: bad})
		wantField(t, err, "sort", "ListUnits ", bad)
		_, _, err = e.db.ListAssistants(ctx, s, wangge.AssistantFilter{Sort: bad})
		wantField(t, err, "sort", "ListAssistants ", bad)
		_, _, err = e.db.ListMemberships(ctx, s, wangge.MembershipFilter{Sort: bad})
		wantField(t, err, "sort", "ListMemberships ", bad)
		err = e.db.EachMembership(ctx, s, wangge.MembershipFilter{Sort: bad}, func(*wangge.Membership) error { return nil })
		wantField(t, err, "sort", "EachMembership ", bad)
	}
	// Every key of every whitelist works both ways, on both databases.
	for _, k := range wangge.HouseholdSorts {
		for _, s2 := range []wangge.Sort{wangge.Sort(k), wangge.Sort("-" + k)} {
			_, _, err := e.db.ListHouseholds(ctx, s, wangge.HouseholdFilter{Sort: s2})
			ok(t, err, "ListHouseholds ", s2)
		}
	}
	for _, k := range wangge.UnitSorts {
		_, _, err := e.db.ListUnits(ctx, s, wangge.UnitFilter{Sort: wangge.Sort("-" + k)})
		ok(t, err, "ListUnits ", k)
	}
	for _, k := range wangge.AssistantSorts {
		_, _, err := e.db.ListAssistants(ctx, s, wangge.AssistantFilter{Sort: wangge.Sort("-" + k)})
		ok(t, err, "ListAssistants ", k)
	}
	for _, k := range wangge.MembershipSorts {
		_, _, err := e.db.ListMemberships(ctx, s, wangge.MembershipFilter{Sort: wangge.Sort("-" + k)})
		ok(t, err, "ListMemberships ", k)
	}
}

func testLedgerUnits(t *testing.T, e *env) {
	ctx := e.ctx
	e.fixture()
	unit := func(grid, name string, headcount, party int) *wangge.Unit {
		u := &wangge.Unit{GridCode: grid, Name: name, Kind: wangge.UnitEnterprise, Headcount: headcount, PartyMembers: party, CreditCode: e.newCreditCode()}
		if party > 0 {
			u.PartyOrg = name + "党支部"
		}
		ok(t, e.db.CreateUnit(ctx, wangge.ScopeAll(), u), "CreateUnit ", name)
		return u
	}
	a := unit(GridA2, "甲商贸", 30, 3)
	b := unit(GridA1, "乙物业", 10, 0)
	c := unit(GridA1, "丙超市", 20, 1)
	d := unit(GridB1, "丁学校", 80, 12)
	all := wangge.ScopeOf(District)
	uids := func(us []wangge.Unit) []int64 { return ids(us, func(u wangge.Unit) int64 { return u.ID }) }
	for _, x := range []struct {
		scope wangge.Scope
		f     wangge.UnitFilter
		want  []int64
	}{
		{all, wangge.UnitFilter{}, []int64{b.ID, c.ID, a.ID, d.ID}},
		{all, wangge.UnitFilter{Sort: "-grid"}, []int64{d.ID, a.ID, c.ID, b.ID}},
		{all, wangge.UnitFilter{Sort: "headcount"}, []int64{b.ID, c.ID, a.ID, d.ID}},
		{all, wangge.UnitFilter{Sort: "-headcount"}, []int64{d.ID, a.ID, c.ID, b.ID}},
		{all, wangge.UnitFilter{Sort: "-party_members"}, []int64{d.ID, a.ID, c.ID, b.ID}},
		{all, wangge.UnitFilter{Query: "超市"}, []int64{c.ID}},
		{all, wangge.UnitFilter{Query: strings.ToLower(d.CreditCode[:12])}, []int64{d.ID}}, // the start of the credit code, any case
		{all, wangge.UnitFilter{Query: d.CreditCode[5:]}, nil},                             // only its start
		{wangge.ScopeOf(CommunityA), wangge.UnitFilter{Sort: "-headcount"}, []int64{a.ID, c.ID, b.ID}},
		{wangge.ScopeOf(CommunityA), wangge.UnitFilter{Query: d.CreditCode}, nil},
		{all, wangge.UnitFilter{Sort: "-headcount", Page: wangge.Page{Offset: 1, Limit: 2}}, []int64{a.ID, c.ID}},
	} {
		us, n, err := e.db.ListUnits(ctx, x.scope, x.f)
		ok(t, err)
		if got := uids(us); !sameIDs(got, x.want) {
			t.Errorf("ListUnits(%s, %+v): %v, want %v", x.scope.Prefix(), x.f, got, x.want)
		}
		if x.f.Page.Limit == 0 && n != len(x.want) {
			t.Errorf("ListUnits(%s, %+v): total %d, want %d", x.scope.Prefix(), x.f, n, len(x.want))
		}
	}
	// Names sort by name.
	us, _, err := e.db.ListUnits(ctx, all, wangge.UnitFilter{Sort: "name"})
	ok(t, err)
	names := make([]string, len(us))
	for i, u := range us {
		names[i] = u.Name
	}
	if !slices.IsSorted(names) {
		t.Errorf("sorted by name: %v", names)
	}
}

func testLedgerAssistants(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	a1 := e.assistant("协理员甲")
	a2 := e.assistant("协理员乙")
	b1 := e.assistant("协理员丙")
	ok(t, e.db.AssignAssistant(ctx, a1.ID, GridA1, time.Time{}, ""))
	ok(t, e.db.AssignAssistant(ctx, a2.ID, GridA2, time.Time{}, ""))
	ok(t, e.db.AssignAssistant(ctx, b1.ID, GridB1, time.Time{}, ""))
	g, err := e.db.Area(ctx, GridA1)
	ok(t, err)
	g.ServiceArea = "东苑路 1—9 号"
	ok(t, e.db.UpdateArea(ctx, g))
	e.unit(GridA2, "乙网格单位")
	e.person(f.HB1.ID, "测试丙二", wangge.RelSpouse)
	e.person(f.HB1.ID, "测试丙三", wangge.RelChild)

	all := wangge.ScopeOf(District)
	aids := func(as []wangge.AssistantSummary) []int64 {
		return ids(as, func(a wangge.AssistantSummary) int64 { return a.ID })
	}
	for _, c := range []struct {
		scope wangge.Scope
		sort  wangge.Sort
		want  []int64
	}{
		{all, "", []int64{a1.ID, a2.ID, b1.ID}},
		{all, "-grid", []int64{b1.ID, a2.ID, a1.ID}},
		{all, "-households", []int64{a1.ID, a2.ID, b1.ID}}, // 2 (A1), 1 (A2), 1 (B1): ties by grid
		{all, "households", []int64{a2.ID, b1.ID, a1.ID}},
		{all, "-persons", []int64{b1.ID, a1.ID, a2.ID}}, // 3, 2, 1
		{wangge.ScopeOf(CommunityA), "-persons", []int64{a1.ID, a2.ID}},
		// The assistants' ledger is public facts: every role's scope lists it.
		{roleScope(wangge.RoleBuildingHead, GridA1, ""), "", []int64{a1.ID}},
	} {
		as, n, err := e.db.ListAssistants(ctx, c.scope, wangge.AssistantFilter{Sort: c.sort})
		ok(t, err)
		if got := aids(as); !sameIDs(got, c.want) || n != len(c.want) {
			t.Errorf("ListAssistants(%s, %q): %v (total %d), want %v", c.scope.Prefix(), c.sort, got, n, c.want)
		}
	}
	as, _, err := e.db.ListAssistants(ctx, all, wangge.AssistantFilter{})
	ok(t, err)
	want := []struct {
		name, grid, service string
		households, persons int
		units               int
	}{
		{"协理员甲", GridA1, "东苑路 1—9 号", 2, 2, 0},
		{"协理员乙", GridA2, "", 1, 1, 1},
		{"协理员丙", GridB1, "", 1, 3, 0},
	}
	for i, w := range want {
		a := as[i]
		if a.Name != w.name || a.GridCode != w.grid || a.ServiceArea != w.service || a.Households != w.households || a.Persons != w.persons || a.Units != w.units {
			t.Errorf("assistant %d: %s %s %q households %d persons %d units %d, want %+v", i, a.Name, a.GridCode, a.ServiceArea, a.Households, a.Persons, a.Units, w)
		}
		if a.GridName == "" {
			t.Errorf("assistant %s without the grid's name", a.Name)
		}
	}
	// Sorted by name, the order of the names.
	as, _, err = e.db.ListAssistants(ctx, all, wangge.AssistantFilter{Sort: "name"})
	ok(t, err)
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = a.Name
	}
	if !slices.IsSorted(names) {
		t.Errorf("sorted by name: %v", names)
	}
}

func testLedgerMemberships(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	// Retirees: a group whose rows are the membership (no age decides it),
	// so that leaving is kept.
	join := func(p *wangge.Person, joined string) *wangge.Membership {
		m := &wangge.Membership{PersonID: p.ID, Group: wangge.GroupRetiree, Joined: day(joined)}
		ok(t, e.db.CreateMembership(ctx, wangge.ScopeAll(), m))
		return m
	}
	m1 := join(f.PA1, "2020-01-01")
	m2 := join(f.PA1b, "2022-01-01")
	m3 := join(f.PA2, "2021-01-01")
	m4 := join(f.PB1, "2019-01-01")
	ok(t, e.db.EndMembership(ctx, wangge.ScopeAll(), m1.ID, m1.Version, day("2024-06-01")))
	ok(t, e.db.EndMembership(ctx, wangge.ScopeAll(), m3.ID, m3.Version, day("2023-06-01")))

	all := wangge.ScopeOf(District)
	mids := func(ms []wangge.Membership) []int64 { return ids(ms, func(m wangge.Membership) int64 { return m.ID }) }
	for _, c := range []struct {
		scope wangge.Scope
		f     wangge.MembershipFilter
		want  []int64
	}{
		{all, wangge.MembershipFilter{}, []int64{m1.ID, m2.ID, m3.ID, m4.ID}},
		{all, wangge.MembershipFilter{Current: true}, []int64{m2.ID, m4.ID}},
		{all, wangge.MembershipFilter{Sort: "joined"}, []int64{m4.ID, m1.ID, m3.ID, m2.ID}},
		{all, wangge.MembershipFilter{Sort: "-joined"}, []int64{m2.ID, m3.ID, m1.ID, m4.ID}},
		{all, wangge.MembershipFilter{Sort: "left"}, []int64{m3.ID, m1.ID, m2.ID, m4.ID}}, // still members last
		{all, wangge.MembershipFilter{Sort: "-left"}, []int64{m1.ID, m3.ID, m4.ID, m2.ID}},
		{all, wangge.MembershipFilter{Search: "测试甲"}, []int64{m1.ID, m2.ID}},
		{all, wangge.MembershipFilter{Search: "测试甲", Current: true}, []int64{m2.ID}},
		{all, wangge.MembershipFilter{Search: "%"}, nil},
		{wangge.ScopeOf(CommunityA), wangge.MembershipFilter{Search: "测试丙"}, nil},
		{all, wangge.MembershipFilter{Sort: "joined", Page: wangge.Page{Offset: 1, Limit: 2}}, []int64{m1.ID, m3.ID}},
	} {
		c.f.Group = wangge.GroupRetiree
		ms, n, err := e.db.ListMemberships(ctx, c.scope, c.f)
		ok(t, err)
		if got := mids(ms); !sameIDs(got, c.want) {
			t.Errorf("ListMemberships(%s, %+v): %v, want %v", c.scope.Prefix(), c.f, got, c.want)
		}
		if c.f.Page.Limit == 0 && n != len(c.want) {
			t.Errorf("ListMemberships(%s, %+v): total %d, want %d", c.scope.Prefix(), c.f, n, len(c.want))
		}
	}
	// Each membership carries its person: name, household, masked ID
	// number and what it gives.
	ms, _, err := e.db.ListMemberships(ctx, all, wangge.MembershipFilter{PersonID: f.PA1b.ID, Group: wangge.GroupRetiree})
	ok(t, err)
	if len(ms) != 1 {
		t.Fatalf("memberships of PA1b: %d", len(ms))
	}
	m := ms[0]
	id, _ := ident.ParseID(f.IDNumber[f.PA1b.ID])
	if m.PersonName != f.PA1b.Name || m.HouseholdID != f.HA1.ID || m.PersonIDNumber != ident.MaskID(string(id)) ||
		m.PersonSex != id.Sex() || !m.PersonBirth.Equal(id.BirthDate()) {
		t.Errorf("membership's person: %q household %d id %q sex %v birth %v", m.PersonName, m.HouseholdID, m.PersonIDNumber, m.PersonSex, m.PersonBirth)
	}
	if strings.Contains(m.PersonIDNumber, f.IDNumber[f.PA1b.ID]) {
		t.Errorf("membership carries the ID number in full")
	}
}

func testLedgerExportScope(t *testing.T, e *env) {
	ctx := e.ctx
	objs := e.world()
	for _, ns := range testScopes() {
		t.Run(ns.name, func(t *testing.T) {
			want := map[string][]int64{}
			for _, o := range objs {
				if (o.kind == "person" || o.kind == "unit" || o.kind == "membership") && o.visibleIn(ns.s) {
					want[o.kind] = append(want[o.kind], o.id)
				}
			}
			got := map[string][]int64{}
			ok(t, e.db.EachResident(ctx, ns.s, wangge.HouseholdFilter{}, func(r *wangge.ResidentEntry) error {
				got["person"] = append(got["person"], r.Person.ID)
				if !ns.s.Contains(r.Person.GridCode) || r.Household.ID != r.Person.HouseholdID {
					t.Errorf("EachResident: person %d of grid %s, household %d/%d", r.Person.ID, r.Person.GridCode, r.Household.ID, r.Person.HouseholdID)
				}
				if !strings.Contains(r.Person.IDNumber, "*") || r.Person.Phone != "" && !strings.Contains(r.Person.Phone, "*") {
					t.Errorf("EachResident: person %d unmasked: %q %q", r.Person.ID, r.Person.IDNumber, r.Person.Phone)
				}
				for _, g := range r.Groups {
					if !ns.s.GroupVisible(g) {
						t.Errorf("EachResident: person %d tagged with %s, which the scope may not see", r.Person.ID, g)
					}
				}
				return nil
			}))
			ok(t, e.db.EachUnit(ctx, ns.s, wangge.UnitFilter{}, func(u *wangge.UnitEntry) error {
				got["unit"] = append(got["unit"], u.ID)
				return nil
			}))
			want["elderly"] = expected(objs, "elderly", ns.s)
			ok(t, e.db.EachMembership(ctx, ns.s, wangge.MembershipFilter{}, func(m *wangge.Membership) error {
				if m.Group == wangge.GroupElderly {
					got["elderly"] = append(got["elderly"], m.PersonID)
				} else {
					got["membership"] = append(got["membership"], m.ID)
				}
				if !strings.Contains(m.PersonIDNumber, "*") {
					t.Errorf("EachMembership: %d carries the ID number unmasked", m.ID)
				}
				return nil
			}))
			for _, kind := range []string{"person", "unit", "membership", "elderly"} {
				slices.Sort(got[kind])
				slices.Sort(want[kind])
				if !sameIDs(got[kind], want[kind]) {
					t.Errorf("%s: got %v, want %v", kind, got[kind], want[kind])
				}
			}
		})
	}
}

func testEachResident(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	child, _, _ := e.person(f.HA1b.ID, "测试甲四", wangge.RelChild)
	head, _, _ := e.person(f.HA1b.ID, "测试甲三", wangge.RelHead) // created after the child, listed before
	e.membership(f.PA1.ID, wangge.GroupElderly, elderlyAttrs)
	e.membership(f.PA1.ID, wangge.GroupFloating, floatingAttrs)

	type row struct {
		person, household int64
		building          string
		seq               int
		groups            string
	}
	read := func(s wangge.Scope, fl wangge.HouseholdFilter) []row {
		t.Helper()
		var rows []row
		ok(t, e.db.EachResident(ctx, s, fl, func(r *wangge.ResidentEntry) error {
			rows = append(rows, row{r.Person.ID, r.Household.ID, r.BuildingName, r.BuildingSeq, fmt.Sprint(r.Groups)})
			return nil
		}))
		return rows
	}
	got := read(wangge.ScopeOf(District), wangge.HouseholdFilter{})
	want := []row{
		// Everyone here was born before 1966: elderly by age, with a row
		// or without.
		{f.PA1.ID, f.HA1.ID, "东苑1号楼", 1, "[floating elderly]"},
		{f.PA1b.ID, f.HA1.ID, "东苑1号楼", 1, "[elderly]"},
		{head.ID, f.HA1b.ID, "东苑1号楼", 1, "[elderly]"},
		{child.ID, f.HA1b.ID, "东苑1号楼", 1, "[elderly]"},
		{f.PA2.ID, f.HA2.ID, "东苑2号楼", 1, "[elderly]"},
		{f.PB1.ID, f.HB1.ID, "西苑1号楼", 1, "[elderly]"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("EachResident:\n got %v\nwant %v", got, want)
	}
	// The ledger's filters: a grid, a search.
	if got := read(wangge.ScopeOf(District), wangge.HouseholdFilter{GridCode: GridA2}); len(got) != 1 || got[0].person != f.PA2.ID {
		t.Errorf("EachResident in grid A2: %v", got)
	}
	if got := read(wangge.ScopeOf(District), wangge.HouseholdFilter{Search: "测试甲三"}); len(got) != 2 || got[0].person != head.ID || got[1].person != child.ID {
		t.Errorf("EachResident searching 测试甲三: %v, want the household of two", got)
	}
	if got := read(wangge.ScopeOf(CommunityB), wangge.HouseholdFilter{GridCode: GridA1}); len(got) != 0 {
		t.Errorf("EachResident of grid A1 from community B's scope: %v", got)
	}
	// fn's error stops the walk and comes back.
	stop := fmt.Errorf("stop")
	n := 0
	err := e.db.EachResident(ctx, wangge.ScopeAll(), wangge.HouseholdFilter{}, func(*wangge.ResidentEntry) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Errorf("EachResident after fn's error: %v, %d calls", err, n)
	}
}

func testGroupChanges(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	join := func(p *wangge.Person, g wangge.KeyGroup, attrs map[string]string, joined string) *wangge.Membership {
		m := &wangge.Membership{PersonID: p.ID, Group: g, Attrs: attrs, Joined: day(joined)}
		ok(t, e.db.CreateMembership(ctx, wangge.ScopeAll(), m))
		return m
	}
	// Retirees: a group whose rows are the membership (no age decides
	// it; testAgeGroupChanges counts those).
	m1 := join(f.PA1, wangge.GroupRetiree, nil, "2024-03-05")
	ok(t, e.db.EndMembership(ctx, wangge.ScopeAll(), m1.ID, m1.Version, day("2025-02-01")))
	join(f.PA2, wangge.GroupRetiree, nil, "2025-01-10")
	join(f.PB1, wangge.GroupRetiree, nil, "2023-01-01")
	m4 := join(f.PA1b, wangge.GroupRetiree, nil, "2025-12-31") // the period's last day
	ok(t, e.db.EndMembership(ctx, wangge.ScopeAll(), m4.ID, m4.Version, day("2025-12-31")))
	join(f.PA1b, wangge.GroupDisabled, disabledAttrs, "2025-05-01")

	changes := func(s wangge.Scope, g wangge.KeyGroup, from, to string) string {
		t.Helper()
		cs, err := e.db.GroupChanges(ctx, s, g, day(from), day(to))
		ok(t, err)
		var b strings.Builder
		for _, c := range cs {
			fmt.Fprintf(&b, "%s:+%d-%d=%d ", c.GridCode[9:], c.Joined, c.Left, c.Members)
		}
		return strings.TrimSpace(b.String())
	}
	district, sens := wangge.ScopeOf(District), wangge.ScopeOf(District)
	sens.Sensitive = true
	for _, c := range []struct {
		scope    wangge.Scope
		group    wangge.KeyGroup
		from, to string
		want     string
	}{
		// A1: m1 left, m4 joined and left on the last day; A2 joined; B1 stayed.
		{district, wangge.GroupRetiree, "2025-01-01", "2025-12-31", "001001:+1-2=0 001002:+1-0=1 002001:+0-0=1"},
		{district, wangge.GroupRetiree, "2024-01-01", "2024-12-31", "001001:+1-0=1 002001:+0-0=1"},
		{district, wangge.GroupRetiree, "2025-02-01", "2025-02-01", "001001:+0-1=0 001002:+0-0=1 002001:+0-0=1"},
		{wangge.ScopeOf(CommunityA), wangge.GroupRetiree, "2025-01-01", "2025-12-31", "001001:+1-2=0 001002:+1-0=1"},
		{district, wangge.GroupDisabled, "2025-01-01", "2025-12-31", ""}, // sensitive, the scope is not
		{sens, wangge.GroupDisabled, "2025-01-01", "2025-12-31", "001001:+1-0=1"},
		{roleScope(wangge.RoleDepartment, District, wangge.LineCivil), wangge.GroupRetiree, "2025-01-01", "2025-12-31", ""}, // another line's
	} {
		if got := changes(c.scope, c.group, c.from, c.to); got != c.want {
			t.Errorf("GroupChanges(%s, %s, %s…%s) = %q, want %q", c.scope.Prefix(), c.group, c.from, c.to, got, c.want)
		}
	}
	cs, err := e.db.GroupChanges(ctx, district, wangge.GroupRetiree, day("2025-01-01"), day("2025-12-31"))
	ok(t, err)
	if len(cs) != 3 || cs[0].GridName != "东苑第一网格" || cs[2].GridName != "西苑第一网格" {
		t.Errorf("GroupChanges name the grids: %+v", cs)
	}
	_, err = e.db.GroupChanges(ctx, district, wangge.GroupRetiree, day("2025-02-01"), day("2025-01-01"))
	wantField(t, err, "to", "a period that ends before it starts")
}
