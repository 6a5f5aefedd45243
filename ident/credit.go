package ident

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// CreditCode is a validated, normalised GB 32100-2015 unified social credit
// code (统一社会信用代码): 18 characters from CreditAlphabet.
//
// The characters are: 1 the registration authority, 2 the organisation type,
// 3–8 the administrative division code, 9–17 the organisation code and 18 the
// check character.
type CreditCode string

// CreditAlphabet is the GB 32100 character set, in value order. It omits the
// letters I, O, S, V and Z.
const CreditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditWeights are the GB 32100 weights 3^i mod 31 of the first 17 chars.
var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// ParseCreditCode validates and normalises a unified social credit code.
//
// It trims white space, converts full-width characters to ASCII and letters
// to upper case, then checks the length (18), that every character is in
// CreditAlphabet, that the first character is not 0, that characters 3–8 are
// digits and that the check character matches. Errors are of type *Error.
//
// Other structural rules of the standard (which registration authority and
// organisation type codes exist) are not checked: they change over time.
func ParseCreditCode(s string) (CreditCode, error) {
	s = normalize(s)
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0:
		return "", creditError(ReasonEmpty, "ident.credit.empty")
	case n != 18:
		return "", creditError(ReasonLength, "ident.credit.length", "N", n)
	}
	i := 0
	for _, r := range s {
		i++
		if !strings.ContainsRune(CreditAlphabet, r) {
			key := "ident.credit.char"
			if strings.ContainsRune("IOSVZ", r) {
				key = "ident.credit.char_iosvz"
			}
			return "", creditError(ReasonCharset, key, "Pos", i, "Char", quote(r))
		}
	}
	// s is now 18 ASCII bytes.
	if s[0] == '0' {
		return "", creditError(ReasonCharset, "ident.credit.authority")
	}
	for i := 2; i < 8; i++ {
		if !isDigit(rune(s[i])) {
			return "", creditError(ReasonRegion, "ident.credit.region", "Pos", i+1, "Char", quote(rune(s[i])))
		}
	}
	if want, got := CreditCheckChar(s[:17]), s[17]; want != got {
		return "", creditError(ReasonCheckDigit, "ident.credit.check_char", "Want", string(want), "Got", string(got))
	}
	return CreditCode(s), nil
}

func creditError(reason, key string, params ...any) *Error {
	return newError(FieldCreditCode, reason, key, params)
}

// CreditCheckChar returns the GB 32100 check character of the first 17
// characters of a unified social credit code. It panics if first17 is not
// exactly 17 characters from CreditAlphabet.
func CreditCheckChar(first17 string) byte {
	if len(first17) != 17 {
		panic(fmt.Sprintf("ident: CreditCheckChar of %q: need 17 characters", first17))
	}
	sum := 0
	for i := range 17 {
		v := strings.IndexByte(CreditAlphabet, first17[i])
		if v < 0 {
			panic(fmt.Sprintf("ident: CreditCheckChar of %q: bad character %q", first17, first17[i]))
		}
		sum += v * creditWeights[i]
	}
	return CreditAlphabet[(31-sum%31)%31]
}

// MakeCreditCode appends the check character to first17. It panics if the
// result would not be accepted by ParseCreditCode. It is meant for tests and
// synthetic data.
func MakeCreditCode(first17 string) CreditCode {
	if len(first17) != 17 {
		panic(fmt.Sprintf("ident: MakeCreditCode of %q: need 17 characters", first17))
	}
	s := first17 + string(CreditCheckChar(first17))
	c, err := ParseCreditCode(s)
	if err != nil || string(c) != s {
		panic(fmt.Sprintf("ident: MakeCreditCode of %q: %v", first17, err))
	}
	return c
}

// String returns the code.
func (c CreditCode) String() string { return string(c) }

// Region returns the 6-digit administrative division code (characters 3–8),
// or "" if c is too short.
func (c CreditCode) Region() string {
	if len(c) < 8 {
		return ""
	}
	return string(c[2:8])
}
