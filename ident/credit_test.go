package ident

import "testing"

// gbExample is the example code of GB 32100-2015.
const gbExample = "91350100M000100Y43"

func TestParseCreditCodeAccepts(t *testing.T) {
	tests := []struct{ in, want string }{
		{gbExample, gbExample},
		{"91350100m000100y43", gbExample},
		{" ９１３５０１００Ｍ０００１００Ｙ４３\u3000", gbExample},
		{"\t" + gbExample + "\n", gbExample},
		{string(MakeCreditCode("Y1110000000000000")), string(MakeCreditCode("Y1110000000000000"))},
	}
	for _, tt := range tests {
		c, err := ParseCreditCode(tt.in)
		if err != nil || string(c) != tt.want {
			t.Errorf("ParseCreditCode(%q) = %q, %v; want %q", tt.in, c, err, tt.want)
		}
	}
	if c := CreditCode(gbExample); c.String() != gbExample || c.Region() != "350100" {
		t.Errorf("String, Region = %q, %q", c.String(), c.Region())
	}
	if got := CreditCode("913").Region(); got != "" {
		t.Errorf("short Region() = %q", got)
	}
}

func TestParseCreditCodeRejects(t *testing.T) {
	tests := []struct {
		in     string
		reason string
		want   []string
	}{
		{"", ReasonEmpty, nil},
		{"\u3000", ReasonEmpty, nil},
		{"91350100M000100Y4", ReasonLength, []string{"got 17"}},
		{"91350100M000100Y433", ReasonLength, []string{"got 19"}},
		{"91350100M000100Y44", ReasonCheckDigit, []string{"expected 3, got 4", "应为 3，实为 4"}},
		{"91350100M000100Y4Z", ReasonCharset, []string{"character 18", "'Z'", "I, O, S, V and Z"}},
		{"91350100I000100Y43", ReasonCharset, []string{"character 9", "'I'", "第 9 位"}},
		{"91350100M0O0100Y43", ReasonCharset, []string{"character 11", "'O'"}},
		{"91350100M000Z00Y43", ReasonCharset, []string{"character 13", "'Z'"}},
		{"91350100M000100S43", ReasonCharset, []string{"character 16", "'S'"}},
		{"V1350100M000100Y43", ReasonCharset, []string{"character 1", "'V'"}},
		{"91350100m000100y4i", ReasonCharset, []string{"character 18", "'I'"}}, // after upper-casing
		{"91350100M000100Y4-", ReasonCharset, []string{"character 18", "'-'", "digits and capital letters"}},
		{"9135010０M000100Y4张", ReasonCharset, []string{"character 18", "'张'"}},
		{"01350100M000100Y43", ReasonCharset, []string{"character 1", "cannot be 0"}},
		{"913A0100M000100Y43", ReasonRegion, []string{"character 4", "'A'", "第 4 位"}},
		{"91350Y00M000100Y43", ReasonRegion, []string{"character 6"}},
	}
	for _, tt := range tests {
		_, err := ParseCreditCode(tt.in)
		checkErr(t, tt.in, err, FieldCreditCode, tt.reason, tt.want...)
	}
}

// TestCreditSingleErrors checks exhaustively that every single-character
// substitution of valid codes is rejected: the weights are non-zero modulo
// the prime 31, so MOD 31 detects all of them.
func TestCreditSingleErrors(t *testing.T) {
	for _, code := range []string{gbExample, string(MakeCreditCode("12100000400000624")), string(MakeCreditCode("52440300MJL1234XY"))} {
		if _, err := ParseCreditCode(code); err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		for i := range 18 {
			for _, c := range []byte(CreditAlphabet) {
				if c == code[i] {
					continue
				}
				s := code[:i] + string(c) + code[i+1:]
				if _, err := ParseCreditCode(s); err == nil {
					t.Errorf("%s: substitution %s accepted", code, s)
				}
				if i < 17 && CreditCheckChar(s[:17]) == s[17] {
					t.Errorf("%s: substitution %s has a valid check character", code, s)
				}
			}
		}
	}
}

func TestCreditCheckChar(t *testing.T) {
	if got := CreditCheckChar("91350100M000100Y4"); got != '3' {
		t.Errorf("CreditCheckChar = %c, want 3", got)
	}
	if got := CreditCheckChar("00000000000000000"); got != '0' {
		t.Errorf("CreditCheckChar of zeros = %c, want 0", got)
	}
	for _, bad := range []string{"", "91350100M000100Y", "91350100M000100Y43", "91350100M000100YI", "91350100m000100Y4"} {
		mustPanic(t, "CreditCheckChar("+bad+")", func() { CreditCheckChar(bad) })
	}
}

func TestMakeCreditCode(t *testing.T) {
	if got := MakeCreditCode("91350100M000100Y4"); got != gbExample {
		t.Errorf("MakeCreditCode = %q, want %q", got, gbExample)
	}
	for _, bad := range []string{"", "91350100M000100Y", "01350100M000100Y4", "913A0100M000100Y4", "91350100m000100Y4", "91350100I000100Y4"} {
		mustPanic(t, "MakeCreditCode("+bad+")", func() { MakeCreditCode(bad) })
	}
}
