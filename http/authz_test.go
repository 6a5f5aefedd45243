package http

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/passwd"
)

// The roles of the matrix: one account per role, each scoped so that the
// fixture's community A (grid A) is inside its scope.
var matrixUsers = []struct {
	username string
	role     wangge.Role
	scope    string
	line     wangge.Line
}{
	{"admin", wangge.RoleDistrictAdmin, district, ""},
	{"m.jiedao", wangge.RoleSubdistrictStaff, subdistrict, ""},
	{"dongyuan", wangge.RoleCommunityStaff, communityA, ""},
	{"m.xieliyuan", wangge.RoleAssistant, gridA, ""},
	{"m.louyuanzhang", wangge.RoleBuildingHead, gridA, ""},
	{"m.minzheng", wangge.RoleDepartment, district, wangge.LineCivil},
	{"m.shenji", wangge.RoleAuditor, district, ""},
}

// objects are the ids the matrix requests: "in" lies in grid A, inside
// every role's scope; "out" lies in another district, outside all of them.
type objects struct {
	grid, building, household, person string
	user                              string // an account of a lower role than the administrators'
	kase                              string // a case number (plantCases)
}

// target makes the request of a route for one object set.
type target func(o objects) (method, path string, form url.Values)

// matrixRoute says who may use a route: "public" routes answer anyone;
// otherwise allow lists the usernames that may, and every other logged-in
// user must be refused (403), and anonymous users sent to log in. An
// object outside the scope is never shown to anyone (404).
type matrixRoute struct {
	public bool
	allow  string // usernames, space-separated; "*" for every logged-in user
	in     target
	out    target // nil for routes without an object
}

func get(path string) target {
	return func(o objects) (string, string, url.Values) { return "GET", o.expand(path), nil }
}

func post(path string, form url.Values) target {
	return func(o objects) (string, string, url.Values) { return "POST", o.expand(path), form }
}

func (o objects) expand(path string) string {
	return strings.NewReplacer("{grid}", o.grid, "{community}", o.grid[:wangge.CommunityCodeLen], "{building}", o.building, "{household}", o.household, "{person}", o.person, "{user}", o.user, "{case}", o.kase).Replace(path)
}

const peopleRoles = "admin m.jiedao dongyuan m.xieliyuan"

// exportRoles are the matrix users whose roles may export personal data.
const exportRoles = "admin m.jiedao dongyuan"

// exportReason is the form of a personal export's download.
var exportReason = url.Values{"reason": {"权限矩阵测试"}}

