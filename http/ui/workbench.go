package ui

import (
	"io/fs"
	"net/http"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/web"
)

// The assistant's phone workbench (/workbench): the start page of the day
// (households due, my cases, feedback due, the next meeting) and the visit
// form. Both pages are shells with no personal data in their HTML: what
// they show comes from GET /api/v1/workbench (http/api), which
// web/static/workbench.js keeps in IndexedDB, so the pages open and work
// with no signal. What the assistant records offline waits in an
// IndexedDB queue and is sent with its client UUID as the Idempotency-Key,
// so a resend never doubles a visit. The service worker (sw.js) caches the
// two pages and the static files.

// workbenchScope is the service worker's scope: both pages, nothing else
// (the worker keeps no other page, which may show full records).
const workbenchScope = "/workbench"

// workbench is the workbench pages' handlers; they read nothing from the
// store (the pages are shells over the API).
type workbench struct {
	core *whttp.Server
	sw   []byte
}

// workbenchRoutes is the workbench's part of the server.
func workbenchRoutes(core *whttp.Server, _ wangge.Store) []whttp.Route {
	sw, err := fs.ReadFile(web.FS, "static/sw.js")
	if err != nil {
		panic(err) // embedded at build time
	}
	s := &workbench{core: core, sw: sw}
	return []whttp.Route{
		core.Page("GET /workbench", wangge.PermViewPeople, s.handleStart),
		core.Page("GET /workbench/visit", wangge.PermViewPeople, s.handleVisit),
		// The worker's script is public: the browser fetches it again to
		// look for an update whether or not the session still holds, and
		// a redirect to the login page would unregister the worker and
		// with it the offline pages. It holds no data.
		core.Public("GET /workbench/sw.js", s.handleServiceWorker),
	}
}

// handleStart shows the start page's shell.
func (s *workbench) handleStart(w http.ResponseWriter, r *http.Request) error {
	s.core.Render(w, r, http.StatusOK, "workbench", &whttp.View{Title: s.core.T(r, "wb.title"), Workbench: true})
	return nil
}

// handleVisit shows the visit form's shell; the household, building or
// room comes in the query and is looked up in the cached data by the
// script, so the form opens offline for any household of the grid.
func (s *workbench) handleVisit(w http.ResponseWriter, r *http.Request) error {
	s.core.Render(w, r, http.StatusOK, "workbench_visit", &whttp.View{Title: s.core.T(r, "wb.visit.title"), Workbench: true})
	return nil
}

// handleServiceWorker serves the worker with the header that lets a script
// under /workbench/ control /workbench itself, and no-cache, so a new
// version is found on the next visit rather than after a day.
func (s *workbench) handleServiceWorker(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Service-Worker-Allowed", workbenchScope)
	h.Set("Cache-Control", "no-cache")
	w.Write(s.sw)
	return nil
}
