package http

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

// The workbench's entries of the authorization matrix (issue 13). A visit
// is recorded by an assistant's account only (the matrix's assistant is
// linked to the fixture's assistant of grid A): staff may edit people but
// make no visits (403). Each decision on a proposal takes a fresh one, so
// every allowed account decides one of its own.

// workbenchStore is what the matrix's planting uses of the store.
type workbenchStore interface {
	GridAssistant(ctx context.Context, grid string) (*wangge.Assistant, error)
	RecordVisit(ctx context.Context, s wangge.Scope, a casework.Actor, v *wangge.Visit, changes []wangge.LedgerChange, d *casework.Draft, key string) (wangge.VisitAnswer, bool, error)
}

// matrixProposals are the planted proposals not yet decided.
var matrixProposals struct {
	sync.Mutex
	ids []int64
}

// matrixAssistantID is the fixture's assistant of grid A, whom the
// matrix's assistant account is linked to.
func matrixAssistantID(t *testing.T, f *fixture) *int64 {
	t.Helper()
	ws, ok := f.store.(workbenchStore)
	if !ok {
		t.Fatal("the fixture's store keeps no workbench")
	}
	a, err := ws.GridAssistant(context.Background(), gridA)
	if err != nil {
		t.Fatal(err)
	}
	return &a.ID
}

// plantProposals records visits to household A1 with n proposals to
// decide.
func plantProposals(t *testing.T, f *fixture, n int) {
	t.Helper()
	ws := f.store.(workbenchStore)
	hid := f.householdA1.ID
	matrixProposals.Lock()
	defer matrixProposals.Unlock()
	matrixProposals.ids = nil
	for len(matrixProposals.ids) < n {
		changes := make([]wangge.LedgerChange, min(n-len(matrixProposals.ids), wangge.VisitChangesMax))
		for i := range changes {
			changes[i] = wangge.LedgerChange{Kind: wangge.LedgerOther, Detail: fmt.Sprintf("matrix %d", i)}
		}
		ans, _, err := ws.RecordVisit(context.Background(), wangge.ScopeOf(gridA), casework.Actor{UserID: 1, Role: wangge.RoleAssistant, ScopeCode: gridA},
			&wangge.Visit{AssistantID: *matrixAssistantID(t, f), HouseholdID: &hid, At: time.Now().Add(-time.Hour)}, changes, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ans.Proposals {
			matrixProposals.ids = append(matrixProposals.ids, p.ID)
		}
	}
}

// nextProposal takes the next planted proposal.
func nextProposal() int64 {
	matrixProposals.Lock()
	defer matrixProposals.Unlock()
	id := int64(0)
	if len(matrixProposals.ids) > 0 {
		id, matrixProposals.ids = matrixProposals.ids[0], matrixProposals.ids[1:]
	}
	return id
}

// decide is the API's decision on the next planted proposal.
func decide(verb string, body string) target {
	return func(o objects) (string, string, url.Values) {
		return "POST", fmt.Sprintf("/api/v1/ledger-changes/%d/%s", nextProposal(), verb), url.Values{jsonBodyKey: {body}}
	}
}

// decidePage is the page's decision (a form) on the next planted proposal.
func decidePage(verb string, form url.Values) target {
	return func(o objects) (string, string, url.Values) {
		return "POST", fmt.Sprintf("/ledger-changes/%d/%s", nextProposal(), verb), form
	}
}

func init() {
	visit := func(o objects) (string, string, url.Values) {
		body := fmt.Sprintf(`{"household_id":%s,"at":%q,"purpose":"matrix","met":"head","clears":{}}`, o.household, time.Now().Add(-time.Hour).Format(time.RFC3339))
		return "POST", "/api/v1/visits", url.Values{jsonBodyKey: {body}}
	}
	for pattern, m := range map[string]matrixRoute{
		// The day of a grid: a grid outside the scope is not found.
		"GET /api/v1/workbench": {allow: peopleRoles, in: get("/api/v1/workbench?grid={grid}"), out: get("/api/v1/workbench?grid={grid}")},
		"POST /api/v1/visits":   {allow: "m.xieliyuan", in: visit},
		// The proposals in the scope (outside it the list is empty).
		"GET /api/v1/ledger-changes": {allow: peopleRoles, in: get("/api/v1/ledger-changes?grid={grid}")},
		"POST /api/v1/ledger-changes/{id}/confirm": {allow: peopleRoles, in: decide("confirm", `{"version":1}`),
			out: postJSON("/api/v1/ledger-changes/999999/confirm", `{"version":1}`)},
		"POST /api/v1/ledger-changes/{id}/refuse": {allow: peopleRoles, in: decide("refuse", `{"version":1,"reason":"matrix refusal"}`),
			out: postJSON("/api/v1/ledger-changes/999999/refuse", `{"version":1,"reason":"matrix refusal"}`)},
		// The proposals' page.
		"GET /ledger-changes": {allow: peopleRoles, in: get("/ledger-changes")},
		"POST /ledger-changes/{id}/confirm": {allow: peopleRoles, in: decidePage("confirm", url.Values{"version": {"1"}}),
			out: post("/ledger-changes/999999/confirm", url.Values{"version": {"1"}})},
		"POST /ledger-changes/{id}/refuse": {allow: peopleRoles, in: decidePage("refuse", url.Values{"version": {"1"}, "reason": {"matrix refusal"}}),
			out: post("/ledger-changes/999999/refuse", url.Values{"version": {"1"}, "reason": {"matrix refusal"}})},
	} {
		authzMatrix[pattern] = m
	}
}
