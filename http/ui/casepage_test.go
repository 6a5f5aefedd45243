package ui

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/passwd"
	"github.com/wangge/wangge/sqldb"
)

// caseStaff are the accounts the case tests act as besides the fixture's
// (dongyuan, community A's staff) and ledgerUsers' (xieliyuan, grid A's
// assistant; louzhang, a building head; minzheng and laodong, the civil
// and labour departments): the sub-district's staff and the city
// management department, which environmental cases go to.
func caseStaff(t testing.TB, f *fixture) {
	t.Helper()
	addUsers(t, f,
		wangge.User{Username: "jiedao", DisplayName: "示范街道工作人员", Role: wangge.RoleSubdistrictStaff, ScopeCode: subdistrict},
		wangge.User{Username: "chengguan", DisplayName: "区城管局", Role: wangge.RoleDepartment, ScopeCode: district, Line: wangge.LineCity})
}

// addUsers creates the accounts with the test password.
func addUsers(t testing.TB, f *fixture, users ...wangge.User) {
	t.Helper()
	cheap := passwd.Params{Memory: 1024, Time: 1, Threads: 1}
	for _, u := range users {
		u.PasswordHash = passwd.Hash(password, cheap)
		if err := f.store.CreateUser(context.Background(), &u); err != nil {
			t.Fatal(err)
		}
	}
}

// caseServer is the fixture with every case account, the store's clock at
// the server's (so the deadlines the store sets and the lights the page
// shows run on one clock), and the server over it.
func caseServer(t *testing.T) (*fixture, http.Handler) {
	t.Helper()
	f := newFixture(t)
	ledgerUsers(t, f)
	caseStaff(t, f)
	f.store.(*sqldb.DB).SetClock(func() time.Time { return testNow })
	return f, f.server(t).Handler()
}

// actorOf is the case actor of a fixture account; "" is the server itself
// (its escalations).
func actorOf(t testing.TB, f *fixture, username string) casework.Actor {
	t.Helper()
	if username == "" {
		return casework.Actor{Role: wangge.RoleSystem, Name: "system"}
	}
	u, err := f.store.UserByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	a := casework.ActorOf(u)
	if a.Name == "" {
		a.Name = u.Username
	}
	return a
}

// caseStore is the fixture's store as the case pages see it.
func caseStore(f *fixture) CaseStore { return f.store.(CaseStore) }

// problem is the problem type with the code.
func problem(code string) casework.Category {
	for _, c := range casework.ProblemTypes {
		if c.Code == code {
			return c
		}
	}
	panic("no problem type " + code)
}

