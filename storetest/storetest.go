// Package storetest is the conformance suite every store must pass: one body
// of tests, run through the real SQL against each database (the sqlite and
// postgres packages call Run from their tests), in the manner of gitea's
// one-suite-all-databases tests. Nothing here is mocked.
//
// Each test gets a fresh, empty, migrated database from the Opener, so tests
// never see each other's rows and may count exactly.
package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/sqldb"
)

// Opener opens a fresh, empty, migrated store with a key set (UseKey called)
// and arranges for it to be closed and removed when t ends. It is called
// once per test (and per subtest that needs its own database).
//
// reopen opens a second store on the same database with the same key, as a
// second process would; it too is closed when its t ends. The suite uses it
// to check what another opener of the same data sees, such as a different
// key being refused.
type Opener func(t *testing.T) (db *sqldb.DB, reopen func(t *testing.T) *sqldb.DB)

// Region codes of the fixture: one district and sub-district, two
// communities, three grids (two in community A, one in community B).
const (
	District    = "140499"
	Subdistrict = "140499001"
	CommunityA  = "140499001001"
	CommunityB  = "140499001002"
	GridA1      = "140499001001001"
	GridA2      = "140499001001002"
	GridB1      = "140499001002001"
	// GridA3 is a valid grid code the fixture does not create.
	GridA3 = "140499001001003"
)

// Actor is who the suite acts as.
var Actor = wangge.Actor{UserID: 1, Username: "tester", Role: wangge.RoleDistrictAdmin, Addr: "127.0.0.1"}

// Ctx returns a context carrying the suite's actor.
func Ctx() context.Context { return wangge.WithActor(context.Background(), Actor) }

type test struct {
	name string
	fn   func(t *testing.T, e *env)
}

// Run runs the whole suite against the store open returns.
func Run(t *testing.T, open Opener) {
	groups := [][]test{
		crudTests,
		concurrencyTests,
		moveTests,
		uniqueTests,
		cascadeTests,
		scopeTests,
		piiTests,
		rotateTests,
		validationTests,
		auditTests,
		chainTests,
		loginTests,
		timeTests,
		bulkTests,
		roleTests,
		boundaryTests,
		redrawTests,
		importTests,
		importJobTests,
		ledgerTests,
		ageGroupTests,
		reportTests,
		writeScopeTests,
		addressTests,
		changeTests,
		caseTests,
		caseRevealTests,
		caseSettingsTests,
		caseBulkTests,
		caseBoardTests,
		caseSweepTests,
		caseBuildingTests,
		meetingTests,
		workbenchTests,
		intakeTests,
		heldTests,
		outboxTests,
		apiKeyTests,
	}
	for _, g := range groups {
		for _, tc := range g {
			t.Run(tc.name, func(t *testing.T) {
				tc.fn(t, newEnv(t, open))
			})
		}
	}
}

// env is one test's database and the helpers that act on it.
type env struct {
	t      *testing.T
	ctx    context.Context
	db     *sqldb.DB
	reopen func(t *testing.T) *sqldb.DB
	open   Opener
	n      int // counter for synthetic ID numbers, phones and names
}

func newEnv(t *testing.T, open Opener) *env {
	t.Helper()
	db, reopen := open(t)
	return &env{t: t, ctx: Ctx(), db: db, reopen: reopen, open: open}
}

// fresh returns an env on a new database for the subtest t.
func (e *env) fresh(t *testing.T) *env { return newEnv(t, e.open) }

// ok fails the test at once on an error.
func ok(t testing.TB, err error, what ...any) {
	t.Helper()
	if err != nil {
		if len(what) > 0 {
			t.Fatalf("%s: unexpected error: %v", fmt.Sprint(what...), err)
		}
		t.Fatalf("unexpected error: %v", err)
	}
}

// wantCode checks that err is a *wangge.Error with the code.
func wantCode(t testing.TB, err error, code string, what ...any) *wangge.Error {
	t.Helper()
	label := ""
	if len(what) > 0 {
		label = fmt.Sprint(what...) + ": "
	}
	if err == nil {
		t.Errorf("%sgot no error, want %s", label, code)
		return nil
	}
	var we *wangge.Error
	if !errors.As(err, &we) {
		t.Errorf("%sgot %T %v, want a *wangge.Error with code %s", label, err, err, code)
		return nil
	}
	if we.Code != code {
		t.Errorf("%sgot code %s (%v), want %s", label, we.Code, err, code)
	}
	return we
}

