package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/wangge/wangge"
)

var writeScopeTests = []test{
	{"WritesOutsideTheScopeAreRefused", testWritesOutsideScope},
	{"WritesInsideTheScopeSucceed", testWritesInsideScope},
	{"RolesWithoutPeopleWriteNothing", testRolesWithoutPeopleWriteNothing},
	{"SensitiveMembershipsNeedASensitiveScopeToWrite", testSensitiveMembershipWrites},
}

// writeSide is what one grid of the fixture holds for the write tests: a
// building with a household and a person, an empty building and household,
// a unit and a membership.
type writeSide struct {
	grid              string
	building, empty   *wangge.Building
	household, emptyH *wangge.Household
	person            *wangge.Person
	unit              *wangge.Unit
	membership        *wangge.Membership
	assistant         *wangge.Assistant
}

func (e *env) writeSide(grid string, b *wangge.Building, h *wangge.Household, p *wangge.Person) *writeSide {
	e.t.Helper()
	s := &writeSide{grid: grid, building: b, household: h, person: p}
	s.empty = e.building(grid, "空楼"+grid[len(grid)-3:])
	s.emptyH = e.household(b.ID, "空户"+grid[len(grid)-3:])
	s.unit = e.unit(grid, "单位"+grid[len(grid)-3:])
	s.membership = e.membership(p.ID, wangge.GroupFloating, floatingAttrs)
	s.assistant = e.assistant("协理员" + grid[len(grid)-3:])
	ok(e.t, e.db.AssignAssistant(e.ctx, s.assistant.ID, grid, time.Time{}, ""))
	return s
}

// writeOp is one write of people's data, made with a scope.
type writeOp struct {
	name string
	do   func(s wangge.Scope) error
}

// writesOn lists every write of people's data against the objects of side
// t, with moves between side t and side o in both directions.
func (e *env) writesOn(t, o *writeSide) []writeOp {
	ctx := e.ctx
	cur := func(p *wangge.Person) *wangge.Person {
		got, err := e.db.Person(ctx, wangge.ScopeAll(), p.ID)
		ok(e.t, err)
		return got
	}
	unitV := func(u *wangge.Unit) int {
		got, err := e.db.Unit(ctx, wangge.ScopeAll(), u.ID)
		ok(e.t, err)
		return got.Version
	}
	memberV := func(m *wangge.Membership) int {
		got, err := e.db.Membership(ctx, wangge.ScopeAll(), m.ID)
		ok(e.t, err)
		return got.Version
	}
	return []writeOp{
		{"CreateBuilding", func(s wangge.Scope) error {
			return e.db.CreateBuilding(ctx, s, &wangge.Building{GridCode: t.grid, Name: "新楼", Kind: wangge.BuildingTower})
		}},
		{"UpdateBuilding", func(s wangge.Scope) error {
			b := *t.building
			b.Name = "改名楼"
			return e.db.UpdateBuilding(ctx, s, &b)
		}},
		{"MoveBuildingOut", func(s wangge.Scope) error {
			return e.db.MoveBuilding(ctx, s, t.empty.ID, t.empty.Version, o.grid, "调整网格")
		}},
		{"MoveBuildingIn", func(s wangge.Scope) error {
			return e.db.MoveBuilding(ctx, s, o.empty.ID, o.empty.Version, t.grid, "调整网格")
		}},
		{"DeleteBuilding", func(s wangge.Scope) error { return e.db.DeleteBuilding(ctx, s, t.empty.ID, t.empty.Version) }},
		{"SetBuildingHead", func(s wangge.Scope) error {
			return e.db.SetBuildingHead(ctx, s, &wangge.BuildingHead{BuildingID: t.building.ID, Name: "新楼长"})
		}},
		{"CreateHousehold", func(s wangge.Scope) error {
			return e.db.CreateHousehold(ctx, s, &wangge.Household{BuildingID: t.building.ID, Room: "909", Kind: wangge.ResidentRegistered})
		}},
		{"UpdateHousehold", func(s wangge.Scope) error {
			h := *t.household
			h.Note = "改"
			return e.db.UpdateHousehold(ctx, s, &h)
		}},
		{"MoveHouseholdOut", func(s wangge.Scope) error {
			return e.db.MoveHousehold(ctx, s, t.emptyH.ID, t.emptyH.Version, o.building.ID, "整户迁出")
		}},
		{"MoveHouseholdIn", func(s wangge.Scope) error {
			return e.db.MoveHousehold(ctx, s, o.emptyH.ID, o.emptyH.Version, t.building.ID, "整户迁入")
		}},
		{"DeleteHousehold", func(s wangge.Scope) error { return e.db.DeleteHousehold(ctx, s, t.emptyH.ID, t.emptyH.Version) }},
		{"CreatePerson", func(s wangge.Scope) error {
			return e.db.CreatePerson(ctx, s, &wangge.Person{HouseholdID: t.household.ID, Name: "新人", IDNumber: e.newID(1), Relation: wangge.RelOther})
		}},
		{"UpdatePerson", func(s wangge.Scope) error {
			p := cur(t.person)
			p.Note = "改"
			return e.db.UpdatePerson(ctx, s, p)
		}},
		{"MovePersonOut", func(s wangge.Scope) error {
			return e.db.MovePerson(ctx, s, t.person.ID, cur(t.person).Version, o.household.ID, "投亲靠友")
		}},
		{"MovePersonIn", func(s wangge.Scope) error {
			return e.db.MovePerson(ctx, s, o.person.ID, cur(o.person).Version, t.household.ID, "投亲靠友")
		}},
		{"DeletePerson", func(s wangge.Scope) error {
			return e.db.DeletePerson(ctx, s, t.person.ID, cur(t.person).Version, "重复登记")
		}},
		{"CreateUnit", func(s wangge.Scope) error {
			return e.db.CreateUnit(ctx, s, &wangge.Unit{GridCode: t.grid, Name: "新单位", Kind: wangge.UnitIndividual})
		}},
		{"UpdateUnit", func(s wangge.Scope) error {
			u := *t.unit
			u.Headcount = 99
			return e.db.UpdateUnit(ctx, s, &u)
		}},
		{"UpdateUnitIntoTheGrid", func(s wangge.Scope) error {
			u := *o.unit
			u.GridCode = t.grid
			return e.db.UpdateUnit(ctx, s, &u)
		}},
		{"DeleteUnit", func(s wangge.Scope) error { return e.db.DeleteUnit(ctx, s, t.unit.ID, unitV(t.unit)) }},
		{"CreateMembership", func(s wangge.Scope) error {
			return e.db.CreateMembership(ctx, s, &wangge.Membership{PersonID: t.person.ID, Group: wangge.GroupElderly, Attrs: elderlyAttrs})
		}},
		{"UpdateMembership", func(s wangge.Scope) error {
			m := *t.membership
			m.Note = "改"
			return e.db.UpdateMembership(ctx, s, &m)
		}},
		{"EndMembership", func(s wangge.Scope) error {
			return e.db.EndMembership(ctx, s, t.membership.ID, memberV(t.membership), time.Now())
		}},
		{"CreateVisit", func(s wangge.Scope) error {
			return e.db.CreateVisit(ctx, s, &wangge.Visit{AssistantID: t.assistant.ID, HouseholdID: &t.household.ID, At: time.Now(), Purpose: "走访"})
		}},
		{"CreateUnitVisit", func(s wangge.Scope) error {
			return e.db.CreateVisit(ctx, s, &wangge.Visit{AssistantID: t.assistant.ID, UnitID: &t.unit.ID, At: time.Now(), Purpose: "走访"})
		}},
		{"CreatePlaceVisit", func(s wangge.Scope) error {
			return e.db.CreateVisit(ctx, s, &wangge.Visit{AssistantID: t.assistant.ID, Place: "小广场", At: time.Now(), Purpose: "巡查"})
		}},
	}
}

