package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/sqldb"
)

// testClock is a clock the residents' tests move by hand: the form token
// must be 3 s old before it may be sent, and the store's deadlines and
// limits run on the same clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// intakeServer is the case server with the grid outlines planted (the
// locate index finds a tapped point's grid), the services seeded, and
// one clock the test moves for the server and the store.
func intakeServer(t *testing.T) (*fixture, http.Handler, *testClock) {
	t.Helper()
	f := newFixture(t)
	ledgerUsers(t, f)
	caseStaff(t, f)
	seedServices(t, f)
	plantMap(t, f)
	clk := &testClock{t: testNow}
	f.store.(*sqldb.DB).SetClock(clk.Now)
	opts := testOptions(t)
	opts.Now = clk.Now
	return f, newTestServer(f.store, opts).Handler(), clk
}

var formTokenField = regexp.MustCompile(`name="form_token" value="([^"]+)"`)

// freshToken reads a new form's token, and lets the 3 s pass that a
// person takes at least to fill it in.
func freshToken(t testing.TB, h http.Handler, clk *testClock) string {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/report", nil))
	m := formTokenField.FindStringSubmatch(w.Body.String())
	if w.Code != http.StatusOK || m == nil {
		t.Fatalf("GET /report: %d, no form token\n%s", w.Code, w.Body)
	}
	clk.Add(5 * time.Second)
	return m[1]
}

// report is a resident's report as posted: the form's fields and photos.
type report struct {
	fields url.Values
	photos [][]byte
	addr   string // the client's address ("" for httptest's)
	cookie *http.Cookie
}

