package ident

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaskText masks, inside free text (a description a resident wrote, a
// reply), every run that looks like an ID number — 15 digits, or 17 digits
// and a digit or X, also written in groups (110105 19491231 002X) — every
// longer run of 16 to 19 digits (a bank card, an ID number mistyped by a
// digit), and every phone number: a mobile (1[3-9] and nine more digits,
// also as 3-4-4 with spaces or hyphens, or after +86) and a landline with
// its area code (0355-1234567, 03551234567). Digits are any script's —
// a phone's Chinese keyboard types full-width １３８… — and an ideographic
// space separates as a space does. It keeps to runs bounded by anything
// but an ASCII letter or a digit, so case numbers (2026-000123), dates and
// short numbers stay as written; a checksum is not asked for, since a
// mistyped ID number is still someone's. Masks keep the shape MaskID and
// MaskPhone give; every other character is kept as written.
func MaskText(s string) string {
	rs := []rune(s)
	// The shadow is one ASCII byte per character: digits as their value,
	// X-like letters as X, spaces as ' ', ASCII letters as themselves and
	// anything else as a boundary. The rules run on it; what they star is
	// starred in the text.
	shadow := make([]byte, len(rs))
	for k, r := range rs {
		shadow[k] = shadowOf(r)
	}
	masked := maskShadow(string(shadow))
	if masked == string(shadow) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for k, r := range rs {
		if masked[k] == '*' && shadow[k] != '*' {
			b.WriteByte('*')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// shadowOf is the ASCII byte standing for r in the shadow text.
func shadowOf(r rune) byte {
	switch {
	case r < utf8.RuneSelf:
		return byte(r)
	case unicode.IsDigit(r):
		if d := digitValue(r); d >= 0 {
			return byte('0' + d)
		}
	case r == 'Ｘ' || r == 'ｘ':
		return 'X'
	case r == '\u3000':
		return ' '
	case r == '－' || r == '‐' || r == '‑' || r == '–':
		return '-'
	case r == '（':
		return '('
	case r == '）':
		return ')'
	}
	return '#' // a boundary, as a Chinese character is
}

// digitValue is the value of a decimal digit of any script: the Unicode
// decimal digits come in blocks of ten starting at a zero.
func digitValue(r rune) int {
	for z := r - 1; z >= r-10; z-- {
		if !unicode.IsDigit(z) {
			return int(r - z - 1)
		}
	}
	return -1
}

// maskShadow applies the rules to an ASCII text.
func maskShadow(s string) string {
	var b strings.Builder
	last := 0 // s[last:] not yet copied
	for i := 0; i < len(s); {
		if !isDigitByte(s[i]) || (i > 0 && isAlnum(s[i-1])) {
			i++
			continue
		}
		j := digitsEnd(s, i)
		masked, end := maskRun(s, i, j)
		if masked == "" {
			i = j
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(masked)
		last, i = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// maskRun decides about the digit run s[i:j] (which starts at a boundary)
// and what follows it: the masked text and where it ends, or "" when the
// run is nothing to mask.
func maskRun(s string, i, j int) (string, int) {
	run := s[i:j]
	// 17 digits and an X: an 18-character ID number.
	if len(run) == 17 && j < len(s) && (s[j] == 'X' || s[j] == 'x') && bounded(s, j+1) {
		return maskKeep(s[i:j+1], 4, 4), j + 1
	}
	if masked, end := maskGrouped(s, i, j); masked != "" {
		return masked, end
	}
	if !bounded(s, j) {
		// Letters or more digits follow (an order code, a serial number).
		return "", j
	}
	switch {
	case len(run) >= 15 && len(run) <= 19:
		return maskKeep(run, 4, 4), j
	case len(run) == 11 && isMobileStart(run):
		return maskKeep(run, 3, 4), j
	case len(run) == 13 && run[:2] == "86" && isMobileStart(run[2:]):
		return maskKeep(run, 5, 4), j
	case run[0] == '0' && len(run) >= 10 && len(run) <= 12:
		area := areaLen(run)
		if local := len(run) - area; local >= 7 && local <= 8 {
			return run[:area] + maskKeep(run[area:], 0, 4), j
		}
	case len(run) == 3 && isMobileStart(run):
		// 138 1234 5678, 138-1234-5678: the same separator twice.
		if j < len(s) && (s[j] == ' ' || s[j] == '-') {
			sep := s[j]
			k := j + 1
			if m := digitsEnd(s, k); m-k == 4 && m < len(s) && s[m] == sep {
				if n := digitsEnd(s, m+1); n-(m+1) == 4 && bounded(s, n) {
					return run + string(sep) + "****" + string(sep) + s[m+1:n], n
				}
			}
		}
	case run[0] == '0' && (len(run) == 3 || len(run) == 4):
		// 0355-1234567, 010 12345678, (0355) 1234567: an area code and
		// the local number.
		k := j
		if k < len(s) && s[k] == ')' {
			k++
		}
		if k < len(s) && (s[k] == '-' || s[k] == ' ') {
			k++
		}
		if k > j {
			if m := digitsEnd(s, k); m-k >= 7 && m-k <= 8 && bounded(s, m) {
				return run + s[j:k] + maskKeep(s[k:m], 0, 4), m
			}
		}
	}
	return "", j
}

// maskGrouped masks an ID number written in groups — 110105 19491231 002X,
// 440106 199512310587 — starting with the run s[i:j]: at most four groups
// of digits, the first of six, joined by one space or hyphen each, 15 digits, or 17 and a
// last digit or X, in all. A 3-4-4 mobile is the phone rule's.
func maskGrouped(s string, i, j int) (string, int) {
	// The first group is the six-digit region code, as people split it.
	if j-i != 6 || j >= len(s) || s[j] != ' ' && s[j] != '-' {
		return "", j
	}
	n, end, groups := j-i, j, 1
	for groups < 4 && end+1 < len(s) && (s[end] == ' ' || s[end] == '-') && isDigitByte(s[end+1]) {
		k := digitsEnd(s, end+1)
		n, end, groups = n+k-(end+1), k, groups+1
		if n >= 15 {
			break
		}
	}
	if groups < 2 {
		return "", j
	}
	switch {
	case n == 17 && end < len(s) && (s[end] == 'X' || s[end] == 'x') && bounded(s, end+1):
		end++
	case (n == 15 || n == 18) && bounded(s, end):
	default:
		return "", j
	}
	// Star every digit but the first four and the last four.
	out := []byte(s[i:end])
	seen, total := 0, n
	if out[len(out)-1] == 'X' || out[len(out)-1] == 'x' {
		total++
	}
	for k, c := range out {
		if isDigitByte(c) {
			seen++
			if seen > 4 && seen <= total-4 {
				out[k] = '*'
			}
		}
	}
	return string(out), end
}

// areaLen is the length of a Chinese area code at the start of a landline
// number: three digits for 010 and 02x, four for the rest.
func areaLen(run string) int {
	if run[1] == '1' || run[1] == '2' {
		return 3
	}
	return 4
}

func isMobileStart(run string) bool { return run[0] == '1' && run[1] >= '3' && run[1] <= '9' }

// maskKeep keeps the first head and the last tail characters of an ASCII
// run and stars the rest.
func maskKeep(run string, head, tail int) string {
	return run[:head] + strings.Repeat("*", len(run)-head-tail) + run[len(run)-tail:]
}

func digitsEnd(s string, i int) int {
	for i < len(s) && isDigitByte(s[i]) {
		i++
	}
	return i
}

// bounded reports whether position j of s ends a run: the end, or anything
// but an ASCII letter or digit (Chinese characters bound a run: 电话13812345678).
func bounded(s string, j int) bool { return j >= len(s) || !isAlnum(s[j]) }

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isDigitByte(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
