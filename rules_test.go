package wangge

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckReasonTrimsAndBoundsTheLength(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"搬家", "搬家", true},
		{"  整户迁往西苑  ", "整户迁往西苑", true},
		{"", "", false},
		{"   ", "", false},
		{"空", "", false},
		{"\u3000空\u3000", "", false},
		{strings.Repeat("因", ReasonMaxRunes), strings.Repeat("因", ReasonMaxRunes), true},
		{strings.Repeat("因", ReasonMaxRunes+1), "", false},
	} {
		got, err := CheckReason(c.in)
		if c.ok != (err == nil) || got != c.want {
			t.Errorf("CheckReason(%q) = %q, %v; want %q, ok %v", c.in, got, err, c.want, c.ok)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Field != "reason" || e.Code != EInvalid {
				t.Errorf("CheckReason(%q): %v, want an invalid reason field", c.in, err)
			}
		}
	}
}

func TestCheckRevealRateStopsAtTheLimitExceptForTheSystem(t *testing.T) {
	staff := Actor{Username: "sq", Role: RoleCommunityStaff}
	for _, c := range []struct {
		a    Actor
		n    int
		code string
	}{
		{staff, 0, ""},
		{staff, RevealsPerHour - 1, ""},
		{staff, RevealsPerHour, ERateLimited},
		{staff, RevealsPerHour + 10, ERateLimited},
		{Actor{Username: "cli", Role: RoleSystem}, RevealsPerHour * 10, ""},
	} {
		if got := ErrorCode(CheckRevealRate(c.a, c.n)); got != c.code {
			t.Errorf("%s after %d reveals: %q, want %q", c.a.Role, c.n, got, c.code)
		}
	}
}

func TestCheckExportRateStopsAtTheLimitExceptForTheSystem(t *testing.T) {
	staff := Actor{Username: "sq", Role: RoleCommunityStaff}
	for _, c := range []struct {
		a    Actor
		n    int
		code string
	}{
		{staff, 0, ""},
		{staff, PersonalExportsPerHour - 1, ""},
		{staff, PersonalExportsPerHour, ERateLimited},
		{staff, PersonalExportsPerHour + 3, ERateLimited},
		{Actor{Username: "cli", Role: RoleSystem}, PersonalExportsPerHour * 10, ""},
	} {
		if got := ErrorCode(CheckExportRate(c.a, c.n)); got != c.code {
			t.Errorf("%s after %d exports: %q, want %q", c.a.Role, c.n, got, c.code)
		}
	}
}

func TestPlaceBuildingFollowsTheLocationUnlessAReasonIsGiven(t *testing.T) {
	const a, b = "140499001001001", "140499001001002"
	for _, c := range []struct {
		name, given, located, reason string
		want, field                  string
	}{
		{"location decides", "", a, "", a, ""},
		{"given agrees", a, a, "", a, ""},
		{"no outlines: given stands", a, "", "", a, ""},
		{"nothing at all", "", "", "", "", "grid_code"},
		{"against the location", b, a, "", "", "grid_reason"},
		{"against, blank reason", b, a, "  ", "", "grid_reason"},
		{"against, with a reason", b, a, "产权单位统一管理", b, ""},
	} {
		got, err := PlaceBuilding(c.given, c.located, c.reason)
		var field string
		if e, ok := err.(*Error); ok {
			field = e.Field
		} else if err != nil {
			t.Fatalf("%s: %v is not a domain error", c.name, err)
		}
		if got != c.want || field != c.field {
			t.Errorf("%s: got %q (field %q), want %q (field %q)", c.name, got, field, c.want, c.field)
		}
	}
}

func TestCheckPlanRefusesWhatAPlanCannotBe(t *testing.T) {
	ok := []GridPlan{{Buildings: []int64{1, 2}}, {Buildings: []int64{3}, Name: "新网格"}}
	tooMany := make([]GridPlan, MaxPlanGrids+1)
	for i := range tooMany {
		tooMany[i].Buildings = []int64{int64(i + 1)}
	}
	for _, c := range []struct {
		name string
		plan []GridPlan
		ok   bool
	}{
		{"good", ok, true},
		{"empty", nil, false},
		{"too many grids", tooMany, false},
		{"a grid without buildings", []GridPlan{{Buildings: []int64{1}}, {}}, false},
		{"a building twice", []GridPlan{{Buildings: []int64{1, 2}}, {Buildings: []int64{2}}}, false},
		{"a long name", []GridPlan{{Buildings: []int64{1}, Name: strings.Repeat("网", 101)}}, false},
	} {
		err := CheckPlan(c.plan)
		if (err == nil) != c.ok {
			t.Errorf("%s: %v, want ok %v", c.name, err, c.ok)
		}
		if err != nil && ErrorCode(err) != EInvalid {
			t.Errorf("%s: code %s, want invalid", c.name, ErrorCode(err))
		}
	}
}

