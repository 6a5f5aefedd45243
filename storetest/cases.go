package storetest

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

var caseTests = []test{
	{"CaseCreateNumbersSealsAndAudits", testCaseCreate},
	{"CaseIdempotencyKeyMakesOneCase", testCaseIdempotency},
	{"CaseListFiltersAndScope", testCaseList},
	{"CaseCoordinationChainToClose", testCaseChain},
	{"CaseConcurrentTransitionsOneWins", testCaseConcurrent},
	{"CaseOutOfScopeRefused", testCaseOutOfScope},
	{"CaseMergeSavesBothCases", testCaseMerge},
	{"CaseStatsByState", testCaseStats},
	{"CaseAttachmentsCleanedAndScoped", testCaseAttachments},
	{"CaseBoardFiltersAndOrder", testCaseBoard},
}

// The case actors of the fixture, by a short name; user ids are their own
// so a building head's reports are told from another's.
var caseActors = map[string]casework.Actor{
	"assistant_a1": {UserID: 11, Name: "assistant A1", Role: wangge.RoleAssistant, ScopeCode: GridA1},
	"assistant_a2": {UserID: 12, Name: "assistant A2", Role: wangge.RoleAssistant, ScopeCode: GridA2},
	"community_a":  {UserID: 13, Name: "community A", Role: wangge.RoleCommunityStaff, ScopeCode: CommunityA},
	"community_b":  {UserID: 14, Name: "community B", Role: wangge.RoleCommunityStaff, ScopeCode: CommunityB},
	"district":     {UserID: 15, Name: "district", Role: wangge.RoleDistrictAdmin, ScopeCode: District},
	"dept_city":    {UserID: 16, Name: "city management", Role: wangge.RoleDepartment, ScopeCode: District, Line: wangge.LineCity},
	"dept_civil":   {UserID: 17, Name: "civil affairs", Role: wangge.RoleDepartment, ScopeCode: District, Line: wangge.LineCivil},
	"head_a1":      {UserID: 18, Name: "head A1", Role: wangge.RoleBuildingHead, ScopeCode: GridA1},
	"head_a1b":     {UserID: 19, Name: "head A1b", Role: wangge.RoleBuildingHead, ScopeCode: GridA1},
	"auditor":      {UserID: 20, Name: "auditor", Role: wangge.RoleAuditor, ScopeCode: District},
}

const caseContact = "13900001111"

// category returns the problem type with the code.
func category(code string) casework.Category {
	for _, c := range casework.ProblemTypes {
		if c.Code == code {
			return c
		}
	}
	panic("no problem type " + code)
}

func caseDraft(grid string, m casework.Mechanism, cat, desc string) casework.Draft {
	d := casework.Draft{
		Source: casework.SourceVisit, Category: category(cat), Mechanism: m,
		Location:    casework.Location{GridCode: grid},
		Reporter:    casework.Reporter{Name: "reporter", Contact: caseContact},
		Description: desc,
	}
	if m == casework.General {
		d.Done = "done on the spot"
	}
	return d
}

// newCase creates a case that must be made.
func (e *env) newCase(t *testing.T, who string, d casework.Draft) *casework.Case {
	t.Helper()
	c, err := e.db.CreateCase(e.ctx, caseActors[who], d, "")
	ok(t, err, who, " creates a ", d.Mechanism, " case")
	return c
}

// step applies a transition that must pass and returns the case after it.
func (e *env) step(t *testing.T, who string, c *casework.Case, a casework.Action) *casework.Case {
	t.Helper()
	got, _, err := e.db.ApplyCase(e.ctx, caseActors[who], casework.Transition{Number: c.Number, Version: c.Version, Action: a})
	ok(t, err, who, " ", a.Name, " on ", c.Number)
	if got == nil {
		t.Fatalf("%s %s on %s: the case is out of sight after it", who, a.Name, c.Number)
	}
	return got
}

