package ui

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/workcal"
)

// CalendarStore is what the administrator's calendar and time-limit pages
// read and write: the district's calendar and case settings, the years
// loaded over the embedded ones, the limits per category and the engine's
// defaults beside them, and the services catalogue the categories come
// from. The store checks the administrator and audits every change.
type CalendarStore interface {
	WorkCalendar(ctx context.Context) (*workcal.Calendar, error)
	CaseEngine(ctx context.Context) (*casework.Engine, error)
	CaseSettings(ctx context.Context, a casework.Actor) (*casework.Settings, error)
	UpdateCaseSettings(ctx context.Context, a casework.Actor, s casework.Settings) (*casework.Settings, error)
	CalendarYears(ctx context.Context, a casework.Actor) ([]workcal.Loaded, error)
	LoadCalendarYear(ctx context.Context, a casework.Actor, text string) (*workcal.Year, error)
	CaseLimits(ctx context.Context, a casework.Actor, category string) ([]casework.LimitRow, error)
	SetCaseLimits(ctx context.Context, a casework.Actor, category string, shown, rows []casework.LimitRow) error
	ListServices(ctx context.Context, line wangge.Line, activeOnly bool) ([]wangge.Service, error)
}

// calendars are the calendar and time-limit pages' handlers.
type calendars struct {
	core  *whttp.Server
	store CalendarStore
}

func calendarRoutes(core *whttp.Server, store wangge.Store) []whttp.Route {
	cs, ok := store.(CalendarStore)
	if !ok {
		panic("ui: the store does not implement ui.CalendarStore (the case settings of sqldb/case_settings.go)")
	}
	c := &calendars{core: core, store: cs}
	return []whttp.Route{
		// The work calendar (holidays, make-up workdays, working hours, the
		// yellow share) and the case time limits: the district's
		// administrator's; the store audits every change.
		core.Page("GET /admin/calendar", wangge.PermManageCalendar, c.handleCalendar),
		core.Page("POST /admin/calendar/year", wangge.PermManageCalendar, c.handleLoadYear),
		core.Page("POST /admin/calendar/settings", wangge.PermManageCalendar, c.handleSettings),
		core.Page("GET /admin/case-limits", wangge.PermManageCalendar, c.handleLimits),
		core.Page("POST /admin/case-limits", wangge.PermManageCalendar, c.handleSaveLimits),
	}
}

// errorText is a domain error's text in the request's language.
func errorText(r *http.Request, err error) string {
	if whttp.LangOf(r) == whttp.LangEn {
		return wangge.ErrorMessage(err)
	}
	return wangge.ErrorZh(err)
}

// calDay is one cell of a month's grid.
type calDay struct {
	Date string
	Day  int
	// Kind is "work", "weekend", "holiday" (a notice's day off) or
	// "makeup" (a weekend day worked, 调休).
	Kind string
	Name string
}

// calMonth is a month as a grid of weeks, Monday first; a nil day is an
// empty cell.
type calMonth struct {
	Month int
	Name  string
	Weeks [][]*calDay
}

// settingsForm is the settings form's fields as typed.
type settingsForm struct {
	Hours, Yellow, Ack, Reopen string
	Chain                      map[string]bool
	Version                    int
}

type calendarView struct {
	Year, Prev, Next int
	Covered          bool
	Notices          []workcal.Notice
	Loaded           *workcal.Loaded // this year's load, when it replaced or added one
	Months           []calMonth
	Holidays         int
	Workdays         int
	LoadedYears      []workcal.Loaded
	Settings         *casework.Settings
	Defaults         casework.Settings
	Form             settingsForm
	Text             string // the year file typed or uploaded, kept when refused
	YearError        string
	SettingsError    string
	Done             string // "loaded" or "saved"
}

// calendarYear is the year a request asks for: ?year=, or this year.
func (c *calendars) calendarYear(r *http.Request) int {
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 2000 && y <= 2099 {
		return y
	}
	return workcal.DateOf(c.core.Now()).Year()
}

