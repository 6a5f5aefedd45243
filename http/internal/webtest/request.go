package webtest

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// Logger is the server's log in a test: the test's log under -v, else
// nowhere.
func Logger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(testWriter{t}, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// testWriter sends the server's log to the test's log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// SessionCookie is the core's session cookie, which logging in sets.
const SessionCookie = "wangge_session"

// Login logs username in with Password through the form and returns the
// session cookie.
func Login(t testing.TB, h http.Handler, username string) *http.Cookie {
	t.Helper()
	return LoginWith(t, h, username, Password)
}

// LoginWith logs in with a password of its own (the demo's accounts have
// theirs) and returns the session cookie.
func LoginWith(t testing.TB, h http.Handler, username, pw string) *http.Cookie {
	t.Helper()
	form := url.Values{"username": {username}, "password": {pw}}
	r := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("login %s: status %d, want 303\n%s", username, w.Code, w.Body)
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == SessionCookie {
			return c
		}
	}
	t.Fatalf("login %s: no session cookie", username)
	return nil
}

// ContentSecurityPolicy is the core's policy when maps use no tiles.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// Scenario is one request and what its response must hold.
type Scenario struct {
	Method   string // GET when empty
	URL      string
	As       string // username to log in as first; "" for anonymous
	Lang     string // value of the lang cookie
	Form     url.Values
	Header   map[string]string
	Status   int
	Location string   // expected Location header
	Contains []string // fragments the body must hold
	Excludes []string // fragments the body must not hold
}

// Run sends the request to h and checks the response, raw, against the
// scenario and CheckHeadersAndScripts.
func (sc Scenario) Run(t *testing.T, h http.Handler) *httptest.ResponseRecorder {
	t.Helper()
	method := sc.Method
	if method == "" {
		method = "GET"
	}
	var r *http.Request
	if sc.Form != nil {
		r = httptest.NewRequest(method, sc.URL, strings.NewReader(sc.Form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, sc.URL, nil)
	}
	for k, v := range sc.Header {
		r.Header.Set(k, v)
	}
	if sc.As != "" {
		r.AddCookie(Login(t, h, sc.As))
	}
	if sc.Lang != "" {
		r.AddCookie(&http.Cookie{Name: "lang", Value: sc.Lang})
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	body := w.Body.String()
	if w.Code != sc.Status {
		t.Errorf("status %d, want %d\n%s", w.Code, sc.Status, body)
	}
	if sc.Location != "" && w.Header().Get("Location") != sc.Location {
		t.Errorf("Location %q, want %q", w.Header().Get("Location"), sc.Location)
	}
	for _, s := range sc.Contains {
		if !strings.Contains(body, s) {
			t.Errorf("body lacks %q\n%s", s, body)
		}
	}
	for _, s := range sc.Excludes {
		if strings.Contains(body, s) {
			t.Errorf("body holds %q", s)
		}
	}
	CheckHeadersAndScripts(t, w)
	return w
}

// CheckHeadersAndScripts checks what every response must hold: the
// security headers, and in HTML no inline script or style (the CSP would
// block them).
func CheckHeadersAndScripts(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	h := w.Header()
	if h.Get("Content-Security-Policy") != ContentSecurityPolicy {
		t.Errorf("Content-Security-Policy %q", h.Get("Content-Security-Policy"))
	}
	for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"} {
		if h.Get(k) != v {
			t.Errorf("%s %q, want %q", k, h.Get(k), v)
		}
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		return
	}
	body := strings.ToLower(w.Body.String())
	for rest := body; ; {
		i := strings.Index(rest, "<script")
		if i < 0 {
			break
		}
		tag, _, _ := strings.Cut(rest[i:], ">")
		if !strings.Contains(tag, " src=") {
			t.Errorf("inline script: %s>", tag)
		}
		rest = rest[i+len("<script"):]
	}
	for _, bad := range []string{"<style", " style=", " onclick=", " onload=", "javascript:"} {
		if strings.Contains(body, bad) {
			t.Errorf("body holds %q, which the CSP forbids", bad)
		}
	}
}
