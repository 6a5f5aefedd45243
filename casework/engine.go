package casework

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wangge/wangge"
)

// ActionName names an action as the JSON API does
// (POST /api/v1/cases/{number}/transitions {"action": …}).
type ActionName string

const (
	ActCreate       ActionName = "create"        // the first event; made by Open, not Apply
	ActHandle       ActionName = "handle"        // the work is done (处置), with what was done
	ActFeedback     ActionName = "feedback"      // the reporter was told the outcome (反馈)
	ActClose        ActionName = "close"         // 结案
	ActDispatch     ActionName = "dispatch"      // 派遣, or 改派 after a return
	ActAccept       ActionName = "accept"        // the receiver takes it on
	ActReturn       ActionName = "return"        // 退单 by a receiver, or back for materials in an approval
	ActVerify       ActionName = "verify"        // 核查
	ActRework       ActionName = "rework"        // 返工
	ActAcknowledge  ActionName = "acknowledge"   // an emergency taken on
	ActEscalate     ActionName = "escalate"      // a deadline ran out: up one level
	ActSubmit       ActionName = "submit"        // an application's materials handed in
	ActApprove      ActionName = "approve"       // one step of the chain says yes
	ActReject       ActionName = "reject"        // the chain says no
	ActSupervise    ActionName = "supervise"     // 督办
	ActDefer        ActionName = "defer"         // 延期申请
	ActApproveDefer ActionName = "approve_defer" // the level above grants it (缓办)
	ActRejectDefer  ActionName = "reject_defer"
	ActMerge        ActionName = "merge"  // 并单: this case is a duplicate of another
	ActReopen       ActionName = "reopen" // 重新办理
	ActSatisfaction ActionName = "satisfaction"
)

// Actions lists every action Apply takes, in the order the pages show
// their buttons.
var Actions = []ActionName{
	ActAcknowledge, ActDispatch, ActAccept, ActReturn, ActHandle, ActVerify, ActRework,
	ActSubmit, ActApprove, ActReject, ActFeedback, ActClose, ActSatisfaction,
	ActSupervise, ActDefer, ActApproveDefer, ActRejectDefer, ActMerge, ActReopen, ActEscalate,
}

// Valid reports whether n is an action Apply takes, for the API to refuse
// an unknown name before it loads the case.
func (n ActionName) Valid() bool { return slices.Contains(Actions, n) }

// Action is what an actor asks for, with what the action carries. Note is
// the note, the reason or what was said, as the action needs.
type Action struct {
	Name ActionName
	Note string
	// Receiver is where a dispatch sends the case.
	Receiver *Receiver
	// Feedback: to which case's reporter (default the case's own), how,
	// when (default now), or that the reporter left no contact.
	To        string
	Channel   Channel
	At        time.Time
	NoContact bool
	// Due is a supervision's tighter deadline or a deferral's new one.
	Due time.Time
	// Into is the case a merge folds this one into.
	Into *Case
	// Materials are the catalogue entry's materials handed in with a submit.
	Materials    []string
	Satisfaction Satisfaction
}

// Engine applies actions to cases under a district's settings.
type Engine struct {
	Clock  Clock
	Limits Limits
	// ReopenDays is how many days after the close a reporter may reopen
	// their case themselves; staff may reopen at any time.
	ReopenDays int
	// Chain is the approval chain a new application runs along.
	Chain []wangge.Level
	// ByCategory are the district's limits for single categories; nil
	// means none, every category on Limits and its own limit.
	ByCategory CategoryLimits
}

// DefaultReopenDays is the reporter's window to reopen a closed case.
const DefaultReopenDays = 15

// NoteMax bounds a note or a description, in characters.
const NoteMax = 2000

// NewEngine returns an engine with the default limits, reopen window and
// approval chain (the community, then the sub-district).
func NewEngine(clock Clock) *Engine {
	return &Engine{Clock: clock, Limits: DefaultLimits(), ReopenDays: DefaultReopenDays,
		Chain: []wangge.Level{wangge.LevelCommunity, wangge.LevelSubdistrict}}
}

