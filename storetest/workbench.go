package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

// The phone workbench's store (issue 13): visits under a client's UUID with
// their ledger change proposals and their case in one transaction, the
// proposals' decisions, and a grid's day.
var workbenchTests = []test{
	{"VisitWithProposalsAndCaseWrittenTogether", testVisitWhole},
	{"VisitIdempotencyKeyRecordsOnce", testVisitIdempotency},
	{"VisitIsAllOrNothing", testVisitAllOrNothing},
	{"VisitSentTwiceAtOnceRecordsOnce", testVisitConcurrentResend},
	{"VisitOutsideOwnGridRefused", testVisitScope},
	{"LedgerChangeConfirmAppliesAndRefuseKeepsReason", testLedgerDecide},
	{"LedgerChangeDecidedOnlyInScope", testLedgerDecideScope},
	{"GridDayReadsTheGridMaskedAndKeyed", testGridDay},
}

// workbenchNow is the store's clock in these tests: a Monday, 10:00 in
// Beijing.
var workbenchNow = time.Date(2026, 5, 11, 2, 0, 0, 0, time.UTC)

// workbenchWorld is the fixture with an assistant in grid A1 and the
// store's clock set.
type workbenchWorld struct {
	*Fixture
	assistant int64
}

func (e *env) workbench(t *testing.T) *workbenchWorld {
	t.Helper()
	f := e.fixture()
	e.db.SetClock(func() time.Time { return workbenchNow })
	as := &wangge.Assistant{Name: "assistant A1", WorkPhone: "0355-2021001", Active: true}
	ok(t, e.db.CreateAssistant(e.ctx, as))
	ok(t, e.db.AssignAssistant(e.ctx, as.ID, GridA1, time.Time{}, ""))
	return &workbenchWorld{Fixture: f, assistant: as.ID}
}

// visitOf is a visit of assistant A1 to the household an hour ago.
func (w *workbenchWorld) visitOf(household int64, note string) *wangge.Visit {
	return &wangge.Visit{AssistantID: w.assistant, HouseholdID: &household, At: workbenchNow.Add(-time.Hour),
		Purpose: "routine", Met: "head", Note: note}
}

// assistantScope is assistant A1's scope (sensitive groups included, as
// the role has them).
func assistantScope() wangge.Scope {
	s := wangge.ScopeOf(GridA1)
	s.Sensitive = true
	return s
}

// rowCount counts a table's rows.
func (e *env) rowCount(t *testing.T, table string) int {
	t.Helper()
	var n int
	ok(t, e.db.Reader().QueryRowContext(e.ctx, `SELECT COUNT(*) FROM `+table).Scan(&n), "count ", table)
	return n
}

