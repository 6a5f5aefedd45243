package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	whttp "github.com/wangge/wangge/http"
)

// The phone workbench's part of the API (issue 13): the assistant's day
// ("my grid today", also what the phone keeps for offline work), a visit
// sent from the phone's queue under the client's UUID, and the ledger
// change proposals visits make. Every read keeps to the session's scope;
// every write is the store's, which checks the scope in its transaction.

// WorkbenchStore is what the workbench's handlers use of the store.
type WorkbenchStore interface {
	GridDay(ctx context.Context, s wangge.Scope, grid string) (*wangge.GridDay, error)
	RecordVisit(ctx context.Context, s wangge.Scope, a casework.Actor, v *wangge.Visit, changes []wangge.LedgerChange, d *casework.Draft, key string) (wangge.VisitAnswer, bool, error)
	Visit(ctx context.Context, s wangge.Scope, id int64) (*wangge.Visit, error)
	ListLedgerChanges(ctx context.Context, s wangge.Scope, f wangge.LedgerChangeFilter) ([]wangge.LedgerChange, int, error)
	DecideLedgerChange(ctx context.Context, s wangge.Scope, d wangge.LedgerDecision) (*wangge.LedgerChange, error)
	ListCases(ctx context.Context, a casework.Actor, f casework.Filter) ([]casework.Case, int, error)
	CaseEngine(ctx context.Context) (*casework.Engine, error)
	ListServices(ctx context.Context, line wangge.Line, activeOnly bool) ([]wangge.Service, error)
	NextMeeting(ctx context.Context, s wangge.Scope, grid string) (*wangge.Meeting, error)
}

type workbenchHandlers struct {
	store WorkbenchStore
	now   func() time.Time
}

// workbenchRoutes are the workbench's routes; a store that keeps no
// visits' requests is a wiring mistake, caught when the server is built.
func workbenchRoutes(core *whttp.Server, store wangge.Store) []whttp.Route {
	ws, ok := store.(WorkbenchStore)
	if !ok {
		panic("api: the store does not keep the workbench (it implements no api.WorkbenchStore)")
	}
	h := &workbenchHandlers{store: ws, now: core.Now}
	return []whttp.Route{
		core.Page("GET /api/v1/workbench", wangge.PermViewPeople, h.handleWorkbench),
		core.Page("POST /api/v1/visits", wangge.PermEditPeople, h.handleVisit),
		core.Page("GET /api/v1/ledger-changes", wangge.PermViewPeople, h.handleLedgerChanges),
		core.Page("POST /api/v1/ledger-changes/{id}/confirm", wangge.PermEditPeople, h.handleDecide(true)),
		core.Page("POST /api/v1/ledger-changes/{id}/refuse", wangge.PermEditPeople, h.handleDecide(false)),
	}
}

// Bounds of the workbench's lists.
const (
	// workbenchCasesMax bounds the open cases the day reads of a grid (a
	// grid has a few a week; hundreds open would be a backlog to clear on
	// the board, not on a phone).
	workbenchCasesMax = 500
	// ledgerChangesPage is the default page of the proposals' list,
	// ledgerChangesMax its largest.
	ledgerChangesPage = 50
	ledgerChangesMax  = 200
)

// awaited are the moves that make a case wait on its actor (the same set
// the notifications count): not what anyone may do at any time.
var awaited = []casework.ActionName{
	casework.ActAcknowledge, casework.ActDispatch, casework.ActAccept, casework.ActHandle, casework.ActVerify,
	casework.ActSubmit, casework.ActApprove, casework.ActApproveDefer, casework.ActFeedback, casework.ActClose,
}

type gridRefJSON struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type assistantRefJSON struct {
	Name      string `json:"name"`
	WorkPhone string `json:"work_phone"`
}

type dueJSON struct {
	HouseholdID    int64      `json:"household_id"`
	BuildingID     int64      `json:"building_id"`
	Building       string     `json:"building"`
	Room           string     `json:"room"`
	HeadNameMasked string     `json:"head_name_masked"`
	Key            []string   `json:"key"`
	LastVisit      *time.Time `json:"last_visit"`
	DaysSince      *int       `json:"days_since"`
}

