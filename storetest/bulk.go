package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

var bulkTests = []test{
	{"BulkLoadThenCreatesGetFreshIDs", testBulk},
	{"BulkIsRefusedOnANonEmptyDatabase", testBulkNonEmpty},
	{"BulkRollbackLeavesTheDatabaseEmpty", testBulkRollback},
}

// The ids the bulk load assigns start at 1 in every table, where a store's
// own id sequence starts too: unless the load moves the sequences past
// them, the next create collides.
const (
	bulkAssistant  = 1
	bulkAssignment = 1
	bulkBuilding1  = 1
	bulkBuilding2  = 2
	bulkHousehold  = 1
	bulkPerson1    = 1
	bulkPerson2    = 2
	bulkHead       = 1
	bulkUnit       = 1
	bulkMembership = 1
	bulkVisit      = 1
	bulkUser       = 1
)

// loadBulk writes a small district with explicit ids through Bulk and
// returns the plain ID numbers of the two persons.
func (e *env) loadBulk(t *testing.T, b wangge.Bulk) (id1, id2, phone1 string) {
	t.Helper()
	at := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
	for _, a := range []*wangge.Area{
		{Code: District, Name: "示范城区"}, {Code: Subdistrict, Name: "示范街道"}, {Code: CommunityA, Name: "东苑社区"},
		{Code: GridA1, Name: "东苑第一网格"}, {Code: GridA2, Name: "东苑第二网格"},
	} {
		ok(t, b.Area(a), "bulk area")
	}
	ok(t, b.Assistant(&wangge.Assistant{ID: bulkAssistant, Name: "协理员甲", Phone: "13900000001", Active: true}))
	ok(t, b.Assignment(&wangge.Assignment{ID: bulkAssignment, AssistantID: bulkAssistant, GridCode: GridA1, From: at}))
	ok(t, b.Building(&wangge.Building{ID: bulkBuilding1, GridCode: GridA1, Seq: 1, Name: "一号楼", Kind: wangge.BuildingTower}))
	ok(t, b.Building(&wangge.Building{ID: bulkBuilding2, GridCode: GridA1, Seq: 2, Name: "二号楼", Kind: wangge.BuildingTower}))
	ok(t, b.Household(&wangge.Household{ID: bulkHousehold, BuildingID: bulkBuilding1, GridCode: GridA1, Room: "101", Kind: wangge.ResidentRegistered}))
	id1, id2 = e.newIDWithX(), e.newID(ident.SexFemale)
	phone1 = e.newPhone()
	ok(t, b.Person(&wangge.Person{ID: bulkPerson1, HouseholdID: bulkHousehold, GridCode: GridA1, Name: "批量甲", IDNumber: strings.ToLower(id1), Phone: phone1, Relation: wangge.RelHead}))
	ok(t, b.Person(&wangge.Person{ID: bulkPerson2, HouseholdID: bulkHousehold, GridCode: GridA1, Name: "批量乙", IDNumber: id2, Relation: wangge.RelSpouse}))
	ok(t, b.BuildingHead(&wangge.BuildingHead{ID: bulkHead, BuildingID: bulkBuilding1, GridCode: GridA1, PersonID: ptr(int64(bulkPerson1)), Name: "批量甲", From: at}))
	ok(t, b.Unit(&wangge.Unit{ID: bulkUnit, GridCode: GridA1, Name: "批量单位", CreditCode: e.newCreditCode(), Kind: wangge.UnitEnterprise}))
	ok(t, b.Membership(&wangge.Membership{ID: bulkMembership, PersonID: bulkPerson1, GridCode: GridA1, Group: wangge.GroupElderly, Attrs: elderlyAttrs, Joined: at}))
	ok(t, b.Visit(&wangge.Visit{ID: bulkVisit, AssistantID: bulkAssistant, GridCode: GridA1, At: at, HouseholdID: ptr(int64(bulkHousehold)), Purpose: "走访"}))
	ok(t, b.User(&wangge.User{ID: bulkUser, Username: "admin", Role: wangge.RoleDistrictAdmin, ScopeCode: District, PasswordHash: "x"}))
	return id1, id2, phone1
}

