package http

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/passwd"
)

// sessionCookie holds the session token. The database keeps only its
// SHA-256, so a copy of the database logs nobody in.
const sessionCookie = "wangge_session"

// tokenLen is the number of random bytes in a session token.
const tokenLen = 32

type ctxKey int

const userKey ctxKey = 0

// UserFrom returns the logged-in user of the request, or nil.
func UserFrom(ctx context.Context) *wangge.User {
	u, _ := ctx.Value(userKey).(*wangge.User)
	return u
}

func hashToken(token []byte) []byte {
	sum := sha256.Sum256(token)
	return sum[:]
}

// ClientAddr returns the client's address without the port: the peer's,
// unless the peer is one of the trusted proxies (Options.TrustedProxies).
// Then it is the rightmost X-Forwarded-For address that is not itself a
// trusted proxy: each proxy appends the address it heard from, so only the
// entries the trusted ones added can be believed, and anyone may send the
// header. Everything that records or counts the client's address goes
// through it: the audit log, sessions and the login guard.
func (s *Server) ClientAddr(r *http.Request) string {
	peer := r.RemoteAddr
	if host, _, err := net.SplitHostPort(peer); err == nil {
		peer = host
	}
	p, err := netip.ParseAddr(peer)
	if err != nil || !s.trustedProxy(p) {
		return peer
	}
	client := p.Unmap().WithZone("").String()
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, ok := parseHop(parts[j])
			if !ok {
				// What a trusted proxy heard is no address: the last
				// trusted hop is all that is known.
				return client
			}
			client = a.String()
			if !s.trustedProxy(a) {
				return client
			}
		}
	}
	return client
}

// parseHop reads one X-Forwarded-For entry: an address, perhaps with a
// port as some proxies write it.
func parseHop(h string) (netip.Addr, bool) {
	h = strings.TrimSpace(h)
	a, err := netip.ParseAddr(h)
	if err != nil {
		ap, err := netip.ParseAddrPort(h)
		if err != nil {
			return netip.Addr{}, false
		}
		a = ap.Addr()
	}
	return a.Unmap().WithZone(""), true
}

func (s *Server) trustedProxy(a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	for _, p := range s.opts.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// secure reports whether cookies must be marked Secure.
func (s *Server) secure(r *http.Request) bool { return s.opts.SecureCookies || r.TLS != nil }

// safeNext returns next when it is a path on this site, "/" otherwise, so
// the login form cannot be used to send people elsewhere.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

// withSession loads the user of the request's session, when it has a live
// one, into the context, together with the actor the store records.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		token, err := base64.RawURLEncoding.DecodeString(c.Value)
		if err != nil || len(token) != tokenLen {
			s.clearSessionCookie(w, r)
			next.ServeHTTP(w, r)
			return
		}
		_, u, err := s.store.SessionUser(r.Context(), hashToken(token), s.now())
		if wangge.ErrorCode(err) == wangge.ENotFound {
			s.clearSessionCookie(w, r) // expired, logged out or disabled
			next.ServeHTTP(w, r)
			return
		} else if err != nil {
			s.Error(w, r, err)
			return
		}
		ctx := context.WithValue(r.Context(), userKey, u)
		ctx = wangge.WithActor(ctx, wangge.Actor{UserID: u.ID, Username: u.Username, Role: u.Role, Addr: s.ClientAddr(r)})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// requireUser sends a visitor without a session to the login page, and
// back to the page asked for after logging in. An API client (a path
// under /api/, or a request that prefers JSON) gets the JSON error with
// 401 instead: a redirect to an HTML form is nothing a script can follow.
func (s *Server) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u := UserFrom(r.Context()); u != nil {
			// A temporary password (an administrator's reset) is changed
			// before anything else.
			if u.MustChangePassword && r.URL.Path != accountPasswordPath {
				if r.Method != http.MethodGet && r.Method != http.MethodHead || wantsJSON(r) {
					s.Error(w, r, errMustChange)
					return
				}
				http.Redirect(w, r, accountPasswordPath, http.StatusSeeOther)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead || wantsJSON(r) {
			s.Error(w, r, errLoginRequired)
			return
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	})
}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token []byte) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: base64.RawURLEncoding.EncodeToString(token), Path: "/",
		MaxAge: int(s.opts.SessionTTL.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r),
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r),
	})
}

// loginView is what the login page shows.
type loginView struct {
	Username string
	Next     string
	Error    string
}

// handleLoginForm shows the login form, or sends a logged-in user on.
func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if UserFrom(r.Context()) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, loginView{Next: next})
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, lv loginView) {
	l := LangOf(r)
	s.Render(w, r, status, "login", &View{Title: s.msgs.T(l, "login.title"), Data: lv})
}

