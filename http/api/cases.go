package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/ident"
)

// The cases' part of the API (issue 12): the categories, creating a case
// (idempotent under an Idempotency-Key), the board's list, one case with
// its timeline and the actions its caller may take, and transitions. The
// handlers parse and check what the client sent, hand the store the
// casework.Actor of the session (the store keeps every read and write to
// what the actor sees, and the engine decides every action inside the
// store's transaction) and write what came back. Nothing the client sends
// names who acts: that is the session's account.

// CaseStore is what the case handlers use of the store: the case store,
// the engine it opens and changes cases with (for the actions a caller may
// take and the deadlines' lights), and the lookups a create's location
// needs.
type CaseStore interface {
	CreateCase(ctx context.Context, a casework.Actor, d casework.Draft, key string) (*casework.Case, error)
	Case(ctx context.Context, a casework.Actor, number string) (*casework.Case, error)
	ListCases(ctx context.Context, a casework.Actor, f casework.Filter) ([]casework.Case, int, error)
	ApplyCase(ctx context.Context, a casework.Actor, t casework.Transition) (*casework.Case, casework.Event, error)
	CaseEngine(ctx context.Context) (*casework.Engine, error)
	// CaseRequestMade tells whether the account's idempotency key made a
	// case already, so a retry is answered 200 and not 201.
	CaseRequestMade(ctx context.Context, userID int64, key string) (bool, error)
	ListServices(ctx context.Context, line wangge.Line, activeOnly bool) ([]wangge.Service, error)
	Building(ctx context.Context, scope wangge.Scope, id int64) (*wangge.Building, error)
	Household(ctx context.Context, scope wangge.Scope, id int64) (*wangge.Household, error)
}

// caseHandlers are the case routes' handlers and what they use.
type caseHandlers struct {
	store   CaseStore
	locator GridLocator
	now     func() time.Time
}

// caseRoutes are the case routes. The store is the same object as the
// wangge.Store the server runs on; one that keeps no cases is a wiring
// mistake, caught when the server is built.
func caseRoutes(core *whttp.Server, store wangge.Store) []whttp.Route {
	cs, ok := store.(CaseStore)
	if !ok {
		panic("api: the store does not keep cases (it implements no api.CaseStore)")
	}
	h := &caseHandlers{store: cs, locator: core.Locator(), now: core.Now}
	return []whttp.Route{
		core.Page("GET /api/v1/case-categories", wangge.PermCases, h.handleCategories),
		core.Page("POST /api/v1/cases", wangge.PermCases, h.handleCreate),
		core.Page("GET /api/v1/cases", wangge.PermCases, h.handleList),
		core.Page("GET /api/v1/cases/{number}", wangge.PermCases, h.handleCase),
		core.Page("POST /api/v1/cases/{number}/transitions", wangge.PermCases, h.handleTransition),
	}
}

// Bounds of what a client may send.
const (
	// caseBodyMax bounds a request body: a description and a note of
	// casework.NoteMax characters each (up to 4 bytes a character in JSON
	// escapes: 6) and the rest leave room under it.
	caseBodyMax = 64 << 10
	// idempotencyKeyMax is the store's bound (sqldb.IdempotencyKeyMax,
	// which this package may not import; a test pins that they agree).
	idempotencyKeyMax = 200
	// reporterNameMax bounds a reporter's name, in characters.
	reporterNameMax = 50
	// materialsMax bounds the materials named in one request,
	// materialNameMax each name, in characters.
	materialsMax    = 50
	materialNameMax = 100
)

func (h *caseHandlers) actor(r *http.Request) (casework.Actor, *wangge.User) {
	u := whttp.UserFrom(r.Context())
	return casework.ActorOf(u), u
}

// categoryJSON is a category as the API writes it.
type categoryJSON struct {
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	NameEn     string   `json:"name_en"`
	Kind       string   `json:"kind"`
	Line       string   `json:"line"`
	Department string   `json:"department"`
	Mechanism  string   `json:"mechanism"`
	Calls      []string `json:"calls"`
	Materials  []string `json:"materials"`
	Limit      *durJSON `json:"limit"`
	// Limits are the district's time limits of each step of the
	// category's mechanism (its settings, or the defaults), for the
	// categories list only.
	Limits map[string]durJSON `json:"limits,omitempty"`
}

