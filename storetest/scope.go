package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wangge/wangge"
)

var scopeTests = []test{
	{"SingleReadsOutsideTheScopeAreNotFound", testScopeSingleReads},
	{"ListsOutsideTheScopeAreEmpty", testScopeLists},
	{"ZeroScopeSeesNothing", testZeroScope},
	{"FilterOutsideTheScopeReturnsNothing", testScopeNarrow},
	{"SensitiveGroupsNeedASensitiveScope", testSensitiveGroups},
	{"StatsHideSensitiveGroupsWithoutASensitiveScope", testSensitiveStats},
}

// GridB2 is the second grid of community B, made by the scope world.
const GridB2 = "140499001002002"

// obj is one object of the scope world and the grid it lies in.
type obj struct {
	kind      string
	grid      string
	id        int64
	sensitive bool
	group     wangge.KeyGroup
}

// world builds, on top of the fixture, one of everything on each side of
// the district (grid A1 and grid B1), history included, and lists every
// object with its grid.
func (e *env) world() []obj {
	t := e.t
	ctx := e.ctx
	f := e.fixture()
	e.area(GridB2, "西苑第二网格")
	var objs []obj
	add := func(kind, grid string, id int64) { objs = append(objs, obj{kind: kind, grid: grid, id: id}) }
	for _, b := range []*wangge.Building{f.BA1, f.BA2, f.BB1} {
		add("building", b.GridCode, b.ID)
	}
	for _, h := range []*wangge.Household{f.HA1, f.HA1b, f.HA2, f.HB1} {
		add("household", h.GridCode, h.ID)
	}
	for _, p := range []*wangge.Person{f.PA1, f.PA1b, f.PA2, f.PB1} {
		add("person", p.GridCode, p.ID)
	}
	pB1b, _, _ := e.person(f.HB1.ID, "测试丙二", wangge.RelSpouse)
	add("person", GridB1, pB1b.ID)
	for i, side := range []struct {
		grid, other string
		b           *wangge.Building
		h           *wangge.Household
		p, p2       int64
	}{
		{GridA1, GridA2, f.BA1, f.HA1, f.PA1.ID, f.PA1b.ID},
		{GridB1, GridB2, f.BB1, f.HB1, f.PB1.ID, pB1b.ID},
	} {
		u := e.unit(side.grid, fmt.Sprintf("单位%d", i))
		add("unit", side.grid, u.ID)
		m := e.membership(side.p, wangge.GroupFloating, floatingAttrs)
		objs = append(objs, obj{kind: "membership", grid: side.grid, id: m.ID, group: wangge.GroupFloating})
		ms := e.membership(side.p2, wangge.GroupDisabled, disabledAttrs)
		objs = append(objs, obj{kind: "membership", grid: side.grid, id: ms.ID, sensitive: true, group: wangge.GroupDisabled})
		as := e.assistant(fmt.Sprintf("协理员%d", i))
		ok(t, e.db.AssignAssistant(ctx, as.ID, side.grid, time.Time{}, ""))
		add("assistant", side.grid, as.ID)
		v := &wangge.Visit{AssistantID: as.ID, HouseholdID: &side.h.ID, At: time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC), Purpose: "走访"}
		ok(t, e.db.CreateVisit(ctx, wangge.ScopeAll(), v))
		add("visit", side.grid, v.ID)
		ok(t, e.db.SetBuildingHead(ctx, wangge.ScopeAll(), &wangge.BuildingHead{BuildingID: side.b.ID, PersonID: &side.p, Name: "楼长"}))
		add("head", side.grid, side.b.ID)
		usr := e.user(fmt.Sprintf("user%d", i), wangge.RoleAssistant, side.grid)
		add("user", side.grid, usr.ID)
		// A building, household and person that each moved into the grid.
		nb := e.building(side.other, fmt.Sprintf("迁入楼%d", i))
		ok(t, e.db.MoveBuilding(ctx, wangge.ScopeAll(), nb.ID, nb.Version, side.grid, "调整"))
		add("building", side.grid, nb.ID)
		add("buildingMoves", side.grid, nb.ID)
		other := e.building(side.other, fmt.Sprintf("原楼%d", i))
		add("building", side.other, other.ID)
		nh := e.household(other.ID, fmt.Sprintf("90%d", i))
		ok(t, e.db.MoveHousehold(ctx, wangge.ScopeAll(), nh.ID, nh.Version, side.b.ID, "迁入"))
		add("household", side.grid, nh.ID)
		add("householdMoves", side.grid, nh.ID)
		np, _, _ := e.person(nh.ID, fmt.Sprintf("迁入者%d", i), wangge.RelOther)
		got, err := e.db.Person(ctx, wangge.ScopeAll(), np.ID)
		ok(t, err)
		ok(t, e.db.MovePerson(ctx, wangge.ScopeAll(), np.ID, got.Version, side.h.ID, "投亲"))
		add("person", side.grid, np.ID)
		add("personMoves", side.grid, np.ID)
	}
	return objs
}

