package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/ledger"
)

// rowsOf returns the values of attr on the rows of a ledger's table, in
// order (data-household="3" …).
func rowsOf(body, attr string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<tr `+attr+`="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func ids64(xs ...int64) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprint(x)
	}
	return out
}

// ledgerGet requests path as the cookie's user and checks the headers
// every response carries.
func ledgerGet(t *testing.T, h http.Handler, c *http.Cookie, path string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	if c != nil {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	checkHeadersAndScripts(t, w)
	return w
}

// TestResidentsLedgerFiltersSearchesSortsAndKeepsToTheScope: the residents'
// ledger lists the households of the area in ledger order, one row each,
// each linking to its file; a search, a grid and a sort narrow and order
// it; another community's households never appear.
func TestResidentsLedgerFiltersSearchesSortsAndKeepsToTheScope(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	A1, A2, A3, B1 := f.householdA1.ID, f.householdA2.ID, f.householdA3.ID, f.householdB1.ID
	dongyuan, admin := login(t, h, "dongyuan"), login(t, h, "admin")

	for _, c := range []struct {
		name   string
		cookie *http.Cookie
		path   string
		want   []int64
	}{
		{"community staff, own area", dongyuan, "/ledgers/residents", []int64{A1, A2, A3}},
		{"district admin", admin, "/ledgers/residents", []int64{A1, A2, A3, B1}},
		{"district admin, community B", admin, "/ledgers/residents?area=" + communityB, []int64{B1}},
		{"filtered to the grid", dongyuan, "/ledgers/residents?area=" + gridA, []int64{A1, A2, A3}},
		{"an area above the scope is the scope", dongyuan, "/ledgers/residents?area=" + district, []int64{A1, A2, A3}},
		{"search a member's name", dongyuan, "/ledgers/residents?q=" + "张伟", []int64{A1}},
		{"search a surname", admin, "/ledgers/residents?q=" + "刘", []int64{B1}},
		{"search a room", dongyuan, "/ledgers/residents?q=102", []int64{A2}},
		{"search a building", dongyuan, "/ledgers/residents?q=" + "2号楼", []int64{A3}},
		{"search outside the scope", dongyuan, "/ledgers/residents?q=" + "刘洋", nil},
		{"most persons first", admin, "/ledgers/residents?sort=-persons", []int64{A1, B1, A2, A3}},
		{"never visited first", admin, "/ledgers/residents?sort=last_visit", []int64{A2, A3, B1, A1}},
		{"reversed", admin, "/ledgers/residents?sort=-building", []int64{B1, A3, A2, A1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := ledgerGet(t, h, c.cookie, c.path)
			if w.Code != 200 {
				t.Fatalf("%s: %d\n%.500s", c.path, w.Code, w.Body)
			}
			body := w.Body.String()
			if got := rowsOf(body, "data-household"); !slices.Equal(got, ids64(c.want...)) {
				t.Errorf("%s: households %v, want %v", c.path, got, c.want)
			}
			if strings.Contains(body, "西苑1号院") && !slices.Contains(c.want, B1) {
				t.Errorf("%s shows a household outside the scope", c.path)
			}
		})
	}
	// A row carries what the ledger shows and links to the household's file.
	body := ledgerGet(t, h, dongyuan, "/ledgers/residents").Body.String()
	for _, s := range []string{fmt.Sprintf(`href="/households/%d"`, A1), "1单元101室", "张建国", `data-group="elderly"`, "2025-11-03", "未走访",
		`<span class="count" data-count="total">3</span>`, `aria-sort="ascending" data-sort="building"`} {
		if !strings.Contains(body, s) {
			t.Errorf("residents' ledger lacks %q", s)
		}
	}
	// The sort links toggle: sorted by persons ascending, the persons
	// column's link reverses it.
	body = ledgerGet(t, h, dongyuan, "/ledgers/residents?sort=persons&q=1").Body.String()
	if !strings.Contains(body, `aria-sort="ascending" data-sort="persons"><a class="sort-link" href="/ledgers/residents?q=1&amp;sort=-persons"`) {
		t.Errorf("the persons heading does not reverse the sort:\n%s", body)
	}
	for path, status := range map[string]int{
		"/ledgers/residents?area=" + communityB:           404, // another community
		"/ledgers/residents?area=140498":                  404, // another district
		"/ledgers/residents?area=12":                      404,
		"/ledgers/residents?sort=id":                      400, // not in the whitelist
		"/ledgers/residents?page=0":                       400,
		"/ledgers/residents?q=" + strings.Repeat("长", 51): 400,
	} {
		if w := ledgerGet(t, h, dongyuan, path); w.Code != status {
			t.Errorf("%s: %d, want %d", path, w.Code, status)
		} else if strings.Contains(w.Body.String(), "刘洋") {
			t.Errorf("%s shows another community's resident", path)
		}
	}
}

// TestResidentsLedgerPaginates: fifty households a page, the pager keeping
// the filters and the sort.
func TestResidentsLedgerPaginates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := 0; i < 52; i++ {
		hh := &wangge.Household{BuildingID: f.buildingA2.ID, Entrance: "3", Room: fmt.Sprint(1001 + i), Kind: wangge.ResidentRegistered}
		if err := f.store.CreateHousehold(ctx, wangge.ScopeAll(), hh); err != nil {
			t.Fatal(err)
		}
	}
	h := f.server(t).Handler()
	c := login(t, h, "dongyuan")
	w := ledgerGet(t, h, c, "/ledgers/residents?area="+gridA+"&sort=-persons")
	body := w.Body.String()
	if n := len(rowsOf(body, "data-household")); n != 50 {
		t.Errorf("page 1: %d rows, want 50", n)
	}
	if !strings.Contains(body, "第 1 页 / 共 2 页") || !strings.Contains(body, `href="/ledgers/residents?area=`+gridA+`&amp;page=2&amp;sort=-persons"`) {
		t.Errorf("pager of page 1:\n%s", body)
	}
	first := rowsOf(body, "data-household")[0]
	if first != fmt.Sprint(f.householdA1.ID) {
		t.Errorf("first by persons: %s, want household A1", first)
	}
	w = ledgerGet(t, h, c, "/ledgers/residents?area="+gridA+"&sort=-persons&page=2")
	if rows := rowsOf(w.Body.String(), "data-household"); len(rows) != 5 || slices.Contains(rows, first) {
		t.Errorf("page 2: %v", rows)
	}
}

