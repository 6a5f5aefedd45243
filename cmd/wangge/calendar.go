package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/wangge/wangge/workcal"
)

// maxCalendarDays bounds one listing: twenty years is more than any
// deadline looks ahead, and a typo in a year must not print a century.
const maxCalendarDays = 20 * 366

// calendarDay is one line of `wangge calendar --json` (the contract in
// DESIGN.md): name only on a holiday or a make-up workday.
type calendarDay struct {
	Date    string `json:"date"`
	Workday bool   `json:"workday"`
	Name    string `json:"name,omitempty"`
}

// calendarCmd lists the work calendar day by day: the embedded years for
// now (`wangge calendar import` and --db come with the case store).
func calendarCmd(_ context.Context, args []string) error {
	fs := flag.NewFlagSet("calendar", flag.ExitOnError)
	fromFlag := fs.String("from", "", "first date, YYYY-MM-DD (default: 1 January of this year, or of --to's year)")
	toFlag := fs.String("to", "", "last date, YYYY-MM-DD (default: 31 December of --from's year)")
	asJSON := fs.Bool("json", false, "print one JSON object per date")
	fs.Parse(args)
	if fs.NArg() > 0 {
		return cliErr(nil, "cli.calendar.args", "Arg", fs.Arg(0))
	}
	from, to, err := calendarRange(*fromFlag, *toFlag, time.Now())
	if err != nil {
		return err
	}
	cal, err := workcal.New(workcal.Options{})
	if err != nil {
		return err
	}
	for y := from.Year(); y <= to.Year(); y++ {
		if !cal.Covers(y) {
			fmt.Fprintf(os.Stderr, "wangge: %d has no holiday notice loaded, only its weekends are days off (%d 年未载入节假日安排，仅按周末计)\n", y, y)
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	for d := from; d <= to; d++ {
		day := calendarDay{Date: d.String(), Workday: cal.Workday(d), Name: cal.Name(d)}
		if *asJSON {
			if err := enc.Encode(day); err != nil {
				return err
			}
			continue
		}
		kind := "off     休"
		if day.Workday {
			kind = "workday 班"
		}
		fmt.Println(strings.TrimSpace(fmt.Sprintf("%s %s %s %s", day.Date, d.Weekday().String()[:3], kind, day.Name)))
	}
	return nil
}

// calendarRange reads --from and --to, a missing end taken from the other
// one's year, or from now's year when both are missing.
func calendarRange(fromS, toS string, now time.Time) (from, to workcal.Date, err error) {
	parse := func(flagName, s string) (workcal.Date, error) {
		d, ok := workcal.ParseDate(s)
		if !ok {
			return 0, cliErr(nil, "cli.calendar.date", "Flag", flagName, "Value", s)
		}
		return d, nil
	}
	year := workcal.DateOf(now).Year()
	if fromS != "" {
		if from, err = parse("--from", fromS); err != nil {
			return 0, 0, err
		}
		year = from.Year()
	}
	if toS != "" {
		if to, err = parse("--to", toS); err != nil {
			return 0, 0, err
		}
		if fromS == "" {
			year = to.Year()
		}
	}
	if fromS == "" {
		from = workcal.MakeDate(year, time.January, 1)
	}
	if toS == "" {
		to = workcal.MakeDate(year, time.December, 31)
	}
	if to < from || to-from >= maxCalendarDays {
		return 0, 0, cliErr(nil, "cli.calendar.range", "From", from.String(), "To", to.String(), "Max", maxCalendarDays)
	}
	return from, to, nil
}
