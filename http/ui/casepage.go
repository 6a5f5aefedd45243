package ui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/attach"
	"github.com/wangge/wangge/casework"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/ident"
)

// The case pages (issue 12): registering a case on one short form, a
// case's page with its deadline, place, reporter, attachments and
// timeline, and as buttons exactly the actions the engine allows this
// viewer now. The board, the inbox and the supervision view are
// caseboard.go's; this file links back to /cases.

// CaseStore is what the case pages read and write: the cases the actor
// sees and their transitions, attachments and the audited reveal of a
// reporter's contact; the engine for the buttons and the lights; and the
// places a case is registered at (grids in scope, a building, a
// household) with the services catalogue its categories come from.
type CaseStore interface {
	CreateCase(ctx context.Context, a casework.Actor, d casework.Draft, key string) (*casework.Case, error)
	Case(ctx context.Context, a casework.Actor, number string) (*casework.Case, error)
	ApplyCase(ctx context.Context, a casework.Actor, t casework.Transition) (*casework.Case, casework.Event, error)
	AttachToCase(ctx context.Context, a casework.Actor, number, name string, data []byte) (*casework.Attachment, error)
	CaseAttachments(ctx context.Context, a casework.Actor, number string) ([]casework.Attachment, error)
	CaseAttachment(ctx context.Context, a casework.Actor, number string, id int64) (*casework.Attachment, []byte, error)
	RevealCaseContact(ctx context.Context, a casework.Actor, number, reason string) (string, error)
	CaseEngine(ctx context.Context) (*casework.Engine, error)

	Area(ctx context.Context, code string) (*wangge.Area, error)
	ListAreas(ctx context.Context, f wangge.AreaFilter) ([]wangge.Area, int, error)
	Building(ctx context.Context, scope wangge.Scope, id int64) (*wangge.Building, error)
	Household(ctx context.Context, scope wangge.Scope, id int64) (*wangge.Household, error)
	ListServices(ctx context.Context, line wangge.Line, activeOnly bool) ([]wangge.Service, error)
}

// casePages are the case pages' handlers.
type casePages struct {
	core  *whttp.Server
	store CaseStore
}

// casePageRoutes are the routes of registering a case and of a case's
// page. The store is the one wangge.Store the server was given: the case
// store is the same object (casework.Store lives beside the engine, so
// wangge.Store cannot embed it).
func casePageRoutes(core *whttp.Server, store wangge.Store) []whttp.Route {
	cs, ok := store.(CaseStore)
	if !ok {
		panic("ui: the store does not keep cases (it implements no ui.CaseStore)")
	}
	s := &casePages{core: core, store: cs}
	return []whttp.Route{
		core.Page("GET /cases/new", wangge.PermCases, s.handleNewForm),
		core.Page("POST /cases/new", wangge.PermCases, s.handleCreate),
		core.Page("GET /cases/{number}", wangge.PermCases, s.handleCase),
		core.Page("POST /cases/{number}/actions", wangge.PermCases, s.handleAction),
		core.Page("POST /cases/{number}/attachments", wangge.PermCases, s.handleUpload),
		core.Page("GET /cases/{number}/attachments/{id}", wangge.PermCases, s.handleAttachment),
		// A reporter's contact in full, for a reason, audited and counted
		// against the hourly reveal limit in the store.
		core.Page("POST /cases/{number}/reveal", wangge.PermCases, s.handleReveal),
	}
}

// caseActor is the case actor of the request's account; an account
// without a display name is named by its username in the timeline.
func caseActor(r *http.Request) casework.Actor {
	u := whttp.UserFrom(r.Context())
	a := casework.ActorOf(u)
	if a.Name == "" {
		a.Name = u.Username
	}
	return a
}

// errText is an error's text in the request's language.
func errText(r *http.Request, err error) string {
	if whttp.LangOf(r) == whttp.LangEn {
		return wangge.ErrorMessage(err)
	}
	return wangge.ErrorZh(err)
}

