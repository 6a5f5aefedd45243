package ui

import (
	"strings"
	"testing"
)

// TestMapPagePassesTilesOn: with a tile URL the map page passes it to the
// map and the CSP allows images from that host and no other; without one
// the page has no tiles and the plain CSP. (The core's reading of the URL
// is tested in package http, TestTileOriginAndBadTileURL.)
func TestMapPagePassesTilesOn(t *testing.T) {
	f := newFixture(t)
	opts := testOptions(t)
	opts.TileURL = "https://tiles.example.org/{z}/{x}/{y}.png"
	h := newTestServer(f.store, opts).Handler()
	w := getAs(t, h, login(t, h, "dongyuan"), "/areas/"+communityA+"/map")
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: https://tiles.example.org;") {
		t.Errorf("CSP with tiles: %s", csp)
	}
	if !strings.Contains(w.Body.String(), `data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"`) {
		t.Errorf("the map page does not pass the tiles on")
	}
	plain := f.server(t).Handler()
	w = getAs(t, plain, login(t, plain, "dongyuan"), "/areas/"+communityA+"/map")
	if csp := w.Header().Get("Content-Security-Policy"); csp != contentSecurityPolicy || strings.Contains(w.Body.String(), "data-tiles") {
		t.Errorf("without tiles: %s", csp)
	}
}