// authzMatrix has one entry per route of Server.Routes, every package's. A route added
// to the table without an entry here fails TestAuthorizationMatrix.
var authzMatrix = map[string]matrixRoute{
	"GET /healthz":                     {public: true, in: get("/healthz")},
	"GET /api/v1/grids.geojson":        {public: true, in: get("/api/v1/grids.geojson")},
	"GET /kiosk":                       {public: true, in: get("/kiosk?q=东苑")},
	"GET /kiosk/grids/{code}":          {public: true, in: get("/kiosk/grids/{grid}")},
	"GET /kiosk/map.geojson":           {public: true, in: get("/kiosk/map.geojson")},
	"GET /api/v1/locate":               {public: true, in: get("/api/v1/locate?lng=113.15&lat=36.15")},
	"GET /api/v1/openapi.json":         {public: true, in: get("/api/v1/openapi.json")},
	"GET /metrics":                     {public: true, in: get("/metrics")},
	"GET /static/":                     {public: true, in: get("/static/app.css")},
	"GET /lang/{lang}":                 {public: true, in: get("/lang/en?next=/")},
	"GET /login":                       {public: true, in: get("/login")},
	"POST /login":                      {public: true, in: post("/login", url.Values{"username": {"nobody"}, "password": {"wrong-Pass-1"}})},
	"POST /logout":                     {public: true, in: post("/logout", nil)},
	"GET /{$}":                         {allow: "*", in: get("/")},
	"GET /areas/{code}":                {allow: "*", in: get("/areas/{grid}"), out: get("/areas/{grid}")},
	"GET /buildings/{id}":              {allow: "*", in: get("/buildings/{building}"), out: get("/buildings/{building}")},
	"GET /buildings/{id}/plate":        {allow: "*", in: get("/buildings/{building}/plate"), out: get("/buildings/{building}/plate")},
	"GET /areas/{code}/plates":         {allow: "*", in: get("/areas/{grid}/plates"), out: get("/areas/{grid}/plates")},
	"GET /areas/{code}/map":            {allow: "*", in: get("/areas/{grid}/map"), out: get("/areas/{grid}/map")},
	"GET /areas/{code}/map.geojson":    {allow: "*", in: get("/areas/{grid}/map.geojson"), out: get("/areas/{grid}/map.geojson")},
	"GET /areas/{code}/card.json":      {allow: "*", in: get("/areas/{grid}/card.json"), out: get("/areas/{grid}/card.json")},
	"GET /areas/{code}/groups/{group}": {allow: peopleRoles + " m.minzheng", in: get("/areas/{grid}/groups/elderly"), out: get("/areas/{grid}/groups/elderly")},
	"GET /households/{id}":             {allow: peopleRoles, in: get("/households/{household}"), out: get("/households/{household}")},

	// The four ledgers: the assistants' is public facts for every role;
	// residents and units need people's data, key groups the groups (a
	// department its own line's); exports of personal data need the
	// export right. An area outside the scope is not found.
	"GET /ledgers":                        {allow: "*", in: get("/ledgers")},
	"GET /ledgers/assistants":             {allow: "*", in: get("/ledgers/assistants?area={grid}"), out: get("/ledgers/assistants?area={grid}")},
	"GET /ledgers/residents":              {allow: peopleRoles, in: get("/ledgers/residents?area={grid}"), out: get("/ledgers/residents?area={grid}")},
	"POST /ledgers/residents":             {allow: peopleRoles, in: post("/ledgers/residents", url.Values{"area": {gridA}, "q": {"张"}}), out: post("/ledgers/residents", url.Values{"area": {"140498001001001"}})},
	"GET /ledgers/units":                  {allow: peopleRoles, in: get("/ledgers/units?area={grid}"), out: get("/ledgers/units?area={grid}")},
	"GET /ledgers/groups":                 {allow: peopleRoles + " m.minzheng", in: get("/ledgers/groups?area={grid}"), out: get("/ledgers/groups?area={grid}")},
	"GET /ledgers/assistants/export.xlsx": {allow: "*", in: get("/ledgers/assistants/export.xlsx?area={grid}"), out: get("/ledgers/assistants/export.xlsx?area={grid}")},
	"GET /ledgers/assistants/export.csv":  {allow: "*", in: get("/ledgers/assistants/export.csv?area={grid}"), out: get("/ledgers/assistants/export.csv?area={grid}")},
	"GET /ledgers/residents/export.xlsx":  {allow: exportRoles, in: get("/ledgers/residents/export.xlsx?area={grid}"), out: get("/ledgers/residents/export.xlsx?area={grid}")},
	"GET /ledgers/residents/export.csv":   {allow: exportRoles, in: get("/ledgers/residents/export.csv?area={grid}"), out: get("/ledgers/residents/export.csv?area={grid}")},
	"GET /ledgers/units/export.xlsx":      {allow: exportRoles, in: get("/ledgers/units/export.xlsx?area={grid}"), out: get("/ledgers/units/export.xlsx?area={grid}")},
	"GET /ledgers/units/export.csv":       {allow: exportRoles, in: get("/ledgers/units/export.csv?area={grid}"), out: get("/ledgers/units/export.csv?area={grid}")},
	"GET /ledgers/groups/export.xlsx":     {allow: exportRoles, in: get("/ledgers/groups/export.xlsx?area={grid}&group=elderly"), out: get("/ledgers/groups/export.xlsx?area={grid}&group=elderly")},
	"GET /ledgers/groups/export.csv":      {allow: exportRoles, in: get("/ledgers/groups/export.csv?area={grid}&group=elderly"), out: get("/ledgers/groups/export.csv?area={grid}&group=elderly")},
	// The personal exports' downloads: the form's POST with a reason.
	"POST /ledgers/residents/export.xlsx": {allow: exportRoles, in: post("/ledgers/residents/export.xlsx?area={grid}", exportReason), out: post("/ledgers/residents/export.xlsx?area={grid}", exportReason)},
	"POST /ledgers/residents/export.csv":  {allow: exportRoles, in: post("/ledgers/residents/export.csv?area={grid}", exportReason), out: post("/ledgers/residents/export.csv?area={grid}", exportReason)},
	"POST /ledgers/units/export.xlsx":     {allow: exportRoles, in: post("/ledgers/units/export.xlsx?area={grid}", exportReason), out: post("/ledgers/units/export.xlsx?area={grid}", exportReason)},
	"POST /ledgers/units/export.csv":      {allow: exportRoles, in: post("/ledgers/units/export.csv?area={grid}", exportReason), out: post("/ledgers/units/export.csv?area={grid}", exportReason)},
	"POST /ledgers/groups/export.xlsx":    {allow: exportRoles, in: post("/ledgers/groups/export.xlsx?area={grid}&group=elderly", exportReason), out: post("/ledgers/groups/export.xlsx?area={grid}&group=elderly", exportReason)},
	"POST /ledgers/groups/export.csv":     {allow: exportRoles, in: post("/ledgers/groups/export.csv?area={grid}&group=elderly", exportReason), out: post("/ledgers/groups/export.csv?area={grid}&group=elderly", exportReason)},

	"GET /persons/{id}/reveal": {allow: peopleRoles, in: get("/persons/{person}/reveal"), out: get("/persons/{person}/reveal")},
	"POST /persons/{id}/reveal": {allow: peopleRoles,
		in:  post("/persons/{person}/reveal", url.Values{"reason": {"verify"}}),
		out: post("/persons/{person}/reveal", url.Values{"reason": {"verify"}})},
	// The call button reveals the phone: who may reveal may call.
	"POST /persons/{id}/call": {allow: peopleRoles, in: post("/persons/{person}/call", nil), out: post("/persons/{person}/call", nil)},

	"GET /audit": {allow: "m.shenji", in: get("/audit")},
	// Reports: the scope is applied in the store (an area outside it is
	// not found); a department only its own line's (m.minzheng: civil).
	"GET /reports":                   {allow: peopleRoles + " m.minzheng", in: get("/reports")},
	"GET /reports/completeness":      {allow: peopleRoles, in: get("/reports/completeness?area={grid}"), out: get("/reports/completeness?area={grid}")},
	"GET /reports/completeness.xlsx": {allow: peopleRoles, in: get("/reports/completeness.xlsx?area={grid}"), out: get("/reports/completeness.xlsx?area={grid}")},
	"GET /reports/{name}":            {allow: peopleRoles + " m.minzheng", in: get("/reports/civil.xlsx?area={grid}"), out: get("/reports/civil?area={grid}")},
	// Ledger imports: an import belongs to the session that uploaded it;
	// anyone else's token (here, one that does not exist) leads back to
	// the start, never to the import.
	"GET /import": {allow: peopleRoles, in: get("/import")},
	"POST /import": {allow: peopleRoles, in: upload("/import", url.Values{"kind": {"persons"}}, "file", "居民.csv",
		"楼院编码,房号,姓名,公民身份号码\n"+gridA+"00001,101,权限矩阵,110101199003070011\n")},
	"GET /import/templates/{kind}":          {allow: peopleRoles, in: get("/import/templates/units")},
	"GET /import/jobs/{token}":              {allow: peopleRoles, in: get("/import/jobs/not-a-token")},
	"GET /import/jobs/{token}/status":       {allow: peopleRoles, in: get("/import/jobs/not-a-token/status")},
	"GET /import/jobs/{token}/rejects.xlsx": {allow: peopleRoles, in: get("/import/jobs/not-a-token/rejects.xlsx")},
	"POST /import/jobs/{token}/commit":      {allow: peopleRoles, in: post("/import/jobs/not-a-token/commit", nil)},
	"POST /import/jobs/{token}/retry":       {allow: peopleRoles, in: post("/import/jobs/not-a-token/retry", nil)},
	// Grids are set by the staff over them, within their scope.
	"GET /areas/{code}/propose": {allow: "admin m.jiedao dongyuan", in: get("/areas/{community}/propose"), out: get("/areas/{community}/propose")},
	"POST /areas/{code}/propose": {allow: "admin m.jiedao dongyuan",
		in:  post("/areas/{community}/propose", url.Values{"valid_from": {"2025-06-01"}, "reason": {"权限矩阵"}}),
		out: post("/areas/{community}/propose", url.Values{"valid_from": {"2025-06-01"}, "reason": {"权限矩阵"}})},

	"GET /account/password": {allow: "*", in: get("/account/password")},
	"POST /account/password": {allow: "*", in: post("/account/password", url.Values{
		"current_password": {password}, "new_password": {"Matrix-New-2026"}, "confirm_password": {"Matrix-New-2026"}})},
	"GET /account/totp":            {allow: totpRoles, in: get("/account/totp")},
	"POST /account/totp":           {allow: totpRoles, in: post("/account/totp", url.Values{"action": {"start"}})},
	"GET /admin/users":             {allow: "admin m.jiedao", in: get("/admin/users")},
	"POST /admin/users/{id}/reset": {allow: "admin m.jiedao", in: post("/admin/users/{user}/reset", nil), out: post("/admin/users/{user}/reset", nil)},

	// Lifting an account's login delays: as the reset.
	"POST /admin/users/{id}/unlock": {allow: "admin m.jiedao", in: post("/admin/users/{user}/unlock", nil), out: post("/admin/users/{user}/unlock", nil)},

	// The work calendar, the case settings and the time limits: the
	// district's administrator only (the store checks it again).
	"GET /admin/calendar":       {allow: "admin", in: get("/admin/calendar?year=2026")},
	"POST /admin/calendar/year": {allow: "admin", in: post("/admin/calendar/year", url.Values{"text": {"year 2027\nnotice - matrix\nholiday 2027-10-01 national day\n"}})},
	"POST /admin/calendar/settings": {allow: "admin", in: post("/admin/calendar/settings", url.Values{"version": {"1"}, "hours": {"08:30-12:00,14:30-18:00"},
		"yellow_percent": {"75"}, "ack_minutes": {"10"}, "reopen_days": {"15"}, "chain_community": {"1"}})},
	"GET /admin/case-limits":  {allow: "admin", in: get("/admin/case-limits?category=P01")},
	"POST /admin/case-limits": {allow: "admin", in: post("/admin/case-limits", url.Values{"category": {"P01"}})},

	// The cases' JSON API: every role that works cases; which case it
	// sees is the store's (the planted one is the building head's own
	// report of a civil-line problem, so every case role sees it), what
	// it may do the engine's. Creating a coordination case is for those
	// who report problems (the administrators of the district and the
	// sub-district are refused by the engine, 403); supervising for the
	// sub-district and the district. The creates and the transition have
	// no "out": the engine refuses a grid outside the caller's area with
	// 403 before any case is read, and a case out of sight is 404 to the
	// roles that may not take the action either (the contract tests in
	// http/api pin both).
	"GET /api/v1/case-categories": {allow: caseRoles, in: get("/api/v1/case-categories")},
	"GET /api/v1/cases":           {allow: caseRoles, in: get("/api/v1/cases?area={community}"), out: get("/api/v1/cases?area={community}")},
	"POST /api/v1/cases": {allow: "dongyuan m.xieliyuan m.louyuanzhang m.minzheng",
		in: postJSON("/api/v1/cases", `{"category":"P12","mechanism":"coordination","grid_code":"`+gridA+`","description":"权限矩阵"}`)},
	"GET /api/v1/cases/{number}": {allow: caseRoles, in: get("/api/v1/cases/{case}"), out: get("/api/v1/cases/{case}")},
	"POST /api/v1/cases/{number}/transitions": {allow: "admin m.jiedao",
		in: postJSON("/api/v1/cases/{case}/transitions", `{"action":"supervise","note":"权限矩阵督办"}`)},

	// The case board, searched and filtered to an area in the viewer's
	// region (outside it: not found); the store keeps each role to the
	// cases it sees. The inbox is a department's (the others are sent to
	// the board); supervision is the sub-district's and the district's;
	// the export is staff's, not a building head's.
	"GET /cases":             {allow: caseRoles, in: get("/cases?area={grid}&q=lamp"), out: get("/cases?area={grid}")},
	"GET /cases/inbox":       {allow: caseRoles, in: get("/cases/inbox")},
	"GET /cases/supervision": {allow: "admin m.jiedao", in: get("/cases/supervision?area={grid}"), out: get("/cases/supervision?area={grid}")},
	"GET /cases/export.xlsx": {allow: "admin m.jiedao dongyuan m.xieliyuan m.minzheng", in: get("/cases/export.xlsx?area={grid}"), out: get("/cases/export.xlsx?area={grid}")},

	// The live push of case changes and the notifications: every role that
	// works cases; each hears of and lists only the cases it sees.
	"GET /cases/live":          {allow: caseRoles, in: get("/cases/live")},
	"GET /notifications":       {allow: caseRoles, in: get("/notifications")},
	"GET /notifications/count": {allow: caseRoles, in: get("/notifications/count")},
}

