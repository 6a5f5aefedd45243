package ui

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/api"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/passwd"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqldb"
	"github.com/wangge/wangge/sqlite"
)

// The pages' tests run on the core's test district (http/fixture_test.go,
// the same invented households and accounts), through the server composed
// as cmd/wangge composes it: the core with the JSON API and the pages.

// Region codes of the test district: one sub-district with two communities,
// one grid in each.
const (
	district    = "140499"
	subdistrict = "140499001"
	communityA  = "140499001001"
	communityB  = "140499001002"
	gridA       = "140499001001001"
	gridB       = "140499001002001"
)

// password is every test account's password.
const password = "Test-Pass-2026"

// testNow is the server's clock in the tests: ages are reckoned at it.
var testNow = time.Date(2026, 3, 1, 10, 0, 0, 0, whttp.ChinaTime)

// fixture is a small synthetic district filled through the store API.
// Names and numbers are invented.
//
//	东苑社区 / 东苑第一网格 (assistant 周敏):
//	  东苑1号楼: 1单元101室 (张建国 head 75 y, elderly; 李秀英 spouse; 张伟 child),
//	             1单元102室 (王芳 head)
//	  东苑2号楼: 2单元201室 (赵强 head)
//	西苑社区 / 西苑第一网格:
//	  西苑1号院: 5号 (刘洋 head, 陈静 spouse)
type fixture struct {
	store wangge.Store
	path  string      // the SQLite file ("" on PostgreSQL)
	box   *secret.Box // the field key, to open the same data again
	// Buildings and households by name; persons' plain ID numbers and phones.
	buildingA1, buildingA2, buildingB1 *wangge.Building
	householdA1, householdA2           *wangge.Household
	householdA3, householdB1           *wangge.Household
	ids, phones                        []string
}

// newFixture opens a fresh SQLite store in a temporary directory and fills it.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wangge.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	box, err := secret.New(secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	f := fillFixture(t, db, box)
	f.path = path
	return f
}