type durJSON struct {
	N    int    `json:"n"`
	Unit string `json:"unit"`
}

func categoryOf(c casework.Category) categoryJSON {
	out := categoryJSON{Code: c.Code, Name: c.Name, NameEn: c.NameEn, Kind: string(c.Kind), Line: string(c.Line),
		Department: c.Department, Mechanism: string(c.Mechanism), Calls: c.Calls, Materials: c.Materials}
	if out.Calls == nil {
		out.Calls = []string{}
	}
	if out.Materials == nil {
		out.Materials = []string{}
	}
	if c.Limit.N > 0 {
		out.Limit = &durJSON{N: c.Limit.N, Unit: string(c.Limit.Unit)}
	}
	return out
}

// categories are the problem types and the active services as categories.
func (h *caseHandlers) categories(ctx context.Context) ([]casework.Category, error) {
	services, err := h.store.ListServices(ctx, "", true)
	if err != nil {
		return nil, err
	}
	return casework.Categories(services), nil
}

// handleCategories answers GET /api/v1/case-categories: each category with
// the time limits its steps run on in this district.
func (h *caseHandlers) handleCategories(w http.ResponseWriter, r *http.Request) error {
	cats, err := h.categories(r.Context())
	if err != nil {
		return err
	}
	eng, err := h.store.CaseEngine(r.Context())
	if err != nil {
		return err
	}
	out := make([]categoryJSON, 0, len(cats))
	for _, c := range cats {
		cj := categoryOf(c)
		cj.Limits = map[string]durJSON{}
		for _, st := range casework.Steps(c.Mechanism) {
			if d, ok := eng.Limit(c, c.Mechanism, st); ok {
				cj.Limits[string(st)] = durJSON{N: d.N, Unit: string(d.Unit)}
			}
		}
		out = append(out, cj)
	}
	whttp.WriteJSON(w, http.StatusOK, map[string]any{"categories": out})
	return nil
}

// decodeBody reads a JSON object of at most caseBodyMax bytes into v,
// refusing fields v does not name, values of the wrong type, anything
// after the object and a body that is not JSON, each with the field at
// fault where there is one.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return wangge.Invalid("body", "error.api.content_type")
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, caseBodyMax))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return wangge.Invalid("body", "error.api.body_too_large", "Max", caseBodyMax)
	} else if err != nil {
		return wangge.Invalid("body", "error.api.body")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr) && typeErr.Field != "":
			return wangge.Invalid(typeErr.Field, "error.api.json_type", "Field", typeErr.Field)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
			return wangge.Invalid(name, "error.api.unknown_field", "Field", name)
		}
		return wangge.Invalid("body", "error.api.json")
	}
	if dec.More() {
		return wangge.Invalid("body", "error.api.json")
	}
	if _, err := dec.Token(); err != io.EOF {
		return wangge.Invalid("body", "error.api.json")
	}
	return nil
}

// createRequest is the body of POST /api/v1/cases.
type createRequest struct {
	Mechanism   string   `json:"mechanism"`
	Category    string   `json:"category"`
	GridCode    string   `json:"grid_code"`
	BuildingID  *int64   `json:"building_id"`
	HouseholdID *int64   `json:"household_id"`
	Lng         *float64 `json:"lng"`
	Lat         *float64 `json:"lat"`
	Description string   `json:"description"`
	Done        string   `json:"done"`
	Priority    string   `json:"priority"`
	Source      string   `json:"source"`
	Materials   []string `json:"materials"`
	Reporter    *struct {
		Name      string `json:"name"`
		Contact   string `json:"contact"`
		Anonymous bool   `json:"anonymous"`
	} `json:"reporter"`
}

// sourcesFor are the sources an account of each role may claim, the
// default first: what an assistant raises comes from a visit, what staff
// raise came in at the office or by phone, a department's from the
// department, a building head's from his building by phone. The public
// intakes (kiosk, resident page, Open311) are the system's to claim,
// never a logged-in client's.
func sourcesFor(r wangge.Role) []casework.Source {
	switch r {
	case wangge.RoleAssistant:
		return []casework.Source{casework.SourceVisit, casework.SourcePhone, casework.SourceWalkIn}
	case wangge.RoleCommunityStaff, wangge.RoleSubdistrictStaff, wangge.RoleDistrictAdmin:
		return []casework.Source{casework.SourceWalkIn, casework.SourcePhone, casework.SourceVisit}
	case wangge.RoleDepartment:
		return []casework.Source{casework.SourceDepartment}
	case wangge.RoleBuildingHead:
		return []casework.Source{casework.SourcePhone}
	}
	return nil
}

