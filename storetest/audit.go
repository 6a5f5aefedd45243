package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

var auditTests = []test{
	{"EveryChangeAppendsOneAuditEntry", testEveryChangeAudited},
	{"AuditChainHoldsAfterAMixedWorkload", testAuditChainHolds},
	{"VerifyAuditNamesTheFirstTamperedEntry", testAuditTamper},
	{"ListAuditActionPrefixIsCaseSensitive", testAuditCase},
}

func testEveryChangeAudited(t *testing.T, e *env) {
	ctx := e.ctx
	all := wangge.ScopeAll()
	var b, b2 *wangge.Building
	var h, h2 *wangge.Household
	var p *wangge.Person
	var u *wangge.Unit
	var as *wangge.Assistant
	var m *wangge.Membership
	var svc *wangge.Service
	var usr *wangge.User
	var v *wangge.Visit
	steps := []struct {
		action, object string
		grid           func() string // the grid the entry names
		id             func() string // the object id the entry names
		do             func() error
	}{
		{"area.create", "area", func() string { return District }, func() string { return District }, func() error {
			return e.db.CreateArea(ctx, &wangge.Area{Code: District, Name: "示范城区"})
		}},
		{"area.update", "area", func() string { return District }, func() string { return District }, func() error {
			a, err := e.db.Area(ctx, District)
			ok(t, err, "read back")
			a.Phone = "0355-2020000"
			return e.db.UpdateArea(ctx, a)
		}},
		{"", "", nil, nil, func() error {
			// The rest of the fixture, entry by entry, is checked elsewhere.
			for _, c := range []struct{ code, name string }{{Subdistrict, "示范街道"}, {CommunityA, "东苑社区"}, {CommunityB, "西苑社区"},
				{GridA1, "东苑第一网格"}, {GridA2, "东苑第二网格"}, {GridB1, "西苑第一网格"}} {
				if err := e.db.CreateArea(ctx, &wangge.Area{Code: c.code, Name: c.name}); err != nil {
					return err
				}
			}
			return nil
		}},
		{"building.create", "building", func() string { return GridA1 }, func() string { return itoa(b.ID) }, func() error {
			b = &wangge.Building{GridCode: GridA1, Name: "东苑1号楼", Kind: wangge.BuildingTower}
			return e.db.CreateBuilding(ctx, wangge.ScopeAll(), b)
		}},
		{"building.update", "building", func() string { return GridA1 }, func() string { return itoa(b.ID) }, func() error {
			b.Floors = 7
			return e.db.UpdateBuilding(ctx, wangge.ScopeAll(), b)
		}},
		{"building.head", "building", func() string { return GridA1 }, func() string { return itoa(b.ID) }, func() error {
			return e.db.SetBuildingHead(ctx, wangge.ScopeAll(), &wangge.BuildingHead{BuildingID: b.ID, Name: "楼长"})
		}},
		{"household.create", "household", func() string { return GridA1 }, func() string { return itoa(h.ID) }, func() error {
			h = &wangge.Household{BuildingID: b.ID, Room: "101", Kind: wangge.ResidentRegistered}
			return e.db.CreateHousehold(ctx, wangge.ScopeAll(), h)
		}},
		{"household.update", "household", func() string { return GridA1 }, func() string { return itoa(h.ID) }, func() error {
			h.Note = "备注"
			return e.db.UpdateHousehold(ctx, wangge.ScopeAll(), h)
		}},
		{"person.create", "person", func() string { return GridA1 }, func() string { return itoa(p.ID) }, func() error {
			p = &wangge.Person{HouseholdID: h.ID, Name: "测试甲", IDNumber: e.newID(ident.SexMale)}
			return e.db.CreatePerson(ctx, wangge.ScopeAll(), p)
		}},
		{"person.update", "person", func() string { return GridA1 }, func() string { return itoa(p.ID) }, func() error {
			p.Note = "备注"
			return e.db.UpdatePerson(ctx, wangge.ScopeAll(), p)
		}},
		{"person.reveal", "person", func() string { return GridA1 }, func() string { return itoa(p.ID) }, func() error {
			_, err := e.db.RevealPerson(ctx, all, p.ID, "核对")
			return err
		}},
		{"unit.create", "unit", func() string { return GridA1 }, func() string { return itoa(u.ID) }, func() error {
			u = &wangge.Unit{GridCode: GridA1, Name: "商店", Kind: wangge.UnitIndividual}
			return e.db.CreateUnit(ctx, wangge.ScopeAll(), u)
		}},
		{"unit.update", "unit", func() string { return GridA2 }, func() string { return itoa(u.ID) }, func() error {
			u.GridCode = GridA2
			return e.db.UpdateUnit(ctx, wangge.ScopeAll(), u)
		}},
		{"assistant.create", "assistant", func() string { return "" }, func() string { return itoa(as.ID) }, func() error {
			as = &wangge.Assistant{Name: "协理员", Active: true}
			return e.db.CreateAssistant(ctx, as)
		}},
		{"assistant.update", "assistant", func() string { return "" }, func() string { return itoa(as.ID) }, func() error {
			as.WorkPhone = "0355-2021111"
			return e.db.UpdateAssistant(ctx, as)
		}},
		{"assistant.assign", "assistant", func() string { return GridA1 }, func() string { return itoa(as.ID) }, func() error {
			return e.db.AssignAssistant(ctx, as.ID, GridA1, time.Time{}, "")
		}},
		{"keygroup.join", "membership", func() string { return GridA1 }, func() string { return itoa(m.ID) }, func() error {
			m = &wangge.Membership{PersonID: p.ID, Group: wangge.GroupElderly, Attrs: elderlyAttrs}
			return e.db.CreateMembership(ctx, wangge.ScopeAll(), m)
		}},
		{"keygroup.update", "membership", func() string { return GridA1 }, func() string { return itoa(m.ID) }, func() error {
			m.Note = "备注"
			return e.db.UpdateMembership(ctx, wangge.ScopeAll(), m)
		}},
		{"keygroup.leave", "membership", func() string { return GridA1 }, func() string { return itoa(m.ID) }, func() error {
			return e.db.EndMembership(ctx, wangge.ScopeAll(), m.ID, m.Version, time.Now().UTC())
		}},
		{"visit.create", "visit", func() string { return GridA1 }, func() string { return itoa(v.ID) }, func() error {
			v = &wangge.Visit{AssistantID: as.ID, HouseholdID: &h.ID, At: time.Now().Add(-time.Hour)}
			return e.db.CreateVisit(ctx, wangge.ScopeAll(), v)
		}},
		{"service.create", "service", func() string { return "" }, func() string { return itoa(svc.ID) }, func() error {
			svc = &wangge.Service{Code: "S900", Name: "服务", Line: wangge.LineCivil, Active: true}
			return e.db.CreateService(ctx, svc)
		}},
		{"service.update", "service", func() string { return "" }, func() string { return itoa(svc.ID) }, func() error {
			svc.Active = false
			return e.db.UpdateService(ctx, svc)
		}},
		{"user.create", "user", func() string { return CommunityA }, func() string { return itoa(usr.ID) }, func() error {
			usr = &wangge.User{Username: "staff", Role: wangge.RoleCommunityStaff, ScopeCode: CommunityA, PasswordHash: "x"}
			return e.db.CreateUser(ctx, usr)
		}},
		{"user.update", "user", func() string { return CommunityA }, func() string { return itoa(usr.ID) }, func() error {
			usr.Disabled = true
			return e.db.UpdateUser(ctx, usr)
		}},
		{"", "", nil, nil, func() error {
			b2 = &wangge.Building{GridCode: GridB1, Name: "西苑楼", Kind: wangge.BuildingTower}
			if err := e.db.CreateBuilding(ctx, wangge.ScopeAll(), b2); err != nil {
				return err
			}
			h2 = &wangge.Household{BuildingID: b2.ID, Room: "201", Kind: wangge.ResidentRegistered}
			return e.db.CreateHousehold(ctx, wangge.ScopeAll(), h2)
		}},
		{"person.move", "person", func() string { return GridB1 }, func() string { return itoa(p.ID) }, func() error {
			return e.db.MovePerson(ctx, wangge.ScopeAll(), p.ID, p.Version, h2.ID, "搬家")
		}},
		{"household.move", "household", func() string { return GridB1 }, func() string { return itoa(h.ID) }, func() error {
			return e.db.MoveHousehold(ctx, wangge.ScopeAll(), h.ID, h.Version, b2.ID, "搬家")
		}},
		{"building.move", "building", func() string { return GridA2 }, func() string { return itoa(b.ID) }, func() error {
			return e.db.MoveBuilding(ctx, wangge.ScopeAll(), b.ID, b.Version, GridA2, "调整")
		}},
		{"person.delete", "person", func() string { return GridB1 }, func() string { return itoa(p.ID) }, func() error {
			x, err := e.db.Person(ctx, all, p.ID)
			ok(t, err, "read back")
			return e.db.DeletePerson(ctx, wangge.ScopeAll(), p.ID, x.Version, "注销")
		}},
		{"household.delete", "household", func() string { return GridB1 }, func() string { return itoa(h.ID) }, func() error {
			x, err := e.db.Household(ctx, all, h.ID)
			ok(t, err, "read back")
			return e.db.DeleteHousehold(ctx, wangge.ScopeAll(), h.ID, x.Version)
		}},
		{"unit.delete", "unit", func() string { return GridA2 }, func() string { return itoa(u.ID) }, func() error {
			return e.db.DeleteUnit(ctx, wangge.ScopeAll(), u.ID, u.Version)
		}},
		{"building.delete", "building", func() string { return GridA2 }, func() string { return itoa(b.ID) }, func() error {
			x, err := e.db.Building(ctx, all, b.ID)
			ok(t, err, "read back")
			return e.db.DeleteBuilding(ctx, wangge.ScopeAll(), b.ID, x.Version)
		}},
		{"area.delete", "area", func() string { return GridA2 }, func() string { return GridA2 }, func() error {
			a, err := e.db.Area(ctx, GridA2)
			ok(t, err, "read back")
			return e.db.DeleteArea(ctx, GridA2, a.Version)
		}},
		{"login.ok", "user", func() string { return "" }, func() string { return "staff" }, func() error {
			return e.db.Audit(ctx, &wangge.AuditEntry{Action: "login.ok", Object: "user", ObjectID: "staff"})
		}},
	}
	for _, s := range steps {
		before := e.auditCount()
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.action, err)
		}
		if s.action == "" {
			continue
		}
		after := e.auditCount()
		if after != before+1 {
			t.Errorf("%s appended %d entries, want 1", s.action, after-before)
			continue
		}
		a := e.lastAudit()
		if a.Action != s.action || a.Object != s.object || a.ObjectID != s.id() || a.GridCode != s.grid() ||
			a.Username != Actor.Username || a.UserID != Actor.UserID || a.Role != Actor.Role || a.Addr != Actor.Addr || a.Seq != int64(after) {
			t.Errorf("%s: entry %+v\nwant object %s id %s grid %s by %+v", s.action, a, s.object, s.id(), s.grid(), Actor)
		}
	}

	// Refused changes append nothing.
	before := e.auditCount()
	wantCode(t, e.db.UpdateArea(ctx, &wangge.Area{Code: District, Name: "旧", Version: 1}), wangge.EConflict, "stale UpdateArea")
	wantCode(t, e.db.DeleteArea(ctx, District, 99), wangge.EConflict, "DeleteArea of the district")
	wantField(t, e.db.CreateArea(ctx, &wangge.Area{Code: "1", Name: "坏"}), "code", "bad area")
	_, err := e.db.RevealPerson(ctx, all, 999999, "核对")
	wantCode(t, err, wangge.ENotFound, "reveal of a missing person")
	if n := e.auditCount(); n != before {
		t.Errorf("refused changes appended %d entries", n-before)
	}
	e.verifyAudit()
}

