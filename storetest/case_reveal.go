package storetest

import (
	"encoding/json"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

var caseRevealTests = []test{
	{"CaseRevealContactAuditedAndScoped", testCaseReveal},
	{"CaseRevealSharesThePersonRevealLimit", testCaseRevealLimit},
}

// testCaseReveal: the reporter's contact comes out in clear only through
// RevealCaseContact, with a reason the audit entry keeps; a case out of
// sight, a missing reason and a case without a contact reveal nothing and
// record nothing.
func testCaseReveal(t *testing.T, e *env) {
	e.fixture()
	c := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "rubbish by the gate"))
	if c.Reporter.Contact == caseContact {
		t.Fatalf("CreateCase returned the contact in clear")
	}
	silent := caseDraft(GridA1, casework.Coordination, "P02", "a broken bench")
	silent.Reporter = casework.Reporter{Anonymous: true}
	none := e.newCase(t, "assistant_a1", silent)

	before := e.auditCount()
	refusals := []struct {
		name, who, number, reason string
		code                      string
	}{
		{"no reason", "community_a", c.Number, " ", wangge.EInvalid},
		{"other community", "community_b", c.Number, "回访报告人", wangge.ENotFound},
		{"another line's department", "dept_civil", c.Number, "回访报告人", wangge.ENotFound},
		{"no such case", "community_a", "2026-999999", "回访报告人", wangge.ENotFound},
		{"no contact", "community_a", none.Number, "回访报告人", wangge.EInvalid},
	}
	for _, r := range refusals {
		got, err := e.db.RevealCaseContact(e.ctx, caseActors[r.who], r.number, r.reason)
		wantCode(t, err, r.code, r.name)
		if got != "" {
			t.Errorf("%s: revealed %q", r.name, got)
		}
	}
	if n := e.auditCount(); n != before {
		t.Errorf("the refused reveals wrote %d audit entries", n-before)
	}

	for _, who := range []string{"community_a", "assistant_a1", "dept_city"} {
		got, err := e.db.RevealCaseContact(e.ctx, caseActors[who], c.Number, "回访报告人")
		ok(t, err, who, " reveals")
		if got != caseContact {
			t.Errorf("%s: revealed %q, want %q", who, got, caseContact)
		}
		a := e.lastAudit()
		var detail map[string]string
		_ = json.Unmarshal([]byte(a.Detail), &detail)
		if a.Action != "case.reveal" || a.Object != "case" || a.ObjectID != c.Number || a.GridCode != GridA1 ||
			a.UserID != caseActors[who].UserID || detail["reason"] != "回访报告人" {
			t.Errorf("%s: audit entry %+v, want case.reveal of %s with the reason", who, a, c.Number)
		}
	}
	// An ordinary read stays masked after a reveal.
	read, err := e.db.Case(e.ctx, caseActors["community_a"], c.Number)
	ok(t, err)
	if read.Reporter.Contact == caseContact || read.Reporter.Contact == "" {
		t.Errorf("Case after a reveal: contact %q, want it masked", read.Reporter.Contact)
	}
	e.verifyAudit()
}

// testCaseRevealLimit: reporters' contacts and residents' numbers count
// against one hourly limit per account; the refusal records nothing.
func testCaseRevealLimit(t *testing.T, e *env) {
	f := e.fixture()
	c := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "rubbish by the gate"))
	staff := caseActors["community_a"]
	// The request's account is the case actor, as a page's session makes it.
	ctx := wangge.WithActor(e.ctx, wangge.Actor{UserID: staff.UserID, Username: "community_a", Role: staff.Role, Addr: "127.0.0.1"})
	_, err := e.db.RevealPerson(ctx, wangge.ScopeOf(CommunityA), f.PA1.ID, "核对身份")
	ok(t, err, "a person's reveal")
	for i := 1; i < wangge.RevealsPerHour; i++ {
		_, err := e.db.RevealCaseContact(ctx, staff, c.Number, "回访报告人")
		ok(t, err, "case reveal ", i)
	}
	before := e.auditCount()
	_, err = e.db.RevealCaseContact(ctx, staff, c.Number, "回访报告人")
	wantCode(t, err, wangge.ERateLimited, "the reveal over the limit")
	_, err = e.db.RevealPerson(ctx, wangge.ScopeOf(CommunityA), f.PA1.ID, "核对身份")
	wantCode(t, err, wangge.ERateLimited, "a person's reveal over the limit")
	if n := e.auditCount(); n != before {
		t.Errorf("the refused reveals wrote %d audit entries", n-before)
	}
	// Another account has its own limit.
	other := caseActors["assistant_a1"]
	octx := wangge.WithActor(e.ctx, wangge.Actor{UserID: other.UserID, Username: "assistant_a1", Role: other.Role})
	if _, err := e.db.RevealCaseContact(octx, other, c.Number, "回访报告人"); err != nil {
		t.Errorf("another account's reveal: %v", err)
	}
}