type namedScope struct {
	name string
	s    wangge.Scope
}

func testScopes() []namedScope {
	sensA := wangge.ScopeOf(CommunityA)
	sensA.Sensitive = true
	return []namedScope{
		{"GridA1", wangge.ScopeOf(GridA1)},
		{"CommunityA", wangge.ScopeOf(CommunityA)},
		{"CommunityASensitive", sensA},
		{"District", wangge.ScopeOf(District)},
		{"All", wangge.ScopeAll()},
		{"Zero", wangge.Scope{}},
		{"AnotherDistrict", wangge.ScopeOf("140498")},
		// What each role's account may read (User.Scope).
		{"RoleAssistantGridA1", roleScope(wangge.RoleAssistant, GridA1, "")},
		{"RoleBuildingHeadGridA1", roleScope(wangge.RoleBuildingHead, GridA1, "")},
		{"RoleDepartmentCivil", roleScope(wangge.RoleDepartment, District, wangge.LineCivil)},
		{"RoleDepartmentOrder", roleScope(wangge.RoleDepartment, District, wangge.LineOrder)},
		{"RoleAuditor", roleScope(wangge.RoleAuditor, District, "")},
		{"RoleCommunityStaffA", roleScope(wangge.RoleCommunityStaff, CommunityA, "")},
	}
}

func roleScope(r wangge.Role, code string, line wangge.Line) wangge.Scope {
	return (&wangge.User{Role: r, ScopeCode: code, Line: line}).Scope()
}

// visibleIn says whether the scope may read the object: it must lie in the
// scope's subtree; people's data needs a scope whose role reads people; a
// membership needs its group to be visible (sensitive groups to sensitive
// scopes, a department's to its own line).
func (o obj) visibleIn(s wangge.Scope) bool {
	if !s.Contains(o.grid) {
		return false
	}
	switch o.kind {
	case "membership":
		return s.GroupVisible(o.group)
	case "household", "person", "unit", "visit", "head", "personMoves", "householdMoves":
		return s.People()
	}
	return true
}