// handleLogin checks the form's username, password and, where the account
// has TOTP on, one-time code, and starts a session. Unknown user, wrong
// password and wrong code give the same answer, so the form does not tell
// which usernames exist or which part was wrong. Every attempt is audited,
// and the login guard (login.go) delays further attempts after repeated
// failures.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.Error(w, r, wangge.Invalid("form", "error.form.unreadable"))
		return
	}
	username := strings.ToLower(truncate(strings.TrimSpace(r.PostFormValue("username")), 64))
	next := safeNext(r.PostFormValue("next"))
	ctx := r.Context()
	refuse := func(err error) {
		if Status(err) == http.StatusInternalServerError {
			s.Error(w, r, err)
			return
		}
		msg := wangge.ErrorZh(err)
		if LangOf(r) == LangEn {
			msg = wangge.ErrorMessage(err)
		}
		s.renderLogin(w, r, Status(err), loginView{Username: username, Next: next, Error: msg})
	}
	a, err := s.newAttempt(r, username, nil, "login", "")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	addr := a.addr

	// A running delay refuses before the password is looked at.
	if refused, err := s.guard(ctx, a); err != nil {
		s.Error(w, r, err)
		return
	} else if refused != nil {
		refuse(refused)
		return
	}

	u, reason, err := s.authenticate(ctx, username, r.PostFormValue("password"), r.PostFormValue("otp"))
	if err != nil {
		if Status(err) == http.StatusInternalServerError {
			s.Error(w, r, err)
			return
		}
		a.user, a.reason = u, reason
		if lerr := s.fail(ctx, a); lerr != nil {
			err = lerr
		}
		refuse(err)
		return
	}

	token := make([]byte, tokenLen)
	rand.Read(token) // never fails on supported platforms
	now := s.now()
	sess := &wangge.Session{
		TokenHash: hashToken(token), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.opts.SessionTTL),
		Addr: addr, UserAgent: truncate(r.UserAgent(), 200),
	}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		s.Error(w, r, err)
		return
	}
	// A login the audit log cannot record does not happen.
	if err := s.store.Audit(ctx, &wangge.AuditEntry{Action: "login.ok", Object: "user", ObjectID: u.Username,
		UserID: u.ID, Username: u.Username, Role: u.Role, Addr: addr}); err != nil {
		s.store.DeleteSession(ctx, sess.TokenHash)
		s.Error(w, r, err)
		return
	}
	// A success ends the count of the pair it was counted under (see
	// wangge's login policy), and makes the browser a known device of the
	// account. A known device's success leaves the address's pair alone:
	// someone else behind the same address may be the one guessing.
	records := []string{a.pairAddr}
	if device := s.setDeviceCookie(w, r); device != a.pairAddr {
		records = append(records, device)
	}
	for _, at := range records {
		if err := s.store.RecordLoginAttempt(ctx, &wangge.LoginAttempt{Username: username, Addr: at, At: now, OK: true}); err != nil {
			s.log.Warn("record login", "err", err)
		}
	}
	if old := sessionHash(r); old != nil {
		s.store.DeleteSession(ctx, old) // never keep two sessions for one browser
	}
	s.setSessionCookie(w, r, token)
	if next == "/" {
		next = homeOf(u.Role)
	}
	if u.MustChangePassword {
		next = "/account/password"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// homeOf is where a role lands after logging in when no page asked for
// one (the form's next is the start page): its own page (roleHomes), or
// the start page, which sends it on to its area.
func homeOf(role wangge.Role) string {
	if p, ok := roleHomes[role]; ok {
		return p
	}
	return "/"
}

// dummyHash is checked against when the username is unknown, so that an
// unknown user takes as long to refuse as a wrong password.
var dummyHash = sync.OnceValue(func() string { return passwd.Hash("wangge-no-such-user", passwd.Default) })

// authenticate returns the user when the password (and, with TOTP on, the
// one-time code) is right and the account enabled. With a wrong password,
// a wrong or missing code or an unknown user it returns errBadLogin; with a
// disabled account, the user and errDisabled. reason says which, for the
// audit log only. The password is checked with argon2 even for an unknown
// user, against a dummy hash, so the time taken does not tell.
func (s *Server) authenticate(ctx context.Context, username, password, otp string) (u *wangge.User, reason string, err error) {
	if username == "" || password == "" {
		return nil, "empty", errBadLogin
	}
	u, err = s.store.UserByUsername(ctx, username)
	if wangge.ErrorCode(err) == wangge.ENotFound {
		passwd.Check(password, dummyHash())
		return nil, "password", errBadLogin
	} else if err != nil {
		return nil, "", err
	}
	if !passwd.Check(password, u.PasswordHash) {
		return u, "password", errBadLogin
	}
	if u.Disabled {
		return u, "disabled", errDisabled
	}
	if u.TOTPEnabled {
		ok, err := s.checkTOTP(ctx, u, otp, false)
		if err != nil {
			return nil, "", err
		}
		if !ok {
			return u, "otp", errBadLogin
		}
	}
	return u, "", nil
}

// handleLogout ends the session and forgets the cookie.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if token, err := base64.RawURLEncoding.DecodeString(c.Value); err == nil {
			if err := s.store.DeleteSession(r.Context(), hashToken(token)); err != nil {
				s.Error(w, r, err)
				return
			}
		}
	}
	s.clearSessionCookie(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
