package storetest

import (
	"strconv"
	"testing"
	"time"

	"github.com/wangge/wangge"
)

var moveTests = []test{
	{"PersonMoveKeepsHistoryAndChangesScope", testPersonMove},
	{"HouseholdMoveTakesPersonsAndMemberships", testHouseholdMove},
	{"BuildingMoveTakesEveryoneAndAFreshSeq", testBuildingMove},
	{"BuildingSeqsAreNeverReused", testSeqNeverReused},
}

// wantMove checks one history row.
func wantMove(t *testing.T, got wangge.Move, objectID, from, to int64, fromGrid, toGrid, reason string, at time.Time) {
	t.Helper()
	if got.ID == 0 || got.ObjectID != objectID || got.From != from || got.To != to || got.FromGrid != fromGrid || got.ToGrid != toGrid ||
		got.Reason != reason || got.By != Actor.Username || !got.At.Equal(at) {
		t.Errorf("move %+v\nwant object %d from %d (%s) to %d (%s) at %v by %s for %q", got, objectID, from, fromGrid, to, toGrid, at, Actor.Username, reason)
	}
}

// visible reports whether the person is found in the scope, by Person and
// by ListPersons.
func (e *env) personVisible(s wangge.Scope, id int64) bool {
	e.t.Helper()
	_, err := e.db.Person(e.ctx, s, id)
	one := err == nil
	if err != nil && wangge.ErrorCode(err) != wangge.ENotFound {
		e.t.Fatalf("Person: %v", err)
	}
	ps, _, err := e.db.ListPersons(e.ctx, s, wangge.PersonFilter{})
	ok(e.t, err)
	listed := false
	for _, p := range ps {
		listed = listed || p.ID == id
	}
	if one != listed {
		e.t.Errorf("person %d: Person finds it %v, ListPersons %v, in scope %q", id, one, listed, s.Prefix())
	}
	return one
}

