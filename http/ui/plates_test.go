package ui

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
)

// plateFixture is the test district with grid A's service area and its
// assistant's photo filled in, as a community would before printing plates.
func plateFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	ctx := context.Background()
	a, err := f.store.Area(ctx, gridA)
	if err != nil {
		t.Fatal(err)
	}
	a.ServiceArea = "东苑小区 1–2 号楼"
	if err := f.store.UpdateArea(ctx, a); err != nil {
		t.Fatal(err)
	}
	as, err := f.store.GridAssistant(ctx, gridA)
	if err != nil {
		t.Fatal(err)
	}
	as.PhotoURL = "/static/photos/zhoumin.jpg"
	if err := f.store.UpdateAssistant(ctx, as); err != nil { // the masked phone is kept
		t.Fatal(err)
	}
	return f
}

// qrIn returns the first inline SVG of an HTML body.
func qrIn(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, "<svg")
	j := strings.Index(body, "</svg>")
	if i < 0 || j < i {
		t.Fatalf("the page has no inline SVG")
	}
	return body[i : j+len("</svg>")]
}

// wantQR returns the SVG of a QR code of url as the plates draw it.
func wantQR(t *testing.T, url string) string {
	t.Helper()
	svg, err := qrSVG(url, "扫码查看本网格服务")
	if err != nil {
		t.Fatal(err)
	}
	return string(svg)
}

// TestDoorPlateShowsGridAssistantAndWorkPhone: a building's plate names
// the community, grid, building and its 20-digit code, and the assistant
// with photo and work phone; the personal phone and the residents never
// appear.
func TestDoorPlateShowsGridAssistantAndWorkPhone(t *testing.T) {
	f := plateFixture(t)
	h := f.server(t).Handler()
	url := fmt.Sprintf("/buildings/%d/plate", f.buildingA1.ID)
	secrets := append(append([]string{"13512345672", "135****", "张建国", "李秀英"}, f.ids...), f.phones...)
	w := scenario{url: url, as: "dongyuan", status: 200,
		contains: []string{"<h2 class=\"plate-title\">网格公示牌</h2>", "东苑社区", "东苑第一网格", "东苑1号楼", "示范路 东苑1号楼",
			gridA + "00001", "网格协理员", `<p class="plate-name">周敏</p>`, "0355-2021001", `href="tel:0355-2021001"`,
			`src="/static/photos/zhoumin.jpg"`, "服务范围", "东苑小区 1–2 号楼", "扫码查看本网格服务", "打印 Print",
			fmt.Sprintf(`data-building="%d"`, f.buildingA1.ID)},
		excludes: secrets}.run(t, h)
	// The code names the building too, so the workbench's scan finds it.
	if got, want := qrIn(t, w.Body.String()), wantQR(t, fmt.Sprintf("http://example.com/kiosk/grids/%s?b=%d", gridA, f.buildingA1.ID)); got != want {
		t.Errorf("the QR code is not that of the grid's kiosk page with the building at the request's host")
	}

	// A grid without an assistant sends residents to the community.
	scenario{url: fmt.Sprintf("/buildings/%d/plate", f.buildingB1.ID), as: "admin", status: 200,
		contains: []string{"西苑社区", "西苑第一网格", "本网格暂无协理员"}, excludes: []string{"周敏"}}.run(t, h)
	// English.
	scenario{url: url, as: "dongyuan", lang: "en", status: 200,
		contains: []string{"Grid notice plate", "Scan for this grid&#39;s services", "周敏"}}.run(t, h)
}

// TestDoorPlateOutsideScopeIsNotFound: staff of one community get no plate
// of another's building, nor its community's plates.
func TestDoorPlateOutsideScopeIsNotFound(t *testing.T) {
	f := plateFixture(t)
	h := f.server(t).Handler()
	scenario{url: fmt.Sprintf("/buildings/%d/plate", f.buildingB1.ID), as: "dongyuan", status: 404,
		excludes: []string{"西苑1号院"}}.run(t, h)
	scenario{url: "/areas/" + communityB + "/plates", as: "dongyuan", status: 404, excludes: []string{"西苑1号院"}}.run(t, h)
	scenario{url: "/areas/" + gridB + "/plates", as: "dongyuan", status: 404}.run(t, h)
	scenario{url: "/buildings/999999/plate", as: "admin", status: 404}.run(t, h)
	scenario{url: "/buildings/x/plate", as: "admin", status: 404}.run(t, h)
}