// workload does a little of everything, some of it concurrently.
func (e *env) workload(t *testing.T) {
	ctx := e.ctx
	f := e.fixture()
	all := wangge.ScopeAll()
	e.unit(GridA1, "东苑超市")
	as := e.assistant("协理员甲")
	ok(t, e.db.AssignAssistant(ctx, as.ID, GridA1, time.Time{}, ""))
	m := e.membership(f.PA1.ID, wangge.GroupElderly, elderlyAttrs)
	ok(t, e.db.EndMembership(ctx, wangge.ScopeAll(), m.ID, m.Version, time.Now().UTC()))
	ok(t, e.db.MovePerson(ctx, wangge.ScopeAll(), f.PA2.ID, f.PA2.Version, f.HB1.ID, "搬家"))
	ok(t, e.db.MoveHousehold(ctx, wangge.ScopeAll(), f.HA1b.ID, f.HA1b.Version, f.BA2.ID, "搬家"))
	_, err := e.db.RevealPerson(ctx, all, f.PA1.ID, "核对")
	ok(t, err)
	ok(t, e.db.Audit(ctx, &wangge.AuditEntry{Username: "visitor", Action: "login.fail", Object: "user", ObjectID: "visitor"}))
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := &wangge.Building{GridCode: GridB1, Name: fmt.Sprintf("并发楼%d", i), Kind: wangge.BuildingTower}
			if err := e.db.CreateBuilding(ctx, wangge.ScopeAll(), b); err != nil {
				t.Errorf("concurrent CreateBuilding: %v", err)
			}
			p, err := e.db.Person(ctx, all, f.PB1.ID)
			if err != nil {
				t.Errorf("Person: %v", err)
				return
			}
			p.Note = fmt.Sprint(i)
			if err := e.db.UpdatePerson(ctx, wangge.ScopeAll(), p); err != nil && wangge.ErrorCode(err) != wangge.EConflict {
				t.Errorf("concurrent UpdatePerson: %v", err)
			}
		}()
	}
	wg.Wait()
}

