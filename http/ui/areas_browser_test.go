package ui

import (
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wangge/wangge/ident"
)

// TestBrowserWalksDistrictToHousehold logs in through the form in a real
// browser and clicks down the region tree, from the district to a
// household, checking each page's name and counts; the household page must
// show the persons' ID numbers masked.
func TestBrowserWalksDistrictToHousehold(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	ts := httptest.NewServer(f.server(t).Handler())
	t.Cleanup(ts.Close)

	do, text := browserPage{t, ctx}.do, browserPage{t, ctx}.text
	// click follows a link and waits for the page it loads.
	click := func(sel string) {
		t.Helper()
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("click %s: %v", sel, err)
		}
		if resp.Status != 200 {
			t.Fatalf("click %s: status %d", sel, resp.Status)
		}
	}
	// expect checks the page's heading and counts.
	expect := func(page, h1 string, counts map[string]int) {
		t.Helper()
		do("wait for "+page, chromedp.WaitVisible(chromedp.CSS(page)))
		if got := text("main h1"); got != h1 {
			t.Errorf("%s: heading %q, want %q", page, got, h1)
		}
		for name, n := range counts {
			if got := text(fmt.Sprintf(`%s [data-count="%s"] dd`, page, name)); got != fmt.Sprint(n) {
				t.Errorf("%s: %s %s, want %d", page, name, got, n)
			}
		}
	}
	shots := os.Getenv("WANGGE_SCREENSHOT_DIR")
	shoot := browserPage{t, ctx}.shoot

	// Any page sends a stranger to the login form; logging in comes back.
	do("open", chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.ID("username")))
	if shots != "" {
		shoot("login")
	}
	do("fill the login form",
		chromedp.SendKeys(chromedp.ID("username"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), password))
	click(`form.form button[type="submit"]`)

	expect(`section[data-code="`+district+`"]`, "示范城区",
		map[string]int{"subdistricts": 1, "communities": 2, "grids": 2, "buildings": 3, "households": 4, "persons": 7, "units": 1})
	if who := text(".who"); !strings.Contains(who, "区管理员甲") || !strings.Contains(who, "区管理员") {
		t.Errorf("header shows %q, want the user's name and role", who)
	}
	shoot("district")

	click(`tr[data-area="` + subdistrict + `"] a`)
	expect(`section[data-code="`+subdistrict+`"]`, "示范街道", map[string]int{"communities": 2, "households": 4, "persons": 7})

	click(`tr[data-area="` + communityA + `"] a`)
	expect(`section[data-code="`+communityA+`"]`, "东苑社区", map[string]int{"grids": 1, "buildings": 2, "households": 3, "persons": 5})

	click(`tr[data-area="` + gridA + `"] a`)
	expect(`section[data-code="`+gridA+`"]`, "东苑第一网格", map[string]int{"buildings": 2, "households": 3, "persons": 5, "units": 1})
	if got := text("[data-assistant]"); got != "周敏" {
		t.Errorf("grid assistant %q, want 周敏", got)
	}
	// 张建国 and 李秀英 are both over 60: elderly by age.
	if got := text(`[data-group="elderly"] .group-count`); got != "2" {
		t.Errorf("elderly count %q, want 2", got)
	}
	shoot("grid")

	click(fmt.Sprintf(`tr[data-building="%d"] a`, f.buildingA1.ID))
	expect(fmt.Sprintf(`section[data-id="%d"]`, f.buildingA1.ID), "东苑1号楼", map[string]int{"households": 2})
	shoot("building")

	click(fmt.Sprintf(`tr[data-household="%d"] a`, f.householdA1.ID))
	do("wait for the household", chromedp.WaitVisible(chromedp.CSS("table.persons")))
	if got := text("main h1"); got != "东苑1号楼 1单元101室" {
		t.Errorf("household heading %q", got)
	}
	persons := text("table.persons")
	for _, name := range []string{"张建国", "李秀英", "张伟"} {
		if !strings.Contains(persons, name) {
			t.Errorf("household lacks %s", name)
		}
	}
	for _, id := range f.ids[:3] {
		if !strings.Contains(persons, ident.MaskID(id)) {
			t.Errorf("household lacks the masked ID %s", ident.MaskID(id))
		}
	}
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range append(append([]string{}, f.ids...), f.phones...) {
		if strings.Contains(html, secret) {
			t.Errorf("household page shows %s in full", secret)
		}
	}
	shoot("household")

	// The English switch keeps the reader on the same page.
	click(".lang-switch")
	do("wait for English", chromedp.WaitVisible(chromedp.CSS("table.persons")))
	if got := text("main h1"); got != "东苑1号楼 Entrance 1, room 101" {
		t.Errorf("English heading %q", got)
	}
	if got := text(".lang-switch"); got != "中文" {
		t.Errorf("language switch in English reads %q, want 中文", got)
	}
	shoot("household-en")
}
