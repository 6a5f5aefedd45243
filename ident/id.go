package ident

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// IDNumber is a validated, normalised 18-character GB 11643-1999 resident
// ID number: 17 ASCII digits followed by a digit or an upper-case X.
//
// Only ParseID, ParseIDAt and MakeID produce valid values. The methods do not
// panic on other strings; they return zero values.
type IDNumber string

// Sex is a person's sex, coded as in GB/T 2261.1.
type Sex int

// Sex values.
const (
	SexUnknown Sex = 0
	SexMale    Sex = 1
	SexFemale  Sex = 2
)

// String returns "M", "F" or "".
func (s Sex) String() string {
	switch s {
	case SexMale:
		return "M"
	case SexFemale:
		return "F"
	}
	return ""
}

// Zh returns 男, 女 or 未知.
func (s Sex) Zh() string {
	switch s {
	case SexMale:
		return "男"
	case SexFemale:
		return "女"
	}
	return "未知"
}

// earliestBirth is the earliest birth date ParseID accepts. The oldest person
// on record was born in 1875 and GB 11643-1999's own worked example was born
// on 1880-01-01, so anything earlier is a typing error.
var earliestBirth = time.Date(1870, time.January, 1, 0, 0, 0, 0, time.UTC)

// chinaTime is Beijing time. China has kept UTC+8 without daylight saving
// time since 1991, so a fixed zone is exact for "today" and needs no tzdata.
var chinaTime = time.FixedZone("CST", 8*60*60)

// ParseID validates and normalises a resident ID number, judging the birth
// date against today's date in Beijing time. See ParseIDAt.
func ParseID(s string) (IDNumber, error) {
	return ParseIDAt(s, time.Now().In(chinaTime))
}

// ParseIDAt validates and normalises a resident ID number, judging the birth
// date against the calendar date of today in today's location.
//
// It normalises the number as CompactID does (so "110105 19491231 002X", as
// people type it into a spreadsheet, is accepted), converts a 15-digit number
// of the 1989 form to 18 digits as ConvertLegacyID does, then checks in
// order: the length (18), the characters (17 digits and a digit or X), the
// province code (first two digits), the birth date (digits 7–14: a real date,
// not after today and not before 1870-01-01) and the ISO 7064 MOD 11-2 check
// character. Errors are of type *Error.
func ParseIDAt(s string, today time.Time) (IDNumber, error) {
	id, _, err := ParseIDConvertedAt(s, today)
	return id, err
}

// ParseIDConverted is ParseID that also reports whether the input was a
// 15-digit number converted to 18 digits, so an import can say so.
func ParseIDConverted(s string) (IDNumber, bool, error) {
	return ParseIDConvertedAt(s, time.Now().In(chinaTime))
}

// ParseIDConvertedAt is ParseIDAt that also reports whether the input was a
// 15-digit number converted to 18 digits.
func ParseIDConvertedAt(s string, today time.Time) (IDNumber, bool, error) {
	s = CompactID(s)
	converted := false
	if utf8.RuneCountInString(s) == 15 {
		c, err := ConvertLegacyID(s)
		if err != nil {
			return "", false, err
		}
		s, converted = c, true
	}
	id, err := parseID18(s, today)
	return id, converted && err == nil, err
}

// CompactID normalises an ID number as people type it: it drops white space
// anywhere (ASCII spaces, tabs, the ideographic space U+3000) and hyphens
// between the groups, maps full-width digits and letters to ASCII and
// upper-cases x. It does not validate.
func CompactID(s string) string {
	s = normalize(s)
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\r', '\u00a0', '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212':
			return -1
		}
		return r
	}, s)
}

// ConvertLegacyID converts a 15-digit ID number of the 1989 form (6-digit
// area code, 6-digit YYMMDD birth date, 3-digit sequence) to the 18-digit
// GB 11643-1999 form: the century 19 is inserted before the birth year and
// the check character appended. The input is compacted first; the result is
// not otherwise validated (ParseIDAt does that).
func ConvertLegacyID(s string) (string, error) {
	s = CompactID(s)
	if utf8.RuneCountInString(s) != 15 || !allDigits(s) {
		return "", idError(ReasonLegacy, "ident.id.legacy_digits")
	}
	first17 := s[:6] + "19" + s[6:]
	return first17 + string(CheckDigit(first17)), nil
}

