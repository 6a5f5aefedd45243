package ui

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
)

// Helpers of the import pages' tests. logInBrowser is copied from package
// http's tests (map_browser_test.go) while the map pages have not moved.

// importTestOptions are the fixture server's options: the test clock, and the
// log in the test's when verbose.
func importTestOptions(t testing.TB) whttp.Options {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, nil))
	}
	return whttp.Options{Logger: log, Now: func() time.Time { return testNow }}
}

// importServer serves the import pages alone (and the core's logging in)
// over the fixture, their jobs' leases lasting lease: a server that lets
// a silent server's job go sooner than a real one would.
func importServer(t testing.TB, f *fixture, lease time.Duration) *whttp.Server {
	return whttp.NewServer(f.store, importTestOptions(t), func(core *whttp.Server, store wangge.Store) []whttp.Route {
		im := newImports(core, store)
		im.jobs.lease = lease
		return im.routes()
	})
}

// importSessionOf is the hash of the session behind the cookie, as an import
// job the session uploads records it.
func importSessionOf(c *http.Cookie) []byte {
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(c)
	return whttp.SessionHash(r)
}
