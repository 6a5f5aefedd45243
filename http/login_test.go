package http

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/passwd"
	"github.com/wangge/wangge/totp"
)

// clockServer returns a server whose clock (Options.Now) reads *now.
func (f *fixture) clockServer(t *testing.T, now *time.Time) *Server {
	s := f.server(t)
	return newTestServer(f.store, Options{Logger: s.log, Now: func() time.Time { return *now }})
}

// req is one request of the login tests.
type req struct {
	method, path string
	form         url.Values
	addr         string // RemoteAddr, host:port (httptest's 192.0.2.1:1234 when empty)
	cookie       *http.Cookie
	device       *http.Cookie // the device cookie, beside the session
	lang         string
	header       map[string]string
}

func (q req) do(t *testing.T, h http.Handler) *httptest.ResponseRecorder {
	t.Helper()
	method := q.method
	if method == "" {
		method = "GET"
	}
	var r *http.Request
	if q.form != nil {
		r = httptest.NewRequest(method, q.path, strings.NewReader(q.form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, q.path, nil)
	}
	if q.addr != "" {
		r.RemoteAddr = q.addr
	}
	if q.cookie != nil {
		r.AddCookie(q.cookie)
	}
	if q.device != nil {
		r.AddCookie(q.device)
	}
	if q.lang != "" {
		r.AddCookie(&http.Cookie{Name: langCookie, Value: q.lang})
	}
	for k, v := range q.header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	checkHeadersAndScripts(t, w)
	return w
}

// loginReq is a POST /login with the form's fields.
func loginReq(username, pw, otp, addr string) req {
	form := url.Values{"username": {username}, "password": {pw}}
	if otp != "" {
		form.Set("otp", otp)
	}
	return req{method: "POST", path: "/login", form: form, addr: addr}
}

// sessionOf returns the session cookie a response sets, or nil.
func sessionOf(w *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			return c
		}
	}
	return nil
}

// deviceCookieOf returns the device cookie a response sets, or nil.
func deviceCookieOf(w *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == deviceCookie && c.Value != "" {
			return c
		}
	}
	return nil
}

// withDevice is the request carrying the device cookie.
func (q req) withDevice(c *http.Cookie) req { q.device = c; return q }

func wantStatus(t *testing.T, what string, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("%s: status %d, want %d\n%.2000s", what, w.Code, status, w.Body)
	}
}

func wantBody(t *testing.T, what string, w *httptest.ResponseRecorder, frags ...string) {
	t.Helper()
	for _, s := range frags {
		if !strings.Contains(w.Body.String(), s) {
			t.Errorf("%s: body lacks %q\n%.2000s", what, s, w.Body)
		}
	}
}