// errField is the field a domain error is about, "" for none.
func errField(err error) string {
	var e *wangge.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// isStale tells a stale version (someone else changed the case since the
// page was read) from the engine's refusals, which are conflicts too.
func isStale(err error) bool {
	var e *wangge.Error
	return errors.Is(err, wangge.ErrConflict) || errors.As(err, &e) && e.Key == wangge.ErrConflict.Key
}

// categoryName is a category's name in the page's language (the services
// catalogue is in Chinese only).
func categoryName(l whttp.Lang, c casework.Category) string {
	if l == whttp.LangEn && c.NameEn != "" {
		return c.NameEn
	}
	return c.Name
}

// categories are the problem types followed by the active services.
func (s *casePages) categories(ctx context.Context) ([]casework.Category, error) {
	services, err := s.store.ListServices(ctx, "", true)
	if err != nil {
		return nil, err
	}
	return casework.Categories(services), nil
}

// Registering a case.

// caseForm is what the register form holds, as typed.
type caseForm struct {
	Token       string
	Mechanism   string
	Category    string
	Grid        string
	Building    int64
	Household   int64
	Description string
	Anonymous   bool
	Name        string
	Contact     string
	Source      string
	Priority    string
	Done        string
	Materials   []string
}

// categoryOption is one choice of the category list.
type categoryOption struct {
	Code, Name, Line string
	Mechanism        casework.Mechanism
	Materials        string // "；"-joined, for case.js to offer as checkboxes
}

// materialOption is one of a category's materials on the register form.
type materialOption struct {
	Name    string
	Checked bool
}

// newCaseView is what the register form shows.
type newCaseView struct {
	Form       caseForm
	Mechanisms []casework.Mechanism
	Problems   []categoryOption
	Services   []categoryOption
	Grids      []wangge.Area
	// Place names the building or household the case is registered at.
	Place      string
	PlaceURL   string
	Sources    []casework.Source
	Priorities []casework.Priority
	// Materials are the chosen category's list, ticked as received.
	Materials []materialOption
	Errors    map[string]string
	Error     string
}

// sourcesOf are the sources a role registers from, the usual one first:
// the assistant finds problems on visits, the community hears of them at
// the office or on the phone, a department passes them on.
func sourcesOf(r wangge.Role) []casework.Source {
	switch r {
	case wangge.RoleAssistant:
		return []casework.Source{casework.SourceVisit, casework.SourcePhone, casework.SourceWalkIn}
	case wangge.RoleCommunityStaff:
		return []casework.Source{casework.SourceWalkIn, casework.SourcePhone, casework.SourceVisit}
	case wangge.RoleDepartment:
		return []casework.Source{casework.SourceDepartment, casework.SourcePhone}
	case wangge.RoleBuildingHead:
		return []casework.Source{casework.SourceVisit, casework.SourcePhone}
	}
	return []casework.Source{casework.SourcePhone}
}

// mechanismsOf are the mechanisms a role may register.
func mechanismsOf(r wangge.Role) []casework.Mechanism {
	var out []casework.Mechanism
	for _, m := range casework.Mechanisms {
		if casework.MayOpen(m, r) {
			out = append(out, m)
		}
	}
	return out
}

// newToken is the register form's idempotency key: a double submit of one
// form makes one case.
func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// gridsIn lists the current grids within the account's scope, for the
// location picker.
func (s *casePages) gridsIn(ctx context.Context, u *wangge.User) ([]wangge.Area, error) {
	f := wangge.AreaFilter{Level: wangge.LevelGrid, Page: wangge.Page{Limit: wangge.MaxPageLimit}}
	if wangge.LevelOf(u.ScopeCode) == wangge.LevelCommunity {
		f.ParentCode = u.ScopeCode
	}
	all, _, err := s.store.ListAreas(ctx, f)
	if err != nil {
		return nil, err
	}
	scope := wangge.ScopeOf(u.ScopeCode)
	var out []wangge.Area
	for _, a := range all {
		if scope.Contains(a.Code) && a.RetiredAt == nil {
			out = append(out, a)
		}
	}
	return out, nil
}

// handleNewForm shows the register form, at a building or household when
// the page it came from names one.
func (s *casePages) handleNewForm(w http.ResponseWriter, r *http.Request) error {
	u := whttp.UserFrom(r.Context())
	if len(mechanismsOf(u.Role)) == 0 {
		return whttp.ErrForbidden
	}
	f := caseForm{Token: newToken(), Source: string(sourcesOf(u.Role)[0]), Priority: string(casework.PriorityNormal)}
	var err error
	if f.Building, err = optionalID(r.URL.Query().Get("building")); err != nil {
		return err
	}
	if f.Household, err = optionalID(r.URL.Query().Get("household")); err != nil {
		return err
	}
	f.Category = r.URL.Query().Get("category")
	return s.renderNew(w, r, http.StatusOK, f, nil)
}

// optionalID reads an id that may be absent; a malformed one is not found.
func optionalID(v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, wangge.ErrNotFound
	}
	return id, nil
}