// refusedUnchanged runs op with the scope and wants it refused as not found
// (or as an invalid reference that reads like a missing one), with nothing
// written.
func (e *env) refusedUnchanged(t *testing.T, s wangge.Scope, op writeOp) {
	t.Helper()
	before := e.auditCount()
	err := op.do(s)
	if err == nil {
		t.Fatalf("%s: a write outside the scope was accepted", op.name)
	}
	if c := wangge.ErrorCode(err); c != wangge.ENotFound && c != wangge.EInvalid {
		t.Fatalf("%s: refused with %v (%s), want not found or no such object", op.name, err, c)
	}
	if after := e.auditCount(); after != before {
		t.Fatalf("%s: the refused write left %d audit entries", op.name, after-before)
	}
}

// testWritesOutsideScope: a grid's scope and a community's scope change
// nothing in the other community, and a move across the scope's border is
// refused from either side; so do another district's scope and the zero
// scope.
func testWritesOutsideScope(t *testing.T, e *env) {
	f := e.fixture()
	a := e.writeSide(GridA1, f.BA1, f.HA1, f.PA1)
	b := e.writeSide(GridB1, f.BB1, f.HB1, f.PB1)
	for _, ns := range []namedScope{
		{"GridA1", wangge.ScopeOf(GridA1)},
		{"CommunityA", wangge.ScopeOf(CommunityA)},
		{"RoleAssistantGridA1", roleScope(wangge.RoleAssistant, GridA1, "")},
		{"RoleCommunityStaffA", roleScope(wangge.RoleCommunityStaff, CommunityA, "")},
		{"AnotherDistrict", wangge.ScopeOf("140498")},
		{"Zero", wangge.Scope{}},
	} {
		for _, op := range e.writesOn(b, a) {
			t.Run(ns.name+"/"+op.name, func(t *testing.T) { e.refusedUnchanged(t, ns.s, op) })
		}
	}
}

