package wangge

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wangge/wangge/ident"
)

// What a visit finds flows on, entered once (issue 13): a change in the
// household becomes a proposed change to the ledger that community staff
// confirm with one tap or refuse with a reason (or the assistant applies
// within their own grid where the role allows), never typed again.

// LedgerChangeKind is what changed in a household.
type LedgerChangeKind string

const (
	LedgerMoveOut LedgerChangeKind = "move_out" // 迁出
	LedgerMoveIn  LedgerChangeKind = "move_in"  // 迁入
	LedgerPhone   LedgerChangeKind = "phone"    // a new phone
	LedgerBirth   LedgerChangeKind = "birth"    // 出生
	LedgerDeath   LedgerChangeKind = "death"    // 死亡
	LedgerOther   LedgerChangeKind = "other"
)

// LedgerChangeKinds lists the kinds in display order.
var LedgerChangeKinds = []LedgerChangeKind{LedgerMoveOut, LedgerMoveIn, LedgerPhone, LedgerBirth, LedgerDeath, LedgerOther}

// Valid reports whether k is a known kind.
func (k LedgerChangeKind) Valid() bool {
	for _, x := range LedgerChangeKinds {
		if k == x {
			return true
		}
	}
	return false
}

// NamesPerson reports whether a change of kind k is about a person already
// in the household (who moved out, has a new phone, died).
func (k LedgerChangeKind) NamesPerson() bool {
	return k == LedgerMoveOut || k == LedgerPhone || k == LedgerDeath
}

// NamesNewcomer reports whether a change of kind k brings a new person
// (born, moved in), known at first only by name.
func (k LedgerChangeKind) NamesNewcomer() bool { return k == LedgerBirth || k == LedgerMoveIn }

// LedgerChangeState is where a proposal stands.
type LedgerChangeState string

const (
	LedgerProposed  LedgerChangeState = "proposed"  // waiting for a decision
	LedgerConfirmed LedgerChangeState = "confirmed" // accepted; the ledger is edited by hand
	LedgerRefused   LedgerChangeState = "refused"   // refused, with a reason
	LedgerApplied   LedgerChangeState = "applied"   // accepted and written to the ledger
)

// LedgerChangeStates lists the states in display order.
var LedgerChangeStates = []LedgerChangeState{LedgerProposed, LedgerConfirmed, LedgerRefused, LedgerApplied}

// Valid reports whether s is a known state.
func (s LedgerChangeState) Valid() bool {
	for _, x := range LedgerChangeStates {
		if s == x {
			return true
		}
	}
	return false
}

// Bounds of a proposal's text, in characters.
const (
	LedgerChangeDetailMax = 500
	LedgerChangeNameMax   = 50
)

// LedgerChange is a proposed change to a household's file, found on a
// visit. Detail is what the assistant wrote; for a new phone it is the
// phone, which the store keeps sealed and hands out masked.
type LedgerChange struct {
	ID          int64
	HouseholdID int64
	VisitID     int64
	GridCode    string
	Kind        LedgerChangeKind
	// PersonID names the member a move-out, phone or death is about.
	PersonID *int64
	// PersonName is that member's name as the ledger has it; Building
	// and Room say where the household lives (read only).
	PersonName string
	Building   string
	Room       string
	// Name is a newcomer's name (a birth, a move-in).
	Name   string
	Detail string

	State          LedgerChangeState
	ProposedBy     int64
	ProposedByName string
	ProposedAt     time.Time
	DecidedBy      int64
	DecidedByName  string
	DecidedAt      *time.Time
	Reason         string
	Version        int
}

// Normalize checks what the proposer sets and tidies it: a known kind, the
// member or the newcomer's name the kind needs, bounded text, and for a
// phone a valid number in its normal form.
func (c *LedgerChange) Normalize() error {
	if !c.Kind.Valid() {
		return Invalid("kind", "error.ledger_change.kind")
	}
	if c.HouseholdID <= 0 {
		return Invalid("household_id", "error.ledger_change.household")
	}
	c.Name, c.Detail = strings.TrimSpace(c.Name), strings.TrimSpace(c.Detail)
	switch {
	case c.Kind.NamesPerson() && (c.PersonID == nil || *c.PersonID <= 0):
		return Invalid("person_id", "error.ledger_change.person")
	case !c.Kind.NamesPerson() && c.PersonID != nil:
		return Invalid("person_id", "error.ledger_change.person_unexpected")
	case c.Kind.NamesNewcomer() && (c.Name == "" || utf8.RuneCountInString(c.Name) > LedgerChangeNameMax):
		return Invalid("name", "error.ledger_change.name", "Max", LedgerChangeNameMax)
	case !c.Kind.NamesNewcomer() && c.Name != "":
		return Invalid("name", "error.ledger_change.name_unexpected")
	case utf8.RuneCountInString(c.Detail) > LedgerChangeDetailMax:
		return Invalid("detail", "error.ledger_change.detail", "Max", LedgerChangeDetailMax)
	}
	switch c.Kind {
	case LedgerPhone:
		p, err := ident.ParsePhone(c.Detail)
		if err != nil {
			return Invalid("detail", "error.ledger_change.phone")
		}
		c.Detail = string(p)
	case LedgerOther:
		if c.Detail == "" {
			return Invalid("detail", "error.ledger_change.detail_required")
		}
	}
	return nil
}

// LedgerDecision is a decision on a proposal at the version read.
type LedgerDecision struct {
	ID      int64
	Version int
	Confirm bool
	// Reason is required for a refusal (wangge.CheckReason).
	Reason string
	// ByName is the decider's name as the proposal shows it.
	ByName string
}

// LedgerChangeFilter selects proposals within a scope.
type LedgerChangeFilter struct {
	GridCode    string
	HouseholdID int64
	State       LedgerChangeState // "" for every state
	Page
}

// VisitAnswer is what recording a visit answered: the visit, the
// proposals it made and the case it raised. The store keeps it with the
// request's idempotency key, so a resend gets the same answer.
type VisitAnswer struct {
	VisitID   int64            `json:"visit_id"`
	Proposals []ProposalAnswer `json:"proposals"`
	// CaseNumber and CaseState are empty when the visit raised no case.
	CaseNumber string `json:"case_number,omitempty"`
	CaseState  string `json:"case_state,omitempty"`
}

// ProposalAnswer is one proposal as a visit's answer names it.
type ProposalAnswer struct {
	ID    int64             `json:"id"`
	Kind  LedgerChangeKind  `json:"kind"`
	State LedgerChangeState `json:"state"`
}

// Bounds of a visit as the phone sends it.
const (
	// VisitTextMax bounds each free text of a visit (purpose, who was met,
	// each of the six clears, the note), in characters.
	VisitTextMax = 1000
	// VisitChangesMax bounds the proposals one visit makes.
	VisitChangesMax = 20
	// VisitFutureSlack is how far past the server's clock a visit's time
	// may lie (a phone's clock runs a little ahead).
	VisitFutureSlack = 5 * time.Minute
	// VisitMaxAge is how old a queued visit may be: a phone offline in a
	// stairwell for days still sends what it recorded.
	VisitMaxAge = 30 * 24 * time.Hour
)

// CheckVisitTime refuses a visit's time too far ahead of now or older
// than VisitMaxAge.
func CheckVisitTime(at, now time.Time) error {
	if at.IsZero() || at.After(now.Add(VisitFutureSlack)) || at.Before(now.Add(-VisitMaxAge)) {
		return Invalid("at", "error.visit.at_window", "Days", int(VisitMaxAge/(24*time.Hour)))
	}
	return nil
}
