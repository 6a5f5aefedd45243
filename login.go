package wangge

import (
	"context"
	"time"
)

// The login policy: throttling that slows a guesser down without locking
// the owner out. Failed logins are counted in the database, so every server
// behind a load balancer sees the same counts. Three counts apply to an
// attempt, each with a few failures free and then a growing delay (1, 2, 4,
// 8, then 15 minutes at most) counted from the newest failure:
//
//   - the pair of username and address (LoginPairFree): the guesser's own
//     pair. A success of the pair forgets the pair's earlier failures.
//   - the username from any address (LoginAccountFree): a botnet trying
//     one account from many addresses.
//   - the address with any username (LoginAddrFree; an IPv6 address counts
//     by its /64): one address spraying many accounts.
//
// The username need not exist: an unknown name is throttled exactly as a
// real one, so the answer never tells which accounts exist. While a delay
// runs an attempt is refused before the password is looked at, is audited
// ("login.throttled") and does not count as a failure, so the delay ends
// when it said however often someone knocks.
//
// A known device is a browser that has logged in to the account before (a
// random device cookie, recorded by its hash as a successful attempt whose
// address is LoginDevicePrefix and the hash). An attempt from a device
// known for the username has its own pair (the device instead of the
// address) and skips the username's and the address's counts, so the owner
// logs in from their usual phone or desk while someone elsewhere knocks.
//
// A wrong one-time code (TOTP) is a failure like a wrong password. An
// administrator's unlock or password reset forgets the account's failures.
const (
	LoginPairFree    = 3
	LoginAccountFree = 10
	LoginAddrFree    = 20
	// LoginFirstDelay is the delay after the first failure past the free
	// ones; each further failure doubles it, up to LoginMaxDelay.
	LoginFirstDelay = time.Minute
	LoginMaxDelay   = 15 * time.Minute
	// LoginFailureMemory is how long a failure counts.
	LoginFailureMemory = 24 * time.Hour
	// LoginAttemptsKept is how long the attempts are kept for counting; the
	// audit log keeps the record of every failure for longer.
	LoginAttemptsKept = LoginFailureMemory
	// LoginDevicesKept is how long a device stays known after its last
	// successful login.
	LoginDevicesKept = 90 * 24 * time.Hour
	// LoginDevicePrefix starts the address of a known device's attempts.
	LoginDevicePrefix = "device:"
)

// loginDelaySteps is the number of failures past the free ones after which
// the delay reaches LoginMaxDelay: 1, 2, 4, 8, 15 minutes.
const loginDelaySteps = 5

// LoginFailuresNeeded is how many of the newest failures the policy needs
// to see for a count with free failures: more change nothing.
func LoginFailuresNeeded(free int) int { return free + loginDelaySteps }

// LoginDelay is the wait after the nth failure of a count with free
// failures free: none up to free, then LoginFirstDelay doubling per
// failure up to LoginMaxDelay.
func LoginDelay(n, free int) time.Duration {
	k := n - free
	if k <= 0 {
		return 0
	}
	if k >= loginDelaySteps {
		return LoginMaxDelay
	}
	return min(LoginFirstDelay<<(k-1), LoginMaxDelay)
}

// LoginFailureSince returns the earliest time whose failures still count
// at now.
func LoginFailureSince(now time.Time) time.Time { return now.Add(-LoginFailureMemory) }

// LoginRetryAt applies one count's delay to the times of its failures
// (newest first, at least LoginFailuresNeeded(free) of them where there
// are so many): it returns when the next attempt may be made and true
// while that is after now.
func LoginRetryAt(failures []time.Time, free int, now time.Time) (time.Time, bool) {
	since := LoginFailureSince(now)
	n := 0
	for _, f := range failures {
		if !f.Before(since) {
			n++
		}
	}
	if n <= free {
		return time.Time{}, false
	}
	at := failures[0].Add(LoginDelay(n, free))
	if !now.Before(at) {
		return time.Time{}, false
	}
	return at, true
}

// LoginLimit names the count that delays an attempt.
type LoginLimit string

const (
	LoginLimitPair    LoginLimit = "pair"
	LoginLimitAccount LoginLimit = "account"
	LoginLimitAddr    LoginLimit = "addr"
)

// LoginHistory is what the policy looks at for one attempt.
type LoginHistory struct {
	// Pair is the recent attempts, successes too, of the username from
	// the address (or from the known device), newest first.
	Pair []LoginAttempt
	// Account and Addr are the times of recent failures of the username
	// from any address and from the address with any username, newest
	// first. They do not count for a known device.
	Account, Addr []time.Time
	KnownDevice   bool
}

