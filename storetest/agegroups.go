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

// The age-derived key groups (wangge.GroupAges): a person is a member
// exactly when the birth date puts them in the band on the day; a row only
// keeps details. Ledgers, pages and reports read the one set.
var ageGroupTests = []test{
	{"AgeGroupsAreThePersonsInTheBandWithOrWithoutARow", testAgeGroupMembers},
	{"AgeGroupsChangeAsBirthdaysPassWithNoWrite", testAgeGroupBirthdays},
	{"AgeGroupCountsEqualTheListsAndTheReports", testAgeGroupCounts},
	{"AgeGroupImportsKeepDetailsAndRefuseOutsideTheBand", testAgeGroupImport},
}

// ageWorld is the fixture with persons of known ages in household HA1b
// (grid A1), on a clock at 2026-06-15 in Beijing:
//
//	p86  a man of 86, no row
//	p58  a man of 58 with an elderly row an older version kept
//	w49  a woman of 49 with a childbearing row (she turns 50 on 2026-06-16)
//	g14  a girl of 14 (she turns 15 on 2026-06-20)
type ageWorld struct {
	f                  *Fixture
	p86, p58, w49, g14 *wangge.Person
	ids                map[int64]string
	row49              *wangge.Membership
}

var ageToday = time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)

func (e *env) ageWorld() *ageWorld {
	e.t.Helper()
	e.db.SetClock(func() time.Time { return time.Date(2026, 6, 15, 2, 0, 0, 0, time.UTC) }) // 10:00 in Beijing
	w := &ageWorld{f: e.fixture(), ids: map[int64]string{}}
	person := func(name string, birth string, seq int, sex ident.Sex) *wangge.Person {
		id := string(ident.MakeID("149901", day(birth), seq, sex))
		p := &wangge.Person{HouseholdID: w.f.HA1b.ID, Name: name, IDNumber: id, Relation: wangge.RelOther, Ethnicity: "汉族"}
		ok(e.t, e.db.CreatePerson(e.ctx, wangge.ScopeAll(), p), "CreatePerson ", name)
		w.ids[p.ID] = id
		return p
	}
	w.p86 = person("八十六岁", "1940-03-01", 11, ident.SexMale)
	w.p58 = person("五十八岁", "1968-01-10", 12, ident.SexMale)
	w.w49 = person("将满五十", "1976-06-16", 13, ident.SexFemale)
	w.g14 = person("将满十五", "2011-06-20", 14, ident.SexFemale)
	// A row an older version kept for a man not yet 60.
	e.exec(`INSERT INTO memberships (person_id, grid_code, grp, attrs, joined, note, version, created_at, updated_at) VALUES (?, ?, 'elderly', ?, ?, '', 1, ?, ?)`,
		w.p58.ID, GridA1, `{"living":"独居"}`, day("2024-01-01"), day("2024-01-01"), day("2024-01-01"))
	w.row49 = &wangge.Membership{PersonID: w.w49.ID, Group: wangge.GroupChildbearing, Attrs: map[string]string{"married": "已婚"}, Note: "两孩", Joined: day("2020-01-01")}
	ok(e.t, e.db.CreateMembership(e.ctx, wangge.ScopeAll(), w.row49))
	return w
}

// members lists a group's members in scope on day (today when zero) by
// person id.
func (e *env) members(t *testing.T, s wangge.Scope, f wangge.MembershipFilter) (map[int64]wangge.Membership, []int64, int) {
	t.Helper()
	ms, n, err := e.db.ListMemberships(e.ctx, s, f)
	ok(t, err, "ListMemberships ", f.Group)
	by := map[int64]wangge.Membership{}
	var order []int64
	for _, m := range ms {
		by[m.PersonID] = m
		order = append(order, m.PersonID)
	}
	return by, order, n
}