func testVisitWhole(t *testing.T, e *env) {
	w := e.workbench(t)
	a := caseActors["assistant_a1"]
	v := w.visitOf(w.HA1.ID, "the stair light is broken")
	v.Clears.Dangers = "stair light broken on floor 3"
	changes := []wangge.LedgerChange{
		{Kind: wangge.LedgerPhone, PersonID: &w.PA1.ID, Detail: "13800001234"},
		{Kind: wangge.LedgerBirth, Name: "newborn"},
	}
	d := &casework.Draft{Mechanism: casework.Coordination, Category: category("P02")}
	ans, replayed, err := e.db.RecordVisit(e.ctx, assistantScope(), a, v, changes, d, "uuid-1")
	ok(t, err, "RecordVisit")
	if replayed || ans.VisitID == 0 || len(ans.Proposals) != 2 || ans.CaseNumber == "" || ans.CaseState != string(casework.Accepted) {
		t.Fatalf("answer = %+v, replayed %v; want a visit, two proposals and an accepted case", ans, replayed)
	}
	got, err := e.db.Visit(e.ctx, assistantScope(), ans.VisitID)
	ok(t, err, "read the visit")
	if got.GridCode != GridA1 || got.Met != "head" || got.Clears.Dangers == "" {
		t.Errorf("visit = %+v", got)
	}
	list, n, err := e.db.ListLedgerChanges(e.ctx, wangge.ScopeOf(CommunityA), wangge.LedgerChangeFilter{State: wangge.LedgerProposed})
	ok(t, err, "ListLedgerChanges")
	if n != 2 || list[0].Kind != wangge.LedgerPhone || list[1].Name != "newborn" {
		t.Fatalf("proposals = %+v (%d)", list, n)
	}
	if p := list[0]; p.Detail == "13800001234" || !strings.HasSuffix(p.Detail, "1234") || p.VisitID != ans.VisitID || p.PersonName != w.PA1.Name || p.ProposedByName != a.Name {
		t.Errorf("phone proposal = %+v; want the phone masked, the visit, the member and the proposer", p)
	}
	c, err := e.db.Case(e.ctx, a, ans.CaseNumber)
	ok(t, err, "read the case")
	if c.Source != casework.SourceVisit || c.Location.GridCode != GridA1 || c.Location.HouseholdID != w.HA1.ID || c.Location.BuildingID != w.BA1.ID {
		t.Errorf("case place = %+v source %s; want the visit's household, building and grid", c.Location, c.Source)
	}
	if !strings.Contains(c.Description, "the stair light is broken") || !strings.Contains(c.Description, "stair light broken on floor 3") {
		t.Errorf("case description = %q; want the visit's text", c.Description)
	}
	// One general case done on the spot is registered handled.
	ans2, _, err := e.db.RecordVisit(e.ctx, assistantScope(), a, w.visitOf(w.HA1.ID, "fixed"), nil,
		&casework.Draft{Mechanism: casework.General, Category: category("P02"), Description: "loose handrail", Done: "tightened it"}, "uuid-2")
	ok(t, err, "a visit with a general case")
	if ans2.CaseState != string(casework.Handled) {
		t.Errorf("general case state = %q; want handled", ans2.CaseState)
	}
	changesOf, _, err := e.db.HouseholdChanges(e.ctx, wangge.ScopeOf(CommunityA), w.HA1.ID, wangge.Page{Limit: 50})
	ok(t, err, "HouseholdChanges")
	proposed := 0
	for _, x := range changesOf {
		if x.Action == "ledger_change.propose" {
			proposed++
			if strings.Contains(x.Detail, "13800001234") {
				t.Errorf("the change record holds the phone in clear: %s", x.Detail)
			}
		}
	}
	if proposed != 2 {
		t.Errorf("the household's change record lists %d proposals, want 2", proposed)
	}
	e.verifyAudit()
}

func testVisitIdempotency(t *testing.T, e *env) {
	w := e.workbench(t)
	a := caseActors["assistant_a1"]
	changes := []wangge.LedgerChange{{Kind: wangge.LedgerMoveOut, PersonID: &w.PA1b.ID, Detail: "moved to her daughter"}}
	d := &casework.Draft{Mechanism: casework.Coordination, Category: category("P01"), Description: "rubbish in the stairwell"}
	first, replayed, err := e.db.RecordVisit(e.ctx, assistantScope(), a, w.visitOf(w.HA1.ID, "note"), changes, d, "uuid-same")
	ok(t, err, "first send")
	if replayed {
		t.Fatal("the first send reads as a resend")
	}
	visits, proposals, cases := e.rowCount(t, "visits"), e.rowCount(t, "ledger_changes"), e.rowCount(t, "cases")
	for i := 0; i < 3; i++ {
		again, replayed, err := e.db.RecordVisit(e.ctx, assistantScope(), a, w.visitOf(w.HA1.ID, "note"), changes, d, "uuid-same")
		ok(t, err, "resend ", i)
		if !replayed || again.VisitID != first.VisitID || again.CaseNumber != first.CaseNumber || len(again.Proposals) != 1 || again.Proposals[0].ID != first.Proposals[0].ID {
			t.Fatalf("resend %d = %+v (replayed %v); want the first answer %+v", i, again, replayed, first)
		}
	}
	if e.rowCount(t, "visits") != visits || e.rowCount(t, "ledger_changes") != proposals || e.rowCount(t, "cases") != cases {
		t.Error("a resend wrote rows")
	}
	_, _, err = e.db.RecordVisit(e.ctx, assistantScope(), a, w.visitOf(w.HA1.ID, "another note"), changes, d, "uuid-same")
	wantCode(t, err, wangge.EConflict, "the same key with another body")
	if e.rowCount(t, "visits") != visits {
		t.Error("a refused key wrote a visit")
	}
	// The key is the account's: another account's same UUID is its own.
	other := a
	other.UserID = 99
	ans, replayed, err := e.db.RecordVisit(e.ctx, assistantScope(), other, w.visitOf(w.HA1.ID, "note"), nil, nil, "uuid-same")
	ok(t, err, "another account's key")
	if replayed || ans.VisitID == first.VisitID {
		t.Errorf("another account's same key answered %+v (replayed %v)", ans, replayed)
	}
}

