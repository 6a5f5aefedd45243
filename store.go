package wangge

import (
	"context"
	"time"
)

// Store is everything the application keeps. The sqlite and postgres
// packages implement it and storetest holds the suite both must pass.
//
// Rules every implementation keeps:
//   - Reads of people's data take the caller's Scope and return nothing
//     outside it (ErrNotFound for a single object, nothing for a list).
//   - Writes of people's data take the caller's Scope too and change nothing
//     outside it (Scope.MayChange), checked in the write's own transaction:
//     an object outside reads as not found, a parent outside (the household
//     of a new person, the target of a move) as no such parent.
//   - Updates and deletes carry the version the caller read; when the row has
//     changed since, they fail with EConflict and change nothing.
//   - ID numbers and phones are encrypted at rest and come back masked, except
//     from RevealPerson, which needs a reason and is audited.
//   - Every change appends an audit entry in the same transaction.
type Store interface {
	AreaStore
	BuildingStore
	HouseholdStore
	PersonStore
	UnitStore
	AssistantStore
	KeyGroupStore
	ServiceStore
	VisitStore
	UserStore
	LoginGuard
	TOTPStore
	AuditStore
	BoundaryStore
	GridRedrawer
	ImportStore
	ImportJobStore
	LedgerStore
	ReportStore
	// AddressSource answers the kiosk's address search over public facts.
	AddressSource

	// Stats counts what the scope holds.
	Stats(ctx context.Context, scope Scope) (*Stats, error)
	// Empty reports whether the database holds no areas yet.
	Empty(ctx context.Context) (bool, error)
	// Bulk starts a bulk load into an empty database (the demo district).
	Bulk(ctx context.Context) (Bulk, error)
	Close() error
}

// AreaStore keeps the region tree. Region names and codes are public.
type AreaStore interface {
	CreateArea(ctx context.Context, a *Area) error
	Area(ctx context.Context, code string) (*Area, error)
	UpdateArea(ctx context.Context, a *Area) error
	// DeleteArea refuses while the area has child areas, buildings or units.
	DeleteArea(ctx context.Context, code string, version int) error
	ListAreas(ctx context.Context, f AreaFilter) ([]Area, int, error)
	// AreaSummary returns the area with its counts, when it lies in scope
	// (or is an ancestor of it: staff see the names above them).
	AreaSummary(ctx context.Context, scope Scope, code string) (*AreaSummary, error)
	// ChildSummaries returns the child areas of code that lie in scope,
	// each with its counts.
	ChildSummaries(ctx context.Context, scope Scope, code string) ([]AreaSummary, error)
}

// BuildingStore keeps buildings and courtyards and their heads.
type BuildingStore interface {
	// CreateBuilding assigns the next sequence in the grid when Seq is 0.
	CreateBuilding(ctx context.Context, scope Scope, b *Building) error
	Building(ctx context.Context, scope Scope, id int64) (*Building, error)
	UpdateBuilding(ctx context.Context, scope Scope, b *Building) error
	// MoveBuilding puts the building in another grid with the next free
	// sequence there; its households, persons and memberships follow.
	MoveBuilding(ctx context.Context, scope Scope, id int64, version int, toGrid, reason string) error
	// DeleteBuilding refuses while the building holds households.
	DeleteBuilding(ctx context.Context, scope Scope, id int64, version int) error
	ListBuildings(ctx context.Context, scope Scope, f BuildingFilter) ([]BuildingSummary, int, error)
	BuildingMoves(ctx context.Context, scope Scope, id int64) ([]Move, error)
	// SetBuildingHead ends the current head's term and starts h's.
	SetBuildingHead(ctx context.Context, scope Scope, h *BuildingHead) error
	BuildingHeads(ctx context.Context, scope Scope, buildingID int64) ([]BuildingHead, error)
}

