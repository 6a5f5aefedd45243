package http

import (
	"context"

	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wangge/wangge"
)

// What a handler package needs of the core. The JSON API (http/api), and
// next Open311 and the phone workbench's API, are packages over this
// package: each gives NewServer a Provider, whose routes the core serves
// behind its middleware (panics, security headers, CSRF, the request log)
// and its one error renderer. The core imports none of them; the command
// line composes them (cmd/wangge).

// A Provider is a handler package's part of the server: given the core and
// the store, it returns its routes. It keeps of the store only the narrow
// interfaces its handlers use.
type Provider func(core *Server, store wangge.Store) []Route

// Route is one entry of the route table: a ServeMux pattern, the
// permission it needs ("" for public routes) and its handler. Handler
// packages make routes with Public, Page and API, so that a route's
// permission is checked in one place; the authorization matrix test walks
// every route of every package (Server.Routes), so a route added without an
// entry in the matrix fails it.
type Route struct {
	Pattern string
	Perm    wangge.Permission
	handler http.Handler
}

// HandlerFunc is a handler that returns its error to the core, which
// renders it in the one place that maps errors to statuses.
type HandlerFunc func(http.ResponseWriter, *http.Request) error

// Routes returns every route the server serves, the core's and each
// provider's, in the order they were registered.
func (s *Server) Routes() []Route { return append([]Route(nil), s.table...) }

// Public makes the route of a page anyone may see, such as the kiosk.
func (s *Server) Public(pattern string, h HandlerFunc) Route {
	return Route{Pattern: pattern, handler: s.handle(h)}
}

// PublicPage makes the route of a public page that also knows a visitor
// who is logged in (UserFrom is nil for everyone else): the residents'
// report form, on which a building head reports as himself. Nothing is
// refused for want of a session.
func (s *Server) PublicPage(pattern string, h HandlerFunc) Route {
	return Route{Pattern: pattern, handler: s.withSession(s.handle(h))}
}

// API makes the route of a public JSON endpoint. Its errors are the JSON
// error object, as every answer under /api/ is (Error decides by the path).
func (s *Server) API(pattern string, h HandlerFunc) Route {
	return Route{Pattern: pattern, handler: s.handle(h)}
}

// Page makes the route of a page that needs a logged-in user with the
// permission: a visitor without a session is sent to log in, a user whose
// role lacks perm is refused.
func (s *Server) Page(pattern string, perm wangge.Permission, h HandlerFunc) Route {
	return Route{Pattern: pattern, Perm: perm, handler: s.withSession(s.requireUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !UserFrom(r.Context()).Role.Can(perm) {
			s.Error(w, r, ErrForbidden)
			return
		}
		if err := h(w, r); err != nil {
			s.Error(w, r, err)
		}
	})))}
}

// errorRenderer renders the errors of requests under a path prefix.
type errorRenderer struct {
	prefix string
	render func(w http.ResponseWriter, r *http.Request, status int, err error)
}

// ErrorsUnder has Error render the errors of every request under prefix
// with render (given the status Status maps the error to, after an
// internal error is logged) instead of the error page or the JSON error
// object: Open311 answers its own error array in the format the path
// names, also for what the core refuses itself (a cross-origin POST, a
// panic). A provider calls it while it builds its routes.
func (s *Server) ErrorsUnder(prefix string, render func(w http.ResponseWriter, r *http.Request, status int, err error)) {
	s.errorsUnder = append(s.errorsUnder, errorRenderer{prefix: prefix, render: render})
}

// handle serves h, rendering its error.
func (s *Server) handle(h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.Error(w, r, err)
		}
	})
}

// T returns the catalogue's message id in the request's language; args
// are name/value pairs for the message's parameters.
func (s *Server) T(r *http.Request, id string, args ...any) string {
	return s.msgs.T(LangOf(r), id, args...)
}

// Options are the server's options, with NewServer's defaults filled in
// and the invalid ones cleared.
func (s *Server) Options() Options { return s.opts }

// TLang is T in the language l, for a text not in the reader's language
// (what the audit log records is Chinese).
func (s *Server) TLang(l Lang, id string, args ...any) string {
	return s.msgs.T(l, id, args...)
}

