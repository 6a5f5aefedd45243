package ui

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ledger"
	"github.com/wangge/wangge/passwd"
)

// reportFixture adds department accounts to the fixture.
func reportFixture(t *testing.T) (*fixture, http.Handler) {
	f := newFixture(t)
	cheap := passwd.Params{Memory: 1024, Time: 1, Threads: 1}
	for _, u := range []wangge.User{
		{Username: "minzheng", DisplayName: "民政", Role: wangge.RoleDepartment, ScopeCode: district, Line: wangge.LineCivil},
		{Username: "louzhang", DisplayName: "楼院长", Role: wangge.RoleBuildingHead, ScopeCode: gridA},
	} {
		u.PasswordHash = passwd.Hash(password, cheap)
		if err := f.store.CreateUser(context.Background(), &u); err != nil {
			t.Fatal(err)
		}
	}
	return f, f.server(t).Handler()
}

// fetchXLSX gets a workbook as username and opens it.
func fetchXLSX(t *testing.T, h http.Handler, username, url string) *ledger.Book {
	t.Helper()
	r := httptest.NewRequest("GET", url, nil)
	r.AddCookie(login(t, h, username))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 200 {
		t.Fatalf("GET %s: status %d\n%s", url, w.Code, w.Body)
	}
	x, err := ledger.ReadBook(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatalf("GET %s: not an xlsx: %v", url, err)
	}
	return x
}

