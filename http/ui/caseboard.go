package ui

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/internal/pagekit"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/ledger"
)

// The case board (案件看板) and what hangs off it: a department's inbox, the
// supervision view of the sub-district and the district, the search and
// the xlsx export. Every read goes through the case store with the
// viewer's casework.Actor, so the store keeps each to what the viewer may
// see; the page adds the lights, which need the engine's calendar. The
// case page itself (/cases/{number}, /cases/new, the actions) is another
// file's; the inbox's quick actions post to it.

// CaseBoardStore is what the board, the inbox, the supervision view and
// the export read: the board's cases and counts in the actor's sight, one
// case by number (the search), the engine (lights, the inbox's actions),
// the areas and the services catalogue for the filters, and the audit log
// an export is recorded in.
type CaseBoardStore interface {
	pagekit.AreaReader
	ListAreas(ctx context.Context, f wangge.AreaFilter) ([]wangge.Area, int, error)
	ListServices(ctx context.Context, line wangge.Line, activeOnly bool) ([]wangge.Service, error)
	Case(ctx context.Context, a casework.Actor, number string) (*casework.Case, error)
	BoardCases(ctx context.Context, a casework.Actor, q casework.BoardQuery) ([]casework.Case, int, error)
	BoardCounts(ctx context.Context, a casework.Actor, q casework.BoardQuery) (*casework.BoardCounts, error)
	CaseCountsByCommunity(ctx context.Context, a casework.Actor, q casework.BoardQuery) (map[string]int, error)
	CaseEngine(ctx context.Context) (*casework.Engine, error)
	Audit(ctx context.Context, e *wangge.AuditEntry) error
}

// caseBoard are the board's handlers.
type caseBoard struct {
	core  *whttp.Server
	store CaseBoardStore
}

// Bounds of what one request reads: the inbox's lists, the supervision
// view's rows and an export's (the page says when it is cut).
const (
	inboxMax         = 100
	supervisionMax   = 500
	caseDescShortMax = 80 // characters of the description a row shows
)

// caseExportMax bounds an export's rows (a variable for the tests).
var caseExportMax = 2000

// caseBoardRoutes are the board, the inbox, the supervision view and the
// export.
func caseBoardRoutes(core *whttp.Server, store wangge.Store) []whttp.Route {
	cs, ok := store.(CaseBoardStore)
	if !ok {
		panic("ui: the store does not implement ui.CaseBoardStore (the case board's reads, sqldb/case_board.go)")
	}
	b := &caseBoard{core: core, store: cs}
	return []whttp.Route{
		// The board: every case the viewer sees, emergencies on top, then
		// overdue, then due soon; filtered, counted, searched.
		core.Page("GET /cases", wangge.PermCases, b.handleBoard),
		// A department's inbox; anyone else is sent to the board.
		core.Page("GET /cases/inbox", wangge.PermCases, b.handleInbox),
		// Every overdue or supervised open case, by community.
		core.Page("GET /cases/supervision", wangge.PermSuperviseCases, b.handleSupervision),
		// The board's rows as xlsx, audited; staff only (not a building
		// head, who follows his own reports).
		core.Export("GET /cases/export.xlsx", wangge.PermCases, b.handleExport),
	}
}

// boardFilter is the board's query as read from the request, with what the
// page shows of it.
type boardFilter struct {
	Area      *wangge.Area
	Category  string
	Mechanism casework.Mechanism
	State     casework.State
	Receiver  wangge.Line
	Level     wangge.Level
	All       bool // closed and merged cases too
	Column    casework.BoardColumn
	Q         string
	words     []string
}