// place resolves the form's location: a household or building in scope
// gives its grid (and the building's position for the map pin), a grid
// must lie in the account's scope. A place out of scope is not found.
func (s *casePages) place(ctx context.Context, u *wangge.User, f caseForm, l whttp.Lang) (loc casework.Location, name, link string, err error) {
	scope := u.Scope()
	buildingID := f.Building
	if f.Household != 0 {
		h, err := s.store.Household(ctx, scope, f.Household)
		if err != nil {
			return loc, "", "", err
		}
		loc.HouseholdID, loc.GridCode, buildingID = h.ID, h.GridCode, h.BuildingID
		link = "/households/" + strconv.FormatInt(h.ID, 10)
		name = roomLabel(s.core, l, h)
	}
	if buildingID != 0 {
		b, err := s.store.Building(ctx, scope, buildingID)
		if err != nil {
			return loc, "", "", err
		}
		loc.BuildingID, loc.GridCode = b.ID, b.GridCode
		if b.Lng != 0 || b.Lat != 0 {
			loc.Point = &casework.Point{Lng: b.Lng, Lat: b.Lat}
		}
		if link == "" {
			link = "/buildings/" + strconv.FormatInt(b.ID, 10)
		}
		name = strings.TrimSpace(b.Name + " " + name)
		return loc, name, link, nil
	}
	if f.Grid == "" {
		return loc, "", "", wangge.Invalid("grid_code", "error.case.grid")
	}
	if !wangge.ScopeOf(u.ScopeCode).Contains(f.Grid) {
		return loc, "", "", wangge.ErrNotFound
	}
	loc.GridCode = f.Grid
	return loc, "", "", nil
}

// renderNew renders the register form with the typed values and errors.
func (s *casePages) renderNew(w http.ResponseWriter, r *http.Request, status int, f caseForm, err error) error {
	ctx := r.Context()
	u := whttp.UserFrom(ctx)
	l := whttp.LangOf(r)
	cats, cerr := s.categories(ctx)
	if cerr != nil {
		return cerr
	}
	v := &newCaseView{Form: f, Mechanisms: mechanismsOf(u.Role), Sources: sourcesOf(u.Role), Priorities: casework.Priorities, Errors: map[string]string{}}
	for _, c := range cats {
		o := categoryOption{Code: c.Code, Name: categoryName(l, c), Line: s.core.T(r, "line."+string(c.Line)), Mechanism: c.Mechanism,
			Materials: strings.Join(c.Materials, "；")}
		if c.Kind == casework.KindProblem {
			v.Problems = append(v.Problems, o)
		} else {
			v.Services = append(v.Services, o)
		}
		if c.Code == f.Category {
			for _, m := range c.Materials {
				v.Materials = append(v.Materials, materialOption{Name: m, Checked: slices.Contains(f.Materials, m)})
			}
		}
	}
	if f.Building != 0 || f.Household != 0 {
		_, v.Place, v.PlaceURL, cerr = s.place(ctx, u, f, l)
		if cerr != nil {
			return cerr
		}
	} else if v.Grids, cerr = s.gridsIn(ctx, u); cerr != nil {
		return cerr
	}
	if err != nil {
		field := errField(err)
		switch field {
		case "grid_code", "lng":
			field = "grid"
		case "reporter_name", "reporter_contact", "description", "done", "category", "mechanism", "source", "priority", "materials":
		default:
			field = ""
		}
		if field == "" {
			v.Error = errText(r, err)
		} else {
			v.Errors[field] = errText(r, err)
		}
	}
	crumbs := []whttp.Crumb{{Name: s.core.T(r, "casepage.board"), URL: "/cases"}, {Name: s.core.T(r, "casepage.new.title")}}
	s.core.Render(w, r, status, "case_new", &whttp.View{Title: s.core.T(r, "casepage.new.title"), Crumbs: crumbs, Data: v, Case: true})
	return nil
}

// contactMax bounds a reporter's contact as typed.
const contactMax = 40