// singleRead reads one object the way its kind is read alone, and reports
// whether it was found. Not found must be ENotFound (or an empty list for
// the history lists that return lists).
func (e *env) singleRead(t *testing.T, s wangge.Scope, o obj) bool {
	t.Helper()
	ctx := e.ctx
	var err error
	switch o.kind {
	case "building":
		_, err = e.db.Building(ctx, s, o.id)
	case "household":
		_, err = e.db.Household(ctx, s, o.id)
	case "person":
		_, err = e.db.Person(ctx, s, o.id)
		found := err == nil
		// A system actor: the hourly reveal limit is for people, and this
		// test reveals far more than a person would.
		sys := wangge.WithActor(ctx, wangge.Actor{Username: "scope-test", Role: wangge.RoleSystem})
		_, err2 := e.db.RevealPerson(sys, s, o.id, "核对身份")
		if (err2 == nil) != found {
			t.Errorf("person %d: Person found %v but RevealPerson %v", o.id, found, err2)
		}
		_, err3 := e.db.PersonMoves(ctx, s, o.id)
		if (err3 == nil) != found {
			t.Errorf("person %d: Person found %v but PersonMoves %v", o.id, found, err3)
		}
	case "unit":
		_, err = e.db.Unit(ctx, s, o.id)
	case "membership":
		_, err = e.db.Membership(ctx, s, o.id)
	case "visit":
		_, err = e.db.Visit(ctx, s, o.id)
	case "personMoves":
		var ms []wangge.Move
		ms, err = e.db.PersonMoves(ctx, s, o.id)
		if err == nil && len(ms) == 0 {
			t.Errorf("PersonMoves(%d) in scope but empty", o.id)
		}
	case "householdMoves":
		var ms []wangge.Move
		ms, err = e.db.HouseholdMoves(ctx, s, o.id)
		if err == nil && len(ms) == 0 {
			t.Errorf("HouseholdMoves(%d) in scope but empty", o.id)
		}
	case "buildingMoves":
		var ms []wangge.Move
		ms, err = e.db.BuildingMoves(ctx, s, o.id)
		if err == nil && len(ms) == 0 {
			t.Errorf("BuildingMoves(%d) in scope but empty", o.id)
		}
	case "head":
		hs, err := e.db.BuildingHeads(ctx, s, o.id)
		ok(t, err, "BuildingHeads")
		return len(hs) > 0
	case "assistant":
		as, err := e.db.Assignments(ctx, s, o.id)
		ok(t, err, "Assignments")
		return len(as) > 0
	default:
		return false // users are not read by scope alone
	}
	if err != nil && wangge.ErrorCode(err) != wangge.ENotFound {
		t.Errorf("%s %d: %v, want found or ENotFound", o.kind, o.id, err)
	}
	return err == nil
}

func testScopeSingleReads(t *testing.T, e *env) {
	objs := e.world()
	for _, ns := range testScopes() {
		t.Run(ns.name, func(t *testing.T) {
			seen := 0
			for _, o := range objs {
				if o.kind == "user" {
					continue
				}
				want := o.visibleIn(ns.s)
				if got := e.singleRead(t, ns.s, o); got != want {
					t.Errorf("%s %d in grid %s (sensitive %v): found %v, want %v", o.kind, o.id, o.grid, o.sensitive, got, want)
				}
				if want {
					seen++
				}
			}
			if ns.name == "Zero" && seen != 0 {
				t.Errorf("the zero scope should see nothing")
			}
		})
	}
}

// listed returns the ids each list finds in the scope and its total.
func (e *env) listed(t *testing.T, s wangge.Scope, kind, grid string) ([]int64, int) {
	t.Helper()
	ctx := e.ctx
	var got []int64
	var n int
	var err error
	switch kind {
	case "building":
		var xs []wangge.BuildingSummary
		xs, n, err = e.db.ListBuildings(ctx, s, wangge.BuildingFilter{GridCode: grid})
		got = ids(xs, func(x wangge.BuildingSummary) int64 { return x.ID })
	case "household":
		var xs []wangge.HouseholdSummary
		xs, n, err = e.db.ListHouseholds(ctx, s, wangge.HouseholdFilter{GridCode: grid})
		got = ids(xs, func(x wangge.HouseholdSummary) int64 { return x.ID })
	case "person":
		var xs []wangge.Person
		xs, n, err = e.db.ListPersons(ctx, s, wangge.PersonFilter{GridCode: grid})
		got = ids(xs, func(x wangge.Person) int64 { return x.ID })
	case "unit":
		var xs []wangge.Unit
		xs, n, err = e.db.ListUnits(ctx, s, wangge.UnitFilter{GridCode: grid})
		got = ids(xs, func(x wangge.Unit) int64 { return x.ID })
	case "membership":
		// The rows; the members by age (ID 0) are kind "elderly".
		var xs []wangge.Membership
		xs, n, err = e.db.ListMemberships(ctx, s, wangge.MembershipFilter{GridCode: grid})
		for _, x := range xs {
			if x.ID != 0 {
				got = append(got, x.ID)
			} else {
				n--
			}
		}
	case "elderly":
		var xs []wangge.Membership
		xs, n, err = e.db.ListMemberships(ctx, s, wangge.MembershipFilter{GridCode: grid, Group: wangge.GroupElderly})
		got = ids(xs, func(x wangge.Membership) int64 { return x.PersonID })
	case "visit":
		var xs []wangge.Visit
		xs, n, err = e.db.ListVisits(ctx, s, wangge.VisitFilter{GridCode: grid})
		got = ids(xs, func(x wangge.Visit) int64 { return x.ID })
	case "assistant":
		var xs []wangge.AssistantSummary
		xs, n, err = e.db.ListAssistants(ctx, s, wangge.AssistantFilter{GridCode: grid})
		got = ids(xs, func(x wangge.AssistantSummary) int64 { return x.ID })
	case "user":
		if grid != "" {
			return nil, -1
		}
		var xs []wangge.User
		xs, n, err = e.db.ListUsers(ctx, s, wangge.Page{})
		got = ids(xs, func(x wangge.User) int64 { return x.ID })
	default:
		return nil, -1
	}
	ok(t, err, "list ", kind)
	slices.Sort(got)
	return got, n
}

