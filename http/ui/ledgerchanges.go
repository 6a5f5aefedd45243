package ui

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/internal/pagekit"
)

// The ledger change proposals (issue 13): what visits found changed in the
// households, for community staff to confirm with one tap or refuse with a
// reason — and for an assistant to apply within their own grid — on a
// phone-first page. The store applies what a confirmation can apply and
// audits every decision on the household's change record.

// LedgerChangeStore is what the proposals' page uses of the store.
type LedgerChangeStore interface {
	ListLedgerChanges(ctx context.Context, s wangge.Scope, f wangge.LedgerChangeFilter) ([]wangge.LedgerChange, int, error)
	DecideLedgerChange(ctx context.Context, s wangge.Scope, d wangge.LedgerDecision) (*wangge.LedgerChange, error)
}

type ledgerChanges struct {
	core  *whttp.Server
	store LedgerChangeStore
}

// ledgerChangesPageSize is how many proposals one page lists.
const ledgerChangesPageSize = 30

func ledgerChangeRoutes(core *whttp.Server, store wangge.Store) []whttp.Route {
	ls, ok := store.(LedgerChangeStore)
	if !ok {
		panic("ui: the store keeps no ledger change proposals (it implements no ui.LedgerChangeStore)")
	}
	lc := &ledgerChanges{core: core, store: ls}
	return []whttp.Route{
		core.Page("GET /ledger-changes", wangge.PermViewPeople, lc.handleList),
		core.Page("POST /ledger-changes/{id}/confirm", wangge.PermEditPeople, lc.handleDecide(true)),
		core.Page("POST /ledger-changes/{id}/refuse", wangge.PermEditPeople, lc.handleDecide(false)),
	}
}

// ledgerChangesView is the list page's data.
type ledgerChangesView struct {
	Changes []wangge.LedgerChange
	State   string   // the filter: "" for every state
	States  []string // the filter's choices
	Pager   *pagekit.Pager
	Decided string // the state a decision just left a proposal in
	Error   string
	// FailedID and Reason keep a refusal's typed reason where it failed.
	FailedID int64
	Reason   string
}

func (lc *ledgerChanges) handleList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	state := q.Get("state")
	if _, given := q["state"]; !given {
		state = string(wangge.LedgerProposed) // the work to do
	}
	if state == "all" {
		state = ""
	}
	v := &ledgerChangesView{State: state, Decided: q.Get("decided")}
	if d := wangge.LedgerChangeState(v.Decided); d != wangge.LedgerApplied && d != wangge.LedgerConfirmed && d != wangge.LedgerRefused {
		v.Decided = ""
	}
	return lc.render(w, r, http.StatusOK, v)
}

func (lc *ledgerChanges) render(w http.ResponseWriter, r *http.Request, status int, v *ledgerChangesView) error {
	if v.State != "" && !wangge.LedgerChangeState(v.State).Valid() {
		v.State = string(wangge.LedgerProposed)
	}
	p, n, err := pagekit.PageOfSize(r, ledgerChangesPageSize)
	if err != nil {
		return err
	}
	list, total, err := lc.store.ListLedgerChanges(r.Context(), whttp.UserFrom(r.Context()).Scope(), wangge.LedgerChangeFilter{
		State: wangge.LedgerChangeState(v.State), Page: p})
	if err != nil {
		return err
	}
	v.Changes = list
	v.States = []string{"proposed", "confirmed", "applied", "refused", "all"}
	v.Pager = pagekit.NewPagerSize(r, n, total, ledgerChangesPageSize)
	title := lc.core.T(r, "ledger_changes.title")
	lc.core.Render(w, r, status, "ledger_changes", &whttp.View{Title: title, Crumbs: []whttp.Crumb{{Name: title}}, Data: v})
	return nil
}

// handleDecide confirms or refuses the proposal at the version the page
// showed, then shows the list again (PRG); a refusal the store turns down
// (no reason, decided meanwhile) shows the list with the reason kept.
func (lc *ledgerChanges) handleDecide(confirm bool) whttp.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pagekit.IDOf(r)
		if err != nil {
			return err
		}
		u := whttp.UserFrom(r.Context())
		version, _ := strconv.Atoi(r.PostFormValue("version"))
		reason := r.PostFormValue("reason")
		got, err := lc.store.DecideLedgerChange(r.Context(), u.Scope(), wangge.LedgerDecision{ID: id, Version: version, Confirm: confirm,
			Reason: reason, ByName: u.DisplayName})
		if code := wangge.ErrorCode(err); code == wangge.EInvalid || code == wangge.EConflict {
			msg := wangge.ErrorZh(err)
			if whttp.LangOf(r) == whttp.LangEn {
				msg = wangge.ErrorMessage(err)
			}
			return lc.render(w, r, whttp.Status(err), &ledgerChangesView{State: string(wangge.LedgerProposed), Error: msg, FailedID: id, Reason: reason})
		} else if err != nil {
			return err
		}
		http.Redirect(w, r, "/ledger-changes?decided="+url.QueryEscape(string(got.State)), http.StatusSeeOther)
		return nil
	}
}
