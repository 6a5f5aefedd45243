package ui

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/passwd"
	"github.com/wangge/wangge/sqldb"
)

// caseFixture is the test district with cases on the board at the test
// clock (Sunday 2026-03-01 10:00 in Beijing), one of each kind the board
// tells apart, made through the real store:
//
//	em      an emergency in grid A reported two minutes ago
//	late    a coordination case in grid A whose dispatch was due last week (overdue)
//	soon    dispatched to civil affairs on Saturday (a make-up workday) with
//	        four working hours to accept it: due Monday morning (due soon), supervised
//	ontime  accepted by civil affairs: five working days to handle (on time)
//	ret     returned by civil affairs on Friday with a reason: the community's
//	        re-dispatch was due at Saturday's close (overdue)
//	far     a coordination case in grid B, overdue
//	done    a general case fed back and closed
type caseFixture struct {
	*fixture
	db    *sqldb.DB
	cases map[string]*casework.Case
	users map[string]*wangge.User
}

const caseReporterContact = "13811112222"

func newCaseFixture(t *testing.T) *caseFixture {
	t.Helper()
	f := newFixture(t)
	ledgerUsers(t, f)
	ctx := context.Background()
	cheap := passwd.Params{Memory: 1024, Time: 1, Threads: 1}
	for _, u := range []wangge.User{
		{Username: "xiyuan", Role: wangge.RoleAssistant, ScopeCode: gridB},
		{Username: "xiyuanshequ", Role: wangge.RoleCommunityStaff, ScopeCode: communityB},
		{Username: "jiedao", Role: wangge.RoleSubdistrictStaff, ScopeCode: subdistrict},
	} {
		u.PasswordHash = passwd.Hash(password, cheap)
		if err := f.store.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	cf := &caseFixture{fixture: f, db: f.store.(*sqldb.DB), cases: map[string]*casework.Case{}, users: map[string]*wangge.User{}}
	for _, name := range []string{"admin", "dongyuan", "xieliyuan", "minzheng", "xiyuanshequ"} {
		u, err := f.store.UserByUsername(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		cf.users[name] = u
	}
	at := func(s string) {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, testNow.Location())
		if err != nil {
			t.Fatal(err)
		}
		cf.db.SetClock(func() time.Time { return tm })
	}
	at("2026-02-24 10:00")
	cf.open(t, "late", "xieliyuan", gridA, casework.Coordination, "P01", "rubbish piled by the north gate")
	cf.open(t, "far", "xiyuanshequ", gridB, casework.Coordination, "P02", "a loose railing on the stairs")
	at("2026-02-27 10:00")
	cf.open(t, "ret", "xieliyuan", gridA, casework.Coordination, "P12", "an old man alone asks for help")
	cf.act(t, "ret", "dongyuan", casework.Action{Name: casework.ActDispatch, Receiver: civilAffairs})
	cf.act(t, "ret", "minzheng", casework.Action{Name: casework.ActReturn, Note: "not ours: the housing office's"})
	cf.open(t, "ontime", "xieliyuan", gridA, casework.Coordination, "P12", "a family in hardship needs a visit")
	cf.act(t, "ontime", "dongyuan", casework.Action{Name: casework.ActDispatch, Receiver: civilAffairs})
	cf.act(t, "ontime", "minzheng", casework.Action{Name: casework.ActAccept})
	cf.open(t, "done", "xieliyuan", gridA, casework.General, "P14", "a bulb changed in the hall")
	cf.act(t, "done", "xieliyuan", casework.Action{Name: casework.ActFeedback, Channel: casework.ChannelPhone, Note: "fixed"})
	cf.act(t, "done", "xieliyuan", casework.Action{Name: casework.ActClose})
	at("2026-02-28 16:00")
	cf.open(t, "soon", "xieliyuan", gridA, casework.Coordination, "P01", "a broken street lamp by building 2")
	cf.act(t, "soon", "dongyuan", casework.Action{Name: casework.ActDispatch, Receiver: civilAffairs})
	cf.act(t, "soon", "admin", casework.Action{Name: casework.ActSupervise, Note: "residents walk there at night"})
	at("2026-03-01 09:58")
	cf.open(t, "em", "xieliyuan", gridA, casework.Emergency, "P06", "smoke from a window on the third floor")
	cf.db.SetClock(func() time.Time { return testNow })
	return cf
}

var civilAffairs = &casework.Receiver{Kind: casework.ToDepartment, Line: wangge.LineCivil, Name: "区民政局"}

func (cf *caseFixture) open(t *testing.T, name, who, grid string, m casework.Mechanism, cat, desc string) {
	t.Helper()
	var c casework.Category
	for _, x := range casework.ProblemTypes {
		if x.Code == cat {
			c = x
		}
	}
	d := casework.Draft{Source: casework.SourceVisit, Category: c, Mechanism: m, Location: casework.Location{GridCode: grid},
		Reporter: casework.Reporter{Name: "张建国", Contact: caseReporterContact}, Description: desc}
	if m == casework.General {
		d.Done = "changed it on the spot"
	}
	got, err := cf.db.CreateCase(context.Background(), casework.ActorOf(cf.users[who]), d, "")
	if err != nil {
		t.Fatalf("%s opens %s: %v", who, name, err)
	}
	cf.cases[name] = got
}

func (cf *caseFixture) act(t *testing.T, name, who string, a casework.Action) {
	t.Helper()
	c := cf.cases[name]
	got, _, err := cf.db.ApplyCase(context.Background(), casework.ActorOf(cf.users[who]), casework.Transition{Number: c.Number, Version: c.Version, Action: a})
	if err != nil {
		t.Fatalf("%s %s on %s: %v", who, a.Name, name, err)
	}
	if got == nil {
		got = &casework.Case{Number: c.Number, Version: c.Version + 1}
	}
	cf.cases[name] = got
}

var caseRowRe = regexp.MustCompile(`<tr data-case="([0-9-]+)"`)

// rows names the board's rows in order by the fixture's names.
func (cf *caseFixture) rows(body string) []string {
	var out []string
	for _, m := range caseRowRe.FindAllStringSubmatch(body, -1) {
		out = append(out, cf.name(m[1]))
	}
	return out
}

// name is the fixture's name of a case number.
func (cf *caseFixture) name(number string) string {
	for n, c := range cf.cases {
		if c.Number == number {
			return n
		}
	}
	return number
}

var caseColRe = regexp.MustCompile(`data-col="(\w+)"[^>]*><span class="case-col-n" data-n>(\d+)</span>`)

// columns reads the board's counts.
func columns(body string) map[string]string {
	out := map[string]string{}
	for _, m := range caseColRe.FindAllStringSubmatch(body, -1) {
		out[m[1]] = m[2]
	}
	return out
}

func (cf *caseFixture) get(t *testing.T, h http.Handler, as, path string, status int) string {
	t.Helper()
	return scenario{url: path, as: as, status: status}.run(t, h).Body.String()
}

func TestCaseBoardOrdersEmergencyOverdueDueSoon(t *testing.T) {
	cf := newCaseFixture(t)
	h := cf.server(t).Handler()
	body := cf.get(t, h, "dongyuan", "/cases", http.StatusOK)
	if got, want := cf.rows(body), []string{"em", "late", "ret", "soon", "ontime"}; !slices.Equal(got, want) {
		t.Errorf("board rows %v, want %v (emergency, overdue, due soon, the rest)", got, want)
	}
	want := map[string]string{"emergency": "1", "overdue": "2", "due_soon": "1", "on_time": "1", "waiting": "0", "open": "5"}
	if got := columns(body); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("counts %v, want %v", got, want)
	}
	for _, frag := range []string{
		`<section id="case-board"`,
		`<a href="/cases/` + cf.cases["em"].Number + `">`,
		`class="case-emergency"`,
		`data-light="red"`,        // late
		`data-badge="supervised"`, // soon
		`href="/cases/new"`,
		`data-export="xlsx"`,
		// Due times in Beijing: the emergency's ten minutes from 09:58.
		"2026-03-01 10:08",
	} {
		if !strings.Contains(body, frag) {
			t.Errorf("the board lacks %q", frag)
		}
	}
	if strings.Contains(body, cf.cases["far"].Number) {
		t.Error("community A's board shows community B's case")
	}
}

