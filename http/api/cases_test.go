package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/internal/apitest"
	"github.com/wangge/wangge/http/internal/webtest"
	"github.com/wangge/wangge/passwd"
	"github.com/wangge/wangge/sqldb"
)

// The case API's contract tests: raw JSON through the real store (the
// webtest district on SQLite), logged in through the form as the roles
// that work cases.

// caseFixture is the webtest district with an account for every role that
// works cases, and the server over it.
type caseFixture struct {
	*webtest.Fixture
	db      *sqldb.DB
	h       http.Handler
	cookies map[string]*http.Cookie
}

// The accounts: dongyuan (community A's staff) and admin come with the
// fixture; these are added.
var caseUsers = []wangge.User{
	{Username: "xie.a", DisplayName: "周敏", Role: wangge.RoleAssistant, ScopeCode: webtest.GridA},
	{Username: "xie.b", DisplayName: "西苑协理员", Role: wangge.RoleAssistant, ScopeCode: webtest.GridB},
	{Username: "jiedao", DisplayName: "示范街道工作人员", Role: wangge.RoleSubdistrictStaff, ScopeCode: webtest.Subdistrict},
	{Username: "minzheng", DisplayName: "区民政局", Role: wangge.RoleDepartment, ScopeCode: webtest.District, Line: wangge.LineCivil},
	{Username: "chengguan", DisplayName: "区城市管理局", Role: wangge.RoleDepartment, ScopeCode: webtest.District, Line: wangge.LineCity},
	{Username: "louzhang", DisplayName: "张建国", Role: wangge.RoleBuildingHead, ScopeCode: webtest.GridA},
}

func newCaseFixture(t *testing.T) *caseFixture {
	t.Helper()
	f := webtest.NewFixture(t)
	db := f.Store.(*sqldb.DB)
	ctx := context.Background()
	if err := db.SeedServices(ctx); err != nil {
		t.Fatal(err)
	}
	db.SetClock(func() time.Time { return webtest.Now })
	cheap := passwd.Params{Memory: 1024, Time: 1, Threads: 1}
	for _, u := range caseUsers {
		u.PasswordHash = passwd.Hash(webtest.Password, cheap)
		if err := db.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	s := whttp.NewServer(f.Store, whttp.Options{Logger: webtest.Logger(t), Now: func() time.Time { return webtest.Now }}, Routes)
	cf := &caseFixture{Fixture: f, db: db, h: s.Handler(), cookies: map[string]*http.Cookie{}}
	for _, name := range []string{"dongyuan", "admin", "xie.a", "xie.b", "jiedao", "minzheng", "chengguan", "louzhang"} {
		cf.cookies[name] = webtest.Login(t, cf.h, name)
	}
	return cf
}

// call sends a request as the user ("" for a visitor) with the JSON body
// ("" for none) and the headers (name, value pairs), and reads the raw
// answer.
func (f *caseFixture) call(t *testing.T, as, method, path, body string, header ...string) (int, map[string]any, http.Header) {
	t.Helper()
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	if as != "" {
		r.AddCookie(f.cookies[as])
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s as %q: %d, Content-Type %q\n%s", method, path, as, w.Code, ct, w.Body)
	}
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("%s %s: %v\n%s", method, path, err, w.Body)
	}
	return w.Code, m, w.Header()
}

// create registers a case as the user and returns its number.
func (f *caseFixture) create(t *testing.T, as, body string) string {
	t.Helper()
	code, m, _ := f.call(t, as, "POST", "/api/v1/cases", body)
	if code != http.StatusCreated {
		t.Fatalf("create as %s: %d %v", as, code, m)
	}
	return m["number"].(string)
}

