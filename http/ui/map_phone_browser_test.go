package ui

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
)

// TestBrowserMapZoomKeepsClearOfTheCard: on a 390×844 phone the staff
// map's zoom buttons do not cover the card a tap on a grid opens.
func TestBrowserMapZoomKeepsClearOfTheCard(t *testing.T) {
	b, ts := mapInBrowser(t)
	ctx := b.ctx
	b.do("open the map on a phone", chromedp.Emulate(device.IPhone12), chromedp.Navigate(ts.URL+"/areas/"+communityA+"/map"),
		chromedp.WaitVisible(chromedp.CSS(`#map[data-ready="1"]`)))
	for _, at := range [][2]float64{{113.12, 36.19}, {113.12, 36.11}, {113.165, 36.11}} {
		run(b, `document.getElementById("map").scrollIntoView()`)
		tap(b, "map", at[0], at[1])
		b.do("wait for the card", chromedp.WaitVisible(chromedp.CSS(".leaflet-popup .map-card-stats")), chromedp.Sleep(400*time.Millisecond))
		overlap, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(function () {
			var p = document.querySelector(".leaflet-popup-content-wrapper").getBoundingClientRect();
			var z = document.querySelector(".leaflet-control-zoom").getBoundingClientRect();
			return [Math.max(0, Math.min(p.right, z.right) - Math.max(p.left, z.left)), Math.max(0, Math.min(p.bottom, z.bottom) - Math.max(p.top, z.top))]; })()`))
		if err != nil || overlap[0]*overlap[1] > 0 {
			t.Errorf("tap at %v: the zoom buttons cover %v px of the card (%v)", at, overlap, err)
		}
		run(b, `document.getElementById("map").wanggeMap.closePopup()`)
	}
	b.shoot("map-phone-card")
}

// run runs a statement in the page.
func run(b browserPage, js string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool]("("+js+", true)")); err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
}
