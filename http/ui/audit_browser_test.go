package ui

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/passwd"
)

// TestBrowserAuditPageReadsInWords: at 1280×800 the audit page names
// actions and objects in words, shows each person an import added with
// the import it came through, lists the detail as keys and values, and
// its filters do not overlap.
func TestBrowserAuditPageReadsInWords(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	if err := f.store.CreateUser(t.Context(), &wangge.User{Username: "shenji", DisplayName: "审计员甲", Role: wangge.RoleAuditor, ScopeCode: district,
		PasswordHash: passwd.Hash(password, passwd.Params{Memory: 1024, Time: 1, Threads: 1})}); err != nil {
		t.Fatal(err)
	}
	h := f.server(t).Handler()
	c := login(t, h, "dongyuan")
	csv, _ := importCSV(f)
	job := uploadFile(t, h, c, "persons", "居民.csv", []byte(csv)).Header().Get("Location")
	if st := waitImport(t, h, c, job); st != "checked" {
		t.Fatalf("dry run: %s", st)
	}
	importReq(h, c, "POST", job+"/commit")
	if st := waitImport(t, h, c, job); st != "committed" {
		t.Fatalf("commit: %s", st)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}
	b.do("log in", chromedp.Navigate(ts.URL+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "shenji"), chromedp.SendKeys(chromedp.ID("password"), password))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	b.do("open the audit log", chromedp.Navigate(ts.URL+"/audit"), chromedp.WaitVisible(chromedp.CSS(`section[data-page="audit"]`)))

	if got := b.text(`tr[data-action="login.ok"] .audit-action`); got != "登录成功" {
		t.Errorf("login.ok reads %q", got)
	}
	obj := b.text(`tr[data-action="person.import"] .audit-object`)
	if !strings.Contains(obj, "居民") || !strings.Contains(obj, "导入甲") || !strings.Contains(obj, "东苑1号楼 1单元103室") {
		t.Errorf("the imported person reads %q", obj)
	}
	detail := b.text(`tr[data-action="person.import"] .audit-detail`)
	for _, want := range []string{"导入批次", "居民.csv", "改动的字段", "id_number"} {
		if !strings.Contains(detail, want) {
			t.Errorf("the detail lacks %q: %q", want, detail)
		}
	}
	if strings.Contains(detail, "{") {
		t.Errorf("the detail shows JSON: %q", detail)
	}
	// Filters side by side, none over another; nothing wider than the screen.
	type look struct {
		Overlap bool
		Fits    bool
		Fields  int
		Width   float64
		Table   bool
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[look](`(function () {
		var ls = Array.from(document.querySelectorAll(".audit-filters label"), function (l) { return l.getBoundingClientRect(); });
		var overlap = false;
		for (var i = 0; i < ls.length; i++) for (var j = i + 1; j < ls.length; j++) {
			var a = ls[i], b = ls[j];
			if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) overlap = true;
		}
		var cell = document.querySelector("td.audit-detail");
		return {Overlap: overlap, Fits: document.documentElement.scrollWidth <= window.innerWidth, Fields: ls.length,
			Width: cell ? cell.getBoundingClientRect().width : 0,
			Table: document.querySelector(".audit-log").getBoundingClientRect().right <= document.querySelector(".audit-log").parentElement.getBoundingClientRect().right + 1};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if got.Fields != 6 || got.Overlap || !got.Fits || !got.Table {
		t.Errorf("filters at 1280 px: %+v", got)
	}
	if got.Width < 300 {
		t.Errorf("the detail column is %.0f px wide", got.Width)
	}
	b.shoot("audit")
	// On a 390 px phone: one card per entry, nothing wider than the screen.
	b.do("emulate a phone", chromedp.Emulate(device.IPhone12), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`section[data-page="audit"]`)))
	fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	if err != nil || !fits {
		t.Errorf("the audit page is wider than a phone (%v)", err)
	}
	b.do("back to the desktop", chromedp.Emulate(desktop), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`section[data-page="audit"]`)))
	// The import's own entry, one click away.
	b.do("follow the job", chromedp.Click(chromedp.CSS(`tr[data-action="person.import"] [data-job-link]`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-action="import.persons"]`)))
	if got := b.text(`tr[data-action="import.persons"] .audit-action`); got != "导入居民台账" {
		t.Errorf("the import's entry reads %q", got)
	}
}