// boardFilterOf reads the board's filters. An area outside the viewer's
// scope is not found, as its page would be; a value that is no choice of
// its filter is refused.
func (b *caseBoard) boardFilterOf(r *http.Request) (*boardFilter, error) {
	u := whttp.UserFrom(r.Context())
	q := r.URL.Query()
	code := strings.TrimSpace(q.Get("area"))
	if code == "" {
		code = u.ScopeCode
	}
	// The case scope is the account's region: the people scope, which
	// withholds everything from departments, is not the case's.
	scope := wangge.ScopeOf(u.ScopeCode).Narrow(code)
	if scope.IsZero() {
		return nil, wangge.ErrNotFound
	}
	area, err := b.store.Area(r.Context(), scope.Prefix())
	if err != nil {
		return nil, err
	}
	f := &boardFilter{Area: area, Category: strings.TrimSpace(q.Get("category")), All: q.Get("all") == "1", Q: strings.TrimSpace(q.Get("q"))}
	if utf8.RuneCountInString(f.Category) > 20 {
		return nil, wangge.Invalid("category", "error.case.category")
	}
	if v := q.Get("mechanism"); v != "" {
		if f.Mechanism = casework.Mechanism(v); !f.Mechanism.Valid() {
			return nil, wangge.Invalid("mechanism", "error.case.mechanism_unknown")
		}
	}
	if v := q.Get("state"); v != "" {
		if f.State = casework.State(v); !slices.Contains(casework.States, f.State) {
			return nil, wangge.Invalid("state", "error.case.state_filter")
		}
	}
	if v := q.Get("receiver"); v != "" {
		if f.Receiver = wangge.Line(v); !f.Receiver.Valid() {
			return nil, wangge.Invalid("receiver", "error.case.receiver_filter")
		}
	}
	if v := q.Get("level"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < int(wangge.LevelDistrict) || n > int(wangge.LevelCommunity) {
			return nil, wangge.Invalid("level", "error.case.level_filter")
		}
		f.Level = wangge.Level(n)
	}
	if v := q.Get("col"); v != "" {
		if f.Column = casework.BoardColumn(v); !f.Column.Valid() {
			return nil, wangge.Invalid("col", "error.case.column")
		}
	}
	if f.words, err = casework.SearchWords(f.Q); err != nil {
		return nil, err
	}
	return f, nil
}

// query is the store's query of the filters at now: open cases only unless
// all are asked for, in the board's order. Due soon is before the close of
// the next working day.
func (f *boardFilter) query(eng *casework.Engine, now time.Time) casework.BoardQuery {
	return casework.BoardQuery{
		Filter: casework.Filter{Area: f.Area.Code, State: f.State, Mechanism: f.Mechanism, Category: f.Category,
			Receiver: f.Receiver, Level: f.Level, Open: !f.All, Board: true},
		Words: f.words, Column: f.Column, Now: now, Soon: soonOf(eng, now),
	}
}

// soonOf is the due-soon bound: one working day from now, which the
// calendar ends at the next working day's close.
func soonOf(eng *casework.Engine, now time.Time) time.Time {
	return eng.Clock.Add(now, casework.Duration{N: 1, Unit: casework.WorkDays})
}

// values are the filters as URL parameters (no page).
func (f *boardFilter) values() url.Values {
	v := url.Values{"area": {f.Area.Code}}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("category", f.Category)
	set("mechanism", string(f.Mechanism))
	set("state", string(f.State))
	set("receiver", string(f.Receiver))
	if f.Level != 0 {
		v.Set("level", strconv.Itoa(int(f.Level)))
	}
	if f.All {
		v.Set("all", "1")
	}
	set("col", string(f.Column))
	set("q", f.Q)
	return v
}

// link is the board's address with the filters, one of them changed
// (an empty value removes it).
func (f *boardFilter) link(path, key, val string) string {
	v := f.values()
	if val == "" {
		v.Del(key)
	} else {
		v.Set(key, val)
	}
	return path + "?" + v.Encode()
}

// caseRow is one case as the board, the inbox and the supervision view
// show it.
type caseRow struct {
	Number    string
	Category  string
	GridCode  string
	Grid      string
	Mechanism casework.Mechanism
	State     casework.State
	Priority  casework.Priority
	Level     wangge.Level
	Column    casework.BoardColumn
	// Light is the running step's light ("" when no clock runs), Step the
	// step it is for, Due its due time.
	Light casework.Light
	Step  casework.Step
	Due   time.Time
	// Badges are the catalogue keys' ends of what the case went through:
	// supervised, deferred, escalated, reworked.
	Badges      []string
	Description string
	Receiver    string
	Version     int
	// Actions are the inbox's quick actions the viewer may take now.
	Actions []casework.ActionName
	// Overdue is how long the running deadline is past (supervision).
	Overdue     string
	Supervision int
}