func testAgeGroupMembers(t *testing.T, e *env) {
	w := e.ageWorld()
	s := wangge.ScopeOf(District)
	elderly, _, n := e.members(t, s, wangge.MembershipFilter{Group: wangge.GroupElderly, Current: true})
	// The fixture's four (born 1940–41) and the 86-year-old; not the man of
	// 58, whatever his row says.
	m, in := elderly[w.p86.ID]
	if !in || n != 5 || len(elderly) != 5 {
		t.Fatalf("elderly: %d listed (total %d), the 86-year-old listed %v", len(elderly), n, in)
	}
	if m.ID != 0 || m.Version != 0 || !m.Joined.Equal(day("2000-03-01")) || m.Left != nil || len(m.Attrs) != 0 || m.GridCode != GridA1 ||
		m.PersonName != w.p86.Name || m.HouseholdID != w.f.HA1b.ID || !strings.Contains(m.PersonIDNumber, "*") {
		t.Errorf("the 86-year-old without a row: %+v", m)
	}
	if _, in := elderly[w.p58.ID]; in {
		t.Errorf("the man of 58 with an elderly row is listed as elderly")
	}
	// Current or not, the same members: leaving is by age.
	if _, _, all := e.members(t, s, wangge.MembershipFilter{Group: wangge.GroupElderly}); all != n {
		t.Errorf("elderly with those who left: %d, current %d", all, n)
	}
	// A member with a row carries its details, and joined on her 15th
	// birthday.
	cb, _, _ := e.members(t, s, wangge.MembershipFilter{Group: wangge.GroupChildbearing})
	if c := cb[w.w49.ID]; len(cb) != 1 || c.ID != w.row49.ID || c.Version != 1 || c.Attrs["married"] != "已婚" || c.Note != "两孩" || !c.Joined.Equal(day("1991-06-16")) {
		t.Errorf("childbearing: %+v", cb)
	}
	// Search, sort and pages work on the members by age.
	if got, _, n := e.members(t, s, wangge.MembershipFilter{Group: wangge.GroupElderly, Search: "八十"}); n != 1 || len(got) != 1 {
		t.Errorf("search 八十: %d (total %d)", len(got), n)
	}
	for _, sort := range []wangge.Sort{"joined", "-joined", "grid", "-grid", "left"} {
		ms, _, err := e.db.ListMemberships(e.ctx, s, wangge.MembershipFilter{Group: wangge.GroupElderly, Sort: sort})
		ok(t, err)
		if !slices.IsSortedFunc(ms, func(a, b wangge.Membership) int {
			switch sort {
			case "joined":
				return a.Joined.Compare(b.Joined)
			case "-joined":
				return b.Joined.Compare(a.Joined)
			case "grid":
				return strings.Compare(a.GridCode, b.GridCode)
			case "-grid":
				return strings.Compare(b.GridCode, a.GridCode)
			}
			return 0
		}) || len(ms) != 5 {
			t.Errorf("elderly sorted by %s: %d, out of order", sort, len(ms))
		}
		_, whole, _ := e.members(t, s, wangge.MembershipFilter{Group: wangge.GroupElderly, Sort: sort})
		_, part, n := e.members(t, s, wangge.MembershipFilter{Group: wangge.GroupElderly, Sort: sort, Page: wangge.Page{Offset: 1, Limit: 2}})
		if n != 5 || !slices.Equal(part, whole[1:3]) {
			t.Errorf("elderly by %s, page 2 of 2: %v (total %d), the whole list %v", sort, part, n, whole)
		}
	}
	// By person (the household page): the age groups they are in by age,
	// beside their rows.
	for _, c := range []struct {
		p    *wangge.Person
		want []wangge.KeyGroup
	}{
		{w.p86, []wangge.KeyGroup{wangge.GroupElderly}},
		{w.p58, nil},
		{w.w49, []wangge.KeyGroup{wangge.GroupChildbearing}},
		{w.g14, nil},
	} {
		ms, n, err := e.db.ListMemberships(e.ctx, s, wangge.MembershipFilter{PersonID: c.p.ID, Sort: wangge.SortJoined})
		ok(t, err)
		var got []wangge.KeyGroup
		for _, m := range ms {
			got = append(got, m.Group)
		}
		if !slices.Equal(got, c.want) || n != len(c.want) {
			t.Errorf("%s's memberships: %v (total %d), want %v", c.p.Name, got, n, c.want)
		}
	}
	// The household's tags say the same.
	hs, _, err := e.db.ListHouseholds(e.ctx, s, wangge.HouseholdFilter{})
	ok(t, err)
	for _, h := range hs {
		if h.ID == w.f.HA1b.ID && !slices.Equal(h.Groups, []wangge.KeyGroup{wangge.GroupElderly, wangge.GroupChildbearing}) {
			t.Errorf("household HA1b's groups: %v", h.Groups)
		}
	}
	// Another line sees none of them; a scope elsewhere none of these.
	labor := roleScope(wangge.RoleDepartment, District, wangge.LineLabor)
	if _, _, n := e.members(t, labor, wangge.MembershipFilter{Group: wangge.GroupElderly}); n != 0 {
		t.Errorf("the labour line lists %d elderly", n)
	}
	if got, _, _ := e.members(t, wangge.ScopeOf(CommunityB), wangge.MembershipFilter{Group: wangge.GroupElderly}); len(got) != 1 {
		t.Errorf("community B lists %d elderly, want its one", len(got))
	}
	// A row for a person outside the band is refused.
	wantField(t, e.db.CreateMembership(e.ctx, wangge.ScopeAll(), &wangge.Membership{PersonID: w.g14.ID, Group: wangge.GroupChildbearing}), "person_id", "a childbearing row for a girl of 14")
	wantField(t, e.db.CreateMembership(e.ctx, wangge.ScopeAll(), &wangge.Membership{PersonID: w.p58.ID, Group: wangge.GroupElderly, Attrs: elderlyAttrs}), "person_id", "an elderly row for a man of 58")
}