// draft checks a create request field by field and makes the draft.
func (h *caseHandlers) draft(ctx context.Context, u *wangge.User, req *createRequest) (casework.Draft, error) {
	var d casework.Draft
	cats, err := h.categories(ctx)
	if err != nil {
		return d, err
	}
	code := strings.TrimSpace(req.Category)
	for _, c := range cats {
		if c.Code == code {
			d.Category = c
			break
		}
	}
	if d.Category.Code == "" {
		return d, wangge.Invalid("category", "error.api.case_category", "Code", code)
	}
	d.Mechanism = casework.Mechanism(req.Mechanism)
	if req.Mechanism == "" {
		d.Mechanism = d.Category.Mechanism
	}
	if !d.Mechanism.Valid() {
		return d, wangge.Invalid("mechanism", "error.case.mechanism_unknown")
	}
	if d.Location, err = h.location(ctx, u, req); err != nil {
		return d, err
	}
	d.Description, d.Done = req.Description, req.Done
	if n := utf8.RuneCountInString(strings.TrimSpace(req.Description)); n == 0 || n > casework.NoteMax {
		return d, wangge.Invalid("description", "error.case.description", "Max", casework.NoteMax)
	}
	if utf8.RuneCountInString(req.Done) > casework.NoteMax {
		return d, wangge.Invalid("done", "error.case.note_length", "Max", casework.NoteMax)
	}
	if req.Priority != "" {
		if d.Priority = casework.Priority(req.Priority); !d.Priority.Valid() {
			return d, wangge.Invalid("priority", "error.case.priority")
		}
	}
	allowed := sourcesFor(u.Role)
	switch {
	case req.Source == "" && len(allowed) > 0:
		d.Source = allowed[0]
	case !casework.Source(req.Source).Valid():
		return d, wangge.Invalid("source", "error.case.source")
	default:
		d.Source = casework.Source(req.Source)
		ok := false
		for _, s := range allowed {
			ok = ok || s == d.Source
		}
		if !ok {
			return d, wangge.Invalid("source", "error.api.case_source", "Source", req.Source)
		}
	}
	if err := checkMaterials(req.Materials); err != nil {
		return d, err
	}
	d.Materials = req.Materials
	if rp := req.Reporter; rp != nil {
		name := strings.TrimSpace(rp.Name)
		if utf8.RuneCountInString(name) > reporterNameMax {
			return d, wangge.Invalid("reporter.name", "error.api.reporter_name", "Max", reporterNameMax)
		}
		contact := strings.TrimSpace(rp.Contact)
		if contact != "" {
			p, err := ident.ParsePhone(contact)
			if err != nil {
				return d, wangge.Invalid("reporter.contact", "error.api.reporter_contact")
			}
			contact = p.String()
		}
		d.Reporter = casework.Reporter{Name: name, Contact: contact, Anonymous: rp.Anonymous}
	}
	return d, nil
}

// checkMaterials bounds the materials a request names: how many, and
// each name's length.
func checkMaterials(ms []string) error {
	if len(ms) > materialsMax {
		return wangge.Invalid("materials", "error.api.case_materials", "Max", materialsMax)
	}
	for _, m := range ms {
		if utf8.RuneCountInString(m) > materialNameMax {
			return wangge.Invalid("materials", "error.api.case_materials", "Max", materialsMax)
		}
	}
	return nil
}

