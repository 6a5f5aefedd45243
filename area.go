package wangge

import (
	"fmt"
	"time"
)

// Level is a level of the region tree.
type Level int

// The levels of the region tree and the length of their codes: a 6-digit
// county code, then 3 digits for the sub-district, 3 for the community and 3
// for the grid (the DB11/T 2157-2023 form).
const (
	LevelDistrict    Level = 1 // 区
	LevelSubdistrict Level = 2 // 街道
	LevelCommunity   Level = 3 // 社区
	LevelGrid        Level = 4 // 责任网格

	DistrictCodeLen    = 6
	SubdistrictCodeLen = 9
	CommunityCodeLen   = 12
	GridCodeLen        = 15
	BuildingSeqLen     = 5 // a building's sequence within its grid
)

// LevelOf returns the level named by a region code's length, or 0.
func LevelOf(code string) Level {
	switch len(code) {
	case DistrictCodeLen:
		return LevelDistrict
	case SubdistrictCodeLen:
		return LevelSubdistrict
	case CommunityCodeLen:
		return LevelCommunity
	case GridCodeLen:
		return LevelGrid
	}
	return 0
}

// CodeLen returns the length of codes at the level.
func (l Level) CodeLen() int {
	switch l {
	case LevelDistrict:
		return DistrictCodeLen
	case LevelSubdistrict:
		return SubdistrictCodeLen
	case LevelCommunity:
		return CommunityCodeLen
	case LevelGrid:
		return GridCodeLen
	}
	return 0
}

// String returns the English name of the level.
func (l Level) String() string {
	switch l {
	case LevelDistrict:
		return "district"
	case LevelSubdistrict:
		return "subdistrict"
	case LevelCommunity:
		return "community"
	case LevelGrid:
		return "grid"
	}
	return fmt.Sprintf("level(%d)", int(l))
}

// Zh returns the Chinese name of the level.
func (l Level) Zh() string {
	switch l {
	case LevelDistrict:
		return "区"
	case LevelSubdistrict:
		return "街道"
	case LevelCommunity:
		return "社区"
	case LevelGrid:
		return "网格"
	}
	return "?"
}

// ValidRegionCode reports whether code is a digit string of a level's length
// whose own segment is not all zeros (000 is never a sub-district, community
// or grid sequence).
func ValidRegionCode(code string) bool {
	if LevelOf(code) == 0 {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	if len(code) > DistrictCodeLen && code[len(code)-3:] == "000" {
		return false
	}
	return true
}

// ParentCode returns the code of the parent region, or "" for a district.
func ParentCode(code string) string {
	switch LevelOf(code) {
	case LevelSubdistrict, LevelCommunity, LevelGrid:
		return code[:len(code)-3]
	}
	return ""
}

// ChildCode returns the code of the seq-th child (1..999) of a region.
func ChildCode(parent string, seq int) string {
	return fmt.Sprintf("%s%03d", parent, seq)
}

// Area is one node of the region tree: the district (区), a sub-district (街道),
// a community (社区) or a responsibility grid (责任网格). All four share this
// shape; fields that only make sense at one level say so.
type Area struct {
	Code       string // region code; its length gives the level
	Name       string
	Level      Level
	ParentCode string
	// Address and Phone are the office's (community service centre,
	// sub-district office); public information.
	Address string
	Phone   string
	// ServiceArea describes a grid's streets and buildings in words (服务范围).
	ServiceArea string
	// RetiredAt is set when a grid is retired; its code is never reused.
	RetiredAt *time.Time
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate checks the fields a caller sets.
func (a *Area) Validate() error {
	if !ValidRegionCode(a.Code) {
		return Invalid("code", "error.area.code")
	}
	if a.Level != 0 && a.Level != LevelOf(a.Code) {
		return Invalid("level", "error.area.level")
	}
	if a.Name == "" || len([]rune(a.Name)) > 100 {
		return Invalid("name", "error.area.name")
	}
	if p := ParentCode(a.Code); a.ParentCode != "" && a.ParentCode != p {
		return Invalid("parent_code", "error.area.parent_code")
	}
	return nil
}

// AreaFilter selects areas within a scope.
type AreaFilter struct {
	Level      Level  // 0 for any
	ParentCode string // "" for any
	Query      string // substring of the name
	Page
}

// AreaSummary is an area with the counts shown on its page.
type AreaSummary struct {
	Area
	Children   int // direct child areas
	Grids      int
	Buildings  int
	Households int
	Persons    int
	Units      int
	// AssistantName is the grid's current assistant (grids only).
	AssistantName  string
	AssistantPhone string
}
