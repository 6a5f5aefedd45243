package wangge

import (
	"testing"
	"time"
)

var loginT0 = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)

// loginMin is the time m minutes after loginT0.
func loginMin(m float64) time.Time { return loginT0.Add(time.Duration(m * float64(time.Minute))) }

// failsAt returns the times of failures m minutes after loginT0, newest
// first as the store returns them.
func failsAt(ms ...float64) []time.Time {
	var out []time.Time
	for i := len(ms) - 1; i >= 0; i-- {
		out = append(out, loginMin(ms[i]))
	}
	return out
}

// nFails returns n failures a second apart ending at minute end.
func nFails(n int, end float64) []time.Time {
	var ms []float64
	for i := range n {
		ms = append(ms, end-float64(n-1-i)/60)
	}
	return failsAt(ms...)
}

func TestLoginDelayGrowsFromOneMinuteToFifteen(t *testing.T) {
	m := time.Minute
	for _, c := range []struct {
		n, free int
		want    time.Duration
	}{
		{0, 3, 0}, {3, 3, 0}, {4, 3, m}, {5, 3, 2 * m}, {6, 3, 4 * m}, {7, 3, 8 * m}, {8, 3, 15 * m}, {9, 3, 15 * m}, {1000, 3, 15 * m},
		{20, 20, 0}, {21, 20, m}, {25, 20, 15 * m}, {1, 0, m},
	} {
		if got := LoginDelay(c.n, c.free); got != c.want {
			t.Errorf("LoginDelay(%d, %d) = %v, want %v", c.n, c.free, got, c.want)
		}
	}
	if got := LoginFailuresNeeded(LoginPairFree); LoginDelay(got, LoginPairFree) != LoginMaxDelay || LoginDelay(got-1, LoginPairFree) == LoginMaxDelay {
		t.Errorf("LoginFailuresNeeded(%d) = %d is not where the delay reaches its cap", LoginPairFree, got)
	}
}

func TestLoginRetryAtCountsFromTheNewestFailure(t *testing.T) {
	for _, c := range []struct {
		name    string
		fails   []time.Time
		now     time.Time
		delayed bool
		until   time.Time
	}{
		{"three failures are free", failsAt(0, 1, 2), loginMin(2), false, time.Time{}},
		{"the fourth waits a minute", failsAt(0, 1, 2, 3), loginMin(3.5), true, loginMin(4)},
		{"the minute is over", failsAt(0, 1, 2, 3), loginMin(4), false, time.Time{}},
		{"the fifth waits two", failsAt(0, 1, 2, 3, 4), loginMin(5), true, loginMin(6)},
		{"the sixth four", failsAt(0, 1, 2, 3, 4, 6), loginMin(6), true, loginMin(10)},
		{"the seventh eight", failsAt(0, 1, 2, 3, 4, 6, 10), loginMin(10), true, loginMin(18)},
		{"the eighth fifteen", failsAt(0, 1, 2, 3, 4, 6, 10, 18), loginMin(18), true, loginMin(33)},
		{"and fifteen from then on", failsAt(0, 1, 2, 3, 4, 6, 10, 18, 33), loginMin(47), true, loginMin(48)},
		{"failures older than the memory do not count", append(failsAt(1440, 1441, 1442), failsAt(0, 1)...), loginMin(1442), false, time.Time{}},
		{"no failures", nil, loginMin(0), false, time.Time{}},
	} {
		until, delayed := LoginRetryAt(c.fails, LoginPairFree, c.now)
		if delayed != c.delayed || !until.Equal(c.until) {
			t.Errorf("%s: %v, %v; want %v, %v", c.name, until, delayed, c.until, c.delayed)
		}
	}
}

func TestLoginHistoryThrottlesByPairAccountAndAddressButNotAKnownDevicesOwner(t *testing.T) {
	pair := func(ms ...float64) []LoginAttempt {
		var out []LoginAttempt
		for _, f := range failsAt(ms...) {
			out = append(out, LoginAttempt{At: f})
		}
		return out
	}
	success := func(m float64) LoginAttempt { return LoginAttempt{At: loginMin(m), OK: true} }
	now := loginMin(10)
	for _, c := range []struct {
		name  string
		h     LoginHistory
		until time.Time
		by    LoginLimit
	}{
		{"nothing", LoginHistory{}, time.Time{}, ""},
		{"the pair's fifth failure", LoginHistory{Pair: pair(5, 6, 7, 8, 9)}, loginMin(11), LoginLimitPair},
		{"a success of the pair ends its count", LoginHistory{Pair: append(pair(9, 9.5), append([]LoginAttempt{success(8)}, pair(5, 6, 7)...)...)}, time.Time{}, ""},
		{"five anonymous failures of an account elsewhere", LoginHistory{Account: nFails(5, 9)}, time.Time{}, ""},
		{"a botnet's eleventh failure of the account", LoginHistory{Account: nFails(11, 9.5)}, loginMin(10.5), LoginLimitAccount},
		{"an address's twentieth failure is free", LoginHistory{Addr: nFails(20, 9)}, time.Time{}, ""},
		{"an address's twenty-fifth", LoginHistory{Addr: nFails(25, 9)}, loginMin(24), LoginLimitAddr},
		{"the latest delay wins", LoginHistory{Pair: pair(5, 6, 7, 8, 9), Addr: nFails(25, 9)}, loginMin(24), LoginLimitAddr},
		{"a known device skips the account and the address", LoginHistory{KnownDevice: true, Account: nFails(30, 9.9), Addr: nFails(30, 9.9)}, time.Time{}, ""},
		{"but not its own pair", LoginHistory{KnownDevice: true, Pair: pair(5, 6, 7, 8, 9), Addr: nFails(30, 9.9)}, loginMin(11), LoginLimitPair},
	} {
		until, by, ok := c.h.Throttle(now)
		if ok != !c.until.IsZero() || !until.Equal(c.until) || by != c.by {
			t.Errorf("%s: %v, %q, %v; want %v, %q", c.name, until, by, ok, c.until, c.by)
		}
	}
}