func testAuditChainHolds(t *testing.T, e *env) {
	e.workload(t)
	bad, checked, err := e.db.VerifyAudit(e.ctx)
	ok(t, err)
	if bad != 0 || checked < 30 {
		t.Errorf("VerifyAudit = bad %d, checked %d; want 0 and the whole log", bad, checked)
	}
	e.verifyAudit()
	// The chain links each entry to the one before.
	es, n, err := e.db.ListAudit(e.ctx, wangge.AuditFilter{Page: wangge.Page{Limit: wangge.MaxPageLimit}})
	ok(t, err)
	for i := 0; i+1 < len(es); i++ {
		if string(es[i].PrevHash) != string(es[i+1].Hash) || es[i].Seq != es[i+1].Seq+1 {
			t.Fatalf("entries %d and %d do not link", es[i+1].Seq, es[i].Seq)
		}
		c := es[i]
		if string(c.ComputeHash()) != string(c.Hash) {
			t.Fatalf("entry %d does not hash to its stored hash", c.Seq)
		}
	}
	if int64(n) != checked {
		t.Errorf("ListAudit total %d, VerifyAudit checked %d", n, checked)
	}
}

func testAuditTamper(t *testing.T, e *env) {
	// Each tampering gets its own database.
	prepare := func(t *testing.T) (*env, int) {
		x := e.fresh(t)
		x.fixture()
		n := x.auditCount()
		if n < 10 {
			t.Fatalf("only %d entries", n)
		}
		x.verifyAudit()
		return x, n
	}
	wantBad := func(t *testing.T, x *env, want int64) {
		t.Helper()
		bad, _, err := x.db.VerifyAudit(x.ctx)
		ok(t, err)
		if bad != want {
			t.Errorf("VerifyAudit names entry %d, want %d", bad, want)
		}
	}
	t.Run("EditAField", func(t *testing.T) {
		x, _ := prepare(t)
		x.exec(`UPDATE audit_log SET detail = ? WHERE seq = 5`, `{"name":"改过"}`)
		wantBad(t, x, 5)
	})
	t.Run("EditTheActor", func(t *testing.T) {
		x, _ := prepare(t)
		x.exec(`UPDATE audit_log SET username = 'someone' WHERE seq = 3`)
		wantBad(t, x, 3)
	})
	t.Run("EditAndRehash", func(t *testing.T) {
		// Whoever recomputes the edited entry's hash breaks the next link.
		x, _ := prepare(t)
		es, _, err := x.db.ListAudit(x.ctx, wangge.AuditFilter{Page: wangge.Page{Limit: wangge.MaxPageLimit}})
		ok(t, err)
		var c wangge.AuditEntry
		for _, a := range es {
			if a.Seq == 4 {
				c = a
			}
		}
		c.Detail = `{"name":"改过"}`
		x.exec(`UPDATE audit_log SET detail = ?, hash = ? WHERE seq = 4`, c.Detail, c.ComputeHash())
		wantBad(t, x, 5)
	})
	t.Run("DeleteAMiddleEntry", func(t *testing.T) {
		x, _ := prepare(t)
		x.exec(`DELETE FROM audit_log WHERE seq = 6`)
		wantBad(t, x, 6)
	})
	t.Run("DeleteTheFirstEntry", func(t *testing.T) {
		x, _ := prepare(t)
		x.exec(`DELETE FROM audit_log WHERE seq = 1`)
		wantBad(t, x, 1)
	})
	t.Run("SwapTwoEntries", func(t *testing.T) {
		x, _ := prepare(t)
		cols := "at, user_id, username, role, addr, action, object, object_id, grid_code, detail, prev_hash, hash"
		read := func(seq int) []any {
			rows, err := x.db.Reader().QueryContext(x.ctx, x.rebind(`SELECT `+cols+` FROM audit_log WHERE seq = ?`), seq)
			ok(t, err)
			defer rows.Close()
			if !rows.Next() {
				t.Fatalf("no entry %d", seq)
			}
			vals := make([]any, 12)
			ptrs := make([]any, 12)
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			ok(t, rows.Scan(ptrs...))
			return vals
		}
		a, b := read(3), read(7)
		set := "at = ?, user_id = ?, username = ?, role = ?, addr = ?, action = ?, object = ?, object_id = ?, grid_code = ?, detail = ?, prev_hash = ?, hash = ?"
		x.exec(`UPDATE audit_log SET `+set+` WHERE seq = ?`, append(b, 3)...)
		x.exec(`UPDATE audit_log SET `+set+` WHERE seq = ?`, append(a, 7)...)
		wantBad(t, x, 3)
	})
	t.Run("DeleteTheLastEntry", func(t *testing.T) {
		x, n := prepare(t)
		x.exec(`DELETE FROM audit_log WHERE seq = ?`, n)
		wantBad(t, x, int64(n))
	})
	t.Run("DeleteTheLastEntries", func(t *testing.T) {
		x, n := prepare(t)
		x.exec(`DELETE FROM audit_log WHERE seq > ?`, n-3)
		wantBad(t, x, int64(n-2))
	})
	t.Run("AppendsContinueAfterAnIntactCheck", func(t *testing.T) {
		x, _ := prepare(t)
		x.area(GridA3, "东苑第三网格")
		x.verifyAudit()
	})
}