var listKinds = []string{"building", "household", "person", "unit", "membership", "elderly", "visit", "assistant", "user"}

// expected lists the ids of kind the scope may read. Every person of the
// world was born before 1966, so each is elderly by age: the elderly are
// the persons of the scope's subtree, as a key group's members (whose
// reads need no role that reads people).
func expected(objs []obj, kind string, s wangge.Scope) []int64 {
	var want []int64
	for _, o := range objs {
		if kind == "elderly" && o.kind == "person" && s.Contains(o.grid) && s.GroupVisible(wangge.GroupElderly) {
			want = append(want, o.id)
			continue
		}
		if o.kind == kind && o.visibleIn(s) {
			want = append(want, o.id)
		}
	}
	slices.Sort(want)
	return want
}

func testScopeLists(t *testing.T, e *env) {
	objs := e.world()
	for _, ns := range testScopes() {
		t.Run(ns.name, func(t *testing.T) {
			for _, kind := range listKinds {
				got, n := e.listed(t, ns.s, kind, "")
				want := expected(objs, kind, ns.s)
				if !sameIDs(got, want) || n != len(want) {
					t.Errorf("%s list: %v (total %d), want %v", kind, got, n, want)
				}
			}
			// Counts agree with the lists.
			wantCounts := map[wangge.KeyGroup]int{}
			for _, o := range objs {
				if o.kind == "membership" && o.visibleIn(ns.s) {
					wantCounts[o.group]++
				}
			}
			wantCounts[wangge.GroupElderly] = len(expected(objs, "elderly", ns.s))
			gc, err := e.db.GroupCounts(e.ctx, ns.s)
			ok(t, err)
			for _, c := range gc {
				if c.Count != wantCounts[c.Group] {
					t.Errorf("GroupCounts %s = %d, want %d", c.Group, c.Count, wantCounts[c.Group])
				}
			}
			st, err := e.db.Stats(e.ctx, ns.s)
			ok(t, err)
			// Stats are counts, which every role of the subtree may see (the
			// area pages show them); only the rows themselves are withheld.
			counting := ns.s
			if !ns.s.People() && !ns.s.IsZero() {
				counting = wangge.ScopeOf(ns.s.Prefix())
			}
			count := func(kind string) int { return len(expected(objs, kind, counting)) }
			if st.Buildings != count("building") || st.Households != count("household") || st.Persons != count("person") ||
				st.Units != count("unit") || st.Visits != count("visit") || st.Assistants != count("assistant") || st.Users != count("user") {
				t.Errorf("Stats %+v disagree with the lists", st)
			}
		})
	}
}

