package http

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzSafeNext: whatever a login link carries as next, the redirect stays on
// this site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/areas/140499", "//evil.example/", "https://evil.example", "/\\evil", "javascript:alert(1)", "/%2F%2Fevil", "/a?b=c#d", "", " /x", "/\t/evil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\r\n\t") {
			t.Fatalf("safeNext(%q) = %q leaves the site", next, got)
		}
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" {
			t.Fatalf("safeNext(%q) = %q parses as %v, %v", next, got, u, err)
		}
	})
}