// caseAudit returns the audit actions about the case, oldest first.
func (e *env) caseAudit(t *testing.T, number string) []string {
	t.Helper()
	es, _, err := e.db.ListAudit(e.ctx, wangge.AuditFilter{Object: "case", ObjectID: number, Page: wangge.Page{Limit: wangge.MaxPageLimit}})
	ok(t, err)
	slices.SortFunc(es, func(a, b wangge.AuditEntry) int { return cmp.Compare(a.Seq, b.Seq) })
	var out []string
	for _, x := range es {
		out = append(out, x.Action)
	}
	return out
}

func (e *env) caseRows(t *testing.T) int {
	t.Helper()
	var n int
	ok(t, e.db.Reader().QueryRowContext(e.ctx, `SELECT COUNT(*) FROM cases`).Scan(&n))
	return n
}

func testCaseCreate(t *testing.T, e *env) {
	e.fixture()
	first := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "rubbish by the gate"))
	second := e.newCase(t, "community_b", caseDraft(GridB1, casework.General, "P14", "a loose handrail"))
	y1, s1, ok1 := casework.ParseNumber(first.Number)
	y2, s2, ok2 := casework.ParseNumber(second.Number)
	if !ok1 || !ok2 || y1 != y2 || s1 != 1 || s2 != 2 {
		t.Errorf("numbers %s, %s: want the district's first two of the year", first.Number, second.Number)
	}
	if first.State != casework.Accepted || second.State != casework.Handled || first.Version != 1 {
		t.Errorf("states %s, %s (version %d)", first.State, second.State, first.Version)
	}
	if first.Reporter.Contact == caseContact || first.Reporter.Contact == "" {
		t.Errorf("contact read back as %q, want it masked", first.Reporter.Contact)
	}
	if len(first.Events) != 1 || first.Events[0].Action != casework.ActCreate || first.Events[0].To != casework.Accepted {
		t.Errorf("timeline %+v, want the create", first.Events)
	}
	// The contact is sealed at rest: neither in its column nor in the document.
	rows, err := e.db.Reader().QueryContext(e.ctx, `SELECT doc, reporter_contact_enc FROM cases`)
	ok(t, err)
	defer rows.Close()
	for rows.Next() {
		var doc string
		var sealed []byte
		ok(t, rows.Scan(&doc, &sealed))
		if bytes.Contains([]byte(doc), []byte(caseContact)) || bytes.Contains(sealed, []byte(caseContact)) || sealed == nil {
			t.Errorf("the reporter's contact is not sealed at rest (document %s)", doc)
		}
	}
	ok(t, rows.Err())
	if !e.sealedColumnNames()["cases.reporter_contact_enc"] {
		t.Error("cases.reporter_contact_enc is not among the columns a key rotation re-seals")
	}
	if got := e.caseAudit(t, first.Number); len(got) != 1 || got[0] != "case.create" {
		t.Errorf("audit of the create: %v", got)
	}
	e.verifyAudit()
}

func testCaseIdempotency(t *testing.T, e *env) {
	e.fixture()
	d := caseDraft(GridA1, casework.Coordination, "P01", "rubbish by the gate")
	a := caseActors["assistant_a1"]
	first, err := e.db.CreateCase(e.ctx, a, d, "key-1")
	ok(t, err)
	retry, err := e.db.CreateCase(e.ctx, a, d, "key-1")
	ok(t, err, "the retry")
	if retry.Number != first.Number || retry.Reporter.Contact != first.Reporter.Contact || len(retry.Events) != 1 {
		t.Errorf("the retry gave %s (contact %q, %d events), want the first create's %s (%q)",
			retry.Number, retry.Reporter.Contact, len(retry.Events), first.Number, first.Reporter.Contact)
	}
	other := d
	other.Description = "something else"
	_, err = e.db.CreateCase(e.ctx, a, other, "key-1")
	wantCode(t, err, wangge.EConflict, "the same key with other content")
	// A key is the account's own: another account's same key is its own request.
	byOther, err := e.db.CreateCase(e.ctx, caseActors["community_a"], d, "key-1")
	ok(t, err)
	if byOther.Number == first.Number {
		t.Error("another account's key returned the first account's case")
	}
	if n := e.caseRows(t); n != 2 {
		t.Errorf("%d cases, want 2", n)
	}
	// Concurrent retries of one key still make one case.
	var wg sync.WaitGroup
	numbers := make([]string, 8)
	errs := make([]error, 8)
	for i := range numbers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := e.db.CreateCase(e.ctx, a, d, "key-2")
			errs[i] = err
			if err == nil {
				numbers[i] = c.Number
			}
		}()
	}
	wg.Wait()
	for i := range numbers {
		ok(t, errs[i], "concurrent retry ", i)
		if numbers[i] != numbers[0] {
			t.Errorf("concurrent retries made %s and %s", numbers[0], numbers[i])
		}
	}
	if n := e.caseRows(t); n != 3 {
		t.Errorf("%d cases after the concurrent retries, want 3", n)
	}
	e.verifyAudit()
}