func testZeroScope(t *testing.T, e *env) {
	ctx := e.ctx
	objs := e.world()
	zero := wangge.Scope{}
	for _, grid := range []string{"", GridA1, CommunityA, District} {
		for _, kind := range listKinds {
			if got, n := e.listed(t, zero, kind, grid); len(got) != 0 || n > 0 {
				t.Errorf("zero scope, filter %q: %s list %v (total %d)", grid, kind, got, n)
			}
		}
	}
	for _, o := range objs {
		if o.kind != "user" && e.singleRead(t, zero, o) {
			t.Errorf("zero scope reads %s %d", o.kind, o.id)
		}
	}
	zeroSens := wangge.Scope{Sensitive: true}
	for _, o := range objs {
		if o.kind == "membership" && e.singleRead(t, zeroSens, o) {
			t.Errorf("zero scope with Sensitive reads membership %d", o.id)
		}
	}
	gc, err := e.db.GroupCounts(ctx, zero)
	ok(t, err)
	for _, c := range gc {
		if c.Count != 0 {
			t.Errorf("zero scope counts %d in %s", c.Count, c.Group)
		}
	}
	st, err := e.db.Stats(ctx, zero)
	ok(t, err)
	st.Services, st.Cases = 0, nil
	if !equalStats(*st, wangge.Stats{}) {
		t.Errorf("zero scope Stats %+v", st)
	}
	_, err = e.db.AreaSummary(ctx, zero, District)
	wantCode(t, err, wangge.ENotFound, "AreaSummary in the zero scope")
	_, err = e.db.ChildSummaries(ctx, zero, District)
	wantCode(t, err, wangge.ENotFound, "ChildSummaries in the zero scope")
	ps, n, err := e.db.ListPersons(ctx, zero, wangge.PersonFilter{Name: "测试"})
	ok(t, err)
	if n != 0 || len(ps) != 0 {
		t.Errorf("zero scope finds persons by name")
	}
}

func testScopeNarrow(t *testing.T, e *env) {
	objs := e.world()
	sa := wangge.ScopeOf(CommunityA)
	for _, c := range []struct {
		name  string
		scope wangge.Scope
		grid  string
		want  wangge.Scope // what the result must equal
	}{
		{"GridOutsideTheScope", sa, GridB1, wangge.Scope{}},
		{"CommunityOutsideTheScope", wangge.ScopeOf(GridA1), CommunityB, wangge.Scope{}},
		{"SiblingGrid", wangge.ScopeOf(GridA1), GridA2, wangge.Scope{}},
		{"AncestorDoesNotWiden", wangge.ScopeOf(GridA1), CommunityA, wangge.ScopeOf(GridA1)},
		{"DistrictDoesNotWiden", sa, District, sa},
		{"GridInsideTheScope", sa, GridA2, wangge.ScopeOf(GridA2)},
		{"InvalidCode", wangge.ScopeAll(), "14049900100", wangge.Scope{}},
		{"AllNarrowed", wangge.ScopeAll(), GridB1, sensScope(GridB1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, kind := range listKinds {
				if kind == "user" {
					continue
				}
				got, n := e.listed(t, c.scope, kind, c.grid)
				want := expected(objs, kind, c.want)
				if !sameIDs(got, want) || n != len(want) {
					t.Errorf("%s list with filter %s in scope %q: %v (total %d), want %v", kind, c.grid, c.scope.Prefix(), got, n, want)
				}
			}
		})
	}
}

// sensScope returns the scope of code with Sensitive set.
func sensScope(code string) wangge.Scope {
	s := wangge.ScopeOf(code)
	s.Sensitive = true
	return s
}

