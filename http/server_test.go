package http

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
)

func TestPages(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	hh := func(h *wangge.Household) string { return fmt.Sprintf("/households/%d", h.ID) }

	for _, sc := range []scenario{
		{name: "healthz", url: "/healthz", status: 200, contains: []string{"ok"}},
		{name: "metrics", url: "/metrics", status: 200,
			contains: []string{"# TYPE http_requests_total counter", "http_request_duration_seconds_bucket{le=\"+Inf\"}", "wangge_up 1", "go_goroutines "}},
		{name: "anonymous area page goes to login", url: "/areas/" + district, status: 303,
			location: "/login?next=%2Fareas%2F" + district},
		{name: "anonymous start page goes to login", url: "/", status: 303, location: "/login?next=%2F"},
		{name: "anonymous household page goes to login", url: hh(f.householdA1), status: 303,
			location: "/login?next=" + url.QueryEscape(hh(f.householdA1))},
		{name: "login form", url: "/login?next=/areas/" + gridA, status: 200,
			contains: []string{`<html lang="zh-CN">`, `name="username"`, `name="password"`, `type="password"`,
				`name="next" value="/areas/` + gridA + `"`, "网格化服务管理", `href="/lang/en?next=`}},
		{name: "login form keeps only local next", url: "/login?next=https://evil.example/", status: 200,
			contains: []string{`name="next" value="/"`}, excludes: []string{`value="https://evil.example`}},
		{name: "login form refuses protocol-relative next", url: "/login?next=//evil.example/", status: 200,
			contains: []string{`name="next" value="/"`}, excludes: []string{`value="//evil.example`}},
		{name: "wrong password", method: "POST", url: "/login", form: url.Values{"username": {"admin"}, "password": {"wrong-password"}},
			status: 401, contains: []string{"用户名或密码错误", `value="admin"`}},
		{name: "unknown user gets the same answer", method: "POST", url: "/login", form: url.Values{"username": {"nobody"}, "password": {password}},
			status: 401, contains: []string{"用户名或密码错误"}},
		{name: "wrong password in English", method: "POST", url: "/login", lang: "en",
			form: url.Values{"username": {"admin"}, "password": {"wrong-password"}}, status: 401,
			contains: []string{"Wrong username or password", `<html lang="en">`}, excludes: []string{"用户名或密码错误"}},
		{name: "disabled account refused", method: "POST", url: "/login", form: url.Values{"username": {"tingyong"}, "password": {password}},
			status: 403, contains: []string{"已停用"}},
		{name: "cross-origin login refused", method: "POST", url: "/login",
			form:   url.Values{"username": {"admin"}, "password": {password}},
			header: map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, status: 403},
		{name: "cross-origin logout refused", method: "POST", url: "/logout", as: "admin",
			header: map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, status: 403},
		{name: "language switch sets a cookie and goes back", url: "/lang/en?next=/areas/" + district, status: 303,
			location: "/areas/" + district},
		{name: "language switch refuses another site", url: "/lang/en?next=//evil.example/x", status: 303, location: "/"},
		{name: "unknown language", url: "/lang/fr", status: 404},

		{name: "unknown path", url: "/nowhere", status: 404, contains: []string{"未找到"}},
		{name: "style sheet", url: "/static/app.css", status: 200, contains: []string{"@media print"}},
		{name: "no directory listing", url: "/static/", status: 404},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, h) })
	}
}

func TestLoginSetsHttpOnlySameSiteCookie(t *testing.T) {
	f := newFixture(t)
	for _, secure := range []bool{false, true} {
		s := f.server(t)
		s.opts.SecureCookies = secure
		c := login(t, s.Handler(), "admin")
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure != secure {
			t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, Path=/, Secure=%v", c, secure)
		}
		if c.MaxAge != int((12 * time.Hour).Seconds()) {
			t.Errorf("cookie MaxAge %d, want 12 h", c.MaxAge)
		}
		if len(c.Value) < 43 { // 32 bytes in base64
			t.Errorf("token %q too short", c.Value)
		}
	}
	entries, _, err := f.store.ListAudit(context.Background(), wangge.AuditFilter{Action: "login.ok"})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Username != "admin" || entries[0].Object != "user" || entries[0].ObjectID != "admin" {
		t.Errorf("audit login.ok: %+v", entries)
	}
}