func testVisitAllOrNothing(t *testing.T, e *env) {
	w := e.workbench(t)
	a := caseActors["assistant_a1"]
	before := map[string]int{}
	tables := []string{"visits", "ledger_changes", "cases", "visit_requests", "audit_log"}
	for _, tb := range tables {
		before[tb] = e.rowCount(t, tb)
	}
	good := wangge.LedgerChange{Kind: wangge.LedgerDeath, PersonID: &w.PA1b.ID}
	for _, tc := range []struct {
		name    string
		changes []wangge.LedgerChange
		d       *casework.Draft
		field   string
	}{
		{"a member of another household", []wangge.LedgerChange{good, {Kind: wangge.LedgerMoveOut, PersonID: &w.PA2.ID}}, nil, "changes[1].person_id"},
		{"a general case without what was done", []wangge.LedgerChange{good},
			&casework.Draft{Mechanism: casework.General, Category: category("P02"), Description: "handrail"}, "case.done"},
		{"an emergency", []wangge.LedgerChange{good}, &casework.Draft{Mechanism: casework.Emergency, Category: category("P05"), Description: "fight"}, "case.mechanism"},
	} {
		_, _, err := e.db.RecordVisit(e.ctx, assistantScope(), a, w.visitOf(w.HA1.ID, "n"), tc.changes, tc.d, "uuid-bad")
		if got := wantCode(t, err, wangge.EInvalid, tc.name); got != nil && got.Field != tc.field {
			t.Errorf("%s: field %q, want %q", tc.name, got.Field, tc.field)
		}
		for _, tb := range tables {
			if n := e.rowCount(t, tb); n != before[tb] {
				t.Errorf("%s: %s has %d rows, want %d", tc.name, tb, n, before[tb])
			}
		}
	}
	// Nothing burned the key: the corrected visit goes through under it.
	ans, replayed, err := e.db.RecordVisit(e.ctx, assistantScope(), a, w.visitOf(w.HA1.ID, "n"), []wangge.LedgerChange{good}, nil, "uuid-bad")
	ok(t, err, "the corrected visit")
	if replayed || len(ans.Proposals) != 1 {
		t.Errorf("corrected visit = %+v (replayed %v)", ans, replayed)
	}
	// A visit older than the offline window, or ahead of the clock, is
	// refused; a resend of one recorded in time is answered however old
	// it is now.
	for _, at := range []time.Time{workbenchNow.Add(-wangge.VisitMaxAge - time.Hour), workbenchNow.Add(time.Hour)} {
		v := w.visitOf(w.HA1.ID, "n")
		v.At = at
		_, _, err := e.db.RecordVisit(e.ctx, assistantScope(), a, v, nil, nil, "uuid-window")
		wantCode(t, err, wangge.EInvalid, "a visit at ", at)
	}
	e.db.SetClock(func() time.Time { return workbenchNow.Add(wangge.VisitMaxAge + 24*time.Hour) })
	again, replayed, err := e.db.RecordVisit(e.ctx, assistantScope(), a, w.visitOf(w.HA1.ID, "n"), []wangge.LedgerChange{good}, nil, "uuid-bad")
	ok(t, err, "a resend after the window")
	if !replayed || again.VisitID != ans.VisitID {
		t.Errorf("a resend after the window = %+v (replayed %v), want %+v", again, replayed, ans)
	}
}

