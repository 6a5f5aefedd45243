package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/msg"
)

// importTests pin the ledger import (wangge.ImportStore) on every store:
// outcomes per row, dry runs, all-or-nothing, idempotence, empty values.
var importTests = []test{
	{"ImportPersonsAddsThenChangesNothing", testImportIdempotent},
	{"ImportDryRunWritesNothing", testImportDryRun},
	{"ImportChecksAreAuditedAndLimitedPerDay", testImportCheckLimit},
	{"ImportFailureMidwayWritesNothing", testImportAllOrNothing},
	{"ImportStrictWritesNothingWhenRejected", testImportStrict},
	{"ImportEmptyValuesKeepStored", testImportNoWipe},
	{"ImportRejectsOutsideScope", testImportScope},
	{"ImportMovesPersonBetweenHouseholds", testImportMove},
	{"ImportUnitsAndMemberships", testImportUnitsMemberships},
}

// runImport imports the rows in batches of two and returns the counts and
// each row's outcome by line.
func (e *env) runImport(s wangge.Scope, opt wangge.ImportOptions, rows ...wangge.ImportRow) (wangge.ImportCounts, map[int]wangge.ImportOutcome) {
	e.t.Helper()
	out := map[int]wangge.ImportOutcome{}
	opt.File = "测试.xlsx"
	opt.Outcome = func(r *wangge.ImportRow, o wangge.ImportOutcome) { out[r.Line] = o }
	next := func() ([]wangge.ImportRow, error) {
		if len(rows) == 0 {
			return nil, nil
		}
		b := rows[:min(2, len(rows))]
		rows = rows[len(b):]
		return append([]wangge.ImportRow(nil), b...), nil
	}
	c, err := e.db.Import(e.ctx, s, opt, next)
	ok(e.t, err, "Import")
	return c, out
}

func personRow(line int, b *wangge.Building, room, name, id string) wangge.ImportRow {
	return wangge.ImportRow{Line: line, Person: &wangge.PersonRow{BuildingCode: b.Code(), Entrance: "1", Room: room, Name: name, IDNumber: id}}
}

