package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/http/internal/apitest"
	"github.com/wangge/wangge/http/internal/webtest"
	"github.com/wangge/wangge/passwd"
)

// The workbench API's contract tests: raw JSON through the real store, as
// the assistant of grid A (an account linked to the grid's assistant, as
// the phone logs in) and as community A's staff.

func newWorkbenchFixture(t *testing.T) *caseFixture {
	t.Helper()
	f := newCaseFixture(t)
	ctx := context.Background()
	a, err := f.db.GridAssistant(ctx, webtest.GridA)
	if err != nil {
		t.Fatal(err)
	}
	u := wangge.User{Username: "wb.a", DisplayName: "周敏", Role: wangge.RoleAssistant, ScopeCode: webtest.GridA, AssistantID: &a.ID,
		PasswordHash: passwd.Hash(webtest.Password, passwd.Params{Memory: 1024, Time: 1, Threads: 1})}
	if err := f.db.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	f.cookies["wb.a"] = webtest.Login(t, f.h, "wb.a")
	return f
}

// visitBodyOf is a visit to the household at the time, with extra JSON
// members appended.
func visitBodyOf(household int64, at time.Time, extra string) string {
	b := fmt.Sprintf(`{"household_id":%d,"at":%q,"purpose":"routine","met":"head","clears":{}`, household, at.Format(time.RFC3339))
	if extra != "" {
		b += "," + extra
	}
	return b + "}"
}

// TestVisitAPIRecordsOnceUnderItsKey: a visit with a proposal and a case
// answers 201; the same key and body again 200 with the same answer and
// nothing written twice; the same key with another body 409.
func TestVisitAPIRecordsOnceUnderItsKey(t *testing.T) {
	f := newWorkbenchFixture(t)
	at := webtest.Now.Add(-2 * time.Hour)
	persons, _, err := f.db.ListPersons(context.Background(), wangge.ScopeAll(), wangge.PersonFilter{HouseholdID: f.HouseholdA1.ID})
	if err != nil || len(persons) == 0 {
		t.Fatal("no persons", err)
	}
	body := visitBodyOf(f.HouseholdA1.ID, at, fmt.Sprintf(`"note":"the stair light is out",
		"changes":[{"kind":"phone","person_id":%d,"detail":"13800004321"}],
		"case":{"mechanism":"coordination","category":"P02"}`, persons[0].ID))
	key := "3f0c8b9e-5d1a-4c2e-9b7f-2a6d8e4c1b00"
	code, first, _ := f.call(t, "wb.a", "POST", "/api/v1/visits", body, "Idempotency-Key", key)
	if code != http.StatusCreated {
		t.Fatalf("first send: %d %v", code, first)
	}
	visit := apitest.Obj(t, first, "visit")
	if visit["grid_code"] != webtest.GridA || visit["met"] != "head" || visit["household_id"] != float64(f.HouseholdA1.ID) {
		t.Errorf("visit = %v", visit)
	}
	props, _ := first["proposals"].([]any)
	if len(props) != 1 || props[0].(map[string]any)["kind"] != "phone" || props[0].(map[string]any)["state"] != "proposed" {
		t.Errorf("proposals = %v", first["proposals"])
	}
	kase := apitest.Obj(t, first, "case")
	if kase["state"] != "accepted" || kase["number"] == "" {
		t.Errorf("case = %v", kase)
	}
	for i := 0; i < 2; i++ {
		code, again, _ := f.call(t, "wb.a", "POST", "/api/v1/visits", body, "Idempotency-Key", key)
		if code != http.StatusOK {
			t.Fatalf("resend %d: %d %v", i, code, again)
		}
		a, _ := json.Marshal(again)
		b, _ := json.Marshal(first)
		if string(a) != string(b) {
			t.Errorf("resend %d answered\n%s\nwant\n%s", i, a, b)
		}
	}
	_, list, _ := f.call(t, "dongyuan", "GET", "/api/v1/ledger-changes?state=proposed", "")
	if list["total"] != float64(1) {
		t.Errorf("proposals after resends: %v, want 1", list["total"])
	}
	code, m, _ := f.call(t, "wb.a", "POST", "/api/v1/visits", strings.Replace(body, "stair light", "stair lamp", 1), "Idempotency-Key", key)
	if ec, _ := apitest.ErrorShape(t, m); code != http.StatusConflict || ec != wangge.EConflict {
		t.Errorf("same key, other body: %d %v", code, m)
	}
}