// fillFixture sets the key of an empty, migrated store and fills it.
func fillFixture(t testing.TB, db *sqldb.DB, box *secret.Box) *fixture {
	t.Helper()
	ctx := context.Background()
	if err := db.UseKey(ctx, box); err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: db, box: box}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []struct{ code, name string }{
		{district, "示范城区"}, {subdistrict, "示范街道"},
		{communityA, "东苑社区"}, {communityB, "西苑社区"},
		{gridA, "东苑第一网格"}, {gridB, "西苑第一网格"},
	} {
		must(db.CreateArea(ctx, &wangge.Area{Code: a.code, Name: a.name}))
	}
	building := func(grid, name string, kind wangge.BuildingKind) *wangge.Building {
		b := &wangge.Building{GridCode: grid, Name: name, Kind: kind, Address: "示范路 " + name, Floors: 6, Entrances: 2}
		if kind == wangge.BuildingCourtyard {
			b.Floors, b.Entrances = 1, 0
		}
		must(db.CreateBuilding(ctx, wangge.ScopeAll(), b))
		return b
	}
	f.buildingA1 = building(gridA, "东苑1号楼", wangge.BuildingTower)
	f.buildingA2 = building(gridA, "东苑2号楼", wangge.BuildingTower)
	f.buildingB1 = building(gridB, "西苑1号院", wangge.BuildingCourtyard)
	household := func(b *wangge.Building, entrance, room string) *wangge.Household {
		h := &wangge.Household{BuildingID: b.ID, Entrance: entrance, Room: room, Kind: wangge.ResidentRegistered}
		must(db.CreateHousehold(ctx, wangge.ScopeAll(), h))
		return h
	}
	f.householdA1 = household(f.buildingA1, "1", "101")
	f.householdA2 = household(f.buildingA1, "1", "102")
	f.householdA3 = household(f.buildingA2, "2", "201")
	f.householdB1 = household(f.buildingB1, "", "5")

	seq := 0
	person := func(h *wangge.Household, name string, rel wangge.Relation, birth string, sex ident.Sex, phone string) *wangge.Person {
		seq++
		bd, err := time.Parse(time.DateOnly, birth)
		must(err)
		id := string(ident.MakeID("149901", bd, seq, sex))
		p := &wangge.Person{HouseholdID: h.ID, Name: name, IDNumber: id, Phone: phone, Relation: rel, Ethnicity: "汉族"}
		must(db.CreatePerson(ctx, wangge.ScopeAll(), p))
		f.ids = append(f.ids, id)
		if phone != "" {
			f.phones = append(f.phones, phone)
		}
		return p
	}
	head := person(f.householdA1, "张建国", wangge.RelHead, "1950-03-15", ident.SexMale, "13912345678")
	person(f.householdA1, "李秀英", wangge.RelSpouse, "1952-07-01", ident.SexFemale, "")
	person(f.householdA1, "张伟", wangge.RelChild, "1980-01-20", ident.SexMale, "13712345670")
	wang := person(f.householdA2, "王芳", wangge.RelHead, "1990-05-05", ident.SexFemale, "")
	person(f.householdA3, "赵强", wangge.RelHead, "1975-11-11", ident.SexMale, "")
	person(f.householdB1, "刘洋", wangge.RelHead, "1985-02-02", ident.SexMale, "13612345671")
	person(f.householdB1, "陈静", wangge.RelSpouse, "1987-08-08", ident.SexFemale, "")

	a := &wangge.Assistant{Name: "周敏", Sex: "F", WorkPhone: "0355-2021001", Phone: "13512345672", Active: true}
	must(db.CreateAssistant(ctx, a))
	must(db.AssignAssistant(ctx, a.ID, gridA, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), "fixture"))
	must(db.SetBuildingHead(ctx, wangge.ScopeAll(), &wangge.BuildingHead{BuildingID: f.buildingA1.ID, PersonID: &head.ID, Name: head.Name, Phone: "13912345678"}))
	must(db.CreateMembership(ctx, wangge.ScopeAll(), &wangge.Membership{PersonID: head.ID, Group: wangge.GroupElderly,
		Attrs: map[string]string{"living": "空巢"}, Joined: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}))
	must(db.CreateMembership(ctx, wangge.ScopeAll(), &wangge.Membership{PersonID: wang.ID, Group: wangge.GroupChildbearing,
		Attrs: map[string]string{"married": "已婚"}, Joined: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}))
	hid := f.householdA1.ID
	must(db.CreateVisit(ctx, wangge.ScopeAll(), &wangge.Visit{
		AssistantID: a.ID, HouseholdID: &hid, At: time.Date(2025, 11, 3, 9, 30, 0, 0, time.UTC),
		Purpose: "例行走访", Clears: wangge.SixClears{Household: "老两口与儿子同住", Needs: "希望办理高龄津贴"},
		Problems: []string{"楼道灯损坏"},
	}))
	must(db.CreateUnit(ctx, wangge.ScopeAll(), &wangge.Unit{GridCode: gridA, Name: "东苑便民超市", Kind: wangge.UnitIndividual, Headcount: 3}))

	cheap := passwd.Params{Memory: 1024, Time: 1, Threads: 1}
	for _, u := range []wangge.User{
		{Username: "admin", DisplayName: "区管理员甲", Role: wangge.RoleDistrictAdmin, ScopeCode: district},
		{Username: "dongyuan", DisplayName: "东苑社区工作人员", Role: wangge.RoleCommunityStaff, ScopeCode: communityA},
		{Username: "tingyong", DisplayName: "已停用账号", Role: wangge.RoleCommunityStaff, ScopeCode: communityA, Disabled: true},
	} {
		u.PasswordHash = passwd.Hash(password, cheap)
		must(db.CreateUser(ctx, &u))
	}
	return f
}

// server returns the whole server over the fixture's store with the test
// clock: the core, the JSON API and the pages, as cmd/wangge composes it.
func (f *fixture) server(t testing.TB) *whttp.Server {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, nil))
	}
	return whttp.NewServer(f.store, whttp.Options{Logger: log, Now: func() time.Time { return testNow }}, api.Routes, Routes)
}

// testWriter sends the server's log to the test's log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// sessionCookie is the core's session cookie, which logging in sets.
const sessionCookie = "wangge_session"