// rowOf is the row of a case at now.
func (b *caseBoard) rowOf(r *http.Request, eng *casework.Engine, names *areaNames, q *casework.BoardQuery, c *casework.Case) caseRow {
	row := caseRow{Number: c.Number, Category: categoryName(whttp.LangOf(r), c.Category), GridCode: c.Location.GridCode, Grid: names.name(c.Location.GridCode),
		Mechanism: c.Mechanism, State: c.State, Priority: c.Priority, Level: c.Level, Column: q.ColumnOf(c),
		Description: shorten(c.Description, caseDescShortMax), Version: c.Version, Supervision: c.Supervisions}
	if d := c.Running(); d != nil && c.State.Open() {
		row.Light, row.Step, row.Due = eng.Light(d, q.Now), d.Step, d.Due
		if late := q.Now.Sub(d.Due); late > 0 {
			row.Overdue = b.duration(r, late)
		}
	}
	for _, x := range []struct {
		on  bool
		key string
	}{{c.Supervisions > 0, "supervised"}, {c.Deferrals > 0, "deferred"}, {c.Escalations > 0 || c.Level < wangge.LevelCommunity, "escalated"}, {c.Reworks > 0, "reworked"}} {
		if x.on {
			row.Badges = append(row.Badges, x.key)
		}
	}
	if rc := c.Receiver; rc != nil {
		row.Receiver = rc.Name
		if row.Receiver == "" {
			row.Receiver = b.core.T(r, "line."+string(rc.Line))
		}
	}
	return row
}

// duration says how long in calendar time: days and hours, or hours and
// minutes under a day.
func (b *caseBoard) duration(r *http.Request, d time.Duration) string {
	mins := int(d / time.Minute)
	if days := mins / (24 * 60); days > 0 {
		return b.core.T(r, "case.overdue.days", "Days", days, "Hours", mins%(24*60)/60)
	}
	return b.core.T(r, "case.overdue.hours", "Hours", mins/60, "Minutes", mins%60)
}

// shorten cuts s to n characters, with an ellipsis when cut.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// option is one choice of a filter's select.
type option struct {
	Value, Label string
	Selected     bool
}

// boardColumn is one count of the board's head, with the link that shows
// its cases.
type boardColumn struct {
	Column casework.BoardColumn
	N      int
	URL    string
	Active bool
}

// stateCount is a state's count, with the link that filters by it.
type stateCount struct {
	State  casework.State
	N      int
	URL    string
	Active bool
}

// boardView is what the board shows.
type boardView struct {
	Filter     *boardFilter
	Areas      []option
	Categories []option
	Mechanisms []option
	States     []option
	Receivers  []option
	Levels     []option
	Columns    []boardColumn
	OpenTotal  int
	AllColumns string // the board without a column chosen
	StateCount []stateCount
	Rows       []caseRow
	Pager      *pagekit.Pager
	// Filtered opens the filters beyond the search: one of them is set.
	Filtered bool
	// NoNumber is a case number searched for that the viewer does not see.
	NoNumber     string
	CanCreate    bool
	CanSupervise bool
	Inbox        bool
	ExportURL    string
	ExportMax    int
	ExportCut    bool // the filters select more rows than an export holds
	Now          time.Time
	// Held is how many Open311 requests wait for a place (held.go), for
	// the staff who place them.
	Held int
}

