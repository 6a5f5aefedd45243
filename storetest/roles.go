package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/wangge/wangge"
)

var roleTests = []test{
	{"RevealIsLimitedPerUserPerHour", testRevealLimit},
	{"ConcurrentPersonalExportsStopAtTheLimit", testPersonalExportLimit},
	{"ConcurrentRevealsStopAtTheLimit", testRevealLimitConcurrent},
	{"DepartmentSeesOnlyItsLinesGroups", testDepartmentLine},
}

func actor(ctx context.Context, username string, role wangge.Role) context.Context {
	return wangge.WithActor(ctx, wangge.Actor{Username: username, Role: role, Addr: "127.0.0.1"})
}

// testRevealLimit: the store refuses a user's reveal past RevealsPerHour,
// whatever the handler does, while another user and the operator (system)
// still may.
func testRevealLimit(t *testing.T, e *env) {
	f := e.fixture()
	s := wangge.ScopeOf(District)
	alice := actor(e.ctx, "alice", wangge.RoleCommunityStaff)
	for i := 0; i < wangge.RevealsPerHour; i++ {
		_, err := e.db.RevealPerson(alice, s, f.PA1.ID, "核实身份")
		ok(t, err, "reveal ", i+1)
	}
	_, err := e.db.RevealPerson(alice, s, f.PA1.ID, "核实身份")
	if wangge.ErrorCode(err) != wangge.ERateLimited {
		t.Fatalf("reveal past the limit: %v, want %s", err, wangge.ERateLimited)
	}
	before := e.auditCount()
	_, err = e.db.RevealPerson(alice, s, f.PA1.ID, "核实身份")
	if wangge.ErrorCode(err) != wangge.ERateLimited || e.auditCount() != before {
		t.Fatalf("a refused reveal: %v and %d new audit entries, want refused and none", err, e.auditCount()-before)
	}
	_, err = e.db.RevealPerson(actor(e.ctx, "bob", wangge.RoleCommunityStaff), s, f.PA1.ID, "核实身份")
	ok(t, err, "another user's reveal")
	_, err = e.db.RevealPerson(actor(e.ctx, "cli:root", wangge.RoleSystem), s, f.PA1.ID, "更正登记信息")
	ok(t, err, "the operator's reveal")
}

// testDepartmentLine: a civil-affairs department sees the disabled and aid
// lists of its line, sensitive as they are, but not the floating
// population (comprehensive order's) and no person records.
func testDepartmentLine(t *testing.T, e *env) {
	f := e.fixture()
	e.membership(f.PA1.ID, wangge.GroupDisabled, disabledAttrs)
	e.membership(f.PA1b.ID, wangge.GroupFloating, floatingAttrs)
	civil := (&wangge.User{Role: wangge.RoleDepartment, ScopeCode: District, Line: wangge.LineCivil}).Scope()
	ms, n, err := e.db.ListMemberships(e.ctx, civil, wangge.MembershipFilter{})
	ok(t, err)
	// The disabled one and the elderly (civil affairs' too): the
	// fixture's four persons, all over 60.
	groups := map[wangge.KeyGroup]int{}
	for _, m := range ms {
		groups[m.Group]++
	}
	if n != 5 || len(ms) != 5 || groups[wangge.GroupDisabled] != 1 || groups[wangge.GroupElderly] != 4 {
		t.Fatalf("civil department lists %d memberships %v, want the disabled one and the four elderly", n, groups)
	}
	if _, n, _ := e.db.ListPersons(e.ctx, civil, wangge.PersonFilter{}); n != 0 {
		t.Errorf("a department lists %d persons, want none", n)
	}
	if _, err := e.db.Person(e.ctx, civil, f.PA1.ID); wangge.ErrorCode(err) != wangge.ENotFound {
		t.Errorf("a department reads a person: %v", err)
	}
	auditor := (&wangge.User{Role: wangge.RoleAuditor, ScopeCode: District}).Scope()
	if _, n, _ := e.db.ListMemberships(e.ctx, auditor, wangge.MembershipFilter{}); n != 0 {
		t.Errorf("the auditor lists %d memberships, want none", n)
	}
}

// exportEntry is the audit entry of an export of the ledger.
func exportEntry(ledger string) *wangge.AuditEntry {
	return &wangge.AuditEntry{Action: "ledger.export", Object: "ledger", ObjectID: ledger, GridCode: CommunityA, Detail: `{"rows":1}`}
}