// totalOf returns the count under header in the counts sheet's last row.
func totalOf(t *testing.T, x *ledger.Book, header string) int {
	t.Helper()
	rows, err := x.Rows(ledger.ReportStatsSheet)
	if err != nil || len(rows) < 2 {
		t.Fatalf("counts sheet: %v %v", rows, err)
	}
	i := slices.Index(rows[0], header)
	if i < 0 {
		t.Fatalf("counts sheet has no column %q: %v", header, rows[0])
	}
	last := rows[len(rows)-1]
	if last[1] != "合计" {
		t.Fatalf("last row is not the total: %v", last)
	}
	n, err := strconv.Atoi(last[i])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDepartmentGeneratesOnlyItsOwnLinesReport(t *testing.T) {
	_, h := reportFixture(t)
	scenario{url: "/reports", as: "minzheng", status: 200,
		contains: []string{`data-report="civil"`}, excludes: []string{`data-report="labor"`, `data-report="completeness"`}}.run(t, h)
	scenario{url: "/reports/civil?area=" + district, as: "minzheng", status: 200, contains: []string{"60岁及以上", "残疾人"}}.run(t, h)
	scenario{url: "/reports/labor?area=" + district, as: "minzheng", status: 403}.run(t, h)
	scenario{url: "/reports/labor.xlsx?area=" + district, as: "minzheng", status: 403}.run(t, h)
	scenario{url: "/reports/completeness?area=" + district, as: "minzheng", status: 403}.run(t, h)
	scenario{url: "/reports/civil", as: "louzhang", status: 403}.run(t, h)
	scenario{url: "/reports/nosuch", as: "admin", status: 404}.run(t, h)
	scenario{url: "/reports", as: "admin", status: 200,
		contains: []string{`data-report="completeness"`, `data-report="civil"`, `data-report="labor"`, `data-report="health"`,
			`data-report="order"`, `data-report="city"`, `data-report="party"`}}.run(t, h)
	// Community staff see their community only.
	scenario{url: "/reports/completeness?area=" + communityB, as: "dongyuan", status: 404}.run(t, h)
	scenario{url: "/reports/city?area=" + subdistrict, as: "dongyuan", status: 200,
		contains: []string{`data-area="` + communityA + `"`}, excludes: []string{`data-area="` + communityB + `"`}}.run(t, h)
}

func TestCompletenessReportCountsAndDrillsDown(t *testing.T) {
	f, h := reportFixture(t)
	// The fixture's one visit (2025-11-03) lies outside a 90-day cycle
	// before 2026-03-01 and inside a 120-day one.
	scenario{url: "/reports/completeness?area=" + gridA + "&date=2026-03-01&cycle=90", as: "admin", status: 200,
		contains: []string{`data-gap="unvisited_households" data-count="3"`, `data-gap="unvisited_units" data-count="1"`,
			`href="/reports/completeness?area=` + gridA + `&amp;date=2026-03-01&amp;cycle=90&amp;gap=unvisited_households#list"`,
			`href="/reports/completeness.xlsx?area=` + gridA + `&amp;date=2026-03-01&amp;cycle=90"`}}.run(t, h)
	scenario{url: "/reports/completeness?area=" + gridA + "&date=2026-03-01&cycle=120", as: "admin", status: 200,
		contains: []string{`data-gap="unvisited_households" data-count="2"`}}.run(t, h)
	// Persons missing required fields: 王芳 and 赵强 are heads without a
	// phone; none of 16 to 60 has an employment state; 张建国 (75) lacks
	// nothing.
	scenario{url: "/reports/completeness?area=" + gridA + "&date=2026-03-01&gap=incomplete_persons", as: "admin", status: 200,
		contains: []string{"王芳", "赵强", "张伟", "户主联系电话、就业状态", `data-count="items">3<`}, excludes: []string{"张建国"}}.run(t, h)
	scenario{url: "/reports/completeness?area=" + district + "&cycle=0", as: "admin", status: 400}.run(t, h)

	x := fetchXLSX(t, h, "admin", "/reports/completeness.xlsx?area="+district+"&date=2026-03-01")
	want := []string{ledger.ReportStatsSheet, "无住户楼院", "无人员住户", "必填项缺失人员", "周期内未走访住户", "从未走访单位"}
	if got := x.Sheets; !slices.Equal(got, want) {
		t.Errorf("sheets = %v, want %v", got, want)
	}
	rows, _ := x.Rows(ledger.ReportStatsSheet)
	if !slices.Equal(rows[0], ledger.CompletenessHeader) {
		t.Errorf("header = %v", rows[0])
	}
	_, households, err := f.store.ListHouseholds(context.Background(), wangge.ScopeOf(district), wangge.HouseholdFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if n := totalOf(t, x, "住户数"); n != households {
		t.Errorf("households in the report = %d, counted directly %d", n, households)
	}
	listed, _ := x.Rows("周期内未走访住户")
	if len(listed)-1 != totalOf(t, x, "周期内未走访住户") {
		t.Errorf("the unvisited list has %d rows, the count says %d", len(listed)-1, totalOf(t, x, "周期内未走访住户"))
	}
	entries, n, err := f.store.ListAudit(context.Background(), wangge.AuditFilter{Action: "report.export"})
	if err != nil || n != 1 || entries[0].Username != "admin" || !strings.Contains(entries[0].Detail, `"report":"completeness"`) {
		t.Errorf("audit = %d %+v %v", n, entries, err)
	}
}

func TestCivilReportCountsElderlyAtTheReportDate(t *testing.T) {
	f, h := reportFixture(t)
	// 张建国 (born 1950-03-15) turns 60 on 2010-03-15; 李秀英 in 2012.
	before := fetchXLSX(t, h, "admin", "/reports/civil.xlsx?area="+district+"&date=2010-03-14")
	on := fetchXLSX(t, h, "admin", "/reports/civil.xlsx?area="+district+"&date=2010-03-15")
	if b, o := totalOf(t, before, "60岁及以上"), totalOf(t, on, "60岁及以上"); b != 0 || o != 1 {
		t.Errorf("60+ the day before = %d, on the birthday = %d; want 0 and 1", b, o)
	}
	x := fetchXLSX(t, h, "admin", "/reports/civil.xlsx?area="+district+"&date=2026-03-01")
	want := []string{ledger.ReportStatsSheet, "老年人", "残疾人", "救助对象", "编码服务对象", "80岁及以上"}
	if got := x.Sheets; !slices.Equal(got, want) {
		t.Errorf("sheets = %v, want %v", got, want)
	}
	if n := totalOf(t, x, "60岁及以上"); n != 2 {
		t.Errorf("60+ = %d, want 2 (张建国, 李秀英)", n)
	}
	if n := totalOf(t, x, "老年人·居住状况·空巢"); n != 1 {
		t.Errorf("elderly living as empty nest = %d, want 1", n)
	}
	elderly, _ := x.Rows("老年人")
	// The sheet lists who the count counts: both over 60.
	if len(elderly) != 3 || !slices.Equal(elderly[0][:6], ledger.MemberHeader) || elderly[1][1] != "张建国" || elderly[2][1] != "李秀英" {
		t.Fatalf("elderly sheet = %v", elderly)
	}
	for _, id := range f.ids {
		if elderly[1][5] == id {
			t.Errorf("the list holds a full ID number")
		}
	}
	// A department gets its line's lists but no list of persons by age.
	x = fetchXLSX(t, h, "minzheng", "/reports/civil.xlsx?area="+district)
	if got := x.Sheets; slices.Contains(got, "80岁及以上") || !slices.Contains(got, "残疾人") {
		t.Errorf("department's sheets = %v", got)
	}
	_, n, _ := f.store.ListAudit(context.Background(), wangge.AuditFilter{Action: "report.export"})
	if n != 4 {
		t.Errorf("audit entries = %d, want one per generation (4)", n)
	}
}

func TestCityAndPartyReportsCountBuildingsAndUnits(t *testing.T) {
	_, h := reportFixture(t)
	// The fixture's head of 东苑1号楼 took office when the fixture ran.
	x := fetchXLSX(t, h, "admin", "/reports/city.xlsx?area="+district+"&date=2099-01-01")
	if got := x.Sheets; !slices.Equal(got, []string{ledger.ReportStatsSheet, "无楼院长楼院", "无住户楼院"}) {
		t.Errorf("city sheets = %v", got)
	}
	if n := totalOf(t, x, "无楼院长"); n != 2 {
		t.Errorf("buildings without a head = %d, want 2", n)
	}
	if n := totalOf(t, x, "单位·个体工商户"); n != 1 {
		t.Errorf("individual businesses = %d, want 1", n)
	}
	x = fetchXLSX(t, h, "admin", "/reports/party.xlsx?area="+district)
	if n := totalOf(t, x, "无党组织单位"); n != 1 {
		t.Errorf("units without a party organisation = %d", n)
	}
	units, _ := x.Rows("驻区单位")
	if len(units) != 2 || !slices.Equal(units[0], ledger.UnitHeader) || units[1][5] != "无" {
		t.Errorf("units sheet = %v", units)
	}
}

func TestHealthReportFollowsTheIDNumberNotTheRegistration(t *testing.T) {
	_, h := reportFixture(t)
	// 王芳 (born 1990-05-05) is registered as of childbearing age since
	// 2020; 陈静 (born 1987-08-08) is not registered.
	x := fetchXLSX(t, h, "admin", "/reports/health.xlsx?area="+district+"&date=2030-01-01")
	if got, want := x.Sheets, []string{ledger.ReportStatsSheet, "育龄妇女", "15–49岁妇女"}; !slices.Equal(got, want) {
		t.Errorf("sheets = %v, want %v", got, want)
	}
	if w, r, u := totalOf(t, x, "15–49岁妇女"), totalOf(t, x, "育龄妇女·有登记记录"), totalOf(t, x, "育龄妇女·无登记记录"); w != 2 || r != 1 || u != 1 {
		t.Errorf("2030: women 15–49 %d, with a record %d, without %d; want 2, 1, 1", w, r, u)
	}
	listed := func(x *ledger.Book, sheet string) []string {
		rows, err := x.Rows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range rows[1:] {
			names = append(names, r[1])
		}
		return names
	}
	// In 2030 both are of the age: the group's sheet lists both, 陈静
	// without a record, as the age list does.
	x = fetchXLSX(t, h, "admin", "/reports/health.xlsx?area="+district+"&date=2030-01-01")
	if got, ages := listed(x, "育龄妇女"), listed(x, "15–49岁妇女"); len(got) != 2 || !slices.Contains(got, "陈静") || len(ages) != 2 {
		t.Errorf("2030: the childbearing sheet lists %v, the age list %v", got, ages)
	}
	// The day before 王芳 turns 50 she is listed; on her birthday, with no
	// write in between, she is neither counted nor listed.
	x = fetchXLSX(t, h, "admin", "/reports/health.xlsx?area="+district+"&date=2040-05-04")
	if n := totalOf(t, x, "育龄妇女·有登记记录"); n != 1 || !slices.Equal(listed(x, "育龄妇女"), []string{"王芳"}) {
		t.Errorf("the day before turning 50: registered %d, listed %v", n, listed(x, "育龄妇女"))
	}
	x = fetchXLSX(t, h, "admin", "/reports/health.xlsx?area="+district+"&date=2040-05-05")
	if n := totalOf(t, x, "育龄妇女·有登记记录"); n != 0 || len(listed(x, "育龄妇女")) != 0 || len(listed(x, "15–49岁妇女")) != 0 {
		t.Errorf("on the 50th birthday: registered %d, listed %v and %v", n, listed(x, "育龄妇女"), listed(x, "15–49岁妇女"))
	}
	header, _ := x.Rows("育龄妇女")
	if want := append(append([]string{}, ledger.MemberHeader...), "婚姻状况", "子女数", "加入日期"); !slices.Equal(header[0], want) {
		t.Errorf("childbearing sheet header = %v, want %v", header[0], want)
	}
}

func TestLineReportDrawsBarCharts(t *testing.T) {
	_, h := reportFixture(t)
	scenario{url: "/reports/civil?area=" + subdistrict + "&date=2026-03-01", as: "admin", status: 200,
		contains: []string{`data-counted="civil">60岁及以上、80岁及以上按报表日期的周岁计算`, `data-chart="60岁及以上"`, `data-bar="东苑社区" data-count="2"`, `data-bar="西苑社区" data-count="0"`,
			`data-chart="老年人·居住状况"`, `data-bar="空巢" data-count="1"`, `data-bar="独居" data-count="0"`, `<svg class="chart"`},
		excludes: []string{"style="}}.run(t, h)
	scenario{url: "/reports/city?area=" + district, as: "admin", status: 200,
		contains: []string{`data-chart="楼院·类型"`, `data-bar="楼" data-count="2"`, `data-bar="院" data-count="1"`, `data-chart="驻区单位·类型"`}}.run(t, h)
	// In English the headings, the charts and their bars are English; an
	// option keeps the value departments write.
	scenario{url: "/reports/civil?area=" + subdistrict + "&date=2026-03-01", as: "admin", status: 200, lang: "en",
		contains: []string{`>Aged 60&#43;</th>`, `data-chart="Aged 60&#43;"`, `data-chart="Elderly · Living situation"`, `data-bar="空巢" data-count="1"`},
		excludes: []string{`>60岁及以上<`, `data-chart="老年人·居住状况"`}}.run(t, h)
	scenario{url: "/reports/city?area=" + district, as: "admin", status: 200, lang: "en",
		contains: []string{`data-chart="Buildings · kind"`, `data-bar="Towers" data-count="2"`, `data-bar="Courtyards" data-count="1"`, `data-chart="Units · kind"`, `>Units · Enterprises</th>`}}.run(t, h)
}

// TestReportWorkbooksRefuseCrossSiteRequests: a workbook is audited in the
// user's name, so one another site's page made the browser ask for is
// refused (issue 11: a cross-site GET ran an export); the same request from
// this site's page, or typed, is served, and the report pages themselves
// may be linked from anywhere.
func TestReportWorkbooksRefuseCrossSiteRequests(t *testing.T) {
	_, h := reportFixture(t)
	for _, u := range []string{"/reports/civil.xlsx?area=" + district, "/reports/completeness.xlsx?area=" + district} {
		for site, status := range map[string]int{"cross-site": 403, "same-site": 403, "same-origin": 200, "none": 200, "": 200} {
			sc := scenario{url: u, as: "admin", status: status, header: map[string]string{"Sec-Fetch-Site": site}}
			if status == 403 {
				sc.contains = []string{"不能从其他网站发起导出"}
			}
			if w := sc.run(t, h); status == 200 && w.Header().Get("Content-Disposition") == "" {
				t.Errorf("%s (%q): no download", u, site)
			}
		}
	}
	scenario{url: "/reports/civil?area=" + district, as: "admin", status: 200, header: map[string]string{"Sec-Fetch-Site": "cross-site"}}.run(t, h)
}
