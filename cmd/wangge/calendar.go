package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
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

// calendarCmd lists the work calendar day by day: the embedded years, or
// with --db (or WANGGE_DB) the district's, whose loaded years replace the
// embedded ones. `wangge calendar import FILE` loads a year.
func calendarCmd(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "import" {
		return calendarImport(ctx, args[1:])
	}
	fs := flag.NewFlagSet("calendar", flag.ExitOnError)
	fromFlag := fs.String("from", "", "first date, YYYY-MM-DD (default: 1 January of this year, or of --to's year)")
	toFlag := fs.String("to", "", "last date, YYYY-MM-DD (default: 31 December of --from's year)")
	asJSON := fs.Bool("json", false, "print one JSON object per date")
	dsn := fs.String("db", os.Getenv("WANGGE_DB"), "the district's database, whose loaded years count (env WANGGE_DB; default: the embedded years only)")
	fs.Parse(args)
	if fs.NArg() > 0 {
		return cliErr(nil, "cli.calendar.args", "Arg", fs.Arg(0))
	}
	from, to, err := calendarRange(*fromFlag, *toFlag, time.Now())
	if err != nil {
		return err
	}
	cal, err := districtCalendar(ctx, *dsn)
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

// districtCalendar is the calendar of the database at dsn, or the embedded
// one when dsn is empty.
func districtCalendar(ctx context.Context, dsn string) (*workcal.Calendar, error) {
	if dsn == "" {
		return workcal.New(workcal.Options{})
	}
	db, err := openStore(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return db.WorkCalendar(ctx)
}

// maxYearFile bounds what import reads of a file; workcal.ParseYear
// refuses a year file longer than a notice could be anyway.
const maxYearFile = 1 << 20

// calendarImport checks a year file (workcal.ParseYear: refused with the
// line at fault) and loads it into the district's calendar, over the
// embedded year of its number or one loaded before; the store audits it as
// the operator.
func calendarImport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("calendar import", flag.ExitOnError)
	dsn := dbFlag(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil || len(pos) != 1 {
		return cliErr(nil, "cli.calendar.import_args")
	}
	path := pos[0]
	f, err := os.Open(path)
	if err != nil {
		return cliErr(err, "cli.calendar.import_read", "File", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxYearFile))
	f.Close()
	if err != nil {
		return cliErr(err, "cli.calendar.import_read", "File", path)
	}
	text := string(b)
	// Checked before the database is opened, so a faulty file is told
	// apart from a missing database.
	if _, err := workcal.ParseYear(strings.NewReader(text)); err != nil {
		return cliErr(err, "cli.calendar.import_invalid", "File", path, "Zh", wangge.ErrorZh(err), "En", wangge.ErrorMessage(err))
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	y, err := db.LoadCalendarYear(cliActor(ctx), casework.Actor{Role: wangge.RoleSystem, Name: cliIdentity()}, text)
	if err != nil {
		return cliErr(err, "cli.calendar.import_invalid", "File", path, "Zh", wangge.ErrorZh(err), "En", wangge.ErrorMessage(err))
	}
	notice := ""
	if len(y.Notices) > 0 {
		notice = strings.TrimSpace(y.Notices[0].Number + " " + y.Notices[0].Title)
	}
	fmt.Printf("loaded %d (%s): %d days off, %d make-up workdays\n已载入 %d 年（%s）：放假 %d 天，调休上班 %d 天\n",
		y.Year, notice, y.Holidays(), y.Workdays(), y.Year, notice, y.Holidays(), y.Workdays())
	return nil
}
