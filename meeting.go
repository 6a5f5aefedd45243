package wangge

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Meeting is a weekly grid meeting (网格化工作例会): the community's staff
// and the grid's assistant go through what the week brought — the open and
// overdue cases, what the visits found, the key groups' changes — and
// decide what to do. It is held for one grid or for a whole community. The
// record is the work, not proof of it: nothing here asks for a photo.
type Meeting struct {
	ID int64
	// AreaCode is the grid's 15-digit code or the community's 12.
	AreaCode string
	At       time.Time
	Place    string
	Title    string
	Minutes  string
	// Attendance is who was there and who was not, with why.
	Attendance []Attendee
	// Decisions are filled on a read of one meeting, in the order taken.
	Decisions []Decision
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Attendee is one person expected at a meeting: present, or absent with a
// reason. Name and role are as written (a resident unit's representative
// has no account); UserID links an account when there is one.
type Attendee struct {
	Name    string `json:"name"`
	Role    string `json:"role,omitempty"`
	UserID  int64  `json:"user_id,omitempty"`
	Present bool   `json:"present"`
	Reason  string `json:"reason,omitempty"`
}

// Decision is one thing a meeting decided, always tied to a case: an
// existing one it follows up, or the one it opened (Opened).
type Decision struct {
	ID         int64
	MeetingID  int64
	Text       string
	CaseNumber string
	Opened     bool
	CreatedAt  time.Time
}

// DecisionDraft is a decision as staff take it: its text, the case it
// follows up (CaseNumber; empty when it opens one, which the store is
// given beside it) and the form's token, so a resend records it once.
type DecisionDraft struct {
	Text       string
	CaseNumber string
	Key        string
}

// Bounds of what a meeting holds, in characters (attendees in entries).
const (
	MeetingTitleMax    = 100
	MeetingPlaceMax    = 100
	MeetingMinutesMax  = 10000
	MeetingAttendeeMax = 60
	AttendeeNameMax    = 50
	AttendeeRoleMax    = 30
	AttendeeReasonMax  = 200
	DecisionTextMax    = 2000
)

// MayKeepMeetings says which roles schedule meetings and write their
// attendance, minutes and decisions: the staff over the grids. The
// assistant reads the meetings of their grid and community; the meeting
// is where the community holds the week's work, not where the assistant
// reports on himself.
func MayKeepMeetings(r Role) bool {
	switch r {
	case RoleCommunityStaff, RoleSubdistrictStaff, RoleDistrictAdmin, RoleSystem:
		return true
	}
	return false
}

// MeetingLevel returns the level a meeting's area code names: a grid or a
// community, 0 for anything else.
func MeetingLevel(code string) Level {
	if !ValidRegionCode(code) {
		return 0
	}
	switch l := LevelOf(code); l {
	case LevelGrid, LevelCommunity:
		return l
	}
	return 0
}

// Validate checks and tidies what staff typed for a meeting.
func (m *Meeting) Validate() error {
	m.Title, m.Place = strings.TrimSpace(m.Title), strings.TrimSpace(m.Place)
	m.Minutes = strings.TrimSpace(m.Minutes)
	switch {
	case MeetingLevel(m.AreaCode) == 0:
		return Invalid("area_code", "error.meeting.area")
	case m.At.IsZero():
		return Invalid("at", "error.meeting.at")
	case m.Title == "" || utf8.RuneCountInString(m.Title) > MeetingTitleMax:
		return Invalid("title", "error.meeting.title", "Max", MeetingTitleMax)
	case utf8.RuneCountInString(m.Place) > MeetingPlaceMax:
		return Invalid("place", "error.meeting.place", "Max", MeetingPlaceMax)
	case utf8.RuneCountInString(m.Minutes) > MeetingMinutesMax:
		return Invalid("minutes", "error.meeting.minutes", "Max", MeetingMinutesMax)
	}
	return ValidateAttendance(m.Attendance)
}

// ValidateAttendance checks an attendance list: every entry named, an
// absence with its reason (a meeting records why someone was not there,
// not just that he was not), nobody twice.
func ValidateAttendance(list []Attendee) error {
	if len(list) > MeetingAttendeeMax {
		return Invalid("attendance", "error.meeting.attendance_count", "Max", MeetingAttendeeMax)
	}
	seen := map[string]bool{}
	for i := range list {
		a := &list[i]
		a.Name, a.Role, a.Reason = strings.TrimSpace(a.Name), strings.TrimSpace(a.Role), strings.TrimSpace(a.Reason)
		switch {
		case a.Name == "" || utf8.RuneCountInString(a.Name) > AttendeeNameMax:
			return Invalid("attendance", "error.meeting.attendee_name", "Max", AttendeeNameMax)
		case utf8.RuneCountInString(a.Role) > AttendeeRoleMax:
			return Invalid("attendance", "error.meeting.attendee_role", "Max", AttendeeRoleMax)
		case !a.Present && a.Reason == "":
			return Invalid("attendance", "error.meeting.absent_reason", "Name", a.Name)
		case utf8.RuneCountInString(a.Reason) > AttendeeReasonMax:
			return Invalid("attendance", "error.meeting.attendee_reason", "Max", AttendeeReasonMax)
		case seen[a.Name]:
			return Invalid("attendance", "error.meeting.attendee_twice", "Name", a.Name)
		}
		if a.Present {
			a.Reason = "" // a reason is for an absence
		}
		seen[a.Name] = true
	}
	return nil
}

// ValidateDecision checks a decision's text.
func ValidateDecision(text string) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" || utf8.RuneCountInString(text) > DecisionTextMax {
		return "", Invalid("text", "error.meeting.decision_text", "Max", DecisionTextMax)
	}
	return text, nil
}

