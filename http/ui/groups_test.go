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
	scenario{url: list, as: "dongyuan", status: 200, contains: []string{"张建国", "空巢", "李秀英", `data-count="members">2<`, `data-counted="elderly">老年人按出生日期计算：年满 60 周岁即计入`}}.run(t, h)
	scenario{url: list, as: "mz", status: 200, contains: []string{"张建国", "空巢"}}.run(t, h)
	scenario{url: list, as: "zz", status: 404, excludes: []string{"张建国"}}.run(t, h)
	scenario{url: "/areas/" + communityA + "/groups/nonsense", as: "dongyuan", status: 404}.run(t, h)
	scenario{url: "/areas/" + communityB + "/groups/elderly", as: "dongyuan", status: 404}.run(t, h)
}
