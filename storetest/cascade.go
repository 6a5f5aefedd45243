package storetest

import (
	"testing"
	"time"

	"github.com/wangge/wangge"
)

var cascadeTests = []test{
	{"DeleteAreaRefusesWhileItHoldsAnything", testDeleteArea},
	{"DeleteBuildingRefusesWhileItHoldsHouseholds", testDeleteBuilding},
	{"DeleteHouseholdRefusesWhileItHoldsPersons", testDeleteHousehold},
}

func testDeleteArea(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	all := wangge.ScopeAll()
	version := func(code string) int {
		t.Helper()
		a, err := e.db.Area(ctx, code)
		ok(t, err)
		return a.Version
	}
	before := e.auditCount()
	wantCode(t, e.db.DeleteArea(ctx, GridA1, version(GridA1)), wangge.EConflict, "DeleteArea of a grid with buildings")
	wantCode(t, e.db.DeleteArea(ctx, CommunityA, version(CommunityA)), wangge.EConflict, "DeleteArea of a community with grids")
	wantCode(t, e.db.DeleteArea(ctx, Subdistrict, version(Subdistrict)), wangge.EConflict, "DeleteArea of a sub-district with communities")
	wantCode(t, e.db.DeleteArea(ctx, District, version(District)), wangge.EConflict, "DeleteArea of the district")
	if n := e.auditCount(); n != before {
		t.Errorf("refused deletes appended %d audit entries", n-before)
	}

	// A grid with only a unit, or with assistant history, stays too.
	e.area(GridA3, "东苑第三网格")
	u := e.unit(GridA3, "东苑商店")
	wantCode(t, e.db.DeleteArea(ctx, GridA3, version(GridA3)), wangge.EConflict, "DeleteArea of a grid with a unit")
	ok(t, e.db.DeleteUnit(ctx, wangge.ScopeAll(), u.ID, u.Version))
	as := e.assistant("协理员甲")
	ok(t, e.db.AssignAssistant(ctx, as.ID, GridA3, time.Time{}, ""))
	wantCode(t, e.db.DeleteArea(ctx, GridA3, version(GridA3)), wangge.EConflict, "DeleteArea of a grid with assistant history")

	// An empty grid goes; a stale version does not.
	empty := "140499001001004"
	e.area(empty, "东苑第四网格")
	wantCode(t, e.db.DeleteArea(ctx, empty, version(empty)+1), wangge.EConflict, "DeleteArea with a wrong version")
	ok(t, e.db.DeleteArea(ctx, empty, version(empty)))
	_, err := e.db.Area(ctx, empty)
	wantCode(t, err, wangge.ENotFound, "Area after delete")

	// Emptying community B lets its grid, then the community, go.
	ok(t, e.db.DeletePerson(ctx, wangge.ScopeAll(), f.PB1.ID, f.PB1.Version, "迁出"))
	ok(t, e.db.DeleteHousehold(ctx, wangge.ScopeAll(), f.HB1.ID, f.HB1.Version))
	ok(t, e.db.DeleteBuilding(ctx, wangge.ScopeAll(), f.BB1.ID, f.BB1.Version))
	wantCode(t, e.db.DeleteArea(ctx, CommunityB, version(CommunityB)), wangge.EConflict, "DeleteArea of a community that still has an (empty) grid")
	ok(t, e.db.DeleteArea(ctx, GridB1, version(GridB1)))
	ok(t, e.db.DeleteArea(ctx, CommunityB, version(CommunityB)))
	as2, _, err := e.db.ListAreas(ctx, wangge.AreaFilter{ParentCode: Subdistrict})
	ok(t, err)
	if len(as2) != 1 || as2[0].Code != CommunityA {
		t.Errorf("communities left: %+v", as2)
	}
	if a := e.lastAudit(); a.Action != "area.delete" || a.ObjectID != CommunityB {
		t.Errorf("last audit entry %+v", a)
	}
	_, err = e.db.Building(ctx, all, f.BB1.ID)
	wantCode(t, err, wangge.ENotFound, "Building after delete")
}

