package wangge

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMeetingValidate(t *testing.T) {
	at := time.Date(2026, 3, 6, 6, 30, 0, 0, time.UTC)
	base := func() Meeting {
		return Meeting{AreaCode: "140499001001001", At: at, Title: "  week 10 ", Place: "office",
			Attendance: []Attendee{{Name: "staff one", Role: "staff", Present: true, Reason: "left over"}, {Name: "assistant", Present: false, Reason: "ill"}}}
	}
	tests := []struct {
		name  string
		edit  func(m *Meeting)
		key   string
		field string
	}{
		{"a grid's meeting", func(m *Meeting) {}, "", ""},
		{"a community's meeting", func(m *Meeting) { m.AreaCode = "140499001001" }, "", ""},
		{"a sub-district is no meeting's area", func(m *Meeting) { m.AreaCode = "140499001" }, "error.meeting.area", "area_code"},
		{"no area", func(m *Meeting) { m.AreaCode = "" }, "error.meeting.area", "area_code"},
		{"letters in the code", func(m *Meeting) { m.AreaCode = "14049900100100x" }, "error.meeting.area", "area_code"},
		{"no time", func(m *Meeting) { m.At = time.Time{} }, "error.meeting.at", "at"},
		{"blank title", func(m *Meeting) { m.Title = "   " }, "error.meeting.title", "title"},
		{"title too long", func(m *Meeting) { m.Title = strings.Repeat("例", MeetingTitleMax+1) }, "error.meeting.title", "title"},
		{"title at the limit", func(m *Meeting) { m.Title = strings.Repeat("例", MeetingTitleMax) }, "", ""},
		{"place too long", func(m *Meeting) { m.Place = strings.Repeat("x", MeetingPlaceMax+1) }, "error.meeting.place", "place"},
		{"minutes too long", func(m *Meeting) { m.Minutes = strings.Repeat("x", MeetingMinutesMax+1) }, "error.meeting.minutes", "minutes"},
		{"absent without a reason", func(m *Meeting) { m.Attendance[1].Reason = " " }, "error.meeting.absent_reason", "attendance"},
		{"unnamed attendee", func(m *Meeting) { m.Attendance[0].Name = "" }, "error.meeting.attendee_name", "attendance"},
		{"the same person twice", func(m *Meeting) { m.Attendance[1].Name = " staff one" }, "error.meeting.attendee_twice", "attendance"},
		{"role too long", func(m *Meeting) { m.Attendance[0].Role = strings.Repeat("r", AttendeeRoleMax+1) }, "error.meeting.attendee_role", "attendance"},
		{"too many attendees", func(m *Meeting) {
			m.Attendance = nil
			for i := 0; i <= MeetingAttendeeMax; i++ {
				m.Attendance = append(m.Attendance, Attendee{Name: "p" + strings.Repeat("i", i), Present: true})
			}
		}, "error.meeting.attendance_count", "attendance"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			tc.edit(&m)
			err := m.Validate()
			if tc.key == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if m.Title != strings.TrimSpace(m.Title) || m.Attendance[0].Reason != "" {
					t.Errorf("not tidied: title %q, a present attendee's reason %q", m.Title, m.Attendance[0].Reason)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Key != tc.key || e.Field != tc.field {
				t.Fatalf("got %v, want %s on %s", err, tc.key, tc.field)
			}
		})
	}
}

func TestMayKeepMeetingsOnlyStaff(t *testing.T) {
	for _, tc := range []struct {
		role Role
		want bool
	}{
		{RoleCommunityStaff, true}, {RoleSubdistrictStaff, true}, {RoleDistrictAdmin, true},
		{RoleAssistant, false}, {RoleBuildingHead, false}, {RoleDepartment, false}, {RoleAuditor, false}, {"", false},
	} {
		if got := MayKeepMeetings(tc.role); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.role, got, tc.want)
		}
	}
}

func TestMeetingNextWeekIsLikeThisOne(t *testing.T) {
	m := Meeting{ID: 4, AreaCode: "140499001001", At: time.Date(2026, 3, 6, 6, 30, 0, 0, time.UTC), Title: "t", Place: "p",
		Minutes: "said things", Version: 3, Decisions: []Decision{{Text: "d"}},
		Attendance: []Attendee{{Name: "a", Role: "r", UserID: 9, Present: false, Reason: "ill"}}}
	n := m.NextWeek()
	if n.ID != 0 || n.Version != 0 || n.Minutes != "" || n.Decisions != nil {
		t.Errorf("the next week's meeting carries this one's record: %+v", n)
	}
	if !n.At.Equal(m.At.AddDate(0, 0, 7)) || n.AreaCode != m.AreaCode || n.Title != "t" || n.Place != "p" {
		t.Errorf("next week: %+v", n)
	}
	if len(n.Attendance) != 1 || !n.Attendance[0].Present || n.Attendance[0].Reason != "" || n.Attendance[0].UserID != 9 {
		t.Errorf("attendance %+v, want the same people, expected present", n.Attendance)
	}
	if err := n.Validate(); err != nil {
		t.Errorf("next week's meeting is not valid: %v", err)
	}
}

