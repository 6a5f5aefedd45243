package ui

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
)

// plantStreets gives the planted grids service areas whose four bounds
// name streets, as the demo's do: 杏花街 along grid A's west side, 和平街
// along the south of A and B, 文化街 along their north, 建设路 east of B.
func plantStreets(t testing.TB, f *fixture) {
	t.Helper()
	ctx := context.Background()
	for code, sa := range map[string]string{
		gridA:  "东至东苑第二网格，西至杏花街，南至和平街，北至文化街；辖2个楼院",
		gridA2: "东至东苑第一网格，西至东苑第一网格，南至和平街，北至文化街",
		gridB:  "东至建设路，西至长兴路，南至和平街，北至文化街；辖1个楼院",
	} {
		a, err := f.store.Area(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		a.ServiceArea = sa
		if err := f.store.UpdateArea(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
}

// kioskServer serves the fixture with planted outlines and streets, the
// services, and the kiosk standing in grid A.
func kioskServer(t *testing.T, f *fixture) *httptest.Server {
	t.Helper()
	seedServices(t, f)
	plantMap(t, f)
	plantStreets(t, f)
	opts := testOptions(t)
	opts.KioskAt = &whttp.LngLat{Lng: 113.13, Lat: 36.15}
	ts := httptest.NewServer(newTestServer(f.store, opts).Handler())
	t.Cleanup(ts.Close)
	return ts
}

// shownLabels returns the texts of the visible labels of a kind on the
// kiosk's map.
func shownLabels(b browserPage, class string) []string {
	b.t.Helper()
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](fmt.Sprintf(`Array.prototype.filter.call(
		document.querySelectorAll("#kiosk-map .leaflet-tooltip.%s"),
		function (e) { return getComputedStyle(e).visibility !== "hidden"; }).map(function (e) { return e.textContent; })`, class)))
	if err != nil {
		b.t.Fatalf("labels %s: %v", class, err)
	}
	return got
}

// TestBrowserKioskMapAsksIsThisYourHome: the kiosk's map names the
// communities and the streets, marks where the kiosk stands, and a tap
// asks "is this your home?" with the grid, community and assistant: No
// stays on the map, Yes opens the grid's page.
func TestBrowserKioskMapAsksIsThisYourHome(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	ts := kioskServer(t, f)
	b := browserPage{t, ctx}

	b.do("open the kiosk", chromedp.Navigate(ts.URL+"/kiosk"), chromedp.WaitVisible(chromedp.CSS(`#kiosk-map[data-ready="1"]`)))
	b.shoot("kiosk-map")
	b.do("wait for the map", chromedp.WaitVisible(chromedp.CSS(`#kiosk-map[data-ready="1"]`)))
	if got := strings.Join(shownLabels(b, "community-label"), " "); !strings.Contains(got, "东苑社区") {
		t.Errorf("community labels shown: %q", got)
	}
	streets := strings.Join(shownLabels(b, "street-label"), " ")
	for _, want := range []string{"杏花街", "和平街", "文化街"} {
		if !strings.Contains(streets, want) {
			t.Errorf("street labels shown: %q, want %s", streets, want)
		}
	}
	if strings.Contains(streets, "网格") {
		t.Errorf("a neighbouring grid is drawn as a street: %q", streets)
	}
	if got := strings.Join(shownLabels(b, "here-label"), ""); got != "您在这里" {
		t.Errorf("you-are-here label %q", got)
	}
	lines, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#kiosk-map path.street").length`))
	if err != nil || lines != 5 {
		t.Errorf("%d street lines drawn (%v), want 5", lines, err)
	}

	tap(b, "kiosk-map", 113.12, 36.15)
	b.do("wait for the question", chromedp.WaitVisible(chromedp.ID("kiosk-confirm")))
	if q := b.text("#kiosk-confirm"); !strings.Contains(q, "这是您家吗？") || !strings.Contains(q, "东苑第一网格") ||
		!strings.Contains(q, "东苑社区") || !strings.Contains(q, "周敏") {
		t.Errorf("the question reads %q", q)
	}
	// Big touch targets: both answers at least 56 px tall.
	heights, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`["[data-yes]", "[data-no]"].map(function (s) {
		return document.querySelector("#kiosk-confirm " + s).getBoundingClientRect().height; })`))
	if err != nil || len(heights) != 2 || heights[0] < 56 || heights[1] < 56 {
		t.Errorf("answer buttons are %v px tall (%v)", heights, err)
	}
	b.do("answer no", chromedp.Click(chromedp.CSS("#kiosk-confirm [data-no]")), chromedp.WaitNotVisible(chromedp.ID("kiosk-confirm")))
	if u, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.HasSuffix(u, "/kiosk") {
		t.Errorf("after no the kiosk is at %q (%v)", u, err)
	}
	tap(b, "kiosk-map", 113.25, 36.15)
	b.do("wait for the question", chromedp.WaitVisible(chromedp.ID("kiosk-confirm")))
	if q := b.text("#kiosk-confirm .kiosk-confirm-grid"); q != "西苑第一网格" {
		t.Errorf("asked about %q, want 西苑第一网格", q)
	}
	b.do("answer no", chromedp.Click(chromedp.CSS("#kiosk-confirm [data-no]")), chromedp.WaitNotVisible(chromedp.ID("kiosk-confirm")))
	tap(b, "kiosk-map", 113.12, 36.15)
	b.do("wait for the question", chromedp.WaitVisible(chromedp.ID("kiosk-confirm")))
	b.do("answer yes", chromedp.Click(chromedp.CSS("#kiosk-confirm [data-yes]")))
	expectKioskGridA(b)
}

