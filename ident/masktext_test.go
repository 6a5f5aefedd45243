package ident

import "testing"

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
		{"1101011990030712345", "1101011990030712345"},
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
		// Masking only stars digits: the text keeps its length and
		// every other byte.
		if len(got) != len(s) {
			t.Fatalf("MaskText changed the length: %q → %q", s, got)
		}
		for i := range len(s) {
			if got[i] != s[i] && (got[i] != '*' || s[i] < '0' || s[i] > '9') {
				t.Fatalf("MaskText(%q) changed byte %d to %q", s, i, got[i])
			}
		}
	})
}
