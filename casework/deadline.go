package casework

import (
	"slices"
	"time"

	"github.com/wangge/wangge"
)

// Unit is what a time limit counts.
type Unit string

const (
	Minutes   Unit = "minutes" // emergencies: plain minutes, day or night
	WorkHours Unit = "work_hours"
	WorkDays  Unit = "work_days"
)

// Duration is a time limit: N of a unit.
type Duration struct {
	N    int
	Unit Unit
}

// Clock turns a start and a limit into a due time. The working-day calendar
// (holidays, make-up workdays, working hours) implements it elsewhere; the
// engine only asks it.
type Clock interface {
	Add(from time.Time, d Duration) time.Time
}

// Light is a running deadline's colour on the board and the case page.
type Light string

const (
	Green  Light = "green"  // time enough
	Yellow Light = "yellow" // most of the time used (the calendar's share, default 75%)
	Red    Light = "red"    // overdue
)

// LightClock is a Clock that also tells how much of a limit's time is
// used at a moment; the work calendar's clock implements it, counting
// working time where the limit does.
type LightClock interface {
	Clock
	Light(start, due, now time.Time, u Unit) Light
}

// Light returns the colour of deadline d at now: red once it is overdue,
// otherwise what the clock says (green with a clock that cannot tell).
func (e *Engine) Light(d *Deadline, now time.Time) Light {
	if d == nil || !d.Met.IsZero() {
		return ""
	}
	if !now.Before(d.Due) {
		return Red
	}
	if lc, ok := e.Clock.(LightClock); ok {
		return lc.Light(d.Start, d.Due, now, d.Unit)
	}
	return Green
}

// Step names what a deadline is for.
type Step string

const (
	StepAcknowledge Step = "acknowledge" // an emergency's response
	StepDispatch    Step = "dispatch"    // the community dispatches (again)
	StepAccept      Step = "accept"      // the receiver accepts or returns
	StepHandle      Step = "handle"      // the work itself
	StepVerify      Step = "verify"      // the community checks the work
	StepDecide      Step = "decide"      // one step of the approval chain
	StepFeedback    Step = "feedback"    // the reporter is told, the case closed
)

// Deadline is one step's due time. Met is when the step was done;
// Escalated tells that it ran out and the case went up a level (a new
// deadline for the same step starts there).
type Deadline struct {
	Step      Step
	Level     wangge.Level
	Start     time.Time
	Due       time.Time
	Met       time.Time
	Escalated bool
	// Unit is what the step's limit counted, for its light: plain minutes
	// or working time.
	Unit Unit `json:",omitempty"`
}

// Overdue reports whether the deadline is running and past due at now.
func (d Deadline) Overdue(now time.Time) bool {
	return d.Met.IsZero() && !d.Escalated && !now.Before(d.Due)
}

// Running returns the deadline running now, or nil when none is: the case
// is closed, or the clock stopped while it waits on the reporter.
func (c *Case) Running() *Deadline {
	for i := len(c.Deadlines) - 1; i >= 0; i-- {
		d := &c.Deadlines[i]
		if d.Met.IsZero() && !d.Escalated {
			return d
		}
	}
	return nil
}

// Expected is when an open case can be expected to be done, as a public
// path promises it (Open311's expected_datetime, the tracking page): the
// running step's due time, then the limits of the steps still to come up
// to the work itself (handled, or an application decided), each counted on
// the engine's clock from the one before. Zero for a closed case or one
// whose clock stopped (it waits on the reporter or the applicant). A
// promise the work cannot keep is no promise: a coordination case just
// received is expected when dispatch, acceptance and the work would end,
// not when dispatch alone would.
func (e *Engine) Expected(c *Case) time.Time {
	d := c.Running()
	if d == nil || !c.State.Open() {
		return time.Time{}
	}
	at := d.Due
	if e.Clock == nil {
		return at
	}
	steps := Steps(c.Mechanism)
	from, work := slices.Index(steps, d.Step), slices.IndexFunc(steps, func(s Step) bool { return s == StepHandle || s == StepDecide })
	if from < 0 || work < 0 {
		return at
	}
	// Past the work (verify, feedback), the running step is what is left.
	for _, s := range steps[min(from+1, len(steps)):max(work+1, from+1)] {
		if lim, ok := e.Limit(c.Category, c.Mechanism, s); ok {
			at = e.Clock.Add(at, lim)
		}
	}
	return at
}

// Limits are the time limits per mechanism and step. A category's own limit
// (a catalogue entry's promised days) replaces the handle and decide steps'.
type Limits map[Mechanism]map[Step]Duration

// DefaultLimits are the limits a new district starts with: an emergency
// acknowledged within 10 minutes and handled within 2 hours, a coordination
// case dispatched within a working day and done within five.
func DefaultLimits() Limits {
	return Limits{
		General: {StepHandle: {1, WorkDays}, StepFeedback: {1, WorkDays}},
		Coordination: {
			StepDispatch: {1, WorkDays}, StepAccept: {4, WorkHours}, StepHandle: {5, WorkDays},
			StepVerify: {1, WorkDays}, StepFeedback: {1, WorkDays},
		},
		Emergency: {StepAcknowledge: {10, Minutes}, StepHandle: {120, Minutes}, StepFeedback: {1, WorkDays}},
		Approval:  {StepDecide: {5, WorkDays}, StepFeedback: {1, WorkDays}},
	}
}

// CategoryLimits are a district's limits for single categories, by the
// category's code: where one names a mechanism's step, it replaces both the
// category's own limit and the mechanism's (the administrator's table of
// category × mechanism × step).
type CategoryLimits map[string]Limits

// Steps returns the steps a mechanism's cases run a deadline on, in the
// order a case meets them.
func Steps(m Mechanism) []Step {
	var out []Step
	for _, s := range []Step{StepAcknowledge, StepDispatch, StepAccept, StepHandle, StepVerify, StepDecide, StepFeedback} {
		if _, ok := DefaultLimits()[m][s]; ok {
			out = append(out, s)
		}
	}
	return out
}

// Limit returns the limit step s of a case of category cat taken as
// mechanism m runs on: the district's row for the category where there is
// one, otherwise DefaultLimit.
func (e *Engine) Limit(cat Category, m Mechanism, s Step) (Duration, bool) {
	if d, ok := e.ByCategory[cat.Code][m][s]; ok && d.N > 0 {
		return d, true
	}
	return e.DefaultLimit(cat, m, s)
}

// DefaultLimit is the limit without the district's row for the category:
// the category's own (a catalogue entry's promised days) for the handle and
// decide steps, otherwise the mechanism's. The administrator's page shows
// it beside a row that replaces it.
func (e *Engine) DefaultLimit(cat Category, m Mechanism, s Step) (Duration, bool) {
	if (s == StepHandle || s == StepDecide) && cat.Limit.N > 0 {
		return cat.Limit, true
	}
	d, ok := e.Limits[m][s]
	return d, ok && d.N > 0
}