// HouseholdStore keeps households.
type HouseholdStore interface {
	CreateHousehold(ctx context.Context, scope Scope, h *Household) error
	Household(ctx context.Context, scope Scope, id int64) (*Household, error)
	UpdateHousehold(ctx context.Context, scope Scope, h *Household) error
	// MoveHousehold moves the household to another building, keeping history.
	MoveHousehold(ctx context.Context, scope Scope, id int64, version int, toBuilding int64, reason string) error
	// DeleteHousehold refuses while the household has persons.
	DeleteHousehold(ctx context.Context, scope Scope, id int64, version int) error
	ListHouseholds(ctx context.Context, scope Scope, f HouseholdFilter) ([]HouseholdSummary, int, error)
	HouseholdMoves(ctx context.Context, scope Scope, id int64) ([]Move, error)
}

// PersonStore keeps persons.
type PersonStore interface {
	// CreatePerson fails with EConflict when the ID number is already held.
	CreatePerson(ctx context.Context, scope Scope, p *Person) error
	// Person returns the person with ID number and phone masked.
	Person(ctx context.Context, scope Scope, id int64) (*Person, error)
	// RevealPerson returns the person in full and records who asked and why.
	RevealPerson(ctx context.Context, scope Scope, id int64, reason string) (*Person, error)
	// UpdatePerson keeps the stored ID number and phone where p holds them
	// empty or masked, so a form that shows masked values changes nothing.
	UpdatePerson(ctx context.Context, scope Scope, p *Person) error
	// MovePerson moves the person to another household, keeping history.
	MovePerson(ctx context.Context, scope Scope, id int64, version int, toHousehold int64, reason string) error
	DeletePerson(ctx context.Context, scope Scope, id int64, version int, reason string) error
	ListPersons(ctx context.Context, scope Scope, f PersonFilter) ([]Person, int, error)
	PersonMoves(ctx context.Context, scope Scope, id int64) ([]Move, error)
}

// UnitStore keeps resident units.
type UnitStore interface {
	CreateUnit(ctx context.Context, scope Scope, u *Unit) error
	Unit(ctx context.Context, scope Scope, id int64) (*Unit, error)
	UpdateUnit(ctx context.Context, scope Scope, u *Unit) error
	DeleteUnit(ctx context.Context, scope Scope, id int64, version int) error
	ListUnits(ctx context.Context, scope Scope, f UnitFilter) ([]Unit, int, error)
}

// AssistantStore keeps assistants and their terms in grids.
type AssistantStore interface {
	CreateAssistant(ctx context.Context, a *Assistant) error
	Assistant(ctx context.Context, id int64) (*Assistant, error)
	UpdateAssistant(ctx context.Context, a *Assistant) error
	// AssignAssistant starts the assistant's term in the grid from the given
	// time, ending both the assistant's current term and the grid's current
	// assistant's term.
	AssignAssistant(ctx context.Context, assistantID int64, gridCode string, from time.Time, note string) error
	// GridAssistant returns the grid's current assistant (public: the kiosk
	// shows name and work phone), or ErrNotFound.
	GridAssistant(ctx context.Context, gridCode string) (*Assistant, error)
	Assignments(ctx context.Context, scope Scope, assistantID int64) ([]Assignment, error)
	ListAssistants(ctx context.Context, scope Scope, f AssistantFilter) ([]AssistantSummary, int, error)
}

// KeyGroupStore keeps key-group memberships.
type KeyGroupStore interface {
	CreateMembership(ctx context.Context, scope Scope, m *Membership) error
	Membership(ctx context.Context, scope Scope, id int64) (*Membership, error)
	UpdateMembership(ctx context.Context, scope Scope, m *Membership) error
	// EndMembership records that the person left the group; the row stays.
	EndMembership(ctx context.Context, scope Scope, id int64, version int, left time.Time) error
	ListMemberships(ctx context.Context, scope Scope, f MembershipFilter) ([]Membership, int, error)
	// GroupCounts counts current members per group in the scope; the
	// members of an age-derived group are the persons in its band today.
	GroupCounts(ctx context.Context, scope Scope) ([]GroupCount, error)
}

