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

// FuzzDayOf: the audit search's date fields never panic and either give a
// date or a clear field error.
func FuzzDayOf(f *testing.F) {
	for _, s := range []string{"2026-01-31", "2026-13-01", "", "0000-00-00", "２０２６-01-01", "2026-1-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d, err := dayOf("since", v, 0)
		if err == nil && v != "" && d.IsZero() {
			t.Fatalf("dayOf(%q) gave no date and no error", v)
		}
	})
}