func testDeleteBuilding(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	all := wangge.ScopeAll()
	u := &wangge.Unit{GridCode: GridA2, BuildingID: &f.BA2.ID, Name: "底商", Kind: wangge.UnitIndividual}
	ok(t, e.db.CreateUnit(ctx, wangge.ScopeAll(), u))
	ok(t, e.db.SetBuildingHead(ctx, wangge.ScopeAll(), &wangge.BuildingHead{BuildingID: f.BA2.ID, Name: "楼长"}))
	b, err := e.db.Building(ctx, all, f.BA2.ID)
	ok(t, err)
	wantCode(t, e.db.DeleteBuilding(ctx, wangge.ScopeAll(), b.ID, b.Version), wangge.EConflict, "DeleteBuilding with a household")
	if _, err := e.db.Building(ctx, all, b.ID); err != nil {
		t.Errorf("a refused delete removed the building: %v", err)
	}
	ok(t, e.db.DeletePerson(ctx, wangge.ScopeAll(), f.PA2.ID, f.PA2.Version, "迁出"))
	wantCode(t, e.db.DeleteBuilding(ctx, wangge.ScopeAll(), b.ID, b.Version), wangge.EConflict, "DeleteBuilding with an empty household")
	ok(t, e.db.DeleteHousehold(ctx, wangge.ScopeAll(), f.HA2.ID, f.HA2.Version))
	ok(t, e.db.DeleteBuilding(ctx, wangge.ScopeAll(), b.ID, b.Version))
	_, err = e.db.Building(ctx, all, b.ID)
	wantCode(t, err, wangge.ENotFound, "Building after delete")
	got, err := e.db.Unit(ctx, all, u.ID)
	ok(t, err, "the unit in the deleted building stays")
	if got.BuildingID != nil {
		t.Errorf("unit still names deleted building %d", *got.BuildingID)
	}
	hs, err := e.db.BuildingHeads(ctx, all, b.ID)
	ok(t, err)
	if len(hs) != 0 {
		t.Errorf("heads of a deleted building: %+v", hs)
	}
}

func testDeleteHousehold(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	all := wangge.ScopeAll()
	wantCode(t, e.db.DeleteHousehold(ctx, wangge.ScopeAll(), f.HA1.ID, f.HA1.Version), wangge.EConflict, "DeleteHousehold with persons")
	// A household that was moved keeps its move history until it goes.
	ok(t, e.db.MoveHousehold(ctx, wangge.ScopeAll(), f.HA1.ID, f.HA1.Version, f.BA2.ID, "迁移"))
	h, err := e.db.Household(ctx, all, f.HA1.ID)
	ok(t, err)
	ok(t, e.db.MovePerson(ctx, wangge.ScopeAll(), f.PA1.ID, f.PA1.Version, f.HA1b.ID, "分户"))
	wantCode(t, e.db.DeleteHousehold(ctx, wangge.ScopeAll(), h.ID, h.Version), wangge.EConflict, "DeleteHousehold with one person left")
	p, err := e.db.Person(ctx, all, f.PA1b.ID)
	ok(t, err)
	ok(t, e.db.DeletePerson(ctx, wangge.ScopeAll(), p.ID, p.Version, "去世"))
	wantCode(t, e.db.DeleteHousehold(ctx, wangge.ScopeAll(), h.ID, h.Version-1), wangge.EConflict, "DeleteHousehold with a stale version")
	ok(t, e.db.DeleteHousehold(ctx, wangge.ScopeAll(), h.ID, h.Version))
	_, err = e.db.Household(ctx, all, h.ID)
	wantCode(t, err, wangge.ENotFound, "Household after delete")
	// The person moved out keeps their history.
	moves, err := e.db.PersonMoves(ctx, all, f.PA1.ID)
	ok(t, err)
	if len(moves) != 1 || moves[0].From != h.ID {
		t.Errorf("moves of a person whose old household is gone: %+v", moves)
	}
}
