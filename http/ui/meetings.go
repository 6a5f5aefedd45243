package ui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/internal/pagekit"
)

// The weekly grid meeting (网格化工作例会, issue 13): the community's staff
// schedule a meeting of a grid or of the community, and on its page go
// through the agenda the store draws — the open and overdue cases, what
// the week's visits found, the key groups' changes —, record who came
// (and why the others did not), the minutes and the decisions, each tied
// to a case or opening one with a tap. The minutes print on one A4 page.
// The grid's assistant reads the meetings of his grid and community.
// Nothing here asks for a photo: the record is the work, not proof of it.

// MeetingStore is what the meeting pages read and write: the meetings in
// scope, their agenda and decisions (a decision opens its case through
// the case store), the grids a meeting may be of, and the categories a
// new case takes.
type MeetingStore interface {
	CreateMeeting(ctx context.Context, s wangge.Scope, m *wangge.Meeting) error
	UpdateMeeting(ctx context.Context, s wangge.Scope, m *wangge.Meeting) error
	Meeting(ctx context.Context, s wangge.Scope, id int64) (*wangge.Meeting, error)
	ListMeetings(ctx context.Context, s wangge.Scope, f wangge.MeetingFilter) ([]wangge.Meeting, int, error)
	MeetingAgenda(ctx context.Context, s wangge.Scope, a casework.Actor, m *wangge.Meeting) (*wangge.Agenda, error)
	DecideInMeeting(ctx context.Context, s wangge.Scope, a casework.Actor, meetingID int64, d wangge.DecisionDraft, newCase *casework.Draft) (*wangge.Decision, error)
	Area(ctx context.Context, code string) (*wangge.Area, error)
	ListAreas(ctx context.Context, f wangge.AreaFilter) ([]wangge.Area, int, error)
	ListServices(ctx context.Context, line wangge.Line, activeOnly bool) ([]wangge.Service, error)
	GridAssistant(ctx context.Context, grid string) (*wangge.Assistant, error)
	Audit(ctx context.Context, e *wangge.AuditEntry) error
}

// meetings are the meeting pages' handlers.
type meetings struct {
	core  *whttp.Server
	store MeetingStore
}

// meetingRoutes are the meeting pages. Reading needs people's data (the
// agenda names households and persons); writing is for the roles that
// keep meetings (wangge.MayKeepMeetings), checked by each write handler.
func meetingRoutes(core *whttp.Server, store wangge.Store) []whttp.Route {
	ms, ok := store.(MeetingStore)
	if !ok {
		panic("ui: the store does not keep meetings (it implements no ui.MeetingStore)")
	}
	s := &meetings{core: core, store: ms}
	return []whttp.Route{
		core.Page("GET /meetings", wangge.PermViewPeople, s.handleList),
		core.Page("POST /meetings", wangge.PermViewPeople, s.handleSchedule),
		core.Page("GET /meetings/{id}", wangge.PermViewPeople, s.handleMeeting),
		core.Page("POST /meetings/{id}", wangge.PermViewPeople, s.handleRecord),
		core.Page("POST /meetings/{id}/decisions", wangge.PermViewPeople, s.handleDecide),
		core.Page("POST /meetings/{id}/next", wangge.PermViewPeople, s.handleNextWeek),
		core.Page("GET /meetings/{id}/print", wangge.PermViewPeople, s.handlePrint),
	}
}

// keeper refuses a user whose role does not keep meetings.
func keeper(r *http.Request) (*wangge.User, error) {
	u := whttp.UserFrom(r.Context())
	if !wangge.MayKeepMeetings(u.Role) {
		return nil, wangge.E(wangge.EForbidden, "error.meeting.keeper")
	}
	return u, nil
}

// keeperOf is the keeper writing to the meeting the path names, and its id.
func keeperOf(r *http.Request) (*wangge.User, int64, error) {
	u, err := keeper(r)
	if err != nil {
		return nil, 0, err
	}
	id, err := pagekit.IDOf(r)
	return u, id, err
}

// meetingAt is the datetime-local input's format, in Beijing time.
const meetingAt = "2006-01-02T15:04"

// meetingArea is a grid or community a meeting may be of.
type meetingArea struct {
	Code, Name string
	Community  bool
}