// Draft is a new case as its reporter or the assistant gives it.
type Draft struct {
	// Number is the number the store allotted (FormatNumber).
	Number      string
	Source      Source
	Category    Category
	Location    Location
	Reporter    Reporter
	Mechanism   Mechanism
	Priority    Priority
	Description string
	// Done is what the assistant did on the spot: a general case is
	// registered handled, so it needs it.
	Done string
	// Materials are those already collected for an application.
	Materials []string
}

// Open makes a case from a draft: it checks who may raise a case of the
// mechanism and what the draft holds, and starts the timeline and the
// first deadline.
func (e *Engine) Open(d Draft, a Actor, now time.Time) (*Case, error) {
	if !d.Mechanism.Valid() {
		return nil, wangge.Invalid("mechanism", "error.case.mechanism_unknown")
	}
	if !mayOpen(d.Mechanism, a.Role) {
		return nil, wangge.E(wangge.EForbidden, "error.case.role")
	}
	if len(d.Location.GridCode) != wangge.GridCodeLen || !wangge.ValidRegionCode(d.Location.GridCode) {
		return nil, wangge.Invalid("grid_code", "error.case.grid")
	}
	if !inScope(a, d.Location.GridCode) {
		return nil, wangge.E(wangge.EForbidden, "error.case.scope")
	}
	if _, _, ok := ParseNumber(d.Number); !ok {
		return nil, wangge.Invalid("number", "error.case.number")
	}
	if !d.Source.Valid() {
		return nil, wangge.Invalid("source", "error.case.source")
	}
	if !d.Category.Valid() {
		return nil, wangge.Invalid("category", "error.case.category")
	}
	if d.Priority == "" {
		d.Priority = PriorityNormal
	}
	if !d.Priority.Valid() {
		return nil, wangge.Invalid("priority", "error.case.priority")
	}
	if p := d.Location.Point; p != nil && (p.Lng < -180 || p.Lng > 180 || p.Lat < -90 || p.Lat > 90) {
		return nil, wangge.Invalid("lng", "error.case.point")
	}
	desc := strings.TrimSpace(d.Description)
	if desc == "" || utf8.RuneCountInString(desc) > NoteMax {
		return nil, wangge.Invalid("description", "error.case.description", "Max", NoteMax)
	}
	done := strings.TrimSpace(d.Done)
	if d.Mechanism == General && done == "" {
		return nil, wangge.Invalid("done", "error.case.done")
	}
	if utf8.RuneCountInString(done) > NoteMax {
		return nil, wangge.Invalid("done", "error.case.note_length", "Max", NoteMax)
	}
	if a.Role == wangge.RoleBuildingHead {
		// A building head reports as himself, which is what lets him follow,
		// rate and reopen the case later.
		d.Reporter.UserID = a.UserID
	}
	if d.Reporter.Anonymous {
		d.Reporter.Name = ""
	}
	c := &Case{
		Number: d.Number, Source: d.Source, Category: d.Category, Location: d.Location,
		Reporter: d.Reporter, Mechanism: d.Mechanism, Priority: d.Priority,
		Description: desc, Level: wangge.LevelCommunity, CreatedAt: now,
	}
	note := ""
	switch d.Mechanism {
	case General:
		c.State, note = Handled, done
		e.start(c, StepFeedback, now)
	case Coordination:
		c.State = Accepted
		e.start(c, StepDispatch, now)
	case Emergency:
		c.State, c.Priority = Reported, PriorityUrgent
		e.start(c, StepAcknowledge, now)
	case Approval:
		c.State = Collecting
		c.Chain = slices.Clone(e.Chain)
		c.Materials = addMaterials(nil, d.Materials)
	}
	c.Events = append(c.Events, Event{Seq: 1, At: now, ActorID: a.UserID, ActorName: a.Name, ActorRole: a.Role,
		Action: ActCreate, Note: note, To: c.State})
	return c, nil
}