// send posts the report form as multipart.
func (rp report) send(t testing.TB, h http.Handler) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range rp.fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for i, p := range rp.photos {
		fw, _ := mw.CreateFormFile("photo", "IMG_"+string(rune('0'+i))+".JPG")
		fw.Write(p)
	}
	mw.Close()
	r := httptest.NewRequest("POST", "/report", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	if rp.addr != "" {
		r.RemoteAddr = rp.addr + ":40000"
	}
	if rp.cookie != nil {
		r.AddCookie(rp.cookie)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// goodReport is a report of a broken street lamp tapped in grid A.
func goodReport(token string) url.Values {
	return url.Values{"form_token": {token}, "category": {"P02"}, "description": {"路灯不亮，晚上很黑"},
		"attribute[facility]": {"streetlight"}, "lng": {"113.12"}, "lat": {"36.15"}}
}

// reported posts a good report and returns its number and token from the
// redirect to the tracking page.
func reported(t testing.TB, h http.Handler, clk *testClock, edit func(url.Values)) (number, token string) {
	t.Helper()
	fields := goodReport(freshToken(t, h, clk))
	if edit != nil {
		edit(fields)
	}
	w := report{fields: fields}.send(t, h)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("report: %d\n%s", w.Code, w.Body)
	}
	return trackedBy(t, w.Header().Get("Location"))
}

// trackedBy reads the number and token from a tracking page's address.
func trackedBy(t testing.TB, loc string) (number, token string) {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil || !strings.HasPrefix(u.Path, "/track/") || u.Query().Get("t") == "" {
		t.Fatalf("redirect to %q, want a tracking page with its token", loc)
	}
	return strings.TrimPrefix(u.Path, "/track/"), u.Query().Get("t")
}

// get serves a GET as a resident (no session).
func get(h http.Handler, path string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
	return w
}

// TestReportFormOffersPicturedChoices: the form is public and carries
// the problem types as pictured tiles (emergencies first with their call
// numbers), the hundred services, the place on a map that picks, the
// honeypot and the signed form token; from the kiosk it says so.
func TestReportFormOffersPicturedChoices(t *testing.T) {
	_, h, _ := intakeServer(t)
	w := scenario{url: "/report", status: http.StatusOK, contains: []string{
		`data-tile="P06"`, `data-tile="P02"`, "report-icons.svg", "#p02", `href="tel:110"`, "设施损坏",
		`name="website"`, `name="form_token"`, `data-pick`, `data-service=`, "report.js",
	}, excludes: []string{`name="via"`}}.run(t, h)
	body := w.Body.String()
	if strings.Index(body, `data-tile="P05"`) > strings.Index(body, `data-tile="P01"`) {
		t.Error("the emergencies are not shown first")
	}
	scenario{url: "/report?via=kiosk", status: http.StatusOK, contains: []string{`name="via" value="kiosk"`}}.run(t, h)
	scenario{url: "/report", lang: "en", status: http.StatusOK, contains: []string{"Report a problem", "Damaged facilities", "Street light"},
		excludes: []string{"设施损坏"}}.run(t, h)
	scenario{url: "/kiosk", status: http.StatusOK, contains: []string{`href="/report?via=kiosk"`, "报告问题"}}.run(t, h)
	scenario{url: "/kiosk/grids/" + gridA, status: http.StatusOK, contains: []string{`href="/report?via=kiosk"`}}.run(t, h)
}

// TestReportFormTokenAndHoneypot: a post without the server's signed
// stamp, with a forged or replayed one, one sent under 3 s after the form
// was made or over 2 h after, and one with the hidden field filled are all
// refused — the form shown again with what was typed and a fresh token —
// and make no case.
func TestReportFormTokenAndHoneypot(t *testing.T) {
	f, h, clk := intakeServer(t)
	for _, tc := range []struct {
		name  string
		edit  func(clk *testClock, v url.Values)
		words string
	}{
		{"no token", func(_ *testClock, v url.Values) { v.Del("form_token") }, "表单无效"},
		{"forged", func(_ *testClock, v url.Values) {
			tok := v.Get("form_token")
			v.Set("form_token", tok[:len(tok)-2]+map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(tok, "AA")])
		}, "表单无效"},
		{"another stamp under the signature", func(_ *testClock, v url.Values) {
			tok := v.Get("form_token")
			v.Set("form_token", strings.Repeat("0", 32)+tok[32:])
		}, "表单无效"},
		{"too fast", func(clk *testClock, v url.Values) { clk.Add(-4 * time.Second) }, "太快"},
		{"too old", func(clk *testClock, v url.Values) { clk.Add(2 * time.Hour) }, "太久"},
		{"honeypot", func(_ *testClock, v url.Values) { v.Set("website", "http://spam.example") }, "表单无效"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := goodReport(freshToken(t, h, clk))
			tc.edit(clk, v)
			w := report{fields: v}.send(t, h)
			if w.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400\n%s", w.Code, w.Body)
			}
			body := w.Body.String()
			if !strings.Contains(body, tc.words) || !strings.Contains(body, "路灯不亮，晚上很黑") {
				t.Errorf("the form again lacks %q or the typed description\n%s", tc.words, body)
			}
			if m := formTokenField.FindStringSubmatch(body); m == nil || m[1] == v.Get("form_token") {
				t.Error("the form again carries no fresh token")
			}
			checkHeadersAndScripts(t, w)
		})
	}
	if cs, err := f.store.(IntakeStore).PublicCases(context.Background(), casework.PublicFilter{Limit: 100}); err != nil || len(cs) != 0 {
		t.Errorf("refused posts made cases: %d (%v)", len(cs), err)
	}
	// The same form sent in time goes through.
	v := goodReport(freshToken(t, h, clk))
	if w := (report{fields: v}).send(t, h); w.Code != http.StatusSeeOther {
		t.Errorf("a good report: %d\n%s", w.Code, w.Body)
	}
}

// TestReportRefusesAtTheField: each bad field is refused with the form
// shown again, what was typed kept and the error at its field: no
// category, no description, a phone that is none, a point outside every
// grid, no place at all, an unknown attribute value, a file that is no
// picture (and then "choose the photos again"), four photos.
func TestReportRefusesAtTheField(t *testing.T) {
	_, h, clk := intakeServer(t)
	photo := jpegWithEXIF(t, "x")
	for _, tc := range []struct {
		name   string
		edit   func(v url.Values)
		photos [][]byte
		words  []string
	}{
		{"no category", func(v url.Values) { v.Del("category") }, nil, []string{"请选择案件类别"}},
		{"no description", func(v url.Values) { v.Set("description", " ") }, nil, []string{"请说说是什么问题"}},
		{"bad phone", func(v url.Values) { v.Set("phone", "12345") }, nil, []string{"手机号码不对", `value="12345"`}},
		{"outside every grid", func(v url.Values) { v.Set("lng", "113.19") }, nil, []string{"不在任何网格内"}},
		{"no place", func(v url.Values) { v.Del("lng"); v.Del("lat") }, nil, []string{"请选择问题所在的位置"}},
		{"a grid made up", func(v url.Values) {
			v.Del("lng")
			v.Del("lat")
			v.Set("grid", "140499001009001")
			v.Set("address", "不存在的楼")
		}, nil, []string{"请选择问题所在的位置"}},
		{"a value not in the list", func(v url.Values) { v.Set("attribute[facility]", "moon") }, nil, []string{"路灯不亮"}},
		{"not a picture", nil, [][]byte{[]byte("MZ\x90\x00 not a picture at all")}, []string{"照片无法使用", "照片需要重新选择"}},
		{"four photos", nil, [][]byte{photo, photo, photo, photo}, []string{"最多 3 张照片", "照片需要重新选择"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := goodReport(freshToken(t, h, clk))
			if tc.edit != nil {
				tc.edit(v)
			}
			w := report{fields: v, photos: tc.photos}.send(t, h)
			if w.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400\n%s", w.Code, w.Body)
			}
			body := w.Body.String()
			kept := "路灯不亮"
			if v.Get("description") != goodReport("").Get("description") {
				kept = `value="P02" required checked`
			}
			for _, s := range append(tc.words, kept) {
				if !strings.Contains(body, s) {
					t.Errorf("the form again lacks %q", s)
				}
			}
			if !strings.Contains(body, `class="field-error"`) && !strings.Contains(body, `data-error="form"`) {
				t.Error("no error shown")
			}
		})
	}
}