func testPersonMove(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	all := wangge.ScopeAll()
	m := e.membership(f.PA2.ID, wangge.GroupElderly, elderlyAttrs)
	t1 := time.Date(2025, 2, 1, 10, 0, 0, 0, time.UTC)
	t2 := t1.Add(24 * time.Hour)
	p, err := e.db.Person(ctx, all, f.PA2.ID)
	ok(t, err)

	wantField(t, e.db.MovePerson(ctx, wangge.ScopeAll(), p.ID, p.Version, f.HB1.ID, ""), "reason", "MovePerson without reason")
	wantField(t, e.db.MovePerson(ctx, wangge.ScopeAll(), p.ID, p.Version, f.HA2.ID, "原地"), "household_id", "MovePerson into the same household")
	wantField(t, e.db.MovePerson(ctx, wangge.ScopeAll(), p.ID, p.Version, 999999, "无户"), "household_id", "MovePerson into a missing household")
	wantCode(t, e.db.MovePerson(ctx, wangge.ScopeAll(), 999999, 1, f.HB1.ID, "无人"), wangge.ENotFound, "MovePerson of a missing person")

	e.db.SetClock(func() time.Time { return t1 })
	before := e.auditCount()
	ok(t, e.db.MovePerson(ctx, wangge.ScopeAll(), p.ID, p.Version, f.HB1.ID, "搬到西苑"))
	if a := e.lastAudit(); e.auditCount() != before+1 || a.Action != "person.move" || a.ObjectID != itoa(p.ID) || a.GridCode != GridB1 {
		t.Errorf("audit after a move: %+v", a)
	}
	got, err := e.db.Person(ctx, all, p.ID)
	ok(t, err)
	if got.HouseholdID != f.HB1.ID || got.GridCode != GridB1 || got.Version != p.Version+1 {
		t.Errorf("after the move: household %d grid %s version %d", got.HouseholdID, got.GridCode, got.Version)
	}
	if e.personVisible(wangge.ScopeOf(GridA2), p.ID) || e.personVisible(wangge.ScopeOf(CommunityA), p.ID) {
		t.Errorf("the moved person is still visible in the old grid or community")
	}
	if !e.personVisible(wangge.ScopeOf(GridB1), p.ID) || !e.personVisible(wangge.ScopeOf(CommunityB), p.ID) {
		t.Errorf("the moved person is not visible in the new grid")
	}
	mm, err := e.db.Membership(ctx, wangge.ScopeOf(GridB1), m.ID)
	ok(t, err, "the membership follows the person")
	if mm.GridCode != GridB1 {
		t.Errorf("membership grid %s", mm.GridCode)
	}
	_, err = e.db.Membership(ctx, wangge.ScopeOf(GridA2), m.ID)
	wantCode(t, err, wangge.ENotFound, "membership in the old grid")

	e.db.SetClock(func() time.Time { return t2 })
	ok(t, e.db.MovePerson(ctx, wangge.ScopeAll(), p.ID, got.Version, f.HA1.ID, "回迁东苑"))
	moves, err := e.db.PersonMoves(ctx, wangge.ScopeOf(GridA1), p.ID)
	ok(t, err)
	if len(moves) != 2 {
		t.Fatalf("moves %+v, want 2", moves)
	}
	wantMove(t, moves[0], p.ID, f.HA2.ID, f.HB1.ID, GridA2, GridB1, "搬到西苑", t1)
	wantMove(t, moves[1], p.ID, f.HB1.ID, f.HA1.ID, GridB1, GridA1, "回迁东苑", t2)
	_, err = e.db.PersonMoves(ctx, wangge.ScopeOf(GridB1), p.ID)
	wantCode(t, err, wangge.ENotFound, "PersonMoves from a scope the person has left")
	ps, n, err := e.db.ListPersons(ctx, all, wangge.PersonFilter{HouseholdID: f.HA1.ID})
	ok(t, err)
	if n != 3 || len(ps) != 3 {
		t.Errorf("HA1 has %d persons after the move in, want 3", n)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func testHouseholdMove(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	all := wangge.ScopeAll()
	m := e.membership(f.PA1.ID, wangge.GroupFloating, floatingAttrs)
	d := e.membership(f.PA1b.ID, wangge.GroupDisabled, disabledAttrs)
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	e.db.SetClock(func() time.Time { return at })
	h, err := e.db.Household(ctx, all, f.HA1.ID)
	ok(t, err)

	wantField(t, e.db.MoveHousehold(ctx, wangge.ScopeAll(), h.ID, h.Version, f.BB1.ID, ""), "reason", "MoveHousehold without reason")
	wantField(t, e.db.MoveHousehold(ctx, wangge.ScopeAll(), h.ID, h.Version, f.BA1.ID, "原地"), "building_id", "MoveHousehold into its own building")
	wantField(t, e.db.MoveHousehold(ctx, wangge.ScopeAll(), h.ID, h.Version, 999999, "无楼"), "building_id", "MoveHousehold into a missing building")
	wantCode(t, e.db.MoveHousehold(ctx, wangge.ScopeAll(), 999999, 1, f.BB1.ID, "无户"), wangge.ENotFound, "MoveHousehold of a missing household")

	ok(t, e.db.MoveHousehold(ctx, wangge.ScopeAll(), h.ID, h.Version, f.BB1.ID, "整户迁往西苑"))
	got, err := e.db.Household(ctx, wangge.ScopeOf(GridB1), h.ID)
	ok(t, err, "the household in its new grid")
	if got.BuildingID != f.BB1.ID || got.GridCode != GridB1 || got.Version != h.Version+1 {
		t.Errorf("after the move %+v", got)
	}
	_, err = e.db.Household(ctx, wangge.ScopeOf(GridA1), h.ID)
	wantCode(t, err, wangge.ENotFound, "the household in its old grid")
	moves, err := e.db.HouseholdMoves(ctx, wangge.ScopeOf(CommunityB), h.ID)
	ok(t, err)
	if len(moves) != 1 {
		t.Fatalf("household moves %+v", moves)
	}
	wantMove(t, moves[0], h.ID, f.BA1.ID, f.BB1.ID, GridA1, GridB1, "整户迁往西苑", at)
	_, err = e.db.HouseholdMoves(ctx, wangge.ScopeOf(GridA1), h.ID)
	wantCode(t, err, wangge.ENotFound, "HouseholdMoves from the old grid")

	for _, id := range []int64{f.PA1.ID, f.PA1b.ID} {
		p, err := e.db.Person(ctx, all, id)
		ok(t, err)
		if p.GridCode != GridB1 || p.HouseholdID != h.ID {
			t.Errorf("person %d after the household's move: grid %s household %d", id, p.GridCode, p.HouseholdID)
		}
		if e.personVisible(wangge.ScopeOf(GridA1), id) || e.personVisible(wangge.ScopeOf(CommunityA), id) {
			t.Errorf("person %d is still visible in the old grid", id)
		}
		if !e.personVisible(wangge.ScopeOf(GridB1), id) {
			t.Errorf("person %d is not visible in the new grid", id)
		}
	}
	sens := func(code string) wangge.Scope { s := wangge.ScopeOf(code); s.Sensitive = true; return s }
	for _, id := range []int64{m.ID, d.ID} {
		_, err = e.db.Membership(ctx, sens(GridA1), id)
		wantCode(t, err, wangge.ENotFound, "membership in the old grid")
		mm, err := e.db.Membership(ctx, sens(GridB1), id)
		ok(t, err, "membership in the new grid")
		if mm.GridCode != GridB1 {
			t.Errorf("membership %d grid %s", id, mm.GridCode)
		}
	}
	counts := func(s wangge.Scope) map[wangge.KeyGroup]int {
		gc, err := e.db.GroupCounts(ctx, s)
		ok(t, err)
		out := map[wangge.KeyGroup]int{}
		for _, c := range gc {
			out[c.Group] = c.Count
		}
		return out
	}
	if c := counts(sens(GridA1)); c[wangge.GroupFloating] != 0 || c[wangge.GroupDisabled] != 0 {
		t.Errorf("old grid still counts the members: %v", c)
	}
	if c := counts(sens(GridB1)); c[wangge.GroupFloating] != 1 || c[wangge.GroupDisabled] != 1 {
		t.Errorf("new grid does not count the members: %v", c)
	}
	bs, _, err := e.db.ListBuildings(ctx, all, wangge.BuildingFilter{})
	ok(t, err)
	for _, b := range bs {
		switch b.ID {
		case f.BA1.ID:
			if b.Households != 1 || b.Persons != 0 {
				t.Errorf("old building counts %d households %d persons", b.Households, b.Persons)
			}
		case f.BB1.ID:
			if b.Households != 2 || b.Persons != 3 {
				t.Errorf("new building counts %d households %d persons", b.Households, b.Persons)
			}
		}
	}
}

func testBuildingMove(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	all := wangge.ScopeAll()
	m := e.membership(f.PA1.ID, wangge.GroupFloating, floatingAttrs)
	ok(t, e.db.SetBuildingHead(ctx, wangge.ScopeAll(), &wangge.BuildingHead{BuildingID: f.BA1.ID, PersonID: &f.PA1.ID, Name: f.PA1.Name}))
	e.area(GridA3, "东苑第三网格")
	a3, err := e.db.Area(ctx, GridA3)
	ok(t, err)
	now := time.Now().UTC()
	a3.RetiredAt = &now
	ok(t, e.db.UpdateArea(ctx, a3))
	at := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	e.db.SetClock(func() time.Time { return at })
	b, err := e.db.Building(ctx, all, f.BA1.ID)
	ok(t, err)

	wantField(t, e.db.MoveBuilding(ctx, wangge.ScopeAll(), b.ID, b.Version, GridB1, ""), "reason", "MoveBuilding without reason")
	wantField(t, e.db.MoveBuilding(ctx, wangge.ScopeAll(), b.ID, b.Version, GridA1, "原地"), "to_grid", "MoveBuilding into its own grid")
	wantField(t, e.db.MoveBuilding(ctx, wangge.ScopeAll(), b.ID, b.Version, GridA3, "退役"), "to_grid", "MoveBuilding into a retired grid")
	wantField(t, e.db.MoveBuilding(ctx, wangge.ScopeAll(), b.ID, b.Version, CommunityB, "社区"), "to_grid", "MoveBuilding into a community")
	wantCode(t, e.db.MoveBuilding(ctx, wangge.ScopeAll(), 999999, 1, GridB1, "无楼"), wangge.ENotFound, "MoveBuilding of a missing building")

	ok(t, e.db.MoveBuilding(ctx, wangge.ScopeAll(), b.ID, b.Version, GridB1, "网格调整"))
	got, err := e.db.Building(ctx, wangge.ScopeOf(GridB1), b.ID)
	ok(t, err, "the building in its new grid")
	if got.GridCode != GridB1 || got.Seq != 2 || got.Version != b.Version+1 || got.Code() != GridB1+"00002" {
		t.Errorf("after the move: grid %s seq %d version %d; want %s, seq 2 (next in B1)", got.GridCode, got.Seq, got.Version, GridB1)
	}
	_, err = e.db.Building(ctx, wangge.ScopeOf(GridA1), b.ID)
	wantCode(t, err, wangge.ENotFound, "the building in its old grid")
	moves, err := e.db.BuildingMoves(ctx, wangge.ScopeOf(GridB1), b.ID)
	ok(t, err)
	if len(moves) != 1 {
		t.Fatalf("building moves %+v", moves)
	}
	wantMove(t, moves[0], b.ID, 0, 0, GridA1, GridB1, "网格调整", at)
	_, err = e.db.BuildingMoves(ctx, wangge.ScopeOf(GridA1), b.ID)
	wantCode(t, err, wangge.ENotFound, "BuildingMoves from the old grid")

	for _, id := range []int64{f.HA1.ID, f.HA1b.ID} {
		h, err := e.db.Household(ctx, wangge.ScopeOf(GridB1), id)
		ok(t, err, "household of the moved building")
		if h.GridCode != GridB1 || h.BuildingID != b.ID {
			t.Errorf("household %d: %+v", id, h)
		}
		_, err = e.db.Household(ctx, wangge.ScopeOf(GridA1), id)
		wantCode(t, err, wangge.ENotFound, "household in the old grid")
	}
	for _, id := range []int64{f.PA1.ID, f.PA1b.ID} {
		if e.personVisible(wangge.ScopeOf(GridA1), id) || !e.personVisible(wangge.ScopeOf(GridB1), id) {
			t.Errorf("person %d did not follow the building", id)
		}
	}
	_, err = e.db.Membership(ctx, wangge.ScopeOf(GridA1), m.ID)
	wantCode(t, err, wangge.ENotFound, "membership in the old grid")
	_, err = e.db.Membership(ctx, wangge.ScopeOf(GridB1), m.ID)
	ok(t, err, "membership in the new grid")
	hs, err := e.db.BuildingHeads(ctx, wangge.ScopeOf(GridB1), b.ID)
	ok(t, err)
	if len(hs) != 1 || hs[0].GridCode != GridB1 {
		t.Errorf("heads after the move %+v", hs)
	}
	if hs, _ := e.db.BuildingHeads(ctx, wangge.ScopeOf(GridA1), b.ID); len(hs) != 0 {
		t.Errorf("heads still visible from the old grid: %+v", hs)
	}
	st, err := e.db.Stats(ctx, wangge.ScopeOf(GridA1))
	ok(t, err)
	if st.Buildings != 0 || st.Households != 0 || st.Persons != 0 || st.Memberships != 0 {
		t.Errorf("the old grid still counts %+v", st)
	}
	st, err = e.db.Stats(ctx, wangge.ScopeOf(GridB1))
	ok(t, err)
	if st.Buildings != 2 || st.Households != 3 || st.Persons != 3 || st.Memberships-e.ageMembers(t, wangge.ScopeOf(GridB1)) != 1 {
		t.Errorf("the new grid counts %+v", st)
	}
	if a := e.lastAudit(); a.Action != "building.move" || a.ObjectID != itoa(b.ID) || a.GridCode != GridB1 {
		t.Errorf("audit entry %+v", a)
	}
}

func testSeqNeverReused(t *testing.T, e *env) {
	ctx := e.ctx
	e.fixture()
	e.area(GridA3, "东苑第三网格")
	b1 := e.building(GridA3, "一号")
	b2 := e.building(GridA3, "二号")
	if b1.Seq != 1 || b2.Seq != 2 {
		t.Fatalf("seqs %d, %d; want 1, 2", b1.Seq, b2.Seq)
	}
	ok(t, e.db.MoveBuilding(ctx, wangge.ScopeAll(), b2.ID, b2.Version, GridB1, "调出"))
	b3 := e.building(GridA3, "三号")
	if b3.Seq != 3 {
		t.Errorf("after moving seq 2 away the next building got seq %d, want 3", b3.Seq)
	}
	ok(t, e.db.DeleteBuilding(ctx, wangge.ScopeAll(), b3.ID, b3.Version))
	b4 := e.building(GridA3, "四号")
	if b4.Seq != 4 {
		t.Errorf("after deleting seq 3 the next building got seq %d, want 4", b4.Seq)
	}
	got, err := e.db.Building(ctx, wangge.ScopeAll(), b2.ID)
	ok(t, err)
	ok(t, e.db.MoveBuilding(ctx, wangge.ScopeAll(), b2.ID, got.Version, GridA3, "调回"))
	got, err = e.db.Building(ctx, wangge.ScopeAll(), b2.ID)
	ok(t, err)
	if got.Seq != 5 {
		t.Errorf("moved back it got seq %d, want a fresh 5", got.Seq)
	}
	moves, err := e.db.BuildingMoves(ctx, wangge.ScopeAll(), b2.ID)
	ok(t, err)
	if len(moves) != 2 || moves[0].ToGrid != GridB1 || moves[1].ToGrid != GridA3 || moves[1].FromGrid != GridB1 {
		t.Errorf("moves %+v", moves)
	}
}