// login logs username in through the form and returns the session cookie.
func login(t testing.TB, h http.Handler, username string) *http.Cookie {
	t.Helper()
	form := url.Values{"username": {username}, "password": {password}}
	r := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("login %s: status %d, want 303\n%s", username, w.Code, w.Body)
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	t.Fatalf("login %s: no session cookie", username)
	return nil
}

// contentSecurityPolicy is the core's policy when maps use no tiles.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// scenario is one request and what its response must hold.
type scenario struct {
	method   string // GET when empty
	url      string
	as       string // username to log in as first; "" for anonymous
	lang     string // value of the lang cookie
	form     url.Values
	header   map[string]string
	status   int
	location string   // expected Location header
	contains []string // fragments the body must hold
	excludes []string // fragments the body must not hold
}

func (sc scenario) run(t *testing.T, h http.Handler) *httptest.ResponseRecorder {
	t.Helper()
	method := sc.method
	if method == "" {
		method = "GET"
	}
	var r *http.Request
	if sc.form != nil {
		r = httptest.NewRequest(method, sc.url, strings.NewReader(sc.form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, sc.url, nil)
	}
	for k, v := range sc.header {
		r.Header.Set(k, v)
	}
	if sc.as != "" {
		r.AddCookie(login(t, h, sc.as))
	}
	if sc.lang != "" {
		r.AddCookie(&http.Cookie{Name: "lang", Value: sc.lang})
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	body := w.Body.String()
	if w.Code != sc.status {
		t.Errorf("status %d, want %d\n%s", w.Code, sc.status, body)
	}
	if sc.location != "" && w.Header().Get("Location") != sc.location {
		t.Errorf("Location %q, want %q", w.Header().Get("Location"), sc.location)
	}
	for _, s := range sc.contains {
		if !strings.Contains(body, s) {
			t.Errorf("body lacks %q\n%s", s, body)
		}
	}
	for _, s := range sc.excludes {
		if strings.Contains(body, s) {
			t.Errorf("body holds %q", s)
		}
	}
	checkHeadersAndScripts(t, w)
	return w
}

// checkHeadersAndScripts checks what every response must hold: the security
// headers, and in HTML no inline script or style (the CSP would block them).
func checkHeadersAndScripts(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	h := w.Header()
	if h.Get("Content-Security-Policy") != contentSecurityPolicy {
		t.Errorf("Content-Security-Policy %q", h.Get("Content-Security-Policy"))
	}
	for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"} {
		if h.Get(k) != v {
			t.Errorf("%s %q, want %q", k, h.Get(k), v)
		}
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		return
	}
	body := strings.ToLower(w.Body.String())
	for rest := body; ; {
		i := strings.Index(rest, "<script")
		if i < 0 {
			break
		}
		tag, _, _ := strings.Cut(rest[i:], ">")
		if !strings.Contains(tag, " src=") {
			t.Errorf("inline script: %s>", tag)
		}
		rest = rest[i+len("<script"):]
	}
	for _, bad := range []string{"<style", " style=", " onclick=", " onload=", "javascript:"} {
		if strings.Contains(body, bad) {
			t.Errorf("body holds %q, which the CSP forbids", bad)
		}
	}
}

// ledgerUsers adds the accounts the ledger tests use besides the fixture's:
// an assistant of grid A, a building head, and a civil-affairs department.
func ledgerUsers(t *testing.T, f *fixture) {
	t.Helper()
	cheap := passwd.Params{Memory: 1024, Time: 1, Threads: 1}
	for _, u := range []wangge.User{
		{Username: "xieliyuan", Role: wangge.RoleAssistant, ScopeCode: gridA},
		{Username: "louzhang", Role: wangge.RoleBuildingHead, ScopeCode: gridA},
		{Username: "minzheng", Role: wangge.RoleDepartment, ScopeCode: district, Line: wangge.LineCivil},
		{Username: "laodong", Role: wangge.RoleDepartment, ScopeCode: district, Line: wangge.LineLabor},
	} {
		u.PasswordHash = passwd.Hash(password, cheap)
		if err := f.store.CreateUser(context.Background(), &u); err != nil {
			t.Fatal(err)
		}
	}
}

// newTestServer is the whole server over store with opts, as cmd/wangge
// composes it.
func newTestServer(store wangge.Store, opts whttp.Options) *whttp.Server {
	return whttp.NewServer(store, opts, api.Routes, Routes)
}