// state is what an import may change, to compare before and after.
func (e *env) state() string {
	e.t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT id, household_id, grid_code, name, relation, kind, party, note, version FROM persons ORDER BY id`,
		`SELECT id, building_id, entrance, room, number, kind, version FROM households ORDER BY id`,
		`SELECT id, grid_code, name, headcount, version FROM units ORDER BY id`,
		`SELECT id, person_id, grp, note, version FROM memberships ORDER BY id`,
		`SELECT COUNT(*) FROM person_moves`,
		`SELECT seq FROM audit_head`,
	} {
		rows, err := e.db.Reader().QueryContext(e.ctx, q)
		ok(e.t, err, q)
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			ok(e.t, rows.Scan(ptrs...))
			for _, v := range vals {
				if bs, isBytes := v.([]byte); isBytes {
					v = string(bs)
				}
				fmt.Fprint(&b, v, " ")
			}
			b.WriteByte('\n')
		}
		rows.Close()
	}
	return b.String()
}

func testImportIdempotent(t *testing.T, e *env) {
	f := e.fixture()
	a, b := e.newID(ident.SexMale), e.newID(ident.SexFemale)
	rows := func() []wangge.ImportRow {
		r1 := personRow(1, f.BA1, "501", "导入甲", a)
		r1.Person.HousePhone, r1.Person.Phone, r1.Person.Relation = "13800000001", "13900000001", wangge.RelHead
		r2 := personRow(2, f.BA1, "501", "导入乙", b)
		r2.Person.Relation = wangge.RelSpouse
		return []wangge.ImportRow{r1, r2}
	}
	c, out := e.runImport(wangge.ScopeAll(), wangge.ImportOptions{Kind: wangge.ImportPersons}, rows()...)
	if c.Added != 2 || c.Households != 1 || !c.Written || out[1].Status != wangge.ImportAdded {
		t.Fatalf("first import: %+v %+v", c, out)
	}
	before := e.state()
	c, _ = e.runImport(wangge.ScopeAll(), wangge.ImportOptions{Kind: wangge.ImportPersons}, rows()...)
	if c.Unchanged != 2 || c.Written || e.state() != before {
		t.Fatalf("again: %+v; changed: %v", c, e.state() != before)
	}
	ps, _, _ := e.db.ListPersons(e.ctx, wangge.ScopeAll(), wangge.PersonFilter{IDNumber: a})
	if len(ps) != 1 || ps[0].Name != "导入甲" || ps[0].Phone == "" || ps[0].BirthDate.IsZero() {
		t.Fatalf("imported person: %+v", ps)
	}
	full, err := e.db.RevealPerson(e.ctx, wangge.ScopeAll(), ps[0].ID, "核对导入")
	ok(t, err)
	if full.IDNumber != a || full.Phone != "13900000001" {
		t.Errorf("sealed values: %q %q", full.IDNumber, full.Phone)
	}
	e.verifyAudit()
}

func testImportDryRun(t *testing.T, e *env) {
	f := e.fixture()
	before := e.state()
	r := personRow(1, f.BA1, "601", "试运行", e.newID(ident.SexMale))
	upd := personRow(2, f.BA1, "101", "测试甲一改", f.IDNumber[f.PA1.ID])
	c, out := e.runImport(wangge.ScopeAll(), wangge.ImportOptions{Kind: wangge.ImportPersons, DryRun: true}, r, upd)
	if c.Added != 1 || c.Updated != 1 || c.Written || out[2].Status != wangge.ImportUpdated {
		t.Fatalf("dry run: %+v %+v", c, out)
	}
	// It writes nothing but its own audit entry (a check tells whether
	// numbers are registered, so it is on record).
	es, n, err := e.db.ListAudit(e.ctx, wangge.AuditFilter{Page: wangge.Page{Limit: 1}})
	ok(t, err)
	if n == 0 || es[0].Action != "import.check" || !strings.Contains(es[0].Detail, `"rows":2`) {
		t.Fatalf("the dry run's audit entry: %+v", es)
	}
	if strings.Contains(es[0].Detail, "试运行") || strings.Contains(es[0].Detail, f.IDNumber[f.PA1.ID]) {
		t.Errorf("the check's entry holds a row's values: %s", es[0].Detail)
	}
	if got, want := e.state(), before; dropAuditHead(got) != dropAuditHead(want) {
		t.Fatal("the dry run wrote")
	}
}

// dropAuditHead is a state (e.state) without its last line, the audit
// head's sequence number.
func dropAuditHead(state string) string {
	state = strings.TrimSuffix(state, "\n")
	return state[:strings.LastIndexByte(state, '\n')+1]
}

func testImportAllOrNothing(t *testing.T, e *env) {
	f := e.fixture()
	before := e.state()
	batches := [][]wangge.ImportRow{
		{personRow(1, f.BA1, "701", "甲", e.newID(ident.SexMale)), personRow(2, f.BA2, "702", "乙", e.newID(ident.SexMale))},
		{personRow(3, f.BA1, "101", "测试甲一改名", f.IDNumber[f.PA1.ID])},
	}
	boom := errors.New("the file ends in the middle")
	next := func() ([]wangge.ImportRow, error) {
		if len(batches) == 0 {
			return nil, boom
		}
		b := batches[0]
		batches = batches[1:]
		return b, nil
	}
	if _, err := e.db.Import(e.ctx, wangge.ScopeAll(), wangge.ImportOptions{Kind: wangge.ImportPersons, File: "x"}, next); !errors.Is(err, boom) {
		t.Fatalf("Import: %v, want the reader's error", err)
	}
	if e.state() != before {
		t.Fatal("a failed import left rows behind")
	}
	e.verifyAudit()
}

func testImportStrict(t *testing.T, e *env) {
	f := e.fixture()
	before := e.state()
	bad := wangge.ImportRow{Line: 2, Errors: []wangge.ErrorDetail{{Field: "id_number", Zh: "错", Message: "bad"}}}
	c, out := e.runImport(wangge.ScopeAll(), wangge.ImportOptions{Kind: wangge.ImportPersons, Strict: true},
		personRow(1, f.BA1, "801", "甲", e.newID(ident.SexMale)), bad)
	if c.Added != 1 || c.Rejected != 1 || c.Written || out[2].Status != wangge.ImportRejected || out[2].Errors[0].Zh != "错" {
		t.Fatalf("strict: %+v %+v", c, out)
	}
	if e.state() != before {
		t.Fatal("a strict import with a rejected row wrote")
	}
}

func testImportNoWipe(t *testing.T, e *env) {
	f := e.fixture()
	before := e.state()
	// Only the identifying values: name, ID number, household.
	c, _ := e.runImport(wangge.ScopeAll(), wangge.ImportOptions{Kind: wangge.ImportPersons},
		wangge.ImportRow{Line: 1, Person: &wangge.PersonRow{BuildingCode: f.BA1.Code(), Entrance: "1", Room: "101", IDNumber: f.IDNumber[f.PA1.ID]}})
	if c.Unchanged != 1 || e.state() != before {
		t.Fatalf("a row of empty values: %+v, changed %v", c, e.state() != before)
	}
	p, err := e.db.RevealPerson(e.ctx, wangge.ScopeAll(), f.PA1.ID, "核对导入")
	ok(t, err)
	if p.Phone != f.Phone[f.PA1.ID] || p.Ethnicity != "汉族" || p.Employment != wangge.EmployEmployed || p.Name != f.PA1.Name {
		t.Fatalf("values wiped: %+v", p)
	}
	// A party flag set to false is a value, not an empty cell.
	no := false
	c, _ = e.runImport(wangge.ScopeAll(), wangge.ImportOptions{Kind: wangge.ImportPersons},
		wangge.ImportRow{Line: 1, Person: &wangge.PersonRow{BuildingCode: f.BA1.Code(), Entrance: "1", Room: "101", IDNumber: f.IDNumber[f.PA1.ID], Party: &no}})
	if c.Unchanged != 1 {
		t.Fatalf("party false again: %+v", c)
	}
}

func testImportScope(t *testing.T, e *env) {
	f := e.fixture()
	s := wangge.ScopeOf(CommunityA)
	before := e.state()
	c, out := e.runImport(s, wangge.ImportOptions{Kind: wangge.ImportPersons},
		personRow(1, f.BB1, "901", "外区新人", e.newID(ident.SexMale)), // building outside
		personRow(2, f.BA1, "902", "外区旧人", f.IDNumber[f.PB1.ID]),   // person registered outside
		wangge.ImportRow{Line: 3, Unit: &wangge.UnitRow{Name: "外区单位", GridCode: GridB1, Kind: wangge.UnitEnterprise}})
	if c.Rejected != 3 || len(out[3].Errors) != 1 || out[1].Errors[0].Field != "building_code" || out[2].Errors[0].Field != "id_number" || e.state() != before {
		t.Fatalf("persons outside the scope: %+v %+v", c, out)
	}
	// A number registered out of scope reads as any row the user cannot
	// act on, naming neither a household nor that one exists (issue 11:
	// an ID-number oracle).
	if got, want := out[2].Errors[0].Zh, msg.Text("zh", "error.import.not_here", nil); got != want || strings.Contains(got, "住户") {
		t.Errorf("an ID number registered elsewhere: %q, want %q", got, want)
	}
	c, out = e.runImport(s, wangge.ImportOptions{Kind: wangge.ImportUnits},
		wangge.ImportRow{Line: 3, Unit: &wangge.UnitRow{Name: "外区单位", GridCode: GridB1, Kind: wangge.UnitEnterprise}})
	if c.Rejected != 1 || out[3].Errors[0].Field != "grid_code" || e.state() != before {
		t.Fatalf("a unit outside the scope: %+v %+v", c, out)
	}
	// A department's scope may not write people at all.
	dept := e.user("m.dept", wangge.RoleDepartment, District).Scope()
	c, _ = e.runImport(dept, wangge.ImportOptions{Kind: wangge.ImportPersons}, personRow(1, f.BA1, "903", "部门", e.newID(ident.SexMale)))
	if c.Rejected != 1 {
		t.Fatalf("a department imported a person: %+v", c)
	}
}

func testImportMove(t *testing.T, e *env) {
	f := e.fixture()
	c, out := e.runImport(wangge.ScopeOf(CommunityA), wangge.ImportOptions{Kind: wangge.ImportPersons},
		personRow(1, f.BA1, "102", f.PA2.Name, f.IDNumber[f.PA2.ID]))
	if c.Updated != 1 || len(out[1].Notes) != 1 {
		t.Fatalf("move: %+v %+v", c, out)
	}
	p, err := e.db.Person(e.ctx, wangge.ScopeAll(), f.PA2.ID)
	ok(t, err)
	if p.HouseholdID != f.HA1b.ID || p.GridCode != GridA1 || p.Version != f.PA2.Version+1 {
		t.Fatalf("after the move: %+v", p)
	}
	moves, err := e.db.PersonMoves(e.ctx, wangge.ScopeAll(), p.ID)
	ok(t, err)
	if len(moves) != 1 || moves[0].From != f.HA2.ID || moves[0].To != f.HA1b.ID {
		t.Fatalf("history: %+v", moves)
	}
	es, _, _ := e.db.ListAudit(e.ctx, wangge.AuditFilter{Page: wangge.Page{Limit: 3}})
	if len(es) != 3 || es[0].Action != "import.persons" || es[1].Action != "person.import" || es[2].Action != "person.move" ||
		!strings.Contains(es[1].Detail, `"fields":["household"]`) || es[1].ObjectID != fmt.Sprint(p.ID) {
		t.Fatalf("audit: %+v", es)
	}
	e.verifyAudit()
}

func testImportUnitsMemberships(t *testing.T, e *env) {
	f := e.fixture()
	code := e.newCreditCode()
	n := 12
	c, _ := e.runImport(wangge.ScopeAll(), wangge.ImportOptions{Kind: wangge.ImportUnits},
		wangge.ImportRow{Line: 1, Unit: &wangge.UnitRow{Name: "导入单位", CreditCode: code, GridCode: GridA1, Kind: wangge.UnitEnterprise, Headcount: &n, ContactPhone: "13700000001"}})
	if c.Added != 1 {
		t.Fatalf("unit: %+v", c)
	}
	before := e.state()
	c, _ = e.runImport(wangge.ScopeAll(), wangge.ImportOptions{Kind: wangge.ImportUnits},
		wangge.ImportRow{Line: 1, Unit: &wangge.UnitRow{Name: "导入单位", CreditCode: code, GridCode: GridA1}})
	if c.Unchanged != 1 || e.state() != before {
		t.Fatalf("unit again: %+v", c)
	}
	joined := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	row := func() wangge.ImportRow {
		return wangge.ImportRow{Line: 1, Membership: &wangge.MembershipRow{IDNumber: f.IDNumber[f.PA1.ID], Group: wangge.GroupElderly, Joined: &joined,
			Attrs: map[string]string{"living": "独居"}}}
	}
	c, _ = e.runImport(wangge.ScopeAll(), wangge.ImportOptions{Kind: wangge.ImportMemberships}, row())
	if c.Added != 1 {
		t.Fatalf("membership: %+v", c)
	}
	before = e.state()
	c, _ = e.runImport(wangge.ScopeAll(), wangge.ImportOptions{Kind: wangge.ImportMemberships}, row())
	if c.Unchanged != 1 || e.state() != before {
		t.Fatalf("membership again: %+v", c)
	}
	// An elderly member joined on their 60th birthday; the row keeps the
	// details.
	ms, _, _ := e.db.ListMemberships(e.ctx, wangge.ScopeAll(), wangge.MembershipFilter{PersonID: f.PA1.ID})
	if len(ms) != 1 || ms[0].ID == 0 || ms[0].GridCode != GridA1 || !ms[0].Joined.Equal(wangge.BandElderly.Entered(f.PA1.BirthDate)) || ms[0].Attrs["living"] != "独居" {
		t.Fatalf("stored membership: %+v", ms)
	}
}

// testImportCheckLimit: every import check (dry run) is audited with its
// rows, and a user's checks stop at their scope level's rows a day
// (wangge.ImportCheckRowsPerDay), the refusal audited too; another user
// and the operator are not held by it.
func testImportCheckLimit(t *testing.T, e *env) {
	f := e.fixture()
	old := wangge.ImportCheckRowsPerDay[wangge.LevelGrid]
	wangge.ImportCheckRowsPerDay[wangge.LevelGrid] = 5
	t.Cleanup(func() { wangge.ImportCheckRowsPerDay[wangge.LevelGrid] = old })
	s := wangge.ScopeOf(GridA1)
	check := func(ctx context.Context, n int) error {
		rows := make([]wangge.ImportRow, n)
		for i := range rows {
			rows[i] = personRow(i+1, f.BA1, fmt.Sprint(500+i), "核对", e.newID(ident.SexFemale))
		}
		sent := false
		_, err := e.db.Import(ctx, s, wangge.ImportOptions{Kind: wangge.ImportPersons, DryRun: true, File: "核对.csv"}, func() ([]wangge.ImportRow, error) {
			if sent {
				return nil, nil
			}
			sent = true
			return rows, nil
		})
		return err
	}
	xie := actor(e.ctx, "xie", wangge.RoleAssistant)
	before := e.auditCount()
	ok(t, check(xie, 3), "a check of 3 rows")
	es, _, err := e.db.ListAudit(e.ctx, wangge.AuditFilter{Action: "import.check"})
	ok(t, err)
	if len(es) != 1 || es[0].Username != "xie" || !strings.Contains(es[0].Detail, `"rows":3`) || !strings.Contains(es[0].Detail, "核对.csv") {
		t.Fatalf("the check's audit entries: %+v", es)
	}
	ok(t, check(xie, 2), "a check up to the limit")
	wantCode(t, check(xie, 1), wangge.ERateLimited, "a check past the day's rows")
	if n := e.auditCount() - before; n != 3 {
		t.Errorf("%d audit entries for three checks, want 3 (the refusal's too)", n)
	}
	ok(t, check(actor(e.ctx, "li", wangge.RoleAssistant), 5), "another user's check")
	ok(t, check(actor(e.ctx, "cli:root", wangge.RoleSystem), 50), "the operator's check")
}