type dayCaseJSON struct {
	Number       string     `json:"number"`
	Category     string     `json:"category"`
	CategoryName string     `json:"category_name"`
	Mechanism    string     `json:"mechanism"`
	State        string     `json:"state"`
	Light        *string    `json:"light"`
	Due          *time.Time `json:"due"`
	Awaiting     string     `json:"awaiting"`
	Version      int        `json:"version"`
}

type dayHouseholdJSON struct {
	ID             int64           `json:"id"`
	BuildingID     int64           `json:"building_id"`
	Building       string          `json:"building"`
	Room           string          `json:"room"`
	HeadNameMasked string          `json:"head_name_masked"`
	Members        int             `json:"members"`
	Persons        []dayPersonJSON `json:"persons"`
}

// dayPersonJSON is a member a visit's change may name: by id, the name
// masked.
type dayPersonJSON struct {
	ID         int64  `json:"id"`
	NameMasked string `json:"name_masked"`
}

type dayBuildingJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type dayCategoryJSON struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Mechanism string `json:"mechanism"`
}

// dayMeetingJSON is the next grid meeting (网格化工作例会) of the grid or
// its community.
type dayMeetingJSON struct {
	ID    int64     `json:"id"`
	At    time.Time `json:"at"`
	Title string    `json:"title"`
	Place string    `json:"place,omitempty"`
}

type workbenchJSON struct {
	Grid        gridRefJSON        `json:"grid"`
	Assistant   *assistantRefJSON  `json:"assistant"`
	Due         []dueJSON          `json:"due"`
	Cases       []dayCaseJSON      `json:"cases"`
	FeedbackDue []dayCaseJSON      `json:"feedback_due"`
	Meeting     *dayMeetingJSON    `json:"meeting"`
	Households  []dayHouseholdJSON `json:"households"`
	Buildings   []dayBuildingJSON  `json:"buildings"`
	Units       []dayBuildingJSON  `json:"units"`
	Categories  []dayCategoryJSON  `json:"categories"`
	GeneratedAt time.Time          `json:"generated_at"`
}

// dayGrid is the grid the day is of: an assistant's own (the scope's
// grid), or for staff the ?grid= they name within their scope.
func dayGrid(r *http.Request, u *wangge.User) (string, error) {
	grid := strings.TrimSpace(r.URL.Query().Get("grid"))
	if grid == "" && len(u.ScopeCode) == wangge.GridCodeLen {
		grid = u.ScopeCode
	}
	if len(grid) != wangge.GridCodeLen || !wangge.ValidRegionCode(grid) {
		return "", wangge.Invalid("grid", "error.api.workbench_grid")
	}
	return grid, nil // one outside the scope the store finds not at all
}

