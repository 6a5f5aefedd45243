package ui

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
)

// pdfPage matches a page object of a PDF (not the /Pages tree).
var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

// TestBrowserDoorPlatePrintsOnePlateAPage opens a building's door plate in
// a real browser: the QR code is drawn, square and large enough to scan;
// printed, the header and navigation disappear, and a community's plates
// come out one to a page on A5 and on A4.
func TestBrowserDoorPlatePrintsOnePlateAPage(t *testing.T) {
	ctx := newBrowser(t)
	f := plateFixture(t)
	ts := httptest.NewServer(f.server(t).Handler())
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}

	// The plate asks a stranger to log in, then comes back.
	b.do("open the plate", chromedp.Navigate(fmt.Sprintf("%s/buildings/%d/plate", ts.URL, f.buildingA1.ID)), chromedp.WaitVisible(chromedp.ID("username")))
	b.do("log in",
		chromedp.SendKeys(chromedp.ID("username"), "dongyuan"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".plate svg.qr")))
	if got := b.text(".plate-name"); got != "周敏" {
		t.Errorf("assistant %q, want 周敏", got)
	}
	if got := b.text(".plate-phone a"); got != "0355-2021001" {
		t.Errorf("work phone %q", got)
	}
	type box struct{ W, H float64 }
	qrBox := func() box {
		t.Helper()
		r, err := chromedp.Run(ctx, chromedp.Evaluate[box](`(function () {
			var r = document.querySelector(".plate svg.qr").getBoundingClientRect();
			return {W: r.width, H: r.height};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	display := func(sel string) string {
		t.Helper()
		d, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`getComputedStyle(document.querySelector(%q)).display`, sel)))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	shots := os.Getenv("WANGGE_SCREENSHOT_DIR")
	shoot := func(name string, dev chromedp.Device) {
		t.Helper()
		if shots == "" {
			return
		}
		b.do("emulate "+name, chromedp.Emulate(dev))
		png, err := chromedp.Run(ctx, fullPage())
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		path := filepath.Join(shots, "plate-"+name+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s", path)
	}
	shoot("phone", device.IPhone12)
	shoot("desktop", desktop)
	if q := qrBox(); q.W < 120 || q.W != q.H {
		t.Errorf("on screen the QR code is %.0f×%.0f px, want a square of at least 120", q.W, q.H)
	}
	if d := display("header.top"); d == "none" {
		t.Error("on screen the header is hidden")
	}

	media := func(m string) {
		b.do("emulate "+m+" media", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
			return chromedp.Void{}, err
		})
	}
	media("print")
	for _, sel := range []string{"header.top", "nav.crumbs", ".plates-screen", "footer.foot"} {
		if d := display(sel); d != "none" {
			t.Errorf("printed, %s shows (display %s)", sel, d)
		}
	}
	if q := qrBox(); q.W < 150 || q.W != q.H {
		t.Errorf("printed, the QR code is %.0f×%.0f px, want a square of at least 150 (4 cm)", q.W, q.H)
	}
	// A5 at 96 dpi less the default 1 cm margins.
	shoot("print-a5", device.Info{Name: "A5", Width: 484, Height: 718, Scale: 1})
	b.do("emulate desktop", chromedp.Emulate(desktop))
	media("")

	// A community's two plates, printed on A5 and on A4: two pages each.
	b.do("open the community's plates", chromedp.Navigate(ts.URL+"/areas/"+communityA+"/plates"), chromedp.WaitVisible(chromedp.CSS(".plate + .plate svg.qr")))
	for _, paper := range []struct {
		name string
		w, h float64 // inches
	}{{"A5", 5.83, 8.27}, {"A4", 8.27, 11.69}} {
		pdf, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
			r, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: paper.w, PaperHeight: paper.h})
			if err != nil {
				return nil, err
			}
			return r.Data, nil
		})
		if err != nil {
			t.Fatalf("print to PDF on %s: %v", paper.name, err)
		}
		if n := len(pdfPage.FindAll(pdf, -1)); n != 2 {
			t.Errorf("two plates print on %d pages of %s, want 2", n, paper.name)
		}
		if dir := os.Getenv("WANGGE_SCREENSHOT_DIR"); dir != "" {
			path := filepath.Join(dir, "plates-"+paper.name+".pdf")
			if err := os.WriteFile(path, pdf, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("printed %s", path)
		}
	}
}
