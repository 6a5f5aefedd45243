package attach

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/wangge/wangge"
)

func picture() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 16, 12))
	for x := 0; x < 16; x++ {
		img.Set(x, x%12, color.RGBA{200, 40, 40, 255})
	}
	return img
}

// withEXIF puts an APP1 (EXIF) segment holding marker right after the
// JPEG's start, where a phone writes the location and the camera.
func withEXIF(t *testing.T, marker string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, picture(), nil); err != nil {
		t.Fatal(err)
	}
	payload := append([]byte("Exif\x00\x00"), marker...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	seg = append(seg, payload...)
	data := b.Bytes()
	return append(append(append([]byte{}, data[:2]...), seg...), data[2:]...)
}

func encoded(t *testing.T, enc func(*bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := enc(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCleanDropsEXIFAndSniffsTheType(t *testing.T) {
	const marker = "GPSLatitude=31.2304;Model=SomePhone"
	tests := []struct {
		name     string
		file     string
		data     []byte
		wantType string
		wantName string
		wantKey  string
	}{
		{"jpeg with exif", "IMG_0001.JPG", withEXIF(t, marker), JPEG, "IMG_0001.jpg", ""},
		{"png", `C:\photos\gate.png`, encoded(t, func(b *bytes.Buffer) error { return png.Encode(b, picture()) }), PNG, "gate.png", ""},
		{"gif kept as png", "anim.gif", encoded(t, func(b *bytes.Buffer) error { return gif.Encode(b, picture(), nil) }), PNG, "anim.png", ""},
		{"pdf", "../../form.pdf", []byte("%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"), PDF, "form.pdf", ""},
		{"type from the bytes, not the name", "photo.jpg", []byte("<html><script>alert(1)</script></html>"), "", "", "error.attach.type"},
		{"plain text", "note.txt", []byte("just words"), "", "", "error.attach.type"},
		{"empty", "a.jpg", nil, "", "", "error.attach.size"},
		{"too large", "a.pdf", append([]byte("%PDF-1.4\n"), make([]byte, MaxSize)...), "", "", "error.attach.size"},
		{"broken image", "a.png", []byte("\x89PNG\r\n\x1a\n broken"), "", "", "error.attach.image"},
		// A GIF header claiming 65535 × 65535 pixels in a few bytes.
		{"pixel bomb", "bomb.gif", []byte("GIF89a\xff\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"), "", "", "error.attach.pixels"},
		{"no name", "", []byte("%PDF-1.4\n"), PDF, "attachment.pdf", ""},
		{"control characters", "a\x00b\nc.pdf", []byte("%PDF-1.4\n"), PDF, "abc.pdf", ""},
	}
	for _, tc := range tests {
		f, err := Clean(tc.file, tc.data)
		if tc.wantKey != "" {
			if e, ok := err.(*wangge.Error); !ok || e.Key != tc.wantKey || e.Field != "file" {
				t.Errorf("%s: got %v, want %s", tc.name, err, tc.wantKey)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if f.ContentType != tc.wantType || f.Name != tc.wantName {
			t.Errorf("%s: kept as %s %q, want %s %q", tc.name, f.ContentType, f.Name, tc.wantType, tc.wantName)
		}
		if bytes.Contains(f.Data, []byte(marker)) || bytes.Contains(f.Data, []byte("Exif\x00")) {
			t.Errorf("%s: the EXIF segment survived", tc.name)
		}
		if Image(f.ContentType) {
			img, _, err := image.Decode(bytes.NewReader(f.Data))
			if err != nil || img.Bounds() != picture().Bounds() {
				t.Errorf("%s: the cleaned image does not decode to the picture: %v", tc.name, err)
			}
		}
	}
	if !bytes.Contains(withEXIF(t, marker), []byte(marker)) {
		t.Fatal("the fixture holds no EXIF marker")
	}
}

func TestCleanNameIsBounded(t *testing.T) {
	f, err := Clean(strings.Repeat("名", 300)+".pdf", []byte("%PDF-1.4\n"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(f.Name)); n != NameMax+len(".pdf") {
		t.Errorf("name of %d characters, want %d", n, NameMax+len(".pdf"))
	}
}