// testPersonalExportLimit: with PersonalExportsPerHour personal exports
// allowed an hour, as many and one more at the same moment yield exactly
// the limit's number of audit entries and one refusal; an export an hour
// old no longer counts, the public assistants' ledger never counts, and
// another user and the operator still may.
func testPersonalExportLimit(t *testing.T, e *env) {
	start := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	now := start
	e.db.SetClock(func() time.Time { return now })
	alice := actor(e.ctx, "alice", wangge.RoleCommunityStaff)
	// Exports over an hour ago, and of the public ledger, count for nothing.
	now = start.Add(-time.Hour - time.Second)
	for range wangge.PersonalExportsPerHour {
		ok(t, e.db.AuditPersonalExport(alice, exportEntry("residents")), "an export an hour ago")
	}
	now = start
	ok(t, e.db.Audit(alice, exportEntry("assistants")), "the assistants' export")
	before := e.auditCount()

	const attempts = wangge.PersonalExportsPerHour + 1
	passed, refused := atOnce(t, attempts, func(i int) error {
		return e.db.AuditPersonalExport(alice, exportEntry(wangge.PersonalExportLedgers[i%len(wangge.PersonalExportLedgers)]))
	})
	if passed != wangge.PersonalExportsPerHour || refused != 1 {
		t.Fatalf("%d concurrent exports: %d passed and %d refused, want %d and 1", attempts, passed, refused, wangge.PersonalExportsPerHour)
	}
	if n := e.auditCount() - before; n != wangge.PersonalExportsPerHour {
		t.Fatalf("%d audit entries of the exports, want %d", n, wangge.PersonalExportsPerHour)
	}
	if v, _, err := e.db.VerifyAudit(e.ctx); err != nil || v != 0 {
		t.Fatalf("the audit chain after concurrent exports: bad entry %d, %v", v, err)
	}
	err := e.db.AuditPersonalExport(alice, exportEntry("units"))
	wantCode(t, err, wangge.ERateLimited, "the next export")

	ok(t, e.db.Audit(alice, exportEntry("assistants")), "the assistants' export at the limit")
	ok(t, e.db.AuditPersonalExport(actor(e.ctx, "bob", wangge.RoleCommunityStaff), exportEntry("residents")), "another user's export")
	ok(t, e.db.AuditPersonalExport(actor(e.ctx, "cli:root", wangge.RoleSystem), exportEntry("residents")), "the operator's export")
	// An hour after the first of them, the place is free again.
	now = start.Add(time.Hour + time.Second)
	ok(t, e.db.AuditPersonalExport(alice, exportEntry("groups")), "an export an hour later")
	// Only a personal export's entry is counted, so only one is taken.
	if err := e.db.AuditPersonalExport(alice, exportEntry("assistants")); err == nil {
		t.Error("AuditPersonalExport took the assistants' export, which the limit does not count")
	}
}

// testRevealLimitConcurrent: reveals at the same moment count each other,
// as exports do: RevealsPerHour+1 of them let exactly RevealsPerHour
// through, each audited.
func testRevealLimitConcurrent(t *testing.T, e *env) {
	f := e.fixture()
	alice := actor(e.ctx, "alice", wangge.RoleCommunityStaff)
	before := e.auditCount()
	const attempts = wangge.RevealsPerHour + 1
	passed, refused := atOnce(t, attempts, func(int) error {
		_, err := e.db.RevealPerson(alice, wangge.ScopeAll(), f.PA1.ID, "核对")
		return err
	})
	if passed != wangge.RevealsPerHour || refused != 1 {
		t.Fatalf("%d concurrent reveals: %d passed and %d refused, want %d and 1", attempts, passed, refused, wangge.RevealsPerHour)
	}
	if n := e.auditCount() - before; n != wangge.RevealsPerHour {
		t.Fatalf("%d audit entries of the reveals, want %d", n, wangge.RevealsPerHour)
	}
}

// atOnce runs n calls of fn at the same moment and counts those that
// passed and those the rate limit refused; any other outcome fails t.
func atOnce(t *testing.T, n int, fn func(i int) error) (passed, refused int) {
	t.Helper()
	errs := make([]error, n)
	ready := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			errs[i] = fn(i)
		}()
	}
	close(ready)
	wg.Wait()
	for i, err := range errs {
		switch wangge.ErrorCode(err) {
		case "":
			passed++
		case wangge.ERateLimited:
			refused++
		default:
			t.Errorf("call %d: %v, want success or %s", i, err, wangge.ERateLimited)
		}
	}
	return passed, refused
}
