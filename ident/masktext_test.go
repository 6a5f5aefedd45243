package ident

import (
	"testing"
	"unicode"
)

// TestMaskText: ID numbers and phones inside free text are masked where
// they stand; case numbers, dates, short numbers and digits inside codes
// are left as written.
func TestMaskText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"no numbers here", "no numbers here"},
		{"ID 110101199003071234 please", "ID 1101**********1234 please"},
		{"ID 11010119900307123X.", "ID 1101**********123X."},
		{"ID 11010119900307123x", "ID 1101**********123x"},
		{"old ID 110101900307123 here", "old ID 1101*******7123 here"},
		{"call 13812345678 now", "call 138****5678 now"},
		{"call +8613812345678", "call +86138****5678"},
		{"+86 13812345678", "+86 138****5678"},
		{"138 1234 5678", "138 **** 5678"},
		{"138-1234-5678", "138-****-5678"},
		{"0355-2123456 or 010-12345678", "0355-***3456 or 010-****5678"},
		{"03552123456", "0355***3456"},
		{"(0355) 2123456", "(0355) ***3456"},
		// Chinese characters bound a run as any non-ASCII text does.
		{"\u7535\u8bdd13812345678\u8c22\u8c22", "\u7535\u8bdd138****5678\u8c22\u8c22"},
		{"\u8eab\u4efd\u8bc1\u53f7110101199003071234\u3002", "\u8eab\u4efd\u8bc1\u53f71101**********1234\u3002"},
		// Left alone: case numbers, dates, times, short numbers, digits in codes.
		{"case 2026-000123", "case 2026-000123"},
		{"on 2026-03-15 at 08:30", "on 2026-03-15 at 08:30"},
		{"20260315", "20260315"},
		{"room 1203, building 7", "room 1203, building 7"},
		{"12345678901", "12345678901"},
		{"order A13812345678", "order A13812345678"},
		{"13812345678B", "13812345678B"},
		{"1381234567", "1381234567"},
		{"138123456789", "138123456789"},
		// 16 to 19 digits: a bank card, an ID number off by a digit.
		{"1101011990030712345", "1101***********2345"},
		{"card 6222021234567890123", "card 6222***********0123"},
		{"ID 11010119900307123 (one short)", "ID 1101*********7123 (one short)"},
		{"12345678901234", "12345678901234"},
		// In groups, with spaces, hyphens or an ideographic space.
		{"110105 19491231 002X", "1101** ******** 002X"},
		{"110105-19491231-0021", "1101**-********-0021"},
		{"440106\u3000199512310587", "4401**\u3000********0587"},
		{"2026 000123 12345", "2026 000123 12345"},
		// Any script's digits: a phone's full-width keyboard, Arabic-Indic.
		{"\uff11\uff13\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18", "\uff11\uff13\uff18****\uff15\uff16\uff17\uff18"},
		{"\uff11\uff11\uff10\uff11\uff10\uff15\uff11\uff19\uff14\uff19\uff11\uff12\uff13\uff11\uff10\uff10\uff12\uff38", "\uff11\uff11\uff10\uff11**********\uff10\uff10\uff12\uff38"},
		{"\u0663\u0663\u0660\u0661\u0660\u0666\u0661\u0669\u0669\u0668\u0660\u0663\u0660\u0662\u0660\u0663\u0668\u0661", "\u0663\u0663\u0660\u0661**********\u0660\u0663\u0668\u0661"},
		// A Cyrillic Ha where the X should be: the 17 digits still go.
		{"11010519491231002\u0425", "1101*********1002\u0425"},
		{"138 1234 567", "138 1234 567"},
		{"138-1234 5678", "138-1234 5678"},
		{"0355-123", "0355-123"},
		// Several in one text.
		{"13812345678/13987654321", "138****5678/139****4321"},
	}
	for _, tc := range tests {
		if got := MaskText(tc.in); got != tc.want {
			t.Errorf("MaskText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzMaskText(f *testing.F) {
	f.Add("ID 110101199003071234 tel 13812345678")
	f.Add("138-1234-5678 0355-2123456")
	f.Fuzz(func(t *testing.T, s string) {
		got := MaskText(s)
		// Masking only stars digits: the text keeps its characters but
		// digits turned to stars.
		in, out := []rune(s), []rune(got)
		if len(in) != len(out) {
			t.Fatalf("MaskText changed the length: %q → %q", s, got)
		}
		for i := range in {
			if out[i] != in[i] && (out[i] != '*' || !unicode.IsDigit(in[i])) {
				t.Fatalf("MaskText(%q) changed character %d to %q", s, i, out[i])
			}
		}
	})
}
