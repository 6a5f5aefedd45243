// Package apitest holds what the tests of the JSON answers share: they
// read the raw JSON into maps, never into the structs that wrote it, so
// that renaming a key fails them. Only tests import it.
package apitest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// RawJSON requests method path from h with the Accept header (none when
// empty) and decodes the answer into a map (nil for HEAD).
func RawJSON(t testing.TB, h http.Handler, method, path, accept string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	if accept != "" {
		r.Header.Set("Accept", accept)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if method == http.MethodHead {
		return w, nil
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s: Content-Type %q, want JSON\n%s", method, path, ct, w.Body)
	}
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("%s %s: %v\n%s", method, path, err, w.Body)
	}
	return w, m
}

// Obj is m[key] as an object; it fails the test when it is not one.
func Obj(t testing.TB, m map[string]any, key string) map[string]any {
	t.Helper()
	o, ok := m[key].(map[string]any)
	if !ok {
		t.Fatalf("%q is %T, want an object: %v", key, m[key], m)
	}
	return o
}

// ErrorShape checks the raw error object {"error":{"code","message",
// "message_zh","details":[…]}} and returns its code and details.
func ErrorShape(t testing.TB, m map[string]any) (code string, details []any) {
	t.Helper()
	if len(m) != 1 {
		t.Errorf("error answer has keys besides \"error\": %v", m)
	}
	e := Obj(t, m, "error")
	code, _ = e["code"].(string)
	msg, _ := e["message"].(string)
	zh, _ := e["message_zh"].(string)
	if code == "" || msg == "" || zh == "" {
		t.Errorf("error object lacks code, message or message_zh: %v", e)
	}
	details, ok := e["details"].([]any)
	if !ok {
		t.Errorf("details is %T, want an array (empty when there are none): %v", e["details"], e)
	}
	return code, details
}
