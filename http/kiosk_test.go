package http

import (
	"context"
	"fmt"
	"testing"

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
