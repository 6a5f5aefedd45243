// Package workcal is the work calendar the case deadlines run on: China's
// public holidays and make-up workdays (调休) as the State Council General
// Office announces them each year, the office's working hours, and the
// arithmetic of deadlines in working hours, working days or plain minutes
// with the clock stopped while a case waits. Everything is Beijing time.
//
// Pure: no I/O but the year files embedded in the package (years/*.txt)
// and those a caller reads and hands to ParseYear.
package workcal

import (
	"bufio"
	"embed"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wangge/wangge"
)

// Beijing is the calendar's time zone. China has kept UTC+8 without
// daylight saving since 1991, so a fixed zone needs no tzdata on the host.
var Beijing = time.FixedZone("CST", 8*60*60)

// Date is a calendar day, counted in days since 1970-01-01.
type Date int32

// DateOf returns the Beijing date of t.
func DateOf(t time.Time) Date {
	y, m, d := t.In(Beijing).Date()
	return MakeDate(y, m, d)
}

// MakeDate returns the date y-m-d (normalised as time.Date does).
func MakeDate(y int, m time.Month, d int) Date {
	return Date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// ParseDate reads a date written 2006-01-02.
func ParseDate(s string) (Date, bool) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, false
	}
	return MakeDate(t.Date()), true
}

func (d Date) utc() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// Start returns the day's first instant in Beijing.
func (d Date) Start() time.Time {
	y, m, day := d.utc().Date()
	return time.Date(y, m, day, 0, 0, 0, 0, Beijing)
}

// Year returns the date's year.
func (d Date) Year() int { return d.utc().Year() }

// Weekday returns the date's day of the week.
func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

// AddDays returns the date n days later.
func (d Date) AddDays(n int) Date { return d + Date(n) }

func (d Date) String() string { return d.utc().Format(time.DateOnly) }

func weekend(d Date) bool {
	w := d.Weekday()
	return w == time.Saturday || w == time.Sunday
}

// Notice is the State Council General Office's notice a year's
// arrangement comes from.
type Notice struct {
	Number string // 国办发明电〔2024〕12号; empty when not known
	Title  string // 国务院办公厅关于2025年部分节假日安排的通知
}

// Day is one date a year's notice names: a day off (Off) or a weekend
// day worked instead (调休上班).
type Day struct {
	Date Date
	Off  bool
	Name string // 国庆节, or 国庆节补班 for a make-up workday
}

// Year is one year's arrangement as its notice gives it.
type Year struct {
	Year    int
	Notices []Notice
	Days    []Day // by date
}

// Holidays and Workdays count the year's days off and make-up workdays.
func (y *Year) Holidays() int { return y.count(true) }
func (y *Year) Workdays() int { return y.count(false) }

func (y *Year) count(off bool) int {
	n := 0
	for _, d := range y.Days {
		if d.Off == off {
			n++
		}
	}
	return n
}

// maxLines bounds a year file: a real one has a few dozen lines, and the
// administrator's upload must not be read without limit.
const maxLines = 500

// ParseYear reads a year file (the form of years/*.txt, see
// years/README.md). Every problem is refused with its line.
func ParseYear(r io.Reader) (*Year, error) {
	y := &Year{}
	seen := map[Date]bool{}
	type pending struct {
		line     int
		from, to Date
		off      bool
		name     string
	}
	var days []pending
	sc := bufio.NewScanner(io.LimitReader(r, 64<<10))
	line := 0
	for sc.Scan() {
		line++
		if line > maxLines {
			return nil, bad("error.workcal.long", "Max", maxLines)
		}
		text := strings.TrimSpace(sc.Text())
		if line == 1 {
			text = strings.TrimPrefix(text, "\uFEFF")
		}
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		word, rest, _ := strings.Cut(text, " ")
		rest = strings.TrimSpace(rest)
		switch word {
		case "year":
			n, err := strconv.Atoi(rest)
			if err != nil || n < 2000 || n > 2099 || y.Year != 0 {
				return nil, bad("error.workcal.year", "Line", line)
			}
			y.Year = n
		case "notice":
			number, title, _ := strings.Cut(rest, " ")
			title = strings.TrimSpace(title)
			if number == "" || title == "" {
				return nil, bad("error.workcal.notice", "Line", line)
			}
			if number == "-" {
				number = ""
			}
			y.Notices = append(y.Notices, Notice{Number: number, Title: title})
		case "holiday", "workday":
			when, name, _ := strings.Cut(rest, " ")
			name = strings.TrimSpace(name)
			from, to, ok := parseRange(when)
			if !ok {
				return nil, bad("error.workcal.date", "Line", line, "Value", when)
			}
			if name == "" {
				return nil, bad("error.workcal.name", "Line", line)
			}
			if word == "workday" && from != to {
				return nil, bad("error.workcal.workday_range", "Line", line, "Value", when)
			}
			days = append(days, pending{line, from, to, word == "holiday", name})
		default:
			return nil, bad("error.workcal.syntax", "Line", line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, bad("error.workcal.syntax", "Line", line+1)
	}
	if y.Year == 0 {
		return nil, bad("error.workcal.no_year")
	}
	if len(y.Notices) == 0 {
		return nil, bad("error.workcal.no_notice")
	}
	// A notice may reach a few weeks into the neighbouring years (2023's
	// New Year holiday began on 31 December 2022), never further.
	first, last := MakeDate(y.Year-1, time.December, 1), MakeDate(y.Year+1, time.January, 31)
	for _, p := range days {
		for d := p.from; d <= p.to; d++ {
			if d < first || d > last {
				return nil, bad("error.workcal.outside", "Line", p.line, "Value", d.String(), "Year", y.Year)
			}
			if seen[d] {
				return nil, bad("error.workcal.twice", "Line", p.line, "Value", d.String())
			}
			if !p.off && !weekend(d) {
				return nil, bad("error.workcal.weekday", "Line", p.line, "Value", d.String())
			}
			seen[d] = true
			y.Days = append(y.Days, Day{Date: d, Off: p.off, Name: p.name})
		}
	}
	slices.SortFunc(y.Days, func(a, b Day) int { return int(a.Date - b.Date) })
	return y, nil
}

// maxRange bounds a holiday range: the longest holiday of a notice is
// nine days, so a longer range is a typo.
const maxRange = 31

func parseRange(s string) (from, to Date, ok bool) {
	a, b, isRange := strings.Cut(s, "..")
	if from, ok = ParseDate(a); !ok {
		return 0, 0, false
	}
	if !isRange {
		return from, from, true
	}
	if to, ok = ParseDate(b); !ok || to < from || to-from >= maxRange {
		return 0, 0, false
	}
	return from, to, true
}

func bad(key string, params ...any) error {
	return wangge.Invalid("calendar", key, params...)
}

//go:embed years/*.txt
var yearFiles embed.FS

// Embedded returns the years shipped with the package, by year; they are
// shared, for reading only.
var Embedded = sync.OnceValues(func() ([]*Year, error) {
	entries, err := yearFiles.ReadDir("years")
	if err != nil {
		return nil, err
	}
	var years []*Year
	for _, e := range entries {
		f, err := yearFiles.Open(path.Join("years", e.Name()))
		if err != nil {
			return nil, err
		}
		y, err := ParseYear(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		years = append(years, y)
	}
	slices.SortFunc(years, func(a, b *Year) int { return a.Year - b.Year })
	return years, nil
})
