package ledger

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestXMLGuardBoundsEveryToken: whatever kind of token grows past the
// bound — a text, a tag's attributes, a comment or CDATA full of '>', an
// instruction — the guard fails it before the decoder has buffered it, and
// a document type declaration is refused; ordinary XML passes.
func TestXMLGuardBoundsEveryToken(t *testing.T) {
	big := strings.Repeat("a>b", 400)
	for name, c := range map[string]struct {
		doc  string
		want error
	}{
		"sheet":     {`<?xml version="1.0"?><sheetData><row r="1"><c t="inlineStr"><is><t>王建国 &amp; a&gt;b</t></is></c></row></sheetData>`, nil},
		"text":      {`<t>` + strings.Repeat("A", 2000) + `</t>`, errTokenTooLong},
		"gt text":   {`<t>` + big + `</t>`, errTokenTooLong},
		"attribute": {`<c r="` + strings.Repeat("A", 2000) + `"/>`, errTokenTooLong},
		"comment":   {`<x><!--` + big + `--></x>`, errTokenTooLong},
		"cdata":     {`<x><![CDATA[` + big + `]]></x>`, errTokenTooLong},
		"pi":        {`<x><?pi ` + big + `?></x>`, errTokenTooLong},
		"doctype":   {`<!DOCTYPE x [<!ENTITY a "b">]><x/>`, errDoctype},
		"short ok":  {`<x><!-- a>b --><![CDATA[a>b]]><?pi a>b?></x>`, nil},
	} {
		dec := xml.NewDecoder(&xmlGuard{r: strings.NewReader(c.doc), max: 1000})
		var err error
		for err == nil {
			_, err = dec.Token()
		}
		if err == io.EOF {
			err = nil
		}
		if !errors.Is(err, c.want) && (c.want != nil || err != nil) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

// TestCountingReaderRefusesPastItsBound: a part that holds more than its
// zip entry said fails at the bound, not at its end.
func TestCountingReaderRefusesPastItsBound(t *testing.T) {
	r := &countingReader{r: io.MultiReader(bytes.NewReader(make([]byte, 100)), bytes.NewReader(make([]byte, 100))), max: 150}
	n, err := io.Copy(io.Discard, r)
	if !errors.Is(err, errPartTooLarge) || n > 200 {
		t.Errorf("%d bytes, %v", n, err)
	}
	r = &countingReader{r: bytes.NewReader(make([]byte, 150)), max: 150}
	if _, err := io.Copy(io.Discard, r); err != nil {
		t.Errorf("at the bound: %v", err)
	}
}

// TestBstrDecode: the _xHHHH_ escapes read as excelize reads them.
func TestBstrDecode(t *testing.T) {
	for in, want := range map[string]string{
		"plain":             "plain",
		"a_x000D_b":         "a\rb",
		"_x005F_x0008_":     "_x0008_",
		"_x4E2D__x6587_":    "中文",
		"_xD800_ surrogate": " surrogate",
		"_x12_ short":       "_x12_ short",
		"_xZZZZ_ not hex":   "_xZZZZ_ not hex",
		"tail _x0041":       "tail _x0041",
		"王_x0009_建国":        "王\t建国",
	} {
		if got := string(bstrDecode([]byte(in))); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