func TestCaseBoardFiltersSearchAndScope(t *testing.T) {
	cf := newCaseFixture(t)
	h := cf.server(t).Handler()
	tests := []struct {
		name, as, path string
		want           []string
	}{
		{"emergencies", "dongyuan", "/cases?mechanism=emergency", []string{"em"}},
		{"the overdue column", "dongyuan", "/cases?col=overdue", []string{"late", "ret"}},
		{"the due-soon column", "dongyuan", "/cases?col=due_soon", []string{"soon"}},
		{"a state", "dongyuan", "/cases?state=returned", []string{"ret"}},
		{"a category", "dongyuan", "/cases?category=P12", []string{"ret", "ontime"}},
		{"the receiving line", "dongyuan", "/cases?receiver=civil", []string{"soon", "ontime"}},
		{"closed too", "dongyuan", "/cases?all=1&category=P14", []string{"done"}},
		{"open only by default", "dongyuan", "/cases?category=P14", nil},
		{"the level following", "admin", "/cases?level=2", nil},
		{"a grid of the district", "admin", "/cases?area=" + gridB, []string{"far"}},
		{"the whole district", "admin", "/cases", []string{"em", "far", "late", "ret", "soon", "ontime"}},
		{"words of the description", "dongyuan", "/cases?q=street+lamp", []string{"soon"}},
		{"words of the category", "dongyuan", "/cases?q=sanitation", []string{"late", "soon"}},
		{"a wildcard is a character", "dongyuan", "/cases?q=%25", nil},
		// Scope: grid B's assistant sees grid B's case only, and a
		// building head nothing he did not report.
		{"another grid's assistant", "xiyuan", "/cases", []string{"far"}},
		{"another grid's assistant searching", "xiyuan", "/cases?q=lamp", nil},
		{"a building head", "louzhang", "/cases", nil},
		// A department: what was dispatched to it and its line's.
		{"civil affairs", "minzheng", "/cases", []string{"ret", "soon", "ontime"}},
		{"labour", "laodong", "/cases", nil},
	}
	for _, tc := range tests {
		body := cf.get(t, h, tc.as, tc.path, http.StatusOK)
		if got := cf.rows(body); !slices.Equal(got, tc.want) {
			t.Errorf("%s (%s %s): %v, want %v", tc.name, tc.as, tc.path, got, tc.want)
		}
	}
	em := cf.cases["em"].Number
	for _, sc := range []scenario{
		// A case number goes to the case; one out of sight is not found.
		{url: "/cases?q=" + em, as: "dongyuan", status: http.StatusSeeOther, location: "/cases/" + em},
		{url: "/cases?q=" + em, as: "xiyuan", status: http.StatusOK, contains: []string{"data-no-number"}},
		{url: "/cases?area=" + gridA, as: "xiyuan", status: http.StatusNotFound},
		{url: "/cases?area=140498001001001", as: "dongyuan", status: http.StatusNotFound},
		{url: "/cases?state=lost", as: "dongyuan", status: http.StatusBadRequest},
		{url: "/cases?col=late", as: "dongyuan", status: http.StatusBadRequest},
		{url: "/cases?level=4", as: "dongyuan", status: http.StatusBadRequest},
		{url: "/cases?q=" + url.QueryEscape(strings.Repeat("字", 51)), as: "dongyuan", status: http.StatusBadRequest},
		{url: "/cases?q=a+b+c+d+e+f", as: "dongyuan", status: http.StatusBadRequest},
		{url: "/cases", as: "louzhang", status: http.StatusOK, contains: []string{`data-new-case`}, excludes: []string{`data-export="xlsx"`}},
		// The district supervises; it registers no case.
		{url: "/cases", as: "admin", status: http.StatusOK, contains: []string{`href="/cases/supervision`}, excludes: []string{`data-new-case`}},
		{url: "/cases", as: "minzheng", status: http.StatusOK, contains: []string{`data-new-case`, `href="/cases/inbox"`}},
		{url: "/cases", status: http.StatusSeeOther},
	} {
		sc.run(t, h)
	}
	// The counts follow the scope and the filters but for their own column.
	body := cf.get(t, h, "dongyuan", "/cases?col=overdue&category=P01", http.StatusOK)
	if got, want := columns(body), map[string]string{"emergency": "0", "overdue": "1", "due_soon": "1", "on_time": "0", "waiting": "0", "open": "2"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("counts of P01 %v, want %v", got, want)
	}
}

