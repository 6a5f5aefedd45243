package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"github.com/wangge/wangge"
)

// TestCallButtonIsAnAuditedRevealWithinTheGrid: the grid assistant sees a
// call button beside each masked phone of a household in his grid;
// pressing it records a reveal of that phone (reason 电话联系) and answers
// with a tel: link to the full number. A person outside his grid is not
// found, and nothing is recorded; a call from another site is refused.
func TestCallButtonIsAnAuditedRevealWithinTheGrid(t *testing.T) {
	f := newFixture(t)
	ledgerUsers(t, f)
	h := f.server(t).Handler()
	assistant := login(t, h, "xieliyuan")
	ctx := context.Background()
	ps, _, err := f.store.ListPersons(ctx, wangge.ScopeAll(), wangge.PersonFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]wangge.Person{}
	for _, p := range ps {
		byName[p.Name] = p
	}
	zhang, liu := byName["张建国"], byName["刘洋"] // grid A, grid B

	page := getAs(t, h, assistant, fmt.Sprintf("/households/%d", f.householdA1.ID)).Body.String()
	if !strings.Contains(page, fmt.Sprintf(`<form method="post" action="/persons/%d/call"`, zhang.ID)) {
		t.Fatal("the household page has no call button for 张建国")
	}
	if n := strings.Count(page, `class="call-form"`); n != 2 { // 张建国 and 张伟 have phones, 李秀英 none
		t.Errorf("%d call buttons, want 2 (one per person with a phone)", n)
	}

	call := func(id int64, hdr map[string]string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", fmt.Sprintf("/persons/%d/call", id), nil)
		r.AddCookie(assistant)
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	reveals := func() []wangge.AuditEntry {
		es, _, err := f.store.ListAudit(ctx, wangge.AuditFilter{Action: "person.reveal", Username: "xieliyuan"})
		if err != nil {
			t.Fatal(err)
		}
		return es
	}

	w := call(zhang.ID, nil)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `href="tel:13912345678"`) {
		t.Fatalf("call in the grid: %d\n%.500s", w.Code, w.Body)
	}
	if strings.Contains(w.Body.String(), f.ids[0]) {
		t.Error("the call page shows the ID number")
	}
	es := reveals()
	if len(es) != 1 || es[0].ObjectID != fmt.Sprint(zhang.ID) || !strings.Contains(es[0].Detail, "电话联系") || es[0].GridCode != gridA {
		t.Fatalf("the call's audit entry: %+v", es)
	}

	if w := call(liu.ID, nil); w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "13612345671") {
		t.Errorf("call outside the grid: %d", w.Code)
	}
	if w := call(zhang.ID, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}); w.Code != http.StatusForbidden {
		t.Errorf("a call from another site: %d, want 403", w.Code)
	}
	if n := len(reveals()); n != 1 {
		t.Errorf("%d reveals recorded, want only the one call in the grid", n)
	}
	// Someone without a phone has nothing to call.
	if w := call(byName["李秀英"].ID, nil); w.Code != http.StatusBadRequest {
		t.Errorf("call a person without a phone: %d, want 400", w.Code)
	}
}

// TestBrowserCallFromAPhone: on a 390 px phone, the grid assistant presses
// 拨打 beside a masked phone and lands on a page whose big button dials the
// full number (a tel: link).
func TestBrowserCallFromAPhone(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	ledgerUsers(t, f)
	ts := httptest.NewServer(f.server(t).Handler())
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}
	b.do("log in as the assistant on a phone",
		chromedp.Emulate(device.IPhone12),
		chromedp.Navigate(ts.URL+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "xieliyuan"),
		chromedp.SendKeys(chromedp.ID("password"), password))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	b.do("open the household",
		chromedp.Navigate(fmt.Sprintf("%s/households/%d", ts.URL, f.householdA1.ID)),
		chromedp.WaitVisible(chromedp.CSS(".call-button")))
	b.shoot("household-call")
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(".call-button"))); err != nil {
		t.Fatal(err)
	}
	b.do("wait for the call page", chromedp.WaitVisible(chromedp.CSS("a.call-now")))
	attr, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("a.call-now"), "href"))
	if err != nil {
		t.Fatal(err)
	}
	if href := attr.Value; href != "tel:13912345678" {
		t.Errorf("the call button dials %q, want tel:13912345678", href)
	}
	b.shoot("call")
}
