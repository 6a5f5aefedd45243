package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserMapShowsPlantedGapsInRed: the community map draws the planted
// gap and overlap in red over the grids, with no tile server, lists them
// under the map, and a click on a grid opens its card with the assistant.
func TestBrowserMapShowsPlantedGapsInRed(t *testing.T) {
	b, ts := mapInBrowser(t)
	ctx := b.ctx

	b.do("open the community map", chromedp.Navigate(ts.URL+"/areas/"+communityA+"/map"),
		chromedp.WaitVisible(chromedp.CSS(`#map[data-ready="1"]`)))
	type drawn struct {
		Gaps, Overlaps, Grids, Buildings, Tiles int
		GapFill, OverlapFill                    string
		GapArea                                 float64
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[drawn](`(function () {
		var q = function (s) { return document.querySelectorAll("#map " + s); };
		var gap = q("path.problem-gap")[0], ov = q("path.problem-overlap")[0];
		var box = gap ? gap.getBoundingClientRect() : {width: 0, height: 0};
		return {Gaps: q("path.problem-gap").length, Overlaps: q("path.problem-overlap").length,
			Grids: q("path.grid").length, Buildings: q("path.building").length, Tiles: q("img.leaflet-tile").length,
			GapFill: gap ? getComputedStyle(gap).fill : "", OverlapFill: ov ? getComputedStyle(ov).fill : "",
			GapArea: box.width * box.height};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if got.Gaps != 1 || got.Overlaps != 1 || got.Grids != 2 || got.Buildings != 2 || got.Tiles != 0 {
		t.Errorf("drawn: %+v", got)
	}
	// Red: a strong red channel and little green or blue.
	for name, fill := range map[string]string{"gap": got.GapFill, "overlap": got.OverlapFill} {
		var r, g, bl int
		if _, err := fmt.Sscanf(fill, "rgb(%d, %d, %d)", &r, &g, &bl); err != nil || r < 150 || g > 40 || bl > 60 {
			t.Errorf("%s fill %q is not red", name, fill)
		}
	}
	if got.GapArea < 100 {
		t.Errorf("the gap covers %.0f px², too small to see", got.GapArea)
	}
	if v := b.text(".verdict"); !strings.Contains(v, "1 处缺口") || !strings.Contains(v, "1 处重叠") {
		t.Errorf("verdict %q", v)
	}

	b.shoot("map")
	b.do("wait for the map", chromedp.WaitVisible(chromedp.CSS(`#map[data-ready="1"]`)))

	// A tap on grid A (west of the overlap) opens its card.
	tap(b, "map", 113.12, 36.13)
	b.do("wait for the card", chromedp.WaitVisible(chromedp.CSS(".leaflet-popup .map-card-stats")))
	if card := b.text(".leaflet-popup .map-card"); !strings.Contains(card, "东苑第一网格") || !strings.Contains(card, "周敏") || !strings.Contains(card, "0355-2021001") {
		t.Errorf("card reads %q", card)
	}
}