// location resolves the one location a create names to its grid: a grid
// code as given, a building or household the caller may read, or a point
// (WGS-84) through the locate index.
func (h *caseHandlers) location(ctx context.Context, u *wangge.User, req *createRequest) (casework.Location, error) {
	var loc casework.Location
	given := 0
	for _, b := range []bool{req.GridCode != "", req.BuildingID != nil, req.HouseholdID != nil, req.Lng != nil || req.Lat != nil} {
		if b {
			given++
		}
	}
	if given != 1 {
		return loc, wangge.Invalid("location", "error.api.case_location")
	}
	switch {
	case req.GridCode != "":
		if len(req.GridCode) != wangge.GridCodeLen || !wangge.ValidRegionCode(req.GridCode) {
			return loc, wangge.Invalid("grid_code", "error.case.grid")
		}
		loc.GridCode = req.GridCode
	case req.BuildingID != nil:
		b, err := h.store.Building(ctx, u.Scope(), *req.BuildingID)
		if wangge.ErrorCode(err) == wangge.ENotFound {
			return loc, wangge.Invalid("building_id", "error.api.case_building")
		} else if err != nil {
			return loc, err
		}
		loc.GridCode, loc.BuildingID = b.GridCode, b.ID
		if b.Lng != 0 || b.Lat != 0 {
			loc.Point = &casework.Point{Lng: b.Lng, Lat: b.Lat}
		}
	case req.HouseholdID != nil:
		hh, err := h.store.Household(ctx, u.Scope(), *req.HouseholdID)
		if wangge.ErrorCode(err) == wangge.ENotFound {
			return loc, wangge.Invalid("household_id", "error.api.case_household")
		} else if err != nil {
			return loc, err
		}
		loc.GridCode, loc.BuildingID, loc.HouseholdID = hh.GridCode, hh.BuildingID, hh.ID
	default:
		if req.Lng == nil || req.Lat == nil {
			return loc, wangge.Invalid("lat", "error.api.case_point")
		}
		lng, lat := *req.Lng, *req.Lat
		if math.IsNaN(lng) || lng < -180 || lng > 180 {
			return loc, wangge.Invalid("lng", "error.case.point")
		}
		if math.IsNaN(lat) || lat < -90 || lat > 90 {
			return loc, wangge.Invalid("lat", "error.case.point")
		}
		place, ok, err := h.locator.Locate(ctx, lng, lat)
		if err != nil {
			return loc, err
		}
		if !ok {
			return loc, wangge.Invalid("lng", "error.api.case_outside")
		}
		loc.GridCode, loc.Point = place.GridCode, &casework.Point{Lng: lng, Lat: lat}
	}
	return loc, nil
}

// idempotencyKey reads the Idempotency-Key header: at most
// idempotencyKeyMax bytes of visible ASCII.
func idempotencyKey(r *http.Request) (string, error) {
	vs := r.Header.Values("Idempotency-Key")
	if len(vs) == 0 {
		return "", nil
	}
	k := strings.TrimSpace(vs[0])
	if len(vs) > 1 || k == "" || len(k) > idempotencyKeyMax {
		return "", wangge.Invalid("Idempotency-Key", "error.case.idempotency_key_length", "Max", idempotencyKeyMax)
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return "", wangge.Invalid("Idempotency-Key", "error.api.idempotency_key_chars")
		}
	}
	return k, nil
}

// handleCreate answers POST /api/v1/cases: 201 with the new case, or 200
// with the case a retry with the same Idempotency-Key and body made
// before; the same key with another body is 409.
func (h *caseHandlers) handleCreate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, u := h.actor(r)
	key, err := idempotencyKey(r)
	if err != nil {
		return err
	}
	var req createRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	d, err := h.draft(ctx, u, &req)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if key != "" {
		made, err := h.store.CaseRequestMade(ctx, u.ID, key)
		if err != nil {
			return err
		}
		if made {
			status = http.StatusOK
		}
	}
	c, err := h.store.CreateCase(ctx, a, d, key)
	if err != nil {
		return err
	}
	out, err := h.detail(ctx, a, c)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/cases/"+c.Number)
	whttp.WriteJSON(w, status, out)
	return nil
}

// Answers.

type deadlineJSON struct {
	Step  string    `json:"step"`
	Level int       `json:"level"`
	Start time.Time `json:"start"`
	Due   time.Time `json:"due"`
	Light string    `json:"light"`
}

type badgesJSON struct {
	Supervised      bool `json:"supervised"`
	Supervisions    int  `json:"supervisions"`
	Deferred        bool `json:"deferred"`
	DeferralPending bool `json:"deferral_pending"`
	Escalations     int  `json:"escalations"`
	Reworks         int  `json:"reworks"`
	Redispatches    int  `json:"redispatches"`
}

