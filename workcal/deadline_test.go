package workcal

import (
	"testing"
	"time"
)

// at reads a Beijing time written "2006-01-02 15:04".
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, Beijing)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func span(t *testing.T, from, to string) Interval {
	return Interval{at(t, from), at(t, to)}
}

func calendar(t *testing.T, o Options) *Calendar {
	t.Helper()
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDeadlinesInWorkingHours: working time runs in working hours on
// working days only; weekends, holidays and the lunch break do not count,
// make-up workdays do. 2026-12-01 is a Tuesday.
func TestDeadlinesInWorkingHours(t *testing.T) {
	c := calendar(t, Options{})
	cases := []struct {
		name, start string
		hours       time.Duration
		stops       [][2]string
		want        string
	}{
		{"across the lunch break", "2026-12-01 11:50", time.Hour, nil, "2026-12-01 15:20"},
		{"within the morning", "2026-12-01 09:00", time.Hour, nil, "2026-12-01 10:00"},
		{"a start before hours", "2026-12-01 07:00", time.Hour, nil, "2026-12-01 09:30"},
		{"a start in the lunch break", "2026-12-01 12:30", 30 * time.Minute, nil, "2026-12-01 15:00"},
		{"a day's last hour ends at the close", "2026-12-01 17:00", time.Hour, nil, "2026-12-01 18:00"},
		{"a whole day is seven hours", "2026-12-01 08:30", 7 * time.Hour, nil, "2026-12-01 18:00"},
		{"an eighth hour runs into the next day", "2026-12-01 08:30", 8 * time.Hour, nil, "2026-12-02 09:30"},
		{"across a weekend", "2026-12-04 17:30", time.Hour, nil, "2026-12-07 09:00"},
		{"a start on a Sunday", "2026-12-06 10:00", time.Hour, nil, "2026-12-07 09:30"},
		{"across National Day", "2026-09-30 17:00", 2 * time.Hour, nil, "2026-10-08 09:30"},
		{"onto the Saturday make-up workday", "2026-10-09 17:00", 2 * time.Hour, nil, "2026-10-10 09:30"},
		{"a Saturday off, the Sunday worked", "2026-09-18 17:00", 2 * time.Hour, nil, "2026-09-20 09:30"},
		{"across the Spring Festival", "2026-02-14 17:00", 2 * time.Hour, nil, "2026-02-24 09:30"},
		{"across New Year onto a Sunday worked", "2025-12-31 17:00", 2 * time.Hour, nil, "2026-01-04 09:30"},
		{"zero hours", "2026-12-01 13:00", 0, nil, "2026-12-01 13:00"},

		{"a stop inside the morning", "2026-12-01 09:00", 2 * time.Hour, [][2]string{{"2026-12-01 09:30", "2026-12-01 10:30"}}, "2026-12-01 12:00"},
		{"a stop over two days", "2026-12-01 09:00", time.Hour, [][2]string{{"2026-12-01 09:30", "2026-12-03 10:00"}}, "2026-12-03 10:30"},
		{"a stop over a weekend costs nothing", "2026-12-04 17:00", 2 * time.Hour, [][2]string{{"2026-12-04 18:00", "2026-12-07 08:30"}}, "2026-12-07 09:30"},
		{"a stop running at the start", "2026-12-01 09:00", time.Hour, [][2]string{{"2026-12-01 08:00", "2026-12-01 10:00"}}, "2026-12-01 11:00"},
		{"overlapping stops, out of order", "2026-12-01 09:00", time.Hour, [][2]string{{"2026-12-01 10:00", "2026-12-01 11:00"}, {"2026-12-01 09:30", "2026-12-01 10:30"}}, "2026-12-01 11:30"},
		{"a backwards stop stops nothing", "2026-12-01 09:00", time.Hour, [][2]string{{"2026-12-01 11:00", "2026-12-01 09:30"}}, "2026-12-01 10:00"},
		{"a deferral of a month", "2026-12-01 09:00", time.Hour, [][2]string{{"2026-12-01 09:30", "2027-01-05 08:30"}}, "2027-01-05 09:00"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stops []Interval
			for _, s := range tc.stops {
				stops = append(stops, span(t, s[0], s[1]))
			}
			if got := c.AddWorkTime(at(t, tc.start), tc.hours, stops); !got.Equal(at(t, tc.want)) {
				t.Errorf("%s + %v = %s, want %s", tc.start, tc.hours, got.In(Beijing).Format("2006-01-02 15:04"), tc.want)
			}
		})
	}
}