// handleCreate registers the case: the engine checks the draft, the store
// numbers it; a double submit of the same form (its token) makes one case.
func (s *casePages) handleCreate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := whttp.UserFrom(ctx)
	if len(mechanismsOf(u.Role)) == 0 {
		return whttp.ErrForbidden
	}
	if err := r.ParseForm(); err != nil {
		return wangge.Invalid("form", "error.case.form")
	}
	pf := r.PostForm
	f := caseForm{Token: pf.Get("token"), Mechanism: pf.Get("mechanism"), Category: pf.Get("category"), Grid: pf.Get("grid"),
		Description: pf.Get("description"), Anonymous: pf.Get("anonymous") == "1", Name: strings.TrimSpace(pf.Get("reporter_name")),
		Contact: strings.TrimSpace(pf.Get("reporter_contact")), Source: pf.Get("source"), Priority: pf.Get("priority"),
		Done: pf.Get("done"), Materials: pf["materials"]}
	var err error
	if f.Building, err = optionalID(pf.Get("building")); err != nil {
		return err
	}
	if f.Household, err = optionalID(pf.Get("household")); err != nil {
		return err
	}
	if len(f.Token) < 16 || len(f.Token) > 64 {
		// A form without its token is not one this server gave: a new
		// token, and the typed values back to send again.
		f.Token = newToken()
		return s.renderNew(w, r, http.StatusBadRequest, f, wangge.E(wangge.EInvalid, "error.case.form"))
	}
	d, err := s.draft(ctx, u, f)
	if err != nil {
		if wangge.ErrorCode(err) == wangge.ENotFound {
			return err
		}
		return s.renderNew(w, r, whttp.Status(err), f, err)
	}
	c, err := s.store.CreateCase(ctx, caseActor(r), d, "form:"+f.Token)
	if err != nil {
		switch wangge.ErrorCode(err) {
		case wangge.EInvalid, wangge.EForbidden, wangge.EConflict:
			return s.renderNew(w, r, whttp.Status(err), f, err)
		}
		return err
	}
	to := "/cases/" + url.PathEscape(c.Number)
	if !caseActor(r).Sees(c) {
		// A department raising another line's problem hands it over: the
		// case is the community's now, and the board is where to go on.
		to = "/cases"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// draft turns the form into the engine's draft: the category from the
// catalogue (never the client's word for its line or department), the
// mechanism the category suggests unless another was chosen, the place
// resolved in scope.
func (s *casePages) draft(ctx context.Context, u *wangge.User, f caseForm) (casework.Draft, error) {
	var d casework.Draft
	cats, err := s.categories(ctx)
	if err != nil {
		return d, err
	}
	i := slices.IndexFunc(cats, func(c casework.Category) bool { return c.Code == f.Category })
	if i < 0 {
		return d, wangge.Invalid("category", "error.case.category")
	}
	d.Category = cats[i]
	d.Mechanism = casework.Mechanism(f.Mechanism)
	if f.Mechanism == "" {
		d.Mechanism = d.Category.Mechanism
		if !casework.MayOpen(d.Mechanism, u.Role) && casework.MayOpen(casework.Coordination, u.Role) {
			// A category's usual mechanism the role may not register (a
			// building head's application) goes to the community.
			d.Mechanism = casework.Coordination
		}
	}
	if !casework.MayOpen(d.Mechanism, u.Role) {
		return d, wangge.Invalid("mechanism", "error.case.mechanism_role")
	}
	if d.Location, _, _, err = s.place(ctx, u, f, whttp.LangZh); err != nil {
		return d, err
	}
	d.Source, d.Priority = casework.Source(f.Source), casework.Priority(f.Priority)
	if !slices.Contains(sourcesOf(u.Role), d.Source) {
		return d, wangge.Invalid("source", "error.case.source")
	}
	d.Description, d.Done = f.Description, f.Done
	if d.Mechanism != casework.General {
		d.Done = ""
	}
	d.Reporter = casework.Reporter{Anonymous: f.Anonymous, Name: f.Name}
	if utf8.RuneCountInString(f.Name) > 50 {
		return d, wangge.Invalid("reporter_name", "error.case.reporter_name")
	}
	if f.Contact != "" {
		p, err := ident.ParsePhone(f.Contact)
		if err != nil || len(f.Contact) > contactMax {
			return d, wangge.Invalid("reporter_contact", "error.case.contact")
		}
		d.Reporter.Contact = string(p)
	}
	for _, m := range f.Materials {
		if !slices.Contains(d.Category.Materials, m) {
			return d, wangge.Invalid("materials", "error.case.materials_unknown")
		}
	}
	if d.Mechanism == casework.Approval {
		d.Materials = f.Materials
	}
	return d, nil
}

// The case page.

// caseView is what a case's page shows.
type caseView struct {
	Case         *casework.Case
	Category     string
	LineLabel    string
	GridName     string
	Place        string
	PlaceURL     string
	Running      *casework.Deadline
	Light        casework.Light
	Calls        []string
	Contact      string // masked, or in full after a reveal
	Revealed     bool
	Reasons      []string
	RevealLimit  int
	Attachments  []attachmentView
	Actions      []actionView
	Timeline     []eventView
	LevelN       int // the level following the case, for its label
	Lines        []lineOption
	Channels     []casework.Channel
	Satisfaction []casework.Satisfaction
	// Missing are the category's materials not yet handed in (submit).
	Missing []string
	// Error is a refusal or a stale version; Form names the form it
	// belongs to ("reveal", "upload", or the action's name).
	Error string
	Form  string
	Stale bool
	// KeptNote is a note typed into a form the page no longer offers.
	KeptNote string
	// Followers are the residents who said "me too" on a public report
	// (issue 14); their and the reporter's own public updates are in the
	// timeline as Resident entries.
	Followers int
}

// eventView is one entry of the timeline; LevelN is the level an
// escalation took the case to (0 for other events).
type eventView struct {
	casework.Event
	LevelN int
	// Resident is the text of a resident's public update (/track, Open311),
	// shown in the timeline at its time; Event then holds only At.
	Resident string
}

// casePublicReader reads a case's public side (sqldb's public intake): its
// followers and the residents' updates.
type casePublicReader interface {
	PublicCase(ctx context.Context, number string) (*casework.PublicCase, error)
}

// attachmentView is one attachment as listed.
type attachmentView struct {
	casework.Attachment
	Image bool
	URL   string
}

// actionView is one button: the action, and what the viewer typed into it
// when the page is shown again after a refusal.
type actionView struct {
	Name casework.ActionName
	Open bool
	Note string
	// NoteLabel is what the action's note is ("" for an action without
	// one); NoteRequired where the engine asks for it.
	NoteLabel    string
	NoteRequired bool
}

// noteKinds say what each action's note is: the catalogue key of its
// label and whether the engine needs it. Actions not listed take an
// optional note; the close takes none.
var noteKinds = map[casework.ActionName]struct {
	label    string
	required bool
}{
	casework.ActHandle:      {"casepage.done", true},
	casework.ActReturn:      {"casepage.reason", true},
	casework.ActRework:      {"casepage.reason", true},
	casework.ActApprove:     {"casepage.reason", true},
	casework.ActReject:      {"casepage.reason", true},
	casework.ActDefer:       {"casepage.reason", true},
	casework.ActRejectDefer: {"casepage.reason", true},
	casework.ActReopen:      {"casepage.reason", true},
	casework.ActSupervise:   {"casepage.supervise_note", true},
	casework.ActFeedback:    {"casepage.said", false},
	casework.ActClose:       {"", false},
}

// lineOption is a department a case can be dispatched to, by its line.
type lineOption struct {
	Line       wangge.Line
	Label      string
	Department string
	Selected   bool
}

// departmentOf names the department of a line: the case's own category's
// where it is that line's, else the first problem type's of the line.
func departmentOf(c *casework.Case, l wangge.Line) string {
	if c.Category.Line == l && c.Category.Department != "" {
		return c.Category.Department
	}
	for _, p := range casework.ProblemTypes {
		if p.Line == l {
			return p.Department
		}
	}
	return l.Zh()
}

// dispatchLines are the departments a case can be dispatched to: one per
// business line with a department behind it (the community's own general
// line is not a receiver), the case's own line first.
func (s *casePages) dispatchLines(r *http.Request, c *casework.Case) []lineOption {
	var out []lineOption
	for _, l := range wangge.Lines {
		if l == wangge.LineGeneral {
			continue
		}
		o := lineOption{Line: l, Label: s.core.T(r, "line."+string(l)), Department: departmentOf(c, l), Selected: l == c.Category.Line}
		if o.Selected {
			out = append([]lineOption{o}, out...)
		} else {
			out = append(out, o)
		}
	}
	return out
}

// pageState is what a re-rendered page carries over from the request that
// failed: the error, which form it belongs to, the typed note.
type pageState struct {
	err      error
	form     string
	note     string
	stale    bool
	revealed string
}

// handleCase shows a case the viewer sees; any other is not found.
func (s *casePages) handleCase(w http.ResponseWriter, r *http.Request) error {
	return s.renderCase(w, r, http.StatusOK, pageState{})
}

func (s *casePages) renderCase(w http.ResponseWriter, r *http.Request, status int, st pageState) error {
	ctx := r.Context()
	a := caseActor(r)
	number := r.PathValue("number")
	if _, _, ok := casework.ParseNumber(number); !ok {
		return wangge.ErrNotFound
	}
	c, err := s.store.Case(ctx, a, number)
	if err != nil {
		return err
	}
	eng, err := s.store.CaseEngine(ctx)
	if err != nil {
		return err
	}
	now := s.core.Now()
	l := whttp.LangOf(r)
	v := &caseView{Case: c, Category: categoryName(l, c.Category), LineLabel: s.core.T(r, "line."+string(c.Category.Line)),
		Calls: c.Category.Calls, Contact: c.Reporter.Contact, Reasons: revealReasons, RevealLimit: wangge.RevealsPerHour,
		LevelN: int(c.Level), Lines: s.dispatchLines(r, c), Channels: casework.Channels, Satisfaction: casework.Satisfactions,
		Form: st.form, Stale: st.stale}
	if st.revealed != "" {
		v.Contact, v.Revealed = st.revealed, true
	}
	if st.err != nil {
		v.Error = errText(r, st.err)
	}
	if area, err := s.store.Area(ctx, c.Location.GridCode); err == nil {
		v.GridName = area.Name
	} else if !errors.Is(err, wangge.ErrNotFound) {
		return err
	}
	s.casePlace(r, c, v)
	if d := c.Running(); d != nil {
		v.Running, v.Light = d, eng.Light(d, now)
	}
	for _, m := range c.Category.Materials {
		if !slices.Contains(c.Materials, m) {
			v.Missing = append(v.Missing, m)
		}
	}
	for _, ev := range c.Events {
		e := eventView{Event: ev}
		if ev.Action == casework.ActEscalate {
			e.LevelN = int(ev.Level)
		}
		v.Timeline = append(v.Timeline, e)
	}
	if err := s.residentSide(ctx, c, v); err != nil {
		return err
	}
	for _, n := range eng.Allowed(c, a, now) {
		av := actionView{Name: n, NoteLabel: s.core.T(r, "casepage.note_optional")}
		if k, ok := noteKinds[n]; ok {
			av.NoteLabel, av.NoteRequired = "", k.required
			if k.label != "" {
				av.NoteLabel = s.core.T(r, k.label)
			}
		}
		switch {
		case string(n) == st.form:
			av.Open, av.Note = true, st.note
		case st.form == "" && n == casework.ActFeedback && c.Mechanism == casework.General:
			// The general mechanism's short path: registered handled, the
			// next tap tells the reporter and closes.
			av.Open = true
		}
		v.Actions = append(v.Actions, av)
	}
	if st.note != "" && !slices.ContainsFunc(v.Actions, func(av actionView) bool { return av.Open }) {
		// The action is no longer open to the viewer (someone took the
		// case on meanwhile): what they typed is shown, not lost.
		v.KeptNote = st.note
	}
	atts, err := s.store.CaseAttachments(ctx, a, number)
	if err != nil {
		return err
	}
	for _, at := range atts {
		v.Attachments = append(v.Attachments, attachmentView{Attachment: at, Image: strings.HasPrefix(at.ContentType, "image/"),
			URL: "/cases/" + url.PathEscape(c.Number) + "/attachments/" + strconv.FormatInt(at.ID, 10)})
	}
	title := s.core.T(r, "casepage.title", "Number", c.Number)
	crumbs := []whttp.Crumb{{Name: s.core.T(r, "casepage.board"), URL: "/cases"}, {Name: c.Number}}
	s.core.Render(w, r, status, "case", &whttp.View{Title: title, Crumbs: crumbs, Data: v, Map: c.Location.Point != nil, Case: true})
	return nil
}

// casePlace names the case's building or household: a link for those who
// may open it, the name alone otherwise.
func (s *casePages) casePlace(r *http.Request, c *casework.Case, v *caseView) {
	ctx := r.Context()
	u := whttp.UserFrom(ctx)
	scope := u.Scope()
	if c.Location.BuildingID != 0 {
		if b, err := s.store.Building(ctx, scope, c.Location.BuildingID); err == nil {
			v.Place, v.PlaceURL = b.Name, "/buildings/"+strconv.FormatInt(b.ID, 10)
		}
	}
	if c.Location.HouseholdID != 0 && u.Role.Can(wangge.PermViewPeople) {
		if h, err := s.store.Household(ctx, scope, c.Location.HouseholdID); err == nil {
			v.Place = strings.TrimSpace(v.Place + " " + roomLabel(s.core, whttp.LangOf(r), h))
			v.PlaceURL = "/households/" + strconv.FormatInt(h.ID, 10)
		}
	}
}

// Actions.

// beijingMinute is how a datetime-local field reads: a minute in Beijing time.
const beijingMinute = "2006-01-02T15:04"

// actionOf turns the posted form into the engine's action. What the
// client sends is only what a person chose: a department's name comes
// from its line, never from the form.
func actionOf(c *casework.Case, f url.Values) (casework.Action, error) {
	act := casework.Action{Name: casework.ActionName(f.Get("action")), Note: f.Get("note")}
	if !act.Name.Valid() || act.Name == casework.ActEscalate {
		return act, wangge.E(wangge.EInvalid, "error.case.action", "Action", f.Get("action"))
	}
	if v := strings.TrimSpace(f.Get("due")); v != "" {
		t, err := time.ParseInLocation(beijingMinute, v, whttp.ChinaTime)
		if err != nil {
			return act, wangge.Invalid("due", "error.case.due_format")
		}
		act.Due = t
	}
	switch act.Name {
	case casework.ActDispatch:
		switch casework.ReceiverKind(f.Get("receiver")) {
		case casework.ToDepartment:
			l := wangge.Line(f.Get("line"))
			if !l.Valid() {
				return act, wangge.Invalid("receiver", "error.case.receiver")
			}
			act.Receiver = &casework.Receiver{Kind: casework.ToDepartment, Line: l, Name: departmentOf(c, l)}
		case casework.ToOutside:
			act.Receiver = &casework.Receiver{Kind: casework.ToOutside, Name: strings.TrimSpace(f.Get("outside"))}
		}
	case casework.ActFeedback:
		act.Channel, act.NoContact, act.To = casework.Channel(f.Get("channel")), f.Get("no_contact") == "1", f.Get("to")
	case casework.ActSubmit:
		act.Materials = f["materials"]
	case casework.ActSatisfaction:
		act.Satisfaction = casework.Satisfaction(f.Get("satisfaction"))
	}
	return act, nil
}

// handleAction takes one action at the version the page was read at. A
// stale version shows the page again as it is now, with the note kept; a
// refusal shows the engine's reason; success goes back to the page (PRG).
// A feedback may close the case in the same tap ("then close"), the
// general mechanism's short path.
func (s *casePages) handleAction(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := caseActor(r)
	number := r.PathValue("number")
	if _, _, ok := casework.ParseNumber(number); !ok {
		return wangge.ErrNotFound
	}
	if err := r.ParseForm(); err != nil {
		return wangge.Invalid("form", "error.case.form")
	}
	f := r.PostForm
	st := pageState{form: f.Get("action"), note: f.Get("note")}
	version, err := strconv.Atoi(f.Get("version"))
	if err != nil || version < 1 {
		st.err = wangge.Invalid("version", "error.case.version")
		return s.renderCase(w, r, http.StatusBadRequest, st)
	}
	c, err := s.store.Case(ctx, a, number)
	if err != nil {
		return err
	}
	act, err := actionOf(c, f)
	if err != nil {
		st.err = err
		return s.renderCase(w, r, whttp.Status(err), st)
	}
	got, _, err := s.store.ApplyCase(ctx, a, casework.Transition{Number: number, Version: version, Action: act, Into: strings.TrimSpace(f.Get("into"))})
	switch {
	case isStale(err):
		st.err, st.stale = wangge.E(wangge.EConflict, "error.case.stale"), true
		return s.renderCase(w, r, http.StatusConflict, st)
	case err != nil && wangge.ErrorCode(err) != wangge.EInternal && wangge.ErrorCode(err) != wangge.ENotFound:
		st.err = err
		return s.renderCase(w, r, whttp.Status(err), st)
	case err != nil:
		return err
	}
	if got == nil {
		// The action took the case out of the viewer's sight (a
		// department that returned it): back to the board.
		http.Redirect(w, r, "/cases", http.StatusSeeOther)
		return nil
	}
	if act.Name == casework.ActFeedback && f.Get("then") == "close" {
		// The close is its own event; refused (another reporter still to
		// hear), the feedback stands and the page shows the close button
		// when it may be taken.
		if closed, _, err := s.store.ApplyCase(ctx, a, casework.Transition{Number: number, Version: got.Version,
			Action: casework.Action{Name: casework.ActClose}}); err == nil && closed != nil {
			got = closed
		} else if err != nil && wangge.ErrorCode(err) == wangge.EInternal {
			return err
		}
	}
	http.Redirect(w, r, "/cases/"+url.PathEscape(got.Number)+"#timeline", http.StatusSeeOther)
	return nil
}

// Attachments.

// handleUpload keeps a photo or document with the case: the store cleans
// it (type sniffed, EXIF dropped, size bounded) and audits it.
func (s *casePages) handleUpload(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := caseActor(r)
	number := r.PathValue("number")
	if _, _, ok := casework.ParseNumber(number); !ok {
		return wangge.ErrNotFound
	}
	r.Body = http.MaxBytesReader(w, r.Body, attach.MaxSize+1<<20)
	name, data, err := uploadedFile(r, "file", attach.MaxSize)
	if err == nil {
		_, err = s.store.AttachToCase(ctx, a, number, name, data)
	}
	if err != nil {
		switch wangge.ErrorCode(err) {
		case wangge.EInvalid, wangge.EConflict:
			return s.renderCase(w, r, whttp.Status(err), pageState{err: err, form: "upload"})
		}
		return err
	}
	http.Redirect(w, r, "/cases/"+url.PathEscape(number)+"#attachments", http.StatusSeeOther)
	return nil
}

// uploadedFile reads the one file of a multipart form, at most max bytes
// (one more tells the store it is too large).
func uploadedFile(r *http.Request, field string, max int) (string, []byte, error) {
	none := wangge.Invalid("file", "error.attach.size", "Max", attach.MaxSize>>20)
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, none
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return "", nil, none
		}
		if err != nil {
			return "", nil, none
		}
		if p.FormName() != field {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(p, int64(max)+1))
		if err != nil {
			return "", nil, none
		}
		return p.FileName(), data, nil
	}
}

