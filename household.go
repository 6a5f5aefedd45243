package wangge

import "time"

// ResidenceKind says how a household or person relates to the place.
type ResidenceKind string

const (
	ResidentRegistered ResidenceKind = "registered" // 户籍人口 (hukou here, living here)
	ResidentFloating   ResidenceKind = "floating"   // 流动人口 (living here, hukou elsewhere)
	ResidentAbsent     ResidenceKind = "absent"     // 人户分离 (hukou here, living elsewhere)
)

// Valid reports whether k is a known kind.
func (k ResidenceKind) Valid() bool {
	return k == ResidentRegistered || k == ResidentFloating || k == ResidentAbsent
}

// Household is one household (户): a dwelling in a building, identified by
// entrance (单元), room and a household number. Its grid code follows its
// building and is kept on the row so that scope is an indexed prefix range.
type Household struct {
	ID         int64
	BuildingID int64
	GridCode   string
	Entrance   string // 单元, e.g. "2"
	Room       string // 室, e.g. "301"
	Number     string // 户号: household registration number or the community's own
	Kind       ResidenceKind
	// Phone is the household's contact phone: personal information.
	Phone     string
	Note      string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate checks the fields a caller sets.
func (h *Household) Validate() error {
	if h.BuildingID <= 0 {
		return Invalid("building_id", "error.household.building_id")
	}
	if h.Room == "" || len(h.Room) > 20 || len(h.Entrance) > 20 || len(h.Number) > 40 {
		return Invalid("room", "error.household.room")
	}
	if !h.Kind.Valid() {
		return Invalid("kind", "error.household.kind")
	}
	return nil
}

// HouseholdFilter selects households within a scope.
type HouseholdFilter struct {
	// Full asks EachResident for ID numbers and phones in full, for an
	// export that must import back; the store grants it only to a scope that
	// MayExport (the role's PermExport), and the caller audits the export.
	Full       bool
	GridCode   string
	BuildingID int64
	Query      string // room or number
	// Search matches a room or household number, a building's name or the
	// start of a member's name (the residents' ledger's search box).
	Search string
	Sort   Sort // one of HouseholdSorts
	Page
}

// HouseholdSummary is a household with what its list shows.
type HouseholdSummary struct {
	Household
	BuildingName string
	HeadName     string // name of the person whose relation is head
	Persons      int
	LastVisit    *time.Time
	// Groups are the current key groups of its persons that the scope may
	// see, each once, in ledger order.
	Groups []KeyGroup
}
