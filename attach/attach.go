// Package attach cleans a file someone attaches to a case (photos and
// documents) before the store keeps it: the size is bounded, the content
// type is sniffed from the bytes (never taken from the client), only
// images and PDF are taken, and images are decoded and encoded again, so
// that what a phone wrote beside the pixels — EXIF with the location and
// the camera — is dropped. Whatever is kept has a type that no browser
// renders as HTML. Pure: bytes in, bytes out.
package attach

import (
	"bytes"
	"image"
	_ "image/gif" // registers the GIF decoder, for a GIF kept as PNG
	"image/jpeg"
	"image/png"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wangge/wangge"
)

// MaxSize bounds an attachment as uploaded, in bytes.
const MaxSize = 10 << 20

// MaxPixels bounds an image's width × height, checked from its header
// before the pixels are decoded, so a small file that claims a huge
// picture cannot take the server's memory.
const MaxPixels = 40_000_000

// NameMax bounds a file name, in characters.
const NameMax = 100

// The content types kept.
const (
	JPEG = "image/jpeg"
	PNG  = "image/png"
	PDF  = "application/pdf"
)

// File is an attachment as the store keeps it.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// Clean checks and cleans an uploaded file. A GIF is kept as PNG (its
// first frame): a photo of a problem needs no animation.
func Clean(name string, data []byte) (*File, error) {
	if len(data) == 0 || len(data) > MaxSize {
		return nil, wangge.Invalid("file", "error.attach.size", "Max", MaxSize>>20)
	}
	f := &File{}
	switch ct := http.DetectContentType(data); ct {
	case JPEG, PNG, "image/gif":
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return nil, wangge.Invalid("file", "error.attach.image")
		}
		if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
			return nil, wangge.Invalid("file", "error.attach.pixels", "Max", MaxPixels/1_000_000)
		}
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, wangge.Invalid("file", "error.attach.image")
		}
		if ct == JPEG {
			img = orient(img, exifOrientation(data))
		}
		var b bytes.Buffer
		if ct == JPEG {
			err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 90})
			f.ContentType = JPEG
		} else {
			err = png.Encode(&b, img)
			f.ContentType = PNG
		}
		if err != nil {
			return nil, err
		}
		f.Data = b.Bytes()
	case PDF:
		f.ContentType, f.Data = PDF, data
	default:
		return nil, wangge.Invalid("file", "error.attach.type")
	}
	f.Name = cleanName(name, f.ContentType)
	return f, nil
}

// cleanName keeps the base of a file name without control characters,
// bounded, with the extension of what the file is.
func cleanName(name, ct string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '/' || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(strings.TrimSuffix(name, path.Ext(name)))
	if name == "" || name == "." {
		name = "attachment"
	}
	if r := []rune(name); len(r) > NameMax {
		name = string(r[:NameMax])
	}
	return name + ext[ct]
}

var ext = map[string]string{JPEG: ".jpg", PNG: ".png", PDF: ".pdf"}

// Image reports whether a kept content type is a picture (the case page
// shows it inline; anything else is a download).
func Image(ct string) bool { return ct == JPEG || ct == PNG }