func testCaseList(t *testing.T, e *env) {
	e.fixture()
	headsCase := caseDraft(GridA1, casework.Coordination, "P01", "rubbish by the gate")
	a1 := e.newCase(t, "head_a1", headsCase)
	a2 := e.newCase(t, "assistant_a2", caseDraft(GridA2, casework.Emergency, "P05", "a fight in the yard"))
	b1 := e.newCase(t, "community_b", caseDraft(GridB1, casework.Coordination, "P12", "an old man alone without heating"))
	numbers := func(cs []casework.Case) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Number)
		}
		return out
	}
	tests := []struct {
		who  string
		f    casework.Filter
		want []string // newest first
	}{
		{"district", casework.Filter{}, []string{b1.Number, a2.Number, a1.Number}},
		{"community_a", casework.Filter{}, []string{a2.Number, a1.Number}},
		{"community_b", casework.Filter{}, []string{b1.Number}},
		{"assistant_a1", casework.Filter{}, []string{a1.Number}},
		{"assistant_a2", casework.Filter{}, []string{a2.Number}},
		{"dept_city", casework.Filter{}, []string{a1.Number}},  // its line's
		{"dept_civil", casework.Filter{}, []string{b1.Number}}, // its line's
		{"head_a1", casework.Filter{}, []string{a1.Number}},    // what he reported
		{"head_a1b", casework.Filter{}, nil},
		{"auditor", casework.Filter{}, nil},
		{"district", casework.Filter{Area: CommunityA}, []string{a2.Number, a1.Number}},
		{"district", casework.Filter{Area: GridA2}, []string{a2.Number}},
		{"community_b", casework.Filter{Area: CommunityA}, nil}, // a filter widens nothing
		{"district", casework.Filter{State: casework.Reported}, []string{a2.Number}},
		{"district", casework.Filter{Mechanism: casework.Coordination}, []string{b1.Number, a1.Number}},
		{"district", casework.Filter{Category: "P12"}, []string{b1.Number}},
		{"district", casework.Filter{Page: wangge.Page{Limit: 1, Offset: 1}}, []string{a2.Number}},
	}
	for _, tc := range tests {
		got, total, err := e.db.ListCases(e.ctx, caseActors[tc.who], tc.f)
		ok(t, err, tc.who)
		if fmt.Sprint(numbers(got)) != fmt.Sprint(tc.want) {
			t.Errorf("%s lists %+v: %v, want %v", tc.who, tc.f, numbers(got), tc.want)
		}
		if tc.f.Limit == 0 && total != len(tc.want) {
			t.Errorf("%s lists %+v: total %d, want %d", tc.who, tc.f, total, len(tc.want))
		}
		if tc.f.Limit == 1 && total != 3 {
			t.Errorf("a page of the district's cases: total %d, want 3", total)
		}
	}
	// Dispatched to civil affairs, the city line's case shows in its list.
	c := e.step(t, "community_a", a1, casework.Action{Name: casework.ActDispatch,
		Receiver: &casework.Receiver{Kind: casework.ToDepartment, Line: wangge.LineCivil, Name: "civil affairs"}})
	got, _, err := e.db.ListCases(e.ctx, caseActors["dept_civil"], casework.Filter{})
	ok(t, err)
	if fmt.Sprint(numbers(got)) != fmt.Sprint([]string{b1.Number, c.Number}) {
		t.Errorf("civil affairs lists %v after the dispatch, want %v", numbers(got), []string{b1.Number, c.Number})
	}
	_, _, err = e.db.ListCases(e.ctx, caseActors["district"], casework.Filter{Area: "12345"})
	wantField(t, err, "area")
}