// mayOpen says who may raise a case of each mechanism: a general case is
// handled on the spot by the assistant (or at the office by community
// staff); anyone who reports problems may raise a coordination case or an
// emergency (the intake of the kiosk, the resident page and Open311 as the
// system); applications are collected by the assistant or the community.
func mayOpen(m Mechanism, r wangge.Role) bool {
	switch m {
	case General, Approval:
		return r == wangge.RoleAssistant || r == wangge.RoleCommunityStaff
	case Coordination:
		return oneOf(r, []wangge.Role{wangge.RoleAssistant, wangge.RoleCommunityStaff, wangge.RoleBuildingHead, wangge.RoleDepartment, wangge.RoleSystem})
	case Emergency:
		return oneOf(r, []wangge.Role{wangge.RoleAssistant, wangge.RoleCommunityStaff, wangge.RoleBuildingHead, wangge.RoleSystem})
	}
	return false
}

// Allowed returns the actions the actor may take on the case now, for the
// page's buttons: those whose role, state and mechanism checks pass (what
// an action must carry is checked when it is taken).
func (e *Engine) Allowed(c *Case, a Actor, now time.Time) []ActionName {
	var out []ActionName
	for _, n := range Actions {
		if e.check(c, a, n, now) == nil {
			out = append(out, n)
		}
	}
	return out
}

