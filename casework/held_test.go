package casework

import (
	"testing"

	"github.com/wangge/wangge"
)

func TestMayPlaceHeldOnlyDispatchingStaff(t *testing.T) {
	for _, tc := range []struct {
		role wangge.Role
		want bool
	}{
		{wangge.RoleCommunityStaff, true},
		{wangge.RoleSubdistrictStaff, true},
		{wangge.RoleDistrictAdmin, true},
		{wangge.RoleSystem, true},
		{wangge.RoleAssistant, false},
		{wangge.RoleBuildingHead, false},
		{wangge.RoleDepartment, false},
		{wangge.RoleAuditor, false},
		{wangge.RoleResident, false},
		{"", false},
	} {
		if got := MayPlaceHeld(tc.role); got != tc.want {
			t.Errorf("MayPlaceHeld(%q) = %v, want %v", tc.role, got, tc.want)
		}
	}
}

func TestValidDismissReasonOnlyListed(t *testing.T) {
	for _, tc := range []struct {
		reason string
		want   bool
	}{
		{"spam", true}, {"duplicate", true}, {"outside", true}, {"unclear", true},
		{"", false}, {"Spam", false}, {"because", false},
	} {
		if got := ValidDismissReason(tc.reason); got != tc.want {
			t.Errorf("ValidDismissReason(%q) = %v, want %v", tc.reason, got, tc.want)
		}
	}
}