func TestCaseInboxListsTheLinesCasesWithQuickActions(t *testing.T) {
	cf := newCaseFixture(t)
	h := cf.server(t).Handler()
	body := cf.get(t, h, "minzheng", "/cases/inbox", http.StatusOK)
	section := func(key string) string {
		i := strings.Index(body, `data-section="`+key+`"`)
		if i < 0 {
			t.Fatalf("no section %s", key)
		}
		rest := body[i:]
		if j := strings.Index(rest[1:], `data-section="`); j >= 0 {
			rest = rest[:j+1]
		}
		return rest
	}
	soon, ontime, ret := cf.cases["soon"], cf.cases["ontime"], cf.cases["ret"]
	tests := []struct {
		key      string
		contains []string
		excludes []string
	}{
		{"awaiting", []string{`data-case="` + soon.Number + `"`, `action="/cases/` + soon.Number + `/actions"`,
			`name="action" value="accept"`, `name="action" value="return"`, `name="version" value="` + fmt.Sprint(soon.Version) + `"`, `name="note"`},
			[]string{ontime.Number, ret.Number, `value="handle"`}},
		{"in_progress", []string{`data-case="` + ontime.Number + `"`, `name="action" value="handle"`, `name="version" value="` + fmt.Sprint(ontime.Version) + `"`},
			[]string{soon.Number, `value="accept"`}},
		{"returned", []string{`data-case="` + ret.Number + `"`}, []string{`<form`}},
	}
	for _, tc := range tests {
		s := section(tc.key)
		for _, c := range tc.contains {
			if !strings.Contains(s, c) {
				t.Errorf("inbox %s lacks %q", tc.key, c)
			}
		}
		for _, c := range tc.excludes {
			if strings.Contains(s, c) {
				t.Errorf("inbox %s holds %q", tc.key, c)
			}
		}
	}
	// Another line's inbox is empty; staff have the board instead.
	other := cf.get(t, h, "laodong", "/cases/inbox", http.StatusOK)
	if strings.Contains(other, "data-case=") {
		t.Error("labour's inbox shows civil affairs' cases")
	}
	scenario{url: "/cases/inbox", as: "dongyuan", status: http.StatusSeeOther, location: "/cases"}.run(t, h)
}