// TestReportLimitsPerAddressAndPhone: the store's counts hold a client
// address to IntakePerAddrHour reports an hour and a phone to
// IntakePerPhoneDay a day; the next is refused with 429 and the form kept.
func TestReportLimitsPerAddressAndPhone(t *testing.T) {
	_, h, clk := intakeServer(t)
	send := func(addr, phone string) *httptest.ResponseRecorder {
		v := goodReport(freshToken(t, h, clk))
		if phone != "" {
			v.Set("phone", phone)
		}
		return report{fields: v, addr: addr}.send(t, h)
	}
	for i := range wangge.IntakePerAddrHour {
		if w := send("198.51.100.7", ""); w.Code != http.StatusSeeOther {
			t.Fatalf("report %d from one address: %d\n%s", i+1, w.Code, w.Body)
		}
	}
	w := send("198.51.100.7", "")
	if w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), "路灯不亮") {
		t.Errorf("report %d from one address: %d, want 429 with the form\n%s", wangge.IntakePerAddrHour+1, w.Code, w.Body)
	}
	if w := send("198.51.100.8", ""); w.Code != http.StatusSeeOther {
		t.Errorf("another address: %d", w.Code)
	}
	for i := range wangge.IntakePerPhoneDay {
		if w := send("203.0.113."+string(rune('1'+i)), "13900001111"); w.Code != http.StatusSeeOther {
			t.Fatalf("report %d with one phone: %d\n%s", i+1, w.Code, w.Body)
		}
	}
	if w := send("203.0.113.99", "139 0000 1111"); w.Code != http.StatusTooManyRequests {
		t.Errorf("report %d with one phone: %d, want 429", wangge.IntakePerPhoneDay+1, w.Code)
	}
}

// TestTrackNeedsItsToken: the tracking page shows a report's state,
// updates and number to the token's holder, with no referrer sent on;
// a wrong token, none, or an unknown number are the same 404. The token
// never reaches the request log.
func TestTrackNeedsItsToken(t *testing.T) {
	f, _, clk := intakeServer(t)
	var log bytes.Buffer
	opts := testOptions(t)
	opts.Now = clk.Now
	opts.Logger = slogTo(&log)
	h := newTestServer(f.store, opts).Handler()
	number, token := reported(t, h, clk, nil)

	w := get(h, "/track/"+number+"?t="+url.QueryEscape(token)+"&just=received")
	if w.Code != http.StatusOK {
		t.Fatalf("track: %d\n%s", w.Code, w.Body)
	}
	body := w.Body.String()
	for _, s := range []string{number, "已收到您的报告", "处理中", `data-kind="received"`, "路灯不亮，晚上很黑"} {
		if !strings.Contains(body, s) {
			t.Errorf("the tracking page lacks %q", s)
		}
	}
	if got := w.Header().Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy %q, want no-referrer", got)
	}
	// The error page's language link names the address asked; the rest is
	// the same for every 404.
	errorPart := func(body string) string {
		i, j := strings.Index(body, `<section class="error"`), strings.Index(body, "</section>")
		if i < 0 || j < i {
			return body
		}
		return body[i:j]
	}
	notFound := errorPart(get(h, "/track/2026-999999?t=x").Body.String())
	for _, path := range []string{
		"/track/" + number + "?t=" + url.QueryEscape(token[:len(token)-1]+"x"),
		"/track/" + number,
		"/track/" + number + "?t=",
		"/track/2026-999999?t=" + url.QueryEscape(token),
	} {
		w := get(h, path)
		if w.Code != http.StatusNotFound || errorPart(w.Body.String()) != notFound {
			t.Errorf("%s: %d, want the same 404 as an unknown number", path, w.Code)
		}
	}
	if strings.Contains(log.String(), token) {
		t.Error("the token is in the request log")
	}
}