// TestUnitsLedgerListsUnitsOfTheScope: units by grid with their size and
// party organisation, searchable by name or credit code.
func TestUnitsLedgerListsUnitsOfTheScope(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	credit := string(ident.MakeCreditCode("91140499MA0000001"))
	school := &wangge.Unit{GridCode: gridB, Name: "西苑小学", Kind: wangge.UnitInstitution, Headcount: 80, PartyOrg: "西苑小学党支部", PartyMembers: 12, CreditCode: credit, ContactName: "校办", ContactPhone: "13600001111"}
	if err := f.store.CreateUnit(ctx, wangge.ScopeAll(), school); err != nil {
		t.Fatal(err)
	}
	h := f.server(t).Handler()
	for _, sc := range []scenario{
		{url: "/ledgers/units", as: "dongyuan", status: 200, contains: []string{"东苑便民超市", "个体工商户"}, excludes: []string{"西苑小学"}},
		{url: "/ledgers/units?sort=-headcount", as: "admin", status: 200, contains: []string{"西苑小学党支部", "136****1111", credit}, excludes: []string{"13600001111"}},
		{url: "/ledgers/units?q=" + strings.ToLower(credit[:10]), as: "admin", status: 200, contains: []string{"西苑小学"}, excludes: []string{"东苑便民超市"}},
		{url: "/ledgers/units?q=" + credit, as: "dongyuan", status: 200, excludes: []string{"西苑小学"}},
		{url: "/ledgers/units?area=" + gridB, as: "dongyuan", status: 404},
	} {
		sc.run(t, h)
	}
	w := ledgerGet(t, h, login(t, h, "admin"), "/ledgers/units?sort=-headcount")
	if got := rowsOf(w.Body.String(), "data-unit"); len(got) != 2 || got[0] != fmt.Sprint(school.ID) {
		t.Errorf("units by headcount: %v", got)
	}
}

