package attach

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// quadrants is a 32×16 picture whose quarters are red (top left), green
// (top right), blue (bottom left) and white (bottom right): big blocks of
// colour survive JPEG's loss, so where each quarter lands can be told.
func quadrants() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 32, 16))
	for y := 0; y < 16; y++ {
		for x := 0; x < 32; x++ {
			c := color.RGBA{255, 0, 0, 255}
			switch {
			case x >= 16 && y < 8:
				c = color.RGBA{0, 255, 0, 255}
			case x < 16 && y >= 8:
				c = color.RGBA{0, 0, 255, 255}
			case x >= 16 && y >= 8:
				c = color.RGBA{255, 255, 255, 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// exifJPEG is the quadrants as a JPEG whose EXIF (in byte order bo) says
// orientation o, as a phone writes it.
func exifJPEG(t *testing.T, o uint16, bo binary.ByteOrder) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, quadrants(), &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	tiff := make([]byte, 8+2+12*2+4)
	if bo == binary.LittleEndian {
		copy(tiff, "II")
	} else {
		copy(tiff, "MM")
	}
	bo.PutUint16(tiff[2:], 42)
	bo.PutUint32(tiff[4:], 8)
	bo.PutUint16(tiff[8:], 2)
	// A tag before it (ImageWidth), then Orientation, SHORT, count 1.
	e := tiff[10:]
	bo.PutUint16(e[0:], 0x0100)
	bo.PutUint16(e[2:], 3)
	bo.PutUint32(e[4:], 1)
	bo.PutUint16(e[8:], 32)
	e = tiff[22:]
	bo.PutUint16(e[0:], 0x0112)
	bo.PutUint16(e[2:], 3)
	bo.PutUint32(e[4:], 1)
	bo.PutUint16(e[8:], o)
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	seg = append(seg, payload...)
	data := b.Bytes()
	return append(append(append([]byte{}, data[:2]...), seg...), data[2:]...)
}

// corner names the colour near a corner of img: r, g, b or w.
func corner(img image.Image, right, bottom bool) string {
	bd := img.Bounds()
	x, y := bd.Min.X+3, bd.Min.Y+3
	if right {
		x = bd.Max.X - 4
	}
	if bottom {
		y = bd.Max.Y - 4
	}
	r, g, b, _ := img.At(x, y).RGBA()
	hi := func(v uint32) bool { return v > 0x8000 }
	switch {
	case hi(r) && hi(g) && hi(b):
		return "w"
	case hi(r):
		return "r"
	case hi(g):
		return "g"
	case hi(b):
		return "b"
	}
	return "?"
}

func TestCleanTurnsAPhotoUprightAsItsEXIFSays(t *testing.T) {
	// The corners top left, top right, bottom left, bottom right of the
	// picture as it should show, and its size.
	for _, tc := range []struct {
		o       uint16
		corners string
		w, h    int
	}{
		{1, "rgbw", 32, 16},
		{2, "grwb", 32, 16},
		{3, "wbgr", 32, 16},
		{4, "bwrg", 32, 16},
		{5, "rbgw", 16, 32},
		{6, "brwg", 16, 32},
		{7, "wgbr", 16, 32},
		{8, "gwrb", 16, 32},
		{9, "rgbw", 32, 16}, // not an orientation: kept as it is
	} {
		for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			f, err := Clean("p.jpg", exifJPEG(t, tc.o, bo))
			if err != nil {
				t.Fatalf("orientation %d: %v", tc.o, err)
			}
			img, err := jpeg.Decode(bytes.NewReader(f.Data))
			if err != nil {
				t.Fatal(err)
			}
			got := corner(img, false, false) + corner(img, true, false) + corner(img, false, true) + corner(img, true, true)
			if got != tc.corners || img.Bounds().Dx() != tc.w || img.Bounds().Dy() != tc.h {
				t.Errorf("orientation %d (%v): corners %s, %d×%d; want %s, %d×%d", tc.o, bo, got, img.Bounds().Dx(), img.Bounds().Dy(), tc.corners, tc.w, tc.h)
			}
			if bytes.Contains(f.Data, []byte("Exif\x00")) {
				t.Errorf("orientation %d: the EXIF was kept", tc.o)
			}
		}
	}
}

// A broken or hostile EXIF segment is read as no orientation, never past
// its bytes.
func TestEXIFOrientationOfBrokenSegments(t *testing.T) {
	good := exifJPEG(t, 6, binary.LittleEndian)
	if o := exifOrientation(good); o != 6 {
		t.Fatalf("orientation of the good file = %d, want 6", o)
	}
	for n := 0; n < 2+4+6+36; n++ {
		if o := exifOrientation(good[:n]); o != 1 {
			t.Errorf("cut at %d bytes: orientation %d, want 1", n, o)
		}
	}
	bad := append([]byte{}, good...)
	binary.LittleEndian.PutUint32(bad[2+4+6+4:], 0xFFFFFFF0) // IFD0 far past the end
	if o := exifOrientation(bad); o != 1 {
		t.Errorf("IFD0 past the end: orientation %d, want 1", o)
	}
	bad = append([]byte{}, good...)
	binary.LittleEndian.PutUint16(bad[2+4+6+8:], 0xFFFF) // more entries than bytes
	if o := exifOrientation(bad); o != 6 {
		// The orientation entry is the second and lies within the bytes.
		t.Errorf("inflated entry count: orientation %d, want 6", o)
	}
}

func FuzzEXIFOrientation(f *testing.F) {
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x08, 'E', 'x', 'i', 'f', 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := exifOrientation(data); o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
	})
}