// TestBrowserKioskStandsWhereItsAddressSays: ?at=lng,lat marks the kiosk's
// own place and is kept through a search and the grid's page; a bad one is
// refused in both languages.
func TestBrowserKioskStandsWhereItsAddressSays(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	ts := kioskServer(t, f)
	b := browserPage{t, ctx}
	b.do("open the kiosk at grid B", chromedp.Navigate(ts.URL+"/kiosk?at=113.25,36.15"), chromedp.WaitVisible(chromedp.CSS(`#kiosk-map[data-ready="1"]`)))
	where, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(function () {
		var m = document.getElementById("kiosk-map"), c = m.wanggeMap.getBounds().getCenter();
		return [c.lng, c.lat]; })()`))
	if err != nil || len(where) != 2 || where[0] < 113.2 || where[0] > 113.3 {
		t.Errorf("the map shows %v around the kiosk's community (%v), want 西苑社区 (113.2–113.3)", where, err)
	}
	b.do("search", chromedp.SendKeys(chromedp.ID("q"), "西苑"), chromedp.Submit(chromedp.ID("q")), chromedp.WaitVisible(chromedp.CSS(".kiosk-hit")))
	href, err := attr(b, ".kiosk-hit", "href")
	if u, _ := url.Parse(href); err != nil || u == nil || u.Query().Get("at") != "113.25,36.15" {
		t.Errorf("the result links to %q (%v)", href, err)
	}
	b.do("open the result", chromedp.Click(chromedp.CSS(".kiosk-hit")), chromedp.WaitVisible(chromedp.CSS(".kiosk-back")))
	if back, _ := attr(b, ".kiosk-back", "href"); back != "/kiosk?at="+url.QueryEscape("113.25,36.15") {
		t.Errorf("back goes to %q", back)
	}
	if reset, _ := attr(b, "body", "data-idle-reset"); reset != "/kiosk?at="+url.QueryEscape("113.25,36.15") {
		t.Errorf("an idle kiosk returns to %q", reset)
	}
	b.do("open a bad place", chromedp.Navigate(ts.URL+"/kiosk?at=east"), chromedp.WaitVisible(chromedp.CSS("main")))
	if got := b.text("main"); !strings.Contains(got, "经度,纬度") {
		t.Errorf("a bad ?at= says %q", got)
	}
}

// TestBrowserKioskSearchReadsTheCommonForms types each common form of an
// address into the kiosk and checks that the right building comes first,
// that 1号楼 never finds 11号楼, and that a long list says there is more.
func TestBrowserKioskSearchReadsTheCommonForms(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	bg := context.Background()
	for _, b := range []*wangge.Building{
		{GridCode: gridA, Name: "1号楼", Address: "杏花街49号1号楼", Kind: wangge.BuildingTower, Floors: 6, Entrances: 2},
		{GridCode: gridA, Name: "11号楼", Address: "杏花街49号11号楼", Kind: wangge.BuildingTower, Floors: 6, Entrances: 3},
		{GridCode: gridB, Name: "2号楼", Address: "杏花街149号2号楼", Kind: wangge.BuildingTower, Floors: 6, Entrances: 1},
	} {
		if err := f.store.CreateBuilding(bg, wangge.ScopeAll(), b); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 21 {
		b := &wangge.Building{GridCode: gridB, Name: "5号楼", Address: fmt.Sprintf("长兴路%d号5号楼", i+1), Kind: wangge.BuildingTower, Floors: 6, Entrances: 1}
		if err := f.store.CreateBuilding(bg, wangge.ScopeAll(), b); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewServer(f.server(t).Handler())
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}

	search := func(q string) (hits []string, more bool) {
		t.Helper()
		b.do("search "+q, chromedp.Navigate(ts.URL+"/kiosk?q="+url.QueryEscape(q)), chromedp.WaitVisible(chromedp.CSS(".kiosk-tap-prompt")))
		res, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
			Hits []string
			More bool
		}](`({Hits: Array.prototype.map.call(document.querySelectorAll(".kiosk-hit"), function (a) { return a.textContent.replace(/\s+/g, " ").trim(); }),
			More: !!document.querySelector("[data-more]")})`))
		if err != nil {
			t.Fatalf("results of %q: %v", q, err)
		}
		return res.Hits, res.More
	}
	for _, c := range []struct {
		q    string
		want []string // each hit's text holds the one at its place
	}{
		{"杏花街 49号", []string{"杏花街49号1号楼", "杏花街49号11号楼"}},
		{"杏花街49号", []string{"杏花街49号1号楼", "杏花街49号11号楼"}},
		{"杏花街49号1栋", []string{"杏花街49号1号楼 东苑第一网格"}},
		{"杏花街４９号　１１栋", []string{"杏花街49号11号楼"}},
		{"杏花街49号 十一号楼", []string{"杏花街49号11号楼"}},
		{"1号楼1单元", []string{"东苑1号楼", "杏花街49号1号楼"}},
		{"1号楼", []string{"东苑1号楼", "杏花街49号1号楼"}},
		{"11号楼 3单元", []string{"杏花街49号11号楼"}},
		{"杏花街149号", []string{"杏花街149号2号楼 西苑第一网格"}},
		{"西苑社区", []string{"西苑社区 西苑第一网格"}},
		{"东苑第一网格", []string{"东苑社区 东苑第一网格"}},
	} {
		hits, more := search(c.q)
		ok := len(hits) == len(c.want) && !more
		for i := 0; ok && i < len(hits); i++ {
			ok = strings.Contains(hits[i], c.want[i])
		}
		if !ok {
			t.Errorf("%q finds %q (more %v), want %q", c.q, hits, more, c.want)
		}
		for _, h := range hits {
			if c.q == "1号楼" && strings.Contains(h, "11号楼") {
				t.Errorf("1号楼 finds %q", h)
			}
		}
	}
	hits, more := search("5号楼")
	if len(hits) != kioskLimit || !more {
		t.Errorf("5号楼 shows %d hits, more %v; want %d and the notice", len(hits), more, kioskLimit)
	}
	if got := b.text("[data-more]"); !strings.Contains(got, "还有更多结果") {
		t.Errorf("the notice reads %q", got)
	}
}

// TestBrowserKioskFitsAPhone: on a 390 px phone the grid page's call
// button with the work phone lies within the screen, and no public page
// carries the staff's confidentiality footer.
func TestBrowserKioskFitsAPhone(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	ts := kioskServer(t, f)
	b := browserPage{t, ctx}
	b.do("phone", chromedp.Emulate(device.IPhone12), chromedp.Navigate(ts.URL+"/kiosk/grids/"+gridA), chromedp.WaitVisible(chromedp.CSS(".kiosk-call")))
	type box struct{ Left, Right, Width, ViewWidth, ScrollWidth, Height float64 }
	got, err := chromedp.Run(ctx, chromedp.Evaluate[box](`(function () {
		var r = document.querySelector(".kiosk-call").getBoundingClientRect();
		return {Left: r.left, Right: r.right, Width: r.width, Height: r.height, ViewWidth: window.innerWidth,
			ScrollWidth: document.documentElement.scrollWidth}; })()`))
	if err != nil {
		t.Fatal(err)
	}
	if got.ViewWidth != 390 || got.Left < 0 || got.Right > got.ViewWidth || got.ScrollWidth > got.ViewWidth || got.Height < 56 {
		t.Errorf("the call button on a 390 px phone: %+v", got)
	}
	href, err := attr(b, ".kiosk-call", "href")
	if err != nil || href != "tel:0355-2021001" {
		t.Errorf("the call button dials %q (%v)", href, err)
	}
	b.shoot("kiosk-grid")
	for _, path := range []string{"/kiosk", "/kiosk/grids/" + gridA, "/login"} {
		b.do("open "+path, chromedp.Navigate(ts.URL+path), chromedp.WaitVisible(chromedp.CSS("footer")))
		if got := b.text("footer"); strings.Contains(got, "信息保密") || strings.Contains(got, "仅限工作使用") {
			t.Errorf("%s carries the footer %q", path, got)
		}
	}
}

// attr returns an attribute of the first element matching sel.
func attr(b browserPage, sel, name string) (string, error) {
	return chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).getAttribute(%q) || ""`, sel, name)))
}
