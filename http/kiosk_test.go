package http

import (
	"context"
	"fmt"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/passwd"
	"github.com/wangge/wangge/sqldb"
)

// TestKioskFindsTheGridByAddress: anyone types a building or street and
// gets the grid, its assistant's name and work phone, and the services;
// nothing personal appears, and the page resets itself when idle.
func TestKioskFindsTheGridByAddress(t *testing.T) {
	f := newFixture(t)
	if err := f.store.(*sqldb.DB).SeedServices(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := f.server(t).Handler()
	scenario{url: "/kiosk", status: 200, contains: []string{`name="q"`, `data-idle-reset="/kiosk"`, `kiosk.js`}, excludes: []string{`class="top"`}}.run(t, h)
	scenario{url: "/kiosk?q=东苑1号", status: 200,
		contains: []string{"东苑1号楼", "东苑第一网格", fmt.Sprintf(`href="/kiosk/grids/%s"`, gridA)},
		excludes: []string{"西苑", "张建国"}}.run(t, h)
	scenario{url: "/kiosk?q=不存在的楼", status: 200, contains: []string{"没有找到"}}.run(t, h)
	scenario{url: "/kiosk/grids/" + gridA, status: 200,
		contains: []string{"东苑第一网格", "周敏", "0355-2021001", `href="tel:`, "社区百项服务", "最低生活保障"},
		excludes: []string{"13512345672", "135****", "张建国", "1499"}}.run(t, h)
	scenario{url: "/kiosk/grids/" + gridB, status: 200, contains: []string{"西苑第一网格", "暂无协理员"}}.run(t, h)
	scenario{url: "/kiosk/grids/140499001", status: 404}.run(t, h)
	scenario{url: "/kiosk/grids/140499009009009", status: 404}.run(t, h)
}

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
	scenario{url: list, as: "dongyuan", status: 200, contains: []string{"张建国", "空巢", `data-count="members">1<`}}.run(t, h)
	scenario{url: list, as: "mz", status: 200, contains: []string{"张建国", "空巢"}}.run(t, h)
	scenario{url: list, as: "zz", status: 404, excludes: []string{"张建国"}}.run(t, h)
	scenario{url: "/areas/" + communityA + "/groups/nonsense", as: "dongyuan", status: 404}.run(t, h)
	scenario{url: "/areas/" + communityB + "/groups/elderly", as: "dongyuan", status: 404}.run(t, h)
}