// parseID18 validates a compacted ID number.
func parseID18(s string, today time.Time) (IDNumber, error) {
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0:
		return "", idError(ReasonEmpty, "ident.id.empty")
	case n != 18:
		return "", idError(ReasonLength, "ident.id.length", "N", n)
	}
	i := 0
	for _, r := range s {
		i++
		switch {
		case i < 18 && !isDigit(r):
			return "", idError(ReasonCharset, "ident.id.digit", "Pos", i, "Char", quote(r))
		case i == 18 && !isDigit(r) && r != 'X':
			return "", idError(ReasonCharset, "ident.id.last_char", "Char", quote(r))
		}
	}
	// s is now 18 ASCII bytes.
	if !validProvince(s[:2]) {
		return "", idError(ReasonRegion, "ident.id.province", "Code", s[:2])
	}
	date := s[6:10] + "-" + s[10:12] + "-" + s[12:14]
	birth, ok := birthDate(s)
	if !ok {
		return "", idError(ReasonBirthDate, "ident.id.birth_invalid", "Date", date)
	}
	if birth.Before(earliestBirth) {
		return "", idError(ReasonBirthDate, "ident.id.birth_early", "Date", date, "Earliest", earliestBirth.Format(time.DateOnly))
	}
	y, m, d := today.Date()
	if t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); birth.After(t) {
		return "", idError(ReasonFutureBirth, "ident.id.birth_future", "Date", date, "Today", t.Format(time.DateOnly))
	}
	if want, got := CheckDigit(s[:17]), s[17]; want != got {
		return "", idError(ReasonCheckDigit, "ident.id.check_digit", "Want", string(want), "Got", string(got))
	}
	return IDNumber(s), nil
}

func idError(reason, key string, params ...any) *Error {
	return newError(FieldID, reason, key, params)
}

// validProvince reports whether the two digits p are a province-level code
// used in ID numbers: the mainland provinces, Taiwan (71), Hong Kong (81),
// Macao (82) and residence permits for Taiwan residents (83).
func validProvince(p string) bool {
	n, err := strconv.Atoi(p)
	if err != nil || len(p) != 2 {
		return false
	}
	switch {
	case 11 <= n && n <= 15, 21 <= n && n <= 23, 31 <= n && n <= 37,
		41 <= n && n <= 46, 50 <= n && n <= 54, 61 <= n && n <= 65,
		n == 71, n == 81, n == 82, n == 83:
		return true
	}
	return false
}

// birthDate returns the date in digits 7–14 of s, if it is a calendar date.
func birthDate(s string) (time.Time, bool) {
	if len(s) < 14 || !allDigits(s[6:14]) {
		return time.Time{}, false
	}
	y, _ := strconv.Atoi(s[6:10])
	m, _ := strconv.Atoi(s[10:12])
	d, _ := strconv.Atoi(s[12:14])
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// idWeights are the GB 11643 weights 2^(17-i) mod 11 of the first 17 digits.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// CheckDigit returns the ISO 7064 MOD 11-2 check character ('0'–'9' or 'X')
// of the first 17 digits of an ID number. It panics if first17 is not
// exactly 17 ASCII digits.
func CheckDigit(first17 string) byte {
	if len(first17) != 17 || !allDigits(first17) {
		panic(fmt.Sprintf("ident: CheckDigit of %q: need 17 digits", first17))
	}
	sum := 0
	for i := range 17 {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return "10X98765432"[sum%11]
}

// String returns the ID number.
func (id IDNumber) String() string { return string(id) }

// Region returns the 6-digit administrative division code (the first six
// digits), or "" if id is too short.
func (id IDNumber) Region() string {
	if len(id) < 6 {
		return ""
	}
	return string(id[:6])
}

// BirthDate returns midnight UTC of the birth date, or the zero Time if id
// holds no valid date.
func (id IDNumber) BirthDate() time.Time {
	t, _ := birthDate(string(id))
	return t
}

// Sex returns SexMale if the 17th digit is odd, SexFemale if it is even and
// SexUnknown if id is too short.
func (id IDNumber) Sex() Sex {
	if len(id) < 17 || !isDigit(rune(id[16])) {
		return SexUnknown
	}
	if (id[16]-'0')%2 == 1 {
		return SexMale
	}
	return SexFemale
}

// Age returns the number of completed years between birth and at, comparing
// calendar dates, each in its own location. Someone born on 29 February
// completes a year on 1 March in common years. Age returns 0 if at is before
// birth.
func Age(birth, at time.Time) int {
	by, bm, bd := birth.Date()
	ay, am, ad := at.Date()
	age := ay - by
	if am < bm || am == bm && ad < bd {
		age--
	}
	return max(age, 0)
}

// MakeID builds a valid ID number from a 6-digit region code, a birth date
// (its calendar date in its own location), a sequence 0–99 (digits 15–16)
// and a sex: the 17th digit is 1 for SexMale and 2 for SexFemale. It panics
// on bad input. It is meant for tests and synthetic data.
func MakeID(region string, birth time.Time, seq int, sex Sex) IDNumber {
	if len(region) != 6 || !allDigits(region) || !validProvince(region[:2]) {
		panic(fmt.Sprintf("ident: MakeID: bad region %q", region))
	}
	y, m, d := birth.Date()
	if b := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); b.Before(earliestBirth) || y > 9999 {
		panic(fmt.Sprintf("ident: MakeID: birth date %s out of range", b.Format(time.DateOnly)))
	}
	if seq < 0 || seq > 99 {
		panic(fmt.Sprintf("ident: MakeID: sequence %d out of range 0..99", seq))
	}
	var digit int
	switch sex {
	case SexMale:
		digit = 1
	case SexFemale:
		digit = 2
	default:
		panic(fmt.Sprintf("ident: MakeID: bad sex %d", sex))
	}
	s := fmt.Sprintf("%s%04d%02d%02d%03d", region, y, m, d, seq*10+digit)
	return IDNumber(s + string(CheckDigit(s)))
}