// Apply takes one action on the case: it checks the actor's role and area,
// the case's mechanism and state and what the action carries, and on
// success changes the case, appends the event to its timeline and returns
// it. A refusal leaves the case as it was and says why. A merge changes
// two cases: the duplicate (whose event it returns) and act.Into, whose
// timeline gains the merge too; the store saves both in one transaction.
// A granted deferral moves the running deadline to the time asked for, so
// the clock counts nothing of the deferred time.
func (e *Engine) Apply(c *Case, a Actor, act Action, now time.Time) (Event, error) {
	if err := e.check(c, a, act.Name, now); err != nil {
		return Event{}, err
	}
	note := strings.TrimSpace(act.Note)
	if utf8.RuneCountInString(note) > NoteMax {
		return Event{}, wangge.Invalid("note", "error.case.note_length", "Max", NoteMax)
	}
	ev := Event{At: now, ActorID: a.UserID, ActorName: a.Name, ActorRole: a.Role, Action: act.Name, Note: note, From: c.State}
	if key := needsNote[act.Name]; key != "" && note == "" {
		return Event{}, wangge.Invalid("note", key)
	}
	switch act.Name {
	case ActHandle:
		c.State = Handled
		if c.Mechanism == Coordination {
			e.start(c, StepVerify, now)
		} else {
			e.start(c, StepFeedback, now)
		}
	case ActFeedback:
		f, err := feedbackOf(c, a, act, note, now)
		if err != nil {
			return Event{}, err
		}
		c.Feedback = append(c.Feedback, f)
		ev.Feedback = &f
	case ActClose:
		c.State, c.ClosedAt, c.Deferral = Closed, now, nil
		meetAll(c, now)
	case ActDispatch:
		r := act.Receiver
		if err := validReceiver(r); err != nil {
			return Event{}, err
		}
		if c.State == Returned && c.ReturnedBy != nil && *c.ReturnedBy == *r {
			return Event{}, wangge.Invalid("receiver", "error.case.same_receiver")
		}
		if c.State == Returned {
			c.Redispatches++
		}
		rc := *r
		c.State, c.Receiver, ev.Receiver = Dispatched, &rc, &rc
		e.start(c, StepAccept, now)
	case ActAccept:
		c.State = InProgress
		e.start(c, StepHandle, now)
	case ActReturn:
		if c.Mechanism == Approval {
			// Back to the applicant for materials: the clock stops until
			// they are handed in again.
			c.State = Collecting
			meetAll(c, now)
			break
		}
		ev.Receiver = c.Receiver
		c.State, c.ReturnedBy, c.Receiver = Returned, c.Receiver, nil
		e.start(c, StepDispatch, now)
	case ActVerify:
		c.State = Verified
		e.start(c, StepFeedback, now)
	case ActRework:
		c.State = InProgress
		c.Reworks++
		e.start(c, StepHandle, now)
	case ActAcknowledge:
		c.State = Acknowledged
		e.start(c, StepHandle, now)
	case ActEscalate:
		d := c.Running()
		d.Escalated = true
		c.Level--
		c.Escalations++
		ev.Level = c.Level
		e.start(c, d.Step, now)
	case ActSubmit:
		got := addMaterials(c.Materials, act.Materials)
		var missing []string
		for _, m := range c.Category.Materials {
			if !slices.Contains(got, m) {
				missing = append(missing, m)
			}
		}
		if len(missing) > 0 {
			return Event{}, wangge.Invalid("materials", "error.case.materials", "Missing", strings.Join(missing, ", "))
		}
		c.Materials, c.State = got, Pending
		e.start(c, StepDecide, now)
	case ActApprove:
		c.Step++
		if c.Step < len(c.Chain) {
			e.start(c, StepDecide, now)
			break
		}
		c.State = Approved
		e.start(c, StepFeedback, now)
	case ActReject:
		c.State = Rejected
		e.start(c, StepFeedback, now)
	case ActSupervise:
		if !act.Due.IsZero() {
			d := c.Running()
			if d == nil {
				return Event{}, wangge.E(wangge.EConflict, "error.case.no_deadline")
			}
			if !act.Due.After(now) || !act.Due.Before(d.Due) {
				return Event{}, wangge.Invalid("due", "error.case.due_tighter")
			}
			d.Due, ev.Due = act.Due, act.Due
		}
		c.Supervisions++
	case ActDefer:
		d := c.Running()
		if !act.Due.After(d.Due) {
			return Event{}, wangge.Invalid("due", "error.case.due_later")
		}
		c.Deferral = &DeferRequest{Until: act.Due, Reason: note, ByID: a.UserID, ByRole: a.Role, Asked: now}
		ev.Due = act.Due
	case ActApproveDefer:
		if d := c.Running(); d != nil && c.Deferral.Until.After(d.Due) {
			d.Due = c.Deferral.Until
		}
		ev.Due = c.Deferral.Until
		c.Deferral = nil
		c.Deferrals++
	case ActRejectDefer:
		ev.Due = c.Deferral.Until
		c.Deferral = nil
	case ActMerge:
		into := act.Into
		switch {
		case into == nil || into == c || into.Number == c.Number:
			return Event{}, wangge.Invalid("into", "error.case.merge_self")
		case !into.State.Open():
			return Event{}, wangge.E(wangge.EConflict, "error.case.merge_closed")
		case !inScope(a, into.Location.GridCode):
			return Event{}, wangge.E(wangge.EForbidden, "error.case.scope")
		}
		// The duplicate's reporter, and those of the cases merged into it
		// before, now hear the outcome of the case it joins.
		into.Duplicates = append(into.Duplicates, Duplicate{Number: c.Number, Reporter: c.Reporter})
		into.Duplicates = append(into.Duplicates, c.Duplicates...)
		into.Events = append(into.Events, Event{Seq: len(into.Events) + 1, At: now, ActorID: a.UserID, ActorName: a.Name,
			ActorRole: a.Role, Action: ActMerge, Note: note, From: into.State, To: into.State, Ref: c.Number})
		c.Duplicates, c.Deferral = nil, nil
		c.State, c.MergedInto, ev.Ref = Merged, into.Number, into.Number
		meetAll(c, now)
	case ActReopen:
		c.Round++
		c.ClosedAt, c.Satisfaction = time.Time{}, ""
		switch c.Mechanism {
		case General:
			c.State = Accepted
			e.start(c, StepHandle, now)
		case Coordination:
			c.State = Accepted
			e.start(c, StepDispatch, now)
		case Emergency:
			c.State = Acknowledged
			e.start(c, StepHandle, now)
		case Approval:
			c.State, c.Step = Collecting, 0
		}
	case ActSatisfaction:
		if !oneOf(act.Satisfaction, Satisfactions) {
			return Event{}, wangge.Invalid("satisfaction", "error.case.satisfaction")
		}
		c.Satisfaction, ev.Satisfaction = act.Satisfaction, act.Satisfaction
	}
	ev.To = c.State
	ev.Seq = len(c.Events) + 1
	c.Events = append(c.Events, ev)
	return ev, nil
}

