package ui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/api"
	"github.com/wangge/wangge/http/internal/webtest"
	"github.com/wangge/wangge/passwd"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqldb"
)

// The test district, logging in, the scenarios and the browser are
// http/internal/webtest's, shared with package http's tests; these are the
// names this package's tests know them by. The server is the whole one, as
// cmd/wangge composes it: the core with the JSON API and the pages.

// Region codes of the test district: one sub-district with two communities,
// one grid in each.
const (
	district    = webtest.District
	subdistrict = webtest.Subdistrict
	communityA  = webtest.CommunityA
	communityB  = webtest.CommunityB
	gridA       = webtest.GridA
	gridB       = webtest.GridB
)

// password is every test account's password.
const password = webtest.Password

// testNow is the server's clock in the tests, in the core's zone.
var testNow = webtest.Now.In(whttp.ChinaTime)

// fixture is webtest's district (see webtest.Fixture) under this package's
// names, with the server over it.
type fixture struct {
	store                              wangge.Store
	path                               string      // the SQLite file ("" on PostgreSQL)
	box                                *secret.Box // the field key, to open the same data again
	buildingA1, buildingA2, buildingB1 *wangge.Building
	householdA1, householdA2           *wangge.Household
	householdA3, householdB1           *wangge.Household
	ids, phones                        []string
}

// newFixture opens a fresh SQLite store in a temporary directory and fills it.
func newFixture(t testing.TB) *fixture { return adopt(webtest.NewFixture(t)) }

// fillFixture sets the key of an empty, migrated store and fills it.
func fillFixture(t testing.TB, db *sqldb.DB, box *secret.Box) *fixture {
	return adopt(webtest.Fill(t, db, box))
}

func adopt(w *webtest.Fixture) *fixture {
	return &fixture{store: w.Store, path: w.Path, box: w.Box,
		buildingA1: w.BuildingA1, buildingA2: w.BuildingA2, buildingB1: w.BuildingB1,
		householdA1: w.HouseholdA1, householdA2: w.HouseholdA2, householdA3: w.HouseholdA3, householdB1: w.HouseholdB1,
		ids: w.IDs, phones: w.Phones}
}

// newTestServer is the whole server over store with opts, as cmd/wangge
// composes it.
func newTestServer(store wangge.Store, opts whttp.Options) *whttp.Server {
	return whttp.NewServer(store, opts, api.Routes, Routes)
}

// server returns a server over the fixture's store with the test clock.
func (f *fixture) server(t testing.TB) *whttp.Server {
	return newTestServer(f.store, testOptions(t))
}

// testOptions are the test server's options: the test clock, and the log
// in the test's when verbose.
func testOptions(t testing.TB) whttp.Options {
	return whttp.Options{Logger: webtest.Logger(t), Now: func() time.Time { return testNow }}
}

// login logs username in through the form and returns the session cookie.
func login(t testing.TB, h http.Handler, username string) *http.Cookie {
	t.Helper()
	return webtest.Login(t, h, username)
}

// sessionCookie is the core's session cookie, which logging in sets.
const sessionCookie = webtest.SessionCookie

// loginWith logs in with a password of its own (the demo's accounts have
// theirs) and returns the session cookie.
var loginWith = webtest.LoginWith

// checkHeadersAndScripts checks the security headers and that HTML has no
// inline script or style.
var checkHeadersAndScripts = webtest.CheckHeadersAndScripts

// scenario is one request and what its response must hold
// (webtest.Scenario under the field names this package's tests use).
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
	return webtest.Scenario{Method: sc.method, URL: sc.url, As: sc.as, Lang: sc.lang, Form: sc.form, Header: sc.header,
		Status: sc.status, Location: sc.location, Contains: sc.contains, Excludes: sc.excludes}.Run(t, h)
}

// contentSecurityPolicy is the core's policy when maps use no tiles.
const contentSecurityPolicy = webtest.ContentSecurityPolicy

// browserPage runs actions in a test's browser, failing the test on error
// (webtest.Page under the names this package's tests use).
type browserPage struct {
	t   *testing.T
	ctx context.Context
}

func (b browserPage) page() webtest.Page { return webtest.Page{T: b.t, Ctx: b.ctx} }

func (b browserPage) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.page().Do(what, actions...)
}

// text returns the trimmed text of the first element matching sel.
func (b browserPage) text(sel string) string {
	b.t.Helper()
	return b.page().Text(sel)
}

// shoot saves screenshots of the page when $WANGGE_SCREENSHOT_DIR is set.
func (b browserPage) shoot(name string) {
	b.t.Helper()
	b.page().Shoot(name)
}

// newBrowser starts headless Chromium for t, or skips t when there is none.
var newBrowser = webtest.NewBrowser

// desktop is a 1280×800 laptop screen; fullPage captures the whole page.
var desktop, fullPage = webtest.Desktop, webtest.FullPage

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