func testAuditCase(t *testing.T, e *env) {
	e.area(District, "示范城区")
	ok(t, e.db.Audit(e.ctx, &wangge.AuditEntry{Action: "login.fail", Object: "user", ObjectID: "visitor"}))
	for _, q := range []string{"AREA.", "Login."} {
		es, n, err := e.db.ListAudit(e.ctx, wangge.AuditFilter{Action: q})
		ok(t, err)
		if n != 0 || len(es) != 0 {
			t.Errorf("action prefix %q found %d entries; the prefix is case-sensitive", q, n)
		}
	}
	b := e.building(GridA1Must(e), "A座")
	bs, n, err := e.db.ListBuildings(e.ctx, wangge.ScopeAll(), wangge.BuildingFilter{Query: "a座"})
	ok(t, err)
	if n != 0 || len(bs) != 0 {
		t.Errorf("building query a座 found %d (building %q); the stores must agree on case", n, b.Name)
	}
}

// GridA1Must makes the region tree down to grid A1 and returns its code.
func GridA1Must(e *env) string {
	for _, c := range []struct{ code, name string }{{Subdistrict, "示范街道"}, {CommunityA, "东苑社区"}, {GridA1, "东苑第一网格"}} {
		e.area(c.code, c.name)
	}
	return GridA1
}
