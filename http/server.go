// Package http is the core of wangge's web side: the server, sessions and
// logging in, the middleware (panics, security headers, cross-origin
// protection, the request log and metrics), the one error renderer (the
// HTML error page, or the JSON error object for /api/ and for clients
// that prefer JSON), templates with the layout, the message catalogue and
// the locate index. Handler packages are Providers of routes over it
// (core.go): the JSON API (http/api), the pages (http/ui), and next
// Open311; the core imports none of them, the command line composes them.
// The pages not yet moved to http/ui (imports, the kiosk) still live
// here, and move out the same way.
//
// The web side translates between HTTP and the domain and nothing more:
// every read passes the logged-in user's scope to the store, which decides
// what the user may see.
package http

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/geo"
)

// Options configure a Server. The zero value serves with sensible defaults.
type Options struct {
	// Logger receives the request log and internal errors (slog.Default()
	// when nil).
	Logger *slog.Logger
	// SecureCookies marks cookies Secure, for a server behind a TLS proxy.
	// Requests that arrive over TLS get Secure cookies regardless.
	SecureCookies bool
	// SessionTTL is how long a login lasts (12 hours when zero).
	SessionTTL time.Duration
	// Now is the clock (tests); time.Now when nil.
	Now func() time.Time
	// TileURL is a map tile template such as
	// "https://tiles.example.org/{z}/{x}/{y}.png" (WGS-84 tiles in the web
	// Mercator grid). Empty: maps draw grids and buildings as vectors on a
	// plain background, with no tile server at all.
	TileURL string
	// PublicURL is the address residents reach the server at, such as
	// "https://wangge.example.gov.cn"; QR codes on printed door plates
	// point there. Empty: the address of the request that printed them.
	PublicURL string
	// CJT349Object is the 6-digit management/service-object code (CJ/T 348)
	// from which ledger exports derive each grid's 20-digit CJ/T 349 code.
	// Empty: exports leave that column out.
	CJT349Object string
	// KioskAt is where the kiosk stands, marked "you are here" on its map
	// (nil: unmarked, unless the kiosk's address gives ?at=lng,lat).
	KioskAt *LngLat
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed (see Server.ClientAddr). None: the peer is the client.
	TrustedProxies []netip.Prefix
}

// Server is the web interface over a store.
type Server struct {
	store   wangge.Store
	opts    Options
	log     *slog.Logger
	now     func() time.Time
	msgs    *catalogue
	tmpl    *templates
	metrics *metrics
	locate  *Locator
	table   []Route // every route, the core's and the providers'
	work    []work  // what ListenAndServe runs in the background (Every)
	handler http.Handler

	// errorsUnder are the error renderers of handler packages with an
	// error format of their own (ErrorsUnder).
	errorsUnder []errorRenderer
}

// shutdownTimeout bounds how long ListenAndServe waits for requests in flight.
const shutdownTimeout = 10 * time.Second

// NewServer returns a server over store with the core's routes and those
// of each provider (the handler packages: the JSON API, and next Open311),
// all behind the same middleware. It panics when the embedded templates or
// message catalogue are broken, which the tests catch, or when two routes
// claim one pattern.
func NewServer(store wangge.Store, opts Options, providers ...Provider) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 12 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if _, err := TileOrigin(opts.TileURL); err != nil {
		opts.Logger.Error("ignoring the tile URL: maps draw vectors only", "tiles", opts.TileURL, "err", err)
		opts.TileURL = ""
	}
	if base, err := PublicBase(opts.PublicURL); err != nil {
		opts.Logger.Error("ignoring the public URL: door plates point at the address they are printed from", "public_url", opts.PublicURL, "err", err)
		opts.PublicURL = ""
	} else {
		opts.PublicURL = base
	}
	if opts.CJT349Object != "" {
		if _, err := geo.ToCJT349("000000000000001", opts.CJT349Object); err != nil {
			opts.Logger.Error("ignoring the CJ/T 349 object code: exports leave out the 20-digit grid codes", "object", opts.CJT349Object, "err", err)
			opts.CJT349Object = ""
		}
	}
	s := &Server{store: store, opts: opts, log: opts.Logger, now: opts.Now, metrics: newMetrics(), locate: &Locator{store: store}}
	s.metrics.outbox, _ = store.(OutboxCounter)
	var err error
	if s.msgs, err = newCatalogue(s.log); err != nil {
		panic(err)
	}
	if s.tmpl, err = s.newTemplates(); err != nil {
		panic(err)
	}
	s.Every(time.Hour, s.sweepSessions)
	s.table = s.coreRoutes()
	for _, p := range providers {
		s.table = append(s.table, p(s, store)...)
	}
	s.handler = s.routes()
	return s
}

// Handler returns the server's handler with all its middleware.
func (s *Server) Handler() http.Handler { return s.handler }