// TestVisitAPIRefusesWhatItCannotTake: each malformed or out-of-place
// visit is refused with the field named, and nothing is written.
func TestVisitAPIRefusesWhatItCannotTake(t *testing.T) {
	f := newWorkbenchFixture(t)
	now := webtest.Now
	hh := f.HouseholdA1.ID
	long := strings.Repeat("x", wangge.VisitTextMax+1)
	key := 0
	for _, tc := range []struct {
		name, as, body string
		status         int
		field          string
	}{
		{"no target", "wb.a", fmt.Sprintf(`{"at":%q}`, now.Format(time.RFC3339)), 400, "household_id"},
		{"two targets", "wb.a", fmt.Sprintf(`{"household_id":%d,"place":"gate","at":%q}`, hh, now.Format(time.RFC3339)), 400, "household_id"},
		{"a time that is no time", "wb.a", fmt.Sprintf(`{"household_id":%d,"at":"yesterday"}`, hh), 400, "at"},
		{"ahead of the clock", "wb.a", visitBodyOf(hh, now.Add(10*time.Minute), ""), 400, "at"},
		{"older than the offline window", "wb.a", visitBodyOf(hh, now.Add(-wangge.VisitMaxAge-time.Hour), ""), 400, "at"},
		{"an unknown field", "wb.a", visitBodyOf(hh, now, `"gps":"113.1,36.2"`), 400, "gps"},
		{"a note too long", "wb.a", visitBodyOf(hh, now, `"note":"`+long+`"`), 400, "note"},
		{"a clear too long", "wb.a", strings.Replace(visitBodyOf(hh, now, ""), `"clears":{}`, `"clears":{"dangers":"`+long+`"}`, 1), 400, "clears.dangers"},
		{"an unknown change", "wb.a", visitBodyOf(hh, now, `"changes":[{"kind":"wedding"}]`), 400, "changes[0].kind"},
		{"a phone that is none", "wb.a", visitBodyOf(hh, now, `"changes":[{"kind":"phone","person_id":1,"detail":"12"}]`), 400, "changes[0].detail"},
		{"an emergency", "wb.a", visitBodyOf(hh, now, `"case":{"mechanism":"emergency","category":"P05"}`), 400, "case.mechanism"},
		{"a general case without what was done", "wb.a", visitBodyOf(hh, now, `"case":{"mechanism":"general","category":"P02"}`), 400, "case.done"},
		{"an unknown category", "wb.a", visitBodyOf(hh, now, `"case":{"mechanism":"coordination","category":"X99"}`), 400, "case.category"},
		{"another grid's household", "wb.a", visitBodyOf(f.HouseholdB1.ID, now, ""), 400, "household_id"},
		{"a staff account", "dongyuan", visitBodyOf(hh, now, ""), 403, ""},
		{"an account that may not edit people", "louzhang", visitBodyOf(hh, now, ""), 403, ""},
	} {
		key++
		code, m, _ := f.call(t, tc.as, "POST", "/api/v1/visits", tc.body, "Idempotency-Key", fmt.Sprintf("bad-%d", key))
		if code != tc.status {
			t.Errorf("%s: %d, want %d: %v", tc.name, code, tc.status, m)
			continue
		}
		_, details := apitest.ErrorShape(t, m)
		if tc.field != "" {
			found := false
			for _, d := range details {
				found = found || d.(map[string]any)["field"] == tc.field
			}
			if !found {
				t.Errorf("%s: details %v name no %q", tc.name, details, tc.field)
			}
		}
	}
	visits, _, err := f.db.ListVisits(context.Background(), wangge.ScopeAll(), wangge.VisitFilter{Since: now.Add(-wangge.VisitMaxAge - 48*time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(visits) != 0 {
		t.Errorf("refused visits wrote %d visits", len(visits))
	}
}

// TestWorkbenchAPIAnswersTheDay: the assistant's own grid by default,
// with the due list, the cases waiting on them (a general case waits for
// the reporter to be told), the offline data and no full ID number or
// phone; staff name the grid; a grid out of scope is not found.
func TestWorkbenchAPIAnswersTheDay(t *testing.T) {
	f := newWorkbenchFixture(t)
	code, m, _ := f.call(t, "wb.a", "POST", "/api/v1/visits", visitBodyOf(f.HouseholdA2.ID, webtest.Now.Add(-time.Hour),
		`"case":{"mechanism":"general","category":"P02","description":"loose handrail","done":"tightened it"}`), "Idempotency-Key", "wb-1")
	if code != http.StatusCreated {
		t.Fatalf("visit: %d %v", code, m)
	}
	number := apitest.Obj(t, m, "case")["number"].(string)

	r := httptest.NewRequest("GET", "/api/v1/workbench", nil)
	r.AddCookie(f.cookies["wb.a"])
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	if w.Code != 200 {
		t.Fatalf("workbench: %d %s", w.Code, w.Body)
	}
	raw := w.Body.String()
	for _, secret := range append(append([]string{}, f.IDs...), f.Phones...) {
		if strings.Contains(raw, secret) {
			t.Errorf("the workbench shows %s in full", secret)
		}
	}
	if strings.Contains(raw, "张建国") {
		t.Error("the workbench shows a head's name in full")
	}
	var day map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &day); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"grid", "assistant", "due", "cases", "feedback_due", "meeting", "households", "buildings", "units", "categories", "generated_at"} {
		if _, ok := day[k]; !ok {
			t.Errorf("no %q in the day", k)
		}
	}
	if day["meeting"] != nil {
		t.Errorf("meeting = %v, want null", day["meeting"])
	}
	// The community schedules its weekly meeting (and one is past): the
	// day names the next one.
	community := webtest.GridA[:wangge.CommunityCodeLen]
	for _, m := range []*wangge.Meeting{
		{AreaCode: community, At: webtest.Now.Add(-24 * time.Hour), Title: "上周例会"},
		{AreaCode: community, At: webtest.Now.Add(48 * time.Hour), Title: "本周例会", Place: "社区会议室"},
	} {
		if err := f.db.CreateMeeting(context.Background(), wangge.ScopeOf(community), m); err != nil {
			t.Fatal(err)
		}
	}
	r = httptest.NewRequest("GET", "/api/v1/workbench", nil)
	r.AddCookie(f.cookies["wb.a"])
	w = httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	var again map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &again); err != nil || w.Code != 200 {
		t.Fatalf("workbench again: %d %v", w.Code, err)
	}
	if m, ok := again["meeting"].(map[string]any); !ok || m["title"] != "本周例会" || m["place"] != "社区会议室" || m["at"] != webtest.Now.Add(48*time.Hour).UTC().Format(time.RFC3339) {
		t.Errorf("meeting = %v, want this week's", again["meeting"])
	}
	if g := apitest.Obj(t, day, "grid"); g["code"] != webtest.GridA {
		t.Errorf("grid = %v", g)
	}
	if a := apitest.Obj(t, day, "assistant"); a["work_phone"] != "0355-2021001" {
		t.Errorf("assistant = %v", a)
	}
	due := day["due"].([]any)
	// A2 was visited an hour ago; A1 (last visited 2025-11-03, 118 days
	// before the clock) and A3 (never) are due.
	ids := map[float64]map[string]any{}
	for _, d := range due {
		dm := d.(map[string]any)
		ids[dm["household_id"].(float64)] = dm
	}
	if _, ok := ids[float64(f.HouseholdA2.ID)]; ok {
		t.Error("the household just visited is due")
	}
	a1, ok := ids[float64(f.HouseholdA1.ID)]
	if !ok || a1["days_since"] == nil || a1["last_visit"] == nil || a1["head_name_masked"] == "" {
		t.Errorf("A1 in due = %v", a1)
	}
	if a3 := ids[float64(f.HouseholdA3.ID)]; a3 == nil || a3["last_visit"] != nil || a3["days_since"] != nil {
		t.Errorf("A3 in due = %v", a3)
	}
	if len(day["households"].([]any)) != 3 || len(day["buildings"].([]any)) != 2 || len(day["categories"].([]any)) == 0 {
		t.Errorf("offline data: %d households, %d buildings, %d categories", len(day["households"].([]any)), len(day["buildings"].([]any)), len(day["categories"].([]any)))
	}
	// Each household lists its members by id with the name masked, as many
	// as it counts, so a change names the member it is about.
	for _, x := range day["households"].([]any) {
		hh := x.(map[string]any)
		persons, ok := hh["persons"].([]any)
		if !ok || float64(len(persons)) != hh["members"].(float64) {
			t.Errorf("household %v: persons %v for %v members", hh["id"], hh["persons"], hh["members"])
			continue
		}
		for _, p := range persons {
			pm := p.(map[string]any)
			name, _ := pm["name_masked"].(string)
			if _, ok := pm["id"].(float64); !ok || !strings.Contains(name, "*") || len(pm) != 2 {
				t.Errorf("household %v member %v: want an id and a masked name only", hh["id"], pm)
			}
		}
	}
	// The grid's units, by name only: a visit may be to one.
	units, _ := day["units"].([]any)
	if len(units) != 1 || units[0].(map[string]any)["name"] != "东苑便民超市" || len(units[0].(map[string]any)) != 2 {
		t.Errorf("units = %v, want grid A's shop by id and name", day["units"])
	}
	fb := day["feedback_due"].([]any)
	if len(fb) != 1 || fb[0].(map[string]any)["number"] != number || fb[0].(map[string]any)["awaiting"] != "feedback" || fb[0].(map[string]any)["light"] == nil {
		t.Errorf("feedback_due = %v; want the general case awaiting feedback with its light", fb)
	}

	for _, tc := range []struct {
		as, query string
		status    int
	}{
		{"dongyuan", "?grid=" + webtest.GridA, 200},
		{"dongyuan", "", 400},
		{"dongyuan", "?grid=" + webtest.GridB, 404},
		{"wb.a", "?grid=" + webtest.GridB, 404},
		{"wb.a", "?grid=14049900100100x", 400},
		{"louzhang", "", 403},
	} {
		if code, m, _ := f.call(t, tc.as, "GET", "/api/v1/workbench"+tc.query, ""); code != tc.status {
			t.Errorf("%s %s: %d, want %d: %v", tc.as, tc.query, code, tc.status, m)
		}
	}
}

