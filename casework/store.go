package casework

import (
	"context"
	"time"

	"github.com/wangge/wangge"
)

// Store keeps cases and their timelines. The interface lives here, not at
// the root, because its types are the engine's and the root may not import
// casework; the sqlite and postgres stores implement it (sqldb/cases.go)
// and storetest holds the suite both pass.
//
// Cases are not people's data in the ledgers' sense, so a case's scope is
// not the people scope (which withholds everything from departments and
// building heads): every read and write takes the Actor and keeps to what
// Sees allows, an invisible case reading as wangge.ErrNotFound, and Apply
// decides the rest by role.
type Store interface {
	// CreateCase assigns the next number of the district and year in the
	// same transaction and opens the case. A non-empty key makes the create
	// idempotent per account: the same key with the same draft returns the
	// case it made, with another draft it is refused with EConflict. It
	// returns the case as made, even to a creator who does not see it
	// afterwards (a department raising another line's problem).
	CreateCase(ctx context.Context, a Actor, d Draft, key string) (*Case, error)
	// Case returns the case with its timeline, the reporter's contact
	// masked (the duplicates' reporters' contacts stay on their own cases).
	Case(ctx context.Context, a Actor, number string) (*Case, error)
	// ListCases lists the cases the actor sees, newest first, without their
	// timelines.
	ListCases(ctx context.Context, a Actor, f Filter) ([]Case, int, error)
	// ApplyCase takes a transition on the case at the version the caller
	// read: the case, its timeline and one audit entry change in one
	// transaction, or nothing does (a stale version: wangge.ErrConflict).
	// It returns the case as written, or nil when the action took it out of
	// the actor's sight (a department returning another line's case).
	ApplyCase(ctx context.Context, a Actor, t Transition) (*Case, Event, error)
	// CaseCounts counts the cases within the scope by state.
	CaseCounts(ctx context.Context, s wangge.Scope) (map[State]int, error)

	// AttachToCase cleans an uploaded photo or document (package attach:
	// type sniffed, images re-encoded without EXIF, size bounded) and keeps
	// it with an open case the actor sees, audited in the same
	// transaction. A case holds at most AttachmentsMax.
	AttachToCase(ctx context.Context, a Actor, number, name string, data []byte) (*Attachment, error)
	// CaseAttachments lists a case's attachments, oldest first.
	CaseAttachments(ctx context.Context, a Actor, number string) ([]Attachment, error)
	// CaseAttachment returns one attachment with its bytes.
	CaseAttachment(ctx context.Context, a Actor, number string, id int64) (*Attachment, []byte, error)
}

// AttachmentsMax bounds the attachments of one case: a few photos of the
// problem and of the work done, the application's scanned materials.
const AttachmentsMax = 30

// Attachment is a photo or document kept with a case. ContentType is one
// package attach keeps (JPEG, PNG or PDF), never one a browser renders as
// a page.
type Attachment struct {
	ID          int64
	Name        string
	ContentType string
	Size        int
	SHA256      []byte
	ByID        int64
	At          time.Time
}

// Filter selects cases for the board.
type Filter struct {
	// Area is a grid's code, or a community's or sub-district's to take
	// all the grids under it.
	Area      string
	State     State
	Mechanism Mechanism
	Category  string
	// Receiver is a department's line: the cases dispatched to it now
	// (its inbox).
	Receiver wangge.Line
	// Level is the level following the cases (after escalations).
	Level wangge.Level
	// Open keeps the cases still to work on (neither closed nor merged).
	Open bool
	// DueBefore keeps the cases whose running deadline falls before it:
	// with now, the overdue ones.
	DueBefore time.Time
	// Board orders as the community's board does: open emergencies first,
	// then by the running deadline (overdue, then due soon), cases with no
	// deadline running last; otherwise newest first.
	Board bool
	wangge.Page
}

// Transition is one action on a stored case, at the version read.
type Transition struct {
	Number  string
	Version int
	Action  Action
	// Into is the number of the case a merge folds this one into (the
	// store loads it and sets Action.Into).
	Into string
}

// Sees reports whether the actor may see the case at all: staff and the
// assistant the cases in their area, a department those dispatched to it
// and those of its business line in its area, a building head the cases he
// reported, the system every case. The store applies the same rule in SQL.
func (a Actor) Sees(c *Case) bool {
	in := wangge.ScopeOf(a.ScopeCode).Contains(c.Location.GridCode)
	switch a.Role {
	case wangge.RoleSystem:
		return true
	case wangge.RoleAssistant, wangge.RoleCommunityStaff, wangge.RoleSubdistrictStaff, wangge.RoleDistrictAdmin:
		return in
	case wangge.RoleDepartment:
		if a.Line == "" {
			return false
		}
		dispatched := c.Receiver != nil && c.Receiver.Kind == ToDepartment && c.Receiver.Line == a.Line
		return in && (dispatched || c.Category.Line == a.Line)
	case wangge.RoleBuildingHead:
		return a.UserID != 0 && c.Reporter.UserID == a.UserID
	}
	return false
}

// ActorOf is the actor of a logged-in account.
func ActorOf(u *wangge.User) Actor {
	return Actor{UserID: u.ID, Name: u.DisplayName, Role: u.Role, ScopeCode: u.ScopeCode, Line: u.Line}
}