func testAgeGroupBirthdays(t *testing.T, e *env) {
	w := e.ageWorld()
	s := wangge.ScopeOf(GridA1)
	count := func(g wangge.KeyGroup) int {
		t.Helper()
		gc, err := e.db.GroupCounts(e.ctx, s)
		ok(t, err)
		for _, c := range gc {
			if c.Group == g {
				return c.Count
			}
		}
		return -1
	}
	// 2026-06-15: she is 49; 2026-06-16, with no write between, 50.
	on15, _, _ := e.members(t, s, wangge.MembershipFilter{Group: wangge.GroupChildbearing, At: day("2026-06-15")})
	on16, _, _ := e.members(t, s, wangge.MembershipFilter{Group: wangge.GroupChildbearing, At: day("2026-06-16")})
	_, in15 := on15[w.w49.ID]
	_, in16 := on16[w.w49.ID]
	if !in15 || in16 || len(on16) != 0 {
		t.Errorf("the woman turning 50: a member on the 15th %v, on the 16th %v (%d members)", in15, in16, len(on16))
	}
	if n := count(wangge.GroupChildbearing); n != 1 {
		t.Errorf("childbearing count on the 15th = %d, want 1", n)
	}
	e.db.SetClock(func() time.Time { return time.Date(2026, 6, 16, 2, 0, 0, 0, time.UTC) })
	if n := count(wangge.GroupChildbearing); n != 0 {
		t.Errorf("childbearing count on the 16th = %d, want 0", n)
	}
	// On the 20th the girl turns 15: a member without a row.
	e.db.SetClock(func() time.Time { return time.Date(2026, 6, 20, 2, 0, 0, 0, time.UTC) })
	cb, _, _ := e.members(t, s, wangge.MembershipFilter{Group: wangge.GroupChildbearing})
	if m, in := cb[w.g14.ID]; !in || len(cb) != 1 || m.ID != 0 || !m.Joined.Equal(day("2026-06-20")) {
		t.Errorf("on her 15th birthday: %+v", cb)
	}
	// The change over June: the girl joined, the woman left, one member
	// at the end; no elderly joined or left.
	changes := func(g wangge.KeyGroup, from, to string) string {
		t.Helper()
		cs, err := e.db.GroupChanges(e.ctx, wangge.ScopeOf(District), g, day(from), day(to))
		ok(t, err)
		var b strings.Builder
		for _, c := range cs {
			fmt.Fprintf(&b, "%s:+%d-%d=%d ", c.GridCode[9:], c.Joined, c.Left, c.Members)
		}
		return strings.TrimSpace(b.String())
	}
	for _, c := range []struct {
		g        wangge.KeyGroup
		from, to string
		want     string
	}{
		{wangge.GroupChildbearing, "2026-06-01", "2026-06-30", "001001:+1-1=1"},
		{wangge.GroupChildbearing, "2026-06-01", "2026-06-15", "001001:+0-0=1"},
		{wangge.GroupChildbearing, "2026-06-16", "2026-06-16", "001001:+0-1=0"},
		{wangge.GroupChildbearing, "2026-06-20", "2026-06-20", "001001:+1-0=1"},
		{wangge.GroupElderly, "2026-06-01", "2026-06-30", "001001:+0-0=3 001002:+0-0=1 002001:+0-0=1"},
		{wangge.GroupElderly, "2000-03-01", "2000-03-01", "001001:+1-0=2"}, // the 86-year-old's 60th birthday; PA1 turned 60 a week before
	} {
		if got := changes(c.g, c.from, c.to); got != c.want {
			t.Errorf("GroupChanges(%s, %s…%s) = %q, want %q", c.g, c.from, c.to, got, c.want)
		}
	}
}