// meetingAreas are the communities and grids in the user's scope, the
// communities first.
func (s *meetings) meetingAreas(ctx context.Context, u *wangge.User) ([]meetingArea, error) {
	scope := u.Scope()
	var out []meetingArea
	for _, level := range []wangge.Level{wangge.LevelCommunity, wangge.LevelGrid} {
		f := wangge.AreaFilter{Level: level, Page: wangge.Page{Limit: wangge.MaxPageLimit}}
		if level == wangge.LevelGrid && wangge.LevelOf(u.ScopeCode) == wangge.LevelCommunity {
			f.ParentCode = u.ScopeCode
		}
		list, _, err := s.store.ListAreas(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, a := range list {
			if scope.MayChange(a.Code) && a.RetiredAt == nil {
				out = append(out, meetingArea{Code: a.Code, Name: a.Name, Community: level == wangge.LevelCommunity})
			}
		}
	}
	return out, nil
}

// meetingRow is one meeting of the list.
type meetingRow struct {
	wangge.Meeting
	AreaName string
	Upcoming bool
}

// scheduleForm is the schedule form as typed.
type scheduleForm struct {
	Area, At, Place, Title string
}

// meetingListView is what /meetings shows.
type meetingListView struct {
	Upcoming, Held []meetingRow
	Pager          *pagekit.Pager
	MayKeep        bool
	// Areas are the communities and grids of the scope: the list's filter,
	// and where the schedule form may put a meeting.
	Areas  []meetingArea
	Filter string
	Form   scheduleForm
	Errors map[string]string
	Error  string
}

func (s *meetings) areaName(ctx context.Context, code string) string {
	if a, err := s.store.Area(ctx, code); err == nil {
		return a.Name
	}
	return code
}

// handleList lists the meetings in scope, the coming ones first, with the
// schedule form for those who keep meetings.
func (s *meetings) handleList(w http.ResponseWriter, r *http.Request) error {
	u := whttp.UserFrom(r.Context())
	next := s.core.Now().In(whttp.ChinaTime).AddDate(0, 0, 7)
	f := scheduleForm{At: time.Date(next.Year(), next.Month(), next.Day(), 15, 0, 0, 0, whttp.ChinaTime).Format(meetingAt), Title: s.core.T(r, "meeting.default_title")}
	if wangge.LevelOf(u.ScopeCode) == wangge.LevelCommunity {
		f.Area = u.ScopeCode
	}
	return s.renderList(w, r, http.StatusOK, f, nil)
}

func (s *meetings) renderList(w http.ResponseWriter, r *http.Request, status int, f scheduleForm, err error) error {
	ctx := r.Context()
	u := whttp.UserFrom(ctx)
	pg, n, perr := pagekit.PageOf(r)
	if perr != nil {
		return perr
	}
	filter := wangge.MeetingFilter{AreaCode: r.URL.Query().Get("area"), Page: pg}
	if filter.AreaCode != "" && wangge.MeetingLevel(filter.AreaCode) == 0 {
		return wangge.ErrNotFound
	}
	list, total, lerr := s.store.ListMeetings(ctx, u.Scope(), filter)
	if lerr != nil {
		return lerr
	}
	v := &meetingListView{MayKeep: wangge.MayKeepMeetings(u.Role), Form: f, Errors: map[string]string{}}
	now := s.core.Now()
	names := map[string]string{}
	for _, m := range list {
		if _, ok := names[m.AreaCode]; !ok {
			names[m.AreaCode] = s.areaName(ctx, m.AreaCode)
		}
		row := meetingRow{Meeting: m, AreaName: names[m.AreaCode], Upcoming: !m.At.Before(now)}
		if row.Upcoming {
			v.Upcoming = append(v.Upcoming, row)
		} else {
			v.Held = append(v.Held, row)
		}
	}
	if total > len(list) {
		v.Pager = pagekit.NewPager(r, n, total)
	}
	if v.Areas, lerr = s.meetingAreas(ctx, u); lerr != nil {
		return lerr
	}
	v.Filter = filter.AreaCode
	if err != nil {
		switch field := errField(err); field {
		case "area_code", "at", "title", "place":
			v.Errors[field] = errText(r, err)
		default:
			v.Error = errText(r, err)
		}
	}
	title := s.core.T(r, "meeting.list.title")
	s.core.Render(w, r, status, "meetings", &whttp.View{Title: title, Crumbs: []whttp.Crumb{{Name: title}}, Data: v})
	return nil
}

// parseAt reads a datetime-local value in Beijing time.
func parseAt(v string) (time.Time, error) {
	t, err := time.ParseInLocation(meetingAt, strings.TrimSpace(v), whttp.ChinaTime)
	if err != nil {
		return time.Time{}, wangge.Invalid("at", "error.meeting.at")
	}
	return t.UTC(), nil
}

// handleSchedule schedules a meeting and goes to its page.
func (s *meetings) handleSchedule(w http.ResponseWriter, r *http.Request) error {
	if _, err := keeper(r); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return wangge.Invalid("form", "error.case.form")
	}
	pf := r.PostForm
	f := scheduleForm{Area: pf.Get("area"), At: pf.Get("at"), Place: pf.Get("place"), Title: pf.Get("title")}
	at, err := parseAt(f.At)
	if err != nil {
		return s.renderList(w, r, http.StatusBadRequest, f, err)
	}
	m := &wangge.Meeting{AreaCode: f.Area, At: at, Place: f.Place, Title: f.Title}
	if m.Attendance, err = s.expected(r, f.Area); err != nil {
		return err
	}
	if err := s.store.CreateMeeting(r.Context(), whttp.UserFrom(r.Context()).Scope(), m); err != nil {
		if wangge.ErrorCode(err) == wangge.EInvalid {
			return s.renderList(w, r, whttp.Status(err), f, err)
		}
		return err
	}
	http.Redirect(w, r, "/meetings/"+strconv.FormatInt(m.ID, 10), http.StatusSeeOther)
	return nil
}

