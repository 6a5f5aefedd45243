package http

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"github.com/wangge/wangge/ident"
)

// chromiumPath is Debian's chromium, which the browser tests drive.
const chromiumPath = "/usr/bin/chromium"

// browserPage runs actions in a test's browser, failing the test on error.
type browserPage struct {
	t   *testing.T
	ctx context.Context
}

func (b browserPage) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// text returns the trimmed text of the first element matching sel.
func (b browserPage) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// newBrowser starts headless Chromium for t, or skips t when there is none
// (fails instead when WANGGE_REQUIRE_BROWSER=1, as in CI).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("WANGGE_REQUIRE_BROWSER") == "1" {
			t.Fatalf("WANGGE_REQUIRE_BROWSER=1 but %s is missing: %v", chromiumPath, err)
		}
		t.Skipf("no browser at %s (apt-get install chromium); set WANGGE_REQUIRE_BROWSER=1 to make this fatal", chromiumPath)
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

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

// shoot saves the page as name-desktop.png and name-phone.png in
// $WANGGE_SCREENSHOT_DIR, when it is set: pictures to review a page by.
func (b browserPage) shoot(name string) {
	b.t.Helper()
	dir := os.Getenv("WANGGE_SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	for _, d := range []struct {
		suffix string
		dev    chromedp.Device
	}{{"desktop", desktop}, {"phone", device.IPhone12}} {
		b.do("emulate "+d.suffix, chromedp.Emulate(d.dev), chromedp.Reload(), chromedp.Sleep(500*time.Millisecond))
		png, err := chromedp.Run(b.ctx, fullPage())
		if err != nil {
			b.t.Fatalf("screenshot: %v", err)
		}
		path := filepath.Join(dir, name+"-"+d.suffix+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			b.t.Fatal(err)
		}
		b.t.Logf("screenshot %s", path)
	}
	b.do("emulate desktop", chromedp.Emulate(desktop), chromedp.Reload())
}

// desktop is a 1280×800 laptop screen.
var desktop = device.Info{Name: "desktop", Width: 1280, Height: 800, Scale: 1}

// fullPage captures the whole page, not just the viewport, as PNG.
func fullPage() chromedp.Action[[]byte] {
	return func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		m, err := cdp.Call(ctx, t, page.GetLayoutMetrics, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			CaptureBeyondViewport: new(true),
			Clip:                  &page.Viewport{Width: m.CSSContentSize.Width, Height: m.CSSContentSize.Height, Scale: 1},
		})
		if err != nil {
			return nil, err
		}
		return r.Data, nil
	}
}