// NextWeek is the meeting a week after m, like it: the same area, place,
// title and expected people (all marked present until the day says
// otherwise), with no minutes or decisions yet. It is "schedule next
// week's like this one".
func (m *Meeting) NextWeek() Meeting {
	n := Meeting{AreaCode: m.AreaCode, At: m.At.AddDate(0, 0, 7), Place: m.Place, Title: m.Title}
	for _, a := range m.Attendance {
		n.Attendance = append(n.Attendance, Attendee{Name: a.Name, Role: a.Role, UserID: a.UserID, Present: true})
	}
	return n
}

// MeetingAreas are the area codes whose meetings concern a grid: its own
// and its community's. An invalid grid code concerns none.
func MeetingAreas(grid string) []string {
	if len(grid) != GridCodeLen || !ValidRegionCode(grid) {
		return nil
	}
	return []string{grid, grid[:CommunityCodeLen]}
}

// AgendaWindow is the stretch of time a meeting's agenda draws on: since
// the area's previous meeting, or the week before when there was none (or
// it was more than four weeks ago, when a week's worth is what one
// meeting can go through), up to the meeting itself.
func AgendaWindow(at time.Time, previous *time.Time) (from, to time.Time) {
	from = at.AddDate(0, 0, -7)
	if previous != nil && previous.Before(at) && !previous.Before(at.AddDate(0, 0, -28)) {
		from = *previous
	}
	return from, at
}

// Agenda item kinds.
const (
	AgendaCase     = "case"
	AgendaVisit    = "visit"
	AgendaKeyGroup = "keygroup"
)

// AgendaCaseItem is an open case as the agenda needs it (the root does
// not know the case engine's types; the store fills these from them).
type AgendaCaseItem struct {
	Number      string
	GridCode    string
	Category    string
	State       string
	Description string
	Light       string // "red", "yellow", "green" or "" with no deadline running
	Due         *time.Time
	Overdue     bool
}