func TestCaseSupervisionGroupsByCommunity(t *testing.T) {
	cf := newCaseFixture(t)
	h := cf.server(t).Handler()
	for _, as := range []string{"admin", "jiedao"} {
		body := cf.get(t, h, as, "/cases/supervision", http.StatusOK)
		a := strings.Index(body, `<section class="case-community" id="community-`+communityA)
		b := strings.Index(body, `<section class="case-community" id="community-`+communityB)
		if a < 0 || b < 0 || b < a {
			t.Fatalf("%s: community A (%d) with more cases should come before B (%d)", as, a, b)
		}
		groupA, groupB := body[a:b], body[b:]
		if got := cf.rows(groupA); !slices.Equal(got, []string{"late", "ret", "soon"}) {
			t.Errorf("%s: community A's rows %v, want the overdue ones and the supervised one", as, got)
		}
		if got := cf.rows(groupB); !slices.Equal(got, []string{"far"}) {
			t.Errorf("%s: community B's rows %v", as, got)
		}
		for _, frag := range []string{
			`<h2 id="community-h-` + communityA + `">东苑社区 <span class="count" data-n>3</span></h2>`,
			// late's dispatch was due Wednesday 25 February at 18:00.
			`<span class="case-light case-light-red">3 天 16 小时</span>`,
			`data-badge="supervised"`,
		} {
			if !strings.Contains(body, frag) {
				t.Errorf("%s: the supervision view lacks %q", as, frag)
			}
		}
	}
	for _, sc := range []scenario{
		{url: "/cases/supervision", as: "dongyuan", status: http.StatusForbidden},
		{url: "/cases/supervision?area=" + communityB, as: "admin", status: http.StatusOK, excludes: []string{cf.cases["late"].Number}},
	} {
		sc.run(t, h)
	}
}

