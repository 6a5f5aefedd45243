package ui

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// loginWith logs in through the form with a password of its own (the
// demo's accounts have theirs) and returns the session cookie; as
// http/demo_test.go's, which the ledgers' search test used there.
func loginWith(t testing.TB, h http.Handler, username, pw string) *http.Cookie {
	t.Helper()
	form := url.Values{"username": {username}, "password": {pw}}
	r := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie && w.Code == http.StatusSeeOther {
			return c
		}
	}
	t.Fatalf("login %s: status %d", username, w.Code)
	return nil
}