// postJSON is a POST of a JSON body.
func postJSON(path, body string) target {
	return post(path, url.Values{jsonBodyKey: {body}})
}

const jsonBodyKey = "\x00json"

// plantCases returns the number of the matrix's case in grid A (the one
// plantMatrixCase registered, as the building head, about a civil-line
// problem) and of a case in the outside district. Numbers run per
// district, so the outside one is made the 20th of its district: a number
// district A, where the matrix creates a few, never reaches here.
func plantCases(t *testing.T, f *fixture) (in, out string) {
	t.Helper()
	ctx := context.Background()
	cs := f.store.(casework.Store)
	cat := casework.ProblemTypes[11] // P12, civil
	if cat.Code != "P12" {
		t.Fatalf("problem type 11 is %s", cat.Code)
	}
	// In scope: the case plantMatrixCase registered. Out of scope: the
	// 20th case of another district, a number no case of this one has.
	for range 20 {
		c, err := cs.CreateCase(ctx, casework.Actor{Role: wangge.RoleSystem, Name: "matrix"}, casework.Draft{Source: casework.SourcePhone, Category: cat, Mechanism: casework.Coordination,
			Location: casework.Location{GridCode: "140498001001001"}, Description: "权限矩阵的案件"}, "")
		if err != nil {
			t.Fatal(err)
		}
		out = c.Number
	}
	return matrixCase.number, out

}