// act takes a transition as the user and wants the status; it returns the
// answer.
func (f *caseFixture) act(t *testing.T, as, number, body string, want int) map[string]any {
	t.Helper()
	code, m, _ := f.call(t, as, "POST", "/api/v1/cases/"+number+"/transitions", body)
	if code != want {
		t.Fatalf("%s as %s: %d, want %d: %v", body, as, code, want, m)
	}
	return m
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func numbers(t *testing.T, m map[string]any) []string {
	t.Helper()
	var out []string
	for _, c := range m["cases"].([]any) {
		out = append(out, c.(map[string]any)["number"].(string))
	}
	return out
}

// TestCaseCreateIsIdempotent: a create with an Idempotency-Key answers 201,
// the same key and body again 200 with the same number and no second case,
// the same key with another body 409; without a key every create is a new
// case.
func TestCaseCreateIsIdempotent(t *testing.T) {
	f := newCaseFixture(t)
	body := `{"mechanism":"coordination","category":"P01","grid_code":"` + webtest.GridA + `","description":"楼道堆放杂物",
		"reporter":{"name":"王芳","contact":"13912345678"}}`
	code, first, hdr := f.call(t, "xie.a", "POST", "/api/v1/cases", body, "Idempotency-Key", "visit-2026-03-01-0001")
	if code != http.StatusCreated {
		t.Fatalf("first create: %d %v", code, first)
	}
	number := first["number"].(string)
	if hdr.Get("Location") != "/api/v1/cases/"+number || first["source"] != "visit" || first["state"] != "accepted" || first["version"] != 1.0 {
		t.Errorf("first create: Location %q, %v", hdr.Get("Location"), first)
	}
	rep := apitest.Obj(t, first, "reporter")
	if rep["contact"] != "139****5678" || rep["name"] != "王芳" {
		t.Errorf("reporter as written: %v (the contact must be masked)", rep)
	}
	code, again, _ := f.call(t, "xie.a", "POST", "/api/v1/cases", body, "Idempotency-Key", "visit-2026-03-01-0001")
	if code != http.StatusOK || again["number"] != number {
		t.Errorf("retry: %d %v, want 200 with %s", code, again["number"], number)
	}
	other := strings.Replace(body, "楼道堆放杂物", "楼道灯不亮", 1)
	code, m, _ := f.call(t, "xie.a", "POST", "/api/v1/cases", other, "Idempotency-Key", "visit-2026-03-01-0001")
	if c, _ := apitest.ErrorShape(t, m); code != http.StatusConflict || c != "conflict" {
		t.Errorf("same key, other body: %d %v", code, m)
	}
	// The key is the account's: another account's same key is its own.
	code, m, _ = f.call(t, "dongyuan", "POST", "/api/v1/cases", body, "Idempotency-Key", "visit-2026-03-01-0001")
	if code != http.StatusCreated || m["number"] == number || m["source"] != "walk_in" {
		t.Errorf("another account's same key: %d %v", code, m)
	}
	second := f.create(t, "xie.a", body)
	if second == number {
		t.Error("a create without a key returned the keyed create's case")
	}
	_, list, _ := f.call(t, "dongyuan", "GET", "/api/v1/cases?area="+webtest.CommunityA, "")
	if list["total"] != 3.0 || len(numbers(t, list)) != 3 {
		t.Errorf("cases after a create, its retry, a refused retry and two more creates: %v", list["total"])
	}
	if strings.Contains(fmt.Sprint(list), "13912345678") {
		t.Error("the list shows a reporter's contact in clear")
	}
}

// TestCaseAPIKeepsToWhatTheCallerSees: an assistant of another grid gets
// 404 for the case and does not list it; a department sees its line's
// cases and those dispatched to it, no other; a building head his own
// reports only; a visitor gets 401 JSON, not the login page.
func TestCaseAPIKeepsToWhatTheCallerSees(t *testing.T) {
	f := newCaseFixture(t)
	city := f.create(t, "xie.a", `{"category":"P01","grid_code":"`+webtest.GridA+`","description":"垃圾未清运"}`)
	civil := f.create(t, "xie.a", `{"category":"P12","grid_code":"`+webtest.GridA+`","description":"独居老人需要帮扶"}`)
	own := f.create(t, "louzhang", fmt.Sprintf(`{"category":"P02","building_id":%d,"description":"单元门禁损坏"}`, f.BuildingA1.ID))

	for _, tc := range []struct {
		as      string
		sees    []string
		notSees []string
	}{
		{"xie.b", nil, []string{city, civil, own}},
		{"xie.a", []string{city, civil, own}, nil},
		{"dongyuan", []string{city, civil, own}, nil},
		{"jiedao", []string{city, civil, own}, nil},
		{"minzheng", []string{civil}, []string{city, own}},
		{"chengguan", []string{city, own}, []string{civil}}, // P02 is the city line's too
		{"louzhang", []string{own}, []string{city, civil}},
	} {
		code, list, _ := f.call(t, tc.as, "GET", "/api/v1/cases", "")
		if code != 200 {
			t.Fatalf("list as %s: %d %v", tc.as, code, list)
		}
		got := numbers(t, list)
		for _, n := range tc.sees {
			if code, m, _ := f.call(t, tc.as, "GET", "/api/v1/cases/"+n, ""); code != 200 || m["number"] != n {
				t.Errorf("%s GET %s: %d %v", tc.as, n, code, m)
			}
			if !slices.Contains(got, n) {
				t.Errorf("%s's list lacks %s: %v", tc.as, n, got)
			}
		}
		for _, n := range tc.notSees {
			code, m, _ := f.call(t, tc.as, "GET", "/api/v1/cases/"+n, "")
			if c, _ := apitest.ErrorShape(t, m); code != 404 || c != "not_found" {
				t.Errorf("%s GET %s: %d %v, want 404", tc.as, n, code, m)
			}
			if slices.Contains(got, n) {
				t.Errorf("%s's list holds %s", tc.as, n)
			}
			// Nor can they act on it: not found before any rule is asked.
			code, _, _ = f.call(t, tc.as, "POST", "/api/v1/cases/"+n+"/transitions", `{"action":"feedback","channel":"phone","note":"x"}`)
			if code != 404 {
				t.Errorf("%s acting on %s: %d, want 404", tc.as, n, code)
			}
		}
	}
	// Dispatched to the civil line, the city line's case is the civil
	// department's to see too.
	f.act(t, "dongyuan", city, `{"action":"dispatch","receiver":{"kind":"department","line":"civil","name":"区民政局"}}`, 200)
	if code, _, _ := f.call(t, "minzheng", "GET", "/api/v1/cases/"+city, ""); code != 200 {
		t.Errorf("the department does not see the case dispatched to it: %d", code)
	}
	if _, m, _ := f.call(t, "minzheng", "GET", "/api/v1/cases?receiver=civil", ""); !slices.Equal(numbers(t, m), []string{city}) {
		t.Errorf("the civil department's inbox: %v", numbers(t, m))
	}
	// An area outside the caller's is not found; one above it is the
	// caller's own.
	if code, _, _ := f.call(t, "xie.a", "GET", "/api/v1/cases?area="+webtest.CommunityB, ""); code != 404 {
		t.Errorf("assistant A listing community B: %d, want 404", code)
	}
	if code, m, _ := f.call(t, "xie.a", "GET", "/api/v1/cases?area="+webtest.Subdistrict, ""); code != 200 || m["total"] != 3.0 {
		t.Errorf("assistant A listing the sub-district: %d %v", code, m["total"])
	}
	// A building head cannot place a case through a household (people's
	// data he may not read), nor in another grid.
	code, m, _ := f.call(t, "louzhang", "POST", "/api/v1/cases", fmt.Sprintf(`{"category":"P02","household_id":%d,"description":"x"}`, f.HouseholdA1.ID))
	if _, d := apitest.ErrorShape(t, m); code != 400 || len(d) != 1 || d[0].(map[string]any)["field"] != "household_id" {
		t.Errorf("building head by household: %d %v", code, m)
	}
	code, m, _ = f.call(t, "xie.a", "POST", "/api/v1/cases", `{"category":"P01","grid_code":"`+webtest.GridB+`","description":"x"}`)
	if c, _ := apitest.ErrorShape(t, m); code != 403 || c != "forbidden" {
		t.Errorf("assistant A creating in grid B: %d %v", code, m)
	}

	// A visitor: 401 in the JSON error shape, never a redirect.
	for _, rq := range []struct{ method, path, body string }{
		{"GET", "/api/v1/cases", ""}, {"GET", "/api/v1/cases/" + city, ""}, {"GET", "/api/v1/case-categories", ""},
		{"POST", "/api/v1/cases", `{"category":"P01"}`}, {"POST", "/api/v1/cases/" + city + "/transitions", `{"action":"close"}`},
	} {
		code, m, hdr := f.call(t, "", rq.method, rq.path, rq.body, "Accept", "text/html")
		if c, _ := apitest.ErrorShape(t, m); code != 401 || c != "unauthorized" || hdr.Get("Location") != "" {
			t.Errorf("visitor %s %s: %d %v", rq.method, rq.path, code, m)
		}
	}
}

// TestCaseCoordinationLoopThroughTheAPI runs a coordination case through
// the transitions: the assistant registers it, the community dispatches it
// to the wrong department, which returns it with a reason (and no longer
// sees it), the community re-dispatches, the department accepts and
// handles it, the community verifies; closing before the reporter was told
// is refused with the reason in both languages, the feedback is recorded
// and the case closes. The timeline holds every step, and each answer's
// "allowed" is what the caller may do next.
func TestCaseCoordinationLoopThroughTheAPI(t *testing.T) {
	f := newCaseFixture(t)
	n := f.create(t, "xie.a", `{"mechanism":"coordination","category":"P12","grid_code":"`+webtest.GridA+`",
		"description":"独居老人家中无人照料","reporter":{"name":"李秀英","contact":"13712345670"}}`)

	_, c, _ := f.call(t, "dongyuan", "GET", "/api/v1/cases/"+n, "")
	if !slices.Contains(strs(c["allowed"]), "dispatch") {
		t.Errorf("the community may dispatch a new case: %v", c["allowed"])
	}
	if _, a, _ := f.call(t, "xie.a", "GET", "/api/v1/cases/"+n, ""); slices.Contains(strs(a["allowed"]), "dispatch") {
		t.Errorf("the assistant may not dispatch: %v", a["allowed"])
	}
	if d := apitest.Obj(t, c, "deadline"); d["step"] != "dispatch" || d["light"] == "" {
		t.Errorf("the running deadline: %v", d)
	}
	steps := []struct {
		as, body, state string
	}{
		{"dongyuan", `{"action":"dispatch","note":"请城管协助","receiver":{"kind":"department","line":"city","name":"区城市管理局"}}`, "dispatched"},
		{"chengguan", `{"action":"return","note":"不属于城管职责，应由民政部门处理"}`, "returned"},
		{"dongyuan", `{"action":"dispatch","receiver":{"kind":"department","line":"civil","name":"区民政局"}}`, "dispatched"},
		{"minzheng", `{"action":"accept","note":"已接单"}`, "in_progress"},
		{"minzheng", `{"action":"handle","note":"已安排养老服务人员每日上门"}`, "handled"},
		{"dongyuan", `{"action":"verify","note":"电话回访老人，属实"}`, "verified"},
	}
	for _, st := range steps {
		m := f.act(t, st.as, n, st.body, 200)
		ev := apitest.Obj(t, m, "event")
		if ev["to"] != st.state {
			t.Errorf("%s: event to %v, want %s", st.body, ev["to"], st.state)
		}
		if st.as == "chengguan" {
			// The wrong department returned another line's case: out of
			// its sight now.
			if m["case"] != nil {
				t.Errorf("the returning department still gets the case: %v", m["case"])
			}
			if code, _, _ := f.call(t, "chengguan", "GET", "/api/v1/cases/"+n, ""); code != 404 {
				t.Errorf("the returning department still sees the case: %d", code)
			}
			continue
		}
		if cs := apitest.Obj(t, m, "case"); cs["state"] != st.state {
			t.Errorf("%s: case state %v", st.body, cs["state"])
		}
	}

	// Close before feedback: 409, the catalogue's reason in Chinese and
	// English, whatever language the client asks for.
	for _, lang := range []string{"zh-CN", "en"} {
		code, m, _ := f.call(t, "dongyuan", "POST", "/api/v1/cases/"+n+"/transitions", `{"action":"close"}`, "Accept-Language", lang)
		c, _ := apitest.ErrorShape(t, m)
		e := apitest.Obj(t, m, "error")
		if code != 409 || c != "conflict" || e["message_zh"] != "未反馈，不能结案" || e["message"] != "the reporter has not been told the outcome" {
			t.Errorf("close before feedback (%s): %d %v", lang, code, m)
		}
	}
	_, c, _ = f.call(t, "dongyuan", "GET", "/api/v1/cases/"+n, "")
	if slices.Contains(strs(c["allowed"]), "close") || !slices.Contains(strs(c["allowed"]), "feedback") {
		t.Errorf("before the feedback: allowed %v", c["allowed"])
	}
	f.act(t, "xie.a", n, `{"action":"feedback","channel":"visit","note":"上门告知已安排每日照料"}`, 200)
	m := f.act(t, "dongyuan", n, `{"action":"close","note":"办结"}`, 200)
	cs := apitest.Obj(t, m, "case")
	if cs["state"] != "closed" || cs["closed_at"] == nil || cs["deadline"] != nil {
		t.Errorf("closed: %v", cs)
	}

	_, c, _ = f.call(t, "dongyuan", "GET", "/api/v1/cases/"+n, "")
	var got []string
	for _, e := range c["timeline"].([]any) {
		ev := e.(map[string]any)
		got = append(got, fmt.Sprintf("%s:%s>%s:%s", ev["action"], ev["from"], ev["to"], ev["role"]))
		if ev["actor_name"] == "" || ev["at"] == "" {
			t.Errorf("an event without who or when: %v", ev)
		}
	}
	want := []string{
		"create:>accepted:assistant",
		"dispatch:accepted>dispatched:community_staff",
		"return:dispatched>returned:department",
		"dispatch:returned>dispatched:community_staff",
		"accept:dispatched>in_progress:department",
		"handle:in_progress>handled:department",
		"verify:handled>verified:community_staff",
		"feedback:verified>verified:assistant",
		"close:verified>closed:community_staff",
	}
	if !slices.Equal(got, want) {
		t.Errorf("timeline:\n got %v\nwant %v", got, want)
	}
	tl := c["timeline"].([]any)
	if r, _ := tl[2].(map[string]any)["receiver"].(map[string]any); r["line"] != "city" || r["kind"] != "department" {
		t.Errorf("the return names the receiver that returned it: %v", tl[2])
	}
	if f, _ := tl[7].(map[string]any)["feedback"].(map[string]any); f["channel"] != "visit" || f["said"] == "" {
		t.Errorf("the feedback event carries the telling: %v", tl[7])
	}
	if b := apitest.Obj(t, c, "badges"); b["redispatches"] != 1.0 {
		t.Errorf("badges: %v", b)
	}
	if c["version"] != float64(len(want)) {
		t.Errorf("version %v after %d events", c["version"], len(want))
	}
	fb := c["feedback"].([]any)
	if len(fb) != 1 || fb[0].(map[string]any)["channel"] != "visit" {
		t.Errorf("feedback: %v", fb)
	}
	if strings.Contains(fmt.Sprint(c), "13712345670") {
		t.Error("the case shows the reporter's contact in clear")
	}
}

// TestCaseTransitionWithAStaleVersionConflicts: two staff read the same
// version; the first to act wins, the second is told with 409 and the
// version it read, and nothing of its action is written. Without a version
// the current one is taken.
func TestCaseTransitionWithAStaleVersionConflicts(t *testing.T) {
	f := newCaseFixture(t)
	n := f.create(t, "dongyuan", `{"category":"P01","grid_code":"`+webtest.GridA+`","description":"路灯不亮"}`)
	f.act(t, "dongyuan", n, `{"action":"dispatch","version":1,"receiver":{"kind":"department","line":"city","name":"区城市管理局"}}`, 200)
	code, m, _ := f.call(t, "jiedao", "POST", "/api/v1/cases/"+n+"/transitions", `{"action":"supervise","version":1,"note":"尽快处理"}`)
	c, _ := apitest.ErrorShape(t, m)
	if e := apitest.Obj(t, m, "error"); code != 409 || c != "conflict" || !strings.Contains(e["message"].(string), "version 1") || e["message_zh"] == "" {
		t.Errorf("stale version: %d %v", code, m)
	}
	_, cs, _ := f.call(t, "jiedao", "GET", "/api/v1/cases/"+n, "")
	if cs["version"] != 2.0 || apitest.Obj(t, cs, "badges")["supervisions"] != 0.0 || len(cs["timeline"].([]any)) != 2 {
		t.Errorf("after the refused write: version %v, badges %v", cs["version"], cs["badges"])
	}
	m = f.act(t, "jiedao", n, `{"action":"supervise","note":"尽快处理"}`, 200)
	if cs := apitest.Obj(t, m, "case"); cs["version"] != 3.0 || apitest.Obj(t, cs, "badges")["supervised"] != true {
		t.Errorf("supervised without a version: %v", cs)
	}
	// A refusal of the engine, for the record: a state the action does
	// not start from is 409 too, with its own reason.
	code, m, _ = f.call(t, "dongyuan", "POST", "/api/v1/cases/"+n+"/transitions", `{"action":"verify","note":"x"}`)
	if e := apitest.Obj(t, m, "error"); code != 409 || e["message_zh"] == "" || strings.Contains(e["message"].(string), "version") {
		t.Errorf("verify a dispatched case: %d %v", code, m)
	}
}

// TestCaseAPIRefusesMalformedInput: each malformed create or transition is
// 400 naming the field at fault, checked before anything is written.
func TestCaseAPIRefusesMalformedInput(t *testing.T) {
	f := newCaseFixture(t)
	n := f.create(t, "dongyuan", `{"category":"P01","grid_code":"`+webtest.GridA+`","description":"井盖缺失"}`)
	ok := `"category":"P01","grid_code":"` + webtest.GridA + `","description":"x"`
	for _, tc := range []struct {
		name, path, body string
		header           []string
		field            string
	}{
		{"unknown field", "", `{` + ok + `,"reporter_phone":"1"}`, nil, "reporter_phone"},
		{"wrong type", "", `{"category":"P01","grid_code":"` + webtest.GridA + `","description":5}`, nil, "description"},
		{"not JSON", "", `category=P01`, nil, "body"},
		{"two objects", "", `{` + ok + `}{}`, nil, "body"},
		{"an array", "", `[1]`, nil, "body"},
		{"not JSON by type", "", `{` + ok + `}`, []string{"Content-Type", "text/plain"}, "body"},
		{"too big", "", `{"description":"` + strings.Repeat("长", caseBodyMax/3+1) + `"}`, nil, "body"},
		{"no location", "", `{"category":"P01","description":"x"}`, nil, "location"},
		{"two locations", "", `{` + ok + `,"lng":113.1,"lat":36.1}`, nil, "location"},
		{"bad grid", "", `{"category":"P01","grid_code":"14049900100100","description":"x"}`, nil, "grid_code"},
		{"unknown grid", "", `{"category":"P01","grid_code":"140499001001009","description":"x"}`, nil, "grid_code"},
		{"lng without lat", "", `{"category":"P01","lng":113.1,"description":"x"}`, nil, "lat"},
		{"lat out of range", "", `{"category":"P01","lng":113.1,"lat":91,"description":"x"}`, nil, "lat"},
		{"point in no grid", "", `{"category":"P01","lng":113.1,"lat":36.1,"description":"x"}`, nil, "lng"},
		{"unknown building", "", `{"category":"P01","building_id":99999,"description":"x"}`, nil, "building_id"},
		{"unknown category", "", `{"category":"P77","grid_code":"` + webtest.GridA + `","description":"x"}`, nil, "category"},
		{"unknown mechanism", "", `{` + ok + `,"mechanism":"urgent"}`, nil, "mechanism"},
		{"empty description", "", `{"category":"P01","grid_code":"` + webtest.GridA + `","description":"  "}`, nil, "description"},
		{"general without done", "", `{` + ok + `,"mechanism":"general"}`, nil, "done"},
		{"unknown priority", "", `{` + ok + `,"priority":"asap"}`, nil, "priority"},
		{"a public intake", "", `{` + ok + `,"source":"open311"}`, nil, "source"},
		{"another role's source", "", `{` + ok + `,"source":"department"}`, nil, "source"},
		{"bad contact", "", `{` + ok + `,"reporter":{"contact":"12345"}}`, nil, "reporter.contact"},
		{"long key", "", `{` + ok + `}`, []string{"Idempotency-Key", strings.Repeat("k", idempotencyKeyMax+1)}, "Idempotency-Key"},
		{"key with a space", "", `{` + ok + `}`, []string{"Idempotency-Key", "a b"}, "Idempotency-Key"},
		{"unknown action", "/transitions", `{"action":"delete"}`, nil, "action"},
		{"the timer's action", "/transitions", `{"action":"escalate"}`, nil, "action"},
		{"version zero", "/transitions", `{"action":"dispatch","version":0}`, nil, "version"},
		{"version as text", "/transitions", `{"action":"dispatch","version":"1"}`, nil, "version"},
		{"bad time", "/transitions", `{"action":"supervise","note":"x","due":"tomorrow"}`, nil, "due"},
		{"bad merge target", "/transitions", `{"action":"merge","into":"12"}`, nil, "into"},
		{"too many materials", "/transitions", `{"action":"submit","materials":[` + strings.TrimSuffix(strings.Repeat(`"身份证",`, materialsMax+1), ",") + `]}`, nil, "materials"},
		{"a long material", "", `{` + ok + `,"materials":["` + strings.Repeat("证", materialNameMax+1) + `"]}`, nil, "materials"},
		{"transition field unknown", "/transitions", `{"action":"close","force":true}`, nil, "force"},
		{"no receiver", "/transitions", `{"action":"dispatch"}`, nil, "receiver"},
	} {
		path := "/api/v1/cases"
		if tc.path != "" {
			path += "/" + n + tc.path
		}
		code, m, _ := f.call(t, "dongyuan", "POST", path, tc.body, tc.header...)
		c, details := apitest.ErrorShape(t, m)
		if code != 400 || c != "invalid" || len(details) != 1 {
			t.Errorf("%s: %d %v", tc.name, code, m)
			continue
		}
		if d := details[0].(map[string]any); d["field"] != tc.field || d["message"] == "" || d["zh"] == "" {
			t.Errorf("%s: detail %v, want field %q", tc.name, d, tc.field)
		}
	}
	for _, q := range []string{"state=open", "mechanism=x", "level=4", "open=yes", "limit=0", "limit=1001", "page=0", "due_before=2026-03-01", "area=12", "receiver=police"} {
		code, m, _ := f.call(t, "dongyuan", "GET", "/api/v1/cases?"+q, "")
		if _, d := apitest.ErrorShape(t, m); code != 400 || len(d) != 1 {
			t.Errorf("GET /api/v1/cases?%s: %d %v", q, code, m)
		}
	}
	if code, m, _ := f.call(t, "dongyuan", "GET", "/api/v1/cases/2026-1", ""); code != 400 {
		t.Errorf("a malformed number: %d %v", code, m)
	}
	// Nothing of the refused creates was written.
	if _, m, _ := f.call(t, "dongyuan", "GET", "/api/v1/cases", ""); m["total"] != 1.0 {
		t.Errorf("cases after the refusals: %v", m["total"])
	}
}

// TestCaseCreatePlacesTheCase: a building, a household and a point each
// give the case its grid; the board's filters and order apply; the
// categories list the problem types and the services.
func TestCaseCreatePlacesTheCase(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()
	if _, err := f.Store.SetBoundary(ctx, webtest.GridA, rect(113.10, 36.10, 113.15, 36.20), time.Time{}); err != nil {
		t.Fatal(err)
	}
	byBuilding := f.create(t, "xie.a", fmt.Sprintf(`{"category":"P02","building_id":%d,"description":"楼顶漏水"}`, f.BuildingA2.ID))
	byHousehold := f.create(t, "xie.a", fmt.Sprintf(`{"category":"P14","mechanism":"general","household_id":%d,"description":"水龙头坏了","done":"已更换"}`, f.HouseholdA3.ID))
	byPoint := f.create(t, "xie.a", `{"category":"P06","lng":113.12,"lat":36.15,"description":"楼道冒烟","priority":"high"}`)
	for _, n := range []string{byBuilding, byHousehold, byPoint} {
		_, c, _ := f.call(t, "dongyuan", "GET", "/api/v1/cases/"+n, "")
		if c["grid_code"] != webtest.GridA || apitest.Obj(t, c, "location")["grid_code"] != webtest.GridA {
			t.Errorf("%s: grid %v", n, c["grid_code"])
		}
	}
	_, c, _ := f.call(t, "dongyuan", "GET", "/api/v1/cases/"+byHousehold, "")
	if loc := apitest.Obj(t, c, "location"); loc["household_id"] != float64(f.HouseholdA3.ID) || loc["building_id"] != float64(f.BuildingA2.ID) ||
		c["state"] != "handled" || c["source"] != "visit" {
		t.Errorf("the household's general case: %v", c)
	}
	// Grid B's household is none of assistant A's to read: the store's
	// scope makes it unknown to him.
	code, m, _ := f.call(t, "xie.a", "POST", "/api/v1/cases", fmt.Sprintf(`{"category":"P01","household_id":%d,"description":"x"}`, f.HouseholdB1.ID))
	if _, d := apitest.ErrorShape(t, m); code != 400 || len(d) != 1 || d[0].(map[string]any)["field"] != "household_id" {
		t.Errorf("assistant A through grid B's household: %d %v", code, m)
	}
	_, c, _ = f.call(t, "dongyuan", "GET", "/api/v1/cases/"+byPoint, "")
	if loc := apitest.Obj(t, c, "location"); loc["lng"] != 113.12 || c["mechanism"] != "emergency" || c["state"] != "reported" || c["priority"] != "urgent" {
		t.Errorf("the point's case: %v", c)
	}
	if cat := apitest.Obj(t, c, "category"); cat["code"] != "P06" || !slices.Equal(strs(cat["calls"]), []string{"119", "120"}) {
		t.Errorf("category as written: %v", cat)
	}
	// The board: the emergency first.
	_, list, _ := f.call(t, "dongyuan", "GET", "/api/v1/cases?board=true&open=true", "")
	if ns := numbers(t, list); len(ns) == 0 || ns[0] != byPoint {
		t.Errorf("the board's order: %v", ns)
	}
	_, list, _ = f.call(t, "dongyuan", "GET", "/api/v1/cases?mechanism=coordination&state=accepted&category=P02", "")
	if ns := numbers(t, list); !slices.Equal(ns, []string{byBuilding}) || list["total"] != 1.0 {
		t.Errorf("filtered: %v", ns)
	}
	_, list, _ = f.call(t, "dongyuan", "GET", "/api/v1/cases?limit=1&page=2", "")
	if ns := numbers(t, list); len(ns) != 1 || list["total"] != 3.0 || list["offset"] != 1.0 {
		t.Errorf("page 2 of 1: %v %v", ns, list["total"])
	}

	_, cats, _ := f.call(t, "xie.a", "GET", "/api/v1/case-categories", "")
	var service bool
	for _, x := range cats["categories"].([]any) {
		cat := x.(map[string]any)
		for _, k := range []string{"code", "name", "name_en", "kind", "line", "department", "mechanism", "calls", "materials", "limit"} {
			if _, ok := cat[k]; !ok {
				t.Errorf("category %v lacks %s", cat["code"], k)
			}
		}
		if cat["code"] == "P01" && (cat["name"] != "环境卫生" || cat["name_en"] != "Environmental sanitation" || cat["line"] != "city") {
			t.Errorf("P01: %v", cat)
		}
		if cat["code"] == "P06" {
			if ack, _ := apitest.Obj(t, cat, "limits")["acknowledge"].(map[string]any); ack["n"] != 10.0 || ack["unit"] != "minutes" {
				t.Errorf("an emergency's acknowledgement limit: %v", cat["limits"])
			}
		}
		if cat["kind"] == "service" && len(cat["materials"].([]any)) > 0 {
			service = true
			if cat["mechanism"] != "approval" {
				t.Errorf("a service with materials: %v", cat)
			}
		}
	}
	if !service {
		t.Error("no service with materials among the categories")
	}
}

// TestIdempotencyKeyBoundIsTheStores: the API's bound on a key is the
// store's.
func TestIdempotencyKeyBoundIsTheStores(t *testing.T) {
	if idempotencyKeyMax != sqldb.IdempotencyKeyMax {
		t.Errorf("the API bounds a key at %d, the store at %d", idempotencyKeyMax, sqldb.IdempotencyKeyMax)
	}
}
