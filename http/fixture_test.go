package http

import (
	"net/http"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/http/internal/webtest"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqldb"
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

// scenario is one request and what its response must hold.
type scenario = webtest.Scenario

// browserPage runs actions in a test's browser (webtest.Page).
type browserPage = webtest.Page

// newBrowser starts headless Chromium for t, or skips t when there is none.
var newBrowser = webtest.NewBrowser