// handleBoard shows the board.
func (b *caseBoard) handleBoard(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := whttp.UserFrom(ctx)
	a := casework.ActorOf(u)
	f, err := b.boardFilterOf(r)
	if err != nil {
		return err
	}
	pg, n, err := pagekit.PageOf(r)
	if err != nil {
		return err
	}
	// A case number goes to its case, when the viewer sees one.
	if _, _, ok := casework.ParseNumber(f.Q); ok {
		c, err := b.store.Case(ctx, a, f.Q)
		if err == nil {
			http.Redirect(w, r, "/cases/"+url.PathEscape(c.Number), http.StatusSeeOther)
			return nil
		}
		if !errors.Is(err, wangge.ErrNotFound) {
			return err
		}
	}
	eng, err := b.store.CaseEngine(ctx)
	if err != nil {
		return err
	}
	now := b.core.Now()
	q := f.query(eng, now)
	q.Page = pg
	cases, total, err := b.store.BoardCases(ctx, a, q)
	if err != nil {
		return err
	}
	counts, err := b.store.BoardCounts(ctx, a, q)
	if err != nil {
		return err
	}
	v := &boardView{Filter: f, Pager: pagekit.NewPager(r, n, total), Now: now,
		CanCreate: mayOpenAny(u.Role), CanSupervise: u.Role.Can(wangge.PermSuperviseCases), Inbox: u.Role == wangge.RoleDepartment,
		ExportMax: caseExportMax, ExportCut: total > caseExportMax, AllColumns: f.link("/cases", "col", "")}
	v.Filtered = f.Area.Code != u.ScopeCode || f.Category != "" || f.Mechanism != "" || f.State != "" || f.Receiver != "" || f.Level != 0 || f.All
	if mayExportCases(u) {
		v.ExportURL = "/cases/export.xlsx?" + f.values().Encode()
	}
	if _, _, ok := casework.ParseNumber(f.Q); ok {
		v.NoNumber = f.Q
	}
	if hc, ok := b.store.(heldCounter); ok {
		if v.Held, err = hc.HeldCount(ctx, a); err != nil {
			return err
		}
	}
	names := &areaNames{areas: b.store, ctx: ctx, names: map[string]string{}}
	for i := range cases {
		v.Rows = append(v.Rows, b.rowOf(r, eng, names, &q, &cases[i]))
	}
	for _, col := range casework.BoardColumns {
		v.Columns = append(v.Columns, boardColumn{Column: col, N: counts.Columns[col], URL: f.link("/cases", "col", string(col)), Active: f.Column == col})
		v.OpenTotal += counts.Columns[col]
	}
	for _, st := range casework.States {
		if n := counts.States[st]; n > 0 || f.State == st {
			v.StateCount = append(v.StateCount, stateCount{State: st, N: n, URL: f.link("/cases", "state", string(st)), Active: f.State == st})
		}
	}
	if err := b.filterOptions(r, u, f, v); err != nil {
		return err
	}
	title := b.core.T(r, "case.board.title")
	b.core.Render(w, r, http.StatusOK, "cases", &whttp.View{Title: title + " · " + f.Area.Name, Crumbs: []whttp.Crumb{{Name: title}}, Data: v})
	return nil
}

// mayOpenAny says whether the role may raise a case of some mechanism:
// whether the board offers the register form.
func mayOpenAny(r wangge.Role) bool {
	return slices.ContainsFunc(casework.Mechanisms, func(m casework.Mechanism) bool { return casework.MayOpen(m, r) })
}

// mayExportCases says who may export the board: staff, not a building
// head, who sees only his own reports.
func mayExportCases(u *wangge.User) bool {
	return u.Role.Can(wangge.PermCases) && u.Role != wangge.RoleBuildingHead
}

