// Package casework is the case engine (案件): what a case is, which actions
// each of the four handling mechanisms allows in each state and to whom, and
// the deadlines each step runs against. It is pure: no SQL, no HTTP, no
// clock of its own. The store persists a Case and its events, the HTTP side
// turns a request into an Action and an Actor, and Apply decides.
package casework

import (
	"time"

	"github.com/wangge/wangge"
)

// Mechanism is one of the seed's four handling mechanisms (处置机制).
type Mechanism string

const (
	General      Mechanism = "general"      // 一般: handled on the spot by the assistant
	Coordination Mechanism = "coordination" // 协调: taken to the community, dispatched, verified
	Emergency    Mechanism = "emergency"    // 突发: reported at once, acknowledged within minutes
	Approval     Mechanism = "approval"     // 审批: materials collected, decided along a chain
)

// Mechanisms lists the mechanisms in display order.
var Mechanisms = []Mechanism{General, Coordination, Emergency, Approval}

// Valid reports whether m is a known mechanism.
func (m Mechanism) Valid() bool { return oneOf(m, Mechanisms) }

// Source is where a case came in.
type Source string

const (
	SourceVisit        Source = "visit"         // an assistant's household visit
	SourcePhone        Source = "phone"         // a phone call to the community or the assistant
	SourceWalkIn       Source = "walk_in"       // someone at the community office
	SourceKiosk        Source = "kiosk"         // the touch screen
	SourceResidentPage Source = "resident_page" // the public phone page
	SourceDepartment   Source = "department"    // a department passing on a problem
	SourceOpen311      Source = "open311"       // a GeoReport v2 client
)

// Sources lists the sources in display order.
var Sources = []Source{SourceVisit, SourcePhone, SourceWalkIn, SourceKiosk, SourceResidentPage, SourceDepartment, SourceOpen311}

// Valid reports whether s is a known source.
func (s Source) Valid() bool { return oneOf(s, Sources) }

// Priority orders the board within a state.
type Priority string

const (
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Priorities lists the priorities from lowest to highest.
var Priorities = []Priority{PriorityNormal, PriorityHigh, PriorityUrgent}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return oneOf(p, Priorities) }

// State is where a case stands. Each mechanism uses some of them; Closed
// and Merged end every mechanism (a closed case may be reopened).
type State string

const (
	Accepted     State = "accepted"     // 受理: taken in, with the community (coordination; general after a reopen)
	Dispatched   State = "dispatched"   // 派遣: with a receiver who has not yet accepted
	InProgress   State = "in_progress"  // 处置中: the receiver accepted (or was sent back for rework)
	Returned     State = "returned"     // 退单: the receiver returned it with a reason; the community re-dispatches
	Reported     State = "reported"     // 突发上报: an emergency nobody has acknowledged yet
	Acknowledged State = "acknowledged" // 已响应: an emergency someone at the community took on
	Collecting   State = "collecting"   // 收集材料: an application waiting on the applicant's materials
	Pending      State = "pending"      // 审批中: at one step of the approval chain
	Approved     State = "approved"     // 已批准
	Rejected     State = "rejected"     // 不予批准
	Handled      State = "handled"      // 已处置: the work is done
	Verified     State = "verified"     // 已核查: the community checked the work (coordination)
	Closed       State = "closed"       // 已结案
	Merged       State = "merged"       // 已并单: a duplicate folded into another case
)

// States lists every state, for the stats and the board's columns.
var States = []State{Accepted, Dispatched, InProgress, Returned, Reported, Acknowledged, Collecting, Pending, Approved, Rejected, Handled, Verified, Closed, Merged}

// Open reports whether work on a case in state s is still to do.
func (s State) Open() bool { return s != Closed && s != Merged }

// Location is where the problem is: a point, a building or a household, and
// always the grid it lies in (the store resolves a point or a building to
// its grid before the case is made).
type Location struct {
	GridCode    string
	BuildingID  int64
	HouseholdID int64
	Point       *Point
}

// Point is a WGS-84 position.
type Point struct{ Lng, Lat float64 }

// Reporter is who raised the problem. Contact is personal data: the store
// encrypts it like a resident's phone. An anonymous reporter may still leave
// a contact to hear back on; one who leaves none is told nothing, and the
// feedback records that instead.
type Reporter struct {
	Anonymous bool
	Name      string
	Contact   string
	// UserID is the account that reported (a building head, an assistant),
	// 0 for a resident without one. It is what lets a reporter reopen or
	// rate their own case.
	UserID int64
}

// Actor is who takes an action: the logged-in user as the HTTP side knows
// them, or the server itself (RoleSystem) for escalations.
type Actor struct {
	UserID int64
	Name   string
	Role   wangge.Role
	// ScopeCode is the region code of the subtree the account works in.
	ScopeCode string
	// Line is a department account's business line.
	Line wangge.Line
}

// ReceiverKind says whether a coordination case went to a department that
// has accounts here, or to an outside party whose answers the community
// records for it.
type ReceiverKind string

const (
	ToDepartment ReceiverKind = "department"
	ToOutside    ReceiverKind = "outside" // a resident unit, property manager, owners' committee
)

// Receiver is who a coordination case was dispatched to.
type Receiver struct {
	Kind ReceiverKind
	// Line is the department's business line: its accounts act on the case.
	Line wangge.Line
	// Name is the department's or the outside party's name.
	Name string
}