// handleWorkbench answers GET /api/v1/workbench: the grid's working day.
func (h *workbenchHandlers) handleWorkbench(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := whttp.UserFrom(ctx)
	a := casework.ActorOf(u)
	grid, err := dayGrid(r, u)
	if err != nil {
		return err
	}
	day, err := h.store.GridDay(ctx, u.Scope(), grid)
	if err != nil {
		return err
	}
	now := h.now()
	out := workbenchJSON{Grid: gridRefJSON{Code: day.GridCode, Name: day.GridName}, Due: []dueJSON{}, Cases: []dayCaseJSON{},
		FeedbackDue: []dayCaseJSON{}, Households: make([]dayHouseholdJSON, 0, len(day.Households)),
		Buildings: make([]dayBuildingJSON, 0, len(day.Buildings)), Categories: []dayCategoryJSON{}, GeneratedAt: now.UTC()}
	if day.AssistantName != "" {
		out.Assistant = &assistantRefJSON{Name: day.AssistantName, WorkPhone: day.AssistantPhone}
	}
	for _, hh := range wangge.DueForVisit(day.Households, wangge.DefaultVisitCycle, now) {
		d := dueJSON{HouseholdID: hh.ID, BuildingID: hh.BuildingID, Building: hh.Building, Room: hh.Room,
			HeadNameMasked: hh.HeadMasked, Key: hh.Keys, LastVisit: hh.LastVisit}
		if d.Key == nil {
			d.Key = []string{}
		}
		if n, ok := hh.DaysSince(now); ok {
			d.DaysSince = &n
		}
		out.Due = append(out.Due, d)
	}
	for _, hh := range day.Households {
		persons := make([]dayPersonJSON, 0, len(hh.Persons))
		for _, p := range hh.Persons {
			persons = append(persons, dayPersonJSON{ID: p.ID, NameMasked: p.NameMasked})
		}
		out.Households = append(out.Households, dayHouseholdJSON{ID: hh.ID, BuildingID: hh.BuildingID, Building: hh.Building,
			Room: hh.Room, HeadNameMasked: hh.HeadMasked, Members: hh.Members, Persons: persons})
	}
	for _, b := range day.Buildings {
		out.Buildings = append(out.Buildings, dayBuildingJSON{ID: b.ID, Name: b.Name})
	}
	out.Units = make([]dayBuildingJSON, 0, len(day.Units)) // the same shape: an id and a name
	for _, un := range day.Units {
		out.Units = append(out.Units, dayBuildingJSON{ID: un.ID, Name: un.Name})
	}
	if m, err := h.store.NextMeeting(ctx, u.Scope(), grid); err != nil {
		return err
	} else if m != nil {
		out.Meeting = &dayMeetingJSON{ID: m.ID, At: m.At.UTC(), Title: m.Title, Place: m.Place}
	}
	eng, err := h.store.CaseEngine(ctx)
	if err != nil {
		return err
	}
	cases, _, err := h.store.ListCases(ctx, a, casework.Filter{Area: grid, Open: true, Board: true, Page: wangge.Page{Limit: workbenchCasesMax}})
	if err != nil {
		return err
	}
	for i := range cases {
		c := &cases[i]
		next := awaitedOf(eng.Allowed(c, a, now))
		if next == "" {
			continue
		}
		dc := dayCaseJSON{Number: c.Number, Category: c.Category.Code, CategoryName: c.Category.Name, Mechanism: string(c.Mechanism),
			State: string(c.State), Awaiting: string(next), Version: c.Version}
		if d := c.Running(); d != nil {
			light, due := string(eng.Light(d, now)), d.Due
			dc.Light, dc.Due = &light, &due
		}
		out.Cases = append(out.Cases, dc)
		if next == casework.ActFeedback {
			out.FeedbackDue = append(out.FeedbackDue, dc)
		}
	}
	services, err := h.store.ListServices(ctx, "", true)
	if err != nil {
		return err
	}
	for _, c := range casework.Categories(services) {
		out.Categories = append(out.Categories, dayCategoryJSON{Code: c.Code, Name: c.Name, Mechanism: string(c.Mechanism)})
	}
	w.Header().Set("Cache-Control", "private, no-store")
	whttp.WriteJSON(w, http.StatusOK, out)
	return nil
}

// awaitedOf is the first of the allowed actions that makes a case wait on
// the actor, in the order of awaited; "" when none does.
func awaitedOf(allowed []casework.ActionName) casework.ActionName {
	for _, n := range awaited {
		for _, x := range allowed {
			if x == n {
				return n
			}
		}
	}
	return ""
}

// visitBody is the body of POST /api/v1/visits.
type visitBody struct {
	HouseholdID *int64  `json:"household_id"`
	UnitID      *int64  `json:"unit_id"`
	Place       *string `json:"place"`
	At          string  `json:"at"`
	Purpose     string  `json:"purpose"`
	Met         string  `json:"met"`
	Clears      *struct {
		Household  string `json:"household"`
		Categories string `json:"categories"`
		Facilities string `json:"facilities"`
		Dangers    string `json:"dangers"`
		Needs      string `json:"needs"`
		HotIssues  string `json:"hot_issues"`
	} `json:"clears"`
	Note    string `json:"note"`
	Changes []struct {
		Kind     string `json:"kind"`
		PersonID *int64 `json:"person_id"`
		Name     string `json:"name"`
		Detail   string `json:"detail"`
	} `json:"changes"`
	Case *struct {
		Mechanism   string `json:"mechanism"`
		Category    string `json:"category"`
		Description string `json:"description"`
		Done        string `json:"done"`
	} `json:"case"`
}