// filterOptions fills the filters' choices.
func (b *caseBoard) filterOptions(r *http.Request, u *wangge.User, f *boardFilter, v *boardView) error {
	ctx := r.Context()
	areas, err := b.areaChoices(ctx, u, f.Area)
	if err != nil {
		return err
	}
	v.Areas = areas
	services, err := b.store.ListServices(ctx, "", true)
	if err != nil {
		return err
	}
	v.Categories = []option{{Value: "", Label: b.core.T(r, "case.filter.any"), Selected: f.Category == ""}}
	for _, c := range casework.Categories(services) {
		v.Categories = append(v.Categories, option{Value: c.Code, Label: categoryName(whttp.LangOf(r), c), Selected: f.Category == c.Code})
	}
	anyOf := func(sel bool) []option {
		return []option{{Value: "", Label: b.core.T(r, "case.filter.any"), Selected: sel}}
	}
	v.Mechanisms = anyOf(f.Mechanism == "")
	for _, m := range casework.Mechanisms {
		v.Mechanisms = append(v.Mechanisms, option{Value: string(m), Label: b.core.T(r, "case.mechanism."+string(m)), Selected: f.Mechanism == m})
	}
	v.States = anyOf(f.State == "")
	for _, s := range casework.States {
		v.States = append(v.States, option{Value: string(s), Label: b.core.T(r, "case.state."+string(s)), Selected: f.State == s})
	}
	v.Receivers = anyOf(f.Receiver == "")
	for _, l := range wangge.Lines {
		v.Receivers = append(v.Receivers, option{Value: string(l), Label: b.core.T(r, "line."+string(l)), Selected: f.Receiver == l})
	}
	v.Levels = anyOf(f.Level == 0)
	for _, l := range []wangge.Level{wangge.LevelCommunity, wangge.LevelSubdistrict, wangge.LevelDistrict} {
		v.Levels = append(v.Levels, option{Value: strconv.Itoa(int(l)), Label: b.core.T(r, "case.level."+strconv.Itoa(int(l))), Selected: f.Level == l})
	}
	return nil
}

// areaChoices are the area filter's choices: the way from the viewer's
// own area down to the selected one, then the selected area's children
// (down to the grids), so that a district narrows a level at a time and a
// community picks among its grids.
func (b *caseBoard) areaChoices(ctx context.Context, u *wangge.User, a *wangge.Area) ([]option, error) {
	var opts []option
	for n := len(u.ScopeCode); n <= len(a.Code); n += 3 {
		anc, err := b.store.Area(ctx, a.Code[:n])
		if err != nil {
			return nil, err
		}
		opts = append(opts, option{Value: anc.Code, Label: strings.Repeat("\u3000", len(opts)) + anc.Name, Selected: n == len(a.Code)})
	}
	if a.Level == wangge.LevelGrid {
		return opts, nil
	}
	kids, _, err := b.store.ListAreas(ctx, wangge.AreaFilter{ParentCode: a.Code, Page: wangge.Page{Limit: wangge.MaxPageLimit}})
	if err != nil {
		return nil, err
	}
	depth := len(opts)
	for _, k := range kids {
		if k.RetiredAt == nil {
			opts = append(opts, option{Value: k.Code, Label: strings.Repeat("\u3000", depth) + k.Name})
		}
	}
	return opts, nil
}

// inboxSection is one list of the inbox.
type inboxSection struct {
	Key   string // awaiting, in_progress, returned
	Rows  []caseRow
	Total int
	Cut   bool
}

// inboxActions are the quick actions of the inbox, in the order shown.
var inboxActions = []casework.ActionName{casework.ActAccept, casework.ActReturn, casework.ActHandle}

