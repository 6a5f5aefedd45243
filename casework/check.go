package casework

import (
	"slices"
	"time"

	"github.com/wangge/wangge"
)

// check decides whether the actor may take the action on the case now, by
// mechanism, role and state, without looking at what the action carries.
// Allowed and Apply share it, so a button shows exactly when the action
// would pass. The order of the checks is the order of the reasons a person
// should hear: an action the mechanism has not, then one the role may never
// take, then one the case is not ready for.
func (e *Engine) check(c *Case, a Actor, n ActionName, now time.Time) error {
	if c == nil || !n.Valid() {
		return wangge.E(wangge.EInvalid, "error.case.action", "Action", string(n))
	}
	if !inScope(a, c.Location.GridCode) {
		return wangge.E(wangge.EForbidden, "error.case.scope")
	}
	m, r := c.Mechanism, a.Role
	follows := e.follows(c, a)
	switch n {
	case ActHandle:
		switch m {
		case General:
			return need(r == wangge.RoleAssistant || follows, c, Accepted)
		case Emergency:
			return need(r == wangge.RoleAssistant || follows, c, Acknowledged)
		case Coordination:
			if err := e.receiver(c, a); err != nil {
				return err
			}
			return inState(c, InProgress)
		}
		return mechanism(n)
	case ActFeedback, ActClose:
		var ok bool
		switch {
		case n == ActFeedback:
			ok = r == wangge.RoleAssistant || follows
		case m == General:
			// The general mechanism is the assistant's one short form:
			// handled, told, closed, all in the field.
			ok = r == wangge.RoleAssistant || follows
		default:
			ok = follows
		}
		var err error
		switch m {
		case General, Emergency:
			err = need(ok, c, Handled)
		case Coordination:
			err = need(ok, c, Verified)
		case Approval:
			err = need(ok, c, Approved, Rejected)
		}
		if err == nil && n == ActClose && !c.AllTold() {
			return wangge.E(wangge.EConflict, "error.case.no_feedback")
		}
		return err
	case ActDispatch, ActVerify, ActRework:
		if m != Coordination {
			return mechanism(n)
		}
		switch n {
		case ActDispatch:
			return need(follows, c, Accepted, Returned)
		default:
			return need(follows, c, Handled)
		}
	case ActAccept:
		if m != Coordination {
			return mechanism(n)
		}
		if err := e.receiver(c, a); err != nil {
			return err
		}
		return inState(c, Dispatched)
	case ActReturn:
		switch m {
		case Coordination:
			if err := e.receiver(c, a); err != nil {
				return err
			}
			return inState(c, Dispatched)
		case Approval:
			return e.decider(c, a)
		}
		return mechanism(n)
	case ActAcknowledge:
		if m != Emergency {
			return mechanism(n)
		}
		return need(follows, c, Reported)
	case ActSubmit:
		if m != Approval {
			return mechanism(n)
		}
		return need(r == wangge.RoleAssistant || r == wangge.RoleCommunityStaff, c, Collecting)
	case ActApprove, ActReject:
		if m != Approval {
			return mechanism(n)
		}
		return e.decider(c, a)
	case ActEscalate:
		// Only the server's timer escalates, and only a deadline that ran
		// out: a person asks for attention by supervision instead.
		if err := need(r == wangge.RoleSystem, c, openStates()...); err != nil {
			return err
		}
		if d := c.Running(); d == nil || !d.Overdue(now) {
			return wangge.E(wangge.EConflict, "error.case.not_overdue")
		}
		if c.Level <= wangge.LevelDistrict {
			return wangge.E(wangge.EConflict, "error.case.top_level")
		}
		return nil
	case ActSupervise:
		return need(r == wangge.RoleSubdistrictStaff || r == wangge.RoleDistrictAdmin, c, openStates()...)
	case ActDefer:
		ok := r == wangge.RoleAssistant || r == wangge.RoleCommunityStaff ||
			r == wangge.RoleDepartment && e.receiver(c, a) == nil
		if r == wangge.RoleDepartment && !ok {
			return wangge.E(wangge.EForbidden, "error.case.not_dispatched")
		}
		states := openStates()
		if r == wangge.RoleDepartment {
			// A department asks for time only while the work is its own.
			states = []State{Dispatched, InProgress}
		}
		if err := need(ok, c, states...); err != nil {
			return err
		}
		if c.Deferral != nil {
			return wangge.E(wangge.EConflict, "error.case.defer_pending")
		}
		if c.Running() == nil {
			return wangge.E(wangge.EConflict, "error.case.no_deadline")
		}
		return nil
	case ActApproveDefer, ActRejectDefer:
		staff := r == wangge.RoleCommunityStaff || r == wangge.RoleSubdistrictStaff || r == wangge.RoleDistrictAdmin
		if err := need(staff, c, openStates()...); err != nil {
			return err
		}
		if c.Deferral == nil {
			return wangge.E(wangge.EConflict, "error.case.no_deferral")
		}
		// The level above the one that asked decides: a deferral moves the
		// promise made to the reporter, which nobody grants themselves.
		if staffLevel(r) >= staffLevel(c.Deferral.ByRole) {
			return wangge.E(wangge.EForbidden, "error.case.defer_level")
		}
		return nil
	case ActMerge:
		return need(follows, c, openStates()...)
	case ActReopen:
		staff := r == wangge.RoleCommunityStaff || r == wangge.RoleSubdistrictStaff || r == wangge.RoleDistrictAdmin
		own := isReporter(c, a) || a.Role == wangge.RoleResident
		if err := need(staff || own, c, Closed); err != nil {
			return err
		}
		if !staff && now.Sub(c.ClosedAt) > time.Duration(e.ReopenDays)*24*time.Hour {
			return wangge.E(wangge.EConflict, "error.case.reopen_window", "Days", e.ReopenDays)
		}
		return nil
	case ActSatisfaction:
		// A resident (RoleResident) is the case's reporter: the store made
		// the actor only after the case's tracking token proved it.
		ok := r == wangge.RoleAssistant || r == wangge.RoleCommunityStaff || isReporter(c, a) || r == wangge.RoleResident
		if !ok {
			return wangge.E(wangge.EForbidden, "error.case.role")
		}
		if c.State == Merged {
			return inState(c)
		}
		if !c.Told(c.Number) {
			return wangge.E(wangge.EConflict, "error.case.no_feedback")
		}
		return nil
	}
	return wangge.E(wangge.EInvalid, "error.case.action", "Action", string(n))
}