func testBulk(t *testing.T, e *env) {
	ctx := e.ctx
	all := wangge.ScopeAll()
	b, err := e.db.Bulk(ctx)
	ok(t, err)
	id1, id2, phone1 := e.loadBulk(t, b)
	ok(t, b.Commit())

	empty, err := e.db.Empty(ctx)
	ok(t, err)
	if empty {
		t.Fatal("Empty after a bulk load")
	}
	st, err := e.db.Stats(ctx, all)
	ok(t, err)
	if st.Grids != 2 || st.Buildings != 2 || st.Households != 1 || st.Persons != 2 || st.Units != 1 || st.Assistants != 1 ||
		st.Visits != 1 || st.Users != 1 {
		t.Errorf("after the load: %+v", st)
	}
	// The loaded row keeps the details of an age-derived group's member.
	if m, err := e.db.Membership(ctx, all, bulkMembership); err != nil || m.PersonID != bulkPerson1 || m.Group != wangge.GroupElderly {
		t.Errorf("the loaded membership: %+v, %v", m, err)
	}
	es, n, err := e.db.ListAudit(ctx, wangge.AuditFilter{})
	ok(t, err)
	if n != 1 || es[0].Action != "bulk.load" {
		t.Errorf("audit after the load: %d entries, first %+v", n, es)
	}
	e.verifyAudit()

	// What was loaded reads like anything else, encrypted and indexed.
	p, err := e.db.Person(ctx, all, bulkPerson1)
	ok(t, err)
	wantMaskedID(t, p.IDNumber, id1, "bulk person")
	wantMaskedPhone(t, p.Phone, phone1, "bulk person")
	if p.Sex != ident.IDNumber(id1).Sex() || !p.BirthDate.Equal(ident.IDNumber(id1).BirthDate()) {
		t.Errorf("bulk person's derived fields %v %v", p.Sex, p.BirthDate)
	}
	r, err := e.db.RevealPerson(ctx, all, bulkPerson1, "核对")
	ok(t, err)
	if r.IDNumber != id1 || r.Phone != phone1 {
		t.Errorf("bulk person revealed %q %q", r.IDNumber, r.Phone)
	}
	for _, q := range []string{id1, strings.ToLower(id1)} {
		ps, _, err := e.db.ListPersons(ctx, all, wangge.PersonFilter{IDNumber: q})
		ok(t, err)
		if len(ps) != 1 || ps[0].ID != bulkPerson1 {
			t.Errorf("find bulk person by %q: %v", q, ids(ps, func(p wangge.Person) int64 { return p.ID }))
		}
	}
	ga, err := e.db.GridAssistant(ctx, GridA1)
	ok(t, err)
	if ga.ID != bulkAssistant {
		t.Errorf("grid assistant %d", ga.ID)
	}
	wantConflictOn(t, e.db.CreatePerson(ctx, wangge.ScopeAll(), &wangge.Person{HouseholdID: bulkHousehold, Name: "重复", IDNumber: id2}), "id_number", "a bulk-loaded ID number again")
	wantCode(t, e.db.CreateUser(ctx, &wangge.User{Username: "admin", Role: wangge.RoleAuditor, ScopeCode: District, PasswordHash: "x"}), wangge.EConflict, "a bulk-loaded username again")

	// Creates after the load get fresh ids above the loaded ones, and the
	// grid's next building sequence follows the loaded ones.
	above := func(what string, id, loaded int64) {
		t.Helper()
		if id <= loaded {
			t.Errorf("new %s got id %d, not above the loaded %d", what, id, loaded)
		}
	}
	nb := e.building(GridA1, "三号楼")
	above("building", nb.ID, bulkBuilding2)
	if nb.Seq != 3 {
		t.Errorf("new building in the loaded grid got seq %d, want 3", nb.Seq)
	}
	nh := e.household(nb.ID, "301")
	above("household", nh.ID, bulkHousehold)
	np, _, _ := e.person(nh.ID, "新居民", wangge.RelHead)
	above("person", np.ID, bulkPerson2)
	nu := e.unit(GridA1, "新单位")
	above("unit", nu.ID, bulkUnit)
	na := e.assistant("协理员乙")
	above("assistant", na.ID, bulkAssistant)
	ok(t, e.db.AssignAssistant(ctx, na.ID, GridA2, time.Time{}, ""), "AssignAssistant after the load")
	terms, err := e.db.Assignments(ctx, all, na.ID)
	ok(t, err)
	above("assignment", terms[0].ID, bulkAssignment)
	nm := e.membership(np.ID, wangge.GroupFloating, floatingAttrs)
	above("membership", nm.ID, bulkMembership)
	nv := &wangge.Visit{AssistantID: bulkAssistant, HouseholdID: &nh.ID, At: time.Date(2025, 2, 1, 9, 0, 0, 0, time.UTC)}
	ok(t, e.db.CreateVisit(ctx, wangge.ScopeAll(), nv))
	above("visit", nv.ID, bulkVisit)
	nus := e.user("staff", wangge.RoleCommunityStaff, CommunityA)
	above("user", nus.ID, bulkUser)
	nhd := &wangge.BuildingHead{BuildingID: bulkBuilding1, Name: "新楼长"}
	ok(t, e.db.SetBuildingHead(ctx, wangge.ScopeAll(), nhd))
	above("building head", nhd.ID, bulkHead)
	ok(t, e.db.SeedServices(ctx))
	ok(t, e.db.MovePerson(ctx, wangge.ScopeAll(), bulkPerson2, 1, nh.ID, "分户"))
	ok(t, e.db.MoveHousehold(ctx, wangge.ScopeAll(), bulkHousehold, 1, bulkBuilding2, "换楼"))
	ok(t, e.db.MoveBuilding(ctx, wangge.ScopeAll(), bulkBuilding2, 1, GridA2, "调整"))
	bm, err := e.db.BuildingMoves(ctx, all, bulkBuilding2)
	ok(t, err)
	if len(bm) != 1 {
		t.Errorf("moves of a loaded building: %+v", bm)
	}
	hs, err := e.db.BuildingHeads(ctx, all, bulkBuilding1)
	ok(t, err)
	if len(hs) != 2 || hs[0].ID != nhd.ID || hs[1].ID != bulkHead || hs[1].To == nil {
		t.Errorf("heads of a loaded building: %+v", hs)
	}
	e.verifyAudit()

	// A second load is refused now.
	_, err = e.db.Bulk(ctx)
	wantCode(t, err, wangge.EConflict, "Bulk after a load")
}