// expected are the people a new meeting expects, entered once here rather
// than typed at every meeting: whoever schedules it, and the assistant of
// the grid (of each of the community's grids for a community's meeting).
func (s *meetings) expected(r *http.Request, area string) ([]wangge.Attendee, error) {
	ctx := r.Context()
	u := whttp.UserFrom(ctx)
	name := u.DisplayName
	if name == "" {
		name = u.Username
	}
	out := []wangge.Attendee{{Name: name, Role: s.core.T(r, "role."+string(u.Role)), UserID: u.ID, Present: true}}
	grids := []string{area}
	if wangge.MeetingLevel(area) == wangge.LevelCommunity {
		list, _, err := s.store.ListAreas(ctx, wangge.AreaFilter{Level: wangge.LevelGrid, ParentCode: area, Page: wangge.Page{Limit: wangge.MaxPageLimit}})
		if err != nil {
			return nil, err
		}
		grids = grids[:0]
		for _, a := range list {
			if a.RetiredAt == nil {
				grids = append(grids, a.Code)
			}
		}
	} else if wangge.MeetingLevel(area) != wangge.LevelGrid {
		return nil, nil // the store refuses the area
	}
	seen := map[string]bool{name: true}
	for _, g := range grids {
		a, err := s.store.GridAssistant(ctx, g)
		if errors.Is(err, wangge.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !seen[a.Name] && len(out) < wangge.MeetingAttendeeMax {
			seen[a.Name] = true
			out = append(out, wangge.Attendee{Name: a.Name, Role: s.core.T(r, "role.assistant"), Present: true})
		}
	}
	return out, nil
}

// agendaRow is one agenda item as the page shows it, with what a tap on
// "decide" sends.
type agendaRow struct {
	wangge.AgendaItem
	Link     string
	Title    string
	Detail   string
	GridName string
	// The decision a tap records: its text, and the case it follows up or
	// the category, grid and place of the one it opens.
	MeetingID int64
	Token     string
	Text      string
	Follow    string
	Grid      string
	Category  string
	Household int64
	MayOpen   bool
}

// decisionRow is one decision as shown.
type decisionRow struct {
	wangge.Decision
	Link string
}

// meetingView is what a meeting's page (and its print) shows.
type meetingView struct {
	Meeting  *wangge.Meeting
	AreaName string
	AtInput  string
	MayKeep  bool
	// MayOpen tells whether the viewer's role may open the coordination
	// case a decision makes (the staff above the community supervise
	// cases, they do not register them): without it a decision only
	// follows up a case.
	MayOpen    bool
	Cases      []agendaRow
	Visits     []agendaRow
	Changes    []agendaRow
	From, To   time.Time
	Attendance []wangge.Attendee
	Present    int
	Absent     int
	Decisions  []decisionRow
	Problems   []categoryOption
	Grids      []meetingArea
	Token      string
	Notice     string
	Error      string
	Stale      bool
	PrintedAt  time.Time
}

// blankAttendees are the empty rows the attendance form offers to add.
const blankAttendees = 3

// meetingView reads a meeting in scope with its agenda.
func (s *meetings) view(r *http.Request, id int64) (*meetingView, error) {
	ctx := r.Context()
	u := whttp.UserFrom(ctx)
	m, err := s.store.Meeting(ctx, u.Scope(), id)
	if err != nil {
		return nil, err
	}
	ag, err := s.store.MeetingAgenda(ctx, u.Scope(), caseActor(r), m)
	if err != nil {
		return nil, err
	}
	l := whttp.LangOf(r)
	v := &meetingView{Meeting: m, AreaName: s.areaName(ctx, m.AreaCode), AtInput: m.At.In(whttp.ChinaTime).Format(meetingAt),
		MayKeep: wangge.MayKeepMeetings(u.Role) && u.Scope().MayChange(m.AreaCode), MayOpen: casework.MayOpen(casework.Coordination, u.Role), From: ag.From, To: ag.To, Token: newToken()}
	v.Attendance = append(slices.Clone(m.Attendance), make([]wangge.Attendee, blankAttendees)...)
	for i := len(m.Attendance); i < len(v.Attendance); i++ {
		v.Attendance[i].Present = true
	}
	for _, a := range m.Attendance {
		if a.Present {
			v.Present++
		} else {
			v.Absent++
		}
	}
	names := map[string]string{}
	gridName := func(code string) string {
		if _, ok := names[code]; !ok {
			names[code] = s.areaName(ctx, code)
		}
		return names[code]
	}
	services, err := s.store.ListServices(ctx, "", true)
	if err != nil {
		return nil, err
	}
	cats := casework.Categories(services)
	catName := map[string]string{}
	for _, c := range cats {
		catName[c.Code] = categoryName(l, c)
		if c.Kind == casework.KindProblem {
			v.Problems = append(v.Problems, categoryOption{Code: c.Code, Name: categoryName(l, c), Mechanism: c.Mechanism})
		}
	}
	for _, it := range ag.Cases {
		c := it.Case
		v.Cases = append(v.Cases, agendaRow{AgendaItem: it, Link: "/cases/" + url.PathEscape(c.Number), GridName: gridName(c.GridCode),
			Title: c.Number + " · " + catName[c.Category], Detail: c.Description, Follow: c.Number,
			Text: s.core.T(r, "meeting.decide.follow_text", "Number", c.Number)})
	}
	for _, it := range ag.Visits {
		row := agendaRow{AgendaItem: it, GridName: gridName(it.GridCode), Detail: strings.Join(it.Found, "；"), Category: "P99",
			Text: strings.Join(it.Found, "；")}
		if hh := it.Visit.HouseholdID; hh != nil {
			row.Household = *hh
			row.Link = "/households/" + strconv.FormatInt(*hh, 10)
		}
		row.Title = s.core.T(r, "meeting.agenda.visit_title", "At", it.At.In(whttp.ChinaTime).Format("01-02 15:04"))
		v.Visits = append(v.Visits, row)
	}
	for _, it := range ag.Changes {
		c := it.Change
		group := s.core.T(r, "group."+string(c.Group))
		row := agendaRow{AgendaItem: it, GridName: gridName(c.GridCode), Link: "/households/" + strconv.FormatInt(c.HouseholdID, 10),
			Household: c.HouseholdID, Category: "P12",
			Title: s.core.T(r, "meeting.change."+c.Change, "Name", c.PersonName, "Group", group)}
		row.Text = row.Title
		v.Changes = append(v.Changes, row)
	}
	// Each item's form its own token, so a double tap on one records one
	// decision and taps on two record two.
	for _, list := range [][]agendaRow{v.Cases, v.Visits, v.Changes} {
		for i := range list {
			list[i].MeetingID, list[i].Token, list[i].Grid, list[i].MayOpen = m.ID, newToken(), list[i].GridCode, v.MayOpen
		}
	}
	for _, d := range m.Decisions {
		v.Decisions = append(v.Decisions, decisionRow{Decision: d, Link: "/cases/" + url.PathEscape(d.CaseNumber)})
	}
	if len(m.AreaCode) == wangge.GridCodeLen {
		v.Grids = []meetingArea{{Code: m.AreaCode, Name: v.AreaName}}
	} else if v.MayKeep {
		list, _, err := s.store.ListAreas(ctx, wangge.AreaFilter{Level: wangge.LevelGrid, ParentCode: m.AreaCode, Page: wangge.Page{Limit: wangge.MaxPageLimit}})
		if err != nil {
			return nil, err
		}
		for _, a := range list {
			if a.RetiredAt == nil {
				v.Grids = append(v.Grids, meetingArea{Code: a.Code, Name: a.Name})
			}
		}
	}
	return v, nil
}

func (s *meetings) render(w http.ResponseWriter, r *http.Request, status int, v *meetingView) {
	crumbs := []whttp.Crumb{{Name: s.core.T(r, "meeting.list.title"), URL: "/meetings"}, {Name: v.Meeting.Title}}
	s.core.Render(w, r, status, "meeting", &whttp.View{Title: v.Meeting.Title, Crumbs: crumbs, Data: v})
}

// handleMeeting shows a meeting: its agenda, attendance, minutes and
// decisions.
func (s *meetings) handleMeeting(w http.ResponseWriter, r *http.Request) error {
	id, err := pagekit.IDOf(r)
	if err != nil {
		return err
	}
	v, err := s.view(r, id)
	if err != nil {
		return err
	}
	// The page names households and persons (the agenda), so a view is
	// logged as a household's is.
	if err := s.store.Audit(r.Context(), &wangge.AuditEntry{Action: "meeting.view", Object: "meeting", ObjectID: strconv.FormatInt(id, 10), GridCode: v.Meeting.AreaCode}); err != nil {
		return err
	}
	switch r.URL.Query().Get("done") {
	case "saved", "decided", "scheduled":
		v.Notice = s.core.T(r, "meeting.notice."+r.URL.Query().Get("done"))
	}
	s.render(w, r, http.StatusOK, v)
	return nil
}

// attendanceOf reads the attendance rows of the form: att_name, att_role
// and att_reason by row, att_present naming the rows ticked present.
// Rows left blank are dropped.
func attendanceOf(pf url.Values) []wangge.Attendee {
	names, roles, reasons := pf["att_name"], pf["att_role"], pf["att_reason"]
	present := map[string]bool{}
	for _, p := range pf["att_present"] {
		present[p] = true
	}
	var out []wangge.Attendee
	for i, n := range names {
		a := wangge.Attendee{Name: strings.TrimSpace(n), Present: present[strconv.Itoa(i)]}
		if i < len(roles) {
			a.Role = roles[i]
		}
		if i < len(reasons) {
			a.Reason = reasons[i]
		}
		if a.Name == "" && strings.TrimSpace(a.Role) == "" && strings.TrimSpace(a.Reason) == "" {
			continue
		}
		out = append(out, a)
	}
	return out
}

// handleRecord writes the meeting's time, place, title, attendance and
// minutes under the version the page showed. A stale version shows the
// meeting as it is now with what was typed kept in the form.
func (s *meetings) handleRecord(w http.ResponseWriter, r *http.Request) error {
	u, id, err := keeperOf(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return wangge.Invalid("form", "error.case.form")
	}
	pf := r.PostForm
	version, _ := strconv.Atoi(pf.Get("version"))
	m := &wangge.Meeting{ID: id, Version: version, Place: pf.Get("place"), Title: pf.Get("title"), Minutes: pf.Get("minutes"), Attendance: attendanceOf(pf)}
	at, err := parseAt(pf.Get("at"))
	if err == nil {
		m.At = at
		err = s.store.UpdateMeeting(r.Context(), u.Scope(), m)
	}
	if err == nil {
		http.Redirect(w, r, "/meetings/"+strconv.FormatInt(id, 10)+"?done=saved", http.StatusSeeOther)
		return nil
	}
	if code := wangge.ErrorCode(err); code != wangge.EInvalid && code != wangge.EConflict {
		return err
	}
	v, verr := s.view(r, id)
	if verr != nil {
		return verr
	}
	// What was typed, on the meeting as it is now.
	v.Stale = isStale(err)
	v.Error = errText(r, err)
	if v.Stale {
		v.Error = s.core.T(r, "meeting.stale")
	}
	v.Meeting.Place, v.Meeting.Title, v.Meeting.Minutes = m.Place, m.Title, m.Minutes
	if !at.IsZero() {
		v.AtInput = at.In(whttp.ChinaTime).Format(meetingAt)
	}
	v.Attendance = append(m.Attendance, make([]wangge.Attendee, blankAttendees)...)
	s.render(w, r, whttp.Status(err), v)
	return nil
}

// handleDecide records a decision: following up a case of the agenda, or
// opening one (coordination: the community takes it on) in the grid, at
// the household an agenda item names, with the decision's text as its
// description. The form's token makes a double tap one decision.
func (s *meetings) handleDecide(w http.ResponseWriter, r *http.Request) error {
	u, id, err := keeperOf(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return wangge.Invalid("form", "error.case.form")
	}
	pf := r.PostForm
	d := wangge.DecisionDraft{Text: pf.Get("text"), CaseNumber: strings.TrimSpace(pf.Get("case")), Key: pf.Get("token")}
	var newCase *casework.Draft
	if d.CaseNumber == "" {
		cat, err := s.category(r.Context(), pf.Get("category"))
		if err != nil {
			return s.decideFailed(w, r, id, err)
		}
		household, err := optionalID(pf.Get("household"))
		if err != nil {
			return err
		}
		newCase = &casework.Draft{Source: casework.SourceWalkIn, Category: cat, Mechanism: casework.Coordination,
			Location: casework.Location{GridCode: pf.Get("grid"), HouseholdID: household}}
	}
	if _, err := s.store.DecideInMeeting(r.Context(), u.Scope(), caseActor(r), id, d, newCase); err != nil {
		return s.decideFailed(w, r, id, err)
	}
	http.Redirect(w, r, "/meetings/"+strconv.FormatInt(id, 10)+"?done=decided#decisions", http.StatusSeeOther)
	return nil
}

// category is a problem type or active service of the catalogue.
func (s *meetings) category(ctx context.Context, code string) (casework.Category, error) {
	services, err := s.store.ListServices(ctx, "", true)
	if err != nil {
		return casework.Category{}, err
	}
	for _, c := range casework.Categories(services) {
		if c.Code == code {
			return c, nil
		}
	}
	return casework.Category{}, wangge.Invalid("category", "error.case.category")
}

func (s *meetings) decideFailed(w http.ResponseWriter, r *http.Request, id int64, err error) error {
	switch wangge.ErrorCode(err) {
	case wangge.EInvalid, wangge.EConflict, wangge.EForbidden:
	default:
		return err
	}
	v, verr := s.view(r, id)
	if verr != nil {
		return verr
	}
	v.Error = errText(r, err)
	s.render(w, r, whttp.Status(err), v)
	return nil
}

// handleNextWeek schedules next week's meeting like this one and goes to it.
func (s *meetings) handleNextWeek(w http.ResponseWriter, r *http.Request) error {
	u, id, err := keeperOf(r)
	if err != nil {
		return err
	}
	m, err := s.store.Meeting(r.Context(), u.Scope(), id)
	if err != nil {
		return err
	}
	next := m.NextWeek()
	if err := s.store.CreateMeeting(r.Context(), u.Scope(), &next); err != nil {
		return err
	}
	http.Redirect(w, r, "/meetings/"+strconv.FormatInt(next.ID, 10)+"?done=scheduled", http.StatusSeeOther)
	return nil
}

// handlePrint is the minutes as one A4 page: the meeting, who came and who
// did not, the minutes, the decisions with their cases, and the agenda's
// counts.
func (s *meetings) handlePrint(w http.ResponseWriter, r *http.Request) error {
	id, err := pagekit.IDOf(r)
	if err != nil {
		return err
	}
	v, err := s.view(r, id)
	if err != nil {
		return err
	}
	v.Attendance = v.Meeting.Attendance
	v.PrintedAt = s.core.Now()
	// The minutes leave the system on paper: who printed them is logged.
	if err := s.store.Audit(r.Context(), &wangge.AuditEntry{Action: "meeting.print", Object: "meeting", ObjectID: strconv.FormatInt(id, 10),
		GridCode: v.Meeting.AreaCode, Detail: `{"decisions":` + strconv.Itoa(len(v.Decisions)) + `}`}); err != nil {
		return err
	}
	crumbs := []whttp.Crumb{{Name: s.core.T(r, "meeting.list.title"), URL: "/meetings"}, {Name: v.Meeting.Title, URL: "/meetings/" + strconv.FormatInt(id, 10)}, {Name: s.core.T(r, "meeting.print")}}
	s.core.Render(w, r, http.StatusOK, "meeting_print", &whttp.View{Title: v.Meeting.Title, Crumbs: crumbs, Data: v})
	return nil
}