// testWritesInsideScope: the assistant of grid A1 makes every write within
// the grid; the moves stay inside it.
func testWritesInsideScope(t *testing.T, e *env) {
	f := e.fixture()
	// The other side of the moves is a second set of objects in grid A1,
	// made first so that side a's assistant is the grid's current one.
	b2 := e.building(GridA1, "东苑3号楼")
	hh := e.household(b2.ID, "102b")
	p2, _, _ := e.person(hh.ID, "测试甲三", wangge.RelHead)
	a2 := e.writeSide(GridA1, b2, hh, p2)
	a := e.writeSide(GridA1, f.BA1, f.HA1, f.PA1)
	s := roleScope(wangge.RoleAssistant, GridA1, "")
	for _, op := range e.writesOn(a, a2) {
		if op.name == "DeletePerson" || op.name == "DeleteUnit" || op.name == "DeleteBuilding" || op.name == "DeleteHousehold" || op.name == "MoveBuildingIn" || op.name == "MoveBuildingOut" {
			continue // these run last, on objects the others no longer need
		}
		before := e.auditCount()
		if err := op.do(s); err != nil {
			t.Fatalf("%s inside the grid: %v", op.name, err)
		}
		if e.auditCount() <= before {
			t.Fatalf("%s inside the grid wrote no audit entry", op.name)
		}
	}
	u, err := e.db.Unit(e.ctx, s, a.unit.ID)
	ok(t, err)
	ok(t, e.db.DeleteUnit(e.ctx, s, u.ID, u.Version), "DeleteUnit inside the grid")
	b := e.building(GridA1, "待删楼")
	ok(t, e.db.DeleteBuilding(e.ctx, s, b.ID, b.Version), "DeleteBuilding inside the grid")
	ok(t, e.db.DeletePerson(e.ctx, s, p2.ID, mustPerson(t, e, p2.ID).Version, "重复登记"), "DeletePerson inside the grid")
	// Moving a building between grids needs a scope over both.
	nb := e.building(GridA2, "调整楼")
	e.refusedUnchanged(t, s, writeOp{"MoveBuildingFromA2", func(s wangge.Scope) error {
		return e.db.MoveBuilding(e.ctx, s, nb.ID, nb.Version, GridA1, "调整网格")
	}})
	ok(t, e.db.MoveBuilding(e.ctx, wangge.ScopeOf(CommunityA), nb.ID, nb.Version, GridA1, "调整网格"), "MoveBuilding within the community")
}

func mustPerson(t *testing.T, e *env, id int64) *wangge.Person {
	t.Helper()
	p, err := e.db.Person(e.ctx, wangge.ScopeAll(), id)
	ok(t, err)
	return p
}

// testRolesWithoutPeopleWriteNothing: a building head's, a department's and
// the auditor's scope cover grids but not people's data, so every write is
// refused even inside their grid.
func testRolesWithoutPeopleWriteNothing(t *testing.T, e *env) {
	f := e.fixture()
	a := e.writeSide(GridA1, f.BA1, f.HA1, f.PA1)
	a2 := e.writeSide(GridA2, f.BA2, f.HA2, f.PA2)
	for _, ns := range []namedScope{
		{"RoleBuildingHeadGridA1", roleScope(wangge.RoleBuildingHead, GridA1, "")},
		{"RoleDepartmentOrder", roleScope(wangge.RoleDepartment, District, wangge.LineOrder)},
		{"RoleAuditor", roleScope(wangge.RoleAuditor, District, "")},
	} {
		for _, op := range e.writesOn(a, a2) {
			t.Run(ns.name+"/"+op.name, func(t *testing.T) { e.refusedUnchanged(t, ns.s, op) })
		}
	}
}

// testSensitiveMembershipWrites: memberships of a sensitive group are
// written only with a scope that may read them.
func testSensitiveMembershipWrites(t *testing.T, e *env) {
	f := e.fixture()
	ms := e.membership(f.PA1.ID, wangge.GroupDisabled, disabledAttrs)
	plain := wangge.ScopeOf(GridA1)
	sens := plain
	sens.Sensitive = true
	for i, op := range []writeOp{
		{"CreateSensitive", func(s wangge.Scope) error {
			return e.db.CreateMembership(e.ctx, s, &wangge.Membership{PersonID: f.PA1b.ID, Group: wangge.GroupDisabled, Attrs: disabledAttrs})
		}},
		{"UpdateSensitive", func(s wangge.Scope) error {
			m := *ms
			m.Note = fmt.Sprint("改", s.Sensitive)
			return e.db.UpdateMembership(e.ctx, s, &m)
		}},
	} {
		e.refusedUnchanged(t, plain, op)
		if err := op.do(sens); err != nil {
			t.Fatalf("op %d (%s) with a sensitive scope: %v", i, op.name, err)
		}
	}
}