type receiverJSON struct {
	Kind string `json:"kind"`
	Line string `json:"line,omitempty"`
	Name string `json:"name"`
}

type reporterJSON struct {
	Anonymous bool   `json:"anonymous"`
	Name      string `json:"name"`
	// Contact is masked: the store never hands it out in clear here.
	Contact string `json:"contact"`
	Self    bool   `json:"self"`
}

// caseJSON is a case as the list writes it.
type caseJSON struct {
	Number    string        `json:"number"`
	State     string        `json:"state"`
	Mechanism string        `json:"mechanism"`
	Source    string        `json:"source"`
	Priority  string        `json:"priority"`
	Category  categoryJSON  `json:"category"`
	GridCode  string        `json:"grid_code"`
	Level     int           `json:"level"`
	Deadline  *deadlineJSON `json:"deadline"`
	Badges    badgesJSON    `json:"badges"`
	Receiver  *receiverJSON `json:"receiver"`
	Reporter  reporterJSON  `json:"reporter"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
	ClosedAt  *time.Time    `json:"closed_at"`
}

type feedbackJSON struct {
	Number    string    `json:"number"`
	Channel   string    `json:"channel,omitempty"`
	NoContact bool      `json:"no_contact"`
	At        time.Time `json:"at"`
	ByName    string    `json:"by_name"`
	Said      string    `json:"said"`
	Round     int       `json:"round"`
}

type eventJSON struct {
	Seq          int           `json:"seq"`
	At           time.Time     `json:"at"`
	ActorID      int64         `json:"actor_id"`
	ActorName    string        `json:"actor_name"`
	Role         string        `json:"role"`
	Action       string        `json:"action"`
	From         string        `json:"from"`
	To           string        `json:"to"`
	Note         string        `json:"note"`
	Receiver     *receiverJSON `json:"receiver,omitempty"`
	Feedback     *feedbackJSON `json:"feedback,omitempty"`
	Due          *time.Time    `json:"due,omitempty"`
	Level        int           `json:"level,omitempty"`
	Ref          string        `json:"ref,omitempty"`
	Satisfaction string        `json:"satisfaction,omitempty"`
}

type locationJSON struct {
	GridCode    string   `json:"grid_code"`
	BuildingID  int64    `json:"building_id,omitempty"`
	HouseholdID int64    `json:"household_id,omitempty"`
	Lng         *float64 `json:"lng,omitempty"`
	Lat         *float64 `json:"lat,omitempty"`
}

// caseDetailJSON is one case with its timeline, its version and what the
// caller may do to it now.
type caseDetailJSON struct {
	caseJSON
	Description  string         `json:"description"`
	Location     locationJSON   `json:"location"`
	Materials    []string       `json:"materials"`
	Chain        []int          `json:"chain,omitempty"`
	Step         int            `json:"step"`
	Round        int            `json:"round"`
	Feedback     []feedbackJSON `json:"feedback"`
	Satisfaction string         `json:"satisfaction,omitempty"`
	Duplicates   []string       `json:"duplicates"`
	MergedInto   string         `json:"merged_into,omitempty"`
	Timeline     []eventJSON    `json:"timeline"`
	Version      int            `json:"version"`
	Allowed      []string       `json:"allowed"`
}

func receiverOf(r *casework.Receiver) *receiverJSON {
	if r == nil {
		return nil
	}
	return &receiverJSON{Kind: string(r.Kind), Line: string(r.Line), Name: r.Name}
}

func feedbackOf(f casework.Feedback) feedbackJSON {
	return feedbackJSON{Number: f.Number, Channel: string(f.Channel), NoContact: f.NoContact, At: f.At, ByName: f.ByName, Said: f.Said, Round: f.Round}
}

// eventOf is a timeline event as the API writes it.
func eventOf(ev casework.Event) eventJSON {
	e := eventJSON{Seq: ev.Seq, At: ev.At, ActorID: ev.ActorID, ActorName: ev.ActorName, Role: string(ev.ActorRole),
		Action: string(ev.Action), From: string(ev.From), To: string(ev.To), Note: ev.Note, Receiver: receiverOf(ev.Receiver),
		Level: int(ev.Level), Ref: ev.Ref, Satisfaction: string(ev.Satisfaction)}
	if ev.Feedback != nil {
		f := feedbackOf(*ev.Feedback)
		e.Feedback = &f
	}
	if !ev.Due.IsZero() {
		due := ev.Due
		e.Due = &due
	}
	return e
}

// updatedAt is the last change the case's document records (a step
// started or ended, a telling, the close), for the list, which reads no
// timelines; the case itself takes its timeline's last event.
func updatedAt(c *casework.Case) time.Time {
	t := c.CreatedAt
	later := func(u time.Time) {
		if u.After(t) {
			t = u
		}
	}
	for _, d := range c.Deadlines {
		later(d.Start)
		later(d.Met)
	}
	for _, f := range c.Feedback {
		later(f.At)
	}
	later(c.ClosedAt)
	if n := len(c.Events); n > 0 {
		t = c.Events[n-1].At
	}
	return t
}

func (h *caseHandlers) summary(eng *casework.Engine, a casework.Actor, c *casework.Case, now time.Time) caseJSON {
	out := caseJSON{
		Number: c.Number, State: string(c.State), Mechanism: string(c.Mechanism), Source: string(c.Source),
		Priority: string(c.Priority), Category: categoryOf(c.Category), GridCode: c.Location.GridCode, Level: int(c.Level),
		Badges: badgesJSON{Supervised: c.Supervisions > 0, Supervisions: c.Supervisions, Deferred: c.Deferrals > 0,
			DeferralPending: c.Deferral != nil, Escalations: c.Escalations, Reworks: c.Reworks, Redispatches: c.Redispatches},
		Receiver: receiverOf(c.Receiver),
		Reporter: reporterJSON{Anonymous: c.Reporter.Anonymous, Name: c.Reporter.Name, Contact: c.Reporter.Contact,
			Self: a.UserID != 0 && c.Reporter.UserID == a.UserID},
		CreatedAt: c.CreatedAt, UpdatedAt: updatedAt(c),
	}
	if !c.ClosedAt.IsZero() {
		t := c.ClosedAt
		out.ClosedAt = &t
	}
	if d := c.Running(); d != nil {
		out.Deadline = &deadlineJSON{Step: string(d.Step), Level: int(d.Level), Start: d.Start, Due: d.Due, Light: string(eng.Light(d, now))}
	}
	return out
}

// detail is the case as GET /api/v1/cases/{number} writes it.
func (h *caseHandlers) detail(ctx context.Context, a casework.Actor, c *casework.Case) (*caseDetailJSON, error) {
	eng, err := h.store.CaseEngine(ctx)
	if err != nil {
		return nil, err
	}
	now := h.now()
	out := &caseDetailJSON{
		caseJSON: h.summary(eng, a, c, now), Description: c.Description,
		Location:  locationJSON{GridCode: c.Location.GridCode, BuildingID: c.Location.BuildingID, HouseholdID: c.Location.HouseholdID},
		Materials: c.Materials, Step: c.Step, Round: c.Round, Satisfaction: string(c.Satisfaction),
		MergedInto: c.MergedInto, Version: c.Version, Feedback: []feedbackJSON{}, Duplicates: []string{},
		Timeline: []eventJSON{}, Allowed: []string{},
	}
	if out.Materials == nil {
		out.Materials = []string{}
	}
	if p := c.Location.Point; p != nil {
		out.Location.Lng, out.Location.Lat = &p.Lng, &p.Lat
	}
	for _, l := range c.Chain {
		out.Chain = append(out.Chain, int(l))
	}
	for _, f := range c.Feedback {
		out.Feedback = append(out.Feedback, feedbackOf(f))
	}
	for _, dup := range c.Duplicates {
		out.Duplicates = append(out.Duplicates, dup.Number)
	}
	for _, ev := range c.Events {
		out.Timeline = append(out.Timeline, eventOf(ev))
	}
	for _, n := range eng.Allowed(c, a, now) {
		out.Allowed = append(out.Allowed, string(n))
	}
	return out, nil
}

// listFilter reads the board's filters from the query, each checked.
func listFilter(q map[string][]string, a casework.Actor) (casework.Filter, error) {
	get := func(k string) string {
		if vs := q[k]; len(vs) > 0 {
			return strings.TrimSpace(vs[0])
		}
		return ""
	}
	flag := func(k string) (bool, error) {
		switch get(k) {
		case "":
			return false, nil
		case "1", "true":
			return true, nil
		case "0", "false":
			return false, nil
		}
		return false, wangge.Invalid(k, "error.api.flag", "Field", k)
	}
	var f casework.Filter
	var err error
	if f.Area = get("area"); f.Area != "" {
		if !wangge.ValidRegionCode(f.Area) || wangge.LevelOf(f.Area) < wangge.LevelSubdistrict {
			return f, wangge.Invalid("area", "error.case.area")
		}
		// An area neither within the caller's nor above it is not found,
		// as on every page.
		if !wangge.ScopeOf(a.ScopeCode).Contains(f.Area) && !wangge.ScopeOf(f.Area).Contains(a.ScopeCode) {
			return f, wangge.ErrNotFound
		}
	}
	if s := get("state"); s != "" {
		ok := false
		for _, st := range casework.States {
			ok = ok || string(st) == s
		}
		if !ok {
			return f, wangge.Invalid("state", "error.api.case_state", "State", s)
		}
		f.State = casework.State(s)
	}
	if m := get("mechanism"); m != "" {
		if f.Mechanism = casework.Mechanism(m); !f.Mechanism.Valid() {
			return f, wangge.Invalid("mechanism", "error.case.mechanism_unknown")
		}
	}
	if c := get("category"); c != "" {
		if len(c) > 20 {
			return f, wangge.Invalid("category", "error.api.case_category", "Code", c[:20])
		}
		f.Category = c
	}
	if l := get("receiver"); l != "" {
		if f.Receiver = wangge.Line(l); !f.Receiver.Valid() {
			return f, wangge.Invalid("receiver", "error.api.line")
		}
	}
	if l := get("level"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < int(wangge.LevelDistrict) || n > int(wangge.LevelCommunity) {
			return f, wangge.Invalid("level", "error.api.case_level")
		}
		f.Level = wangge.Level(n)
	}
	if f.Open, err = flag("open"); err != nil {
		return f, err
	}
	if f.Board, err = flag("board"); err != nil {
		return f, err
	}
	if d := get("due_before"); d != "" {
		if f.DueBefore, err = time.Parse(time.RFC3339, d); err != nil {
			return f, wangge.Invalid("due_before", "error.api.time", "Field", "due_before")
		}
	}
	limit, page := wangge.DefaultPageLimit, 1
	if l := get("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 || limit > wangge.MaxPageLimit {
			return f, wangge.Invalid("limit", "error.api.limit", "Max", wangge.MaxPageLimit)
		}
	}
	if p := get("page"); p != "" {
		if page, err = strconv.Atoi(p); err != nil || page < 1 || page > 1_000_000 {
			return f, wangge.Invalid("page", "error.api.page")
		}
	}
	f.Page = wangge.Page{Offset: (page - 1) * limit, Limit: limit}
	return f, nil
}

// handleList answers GET /api/v1/cases with the board's filters.
func (h *caseHandlers) handleList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, _ := h.actor(r)
	f, err := listFilter(r.URL.Query(), a)
	if err != nil {
		return err
	}
	cases, total, err := h.store.ListCases(ctx, a, f)
	if err != nil {
		return err
	}
	eng, err := h.store.CaseEngine(ctx)
	if err != nil {
		return err
	}
	now := h.now()
	out := make([]caseJSON, 0, len(cases))
	for i := range cases {
		out = append(out, h.summary(eng, a, &cases[i], now))
	}
	whttp.WriteJSON(w, http.StatusOK, map[string]any{"total": total, "offset": f.Offset, "limit": f.Limit, "cases": out})
	return nil
}

// caseNumber reads the path's case number.
func caseNumber(r *http.Request) (string, error) {
	n := r.PathValue("number")
	if _, _, ok := casework.ParseNumber(n); !ok {
		return "", wangge.Invalid("number", "error.case.number")
	}
	return n, nil
}

// handleCase answers GET /api/v1/cases/{number}: a case out of the
// caller's sight is not found.
func (h *caseHandlers) handleCase(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, _ := h.actor(r)
	n, err := caseNumber(r)
	if err != nil {
		return err
	}
	c, err := h.store.Case(ctx, a, n)
	if err != nil {
		return err
	}
	out, err := h.detail(ctx, a, c)
	if err != nil {
		return err
	}
	whttp.WriteJSON(w, http.StatusOK, out)
	return nil
}

// transitionRequest is the body of POST /api/v1/cases/{number}/transitions.
type transitionRequest struct {
	Action    string `json:"action"`
	Note      string `json:"note"`
	Version   *int   `json:"version"`
	Channel   string `json:"channel"`
	NoContact bool   `json:"no_contact"`
	To        string `json:"to"`
	At        string `json:"at"`
	Due       string `json:"due"`
	Receiver  *struct {
		Kind string `json:"kind"`
		Line string `json:"line"`
		Name string `json:"name"`
	} `json:"receiver"`
	Into         string   `json:"into"`
	Materials    []string `json:"materials"`
	Satisfaction string   `json:"satisfaction"`
}

// action checks a transition request's fields and makes the action.
func (req *transitionRequest) action() (casework.Action, error) {
	act := casework.Action{Name: casework.ActionName(req.Action), Note: req.Note, Channel: casework.Channel(req.Channel),
		NoContact: req.NoContact, Satisfaction: casework.Satisfaction(req.Satisfaction)}
	// The timer's escalation is the server's own; create is what POST
	// /api/v1/cases does.
	if !act.Name.Valid() || act.Name == casework.ActEscalate {
		return act, wangge.Invalid("action", "error.case.action", "Action", req.Action)
	}
	if utf8.RuneCountInString(req.Note) > casework.NoteMax {
		return act, wangge.Invalid("note", "error.case.note_length", "Max", casework.NoteMax)
	}
	if req.Version != nil && *req.Version < 1 {
		return act, wangge.Invalid("version", "error.api.version")
	}
	for _, t := range []struct {
		field, v string
		dst      *time.Time
	}{{"at", req.At, &act.At}, {"due", req.Due, &act.Due}} {
		if t.v == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339, t.v)
		if err != nil {
			return act, wangge.Invalid(t.field, "error.api.time", "Field", t.field)
		}
		*t.dst = v
	}
	if req.To != "" {
		if _, _, ok := casework.ParseNumber(req.To); !ok {
			return act, wangge.Invalid("to", "error.case.feedback_to")
		}
		act.To = req.To
	}
	if rc := req.Receiver; rc != nil {
		if utf8.RuneCountInString(rc.Name) > 100 {
			return act, wangge.Invalid("receiver", "error.case.receiver")
		}
		act.Receiver = &casework.Receiver{Kind: casework.ReceiverKind(rc.Kind), Line: wangge.Line(rc.Line), Name: strings.TrimSpace(rc.Name)}
	}
	if err := checkMaterials(req.Materials); err != nil {
		return act, err
	}
	act.Materials = req.Materials
	if req.Into != "" {
		if _, _, ok := casework.ParseNumber(req.Into); !ok {
			return act, wangge.Invalid("into", "error.case.merge_into")
		}
	}
	return act, nil
}

// handleTransition answers POST /api/v1/cases/{number}/transitions: 200
// with the event and the case as written (null when the action took it out
// of the caller's sight, a department returning another line's case); 409
// for a transition the engine refuses in this state or a stale version,
// with the reason.
func (h *caseHandlers) handleTransition(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, _ := h.actor(r)
	n, err := caseNumber(r)
	if err != nil {
		return err
	}
	var req transitionRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	act, err := req.action()
	if err != nil {
		return err
	}
	var version int
	if req.Version != nil {
		version = *req.Version
	} else {
		// No version: the current one. The store still lets one of two
		// racing writers win and tells the other (409).
		c, err := h.store.Case(ctx, a, n)
		if err != nil {
			return err
		}
		version = c.Version
	}
	c, ev, err := h.store.ApplyCase(ctx, a, casework.Transition{Number: n, Version: version, Action: act, Into: req.Into})
	if errors.Is(err, wangge.ErrConflict) {
		return wangge.E(wangge.EConflict, "error.api.case_stale", "Version", version)
	}
	if err != nil {
		return err
	}
	out := map[string]any{"event": eventOf(ev), "case": nil}
	if c != nil {
		d, err := h.detail(ctx, a, c)
		if err != nil {
			return err
		}
		out["case"] = d
	}
	whttp.WriteJSON(w, http.StatusOK, out)
	return nil
}
