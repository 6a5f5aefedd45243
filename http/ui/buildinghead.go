package ui

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/attach"
	"github.com/wangge/wangge/casework"
	whttp "github.com/wangge/wangge/http"
)

// The building head's phone page (楼院长, issue 13): the building(s) he
// heads, a short "report a problem here" form that makes a case at the
// building, the building's open cases with their lights and due dates,
// and the grid assistant's work phone to call. He is a resident volunteer
// with no right to people's data: the page reads what the store gives a
// building head — the buildings his account heads and the public facts of
// their open cases (sqldb/case_building.go), his own reports in full.

// BuildingHeadStore is what the building head's page reads and writes.
type BuildingHeadStore interface {
	HeadedBuildings(ctx context.Context, a casework.Actor) ([]wangge.Building, error)
	BuildingOpenCases(ctx context.Context, a casework.Actor) ([]casework.Case, error)
	ListCases(ctx context.Context, a casework.Actor, f casework.Filter) ([]casework.Case, int, error)
	CreateCase(ctx context.Context, a casework.Actor, d casework.Draft, key string) (*casework.Case, error)
	AttachToCase(ctx context.Context, a casework.Actor, number, name string, data []byte) (*casework.Attachment, error)
	CaseAttachments(ctx context.Context, a casework.Actor, number string) ([]casework.Attachment, error)
	CaseEngine(ctx context.Context) (*casework.Engine, error)
	Area(ctx context.Context, code string) (*wangge.Area, error)
	GridAssistant(ctx context.Context, gridCode string) (*wangge.Assistant, error)
}

// buildingHeads are the building head page's handlers.
type buildingHeads struct {
	core  *whttp.Server
	store BuildingHeadStore
}

// buildingHeadRoutes are the building head's page and its report form.
func buildingHeadRoutes(core *whttp.Server, store wangge.Store) []whttp.Route {
	bs, ok := store.(BuildingHeadStore)
	if !ok {
		panic("ui: the store does not keep cases (it implements no ui.BuildingHeadStore)")
	}
	s := &buildingHeads{core: core, store: bs}
	return []whttp.Route{
		core.Page("GET /my-building", wangge.PermCases, s.handlePage),
		core.Page("POST /my-building/report", wangge.PermCases, s.handleReport),
	}
}

// headSource is the source of a building head's report. None of
// casework.Sources names him; "phone" is what the JSON API lets a building
// head claim (a report from his building by phone), and the case's
// timeline names his role as its creator.
const headSource = casework.SourcePhone

// headReportKey prefixes a report form's token as the case's idempotency
// key, apart from the register form's.
const headReportKey = "building-head:"

// headForm is the report form as typed.
type headForm struct {
	Token       string
	Building    int64
	Category    string
	Description string
	Anonymous   bool
}

// headCase is one open case of the building as the page lists it.
type headCase struct {
	Number   string
	Category string
	State    casework.State
	Building string
	Light    casework.Light
	Step     casework.Step
	Due      time.Time
	// Mine marks his own reports, which he may open.
	Mine bool
}

// headAssistant is the grid assistant as the page shows him: the name and
// the public work phone, never the private one.
type headAssistant struct {
	Name, WorkPhone string
}

// buildingHeadView is what the page shows.
type buildingHeadView struct {
	GridName   string
	Buildings  []wangge.Building
	Assistant  *headAssistant
	Categories []categoryOption
	Calls      []string
	Cases      []headCase
	Form       headForm
	Errors     map[string]string
	Error      string
	// Reported is the number of the case just reported (after the redirect).
	Reported string
	PhotoMB  int
	// mine are the numbers of his own open reports.
	mine map[string]bool
}

// actor is the request's account, refused unless a building head: the page
// is his, and other roles have their own start pages.
func (s *buildingHeads) actor(r *http.Request) (casework.Actor, error) {
	if whttp.UserFrom(r.Context()).Role != wangge.RoleBuildingHead {
		return casework.Actor{}, whttp.ErrForbidden
	}
	return caseActor(r), nil
}

// handlePage shows his page with a fresh report form.
func (s *buildingHeads) handlePage(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	f := headForm{Token: newToken()}
	v, err := s.view(r, a, f)
	if err != nil {
		return err
	}
	// The address names the case just reported; the page says so only of
	// one of his own.
	if n := r.URL.Query().Get("reported"); v.mine[n] {
		v.Reported = n
	}
	return s.render(w, r, http.StatusOK, v)
}

