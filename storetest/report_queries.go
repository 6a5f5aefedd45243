package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/synth"
)

var reportTests = []test{
	{"ReportRowsCountPerChildAreaWithinScope", testReportRowsScope},
	{"ReportElderlyCountChangesAsTimePasses", testReportTimePasses},
	{"ReportDepartmentSeesOnlyItsLine", testReportDepartmentLine},
	{"ReportGapListsNameTheGaps", testReportGapLists},
	{"ReportAgeDecidesElderlyAndChildbearingMembers", testReportGroupAges},
	{"ReportRowsCountOnlyThePartsAskedFor", testReportParts},
	{"ReportCountsOnTheDemoMatchDirectCounts", testReportDemo},
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
	rows, err := e.db.ReportRows(e.ctx, wangge.ScopeOf(Subdistrict), wangge.ReportQuery{Area: Subdistrict, At: reportDay, Cycle: 90})
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
	ok(t, e.db.CreateVisit(e.ctx, wangge.ScopeAll(), &wangge.Visit{AssistantID: as.ID, HouseholdID: &f.HA1.ID, At: reportDay.AddDate(0, 0, -10), Purpose: "走访"}))
	ok(t, e.db.CreateVisit(e.ctx, wangge.ScopeAll(), &wangge.Visit{AssistantID: as.ID, HouseholdID: &f.HA2.ID, At: reportDay.AddDate(0, 0, -200), Purpose: "走访"}))
	rows, err = e.db.ReportRows(e.ctx, wangge.ScopeOf(Subdistrict), wangge.ReportQuery{Area: CommunityA, At: reportDay, Cycle: 90})
	ok(t, err)
	if g := rowOf(rows, GridA1); g == nil || g.UnvisitedHouseholds != 1 {
		t.Errorf("grid A1 after a visit = %+v", g)
	}
	if g := rowOf(rows, GridA2); g == nil || g.UnvisitedHouseholds != 1 {
		t.Errorf("grid A2 after an old visit = %+v", g)
	}
	// A community's scope never yields the other community.
	rows, err = e.db.ReportRows(e.ctx, wangge.ScopeOf(CommunityA), wangge.ReportQuery{Area: Subdistrict, At: reportDay, Cycle: 90})
	ok(t, err)
	if len(rows) != 1 || rows[0].Code != CommunityA {
		t.Errorf("community A's scope over the sub-district = %+v", rows)
	}
	// A grid's scope over the sub-district: its community, counting the grid.
	rows, err = e.db.ReportRows(e.ctx, wangge.ScopeOf(GridA1), wangge.ReportQuery{Area: Subdistrict, At: reportDay, Cycle: 90})
	ok(t, err)
	if len(rows) != 1 || rows[0].Code != CommunityA || rows[0].Buildings != 1 || rows[0].Households != 2 {
		t.Errorf("grid A1's scope over the sub-district = %+v", rows)
	}
	rows, err = e.db.ReportRows(e.ctx, wangge.ScopeOf(CommunityA), wangge.ReportQuery{Area: CommunityB, At: reportDay, Cycle: 90})
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
	ok(t, e.db.CreatePerson(e.ctx, wangge.ScopeAll(), p))
	count := func(day time.Time) (elderly, women int) {
		rows, err := e.db.ReportRows(e.ctx, wangge.ScopeOf(GridA1), wangge.ReportQuery{Area: GridA1, At: day, Cycle: 90})
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
	ok(t, e.db.EachPersonAged(e.ctx, wangge.ScopeOf(District), District, time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC), wangge.BandElderly, func(q *wangge.Person) error {
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
	rows, err := e.db.ReportRows(e.ctx, civil, wangge.ReportQuery{Area: Subdistrict, At: reportDay, Cycle: 90})
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
	rows, err = e.db.ReportRows(e.ctx, labor, wangge.ReportQuery{Area: Subdistrict, At: reportDay, Cycle: 90})
	ok(t, err)
	if a := rowOf(rows, CommunityA); a.Groups[wangge.GroupUnemployed] != 1 || a.Groups[wangge.GroupDisabled] != 0 {
		t.Errorf("labour line's groups: %v", a.Groups)
	}
	// A scope without the sensitive right counts no disabled persons.
	staff := (&wangge.User{Role: wangge.RoleBuildingHead, ScopeCode: District}).Scope()
	rows, err = e.db.ReportRows(e.ctx, staff, wangge.ReportQuery{Area: Subdistrict, At: reportDay, Cycle: 90})
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
	ok(t, e.db.EachPersonAged(e.ctx, civil, District, reportDay, wangge.AgeBand{}, func(*wangge.Person) error {
		t.Error("a department read a person")
		return nil
	}))
}

func testReportGapLists(t *testing.T, e *env) {
	f := e.fixture()
	empty := e.building(GridA1, "空楼")
	// A head with no phone and no ethnicity; a 30-year-old with no employment.
	p := &wangge.Person{HouseholdID: f.HA1b.ID, Name: "缺项", IDNumber: string(ident.MakeID("149901", time.Date(1996, 1, 2, 0, 0, 0, 0, time.UTC), 9, ident.SexMale)), Relation: wangge.RelHead}
	ok(t, e.db.CreatePerson(e.ctx, wangge.ScopeAll(), p))
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
	rows, err := e.db.ReportRows(e.ctx, s, wangge.ReportQuery{Area: CommunityA, At: reportDay, Cycle: 90})
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

func testReportGroupAges(t *testing.T, e *env) {
	f := e.fixture()
	// A woman born 1966-06-15, whose rows keep details as elderly and as of
	// childbearing age: the ID number decides when she counts, the rows
	// only what is known of her. (The childbearing row is made in 2010,
	// when she was 43: a row for a person outside the band is refused.)
	p := &wangge.Person{HouseholdID: f.HA1b.ID, Name: "登记早", IDNumber: string(ident.MakeID("149901", time.Date(1966, 6, 15, 0, 0, 0, 0, time.UTC), 3, ident.SexFemale)),
		Relation: wangge.RelHead, Ethnicity: "汉族", Phone: e.newPhone()}
	ok(t, e.db.CreatePerson(e.ctx, wangge.ScopeAll(), p))
	since := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	ok(t, e.db.CreateMembership(e.ctx, wangge.ScopeAll(), &wangge.Membership{PersonID: p.ID, Group: wangge.GroupElderly, Attrs: map[string]string{"living": "独居"}, Joined: since}))
	e.db.SetClock(func() time.Time { return time.Date(2010, 3, 1, 2, 0, 0, 0, time.UTC) })
	ok(t, e.db.CreateMembership(e.ctx, wangge.ScopeAll(), &wangge.Membership{PersonID: p.ID, Group: wangge.GroupChildbearing, Attrs: map[string]string{"married": "已婚"}, Joined: since}))
	e.db.SetClock(time.Now)
	s := wangge.ScopeOf(District)
	at := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	count := func(day time.Time, g wangge.KeyGroup, attr string) (n, byAttr, recorded, listed int) {
		t.Helper()
		rows, err := e.db.ReportRows(e.ctx, s, wangge.ReportQuery{Area: GridA1, At: day, Parts: wangge.PartGroups})
		ok(t, err)
		ok(t, e.db.EachMember(e.ctx, s, GridA1, g, day, func(m *wangge.Membership) error {
			if m.PersonIDNumber == f.IDNumber[m.PersonID] || !strings.Contains(m.PersonIDNumber, "*") {
				t.Errorf("member's ID number unmasked %+v", m)
			}
			listed++
			return nil
		}))
		return rows[0].Groups[g], rows[0].GroupAttrs[attr], rows[0].GroupRecords[g], listed
	}
	// Grid A1 also holds PA1 and PA1b, born in 1940: elderly from 2000 on,
	// without rows.
	for _, c := range []struct {
		day                 time.Time
		g                   wangge.KeyGroup
		attr                string
		n, byAttr, recorded int
		why                 string
	}{
		{at(2026, 6, 14), wangge.GroupElderly, "elderly.living=独居", 2, 0, 0, "the day before she turns 60"},
		{at(2026, 6, 15), wangge.GroupElderly, "elderly.living=独居", 3, 1, 1, "on her 60th birthday"},
		{at(2016, 6, 14), wangge.GroupChildbearing, "childbearing.married=已婚", 1, 1, 1, "at 49"},
		{at(2016, 6, 15), wangge.GroupChildbearing, "childbearing.married=已婚", 0, 0, 0, "on the 50th birthday"},
		{at(1999, 12, 31), wangge.GroupChildbearing, "childbearing.married=已婚", 1, 0, 0, "before the row: a member by age, no details yet"},
	} {
		if n, byAttr, recorded, listed := count(c.day, c.g, c.attr); n != c.n || byAttr != c.byAttr || recorded != c.recorded || listed != c.n {
			t.Errorf("%s %s: counted %d, by attribute %d, with a row %d, listed %d; want %d, %d, %d", c.g, c.why, n, byAttr, recorded, listed, c.n, c.byAttr, c.recorded)
		}
	}
	// A man is never of childbearing age: his row is refused, and one an
	// older version kept makes him no member.
	wantField(t, e.db.CreateMembership(e.ctx, wangge.ScopeAll(), &wangge.Membership{PersonID: f.PA1.ID, Group: wangge.GroupChildbearing, Joined: since}), "person_id",
		"a childbearing row for a man")
	e.exec(`INSERT INTO memberships (person_id, grid_code, grp, attrs, joined, note, version, created_at, updated_at) VALUES (?, ?, 'childbearing', '{}', ?, '', 1, ?, ?)`,
		f.PA1.ID, GridA1, since, since, since)
	if n, _, _, _ := count(at(2016, 6, 14), wangge.GroupChildbearing, ""); n != 1 {
		t.Errorf("childbearing members with a man's row = %d, want 1", n)
	}
	// Another line's department lists nothing of the group.
	labor := (&wangge.User{Role: wangge.RoleDepartment, ScopeCode: District, Line: wangge.LineLabor}).Scope()
	ok(t, e.db.EachMember(e.ctx, labor, District, wangge.GroupElderly, at(2026, 6, 15), func(*wangge.Membership) error {
		t.Error("the labour line listed an elderly member")
		return nil
	}))
	civil := (&wangge.User{Role: wangge.RoleDepartment, ScopeCode: District, Line: wangge.LineCivil}).Scope()
	var n int
	ok(t, e.db.EachMember(e.ctx, civil, District, wangge.GroupElderly, at(2026, 6, 15), func(*wangge.Membership) error { n++; return nil }))
	if n != 5 {
		t.Errorf("the civil line listed %d elderly members, want 5 (her and the fixture's four)", n)
	}
	// Outside the scope: nothing.
	ok(t, e.db.EachMember(e.ctx, wangge.ScopeOf(CommunityB), District, wangge.GroupElderly, at(2026, 6, 15), func(m *wangge.Membership) error {
		if !strings.HasPrefix(m.GridCode, CommunityB) {
			t.Errorf("community B's scope listed a member of %s", m.GridCode)
		}
		return nil
	}))
}

func testReportParts(t *testing.T, e *env) {
	f := e.fixture()
	e.unit(GridA1, "东苑单位")
	e.membership(f.PA1.ID, wangge.GroupDisabled, map[string]string{"type": "肢体", "level": "二级"})
	e.membership(f.PA1b.ID, wangge.GroupUnemployed, map[string]string{"registered": "已登记"})
	s := wangge.ScopeOf(District)
	s.Sensitive = true
	rows, err := e.db.ReportRows(e.ctx, s, wangge.ReportQuery{Area: CommunityA, At: reportDay, Parts: wangge.PartPlaces})
	ok(t, err)
	if g := rowOf(rows, GridA1); g.Buildings != 1 || g.Units != 1 || g.Persons != 0 || g.Households != 0 || len(g.Groups) != 0 {
		t.Errorf("places only: %+v", g)
	}
	rows, err = e.db.ReportRows(e.ctx, s, wangge.ReportQuery{Area: CommunityA, At: reportDay, Parts: wangge.PartAges | wangge.PartGroups,
		Groups: []wangge.KeyGroup{wangge.GroupDisabled}})
	ok(t, err)
	if g := rowOf(rows, GridA1); g.Persons != 2 || g.Buildings != 0 || g.Groups[wangge.GroupDisabled] != 1 || g.Groups[wangge.GroupUnemployed] != 0 {
		t.Errorf("ages and the disabled group: %+v", g)
	}
	rows, err = e.db.ReportRows(e.ctx, s, wangge.ReportQuery{Area: CommunityA, At: reportDay})
	ok(t, err)
	if g := rowOf(rows, GridA1); g.Persons != 2 || g.Buildings != 1 || g.Households != 2 || g.Groups[wangge.GroupUnemployed] != 1 {
		t.Errorf("every part: %+v", g)
	}
}

// testReportDemo checks the reports' counts on a synthetic district against
// counts made another way: persons one by one with Go's age arithmetic,
// memberships one by one, and the lengths of the lists. Seven years on, with
// no write, people have aged in and out of the bands and still agree.
func testReportDemo(t *testing.T, e *env) {
	b, err := e.db.Bulk(e.ctx)
	ok(t, err)
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	if _, err := synth.Generate(synth.Config{Seed: 11, Scale: 0.02, Now: now}, b, "Demo-Test-2026", func(string) string { return "x" }, nil); err != nil {
		b.Rollback()
		t.Fatal(err)
	}
	ok(t, b.Commit())
	district := synth.DistrictCode
	s := wangge.ScopeAll()
	type counts struct{ persons, e60, e80, w1549 int }
	var registered [2]int
	for i, day := range []time.Time{now, now.AddDate(7, 0, 0)} {
		var direct counts
		ok(t, e.db.EachResident(e.ctx, s, wangge.HouseholdFilter{GridCode: district}, func(r *wangge.ResidentEntry) error {
			p := &r.Person
			direct.persons++
			if p.Elderly(day) {
				direct.e60++
			}
			if p.AdvancedAge(day) {
				direct.e80++
			}
			if p.ChildbearingAge(day) {
				direct.w1549++
			}
			return nil
		}))
		rows, err := e.db.ReportRows(e.ctx, s, wangge.ReportQuery{Area: district, At: day})
		ok(t, err)
		var got counts
		groups := map[wangge.KeyGroup]int{}
		for _, r := range rows {
			got.persons += r.Persons
			got.e60 += r.Elderly60
			got.e80 += r.Elderly80
			got.w1549 += r.Women1549
			for g, n := range r.Groups {
				groups[g] += n
			}
		}
		if got != direct || direct.w1549 == 0 || direct.e80 == 0 {
			t.Errorf("%s: report counts %+v, counted person by person %+v", day.Format(time.DateOnly), got, direct)
		}
		listed := map[wangge.AgeBand]int{}
		for _, band := range []wangge.AgeBand{wangge.BandElderly, wangge.BandAdvanced, wangge.BandChildbearing} {
			ok(t, e.db.EachPersonAged(e.ctx, s, district, day, band, func(p *wangge.Person) error {
				if !band.Contains(p.BirthDate, p.Sex, day) {
					t.Errorf("%s: %+v listed in %+v at %d", day.Format(time.DateOnly), p.Name, band, p.Age(day))
				}
				listed[band]++
				return nil
			}))
		}
		if listed[wangge.BandElderly] != got.e60 || listed[wangge.BandAdvanced] != got.e80 || listed[wangge.BandChildbearing] != got.w1549 {
			t.Errorf("%s: lists %v, counts %+v", day.Format(time.DateOnly), listed, got)
		}
		// Members of every group, one by one: the rows current at the day
		// and, for the elderly and childbearing groups, the persons of the
		// band at the day, which the ledger lists and counts alike.
		records := map[wangge.KeyGroup]int{}
		for _, r := range rows {
			for g, n := range r.GroupRecords {
				records[g] += n
			}
		}
		for _, d := range wangge.KeyGroups {
			direct, members, withRow := 0, 0, 0
			band, aged := wangge.GroupAges[d.Group]
			ok(t, e.db.EachMembership(e.ctx, s, wangge.MembershipFilter{Group: d.Group, At: day}, func(m *wangge.Membership) error {
				if aged {
					if !band.Contains(m.PersonBirth, m.PersonSex, day) {
						t.Errorf("%s: %s lists %s, aged %d", day.Format(time.DateOnly), d.Group, m.PersonName, ident.Age(m.PersonBirth, day))
					}
					direct++
					return nil
				}
				if !m.Joined.After(day) && (m.Left == nil || m.Left.After(day)) {
					direct++
				}
				return nil
			}))
			ok(t, e.db.EachMember(e.ctx, s, district, d.Group, day, func(m *wangge.Membership) error {
				members++
				if m.ID != 0 {
					withRow++
				}
				return nil
			}))
			if groups[d.Group] != direct || members != direct {
				t.Errorf("%s: %s counted %d, listed %d, one by one %d", day.Format(time.DateOnly), d.Group, groups[d.Group], members, direct)
			}
			if aged && withRow != records[d.Group] {
				t.Errorf("%s: %s with a row: counted %d, listed %d", day.Format(time.DateOnly), d.Group, records[d.Group], withRow)
			}
		}
		if groups[wangge.GroupElderly] != got.e60 || groups[wangge.GroupChildbearing] != got.w1549 {
			t.Errorf("%s: elderly %d and childbearing %d members, %d aged 60+ and %d women of 15–49", day.Format(time.DateOnly),
				groups[wangge.GroupElderly], groups[wangge.GroupChildbearing], got.e60, got.w1549)
		}
		registered[i] = records[wangge.GroupChildbearing]
		// Every gap's count is the length of its list.
		for _, g := range append(wangge.Gaps, wangge.GapNoHead) {
			n := 0
			ok(t, e.db.EachGap(e.ctx, s, district, g, day, 90, func(*wangge.GapItem) error { n++; return nil }))
			var want int
			for _, r := range rows {
				want += map[wangge.Gap]int{wangge.GapEmptyBuilding: r.EmptyBuildings, wangge.GapEmptyHousehold: r.EmptyHouseholds,
					wangge.GapIncompletePerson: r.IncompletePersons, wangge.GapUnvisitedHousehold: r.UnvisitedHouseholds,
					wangge.GapUnvisitedUnit: r.UnvisitedUnits, wangge.GapNoHead: r.BuildingsNoHead}[g]
			}
			if n != want {
				t.Errorf("%s: gap %s listed %d, counted %d", day.Format(time.DateOnly), g, n, want)
			}
		}
	}
	if registered[1] >= registered[0] {
		t.Errorf("women of childbearing age with a row: %d, seven years on %d; want fewer as members turn 50", registered[0], registered[1])
	}
}