func TestMeetingAreasOfAGrid(t *testing.T) {
	for _, tc := range []struct {
		grid string
		want []string
	}{
		{"140499001001001", []string{"140499001001001", "140499001001"}},
		{"140499001001", nil},
		{"14049900100100x", nil},
		{"", nil},
	} {
		if got := MeetingAreas(tc.grid); !slices.Equal(got, tc.want) {
			t.Errorf("%q: %v, want %v", tc.grid, got, tc.want)
		}
	}
}

func TestAgendaWindow(t *testing.T) {
	at := time.Date(2026, 3, 6, 6, 0, 0, 0, time.UTC)
	week := at.AddDate(0, 0, -7)
	ptr := func(t time.Time) *time.Time { return &t }
	for _, tc := range []struct {
		name     string
		previous *time.Time
		want     time.Time
	}{
		{"no previous meeting: the week before", nil, week},
		{"since the previous meeting", ptr(at.AddDate(0, 0, -10)), at.AddDate(0, 0, -10)},
		{"a previous meeting long ago: the week before", ptr(at.AddDate(0, 0, -40)), week},
		{"a later meeting is not the previous one", ptr(at.Add(time.Hour)), week},
	} {
		from, to := AgendaWindow(at, tc.previous)
		if !from.Equal(tc.want) || !to.Equal(at) {
			t.Errorf("%s: [%v, %v), want from %v", tc.name, from, to, tc.want)
		}
	}
}

func TestBuildAgenda(t *testing.T) {
	to := time.Date(2026, 3, 6, 6, 0, 0, 0, time.UTC)
	from := to.AddDate(0, 0, -7)
	due := func(h int) *time.Time { d := to.Add(time.Duration(h) * time.Hour); return &d }
	cases := []AgendaCaseItem{
		{Number: "2026-000004", Light: "green", Due: due(48)},
		{Number: "2026-000001", Light: ""},
		{Number: "2026-000003", Light: "red", Due: due(-5), Overdue: true},
		{Number: "2026-000002", Light: "yellow", Due: due(3)},
		{Number: "2026-000005", Light: "green", Due: due(24)},
	}
	hh := int64(7)
	visits := []Visit{
		{ID: 1, At: from.Add(time.Hour), HouseholdID: &hh, Clears: SixClears{Needs: "wants a ramp"}},
		{ID: 2, At: from.Add(2 * time.Hour), Note: "all well"},                     // found nothing
		{ID: 3, At: from.Add(-time.Hour), Clears: SixClears{Dangers: "gas smell"}}, // before the window
		{ID: 4, At: to, Problems: []string{"after the window"}},                    // the window is open at its end
		{ID: 5, At: from.Add(3 * time.Hour), Problems: []string{" ", "leaking roof"}, // the blank problem is none
			Clears: SixClears{Household: "a new baby", HotIssues: "parking"}},
	}
	changes := []KeyGroupChange{
		{MembershipID: 10, At: from.Add(time.Minute), Change: "join"},
		{MembershipID: 11, At: from.Add(-time.Minute), Change: "leave"},
		{MembershipID: 12, At: to.Add(-time.Minute), Change: "leave"},
	}
	ag := BuildAgenda(from, to, cases, visits, changes)
	var got []string
	for _, list := range [][]AgendaItem{ag.Cases, ag.Visits, ag.Changes} {
		for _, it := range list {
			got = append(got, it.Kind+":"+it.Ref)
		}
	}
	want := []string{
		"case:2026-000003", "case:2026-000002", "case:2026-000005", "case:2026-000004", "case:2026-000001",
		"visit:5", "visit:1",
		"keygroup:12", "keygroup:10",
	}
	if !slices.Equal(got, want) {
		t.Errorf("agenda\n got %v\nwant %v", got, want)
	}
	if f := ag.Visits[0].Found; !slices.Equal(f, []string{"a new baby", "parking", "leaking roof"}) {
		t.Errorf("what visit 5 found: %q", f)
	}
	if empty := BuildAgenda(from, to, nil, nil, nil); len(empty.Cases)+len(empty.Visits)+len(empty.Changes) != 0 || !empty.From.Equal(from) {
		t.Errorf("an agenda of nothing: %+v", empty)
	}
}