func TestMayChangeNeedsTheCodeInScopeAndPeople(t *testing.T) {
	const grid, other = "140499001001001", "140499001002001"
	for _, c := range []struct {
		name string
		s    Scope
		code string
		want bool
	}{
		{"own grid", ScopeOf(grid), grid, true},
		{"another grid", ScopeOf(grid), other, false},
		{"community over its grid", ScopeOf("140499001001"), grid, true},
		{"all", ScopeAll(), other, true},
		{"zero", Scope{}, grid, false},
		{"building head", (&User{Role: RoleBuildingHead, ScopeCode: grid}).Scope(), grid, false},
		{"department", (&User{Role: RoleDepartment, ScopeCode: "140499", Line: LineCivil}).Scope(), grid, false},
		{"auditor", (&User{Role: RoleAuditor, ScopeCode: "140499"}).Scope(), grid, false},
		{"assistant", (&User{Role: RoleAssistant, ScopeCode: grid}).Scope(), grid, true},
	} {
		if got := c.s.MayChange(c.code); got != c.want {
			t.Errorf("%s: MayChange(%s) = %v, want %v", c.name, c.code, got, c.want)
		}
	}
}

// TestCheckImportRowsStopsAtTheScopesAllowance: a user's import checks stop
// at their scope level's rows a day; the operator is not held.
func TestCheckImportRowsStopsAtTheScopesAllowance(t *testing.T) {
	grid := ScopeOf("140499001001001")
	community := ScopeOf("140499001001")
	staff := Actor{Username: "a", Role: RoleCommunityStaff}
	for _, c := range []struct {
		a           Actor
		s           Scope
		used, rows  int
		wantRefused bool
	}{
		{staff, grid, 0, ImportCheckRowsPerDay[LevelGrid], false},
		{staff, grid, 1, ImportCheckRowsPerDay[LevelGrid], true},
		{staff, community, ImportCheckRowsPerDay[LevelGrid], 1000, false},
		{staff, community, ImportCheckRowsPerDay[LevelCommunity], 1, true},
		{staff, Scope{}, 0, 1, true},
		{Actor{Username: "cli:root", Role: RoleSystem}, grid, 1 << 30, 1000, false},
	} {
		err := CheckImportRows(c.a, c.s, c.used, c.rows)
		if (ErrorCode(err) == ERateLimited) != c.wantRefused || err != nil && !c.wantRefused {
			t.Errorf("%s over %q, %d used, %d more: %v", c.a.Role, c.s.Prefix(), c.used, c.rows, err)
		}
	}
}

// TestCheckIntakeRate: each kind is refused at its limit and not before;
// an unknown kind is refused outright.
func TestCheckIntakeRate(t *testing.T) {
	tests := []struct {
		kind      string
		hour, day int
		code, key string
	}{
		{IntakeAddr, IntakePerAddrHour - 1, IntakePerAddrHour - 1, "", ""},
		{IntakeAddr, IntakePerAddrHour, IntakePerAddrHour, ERateLimited, "error.intake.rate_hour"},
		{IntakeAddr, 0, IntakePerAddrDay - 1, "", ""},
		{IntakeAddr, 0, IntakePerAddrDay, ERateLimited, "error.intake.rate_day"},
		{IntakePhone, 100, IntakePerPhoneDay - 1, "", ""},
		{IntakePhone, 0, IntakePerPhoneDay, ERateLimited, "error.intake.rate_phone"},
		{IntakeKey, IntakePerKeyHour - 1, 100000, "", ""},
		{IntakeKey, IntakePerKeyHour, IntakePerKeyHour, ERateLimited, "error.intake.rate_hour"},
		{"cookie", 0, 0, EInvalid, "error.intake.limit_kind"},
		{"", 0, 0, EInvalid, "error.intake.limit_kind"},
	}
	for _, tc := range tests {
		err := CheckIntakeRate(tc.kind, tc.hour, tc.day)
		if tc.code == "" {
			if err != nil {
				t.Errorf("%s %d/%d: %v, want allowed", tc.kind, tc.hour, tc.day, err)
			}
			continue
		}
		e, ok := err.(*Error)
		if !ok || e.Code != tc.code || e.Key != tc.key {
			t.Errorf("%s %d/%d: %v, want %s %s", tc.kind, tc.hour, tc.day, err, tc.code, tc.key)
		}
	}
}
