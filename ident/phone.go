package ident

import (
	"fmt"
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
		return "", phoneError(ReasonEmpty, "电话号码不能为空", "phone number is empty")
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
			return "", phoneError(ReasonCharset,
				fmt.Sprintf("电话号码第 %d 位 %q 无效：只能包含数字、空格、短横线和括号", i, r),
				fmt.Sprintf("phone number character %d (%q) is invalid: only digits, spaces, dashes and parentheses are allowed", i, r))
		}
	}
	d := b.String()
	intl := false
	switch {
	case plus && !strings.HasPrefix(d, "86"):
		return "", phoneError(ReasonPrefix,
			"只支持中国大陆电话号码（国家代码 +86）",
			"only mainland China phone numbers (country code +86) are supported")
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
		return "", phoneError(ReasonLength, "电话号码缺少号码部分", "phone number has no digits")
	case d[0] == '1':
		return parseMobile(d)
	case d[0] == '0':
		return parseLandline(d)
	}
	return "", phoneError(ReasonPrefix,
		"电话号码应以 1（手机）或 0（区号）开头；固定电话须填写区号",
		"phone number must start with 1 (mobile) or 0 (area code); landlines need their area code")
}

func isMobilePrefix(d string) bool {
	return len(d) >= 2 && d[0] == '1' && '3' <= d[1] && d[1] <= '9'
}

func parseMobile(d string) (Phone, error) {
	if len(d) != 11 {
		return "", phoneError(ReasonLength,
			fmt.Sprintf("手机号码应为 11 位，实为 %d 位", len(d)),
			fmt.Sprintf("mobile number must have 11 digits, got %d", len(d)))
	}
	if !isMobilePrefix(d) {
		return "", phoneError(ReasonPrefix,
			fmt.Sprintf("手机号码应以 13–19 开头，实为 %s", d[:2]),
			fmt.Sprintf("mobile number must start with 13 to 19, got %s", d[:2]))
	}
	return Phone(d), nil
}

func parseLandline(d string) (Phone, error) {
	area := 4 // 0 and a three-digit area code
	switch {
	case len(d) < 3:
	case d[1] == '0':
		return "", phoneError(ReasonPrefix,
			"只支持中国大陆电话号码（国家代码 +86）",
			"only mainland China phone numbers (country code +86) are supported")
	case d[1] == '1' && d[2] != '0':
		return "", phoneError(ReasonPrefix,
			fmt.Sprintf("区号 %s 无效", d[:3]),
			fmt.Sprintf("area code %s is invalid", d[:3]))
	case d[1] == '1' || d[1] == '2':
		area = 3 // 010 and 02x
	}
	local := max(len(d)-area, 0)
	if local < 7 || local > 8 {
		return "", phoneError(ReasonLength,
			fmt.Sprintf("固定电话号码应为区号加 7 或 8 位号码，区号后实为 %d 位", local),
			fmt.Sprintf("landline number must be an area code and 7 or 8 digits, got %d digits after the area code", local))
	}
	if d[area] == '0' {
		return "", phoneError(ReasonPrefix,
			fmt.Sprintf("固定电话号码在区号 %s 之后不能以 0 开头；区号是否重复填写？", d[:area]),
			fmt.Sprintf("landline number cannot start with 0 after area code %s; is the area code repeated?", d[:area]))
	}
	return Phone(d[:area] + "-" + d[area:]), nil
}

func phoneError(reason, zh, en string) *Error {
	return &Error{Field: FieldPhone, Reason: reason, Zh: zh, En: en}
}

// String returns the number.
func (p Phone) String() string { return string(p) }

// IsMobile reports whether p is a mobile number.
func (p Phone) IsMobile() bool {
	return len(p) == 11 && isMobilePrefix(string(p)) && allDigits(string(p))
}
