package ui

import (
	"context"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/passwd"
)

// TestKeyGroupListsFollowTheRole: a community's elderly list shows the
// members with the group's attributes to staff; the civil-affairs
// department sees its own line's list; a group of another line is not
// found for it.
func TestKeyGroupListsFollowTheRole(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, u := range []wangge.User{
		{Username: "mz", Role: wangge.RoleDepartment, ScopeCode: district, Line: wangge.LineCivil},
		{Username: "zz", Role: wangge.RoleDepartment, ScopeCode: district, Line: wangge.LineOrder},
	} {
		u.PasswordHash = passwd.Hash(password, passwd.Params{Memory: 1024, Time: 1, Threads: 1})
		if err := f.store.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	h := f.server(t).Handler()
	list := "/areas/" + communityA + "/groups/elderly"
	scenario{URL: list, As: "dongyuan", Status: 200, Contains: []string{"张建国", "空巢", "李秀英", `data-count="members">2<`, `data-counted="elderly">老年人按出生日期计算：年满 60 周岁即计入`}}.Run(t, h)
	scenario{URL: list, As: "mz", Status: 200, Contains: []string{"张建国", "空巢"}}.Run(t, h)
	scenario{URL: list, As: "zz", Status: 404, Excludes: []string{"张建国"}}.Run(t, h)
	scenario{URL: "/areas/" + communityA + "/groups/nonsense", As: "dongyuan", Status: 404}.Run(t, h)
	scenario{URL: "/areas/" + communityB + "/groups/elderly", As: "dongyuan", Status: 404}.Run(t, h)
}