// needsNote are the actions that must say something, with the error that
// asks for it: what was done, why, or what the supervisor wants.
var needsNote = map[ActionName]string{
	ActHandle:      "error.case.note_done",
	ActReturn:      "error.case.reason",
	ActRework:      "error.case.reason",
	ActApprove:     "error.case.reason",
	ActReject:      "error.case.reason",
	ActSupervise:   "error.case.note_supervise",
	ActDefer:       "error.case.reason",
	ActRejectDefer: "error.case.reason",
	ActReopen:      "error.case.reason",
}

// feedbackOf checks and builds the feedback an action records.
func feedbackOf(c *Case, a Actor, act Action, said string, now time.Time) (Feedback, error) {
	to := act.To
	if to == "" {
		to = c.Number
	}
	rep, ok := c.reporterOf(to)
	if !ok {
		return Feedback{}, wangge.Invalid("to", "error.case.feedback_to")
	}
	at := act.At
	if at.IsZero() {
		at = now
	}
	if at.After(now) || at.Before(c.CreatedAt) {
		return Feedback{}, wangge.Invalid("at", "error.case.feedback_time")
	}
	f := Feedback{Number: to, At: at, ByID: a.UserID, ByName: a.Name, Said: said, Round: c.Round}
	if act.NoContact {
		// Only the truth may stand in for a telling: a reporter who left a
		// contact must be reached.
		if rep.Contact != "" {
			return Feedback{}, wangge.Invalid("no_contact", "error.case.has_contact")
		}
		f.NoContact = true
		return f, nil
	}
	if !oneOf(act.Channel, Channels) {
		return Feedback{}, wangge.Invalid("channel", "error.case.channel")
	}
	if said == "" {
		return Feedback{}, wangge.Invalid("note", "error.case.said")
	}
	f.Channel = act.Channel
	return f, nil
}

func validReceiver(r *Receiver) error {
	switch {
	case r == nil:
		return wangge.Invalid("receiver", "error.case.receiver")
	case r.Kind == ToDepartment && r.Line.Valid() && strings.TrimSpace(r.Name) != "":
		return nil
	case r.Kind == ToOutside && strings.TrimSpace(r.Name) != "":
		return nil
	}
	return wangge.Invalid("receiver", "error.case.receiver")
}

// addMaterials returns have with the new names added once each.
func addMaterials(have, add []string) []string {
	out := slices.Clone(have)
	for _, m := range add {
		if m = strings.TrimSpace(m); m != "" && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// start ends the running deadline (its step is done) and starts the next
// step's, where the mechanism has a limit for it.
func (e *Engine) start(c *Case, s Step, now time.Time) {
	if d := c.Running(); d != nil {
		d.Met = now
	}
	lim, ok := e.Limit(c.Category, c.Mechanism, s)
	if !ok || e.Clock == nil {
		return
	}
	c.Deadlines = append(c.Deadlines, Deadline{Step: s, Level: c.Level, Start: now, Due: e.Clock.Add(now, lim), Unit: lim.Unit})
}

// meetAll ends the running deadline without starting another: the case is
// closed, merged, or waits on the applicant (the clock stops).
func meetAll(c *Case, now time.Time) {
	if d := c.Running(); d != nil {
		d.Met = now
	}
}

func inScope(a Actor, grid string) bool {
	return a.Role == wangge.RoleSystem || wangge.ScopeOf(a.ScopeCode).Contains(grid)
}