func testSensitiveGroups(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	plain := []*wangge.Membership{
		e.membership(f.PA1.ID, wangge.GroupElderly, elderlyAttrs),
		e.membership(f.PA1b.ID, wangge.GroupFloating, floatingAttrs),
	}
	sensitive := []*wangge.Membership{
		e.membership(f.PA1.ID, wangge.GroupDisabled, disabledAttrs),
		e.membership(f.PA1.ID, wangge.GroupAid, aidAttrs),
		e.membership(f.PA1b.ID, wangge.GroupReleased, releasedAttrs),
		e.membership(f.PA1b.ID, wangge.GroupSpecial, specialAttrs),
	}
	// The fixture's persons are all over 60: the elderly are the persons
	// of the scope, PA1 with the row that keeps their details.
	elderly := map[string]int{GridA1: 2, CommunityA: 3, District: 4}
	for _, base := range []wangge.Scope{wangge.ScopeOf(GridA1), wangge.ScopeOf(CommunityA), wangge.ScopeOf(District)} {
		t.Run(base.Prefix(), func(t *testing.T) {
			sens := base
			sens.Sensitive = true
			for _, m := range plain {
				if _, err := e.db.Membership(ctx, base, m.ID); err != nil {
					t.Errorf("%s membership hidden: %v", m.Group, err)
				}
			}
			for _, m := range sensitive {
				_, err := e.db.Membership(ctx, base, m.ID)
				wantCode(t, err, wangge.ENotFound, string(m.Group), " membership without Sensitive")
				_, err = e.db.Membership(ctx, sens, m.ID)
				ok(t, err, string(m.Group), " membership with Sensitive")
				ms, n, err := e.db.ListMemberships(ctx, base, wangge.MembershipFilter{Group: m.Group})
				ok(t, err)
				if n != 0 || len(ms) != 0 {
					t.Errorf("ListMemberships(group %s) without Sensitive: %d (total %d)", m.Group, len(ms), n)
				}
				ms, n, err = e.db.ListMemberships(ctx, sens, wangge.MembershipFilter{Group: m.Group})
				ok(t, err)
				if n != 1 || len(ms) != 1 || ms[0].ID != m.ID {
					t.Errorf("ListMemberships(group %s) with Sensitive: %d (total %d)", m.Group, len(ms), n)
				}
			}
			ms, n, err := e.db.ListMemberships(ctx, base, wangge.MembershipFilter{})
			ok(t, err)
			if want := 1 + elderly[base.Prefix()]; n != want || len(ms) != want {
				t.Errorf("ListMemberships without Sensitive: %d (total %d), want the %d plain ones", len(ms), n, want)
			}
			for _, m := range ms {
				if d := wangge.GroupDefOf(m.Group); d == nil || d.Sensitive {
					t.Errorf("ListMemberships without Sensitive returned %s", m.Group)
				}
			}
			ms, n, err = e.db.ListMemberships(ctx, sens, wangge.MembershipFilter{PersonID: f.PA1.ID})
			ok(t, err)
			if n != 3 || len(ms) != 3 {
				t.Errorf("PA1's memberships with Sensitive: %d (total %d), want 3", len(ms), n)
			}
			ms, n, err = e.db.ListMemberships(ctx, base, wangge.MembershipFilter{PersonID: f.PA1.ID})
			ok(t, err)
			if n != 1 || len(ms) != 1 {
				t.Errorf("PA1's memberships without Sensitive: %d (total %d), want 1", len(ms), n)
			}
			gc, err := e.db.GroupCounts(ctx, base)
			ok(t, err)
			for _, c := range gc {
				if d := wangge.GroupDefOf(c.Group); d == nil || d.Sensitive {
					t.Errorf("GroupCounts without Sensitive lists %s (%d)", c.Group, c.Count)
				}
			}
			if len(gc) != 5 {
				t.Errorf("GroupCounts without Sensitive lists %d groups, want the 5 others", len(gc))
			}
			gc, err = e.db.GroupCounts(ctx, sens)
			ok(t, err)
			if len(gc) != 9 {
				t.Errorf("GroupCounts with Sensitive lists %d groups, want 9", len(gc))
			}
			for _, c := range gc {
				want := 0
				for _, m := range append(append([]*wangge.Membership{}, plain...), sensitive...) {
					if m.Group == c.Group {
						want++
					}
				}
				if c.Group == wangge.GroupElderly {
					want = elderly[base.Prefix()]
				}
				if c.Count != want {
					t.Errorf("GroupCounts with Sensitive: %s = %d, want %d", c.Group, c.Count, want)
				}
			}
		})
	}
}

func testSensitiveStats(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	e.membership(f.PA1.ID, wangge.GroupElderly, elderlyAttrs)
	e.membership(f.PA1.ID, wangge.GroupDisabled, disabledAttrs)
	e.membership(f.PA1b.ID, wangge.GroupAid, aidAttrs)
	st, err := e.db.Stats(ctx, wangge.ScopeOf(CommunityA))
	ok(t, err)
	if n := st.Memberships - e.ageMembers(t, wangge.ScopeOf(CommunityA)); n != 0 {
		t.Errorf("Stats without Sensitive counts %d members besides the age-derived groups', want 0 (the sensitive groups' members must not show, not even as a count)", n)
	}
	s := wangge.ScopeOf(CommunityA)
	s.Sensitive = true
	st, err = e.db.Stats(ctx, s)
	ok(t, err)
	if n := st.Memberships - e.ageMembers(t, s); n != 2 {
		t.Errorf("Stats with Sensitive counts %d members besides the age-derived groups', want 2 (disabled, aid)", n)
	}
}