// testVisitConcurrentResend: the phone's queue and a retry send the same
// visit at the same moment; one records it, every answer names it.
func testVisitConcurrentResend(t *testing.T, e *env) {
	w := e.workbench(t)
	a := caseActors["assistant_a1"]
	changes := []wangge.LedgerChange{{Kind: wangge.LedgerOther, Detail: "a dog now lives here"}}
	d := &casework.Draft{Mechanism: casework.Coordination, Category: category("P01"), Description: "rubbish"}
	const n = 4
	answers := make([]wangge.VisitAnswer, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i], _, errs[i] = e.db.RecordVisit(e.ctx, assistantScope(), a, w.visitOf(w.HA1.ID, "at once"), changes, d, "uuid-race")
		}()
	}
	wg.Wait()
	for i := range n {
		ok(t, errs[i], "send ", i)
		if answers[i].VisitID != answers[0].VisitID || answers[i].CaseNumber != answers[0].CaseNumber {
			t.Errorf("send %d answered %+v, send 0 %+v", i, answers[i], answers[0])
		}
	}
	if v, c, p := e.rowCount(t, "visits"), e.rowCount(t, "cases"), e.rowCount(t, "ledger_changes"); v != 1 || c != 1 || p != 1 {
		t.Errorf("%d visits, %d cases, %d proposals; want one each", v, c, p)
	}
}

func testVisitScope(t *testing.T, e *env) {
	w := e.workbench(t)
	a := caseActors["assistant_a1"]
	visits, cases := e.rowCount(t, "visits"), e.rowCount(t, "cases")
	for _, hh := range []int64{w.HA2.ID, w.HB1.ID} {
		_, _, err := e.db.RecordVisit(e.ctx, assistantScope(), a, w.visitOf(hh, "n"), nil,
			&casework.Draft{Mechanism: casework.Coordination, Category: category("P01"), Description: "rubbish"}, "uuid-out")
		if err == nil {
			t.Errorf("assistant A1 recorded a visit to household %d outside the grid", hh)
		}
	}
	// Community B's staff scope cannot write into grid A1 either.
	_, _, err := e.db.RecordVisit(e.ctx, wangge.ScopeOf(CommunityB), caseActors["community_b"], w.visitOf(w.HA1.ID, "n"), nil, nil, "")
	if err == nil {
		t.Error("community B recorded a visit in grid A1")
	}
	if e.rowCount(t, "visits") != visits || e.rowCount(t, "cases") != cases {
		t.Error("a refused visit wrote rows")
	}
}

// proposeAll records one visit to HA1 proposing each change, and returns
// the proposals by kind.
func (e *env) proposeAll(t *testing.T, w *workbenchWorld, changes []wangge.LedgerChange) map[wangge.LedgerChangeKind]wangge.LedgerChange {
	t.Helper()
	_, _, err := e.db.RecordVisit(e.ctx, assistantScope(), caseActors["assistant_a1"], w.visitOf(w.HA1.ID, "n"), changes, nil, "")
	ok(t, err, "RecordVisit")
	list, _, err := e.db.ListLedgerChanges(e.ctx, wangge.ScopeOf(CommunityA), wangge.LedgerChangeFilter{HouseholdID: w.HA1.ID})
	ok(t, err, "ListLedgerChanges")
	out := map[wangge.LedgerChangeKind]wangge.LedgerChange{}
	for _, c := range list {
		out[c.Kind] = c
	}
	return out
}

