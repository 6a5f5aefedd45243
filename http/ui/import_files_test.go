package ui

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestImportDownloadsAreNamedInTheReadersLanguage: a template, and the
// rejected rows of an upload, download under a name in the reader's
// language (from the catalogue), with a plain ASCII name for old browsers.
func TestImportDownloadsAreNamedInTheReadersLanguage(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	c := login(t, h, "dongyuan")
	named := func(w *http.Response, ascii, want string) {
		t.Helper()
		cd := w.Header.Get("Content-Disposition")
		_, enc, _ := strings.Cut(cd, "filename*=UTF-8''")
		name, err := url.PathUnescape(enc)
		if err != nil || name != want || !strings.Contains(cd, `filename="`+ascii+`"`) {
			t.Errorf("Content-Disposition %q: name %q, want %q and %q", cd, name, want, ascii)
		}
	}
	get := func(path, lang string) *http.Response {
		t.Helper()
		r := httptest.NewRequest("GET", path, nil)
		r.AddCookie(c)
		if lang != "" {
			r.AddCookie(&http.Cookie{Name: "lang", Value: lang})
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d", path, w.Code)
		}
		return w.Result()
	}
	named(get("/import/templates/persons", ""), "persons-template.xlsx", "居民（含住户）导入模板.xlsx")
	named(get("/import/templates/units", "en"), "units-template.xlsx", "Resident units import template.xlsx")

	csv, _ := importCSV(f)
	job := uploadFile(t, h, c, "persons", "居民.csv", []byte(csv)).Header().Get("Location")
	if st := waitImport(t, h, c, job); st != "checked" {
		t.Fatalf("state %s after the dry run", st)
	}
	named(get(job+"/rejects.xlsx", ""), "rejected-rows.xlsx", "未导入的行-居民.csv.xlsx")
	named(get(job+"/rejects.xlsx", "en"), "rejected-rows.xlsx", "rejected rows-居民.csv.xlsx")
}