// handleInbox shows a department's inbox: the cases dispatched to its line
// awaiting its accept, those it is handling, and those it returned, with
// the quick actions it may take on each. Anyone else has the board.
func (b *caseBoard) handleInbox(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := whttp.UserFrom(ctx)
	if u.Role != wangge.RoleDepartment || u.Line == "" {
		http.Redirect(w, r, "/cases", http.StatusSeeOther)
		return nil
	}
	a := casework.ActorOf(u)
	eng, err := b.store.CaseEngine(ctx)
	if err != nil {
		return err
	}
	now := b.core.Now()
	names := &areaNames{areas: b.store, ctx: ctx, names: map[string]string{}}
	var sections []inboxSection
	for _, s := range []struct {
		key   string
		state casework.State
		line  wangge.Line
	}{
		{"awaiting", casework.Dispatched, u.Line},
		{"in_progress", casework.InProgress, u.Line},
		// A returned case is no longer dispatched to anyone: the line's
		// own returned cases are those it still sees, the last returner
		// named on the case.
		{"returned", casework.Returned, ""},
	} {
		q := casework.BoardQuery{Filter: casework.Filter{Receiver: s.line, State: s.state, Board: true, Page: wangge.Page{Limit: inboxMax}}, Now: now, Soon: soonOf(eng, now)}
		cases, total, err := b.store.BoardCases(ctx, a, q)
		if err != nil {
			return err
		}
		sec := inboxSection{Key: s.key, Total: total, Cut: total > len(cases)}
		for i := range cases {
			c := &cases[i]
			if s.state == casework.Returned && (c.ReturnedBy == nil || c.ReturnedBy.Line != u.Line) {
				sec.Total--
				continue
			}
			row := b.rowOf(r, eng, names, &q, c)
			for _, act := range eng.Allowed(c, a, now) {
				if slices.Contains(inboxActions, act) {
					row.Actions = append(row.Actions, act)
				}
			}
			sec.Rows = append(sec.Rows, row)
		}
		sections = append(sections, sec)
	}
	title := b.core.T(r, "case.inbox.title")
	b.core.Render(w, r, http.StatusOK, "case_inbox", &whttp.View{Title: title, Crumbs: []whttp.Crumb{{Name: b.core.T(r, "case.board.title"), URL: "/cases"}, {Name: title}},
		Data: struct {
			Line     wangge.Line
			Sections []inboxSection
			Max      int
		}{u.Line, sections, inboxMax}})
	return nil
}

// supervisionGroup is one community of the supervision view.
type supervisionGroup struct {
	Code, Name string
	N          int // every case of the community the selection holds
	Rows       []caseRow
}

// handleSupervision shows every open case within the scope that is overdue
// or was supervised, grouped by community: the count of each, then its
// rows, with how long each is overdue and the level following it.
func (b *caseBoard) handleSupervision(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := whttp.UserFrom(ctx)
	a := casework.ActorOf(u)
	f, err := b.boardFilterOf(r)
	if err != nil {
		return err
	}
	eng, err := b.store.CaseEngine(ctx)
	if err != nil {
		return err
	}
	now := b.core.Now()
	q := casework.BoardQuery{Filter: casework.Filter{Area: f.Area.Code, Level: f.Level, Board: true, Page: wangge.Page{Limit: supervisionMax}},
		Attention: true, Now: now, Soon: soonOf(eng, now)}
	cases, total, err := b.store.BoardCases(ctx, a, q)
	if err != nil {
		return err
	}
	counts, err := b.store.CaseCountsByCommunity(ctx, a, q)
	if err != nil {
		return err
	}
	names := &areaNames{areas: b.store, ctx: ctx, names: map[string]string{}}
	byCode := map[string]*supervisionGroup{}
	var groups []*supervisionGroup
	for code, n := range counts {
		g := &supervisionGroup{Code: code, Name: names.name(code), N: n}
		byCode[code] = g
		groups = append(groups, g)
	}
	// The communities with the most first, then by code.
	slices.SortFunc(groups, func(x, y *supervisionGroup) int {
		if x.N != y.N {
			return y.N - x.N
		}
		return strings.Compare(x.Code, y.Code)
	})
	for i := range cases {
		c := &cases[i]
		if g := byCode[c.Location.GridCode[:wangge.CommunityCodeLen]]; g != nil {
			g.Rows = append(g.Rows, b.rowOf(r, eng, names, &q, c))
		}
	}
	areas, err := b.areaChoices(ctx, u, f.Area)
	if err != nil {
		return err
	}
	title := b.core.T(r, "case.supervision.title")
	b.core.Render(w, r, http.StatusOK, "case_supervision", &whttp.View{Title: title + " · " + f.Area.Name,
		Crumbs: []whttp.Crumb{{Name: b.core.T(r, "case.board.title"), URL: "/cases"}, {Name: title}},
		Data: struct {
			Area   *wangge.Area
			Areas  []option
			Groups []*supervisionGroup
			Total  int
			Shown  int
			Cut    bool
		}{f.Area, areas, groups, total, len(cases), total > len(cases)}})
	return nil
}

