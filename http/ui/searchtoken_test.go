package ui

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/ident"
)

// urlAttrs finds every URL of a page: links, form actions, sources.
var urlAttrs = regexp.MustCompile(`(?:href|action|src|formaction)="([^"]*)"`)

// TestIDNumberSearchKeepsTheNumberOutOfURLs: the residents' ledger's
// search form posts; an ID number (typed with spaces) goes on under a
// search token, so the number is in no URL of the result page — its
// links, form actions, sort and export links — nor in the server's log,
// while the search still finds the household and is audited, masked.
func TestIDNumberSearchKeepsTheNumberOutOfURLs(t *testing.T) {
	f := newFixture(t)
	var logged bytes.Buffer
	now := testNow
	srv := newTestServer(f.store, whttp.Options{Logger: slog.New(slog.NewTextHandler(&logged, nil)), Now: func() time.Time { return now }})
	h := srv.Handler()
	c := login(t, h, "dongyuan")
	id := f.ids[0] // 张建国 of 东苑1号楼 1单元101室
	spaced := id[:6] + " " + id[6:14] + " " + id[14:]
	leaks := func(what, s string) {
		t.Helper()
		for _, form := range []string{id, id[6:14], url.QueryEscape(spaced), strings.ReplaceAll(spaced, " ", "+")} {
			if strings.Contains(s, form) {
				t.Errorf("%s holds the ID number (%s): %s", what, form, s)
			}
		}
	}

	// The page's form posts.
	w := req{path: "/ledgers/residents", cookie: c}.do(t, h)
	wantStatus(t, "residents ledger", w, 200)
	if !strings.Contains(w.Body.String(), `method="post" action="/ledgers/residents"`) {
		t.Fatalf("the search form does not post")
	}

	w = req{method: "POST", path: "/ledgers/residents", cookie: c, form: url.Values{"area": {communityA}, "q": {spaced}, "sort": {"-building"}}}.do(t, h)
	wantStatus(t, "search by ID number", w, http.StatusSeeOther)
	loc := w.Header().Get("Location")
	leaks("the redirect", loc)
	if lu, err := url.Parse(loc); err != nil || lu.Query().Has("q") || lu.Query().Get("qt") == "" || lu.Query().Get("sort") != "-building" {
		t.Fatalf("redirect to %q, want the search token and the sort", loc)
	}
	w = req{path: loc, cookie: c}.do(t, h)
	wantStatus(t, "the result page", w, 200)
	body := w.Body.String()
	if rows := rowsOf(body, "data-household"); len(rows) != 1 || rows[0] != fmt.Sprint(f.householdA1.ID) {
		t.Fatalf("the ID number finds %v, want household %d", rows, f.householdA1.ID)
	}
	urls := urlAttrs.FindAllStringSubmatch(body, -1)
	var exports, sorts int
	for _, m := range urls {
		leaks("a URL of the result page", m[1])
		if strings.Contains(m[1], "/export.") {
			exports++
			if !strings.Contains(m[1], "qt=") {
				t.Errorf("export link %q lost the search", m[1])
			}
		}
		if strings.Contains(m[1], "sort=") && strings.Contains(m[1], "qt=") {
			sorts++
		}
	}
	if exports != 2 || sorts == 0 {
		t.Errorf("%d export links and %d sort links carry the search, want 2 and some", exports, sorts)
	}
	// The export form it leads to counts the one household, and keeps the
	// number out of its own URLs too.
	var xlsx string
	for _, m := range urls {
		if strings.Contains(m[1], "/export.xlsx") {
			xlsx = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	w = req{path: xlsx, cookie: c}.do(t, h)
	wantStatus(t, "the export form", w, 200)
	for _, m := range urlAttrs.FindAllStringSubmatch(w.Body.String(), -1) {
		leaks("a URL of the export form", m[1])
	}

	// Typed into the address, the number is sent on under a token too.
	for _, p := range []string{"/ledgers/residents", "/ledgers/residents/export.csv"} {
		w = req{path: p + "?q=" + id, cookie: c}.do(t, h)
		wantStatus(t, "an ID number in the address of "+p, w, http.StatusSeeOther)
		leaks("that redirect", w.Header().Get("Location"))
		w = req{path: w.Header().Get("Location"), cookie: c}.do(t, h)
		wantStatus(t, "its page", w, 200)
		for _, m := range urlAttrs.FindAllStringSubmatch(w.Body.String(), -1) {
			leaks("a URL of "+p, m[1])
		}
	}
	// An ordinary search stays an address one may keep.
	w = req{method: "POST", path: "/ledgers/residents", cookie: c, form: url.Values{"area": {communityA}, "q": {"张伟"}}}.do(t, h)
	wantStatus(t, "a name search", w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); !strings.Contains(loc, "q="+url.QueryEscape("张伟")) {
		t.Errorf("a name search goes to %q", loc)
	}

	// The blind-index search is audited as before, once for each result
	// page shown (the form's and the typed address's; the redirects and
	// the export form search nothing), the number masked.
	es, _, err := f.store.ListAudit(context.Background(), wangge.AuditFilter{Action: "person.search"})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 {
		t.Fatalf("%d audit entries of the ID searches, want 2: %+v", len(es), es)
	}
	for _, e := range es {
		if e.Username != "dongyuan" || e.Detail != `{"found":1,"id_number":"`+ident.MaskID(id)+`"}` {
			t.Errorf("audit of the ID search: %+v", e)
		}
		leaks("the audit entry", e.Detail)
	}
	leaks("the server log", logged.String())

	// The token is the session's: another session cannot open it, and it
	// expires.
	w = req{path: loc, cookie: login(t, h, "admin")}.do(t, h)
	wantStatus(t, "another session's token", w, http.StatusBadRequest)
	now = testNow.Add(searchTokenTTL)
	w = req{path: loc, cookie: c}.do(t, h)
	wantStatus(t, "an expired token", w, http.StatusBadRequest)
	leaks("the expired token's page", w.Body.String())
}

// TestPrintedLedgerMasksTheIDNumberSearched: the printed list names its
// search, an ID number masked.
func TestPrintedLedgerMasksTheIDNumberSearched(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	c := login(t, h, "dongyuan")
	w := req{method: "POST", path: "/ledgers/residents", cookie: c, form: url.Values{"q": {f.ids[0]}}}.do(t, h)
	w = req{path: w.Header().Get("Location"), cookie: c}.do(t, h)
	wantStatus(t, "the result page", w, 200)
	printed := regexp.MustCompile(`<p class="print-only">[^<]*</p>`).FindString(w.Body.String())
	if !strings.Contains(printed, ident.MaskID(f.ids[0])) || strings.Contains(printed, f.ids[0]) {
		t.Errorf("the printed list names the search as %q", printed)
	}
}