// wantField checks that err is an EInvalid *wangge.Error naming field, with
// both texts.
func wantField(t testing.TB, err error, field string, what ...any) {
	t.Helper()
	we := wantCode(t, err, wangge.EInvalid, what...)
	if we == nil {
		return
	}
	if we.Field != field {
		t.Errorf("%v: field %q, want %q (%v)", fmt.Sprint(what...), we.Field, field, err)
	}
	// Both texts, from the message catalogue or the error itself, and not
	// the bare key of a message the catalogue lacks.
	if zh, en := wangge.ErrorZh(err), wangge.ErrorMessage(err); zh == "" || en == "" || we.Key != "" && (zh == we.Key || en == we.Key) {
		t.Errorf("%v: want both a Chinese and an English text, got %q / %q", fmt.Sprint(what...), zh, en)
	}
}

// Synthetic values.

// newID returns a fresh valid ID number (synthetic region 149901).
func (e *env) newID(sex ident.Sex) string {
	e.n++
	birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, e.n*53)
	return string(ident.MakeID("149901", birth, e.n%100, sex))
}

// newIDWithX returns a fresh ID number whose check character is X.
func (e *env) newIDWithX() string {
	for {
		if id := e.newID(ident.SexFemale); id[17] == 'X' {
			return id
		}
	}
}

// newPhone returns a fresh mobile number.
func (e *env) newPhone() string {
	e.n++
	return fmt.Sprintf("139%08d", e.n)
}

// newCreditCode returns a fresh valid credit code.
func (e *env) newCreditCode() string {
	e.n++
	const alpha = ident.CreditAlphabet
	var b strings.Builder
	for i, v := 0, e.n; i < 9; i++ {
		b.WriteByte(alpha[v%len(alpha)])
		v /= len(alpha)
	}
	return string(ident.MakeCreditCode("91140499" + b.String()))
}

// fullWidth writes the ASCII letters and digits of s in full width.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '!' && r <= '~' {
			return r + 0xFEE0
		}
		return r
	}, s)
}

// Store shortcuts that fail the test on error.

func (e *env) area(code, name string) *wangge.Area {
	e.t.Helper()
	a := &wangge.Area{Code: code, Name: name}
	ok(e.t, e.db.CreateArea(e.ctx, a), "CreateArea ", code)
	return a
}

func (e *env) building(grid, name string) *wangge.Building {
	e.t.Helper()
	b := &wangge.Building{GridCode: grid, Name: name, Kind: wangge.BuildingTower, Address: name + "地址", Floors: 6, Entrances: 2, Lng: 113.1, Lat: 36.2}
	ok(e.t, e.db.CreateBuilding(e.ctx, wangge.ScopeAll(), b), "CreateBuilding ", name)
	return b
}

func (e *env) household(buildingID int64, room string) *wangge.Household {
	e.t.Helper()
	h := &wangge.Household{BuildingID: buildingID, Entrance: "1", Room: room, Number: "H" + room, Kind: wangge.ResidentRegistered}
	ok(e.t, e.db.CreateHousehold(e.ctx, wangge.ScopeAll(), h), "CreateHousehold ", room)
	return h
}

// person creates a person with a fresh ID number and phone and returns it
// (masked, as the store left it) with the plain values.
func (e *env) person(householdID int64, name string, rel wangge.Relation) (p *wangge.Person, id, phone string) {
	e.t.Helper()
	id, phone = e.newID(ident.SexMale), e.newPhone()
	p = &wangge.Person{HouseholdID: householdID, Name: name, IDNumber: id, Phone: phone, Relation: rel, Ethnicity: "汉族", Employment: wangge.EmployEmployed}
	ok(e.t, e.db.CreatePerson(e.ctx, wangge.ScopeAll(), p), "CreatePerson ", name)
	return p, id, phone
}

func (e *env) unit(grid, name string) *wangge.Unit {
	e.t.Helper()
	u := &wangge.Unit{GridCode: grid, Name: name, Kind: wangge.UnitEnterprise, Headcount: 10, Address: name + "地址", ContactName: "联系人", ContactPhone: e.newPhone()}
	ok(e.t, e.db.CreateUnit(e.ctx, wangge.ScopeAll(), u), "CreateUnit ", name)
	return u
}

