package webtest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
)

// chromiumPath is Debian's chromium, which the browser tests drive.
const chromiumPath = "/usr/bin/chromium"

// Page runs actions in a test's browser, failing the test on error.
type Page struct {
	T   *testing.T
	Ctx context.Context
}

// Do runs the actions, failing the test with what on error.
func (b Page) Do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.T.Helper()
	if err := chromedp.Do(b.Ctx, actions...); err != nil {
		b.T.Fatalf("%s: %v", what, err)
	}
}

// Text returns the trimmed text of the first element matching sel.
func (b Page) Text(sel string) string {
	b.T.Helper()
	s, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.T.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// NewBrowser starts headless Chromium for t, or skips t when there is none
// (fails instead when WANGGE_REQUIRE_BROWSER=1, as in CI).
func NewBrowser(t *testing.T) context.Context {
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

// Shoot saves the page as name-desktop.png and name-phone.png in
// $WANGGE_SCREENSHOT_DIR, when it is set: pictures to review a page by.
func (b Page) Shoot(name string) {
	b.T.Helper()
	dir := os.Getenv("WANGGE_SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	for _, d := range []struct {
		suffix string
		dev    chromedp.Device
	}{{"desktop", Desktop}, {"phone", device.IPhone12}} {
		b.Do("emulate "+d.suffix, chromedp.Emulate(d.dev), chromedp.Reload(), chromedp.Sleep(500*time.Millisecond))
		png, err := chromedp.Run(b.Ctx, FullPage())
		if err != nil {
			b.T.Fatalf("screenshot: %v", err)
		}
		path := filepath.Join(dir, name+"-"+d.suffix+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			b.T.Fatal(err)
		}
		b.T.Logf("screenshot %s", path)
	}
	b.Do("emulate desktop", chromedp.Emulate(Desktop), chromedp.Reload())
}

// Desktop is a 1280×800 laptop screen.
var Desktop = device.Info{Name: "desktop", Width: 1280, Height: 800, Scale: 1}

// FullPage captures the whole page, not just the viewport, as PNG.
func FullPage() chromedp.Action[[]byte] {
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
