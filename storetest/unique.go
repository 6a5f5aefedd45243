package storetest

import (
	"strings"
	"testing"

	"github.com/wangge/wangge"
)

var uniqueTests = []test{
	{"SecondPersonWithAnIDNumberIsConflict", testDuplicateID},
	{"UpdatePersonToATakenIDNumberIsConflict", testUpdateToTakenID},
	{"CreditCodesAreUniqueAcrossUnits", testDuplicateCreditCode},
	{"UpdateUnitToATakenCreditCodeIsConflict", testUpdateToTakenCreditCode},
	{"UsernamesAreUnique", testDuplicateUsername},
}

func wantConflictOn(t *testing.T, err error, field string, what ...any) {
	t.Helper()
	we := wantCode(t, err, wangge.EConflict, what...)
	if we == nil {
		return
	}
	if we.Field != field {
		t.Errorf("%v: conflict names field %q, want %q (%v)", what, we.Field, field, err)
	}
	if zh, en := wangge.ErrorZh(err), wangge.ErrorMessage(err); zh == "" || en == "" || zh == we.Key || en == we.Key {
		t.Errorf("%v: conflict without texts: %+v", what, we)
	}
}

func testDuplicateID(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	id := e.newIDWithX()
	p := &wangge.Person{HouseholdID: f.HA1b.ID, Name: "测试丁一", IDNumber: id}
	ok(t, e.db.CreatePerson(ctx, wangge.ScopeAll(), p))
	before := e.auditCount()
	for _, c := range []struct{ how, number string }{
		{"as typed", id},
		{"with a lower-case x", strings.ToLower(id)},
		{"in full-width characters", fullWidth(id)},
		{"in full-width with a lower-case x", fullWidth(strings.ToLower(id))},
		{"with spaces around", "  " + id + "\u3000"},
	} {
		q := &wangge.Person{HouseholdID: f.HB1.ID, Name: "测试丁二", IDNumber: c.number}
		wantConflictOn(t, e.db.CreatePerson(ctx, wangge.ScopeAll(), q), "id_number", "a second person with the number ", c.how)
	}
	if n := e.auditCount(); n != before {
		t.Errorf("refused creates appended %d audit entries", n-before)
	}
	ps, n, err := e.db.ListPersons(ctx, wangge.ScopeAll(), wangge.PersonFilter{IDNumber: id})
	ok(t, err)
	if n != 1 || len(ps) != 1 || ps[0].ID != p.ID {
		t.Errorf("persons with the number: %v", ids(ps, func(p wangge.Person) int64 { return p.ID }))
	}
	// Once the holder is deleted the number is free again.
	got, err := e.db.Person(ctx, wangge.ScopeAll(), p.ID)
	ok(t, err)
	ok(t, e.db.DeletePerson(ctx, wangge.ScopeAll(), got.ID, got.Version, "录入错误"))
	ok(t, e.db.CreatePerson(ctx, wangge.ScopeAll(), &wangge.Person{HouseholdID: f.HB1.ID, Name: "测试丁二", IDNumber: strings.ToLower(id)}))
}

func testUpdateToTakenID(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	taken := f.IDNumber[f.PA1.ID]
	p, err := e.db.Person(ctx, wangge.ScopeAll(), f.PA2.ID)
	ok(t, err)
	p.IDNumber = strings.ToLower(fullWidth(taken))
	wantConflictOn(t, e.db.UpdatePerson(ctx, wangge.ScopeAll(), p), "id_number", "UpdatePerson to a taken number")
	r, err := e.db.RevealPerson(ctx, wangge.ScopeAll(), f.PA2.ID, "核对")
	ok(t, err)
	if r.IDNumber != f.IDNumber[f.PA2.ID] || r.Version != 1 {
		t.Errorf("the refused update changed the person: %s version %d", r.IDNumber, r.Version)
	}
}

func testDuplicateCreditCode(t *testing.T, e *env) {
	ctx := e.ctx
	e.fixture()
	code := e.newCreditCode()
	u := &wangge.Unit{GridCode: GridA1, Name: "东苑公司", CreditCode: code, Kind: wangge.UnitEnterprise}
	ok(t, e.db.CreateUnit(ctx, wangge.ScopeAll(), u))
	for _, c := range []struct{ how, code string }{
		{"as typed", code},
		{"in lower case", strings.ToLower(code)},
		{"in full width", fullWidth(code)},
	} {
		dup := &wangge.Unit{GridCode: GridB1, Name: "西苑公司", CreditCode: c.code, Kind: wangge.UnitEnterprise}
		wantConflictOn(t, e.db.CreateUnit(ctx, wangge.ScopeAll(), dup), "credit_code", "a second unit in another grid with the code ", c.how)
	}
	// Units without a code do not collide.
	e.unit(GridA1, "个体户甲")
	e.unit(GridA1, "个体户乙")
	us, n, err := e.db.ListUnits(ctx, wangge.ScopeAll(), wangge.UnitFilter{})
	ok(t, err)
	if n != 3 || len(us) != 3 {
		t.Errorf("units %d, want 3", n)
	}
}

func testUpdateToTakenCreditCode(t *testing.T, e *env) {
	ctx := e.ctx
	e.fixture()
	code := e.newCreditCode()
	ok(t, e.db.CreateUnit(ctx, wangge.ScopeAll(), &wangge.Unit{GridCode: GridA1, Name: "东苑公司", CreditCode: code, Kind: wangge.UnitEnterprise}))
	other := e.unit(GridB1, "西苑公司")
	other.CreditCode = strings.ToLower(code)
	wantConflictOn(t, e.db.UpdateUnit(ctx, wangge.ScopeAll(), other), "credit_code", "UpdateUnit to a taken code")
}

func testDuplicateUsername(t *testing.T, e *env) {
	ctx := e.ctx
	e.user("zhang.san", wangge.RoleCommunityStaff, CommunityA)
	dup := &wangge.User{Username: "zhang.san", Role: wangge.RoleAuditor, ScopeCode: District, PasswordHash: "x"}
	wantConflictOn(t, e.db.CreateUser(ctx, dup), "username", "a second user with the name")
	upper := &wangge.User{Username: "Zhang.San", Role: wangge.RoleAuditor, ScopeCode: District, PasswordHash: "x"}
	wantField(t, e.db.CreateUser(ctx, upper), "username", "a username in upper case")
	_, n, err := e.db.ListUsers(ctx, wangge.ScopeAll(), wangge.Page{})
	ok(t, err)
	if n != 1 {
		t.Errorf("users %d, want 1", n)
	}
}
