package ident

import "testing"

func TestParsePhoneAccepts(t *testing.T) {
	tests := []struct {
		in, want string
		mobile   bool
	}{
		{"13812345678", "13812345678", true},
		{"19912345678", "19912345678", true},
		{"138 1234 5678", "13812345678", true},
		{"138-1234-5678", "13812345678", true},
		{"+86 138 1234 5678", "13812345678", true},
		{"+86-13812345678", "13812345678", true},
		{"008613812345678", "13812345678", true},
		{"8613812345678", "13812345678", true},
		{"＋８６　１３８１２３４５６７８", "13812345678", true},
		{"\u3000１３８－１２３４－５６７８\u3000", "13812345678", true},
		{"0355-2021234", "0355-2021234", false},
		{"03552021234", "0355-2021234", false},
		{"(0355) 2021234", "0355-2021234", false},
		{"０３５５－２０２１２３４", "0355-2021234", false},
		{"0571-87654321", "0571-87654321", false},
		{"010-12345678", "010-12345678", false},
		{"01087654321", "010-87654321", false},
		{"020 8765 4321", "020-87654321", false},
		{"029-8765432", "029-8765432", false},
		{"+86 355 2021234", "0355-2021234", false},
		{"+86 10 12345678", "010-12345678", false},
		{"0086 10 12345678", "010-12345678", false},
		{"+86 (0)355 2021234", "0355-2021234", false},
	}
	for _, tt := range tests {
		p, err := ParsePhone(tt.in)
		if err != nil || string(p) != tt.want || p.String() != tt.want || p.IsMobile() != tt.mobile {
			t.Errorf("ParsePhone(%q) = %q (mobile %v), %v; want %q (mobile %v)", tt.in, p, p.IsMobile(), err, tt.want, tt.mobile)
		}
	}
}

func TestParsePhoneRejects(t *testing.T) {
	tests := []struct {
		in     string
		reason string
		want   []string
	}{
		{"", ReasonEmpty, nil},
		{" \u3000", ReasonEmpty, nil},
		{"-", ReasonLength, nil},
		{"+86", ReasonLength, nil},
		{"138123456789", ReasonLength, []string{"11 digits, got 12"}},
		{"1381234567", ReasonLength, []string{"11 digits, got 10"}},
		{"8613812345", ReasonPrefix, nil}, // no country code without '+' or 00
		{"12812345678", ReasonPrefix, []string{"got 12"}},
		{"10012345678", ReasonPrefix, []string{"got 10"}},
		{"2021234", ReasonPrefix, []string{"area code"}},
		{"+1 415 555 0100", ReasonPrefix, []string{"+86"}},
		{"001 415 555 0100", ReasonPrefix, []string{"+86"}},
		{"011-12345678", ReasonPrefix, []string{"011"}},
		{"0355-0021234", ReasonPrefix, []string{"0355", "start with 0"}},
		{"0355-03552021", ReasonPrefix, []string{"repeated"}},
		{"0355-202123", ReasonLength, []string{"got 6"}},
		{"0355-202123456", ReasonLength, []string{"got 9"}},
		{"010", ReasonLength, []string{"got 0"}},
		{"0", ReasonLength, nil},
		{"138.1234.5678", ReasonCharset, []string{"character 4", "'.'"}},
		{"138 1234 567８ 转 1", ReasonCharset, []string{"character 15", "'转'"}},
		{"(+86) 13812345678", ReasonCharset, []string{"character 2", "'+'"}},
		{"++8613812345678", ReasonCharset, []string{"character 2"}},
		{"tel:13812345678", ReasonCharset, []string{"character 1", "'T'"}},
	}
	for _, tt := range tests {
		_, err := ParsePhone(tt.in)
		checkErr(t, tt.in, err, FieldPhone, tt.reason, tt.want...)
	}
}

func TestPhoneIsMobile(t *testing.T) {
	tests := []struct {
		p    Phone
		want bool
	}{
		{"13812345678", true},
		{"0355-2021234", false},
		{"", false},
		{"1381234567X", false},
		{"12812345678", false},
	}
	for _, tt := range tests {
		if got := tt.p.IsMobile(); got != tt.want {
			t.Errorf("%q.IsMobile() = %v", tt.p, got)
		}
	}
}