func testCaseChain(t *testing.T, e *env) {
	e.fixture()
	city := &casework.Receiver{Kind: casework.ToDepartment, Line: wangge.LineCity, Name: "city management"}
	civil := &casework.Receiver{Kind: casework.ToDepartment, Line: wangge.LineCivil, Name: "civil affairs"}
	c := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "rubbish by the gate"))
	steps := []struct {
		who  string
		act  casework.Action
		want casework.State
	}{
		{"community_a", casework.Action{Name: casework.ActDispatch, Receiver: civil}, casework.Dispatched},
		{"dept_civil", casework.Action{Name: casework.ActReturn, Note: "not ours: sanitation is city management's"}, casework.Returned},
		{"community_a", casework.Action{Name: casework.ActDispatch, Receiver: city}, casework.Dispatched},
		{"dept_city", casework.Action{Name: casework.ActAccept}, casework.InProgress},
		{"dept_city", casework.Action{Name: casework.ActHandle, Note: "cleared and disinfected"}, casework.Handled},
		{"community_a", casework.Action{Name: casework.ActVerify}, casework.Verified},
	}
	for _, s := range steps {
		if s.act.Name == casework.ActReturn {
			// The department that returns it keeps no sight of another
			// line's case: the store answers with the event alone.
			got, ev, err := e.db.ApplyCase(e.ctx, caseActors[s.who], casework.Transition{Number: c.Number, Version: c.Version, Action: s.act})
			ok(t, err, "return")
			if got != nil || ev.To != s.want {
				t.Errorf("return: case %v, event to %s", got, ev.To)
			}
			c, err = e.db.Case(e.ctx, caseActors["community_a"], c.Number)
			ok(t, err)
			continue
		}
		c = e.step(t, s.who, c, s.act)
		if c.State != s.want {
			t.Errorf("%s %s: state %s, want %s", s.who, s.act.Name, c.State, s.want)
		}
	}
	// No close before the reporter was told: refused, and nothing written.
	_, _, err := e.db.ApplyCase(e.ctx, caseActors["community_a"], casework.Transition{Number: c.Number, Version: c.Version, Action: casework.Action{Name: casework.ActClose}})
	if we := wantCode(t, err, wangge.EConflict, "close without feedback"); we != nil && we.Key != "error.case.no_feedback" {
		t.Errorf("close without feedback refused with %s, want error.case.no_feedback", we.Key)
	}
	c = e.step(t, "community_a", c, casework.Action{Name: casework.ActFeedback, Channel: casework.ChannelPhone, Note: "cleared, thank you"})
	c = e.step(t, "community_a", c, casework.Action{Name: casework.ActClose})
	if c.State != casework.Closed || c.Redispatches != 1 || !c.AllTold() {
		t.Errorf("closed case: state %s, redispatches %d, told %v", c.State, c.Redispatches, c.AllTold())
	}
	want := []string{"create", "dispatch", "return", "dispatch", "accept", "handle", "verify", "feedback", "close"}
	var got []string
	for i, ev := range c.Events {
		got = append(got, string(ev.Action))
		if ev.Seq != i+1 {
			t.Errorf("event %d has seq %d", i, ev.Seq)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("timeline %v, want %v", got, want)
	}
	if c.Events[2].Note == "" || c.Events[2].Receiver == nil || c.Events[2].Receiver.Line != wangge.LineCivil {
		t.Errorf("the return's event lost its reason or receiver: %+v", c.Events[2])
	}
	if f := c.Events[7].Feedback; f == nil || f.Channel != casework.ChannelPhone {
		t.Errorf("the feedback's event lost what it carried: %+v", c.Events[7])
	}
	if c.Version != len(want) {
		t.Errorf("version %d after %d writes", c.Version, len(want))
	}
	audit := e.caseAudit(t, c.Number)
	var wantAudit []string
	for _, a := range want {
		wantAudit = append(wantAudit, "case."+a)
	}
	if fmt.Sprint(audit) != fmt.Sprint(wantAudit) {
		t.Errorf("audit %v, want %v", audit, wantAudit)
	}
	// Each entry names who acted, as the engine saw them.
	es, _, err := e.db.ListAudit(e.ctx, wangge.AuditFilter{Object: "case", ObjectID: c.Number, Action: "case.return"})
	ok(t, err)
	if civil := caseActors["dept_civil"]; len(es) != 1 || es[0].UserID != civil.UserID || es[0].Role != civil.Role {
		t.Errorf("the return's audit entry: %+v, want user %d (%s)", es, civil.UserID, civil.Role)
	}
	e.verifyAudit()
}