func testAgeGroupCounts(t *testing.T, e *env) {
	e.ageWorld()
	sens := wangge.ScopeOf(District)
	sens.Sensitive = true
	for _, s := range []wangge.Scope{sens, wangge.ScopeOf(CommunityA), wangge.ScopeOf(GridA1), wangge.ScopeOf(CommunityB)} {
		gc, err := e.db.GroupCounts(e.ctx, s)
		ok(t, err)
		counts := map[wangge.KeyGroup]int{}
		for _, c := range gc {
			counts[c.Group] = c.Count
			// The group page lists the current members, the ledger page
			// too: its total is the count.
			_, _, n := e.members(t, s, wangge.MembershipFilter{Group: c.Group, Current: true})
			if n != c.Count {
				t.Errorf("%s: %s counted %d, listed %d", s.Prefix(), c.Group, c.Count, n)
			}
		}
		// So do the stats (wangge stats): members, not rows.
		st, err := e.db.Stats(e.ctx, s)
		ok(t, err)
		sum := 0
		for _, c := range gc {
			sum += c.Count
		}
		if st.Memberships != sum {
			t.Errorf("%s: stats count %d key-group members, the groups %d", s.Prefix(), st.Memberships, sum)
		}
		// The report on the same day counts the same.
		rows, err := e.db.ReportRows(e.ctx, s, wangge.ReportQuery{Area: District, At: ageToday, Parts: wangge.PartAges | wangge.PartGroups})
		ok(t, err)
		var e60, w1549, ge, gc2, rec int
		for _, r := range rows {
			e60 += r.Elderly60
			w1549 += r.Women1549
			ge += r.Groups[wangge.GroupElderly]
			gc2 += r.Groups[wangge.GroupChildbearing]
			rec += r.GroupRecords[wangge.GroupChildbearing]
		}
		if e60 != counts[wangge.GroupElderly] || ge != e60 || w1549 != counts[wangge.GroupChildbearing] || gc2 != w1549 {
			t.Errorf("%s: report 60+ %d (group %d), women 15–49 %d (group %d); ledger counts elderly %d, childbearing %d",
				s.Prefix(), e60, ge, w1549, gc2, counts[wangge.GroupElderly], counts[wangge.GroupChildbearing])
		}
		if want := map[bool]int{true: 1, false: 0}[s.Contains(GridA1)]; rec != want {
			t.Errorf("%s: childbearing with a row = %d, want %d", s.Prefix(), rec, want)
		}
	}
}