// TestAssistantsLedgerIsPublicFactsAndHistoryForStaff: every role sees the
// assistants of its area with the grid's counts and the work phone; staff
// also see the terms in earlier grids; nobody sees the personal phone.
func TestAssistantsLedgerIsPublicFactsAndHistoryForStaff(t *testing.T) {
	f := newFixture(t)
	ledgerUsers(t, f)
	ctx := context.Background()
	g, err := f.store.Area(ctx, gridA)
	if err != nil {
		t.Fatal(err)
	}
	g.ServiceArea = "东苑路 1—9 号"
	if err := f.store.UpdateArea(ctx, g); err != nil {
		t.Fatal(err)
	}
	h := f.server(t).Handler()
	for _, sc := range []scenario{
		{url: "/ledgers/assistants", as: "louzhang", status: 200, contains: []string{"周敏", "0355-2021001", "东苑路 1—9 号", "东苑第一网格"},
			excludes: []string{"13512345672", "任职经历"}},
		{url: "/ledgers/assistants", as: "admin", status: 200, contains: []string{"周敏", "任职经历", "2025-01-01 — 至今"}, excludes: []string{"13512345672"}},
		{url: "/ledgers/assistants?area=" + communityB, as: "admin", status: 200, excludes: []string{"周敏"}},
		{url: "/ledgers/assistants?q=" + "周", as: "minzheng", status: 200, contains: []string{"周敏"}},
	} {
		sc.run(t, h)
	}
	body := ledgerGet(t, h, login(t, h, "admin"), "/ledgers/assistants").Body.String()
	// Grid A holds 3 households, 5 persons, 1 unit.
	re := regexp.MustCompile(`<td data-label="户数" class="num">(\d+)</td>\s*<td data-label="人数" class="num">(\d+)</td>\s*<td data-label="单位数" class="num">(\d+)</td>`)
	if m := re.FindStringSubmatch(body); m == nil || m[1] != "3" || m[2] != "5" || m[3] != "1" {
		t.Errorf("grid A's counts: %v", m)
	}
}

// TestGroupsLedgerShowsAGroupsMembersAndItsChange: a key group's members
// with the group's attributes, those who left on request, and the change
// by grid over a period; a department sees its own line's groups only.
func TestGroupsLedgerShowsAGroupsMembersAndItsChange(t *testing.T) {
	f := newFixture(t)
	ledgerUsers(t, f)
	ctx := context.Background()
	persons, _, err := f.store.ListPersons(ctx, wangge.ScopeAll(), wangge.PersonFilter{HouseholdID: f.householdA1.ID})
	if err != nil {
		t.Fatal(err)
	}
	spouse := persons[1] // 李秀英
	m := &wangge.Membership{PersonID: spouse.ID, Group: wangge.GroupElderly, Attrs: map[string]string{"living": "独居", "allowance": "true"},
		Joined: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)}
	if err := f.store.CreateMembership(ctx, wangge.ScopeAll(), m); err != nil {
		t.Fatal(err)
	}
	if err := f.store.EndMembership(ctx, wangge.ScopeAll(), m.ID, m.Version, time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	h := f.server(t).Handler()
	for _, sc := range []scenario{
		// Both are over 60: elderly by age, joined on the 60th birthday;
		// 李秀英's ended row no longer keeps details of her.
		{url: "/ledgers/groups?group=elderly", as: "dongyuan", status: 200,
			contains: []string{"张建国", "空巢", "居住状况", "高龄津贴", "2010-03-15", "李秀英", "2012-07-01", "1499**********",
				`data-counted="elderly">老年人按出生日期计算`, `data-counted="changes">按出生日期计算`}, excludes: []string{`">独居</td>`, f.ids[0]}},
		{url: "/ledgers/groups?group=elderly&all=1", as: "dongyuan", status: 200, contains: []string{"张建国", "李秀英"}, excludes: []string{"2026-01-10"}},
		{url: "/ledgers/groups?group=childbearing", as: "dongyuan", status: 200, contains: []string{"王芳", "已婚", `data-counted="childbearing">育龄妇女按出生日期和性别计算`}, excludes: []string{"张建国"}},
		{url: "/ledgers/groups?group=elderly&q=" + "王", as: "dongyuan", status: 200, excludes: []string{"张建国"}},
		// A department: its own line's groups, no links to households.
		{url: "/ledgers/groups?group=elderly", as: "minzheng", status: 200, contains: []string{"张建国"}, excludes: []string{"/households/", `value="floating"`}},
		{url: "/ledgers/groups?group=childbearing", as: "minzheng", status: 404},
		{url: "/ledgers/groups?group=elderly", as: "laodong", status: 404},
		{url: "/ledgers/groups", as: "laodong", status: 200, contains: []string{`value="unemployed" selected`}},
		{url: "/ledgers/groups?group=nonsense", as: "dongyuan", status: 404},
		{url: "/ledgers/groups?group=elderly&from=2026-02-01&to=2026-01-01", as: "dongyuan", status: 400},
		{url: "/ledgers/groups?group=elderly&from=yesterday", as: "dongyuan", status: 400},
	} {
		sc.run(t, h)
	}
	// The change this year: nobody turned 60, nobody leaves the elderly;
	// both are members.
	body := ledgerGet(t, h, login(t, h, "dongyuan"), "/ledgers/groups?group=elderly&from=2026-01-01&to=2026-03-01").Body.String()
	re := regexp.MustCompile(`<tr data-grid="` + gridA + `">\s*<th scope="row"><a href="/areas/` + gridA + `">东苑第一网格</a></th>\s*<td class="num" data-n="joined">(\d+)</td>\s*<td class="num" data-n="left">(\d+)</td>\s*<td class="num" data-n="members">(\d+)</td>`)
	if m := re.FindStringSubmatch(body); m == nil || m[1] != "0" || m[2] != "0" || m[3] != "2" {
		t.Errorf("grid A's change in 2026: %v\n%s", m, body)
	}
	body = ledgerGet(t, h, login(t, h, "dongyuan"), "/ledgers/groups?group=elderly&from=2025-01-01&to=2025-12-31").Body.String()
	if m := re.FindStringSubmatch(body); m == nil || m[1] != "0" || m[2] != "0" || m[3] != "2" {
		t.Errorf("grid A's change in 2025: %v", m)
	}
}

