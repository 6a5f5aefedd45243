package wangge

import (
	"fmt"
	"time"
)

// BuildingKind tells a building from a courtyard of bungalows.
type BuildingKind string

const (
	BuildingTower     BuildingKind = "building"  // 楼
	BuildingCourtyard BuildingKind = "courtyard" // 院 (平房院落)
)

// Building is a building or courtyard (楼院). It sits in exactly one grid and
// carries a 5-digit sequence within it, so its full code is the 15-digit grid
// code followed by that sequence.
type Building struct {
	ID        int64
	GridCode  string
	Seq       int // 1..99999 within the grid
	Name      string
	Kind      BuildingKind
	Address   string
	Floors    int
	Entrances int     // 单元 (stairwells); 0 for a courtyard
	Lng, Lat  float64 // WGS-84
	// GridReason explains a grid chosen against the building's location;
	// the audit log keeps it. Only read on create.
	GridReason string
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Code returns the building's 20-digit code: grid code + 5-digit sequence.
func (b *Building) Code() string { return fmt.Sprintf("%s%05d", b.GridCode, b.Seq) }

// Validate checks the fields a caller sets.
func (b *Building) Validate() error {
	// An empty grid code is filled from the location by the store.
	if b.GridCode != "" && (LevelOf(b.GridCode) != LevelGrid || !ValidRegionCode(b.GridCode)) {
		return Invalid("grid_code", "error.building.grid_code")
	}
	if b.Name == "" || len([]rune(b.Name)) > 100 {
		return Invalid("name", "error.building.name")
	}
	if b.Kind != BuildingTower && b.Kind != BuildingCourtyard {
		return Invalid("kind", "error.building.kind")
	}
	if b.Seq < 0 || b.Seq > 99999 {
		return Invalid("seq", "error.building.seq")
	}
	if b.Floors < 0 || b.Floors > 200 || b.Entrances < 0 || b.Entrances > 100 {
		return Invalid("floors", "error.building.floors")
	}
	if b.Lng < -180 || b.Lng > 180 || b.Lat < -90 || b.Lat > 90 {
		return Invalid("lng", "error.building.coordinates")
	}
	return nil
}

// BuildingFilter selects buildings within a scope.
type BuildingFilter struct {
	GridCode string // narrows the scope; "" for the whole scope
	Query    string // substring of name or address
	ID       int64  // one building only; 0 for any
	Page
}

// BuildingSummary is a building with its counts.
type BuildingSummary struct {
	Building
	Households int
	Persons    int
	HeadName   string // current building head (楼院长)
}

// BuildingHead is a building or courtyard head (楼院长), usually a resident
// volunteer. Heads are replaced over time; past terms are kept.
type BuildingHead struct {
	ID         int64
	BuildingID int64
	GridCode   string
	PersonID   *int64 // the resident, when the head lives in the building
	Name       string
	Phone      string // personal information: encrypted at rest, masked on read
	From       time.Time
	To         *time.Time
	Version    int
}

// Move records a change of place that history keeps: a person to another
// household, a household to another building, a building to another grid.
type Move struct {
	ID       int64
	ObjectID int64
	From     int64 // previous household or building id (0 for none)
	To       int64
	FromGrid string // grid codes before and after
	ToGrid   string
	At       time.Time
	By       string // username
	Reason   string
}
