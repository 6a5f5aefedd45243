// Package ident parses, validates, normalises and masks Chinese identifiers:
// resident ID numbers (GB 11643-1999), unified social credit codes
// (GB 32100-2015) and mainland phone numbers.
//
// Parse functions accept what people type: surrounding spaces (including the
// ideographic space U+3000), full-width characters and lower-case letters.
// They return the normalised value or an *Error that says, in Chinese and in
// English, exactly what is wrong.
//
// The package is pure: it uses only the standard library and does no I/O.
package ident

import "strings"

// Field values of Error.
const (
	FieldID         = "id_number"
	FieldCreditCode = "credit_code"
	FieldPhone      = "phone"
)

// Reason values of Error.
const (
	ReasonEmpty       = "empty"        // nothing but spaces
	ReasonLength      = "length"       // wrong number of characters or digits
	ReasonLegacy      = "legacy"       // 15-digit ID number issued before 1999
	ReasonCharset     = "charset"      // a character that may not appear there
	ReasonRegion      = "region"       // bad province or administrative division code
	ReasonBirthDate   = "birth_date"   // not a calendar date, or implausibly early
	ReasonFutureBirth = "future_birth" // birth date after today
	ReasonCheckDigit  = "check_digit"  // check character does not match
	ReasonPrefix      = "prefix"       // bad country code, mobile prefix or area code
)

// Error explains why an input is not a valid identifier, in Chinese and English.
type Error struct {
	Field  string // "id_number", "credit_code", "phone"
	Reason string // machine code, e.g. "length", "charset", "birth_date", "future_birth", "check_digit", "region", "prefix"
	Zh     string // e.g. "身份证号码校验位错误：应为 X，实为 5"
	En     string // e.g. "ID number check digit is wrong: expected X, got 5"
}

// Error returns the English message.
func (e *Error) Error() string { return e.En }

// normalize trims white space (including U+3000), maps full-width ASCII
// characters (U+FF01–U+FF5E) to their ASCII forms and upper-cases ASCII
// letters. Other characters are kept as they are.
func normalize(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\u3000':
			return ' '
		case r >= '\uFF01' && r <= '\uFF5E':
			r -= 0xFEE0
		}
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func allDigits(s string) bool {
	for _, r := range s {
		if !isDigit(r) {
			return false
		}
	}
	return true
}