// visitText is one free text of a visit body: its field, where it goes
// and what was sent.
type visitText struct {
	field string
	dst   *string
	src   string
}

// visitOf checks a visit body field by field and makes the visit, its
// proposals and its case's draft.
func (h *workbenchHandlers) visitOf(ctx context.Context, u *wangge.User, b *visitBody) (*wangge.Visit, []wangge.LedgerChange, *casework.Draft, error) {
	v := &wangge.Visit{AssistantID: *u.AssistantID, HouseholdID: b.HouseholdID, UnitID: b.UnitID}
	given := 0
	for _, x := range []bool{b.HouseholdID != nil, b.UnitID != nil, b.Place != nil} {
		if x {
			given++
		}
	}
	if given != 1 {
		return nil, nil, nil, wangge.Invalid("household_id", "error.api.visit_target")
	}
	at, err := time.Parse(time.RFC3339, strings.TrimSpace(b.At))
	if err != nil {
		return nil, nil, nil, wangge.Invalid("at", "error.api.visit_at")
	}
	v.At = at.UTC()
	texts := []visitText{{"purpose", &v.Purpose, b.Purpose}, {"met", &v.Met, b.Met}, {"note", &v.Note, b.Note}}
	if b.Place != nil {
		texts = append(texts, visitText{"place", &v.Place, *b.Place})
	}
	if c := b.Clears; c != nil {
		texts = append(texts, []visitText{
			{"clears.household", &v.Clears.Household, c.Household}, {"clears.categories", &v.Clears.Categories, c.Categories},
			{"clears.facilities", &v.Clears.Facilities, c.Facilities}, {"clears.dangers", &v.Clears.Dangers, c.Dangers},
			{"clears.needs", &v.Clears.Needs, c.Needs}, {"clears.hot_issues", &v.Clears.HotIssues, c.HotIssues},
		}...)
	}
	for _, x := range texts {
		s := strings.TrimSpace(x.src)
		if utf8.RuneCountInString(s) > wangge.VisitTextMax {
			return nil, nil, nil, wangge.Invalid(x.field, "error.visit.text", "Field", x.field, "Max", wangge.VisitTextMax)
		}
		*x.dst = s
	}
	if b.Place != nil && v.Place == "" {
		return nil, nil, nil, wangge.Invalid("place", "error.visit.place")
	}
	if len(b.Changes) > wangge.VisitChangesMax {
		return nil, nil, nil, wangge.Invalid("changes", "error.visit.changes", "Max", wangge.VisitChangesMax)
	}
	var changes []wangge.LedgerChange
	for i, c := range b.Changes {
		field := "changes[" + strconv.Itoa(i) + "]"
		lc := wangge.LedgerChange{Kind: wangge.LedgerChangeKind(c.Kind), PersonID: c.PersonID, Name: c.Name, Detail: c.Detail, HouseholdID: 1}
		if !lc.Kind.Valid() {
			return nil, nil, nil, wangge.Invalid(field+".kind", "error.api.change_kind")
		}
		if b.HouseholdID == nil {
			return nil, nil, nil, wangge.Invalid("household_id", "error.visit.household_needed")
		}
		// The household is the visit's; Normalize checks the rest here so
		// the phone hears of a mistake before anything is written.
		if err := lc.Normalize(); err != nil {
			return nil, nil, nil, detailField(err, field)
		}
		lc.HouseholdID = 0
		changes = append(changes, lc)
	}
	var d *casework.Draft
	if c := b.Case; c != nil {
		if b.HouseholdID == nil {
			return nil, nil, nil, wangge.Invalid("household_id", "error.visit.household_needed")
		}
		m := casework.Mechanism(c.Mechanism)
		if m != casework.General && m != casework.Coordination {
			return nil, nil, nil, wangge.Invalid("case.mechanism", "error.visit.case_mechanism")
		}
		services, err := h.store.ListServices(ctx, "", true)
		if err != nil {
			return nil, nil, nil, err
		}
		d = &casework.Draft{Mechanism: m, Description: strings.TrimSpace(c.Description), Done: strings.TrimSpace(c.Done)}
		code := strings.TrimSpace(c.Category)
		for _, cat := range casework.Categories(services) {
			if cat.Code == code {
				d.Category = cat
				break
			}
		}
		if d.Category.Code == "" {
			return nil, nil, nil, wangge.Invalid("case.category", "error.api.case_category", "Code", code)
		}
		if utf8.RuneCountInString(d.Description) > casework.NoteMax {
			return nil, nil, nil, wangge.Invalid("case.description", "error.case.description", "Max", casework.NoteMax)
		}
		if utf8.RuneCountInString(d.Done) > casework.NoteMax {
			return nil, nil, nil, wangge.Invalid("case.done", "error.case.note_length", "Max", casework.NoteMax)
		}
		if m == casework.General && d.Done == "" {
			return nil, nil, nil, wangge.Invalid("case.done", "error.case.done")
		}
	}
	return v, changes, d, nil
}

