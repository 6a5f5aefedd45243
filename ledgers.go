package wangge

import (
	"context"
	"strings"
	"time"
)

// The four ledgers (四本台账) are lists of what the other stores keep:
// assistants (ListAssistants), residents household by household
// (ListHouseholds, 一户一档), resident units (ListUnits) and key groups
// (ListMemberships). Their filters carry a Sort; LedgerStore adds what an
// export and the record of change over time need.

// Sort names the order of a list: one key of the list's whitelist, with a
// leading "-" for the reverse order ("-persons"). "" is the list's default
// order. Stores refuse keys outside the whitelist with EInvalid, so a sort
// never reaches SQL as text.
type Sort string

// Sort keys of the ledgers' lists.
const (
	SortBuilding     = "building"      // households: grid, building, entrance, room (default)
	SortPersons      = "persons"       // households: persons in it; assistants: persons in the grid
	SortLastVisit    = "last_visit"    // households: the latest visit, never-visited first
	SortGrid         = "grid"          // units, assistants, memberships: by grid (default)
	SortName         = "name"          // units, assistants: by name
	SortHeadcount    = "headcount"     // units
	SortPartyMembers = "party_members" // units
	SortHouseholds   = "households"    // assistants: households in the grid
	SortJoined       = "joined"        // memberships
	SortLeft         = "left"          // memberships: who left most recently last
)

// The sort whitelists, the first of each being the default.
var (
	HouseholdSorts  = []string{SortBuilding, SortPersons, SortLastVisit}
	UnitSorts       = []string{SortGrid, SortName, SortHeadcount, SortPartyMembers}
	AssistantSorts  = []string{SortGrid, SortName, SortHouseholds, SortPersons}
	MembershipSorts = []string{SortGrid, SortJoined, SortLeft}
)

// Key returns the sort key without its direction.
func (s Sort) Key() string { return strings.TrimPrefix(string(s), "-") }

// Desc reports whether the order is reversed.
func (s Sort) Desc() bool { return strings.HasPrefix(string(s), "-") }

// Check returns an EInvalid error unless s is "" or one of keys, in either
// direction.
func (s Sort) Check(keys []string) error {
	if s == "" {
		return nil
	}
	for _, k := range keys {
		if s.Key() == k {
			return nil
		}
	}
	return Invalid("sort", "error.sort.unsupported", "Sort", string(s))
}

// ResidentEntry is one person of the residents' ledger with the household and
// building they live in: a row of the residents' export.
type ResidentEntry struct {
	Person       Person    // ID number and phone masked
	Household    Household // phone masked
	BuildingName string
	BuildingSeq  int
	// Groups are the person's current key groups that the scope may see.
	Groups []KeyGroup
}

// UnitEntry is a resident unit with its building, for the units' export.
type UnitEntry struct {
	Unit
	BuildingSeq  int // 0 when the unit names no building
	BuildingName string
}

// GroupChange counts, for one grid, a key group's members who joined and
// who left in a period, and the members at its end: the change over time
// the key-group ledger shows. A membership counts in the grid its person
// lives in now.
type GroupChange struct {
	GridCode string
	GridName string
	Joined   int // joined within the period
	Left     int // left within the period
	Members  int // members on the period's last day
}

// LedgerStore reads whole ledgers for export and the change of key groups
// over time. Every method takes the caller's scope and returns nothing
// outside it; ID numbers and phones come back masked.
type LedgerStore interface {
	// EachResident calls fn for every person of the households that f
	// selects (f.Page and f.Sort are ignored), household by household in
	// ledger order (grid, building, entrance, room). It reads one grid at
	// a time, so a district-wide export never holds the district in
	// memory. It stops at fn's first error and returns it.
	EachResident(ctx context.Context, scope Scope, f HouseholdFilter, fn func(*ResidentEntry) error) error
	// EachUnit calls fn for every unit f selects, in ledger order (grid,
	// name).
	EachUnit(ctx context.Context, scope Scope, f UnitFilter, fn func(*UnitEntry) error) error
	// EachMembership calls fn for every membership f selects, grid by
	// grid, in the order of f.Sort within each grid.
	EachMembership(ctx context.Context, scope Scope, f MembershipFilter, fn func(*Membership) error) error
	// GroupChanges counts, per grid of the scope, the group's members who
	// joined and left between the calendar days from and to (both
	// included) and the members on day to. Grids with none of the three
	// are left out.
	GroupChanges(ctx context.Context, scope Scope, g KeyGroup, from, to time.Time) ([]GroupChange, error)
}
