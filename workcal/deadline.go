package workcal

import (
	"slices"
	"time"
)

// Interval is a span [From, To) during which a case's clock stands still:
// while it waits on the reporter (materials) or an approved deferral runs.
// An interval that ends before it begins stops nothing.
type Interval struct {
	From, To time.Time
}

// Unit is what a time limit counts.
type Unit string

const (
	WorkHours Unit = "work_hours" // working time: the working hours of working days
	WorkDays  Unit = "work_days"  // whole working days after the day of the start
	Minutes   Unit = "minutes"    // plain time, for emergencies: nights and holidays count
)

// Limit is a time limit: N of a unit.
type Limit struct {
	N    int
	Unit Unit
}

// Due returns the deadline of a limit started at start, with the clock
// stopped during stops.
func (c *Calendar) Due(start time.Time, l Limit, stops []Interval) (time.Time, error) {
	if l.N < 0 {
		return time.Time{}, bad("error.workcal.limit", "Value", l.N)
	}
	switch l.Unit {
	case WorkHours:
		return c.AddWorkTime(start, time.Duration(l.N)*time.Hour, stops), nil
	case WorkDays:
		return c.AddWorkDays(start, l.N, stops), nil
	case Minutes:
		return c.AddMinutes(start, l.N, stops), nil
	}
	return time.Time{}, bad("error.workcal.unit", "Value", string(l.Unit))
}

// AddWorkTime returns the instant at which d of working time has run from
// start, the stops left out. A deadline that uses up a period exactly
// falls on its end (18:00), not on the next period's start.
func (c *Calendar) AddWorkTime(start time.Time, d time.Duration, stops []Interval) time.Time {
	return c.add(start, d, false, stops)
}

// AddMinutes returns the instant n minutes of plain time after start,
// the stops left out.
func (c *Calendar) AddMinutes(start time.Time, n int, stops []Interval) time.Time {
	return c.add(start, time.Duration(n)*time.Minute, true, stops)
}

// AddWorkDays returns the deadline n working days after start: the close
// of work on the n-th working day after the day of the start, which itself
// does not count (as periods in working days are counted in administrative
// law: 期间开始之日不计算在内). A stop moves the deadline on by the working
// time it took between start and that close, so a stop of two working hours
// costs two hours, not a day.
func (c *Calendar) AddWorkDays(start time.Time, n int, stops []Interval) time.Time {
	if n <= 0 {
		return start
	}
	d := DateOf(start)
	for k := 0; k < n; {
		d++
		if c.Workday(d) {
			k++
		}
	}
	closing := d.Start().Add(c.hours[len(c.hours)-1].To)
	return c.AddWorkTime(start, c.WorkTime(start, closing, nil), stops)
}

// WorkTime returns the working time in [from, to), the stops left out.
func (c *Calendar) WorkTime(from, to time.Time, stops []Interval) time.Duration {
	return c.count(from, to, false, stops)
}

// Light is a time limit's traffic light.
type Light int

const (
	Green  Light = iota + 1 // in time
	Yellow                  // the yellow share of the limit is used
	Red                     // overdue
)

func (l Light) String() string {
	switch l {
	case Green:
		return "green"
	case Yellow:
		return "yellow"
	case Red:
		return "red"
	}
	return "unknown"
}

// Light returns the light at now of a limit counted in unit from start to
// due, with the clock stopped during stops: red once now is past due,
// yellow once the calendar's yellow share of the counted time is used,
// green before; minutes count plain time, the other units working time.
// due must be the one Due gave for the same stops: a stop added later
// moves the deadline, and the caller computes it again.
func (c *Calendar) Light(start, due, now time.Time, unit Unit, stops []Interval) Light {
	if now.After(due) {
		return Red
	}
	elapsed := unit == Minutes
	total := c.count(start, due, elapsed, stops)
	if total <= 0 {
		// No counted time is left before the deadline.
		return Yellow
	}
	used := c.count(start, now, elapsed, stops)
	if float64(used) >= c.yellowAt*float64(total) {
		return Yellow
	}
	return Green
}

func (c *Calendar) add(start time.Time, d time.Duration, elapsed bool, stops []Interval) time.Time {
	if d <= 0 {
		return start
	}
	var due time.Time
	c.segments(start, elapsed, stops, func(from, to time.Time) bool {
		if seg := to.Sub(from); seg < d {
			d -= seg
			return true
		}
		due = from.Add(d)
		return false
	})
	return due
}

func (c *Calendar) count(from, to time.Time, elapsed bool, stops []Interval) time.Duration {
	if !to.After(from) {
		return 0
	}
	var n time.Duration
	c.segments(from, elapsed, stops, func(a, b time.Time) bool {
		if !a.Before(to) {
			return false
		}
		if b.After(to) {
			b = to
		}
		n += b.Sub(a)
		return b.Before(to)
	})
	return n
}

var wholeDay = []Period{{0, 24 * time.Hour}}

// segments calls yield with each stretch of counted time from start on,
// in order, until yield returns false: the working hours of working days
// or, elapsed, all of time; the stops cut out.
func (c *Calendar) segments(start time.Time, elapsed bool, stops []Interval, yield func(from, to time.Time) bool) {
	stops = merge(stops)
	si := 0
	day := DateOf(start)
	for {
		spans := wholeDay
		if !elapsed {
			spans = nil
			if c.Workday(day) {
				spans = c.hours
			}
		}
		base := day.Start()
		for _, p := range spans {
			from, to := base.Add(p.From), base.Add(p.To)
			if from.Before(start) {
				from = start
			}
			for from.Before(to) {
				for si < len(stops) && !stops[si].To.After(from) {
					si++
				}
				end := to
				if si < len(stops) && stops[si].From.Before(to) {
					if !stops[si].From.After(from) {
						from = stops[si].To
						continue
					}
					end = stops[si].From
				}
				if !yield(from, end) {
					return
				}
				from = end
			}
		}
		day++
		// A stop of months is skipped at once, not a day at a time.
		for si < len(stops) && !stops[si].To.After(day.Start()) {
			si++
		}
		if si < len(stops) && !stops[si].From.After(day.Start()) {
			day = max(day, DateOf(stops[si].To))
		}
	}
}

// merge returns the stops that stop something, in order, overlapping
// ones joined.
func merge(stops []Interval) []Interval {
	var out []Interval
	for _, s := range stops {
		if s.To.After(s.From) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b Interval) int { return a.From.Compare(b.From) })
	n := 0
	for _, s := range out {
		if n > 0 && !s.From.After(out[n-1].To) {
			if s.To.After(out[n-1].To) {
				out[n-1].To = s.To
			}
			continue
		}
		out[n] = s
		n++
	}
	return out[:n]
}