// detailField puts the part of the body in front of a field error's field.
func detailField(err error, prefix string) error {
	e, ok := err.(*wangge.Error)
	if !ok || e.Field == "" {
		return err
	}
	out := *e
	out.Field = prefix + "." + e.Field
	return &out
}

type visitOutJSON struct {
	ID          int64            `json:"id"`
	GridCode    string           `json:"grid_code"`
	HouseholdID *int64           `json:"household_id"`
	UnitID      *int64           `json:"unit_id"`
	Place       string           `json:"place"`
	At          time.Time        `json:"at"`
	Purpose     string           `json:"purpose"`
	Met         string           `json:"met"`
	Clears      wangge.SixClears `json:"clears"`
	Note        string           `json:"note"`
}

type proposalOutJSON struct {
	ID    int64  `json:"id"`
	Kind  string `json:"kind"`
	State string `json:"state"`
}

type visitCaseJSON struct {
	Number string `json:"number"`
	State  string `json:"state"`
}

type visitAnswerJSON struct {
	Visit     visitOutJSON      `json:"visit"`
	Proposals []proposalOutJSON `json:"proposals"`
	Case      *visitCaseJSON    `json:"case"`
}

// handleVisit answers POST /api/v1/visits: 201 with the visit, its
// proposals and its case; a resend under the same Idempotency-Key and
// with the same body 200 with the same answer; the same key with another
// body 409.
func (h *workbenchHandlers) handleVisit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := whttp.UserFrom(ctx)
	if u.AssistantID == nil {
		return wangge.E(wangge.EForbidden, "error.visit.no_assistant")
	}
	key, err := idempotencyKey(r)
	if err != nil {
		return err
	}
	var body visitBody
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	v, changes, d, err := h.visitOf(ctx, u, &body)
	if err != nil {
		return err
	}
	ans, replayed, err := h.store.RecordVisit(ctx, u.Scope(), casework.ActorOf(u), v, changes, d, key)
	if err != nil {
		return err
	}
	got, err := h.store.Visit(ctx, u.Scope(), ans.VisitID)
	if err != nil {
		return err
	}
	out := visitAnswerJSON{Visit: visitOutJSON{ID: got.ID, GridCode: got.GridCode, HouseholdID: got.HouseholdID, UnitID: got.UnitID,
		Place: got.Place, At: got.At, Purpose: got.Purpose, Met: got.Met, Clears: got.Clears, Note: got.Note},
		Proposals: []proposalOutJSON{}}
	for _, p := range ans.Proposals {
		out.Proposals = append(out.Proposals, proposalOutJSON{ID: p.ID, Kind: string(p.Kind), State: string(p.State)})
	}
	if ans.CaseNumber != "" {
		out.Case = &visitCaseJSON{Number: ans.CaseNumber, State: ans.CaseState}
	}
	status := http.StatusCreated
	if replayed {
		status = http.StatusOK
	}
	whttp.WriteJSON(w, status, out)
	return nil
}