// Now is the server's clock (Options.Now).
func (s *Server) Now() time.Time { return s.now() }

// Logger is the server's logger (Options.Logger).
func (s *Server) Logger() *slog.Logger { return s.log }

// Locator is the server's index of the current grid outlines, which the
// kiosk and the JSON API share, and which FollowChanges keeps current.
func (s *Server) Locator() *Locator { return s.locate }

// Downloads of people's data.

// errCrossSite refuses a download another site asked for.
var errCrossSite = wangge.E(wangge.EForbidden, "error.export.cross_site")

// Export makes the route of a download of people's data or a report (a
// Page with the permission). A GET changes nothing, so the cross-origin
// protection lets it pass; but an export is audited in the user's name and
// hands over full records, so a request another site made the browser send
// (Sec-Fetch-Site cross-site or same-site: a link, an image, a form on
// another page) is refused before the handler runs. A request the user
// made here (same-origin), typed or bookmarked (none), or sent by a client
// that names no site (the command line's tools) passes.
func (s *Server) Export(pattern string, perm wangge.Permission, h HandlerFunc) Route {
	return s.Page(pattern, perm, func(w http.ResponseWriter, r *http.Request) error {
		if err := RefuseCrossSite(r); err != nil {
			return err
		}
		return h(w, r)
	})
}

// RefuseCrossSite is Export's check, for a handler that serves a page and
// its download on one route.
func RefuseCrossSite(r *http.Request) error {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return errCrossSite
	}
	return nil
}

// For the import jobs (http/ui): background work, and the session a job
// belongs to.

// work is one piece of background work: fn every d.
type work struct {
	d  time.Duration
	fn func(context.Context)
}

// Every has ListenAndServe call fn every d while it serves, with a context
// that ends when the server stops; ListenAndServe returns only once fn
// has. A provider calls it while it builds its routes (work registered
// later never starts). A server served through Handler alone, as in
// tests, runs none of it.
func (s *Server) Every(d time.Duration, fn func(context.Context)) {
	s.work = append(s.work, work{d: d, fn: fn})
}

// SessionHash returns the hash of the request's session token, nil
// without a session cookie: what names a session in the store, so that
// something can belong to one session of a user (an import job).
func SessionHash(r *http.Request) []byte { return sessionHash(r) }

// For the kiosk (http/ui): where it stands, which Options.KioskAt and the
// kiosk's ?at= give.

// LngLat is a point in WGS-84.
type LngLat struct{ Lng, Lat float64 }

// ParseLngLat reads "lng,lat" in WGS-84, as `wangge serve --kiosk-at` and
// /kiosk?at= take it.
func ParseLngLat(field, s string) (*LngLat, error) {
	bad := wangge.Invalid(field, "error.lnglat")
	lngS, latS, ok := strings.Cut(strings.TrimSpace(s), ",")
	if !ok {
		return nil, bad
	}
	lng, err1 := strconv.ParseFloat(strings.TrimSpace(lngS), 64)
	lat, err2 := strconv.ParseFloat(strings.TrimSpace(latS), 64)
	if err1 != nil || err2 != nil || math.IsNaN(lng) || math.IsNaN(lat) || lng < -180 || lng > 180 || lat < -90 || lat > 90 {
		return nil, bad
	}
	return &LngLat{Lng: lng, Lat: lat}, nil
}

// String writes the point as ParseLngLat reads it.
func (p *LngLat) String() string {
	return strconv.FormatFloat(p.Lng, 'f', -1, 64) + "," + strconv.FormatFloat(p.Lat, 'f', -1, 64)
}

// The ledgers (http/ui's ledgers.go, ledger_export.go, searchtoken.go).

// SessionKey derives a 32-byte key from the request's session token for
// the named purpose (HMAC-SHA-256 of the purpose under the token), and
// reports false without a well-formed session cookie. Only that session
// can derive it, on any server of a cluster, and never after logout; the
// token itself stays in the core. The ledgers seal an ID-number search
// under it, so that a link carries the search but no number.
func SessionKey(r *http.Request, purpose string) ([]byte, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, false
	}
	token, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(token) != tokenLen {
		return nil, false
	}
	mac := hmac.New(sha256.New, token)
	mac.Write([]byte(purpose))
	return mac.Sum(nil), true
}