// TestWorkingHoursAreConfigurable: with the afternoon from 14:00, 11:50
// plus one working hour is 14:50.
func TestWorkingHoursAreConfigurable(t *testing.T) {
	hours, err := ParseHours("08:30-12:00, 14:00-18:00")
	if err != nil {
		t.Fatal(err)
	}
	c := calendar(t, Options{Hours: hours})
	if got := c.AddWorkTime(at(t, "2026-12-01 11:50"), time.Hour, nil); !got.Equal(at(t, "2026-12-01 14:50")) {
		t.Errorf("got %s", got)
	}
	if got := c.AddWorkDays(at(t, "2026-12-01 11:50"), 1, nil); !got.Equal(at(t, "2026-12-02 18:00")) {
		t.Errorf("got %s", got)
	}
}

func TestParseHours(t *testing.T) {
	cases := []struct {
		in   string
		want []Period
	}{
		{"08:30-12:00,14:30-18:00", DefaultHours},
		{"00:00-24:00", []Period{{0, 24 * time.Hour}}},
		{"9:00-17:00", []Period{{9 * time.Hour, 17 * time.Hour}}},
		{"12:00-08:30", nil},
		{"08:30-12:00,11:00-13:00", nil},
		{"14:30-18:00,08:30-12:00", nil},
		{"8-12", nil},
		{"08:30-12:00,", nil},
		{"", nil},
	}
	for _, tc := range cases {
		got, err := ParseHours(tc.in)
		if tc.want == nil {
			if err == nil {
				t.Errorf("%q: accepted as %v", tc.in, got)
			}
			continue
		}
		if err != nil || len(got) != len(tc.want) || got[0] != tc.want[0] || got[len(got)-1] != tc.want[len(tc.want)-1] {
			t.Errorf("%q: %v %v, want %v", tc.in, got, err, tc.want)
		}
	}
}

// TestDeadlinesInWorkingDays: N working days end at the close of the N-th
// working day after the day of the start; a stop moves that on by the
// working time it took.
func TestDeadlinesInWorkingDays(t *testing.T) {
	c := calendar(t, Options{})
	cases := []struct {
		name, start string
		days        int
		stops       [][2]string
		want        string
	}{
		{"the next day's close", "2026-12-01 10:00", 1, nil, "2026-12-02 18:00"},
		{"after hours", "2026-12-01 19:00", 1, nil, "2026-12-02 18:00"},
		{"over a weekend", "2026-12-04 10:00", 1, nil, "2026-12-07 18:00"},
		{"from a Saturday", "2026-12-05 10:00", 1, nil, "2026-12-07 18:00"},
		{"five days, one week", "2026-12-01 10:00", 5, nil, "2026-12-08 18:00"},
		{"across National Day", "2026-09-30 10:00", 1, nil, "2026-10-08 18:00"},
		{"onto the make-up Saturday", "2026-09-30 10:00", 3, nil, "2026-10-10 18:00"},
		{"across the Spring Festival", "2026-02-13 10:00", 2, nil, "2026-02-24 18:00"},
		{"zero days", "2026-12-01 10:00", 0, nil, "2026-12-01 10:00"},
		{"a stop of two working hours", "2026-09-30 10:00", 3, [][2]string{{"2026-09-30 14:30", "2026-09-30 16:30"}}, "2026-10-12 10:30"},
		{"a stop outside working hours", "2026-12-01 10:00", 1, [][2]string{{"2026-12-01 18:00", "2026-12-02 08:30"}}, "2026-12-02 18:00"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stops []Interval
			for _, s := range tc.stops {
				stops = append(stops, span(t, s[0], s[1]))
			}
			if got := c.AddWorkDays(at(t, tc.start), tc.days, stops); !got.Equal(at(t, tc.want)) {
				t.Errorf("%s + %d days = %s, want %s", tc.start, tc.days, got.In(Beijing).Format("2006-01-02 15:04"), tc.want)
			}
		})
	}
}