// TestDoorPlateQRPointsAtThePublicURL: the QR code encodes the configured
// public URL when there is one, whatever host the plate was printed from;
// without one, the scheme and host of the request, https under TLS or
// behind a TLS proxy.
func TestDoorPlateQRPointsAtThePublicURL(t *testing.T) {
	f := plateFixture(t)
	path := fmt.Sprintf("/buildings/%d/plate", f.buildingA1.ID)
	kiosk := fmt.Sprintf("/kiosk/grids/%s?b=%d", gridA, f.buildingA1.ID)
	for _, c := range []struct {
		name   string
		opts   whttp.Options
		url    string // the request
		wantQR string
	}{
		{"request host", whttp.Options{}, "http://192.168.1.20:8080" + path, "http://192.168.1.20:8080" + kiosk},
		{"TLS", whttp.Options{}, "https://wangge.test" + path, "https://wangge.test" + kiosk},
		{"TLS proxy", whttp.Options{SecureCookies: true}, "http://wangge.test" + path, "https://wangge.test" + kiosk},
		{"public URL", whttp.Options{PublicURL: "https://wangge.example.gov.cn/"}, "http://10.0.0.5:8080" + path, "https://wangge.example.gov.cn" + kiosk},
		{"public URL with a path", whttp.Options{PublicURL: "https://gov.example.cn/wangge"}, "http://10.0.0.5:8080" + path, "https://gov.example.cn/wangge" + kiosk},
		{"invalid public URL", whttp.Options{PublicURL: "wangge.example.gov.cn"}, "http://10.0.0.5:8080" + path, "http://10.0.0.5:8080" + kiosk},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
			c.opts.Now = func() time.Time { return testNow }
			h := newTestServer(f.store, c.opts).Handler()
			w := scenario{url: c.url, as: "dongyuan", status: 200, contains: []string{c.wantQR}}.run(t, h)
			if qrIn(t, w.Body.String()) != wantQR(t, c.wantQR) {
				t.Errorf("the QR code does not encode %s", c.wantQR)
			}
		})
	}
}