func (e *env) assistant(name string) *wangge.Assistant {
	e.t.Helper()
	a := &wangge.Assistant{Name: name, Sex: "F", WorkPhone: "0355-2021234", Phone: e.newPhone(), Active: true}
	ok(e.t, e.db.CreateAssistant(e.ctx, a), "CreateAssistant ", name)
	return a
}

func (e *env) membership(personID int64, g wangge.KeyGroup, attrs map[string]string) *wangge.Membership {
	e.t.Helper()
	m := &wangge.Membership{PersonID: personID, Group: g, Attrs: attrs, Joined: time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)}
	ok(e.t, e.db.CreateMembership(e.ctx, wangge.ScopeAll(), m), "CreateMembership ", g)
	return m
}

func (e *env) user(username string, role wangge.Role, scope string) *wangge.User {
	e.t.Helper()
	u := &wangge.User{Username: username, DisplayName: "用户" + username, Role: role, ScopeCode: scope, PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA"}
	if role == wangge.RoleDepartment {
		u.Line = wangge.LineCivil
	}
	ok(e.t, e.db.CreateUser(e.ctx, u), "CreateUser ", username)
	return u
}

// Attribute sets that satisfy each group's required attributes.
var (
	floatingAttrs = map[string]string{"origin": "河北省石家庄市", "reason": "务工经商"}
	disabledAttrs = map[string]string{"type": "肢体", "level": "三级"}
	aidAttrs      = map[string]string{"type": "城市低保", "amount": "800"}
	elderlyAttrs  = map[string]string{"living": "独居"}
	releasedAttrs = map[string]string{"released_on": "2023-06-01"}
	specialAttrs  = map[string]string{"code": "红", "reason": "独居老人"}
)

// auditCount returns the number of audit entries.
func (e *env) auditCount() int {
	e.t.Helper()
	_, n, err := e.db.ListAudit(e.ctx, wangge.AuditFilter{Page: wangge.Page{Limit: 1}})
	ok(e.t, err, "ListAudit")
	return n
}

// lastAudit returns the latest audit entry.
func (e *env) lastAudit() wangge.AuditEntry {
	e.t.Helper()
	es, _, err := e.db.ListAudit(e.ctx, wangge.AuditFilter{Page: wangge.Page{Limit: 1}})
	ok(e.t, err, "ListAudit")
	if len(es) == 0 {
		e.t.Fatal("the audit log is empty")
	}
	return es[0]
}

// verifyAudit checks the chain holds.
func (e *env) verifyAudit() {
	e.t.Helper()
	bad, checked, err := e.db.VerifyAudit(e.ctx)
	ok(e.t, err, "VerifyAudit")
	if bad != 0 {
		e.t.Errorf("VerifyAudit: first bad entry %d of %d checked, want an intact chain", bad, checked)
	}
	if n := e.auditCount(); checked != int64(n) {
		e.t.Errorf("VerifyAudit checked %d entries, the log holds %d", checked, n)
	}
}

// rebind writes ?-placeholders the way the database wants them.
func (e *env) rebind(q string) string {
	if e.db.Dialect() == "postgres" {
		return sqldb.Dollar(q)
	}
	return q
}

// exec runs a statement directly on the writer, around the store.
func (e *env) exec(q string, args ...any) sql.Result {
	e.t.Helper()
	res, err := e.db.Writer().ExecContext(e.ctx, e.rebind(q), args...)
	ok(e.t, err, q)
	return res
}

// rawRow reads one row directly through the reader, every column rendered
// as bytes (text as is, blobs as is, other values printed).
func (e *env) rawRow(q string, args ...any) map[string][]byte {
	e.t.Helper()
	rows, err := e.db.Reader().QueryContext(e.ctx, e.rebind(q), args...)
	ok(e.t, err, q)
	defer rows.Close()
	cols, err := rows.Columns()
	ok(e.t, err)
	if !rows.Next() {
		ok(e.t, rows.Err())
		e.t.Fatalf("%s %v: no row", q, args)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	ok(e.t, rows.Scan(ptrs...))
	out := map[string][]byte{}
	for i, c := range cols {
		switch v := vals[i].(type) {
		case nil:
			out[c] = nil
		case []byte:
			out[c] = append([]byte(nil), v...)
		case string:
			out[c] = []byte(v)
		default:
			out[c] = []byte(fmt.Sprint(v))
		}
	}
	return out
}

// ids returns the ids of a list, for messages and comparisons.
func ids[T any](xs []T, id func(T) int64) []int64 {
	out := make([]int64, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}

func sameIDs(got, want []int64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}