func auditCount(t *testing.T, f *fixture, action string) int {
	t.Helper()
	_, n, err := f.store.ListAudit(context.Background(), wangge.AuditFilter{Action: action, Page: wangge.Page{Limit: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// alertOf returns the text of the page's alert.
func alertOf(w *httptest.ResponseRecorder) string {
	m := regexp.MustCompile(`<p class="alert" role="alert"[^>]*>([^<]*)</p>`).FindStringSubmatch(w.Body.String())
	if m == nil {
		return ""
	}
	return m[1]
}

func TestLoginDelaysTheGuessersPairWithGrowingWaitsButNotTheOwnerElsewhere(t *testing.T) {
	f := newFixture(t)
	now := testNow
	h := f.clockServer(t, &now).Handler()
	const attacker, owner = "203.0.113.7:5555", "198.51.100.1:4444"
	for i := 1; i <= 3; i++ {
		wantStatus(t, fmt.Sprintf("failure %d", i), loginReq("admin", "Wrong-Pass-123", "", attacker).do(t, h), 401)
	}
	// The fourth failure of the pair starts a delay of a minute, and says
	// so at once: not a lock (423) but "too many" (429), with the time.
	w := loginReq("admin", "Wrong-Pass-123", "", attacker).do(t, h)
	wantStatus(t, "fourth failure", w, 429)
	wantBody(t, "fourth failure", w, "登录失败次数过多", "请于 10:01（北京时间）后再试", `value="admin"`)
	if strings.Contains(w.Body.String(), "锁定") {
		t.Error("the delay calls itself a lock")
	}

	// While it runs even the right password is refused from that pair,
	// before it is looked at, and no session starts.
	w = loginReq("admin", password, "", attacker).do(t, h)
	wantStatus(t, "right password while delayed", w, 429)
	if sessionOf(w) != nil {
		t.Error("a delayed pair got a session")
	}
	w = req{method: "POST", path: "/login", form: url.Values{"username": {"admin"}, "password": {password}}, addr: attacker, lang: "en"}.do(t, h)
	wantStatus(t, "delayed, in English", w, 429)
	wantBody(t, "delayed, in English", w, "Too many failed logins", "Try again after 10:01 (Beijing time)")

	// The waits grow with each failure after one: 2, 4, 8, then 15 minutes.
	for _, c := range []struct {
		wait time.Duration
		at   string
	}{{time.Minute, "10:03"}, {2 * time.Minute, "10:07"}, {4 * time.Minute, "10:15"}, {8 * time.Minute, "10:30"}, {15 * time.Minute, "10:45"}, {15 * time.Minute, "11:00"}} {
		now = now.Add(c.wait - time.Second)
		wantStatus(t, "a second before the wait ends", loginReq("admin", "Wrong-Pass-123", "", attacker).do(t, h), 429)
		now = now.Add(time.Second)
		w := loginReq("admin", "Wrong-Pass-123", "", attacker).do(t, h)
		wantStatus(t, "a failure once the wait is over", w, 429)
		wantBody(t, "the next wait", w, "请于 "+c.at+"（北京时间）后再试")
	}
	if n := auditCount(t, f, "login.fail"); n != 10 {
		t.Errorf("%d login.fail entries, want 10 (refusals are not failures)", n)
	}
	if n := auditCount(t, f, "login.throttled"); n != 15 {
		t.Errorf("%d login.throttled entries, want 15 (7 delays started, 8 refusals)", n)
	}

	// Meanwhile the owner, from their own address, logs in: ten failures
	// of the account are not enough to delay it everywhere.
	w = loginReq("admin", password, "", owner).do(t, h)
	wantStatus(t, "the owner from another address", w, 303)
	ownerDevice := deviceCookieOf(w)
	if sessionOf(w) == nil || ownerDevice == nil {
		t.Fatal("the owner's login set no session or no device cookie")
	}
	// Once the wait is over, the right password passes from the
	// attacker's address too, and that success ends the pair's count: the
	// next failure waits a minute (as the account's eleventh, for every
	// browser the account has not logged in from), not fifteen.
	now = now.Add(15 * time.Minute)
	wantStatus(t, "the right password after the wait", loginReq("admin", password, "", attacker).do(t, h), 303)
	w = loginReq("admin", "Wrong-Pass-123", "", attacker).do(t, h)
	wantStatus(t, "a failure after a success", w, 429)
	wantBody(t, "a failure after a success", w, "请于 11:01（北京时间）后再试")
	wantStatus(t, "a fresh browser elsewhere during the account's minute", loginReq("admin", password, "", "198.51.100.99:1").do(t, h), 429)
	wantStatus(t, "the owner's known device during the account's minute", loginReq("admin", password, "", owner).withDevice(ownerDevice).do(t, h), 303)
}

func TestFiveAnonymousFailuresDoNotStopTheOwnerOnAKnownDevice(t *testing.T) {
	f := newFixture(t)
	now := testNow
	h := f.clockServer(t, &now).Handler()
	const office = "198.51.100.50:1000" // the owner and the guesser behind one NAT
	w := loginReq("dongyuan", password, "", office).do(t, h)
	wantStatus(t, "the owner's first login", w, 303)
	device := deviceCookieOf(w)
	if device == nil || !device.HttpOnly || device.SameSite != http.SameSiteLaxMode || device.Path != "/" || device.MaxAge < 30*24*3600 {
		t.Fatalf("device cookie %+v; want HttpOnly, SameSite=Lax, Path=/ and months long", device)
	}
	now = now.Add(time.Hour)
	for range 5 {
		loginReq("dongyuan", "Wrong-Pass-123", "", office).do(t, h)
	}
	wantStatus(t, "the right password from the address without the device", loginReq("dongyuan", password, "", office).do(t, h), 429)
	w = loginReq("dongyuan", password, "", office).withDevice(device).do(t, h)
	wantStatus(t, "the owner on the known device", w, 303)
	if c := deviceCookieOf(w); c == nil || c.Value != device.Value {
		t.Errorf("the known device's cookie changed: %+v", c)
	}
	// The device is known for dongyuan only: for another name it is any
	// browser at the address.
	for range 4 {
		loginReq("tingyong", "Wrong-Pass-123", "", office).do(t, h)
	}
	wantStatus(t, "another account on dongyuan's device", loginReq("tingyong", password, "", office).withDevice(device).do(t, h), 429)
	// A forged device cookie is no known device.
	forged := &http.Cookie{Name: deviceCookie, Value: strings.Repeat("A", 43)}
	wantStatus(t, "a forged device cookie", loginReq("dongyuan", password, "", office).withDevice(forged).do(t, h), 429)
	// The owner's own mistakes on the device count for the device's pair.
	for i := 1; i <= 4; i++ {
		w := loginReq("dongyuan", "Wrong-Pass-123", "", office).withDevice(device).do(t, h)
		if want := map[bool]int{true: 429, false: 401}[i == 4]; w.Code != want {
			t.Errorf("the owner's failure %d on the device: %d, want %d", i, w.Code, want)
		}
	}
	entries, _, err := f.store.ListAudit(context.Background(), wangge.AuditFilter{Action: "login.fail", Page: wangge.Page{Limit: 1}})
	if err != nil || len(entries) != 1 || !strings.Contains(entries[0].Detail, `"device":true`) || entries[0].Addr != "198.51.100.50" {
		t.Errorf("the failure on the device is audited as %+v, %v", entries, err)
	}
}

func TestUnknownUsernamesAreDelayedExactlyLikeRealOnes(t *testing.T) {
	f := newFixture(t)
	now := testNow
	h := f.clockServer(t, &now).Handler()
	var real, unknown *httptest.ResponseRecorder
	for i := 1; i <= 5; i++ {
		real = loginReq("admin", "Wrong-Pass-123", "", "198.51.100.1:1000").do(t, h)
		unknown = loginReq("nobody", "Wrong-Pass-123", "", "198.51.100.2:1000").do(t, h)
		if i < 4 && (real.Code != 401 || unknown.Code != 401) {
			t.Fatalf("failure %d: %d for admin, %d for nobody; want 401 for both", i, real.Code, unknown.Code)
		}
	}
	wantStatus(t, "fifth for a real account", real, 429)
	wantStatus(t, "fifth for an unknown name", unknown, 429)
	if a, b := alertOf(real), alertOf(unknown); a == "" || a != b {
		t.Errorf("the delay messages differ: %q for a real account, %q for an unknown name", a, b)
	}
	// Eleven failures of a name from eleven addresses (a botnet) delay it
	// everywhere, real or not.
	for i := range 11 {
		loginReq("tingyong", "Wrong-Pass-123", "", fmt.Sprintf("203.0.113.%d:1", i+1)).do(t, h)
		loginReq("ghost", "Wrong-Pass-123", "", fmt.Sprintf("203.0.113.%d:1", i+1)).do(t, h)
	}
	real = loginReq("tingyong", password, "", "198.51.100.77:1").do(t, h)
	unknown = loginReq("ghost", password, "", "198.51.100.78:1").do(t, h)
	wantStatus(t, "a botnet's target from a fresh address", real, 429)
	wantStatus(t, "an unknown name from a fresh address", unknown, 429)
	if a, b := alertOf(real), alertOf(unknown); a == "" || a != b {
		t.Errorf("the delay messages differ: %q for a real account, %q for an unknown name", a, b)
	}
}

func TestTwentyFailuresFromAnAddressDoNotStopTheAdminOnAKnownDevice(t *testing.T) {
	f := newFixture(t)
	// Ten accounts, so that the failures from one address delay none of
	// their pairs (two each): only the address counts.
	cheap := passwd.Params{Memory: 1024, Time: 1, Threads: 1}
	for i := range 10 {
		u := &wangge.User{Username: fmt.Sprintf("p%d", i), Role: wangge.RoleAssistant, ScopeCode: gridA, PasswordHash: passwd.Hash(password, cheap)}
		if err := f.store.CreateUser(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
	now := testNow
	h := f.clockServer(t, &now).Handler()
	const attacker, other = "203.0.113.7:5555", "198.51.100.9:4444"
	adminDevice := deviceCookieOf(loginReq("admin", password, "", other).do(t, h))
	now = now.Add(time.Minute)
	for i := range 21 {
		name := fmt.Sprintf("p%d", i%10)
		if i%10 == 9 {
			name = fmt.Sprintf("guess%d", i) // unknown names count as well
		}
		w := loginReq(name, "Wrong-Pass-123", "", attacker).do(t, h)
		want := 401
		if i == 20 {
			want = 429
		}
		wantStatus(t, fmt.Sprintf("failure %d from one address", i+1), w, want)
	}
	w := loginReq("admin", password, "", attacker).do(t, h)
	wantStatus(t, "the admin from the address on a new browser", w, 429)
	wantBody(t, "delayed address", w, "来自您网络地址的登录失败次数过多")
	if sessionOf(w) != nil {
		t.Error("a delayed address got a session")
	}
	w = loginReq("admin", password, "", attacker).withDevice(adminDevice).do(t, h)
	wantStatus(t, "the admin from the address on a known device", w, 303)
	if sessionOf(w) == nil {
		t.Error("the admin on a known device got no session")
	}
	wantStatus(t, "an account tried from the address, from another address", loginReq("p1", password, "", other).do(t, h), 303)

	// The same /64 of IPv6 counts as one address.
	for i := range 21 {
		loginReq(fmt.Sprintf("p%d", i%10), "Wrong-Pass-123", "", fmt.Sprintf("[2001:db8:1:2::%x]:443", i+1)).do(t, h)
	}
	wantStatus(t, "another host of the delayed /64", loginReq("admin", password, "", "[2001:db8:1:2:ffff::1]:443").do(t, h), 429)
	wantStatus(t, "a host of another /64", loginReq("admin", password, "", "[2001:db8:1:3::1]:443").do(t, h), 303)

	now = now.Add(time.Minute)
	wantStatus(t, "the address after its minute", loginReq("admin", password, "", attacker).do(t, h), 303)
}

func TestForwardedForIsBelievedOnlyFromATrustedProxy(t *testing.T) {
	f := newFixture(t)
	s := newTestServer(f.store, Options{Logger: f.server(t).log, Now: func() time.Time { return testNow },
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ffff::/48")}})
	for _, c := range []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"no proxy", "198.51.100.5:1000", nil, "198.51.100.5"},
		{"an untrusted peer's header is ignored", "198.51.100.5:1000", []string{"203.0.113.9"}, "198.51.100.5"},
		{"a trusted proxy's client", "10.0.0.2:1000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"the rightmost untrusted hop, not what the client wrote", "10.0.0.2:1000", []string{"192.0.2.66, 203.0.113.9, 10.1.1.1"}, "203.0.113.9"},
		{"several headers read as one list", "10.0.0.2:1000", []string{"192.0.2.66", "203.0.113.9", "10.1.1.1"}, "203.0.113.9"},
		{"a port and an IPv6 proxy", "[2001:db8:ffff::1]:443", []string{"203.0.113.9:5555"}, "203.0.113.9"},
		{"an IPv4-mapped peer", "[::ffff:10.0.0.2]:1000", []string{"[2001:db8:1::5]:80"}, "2001:db8:1::5"},
		{"garbage stops at the last trusted hop", "10.0.0.2:1000", []string{"203.0.113.9, nonsense, 10.1.1.1"}, "10.1.1.1"},
		{"only proxies", "10.0.0.2:1000", []string{"10.9.9.9"}, "10.9.9.9"},
		{"a trusted proxy without the header", "10.0.0.2:1000", nil, "10.0.0.2"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := s.ClientAddr(r); got != c.want {
			t.Errorf("%s: ClientAddr %q, want %q", c.name, got, c.want)
		}
	}

	// End to end: behind the proxy two clients are two addresses; a
	// client that talks to the server directly cannot claim another's.
	h := s.Handler()
	via := func(client string) map[string]string { return map[string]string{"X-Forwarded-For": client} }
	for range 4 {
		q := loginReq("admin", "Wrong-Pass-123", "", "10.0.0.2:1000")
		q.header = via("203.0.113.9")
		q.do(t, h)
	}
	q := loginReq("admin", password, "", "10.0.0.2:1000")
	q.header = via("203.0.113.9")
	wantStatus(t, "the guessing client behind the proxy", q.do(t, h), 429)
	q.header = via("203.0.113.10")
	wantStatus(t, "another client behind the proxy", q.do(t, h), 303)
	entries, _, err := f.store.ListAudit(context.Background(), wangge.AuditFilter{Action: "login.ok"})
	if err != nil || len(entries) != 1 || entries[0].Addr != "203.0.113.10" {
		t.Errorf("login.ok audited as %+v, %v; want the client's address", entries, err)
	}
	for i := range 4 {
		q := loginReq("tingyong", "Wrong-Pass-123", "", "198.51.100.5:1000")
		q.header = via(fmt.Sprintf("203.0.113.%d", 100+i)) // a new "address" each time
		q.do(t, h)
	}
	q = loginReq("tingyong", password, "", "198.51.100.5:1000")
	q.header = via("203.0.113.200")
	wantStatus(t, "a direct client rotating the header", q.do(t, h), 429)
}

func TestGuardAddrCountsIPv6ByItsSlash64(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1":                "192.0.2.1",
		"::ffff:192.0.2.1":         "192.0.2.1",
		"2001:db8:1:2:3:4:5:6":     "2001:db8:1:2::/64",
		"2001:db8:1:2::1%eth0":     "2001:db8:1:2::/64",
		"not an address":           "not an address",
		"fe80::1:2:3:4":            "fe80::/64",
		"2001:db8:ffff:ffff:1::ab": "2001:db8:ffff:ffff::/64",
	} {
		if got := guardAddr(in); got != want {
			t.Errorf("guardAddr(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCrossOriginLoginIsRefusedAndStartsNoSession(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	q := loginReq("admin", password, "", "")
	q.header = map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}
	w := q.do(t, h)
	wantStatus(t, "cross-origin login", w, 403)
	wantBody(t, "cross-origin login", w, "拒绝来自其他网站的请求")
	if sessionOf(w) != nil {
		t.Error("a cross-origin login set a session cookie")
	}
	if n := auditCount(t, f, "login.ok"); n != 0 {
		t.Errorf("%d login.ok entries after a cross-origin login", n)
	}
	// An Origin header alone (an older browser) is refused too.
	q.header = map[string]string{"Origin": "http://evil.example"}
	wantStatus(t, "cross-origin login by Origin", q.do(t, h), 403)
	// The same form from the site itself is fine.
	q.header = map[string]string{"Origin": "http://example.com", "Sec-Fetch-Site": "same-origin"}
	wantStatus(t, "same-origin login", q.do(t, h), 303)
}

func TestExpiredSessionGoesBackToLogin(t *testing.T) {
	f := newFixture(t)
	now := testNow
	h := f.clockServer(t, &now).Handler()
	c := sessionOf(loginReq("admin", password, "", "").do(t, h))
	now = testNow.Add(12*time.Hour - time.Second)
	wantStatus(t, "just before expiry", req{path: "/areas/" + district, cookie: c}.do(t, h), 200)
	now = testNow.Add(12 * time.Hour)
	w := req{path: "/areas/" + district, cookie: c}.do(t, h)
	wantStatus(t, "at expiry", w, 303)
	if loc := w.Header().Get("Location"); loc != "/login?next=%2Fareas%2F"+district {
		t.Errorf("Location %q", loc)
	}
	cleared := false
	for _, rc := range w.Result().Cookies() {
		cleared = cleared || rc.Name == sessionCookie && rc.MaxAge < 0
	}
	if !cleared {
		t.Error("the expired session's cookie was not cleared")
	}
	wantStatus(t, "a POST with an expired session", req{method: "POST", path: "/account/password", cookie: c, form: url.Values{}}.do(t, h), 401)
}

func TestSessionCookieIsHttpOnlyLaxRootAndSecureUnderTLS(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	check := func(what string, c *http.Cookie, secure bool) {
		t.Helper()
		if c == nil {
			t.Fatalf("%s: no session cookie", what)
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure != secure {
			t.Errorf("%s: cookie %+v; want HttpOnly, SameSite=Lax, Path=/, Secure=%v", what, c, secure)
		}
	}
	check("plain HTTP", sessionOf(loginReq("admin", password, "", "").do(t, h)), false)

	// A request that came over TLS (r.TLS set).
	form := url.Values{"username": {"admin"}, "password": {password}}
	r := httptest.NewRequest("POST", "https://example.com/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.TLS = &tls.ConnectionState{}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	check("r.TLS", sessionOf(w), true)

	// A real TLS server and client.
	srv := httptest.NewTLSServer(h)
	defer srv.Close()
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.PostForm(srv.URL+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var c *http.Cookie
	for _, rc := range resp.Cookies() {
		if rc.Name == sessionCookie {
			c = rc
		}
	}
	check("httptest.NewTLSServer", c, true)
	if !strings.Contains(strings.Join(resp.Header.Values("Set-Cookie"), "\n"), "; Secure") {
		t.Errorf("Set-Cookie %q lacks Secure", resp.Header.Values("Set-Cookie"))
	}
}

func TestSecurityHeadersOnEveryPage(t *testing.T) {
	f := newFixture(t)
	now := testNow
	h := f.clockServer(t, &now).Handler()
	admin := sessionOf(loginReq("admin", password, "", "").do(t, h))
	staff := sessionOf(loginReq("dongyuan", password, "", "").do(t, h))
	for i := range 5 {
		loginReq("locked", "Wrong-Pass-123", "", fmt.Sprintf("198.51.100.%d:1", i)).do(t, h)
	}
	for _, q := range []req{
		{path: "/login"}, {path: "/healthz"}, {path: "/metrics"}, {path: "/static/app.css"}, {path: "/nowhere"},
		{path: "/", cookie: admin}, {path: "/areas/" + district, cookie: admin}, {path: "/areas/" + communityB, cookie: staff},
		{path: fmt.Sprintf("/households/%d", f.householdA1.ID), cookie: admin},
		{path: "/account/password", cookie: staff}, {path: "/account/totp", cookie: admin}, {path: "/admin/users", cookie: admin},
		{path: "/admin/users", cookie: staff}, {path: "/lang/en?next=/"},
		loginReq("admin", "Wrong-Pass-123", "", ""), loginReq("locked", password, "", ""),
		{method: "POST", path: "/logout", cookie: staff, header: map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}},
	} {
		w := q.do(t, h) // checks the headers and that no script or style is inline
		csp := w.Header().Get("Content-Security-Policy")
		directives := map[string]string{}
		for _, d := range strings.Split(csp, ";") {
			name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
			directives[name] = value
		}
		if directives["script-src"] != "'self'" || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s %s (%d): CSP %q allows inline or foreign scripts", q.method, q.path, w.Code, csp)
		}
		if directives["frame-ancestors"] != "'none'" || directives["object-src"] != "'none'" {
			t.Errorf("%s %s: CSP %q lets the page be framed or embed objects", q.method, q.path, csp)
		}
	}
}

func TestLoginFormHasTheOneTimeCodeField(t *testing.T) {
	f := newFixture(t)
	w := req{path: "/login"}.do(t, f.server(t).Handler())
	wantBody(t, "login form", w, `name="otp"`, `autocomplete="one-time-code"`, `inputmode="numeric"`, "动态验证码")
}

// totpSecretOf reads the secret the TOTP page shows.
func totpSecretOf(t *testing.T, w *httptest.ResponseRecorder) []byte {
	t.Helper()
	m := regexp.MustCompile(`data-secret><code class="code">([A-Z2-7 ]+)</code>`).FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatalf("no secret on the page\n%s", w.Body)
	}
	secret, err := totp.Decode(m[1])
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func TestTOTPOnceEnabledLoginNeedsTheCode(t *testing.T) {
	f := newFixture(t)
	now := testNow
	h := f.clockServer(t, &now).Handler()
	c := sessionOf(loginReq("dongyuan", password, "", "").do(t, h))

	w := req{path: "/account/totp", cookie: c}.do(t, h)
	wantStatus(t, "TOTP page", w, 200)
	wantBody(t, "TOTP page", w, `data-totp="off"`, `value="start"`)
	w = req{method: "POST", path: "/account/totp", cookie: c, form: url.Values{"action": {"start"}}}.do(t, h)
	wantStatus(t, "start", w, 200)
	secret := totpSecretOf(t, w)
	wantBody(t, "start", w, "otpauth://totp/wangge:dongyuan?", "secret="+totp.Encode(secret))
	// A reload shows the same secret: the app may have it already.
	if again := totpSecretOf(t, req{path: "/account/totp", cookie: c}.do(t, h)); string(again) != string(secret) {
		t.Error("the pending secret changed on reload")
	}

	// A wrong code does not turn it on.
	wrong := totp.Code(secret, now.Add(-5*time.Minute))
	w = req{method: "POST", path: "/account/totp", cookie: c, form: url.Values{"action": {"confirm"}, "otp": {wrong}}}.do(t, h)
	wantStatus(t, "confirm with a wrong code", w, 400)
	wantBody(t, "confirm with a wrong code", w, "验证码不正确")
	if u, _ := f.store.UserByUsername(context.Background(), "dongyuan"); u.TOTPEnabled {
		t.Fatal("a wrong code turned TOTP on")
	}
	w = req{method: "POST", path: "/account/totp", cookie: c, form: url.Values{"action": {"confirm"}, "otp": {totp.Code(secret, now)}}}.do(t, h)
	wantStatus(t, "confirm", w, 303)
	if n := auditCount(t, f, "user.totp.enable"); n != 1 {
		t.Errorf("%d user.totp.enable entries, want 1", n)
	}

	// Now the password alone fails like a wrong password, as does a wrong
	// code, and the code used to confirm cannot be used again.
	// (From three addresses, so that no pair's delay hides the answer.)
	for _, c := range []struct{ name, otp, addr string }{{"no code", "", ""}, {"wrong code", wrong, "198.51.100.21:1"}, {"replayed code", totp.Code(secret, now), "198.51.100.22:1"}} {
		w := loginReq("dongyuan", password, c.otp, c.addr).do(t, h)
		wantStatus(t, c.name, w, 401)
		wantBody(t, c.name, w, "用户名或密码错误")
		if sessionOf(w) != nil {
			t.Errorf("%s: got a session", c.name)
		}
	}
	// The wrong code on the setup page counted too.
	if n, _ := f.store.CountLoginFailures(context.Background(), wangge.LoginByUsername, "dongyuan", testNow); n != 4 {
		t.Errorf("%d failures counted, want 4", n)
	}
	now = now.Add(totp.Period)
	w = loginReq("dongyuan", password, totp.Code(secret, now), "").do(t, h)
	wantStatus(t, "password and the current code", w, 303)
	c = sessionOf(w)
	// A phone whose clock is a step behind still logs in.
	now = now.Add(2 * totp.Period)
	w = loginReq("dongyuan", password, totp.Code(secret, now.Add(-totp.Period)), "").do(t, h)
	wantStatus(t, "a code of the step before (clock skew)", w, 303)

	// Turning it off needs a current code (of a step not used yet).
	now = now.Add(totp.Period)
	w = req{method: "POST", path: "/account/totp", cookie: c, form: url.Values{"action": {"disable"}, "otp": {"000000"}}}.do(t, h)
	wantStatus(t, "disable with a wrong code", w, 400)
	w = req{method: "POST", path: "/account/totp", cookie: c, form: url.Values{"action": {"disable"}, "otp": {totp.Code(secret, now)}}}.do(t, h)
	wantStatus(t, "disable", w, 303)
	wantStatus(t, "password alone after disabling", loginReq("dongyuan", password, "", "").do(t, h), 303)
	if n := auditCount(t, f, "user.totp.disable"); n != 1 {
		t.Errorf("%d user.totp.disable entries, want 1", n)
	}
}

func TestTOTPWrongCodesAreDelayedLikePasswords(t *testing.T) {
	f := newFixture(t)
	now := testNow
	h := f.clockServer(t, &now).Handler()
	c := sessionOf(loginReq("admin", password, "", "").do(t, h))
	secret := totpSecretOf(t, req{method: "POST", path: "/account/totp", cookie: c, form: url.Values{"action": {"start"}}}.do(t, h))
	for i := 1; i <= 4; i++ {
		w := req{method: "POST", path: "/account/totp", cookie: c, form: url.Values{"action": {"confirm"}, "otp": {"000000"}}}.do(t, h)
		want := 400
		if i == 4 {
			want = 429
		}
		wantStatus(t, fmt.Sprintf("wrong code %d", i), w, want)
	}
	w := req{method: "POST", path: "/account/totp", cookie: c, form: url.Values{"action": {"confirm"}, "otp": {totp.Code(secret, now)}}}.do(t, h)
	wantStatus(t, "the right code while delayed", w, 429)
}

// tempPasswordOf reads the temporary password the reset page shows.
func TestPasswordChangeEnforcesThePolicyInBothLanguages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	h := f.server(t).Handler()
	c := login(t, h, "dongyuan")
	other := login(t, h, "dongyuan") // another device
	change := func(cur, nw, confirm, lang string) *httptest.ResponseRecorder {
		return req{method: "POST", path: "/account/password", cookie: c, lang: lang,
			form: url.Values{"current_password": {cur}, "new_password": {nw}, "confirm_password": {confirm}}}.do(t, h)
	}
	for _, tc := range []struct {
		name, cur, nw, confirm, lang, field, want string
	}{
		{"too short", password, "Ab1-x", "Ab1-x", "", "new_password", "密码至少需要 10 个字符。"},
		{"too short, in English", password, "Ab1-x", "Ab1-x", "en", "new_password", "A password needs at least 10 characters."},
		{"too simple", password, "abcdefghijkl", "abcdefghijkl", "", "new_password", "至少三类"},
		{"too simple, in English", password, "abcdefghijkl", "abcdefghijkl", "en", "new_password", "at least three of"},
		{"holds the username", password, "Dongyuan-2026", "Dongyuan-2026", "", "new_password", "密码不能包含用户名"},
		{"a common word, decorated", password, "P@ssw0rd-2026", "P@ssw0rd-2026", "", "new_password", "密码过于常见或容易猜到"},
		{"the two differ", password, "Good-Pass-2026", "Good-Pass-2027", "", "confirm_password", "两次输入的新密码不一致"},
		{"the two differ, in English", password, "Good-Pass-2026", "Good-Pass-2027", "en", "confirm_password", "The two new passwords differ"},
		{"the same as before", password, password, password, "", "new_password", "新密码不能与当前密码相同"},
		{"wrong current password", "Wrong-Pass-123", "Good-Pass-2026", "Good-Pass-2026", "", "current_password", "当前密码不正确"},
	} {
		w := change(tc.cur, tc.nw, tc.confirm, tc.lang)
		wantStatus(t, tc.name, w, 400)
		wantBody(t, tc.name, w, tc.want, fmt.Sprintf(`data-field="%s"`, tc.field))
	}
	if n, _ := f.store.CountLoginFailures(ctx, wangge.LoginByUsername, "dongyuan", testNow.Add(-time.Hour)); n != 1 {
		t.Errorf("a wrong current password counted %d failures, want 1", n)
	}
	w := req{path: "/account/password", cookie: c}.do(t, h)
	wantBody(t, "password form", w, "至少 10 个字符", `name="current_password"`, `autocomplete="new-password"`)

	w = change(password, "Good-Pass-2026", "Good-Pass-2026", "")
	wantStatus(t, "a good change", w, 303)
	if w.Header().Get("Location") != "/account/password?changed=1" {
		t.Errorf("Location %q", w.Header().Get("Location"))
	}
	wantBody(t, "after the change", req{path: "/account/password?changed=1", cookie: c}.do(t, h), "密码已修改")
	wantStatus(t, "this session goes on", req{path: "/areas/" + communityA, cookie: c}.do(t, h), 200)
	wantStatus(t, "the other device is logged out", req{path: "/areas/" + communityA, cookie: other}.do(t, h), 303)
	wantStatus(t, "the old password", loginReq("dongyuan", password, "", "").do(t, h), 401)
	wantStatus(t, "the new password", loginReq("dongyuan", "Good-Pass-2026", "", "").do(t, h), 303)
	if n := auditCount(t, f, "user.password"); n != 1 {
		t.Errorf("%d user.password entries, want 1", n)
	}
}