// view reads what the page shows for the actor, with the form as typed.
func (s *buildingHeads) view(r *http.Request, a casework.Actor, f headForm) (*buildingHeadView, error) {
	ctx := r.Context()
	l := whttp.LangOf(r)
	v := &buildingHeadView{Form: f, Errors: map[string]string{}, PhotoMB: attach.MaxSize >> 20}
	bs, err := s.store.HeadedBuildings(ctx, a)
	if err != nil {
		return nil, err
	}
	v.Buildings = bs
	if len(bs) == 1 && v.Form.Building == 0 {
		v.Form.Building = bs[0].ID
	}
	names := map[int64]string{}
	for _, b := range bs {
		names[b.ID] = b.Name
	}
	if g, err := s.store.Area(ctx, a.ScopeCode); err == nil {
		v.GridName = g.Name
	} else if wangge.ErrorCode(err) != wangge.ENotFound {
		return nil, err
	}
	switch as, err := s.store.GridAssistant(ctx, a.ScopeCode); {
	case err == nil:
		// The work phone only: an assistant's private number is never a
		// resident volunteer's to call.
		v.Assistant = &headAssistant{Name: as.Name, WorkPhone: as.WorkPhone}
	case wangge.ErrorCode(err) != wangge.ENotFound:
		return nil, err
	}
	for _, c := range casework.ProblemTypes {
		v.Categories = append(v.Categories, categoryOption{Code: c.Code, Name: categoryName(l, c), Mechanism: headMechanism(c)})
		for _, n := range c.Calls {
			if !slices.Contains(v.Calls, n) {
				v.Calls = append(v.Calls, n)
			}
		}
	}
	slices.Sort(v.Calls)

	open, err := s.store.BuildingOpenCases(ctx, a)
	if err != nil {
		return nil, err
	}
	own, _, err := s.store.ListCases(ctx, a, casework.Filter{Open: true, Page: wangge.Page{Limit: wangge.MaxPageLimit}})
	if err != nil {
		return nil, err
	}
	mine := map[string]bool{}
	for _, c := range own {
		mine[c.Number] = true
	}
	v.mine = mine
	eng, err := s.store.CaseEngine(ctx)
	if err != nil {
		return nil, err
	}
	now := s.core.Now()
	for _, c := range open {
		hc := headCase{Number: c.Number, Category: categoryName(l, c.Category), State: c.State,
			Building: names[c.Location.BuildingID], Mine: mine[c.Number]}
		if d := c.Running(); d != nil {
			hc.Light, hc.Step, hc.Due = eng.Light(d, now), d.Step, d.Due
		}
		v.Cases = append(v.Cases, hc)
	}
	return v, nil
}

// headMechanism is how a building head's report of the category is
// handled: the category's own mechanism where he may raise it (an
// emergency), the community's coordination otherwise (casework.MayOpen).
func headMechanism(c casework.Category) casework.Mechanism {
	if casework.MayOpen(c.Mechanism, wangge.RoleBuildingHead) {
		return c.Mechanism
	}
	return casework.Coordination
}

func (s *buildingHeads) render(w http.ResponseWriter, r *http.Request, status int, v *buildingHeadView) error {
	title := s.core.T(r, "bhead.title")
	s.core.Render(w, r, status, "building_head", &whttp.View{Title: title, Data: v})
	return nil
}