func testLedgerDecide(t *testing.T, e *env) {
	w := e.workbench(t)
	m := &wangge.Membership{PersonID: w.PA1b.ID, Group: wangge.GroupElderly, Attrs: map[string]string{"living": "独居"}, Joined: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	ok(t, e.db.CreateMembership(e.ctx, wangge.ScopeAll(), m))
	byKind := e.proposeAll(t, w, []wangge.LedgerChange{
		{Kind: wangge.LedgerPhone, PersonID: &w.PA1.ID, Detail: "138 0000 5678"},
		{Kind: wangge.LedgerMoveOut, PersonID: &w.PA1b.ID, Detail: "moved to her daughter's"},
		{Kind: wangge.LedgerMoveIn, Name: "tenant"},
	})
	staff := wangge.ScopeOf(CommunityA)

	// A new phone is written to the ledger (sealed, found by its index).
	phone := byKind[wangge.LedgerPhone]
	got, err := e.db.DecideLedgerChange(e.ctx, staff, wangge.LedgerDecision{ID: phone.ID, Version: phone.Version, Confirm: true, ByName: "staff A"})
	ok(t, err, "confirm the phone")
	if got.State != wangge.LedgerApplied || got.DecidedByName != "staff A" || got.DecidedAt == nil {
		t.Errorf("confirmed phone = %+v; want applied, with who and when", got)
	}
	ps, _, err := e.db.ListPersons(e.ctx, staff, wangge.PersonFilter{Phone: "13800005678"})
	ok(t, err, "find by the new phone")
	if len(ps) != 1 || ps[0].ID != w.PA1.ID {
		t.Errorf("persons with the new phone = %+v; want the member", ps)
	}
	_, err = e.db.DecideLedgerChange(e.ctx, staff, wangge.LedgerDecision{ID: phone.ID, Version: phone.Version, Confirm: false, Reason: "changed my mind"})
	wantCode(t, err, wangge.EConflict, "deciding a decided proposal")

	// A move-out ends the member's key groups and waits for staff to move
	// the person with a reason of their own.
	out := byKind[wangge.LedgerMoveOut]
	got, err = e.db.DecideLedgerChange(e.ctx, staff, wangge.LedgerDecision{ID: out.ID, Version: out.Version, Confirm: true})
	ok(t, err, "confirm the move-out")
	if got.State != wangge.LedgerConfirmed {
		t.Errorf("confirmed move-out state = %s, want confirmed", got.State)
	}
	mm, err := e.db.Membership(e.ctx, wangge.ScopeAll(), m.ID)
	ok(t, err, "read the membership")
	if mm.Left == nil {
		t.Error("the moved-out member is still in the elderly group")
	}

	// A refusal needs a reason and keeps it.
	in := byKind[wangge.LedgerMoveIn]
	_, err = e.db.DecideLedgerChange(e.ctx, staff, wangge.LedgerDecision{ID: in.ID, Version: in.Version})
	wantCode(t, err, wangge.EInvalid, "a refusal without a reason")
	got, err = e.db.DecideLedgerChange(e.ctx, staff, wangge.LedgerDecision{ID: in.ID, Version: in.Version, Reason: "a visitor, not a tenant"})
	ok(t, err, "refuse the move-in")
	if got.State != wangge.LedgerRefused || got.Reason != "a visitor, not a tenant" {
		t.Errorf("refused = %+v", got)
	}
	es, _, err := e.db.HouseholdChanges(e.ctx, staff, w.HA1.ID, wangge.Page{Limit: 50})
	ok(t, err, "HouseholdChanges")
	seen := map[string]int{}
	for _, x := range es {
		seen[x.Action]++
	}
	if seen["ledger_change.apply"] != 1 || seen["ledger_change.confirm"] != 1 || seen["ledger_change.refuse"] != 1 {
		t.Errorf("the household's change record = %v; want each decision once", seen)
	}
	e.verifyAudit()
}

func testLedgerDecideScope(t *testing.T, e *env) {
	w := e.workbench(t)
	byKind := e.proposeAll(t, w, []wangge.LedgerChange{
		{Kind: wangge.LedgerPhone, PersonID: &w.PA1.ID, Detail: "13800009999"},
		{Kind: wangge.LedgerDeath, PersonID: &w.PA1b.ID},
	})
	phone, death := byKind[wangge.LedgerPhone], byKind[wangge.LedgerDeath]
	for _, s := range []wangge.Scope{wangge.ScopeOf(CommunityB), wangge.ScopeOf(GridA2)} {
		_, err := e.db.DecideLedgerChange(e.ctx, s, wangge.LedgerDecision{ID: phone.ID, Version: phone.Version, Confirm: true})
		wantCode(t, err, wangge.ENotFound, "a decision outside the scope ", s.Prefix())
		list, n, err := e.db.ListLedgerChanges(e.ctx, s, wangge.LedgerChangeFilter{})
		ok(t, err)
		if n != 0 || len(list) != 0 {
			t.Errorf("scope %s lists %d proposals of grid A1", s.Prefix(), n)
		}
	}
	// The assistant applies within their own grid.
	got, err := e.db.DecideLedgerChange(e.ctx, assistantScope(), wangge.LedgerDecision{ID: phone.ID, Version: phone.Version, Confirm: true})
	ok(t, err, "the assistant applies in their grid")
	if got.State != wangge.LedgerApplied || got.DecidedBy != Actor.UserID {
		t.Errorf("applied by the assistant = %+v", got)
	}
	got, err = e.db.DecideLedgerChange(e.ctx, assistantScope(), wangge.LedgerDecision{ID: death.ID, Version: death.Version, Confirm: true})
	ok(t, err, "the assistant confirms a death")
	if got.State != wangge.LedgerConfirmed {
		t.Errorf("a confirmed death = %s; want confirmed, for staff to edit the file", got.State)
	}
	_, _, err = e.db.ListLedgerChanges(e.ctx, assistantScope(), wangge.LedgerChangeFilter{State: "pending"})
	wantCode(t, err, wangge.EInvalid, "an unknown state")
}

func testGridDay(t *testing.T, e *env) {
	w := e.workbench(t)
	// HA1: a member living alone, visited 100 days ago; HA1b: nobody key,
	// never visited; another household visited yesterday.
	ok(t, e.db.CreateMembership(e.ctx, wangge.ScopeAll(), &wangge.Membership{PersonID: w.PA1b.ID, Group: wangge.GroupElderly,
		Attrs: map[string]string{"living": "独居"}, Joined: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}))
	hc := e.household(w.BA1.ID, "103")
	hid := w.HA1.ID
	ok(t, e.db.CreateVisit(e.ctx, wangge.ScopeAll(), &wangge.Visit{AssistantID: w.assistant, HouseholdID: &hid, At: workbenchNow.AddDate(0, 0, -100)}))
	ok(t, e.db.CreateVisit(e.ctx, wangge.ScopeAll(), &wangge.Visit{AssistantID: w.assistant, HouseholdID: &hc.ID, At: workbenchNow.AddDate(0, 0, -1)}))

	day, err := e.db.GridDay(e.ctx, assistantScope(), GridA1)
	ok(t, err, "GridDay")
	if day.GridName == "" || day.AssistantName != "assistant A1" || day.AssistantPhone != "0355-2021001" || len(day.Buildings) != 1 || len(day.Households) != 3 {
		t.Fatalf("day = %+v", day)
	}
	by := map[int64]wangge.GridHousehold{}
	for _, h := range day.Households {
		by[h.ID] = h
	}
	a1 := by[w.HA1.ID]
	if a1.Members != 2 || a1.HeadMasked == "" || a1.HeadMasked == w.PA1.Name || len(a1.Keys) != 1 || a1.Keys[0] != wangge.KeyElderlyAlone || a1.LastVisit == nil {
		t.Errorf("HA1 = %+v; want 2 members, the head masked, elderly living alone, a last visit", a1)
	}
	if h := by[w.HA1b.ID]; h.LastVisit != nil || len(h.Keys) != 0 || h.Members != 0 {
		t.Errorf("HA1b = %+v", h)
	}
	due := wangge.DueForVisit(day.Households, 0, workbenchNow)
	if len(due) != 2 || due[0].ID != w.HA1.ID || due[1].ID != w.HA1b.ID {
		t.Errorf("due = %+v; want HA1 (key) then HA1b (never visited), not the one visited yesterday", due)
	}
	// A scope without the sensitive groups sees no sensitive key.
	ok(t, e.db.CreateMembership(e.ctx, wangge.ScopeAll(), &wangge.Membership{PersonID: w.PA1.ID, Group: wangge.GroupDisabled,
		Attrs: map[string]string{"type": "肢体", "level": "二级"}, Joined: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}))
	plain, err := e.db.GridDay(e.ctx, wangge.ScopeOf(GridA1), GridA1)
	ok(t, err)
	for _, h := range plain.Households {
		for _, k := range h.Keys {
			if k == wangge.KeyDisabled {
				t.Error("a scope without the sensitive groups sees a disabled member")
			}
		}
	}
	for _, s := range []wangge.Scope{wangge.ScopeOf(GridA2), wangge.ScopeOf(CommunityB)} {
		_, err := e.db.GridDay(e.ctx, s, GridA1)
		wantCode(t, err, wangge.ENotFound, "a grid outside the scope")
	}
}
