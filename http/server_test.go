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
		{Name: "healthz", URL: "/healthz", Status: 200, Contains: []string{"ok"}},
		{Name: "metrics", URL: "/metrics", Status: 200,
			Contains: []string{"# TYPE http_requests_total counter", "http_request_duration_seconds_bucket{le=\"+Inf\"}", "wangge_up 1", "go_goroutines "}},
		{Name: "anonymous area page goes to login", URL: "/areas/" + district, Status: 303,
			Location: "/login?next=%2Fareas%2F" + district},
		{Name: "anonymous start page goes to login", URL: "/", Status: 303, Location: "/login?next=%2F"},
		{Name: "anonymous household page goes to login", URL: hh(f.householdA1), Status: 303,
			Location: "/login?next=" + url.QueryEscape(hh(f.householdA1))},
		{Name: "login form", URL: "/login?next=/areas/" + gridA, Status: 200,
			Contains: []string{`<html lang="zh-CN">`, `name="username"`, `name="password"`, `type="password"`,
				`name="next" value="/areas/` + gridA + `"`, "网格化服务管理", `href="/lang/en?next=`}},
		{Name: "login form keeps only local next", URL: "/login?next=https://evil.example/", Status: 200,
			Contains: []string{`name="next" value="/"`}, Excludes: []string{`value="https://evil.example`}},
		{Name: "login form refuses protocol-relative next", URL: "/login?next=//evil.example/", Status: 200,
			Contains: []string{`name="next" value="/"`}, Excludes: []string{`value="//evil.example`}},
		{Name: "wrong password", Method: "POST", URL: "/login", Form: url.Values{"username": {"admin"}, "password": {"wrong-password"}},
			Status: 401, Contains: []string{"用户名或密码错误", `value="admin"`}},
		{Name: "unknown user gets the same answer", Method: "POST", URL: "/login", Form: url.Values{"username": {"nobody"}, "password": {password}},
			Status: 401, Contains: []string{"用户名或密码错误"}},
		{Name: "wrong password in English", Method: "POST", URL: "/login", Lang: "en",
			Form: url.Values{"username": {"admin"}, "password": {"wrong-password"}}, Status: 401,
			Contains: []string{"Wrong username or password", `<html lang="en">`}, Excludes: []string{"用户名或密码错误"}},
		{Name: "disabled account refused", Method: "POST", URL: "/login", Form: url.Values{"username": {"tingyong"}, "password": {password}},
			Status: 403, Contains: []string{"已停用"}},
		{Name: "cross-origin login refused", Method: "POST", URL: "/login",
			Form:   url.Values{"username": {"admin"}, "password": {password}},
			Header: map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, Status: 403},
		{Name: "cross-origin logout refused", Method: "POST", URL: "/logout", As: "admin",
			Header: map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, Status: 403},
		{Name: "language switch sets a cookie and goes back", URL: "/lang/en?next=/areas/" + district, Status: 303,
			Location: "/areas/" + district},
		{Name: "language switch refuses another site", URL: "/lang/en?next=//evil.example/x", Status: 303, Location: "/"},
		{Name: "unknown language", URL: "/lang/fr", Status: 404},

		{Name: "unknown path", URL: "/nowhere", Status: 404, Contains: []string{"未找到"}},
		{Name: "style sheet", URL: "/static/app.css", Status: 200, Contains: []string{"@media print"}},
		{Name: "no directory listing", URL: "/static/", Status: 404},
	} {
		t.Run(sc.Name, func(t *testing.T) { sc.Run(t, h) })
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
	w := scenario{Method: "POST", URL: "/login", Form: url.Values{"username": {"admin"}, "password": {"nope-nope-nope"}}, Status: 401}.Run(t, h)
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