// TestLedgerPagesNeedTheirPermissions: the residents' and units' ledgers
// are people's data, the key groups' need the groups; exports of personal
// data need the export right (an assistant views but does not export).
func TestLedgerPagesNeedTheirPermissions(t *testing.T) {
	f := newFixture(t)
	ledgerUsers(t, f)
	h := f.server(t).Handler()
	for _, c := range []struct {
		user, path string
		status     int
	}{
		{"xieliyuan", "/ledgers/residents", 200},
		{"xieliyuan", "/ledgers/residents/export.xlsx", 403},
		{"xieliyuan", "/ledgers/groups/export.csv", 403},
		{"xieliyuan", "/ledgers/assistants/export.csv", 200},
		{"louzhang", "/ledgers/residents", 403},
		{"louzhang", "/ledgers/units", 403},
		{"louzhang", "/ledgers/groups", 403},
		{"louzhang", "/ledgers/assistants", 200},
		{"minzheng", "/ledgers/residents", 403},
		{"minzheng", "/ledgers/groups/export.xlsx", 403},
		{"dongyuan", "/ledgers/units/export.csv", 200},
	} {
		if w := ledgerGet(t, h, login(t, h, c.user), c.path); w.Code != c.status {
			t.Errorf("%s %s: %d, want %d", c.user, c.path, w.Code, c.status)
		}
	}
	// The menu and the area page offer what the role may open.
	for _, sc := range []scenario{
		{url: "/ledgers", as: "louzhang", status: 200, contains: []string{`href="/ledgers"`, `data-ledger="assistants"`}, excludes: []string{`data-ledger="residents"`}},
		{url: "/ledgers", as: "dongyuan", status: 200, contains: []string{`data-ledger="residents"`, `data-ledger="units"`, `data-ledger="groups"`, "/ledgers/residents?area=" + communityA}},
		{url: "/areas/" + gridA, as: "dongyuan", status: 200, contains: []string{`href="/ledgers/residents?area=` + gridA + `"`, `href="/ledgers/groups?area=` + gridA + `"`}},
		{url: "/areas/" + gridA, as: "louzhang", status: 200, contains: []string{`href="/ledgers/assistants?area=` + gridA + `"`}, excludes: []string{"/ledgers/residents"}},
		{url: "/ledgers/residents", as: "dongyuan", status: 200, contains: []string{`data-export="xlsx"`, `href="/ledgers/residents/export.csv?area=` + communityA + `"`}},
		{url: "/ledgers/residents", as: "xieliyuan", status: 200, excludes: []string{`data-export=`}},
	} {
		sc.run(t, h)
	}
}

