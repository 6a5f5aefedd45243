package ui

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/sqldb"
)

// TestPersonalExportAsksForAReasonFirst: GET on a personal export is a form
// that counts the rows the filters select and asks for a reason, with none
// given; a POST without a reason, or with too short a one, is refused with
// the message and writes neither a file nor an audit entry; with a reason
// the file comes, and the audit entry holds the reason, the filters and
// the rows.
func TestPersonalExportAsksForAReasonFirst(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	c := login(t, h, "dongyuan")
	countAudit := func() int {
		_, n, err := f.store.ListAudit(context.Background(), wangge.AuditFilter{Action: "ledger.export", Page: wangge.Page{Limit: 1}})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	w := ledgerGet(t, h, c, "/ledgers/residents/export.xlsx?q="+url.QueryEscape("张伟"))
	body := w.Body.String()
	if w.Code != 200 || w.Header().Get("Content-Disposition") != "" {
		t.Fatalf("form: %d %q", w.Code, w.Header().Get("Content-Disposition"))
	}
	for _, want := range []string{`data-export-rows="3"`, "将导出 3 行", `name="reason"`, "required", `method="post"`,
		`action="/ledgers/residents/export.xlsx?area=` + communityA + `&amp;q=`} {
		if !strings.Contains(body, want) {
			t.Errorf("form lacks %q", want)
		}
	}
	if i := strings.Index(body, "<textarea"); i < 0 || !strings.Contains(body[i:], "></textarea>") {
		t.Error("the form comes with a reason")
	}
	if countAudit() != 0 {
		t.Error("the form was audited as an export")
	}

	for name, reason := range map[string]string{"none": "", "blank": "   ", "short": "查看"} {
		w := ledgerPost(t, h, c, "/ledgers/residents/export.csv", url.Values{"reason": {reason}})
		if w.Code != http.StatusBadRequest || w.Header().Get("Content-Disposition") != "" || !strings.Contains(w.Body.String(), "须填写导出原因") {
			t.Errorf("%s reason: %d %q", name, w.Code, w.Header().Get("Content-Disposition"))
		}
	}
	if w := ledgerPost(t, h, c, "/ledgers/residents/export.csv", url.Values{"reason": {""}}, english); !strings.Contains(w.Body.String(), "needs a reason") {
		t.Error("the refusal is not in English on the English page")
	}
	if countAudit() != 0 {
		t.Error("a refused export was audited")
	}

	data := exportOf(t, h, c, "/ledgers/units/export.csv")
	if !strings.Contains(string(data), "导出原因 "+testExportReason) {
		t.Errorf("the CSV lacks its reason: %.200q", data)
	}
	e, d := lastExportAudit(t, f)
	if e.ObjectID != "units" || d["reason"] != testExportReason || d["area"] != communityA || d["rows"] != float64(1) {
		t.Errorf("audit %+v %v", e, d)
	}
}

// TestPersonalExportsAreLimitedPerUser: a user makes at most
// PersonalExportsPerHour personal exports an hour; the next is refused
// with 429 and a message in both languages, another user is not affected,
// and the public assistants' ledger neither counts nor is refused.
func TestPersonalExportsAreLimitedPerUser(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	c := login(t, h, "dongyuan")
	paths := []string{"/ledgers/residents/export.csv", "/ledgers/units/export.xlsx", "/ledgers/groups/export.csv?group=elderly"}
	// The assistants' exports in between count for nothing: the last
	// personal export within the limit still comes.
	for i := 0; i < wangge.PersonalExportsPerHour; i++ {
		exportOf(t, h, c, "/ledgers/assistants/export.csv")
		exportOf(t, h, c, paths[i%len(paths)])
	}
	w := ledgerPost(t, h, c, "/ledgers/residents/export.xlsx", url.Values{"reason": {testExportReason}})
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Content-Disposition") != "" || !strings.Contains(w.Body.String(), "上限") {
		t.Errorf("export past the limit: %d %q", w.Code, w.Header().Get("Content-Disposition"))
	}
	if strings.Contains(w.Body.String(), `name="reason"`) {
		t.Error("the refused form still offers to export")
	}
	if w := ledgerPost(t, h, c, "/ledgers/units/export.csv", url.Values{"reason": {testExportReason}}, english); w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), "the limit") {
		t.Errorf("English refusal: %d", w.Code)
	}
	exportOf(t, h, c, "/ledgers/assistants/export.xlsx")
	exportOf(t, h, login(t, h, "admin"), "/ledgers/residents/export.xlsx")
}

// TestPersonalExportRefusedByTheStoreSendsNothing: an export the early
// count lets through but the store's own count refuses (two at the same
// moment, or here a server whose clock runs ahead of the database's) is
// answered as the early refusal is: 429 with the message, the form without
// its button, no file and no audit entry.
func TestPersonalExportRefusedByTheStoreSendsNothing(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	c := login(t, h, "dongyuan")
	// The exports are recorded two hours before the server's now, outside
	// the hour the early count reads, inside the store's.
	f.store.(*sqldb.DB).SetClock(func() time.Time { return testNow.Add(-2 * time.Hour) })
	for range wangge.PersonalExportsPerHour {
		exportOf(t, h, c, "/ledgers/units/export.csv")
	}
	_, before, err := f.store.ListAudit(context.Background(), wangge.AuditFilter{Action: "ledger.export", Page: wangge.Page{Limit: 1}})
	if err != nil {
		t.Fatal(err)
	}
	w := ledgerPost(t, h, c, "/ledgers/residents/export.xlsx", url.Values{"reason": {testExportReason}})
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Content-Disposition") != "" || !strings.Contains(w.Body.String(), "上限") {
		t.Errorf("export the store refuses: %d %q", w.Code, w.Header().Get("Content-Disposition"))
	}
	if strings.Contains(w.Body.String(), `name="reason"`) {
		t.Error("the refused form still offers to export")
	}
	if _, n, err := f.store.ListAudit(context.Background(), wangge.AuditFilter{Action: "ledger.export", Page: wangge.Page{Limit: 1}}); err != nil || n != before {
		t.Errorf("%d audit entries after the refusal, want %d (%v)", n, before, err)
	}
}

// english is the cookie of the English interface.
var english = &http.Cookie{Name: "lang", Value: string(whttp.LangEn)}