// coreRoutes are the core's own routes: health, metrics, static files,
// the language switch, logging in and out and one's own account; for now
// also the pages not yet moved to http/ui.
func (s *Server) coreRoutes() []Route {
	public := func(pattern string, h http.Handler) Route { return Route{Pattern: pattern, handler: h} }
	session := func(pattern string, h http.HandlerFunc) Route {
		return Route{Pattern: pattern, handler: s.withSession(h)}
	}
	return []Route{
		public("GET /healthz", http.HandlerFunc(s.handleHealth)),
		public("GET /metrics", s.metrics),
		public("GET /static/", s.staticHandler()),
		public("GET /lang/{lang}", http.HandlerFunc(s.handleLang)),
		session("GET /login", s.handleLoginForm),
		session("POST /login", s.handleLogin),
		session("POST /logout", s.handleLogout),

		// One's own account: any logged-in user changes their password;
		// staff roles may turn on one-time codes (the handlers refuse the
		// others).
		s.Page("GET /account/password", wangge.PermLogin, s.handlePasswordForm),
		s.Page("POST /account/password", wangge.PermLogin, s.handlePassword),
		s.Page("GET /account/totp", wangge.PermLogin, s.handleTOTPPage),
		s.Page("POST /account/totp", wangge.PermLogin, s.handleTOTP),
	}
}

// routes registers the route table and the middleware around it.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.table {
		mux.Handle(rt.Pattern, rt.handler)
	}
	// Nothing else matches: a 404, or for the API a 405 with Allow when
	// the path is known under other methods (the catch-all keeps ServeMux
	// from answering 405 itself, in plain text).
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if isAPI(r) {
			if allow := allowedMethods(mux, r); len(allow) > 0 {
				w.Header().Set("Allow", strings.Join(allow, ", "))
				s.Error(w, r, errMethod)
				return
			}
		}
		s.Error(w, r, wangge.ErrNotFound)
	})

	// Browsers say where a state-changing request comes from; one from
	// another site is refused, which is all the CSRF protection a
	// SameSite=Lax session cookie still needs.
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, errCrossOrigin)
	}))

	var h http.Handler = csrf.Handler(mux)
	h = s.recoverPanics(h)
	tileOrigin, _ := TileOrigin(s.opts.TileURL) // checked by NewServer
	h = securityHeaders(cspWithTiles(tileOrigin), h)
	h = s.logRequests(h)
	return h
}

// handleHealth answers 200 "ok" when the store answers a cheap query.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if _, err := s.store.Empty(ctx); err != nil {
		s.log.Error("health check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("unavailable\n"))
		return
	}
	w.Write([]byte("ok\n"))
}

// FollowChanges makes the server follow changes other servers make to
// outlines and areas, when the store pushes them (wangge.BoundaryFeed),
// until ctx is done. ListenAndServe calls it.
func (s *Server) FollowChanges(ctx context.Context) {
	if f, ok := s.store.(wangge.BoundaryFeed); ok {
		if ch := f.BoundaryChanges(ctx); ch != nil {
			go s.locate.follow(ch)
		}
	}
}

// ListenAndServe serves on addr until ctx is cancelled, then stops taking
// new connections and waits up to 10 seconds for requests in flight. It
// returns nil after such a shutdown.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	srv := &http.Server{
		Addr:              addr,
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.FollowChanges(ctx)
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	// The background work (Every) stops with the server; ListenAndServe
	// returns once it has, so nothing of the server runs after it.
	bctx, stopBackground := context.WithCancel(ctx)
	var background sync.WaitGroup
	defer func() { stopBackground(); background.Wait() }()
	for _, wk := range s.work {
		background.Go(func() { every(bctx, wk.d, wk.fn) })
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	return err
}

// every calls fn every d until ctx ends.
func every(ctx context.Context, d time.Duration, fn func(context.Context)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn(ctx)
		}
	}
}

// sweepSessions deletes expired sessions and old login attempts (hourly,
// from ListenAndServe). Expired sessions never log anyone in, and old
// attempts count for nothing; this only keeps the tables small.
func (s *Server) sweepSessions(ctx context.Context) {
	if n, err := s.store.DeleteExpiredSessions(ctx, s.now()); err != nil {
		s.log.Warn("deleting expired sessions", "err", err)
	} else if n > 0 {
		s.log.Info("deleted expired sessions", "count", n)
	}
	// Login attempts matter for minutes; the audit log keeps the record.
	if _, err := s.store.PurgeLoginAttempts(ctx, s.now().Add(-wangge.LoginAttemptsKept), s.now().Add(-wangge.LoginDevicesKept)); err != nil {
		s.log.Warn("purging login attempts", "err", err)
	}
}

// PublicBase checks a public URL (Options.PublicURL) and returns it without
// a trailing slash ("" for an empty one): http or https, a host, and at
// most a path, under which /kiosk/grids/{code} is appended.
func PublicBase(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", wangge.Invalid("public_url", "error.public_url")
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}
