package attach

import (
	"encoding/binary"
	"image"
	"image/draw"
)

// A phone's camera stores the pixels as the sensor lies and writes in
// EXIF how to turn them (the Orientation tag). Re-encoding drops EXIF, so
// Clean turns the pixels itself first; otherwise a photo taken upright
// would be kept on its side.

// exifOrientation reads the Orientation tag (1–8) of a JPEG's EXIF, 1 when
// there is none or it cannot be read. It reads only the segments before
// the image data and checks every offset, since the bytes are a stranger's.
func exifOrientation(data []byte) int {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return 1
		}
		marker := data[i+1]
		if marker == 0xDA || marker == 0xD9 { // start of scan, end of image
			return 1
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return 1
		}
		seg := data[i+4 : i+2+n]
		if marker == 0xE1 && len(seg) > 6 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

// tiffOrientation reads the Orientation tag of IFD0 of a TIFF header.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	ifd := int64(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > int64(len(t)) {
		return 1
	}
	count := int64(bo.Uint16(t[ifd:]))
	for k := int64(0); k < count; k++ {
		e := ifd + 2 + 12*k
		if e+12 > int64(len(t)) {
			return 1
		}
		const orientationTag, typeShort = 0x0112, 3
		if bo.Uint16(t[e:]) == orientationTag && bo.Uint16(t[e+2:]) == typeShort {
			if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
				return o
			}
			return 1
		}
	}
	return 1
}

// orient turns img as EXIF orientation o says, so that the result shows
// upright without its EXIF.
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	// src maps a pixel of the result to the pixel of img it shows.
	var src func(x, y int) (int, int)
	ow, oh := w, h
	switch o {
	case 2: // mirrored
		src = func(x, y int) (int, int) { return w - 1 - x, y }
	case 3: // upside down
		src = func(x, y int) (int, int) { return w - 1 - x, h - 1 - y }
	case 4: // mirrored upside down
		src = func(x, y int) (int, int) { return x, h - 1 - y }
	case 5: // mirrored along the diagonal
		ow, oh = h, w
		src = func(x, y int) (int, int) { return y, x }
	case 6: // to be turned a quarter clockwise
		ow, oh = h, w
		src = func(x, y int) (int, int) { return y, h - 1 - x }
	case 7: // mirrored along the other diagonal
		ow, oh = h, w
		src = func(x, y int) (int, int) { return w - 1 - y, h - 1 - x }
	case 8: // to be turned a quarter anticlockwise
		ow, oh = h, w
		src = func(x, y int) (int, int) { return w - 1 - y, x }
	}
	in := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(in, in.Bounds(), img, b.Min, draw.Src)
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			sx, sy := src(x, y)
			i, j := in.PixOffset(sx, sy), out.PixOffset(x, y)
			copy(out.Pix[j:j+4], in.Pix[i:i+4])
		}
	}
	return out
}