// TestEmergencyDeadlinesCountPlainMinutes: nights and holidays count for
// an emergency; only stops do not.
func TestEmergencyDeadlinesCountPlainMinutes(t *testing.T) {
	c := calendar(t, Options{})
	cases := []struct {
		start   string
		minutes int
		stops   [][2]string
		want    string
	}{
		{"2026-10-01 23:55", 10, nil, "2026-10-02 00:05"},
		{"2026-10-01 23:55", 10, [][2]string{{"2026-10-02 00:00", "2026-10-02 00:30"}}, "2026-10-02 00:35"},
		{"2026-12-05 03:00", 90, nil, "2026-12-05 04:30"},
	}
	for _, tc := range cases {
		var stops []Interval
		for _, s := range tc.stops {
			stops = append(stops, span(t, s[0], s[1]))
		}
		if got := c.AddMinutes(at(t, tc.start), tc.minutes, stops); !got.Equal(at(t, tc.want)) {
			t.Errorf("%s + %d min = %s, want %s", tc.start, tc.minutes, got.In(Beijing).Format("2006-01-02 15:04"), tc.want)
		}
	}
}

func TestDueByUnit(t *testing.T) {
	c := calendar(t, Options{})
	start := at(t, "2026-12-04 17:30")
	cases := []struct {
		limit Limit
		want  string
		ok    bool
	}{
		{Limit{2, WorkHours}, "2026-12-07 10:00", true},
		{Limit{1, WorkDays}, "2026-12-07 18:00", true},
		{Limit{10, Minutes}, "2026-12-04 17:40", true},
		{Limit{1, "weeks"}, "", false},
		{Limit{-1, WorkHours}, "", false},
	}
	for _, tc := range cases {
		got, err := c.Due(start, tc.limit, nil)
		if !tc.ok {
			if err == nil {
				t.Errorf("%+v: accepted", tc.limit)
			}
			continue
		}
		if err != nil || !got.Equal(at(t, tc.want)) {
			t.Errorf("%+v: %s %v, want %s", tc.limit, got, err, tc.want)
		}
	}
}

// TestTrafficLight: green until the yellow share of the counted time is
// used, yellow until the deadline, red after it; stopped time is not used.
func TestTrafficLight(t *testing.T) {
	c := calendar(t, Options{})
	half := calendar(t, Options{YellowAt: 0.5})
	start := at(t, "2026-12-01 08:30")
	due := c.AddWorkDays(start, 1, nil) // Wednesday 18:00: 14 working hours
	stopped := []Interval{span(t, "2026-12-01 08:30", "2026-12-01 18:00")}
	dueStopped := c.AddWorkDays(start, 1, stopped) // Thursday 18:00
	emergency := at(t, "2026-12-05 02:00")
	cases := []struct {
		name  string
		c     *Calendar
		start time.Time
		due   time.Time
		now   string
		unit  Unit
		stops []Interval
		want  Light
	}{
		{"just begun", c, start, due, "2026-12-01 09:00", WorkDays, nil, Green},
		{"short of three quarters", c, start, due, "2026-12-02 11:59", WorkDays, nil, Green},
		{"three quarters used", c, start, due, "2026-12-02 12:00", WorkDays, nil, Yellow},
		{"the lunch break uses nothing", c, start, due, "2026-12-02 14:29", WorkDays, nil, Yellow},
		{"at the deadline", c, start, due, "2026-12-02 18:00", WorkDays, nil, Yellow},
		{"past the deadline", c, start, due, "2026-12-02 18:01", WorkDays, nil, Red},
		{"stopped time is not used", c, start, dueStopped, "2026-12-02 18:00", WorkDays, stopped, Green},
		{"the moved deadline passes too", c, start, dueStopped, "2026-12-03 18:01", WorkDays, stopped, Red},
		{"a configured share", half, start, due, "2026-12-01 15:30", WorkDays, nil, Green},
		{"a configured share used", half, start, due, "2026-12-02 09:30", WorkDays, nil, Yellow},
		{"emergency minutes", c, emergency, emergency.Add(10 * time.Minute), "2026-12-05 02:07", Minutes, nil, Green},
		{"emergency minutes, eight of ten", c, emergency, emergency.Add(10 * time.Minute), "2026-12-05 02:08", Minutes, nil, Yellow},
		{"emergency overdue", c, emergency, emergency.Add(10 * time.Minute), "2026-12-05 02:11", Minutes, nil, Red},
		{"no time at all", c, start, start, "2026-12-01 08:30", WorkHours, nil, Yellow},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.Light(tc.start, tc.due, at(t, tc.now), tc.unit, tc.stops); got != tc.want {
				t.Errorf("%s", got)
			}
		})
	}
}

func TestOptionsAreChecked(t *testing.T) {
	cases := []Options{
		{YellowAt: 1},
		{YellowAt: -0.2},
		{Hours: []Period{}},
		{Hours: []Period{{12 * time.Hour, 9 * time.Hour}}},
	}
	for _, o := range cases {
		if _, err := New(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}