func (c *calendars) handleCalendar(w http.ResponseWriter, r *http.Request) error {
	v := &calendarView{Year: c.calendarYear(r)}
	switch r.URL.Query().Get("done") {
	case "loaded", "saved":
		v.Done = r.URL.Query().Get("done")
	}
	return c.renderCalendar(w, r, http.StatusOK, v)
}

// renderCalendar fills the view from the store and renders it; what the
// view already holds (a refused form's values) stays.
func (c *calendars) renderCalendar(w http.ResponseWriter, r *http.Request, status int, v *calendarView) error {
	ctx := r.Context()
	a := casework.ActorOf(whttp.UserFrom(ctx))
	cal, err := c.store.WorkCalendar(ctx)
	if err != nil {
		return err
	}
	if v.Settings, err = c.store.CaseSettings(ctx, a); err != nil {
		return err
	}
	if v.LoadedYears, err = c.store.CalendarYears(ctx, a); err != nil {
		return err
	}
	if v.Form.Chain == nil {
		v.Form = formOf(v.Settings)
	}
	v.Prev, v.Next, v.Defaults = v.Year-1, v.Year+1, casework.DefaultSettings()
	if y := cal.Year(v.Year); y != nil {
		v.Covered, v.Notices, v.Holidays, v.Workdays = true, y.Notices, y.Holidays(), y.Workdays()
	}
	for i := range v.LoadedYears {
		if v.LoadedYears[i].Year == v.Year {
			v.Loaded = &v.LoadedYears[i]
		}
	}
	v.Months = monthGrid(cal, v.Year)
	title := c.core.T(r, "calendar.title")
	crumbs := []whttp.Crumb{{Name: title}}
	c.core.Render(w, r, status, "admin_calendar", &whttp.View{Title: title, Crumbs: crumbs, Data: v})
	return nil
}

func formOf(s *casework.Settings) settingsForm {
	f := settingsForm{Hours: s.Hours, Yellow: strconv.Itoa(s.YellowPercent), Ack: strconv.Itoa(s.AckMinutes),
		Reopen: strconv.Itoa(s.ReopenDays), Chain: map[string]bool{}, Version: s.Version}
	for _, l := range s.Chain {
		f.Chain[l.String()] = true
	}
	return f
}

// monthGrid lays out the year's months, Monday first.
func monthGrid(cal *workcal.Calendar, year int) []calMonth {
	var out []calMonth
	for m := time.January; m <= time.December; m++ {
		cm := calMonth{Month: int(m), Name: m.String()}
		first := workcal.MakeDate(year, m, 1)
		lead := (int(first.Weekday()) + 6) % 7
		week := make([]*calDay, lead, 7)
		for d := first; d.Year() == year && time.Month(monthOf(d)) == m; d++ {
			day := &calDay{Date: d.String(), Day: dayOfMonth(d), Name: cal.Name(d)}
			wd := d.Weekday()
			weekend := wd == time.Saturday || wd == time.Sunday
			switch {
			case cal.Workday(d) && weekend:
				day.Kind = "makeup"
			case cal.Workday(d):
				day.Kind = "work"
			case day.Name != "":
				day.Kind = "holiday"
			default:
				day.Kind = "weekend"
			}
			week = append(week, day)
			if len(week) == 7 {
				cm.Weeks = append(cm.Weeks, week)
				week = make([]*calDay, 0, 7)
			}
		}
		if len(week) > 0 {
			for len(week) < 7 {
				week = append(week, nil)
			}
			cm.Weeks = append(cm.Weeks, week)
		}
		out = append(out, cm)
	}
	return out
}

func monthOf(d workcal.Date) int {
	_, m, _ := d.Start().Date()
	return int(m)
}

func dayOfMonth(d workcal.Date) int {
	_, _, day := d.Start().Date()
	return day
}

