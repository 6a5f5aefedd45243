package ui

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

// headServer is the case server with building heads linked to accounts:
// zhangjianguo heads 东苑1号楼 (the fixture's head, 张建国), zhaoqiang
// 东苑2号楼 in the same grid, liuyang 西苑1号院 in grid B; louzhang (no
// display name) heads nothing.
func headServer(t *testing.T) (*fixture, http.Handler) {
	t.Helper()
	f, h := caseServer(t)
	ctx := context.Background()
	for _, hd := range []struct {
		b    *wangge.Building
		name string
	}{{f.buildingA2, "赵强"}, {f.buildingB1, "刘洋"}} {
		if err := f.store.SetBuildingHead(ctx, wangge.ScopeAll(), &wangge.BuildingHead{BuildingID: hd.b.ID, Name: hd.name}); err != nil {
			t.Fatal(err)
		}
	}
	addUsers(t, f,
		wangge.User{Username: "zhangjianguo", DisplayName: "张建国", Role: wangge.RoleBuildingHead, ScopeCode: gridA},
		wangge.User{Username: "zhaoqiang", DisplayName: "赵强", Role: wangge.RoleBuildingHead, ScopeCode: gridA},
		wangge.User{Username: "liuyang", DisplayName: "刘洋", Role: wangge.RoleBuildingHead, ScopeCode: gridB})
	return f, h
}

