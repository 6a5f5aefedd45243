// Package ident parses, validates, normalises and masks Chinese identifiers:
// resident ID numbers (GB 11643-1999), unified social credit codes
// (GB 32100-2015) and mainland phone numbers.
//
// Parse functions accept what people type: surrounding spaces (including the
// ideographic space U+3000), full-width characters and lower-case letters.
// They return the normalised value or an *Error that says, in Chinese and in
// English (through the message catalogue, package msg), exactly what is wrong.
//
// The package is pure: it uses only the standard library and the message
// catalogue (package msg, itself a leaf), and does no I/O.
package ident

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wangge/wangge/msg"
)

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

// Error explains why an input is not a valid identifier. Its text, in
// Chinese and English, is the message catalogue's (package msg): Key names
// it and Params fill it in.
type Error struct {
	Field  string // "id_number", "credit_code", "phone"
	Reason string // machine code, e.g. "length", "charset", "birth_date", "future_birth", "check_digit", "region", "prefix"
	Key    string // catalogue key, e.g. "ident.id.check_digit"
	Params map[string]any
}

func newError(field, reason, key string, params []any) *Error {
	e := &Error{Field: field, Reason: reason, Key: key}
	if len(params) > 0 {
		e.Params = make(map[string]any, len(params)/2)
		for i := 0; i+1 < len(params); i += 2 {
			e.Params[fmt.Sprint(params[i])] = params[i+1]
		}
	}
	return e
}

// Zh returns the Chinese text, e.g. "身份证号码校验位错误：应为 X，实为 5".
func (e *Error) Zh() string { return msg.Text("zh", e.Key, e.Params) }

// En returns the English text, e.g. "ID number check digit is wrong: expected X, got 5".
func (e *Error) En() string { return msg.Text("en", e.Key, e.Params) }

// Error returns the English text.
func (e *Error) Error() string { return e.En() }

// quote is how a message shows one character typed: in Go quotes, so that a
// space or an invisible character can be seen.
func quote(r rune) string { return strconv.QuoteRune(r) }

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
