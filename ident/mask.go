package ident

import "strings"

// MaskID masks an ID number for display, keeping the first four and the
// last four characters: "1404**********123X". It accepts any string: it
// normalises it as ParseID does (a 15-digit number is masked in its 18-digit
// form), and masks all but the last two characters of strings shorter than 15.
func MaskID(s string) string {
	s = CompactID(s)
	if c, err := ConvertLegacyID(s); err == nil {
		s = c
	}
	r := []rune(s)
	if len(r) < 15 {
		return maskTail(r, 2)
	}
	return string(r[:4]) + strings.Repeat("*", len(r)-8) + string(r[len(r)-4:])
}

// MaskPhone masks a phone number for display: a mobile number keeps its
// first three and last four digits ("138****5678"), a landline its area code
// and last four digits ("0355-***1234"). Both are normalised first. Strings
// that are not valid phone numbers keep only their last two characters.
func MaskPhone(s string) string {
	p, err := ParsePhone(s)
	if err != nil {
		return maskTail([]rune(normalize(s)), 2)
	}
	if p.IsMobile() {
		return string(p[:3]) + "****" + string(p[7:])
	}
	area, local, _ := strings.Cut(string(p), "-")
	return area + "-" + strings.Repeat("*", len(local)-4) + local[len(local)-4:]
}

// MaskName masks a person's name for display: it keeps the first character
// of a two-character name ("张*") and the first and last characters of a
// longer one ("张*明", "欧**锋"). A one-character name is masked entirely.
func MaskName(s string) string {
	r := []rune(strings.TrimSpace(s))
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// maskTail replaces all but the last keep runes of r by '*'. Strings of at
// most keep runes are masked entirely.
func maskTail(r []rune, keep int) string {
	if len(r) <= keep {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-keep) + string(r[len(r)-keep:])
}