func testCaseConcurrent(t *testing.T, e *env) {
	e.fixture()
	c := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "rubbish by the gate"))
	receivers := []*casework.Receiver{
		{Kind: casework.ToDepartment, Line: wangge.LineCity, Name: "city management"},
		{Kind: casework.ToOutside, Name: "property manager"},
	}
	errs := make([]error, len(receivers))
	var wg sync.WaitGroup
	for i, r := range receivers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = e.db.ApplyCase(e.ctx, caseActors["community_a"], casework.Transition{Number: c.Number, Version: c.Version,
				Action: casework.Action{Name: casework.ActDispatch, Receiver: r}})
		}()
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won < 0:
			won = i
		case err == nil:
			t.Errorf("both dispatches passed")
		case !errors.Is(err, wangge.ErrConflict):
			t.Errorf("the losing dispatch: %v, want ErrConflict", err)
		}
	}
	if won < 0 {
		t.Fatal("neither dispatch passed")
	}
	got, err := e.db.Case(e.ctx, caseActors["community_a"], c.Number)
	ok(t, err)
	if got.Version != 2 || len(got.Events) != 2 || got.Receiver == nil || *got.Receiver != *receivers[won] {
		t.Errorf("after the race: version %d, %d events, receiver %+v; want the winner's %+v", got.Version, len(got.Events), got.Receiver, receivers[won])
	}
	// The loser, told, reads again and acts on what is there: nothing lost.
	got = e.step(t, "district", got, casework.Action{Name: casework.ActSupervise, Note: "the loser's note, on the new version"})
	if len(got.Events) != 3 {
		t.Errorf("%d events, want 3", len(got.Events))
	}
	// A stale version is refused and changes nothing.
	_, _, err = e.db.ApplyCase(e.ctx, caseActors["community_a"], casework.Transition{Number: c.Number, Version: 1,
		Action: casework.Action{Name: casework.ActSupervise, Note: "stale"}})
	if !errors.Is(err, wangge.ErrConflict) {
		t.Errorf("stale version: %v, want ErrConflict", err)
	}
	if a := e.caseAudit(t, c.Number); len(a) != 3 {
		t.Errorf("audit %v, want the create and two transitions", a)
	}
	e.verifyAudit()
}