func testBulkNonEmpty(t *testing.T, e *env) {
	e.area(District, "示范城区")
	_, err := e.db.Bulk(e.ctx)
	wantCode(t, err, wangge.EConflict, "Bulk on a database with an area")
}

func testBulkRollback(t *testing.T, e *env) {
	ctx := e.ctx
	b, err := e.db.Bulk(ctx)
	ok(t, err)
	e.loadBulk(t, b)
	ok(t, b.Rollback())
	empty, err := e.db.Empty(ctx)
	ok(t, err)
	if !empty {
		t.Errorf("not Empty after a rolled-back load")
	}
	if n := e.auditCount(); n != 0 {
		t.Errorf("a rolled-back load left %d audit entries", n)
	}
	// A load that fails at commit leaves nothing either.
	b, err = e.db.Bulk(ctx)
	ok(t, err)
	ok(t, b.Area(&wangge.Area{Code: District, Name: "示范城区"}))
	ok(t, b.Building(&wangge.Building{ID: 1, GridCode: GridA1, Seq: 1, Name: "无网格的楼", Kind: wangge.BuildingTower}))
	if err := b.Commit(); err == nil {
		t.Errorf("Commit of a building in a missing grid succeeded")
	}
	if empty, err = e.db.Empty(ctx); err != nil || !empty {
		t.Errorf("after a failed commit: Empty = %v, %v", empty, err)
	}
	// Invalid rows are refused as they come.
	b, err = e.db.Bulk(ctx)
	ok(t, err)
	if err := b.Person(&wangge.Person{ID: 1, HouseholdID: 1, GridCode: GridA1, Name: "坏", IDNumber: "123"}); wangge.ErrorCode(err) != wangge.EInvalid {
		t.Errorf("bulk Person with a bad ID number: %v", err)
	}
	ok(t, b.Rollback())
	// And a proper load works afterwards.
	b, err = e.db.Bulk(ctx)
	ok(t, err)
	e.loadBulk(t, b)
	ok(t, b.Commit())
	e.verifyAudit()
}
