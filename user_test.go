package wangge

import (
	"errors"
	"testing"
)

// TestAccountScopeFitsItsRole: an account's scope is an area of the level
// its role works at, wherever it is made or changed (Validate); an
// "assistant" over the whole district is refused, naming the field.
func TestAccountScopeFitsItsRole(t *testing.T) {
	codes := map[Level]string{LevelDistrict: "140499", LevelSubdistrict: "140499001", LevelCommunity: "140499001001", LevelGrid: "140499001001001"}
	fits := map[Role][]Level{
		RoleDistrictAdmin: {LevelDistrict}, RoleAuditor: {LevelDistrict},
		RoleDepartment:       {LevelDistrict, LevelSubdistrict},
		RoleSubdistrictStaff: {LevelSubdistrict}, RoleCommunityStaff: {LevelCommunity},
		RoleAssistant: {LevelGrid}, RoleBuildingHead: {LevelGrid},
	}
	for _, r := range Roles {
		for l, code := range codes {
			u := &User{Username: "test.user", Role: r, ScopeCode: code, Line: LineCivil}
			err := u.Validate()
			want := false
			for _, x := range fits[r] {
				want = want || x == l
			}
			if (err == nil) != want {
				t.Errorf("%s over a %s: %v, want ok=%v", r, l, err, want)
			}
			var e *Error
			if err != nil && (!errors.As(err, &e) || e.Field != "scope_code" || e.Key != "error.user.scope_level") {
				t.Errorf("%s over a %s: %#v", r, l, err)
			}
		}
	}
	if len(fits) != len(Roles) {
		t.Errorf("a role without its levels in this test")
	}
}
