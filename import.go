package wangge

import (
	"context"
	"time"
)

// ImportKind names what a ledger import brings in.
type ImportKind string

const (
	ImportPersons     ImportKind = "persons"     // persons with their households
	ImportUnits       ImportKind = "units"       // resident units
	ImportMemberships ImportKind = "memberships" // key-group memberships
)

// ImportStatus is what an import does, or would do, with one row.
type ImportStatus uint8

const (
	ImportAdded     ImportStatus = iota + 1 // a new record
	ImportUpdated                           // a known record, changed
	ImportUnchanged                         // a known record, as the row says already
	ImportRejected                          // the row is invalid: nothing of it is written
)

func (s ImportStatus) String() string {
	switch s {
	case ImportAdded:
		return "added"
	case ImportUpdated:
		return "updated"
	case ImportUnchanged:
		return "unchanged"
	case ImportRejected:
		return "rejected"
	}
	return ""
}

// ImportRow is one row of a ledger file, parsed (package ledger reads the
// files). Exactly one of Person, Unit and Membership is set, unless the
// parser already rejected the row: then Errors says why and the store only
// reports it. Empty values mean "no value": they never overwrite a stored
// one.
type ImportRow struct {
	Line       int // the row's number in the file, as a spreadsheet shows it
	Person     *PersonRow
	Unit       *UnitRow
	Membership *MembershipRow
	// Errors found by the parser; Field is the ledger column key.
	Errors []ErrorDetail
	// Notes are what the parser changed and the report should say, such as
	// a 15-digit ID number converted to 18 digits.
	Notes []ErrorDetail
	// Cells are the row's cells as read, for the rejected-rows file.
	Cells []string
}

// PersonRow is a person with their household, as a ledger row gives them.
// Values are validated and normalised by the parser (ID number, phones,
// enumerations); the store checks what needs the database.
type PersonRow struct {
	// The building: BuildingCode (20 digits) or GridCode and BuildingName.
	BuildingCode string
	GridCode     string
	BuildingName string
	// The household.
	Entrance   string
	Room       string
	Number     string
	HouseKind  ResidenceKind
	HousePhone string
	// The person.
	Name       string
	IDNumber   string
	Phone      string
	Relation   Relation
	Kind       ResidenceKind
	Ethnicity  string
	Party      *bool
	Employment string
	Note       string
}

// UnitRow is a resident unit as a ledger row gives it.
type UnitRow struct {
	Name         string
	CreditCode   string
	GridCode     string
	BuildingCode string
	Kind         UnitKind
	Headcount    *int
	PartyOrg     string
	PartyMembers *int
	Address      string
	ContactName  string
	ContactPhone string
}

// MembershipRow is a key-group membership as a ledger row gives it: the
// person by ID number (and name, checked when given).
type MembershipRow struct {
	IDNumber string
	Name     string
	Group    KeyGroup
	Joined   *time.Time
	Left     *time.Time
	Note     string
	Attrs    map[string]string // only the attributes the row fills
}

// ImportOutcome is what became of one row. Errors say why a row was
// rejected; Notes say something worth knowing about an accepted one (a
// person moved from another household). Field is the ledger column key.
type ImportOutcome struct {
	Status ImportStatus
	Errors []ErrorDetail
	Notes  []ErrorDetail
}

// ImportCounts are the numbers of rows by outcome, and the households an
// import of persons added.
type ImportCounts struct {
	Added      int `json:"added"`
	Updated    int `json:"updated"`
	Unchanged  int `json:"unchanged"`
	Rejected   int `json:"rejected"`
	Households int `json:"households_added"`
	// Written says whether the import was committed: false for a dry run,
	// a strict import with rejected rows, and an import that changed nothing.
	Written bool `json:"written"`
}

// Add counts one outcome.
func (c *ImportCounts) Add(s ImportStatus) {
	switch s {
	case ImportAdded:
		c.Added++
	case ImportUpdated:
		c.Updated++
	case ImportUnchanged:
		c.Unchanged++
	case ImportRejected:
		c.Rejected++
	}
}

// Rows is the number of rows counted.
func (c ImportCounts) Rows() int { return c.Added + c.Updated + c.Unchanged + c.Rejected }

// ImportOptions configure one import.
type ImportOptions struct {
	Kind ImportKind
	// File is the name of the imported file, for the audit entry.
	File string
	// Job is the token of the web import job committing, if any: the
	// audit entries name it (a random one is made for other imports), and
	// the commit marks the job committed in its own transaction.
	Job string
	// DryRun computes every row's outcome and writes nothing.
	DryRun bool
	// Strict writes nothing when any row is rejected: all rows or none.
	// Otherwise the valid rows are written and the rejected ones reported.
	Strict bool
	// Outcome, when set, is called for every row in order.
	Outcome func(row *ImportRow, o ImportOutcome)
}

// ImportStore applies ledger imports.
type ImportStore interface {
	// Import reads batches of rows from next until it returns nil, in one
	// transaction: it decides each row's outcome (added, updated,
	// unchanged or rejected) against the database and what the rows before
	// it did, and writes the valid rows. A dry run, an error from next or
	// from the database, or a cancelled context roll everything back. Rows
	// outside the scope are rejected. The store writes one audit entry for
	// an import that changed anything (who, file, counts) and one per
	// person moved from another household; an import that changes nothing
	// writes nothing at all.
	Import(ctx context.Context, scope Scope, opt ImportOptions, next func() ([]ImportRow, error)) (ImportCounts, error)
}
