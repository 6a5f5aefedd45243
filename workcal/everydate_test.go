package workcal

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// noticeDays are the notices' arrangements typed again from their text,
// apart from the year files: the days off ("放假", ranges) and the weekend
// days worked ("上班"), as month-day within the notice's year unless a
// year is written.
var noticeDays = []struct {
	year      int
	off, work string
}{
	// 国办发明电〔2019〕16号, with the Spring Festival extended to 2 February
	// and 1 February's make-up workday dropped (国办发明电〔2020〕1号).
	{2020, "01-01 01-24..02-02 04-04..04-06 05-01..05-05 06-25..06-27 10-01..10-08", "01-19 04-26 05-09 06-28 09-27 10-10"},
	{2021, "01-01..01-03 02-11..02-17 04-03..04-05 05-01..05-05 06-12..06-14 09-19..09-21 10-01..10-07", "02-07 02-20 04-25 05-08 09-18 09-26 10-09"},
	{2022, "01-01..01-03 01-31..02-06 04-03..04-05 04-30..05-04 06-03..06-05 09-10..09-12 10-01..10-07", "01-29 01-30 04-02 04-24 05-07 10-08 10-09"},
	{2023, "2022-12-31..01-02 01-21..01-27 04-05 04-29..05-03 06-22..06-24 09-29..10-06", "01-28 01-29 04-23 05-06 06-25 10-07 10-08"},
	{2024, "01-01 02-10..02-17 04-04..04-06 05-01..05-05 06-10 09-15..09-17 10-01..10-07", "02-04 02-18 04-07 04-28 05-11 09-14 09-29 10-12"},
	{2025, "01-01 01-28..02-04 04-04..04-06 05-01..05-05 05-31..06-02 10-01..10-08", "01-26 02-08 04-27 09-28 10-11"},
	{2026, "01-01..01-03 02-15..02-23 04-04..04-06 05-01..05-05 06-19..06-21 09-25..09-27 10-01..10-07", "01-04 02-14 02-28 05-09 09-20 10-10"},
}

func noticeDate(t *testing.T, year int, s string) Date {
	t.Helper()
	if len(s) == 5 {
		s = strconv.Itoa(year) + "-" + s
	}
	return date(t, s)
}

// TestEveryDateMatchesTheNotices: on every date of 2020–2026 the calendar
// says working day exactly where the notices do — a weekday not given
// off, or a weekend day they make a working day.
func TestEveryDateMatchesTheNotices(t *testing.T) {
	off, work := map[Date]bool{}, map[Date]bool{}
	for _, n := range noticeDays {
		for _, r := range strings.Fields(n.off) {
			a, b, isRange := strings.Cut(r, "..")
			from := noticeDate(t, n.year, a)
			to := from
			if isRange {
				to = noticeDate(t, n.year, b)
			}
			for d := from; d <= to; d++ {
				off[d] = true
			}
		}
		for _, w := range strings.Fields(n.work) {
			d := noticeDate(t, n.year, w)
			if !weekend(d) {
				t.Fatalf("%s: a make-up workday that is no weekend day", d)
			}
			work[d] = true
		}
	}
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for d := MakeDate(2020, time.January, 1); d <= MakeDate(2026, time.December, 31); d++ {
		want := work[d] || !weekend(d) && !off[d]
		if got := c.Workday(d); got != want {
			t.Errorf("%s (%s): workday %v, the notice says %v", d, d.Weekday(), got, want)
		}
		if named := c.Name(d) != ""; named != (off[d] || work[d]) {
			t.Errorf("%s: named %q, the notice names it: %v", d, c.Name(d), off[d] || work[d])
		}
		checked++
	}
	if checked != 2557 {
		t.Errorf("checked %d dates, want the 2557 of 2020–2026", checked)
	}
}
