package http

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/http/internal/apitest"
)

// TestErrorRendererFollowsRouteAndAccept: outside the API a page request
// gets the HTML error page, a request preferring JSON the error object.
func TestErrorRendererFollowsRouteAndAccept(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	for _, tc := range []struct {
		accept string
		json   bool
	}{
		{"", false},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false}, // a browser
		{"*/*", false},
		{"application/json", true},
		{"application/json, text/plain, */*", true},
		{"text/html;q=0.5, application/json", true},
		{"application/json;q=0.2, text/html", false},
	} {
		r := httptest.NewRequest("GET", "/no/such/page", nil)
		if tc.accept != "" {
			r.Header.Set("Accept", tc.accept)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		ct := w.Header().Get("Content-Type")
		if w.Code != 404 {
			t.Errorf("Accept %q: status %d", tc.accept, w.Code)
		}
		if tc.json {
			var m map[string]any
			if !strings.HasPrefix(ct, "application/json") || json.Unmarshal(w.Body.Bytes(), &m) != nil {
				t.Errorf("Accept %q: %s, want the JSON error\n%s", tc.accept, ct, w.Body)
				continue
			}
			apitest.ErrorShape(t, m)
		} else if !strings.HasPrefix(ct, "text/html") {
			t.Errorf("Accept %q: %s, want the error page", tc.accept, ct)
		}
	}
	// Outside the API a wrong method is still the page's 404: pages are
	// not an interface that announces its methods.
	r := httptest.NewRequest("DELETE", "/login", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 404 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Errorf("DELETE /login: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
}

// TestAPIPanicIsAJSONInternalError: a handler's panic under /api/v1 is the
// error object with status 500, saying nothing of what went wrong.
func TestAPIPanicIsAJSONInternalError(t *testing.T) {
	f := newFixture(t)
	s := f.server(t)
	h := s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom secret") }))
	w, m := apitest.RawJSON(t, h, "GET", "/api/v1/locate?lng=1&lat=1", "")
	if code, details := apitest.ErrorShape(t, m); w.Code != 500 || code != "internal" || len(details) != 0 {
		t.Errorf("panic: %d %v", w.Code, m)
	}
	if strings.Contains(w.Body.String(), "boom") {
		t.Errorf("the panic's value leaked: %s", w.Body)
	}
}

// TestLoginRequiredIsJSON401ForAPIClients: a route that needs a login
// answers an API client (a path under /api/, or an Accept that prefers
// JSON) with the JSON error and 401, never the redirect to the login
// form; a browser asking for a page is still sent to log in.
func TestLoginRequiredIsJSON401ForAPIClients(t *testing.T) {
	f := newFixture(t)
	// No /api/ route needs a login yet; the phone workbench's will. One
	// made the way a handler package makes it stands in for them.
	private := func(core *Server, _ wangge.Store) []Route {
		return []Route{core.Page("GET /api/v1/test-private", wangge.PermLogin, func(w http.ResponseWriter, r *http.Request) error {
			WriteJSON(w, http.StatusOK, map[string]string{"ok": "yes"})
			return nil
		})}
	}
	h := NewServer(f.store, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return testNow }},
		append(slices.Clone(TestProviders), private)...).Handler()
	for _, c := range []struct{ name, path, accept string }{
		{"an /api/ route without Accept", "/api/v1/test-private", ""},
		{"an /api/ route asked for HTML", "/api/v1/test-private", "text/html"},
		{"a page asked for as JSON", "/areas/" + district, "application/json"},
		{"a JSON route of the pages", "/areas/" + gridA + "/card.json", "application/json, text/plain, */*"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, m := apitest.RawJSON(t, h, "GET", c.path, c.accept)
			if w.Code != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", w.Code)
			}
			if loc := w.Header().Get("Location"); loc != "" {
				t.Errorf("Location %q, want none", loc)
			}
			if code, _ := apitest.ErrorShape(t, m); code != "unauthorized" {
				t.Errorf("code %q, want unauthorized", code)
			}
		})
	}
	browser := "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	w := req{path: "/areas/" + district, header: map[string]string{"Accept": browser}}.do(t, h)
	wantStatus(t, "a browser asking for a page", w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/login?next=%2Fareas%2F"+district {
		t.Errorf("browser's Location %q", loc)
	}
	c := login(t, h, "admin")
	w = req{path: "/api/v1/test-private", cookie: c}.do(t, h)
	wantStatus(t, "the /api/ route logged in", w, http.StatusOK)
}