type ledgerChangeJSON struct {
	ID             int64      `json:"id"`
	HouseholdID    int64      `json:"household_id"`
	VisitID        int64      `json:"visit_id"`
	GridCode       string     `json:"grid_code"`
	Kind           string     `json:"kind"`
	PersonID       *int64     `json:"person_id"`
	PersonName     string     `json:"person_name"`
	Name           string     `json:"name"`
	Detail         string     `json:"detail"`
	State          string     `json:"state"`
	ProposedByName string     `json:"proposed_by_name"`
	ProposedAt     time.Time  `json:"proposed_at"`
	DecidedByName  string     `json:"decided_by_name"`
	DecidedAt      *time.Time `json:"decided_at"`
	Reason         string     `json:"reason"`
	Version        int        `json:"version"`
}

func ledgerChangeOf(c *wangge.LedgerChange) ledgerChangeJSON {
	return ledgerChangeJSON{ID: c.ID, HouseholdID: c.HouseholdID, VisitID: c.VisitID, GridCode: c.GridCode, Kind: string(c.Kind),
		PersonID: c.PersonID, PersonName: c.PersonName, Name: c.Name, Detail: c.Detail, State: string(c.State),
		ProposedByName: c.ProposedByName, ProposedAt: c.ProposedAt, DecidedByName: c.DecidedByName, DecidedAt: c.DecidedAt,
		Reason: c.Reason, Version: c.Version}
}

// handleLedgerChanges answers GET /api/v1/ledger-changes[?state=&grid=
// &household_id=&offset=&limit=]: the proposals in the caller's scope.
func (h *workbenchHandlers) handleLedgerChanges(w http.ResponseWriter, r *http.Request) error {
	u := whttp.UserFrom(r.Context())
	q := r.URL.Query()
	f := wangge.LedgerChangeFilter{State: wangge.LedgerChangeState(q.Get("state")), Page: wangge.Page{Limit: ledgerChangesPage}}
	if f.State != "" && !f.State.Valid() {
		return wangge.Invalid("state", "error.ledger_change.state")
	}
	if g := q.Get("grid"); g != "" {
		if !wangge.ValidRegionCode(g) {
			return wangge.Invalid("grid", "error.api.workbench_grid")
		}
		f.GridCode = g
	}
	for _, p := range []struct {
		name string
		dst  *int
		max  int
	}{{"offset", &f.Page.Offset, 1 << 30}, {"limit", &f.Page.Limit, ledgerChangesMax}} {
		if s := q.Get(p.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > p.max || p.name == "limit" && n == 0 {
				return wangge.Invalid(p.name, "error.api.json_type", "Field", p.name)
			}
			*p.dst = n
		}
	}
	if s := q.Get("household_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return wangge.Invalid("household_id", "error.api.json_type", "Field", "household_id")
		}
		f.HouseholdID = n
	}
	list, total, err := h.store.ListLedgerChanges(r.Context(), u.Scope(), f)
	if err != nil {
		return err
	}
	out := make([]ledgerChangeJSON, 0, len(list))
	for i := range list {
		out = append(out, ledgerChangeOf(&list[i]))
	}
	whttp.WriteJSON(w, http.StatusOK, map[string]any{"ledger_changes": out, "total": total})
	return nil
}

// handleDecide answers POST /api/v1/ledger-changes/{id}/confirm and
// …/refuse with {"version", "reason"}: the proposal as decided; one
// decided already, or at another version, is 409.
func (h *workbenchHandlers) handleDecide(confirm bool) whttp.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		u := whttp.UserFrom(r.Context())
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			return wangge.ErrNotFound
		}
		var body struct {
			Version *int   `json:"version"`
			Reason  string `json:"reason"`
		}
		if err := decodeBody(w, r, &body); err != nil {
			return err
		}
		if body.Version == nil || *body.Version <= 0 {
			return wangge.Invalid("version", "error.api.json_type", "Field", "version")
		}
		c, err := h.store.DecideLedgerChange(r.Context(), u.Scope(), wangge.LedgerDecision{ID: id, Version: *body.Version,
			Confirm: confirm, Reason: body.Reason, ByName: u.DisplayName})
		if err != nil {
			return err
		}
		whttp.WriteJSON(w, http.StatusOK, map[string]any{"ledger_change": ledgerChangeOf(c)})
		return nil
	}
}