func testCaseOutOfScope(t *testing.T, e *env) {
	e.fixture()
	c := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "rubbish by the gate"))
	for _, who := range []string{"community_b", "assistant_a2", "dept_civil", "head_a1b", "auditor"} {
		_, err := e.db.Case(e.ctx, caseActors[who], c.Number)
		if !errors.Is(err, wangge.ErrNotFound) {
			t.Errorf("%s reads an unseen case: %v, want ErrNotFound", who, err)
		}
		_, _, err = e.db.ApplyCase(e.ctx, caseActors[who], casework.Transition{Number: c.Number, Version: c.Version,
			Action: casework.Action{Name: casework.ActSupervise, Note: "look"}})
		if !errors.Is(err, wangge.ErrNotFound) {
			t.Errorf("%s changes an unseen case: %v, want ErrNotFound", who, err)
		}
	}
	// A department may raise another line's problem: it gets the case it
	// made, and sees it no more.
	made, err := e.db.CreateCase(e.ctx, caseActors["dept_city"], caseDraft(GridA1, casework.Coordination, "P12", "a neighbour in hardship"), "")
	ok(t, err, "a department raises another line's problem")
	if made == nil || made.State != casework.Accepted || made.Reporter.Contact == caseContact {
		t.Errorf("the department's new case: %+v", made)
	} else if _, err := e.db.Case(e.ctx, caseActors["dept_city"], made.Number); !errors.Is(err, wangge.ErrNotFound) {
		t.Errorf("the department reads another line's case: %v, want ErrNotFound", err)
	}
	// Seen but not the role's to take: refused by the engine, nothing written.
	_, _, err = e.db.ApplyCase(e.ctx, caseActors["dept_city"], casework.Transition{Number: c.Number, Version: c.Version,
		Action: casework.Action{Name: casework.ActAccept}})
	wantCode(t, err, wangge.EForbidden, "a department accepts a case not dispatched to it")
	// A case raised outside the actor's area, or in no grid, is not made
	// and takes no number.
	_, err = e.db.CreateCase(e.ctx, caseActors["assistant_a1"], caseDraft(GridB1, casework.Coordination, "P01", "elsewhere"), "")
	wantCode(t, err, wangge.EForbidden, "a case in another community's grid")
	_, err = e.db.CreateCase(e.ctx, caseActors["community_a"], caseDraft(GridA3, casework.Coordination, "P01", "nowhere"), "")
	wantField(t, err, "grid_code", "a grid that does not exist")
	next := e.newCase(t, "community_a", caseDraft(GridA2, casework.Coordination, "P01", "the next one"))
	if _, seq, _ := casework.ParseNumber(next.Number); seq != 3 {
		t.Errorf("the next case is %s: refused creates took numbers", next.Number)
	}
	got, err := e.db.Case(e.ctx, caseActors["district"], c.Number)
	ok(t, err)
	if got.Version != 1 || len(got.Events) != 1 {
		t.Errorf("refused writes changed the case: version %d, %d events", got.Version, len(got.Events))
	}
	e.verifyAudit()
}

func testCaseMerge(t *testing.T, e *env) {
	e.fixture()
	dup := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "rubbish by the gate"))
	into := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "rubbish at the gate again"))
	got, _, err := e.db.ApplyCase(e.ctx, caseActors["community_a"], casework.Transition{Number: dup.Number, Version: dup.Version,
		Action: casework.Action{Name: casework.ActMerge, Note: "the same heap"}, Into: into.Number})
	ok(t, err)
	if got.State != casework.Merged || got.MergedInto != into.Number {
		t.Errorf("duplicate: state %s, merged into %q", got.State, got.MergedInto)
	}
	into, err = e.db.Case(e.ctx, caseActors["community_a"], into.Number)
	ok(t, err)
	if into.Version != 2 || len(into.Duplicates) != 1 || into.Duplicates[0].Number != dup.Number || into.Events[len(into.Events)-1].Ref != dup.Number {
		t.Errorf("the case merged into: version %d, duplicates %+v", into.Version, into.Duplicates)
	}
	// The duplicate's reporter left a contact, so "no contact" is refused
	// for him too: the store gave the engine his contact.
	into = e.step(t, "community_a", into, casework.Action{Name: casework.ActDispatch, Receiver: &casework.Receiver{Kind: casework.ToOutside, Name: "property manager"}})
	into = e.step(t, "community_a", into, casework.Action{Name: casework.ActAccept})
	into = e.step(t, "community_a", into, casework.Action{Name: casework.ActHandle, Note: "the property manager cleared it"})
	into = e.step(t, "community_a", into, casework.Action{Name: casework.ActVerify})
	_, _, err = e.db.ApplyCase(e.ctx, caseActors["community_a"], casework.Transition{Number: into.Number, Version: into.Version,
		Action: casework.Action{Name: casework.ActFeedback, To: dup.Number, NoContact: true}})
	if we := wantCode(t, err, wangge.EInvalid, "no contact for a reporter who left one"); we != nil && we.Key != "error.case.has_contact" {
		t.Errorf("no contact refused with %s, want error.case.has_contact", we.Key)
	}
	other := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "a third report"))
	_, _, err = e.db.ApplyCase(e.ctx, caseActors["community_a"], casework.Transition{Number: other.Number, Version: other.Version,
		Action: casework.Action{Name: casework.ActMerge, Note: "again"}, Into: "2026-999999"})
	wantField(t, err, "into", "merge into a case that does not exist")
	e.verifyAudit()
}