// TestPublicBase: a public URL is an http(s) address with at most a path.
func TestPublicBase(t *testing.T) {
	for raw, want := range map[string]string{
		"":                                     "",
		"https://wangge.example.gov.cn":        "https://wangge.example.gov.cn",
		"https://wangge.example.gov.cn/":       "https://wangge.example.gov.cn",
		"http://10.0.0.5:8080/wangge/":         "http://10.0.0.5:8080/wangge",
		"wangge.example.gov.cn":                "!",
		"ftp://wangge.example.gov.cn":          "!",
		"https://u:p@wangge.example.gov.cn":    "!",
		"https://wangge.example.gov.cn/?a=b":   "!",
		"https://wangge.example.gov.cn/#frag":  "!",
		"https:///kiosk":                       "!",
		"javascript:alert(1)":                  "!",
		"https://wangge.example.gov.cn/path/?": "!",
	} {
		got, err := whttp.PublicBase(raw)
		if want == "!" {
			if err == nil || wangge.ErrorCode(err) != wangge.EInvalid {
				t.Errorf("whttp.PublicBase(%q) = %q, %v; want an invalid-input error", raw, got, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("whttp.PublicBase(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
}

// TestAreaPlatesListTheAreasBuildings: a community's and a grid's plates
// are every building in it and the user's scope, one plate each, with the
// grid's QR code with the building drawn for each; pages hold 200 plates with a link to the
// next; district and sub-district have no plate page; the area and
// building pages link to the plates.
func TestAreaPlatesListTheAreasBuildings(t *testing.T) {
	f := plateFixture(t)
	h := f.server(t).Handler()
	plate := func(b *wangge.Building) string { return fmt.Sprintf(`<article class="plate" data-building="%d"`, b.ID) }
	w := scenario{url: "/areas/" + communityA + "/plates", as: "dongyuan", status: 200,
		contains: []string{plate(f.buildingA1), plate(f.buildingA2), "东苑社区 网格公示牌", `data-count="plates">共 2 块`},
		excludes: []string{plate(f.buildingB1), "西苑", "张建国"}}.run(t, h)
	for _, b := range []*wangge.Building{f.buildingA1, f.buildingA2} {
		if n := strings.Count(w.Body.String(), wantQR(t, fmt.Sprintf("http://example.com/kiosk/grids/%s?b=%d", gridA, b.ID))); n != 1 {
			t.Errorf("%d QR codes of building %d, want one", n, b.ID)
		}
	}
	scenario{url: "/areas/" + gridB + "/plates", as: "admin", status: 200,
		contains: []string{plate(f.buildingB1), "西苑第一网格"}, excludes: []string{plate(f.buildingA1)}}.run(t, h)
	scenario{url: "/areas/" + subdistrict + "/plates", as: "admin", status: 404}.run(t, h)
	scenario{url: "/areas/" + district + "/plates", as: "admin", status: 404}.run(t, h)
	scenario{url: "/areas/" + communityA + "/plates?page=0", as: "admin", status: 400}.run(t, h)

	// Links: grid and community pages to their plates, building to its own.
	scenario{url: "/areas/" + gridA, as: "dongyuan", status: 200, contains: []string{`href="/areas/` + gridA + `/plates"`}}.run(t, h)
	scenario{url: "/areas/" + communityA, as: "dongyuan", status: 200, contains: []string{`href="/areas/` + communityA + `/plates"`}}.run(t, h)
	scenario{url: "/areas/" + subdistrict, as: "admin", status: 200, excludes: []string{"/plates"}}.run(t, h)
	scenario{url: fmt.Sprintf("/buildings/%d", f.buildingA1.ID), as: "dongyuan", status: 200,
		contains: []string{fmt.Sprintf(`href="/buildings/%d/plate"`, f.buildingA1.ID)}}.run(t, h)

	// A community of 201 buildings prints in two batches.
	ctx := context.Background()
	for i := range 199 {
		if err := f.store.CreateBuilding(ctx, wangge.ScopeAll(), &wangge.Building{GridCode: gridA, Name: fmt.Sprintf("东苑新楼%03d", i+1), Kind: wangge.BuildingTower}); err != nil {
			t.Fatal(err)
		}
	}
	first := scenario{url: "/areas/" + communityA + "/plates", as: "dongyuan", status: 200,
		contains: []string{"共 201 块", "第 1 页 / 共 2 页", `rel="next" href="/areas/` + communityA + `/plates?page=2"`}}.run(t, h)
	if n := strings.Count(first.Body.String(), `<article class="plate"`); n != platesPerPage {
		t.Errorf("the first page has %d plates, want %d", n, platesPerPage)
	}
	second := scenario{url: "/areas/" + communityA + "/plates?page=2", as: "dongyuan", status: 200,
		contains: []string{"东苑新楼199", "第 2 页 / 共 2 页"}}.run(t, h)
	if n := strings.Count(second.Body.String(), `<article class="plate"`); n != 1 {
		t.Errorf("the second page has %d plates, want 1", n)
	}
}

// TestDoorPlateNeedsLogin: plates are printed by staff; a stranger is sent
// to log in.
func TestDoorPlateNeedsLogin(t *testing.T) {
	f := plateFixture(t)
	h := f.server(t).Handler()
	r := httptest.NewRequest("GET", fmt.Sprintf("/buildings/%d/plate", f.buildingA1.ID), nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
		t.Errorf("anonymous: %d %q, want the login page", w.Code, w.Header().Get("Location"))
	}
}
