package storetest

import (
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

var meetingTests = []test{
	{"MeetingScheduledReadAndWrittenInScope", testMeetingScope},
	{"MeetingUpdateUnderVersion", testMeetingUpdate},
	{"MeetingListUpcomingFirst", testMeetingList},
	{"MeetingNextOfAGrid", testMeetingNext},
	{"MeetingDecisionOpensOneCase", testMeetingDecision},
	{"MeetingAgendaFromCasesVisitsAndKeyGroups", testMeetingAgenda},
}

// meetingNow is the suite's clock for meetings: a Friday, 10:00 in Beijing.
var meetingNow = time.Date(2026, 3, 6, 2, 0, 0, 0, time.UTC)

func (e *env) meeting(t *testing.T, s wangge.Scope, area string, at time.Time, title string) *wangge.Meeting {
	t.Helper()
	m := &wangge.Meeting{AreaCode: area, At: at, Title: title, Place: "office",
		Attendance: []wangge.Attendee{{Name: "staff", Role: "community", Present: true}, {Name: "assistant", Role: "assistant", Reason: "ill"}}}
	ok(t, e.db.CreateMeeting(e.ctx, s, m), "schedule ", title)
	return m
}

func testMeetingScope(t *testing.T, e *env) {
	e.fixture()
	e.db.SetClock(func() time.Time { return meetingNow })
	staffA, staffB := wangge.ScopeOf(CommunityA), wangge.ScopeOf(CommunityB)
	grid := e.meeting(t, staffA, GridA1, meetingNow.Add(24*time.Hour), "grid A1")
	community := e.meeting(t, staffA, CommunityA, meetingNow.Add(48*time.Hour), "community A")
	if grid.ID == 0 || grid.Version != 1 {
		t.Fatalf("created %+v", grid)
	}
	// Writes only where the scope may change people's data, and only of a
	// grid or community that exists.
	for _, tc := range []struct {
		name  string
		s     wangge.Scope
		area  string
		field string
	}{
		{"another community's grid", staffA, GridB1, "area_code"},
		{"another community", staffA, CommunityB, "area_code"},
		{"a grid that does not exist", staffA, GridA3, "area_code"},
		{"a sub-district", wangge.ScopeOf(Subdistrict), Subdistrict, "area_code"},
		{"a grid's scope over its community", wangge.ScopeOf(GridA1), CommunityA, "area_code"},
	} {
		m := &wangge.Meeting{AreaCode: tc.area, At: meetingNow, Title: "x"}
		wantField(t, e.db.CreateMeeting(e.ctx, tc.s, m), tc.field, tc.name)
	}
	// Reads: the grid's assistant reads his grid's and his community's
	// meetings, the other grid's assistant only the community's, the other
	// community nothing, and a role without people's data nothing.
	noPeople := (&wangge.User{Role: wangge.RoleBuildingHead, ScopeCode: GridA1}).Scope()
	for _, tc := range []struct {
		name string
		s    wangge.Scope
		want map[int64]bool
	}{
		{"community A", staffA, map[int64]bool{grid.ID: true, community.ID: true}},
		{"grid A1", wangge.ScopeOf(GridA1), map[int64]bool{grid.ID: true, community.ID: true}},
		{"grid A2", wangge.ScopeOf(GridA2), map[int64]bool{community.ID: true}},
		{"community B", staffB, map[int64]bool{}},
		{"a building head", noPeople, map[int64]bool{}},
	} {
		for _, id := range []int64{grid.ID, community.ID} {
			m, err := e.db.Meeting(e.ctx, tc.s, id)
			if tc.want[id] {
				ok(t, err, tc.name, " reads meeting ", id)
				if m.Title == "" || len(m.Attendance) != 2 || m.Attendance[1].Reason != "ill" {
					t.Errorf("%s read %+v", tc.name, m)
				}
			} else if !errors.Is(err, wangge.ErrNotFound) {
				t.Errorf("%s reads meeting %d: %v, want not found", tc.name, id, err)
			}
		}
		list, n, err := e.db.ListMeetings(e.ctx, tc.s, wangge.MeetingFilter{})
		ok(t, err)
		if n != len(tc.want) || len(list) != n {
			t.Errorf("%s lists %d (%d), want %d", tc.name, n, len(list), len(tc.want))
		}
	}
	// Another community's staff cannot change a meeting they cannot read.
	grid.Minutes = "written by B"
	wantCode(t, e.db.UpdateMeeting(e.ctx, staffB, grid), wangge.ENotFound, "community B updates A's meeting")
	// The assistant reads his community's meeting but may not write it.
	community.Minutes = "written by the assistant"
	wantCode(t, e.db.UpdateMeeting(e.ctx, wangge.ScopeOf(GridA1), community), wangge.ENotFound, "a grid's scope updates the community's meeting")
	if got := e.auditActions(t, "meeting"); !slices.Equal(got, []string{"meeting.create", "meeting.create"}) {
		t.Errorf("audit %v, want the two creates", got)
	}
	e.verifyAudit()
}

// auditActions are the actions logged about objects of a kind, oldest first.
func (e *env) auditActions(t *testing.T, object string) []string {
	t.Helper()
	es, _, err := e.db.ListAudit(e.ctx, wangge.AuditFilter{Object: object, Page: wangge.Page{Limit: wangge.MaxPageLimit}})
	ok(t, err)
	var out []string
	for i := len(es) - 1; i >= 0; i-- {
		out = append(out, es[i].Action)
	}
	return out
}

func testMeetingUpdate(t *testing.T, e *env) {
	e.fixture()
	e.db.SetClock(func() time.Time { return meetingNow })
	s := wangge.ScopeOf(CommunityA)
	m := e.meeting(t, s, GridA1, meetingNow, "week 10")
	read, err := e.db.Meeting(e.ctx, s, m.ID)
	ok(t, err)
	read.Minutes = "  the lift is broken again  "
	read.Attendance = append(read.Attendance, wangge.Attendee{Name: "building head", Role: "head", Present: true})
	read.AreaCode = GridB1 // ignored: a meeting stays where it was scheduled
	ok(t, e.db.UpdateMeeting(e.ctx, s, read))
	if read.Version != 2 || read.AreaCode != GridA1 {
		t.Errorf("after the update: version %d, area %s", read.Version, read.AreaCode)
	}
	stale := *m // version 1
	stale.Minutes = "an older page"
	wantCode(t, e.db.UpdateMeeting(e.ctx, s, &stale), wangge.EConflict, "a stale version")
	bad := *read
	bad.Attendance = []wangge.Attendee{{Name: "someone", Present: false}}
	wantField(t, e.db.UpdateMeeting(e.ctx, s, &bad), "attendance", "an absence without a reason")
	got, err := e.db.Meeting(e.ctx, s, m.ID)
	ok(t, err)
	if got.Minutes != "the lift is broken again" || len(got.Attendance) != 3 || got.Version != 2 || got.AreaCode != GridA1 {
		t.Errorf("read back %+v", got)
	}
	if acts := e.auditActions(t, "meeting"); !slices.Equal(acts, []string{"meeting.create", "meeting.update"}) {
		t.Errorf("audit %v", acts)
	}
}

func testMeetingList(t *testing.T, e *env) {
	e.fixture()
	e.db.SetClock(func() time.Time { return meetingNow })
	s := wangge.ScopeOf(CommunityA)
	day := 24 * time.Hour
	past2 := e.meeting(t, s, GridA1, meetingNow.Add(-14*day), "two weeks ago")
	past1 := e.meeting(t, s, CommunityA, meetingNow.Add(-7*day), "last week")
	next2 := e.meeting(t, s, GridA1, meetingNow.Add(7*day), "in a week")
	next1 := e.meeting(t, s, GridA1, meetingNow.Add(day), "tomorrow")
	other := e.meeting(t, s, GridA2, meetingNow.Add(2*day), "grid A2")
	ids := func(f wangge.MeetingFilter) []int64 {
		list, _, err := e.db.ListMeetings(e.ctx, s, f)
		ok(t, err)
		var out []int64
		for _, m := range list {
			out = append(out, m.ID)
		}
		return out
	}
	if got, want := ids(wangge.MeetingFilter{}), []int64{next1.ID, other.ID, next2.ID, past1.ID, past2.ID}; !slices.Equal(got, want) {
		t.Errorf("all: %v, want %v", got, want)
	}
	if got, want := ids(wangge.MeetingFilter{AreaCode: GridA1}), []int64{next1.ID, next2.ID, past1.ID, past2.ID}; !slices.Equal(got, want) {
		t.Errorf("grid A1 with its community's: %v, want %v", got, want)
	}
	if got, want := ids(wangge.MeetingFilter{AreaCode: GridA1, Page: wangge.Page{Limit: 2, Offset: 1}}), []int64{next2.ID, past1.ID}; !slices.Equal(got, want) {
		t.Errorf("a page: %v, want %v", got, want)
	}
	_, _, err := e.db.ListMeetings(e.ctx, s, wangge.MeetingFilter{AreaCode: "1"})
	wantField(t, err, "area", "a filter by no area")
}

func testMeetingNext(t *testing.T, e *env) {
	e.fixture()
	e.db.SetClock(func() time.Time { return meetingNow })
	s := wangge.ScopeOf(CommunityA)
	m, err := e.db.NextMeeting(e.ctx, wangge.ScopeOf(GridA1), GridA1)
	ok(t, err)
	if m != nil {
		t.Fatalf("a next meeting with none scheduled: %+v", m)
	}
	e.meeting(t, s, GridA1, meetingNow.Add(-time.Hour), "held an hour ago")
	e.meeting(t, s, GridA2, meetingNow.Add(time.Hour), "the other grid's")
	community := e.meeting(t, s, CommunityA, meetingNow.Add(3*time.Hour), "the community's")
	later := e.meeting(t, s, GridA1, meetingNow.Add(5*time.Hour), "the grid's")
	m, err = e.db.NextMeeting(e.ctx, wangge.ScopeOf(GridA1), GridA1)
	ok(t, err)
	if m == nil || m.ID != community.ID {
		t.Fatalf("next of grid A1: %+v, want the community's meeting %d", m, community.ID)
	}
	e.db.SetClock(func() time.Time { return meetingNow.Add(4 * time.Hour) })
	if m, err = e.db.NextMeeting(e.ctx, wangge.ScopeOf(GridA1), GridA1); err != nil || m == nil || m.ID != later.ID {
		t.Errorf("next after the community's: %+v, %v, want %d", m, err, later.ID)
	}
	// Out of scope: another community's staff see no next meeting of A1.
	if m, err = e.db.NextMeeting(e.ctx, wangge.ScopeOf(CommunityB), GridA1); err != nil || m != nil {
		t.Errorf("community B's next meeting of A1: %+v, %v", m, err)
	}
	_, err = e.db.NextMeeting(e.ctx, s, CommunityA)
	wantField(t, err, "grid_code", "the next meeting of a community code")
}

func testMeetingDecision(t *testing.T, e *env) {
	e.fixture()
	e.db.SetClock(func() time.Time { return meetingNow })
	s := wangge.ScopeOf(CommunityA)
	staff := caseActors["community_a"]
	m := e.meeting(t, s, GridA1, meetingNow, "week 10")
	draft := caseDraft(GridA1, casework.Coordination, "P01", "")
	draft.Source = casework.SourceWalkIn
	d := wangge.DecisionDraft{Text: "clear the rubbish by Monday", Key: "form-token-1"}
	first, err := e.db.DecideInMeeting(e.ctx, s, staff, m.ID, d, &draft)
	ok(t, err, "a decision that opens a case")
	if !first.Opened || first.CaseNumber == "" {
		t.Fatalf("decision %+v", first)
	}
	c, err := e.db.Case(e.ctx, staff, first.CaseNumber)
	ok(t, err)
	if c.Description != d.Text || c.Location.GridCode != GridA1 || c.State != casework.Accepted {
		t.Errorf("the case opened: %q in %s, %s", c.Description, c.Location.GridCode, c.State)
	}
	again, err := e.db.DecideInMeeting(e.ctx, s, staff, m.ID, d, &draft)
	ok(t, err, "the same decision sent again")
	if again.ID != first.ID || again.CaseNumber != first.CaseNumber {
		t.Errorf("the resend gave %+v, want %+v", again, first)
	}
	if n := e.caseRows(t); n != 1 {
		t.Errorf("%d cases after a resend, want 1", n)
	}
	other := d
	other.Text = "something else"
	_, err = e.db.DecideInMeeting(e.ctx, s, staff, m.ID, other, &draft)
	wantCode(t, err, wangge.EConflict, "the same form with another text")
	// Following up an existing case of the grid; not one of another community.
	inB := e.newCase(t, "community_b", caseDraft(GridB1, casework.Coordination, "P01", "in B"))
	follow, err := e.db.DecideInMeeting(e.ctx, s, staff, m.ID, wangge.DecisionDraft{Text: "chase the department", CaseNumber: first.CaseNumber, Key: "form-token-2"}, nil)
	ok(t, err)
	if follow.Opened || follow.CaseNumber != first.CaseNumber {
		t.Errorf("follow-up %+v", follow)
	}
	_, err = e.db.DecideInMeeting(e.ctx, s, staff, m.ID, wangge.DecisionDraft{Text: "x", CaseNumber: inB.Number, Key: "form-token-3"}, nil)
	wantCode(t, err, wangge.ENotFound, "a case community A does not see")
	a2 := caseDraft(GridA2, casework.Coordination, "P01", "in A2")
	_, err = e.db.DecideInMeeting(e.ctx, s, staff, m.ID, wangge.DecisionDraft{Text: "x", Key: "form-token-4"}, &a2)
	wantField(t, err, "grid_code", "a new case outside the grid's meeting")
	_, err = e.db.DecideInMeeting(e.ctx, s, staff, m.ID, wangge.DecisionDraft{Text: "x", Key: "form-token-5"}, nil)
	wantField(t, err, "case", "a decision tied to no case")
	_, err = e.db.DecideInMeeting(e.ctx, wangge.ScopeOf(CommunityB), caseActors["community_b"], m.ID, wangge.DecisionDraft{Text: "x", CaseNumber: inB.Number, Key: "form-token-6"}, nil)
	wantCode(t, err, wangge.ENotFound, "community B decides in A's meeting")
	read, err := e.db.Meeting(e.ctx, wangge.ScopeOf(GridA1), m.ID)
	ok(t, err)
	if len(read.Decisions) != 2 || read.Decisions[0].Text != d.Text || !read.Decisions[0].Opened || read.Decisions[1].CaseNumber != first.CaseNumber {
		t.Errorf("decisions read back %+v", read.Decisions)
	}
	if got := e.auditActions(t, "meeting"); !slices.Equal(got, []string{"meeting.create", "meeting.decide", "meeting.decide"}) {
		t.Errorf("audit %v", got)
	}
	e.verifyAudit()
}

func testMeetingAgenda(t *testing.T, e *env) {
	f := e.fixture()
	s := wangge.ScopeOf(CommunityA)
	staff := caseActors["community_a"]
	week := 7 * 24 * time.Hour
	// The week before: a case closed, the previous meeting held.
	e.db.SetClock(func() time.Time { return meetingNow.Add(-10 * 24 * time.Hour) })
	e.meeting(t, s, GridA1, meetingNow.Add(-week), "last week")
	leaving := &wangge.Membership{PersonID: f.PA2.ID, Group: wangge.GroupElderly, Attrs: elderlyAttrs}
	ok(t, e.db.CreateMembership(e.ctx, wangge.ScopeAll(), leaving))
	closed := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.General, "P14", "fixed handrail"))
	closed = e.step(t, "assistant_a1", closed, casework.Action{Name: casework.ActFeedback, Channel: casework.ChannelPhone, Note: "fixed"})
	e.step(t, "assistant_a1", closed, casework.Action{Name: casework.ActClose})
	overdue := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "rubbish, long ago"))
	e.db.SetClock(func() time.Time { return meetingNow.Add(-2 * time.Hour) })
	fresh := e.newCase(t, "assistant_a2", caseDraft(GridA2, casework.Coordination, "P01", "rubbish, today"))
	inB := e.newCase(t, "community_b", caseDraft(GridB1, casework.Coordination, "P01", "in B"))
	// Visits: before the previous meeting, with nothing found, with findings,
	// and in another community.
	as := &wangge.Assistant{Name: "assistant", Active: true}
	ok(t, e.db.CreateAssistant(e.ctx, as))
	visit := func(hh *wangge.Household, at time.Time, clears wangge.SixClears, problems ...string) *wangge.Visit {
		v := &wangge.Visit{AssistantID: as.ID, HouseholdID: &hh.ID, At: at, Clears: clears, Problems: problems}
		ok(t, e.db.CreateVisit(e.ctx, wangge.ScopeAll(), v))
		return v
	}
	visit(f.HA1, meetingNow.Add(-week-time.Hour), wangge.SixClears{Dangers: "before the last meeting"})
	visit(f.HA1, meetingNow.Add(-3*time.Hour), wangge.SixClears{})
	found := visit(f.HA1b, meetingNow.Add(-5*time.Hour), wangge.SixClears{Needs: "a ramp"}, "leaking roof")
	foundA2 := visit(f.HA2, meetingNow.Add(-4*time.Hour), wangge.SixClears{HotIssues: "parking"})
	visit(f.HB1, meetingNow.Add(-4*time.Hour), wangge.SixClears{Dangers: "gas"})
	// Key groups: one joined this week in A1, one in B.
	e.db.SetClock(func() time.Time { return meetingNow.Add(-time.Hour) })
	joined := &wangge.Membership{PersonID: f.PA1.ID, Group: wangge.GroupElderly, Attrs: elderlyAttrs}
	ok(t, e.db.CreateMembership(e.ctx, wangge.ScopeAll(), joined))
	ok(t, e.db.CreateMembership(e.ctx, wangge.ScopeAll(), &wangge.Membership{PersonID: f.PB1.ID, Group: wangge.GroupElderly, Attrs: elderlyAttrs}))
	// One who joined before the window leaves in it (recorded now, dated
	// before the window): this week's news.
	e.db.SetClock(func() time.Time { return meetingNow.Add(-30 * time.Minute) })
	ok(t, e.db.EndMembership(e.ctx, wangge.ScopeAll(), leaving.ID, leaving.Version, meetingNow.AddDate(0, 0, -9)))

	e.db.SetClock(func() time.Time { return meetingNow })
	items := func(ag *wangge.Agenda) []string {
		var out []string
		for _, list := range [][]wangge.AgendaItem{ag.Cases, ag.Visits, ag.Changes} {
			for _, it := range list {
				out = append(out, it.Kind+":"+it.Ref)
			}
		}
		return out
	}
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	community := e.meeting(t, s, CommunityA, meetingNow, "community A")
	ag, err := e.db.MeetingAgenda(e.ctx, s, staff, community)
	ok(t, err)
	want := []string{"case:" + overdue.Number, "case:" + fresh.Number, "visit:" + id(foundA2.ID), "visit:" + id(found.ID),
		"keygroup:" + id(leaving.ID), "keygroup:" + id(joined.ID)}
	if got := items(ag); !slices.Equal(got, want) {
		t.Errorf("community A's agenda\n got %v\nwant %v", got, want)
	}
	if c := ag.Cases[0].Case; !c.Overdue || c.Light != string(casework.Red) {
		t.Errorf("the old case on the agenda: %+v, want overdue and red", c)
	}
	if ch := ag.Changes[0].Change; ch.Change != "leave" || ch.PersonID != f.PA2.ID {
		t.Errorf("the first key-group change %+v, want PA2 leaving", ch)
	}
	if ch := ag.Changes[1].Change; ch.Change != "join" || ch.PersonName == "" || ch.Group != wangge.GroupElderly {
		t.Errorf("the second key-group change %+v, want PA1 joining", ch)
	}
	// The grid's meeting: since its own previous meeting, only its grid.
	grid := e.meeting(t, s, GridA1, meetingNow.Add(time.Minute), "grid A1")
	ag, err = e.db.MeetingAgenda(e.ctx, s, staff, grid)
	ok(t, err)
	if !ag.From.Equal(meetingNow.Add(-week)) {
		t.Errorf("grid A1's agenda from %v, want the previous meeting's %v", ag.From, meetingNow.Add(-week))
	}
	want = []string{"case:" + overdue.Number, "visit:" + id(found.ID), "keygroup:" + id(joined.ID)}
	if got := items(ag); !slices.Equal(got, want) {
		t.Errorf("grid A1's agenda\n got %v\nwant %v", got, want)
	}
	_ = inB
}
