package ui

import (
	"net/url"
	"testing"
)

// TestDownloadsRefuseCrossSiteRequests: every download of people's data
// — the assistants' ledger (a GET), the personal exports (a POST with a
// reason) — is refused when another site made the browser ask (issue 11,
// item 12: a cross-site GET ran an audited export in the victim's name),
// and served when asked from this site's own page.
func TestDownloadsRefuseCrossSiteRequests(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	for _, c := range []struct {
		method, url string
		form        url.Values
	}{
		{"GET", "/ledgers/assistants/export.xlsx", nil},
		{"GET", "/ledgers/assistants/export.csv", nil},
		{"POST", "/ledgers/residents/export.csv", url.Values{"reason": {testExportReason}}},
		{"POST", "/ledgers/units/export.xlsx", url.Values{"reason": {testExportReason}}},
	} {
		for _, site := range []string{"cross-site", "same-site"} {
			w := scenario{method: c.method, url: c.url, form: c.form, as: "dongyuan", status: 403,
				header: map[string]string{"Sec-Fetch-Site": site}}.run(t, h)
			if w.Header().Get("Content-Disposition") != "" {
				t.Errorf("%s %s (%s): a file was sent", c.method, c.url, site)
			}
		}
		w := scenario{method: c.method, url: c.url, form: c.form, as: "dongyuan", status: 200,
			header: map[string]string{"Sec-Fetch-Site": "same-origin"}}.run(t, h)
		if w.Header().Get("Content-Disposition") == "" {
			t.Errorf("%s %s from this site: no file", c.method, c.url)
		}
	}
}
