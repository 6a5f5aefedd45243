package wangge

import (
	"context"
	"time"
)

// The login policy. Failed logins are counted in the database, so every
// server behind a load balancer sees the same counts:
//
//   - LoginMaxAccountFailures failed attempts for one username within
//     LoginWindow lock that username for LoginLockout, counted from the
//     failure that reached the limit. The username need not exist: an
//     unknown name locks exactly as a real one, so the answer never tells
//     which accounts exist.
//   - LoginMaxAddrFailures failed attempts from one address (an IPv6
//     address counts by its /64) within LoginWindow, whatever the usernames,
//     throttle that address for LoginLockout in the same way.
//   - While locked or throttled, an attempt is refused before the password
//     is looked at (so even the right password is refused), is audited
//     ("login.locked") and does not count as a failure, so the lock ends
//     LoginLockout after it began however often someone knocks.
//   - A successful login is recorded too but clears nothing: failures age
//     out of the window on their own. Only an administrator's password reset
//     clears an account's failures.
//   - A wrong one-time code (TOTP) is a failure like a wrong password.
const (
	LoginWindow             = 15 * time.Minute
	LoginLockout            = 15 * time.Minute
	LoginMaxAccountFailures = 5
	LoginMaxAddrFailures    = 20
	// LoginAttemptsKept is how long the attempts are kept for counting; the
	// audit log keeps the record of every failure for longer.
	LoginAttemptsKept = 24 * time.Hour
)

// LoginAttempt is one attempt to log in.
type LoginAttempt struct {
	Username string // as typed (lower-cased), whether or not the account exists
	Addr     string // the client's address (an IPv6 address's /64)
	At       time.Time
	OK       bool
}

// LoginFailureSince returns the earliest time whose failures can still
// matter at now: those of the window that ended in a lockout still running.
func LoginFailureSince(now time.Time) time.Time { return now.Add(-LoginLockout - LoginWindow) }

// LockedUntil applies the policy to the times of recent failures (newest
// first, as LoginGuard.LoginFailures returns them, at least since
// LoginFailureSince(now)) with the limit max: it returns the end of the
// lockout and true while one runs at now.
//
// Because attempts refused while locked are not failures, the newest
// failure is the one that started a running lockout: the lockout runs when
// at least max failures fall within LoginWindow ending at the newest one,
// and until LoginLockout after it.
func LockedUntil(failures []time.Time, max int, now time.Time) (time.Time, bool) {
	if len(failures) < max || max <= 0 {
		return time.Time{}, false
	}
	last := failures[0]
	until := last.Add(LoginLockout)
	if !now.Before(until) {
		return time.Time{}, false
	}
	n := 0
	for _, f := range failures {
		if f.After(last.Add(-LoginWindow)) {
			n++
		}
	}
	if n < max {
		return time.Time{}, false
	}
	return until, true
}

// LoginGuard keeps the attempts to log in, shared by every server.
type LoginGuard interface {
	// RecordLoginAttempt stores one attempt. At defaults to the store's clock.
	RecordLoginAttempt(ctx context.Context, a *LoginAttempt) error
	// LoginFailures returns the times of failed attempts at or after since,
	// newest first and at most limit of them, for the username when by is
	// LoginByUsername or for the address when by is LoginByAddr.
	LoginFailures(ctx context.Context, by LoginKey, key string, since time.Time, limit int) ([]time.Time, error)
	// CountLoginFailures counts the failed attempts at or after since for
	// the username or address.
	CountLoginFailures(ctx context.Context, by LoginKey, key string, since time.Time) (int, error)
	// ClearLoginFailures forgets the failed attempts for a username (after
	// an administrator's reset), returning how many there were.
	ClearLoginFailures(ctx context.Context, username string) (int, error)
	// PurgeLoginAttempts deletes the attempts made before the time.
	PurgeLoginAttempts(ctx context.Context, before time.Time) (int, error)
}

// LoginKey says what login failures are counted by.
type LoginKey int

const (
	LoginByUsername LoginKey = iota
	LoginByAddr
)

// TOTPRoles are the roles that may protect their login with a one-time code
// (TOTP): the staff who see many people's data or the audit log.
var TOTPRoles = []Role{RoleDistrictAdmin, RoleSubdistrictStaff, RoleCommunityStaff, RoleAuditor}

// CanUseTOTP reports whether accounts of the role may enable TOTP.
func (r Role) CanUseTOTP() bool {
	for _, x := range TOTPRoles {
		if r == x {
			return true
		}
	}
	return false
}

// TOTP is an account's one-time-code state. Secret is the base32 secret in
// clear; the store keeps it encrypted like other personal-security data.
type TOTP struct {
	Secret  string
	Enabled bool // false while set up but not yet confirmed with a code
	// LastStep is the last time step a code was accepted for; codes of it
	// and earlier steps are refused, so no code works twice.
	LastStep int64
}

// TOTPStore keeps the accounts' one-time-code secrets.
type TOTPStore interface {
	// SetUserTOTP stores a secret (pending until enabled) or, with an
	// empty secret, removes it and turns TOTP off. It is audited
	// ("user.totp.setup", "user.totp.enable", "user.totp.disable").
	SetUserTOTP(ctx context.Context, userID int64, secret string, enabled bool) error
	// UserTOTP returns the account's state; ErrNotFound when it has none.
	UserTOTP(ctx context.Context, userID int64) (*TOTP, error)
	// UseTOTPStep records that a code of the step was accepted and reports
	// false, changing nothing, when that step or a later one was used
	// already: the check and the record are one statement, so two servers
	// cannot both accept the same code.
	UseTOTPStep(ctx context.Context, userID int64, step int64) (bool, error)
}

// roleRank orders roles for account management: an administrator manages
// accounts of their own rank or below.
func roleRank(r Role) int {
	switch r {
	case RoleDistrictAdmin:
		return 3
	case RoleSubdistrictStaff:
		return 2
	}
	return 1
}

// CanManage tells whether u may manage (reset the password of) the account
// t: u needs PermManageUsers, t must lie within u's scope (ErrNotFound
// otherwise, as for anything out of scope), must not be of a higher role
// (a district administrator is managed only by a district administrator)
// and must not be u itself, who changes their own password instead.
func (u *User) CanManage(t *User) error {
	if !u.Role.Can(PermManageUsers) {
		return E(EForbidden, "error.user.manage_forbidden")
	}
	if !ScopeOf(u.ScopeCode).Contains(t.ScopeCode) {
		return ErrNotFound
	}
	if t.ID == u.ID {
		return E(EForbidden, "error.user.manage_self")
	}
	if roleRank(t.Role) > roleRank(u.Role) {
		return E(EForbidden, "error.user.manage_higher")
	}
	return nil
}