// upload is a multipart POST of a form with one file (the field under
// multipartFile carries field name, file name and content).
func upload(path string, form url.Values, field, name, content string) target {
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f[multipartFile] = []string{field, name, content}
	return post(path, f)
}

const multipartFile = "\x00file"

// multipartBody encodes a form made by upload as multipart/form-data.
func multipartBody(form url.Values) (io.Reader, string, bool) {
	file, ok := form[multipartFile]
	if !ok {
		return nil, "", false
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		if k != multipartFile {
			for _, v := range vs {
				mw.WriteField(k, v)
			}
		}
	}
	fw, _ := mw.CreateFormFile(file[0], file[1])
	io.WriteString(fw, file[2])
	mw.Close()
	return &buf, mw.FormDataContentType(), true
}

// totpRoles are the matrix users whose roles may turn on one-time codes.
const totpRoles = "admin m.jiedao dongyuan m.shenji"

// outsider adds a second district with one grid, building, household,
// person and account, outside every matrix user's scope.
func outsider(t *testing.T, f *fixture) (objects, string) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []struct{ code, name string }{
		{"140498", "邻区"}, {"140498001", "邻区街道"}, {"140498001001", "邻区社区"}, {"140498001001001", "邻区第一网格"},
	} {
		must(f.store.CreateArea(ctx, &wangge.Area{Code: a.code, Name: a.name}))
	}
	b := &wangge.Building{GridCode: "140498001001001", Name: "邻区1号楼", Kind: wangge.BuildingTower}
	must(f.store.CreateBuilding(ctx, wangge.ScopeAll(), b))
	h := &wangge.Household{BuildingID: b.ID, Room: "303", Kind: wangge.ResidentRegistered}
	must(f.store.CreateHousehold(ctx, wangge.ScopeAll(), h))
	id := string(ident.MakeID("149901", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), 77, ident.SexMale))
	p := &wangge.Person{HouseholdID: h.ID, Name: "邻区居民甲", IDNumber: id, Relation: wangge.RelHead}
	must(f.store.CreatePerson(ctx, wangge.ScopeAll(), p))
	u := &wangge.User{Username: "m.linqu", Role: wangge.RoleCommunityStaff, ScopeCode: "140498001001", PasswordHash: passwd.Hash(password, passwd.Params{Memory: 1024, Time: 1, Threads: 1})}
	must(f.store.CreateUser(ctx, u))
	return objects{grid: b.GridCode, building: fmt.Sprint(b.ID), household: fmt.Sprint(h.ID), person: fmt.Sprint(p.ID), user: fmt.Sprint(u.ID)}, id
}