// TestTrackRatesAndReopens: once staff closed the case, the reporter
// answers "solved?" and rates it; a follower's "not solved" within the
// reopen window reopens it, and the page says so.
func TestTrackRatesAndReopens(t *testing.T) {
	f, h, clk := intakeServer(t)
	number, token := reported(t, h, clk, nil)
	closeCase(t, f, number, "已更换灯泡")
	page := "/track/" + number + "?t=" + url.QueryEscape(token)
	body := get(h, page).Body.String()
	for _, s := range []string{"已办结", "已更换灯泡", "问题解决了吗", `name="t" value="` + token + `"`} {
		if !strings.Contains(body, s) {
			t.Errorf("the closed case's page lacks %q", s)
		}
	}
	rate := func(number, token string, v url.Values) *httptest.ResponseRecorder {
		v.Set("t", token)
		r := httptest.NewRequest("POST", "/track/"+number+"/rate", strings.NewReader(v.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	if w := rate(number, token, url.Values{"solved": {"maybe"}, "satisfaction": {"satisfied"}}); w.Code != http.StatusBadRequest {
		t.Errorf("solved=maybe: %d, want 400", w.Code)
	}
	if w := rate(number, "not-the-token", url.Values{"solved": {"yes"}, "satisfaction": {"satisfied"}}); w.Code != http.StatusNotFound {
		t.Errorf("a wrong token rates: %d, want 404", w.Code)
	}
	w := rate(number, token, url.Values{"solved": {"yes"}, "satisfaction": {"satisfied"}, "note": {"谢谢"}})
	if w.Code != http.StatusSeeOther || !strings.Contains(w.Header().Get("Location"), "just=rated") {
		t.Fatalf("rate: %d %q\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	if body := get(h, page).Body.String(); !strings.Contains(body, "您说：已解决") {
		t.Errorf("the page after rating does not say what was answered")
	}

	// A second report, closed, which its reporter says is not solved.
	n2, t2 := reported(t, h, clk, nil)
	closeCase(t, f, n2, "已处理")
	w = rate(n2, t2, url.Values{"solved": {"no"}, "satisfaction": {"dissatisfied"}, "note": {"还是不亮"}})
	if w.Code != http.StatusSeeOther || !strings.Contains(w.Header().Get("Location"), "just=reopened") {
		t.Fatalf("not solved: %d %q\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	body = get(h, w.Header().Get("Location")).Body.String()
	for _, s := range []string{"案件已重新处理", "处理中", `data-kind="reopened"`} {
		if !strings.Contains(body, s) {
			t.Errorf("the reopened case's page lacks %q", s)
		}
	}
}

// TestReportNearbyAndMeToo: nearby.json lists the open public reports of
// the category within a few hundred metres; "me too" adds a follower,
// who gets a token of his own and lands on the case's tracking page; the
// staff case page counts him.
func TestReportNearbyAndMeToo(t *testing.T) {
	f, h, clk := intakeServer(t)
	number, _ := reported(t, h, clk, nil)
	var near []nearbyCase
	w := get(h, "/report/nearby.json?category=P02&lng=113.1202&lat=36.1501")
	if err := json.Unmarshal(w.Body.Bytes(), &near); err != nil || len(near) != 1 || near[0].Number != number || near[0].DistanceM > 50 {
		t.Fatalf("nearby: %s (%v)", w.Body, err)
	}
	for _, path := range []string{
		"/report/nearby.json?category=P01&lng=113.1202&lat=36.1501", // another kind
		"/report/nearby.json?category=P02&lng=113.14&lat=36.15",     // 1.8 km away
	} {
		if body := get(h, path).Body.String(); strings.TrimSpace(body) != "[]" {
			t.Errorf("%s: %s, want none", path, body)
		}
	}
	if w := get(h, "/report/nearby.json?category=P02&lng=x&lat=36.15"); w.Code != http.StatusBadRequest {
		t.Errorf("a bad point: %d, want 400", w.Code)
	}

	follow := func(token, phone string) *httptest.ResponseRecorder {
		v := url.Values{"form_token": {token}, "phone": {phone}}
		r := httptest.NewRequest("POST", "/report/"+number+"/follow", strings.NewReader(v.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	if w := follow("forged.token", ""); w.Code != http.StatusBadRequest {
		t.Errorf("me too without a good form token: %d", w.Code)
	}
	w = follow(freshToken(t, h, clk), "13900002222")
	if w.Code != http.StatusSeeOther {
		t.Fatalf("me too: %d\n%s", w.Code, w.Body)
	}
	n, tok := trackedBy(t, w.Header().Get("Location"))
	if n != number {
		t.Errorf("me too lands on %s, want %s", n, number)
	}
	if body := get(h, "/track/"+n+"?t="+url.QueryEscape(tok)+"&just=followed").Body.String(); !strings.Contains(body, "您也遇到了这个问题") {
		t.Errorf("the follower's page does not say so")
	}
	scenario{url: "/cases/" + number, as: "dongyuan", status: http.StatusOK, contains: []string{`data-followers="1"`}}.run(t, h)
	_ = f
}

// TestPublicPathsKeepPrivateThingsPrivate: a visit's case and a report of
// a confidential category (a dispute) never appear on nearby, on the map
// or through a tracking page of another case; an ID number and a phone
// typed into a description come out masked everywhere public, and the
// reporter's name and phone never.
func TestPublicPathsKeepPrivateThingsPrivate(t *testing.T) {
	f, h, clk := intakeServer(t)
	visit := plantCase(t, f, casework.Coordination, "P02", "13812340000")
	dispute, _ := reported(t, h, clk, func(v url.Values) {
		v.Set("category", "P03")
		v.Del("attribute[facility]")
		v.Set("description", "邻居吵架")
	})
	id := f.ids[0]
	number, token := reported(t, h, clk, func(v url.Values) {
		v.Set("description", "路灯坏了，联系13912345678，身份证"+id)
		v.Set("name", "王小明")
		v.Set("phone", "13700001234")
	})
	for _, path := range []string{
		"/report/nearby.json?category=P02&lng=113.12&lat=36.15",
		"/report/nearby.json?category=P03&lng=113.12&lat=36.15",
		"/report/cases.geojson",
		"/track/" + number + "?t=" + url.QueryEscape(token),
	} {
		body := get(h, path).Body.String()
		for _, s := range []string{visit.Number, dispute, "邻居吵架", "13912345678", id, "王小明", "13700001234", "楼道堆放杂物"} {
			if strings.Contains(body, s) {
				t.Errorf("%s shows %q", path, s)
			}
		}
	}
	body := get(h, "/report/cases.geojson").Body.String()
	if !strings.Contains(body, number) || !strings.Contains(body, "139****5678") {
		t.Errorf("the map lacks the public report or its masked phone: %s", body)
	}
}

// closeCase takes a public report through the coordination path as
// community A's staff and the city management department, through the
// store (the case pages' steps are tested in casepage_test.go).
func closeCase(t testing.TB, f *fixture, number, outcome string) {
	t.Helper()
	ctx := context.Background()
	c, err := caseStore(f).Case(ctx, actorOf(t, f, "dongyuan"), number)
	if err != nil {
		t.Fatal(err)
	}
	city := &casework.Receiver{Kind: casework.ToDepartment, Line: wangge.LineCity, Name: "区城市管理局"}
	for _, s := range []struct {
		who string
		act casework.Action
	}{
		{"dongyuan", casework.Action{Name: casework.ActDispatch, Receiver: city}},
		{"chengguan", casework.Action{Name: casework.ActAccept}},
		{"chengguan", casework.Action{Name: casework.ActHandle, Note: outcome}},
		{"dongyuan", casework.Action{Name: casework.ActVerify}},
		{"dongyuan", casework.Action{Name: casework.ActFeedback, Channel: casework.ChannelPhone, Note: outcome}},
		{"dongyuan", casework.Action{Name: casework.ActClose}},
	} {
		if c.State == casework.Closed {
			break
		}
		c = step(t, f, s.who, c, s.act)
	}
	if c.State != casework.Closed {
		t.Fatalf("case %s is %s, want closed", number, c.State)
	}
}

// slogTo is a logger that writes everything to w.
func slogTo(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// TestReportOnTheKiosk: a report from the kiosk's button is the kiosk's
// (its source), and its tracking page, on the kiosk's screen, carries the
// link as a QR code to take along; the map of reports is public.
func TestReportOnTheKiosk(t *testing.T) {
	f, h, clk := intakeServer(t)
	v := goodReport(freshToken(t, h, clk))
	v.Set("via", "kiosk")
	w := report{fields: v}.send(t, h)
	loc := w.Header().Get("Location")
	if w.Code != http.StatusSeeOther || !strings.Contains(loc, "via=kiosk") {
		t.Fatalf("kiosk report: %d %q", w.Code, loc)
	}
	number, token := trackedBy(t, loc)
	c, err := caseStore(f).Case(context.Background(), actorOf(t, f, "dongyuan"), number)
	if err != nil || c.Source != casework.SourceKiosk {
		t.Fatalf("the kiosk's case: %+v (%v)", c, err)
	}
	body := get(h, loc).Body.String()
	for _, s := range []string{`class="qr"`, "kiosk-body", `data-idle-reset`} {
		if !strings.Contains(body, s) {
			t.Errorf("the kiosk's tracking page lacks %q", s)
		}
	}
	if strings.Contains(get(h, "/track/"+number+"?t="+url.QueryEscape(token)).Body.String(), `class="qr"`) {
		t.Error("a phone's tracking page shows a QR code")
	}
	scenario{url: "/report/map", status: http.StatusOK, contains: []string{`data-reports="/report/cases.geojson"`, "report.js"}}.run(t, h)
}

// TestReportByALoggedInBuildingHead: a building head who is logged in
// reports on the same form as himself — the ordinary case, his name as
// the reporter, the photo attached — lands on the case page, and a resend
// of the same form makes no second case or photo.
func TestReportByALoggedInBuildingHead(t *testing.T) {
	f, h, clk := intakeServer(t)
	addUsers(t, f, wangge.User{Username: "zhangjianguo", DisplayName: "张建国", Role: wangge.RoleBuildingHead, ScopeCode: gridA})
	c := login(t, h, "zhangjianguo")
	r := httptest.NewRequest("GET", "/report", nil)
	r.AddCookie(c)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if !strings.Contains(w.Body.String(), "楼院长 张建国") || strings.Contains(w.Body.String(), `id="phone"`) {
		t.Errorf("the form does not know the building head")
	}
	v := goodReport(freshToken(t, h, clk))
	var numbers []string
	for range 2 {
		w := report{fields: v, photos: [][]byte{jpegWithEXIF(t, "x")}, cookie: c}.send(t, h)
		loc := w.Header().Get("Location")
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/cases/") {
			t.Fatalf("his report: %d %q\n%s", w.Code, loc, w.Body)
		}
		numbers = append(numbers, strings.TrimPrefix(loc, "/cases/"))
	}
	if numbers[0] != numbers[1] {
		t.Errorf("a resend made another case: %v", numbers)
	}
	a := actorOf(t, f, "zhangjianguo")
	cs, err := caseStore(f).Case(context.Background(), a, numbers[0])
	if err != nil || cs.Reporter.Name != "张建国" || cs.Source.Public() || cs.Location.GridCode != gridA {
		t.Fatalf("his case: %+v (%v)", cs, err)
	}
	if ats, err := caseStore(f).CaseAttachments(context.Background(), a, numbers[0]); err != nil || len(ats) != 1 {
		t.Errorf("his photo, sent twice: %d (%v)", len(ats), err)
	}
}

// TestCasePageShowsResidentsSide: the staff case page of a public report
// shows how many said "me too" and a resident's update in its timeline.
func TestCasePageShowsResidentsSide(t *testing.T) {
	f, h, clk := intakeServer(t)
	number, token := reported(t, h, clk, nil)
	if _, err := f.store.(*sqldb.DB).AddPublicUpdate(context.Background(), number, casework.ResidentUpdate{Token: token, Text: "今晚又灭了"}); err != nil {
		t.Fatal(err)
	}
	scenario{url: "/cases/" + number, as: "dongyuan", status: http.StatusOK,
		contains: []string{"data-event-resident", "今晚又灭了"}, excludes: []string{"data-followers"}}.run(t, h)
}
