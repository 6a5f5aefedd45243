package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/ident"
)

var caseBulkTests = []test{
	{"CaseBulkReadsBackScopedAndTheSeriesContinues", testCaseBulk},
	{"CaseBulkRefusesAGapInTheNumbers", testCaseBulkGap},
}

// bulkNow is the store's clock in the bulk tests: 10:00 in Beijing.
var bulkNow = time.Date(2026, 6, 15, 2, 0, 0, 0, time.UTC)

// bulkCases makes finished cases through the store's own engine, as the
// demo's generator does, numbered as the store would have numbered them:
// one of 2025, five of 2026 (one a duplicate merged into another).
func (e *env) bulkCases(t *testing.T) []*casework.Case {
	t.Helper()
	eng, err := e.db.CaseEngine(e.ctx)
	ok(t, err)
	at := bulkNow.AddDate(0, 0, -30)
	open := func(who, number string, d casework.Draft, when time.Time) *casework.Case {
		t.Helper()
		d.Number = number
		c, err := eng.Open(d, caseActors[who], when)
		ok(t, err, "open ", number)
		return c
	}
	apply := func(c *casework.Case, who string, a casework.Action, when time.Time) {
		t.Helper()
		_, err := eng.Apply(c, caseActors[who], a, when)
		ok(t, err, who, " ", a.Name, " on ", c.Number)
	}
	told := casework.Action{Name: casework.ActFeedback, Channel: casework.ChannelPhone, Note: "told"}

	old := open("assistant_a1", "2025-000001", caseDraft(GridA1, casework.General, "P14", "a loose handrail"), time.Date(2025, 12, 30, 2, 0, 0, 0, time.UTC))
	apply(old, "assistant_a1", told, old.CreatedAt.Add(5*time.Minute))
	apply(old, "assistant_a1", casework.Action{Name: casework.ActClose}, old.CreatedAt.Add(6*time.Minute))

	closed := open("assistant_a1", "2026-000001", caseDraft(GridA1, casework.General, "P14", "a broken light"), at)
	apply(closed, "assistant_a1", told, at.Add(10*time.Minute))
	apply(closed, "assistant_a1", casework.Action{Name: casework.ActClose}, at.Add(11*time.Minute))
	apply(closed, "assistant_a1", casework.Action{Name: casework.ActSatisfaction, Satisfaction: casework.Satisfied}, at.Add(12*time.Minute))

	dispatched := open("assistant_a2", "2026-000002", caseDraft(GridA2, casework.Coordination, "P01", "rubbish by the gate"), at.Add(time.Hour))
	apply(dispatched, "community_a", casework.Action{Name: casework.ActDispatch,
		Receiver: &casework.Receiver{Kind: casework.ToDepartment, Line: wangge.LineCity, Name: "city management"}}, at.Add(2*time.Hour))

	dup := open("community_a", "2026-000003", caseDraft(GridA2, casework.Coordination, "P01", "rubbish by the gate again"), at.Add(3*time.Hour))
	dup.Reporter.Contact = "13900002222"
	apply(dup, "community_a", casework.Action{Name: casework.ActMerge, Note: "the same rubbish", Into: dispatched}, at.Add(4*time.Hour))

	headD := caseDraft(GridA1, casework.Coordination, "P02", "the stair light is out")
	headD.Source = casework.SourceResidentPage
	byHead := open("head_a1", "2026-000004", headD, at.Add(5*time.Hour))

	west := open("community_b", "2026-000005", caseDraft(GridB1, casework.General, "P14", "a blocked drain"), at.Add(6*time.Hour))
	return []*casework.Case{old, closed, dispatched, dup, byHead, west}
}

