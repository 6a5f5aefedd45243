package workcal

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestWorkTimeUndoesAddWorkTime: over many starts, durations and stops
// drawn from a fixed seed, the working time from a start to its deadline
// is the duration asked for, and a deadline never falls inside a stop or
// outside working hours (it may fall on a period's end).
func TestWorkTimeUndoesAddWorkTime(t *testing.T) {
	c := calendar(t, Options{})
	r := rand.New(rand.NewPCG(12, 2026))
	first := at(t, "2020-01-01 00:00")
	minute := func(n int) time.Duration { return time.Duration(n) * time.Minute }
	for i := range 3000 {
		start := first.Add(minute(r.IntN(7 * 365 * 24 * 60)))
		d := minute(r.IntN(120 * 60))
		var stops []Interval
		for range r.IntN(4) {
			from := start.Add(minute(r.IntN(20*24*60) - 2*24*60))
			stops = append(stops, Interval{from, from.Add(minute(r.IntN(3 * 24 * 60)))})
		}
		due := c.AddWorkTime(start, d, stops)
		if got := c.WorkTime(start, due, stops); got != d {
			t.Fatalf("#%d: %s + %v with stops %v = %s, which is %v of working time", i, start, d, stops, due, got)
		}
		if d == 0 {
			continue
		}
		for _, s := range stops {
			if due.After(s.From) && due.Before(s.To) {
				t.Fatalf("#%d: deadline %s inside the stop %v", i, due, s)
			}
		}
		if !c.inHours(due) {
			t.Fatalf("#%d: deadline %s outside working hours", i, due)
		}
		if got := c.count(start, c.AddMinutes(start, int(d/time.Minute), stops), true, stops); got != d {
			t.Fatalf("#%d: %v minutes came back as %v", i, d, got)
		}
	}
}

// inHours reports whether t lies in a working period of a working day,
// its end included.
func (c *Calendar) inHours(t time.Time) bool {
	d := DateOf(t)
	if !c.Workday(d) {
		return false
	}
	off := t.Sub(d.Start())
	for _, p := range c.hours {
		if off > p.From && off <= p.To {
			return true
		}
	}
	return false
}

// FuzzParseYear: no input makes ParseYear panic, and what it accepts
// holds together: one year, at least one notice, dates once each, near
// their year, make-up workdays on weekends only.
func FuzzParseYear(f *testing.F) {
	files, _ := yearFiles.ReadDir("years")
	for _, e := range files {
		b, _ := yearFiles.ReadFile("years/" + e.Name())
		f.Add(string(b))
	}
	f.Add(goodYear)
	f.Add("year 2027\nnotice - x\nholiday 2027-01-01..2027-01-31 y\n")
	f.Fuzz(func(t *testing.T, s string) {
		y, err := ParseYear(strings.NewReader(s))
		if err != nil {
			return
		}
		if y.Year < 2000 || y.Year > 2099 || len(y.Notices) == 0 {
			t.Fatalf("accepted %+v", y)
		}
		seen := map[Date]bool{}
		for i, d := range y.Days {
			if seen[d.Date] || (i > 0 && d.Date < y.Days[i-1].Date) || d.Name == "" {
				t.Fatalf("days out of order, twice or unnamed: %+v", y.Days)
			}
			seen[d.Date] = true
			if d.Date.Year() < y.Year-1 || d.Date.Year() > y.Year+1 || (!d.Off && !weekend(d.Date)) {
				t.Fatalf("day %+v accepted in %d", d, y.Year)
			}
		}
	})
}
