// Package ui is wangge's pages: the server-rendered HTML a grid's staff
// work in, over the core (package http), which serves its routes behind
// the core's middleware, sessions and error renderer. Its templates live in
// web/. The handlers hold the narrow interfaces of what they read and
// write, grouped by page family, not the whole store.
//
// The pages move here from the core family by family (issue 10): the
// reports, the proposal of a community's grids, revealing and calling a
// person, the door plates, the administrator's account list, the
// region tree's pages (areas.go: the area, building and household pages
// with a household's change record; maps.go; a key group's list,
// groups.go; the audit search, audit.go), the four ledgers with their
// exports and search tokens (ledgers.go, ledger_export.go, searchtoken.go),
// the ledger imports (ImportStore; their jobs' heartbeat and sweep run
// through the core's Every) and the kiosk (KioskStore) are here: every page
// but logging in and one's own account. One's own
// account (password, one-time codes) stays in the core with the sessions
// and logging in.
package ui

import (
	"context"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/ledger"
	"github.com/wangge/wangge/proposal"
)

// ReportStore is what the report pages read: the counts and lists of the
// reports and their workbooks, the area a report is of, and the audit log
// an export of persons or units is written to.
type ReportStore interface {
	ledger.ReportWorkbookStore
	Area(ctx context.Context, code string) (*wangge.Area, error)
	AreaSummary(ctx context.Context, scope wangge.Scope, code string) (*wangge.AreaSummary, error)
	Audit(ctx context.Context, e *wangge.AuditEntry) error
}

// AccountStore is what the administrator's account pages read and write:
// the accounts in scope, their login delays, and unlocking one, resetting
// a password or turning one-time codes off.
type AccountStore interface {
	ListUsers(ctx context.Context, scope wangge.Scope, p wangge.Page) ([]wangge.User, int, error)
	User(ctx context.Context, id int64) (*wangge.User, error)
	LoginAttempts(ctx context.Context, username, addr string, since time.Time, limit int) ([]wangge.LoginAttempt, error)
	UnlockLogin(ctx context.Context, userID int64) (int, error)
	SetPassword(ctx context.Context, userID int64, hash string, keep []byte, reset bool) error
	SetUserTOTP(ctx context.Context, userID int64, secret string, enabled bool) error
}

// accounts are the account pages' handlers.
type accounts struct {
	core  *whttp.Server
	store AccountStore
}

// ProposalStore is what the proposal page reads (the community's outline,
// its buildings in scope) and writes: accepting redraws its grids.
type ProposalStore interface {
	proposal.Store
	wangge.GridRedrawer
}

// proposals are the proposal page's handlers.
type proposals struct {
	core  *whttp.Server
	store ProposalStore
}

// RevealStore reads a person in scope, masked, and reveals one's full ID
// number and phone, which the store audits and limits.
type RevealStore interface {
	Person(ctx context.Context, scope wangge.Scope, id int64) (*wangge.Person, error)
	RevealPerson(ctx context.Context, scope wangge.Scope, id int64, reason string) (*wangge.Person, error)
}

// reveals are the handlers of revealing a number and of calling a person.
type reveals struct {
	core  *whttp.Server
	store RevealStore
}

// PlateStore is what the door plates read: buildings in scope, and the
// public facts of their grids (names, the community's phone, the
// assistant's name, photo and work phone).
type PlateStore interface {
	Area(ctx context.Context, code string) (*wangge.Area, error)
	AreaSummary(ctx context.Context, scope wangge.Scope, code string) (*wangge.AreaSummary, error)
	Building(ctx context.Context, scope wangge.Scope, id int64) (*wangge.Building, error)
	ListBuildings(ctx context.Context, scope wangge.Scope, f wangge.BuildingFilter) ([]wangge.BuildingSummary, int, error)
	GridAssistant(ctx context.Context, gridCode string) (*wangge.Assistant, error)
}

// plates are the door plates' handlers.
type plates struct {
	core  *whttp.Server
	store PlateStore
}

// reports are the report pages' handlers.
type reports struct {
	core  *whttp.Server
	store ReportStore
}

// Routes is the pages' part of the server (a whttp.Provider).
func Routes(core *whttp.Server, store wangge.Store) []whttp.Route {
	rp := &reports{core: core, store: store}
	ac := &accounts{core: core, store: store}
	pr := &proposals{core: core, store: store}
	rv := &reveals{core: core, store: store}
	pl := &plates{core: core, store: store}
	routes := []whttp.Route{
		// Door plates show only public facts, but of buildings in scope.
		core.Page("GET /buildings/{id}/plate", wangge.PermLogin, pl.handleBuildingPlate),
		core.Page("GET /areas/{code}/plates", wangge.PermLogin, pl.handleAreaPlates),
		// A person's full ID number and phone, for a reason; calling one
		// is such a reveal.
		core.Page("GET /persons/{id}/reveal", wangge.PermReveal, rv.handleRevealForm),
		core.Page("POST /persons/{id}/reveal", wangge.PermReveal, rv.handleReveal),
		core.Page("POST /persons/{id}/call", wangge.PermReveal, rv.handleCall),
		// Proposing a community's grids (网格划分方案), and accepting one.
		core.Page("GET /areas/{code}/propose", wangge.PermManageAreas, pr.handlePropose),
		core.Page("POST /areas/{code}/propose", wangge.PermManageAreas, pr.handleAccept),
		// Accounts within the administrator's scope, and password resets.
		core.Page("GET /admin/users", wangge.PermManageUsers, ac.handleUsers),
		core.Page("POST /admin/users/{id}/reset", wangge.PermManageUsers, ac.handleUserReset),
		core.Page("POST /admin/users/{id}/unlock", wangge.PermManageUsers, ac.handleUserUnlock),
		// Reports: the completeness report reads households and persons;
		// a department generates its own line's report, staff every one.
		core.Page("GET /reports", wangge.PermViewGroups, rp.handleReports),
		core.Page("GET /reports/completeness", wangge.PermViewPeople, rp.handleCompleteness),
		core.Export("GET /reports/completeness.xlsx", wangge.PermViewPeople, rp.handleCompletenessXLSX),
		core.Page("GET /reports/{name}", wangge.PermViewGroups, rp.handleLineReport),
	}
	routes = append(routes, areaRoutes(core, store)...)
	routes = append(routes, importRoutes(core, store)...)
	routes = append(routes, kioskRoutes(core, store)...)
	routes = append(routes, ledgerRoutes(core, store)...)
	routes = append(routes, casePageRoutes(core, store)...)
	routes = append(routes, calendarRoutes(core, store)...)
	routes = append(routes, caseBoardRoutes(core, store)...)
	routes = append(routes, caseLiveRoutes(core, store)...)
	routes = append(routes, buildingHeadRoutes(core, store)...)
	routes = append(routes, meetingRoutes(core, store)...)
	routes = append(routes, workbenchRoutes(core, store)...)
	routes = append(routes, ledgerChangeRoutes(core, store)...)
	routes = append(routes, heldRoutes(core, store)...)
	routes = append(routes, reportRoutes(core, store)...)
	return routes
}