// pairFailures returns the times of the pair's failures since its newest
// success.
func pairFailures(attempts []LoginAttempt) []time.Time {
	var out []time.Time
	for _, a := range attempts {
		if a.OK {
			break
		}
		out = append(out, a.At)
	}
	return out
}

// Throttle returns the time the attempt may be made and the count that
// delays it, with true while a delay runs at now. Where several run, the
// latest wins: that is when the attempt can pass.
func (h *LoginHistory) Throttle(now time.Time) (time.Time, LoginLimit, bool) {
	var until time.Time
	var by LoginLimit
	check := func(fs []time.Time, free int, l LoginLimit) {
		if at, ok := LoginRetryAt(fs, free, now); ok && at.After(until) {
			until, by = at, l
		}
	}
	check(pairFailures(h.Pair), LoginPairFree, LoginLimitPair)
	if !h.KnownDevice {
		check(h.Account, LoginAccountFree, LoginLimitAccount)
		check(h.Addr, LoginAddrFree, LoginLimitAddr)
	}
	return until, by, !until.IsZero()
}

// AccountThrottle tells an administrator whether logins to an account are
// being delayed, from its recent attempts (newest first, every address and
// device): until when the username's own count or any of its pairs delays
// one, and true while one does. The owner may still pass from another
// address or a known device; the administrator's unlock frees them all.
func AccountThrottle(attempts []LoginAttempt, now time.Time) (time.Time, bool) {
	var fails []time.Time
	pairs := map[string][]LoginAttempt{}
	for _, a := range attempts {
		if !a.OK {
			fails = append(fails, a.At)
		}
		pairs[a.Addr] = append(pairs[a.Addr], a)
	}
	until, _ := LoginRetryAt(fails, LoginAccountFree, now)
	for _, p := range pairs {
		if at, ok := LoginRetryAt(pairFailures(p), LoginPairFree, now); ok && at.After(until) {
			until = at
		}
	}
	return until, !until.IsZero()
}

// LoginAttempt is one attempt to log in.
type LoginAttempt struct {
	Username string // as typed (lower-cased), whether or not the account exists
	// Addr is the client's address (an IPv6 address's /64), or for an
	// attempt from a known device LoginDevicePrefix and the device's hash.
	Addr string
	At   time.Time
	OK   bool
}

// LoginGuard keeps the attempts to log in, shared by every server.
type LoginGuard interface {
	// RecordLoginAttempt stores one attempt. At defaults to the store's clock.
	RecordLoginAttempt(ctx context.Context, a *LoginAttempt) error
	// LoginFailures returns the times of failed attempts at or after since,
	// newest first and at most limit of them, for the username when by is
	// LoginByUsername or for the address when by is LoginByAddr.
	LoginFailures(ctx context.Context, by LoginKey, key string, since time.Time, limit int) ([]time.Time, error)
	// LoginAttempts returns the attempts, failed and successful, of the
	// username at or after since, newest first and at most limit of them:
	// those from the address, or from any address when addr is "".
	LoginAttempts(ctx context.Context, username, addr string, since time.Time, limit int) ([]LoginAttempt, error)
	// KnownLoginDevice reports whether the username logged in
	// successfully from the device address (LoginDevicePrefix and a hash)
	// at or after since.
	KnownLoginDevice(ctx context.Context, username, device string, since time.Time) (bool, error)
	// CountLoginFailures counts the failed attempts at or after since for
	// the username or address.
	CountLoginFailures(ctx context.Context, by LoginKey, key string, since time.Time) (int, error)
	// ClearLoginFailures forgets the failed attempts for a username (after
	// an administrator's reset), returning how many there were.
	ClearLoginFailures(ctx context.Context, username string) (int, error)
	// UnlockLogin forgets the failed attempts of the user's username, as
	// an administrator's unlock, audited as "user.unlock" in the same
	// transaction; it returns how many there were. ErrNotFound when there
	// is no such user.
	UnlockLogin(ctx context.Context, userID int64) (int, error)
	// PurgeLoginAttempts deletes the attempts made before the time, except
	// the successful ones of known devices (LoginDevicePrefix), which go
	// when made before devicesBefore.
	PurgeLoginAttempts(ctx context.Context, before, devicesBefore time.Time) (int, error)
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