func TestCaseExportXLSXFilteredMaskedAndAudited(t *testing.T) {
	cf := newCaseFixture(t)
	h := cf.server(t).Handler()
	ctx := context.Background()
	c := login(t, h, "dongyuan")
	r := httptest.NewRequest("GET", "/cases/export.xlsx?all=1", nil)
	r.AddCookie(c)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK || !strings.Contains(w.Header().Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("export: %d %s\n%.300s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	if bytes.Contains(w.Body.Bytes(), []byte(caseReporterContact)) {
		t.Error("the file holds the reporter's contact")
	}
	x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("案件")
	if err != nil {
		t.Fatal(err)
	}
	wantHead := []string{"案件编号", "类别", "处置机制", "状态", "社区", "网格", "跟进层级", "时限", "当前时限", "登记时间", "结案时间", "承办单位", "报告人", "标记", "描述"}
	if len(rows) == 0 || !slices.Equal(rows[0], wantHead) {
		t.Fatalf("header %v, want %v", rows[:min(1, len(rows))], wantHead)
	}
	var numbers []string
	for _, row := range rows[1:] {
		numbers = append(numbers, cf.name(row[0]))
		for _, cell := range row {
			if strings.Contains(cell, "张建国") || strings.Contains(cell, caseReporterContact) {
				t.Errorf("row %s holds the reporter's name or contact in clear: %q", row[0], cell)
			}
		}
	}
	// The board's order, closed cases too (all=1), community A's only.
	if want := []string{"em", "late", "ret", "soon", "ontime", "done"}; !slices.Equal(numbers, want) {
		t.Errorf("rows %v, want %v", numbers, want)
	}
	byName := map[string][]string{}
	for _, row := range rows[1:] {
		byName[cf.name(row[0])] = row
	}
	if late := byName["late"]; len(late) < 13 || late[3] != "已受理" || late[5] != "东苑第一网格" || late[7] != "超期" || late[12] != "张*国" {
		t.Errorf("late's row %q", late)
	}
	if soon := byName["soon"]; len(soon) < 14 || soon[11] != "区民政局" || !strings.Contains(soon[13], "督办") {
		t.Errorf("soon's row %q", soon)
	}
	notes, err := x.GetRows("说明")
	if err != nil || len(notes) < 2 || !strings.Contains(notes[1][0], "本表 6 行") {
		t.Errorf("notes %v (%v)", notes, err)
	}
	es, _, err := cf.store.ListAudit(ctx, wangge.AuditFilter{Action: "case.export", Page: wangge.Page{Limit: 10}})
	if err != nil || len(es) != 1 || es[0].Username != "dongyuan" || es[0].GridCode != communityA || !strings.Contains(es[0].Detail, `"rows":6`) {
		t.Errorf("audit of the export: %+v (%v)", es, err)
	}
	for _, sc := range []scenario{
		{url: "/cases/export.xlsx", as: "louzhang", status: http.StatusForbidden},
		{url: "/cases/export.xlsx?area=" + gridB, as: "dongyuan", status: http.StatusNotFound},
		{url: "/cases/export.xlsx", as: "dongyuan", header: map[string]string{"Sec-Fetch-Site": "cross-site"}, status: http.StatusForbidden},
	} {
		sc.run(t, h)
	}
}

func TestCaseExportCutSaysSo(t *testing.T) {
	cf := newCaseFixture(t)
	h := cf.server(t).Handler()
	was := caseExportMax
	caseExportMax = 2
	t.Cleanup(func() { caseExportMax = was })
	scenario{url: "/cases", as: "dongyuan", status: http.StatusOK,
		contains: []string{"当前筛选共 5 件，超过导出上限 2 行"}}.run(t, h)
	scenario{url: "/cases?mechanism=emergency", as: "dongyuan", status: http.StatusOK,
		contains: []string{"按当前筛选导出，最多 2 行"}, excludes: []string{"超过导出上限"}}.run(t, h)
	scenario{url: "/cases", as: "dongyuan", lang: "en", status: http.StatusOK,
		contains: []string{"The filters select 5 cases, more than an export holds (2 rows)", "Case board", ">Overdue<", "Environmental sanitation"}}.run(t, h)
	w := scenario{url: "/cases/export.xlsx", as: "dongyuan", status: http.StatusOK}.run(t, h)
	x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, _ := x.GetRows("案件")
	notes, _ := x.GetRows("说明")
	if len(rows) != 3 || cf.name(rows[1][0]) != "em" || cf.name(rows[2][0]) != "late" {
		t.Errorf("a cut export holds %d rows (%v), want the header and the board's first two", len(rows), rows)
	}
	var cut bool
	for _, n := range notes {
		cut = cut || strings.Contains(n[0], "超过导出上限 2 行")
	}
	if !cut {
		t.Errorf("the notes do not say the export was cut: %v", notes)
	}
	es, _, err := cf.store.ListAudit(context.Background(), wangge.AuditFilter{Action: "case.export", Page: wangge.Page{Limit: 10}})
	if err != nil || len(es) != 1 || !strings.Contains(es[0].Detail, `"cut":true`) || !strings.Contains(es[0].Detail, `"total":5`) {
		t.Errorf("audit of a cut export: %+v (%v)", es, err)
	}
}

var quickFormRe = regexp.MustCompile(`(?s)<form class="case-quick" method="post" action="([^"]+)" data-action="(\w+)">(.*?)</form>`)
var hiddenRe = regexp.MustCompile(`<input type="hidden" name="(\w+)" value="([^"]*)">`)

// inboxForms reads the inbox's quick-action forms: by case number and
// action, the address and the hidden fields.
func inboxForms(body string) map[string]struct {
	action string
	form   url.Values
} {
	out := map[string]struct {
		action string
		form   url.Values
	}{}
	for _, m := range quickFormRe.FindAllStringSubmatch(body, -1) {
		f := url.Values{}
		for _, h := range hiddenRe.FindAllStringSubmatch(m[3], -1) {
			f.Set(h[1], h[2])
		}
		number := strings.TrimSuffix(strings.TrimPrefix(m[1], "/cases/"), "/actions")
		out[number+" "+m[2]] = struct {
			action string
			form   url.Values
		}{m[1], f}
	}
	return out
}

// TestCaseInboxQuickActionsTakeTheCase posts the inbox's own forms to the
// case page's action handler: the department accepts one case and
// returns another with a reason, and the inbox shows them moved.
func TestCaseInboxQuickActionsTakeTheCase(t *testing.T) {
	cf := newCaseFixture(t)
	h := cf.server(t).Handler()
	c := login(t, h, "minzheng")
	soon, ontime := cf.cases["soon"], cf.cases["ontime"]
	forms := inboxForms(cf.get(t, h, "minzheng", "/cases/inbox", http.StatusOK))
	accept, ok := forms[soon.Number+" accept"]
	if !ok {
		t.Fatalf("no accept form for %s: %v", soon.Number, forms)
	}
	if w := postAs(t, h, c, accept.action, accept.form); w.Code != http.StatusSeeOther {
		t.Fatalf("accept: %d\n%.400s", w.Code, w.Body)
	}
	done, ok := forms[ontime.Number+" handle"]
	if !ok {
		t.Fatalf("no report-done form for %s", ontime.Number)
	}
	done.form.Set("note", "visited the family, allowance applied for")
	if w := postAs(t, h, c, done.action, done.form); w.Code != http.StatusSeeOther {
		t.Fatalf("report done: %d\n%.400s", w.Code, w.Body)
	}
	for name, want := range map[string]casework.State{"soon": casework.InProgress, "ontime": casework.Handled} {
		got, err := cf.db.Case(context.Background(), casework.ActorOf(cf.users["minzheng"]), cf.cases[name].Number)
		if err != nil || got.State != want {
			t.Errorf("%s after the inbox's action: %v (%v), want %s", name, got.State, err, want)
		}
	}
	body := cf.get(t, h, "minzheng", "/cases/inbox", http.StatusOK)
	i, j := strings.Index(body, `data-section="in_progress"`), strings.Index(body, `data-section="returned"`)
	if i < 0 || j < i || !strings.Contains(body[i:j], `data-case="`+soon.Number+`"`) || strings.Contains(body, `data-case="`+ontime.Number+`"`) {
		t.Errorf("the inbox after the actions does not show %s in progress and %s gone", soon.Number, ontime.Number)
	}
	// A form read before another's change is stale: refused, nothing lost.
	if w := postAs(t, h, c, accept.action, accept.form); w.Code != http.StatusConflict {
		t.Errorf("the same accept again: %d, want 409", w.Code)
	}
}