// KeyGroupChange is one change to a key group's membership in a window: a
// person joined or left (or their entry changed).
type KeyGroupChange struct {
	MembershipID int64
	PersonID     int64
	PersonName   string
	HouseholdID  int64
	GridCode     string
	Group        KeyGroup
	Change       string // "join", "leave" or "update"
	At           time.Time
}

// AgendaItem is one line of a meeting's agenda, with the link to what it
// is about and the text a decision on it starts from.
type AgendaItem struct {
	Kind     string
	Ref      string // the case number, the visit's or membership's id
	GridCode string
	At       time.Time
	Case     *AgendaCaseItem
	Visit    *Visit
	Change   *KeyGroupChange
	// Found is what a visit found (the six clears that say something and
	// its problems), for the page to list.
	Found []string
}

// Agenda is a meeting's agenda, drawn from the store, never typed.
type Agenda struct {
	From, To time.Time
	Cases    []AgendaItem
	Visits   []AgendaItem
	Changes  []AgendaItem
}

// VisitFindings lists what a visit found: each of the six clears that says
// something, in their order, then its problems. A visit with nothing new
// finds nothing and stays off the agenda.
func VisitFindings(v *Visit) []string {
	var out []string
	for _, s := range []string{v.Clears.Household, v.Clears.Categories, v.Clears.Facilities, v.Clears.Dangers, v.Clears.Needs, v.Clears.HotIssues} {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	for _, p := range v.Problems {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// BuildAgenda draws the agenda of a meeting over the window [from, to):
// every open case (overdue ones first, then by their light and due time,
// those without a running deadline last), the visits in the window that
// found something (latest first), and the key-group changes in the window
// (latest first). Items outside the window are left out, so the store may
// read a little more than it needs.
func BuildAgenda(from, to time.Time, cases []AgendaCaseItem, visits []Visit, changes []KeyGroupChange) Agenda {
	ag := Agenda{From: from, To: to}
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	for i := range cases {
		c := cases[i]
		ag.Cases = append(ag.Cases, AgendaItem{Kind: AgendaCase, Ref: c.Number, GridCode: c.GridCode, Case: &c})
	}
	rank := map[string]int{"red": 0, "yellow": 1, "green": 2, "": 3}
	slices.SortStableFunc(ag.Cases, func(a, b AgendaItem) int {
		x, y := a.Case, b.Case
		switch {
		case x.Overdue != y.Overdue:
			if x.Overdue {
				return -1
			}
			return 1
		case rank[x.Light] != rank[y.Light]:
			return rank[x.Light] - rank[y.Light]
		case x.Due != nil && y.Due != nil && !x.Due.Equal(*y.Due):
			return x.Due.Compare(*y.Due)
		case (x.Due == nil) != (y.Due == nil):
			if x.Due == nil {
				return 1
			}
			return -1
		}
		return strings.Compare(x.Number, y.Number)
	})
	for i := range visits {
		v := visits[i]
		found := VisitFindings(&v)
		if !in(v.At) || len(found) == 0 {
			continue
		}
		ag.Visits = append(ag.Visits, AgendaItem{Kind: AgendaVisit, Ref: strconv.FormatInt(v.ID, 10), GridCode: v.GridCode, At: v.At, Visit: &v, Found: found})
	}
	slices.SortStableFunc(ag.Visits, func(a, b AgendaItem) int { return b.At.Compare(a.At) })
	for i := range changes {
		c := changes[i]
		if !in(c.At) {
			continue
		}
		ag.Changes = append(ag.Changes, AgendaItem{Kind: AgendaKeyGroup, Ref: strconv.FormatInt(c.MembershipID, 10), GridCode: c.GridCode, At: c.At, Change: &c})
	}
	slices.SortStableFunc(ag.Changes, func(a, b AgendaItem) int { return b.At.Compare(a.At) })
	return ag
}

// MeetingFilter selects meetings within a scope: of one area (a grid's
// meetings and its community's, or a community's and its grids'), or all
// the scope holds.
type MeetingFilter struct {
	AreaCode string
	Page
}