// handleAttachment serves an attachment of a case the viewer sees with
// the content type the store kept (never one a browser runs as a page):
// images inline, documents as a download, never sniffed, cached only by
// the viewer's browser.
func (s *casePages) handleAttachment(w http.ResponseWriter, r *http.Request) error {
	number := r.PathValue("number")
	if _, _, ok := casework.ParseNumber(number); !ok {
		return wangge.ErrNotFound
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return wangge.ErrNotFound
	}
	at, data, err := s.store.CaseAttachment(r.Context(), caseActor(r), number, id)
	if err != nil {
		return err
	}
	disposition := "attachment"
	if strings.HasPrefix(at.ContentType, "image/") {
		disposition = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", at.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": at.Name}))
	h.Set("Cache-Control", "private, max-age=3600")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	_, err = w.Write(data)
	return err
}

// Revealing the reporter's contact.

// handleReveal shows the reporter's contact in full on the case page,
// after a reason; the store records the reveal and enforces the limit.
func (s *casePages) handleReveal(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	number := r.PathValue("number")
	if _, _, ok := casework.ParseNumber(number); !ok {
		return wangge.ErrNotFound
	}
	reason, detail := r.PostFormValue("reason"), strings.TrimSpace(r.PostFormValue("detail"))
	if !slices.Contains(revealReasons, reason) || reason == "other" && detail == "" {
		return s.renderCase(w, r, http.StatusBadRequest, pageState{err: wangge.Invalid("reason", "error.reveal.reason"), form: "reveal"})
	}
	text := s.core.TLang(whttp.LangZh, "reveal.reason."+reason)
	if detail != "" {
		text += "：" + detail
	}
	contact, err := s.store.RevealCaseContact(ctx, caseActor(r), number, text)
	if err != nil {
		switch wangge.ErrorCode(err) {
		case wangge.EInvalid, wangge.ERateLimited:
			return s.renderCase(w, r, whttp.Status(err), pageState{err: err, form: "reveal"})
		}
		return err
	}
	return s.renderCase(w, r, http.StatusOK, pageState{revealed: contact})
}

// residentSide adds what residents said of a public report: how many said
// "me too", and their updates in the timeline at their time.
func (s *casePages) residentSide(ctx context.Context, c *casework.Case, v *caseView) error {
	pr, ok := s.store.(casePublicReader)
	if !ok || !casework.IsPublic(c) {
		return nil
	}
	pc, err := pr.PublicCase(ctx, c.Number)
	if errors.Is(err, wangge.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	v.Followers = pc.Followers
	for _, u := range pc.Updates {
		if u.Kind == casework.UpdateResident {
			v.Timeline = append(v.Timeline, eventView{Event: casework.Event{At: u.At}, Resident: u.Text})
		}
	}
	slices.SortStableFunc(v.Timeline, func(a, b eventView) int { return a.At.Compare(b.At) })
	return nil
}