// follows reports whether the actor is among the staff following the case
// at its level: the community always, the sub-district once it was
// escalated there, the district once it reached the district.
func (e *Engine) follows(c *Case, a Actor) bool {
	switch a.Role {
	case wangge.RoleCommunityStaff:
		return true
	case wangge.RoleSubdistrictStaff:
		return c.Level <= wangge.LevelSubdistrict
	case wangge.RoleDistrictAdmin:
		return c.Level <= wangge.LevelDistrict
	}
	return false
}

// receiver checks that the actor acts for the case's receiver: a department
// account of the line it was dispatched to, or the community recording an
// outside party's answers.
func (e *Engine) receiver(c *Case, a Actor) error {
	switch {
	case c.Receiver == nil:
		if a.Role == wangge.RoleDepartment {
			return wangge.E(wangge.EForbidden, "error.case.not_dispatched")
		}
		if a.Role == wangge.RoleCommunityStaff || e.follows(c, a) {
			return inState(c)
		}
	case c.Receiver.Kind == ToDepartment:
		if a.Role == wangge.RoleDepartment && a.Line == c.Receiver.Line {
			return nil
		}
		if a.Role == wangge.RoleDepartment {
			return wangge.E(wangge.EForbidden, "error.case.not_dispatched")
		}
	case e.follows(c, a):
		return nil
	}
	return wangge.E(wangge.EForbidden, "error.case.role")
}

// decider checks that the actor decides the approval chain's current step:
// the staff of that step's level.
func (e *Engine) decider(c *Case, a Actor) error {
	want := wangge.Role("")
	if c.Step < len(c.Chain) {
		want = levelRole(c.Chain[c.Step])
	}
	if c.State != Pending {
		if staffLevel(a.Role) > 0 && oneOf(a.Role, chainRoles(c.Chain)) {
			return inState(c)
		}
		return wangge.E(wangge.EForbidden, "error.case.role")
	}
	if a.Role != want {
		return wangge.E(wangge.EForbidden, "error.case.role")
	}
	return nil
}

func chainRoles(chain []wangge.Level) []wangge.Role {
	var out []wangge.Role
	for _, l := range chain {
		out = append(out, levelRole(l))
	}
	return out
}

// levelRole is the role of the staff of a level.
func levelRole(l wangge.Level) wangge.Role {
	switch l {
	case wangge.LevelCommunity:
		return wangge.RoleCommunityStaff
	case wangge.LevelSubdistrict:
		return wangge.RoleSubdistrictStaff
	case wangge.LevelDistrict:
		return wangge.RoleDistrictAdmin
	}
	return ""
}

// staffLevel ranks the roles that ask for and grant deferrals, higher
// above: the assistant, the community (and a department, which works the
// case at the community's request and so ranks with it), the sub-district,
// the district. 0 is a role outside the ladder.
func staffLevel(r wangge.Role) int {
	switch r {
	case wangge.RoleAssistant:
		return 4
	case wangge.RoleCommunityStaff, wangge.RoleDepartment:
		return 3
	case wangge.RoleSubdistrictStaff:
		return 2
	case wangge.RoleDistrictAdmin:
		return 1
	}
	return 0
}

func isReporter(c *Case, a Actor) bool {
	return a.UserID != 0 && a.UserID == c.Reporter.UserID && a.Role != wangge.RoleSystem
}

// need refuses a role that may not act, then a state the action does not
// start from.
func need(roleOK bool, c *Case, states ...State) error {
	if !roleOK {
		return wangge.E(wangge.EForbidden, "error.case.role")
	}
	return inState(c, states...)
}

func inState(c *Case, states ...State) error {
	if slices.Contains(states, c.State) {
		return nil
	}
	if c.State == Closed || c.State == Merged {
		return wangge.E(wangge.EConflict, "error.case.ended", "State", string(c.State))
	}
	return wangge.E(wangge.EConflict, "error.case.state", "State", string(c.State))
}

func mechanism(n ActionName) error {
	return wangge.E(wangge.EConflict, "error.case.mechanism", "Action", string(n))
}

func openStates() []State {
	var out []State
	for _, s := range States {
		if s.Open() {
			out = append(out, s)
		}
	}
	return out
}
