package casework

import (
	"fmt"
	"strconv"
)

// A case number is the year it was made and its sequence within the
// district that year, six digits: 2026-000123. It is short enough to read
// out on the phone, tells its age at a glance, and six digits hold a year
// of a district several times the demo's (~120,000 households raise tens of
// thousands of cases a year). The district is not in it: one district's
// staff and residents never need another's numbers, and a city's store
// keys cases by district code and number.

// NumberSeqMax is the last sequence a year can hold.
const NumberSeqMax = 999999

// FormatNumber returns the number of the seq-th case of the year.
func FormatNumber(year, seq int) string {
	return fmt.Sprintf("%04d-%06d", year, seq)
}

// ParseNumber splits a case number into its year and sequence.
func ParseNumber(s string) (year, seq int, ok bool) {
	if len(s) != 11 || s[4] != '-' {
		return 0, 0, false
	}
	for i, r := range s {
		if i != 4 && (r < '0' || r > '9') {
			return 0, 0, false
		}
	}
	year, _ = strconv.Atoi(s[:4])
	seq, _ = strconv.Atoi(s[5:])
	if year < 2000 || seq < 1 {
		return 0, 0, false
	}
	return year, seq, true
}