// ServiceStore keeps the hundred-services catalogue. It is public.
type ServiceStore interface {
	CreateService(ctx context.Context, s *Service) error
	Service(ctx context.Context, id int64) (*Service, error)
	UpdateService(ctx context.Context, s *Service) error
	ListServices(ctx context.Context, line Line, activeOnly bool) ([]Service, error)
}

// VisitStore keeps visits.
type VisitStore interface {
	CreateVisit(ctx context.Context, scope Scope, v *Visit) error
	Visit(ctx context.Context, scope Scope, id int64) (*Visit, error)
	ListVisits(ctx context.Context, scope Scope, f VisitFilter) ([]Visit, int, error)
}

// UserStore keeps accounts and sessions.
type UserStore interface {
	CreateUser(ctx context.Context, u *User) error
	User(ctx context.Context, id int64) (*User, error)
	UserByUsername(ctx context.Context, username string) (*User, error)
	UpdateUser(ctx context.Context, u *User) error
	ListUsers(ctx context.Context, scope Scope, p Page) ([]User, int, error)

	CreateSession(ctx context.Context, s *Session) error
	// SessionUser returns the live session with the token hash and its user.
	SessionUser(ctx context.Context, tokenHash []byte, now time.Time) (*Session, *User, error)
	DeleteSession(ctx context.Context, tokenHash []byte) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
	// DeleteUserSessions ends every session of the user except the one
	// with the token hash keep (nil: all of them).
	DeleteUserSessions(ctx context.Context, userID int64, keep []byte) (int, error)
	// SetPassword replaces the user's password hash and ends every session
	// of the user but keep, in one transaction. A reset (by an
	// administrator) also marks the password temporary, so that it must be
	// changed at the next login, and clears the account's login failures;
	// it is audited as "user.reset", a change as "user.password".
	SetPassword(ctx context.Context, userID int64, hash string, keep []byte, reset bool) error
}

// AuditStore appends to and reads the audit log. Changes made through the
// Store are audited by the store itself; Audit is for what the store does
// not see, such as logins and exports.
type AuditStore interface {
	Audit(ctx context.Context, e *AuditEntry) error
	// AuditPersonalExport appends the audit entry of an export of one of
	// the PersonalExportLedgers (action "ledger.export", object "ledger",
	// the ledger as object id), unless its user has made
	// PersonalExportsPerHour such exports within the hour (CheckExportRate):
	// then it appends nothing and refuses with ERateLimited. Counting and
	// appending are one transaction, so exports at the same moment cannot
	// both pass the last place under the limit.
	AuditPersonalExport(ctx context.Context, e *AuditEntry) error
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, int, error)
	// VerifyAudit walks the chain and returns the sequence number of the
	// first entry that does not hold, or 0 when the whole chain holds.
	VerifyAudit(ctx context.Context) (badSeq int64, checked int64, err error)
	// HouseholdChanges lists the entries of HouseholdChangeActions about the
	// household and its present persons, newest first: the change record
	// of its file (一户一档). A household outside the scope, or whose
	// people the scope may not read, has none.
	HouseholdChanges(ctx context.Context, s Scope, householdID int64, p Page) ([]AuditEntry, int, error)
}

// Bulk writes a whole district into an empty database in one transaction.
// The caller assigns ids. Personal fields are given in clear and encrypted on
// the way in; derived fields are derived as on any write.
type Bulk interface {
	Area(a *Area) error
	// Boundary adds an area's outline (after the area).
	Boundary(b *Boundary) error
	Building(b *Building) error
	Household(h *Household) error
	Person(p *Person) error
	Unit(u *Unit) error
	Assistant(a *Assistant) error
	Assignment(as *Assignment) error
	BuildingHead(h *BuildingHead) error
	Membership(m *Membership) error
	Visit(v *Visit) error
	User(u *User) error
	// Commit writes what remains, records one audit entry and commits.
	Commit() error
	Rollback() error
}