// TestAuthorizationMatrix requests every route of the route table as every
// role, for an object inside the role's scope and one outside, and checks
// the answer against the matrix: allowed, refused (403), sent to log in, or
// not found — never an out-of-scope object.
func TestAuthorizationMatrix(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cheap := passwd.Params{Memory: 1024, Time: 1, Threads: 1}
	for _, u := range matrixUsers {
		if _, err := f.store.UserByUsername(ctx, u.username); err == nil {
			continue
		}
		user := &wangge.User{Username: u.username, Role: u.role, ScopeCode: u.scope, Line: u.line, PasswordHash: passwd.Hash(password, cheap)}
		if u.role == wangge.RoleAssistant {
			user.AssistantID = matrixAssistantID(t, f) // who records visits (authz_workbench_test.go)
		}
		if err := f.store.CreateUser(ctx, user); err != nil {
			t.Fatal(err)
		}
	}
	out, outID := outsider(t, f)
	plantProposal(t, f)
	plantMatrixCase(t, f)
	plantProposals(t, f, 40)
	srv := f.server(t)
	h := srv.Handler()
	var head *wangge.Person
	persons, _, err := f.store.ListPersons(ctx, wangge.ScopeAll(), wangge.PersonFilter{HouseholdID: f.householdA1.ID})
	if err != nil || len(persons) == 0 {
		t.Fatal("fixture has no persons", err)
	}
	head = &persons[0]
	tingyong, err := f.store.UserByUsername(ctx, "tingyong") // disabled, so a reset disturbs no one
	if err != nil {
		t.Fatal(err)
	}
	in := objects{grid: gridA, building: fmt.Sprint(f.buildingA1.ID), household: fmt.Sprint(f.householdA1.ID), person: fmt.Sprint(head.ID), user: fmt.Sprint(tingyong.ID)}
	in.kase, out.kase = plantCases(t, f)

	cookies := map[string]*http.Cookie{}
	for _, u := range matrixUsers {
		cookies[u.username] = login(t, h, u.username)
	}

	var patterns []string
	for _, rt := range srv.Routes() {
		patterns = append(patterns, rt.Pattern)
	}
	sort.Strings(patterns)
	// The other way round too: an entry that is no route means a package
	// the server was not composed with, or a route gone.
	for pattern := range authzMatrix {
		if !slices.Contains(patterns, pattern) {
			t.Errorf("the matrix has %q, which no package serves", pattern)
		}
	}
	for _, pattern := range patterns {
		m, ok := authzMatrix[pattern]
		if !ok {
			t.Errorf("route %q is not in the authorization matrix: add who may use it", pattern)
			continue
		}
		allowed := map[string]bool{}
		for _, name := range strings.Fields(m.allow) {
			allowed[name] = true
		}
		do := func(tg target, o objects, c *http.Cookie) *httptest.ResponseRecorder {
			method, path, form := tg(o)
			var r *http.Request
			if body, ok := form[jsonBodyKey]; ok {
				r = httptest.NewRequest(method, path, strings.NewReader(body[0]))
				r.Header.Set("Content-Type", "application/json")
			} else if body, ctype, ok := multipartBody(form); ok {
				r = httptest.NewRequest(method, path, body)
				r.Header.Set("Content-Type", ctype)
			} else if form != nil {
				r = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			} else {
				r = httptest.NewRequest(method, path, nil)
			}
			if c != nil {
				r.AddCookie(c)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			return w
		}
		t.Run(pattern, func(t *testing.T) {
			// Anonymous.
			w := do(m.in, in, nil)
			switch {
			case m.public && (w.Code >= 500 || w.Code == http.StatusForbidden):
				t.Errorf("anonymous: public route answered %d", w.Code)
			case !m.public && !refusedAnonymous(w):
				t.Errorf("anonymous: %d, want a refusal or the login page", w.Code)
			}
			if m.public {
				return
			}
			for _, u := range matrixUsers {
				c := cookies[u.username]
				w := do(m.in, in, c)
				may := m.allow == "*" || allowed[u.username]
				if may && (w.Code >= 400) {
					t.Errorf("%s (%s) in scope: %d, want allowed\n%.300s", u.username, u.role, w.Code, w.Body)
				}
				if !may && w.Code != http.StatusForbidden {
					t.Errorf("%s (%s) in scope: %d, want 403", u.username, u.role, w.Code)
				}
				if m.out == nil {
					continue
				}
				w = do(m.out, out, c)
				want := http.StatusNotFound
				if !may {
					want = http.StatusForbidden
				}
				if w.Code != want {
					t.Errorf("%s (%s) out of scope: %d, want %d", u.username, u.role, w.Code, want)
				}
				body := w.Body.String()
				if strings.Contains(body, "邻区居民甲") || strings.Contains(body, outID) || strings.Contains(body, "邻区1号楼") {
					t.Errorf("%s (%s) out of scope: the response shows the outside object", u.username, u.role)
				}
			}
		})
	}
}

// refusedAnonymous reports whether an anonymous request was refused or
// sent to the login page.
func refusedAnonymous(w *httptest.ResponseRecorder) bool {
	switch w.Code {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return true
	case http.StatusSeeOther, http.StatusFound:
		return strings.HasPrefix(w.Header().Get("Location"), "/login")
	}
	return false
}

// plantProposal gives community A an outline and its two buildings
// locations, so that a proposal can be made and accepted.
func plantProposal(t testing.TB, f *fixture) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.store.SetBoundary(ctx, communityA, rect(113.10, 36.10, 113.20, 36.20), time.Time{}); err != nil {
		t.Fatal(err)
	}
	for b, at := range map[*wangge.Building][2]float64{f.buildingA1: {113.12, 36.15}, f.buildingA2: {113.13, 36.16}} {
		cur, err := f.store.Building(ctx, wangge.ScopeAll(), b.ID)
		if err != nil {
			t.Fatal(err)
		}
		cur.Lng, cur.Lat = at[0], at[1]
		if err := f.store.UpdateBuilding(ctx, wangge.ScopeAll(), cur); err != nil {
			t.Fatal(err)
		}
	}
}