func TestLoginRedirectsToLocalNext(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	for next, want := range map[string]string{
		"/households/1?page=2": "/households/1?page=2",
		"//evil.example/":      "/",
		"https://evil.example": "/",
		"/\\evil.example":      "/",
		"":                     "/",
	} {
		form := url.Values{"username": {"admin"}, "password": {password}, "next": {next}}
		r := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 303 || w.Header().Get("Location") != want {
			t.Errorf("next %q: %d to %q, want 303 to %q", next, w.Code, w.Header().Get("Location"), want)
		}
	}
}

func TestWrongPasswordSetsNoCookieAndIsAudited(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	w := scenario{method: "POST", url: "/login", form: url.Values{"username": {"admin"}, "password": {"nope-nope-nope"}}, status: 401}.run(t, h)
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie {
			t.Errorf("wrong password set a session cookie: %+v", c)
		}
	}
	entries, _, err := f.store.ListAudit(context.Background(), wangge.AuditFilter{Action: "login.fail"})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].ObjectID != "admin" || entries[0].Addr == "" {
		t.Errorf("audit login.fail: %+v", entries)
	}
}

func TestLogoutEndsSession(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	c := login(t, h, "admin")

	r := httptest.NewRequest("POST", "/logout", nil)
	r.AddCookie(c)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 303 || w.Header().Get("Location") != "/login" {
		t.Fatalf("logout: %d to %q", w.Code, w.Header().Get("Location"))
	}
	cleared := false
	for _, rc := range w.Result().Cookies() {
		cleared = cleared || rc.Name == sessionCookie && rc.MaxAge < 0 && rc.Value == ""
	}
	if !cleared {
		t.Errorf("logout did not clear the cookie: %v", w.Header()["Set-Cookie"])
	}

	// The old token no longer logs anyone in, even if a browser kept it.
	r = httptest.NewRequest("GET", "/areas/"+district, nil)
	r.AddCookie(c)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 303 || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
		t.Errorf("after logout: %d to %q, want 303 to /login", w.Code, w.Header().Get("Location"))
	}
}

func TestSessionExpires(t *testing.T) {
	f := newFixture(t)
	s := f.server(t)
	c := login(t, s.Handler(), "admin")
	s.now = func() time.Time { return testNow.Add(13 * time.Hour) }
	r := httptest.NewRequest("GET", "/areas/"+district, nil)
	r.AddCookie(c)
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	if w.Code != 303 {
		t.Errorf("expired session: status %d, want 303", w.Code)
	}
}

func TestPanicShowsErrorPage(t *testing.T) {
	f := newFixture(t)
	s := f.server(t)
	h := s.logRequests(securityHeaders(contentSecurityPolicy, s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom")
	}))))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/x", nil))
	if w.Code != 500 || !strings.Contains(w.Body.String(), "系统内部错误") || strings.Contains(w.Body.String(), "boom") {
		t.Errorf("panic: %d\n%s", w.Code, w.Body)
	}
}

func TestErrorStatuses(t *testing.T) {
	for code, status := range map[string]int{
		wangge.EInvalid: 400, wangge.ENotFound: 404, wangge.EConflict: 409, wangge.EUnauthorized: 401,
		wangge.EForbidden: 403, wangge.ELocked: 423, wangge.EInternal: 500,
	} {
		if got := Status(&wangge.Error{Code: code}); got != status {
			t.Errorf("%s: %d, want %d", code, got, status)
		}
	}
	if got := Status(fmt.Errorf("disk on fire")); got != 500 {
		t.Errorf("plain error: %d, want 500", got)
	}
}

func TestMetricsCountRequests(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	for range 3 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/nowhere", nil))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{
		`http_requests_total{method="GET",code="200"} 3`,
		`http_requests_total{method="GET",code="404"} 1`,
		`http_request_duration_seconds_count 4`,
		`http_request_duration_seconds_bucket{le="+Inf"} 4`,
		// The fixture's store keeps an outbox, empty here.
		`wangge_outbox_messages{state="queued"} 0`,
		`wangge_outbox_messages{state="sent"} 0`,
		`wangge_outbox_messages{state="failed"} 0`,
	} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("metrics lack %q\n%s", want, w.Body)
		}
	}
}

func TestListenAndServeShutsDownOnCancel(t *testing.T) {
	f := newFixture(t)
	s := f.server(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.ListenAndServe(ctx, addr) }()

	var resp *http.Response
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); { // a busy machine may be slow to start it
		if resp, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("healthz: %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ListenAndServe after cancel: %v", err)
		}
	case <-time.After(shutdownTimeout + time.Second):
		t.Fatal("ListenAndServe did not return after cancel")
	}
}