// yearFileMax bounds an uploaded or pasted year file: a notice's year is
// a few dozen lines, and workcal.ParseYear refuses more than 64 KiB.
const yearFileMax = 64 << 10

// readYearText returns the year file of the form: the uploaded file when
// one was chosen, otherwise the pasted text.
func readYearText(w http.ResponseWriter, r *http.Request) (string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, yearFileMax+16<<10)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(yearFileMax + 16<<10); err != nil {
			return "", err
		}
		if f, _, err := r.FormFile("file"); err == nil {
			defer f.Close()
			b, err := io.ReadAll(io.LimitReader(f, yearFileMax+1))
			if err != nil {
				return "", err
			}
			if len(b) > 0 {
				return string(b), nil
			}
		}
	}
	return r.PostFormValue("text"), nil
}

// handleLoadYear loads a pasted or uploaded year. A refused file is shown
// again with the line at fault, the text kept in the box to be corrected.
func (c *calendars) handleLoadYear(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	text, err := readYearText(w, r)
	v := &calendarView{Year: c.calendarYear(r)}
	if err != nil {
		var mb *http.MaxBytesError
		status := http.StatusBadRequest
		if errors.As(err, &mb) {
			status = http.StatusRequestEntityTooLarge
		}
		v.YearError = c.core.T(r, "calendar.year.too_large", "Max", yearFileMax>>10)
		return c.renderCalendar(w, r, status, v)
	}
	if len(text) > yearFileMax {
		v.YearError = c.core.T(r, "calendar.year.too_large", "Max", yearFileMax>>10)
		return c.renderCalendar(w, r, http.StatusRequestEntityTooLarge, v)
	}
	y, err := c.store.LoadCalendarYear(ctx, casework.ActorOf(whttp.UserFrom(ctx)), text)
	if err != nil {
		if wangge.ErrorCode(err) != wangge.EInvalid {
			return err
		}
		v.Text, v.YearError = text, errorText(r, err)
		return c.renderCalendar(w, r, http.StatusUnprocessableEntity, v)
	}
	http.Redirect(w, r, "/admin/calendar?year="+strconv.Itoa(y.Year)+"&done=loaded", http.StatusSeeOther)
	return nil
}

// handleSettings saves the working hours, the yellow share, the emergency
// minutes, the reopen window and the approval chain; a refusal shows the
// form again as typed.
func (c *calendars) handleSettings(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f := settingsForm{Hours: strings.TrimSpace(r.PostFormValue("hours")), Yellow: strings.TrimSpace(r.PostFormValue("yellow_percent")),
		Ack: strings.TrimSpace(r.PostFormValue("ack_minutes")), Reopen: strings.TrimSpace(r.PostFormValue("reopen_days")), Chain: map[string]bool{}}
	f.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	var chain []wangge.Level
	for _, l := range []wangge.Level{wangge.LevelCommunity, wangge.LevelSubdistrict, wangge.LevelDistrict} {
		if r.PostFormValue("chain_"+l.String()) == "1" {
			f.Chain[l.String()] = true
			chain = append(chain, l)
		}
	}
	v := &calendarView{Year: c.calendarYear(r), Form: f}
	s := casework.Settings{Hours: f.Hours, Chain: chain, Version: f.Version}
	var err error
	number := func(field, value string, out *int) {
		n, perr := strconv.Atoi(value)
		if perr != nil && err == nil {
			err = wangge.Invalid(field, "error.case_settings.number")
		}
		*out = n
	}
	number("yellow_percent", f.Yellow, &s.YellowPercent)
	number("ack_minutes", f.Ack, &s.AckMinutes)
	number("reopen_days", f.Reopen, &s.ReopenDays)
	if err == nil {
		_, err = c.store.UpdateCaseSettings(ctx, casework.ActorOf(whttp.UserFrom(ctx)), s)
	}
	switch {
	case err == nil:
		http.Redirect(w, r, "/admin/calendar?year="+strconv.Itoa(v.Year)+"&done=saved", http.StatusSeeOther)
		return nil
	case errors.Is(err, wangge.ErrConflict):
		v.SettingsError = c.core.T(r, "calendar.settings.stale")
		return c.renderCalendar(w, r, http.StatusConflict, v)
	case wangge.ErrorCode(err) == wangge.EInvalid:
		v.SettingsError = errorText(r, err)
		return c.renderCalendar(w, r, http.StatusUnprocessableEntity, v)
	}
	return err
}

