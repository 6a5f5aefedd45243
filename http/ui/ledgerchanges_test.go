package ui

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/http/internal/webtest"
)

// proposeOnVisit records a visit of grid A's assistant to household A1
// an hour ago by the store's clock (this fixture's is the real one) that
// proposes the changes, and returns the proposals' ids in order.
func (f *fixture) proposeOnVisit(t *testing.T, changes ...wangge.LedgerChange) []int64 {
	t.Helper()
	type visitStore interface {
		GridAssistant(ctx context.Context, grid string) (*wangge.Assistant, error)
		RecordVisit(ctx context.Context, s wangge.Scope, a casework.Actor, v *wangge.Visit, changes []wangge.LedgerChange, d *casework.Draft, key string) (wangge.VisitAnswer, bool, error)
	}
	vs := f.store.(visitStore)
	ctx := wangge.WithActor(context.Background(), wangge.Actor{UserID: 1, Username: "xie", Role: wangge.RoleAssistant})
	as, err := vs.GridAssistant(ctx, webtest.GridA)
	if err != nil {
		t.Fatal(err)
	}
	hid := f.householdA1.ID
	ans, _, err := vs.RecordVisit(ctx, wangge.ScopeOf(webtest.GridA), casework.Actor{UserID: 1, Name: "周敏", Role: wangge.RoleAssistant, ScopeCode: webtest.GridA},
		&wangge.Visit{AssistantID: as.ID, HouseholdID: &hid, At: time.Now().Add(-time.Hour)}, changes, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, p := range ans.Proposals {
		ids = append(ids, p.ID)
	}
	return ids
}

// TestLedgerChangesPageConfirmsWithOneTapAndRefusesWithAReason: staff see
// the proposals waiting, with the household and who proposed it; one tap
// confirms (a new phone goes into the ledger), a refusal without a reason
// is shown again with the form open, one with a reason is kept; the
// household's change record shows each decision.
func TestLedgerChangesPageConfirmsWithOneTapAndRefusesWithAReason(t *testing.T) {
	f := newFixture(t)
	persons, _, err := f.store.ListPersons(context.Background(), wangge.ScopeAll(), wangge.PersonFilter{HouseholdID: f.householdA1.ID})
	if err != nil || len(persons) == 0 {
		t.Fatal("no persons", err)
	}
	ids := f.proposeOnVisit(t,
		wangge.LedgerChange{Kind: wangge.LedgerPhone, PersonID: &persons[0].ID, Detail: "13800004321"},
		wangge.LedgerChange{Kind: wangge.LedgerMoveIn, Name: "租户小李"})
	h := f.server(t).Handler()
	c := login(t, h, "dongyuan")

	w := req{path: "/ledger-changes", cookie: c}.do(t, h)
	wantStatus(t, "the list", w, 200)
	webtest.CheckHeadersAndScripts(t, w)
	body := w.Body.String()
	wantBody(t, "the list", w, "台账变更确认", "新电话", "迁入", "租户小李", "东苑1号楼 101", "周敏", persons[0].Name,
		fmt.Sprintf(`action="/ledger-changes/%d/confirm"`, ids[0]))
	if strings.Contains(body, "13800004321") {
		t.Error("the list shows the proposed phone in full")
	}

	w = req{method: "POST", path: fmt.Sprintf("/ledger-changes/%d/confirm", ids[0]), form: url.Values{"version": {"1"}}, cookie: c}.do(t, h)
	wantStatus(t, "confirm", w, 303)
	if loc := w.Header().Get("Location"); loc != "/ledger-changes?decided=applied" {
		t.Errorf("after confirming: Location %q", loc)
	}
	w = req{path: "/ledger-changes?decided=applied", cookie: c}.do(t, h)
	wantBody(t, "after confirming", w, "已写入台账。")
	if strings.Contains(w.Body.String(), fmt.Sprintf(`data-change="%d"`, ids[0])) {
		t.Error("the confirmed change is still waiting")
	}

	w = req{method: "POST", path: fmt.Sprintf("/ledger-changes/%d/refuse", ids[1]), form: url.Values{"version": {"1"}, "reason": {" "}}, cookie: c}.do(t, h)
	wantStatus(t, "refuse without a reason", w, 400)
	wantBody(t, "refuse without a reason", w, `role="alert"`, "请填写理由")
	w = req{method: "POST", path: fmt.Sprintf("/ledger-changes/%d/refuse", ids[1]), form: url.Values{"version": {"1"}, "reason": {"只是来访亲戚"}}, cookie: c}.do(t, h)
	wantStatus(t, "refuse", w, 303)
	w = req{path: "/ledger-changes?state=refused", cookie: c}.do(t, h)
	wantBody(t, "the refused", w, "只是来访亲戚", "东苑社区工作人员")

	w = req{method: "POST", path: fmt.Sprintf("/ledger-changes/%d/confirm", ids[1]), form: url.Values{"version": {"1"}}, cookie: c}.do(t, h)
	wantStatus(t, "a decided change again", w, 409)

	w = req{path: fmt.Sprintf("/households/%d", f.householdA1.ID), cookie: c}.do(t, h)
	wantBody(t, "the household's change record", w, "走访提出台账变更", "台账变更已入账", "退回台账变更")
}
