package ident

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wangge/wangge/msg"
)

// checkFuzzErr fails unless err is a complete *Error for field.
func checkFuzzErr(t *testing.T, err error, field string) {
	t.Helper()
	e, ok := err.(*Error)
	if !ok || e.Field != field || e.Reason == "" || !msg.Has(e.Key) || e.Zh() == e.Key || e.En() == e.Key || e.Error() != e.En() {
		t.Fatalf("bad error %#v", err)
	}
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "440524188001010014", "11010519491231002x",
		"１１０１０５１９４９１２３１００２Ｘ", "\u300011010519491231002X ",
		"110105491231002", "110105194902290021", "110105202605020021",
		"110105194912310025", "910105194912310021", "", "X", "\xff",
		"110105 19491231 002X", "110105\u300019491231\u3000002X", "110105-19491231-002X",
		"110105 491231 002", "11010549123100X",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseIDAt(s, today)
		if err != nil {
			checkFuzzErr(t, err, FieldID)
			return
		}
		if len(id) != 18 || CheckDigit(string(id[:17])) != id[17] || id.BirthDate().IsZero() || id.Sex() == SexUnknown || len(id.Region()) != 6 {
			t.Fatalf("ParseIDAt(%q) = %q: not well formed", s, id)
		}
		id2, err := ParseIDAt(id.String(), today)
		if err != nil || id2 != id {
			t.Fatalf("ParseIDAt(%q) = %q, but ParseIDAt(%q) = %q, %v", s, id, id, id2, err)
		}
		if m := MaskID(s); m != string(id[:4])+"**********"+string(id[14:]) {
			t.Fatalf("MaskID(%q) = %q", s, m)
		}
		// Converting is parsing: a converted number is the one ParseIDAt gives.
		id3, converted, err := ParseIDConvertedAt(s, today)
		if err != nil || id3 != id || converted != (len(CompactID(s)) == 15) {
			t.Fatalf("ParseIDConvertedAt(%q) = %q, %v, %v; ParseIDAt gave %q", s, id3, converted, err, id)
		}
	})
}

func FuzzParseCreditCode(f *testing.F) {
	for _, s := range []string{
		gbExample, "91350100m000100y43", " ９１３５０１００Ｍ０００１００Ｙ４３",
		"91350100M000100Y44", "91350100I000100Y43", "01350100M000100Y43",
		"913A0100M000100Y43", "91350100M000100Y4", "", "\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCreditCode(s)
		if err != nil {
			checkFuzzErr(t, err, FieldCreditCode)
			return
		}
		if len(c) != 18 || CreditCheckChar(string(c[:17])) != c[17] || !allDigits(c.Region()) {
			t.Fatalf("ParseCreditCode(%q) = %q: not well formed", s, c)
		}
		c2, err := ParseCreditCode(c.String())
		if err != nil || c2 != c {
			t.Fatalf("ParseCreditCode(%q) = %q, but ParseCreditCode(%q) = %q, %v", s, c, c, c2, err)
		}
		if MakeCreditCode(string(c[:17])) != c {
			t.Fatalf("MakeCreditCode(%q) != %q", c[:17], c)
		}
	})
}

func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{
		"13812345678", "+86 138 1234 5678", "008613812345678", "8613812345678",
		"0355-2021234", "(0355) 2021234", "010-12345678", "+86 10 12345678",
		"＋８６　１３８１２３４５６７８", "12812345678", "0355-0021234", "+1 415 555 0100",
		"", "+", "0", "\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePhone(s)
		if err != nil {
			checkFuzzErr(t, err, FieldPhone)
			return
		}
		area, local, landline := strings.Cut(string(p), "-")
		switch {
		case p.IsMobile() == landline,
			landline && (len(area) < 3 || len(area) > 4 || area[0] != '0' || !allDigits(area) || len(local) < 7 || len(local) > 8 || !allDigits(local)):
			t.Fatalf("ParsePhone(%q) = %q: not well formed", s, p)
		}
		p2, err := ParsePhone(p.String())
		if err != nil || p2 != p {
			t.Fatalf("ParsePhone(%q) = %q, but ParsePhone(%q) = %q, %v", s, p, p, p2, err)
		}
		if m := MaskPhone(s); m != MaskPhone(p.String()) || strings.Count(m, "*") < 3 || strings.Contains(m, string(p)) {
			t.Fatalf("MaskPhone(%q) = %q", s, m)
		}
	})
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{
		"", "张", "张明", "欧阳小锋", "阿卜杜拉·买买提", "14040219900101123X",
		"13812345678", "0355-2021234", "12", "\u3000", "\xff\xfe", "a\x00b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range []struct {
			name string
			f    func(string) string
		}{{"MaskID", MaskID}, {"MaskPhone", MaskPhone}, {"MaskName", MaskName}} {
			out := m.f(s)
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q: invalid UTF-8", m.name, s, out)
			}
			if n := utf8.RuneCountInString(out); n > 0 && strings.Count(out, "*") == 0 {
				t.Fatalf("%s(%q) = %q: nothing masked", m.name, s, out)
			}
		}
		if n, m := utf8.RuneCountInString(strings.TrimSpace(s)), utf8.RuneCountInString(MaskName(s)); n != m && utf8.ValidString(s) {
			t.Fatalf("MaskName(%q) = %q: %d runes, want %d", s, MaskName(s), m, n)
		}
	})
}