// headReport posts the report form, with a photo when data is not nil.
func headReport(t testing.TB, h http.Handler, c *http.Cookie, form url.Values, photo []byte) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if photo != nil {
		fw, _ := mw.CreateFormFile("photo", "IMG_2031.JPG")
		fw.Write(photo)
	}
	mw.Close()
	r := httptest.NewRequest("POST", "/my-building/report", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.AddCookie(c)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

var reportedNumber = regexp.MustCompile(`^/my-building\?reported=([0-9]{4}-[0-9]{6})#cases$`)

// TestBuildingHeadReportMakesCaseAtHisBuilding: the report form makes one
// case at his building in his grid, coordinated by the community, with
// the photo cleaned; a resend of the same form makes nothing more; the
// page shows it among the building's open cases, with the assistant's
// work phone to call and never a private phone.
func TestBuildingHeadReportMakesCaseAtHisBuilding(t *testing.T) {
	f, h := headServer(t)
	ctx := context.Background()
	head := login(t, h, "zhangjianguo")
	w := getAs(t, h, head, "/my-building")
	if w.Code != http.StatusOK {
		t.Fatalf("his page: %d\n%s", w.Code, w.Body)
	}
	checkHeadersAndScripts(t, w)
	body := w.Body.String()
	for _, want := range []string{"东苑1号楼", "周敏", `href="tel:0355-2021001"`, `name="building" value="` + itoa(f.buildingA1.ID) + `"`, `data-no-cases`} {
		if !strings.Contains(body, want) {
			t.Errorf("his page lacks %q", want)
		}
	}
	// The assistant's private phone and his own (the head's, the
	// resident's) never reach the page; nor another building.
	for _, not := range []string{"13512345672", "13912345678", "东苑2号楼"} {
		if strings.Contains(body, not) {
			t.Errorf("his page shows %q", not)
		}
	}
	token := tokenField.FindStringSubmatch(body)
	if token == nil {
		t.Fatal("the form has no token")
	}
	form := url.Values{"token": {token[1]}, "building": {itoa(f.buildingA1.ID)}, "category": {"P02"}, "description": {"三单元楼道扶手松动"}}
	photo := jpegWithEXIF(t, "GPS 36.19N 113.11E")
	w = headReport(t, h, head, form, photo)
	m := reportedNumber.FindStringSubmatch(w.Header().Get("Location"))
	if w.Code != http.StatusSeeOther || m == nil {
		t.Fatalf("report: %d %q\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	number := m[1]
	a := actorOf(t, f, "zhangjianguo")
	c, err := caseStore(f).Case(ctx, a, number)
	if err != nil {
		t.Fatalf("his own report: %v", err)
	}
	if c.Location.GridCode != gridA || c.Location.BuildingID != f.buildingA1.ID {
		t.Errorf("located at %+v, want building A1 in grid A", c.Location)
	}
	if c.Source != headSource || c.Mechanism != casework.Coordination || c.State != casework.Accepted || c.Category.Code != "P02" {
		t.Errorf("case %s: source %s, %s, %s, %s", number, c.Source, c.Mechanism, c.State, c.Category.Code)
	}
	if c.Reporter.UserID != a.UserID || c.Reporter.Name != "张建国" || c.Reporter.Anonymous {
		t.Errorf("reporter %+v", c.Reporter)
	}
	ats, err := caseStore(f).CaseAttachments(ctx, a, number)
	if err != nil || len(ats) != 1 || ats[0].ContentType != "image/jpeg" {
		t.Fatalf("attachments %+v (%v), want the one photo", ats, err)
	}
	_, data, err := caseStore(f).CaseAttachment(ctx, a, number, ats[0].ID)
	if err != nil || bytes.Contains(data, []byte("GPS")) {
		t.Errorf("the photo kept its EXIF (%v)", err)
	}

	// The same form again (a double tap, a retry on a weak signal): the
	// same case, still one photo.
	w = headReport(t, h, head, form, photo)
	if m2 := reportedNumber.FindStringSubmatch(w.Header().Get("Location")); m2 == nil || m2[1] != number {
		t.Fatalf("resend: %d %q, want case %s again", w.Code, w.Header().Get("Location"), number)
	}
	if ats, _ := caseStore(f).CaseAttachments(ctx, a, number); len(ats) != 1 {
		t.Errorf("a resend left %d photos", len(ats))
	}
	all, n, err := caseStore(f).(BuildingHeadStore).ListCases(ctx, actorOf(t, f, "dongyuan"), casework.Filter{})
	if err != nil || n != 1 || len(all) != 1 {
		t.Errorf("the community has %d cases (%v), want 1", n, err)
	}

	// A browser sends no fragment.
	w = getAs(t, h, head, strings.TrimSuffix(w.Header().Get("Location"), "#cases"))
	body = w.Body.String()
	for _, want := range []string{`data-reported="` + number + `"`, `data-case="` + number + `"`, `href="/cases/` + number + `"`, "设施损坏", `data-light="green"`} {
		if !strings.Contains(body, want) {
			t.Errorf("after the report the page lacks %q", want)
		}
	}

	// Another's case named in the address is not claimed as his report.
	other := plantCase(t, f, casework.Coordination, "P01", "")
	if body := getAs(t, h, head, "/my-building?reported="+other.Number).Body.String(); strings.Contains(body, "data-reported") {
		t.Errorf("the page claims %s, the assistant's case, as his report", other.Number)
	}

	// Anonymous: his name is not on the case, he still follows it.
	form.Set("token", strings.Repeat("a", 32))
	form.Set("anonymous", "1")
	w = headReport(t, h, head, form, nil)
	m = reportedNumber.FindStringSubmatch(w.Header().Get("Location"))
	if m == nil {
		t.Fatalf("anonymous report: %d\n%s", w.Code, w.Body)
	}
	if c, err := caseStore(f).Case(ctx, a, m[1]); err != nil || c.Reporter.Name != "" || !c.Reporter.Anonymous {
		t.Errorf("anonymous report: %+v (%v)", c, err)
	}

	// The mechanism is the category's where he may raise it (a fire is an
	// emergency), the community's coordination where not (a small matter
	// is handled on the spot by the assistant, not by him).
	for i, tc := range []struct {
		category string
		mech     casework.Mechanism
		state    casework.State
	}{
		{"P06", casework.Emergency, casework.Reported},
		{"P14", casework.Coordination, casework.Accepted},
	} {
		form := url.Values{"token": {strings.Repeat(string(rune('d'+i)), 32)}, "building": {itoa(f.buildingA1.ID)}, "category": {tc.category}, "description": {"楼院问题"}}
		m := reportedNumber.FindStringSubmatch(headReport(t, h, head, form, nil).Header().Get("Location"))
		if m == nil {
			t.Fatalf("%s: not reported", tc.category)
		}
		c, err := caseStore(f).Case(ctx, a, m[1])
		if err != nil {
			t.Fatal(err)
		}
		if c.Mechanism != tc.mech || c.State != tc.state {
			t.Errorf("%s: %s %s, want %s %s", tc.category, c.Mechanism, c.State, tc.mech, tc.state)
		}
	}
}

// TestBuildingHeadReportRefusals: a photo that is not one, an unknown
// category or no description show the form again with the typed text and
// make no case; a building he does not head is not found.
func TestBuildingHeadReportRefusals(t *testing.T) {
	f, h := headServer(t)
	head := login(t, h, "zhangjianguo")
	base := url.Values{"token": {strings.Repeat("b", 32)}, "building": {itoa(f.buildingA1.ID)}, "category": {"P01"}, "description": {"门口垃圾无人清运"}}
	with := func(k, v string) url.Values {
		out := url.Values{}
		for key, vs := range base {
			out[key] = vs
		}
		out.Set(k, v)
		return out
	}
	for _, tc := range []struct {
		name   string
		form   url.Values
		photo  []byte
		status int
		field  string
	}{
		{"a page disguised as a photo", base, []byte("<html><script>alert(1)</script></html>"), http.StatusBadRequest, "photo"},
		{"an unknown category", with("category", "P77"), nil, http.StatusBadRequest, "category"},
		{"a service, not a problem", with("category", "S001"), nil, http.StatusBadRequest, "category"},
		{"no description", with("description", " "), nil, http.StatusBadRequest, "description"},
		{"another grid's building", with("building", itoa(f.buildingB1.ID)), nil, http.StatusNotFound, ""},
		{"another building of his grid", with("building", itoa(f.buildingA2.ID)), nil, http.StatusNotFound, ""},
		{"no building", with("building", ""), nil, http.StatusNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := headReport(t, h, head, tc.form, tc.photo)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d\n%.400s", w.Code, tc.status, w.Body)
			}
			if tc.field != "" && !strings.Contains(w.Body.String(), tc.form.Get("description")) {
				t.Errorf("the typed description is lost")
			}
		})
	}
	all, n, err := caseStore(f).(BuildingHeadStore).ListCases(context.Background(), actorOf(t, f, "dongyuan"), casework.Filter{})
	if err != nil || n != 0 {
		t.Errorf("refused reports left %d cases %v (%v)", n, all, err)
	}
}

// TestBuildingHeadSeesOnlyHisBuildingsCases: each head sees the open
// cases of the buildings he heads, whoever reported them, by number,
// category, state and due date only — not the description, the reporter
// or his contact; another building's cases, another grid's head and a
// head of nothing see none of them; only his own reports link to their
// page.
func TestBuildingHeadSeesOnlyHisBuildingsCases(t *testing.T) {
	f, h := headServer(t)
	ctx := context.Background()
	at := func(b *wangge.Building, cat, desc string) *casework.Case {
		t.Helper()
		c, err := caseStore(f).CreateCase(ctx, actorOf(t, f, "xieliyuan"), casework.Draft{Source: casework.SourceVisit, Category: problem(cat),
			Mechanism: casework.Coordination, Location: casework.Location{GridCode: b.GridCode, BuildingID: b.ID},
			Description: desc, Reporter: casework.Reporter{Name: "邻居钱某", Contact: "13700009999"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	inA1 := at(f.buildingA1, "P03", "601与602因漏水起纠纷")
	inA2 := at(f.buildingA2, "P10", "夜间装修噪声")
	secrets := []string{"601与602因漏水起纠纷", "夜间装修噪声", "邻居钱某", "13700009999", "700009999"}

	for _, tc := range []struct {
		who      string
		sees     []string
		notSees  []string
		building string
	}{
		{"zhangjianguo", []string{inA1.Number}, []string{inA2.Number}, "东苑1号楼"},
		{"zhaoqiang", []string{inA2.Number}, []string{inA1.Number}, "东苑2号楼"},
		{"liuyang", nil, []string{inA1.Number, inA2.Number}, "西苑1号院"},
		{"louzhang", nil, []string{inA1.Number, inA2.Number}, ""},
	} {
		t.Run(tc.who, func(t *testing.T) {
			w := getAs(t, h, login(t, h, tc.who), "/my-building")
			if w.Code != http.StatusOK {
				t.Fatalf("%d", w.Code)
			}
			body := w.Body.String()
			for _, n := range tc.sees {
				if !strings.Contains(body, `data-case="`+n+`"`) {
					t.Errorf("does not see %s", n)
				}
				if strings.Contains(body, `href="/cases/`+n+`"`) {
					t.Errorf("links to %s, which is not his report", n)
				}
			}
			for _, n := range tc.notSees {
				if strings.Contains(body, n) {
					t.Errorf("sees %s", n)
				}
			}
			for _, s := range secrets {
				if strings.Contains(body, s) {
					t.Errorf("the page shows %q", s)
				}
			}
			if tc.building == "" {
				if !strings.Contains(body, "data-no-building") || strings.Contains(body, "data-report-form") {
					t.Errorf("a head of nothing gets a form")
				}
			} else if !strings.Contains(body, tc.building) {
				t.Errorf("his building %s is not named", tc.building)
			}
		})
	}
	// A head of another building gets nothing of this one by asking.
	if w := headReport(t, h, login(t, h, "liuyang"), url.Values{"token": {strings.Repeat("c", 32)},
		"building": {itoa(f.buildingA1.ID)}, "category": {"P01"}, "description": {"x"}}, nil); w.Code != http.StatusNotFound {
		t.Errorf("grid B's head reports at building A1: %d", w.Code)
	}
	if w := getAs(t, h, login(t, h, "liuyang"), "/cases/"+inA1.Number); w.Code != http.StatusNotFound {
		t.Errorf("grid B's head opens building A1's case: %d", w.Code)
	}
	// Grid B has no assistant: its head is never shown grid A's.
	if w := getAs(t, h, login(t, h, "liuyang"), "/my-building"); strings.Contains(w.Body.String(), "0355-2021001") {
		t.Errorf("grid B's head is shown grid A's assistant")
	}
}

// TestBuildingHeadStartsOnHisPage: logging in lands a building head on
// /my-building (and an assistant on the workbench), others on "/", which
// sends each role to its own page or its area's; they may not open his.
func TestBuildingHeadStartsOnHisPage(t *testing.T) {
	_, h := headServer(t)
	for _, tc := range []struct{ who, login, home string }{
		{"zhangjianguo", "/my-building", "/my-building"},
		{"xieliyuan", "/workbench", "/workbench"},
		{"dongyuan", "/", "/areas/" + communityA},
	} {
		form := url.Values{"username": {tc.who}, "password": {password}}
		r := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if got := w.Header().Get("Location"); w.Code != http.StatusSeeOther || got != tc.login {
			t.Errorf("%s logs in to %d %q, want %s", tc.who, w.Code, got, tc.login)
		}
		c := login(t, h, tc.who)
		if got := getAs(t, h, c, "/").Header().Get("Location"); got != tc.home {
			t.Errorf("%s at / goes to %q, want %q", tc.who, got, tc.home)
		}
		// A next page asked for is kept.
		form.Set("next", "/cases")
		r = httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w = httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if got := w.Header().Get("Location"); got != "/cases" {
			t.Errorf("%s with next=/cases lands on %q", tc.who, got)
		}
		if tc.home != "/my-building" {
			if w := getAs(t, h, c, "/my-building"); w.Code != http.StatusForbidden {
				t.Errorf("%s opens the building head's page: %d", tc.who, w.Code)
			}
		}
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// TestBuildingHeadPageInEnglish: every word of the page comes from the
// catalogue, in English too.
func TestBuildingHeadPageInEnglish(t *testing.T) {
	_, h := headServer(t)
	scenario{url: "/my-building", as: "zhangjianguo", lang: "en", status: http.StatusOK,
		contains: []string{"My building", "Buildings I look after", "Call the work phone 0355-2021001", "Report a problem here",
			"Damaged facilities", "Photo (optional)", "Nothing is open in your building."},
		excludes: []string{"bhead.", "我的楼院", "设施损坏"}}.run(t, h)
}