// TestLedgerChangesAPIConfirmAndRefuse: staff list a visit's proposals,
// confirm one (a phone: applied) and refuse another with a reason; a
// second decision or a refusal without a reason is refused.
func TestLedgerChangesAPIConfirmAndRefuse(t *testing.T) {
	f := newWorkbenchFixture(t)
	persons, _, err := f.db.ListPersons(context.Background(), wangge.ScopeAll(), wangge.PersonFilter{HouseholdID: f.HouseholdA1.ID})
	if err != nil || len(persons) == 0 {
		t.Fatal("no persons", err)
	}
	code, m, _ := f.call(t, "wb.a", "POST", "/api/v1/visits", visitBodyOf(f.HouseholdA1.ID, webtest.Now.Add(-time.Hour), fmt.Sprintf(
		`"changes":[{"kind":"phone","person_id":%d,"detail":"13800004321"},{"kind":"birth","name":"新生儿"}]`, persons[0].ID)), "Idempotency-Key", "lc-1")
	if code != http.StatusCreated {
		t.Fatalf("visit: %d %v", code, m)
	}
	_, list, _ := f.call(t, "dongyuan", "GET", "/api/v1/ledger-changes?state=proposed&grid="+webtest.GridA, "")
	items := list["ledger_changes"].([]any)
	if len(items) != 2 {
		t.Fatalf("proposals = %v", list)
	}
	phone, birth := items[0].(map[string]any), items[1].(map[string]any)
	if phone["kind"] != "phone" || phone["detail"] == "13800004321" || !strings.HasSuffix(phone["detail"].(string), "4321") || phone["person_name"] != persons[0].Name {
		t.Errorf("phone proposal = %v; want the member named and the phone masked", phone)
	}
	path := func(p map[string]any, verb string) string {
		return fmt.Sprintf("/api/v1/ledger-changes/%.0f/%s", p["id"].(float64), verb)
	}
	code, m, _ = f.call(t, "dongyuan", "POST", path(phone, "confirm"), `{"version":1}`)
	if code != 200 || apitest.Obj(t, m, "ledger_change")["state"] != "applied" {
		t.Errorf("confirm the phone: %d %v", code, m)
	}
	code, m, _ = f.call(t, "dongyuan", "POST", path(phone, "confirm"), `{"version":1}`)
	if ec, _ := apitest.ErrorShape(t, m); code != http.StatusConflict || ec != wangge.EConflict {
		t.Errorf("confirm twice: %d %v", code, m)
	}
	code, _, _ = f.call(t, "dongyuan", "POST", path(birth, "refuse"), `{"version":1}`)
	if code != 400 {
		t.Errorf("refuse without a reason: %d", code)
	}
	code, m, _ = f.call(t, "dongyuan", "POST", path(birth, "refuse"), `{"version":1,"reason":"not born yet"}`)
	if lc := apitest.Obj(t, m, "ledger_change"); code != 200 || lc["state"] != "refused" || lc["reason"] != "not born yet" || lc["decided_by_name"] == "" {
		t.Errorf("refuse: %d %v", code, m)
	}
	if code, _, _ := f.call(t, "xie.b", "POST", path(birth, "confirm"), `{"version":2}`); code != 404 {
		t.Errorf("another grid's assistant deciding: %d, want 404", code)
	}
	if code, _, _ := f.call(t, "dongyuan", "GET", "/api/v1/ledger-changes?state=maybe", ""); code != 400 {
		t.Errorf("an unknown state: %d, want 400", code)
	}
}