// Channel is how a reporter was told the outcome.
type Channel string

const (
	ChannelPhone    Channel = "phone"
	ChannelVisit    Channel = "visit"     // in person at home
	ChannelInPerson Channel = "in_person" // at the office
	ChannelSMS      Channel = "sms"
	ChannelApp      Channel = "app" // the resident page or a messaging app
)

// Channels lists the feedback channels.
var Channels = []Channel{ChannelPhone, ChannelVisit, ChannelInPerson, ChannelSMS, ChannelApp}

// Feedback is one telling of the outcome (问题反馈): to which case's
// reporter (the case's own or a merged duplicate's), how, when, by whom and
// what was said, or that the reporter left no contact.
type Feedback struct {
	Number    string // the case whose reporter was told
	Channel   Channel
	NoContact bool
	At        time.Time
	ByID      int64
	ByName    string
	Said      string
	// Round is the case's round (see Case.Round) the feedback belongs to:
	// a reopened case must be fed back again.
	Round int
}

// Satisfaction is the reporter's rating on the return visit (回访).
type Satisfaction string

const (
	Satisfied          Satisfaction = "satisfied"
	BasicallySatisfied Satisfaction = "basically_satisfied"
	Dissatisfied       Satisfaction = "dissatisfied"
)

// Satisfactions lists the ratings.
var Satisfactions = []Satisfaction{Satisfied, BasicallySatisfied, Dissatisfied}

// Duplicate is a case merged into another: its reporter hears the outcome
// of the case it was merged into.
type Duplicate struct {
	Number   string
	Reporter Reporter
}

// DeferRequest is a pending request for more time (延期申请).
type DeferRequest struct {
	Until  time.Time
	Reason string
	ByID   int64
	ByRole wangge.Role
	Asked  time.Time
}

// Case is one problem or request and everything that happened to it.
type Case struct {
	// Number is unique per district (see FormatNumber).
	Number    string
	Source    Source
	Category  Category
	Location  Location
	Reporter  Reporter
	Mechanism Mechanism
	Priority  Priority
	State     State
	// Description is what the reporter said or the assistant saw.
	Description string
	// Level is the level that follows the case now: the community, or the
	// sub-district and the district after escalations.
	Level wangge.Level
	// Receiver is whom a coordination case is dispatched to, if anyone.
	Receiver *Receiver
	// ReturnedBy is the receiver that last returned the case: re-dispatch
	// (改派) goes to another.
	ReturnedBy *Receiver
	// Chain is the approval chain's levels, Step the one deciding now.
	Chain []wangge.Level
	Step  int
	// Materials are the catalogue entry's materials received so far.
	Materials []string
	// Deadlines holds one entry per step the case ran against, in order;
	// the last without Met is the one running now.
	Deadlines []Deadline
	// Counters for the reports and the assessments.
	Supervisions int // 督办
	Reworks      int // 返工
	Redispatches int // 改派
	Deferrals    int // 缓办: approved deferrals
	Escalations  int
	// Deferral is a request for more time waiting for the level above.
	Deferral *DeferRequest
	// Duplicates are the cases merged into this one; MergedInto names the
	// case this one was merged into.
	Duplicates []Duplicate
	MergedInto string
	// Round counts reopenings: feedback and the close are per round.
	Round        int
	Feedback     []Feedback
	Satisfaction Satisfaction
	CreatedAt    time.Time
	ClosedAt     time.Time
	// Events is the timeline, append-only.
	Events []Event
	// Version is the store's optimistic-concurrency counter.
	Version int
}

// Event is one entry of a case's timeline: who did what when, with the
// note, the state before and after, and what the action carried.
type Event struct {
	Seq       int
	At        time.Time
	ActorID   int64
	ActorName string
	ActorRole wangge.Role
	Action    ActionName
	Note      string
	From, To  State
	Receiver  *Receiver
	Feedback  *Feedback
	// Due is a deadline the action set: a supervision's tighter one, a
	// deferral's requested or granted one.
	Due   time.Time
	Level wangge.Level
	// Ref is the other case of a merge.
	Ref          string
	Satisfaction Satisfaction
}

// Recipients are the case numbers whose reporters must hear the outcome:
// the case's own and every merged duplicate's.
func (c *Case) Recipients() []string {
	out := []string{c.Number}
	for _, d := range c.Duplicates {
		out = append(out, d.Number)
	}
	return out
}

// Told reports whether the reporter of case number was told the outcome in
// the current round.
func (c *Case) Told(number string) bool {
	for _, f := range c.Feedback {
		if f.Number == number && f.Round == c.Round {
			return true
		}
	}
	return false
}

// AllTold reports whether every recipient heard the outcome this round:
// the condition of the close.
func (c *Case) AllTold() bool {
	for _, n := range c.Recipients() {
		if !c.Told(n) {
			return false
		}
	}
	return true
}

// reporterOf returns the reporter of a recipient case number.
func (c *Case) reporterOf(number string) (Reporter, bool) {
	if number == c.Number {
		return c.Reporter, true
	}
	for _, d := range c.Duplicates {
		if d.Number == number {
			return d.Reporter, true
		}
	}
	return Reporter{}, false
}

func oneOf[T comparable](x T, xs []T) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}
