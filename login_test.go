package wangge

import (
	"testing"
	"time"
)

func TestLockedUntilLocksForFifteenMinutesFromTheFifthFailure(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	min := func(m float64) time.Time { return t0.Add(time.Duration(m * float64(time.Minute))) }
	// newest first, as the store returns them
	fails := func(ms ...float64) []time.Time {
		var out []time.Time
		for i := len(ms) - 1; i >= 0; i-- {
			out = append(out, min(ms[i]))
		}
		return out
	}
	for _, c := range []struct {
		name   string
		fails  []time.Time
		now    time.Time
		locked bool
		until  time.Time
	}{
		{"four failures lock nothing", fails(0, 1, 2, 3), min(4), false, time.Time{}},
		{"the fifth within 15 minutes locks", fails(0, 1, 2, 3, 4), min(4), true, min(19)},
		{"locked until 15 minutes after the fifth", fails(0, 1, 2, 3, 4), min(18.9), true, min(19)},
		{"released 15 minutes after the fifth", fails(0, 1, 2, 3, 4), min(19), false, time.Time{}},
		{"five failures spread over more than 15 minutes lock nothing", fails(0, 4, 8, 12, 16), min(16), false, time.Time{}},
		{"the last five of many count", fails(0, 4, 8, 12, 16, 17), min(17), true, min(32)},
		{"no failures", nil, min(0), false, time.Time{}},
	} {
		until, locked := LockedUntil(c.fails, LoginMaxAccountFailures, c.now)
		if locked != c.locked || !until.Equal(c.until) {
			t.Errorf("%s: %v, %v; want %v, %v", c.name, until, locked, c.until, c.locked)
		}
	}
	if LoginMaxAccountFailures != 5 || LoginMaxAddrFailures != 20 || LoginWindow != 15*time.Minute || LoginLockout != 15*time.Minute {
		t.Error("the policy's numbers changed: update the documentation and the tests that rely on them")
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