func testCaseStats(t *testing.T, e *env) {
	e.fixture()
	e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "one"))
	e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "two"))
	e.newCase(t, "community_b", caseDraft(GridB1, casework.General, "P14", "three"))
	st, err := e.db.Stats(e.ctx, wangge.ScopeAll())
	ok(t, err)
	if fmt.Sprint(st.Cases) != fmt.Sprint(map[string]int{"accepted": 2, "handled": 1}) {
		t.Errorf("cases by state: %v", st.Cases)
	}
	st, err = e.db.Stats(e.ctx, wangge.ScopeOf(CommunityB))
	ok(t, err)
	if fmt.Sprint(st.Cases) != fmt.Sprint(map[string]int{"handled": 1}) {
		t.Errorf("community B's cases by state: %v", st.Cases)
	}
}

// photoWithEXIF is a small JPEG with an EXIF segment holding marker, as a
// phone writes the location and the camera beside the pixels.
func photoWithEXIF(t *testing.T, marker string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(3, 3, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	ok(t, jpeg.Encode(&b, img, nil))
	payload := append([]byte("Exif\x00\x00"), marker...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	data := b.Bytes()
	return append(append(append([]byte{}, data[:2]...), append(seg, payload...)...), data[2:]...)
}

func testCaseAttachments(t *testing.T, e *env) {
	e.fixture()
	const marker = "GPSLatitude=31.2304"
	c := e.newCase(t, "head_a1", caseDraft(GridA1, casework.Coordination, "P01", "rubbish by the gate"))
	photo := photoWithEXIF(t, marker)
	at, err := e.db.AttachToCase(e.ctx, caseActors["head_a1"], c.Number, "IMG_0001.JPG", photo)
	ok(t, err, "the reporter attaches a photo")
	if at.ContentType != "image/jpeg" || at.Name != "IMG_0001.jpg" || at.ID == 0 {
		t.Errorf("attachment %+v", at)
	}
	list, err := e.db.CaseAttachments(e.ctx, caseActors["community_a"], c.Number)
	ok(t, err)
	if len(list) != 1 || list[0].ID != at.ID || list[0].Size != at.Size {
		t.Errorf("the community lists %+v", list)
	}
	got, data, err := e.db.CaseAttachment(e.ctx, caseActors["assistant_a1"], c.Number, at.ID)
	ok(t, err)
	sum := sha256.Sum256(data)
	if bytes.Contains(data, []byte(marker)) || len(data) != got.Size || !bytes.Equal(sum[:], got.SHA256) {
		t.Errorf("the kept photo: %d bytes (size %d), EXIF kept %v", len(data), got.Size, bytes.Contains(data, []byte(marker)))
	}
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		t.Errorf("the kept photo does not decode: %v", err)
	}
	_, err = e.db.AttachToCase(e.ctx, caseActors["assistant_a1"], c.Number, "photo.jpg", []byte("<html><script>alert(1)</script></html>"))
	wantField(t, err, "file", "a page named like a photo")
	for _, who := range []string{"community_b", "head_a1b", "dept_civil"} {
		if _, err := e.db.AttachToCase(e.ctx, caseActors[who], c.Number, "x.jpg", photo); !errors.Is(err, wangge.ErrNotFound) {
			t.Errorf("%s attaches to an unseen case: %v", who, err)
		}
		if _, err := e.db.CaseAttachments(e.ctx, caseActors[who], c.Number); !errors.Is(err, wangge.ErrNotFound) {
			t.Errorf("%s lists an unseen case's attachments: %v", who, err)
		}
		if _, _, err := e.db.CaseAttachment(e.ctx, caseActors[who], c.Number, at.ID); !errors.Is(err, wangge.ErrNotFound) {
			t.Errorf("%s reads an unseen case's attachment: %v", who, err)
		}
	}
	// An attachment is read through its own case only.
	other := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.General, "P14", "a loose handrail"))
	if _, _, err := e.db.CaseAttachment(e.ctx, caseActors["assistant_a1"], other.Number, at.ID); !errors.Is(err, wangge.ErrNotFound) {
		t.Errorf("another case's attachment read through this one: %v", err)
	}
	// A closed case takes none.
	other = e.step(t, "assistant_a1", other, casework.Action{Name: casework.ActFeedback, Channel: casework.ChannelPhone, Note: "fixed"})
	other = e.step(t, "assistant_a1", other, casework.Action{Name: casework.ActClose})
	_, err = e.db.AttachToCase(e.ctx, caseActors["assistant_a1"], other.Number, "late.jpg", photo)
	wantCode(t, err, wangge.EConflict, "an attachment to a closed case")
	if a := e.caseAudit(t, c.Number); fmt.Sprint(a) != "[case.create case.attach]" {
		t.Errorf("audit of the case: %v", a)
	}
	e.verifyAudit()
}

