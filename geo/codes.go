package geo

import (
	"fmt"
	"strconv"
)

// Region codes.
//
// A grid code has 15 digits (the Beijing DB11/T 2157-2023 form):
//
//	county(6, GB/T 2260) + sub-district(3, GB/T 10114) + community(3) + grid(3)
//
// e.g. 110105 001 002 003. A community's code is the first 12 digits, a
// sub-district's the first 9. A building adds a 5-digit sequence within its
// grid (20 digits).
//
// The CJ/T 349-2010 ("数字社区管理与服务 网格划分与编码规则") form has 20
// digits:
//
//	object(6, CJ/T 348) + county(6) + sub-district(3) + community(3) + grid(2)
//
// where "object" is the management/service-object class code (ending in 00
// for a top-level class) and the 2-digit grid sequence is 00 when a
// community is not subdivided. The mapping from a 15-digit code is therefore
// object + first 12 digits + last 2 digits of the 3-digit grid sequence; it
// is reversible, and defined only for grid sequences 001–099 (sequence 000
// would mean "undivided community" and ≥100 does not fit in two digits).
// The object code is a deployment setting (the caller passes it). Grids made
// by merging communities (community codes 601+ in CJ/T 349) are not derived.

// GridCode is a parsed 15-digit grid code.
type GridCode struct {
	County      string // 6 digits
	Subdistrict string // 3 digits
	Community   string // 3 digits
	Grid        string // 3 digits
}

// String is the 15-digit form.
func (g GridCode) String() string { return g.County + g.Subdistrict + g.Community + g.Grid }

// CommunityCode is the 12-digit community prefix.
func (g GridCode) CommunityCode() string { return g.County + g.Subdistrict + g.Community }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseGridCode checks and splits a 15-digit grid code.
func ParseGridCode(s string) (GridCode, error) {
	if len(s) != 15 || !allDigits(s) {
		return GridCode{}, newError("geo.code.grid", "Q", strconv.Quote(s))
	}
	return GridCode{County: s[:6], Subdistrict: s[6:9], Community: s[9:12], Grid: s[12:]}, nil
}

// ToCJT349 derives the 20-digit CJ/T 349-2010 code of a 15-digit grid code
// for the given 6-digit management/service-object code.
func ToCJT349(grid15, object string) (string, error) {
	g, err := ParseGridCode(grid15)
	if err != nil {
		return "", err
	}
	if len(object) != 6 || !allDigits(object) {
		return "", newError("geo.code.object", "Q", strconv.Quote(object))
	}
	if g.Grid == "000" || g.Grid[0] != '0' {
		return "", newError("geo.code.cjt349_seq", "Seq", g.Grid)
	}
	return object + g.CommunityCode() + g.Grid[1:], nil
}

// FromCJT349 reverses ToCJT349: it returns the 15-digit grid code and the
// object code.
func FromCJT349(code20 string) (grid15, object string, err error) {
	if len(code20) != 20 || !allDigits(code20) {
		return "", "", newError("geo.code.cjt349", "Q", strconv.Quote(code20))
	}
	if code20[18:] == "00" {
		return "", "", newError("geo.code.cjt349_community", "Code", code20)
	}
	return code20[6:18] + "0" + code20[18:], code20[:6], nil
}

// BuildingCode is the 20-digit building code: grid code + 5-digit sequence
// (1–99999).
func BuildingCode(grid15 string, seq int) (string, error) {
	if _, err := ParseGridCode(grid15); err != nil {
		return "", err
	}
	if seq < 1 || seq > 99999 {
		return "", newError("geo.code.building_seq", "Seq", seq)
	}
	return fmt.Sprintf("%s%05d", grid15, seq), nil
}

// ParseBuildingCode splits a 20-digit building code into its grid code and
// sequence.
func ParseBuildingCode(s string) (grid15 string, seq int, err error) {
	if len(s) != 20 || !allDigits(s) {
		return "", 0, newError("geo.code.building", "Q", strconv.Quote(s))
	}
	seq, _ = strconv.Atoi(s[15:])
	if seq == 0 {
		return "", 0, newError("geo.code.building_zero", "Q", strconv.Quote(s))
	}
	return s[:15], seq, nil
}
