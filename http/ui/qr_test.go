package ui

import (
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
)

// qrSymbol is a QR code read back from qrSVG's markup: its viewBox size and
// the dark modules of its path.
type qrSymbol struct {
	size int      // modules across, quiet zone included
	dark [][]bool // [y][x]
	path string
	svg  string
}

// readQR parses qrSVG's output, failing t on anything but a square viewBox,
// a white background and one path of unit rectangles.
func readQR(t *testing.T, svg string) qrSymbol {
	t.Helper()
	var doc struct {
		XMLName xml.Name   `xml:"svg"`
		Attrs   []xml.Attr `xml:",any,attr"`
		Rects   []struct {
			Width  int    `xml:"width,attr"`
			Height int    `xml:"height,attr"`
			Fill   string `xml:"fill,attr"`
		} `xml:"rect"`
		Paths []struct {
			D    string `xml:"d,attr"`
			Fill string `xml:"fill,attr"`
		} `xml:"path"`
	}
	if err := xml.Unmarshal([]byte(svg), &doc); err != nil {
		t.Fatalf("the SVG does not parse: %v\n%s", err, svg)
	}
	attrs := map[string]string{}
	for _, a := range doc.Attrs {
		attrs[a.Name.Local] = a.Value
	}
	var q qrSymbol
	var w, h int
	if _, err := fmt.Sscanf(attrs["viewBox"], "0 0 %d %d", &w, &h); err != nil || w != h {
		t.Fatalf("viewBox %q, want a square from 0 0", attrs["viewBox"])
	}
	if attrs["shape-rendering"] != "crispEdges" {
		t.Errorf("shape-rendering %q, want crispEdges", attrs["shape-rendering"])
	}
	if len(doc.Rects) != 1 || doc.Rects[0].Width != w || doc.Rects[0].Height != w || doc.Rects[0].Fill != "#fff" {
		t.Errorf("background %+v, want one white square over the whole viewBox", doc.Rects)
	}
	if len(doc.Paths) != 1 || doc.Paths[0].Fill != "#000" {
		t.Fatalf("paths %+v, want one black path", doc.Paths)
	}
	q.size, q.path, q.svg = w, doc.Paths[0].D, svg
	q.dark = make([][]bool, w)
	for y := range q.dark {
		q.dark[y] = make([]bool, w)
	}
	for _, run := range strings.Split(strings.TrimSuffix(q.path, "z"), "z") {
		var x, y, n, back int
		if _, err := fmt.Sscanf(run, "M%d %dh%dv1h-%d", &x, &y, &n, &back); err != nil || n < 1 || back != n {
			t.Fatalf("path segment %q is not a one-module-high run", run)
		}
		for i := x; i < x+n; i++ {
			if y < 0 || y >= w || i < 0 || i >= w {
				t.Fatalf("module %d,%d lies outside the %d×%d viewBox", i, y, w, w)
			}
			q.dark[y][i] = true
		}
	}
	return q
}

// TestQRCodeIsAWellFormedSymbol: the SVG of a kiosk URL is a QR symbol of a
// valid size with a four-module quiet zone, the three finder patterns, the
// dark module, and format information saying medium error correction, in
// markup the CSP allows.
func TestQRCodeIsAWellFormedSymbol(t *testing.T) {
	const url = "https://wangge.example.gov.cn/kiosk/grids/140499001001001"
	svg, err := qrSVG(url, `扫码 <查看> "网格"`)
	if err != nil {
		t.Fatal(err)
	}
	q := readQR(t, string(svg))
	n := q.size - 2*qrQuietZone // the symbol without its quiet zone
	if n < 21 || n > 177 || (n-17)%4 != 0 {
		t.Fatalf("symbol of %d modules, want 17+4v for a version v of 1–40", n)
	}
	for y := range q.size {
		for x := range q.size {
			inside := x >= qrQuietZone && x < q.size-qrQuietZone && y >= qrQuietZone && y < q.size-qrQuietZone
			if q.dark[y][x] && !inside {
				t.Fatalf("dark module at %d,%d in the quiet zone", x, y)
			}
		}
	}
	at := func(x, y int) bool { return q.dark[y+qrQuietZone][x+qrQuietZone] }
	// Finder patterns: a dark 7×7 ring, a light ring, a dark 3×3 centre,
	// in three corners, with a light separator around each.
	for _, c := range [][2]int{{0, 0}, {n - 7, 0}, {0, n - 7}} {
		for dy := range 7 {
			for dx := range 7 {
				ring := max(abs(dx-3), abs(dy-3))
				if want := ring != 2; at(c[0]+dx, c[1]+dy) != want {
					t.Fatalf("finder pattern at %v: module %d,%d is %v", c, dx, dy, !want)
				}
			}
		}
	}
	if !at(8, n-8) {
		t.Error("the dark module beside the lower-left finder is light")
	}
	// Format information, in its two copies (ISO/IEC 18004 §7.9): 15 bits,
	// XOR 101010000010010; the top two bits are the error-correction level,
	// 00 for M.
	var first, second int
	for i := range 15 {
		var a, b bool
		switch {
		case i <= 5:
			a = at(8, i)
		case i == 6:
			a = at(8, 7)
		case i == 7:
			a = at(8, 8)
		case i == 8:
			a = at(7, 8)
		default:
			a = at(14-i, 8)
		}
		if i < 8 {
			b = at(n-1-i, 8)
		} else {
			b = at(8, n-15+i)
		}
		if a {
			first |= 1 << i
		}
		if b {
			second |= 1 << i
		}
	}
	if first != second {
		t.Fatalf("the two copies of the format information differ: %015b, %015b", first, second)
	}
	if level := (first ^ 0b101010000010010) >> 13; level != 0b00 {
		t.Errorf("error-correction bits %02b, want 00 (medium)", level)
	}

	if strings.Contains(q.svg, "style") {
		t.Error("the SVG has a style attribute, which the CSP forbids")
	}
	if !strings.Contains(q.svg, `aria-label="扫码 &lt;查看&gt; &#34;网格&#34;"`) {
		t.Errorf("the label is not escaped into aria-label: %.200s", q.svg)
	}
}

// TestQRCodeDiffersByURL: two grids' addresses give two different codes,
// and the same address the same code every time.
func TestQRCodeDiffersByURL(t *testing.T) {
	draw := func(url string) qrSymbol {
		svg, err := qrSVG(url, "")
		if err != nil {
			t.Fatal(err)
		}
		return readQR(t, string(svg))
	}
	a := draw("https://wangge.example.gov.cn/kiosk/grids/140499001001001")
	b := draw("https://wangge.example.gov.cn/kiosk/grids/140499001002001")
	if a.path == b.path {
		t.Error("two URLs give the same QR code")
	}
	if again := draw("https://wangge.example.gov.cn/kiosk/grids/140499001001001"); again.path != a.path {
		t.Error("the same URL gives two different QR codes")
	}
	if _, err := qrSVG(strings.Repeat("x", 5000), ""); err == nil {
		t.Error("text too long for any QR version was drawn")
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
