package http

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/netip"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/totp"
)

// The login guard applies wangge's login policy (wangge.LoginHistory and
// the numbers beside it) with counts kept in the database, so that every
// server behind a load balancer delays the same attempts. It guards every
// form that checks a secret: the login form, the password change (the
// current password) and the TOTP page (the code).

// deviceCookie holds a browser's device token: random, set at a successful
// login and kept for wangge.LoginDevicesKept, so that the owner's usual
// browser passes the delays an attacker elsewhere builds up. The database
// keeps only its hash.
const deviceCookie = "wangge_device"

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

// deviceOf returns the address the attempts of the request's device are
// recorded under (wangge.LoginDevicePrefix and the hash of its token), or
// "" without a well-formed device cookie.
func deviceOf(r *http.Request) string {
	c, err := r.Cookie(deviceCookie)
	if err != nil {
		return ""
	}
	token, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(token) != tokenLen {
		return ""
	}
	return wangge.LoginDevicePrefix + hex.EncodeToString(hashToken(token))
}

// setDeviceCookie gives the browser a device token, or renews the one it
// has, and returns the address its attempts are recorded under.
func (s *Server) setDeviceCookie(w http.ResponseWriter, r *http.Request) string {
	var value string
	if c, err := r.Cookie(deviceCookie); err == nil && deviceOf(r) != "" {
		value = c.Value
	} else {
		token := make([]byte, tokenLen)
		rand.Read(token) // never fails on supported platforms
		value = base64.RawURLEncoding.EncodeToString(token)
	}
	http.SetCookie(w, &http.Cookie{
		Name: deviceCookie, Value: value, Path: "/", MaxAge: int(wangge.LoginDevicesKept.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r),
	})
	token, _ := base64.RawURLEncoding.DecodeString(value)
	return wangge.LoginDevicePrefix + hex.EncodeToString(hashToken(token))
}

// throttle is a running delay.
type throttle struct {
	until time.Time
	by    wangge.LoginLimit
}

// attempt is one check of a secret, for the guard's records.
type attempt struct {
	username string       // as typed, lower-cased
	user     *wangge.User // the account, when it exists
	addr     string       // the client's address
	via      string       // "login", "password" (the change form) or "totp"
	reason   string       // why it failed: "password", "otp", "disabled"
	// pairAddr is what the attempt's pair is counted by: the known device
	// when the request carries one known for the username, otherwise the
	// address (guardAddr).
	pairAddr string
	known    bool
}

// newAttempt starts an attempt of the request for the username, finding
// the client's address and whether its device is known for the username.
func (s *Server) newAttempt(r *http.Request, username string, user *wangge.User, via, reason string) (*attempt, error) {
	a := &attempt{username: username, user: user, addr: s.ClientAddr(r), via: via, reason: reason}
	a.pairAddr = guardAddr(a.addr)
	if d := deviceOf(r); d != "" && username != "" {
		known, err := s.store.KnownLoginDevice(r.Context(), username, d, s.now().Add(-wangge.LoginDevicesKept))
		if err != nil {
			return nil, err
		}
		if known {
			a.pairAddr, a.known = d, true
		}
	}
	return a, nil
}

// throttled returns the delay running for the attempt at now, or nil.
func (s *Server) throttled(ctx context.Context, a *attempt, now time.Time) (*throttle, error) {
	since := wangge.LoginFailureSince(now)
	h := &wangge.LoginHistory{KnownDevice: a.known}
	var err error
	// One more than the policy needs, so that a success just past them
	// still ends the pair's count.
	if h.Pair, err = s.store.LoginAttempts(ctx, a.username, a.pairAddr, since, wangge.LoginFailuresNeeded(wangge.LoginPairFree)+1); err != nil {
		return nil, err
	}
	if !a.known {
		if h.Addr, err = s.store.LoginFailures(ctx, wangge.LoginByAddr, guardAddr(a.addr), since, wangge.LoginFailuresNeeded(wangge.LoginAddrFree)); err != nil {
			return nil, err
		}
		if a.username != "" {
			if h.Account, err = s.store.LoginFailures(ctx, wangge.LoginByUsername, a.username, since, wangge.LoginFailuresNeeded(wangge.LoginAccountFree)); err != nil {
				return nil, err
			}
		}
	}
	if until, by, ok := h.Throttle(now); ok {
		return &throttle{until: until, by: by}, nil
	}
	return nil, nil
}

// throttleError is the answer while a delay runs. It names the time to try
// again (Beijing time, rounded up to the minute) and says the same for the
// pair and the account, and whether or not the account exists.
func throttleError(th *throttle) error {
	at := th.until.Add(time.Minute - time.Nanosecond).Truncate(time.Minute).In(ChinaTime).Format("15:04")
	key := "error.login.throttled"
	if th.by == wangge.LoginLimitAddr {
		key = "error.login.throttled_addr"
	}
	return wangge.E(wangge.ERateLimited, key, "Time", at)
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
	if a.known {
		detail["device"] = true
	}
	b, _ := json.Marshal(detail)
	e.Detail = string(b)
	if err := s.store.Audit(ctx, e); err != nil {
		s.log.Error("audit "+action, "err", err)
	}
}

// refuseThrottled audits an attempt refused by a running delay.
func (s *Server) refuseThrottled(ctx context.Context, a *attempt, th *throttle) error {
	s.auditAttempt(ctx, a, "login.throttled", map[string]any{"via": a.via, "by": string(th.by), "until": th.until.UTC().Format(time.RFC3339), "refused": true})
	return throttleError(th)
}

// guard refuses the attempt while a delay runs for it: the error to answer
// with, nil when the attempt may go on.
func (s *Server) guard(ctx context.Context, a *attempt) (refused error, err error) {
	th, err := s.throttled(ctx, a, s.now())
	if err != nil || th == nil {
		return nil, err
	}
	return s.refuseThrottled(ctx, a, th), nil
}

// fail records a failed check and audits it; when the failure starts a
// delay, that is audited too and the delay's error returned, so the answer
// tells at once. Otherwise it returns nil and the caller answers as for any
// wrong secret.
func (s *Server) fail(ctx context.Context, a *attempt) error {
	now := s.now()
	if err := s.store.RecordLoginAttempt(ctx, &wangge.LoginAttempt{Username: a.username, Addr: a.pairAddr, At: now}); err != nil {
		return err
	}
	s.auditAttempt(ctx, a, "login.fail", map[string]any{"via": a.via, "reason": a.reason})
	th, err := s.throttled(ctx, a, now)
	if err != nil {
		return err
	}
	if th == nil {
		return nil
	}
	s.auditAttempt(ctx, a, "login.throttled", map[string]any{"via": a.via, "by": string(th.by), "until": th.until.UTC().Format(time.RFC3339)})
	return throttleError(th)
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
