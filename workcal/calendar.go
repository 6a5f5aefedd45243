package workcal

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Period is one stretch of working hours, as offsets from midnight.
type Period struct {
	From, To time.Duration
}

func (p Period) String() string {
	hm := func(d time.Duration) string { return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60) }
	return hm(p.From) + "-" + hm(p.To)
}

// DefaultHours are the community office's hours: 8:30–12:00 and
// 14:30–18:00.
var DefaultHours = []Period{
	{8*time.Hour + 30*time.Minute, 12 * time.Hour},
	{14*time.Hour + 30*time.Minute, 18 * time.Hour},
}

// DefaultYellowAt is the share of a time limit used at which its light
// turns yellow.
const DefaultYellowAt = 0.75

// ParseHours reads working hours written "08:30-12:00,14:30-18:00": one
// or more periods of a day, in order, not overlapping.
func ParseHours(s string) ([]Period, error) {
	var ps []Period
	for part := range strings.SplitSeq(s, ",") {
		a, b, ok := strings.Cut(strings.TrimSpace(part), "-")
		from, okA := clock(a)
		to, okB := clock(b)
		if !ok || !okA || !okB {
			return nil, bad("error.workcal.hours", "Value", s)
		}
		ps = append(ps, Period{from, to})
	}
	if err := checkHours(ps); err != nil {
		return nil, err
	}
	return ps, nil
}

func clock(s string) (time.Duration, bool) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		// 24:00 closes a day that works to midnight; time.Parse refuses it.
		if strings.TrimSpace(s) == "24:00" {
			return 24 * time.Hour, true
		}
		return 0, false
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, true
}

func checkHours(ps []Period) error {
	if len(ps) == 0 {
		return bad("error.workcal.hours", "Value", "")
	}
	var end time.Duration
	for i, p := range ps {
		if p.From < 0 || p.To > 24*time.Hour || p.To <= p.From || (i > 0 && p.From < end) {
			return bad("error.workcal.hours", "Value", p.String())
		}
		end = p.To
	}
	return nil
}

// Options configure a Calendar; the zero value is the embedded years with
// the default hours.
type Options struct {
	// Hours are the working hours of every working day; nil means
	// DefaultHours.
	Hours []Period
	// YellowAt is the share of a time limit used at which its light turns
	// yellow, above 0 and below 1; 0 means DefaultYellowAt.
	YellowAt float64
	// Years are loaded on top of the embedded ones (a new year, from
	// `wangge calendar import`); one of an embedded year's number replaces
	// it, so a correction needs no new release.
	Years []*Year
}

// Calendar tells working days from days off and does the deadline
// arithmetic on them. It is immutable and safe for concurrent use.
type Calendar struct {
	days     map[Date]Day
	years    map[int]*Year
	hours    []Period
	yellowAt float64
}

// New builds the calendar of the embedded years and o.Years.
func New(o Options) (*Calendar, error) {
	embedded, err := Embedded()
	if err != nil {
		return nil, err
	}
	c := &Calendar{days: map[Date]Day{}, years: map[int]*Year{}, hours: DefaultHours, yellowAt: DefaultYellowAt}
	if o.Hours != nil {
		if err := checkHours(o.Hours); err != nil {
			return nil, err
		}
		c.hours = slices.Clone(o.Hours)
	}
	if o.YellowAt != 0 {
		if !(o.YellowAt > 0 && o.YellowAt < 1) {
			return nil, bad("error.workcal.yellow")
		}
		c.yellowAt = o.YellowAt
	}
	for _, y := range embedded {
		c.years[y.Year] = y
	}
	for _, y := range o.Years {
		c.years[y.Year] = y
	}
	// Two years' notices may both name a day at their border; they must
	// agree on it.
	for _, y := range c.years {
		for _, d := range y.Days {
			if had, ok := c.days[d.Date]; ok && had != d {
				return nil, bad("error.workcal.conflict", "Value", d.Date.String())
			}
			c.days[d.Date] = d
		}
	}
	return c, nil
}

// Workday reports whether d is a working day: Monday to Friday unless a
// notice gives it off, a weekend day when a notice makes it a make-up
// workday. A year no notice covers counts weekends only (see Covers).
func (c *Calendar) Workday(d Date) bool {
	if day, ok := c.days[d]; ok {
		return !day.Off
	}
	return !weekend(d)
}

// Name returns the holiday or make-up day d is, or "" for an ordinary day.
func (c *Calendar) Name(d Date) string { return c.days[d].Name }

// Covers reports whether a notice for year is loaded; without one the
// calendar knows that year's weekends but none of its holidays.
func (c *Calendar) Covers(year int) bool { return c.years[year] != nil }

// Year returns the loaded arrangement of year, or nil; for reading only.
func (c *Calendar) Year(year int) *Year { return c.years[year] }

// Hours returns the working hours.
func (c *Calendar) Hours() []Period { return slices.Clone(c.hours) }

// YellowAt returns the share of a limit used at which its light turns
// yellow.
func (c *Calendar) YellowAt() float64 { return c.yellowAt }