// testExportReason is the reason the tests give for a personal export.
const testExportReason = "年度核查，报送街道"

// ledgerPost posts a form as the session c, with the extra cookies.
func ledgerPost(t *testing.T, h http.Handler, c *http.Cookie, path string, form url.Values, extra ...*http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range append([]*http.Cookie{c}, extra...) {
		if c != nil {
			r.AddCookie(c)
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// exportOf fetches an export and checks what every export answers with. A
// personal export is posted with testExportReason, as its form does.
func exportOf(t *testing.T, h http.Handler, c *http.Cookie, path string) []byte {
	t.Helper()
	var w *httptest.ResponseRecorder
	if strings.HasPrefix(path, "/ledgers/assistants/") {
		w = ledgerGet(t, h, c, path)
	} else {
		w = ledgerPost(t, h, c, path, url.Values{"reason": {testExportReason}})
	}
	if w.Code != 200 {
		t.Fatalf("%s: %d\n%.500s", path, w.Code, w.Body)
	}
	cd := w.Header().Get("Content-Disposition")
	if !strings.HasPrefix(cd, "attachment; ") || !strings.Contains(cd, "filename*=UTF-8''") {
		t.Errorf("%s: Content-Disposition %q", path, cd)
	}
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("%s: cacheable", path)
	}
	return w.Body.Bytes()
}

// sheetRows reads the first sheet of an xlsx file.
func sheetRows(t *testing.T, data []byte) (string, [][]string, *ledger.Book) {
	t.Helper()
	x, err := ledger.ReadBook(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	sheet := x.Sheets[0]
	rows, err := x.Rows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return sheet, rows, x
}

func column(header []string, name string) int {
	return slices.Index(header, name)
}

// lastExportAudit returns the latest ledger.export entry's detail.
func lastExportAudit(t *testing.T, f *fixture) (wangge.AuditEntry, map[string]any) {
	t.Helper()
	es, _, err := f.store.ListAudit(context.Background(), wangge.AuditFilter{Action: "ledger.export", Page: wangge.Page{Limit: 1}})
	if err != nil || len(es) == 0 {
		t.Fatalf("no ledger.export audit entry: %v", err)
	}
	var d map[string]any
	if err := json.Unmarshal([]byte(es[0].Detail), &d); err != nil {
		t.Fatal(err)
	}
	return es[0], d
}

// TestResidentsExportIsAnImportFileOfPersons: the residents' export has the
// persons sheet's columns (so the importer reads it), a row per person of
// the scope with derived columns and full ID numbers (the export right is
// needed), notes that say it is confidential; importing it back changes
// nothing; the CSV starts with a byte-order mark; each export is audited
// with its filters and row count.
func TestResidentsExportIsAnImportFileOfPersons(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	c := login(t, h, "dongyuan")
	data := exportOf(t, h, c, "/ledgers/residents/export.xlsx")
	sheet, rows, x := sheetRows(t, data)
	if sheet != ledger.Persons.Zh {
		t.Errorf("sheet %q", sheet)
	}
	header := rows[0]
	if want := ledger.Persons.Headers(true); !slices.Equal(header[:len(want)], want) {
		t.Errorf("header %v,\nwant the persons sheet's %v", header, want)
	}
	if len(rows) != 1+5 {
		t.Fatalf("%d rows, want the header and community A's 5 persons", len(rows))
	}
	name, id, age, tags, groups, code := column(header, "姓名"), column(header, "公民身份号码"), column(header, "年龄"), column(header, "人员标签"), column(header, "重点群体"), column(header, "楼院编码")
	byName := map[string][]string{}
	for _, r := range rows[1:] {
		r = append(r, make([]string, len(header)-len(r))...)
		byName[r[name]] = r
	}
	zhang := byName["张建国"]
	if zhang == nil {
		t.Fatalf("no row of 张建国: %v", rows)
	}
	if zhang[id] != f.ids[0] || zhang[age] != "75" || zhang[tags] != "老年人" || zhang[groups] != "老年人" || zhang[code] != f.buildingA1.Code() {
		t.Errorf("张建国's row: %v", zhang)
	}
	if wang := byName["王芳"]; wang == nil || wang[tags] != "育龄妇女" {
		t.Errorf("王芳's row: %v", wang)
	}
	if _, ok := byName["刘洋"]; ok {
		t.Error("the export holds another community's resident")
	}
	notes, _ := x.Rows("说明")
	if len(notes) == 0 || !strings.Contains(fmt.Sprint(notes), "内部资料 注意保密") || !strings.Contains(fmt.Sprint(notes), "共 5 行") {
		t.Errorf("notes: %v", notes)
	}
	// The importer reads the file: every column recognised, the derived
	// ones ignored; and importing it back changes nothing.
	path := filepath.Join(t.TempDir(), "export.xlsx")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	u, err := f.store.UserByUsername(context.Background(), "dongyuan")
	if err != nil {
		t.Fatal(err)
	}
	actx := wangge.WithActor(context.Background(), wangge.Actor{UserID: u.ID, Username: u.Username, Role: u.Role})
	rep, err := ledger.Import(actx, f.store, ledger.KindPersons, path, ledger.Options{Scope: u.Scope(), File: "export.xlsx", DryRun: true})
	if err != nil || rep.Counts.Unchanged != 5 || rep.Counts.Added+rep.Counts.Updated+rep.Counts.Rejected != 0 {
		t.Errorf("importing the export back: %+v, %v", rep, err)
	}
	src, err := ledger.OpenBytes(data, &ledger.Persons)
	if err != nil {
		t.Fatalf("the export is not an import file: %v", err)
	}
	if len(src.Map.Duplicate) != 0 || !slices.Equal(src.Map.Unknown, []string{"人员标签", "重点群体"}) {
		t.Errorf("import header: unknown %v, duplicate %v", src.Map.Unknown, src.Map.Duplicate)
	}
	src.Close()

	e, d := lastExportAudit(t, f)
	if e.Username != "dongyuan" || e.ObjectID != "residents" || e.GridCode != communityA || d["rows"] != float64(5) || d["format"] != "xlsx" {
		t.Errorf("audit entry %+v %v", e, d)
	}

	// CSV, searched: a byte-order mark, the same header, the household of the search.
	csv := exportOf(t, h, c, "/ledgers/residents/export.csv?q="+"张伟")
	if !bytes.HasPrefix(csv, []byte("\xef\xbb\xbf# 导出人 ")) {
		t.Errorf("CSV starts %q", csv[:min(40, len(csv))])
	}
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if len(lines) != 2+3 || !strings.HasPrefix(lines[1], "楼院编码,") || !strings.Contains(lines[2], "张建国") {
		t.Errorf("CSV of the search: %q", lines)
	}
	for _, want := range []string{"导出人 东苑社区工作人员（dongyuan）", "导出原因 " + testExportReason, "共 3 行", "导出时间 2026-03-01 10:00"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("CSV title line %q lacks %q", lines[0], want)
		}
	}
	if _, d := lastExportAudit(t, f); d["q"] != "张伟" || d["rows"] != float64(3) || d["format"] != "csv" {
		t.Errorf("audit of the CSV: %v", d)
	}
}

// TestUnitsAndGroupsExportsHaveTheImportColumns: the units' export has the
// units sheet's columns and imports back without an error; the key
// groups' export has the memberships sheet's common columns and the
// group's own attribute columns; the CJ/T 349 code is there only when the
// object code is set.
func TestUnitsAndGroupsExportsHaveTheImportColumns(t *testing.T) {
	f := newFixture(t)
	srv := newTestServer(f.store, whttp.Options{Now: func() time.Time { return testNow }, CJT349Object: "010100"})
	h := srv.Handler()
	c := login(t, h, "admin")

	data := exportOf(t, h, c, "/ledgers/units/export.xlsx")
	_, rows, _ := sheetRows(t, data)
	if want := ledger.Units.Headers(true); !slices.Equal(rows[0][:len(want)], want) || rows[0][len(want)] != "CJ/T 349 网格编码" {
		t.Errorf("units header %v", rows[0])
	}
	if len(rows) != 2 || rows[1][0] != "东苑便民超市" || rows[1][len(rows[0])-1] != "01010014049900100101" {
		t.Errorf("units rows %v", rows)
	}
	src, err := ledger.OpenBytes(data, &ledger.Units)
	if err != nil {
		t.Fatal(err)
	}
	line, cells, err := src.Next()
	if err != nil {
		t.Fatal(err)
	}
	if row := ledger.ParseRow(src.Map, line, cells); len(row.Errors) != 0 || row.Unit.Name != "东苑便民超市" || row.Unit.GridCode != gridA {
		t.Errorf("the exported unit does not import: %+v %v", row.Unit, row.Errors)
	}
	src.Close()

	data = exportOf(t, h, c, "/ledgers/groups/export.xlsx?group=elderly")
	_, rows, _ = sheetRows(t, data)
	header := rows[0]
	for _, want := range []string{"公民身份号码", "姓名", "重点群体", "纳入日期", "退出日期", "居住状况", "照护需求", "高龄津贴", "CJ/T 349 网格编码"} {
		if !slices.Contains(header, want) {
			t.Errorf("key groups' header lacks %s: %v", want, header)
		}
	}
	if slices.Contains(header, "残疾类别") || slices.Contains(header, "户籍地") {
		t.Errorf("key groups' header has other groups' attributes: %v", header)
	}
	// Both elderly by age; 张建国 with the details his row keeps.
	if len(rows) != 3 || rows[1][column(header, "姓名")] != "张建国" || rows[1][column(header, "居住状况")] != "空巢" || rows[1][column(header, "重点群体")] != "老年人" ||
		rows[2][column(header, "姓名")] != "李秀英" || rows[2][column(header, "居住状况")] != "" {
		t.Errorf("key groups' rows %v", rows)
	}
	if _, err := ledger.OpenBytes(data, &ledger.Memberships); err != nil {
		t.Errorf("the key groups' export is not an import file: %v", err)
	}
	if _, d := lastExportAudit(t, f); d["group"] != "elderly" || d["rows"] != float64(2) {
		t.Errorf("audit of the key groups' export: %v", d)
	}

	// Without an object code, no CJ/T 349 column.
	h = f.server(t).Handler()
	_, rows, _ = sheetRows(t, exportOf(t, h, login(t, h, "admin"), "/ledgers/assistants/export.xlsx"))
	if slices.Contains(rows[0], "CJ/T 349 网格编码") || len(rows) != 2 || rows[1][0] != "周敏" || rows[1][column(rows[0], "户数")] != "3" {
		t.Errorf("assistants' export %v", rows)
	}
}

// TestHouseholdFileShowsDerivedAttributesAndGroupsOverTime: the household
// page (一户一档) tags each person with what age and sex make them today and
// lists the key-group memberships, those that ended too.
func TestHouseholdFileShowsDerivedAttributesAndGroupsOverTime(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	persons, _, err := f.store.ListPersons(ctx, wangge.ScopeAll(), wangge.PersonFilter{HouseholdID: f.householdA1.ID})
	if err != nil {
		t.Fatal(err)
	}
	m := &wangge.Membership{PersonID: persons[2].ID, Group: wangge.GroupUnemployed, Attrs: map[string]string{"registered": "已登记"},
		Joined: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)}
	if err := f.store.CreateMembership(ctx, wangge.ScopeAll(), m); err != nil {
		t.Fatal(err)
	}
	if err := f.store.EndMembership(ctx, wangge.ScopeAll(), m.ID, m.Version, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	h := f.server(t).Handler()
	body := ledgerGet(t, h, login(t, h, "dongyuan"), fmt.Sprintf("/households/%d", f.householdA1.ID)).Body.String()
	for _, s := range []string{`data-derived="elderly"`, "人员属性", "重点群体变化", "失业人员", "2024-05-01", "2025-03-01", "在册"} {
		if !strings.Contains(body, s) {
			t.Errorf("household file lacks %q", s)
		}
	}
	// 张伟 (born 1980) is neither elderly nor, being a man, of childbearing age.
	row := body[strings.Index(body, fmt.Sprintf(`data-person="%d"`, persons[2].ID)):]
	row = row[:strings.Index(row, "</tr>")]
	if strings.Contains(row, "data-derived") {
		t.Errorf("张伟 tagged: %s", row)
	}
	body = ledgerGet(t, h, login(t, h, "dongyuan"), fmt.Sprintf("/households/%d", f.householdA2.ID)).Body.String()
	if !strings.Contains(body, `data-derived="childbearing"`) {
		t.Error("王芳 is not tagged of childbearing age")
	}
}