// limitRow is one step of the chosen category under one mechanism on the
// limits page: the default beside what the district set, and the form's
// values.
type limitRow struct {
	Mechanism casework.Mechanism
	Step      casework.Step
	Default   casework.Duration
	Set       bool   // a district row replaces the default
	N         string // the form's value
	Unit      casework.Unit
	// Urgent rows run day and night: minutes only.
	Urgent bool
}

type limitsView struct {
	Categories []casework.Category
	Category   casework.Category
	Set        map[string]int // categories with rows of their own, by code: how many
	Rows       []limitRow
	Shown      string
	Error      string
	Saved      bool
}

// categories are the problem types and the active services' entries.
func (c *calendars) categories(ctx context.Context) ([]casework.Category, error) {
	services, err := c.store.ListServices(ctx, "", true)
	if err != nil {
		return nil, err
	}
	return casework.Categories(services), nil
}

// findCategory returns the category of the code, or the first one.
func findCategory(cats []casework.Category, code string) (casework.Category, bool) {
	i := slices.IndexFunc(cats, func(c casework.Category) bool { return c.Code == code })
	if i < 0 {
		return cats[0], false
	}
	return cats[i], true
}

// shownOf writes a category's stored rows for the form, to be sent back
// with it: the save is refused when they changed meanwhile.
func shownOf(rows []casework.LimitRow) string {
	var parts []string
	for _, r := range rows {
		parts = append(parts, string(r.Mechanism)+"."+string(r.Step)+"="+strconv.Itoa(r.Limit.N)+"."+string(r.Limit.Unit))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

// parseShown reads shownOf's form back; what does not read is left out,
// so a tampered field can only make the save refused as stale.
func parseShown(category, s string) []casework.LimitRow {
	var out []casework.LimitRow
	for part := range strings.FieldsSeq(s) {
		key, val, _ := strings.Cut(part, "=")
		m, st, _ := strings.Cut(key, ".")
		n, u, _ := strings.Cut(val, ".")
		num, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		out = append(out, casework.LimitRow{Category: category, Mechanism: casework.Mechanism(m), Step: casework.Step(st),
			Limit: casework.Duration{N: num, Unit: casework.Unit(u)}})
	}
	return out
}

var mechanisms = []casework.Mechanism{casework.General, casework.Coordination, casework.Emergency, casework.Approval}

// limitRows lays out a category's steps per mechanism with the defaults
// and the stored rows.
func limitRows(eng *casework.Engine, cat casework.Category, stored []casework.LimitRow) []limitRow {
	var out []limitRow
	for _, m := range mechanisms {
		for _, st := range casework.Steps(m) {
			def, _ := eng.DefaultLimit(cat, m, st)
			row := limitRow{Mechanism: m, Step: st, Default: def, N: strconv.Itoa(def.N), Unit: def.Unit,
				Urgent: m == casework.Emergency && (st == casework.StepAcknowledge || st == casework.StepHandle)}
			for _, s := range stored {
				if s.Mechanism == m && s.Step == st {
					row.Set, row.N, row.Unit = true, strconv.Itoa(s.Limit.N), s.Limit.Unit
				}
			}
			out = append(out, row)
		}
	}
	return out
}

func (c *calendars) handleLimits(w http.ResponseWriter, r *http.Request) error {
	v := &limitsView{Saved: r.URL.Query().Get("done") == "saved"}
	return c.renderLimits(w, r, http.StatusOK, r.URL.Query().Get("category"), v)
}

// renderLimits fills the view for the category from the store; rows
// already in the view (a refused form's) stay.
func (c *calendars) renderLimits(w http.ResponseWriter, r *http.Request, status int, code string, v *limitsView) error {
	ctx := r.Context()
	a := casework.ActorOf(whttp.UserFrom(ctx))
	cats, err := c.categories(ctx)
	if err != nil {
		return err
	}
	eng, err := c.store.CaseEngine(ctx)
	if err != nil {
		return err
	}
	all, err := c.store.CaseLimits(ctx, a, "")
	if err != nil {
		return err
	}
	v.Categories = cats
	v.Category, _ = findCategory(cats, code)
	v.Set = map[string]int{}
	var stored []casework.LimitRow
	for _, row := range all {
		v.Set[row.Category]++
		if row.Category == v.Category.Code {
			stored = append(stored, row)
		}
	}
	v.Shown = shownOf(stored)
	if v.Rows == nil {
		v.Rows = limitRows(eng, v.Category, stored)
	}
	title := c.core.T(r, "limits.title")
	crumbs := []whttp.Crumb{{Name: c.core.T(r, "calendar.title"), URL: "/admin/calendar"}, {Name: title}}
	c.core.Render(w, r, status, "admin_case_limits", &whttp.View{Title: title, Crumbs: crumbs, Data: v})
	return nil
}

// handleSaveLimits saves a category's limits: a step whose value is its
// default, or left empty, keeps no row of its own (it follows the default
// if that changes), any other becomes the district's row. A refusal shows the
// form again as typed.
func (c *calendars) handleSaveLimits(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	cats, err := c.categories(ctx)
	if err != nil {
		return err
	}
	cat, ok := findCategory(cats, r.PostFormValue("category"))
	if !ok {
		return wangge.Invalid("category", "error.case_limit.category", "Value", r.PostFormValue("category"))
	}
	eng, err := c.store.CaseEngine(ctx)
	if err != nil {
		return err
	}
	shown := parseShown(cat.Code, r.PostFormValue("shown"))
	form := limitRows(eng, cat, shown)
	var rows []casework.LimitRow
	var bad error
	for i := range form {
		f := &form[i]
		key := string(f.Mechanism) + "." + string(f.Step)
		f.N, f.Unit = strings.TrimSpace(r.PostFormValue("n."+key)), casework.Unit(r.PostFormValue("unit."+key))
		if f.N == "" {
			// An emptied field goes back to the default.
			f.N, f.Unit, f.Set = strconv.Itoa(f.Default.N), f.Default.Unit, false
			continue
		}
		n, err := strconv.Atoi(f.N)
		if err != nil {
			if bad == nil {
				bad = wangge.Invalid("n", "error.case_limit.n", "Max", casework.LimitMax(f.Unit))
			}
			continue
		}
		d := casework.Duration{N: n, Unit: f.Unit}
		f.Set = d != f.Default
		if f.Set {
			rows = append(rows, casework.LimitRow{Category: cat.Code, Mechanism: f.Mechanism, Step: f.Step, Limit: d})
		}
	}
	if bad == nil {
		bad = c.store.SetCaseLimits(ctx, casework.ActorOf(whttp.UserFrom(ctx)), cat.Code, shown, rows)
	}
	v := &limitsView{Rows: form}
	switch {
	case bad == nil:
		http.Redirect(w, r, "/admin/case-limits?category="+cat.Code+"&done=saved", http.StatusSeeOther)
		return nil
	case errors.Is(bad, wangge.ErrConflict):
		// The typed values stay, over the stored ones the page now sends:
		// saving again overwrites the other save knowingly.
		v.Error = c.core.T(r, "limits.stale")
		return c.renderLimits(w, r, http.StatusConflict, cat.Code, v)
	case wangge.ErrorCode(bad) == wangge.EInvalid:
		v.Error = errorText(r, bad)
		return c.renderLimits(w, r, http.StatusUnprocessableEntity, cat.Code, v)
	}
	return bad
}
