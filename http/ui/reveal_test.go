package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/wangge/wangge"
)

func revealRequest(h http.Handler, c *http.Cookie, personID int64, form url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", fmt.Sprintf("/persons/%d/reveal", personID), strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(c)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestRevealNeedsAReasonIsAuditedAndRateLimited: the household page shows
// masked values and a link; the full values appear only after a reason, the
// audit log records who, whom and why, and the hourly limit holds. The form
// comes with no reason chosen.
func TestRevealNeedsAReasonIsAuditedAndRateLimited(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	ctx := context.Background()
	persons, _, err := f.store.ListPersons(ctx, wangge.ScopeAll(), wangge.PersonFilter{HouseholdID: f.householdA1.ID})
	if err != nil {
		t.Fatal(err)
	}
	p := persons[0]
	full := f.ids[0]
	c := login(t, h, "dongyuan")

	page := scenario{url: fmt.Sprintf("/households/%d", f.householdA1.ID), as: "dongyuan", status: 200,
		contains: []string{fmt.Sprintf(`href="/persons/%d/reveal"`, p.ID)}, excludes: []string{full}}
	page.run(t, h)

	form := scenario{url: fmt.Sprintf("/persons/%d/reveal", p.ID), as: "dongyuan", status: 200,
		contains: []string{`name="reason"`, "核实身份"}, excludes: []string{full, "checked"}}
	form.run(t, h)

	for name, v := range map[string]url.Values{
		"no reason":            {},
		"unknown reason":       {"reason": {"curious"}},
		"other without detail": {"reason": {"other"}},
	} {
		w := revealRequest(h, c, p.ID, v)
		if w.Code != http.StatusBadRequest || strings.Contains(w.Body.String(), full) {
			t.Errorf("%s: %d, want 400 and no full value", name, w.Code)
		}
	}

	w := revealRequest(h, c, p.ID, url.Values{"reason": {"other"}, "detail": {"协助办理高龄津贴"}})
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), full) {
		t.Fatalf("reveal with a reason: %d, full value shown %v", w.Code, strings.Contains(w.Body.String(), full))
	}
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("revealed page Cache-Control %q, want no-store", w.Header().Get("Cache-Control"))
	}
	entries, _, err := f.store.ListAudit(ctx, wangge.AuditFilter{Action: "person.reveal", Username: "dongyuan"})
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit entries %d, %v; want 1", len(entries), err)
	}
	e := entries[0]
	if e.ObjectID != fmt.Sprint(p.ID) || !strings.Contains(e.Detail, "协助办理高龄津贴") || e.Addr == "" || strings.Contains(e.Detail, full) {
		t.Errorf("audit entry %+v", e)
	}

	for i := 1; i < wangge.RevealsPerHour; i++ {
		if w := revealRequest(h, c, p.ID, url.Values{"reason": {"verify"}}); w.Code != http.StatusOK {
			t.Fatalf("reveal %d: %d", i+1, w.Code)
		}
	}
	w = revealRequest(h, c, p.ID, url.Values{"reason": {"verify"}})
	if w.Code != http.StatusTooManyRequests || strings.Contains(w.Body.String(), full) {
		t.Fatalf("reveal past the hourly limit: %d, want 429 without the value", w.Code)
	}
	// The page names the refusal in words, not by its catalogue key.
	if b := w.Body.String(); !strings.Contains(b, "<title>请求过于频繁") || strings.Contains(b, "error.429") {
		t.Errorf("the 429 page's title: %s", b[:min(len(b), 400)])
	}
	// The limit is per user: another user may still reveal.
	if w := revealRequest(h, login(t, h, "admin"), p.ID, url.Values{"reason": {"verify"}}); w.Code != http.StatusOK {
		t.Fatalf("another user's reveal: %d", w.Code)
	}
}
