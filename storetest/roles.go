package storetest

import (
	"context"
	"testing"

	"github.com/wangge/wangge"
)

var roleTests = []test{
	{"RevealIsLimitedPerUserPerHour", testRevealLimit},
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
