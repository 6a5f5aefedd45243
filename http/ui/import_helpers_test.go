package ui

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
)

// Helpers of the import pages' tests.

// importServer serves the import pages alone (and the core's logging in)
// over the fixture, their jobs' leases lasting lease: a server that lets
// a silent server's job go sooner than a real one would.
func importServer(t testing.TB, f *fixture, lease time.Duration) *whttp.Server {
	return whttp.NewServer(f.store, testOptions(t), func(core *whttp.Server, store wangge.Store) []whttp.Route {
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