func TestAccountThrottleShowsTheOwnersDelays(t *testing.T) {
	at := func(addr string, m float64, ok bool) LoginAttempt {
		return LoginAttempt{Username: "u", Addr: addr, At: loginMin(m), OK: ok}
	}
	now := loginMin(10)
	for _, c := range []struct {
		name     string
		attempts []LoginAttempt // newest first
		until    time.Time
	}{
		{"nothing", nil, time.Time{}},
		{"a few failures from two addresses", []LoginAttempt{at("a", 9, false), at("b", 8, false), at("a", 7, false), at("b", 6, false)}, time.Time{}},
		{"one address's fifth", []LoginAttempt{at("a", 9, false), at("b", 8.5, false), at("a", 8, false), at("a", 7, false), at("a", 6, false), at("a", 5, false)}, loginMin(11)},
		{"ended by a success there", []LoginAttempt{at("a", 9, false), at("a", 8.5, true), at("a", 8, false), at("a", 7, false), at("a", 6, false), at("a", 5, false)}, time.Time{}},
		{"eleven from eleven addresses", func() []LoginAttempt {
			var out []LoginAttempt
			for i := range 11 {
				out = append(out, at(string(rune('a'+i)), 9.5-float64(i)/60, false))
			}
			return out
		}(), loginMin(10.5)},
	} {
		until, ok := AccountThrottle(c.attempts, now)
		if ok != !c.until.IsZero() || !until.Equal(c.until) {
			t.Errorf("%s: %v, %v; want %v", c.name, until, ok, c.until)
		}
	}
}

func TestCanManageKeepsToScopeAndRank(t *testing.T) {
	admin := &User{ID: 1, Role: RoleDistrictAdmin, ScopeCode: "140499"}
	jiedao := &User{ID: 2, Role: RoleSubdistrictStaff, ScopeCode: "140499001"}
	staff := &User{ID: 3, Role: RoleCommunityStaff, ScopeCode: "140499001001"}
	elsewhere := &User{ID: 4, Role: RoleCommunityStaff, ScopeCode: "140499002001"}
	oddAdmin := &User{ID: 5, Role: RoleDistrictAdmin, ScopeCode: "140499001"}
	peer := &User{ID: 6, Role: RoleSubdistrictStaff, ScopeCode: "140499001"}
	for _, c := range []struct {
		name   string
		by, of *User
		code   string
	}{
		{"admin resets staff", admin, staff, ""},
		{"admin resets a sub-district's staff", admin, jiedao, ""},
		{"admin resets another admin in scope", admin, oddAdmin, ""},
		{"sub-district staff reset community staff", jiedao, staff, ""},
		{"sub-district staff reset their peer", jiedao, peer, ""},
		{"sub-district staff cannot see another sub-district", jiedao, elsewhere, ENotFound},
		{"sub-district staff cannot see the district admin", jiedao, admin, ENotFound},
		{"sub-district staff cannot reset a district admin", jiedao, oddAdmin, EForbidden},
		{"community staff manage no one", staff, staff, EForbidden},
		{"no one resets themselves here", admin, admin, EForbidden},
	} {
		if got := ErrorCode(c.by.CanManage(c.of)); got != c.code {
			t.Errorf("%s: %q, want %q", c.name, got, c.code)
		}
	}
}

func TestOnlyStaffRolesUseTOTP(t *testing.T) {
	for r, want := range map[Role]bool{RoleDistrictAdmin: true, RoleSubdistrictStaff: true, RoleCommunityStaff: true, RoleAuditor: true,
		RoleAssistant: false, RoleBuildingHead: false, RoleDepartment: false} {
		if r.CanUseTOTP() != want {
			t.Errorf("%s: CanUseTOTP %v, want %v", r, !want, want)
		}
	}
}
