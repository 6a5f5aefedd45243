package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

// TestResidentsLedgerFindsWhatThePagesShow: on the demo district, a
// household is found by its dwelling and household number typed exactly as
// the pages show them, and by a member's ID number (typed with spaces); the
// ID number search is audited under the searcher's name with the number
// masked, and finds nothing outside the searcher's scope.
func TestResidentsLedgerFindsWhatThePagesShow(t *testing.T) {
	store, accounts := demoDistrict(t, 0.02)
	h := demoServer(t, store).Handler()
	staff := accounts["shequ"]
	cookie := loginWith(t, h, staff.Username, staff.Password)
	ctx := wangge.WithActor(context.Background(), wangge.Actor{Username: "test", Role: wangge.RoleSystem})
	u, err := store.UserByUsername(ctx, staff.Username)
	if err != nil {
		t.Fatal(err)
	}
	hs, _, err := store.ListHouseholds(ctx, u.Scope(), wangge.HouseholdFilter{Page: wangge.Page{Offset: 37, Limit: 1}})
	if err != nil || len(hs) != 1 {
		t.Fatalf("a household of the demo: %v %v", hs, err)
	}
	target := hs[0]
	if target.Entrance == "" || len(target.Number) != 19 {
		t.Fatalf("the demo's household %+v has no entrance or no 19-digit number", target.Household)
	}
	ps, _, err := store.ListPersons(ctx, u.Scope(), wangge.PersonFilter{HouseholdID: target.ID})
	if err != nil || len(ps) == 0 {
		t.Fatalf("persons of household %d: %v", target.ID, err)
	}
	p, err := store.RevealPerson(ctx, wangge.ScopeAll(), ps[0].ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	id := p.IDNumber

	search := func(q string) []string {
		t.Helper()
		w := ledgerGet(t, h, cookie, "/ledgers/residents?q="+url.QueryEscape(q))
		if w.Code == http.StatusSeeOther { // an ID number goes on under a search token
			w = ledgerGet(t, h, cookie, w.Header().Get("Location"))
		}
		if w.Code != 200 {
			t.Fatalf("search %q: %d", q, w.Code)
		}
		return rowsOf(w.Body.String(), "data-household")
	}
	has := func(rows []string, id int64) bool {
		for _, r := range rows {
			if r == ids64(id)[0] {
				return true
			}
		}
		return false
	}
	room := target.Entrance + "单元" + target.Room + "室"
	for _, q := range []string{room, target.Room + "室", target.Entrance + "-" + target.Room} {
		rows := search(q)
		if !has(rows, target.ID) {
			t.Errorf("search %q does not find household %d", q, target.ID)
		}
	}
	// Every household the dwelling finds is at that entrance and room.
	found, _, err := store.ListHouseholds(ctx, u.Scope(), wangge.HouseholdFilter{Search: room, Page: wangge.Page{Limit: wangge.MaxPageLimit}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		if f.Entrance != target.Entrance || f.Room != target.Room {
			t.Errorf("search %q finds %s单元%s室", room, f.Entrance, f.Room)
		}
	}
	if rows := search(target.Number); len(rows) != 1 || !has(rows, target.ID) {
		t.Errorf("search by the household number %s: %v, want [%d]", target.Number, rows, target.ID)
	}
	spaced := id[:6] + " " + id[6:14] + " " + id[14:]
	if rows := search(spaced); len(rows) != 1 || !has(rows, target.ID) {
		t.Errorf("search by the ID number %s: %v, want [%d]", ident.MaskID(id), rows, target.ID)
	}

	entries, _, err := store.ListAudit(ctx, wangge.AuditFilter{Action: "person.search"})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Username != staff.Username {
		t.Fatalf("audit of the ID search: %+v", entries)
	}
	var detail map[string]any
	if err := json.Unmarshal([]byte(entries[0].Detail), &detail); err != nil {
		t.Fatal(err)
	}
	if detail["id_number"] != ident.MaskID(id) || detail["found"] != float64(1) || strings.Contains(entries[0].Detail, id[6:14]) {
		t.Errorf("audit detail %s", entries[0].Detail)
	}

	// A person outside the searcher's scope is not found, and the search
	// is audited all the same: the grid assistant searches for someone of
	// another grid.
	assistant := accounts["xieliyuan"]
	var outside string
	err = store.EachResident(ctx, wangge.ScopeAll(), wangge.HouseholdFilter{Full: true}, func(e *wangge.ResidentEntry) error {
		if outside == "" && !strings.HasPrefix(e.Household.GridCode, assistant.ScopeCode) {
			outside = e.Person.IDNumber
		}
		return nil
	})
	if err != nil || outside == "" {
		t.Fatalf("no person outside grid %s: %v", assistant.ScopeCode, err)
	}
	cookie = loginWith(t, h, assistant.Username, assistant.Password)
	if rows := search(outside); len(rows) != 0 {
		t.Errorf("an ID number outside the assistant's grid finds %v", rows)
	}
	entries, _, err = store.ListAudit(ctx, wangge.AuditFilter{Action: "person.search", Username: assistant.Username})
	if err != nil || len(entries) != 1 || !strings.Contains(entries[0].Detail, `"found":0`) {
		t.Errorf("the assistant's search is not audited: %+v %v", entries, err)
	}
}
