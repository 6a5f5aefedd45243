package http

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/netip"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/totp"
)

// The login guard applies wangge's login policy (wangge.LockedUntil and the
// numbers beside it) with counts kept in the database, so that every server
// behind a load balancer locks the same accounts and addresses. It guards
// every form that checks a secret: the login form, the password change
// (the current password) and the TOTP page (the code).

// guardAddr is the address failures are counted by: an IPv4 address as it
// is, an IPv6 address by its /64, since one host usually holds a whole /64.
func guardAddr(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.WithZone("").Prefix(64)
	if err != nil {
		return addr
	}
	return p.String()
}

// lockout is a running lockout: of an account or of an address.
type lockout struct {
	until  time.Time
	byAddr bool
}

// lockedOut returns the lockout running for the username or the address at
// now, or nil. The address is checked first: it is the wider lock.
func (s *Server) lockedOut(ctx context.Context, username, addr string, now time.Time) (*lockout, error) {
	since := wangge.LoginFailureSince(now)
	fs, err := s.store.LoginFailures(ctx, wangge.LoginByAddr, guardAddr(addr), since, wangge.LoginMaxAddrFailures)
	if err != nil {
		return nil, err
	}
	if until, ok := wangge.LockedUntil(fs, wangge.LoginMaxAddrFailures, now); ok {
		return &lockout{until: until, byAddr: true}, nil
	}
	if username == "" {
		return nil, nil
	}
	fs, err = s.store.LoginFailures(ctx, wangge.LoginByUsername, username, since, wangge.LoginMaxAccountFailures)
	if err != nil {
		return nil, err
	}
	if until, ok := wangge.LockedUntil(fs, wangge.LoginMaxAccountFailures, now); ok {
		return &lockout{until: until}, nil
	}
	return nil, nil
}

// lockError is the answer while locked. It names the time to try again
// (Beijing time, rounded up to the minute) and, for an account, says the
// same whether or not the account exists.
func (s *Server) lockError(lo *lockout) error {
	at := lo.until.Add(time.Minute - time.Nanosecond).Truncate(time.Minute).In(ChinaTime).Format("15:04")
	id := "login.locked.account"
	if lo.byAddr {
		id = "login.locked.addr"
	}
	return &wangge.Error{Code: wangge.ELocked, Zh: s.msgs.T(LangZh, id, "Time", at), Message: s.msgs.T(LangEn, id, "Time", at)}
}

// attempt is one check of a secret, for the guard's records.
type attempt struct {
	username string       // as typed, lower-cased
	user     *wangge.User // the account, when it exists
	addr     string       // the client's address
	via      string       // "login", "password" (the change form) or "totp"
	reason   string       // why it failed: "password", "otp", "disabled"
}

// auditAttempt writes an audit entry about the attempt: the actor is the account
// tried (or the name typed), from the client's address.
func (s *Server) auditAttempt(ctx context.Context, a *attempt, action string, detail map[string]any) {
	e := &wangge.AuditEntry{Action: action, Object: "user", ObjectID: a.username, Username: a.username, Addr: a.addr}
	if a.user != nil {
		e.UserID, e.Role = a.user.ID, a.user.Role
	}
	if e.Username == "" {
		e.Username = "-"
	}
	b, _ := json.Marshal(detail)
	e.Detail = string(b)
	if err := s.store.Audit(ctx, e); err != nil {
		s.log.Error("audit "+action, "err", err)
	}
}

// refuseLocked audits an attempt refused by a running lockout.
func (s *Server) refuseLocked(ctx context.Context, a *attempt, lo *lockout) error {
	s.auditAttempt(ctx, a, "login.locked", map[string]any{"via": a.via, "by": lockKind(lo), "until": lo.until.UTC().Format(time.RFC3339), "refused": true})
	return s.lockError(lo)
}

func lockKind(lo *lockout) string {
	if lo.byAddr {
		return "addr"
	}
	return "account"
}

// fail records a failed check and audits it; when the failure starts a
// lockout, that is audited too and the lock error returned, so the answer
// tells at once. Otherwise it returns nil and the caller answers as for any
// wrong secret.
func (s *Server) fail(ctx context.Context, a *attempt) error {
	now := s.now()
	if err := s.store.RecordLoginAttempt(ctx, &wangge.LoginAttempt{Username: a.username, Addr: guardAddr(a.addr), At: now}); err != nil {
		return err
	}
	s.auditAttempt(ctx, a, "login.fail", map[string]any{"via": a.via, "reason": a.reason})
	lo, err := s.lockedOut(ctx, a.username, a.addr, now)
	if err != nil {
		return err
	}
	if lo == nil {
		return nil
	}
	s.auditAttempt(ctx, a, "login.locked", map[string]any{"via": a.via, "by": lockKind(lo), "until": lo.until.UTC().Format(time.RFC3339)})
	return s.lockError(lo)
}

// checkTOTP checks a one-time code for the user with TOTP on (or pending,
// when pending is true) and records its step, so no code works twice.
func (s *Server) checkTOTP(ctx context.Context, u *wangge.User, code string, pending bool) (bool, error) {
	st, err := s.store.UserTOTP(ctx, u.ID)
	if wangge.ErrorCode(err) == wangge.ENotFound {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if st.Enabled == pending {
		return false, nil
	}
	secret, err := totp.Decode(st.Secret)
	if err != nil {
		return false, err
	}
	step, ok := totp.Validate(secret, code, s.now())
	if !ok || step <= st.LastStep {
		return false, nil
	}
	return s.store.UseTOTPStep(ctx, u.ID, step)
}

// sessionHash returns the token hash of the request's session cookie, or
// nil.
func sessionHash(r *http.Request) []byte {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	token, err := decodeToken(c.Value)
	if err != nil {
		return nil
	}
	return hashToken(token)
}

// decodeToken reads a session token from its cookie value.
func decodeToken(v string) ([]byte, error) {
	token, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(token) != tokenLen {
		return nil, errLoginRequired
	}
	return token, nil
}
