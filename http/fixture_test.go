package http

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/http/internal/webtest"
	"github.com/wangge/wangge/secret"
)

// The test district, logging in, the scenarios and the browser are
// http/internal/webtest's, shared with http/ui's tests; these are the
// names this package's tests know them by.

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
var testNow = webtest.Now.In(ChinaTime)

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

func adopt(w *webtest.Fixture) *fixture {
	return &fixture{store: w.Store, path: w.Path, box: w.Box,
		buildingA1: w.BuildingA1, buildingA2: w.BuildingA2, buildingB1: w.BuildingB1,
		householdA1: w.HouseholdA1, householdA2: w.HouseholdA2, householdA3: w.HouseholdA3, householdB1: w.HouseholdB1,
		ids: w.IDs, phones: w.Phones}
}

// TestProviders are the handler packages the tests' servers are composed
// with, as cmd/wangge composes them: compose_test.go (package http_test,
// which may import them, as this package may not) adds them. The core's
// tests then see the whole server, and the authorization matrix walks
// every package's routes.
var TestProviders []Provider

// newTestServer is NewServer with the handler packages.
func newTestServer(store wangge.Store, opts Options) *Server {
	return NewServer(store, opts, TestProviders...)
}

// server returns a server over the fixture's store with the test clock.
func (f *fixture) server(t testing.TB) *Server {
	return newTestServer(f.store, Options{Logger: webtest.Logger(t), Now: func() time.Time { return testNow }})
}

// login logs username in through the form and returns the session cookie.
func login(t testing.TB, h http.Handler, username string) *http.Cookie {
	t.Helper()
	return webtest.Login(t, h, username)
}

// checkHeadersAndScripts checks the security headers and that HTML has no
// inline script or style.
var checkHeadersAndScripts = webtest.CheckHeadersAndScripts

// scenario is one request and what its response must hold
// (webtest.Scenario under the field names this package's tests use).
type scenario struct {
	name     string
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

// newBrowser starts headless Chromium for t, or skips t when there is none.
var newBrowser = webtest.NewBrowser

// fullPage captures the whole page, not just the viewport, as PNG.
var fullPage = webtest.FullPage
