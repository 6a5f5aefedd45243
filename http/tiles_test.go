package http

import (
	"strings"
	"testing"

	"github.com/wangge/wangge"
)

// TestTileOriginAndBadTileURL: the CSP's image origin is read off a tile
// URL template; a bad template is refused with a clear message and the
// server keeps none, so the maps stay vector-only. The map page's use of
// the tiles is tested in http/ui (TestMapPagePassesTilesOn).
func TestTileOriginAndBadTileURL(t *testing.T) {
	for _, c := range []struct{ tmpl, origin string }{
		{"https://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org"},
		{"https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"},
		{"http://10.0.0.5:8080/t/{z}/{x}/{y}.png", "http://10.0.0.5:8080"},
	} {
		if got, err := TileOrigin(c.tmpl); err != nil || got != c.origin {
			t.Errorf("TileOrigin(%s) = %q, %v; want %q", c.tmpl, got, err, c.origin)
		}
	}
	for _, bad := range []string{"ftp://x/{z}/{x}/{y}", "https://tiles.example.org/{z}/{x}.png", "tiles/{z}/{x}/{y}"} {
		if _, err := TileOrigin(bad); err == nil || !strings.Contains(wangge.ErrorZh(err), "瓦片地址") {
			t.Errorf("TileOrigin(%s) accepted: %v", bad, err)
		}
	}

	f := newFixture(t)
	s := f.server(t)
	bad := newTestServer(f.store, Options{Logger: s.log, TileURL: "javascript:alert(1)"})
	if bad.opts.TileURL != "" {
		t.Errorf("a bad tile URL was kept")
	}
}