func testAgeGroupImport(t *testing.T, e *env) {
	w := e.ageWorld()
	all := wangge.ScopeAll()
	imp := func(rows ...wangge.ImportRow) (wangge.ImportCounts, map[int]wangge.ImportOutcome) {
		return e.runImport(all, wangge.ImportOptions{Kind: wangge.ImportMemberships}, rows...)
	}
	row := func(line int, p *wangge.Person, g wangge.KeyGroup, joined string, attrs map[string]string) wangge.ImportRow {
		r := wangge.ImportRow{Line: line, Membership: &wangge.MembershipRow{IDNumber: w.ids[p.ID], Name: p.Name, Group: g, Attrs: attrs}}
		if joined != "" {
			j := day(joined)
			r.Membership.Joined = &j
		}
		return r
	}
	// What an export writes: the members by age, joined on the birthday,
	// with or without details. Nothing to record.
	before := e.state()
	c, out := imp(row(1, w.p86, wangge.GroupElderly, "2000-03-01", nil),
		row(2, w.w49, wangge.GroupChildbearing, "1991-06-16", map[string]string{"married": "已婚"}))
	if c.Unchanged != 2 || c.Added+c.Updated+c.Rejected != 0 || e.state() != before {
		t.Errorf("the export imported back: %+v %v", c, out)
	}
	// Details for a member without a row make one; changed details
	// update it.
	c, out = imp(row(1, w.p86, wangge.GroupElderly, "2000-03-01", map[string]string{"living": "空巢"}),
		row(2, w.w49, wangge.GroupChildbearing, "1991-06-16", map[string]string{"children": "2"}))
	if c.Added != 1 || c.Updated != 1 {
		t.Errorf("details: %+v %v", c, out)
	}
	ms, _, _ := e.members(t, all, wangge.MembershipFilter{Group: wangge.GroupElderly})
	if m := ms[w.p86.ID]; m.ID == 0 || m.Attrs["living"] != "空巢" || !m.Joined.Equal(day("2000-03-01")) {
		t.Errorf("the 86-year-old after the import: %+v", m)
	}
	cb, _, _ := e.members(t, all, wangge.MembershipFilter{Group: wangge.GroupChildbearing})
	if m := cb[w.w49.ID]; m.ID != w.row49.ID || m.Attrs["children"] != "2" || m.Attrs["married"] != "已婚" {
		t.Errorf("the woman of 49 after the import: %+v", m)
	}
	// Outside the band: refused, saying why, in both languages.
	before = e.state()
	c, out = imp(row(1, w.p58, wangge.GroupElderly, "", map[string]string{"living": "独居"}),
		row(2, w.g14, wangge.GroupChildbearing, "", nil),
		row(3, w.p86, wangge.GroupChildbearing, "", nil))
	if c.Rejected != 3 || e.state() != before {
		t.Fatalf("outside the band: %+v %v", c, out)
	}
	for line, want := range map[int]string{1: "60", 2: "15–49", 3: "15–49"} {
		o := out[line]
		if len(o.Errors) != 1 || o.Errors[0].Field != "id_number" || !strings.Contains(o.Errors[0].Zh, want) || o.Errors[0].Message == "" || o.Errors[0].Message == o.Errors[0].Zh {
			t.Errorf("line %d: %+v", line, o)
		}
	}
}

// ageMembers counts the members of the age-derived groups the scope sees
// (the persons in their bands today).
func (e *env) ageMembers(t *testing.T, s wangge.Scope) int {
	t.Helper()
	gc, err := e.db.GroupCounts(e.ctx, s)
	ok(t, err, "GroupCounts")
	n := 0
	for _, c := range gc {
		if _, age := wangge.GroupAges[c.Group]; age {
			n += c.Count
		}
	}
	return n
}