func testCaseBulk(t *testing.T, e *env) {
	e.fixture()
	e.db.SetClock(func() time.Time { return bulkNow })
	cases := e.bulkCases(t)
	cb, err := e.db.BulkCases(e.ctx)
	ok(t, err)
	for _, c := range cases {
		ok(t, cb.Case(c), "bulk ", c.Number)
	}
	ok(t, cb.Commit(map[string]any{"seed": 7}))

	// Every case reads back as the engine left it, at the version its
	// writes would have left (one per event), the contact sealed and shown
	// masked.
	for _, want := range cases {
		got, err := e.db.Case(e.ctx, caseActors["district"], want.Number)
		ok(t, err, "read ", want.Number)
		if got.Version != len(want.Events) {
			t.Errorf("%s: version %d, want %d (one per event)", want.Number, got.Version, len(want.Events))
		}
		exp := *want
		exp.Version = got.Version
		if exp.Reporter.Contact != "" {
			exp.Reporter.Contact = ident.MaskPhone(exp.Reporter.Contact)
		}
		// The document keeps the duplicates without their contacts (each
		// is on its own case), an empty list where there are none.
		exp.Duplicates = []casework.Duplicate{}
		for _, d := range want.Duplicates {
			d.Reporter.Contact = ""
			exp.Duplicates = append(exp.Duplicates, d)
		}
		a, _ := json.Marshal(&exp)
		b, _ := json.Marshal(got)
		if !bytes.Equal(a, b) {
			t.Errorf("%s read back differs:\n got %s\nwant %s", want.Number, b, a)
		}
	}
	var sealed []byte
	ok(t, e.db.Reader().QueryRowContext(e.ctx, `SELECT reporter_contact_enc FROM cases WHERE number = '2026-000001'`).Scan(&sealed))
	if len(sealed) == 0 || bytes.Contains(sealed, []byte(caseContact)) {
		t.Errorf("the contact is not sealed: %q", sealed)
	}

	// Scope: each actor sees what Actor.Sees allows, and nothing else.
	for who, want := range map[string][]string{
		"district":     {"2025-000001", "2026-000001", "2026-000002", "2026-000003", "2026-000004", "2026-000005"},
		"community_a":  {"2025-000001", "2026-000001", "2026-000002", "2026-000003", "2026-000004"},
		"community_b":  {"2026-000005"},
		"assistant_a2": {"2026-000002", "2026-000003"},
		"dept_city":    {"2026-000002", "2026-000003", "2026-000004"},
		"dept_civil":   nil,
		"head_a1":      {"2026-000004"},
		"head_a1b":     nil,
	} {
		list, total, err := e.db.ListCases(e.ctx, caseActors[who], casework.Filter{Page: wangge.Page{Limit: 50}})
		ok(t, err, who)
		var got []string
		for _, c := range list {
			got = append(got, c.Number)
		}
		if total != len(want) || !sameSet(got, want) {
			t.Errorf("%s lists %v (total %d), want %v", who, got, total, want)
		}
	}
	if _, err := e.db.Case(e.ctx, caseActors["community_b"], "2026-000001"); !errors.Is(err, wangge.ErrNotFound) {
		t.Errorf("community B reads community A's bulk case: %v", err)
	}

	counts, err := e.db.CaseCounts(e.ctx, wangge.ScopeOf(District))
	ok(t, err)
	want := map[casework.State]int{}
	for _, c := range cases {
		want[c.State]++
	}
	if !sameCounts(counts, want) {
		t.Errorf("CaseCounts %v, want %v", counts, want)
	}
	counts, err = e.db.CaseCounts(e.ctx, wangge.ScopeOf(CommunityB))
	ok(t, err)
	if !sameCounts(counts, map[casework.State]int{casework.Handled: 1}) {
		t.Errorf("CaseCounts of community B %v", counts)
	}

	// The public columns are written as openCase writes them: of the six,
	// only the resident page's report in a public category reads publicly.
	pub, err := e.db.PublicCases(e.ctx, casework.PublicFilter{Limit: 50})
	ok(t, err)
	var pubNumbers []string
	for _, c := range pub {
		pubNumbers = append(pubNumbers, c.Number)
	}
	if !sameSet(pubNumbers, []string{"2026-000004"}) {
		t.Errorf("public bulk cases %v, want [2026-000004]", pubNumbers)
	}

	// The series continues: the next case made is the next number, with a
	// row id of its own.
	next := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "after the bulk"))
	if next.Number != "2026-000006" {
		t.Errorf("the case made after the bulk is %s, want 2026-000006", next.Number)
	}
	// A bulk case takes transitions at the version it was written with.
	c, err := e.db.Case(e.ctx, caseActors["dept_city"], "2026-000002")
	ok(t, err)
	if got := e.step(t, "dept_city", c, casework.Action{Name: casework.ActAccept}); got.State != casework.InProgress {
		t.Errorf("accepted bulk case is %s", got.State)
	}

	// One audit entry for the batch, none per case.
	es, _, err := e.db.ListAudit(e.ctx, wangge.AuditFilter{Action: "case.bulk", Page: wangge.Page{Limit: 10}})
	ok(t, err)
	if len(es) != 1 {
		t.Fatalf("%d case.bulk audit entries, want 1", len(es))
	}
	var detail map[string]any
	ok(t, json.Unmarshal([]byte(es[0].Detail), &detail))
	if detail["cases"] != float64(6) || detail["seed"] != float64(7) {
		t.Errorf("the batch's audit entry says %v", detail)
	}
	if got := e.caseAudit(t, "2026-000001"); len(got) != 0 {
		t.Errorf("a bulk case has audit entries of its own: %v", got)
	}
}

// testCaseBulkGap: numbers that do not continue the district's counter
// (here 2026-000002 with none given out yet) are refused and nothing is
// written; the store's own series then starts at 1.
func testCaseBulkGap(t *testing.T, e *env) {
	e.fixture()
	e.db.SetClock(func() time.Time { return bulkNow })
	eng, err := e.db.CaseEngine(e.ctx)
	ok(t, err)
	d := caseDraft(GridA1, casework.Coordination, "P01", "rubbish")
	d.Number = "2026-000002"
	c, err := eng.Open(d, caseActors["assistant_a1"], bulkNow.Add(-time.Hour))
	ok(t, err)
	cb, err := e.db.BulkCases(e.ctx)
	ok(t, err)
	ok(t, cb.Case(c))
	if err := cb.Commit(nil); wangge.ErrorCode(err) != wangge.EConflict {
		t.Fatalf("a gap in the numbers: %v, want a conflict", err)
	}
	if n := e.caseRows(t); n != 0 {
		t.Errorf("%d cases written by a refused bulk", n)
	}
	if got := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "first")); got.Number != "2026-000001" {
		t.Errorf("after a refused bulk the first case is %s", got.Number)
	}
	// A case without its timeline is refused when it is added.
	cb, err = e.db.BulkCases(e.ctx)
	ok(t, err)
	bare := *c
	bare.Events = nil
	if err := cb.Case(&bare); wangge.ErrorCode(err) != wangge.EInvalid {
		t.Errorf("a case without events: %v, want invalid", err)
	}
	ok(t, cb.Rollback())
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

func sameCounts(a, b map[casework.State]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}