// plantCase registers a case in grid A as the assistant, through the store.
func plantCase(t testing.TB, f *fixture, m casework.Mechanism, cat, contact string) *casework.Case {
	t.Helper()
	d := casework.Draft{Source: casework.SourceVisit, Category: problem(cat), Mechanism: m,
		Location: casework.Location{GridCode: gridA, BuildingID: f.buildingA1.ID}, Description: "楼道堆放杂物",
		Reporter: casework.Reporter{Name: "张建国", Contact: contact}}
	if m == casework.General {
		d.Done = "已现场清理"
	}
	c, err := caseStore(f).CreateCase(context.Background(), actorOf(t, f, "xieliyuan"), d, "")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// step takes an action on the case through the store, as username.
func step(t testing.TB, f *fixture, username string, c *casework.Case, act casework.Action) *casework.Case {
	t.Helper()
	got, _, err := caseStore(f).ApplyCase(context.Background(), actorOf(t, f, username), casework.Transition{Number: c.Number, Version: c.Version, Action: act})
	if err != nil {
		t.Fatalf("%s %s: %v", username, act.Name, err)
	}
	return got
}

var (
	actionButton = regexp.MustCompile(`<details class="case-action" data-action="([a-z_]+)"`)
	tokenField   = regexp.MustCompile(`name="token" value="([0-9a-f]+)"`)
)

// buttons are the actions a case page offers, in order.
func buttons(body string) []string {
	var out []string
	for _, m := range actionButton.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestCasePageButtonsPerRole: a coordination case shows each viewer
// exactly the actions that viewer may take now, step by step as the case
// moves: the assistant may only ask for time, the community dispatches,
// the department accepts or returns once it has the case, the
// sub-district supervises; a case out of sight is not found.
func TestCasePageButtonsPerRole(t *testing.T) {
	f, h := caseServer(t)
	c := plantCase(t, f, casework.Coordination, "P01", "13812340000")
	page := "/cases/" + c.Number
	dispatched := func() {
		c = step(t, f, "dongyuan", c, casework.Action{Name: casework.ActDispatch,
			Receiver: &casework.Receiver{Kind: casework.ToDepartment, Line: wangge.LineCity, Name: "区城市管理局"}})
	}
	for _, tc := range []struct {
		before string
		who    string
		want   string // the buttons, in order; "-" for none
	}{
		{"", "xieliyuan", "defer"},
		{"", "dongyuan", "dispatch defer merge"},
		{"", "chengguan", "-"},
		{"", "jiedao", "supervise"},
		{"", "admin", "supervise"},
		{"dispatch", "chengguan", "accept return defer"},
		{"", "dongyuan", "defer merge"},
		{"", "xieliyuan", "defer"},
	} {
		if tc.before == "dispatch" {
			dispatched()
		}
		w := getAs(t, h, login(t, h, tc.who), page)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d\n%s", tc.who, w.Code, w.Body)
		}
		got := strings.Join(buttons(w.Body.String()), " ")
		if got == "" {
			got = "-"
		}
		if got != tc.want {
			t.Errorf("%s on a %s case: buttons %q, want %q", tc.who, c.State, got, tc.want)
		}
		if tc.want == "-" && !strings.Contains(w.Body.String(), `data-actions="none"`) {
			t.Errorf("%s: no buttons, and no word saying so", tc.who)
		}
	}
	// Out of sight: another line's department, a building head who did
	// not report it, an unknown number, a malformed one.
	for _, sc := range []scenario{
		{url: page, as: "minzheng", status: http.StatusNotFound, excludes: []string{"楼道堆放杂物"}},
		{url: page, as: "louzhang", status: http.StatusNotFound, excludes: []string{"楼道堆放杂物"}},
		{url: "/cases/2026-999999", as: "dongyuan", status: http.StatusNotFound},
		{url: "/cases/..%2fadmin", as: "dongyuan", status: http.StatusNotFound},
		{url: page, as: "dongyuan", status: http.StatusOK, contains: []string{
			c.Number, "楼道堆放杂物", `data-light="green"`, "正常", `href="/buildings/` + strconv.FormatInt(f.buildingA1.ID, 10) + `"`,
			"138****0000", `data-event-action="dispatch"`, "区城市管理局"},
			excludes: []string{"13812340000"}},
	} {
		sc.run(t, h)
	}
}

// TestCaseStaleVersionKeepsTheNote: an action taken on a page read before
// someone else changed the case is refused with "someone changed this
// case meanwhile", and the page shown again has the case as it is now and
// the note the viewer typed; nothing was applied.
func TestCaseStaleVersionKeepsTheNote(t *testing.T) {
	f, h := caseServer(t)
	c := plantCase(t, f, casework.Coordination, "P01", "")
	staff := login(t, h, "dongyuan")
	read := c.Version
	// Meanwhile the assistant asks for more time.
	step(t, f, "xieliyuan", c, casework.Action{Name: casework.ActDefer, Note: "等待物业答复", Due: testNow.Add(30 * 24 * time.Hour)})

	note := "请城管局三日内清理"
	w := postAs(t, h, staff, "/cases/"+c.Number+"/actions", url.Values{"action": {"dispatch"}, "version": {strconv.Itoa(read)},
		"receiver": {"department"}, "line": {"city"}, "note": {note}})
	body := w.Body.String()
	if w.Code != http.StatusConflict {
		t.Fatalf("stale dispatch: %d, want 409\n%s", w.Code, body)
	}
	for _, want := range []string{`data-error="stale"`, "有人在此期间办理了这个案件", note, `data-badge="defer-pending"`,
		`<details class="case-action" data-action="dispatch" open>`, `name="version" value="2"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page shown again lacks %q", want)
		}
	}
	checkHeadersAndScripts(t, w)
	now, err := caseStore(f).Case(context.Background(), actorOf(t, f, "dongyuan"), c.Number)
	if err != nil {
		t.Fatal(err)
	}
	// A form the page no longer offers (another staff member dispatched
	// the other case meanwhile) still shows what was typed.
	other := plantCase(t, f, casework.Coordination, "P01", "")
	step(t, f, "dongyuan", other, casework.Action{Name: casework.ActDispatch,
		Receiver: &casework.Receiver{Kind: casework.ToOutside, Name: "东苑物业公司"}})
	w2 := postAs(t, h, staff, "/cases/"+other.Number+"/actions", url.Values{"action": {"dispatch"}, "version": {strconv.Itoa(other.Version)},
		"receiver": {"department"}, "line": {"city"}, "note": {"转城管"}})
	if w2.Code != http.StatusConflict || !strings.Contains(w2.Body.String(), `data-kept-note`) || !strings.Contains(w2.Body.String(), "转城管") {
		t.Errorf("a stale action no longer offered: %d, the typed note not shown", w2.Code)
	}
	if now.State != casework.Accepted || now.Receiver != nil || now.Version != 2 {
		t.Errorf("after the stale dispatch: %s, receiver %v, version %d", now.State, now.Receiver, now.Version)
	}
	// At the version read now it goes through, and the page is reached by
	// a redirect (PRG).
	w = postAs(t, h, staff, "/cases/"+c.Number+"/actions", url.Values{"action": {"dispatch"}, "version": {"2"},
		"receiver": {"department"}, "line": {"city"}, "note": {note}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/cases/"+c.Number+"#timeline" {
		t.Fatalf("dispatch: %d %q", w.Code, w.Header().Get("Location"))
	}
	now, _ = caseStore(f).Case(context.Background(), actorOf(t, f, "dongyuan"), c.Number)
	if now.State != casework.Dispatched || now.Receiver == nil || now.Receiver.Name != "区城市管理局" || now.Receiver.Line != wangge.LineCity {
		t.Errorf("after the dispatch: %s, receiver %+v", now.State, now.Receiver)
	}
}

// TestCaseRefusalsShowTheEngineReason: what the engine refuses comes back
// on the page with its reason and the status its code maps to: a close
// before the reporter was told, a return without a reason, an action the
// role may not take; the general mechanism then closes in one tap with its
// feedback.
func TestCaseRefusalsShowTheEngineReason(t *testing.T) {
	f, h := caseServer(t)
	g := plantCase(t, f, casework.General, "P14", "")
	co := plantCase(t, f, casework.Coordination, "P01", "")
	co = step(t, f, "dongyuan", co, casework.Action{Name: casework.ActDispatch,
		Receiver: &casework.Receiver{Kind: casework.ToDepartment, Line: wangge.LineCity, Name: "区城市管理局"}})
	act := func(number string, version int, form url.Values) url.Values {
		form.Set("version", strconv.Itoa(version))
		return form
	}
	for _, sc := range []scenario{
		{method: "POST", url: "/cases/" + g.Number + "/actions", as: "xieliyuan", form: act(g.Number, g.Version, url.Values{"action": {"close"}}),
			status: http.StatusConflict, contains: []string{`data-error="action"`, "未反馈，不能结案"}},
		{method: "POST", url: "/cases/" + g.Number + "/actions", as: "xieliyuan", lang: "en", form: act(g.Number, g.Version, url.Values{"action": {"close"}}),
			status: http.StatusConflict, contains: []string{"the reporter has not been told the outcome"}},
		{method: "POST", url: "/cases/" + co.Number + "/actions", as: "chengguan", form: act(co.Number, co.Version, url.Values{"action": {"return"}, "note": {" "}}),
			status: http.StatusBadRequest, contains: []string{"请填写理由"}},
		{method: "POST", url: "/cases/" + co.Number + "/actions", as: "xieliyuan", form: act(co.Number, co.Version, url.Values{"action": {"accept"}}),
			status: http.StatusForbidden, contains: []string{"您的角色不能办理此操作"}},
		{method: "POST", url: "/cases/" + co.Number + "/actions", as: "dongyuan", form: act(co.Number, co.Version, url.Values{"action": {"escalate"}}),
			status: http.StatusBadRequest, contains: []string{"没有这项操作"}},
		{method: "POST", url: "/cases/" + co.Number + "/actions", as: "dongyuan", form: url.Values{"action": {"merge"}},
			status: http.StatusBadRequest, contains: []string{"缺少案件版本"}},
		{method: "POST", url: "/cases/" + co.Number + "/actions", as: "minzheng", form: act(co.Number, co.Version, url.Values{"action": {"accept"}}),
			status: http.StatusNotFound},
	} {
		sc.run(t, h)
	}
	// The general case: the assistant records the feedback and closes in
	// the same tap.
	sc := scenario{method: "POST", url: "/cases/" + g.Number + "/actions", as: "xieliyuan", status: http.StatusSeeOther,
		form: act(g.Number, g.Version, url.Values{"action": {"feedback"}, "no_contact": {"1"}, "then": {"close"}})}
	sc.run(t, h)
	now, err := caseStore(f).Case(context.Background(), actorOf(t, f, "xieliyuan"), g.Number)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, ev := range now.Events {
		seen = append(seen, string(ev.Action))
	}
	if now.State != casework.Closed || strings.Join(seen, " ") != "create feedback close" || !now.Feedback[0].NoContact {
		t.Errorf("after feedback-and-close: %s, timeline %v, feedback %+v", now.State, seen, now.Feedback)
	}
}

// TestCaseRegisterMakesOneCasePerForm: the register form offers the
// role's mechanisms and grids; an error comes back next to its field with
// everything typed kept; a double submit of one form makes one case; the
// place a building page passes sets the grid and the building.
func TestCaseRegisterMakesOneCasePerForm(t *testing.T) {
	f, h := caseServer(t)
	assistant := login(t, h, "xieliyuan")
	w := getAs(t, h, assistant, "/cases/new")
	body := w.Body.String()
	if w.Code != http.StatusOK {
		t.Fatalf("form: %d\n%s", w.Code, body)
	}
	for _, want := range []string{`value="` + gridA + `"`, `value="P01"`, `value="general"`, `value="approval"`, `value="visit" checked`} {
		if !strings.Contains(body, want) {
			t.Errorf("the form lacks %q", want)
		}
	}
	if strings.Contains(body, `value="`+gridB+`"`) {
		t.Errorf("the form offers a grid outside the assistant's")
	}
	checkHeadersAndScripts(t, w)
	token := tokenField.FindStringSubmatch(body)
	if token == nil {
		t.Fatal("the form has no token")
	}
	form := url.Values{"token": {token[1]}, "grid": {gridA}, "category": {"P01"}, "mechanism": {""}, "description": {" "},
		"reporter_name": {"李秀英"}, "reporter_contact": {"139 1234 5678"}, "source": {"visit"}, "priority": {"high"}}
	w = postAs(t, h, assistant, "/cases/new", form)
	if w.Code != http.StatusBadRequest {
		t.Fatalf("no description: %d", w.Code)
	}
	for _, want := range []string{"请描述问题", `value="李秀英"`, `value="139 1234 5678"`, `value="high" checked`, token[1]} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("the form shown again lacks %q", want)
		}
	}
	form.Set("description", "小区门口垃圾堆积")
	var locations []string
	for range 2 {
		w = postAs(t, h, assistant, "/cases/new", form)
		if w.Code != http.StatusSeeOther {
			t.Fatalf("register: %d\n%s", w.Code, w.Body)
		}
		locations = append(locations, w.Header().Get("Location"))
	}
	if locations[0] != locations[1] || !strings.HasPrefix(locations[0], "/cases/2026-") {
		t.Errorf("a double submit went to %v, want one case", locations)
	}
	cases, n, err := caseStore(f).(casework.Store).ListCases(context.Background(), actorOf(t, f, "dongyuan"), casework.Filter{})
	if err != nil || n != 1 {
		t.Fatalf("cases after a double submit: %d %v", n, err)
	}
	c := cases[0]
	if c.Mechanism != casework.Coordination || c.Priority != casework.PriorityHigh || c.Reporter.Name != "李秀英" || c.Source != casework.SourceVisit {
		t.Errorf("registered %+v", c)
	}
	// A building's "report a problem here" sets the place; a building head
	// registers as himself and sees his own report.
	head := login(t, h, "louzhang")
	w = getAs(t, h, head, "/buildings/"+strconv.FormatInt(f.buildingA1.ID, 10))
	if !strings.Contains(w.Body.String(), `href="/cases/new?building=`+strconv.FormatInt(f.buildingA1.ID, 10)+`"`) {
		t.Errorf("the building page has no report link")
	}
	w = getAs(t, h, head, "/cases/new?building="+strconv.FormatInt(f.buildingA1.ID, 10))
	token = tokenField.FindStringSubmatch(w.Body.String())
	if w.Code != http.StatusOK || token == nil || !strings.Contains(w.Body.String(), "东苑1号楼") || strings.Contains(w.Body.String(), `value="general"`) {
		t.Fatalf("the building head's form: %d", w.Code)
	}
	w = postAs(t, h, head, "/cases/new", url.Values{"token": {token[1]}, "building": {strconv.FormatInt(f.buildingA1.ID, 10)},
		"category": {"P02"}, "description": {"单元门禁损坏"}, "source": {"visit"}, "priority": {"normal"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("the building head registers: %d\n%s", w.Code, w.Body)
	}
	w = getAs(t, h, head, w.Header().Get("Location"))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "单元门禁损坏") || !strings.Contains(w.Body.String(), "东苑1号楼") {
		t.Errorf("the building head's own case: %d", w.Code)
	}
	w = getAs(t, h, login(t, h, "dongyuan"), "/households/"+strconv.FormatInt(f.householdA1.ID, 10))
	if !strings.Contains(w.Body.String(), `href="/cases/new?household=`+strconv.FormatInt(f.householdA1.ID, 10)+`"`) {
		t.Errorf("the household page has no report link")
	}
	w = getAs(t, h, login(t, h, "dongyuan"), "/cases/new?household="+strconv.FormatInt(f.householdA1.ID, 10))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `name="household" value="`+strconv.FormatInt(f.householdA1.ID, 10)+`"`) ||
		!strings.Contains(w.Body.String(), "东苑1号楼 1单元101室") {
		t.Errorf("the form at a household: %d", w.Code)
	}
	// A department raising another line's problem goes on to the board.
	w = getAs(t, h, login(t, h, "minzheng"), "/cases/new")
	token = tokenField.FindStringSubmatch(w.Body.String())
	if token == nil {
		t.Fatalf("the department's form: %d", w.Code)
	}
	w = postAs(t, h, login(t, h, "minzheng"), "/cases/new", url.Values{"token": {token[1]}, "grid": {gridA}, "category": {"P01"},
		"description": {"走访低保户时发现门前垃圾"}, "source": {"department"}, "priority": {"normal"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/cases" {
		t.Errorf("a department's report of another line: %d %q", w.Code, w.Header().Get("Location"))
	}
	for _, sc := range []scenario{
		// Registering is for the roles that raise cases.
		{url: "/cases/new", as: "jiedao", status: http.StatusForbidden},
		// A building outside the scope is not found, nor a grid.
		{url: "/cases/new?building=" + strconv.FormatInt(f.buildingB1.ID, 10), as: "xieliyuan", status: http.StatusNotFound},
		{method: "POST", url: "/cases/new", as: "xieliyuan", status: http.StatusNotFound,
			form: url.Values{"token": {token[1]}, "grid": {gridB}, "category": {"P01"}, "description": {"越界"}, "source": {"visit"}}},
		// A form without this server's token.
		{method: "POST", url: "/cases/new", as: "xieliyuan", status: http.StatusBadRequest, contains: []string{"表单已失效", "越界"},
			form: url.Values{"grid": {gridA}, "category": {"P01"}, "description": {"越界"}, "source": {"visit"}}},
		// A general case needs what was done.
		{method: "POST", url: "/cases/new", as: "xieliyuan", status: http.StatusBadRequest, contains: []string{"一般事项现场办结，请填写处理情况"},
			form: url.Values{"token": {strings.Repeat("a", 32)}, "grid": {gridA}, "category": {"P14"}, "description": {"扶手松动"}, "source": {"visit"}}},
		{method: "POST", url: "/cases/new", as: "xieliyuan", status: http.StatusBadRequest, contains: []string{"联系电话格式不对"},
			form: url.Values{"token": {strings.Repeat("b", 32)}, "grid": {gridA}, "category": {"P01"}, "description": {"垃圾"}, "source": {"visit"}, "reporter_contact": {"12345"}}},
	} {
		sc.run(t, h)
	}
}

// jpegWithEXIF is a small JPEG carrying an APP1 (EXIF) segment with the
// marker in it, as a phone's camera writes its location.
func jpegWithEXIF(t testing.TB, marker string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = 0x80
	}
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	payload := append([]byte("Exif\x00\x00"), marker...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	raw := b.Bytes()
	return append(append(append([]byte{}, raw[:2]...), append(seg, payload...)...), raw[2:]...)
}

// upload posts one file to a case's attachments.
func uploadToCase(t testing.TB, h http.Handler, c *http.Cookie, number, name string, data []byte) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	r := httptest.NewRequest("POST", "/cases/"+number+"/attachments", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.AddCookie(c)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestCaseAttachmentsCleanedAndServedSafely: a photo uploaded to a case is
// kept without its EXIF and served with the type kept, nosniff, inline
// and private; a PDF is a download; a page disguised as a photo is
// refused on the case page; another line's department gets nothing.
func TestCaseAttachmentsCleanedAndServedSafely(t *testing.T) {
	f, h := caseServer(t)
	c := plantCase(t, f, casework.Coordination, "P01", "")
	assistant := login(t, h, "xieliyuan")
	const marker = "GPSLatitude=36.1912;Model=TestPhone"
	photo := jpegWithEXIF(t, marker)
	if !bytes.Contains(photo, []byte(marker)) {
		t.Fatal("the test photo carries no EXIF")
	}
	if w := uploadToCase(t, h, assistant, c.Number, "现场.jpg", photo); w.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", w.Code, w.Body)
	}
	pdf := []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	if w := uploadToCase(t, h, assistant, c.Number, "申请表.pdf", pdf); w.Code != http.StatusSeeOther {
		t.Fatalf("upload pdf: %d\n%s", w.Code, w.Body)
	}
	w := uploadToCase(t, h, assistant, c.Number, "photo.jpg", []byte("<html><script>alert(1)</script></html>"))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `data-error="upload"`) {
		t.Errorf("a page as a photo: %d", w.Code)
	}
	atts, err := caseStore(f).CaseAttachments(context.Background(), actorOf(t, f, "xieliyuan"), c.Number)
	if err != nil || len(atts) != 2 {
		t.Fatalf("attachments: %v %v", atts, err)
	}
	for _, tc := range []struct {
		at          casework.Attachment
		ctype, disp string
	}{
		{atts[0], "image/jpeg", "inline"},
		{atts[1], "application/pdf", "attachment"},
	} {
		u := "/cases/" + c.Number + "/attachments/" + strconv.FormatInt(tc.at.ID, 10)
		w := getAs(t, h, login(t, h, "chengguan"), u)
		hd := w.Header()
		if w.Code != http.StatusOK || hd.Get("Content-Type") != tc.ctype || hd.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(hd.Get("Content-Disposition"), tc.disp+";") || !strings.HasPrefix(hd.Get("Cache-Control"), "private") {
			t.Errorf("%s: %d %v", tc.at.Name, w.Code, hd)
		}
		if bytes.Contains(w.Body.Bytes(), []byte(marker)) {
			t.Errorf("%s is served with its EXIF", tc.at.Name)
		}
		if w := getAs(t, h, login(t, h, "minzheng"), u); w.Code != http.StatusNotFound {
			t.Errorf("another line's department: %d", w.Code)
		}
	}
	w = getAs(t, h, assistant, "/cases/"+c.Number)
	if !strings.Contains(w.Body.String(), `<img src="/cases/`+c.Number+`/attachments/`) || !strings.Contains(w.Body.String(), "申请表.pdf") {
		t.Errorf("the case page does not list the attachments")
	}
}

// TestCaseRevealAudited: the reporter's contact is masked on the page and
// shown in full only after a reason, which the audit log keeps; without a
// reason nothing is shown or recorded.
func TestCaseRevealAudited(t *testing.T) {
	f, h := caseServer(t)
	c := plantCase(t, f, casework.Coordination, "P01", "13812340000")
	count := func() int {
		_, n, err := f.store.ListAudit(context.Background(), wangge.AuditFilter{Action: "case.reveal", Page: wangge.Page{Limit: 1}})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, sc := range []scenario{
		{url: "/cases/" + c.Number, as: "dongyuan", status: http.StatusOK, contains: []string{"138****0000", `action="/cases/` + c.Number + `/reveal"`},
			excludes: []string{"13812340000"}},
		{method: "POST", url: "/cases/" + c.Number + "/reveal", as: "dongyuan", form: url.Values{"reason": {"other"}}, status: http.StatusBadRequest,
			contains: []string{"请选择理由"}, excludes: []string{"13812340000"}},
		{method: "POST", url: "/cases/" + c.Number + "/reveal", as: "minzheng", form: url.Values{"reason": {"contact"}}, status: http.StatusNotFound,
			excludes: []string{"13812340000"}},
	} {
		sc.run(t, h)
	}
	if n := count(); n != 0 {
		t.Fatalf("refused reveals recorded %d entries", n)
	}
	scenario{method: "POST", url: "/cases/" + c.Number + "/reveal", as: "dongyuan", form: url.Values{"reason": {"contact"}}, status: http.StatusOK,
		contains: []string{`<span class="full-value" data-field="contact">13812340000</span>`, `href="tel:13812340000"`}}.run(t, h)
	es, n, err := f.store.ListAudit(context.Background(), wangge.AuditFilter{Action: "case.reveal", Page: wangge.Page{Limit: 5}})
	if err != nil || n != 1 {
		t.Fatalf("reveal audit: %d %v", n, err)
	}
	if e := es[0]; e.Username != "dongyuan" || e.ObjectID != c.Number || !strings.Contains(e.Detail, "联系本人") {
		t.Errorf("audit entry %+v", e)
	}
}

// caseNow reads a case as the district sees it.
func caseNow(t testing.TB, f *fixture, number string) *casework.Case {
	t.Helper()
	c, err := caseStore(f).Case(context.Background(), actorOf(t, f, "admin"), number)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCaseActionsCarryWhatTheyNeed: each action's form carries what the
// engine needs of it — an application's materials and the chain's
// reasons, a deferral's reason and new deadline in Beijing time, a
// supervision's note, the case a duplicate joins — and the page shows what
// came of it (badges, the emergency numbers); what is missing comes back
// with the engine's words.
func TestCaseActionsCarryWhatTheyNeed(t *testing.T) {
	f, h := caseServer(t)
	if err := f.store.(*sqldb.DB).SeedServices(context.Background()); err != nil {
		t.Fatal(err)
	}
	assistant := login(t, h, "xieliyuan")
	w := getAs(t, h, assistant, "/cases/new?category=S003")
	token := tokenField.FindStringSubmatch(w.Body.String())
	if token == nil || !strings.Contains(w.Body.String(), `value="临时救助申请书"`) {
		t.Fatalf("the form for an application does not list its materials")
	}
	w = postAs(t, h, assistant, "/cases/new", url.Values{"token": {token[1]}, "grid": {gridA}, "category": {"S003"},
		"description": {"家中突发重病，申请临时救助"}, "reporter_name": {"赵强"}, "source": {"visit"}, "priority": {"normal"},
		"materials": {"临时救助申请书", "身份证"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("register an application: %d\n%s", w.Code, w.Body)
	}
	app := strings.TrimPrefix(w.Header().Get("Location"), "/cases/")
	if c := caseNow(t, f, app); c.Mechanism != casework.Approval || c.State != casework.Collecting || len(c.Materials) != 2 {
		t.Fatalf("the application: %s %s %v", c.Mechanism, c.State, c.Materials)
	}
	coord := plantCase(t, f, casework.Coordination, "P01", "")
	dup := plantCase(t, f, casework.Coordination, "P01", "13700001111")
	fire := plantCase(t, f, casework.Emergency, "P06", "")
	due := "2026-03-20T17:00"
	dueAt := time.Date(2026, 3, 20, 17, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for _, tc := range []struct {
		name, who, number string
		form              url.Values
		status            int
		contains          string
		check             func(c *casework.Case) bool
	}{
		{"materials missing", "xieliyuan", app, url.Values{"action": {"submit"}, "materials": {"户口簿"}}, http.StatusBadRequest, "材料不全", nil},
		{"materials complete", "xieliyuan", app, url.Values{"action": {"submit"}, "materials": {"户口簿", "遭遇急难或支出型困难的相关证明（医疗票据、事故证明等）", "社会救助家庭经济状况核对授权书"}},
			http.StatusSeeOther, "", func(c *casework.Case) bool { return c.State == casework.Pending }},
		{"approve without a reason", "dongyuan", app, url.Values{"action": {"approve"}}, http.StatusBadRequest, "请填写理由", nil},
		{"the community approves", "dongyuan", app, url.Values{"action": {"approve"}, "note": {"材料齐全，同意上报"}},
			http.StatusSeeOther, "", func(c *casework.Case) bool { return c.State == casework.Pending && c.Step == 1 }},
		{"the community may not decide the sub-district's step", "dongyuan", app, url.Values{"action": {"approve"}, "note": {"同意"}},
			http.StatusForbidden, "您的角色不能办理此操作", nil},
		{"the sub-district approves", "jiedao", app, url.Values{"action": {"approve"}, "note": {"同意救助"}},
			http.StatusSeeOther, "", func(c *casework.Case) bool { return c.State == casework.Approved }},
		{"a deferral's deadline must be a time", "xieliyuan", coord.Number, url.Values{"action": {"defer"}, "note": {"等待物业"}, "due": {"下周"}},
			http.StatusBadRequest, "时限格式不对", nil},
		{"a deferral asked", "xieliyuan", coord.Number, url.Values{"action": {"defer"}, "note": {"等待物业答复"}, "due": {due}},
			http.StatusSeeOther, "", func(c *casework.Case) bool { return c.Deferral != nil && c.Deferral.Until.Equal(dueAt) }},
		{"the assistant may not grant it", "xieliyuan", coord.Number, url.Values{"action": {"approve_defer"}}, http.StatusForbidden, "", nil},
		{"the community grants it", "dongyuan", coord.Number, url.Values{"action": {"approve_defer"}},
			http.StatusSeeOther, "", func(c *casework.Case) bool { return c.Deferrals == 1 && c.Running().Due.Equal(dueAt) }},
		{"supervision needs a note", "jiedao", coord.Number, url.Values{"action": {"supervise"}}, http.StatusBadRequest, "请填写督办意见", nil},
		{"supervised", "jiedao", coord.Number, url.Values{"action": {"supervise"}, "note": {"请加快办理"}},
			http.StatusSeeOther, "", func(c *casework.Case) bool { return c.Supervisions == 1 }},
		{"merge into no case", "dongyuan", dup.Number, url.Values{"action": {"merge"}, "into": {"2026-999999"}}, http.StatusBadRequest, "要并入的案件不存在", nil},
		{"merged", "dongyuan", dup.Number, url.Values{"action": {"merge"}, "into": {coord.Number}, "note": {"同一处垃圾"}},
			http.StatusSeeOther, "", func(c *casework.Case) bool { return c.State == casework.Merged && c.MergedInto == coord.Number }},
	} {
		c := caseNow(t, f, tc.number)
		tc.form.Set("version", strconv.Itoa(c.Version))
		w := postAs(t, h, login(t, h, tc.who), "/cases/"+tc.number+"/actions", tc.form)
		if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.contains) {
			t.Errorf("%s: %d, want %d with %q\n%.400s", tc.name, w.Code, tc.status, tc.contains, w.Body)
			continue
		}
		if after := caseNow(t, f, tc.number); tc.check != nil && !tc.check(after) {
			t.Errorf("%s: the case is now %+v", tc.name, after)
		} else if tc.check == nil && after.Version != c.Version {
			t.Errorf("%s: refused, yet the case changed", tc.name)
		}
	}
	for _, sc := range []scenario{
		{url: "/cases/" + coord.Number, as: "dongyuan", status: http.StatusOK, contains: []string{`data-badge="supervised"`, `data-badge="deferred"`,
			`data-badge="duplicates"`, `href="/cases/` + dup.Number + `"`}},
		{url: "/cases/" + dup.Number, as: "dongyuan", status: http.StatusOK, contains: []string{`data-badge="merged-into"`, `data-state="merged"`}},
		{url: "/cases/" + app, as: "xieliyuan", status: http.StatusOK, contains: []string{`data-action="feedback"`, "临时救助"}},
		{url: "/cases/" + fire.Number, as: "dongyuan", status: http.StatusOK, contains: []string{`data-calls`, `href="tel:119"`, `href="tel:120"`,
			`data-action="acknowledge"`, `data-light="green"`}},
		{url: "/cases/" + fire.Number, as: "dongyuan", lang: "en", status: http.StatusOK, contains: []string{"Fire", "In an emergency, call at once", "Acknowledge", "Reported, awaiting response"}},
	} {
		sc.run(t, h)
	}
}

// BenchmarkCasePageVsHealthz serves a case's page — a coordination case
// with a full timeline (dispatched, returned, re-dispatched, done,
// verified, told) and a photo — to community staff through the whole
// server, and, as the anchor in the same run, GET /healthz, which does
// next to nothing. It reports both per request and their ratio.
func BenchmarkCasePageVsHealthz(b *testing.B) {
	f := newFixture(b)
	addUsers(b, f, wangge.User{Username: "xieliyuan", Role: wangge.RoleAssistant, ScopeCode: gridA},
		wangge.User{Username: "minzheng", Role: wangge.RoleDepartment, ScopeCode: district, Line: wangge.LineCivil})
	caseStaff(b, f)
	f.store.(*sqldb.DB).SetClock(func() time.Time { return testNow })
	h := f.server(b).Handler()
	c := plantCase(b, f, casework.Coordination, "P01", "13812340000")
	civil := &casework.Receiver{Kind: casework.ToDepartment, Line: wangge.LineCivil, Name: "区民政局"}
	city := &casework.Receiver{Kind: casework.ToDepartment, Line: wangge.LineCity, Name: "区城市管理局"}
	for _, s := range []struct {
		who string
		act casework.Action
	}{
		{"dongyuan", casework.Action{Name: casework.ActDispatch, Receiver: civil}},
		{"minzheng", casework.Action{Name: casework.ActReturn, Note: "不属本部门"}},
		{"dongyuan", casework.Action{Name: casework.ActDispatch, Receiver: city}},
		{"chengguan", casework.Action{Name: casework.ActAccept}},
		{"chengguan", casework.Action{Name: casework.ActHandle, Note: "已清运"}},
		{"dongyuan", casework.Action{Name: casework.ActVerify}},
		{"dongyuan", casework.Action{Name: casework.ActFeedback, Channel: casework.ChannelPhone, Note: "已告知"}},
	} {
		got, _, err := caseStore(f).ApplyCase(context.Background(), actorOf(b, f, s.who), casework.Transition{Number: c.Number, Version: c.Version, Action: s.act})
		if err != nil {
			b.Fatal(s.who, s.act.Name, err)
		}
		if got != nil {
			c = got
		} else {
			c.Version++
		}
	}
	if _, err := caseStore(f).AttachToCase(context.Background(), actorOf(b, f, "dongyuan"), c.Number, "p.jpg", jpegWithEXIF(b, "x")); err != nil {
		b.Fatal(err)
	}
	cookie := login(b, h, "dongyuan")
	serve := func(path string) time.Duration {
		start := time.Now()
		for range b.N {
			r := httptest.NewRequest("GET", path, nil)
			r.AddCookie(cookie)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("%s: %d", path, w.Code)
			}
		}
		return time.Since(start) / time.Duration(b.N)
	}
	serve("/cases/" + c.Number) // warm up
	b.ResetTimer()
	anchor := serve("/healthz")
	page := serve("/cases/" + c.Number)
	b.StopTimer()
	b.ReportMetric(float64(anchor.Microseconds()), "healthz_µs")
	b.ReportMetric(float64(page.Microseconds()), "case_page_µs")
	b.ReportMetric(float64(page)/float64(anchor), "ratio")
}

// TestCaseOverdueShowsRedAndItsEscalation: past its deadline a case's
// light is red with the word "overdue"; once the server escalated it the
// page says so and where it is now followed, and the sub-district, which
// follows it there, gets the community's buttons.
func TestCaseOverdueShowsRedAndItsEscalation(t *testing.T) {
	f, _ := caseServer(t)
	c := plantCase(t, f, casework.Coordination, "P01", "")
	later := testNow.Add(5 * 24 * time.Hour)
	db := f.store.(*sqldb.DB)
	db.SetClock(func() time.Time { return later })
	h := newTestServer(f.store, whttp.Options{Logger: testOptions(t).Logger, Now: func() time.Time { return later }}).Handler()
	scenario{url: "/cases/" + c.Number, as: "dongyuan", status: http.StatusOK,
		contains: []string{`data-light="red"`, "超期"}, excludes: []string{`data-badge="escalated"`}}.run(t, h)
	step(t, f, "", c, casework.Action{Name: casework.ActEscalate})
	for _, sc := range []scenario{
		{url: "/cases/" + c.Number, as: "dongyuan", status: http.StatusOK, contains: []string{`data-badge="escalated"`, "已升级 1 次，现由街道跟进",
			`data-event-action="escalate"`, `data-light="green"`}},
		{url: "/cases/" + c.Number, as: "jiedao", status: http.StatusOK, contains: []string{`data-action="dispatch"`, `data-action="supervise"`}},
	} {
		sc.run(t, h)
	}
}