func testCaseBoard(t *testing.T, e *env) {
	e.fixture()
	now := time.Date(2026, 5, 11, 2, 0, 0, 0, time.UTC) // a Monday, 10:00 in Beijing
	e.db.SetClock(func() time.Time { return now })
	later := func(d time.Duration) { now = now.Add(d) }
	old := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "the oldest"))
	later(time.Hour)
	em := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Emergency, "P06", "smoke from a window"))
	later(time.Minute)
	soon := e.newCase(t, "assistant_a2", caseDraft(GridA2, casework.Coordination, "P01", "a newer one"))
	later(time.Minute)
	done := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.General, "P14", "done at once"))
	done = e.step(t, "assistant_a1", done, casework.Action{Name: casework.ActFeedback, Channel: casework.ChannelPhone, Note: "fixed"})
	e.step(t, "assistant_a1", done, casework.Action{Name: casework.ActClose})
	e.step(t, "community_a", soon, casework.Action{Name: casework.ActDispatch,
		Receiver: &casework.Receiver{Kind: casework.ToDepartment, Line: wangge.LineCivil, Name: "civil affairs"}})
	// Nobody acknowledged the emergency in time: it goes up to the sub-district.
	later(15 * time.Minute)
	_, _, err := e.db.ApplyCase(e.ctx, casework.Actor{Role: wangge.RoleSystem}, casework.Transition{Number: em.Number, Version: em.Version,
		Action: casework.Action{Name: casework.ActEscalate}})
	ok(t, err, "the escalation")
	tests := []struct {
		name string
		f    casework.Filter
		want []string
	}{
		{"newest first", casework.Filter{}, []string{done.Number, soon.Number, em.Number, old.Number}},
		// The dispatch gave soon four working hours to be accepted, due
		// before old's dispatch deadline at the next day's close.
		{"the board's order", casework.Filter{Board: true}, []string{em.Number, soon.Number, old.Number, done.Number}},
		{"open", casework.Filter{Open: true}, []string{soon.Number, em.Number, old.Number}},
		{"overdue", casework.Filter{DueBefore: now}, nil},
		{"due before 17:17 tomorrow", casework.Filter{DueBefore: now.Add(30 * time.Hour), Board: true}, []string{em.Number, soon.Number}},
		{"escalated", casework.Filter{Level: wangge.LevelSubdistrict}, []string{em.Number}},
		{"the community's", casework.Filter{Level: wangge.LevelCommunity}, []string{done.Number, soon.Number, old.Number}},
		{"civil affairs' inbox", casework.Filter{Receiver: wangge.LineCivil}, []string{soon.Number}},
		{"city management's inbox", casework.Filter{Receiver: wangge.LineCity}, nil},
	}
	for _, tc := range tests {
		got, total, err := e.db.ListCases(e.ctx, caseActors["district"], tc.f)
		ok(t, err, tc.name)
		var numbers []string
		for _, c := range got {
			numbers = append(numbers, c.Number)
		}
		if fmt.Sprint(numbers) != fmt.Sprint(tc.want) || total != len(tc.want) {
			t.Errorf("%s: %v (total %d), want %v", tc.name, numbers, total, tc.want)
		}
	}
}
