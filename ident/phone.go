package ident

import (
	"strings"
)

// Phone is a validated, normalised mainland China phone number: either an
// 11-digit mobile number such as "13812345678", or a landline with its area
// code such as "0355-2021234" or "010-12345678".
type Phone string

// ParsePhone validates and normalises a phone number.
//
// It trims white space, converts full-width characters to ASCII and ignores
// spaces, dashes and parentheses. A mobile number has 11 digits, starts with
// 13–19 and may carry the country code +86, 0086 or 86. A landline starts
// with its area code: 010, 02x or a three-digit code 0xxx, followed by a 7-
// or 8-digit local number that does not start with 0; with the country
// code +86 or 0086 the leading 0 of the area code may be left out. Errors are
// of type *Error.
func ParsePhone(s string) (Phone, error) {
	s = normalize(s)
	if s == "" {
		return "", phoneError(ReasonEmpty, "ident.phone.empty")
	}
	var b strings.Builder
	plus := false
	i := 0
	for _, r := range s {
		i++
		switch {
		case isDigit(r):
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')':
		case r == '+' && i == 1:
			plus = true
		default:
			return "", phoneError(ReasonCharset, "ident.phone.char", "Pos", i, "Char", quote(r))
		}
	}
	d := b.String()
	intl := false
	switch {
	case plus && !strings.HasPrefix(d, "86"):
		return "", phoneError(ReasonPrefix, "ident.phone.foreign")
	case plus:
		d, intl = d[2:], true
	case strings.HasPrefix(d, "0086"):
		d, intl = d[4:], true
	case len(d) == 13 && strings.HasPrefix(d, "861"):
		d = d[2:]
	}
	if intl && d != "" && d[0] != '0' && !isMobilePrefix(d) {
		d = "0" + d // +86 355 2021234
	}
	switch {
	case d == "":
		return "", phoneError(ReasonLength, "ident.phone.no_digits")
	case d[0] == '1':
		return parseMobile(d)
	case d[0] == '0':
		return parseLandline(d)
	}
	return "", phoneError(ReasonPrefix, "ident.phone.prefix")
}

func isMobilePrefix(d string) bool {
	return len(d) >= 2 && d[0] == '1' && '3' <= d[1] && d[1] <= '9'
}

func parseMobile(d string) (Phone, error) {
	if len(d) != 11 {
		return "", phoneError(ReasonLength, "ident.phone.mobile_length", "N", len(d))
	}
	if !isMobilePrefix(d) {
		return "", phoneError(ReasonPrefix, "ident.phone.mobile_prefix", "Prefix", d[:2])
	}
	return Phone(d), nil
}

func parseLandline(d string) (Phone, error) {
	area := 4 // 0 and a three-digit area code
	switch {
	case len(d) < 3:
	case d[1] == '0':
		return "", phoneError(ReasonPrefix, "ident.phone.foreign")
	case d[1] == '1' && d[2] != '0':
		return "", phoneError(ReasonPrefix, "ident.phone.area_code", "Area", d[:3])
	case d[1] == '1' || d[1] == '2':
		area = 3 // 010 and 02x
	}
	local := max(len(d)-area, 0)
	if local < 7 || local > 8 {
		return "", phoneError(ReasonLength, "ident.phone.landline_length", "N", local)
	}
	if d[area] == '0' {
		return "", phoneError(ReasonPrefix, "ident.phone.landline_zero", "Area", d[:area])
	}
	return Phone(d[:area] + "-" + d[area:]), nil
}

func phoneError(reason, key string, params ...any) *Error {
	return newError(FieldPhone, reason, key, params)
}

// String returns the number.
func (p Phone) String() string { return string(p) }

// IsMobile reports whether p is a mobile number.
func (p Phone) IsMobile() bool {
	return len(p) == 11 && isMobilePrefix(string(p)) && allDigits(string(p))
}