// handleReport makes the case at one of his buildings, with the photo if
// one came: the photo is checked before the case is made, so a bad file
// leaves nothing behind, and a resent form (its token) makes one case with
// one photo.
func (s *buildingHeads) handleReport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, attach.MaxSize+1<<20)
	// The whole form in memory (the body is bounded above): a photo is
	// never written to a temporary file.
	switch err := r.ParseMultipartForm(attach.MaxSize + 1<<20); {
	case errors.Is(err, http.ErrNotMultipart):
		// A form without a photo field: ParseMultipartForm parsed it.
	case err != nil:
		return s.refuse(w, r, a, headForm{Token: newToken()}, wangge.Invalid("photo", "error.attach.size", "Max", attach.MaxSize>>20))
	default:
		defer r.MultipartForm.RemoveAll()
	}
	f := headForm{Token: r.PostFormValue("token"), Category: r.PostFormValue("category"),
		Description: r.PostFormValue("description"), Anonymous: r.PostFormValue("anonymous") == "1"}
	if f.Building, err = optionalID(r.PostFormValue("building")); err != nil {
		return err
	}
	if len(f.Token) < 16 || len(f.Token) > 64 {
		f.Token = newToken()
		return s.refuse(w, r, a, f, wangge.E(wangge.EInvalid, "error.case.form"))
	}
	// The place: one of the buildings he heads now, as the store says; any
	// other is not found, whatever the form names.
	bs, err := s.store.HeadedBuildings(ctx, a)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(bs, func(b wangge.Building) bool { return b.ID == f.Building })
	if i < 0 {
		return wangge.ErrNotFound
	}
	b := bs[i]
	ci := slices.IndexFunc(casework.ProblemTypes, func(c casework.Category) bool { return c.Code == f.Category })
	if ci < 0 {
		return s.refuse(w, r, a, f, wangge.Invalid("category", "error.case.category"))
	}
	photo, err := reportPhoto(r)
	if err != nil {
		return s.refuse(w, r, a, f, err)
	}
	cat := casework.ProblemTypes[ci]
	d := casework.Draft{Source: headSource, Category: cat, Mechanism: headMechanism(cat),
		Location:    casework.Location{GridCode: b.GridCode, BuildingID: b.ID},
		Reporter:    casework.Reporter{Anonymous: f.Anonymous, Name: a.Name},
		Description: f.Description}
	if b.Lng != 0 || b.Lat != 0 {
		d.Location.Point = &casework.Point{Lng: b.Lng, Lat: b.Lat}
	}
	c, err := s.store.CreateCase(ctx, a, d, headReportKey+f.Token)
	if err != nil {
		switch wangge.ErrorCode(err) {
		case wangge.EInvalid, wangge.EForbidden, wangge.EConflict:
			return s.refuse(w, r, a, f, err)
		}
		return err
	}
	if photo != nil {
		if err := s.attachOnce(ctx, a, c.Number, photo); err != nil {
			return err
		}
	}
	http.Redirect(w, r, "/my-building?reported="+url.QueryEscape(c.Number)+"#cases", http.StatusSeeOther)
	return nil
}

// attachOnce keeps the photo with the case unless the case holds one of
// his already: a resent form finds its case with the first send's photo.
func (s *buildingHeads) attachOnce(ctx context.Context, a casework.Actor, number string, photo *attach.File) error {
	have, err := s.store.CaseAttachments(ctx, a, number)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(have, func(x casework.Attachment) bool { return x.ByID == a.UserID }) {
		return nil
	}
	_, err = s.store.AttachToCase(ctx, a, number, photo.Name, photo.Data)
	return err
}

// reportPhoto is the form's photo, cleaned (attach.Clean: type sniffed,
// EXIF dropped), or nil when none was chosen.
func reportPhoto(r *http.Request) (*attach.File, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	file, fh, err := r.FormFile("photo")
	if errors.Is(err, http.ErrMissingFile) {
		return nil, nil
	}
	if err != nil {
		return nil, wangge.Invalid("photo", "error.attach.size", "Max", attach.MaxSize>>20)
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, attach.MaxSize+1))
	if err != nil {
		return nil, wangge.Invalid("photo", "error.attach.size", "Max", attach.MaxSize>>20)
	}
	if len(data) == 0 && fh.Filename == "" {
		return nil, nil
	}
	f, err := attach.Clean(fh.Filename, data)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// refuse shows the page again with the typed values and the error at its
// field.
func (s *buildingHeads) refuse(w http.ResponseWriter, r *http.Request, a casework.Actor, f headForm, err error) error {
	v, verr := s.view(r, a, f)
	if verr != nil {
		return verr
	}
	field := errField(err)
	switch field {
	case "category", "description", "photo":
	case "file":
		field = "photo"
	default:
		field = ""
	}
	if field == "" {
		v.Error = errText(r, err)
	} else {
		v.Errors[field] = errText(r, err)
	}
	return s.render(w, r, whttp.Status(err), v)
}