// handleExport sends the board's rows under its filters as xlsx: at most
// caseExportMax of them (the notes sheet and the board say when cut), no
// reporter's contact, the reporter's name masked. The file is written to
// a temporary file and audited before a byte of it is sent.
func (b *caseBoard) handleExport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := whttp.UserFrom(ctx)
	if !mayExportCases(u) {
		return whttp.ErrForbidden
	}
	a := casework.ActorOf(u)
	f, err := b.boardFilterOf(r)
	if err != nil {
		return err
	}
	eng, err := b.store.CaseEngine(ctx)
	if err != nil {
		return err
	}
	now := b.core.Now()
	q := f.query(eng, now)
	q.Page = wangge.Page{Limit: caseExportMax}
	cases, total, err := b.store.BoardCases(ctx, a, q)
	if err != nil {
		return err
	}
	names := &areaNames{areas: b.store, ctx: ctx, names: map[string]string{}}
	t := func(key string, args ...any) string { return b.core.T(r, key, args...) }
	notes := []string{
		t("case.export.note_who", "By", exporterName(u), "At", now.In(whttp.ChinaTime).Format("2006-01-02 15:04"), "Area", f.Area.Name),
		t("case.export.note_rows", "Rows", len(cases), "Total", total),
	}
	if total > len(cases) {
		notes = append(notes, t("case.export.note_cut", "Max", caseExportMax))
	}
	notes = append(notes, t("case.export.note_private"))
	tmp, err := ledger.TempFile()
	if err != nil {
		return err
	}
	defer tmp.Close()
	rows, err := ledger.WriteCases(tmp, &ledger.CaseExport{
		Label: func(key string) string { return t("case.export." + key) },
		Loc:   whttp.ChinaTime,
		Notes: notes,
		Each: func(write func(*ledger.CaseRow) error) error {
			for i := range cases {
				c := &cases[i]
				row := b.rowOf(r, eng, names, &q, c)
				out := &ledger.CaseRow{Number: c.Number, Category: categoryName(whttp.LangOf(r), c.Category),
					Mechanism: t("case.mechanism." + string(c.Mechanism)), State: t("case.state." + string(c.State)),
					Community: names.name(c.Location.GridCode[:wangge.CommunityCodeLen]), Grid: row.Grid,
					Level: t("case.level." + strconv.Itoa(int(c.Level))), Due: row.Due, Created: c.CreatedAt, Closed: c.ClosedAt,
					Receiver: row.Receiver, Reporter: reporterName(r, b, c.Reporter), Description: c.Description}
				if row.Light != "" {
					out.Light = t("case.light." + string(row.Light))
				}
				var badges []string
				for _, k := range row.Badges {
					badges = append(badges, t("case.badge."+k))
				}
				out.Badges = strings.Join(badges, t("case.badge.sep"))
				if err := write(out); err != nil {
					return err
				}
			}
			return nil
		},
	})
	if err != nil {
		return err
	}
	detail, _ := json.Marshal(map[string]any{"filters": f.values().Encode(), "rows": rows, "total": total, "cut": total > rows})
	if err := b.store.Audit(ctx, &wangge.AuditEntry{Action: "case.export", Object: "case", ObjectID: f.Area.Code, GridCode: f.Area.Code, Detail: string(detail)}); err != nil {
		return err
	}
	day := now.In(whttp.ChinaTime).Format("20060102")
	return pagekit.SendFile(w, tmp, pagekit.XLSXType,
		pagekit.Attachment("cases-"+f.Area.Code+"-"+day+".xlsx", t("case.export.file", "Area", f.Area.Name, "Day", day)), b.core.Logger(), "cases")
}

// reporterName is the reporter as the export names them: masked, or that
// they are anonymous or gave no name.
func reporterName(r *http.Request, b *caseBoard, rp casework.Reporter) string {
	switch {
	case rp.Anonymous:
		return b.core.T(r, "case.reporter.anonymous")
	case rp.Name == "":
		return ""
	}
	return ident.MaskName(rp.Name)
}
