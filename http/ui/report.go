package ui

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/attach"
	"github.com/wangge/wangge/casework"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/secret"
)

// The residents' own pages (issue 14): /report, where anyone reports a
// problem from a phone or the kiosk without an account, "me too" on a
// problem nearby already reported, and the public map of the open
// reports; /track (track.go), where the reporter follows the case with
// the token the report gave. Only public facts leave: the store's public
// read (sqldb: PublicCase) holds no person's name or phone, masks ID
// numbers and phones in the texts, and never shows a visit's case or a
// confidential category's.
//
// Abuse is kept down with no outside service: the store counts reports
// per client address and per phone (casework.IntakeLimit), the form carries
// a hidden field only robots fill (honeypot) and a signed time stamp a
// form must be between 3 s and 2 h old to send (formToken).

// IntakeStore is what the residents' pages read and write: the store's
// public intake, the address search and the services for the form, the
// key that signs the form, and for a building head who is logged in the
// ordinary case path (he reports as himself, and follows his reports on
// /my-building and the case page). The intake's request types are
// sqldb's, the contract of issue 14 that Open311 shares.
type IntakeStore interface {
	wangge.AddressSource
	ListServices(ctx context.Context, line wangge.Line, activeOnly bool) ([]wangge.Service, error)
	ReportCase(ctx context.Context, r casework.PublicReport) (*casework.Receipt, error)
	FollowCase(ctx context.Context, number string, f casework.PublicFollow) (*casework.Receipt, error)
	TrackCase(ctx context.Context, number, token string, limits ...casework.IntakeLimit) (*casework.PublicCase, *casework.Tracker, error)
	RateCase(ctx context.Context, number, token string, r casework.Rating) (*casework.PublicCase, error)
	PublicCases(ctx context.Context, f casework.PublicFilter) ([]casework.PublicCase, error)
	Box() *secret.Box

	CreateCase(ctx context.Context, a casework.Actor, d casework.Draft, key string) (*casework.Case, error)
	AttachToCase(ctx context.Context, a casework.Actor, number, name string, data []byte) (*casework.Attachment, error)
	CaseAttachments(ctx context.Context, a casework.Actor, number string) ([]casework.Attachment, error)
}

// intake is the residents' pages' handlers.
type intake struct {
	core  *whttp.Server
	store IntakeStore
}

// reportRoutes are the residents' pages: all public. The form knows a
// logged-in building head (core.PublicPage), so he reports as himself.
func reportRoutes(core *whttp.Server, store wangge.Store) []whttp.Route {
	is, ok := store.(IntakeStore)
	if !ok {
		panic("ui: the store has no public intake (it implements no ui.IntakeStore)")
	}
	s := &intake{core: core, store: is}
	return []whttp.Route{
		core.PublicPage("GET /report", s.handleForm),
		core.PublicPage("POST /report", s.handleReport),
		core.Public("GET /report/places.json", s.handlePlaces),
		core.Public("GET /report/nearby.json", s.handleNearby),
		core.Public("POST /report/{number}/follow", s.handleFollow),
		core.Public("GET /report/map", s.handleMap),
		core.Public("GET /report/cases.geojson", s.handleCasesGeoJSON),
		core.Public("GET /track/{number}", s.handleTrack),
		core.Public("POST /track/{number}/rate", s.handleRate),
	}
}

// Bounds of what a resident sends.
const (
	reportPhotos       = 3    // photos per report
	reportDescMax      = 2000 // characters of the description
	reportNameMax      = 50
	reportAddressMax   = 200
	reportAttrsMax     = 20  // attribute fields
	reportAttrValMax   = 200 // characters of one attribute value
	nearbyRadiusM      = 300 // how near "nearby" is
	nearbyLimit        = 10
	reportMapLimit     = 1000
	placesLimit        = 10
	formTokenMinAge    = 3 * time.Second
	formTokenMaxAge    = 2 * time.Hour
	formTokenPurpose   = "report.form"
	honeypotField      = "website"
	reportBodyOverhead = 1 << 20
)

// formToken is the report form's signed time stamp: 8 bytes of the
// server's clock in milliseconds and 8 random ones, hex, then the keyed
// hash of them under the store's field key (secret.Box.Index: every
// server of a cluster shares it, and a form signed before a key rotation
// still checks under the old key). A robot that posts at once, or replays
// an old page, is refused; the random half makes each form's token its
// own, which a logged-in building head's report uses as its idempotency
// key.
func (s *intake) formToken() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(s.core.Now().UnixMilli()))
	_, _ = rand.Read(b[8:])
	stamp := hex.EncodeToString(b[:])
	return stamp + "." + base64.RawURLEncoding.EncodeToString(s.store.Box().Index(formTokenPurpose, stamp))
}

var (
	errFormTooFast = wangge.E(wangge.EInvalid, "error.report.too_fast")
	errFormExpired = wangge.E(wangge.EInvalid, "error.report.expired")
	errFormBroken  = wangge.E(wangge.EInvalid, "error.report.form")
)

// checkFormToken refuses a token the server did not sign, or one under
// formTokenMinAge or over formTokenMaxAge old by the server's clock.
func (s *intake) checkFormToken(token string) error {
	stamp, sig, ok := strings.Cut(token, ".")
	if !ok || len(stamp) != 32 || len(sig) > 64 {
		return errFormBroken
	}
	raw, err := hex.DecodeString(stamp)
	if err != nil {
		return errFormBroken
	}
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return errFormBroken
	}
	signed := false
	for _, want := range s.store.Box().Indexes(formTokenPurpose, stamp) {
		if hmac.Equal(mac, want) {
			signed = true
		}
	}
	if !signed {
		return errFormBroken
	}
	age := s.core.Now().Sub(time.UnixMilli(int64(binary.BigEndian.Uint64(raw[:8]))))
	switch {
	case age < formTokenMinAge:
		return errFormTooFast
	case age > formTokenMaxAge:
		return errFormExpired
	}
	return nil
}

// checkPost is what every resident's post must pass before anything is
// read into the store: the honeypot empty and the form token good.
func (s *intake) checkPost(r *http.Request) error {
	if r.PostFormValue(honeypotField) != "" {
		return errFormBroken
	}
	return s.checkFormToken(r.PostFormValue("form_token"))
}

// limits are the store's counts a resident's report or "me too" is
// held to: per client address, and per phone when one is given.
func (s *intake) limits(r *http.Request, phone string) []casework.IntakeLimit {
	ls := []casework.IntakeLimit{{Kind: wangge.IntakeAddr, Value: s.core.ClientAddr(r)}}
	if phone != "" {
		ls = append(ls, casework.IntakeLimit{Kind: wangge.IntakePhone, Value: phone})
	}
	return ls
}

// The report form.

// reportForm is the form as typed, kept when it is shown again.
type reportForm struct {
	Token       string
	Via         string // "kiosk" from the kiosk's button
	Category    string
	Description string
	Attributes  map[string][]string
	Lng, Lat    string // the place tapped or found by the phone
	Grid        string // the place found by the search…
	Address     string // …and its words
	Name, Phone string
	// HadPhotos says photos came with a form shown again: the browser
	// cannot keep them, so the page asks for them again.
	HadPhotos bool
}

// First returns the first typed value of an attribute, for the template.
func (f reportForm) First(code string) string {
	if vs := f.Attributes[code]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// Has reports whether the attribute holds the value.
func (f reportForm) Has(code, value string) bool { return slices.Contains(f.Attributes[code], value) }

// reportTile is one problem type on the form.
type reportTile struct {
	Code, Name, Icon string
	Calls            []string
	Attributes       []reportAttr
}

// reportAttr is one of a category's attributes in the page's language.
type reportAttr struct {
	Code, Name, Datatype, Description string
	Required                          bool
	Values                            []reportAttrValue
}

// reportAttrValue is one choice of a list attribute.
type reportAttrValue struct{ Key, Name string }

// reportService is one of the hundred services on the form.
type reportService struct {
	Code, Name, Line string
}

// reportView is what the form shows.
type reportView struct {
	Form        reportForm
	Emergencies []reportTile
	Problems    []reportTile
	Services    []reportService
	// AttrTiles are the problem types with attributes, whose fields the
	// form shows for the chosen one.
	AttrTiles []reportTile
	// ServiceChosen opens the services' list when one of them is chosen.
	ServiceChosen bool
	Calls         []string
	Errors        map[string]string
	Error         string
	PhotoMB       int
	Photos        int
	// Head is the logged-in building head's name: he reports as himself.
	Head string
}

// handleForm shows a fresh form; ?via=kiosk is the kiosk's.
func (s *intake) handleForm(w http.ResponseWriter, r *http.Request) error {
	f := reportForm{Token: s.formToken()}
	if r.URL.Query().Get("via") == "kiosk" {
		f.Via = "kiosk"
	}
	if c := r.URL.Query().Get("category"); c != "" && len(c) <= 16 {
		f.Category = c
	}
	v, err := s.view(r, f)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, v)
}

// view reads what the form offers: the problem types (emergencies first,
// with their call numbers), the active services, and each category's
// attributes.
func (s *intake) view(r *http.Request, f reportForm) (*reportView, error) {
	l := whttp.LangOf(r)
	v := &reportView{Form: f, Errors: map[string]string{}, PhotoMB: attach.MaxSize >> 20, Photos: reportPhotos}
	if u := whttp.UserFrom(r.Context()); u != nil && u.Role == wangge.RoleBuildingHead {
		v.Head = u.DisplayName
		if v.Head == "" {
			v.Head = u.Username
		}
	}
	for _, c := range casework.ProblemTypes {
		t := reportTile{Code: c.Code, Name: categoryName(l, c), Icon: strings.ToLower(c.Code), Calls: c.Calls, Attributes: reportAttrs(l, c)}
		if len(t.Attributes) > 0 {
			v.AttrTiles = append(v.AttrTiles, t)
		}
		if c.Mechanism == casework.Emergency {
			v.Emergencies = append(v.Emergencies, t)
		} else {
			v.Problems = append(v.Problems, t)
		}
		for _, n := range c.Calls {
			if !slices.Contains(v.Calls, n) {
				v.Calls = append(v.Calls, n)
			}
		}
	}
	slices.Sort(v.Calls)
	services, err := s.store.ListServices(r.Context(), "", true)
	if err != nil {
		return nil, err
	}
	for _, sv := range services {
		v.Services = append(v.Services, reportService{Code: sv.Code, Name: sv.Name, Line: s.core.T(r, "line."+string(sv.Line))})
		if sv.Code == f.Category {
			v.ServiceChosen = true
		}
	}
	return v, nil
}

// reportAttrs are the category's attributes in their order, in the
// page's language.
func reportAttrs(l whttp.Lang, c casework.Category) []reportAttr {
	as := slices.Clone(c.Attributes)
	sort.SliceStable(as, func(i, j int) bool { return as[i].Order < as[j].Order })
	out := make([]reportAttr, 0, len(as))
	en := l == whttp.LangEn
	pick := func(zh, e string) string {
		if en && e != "" {
			return e
		}
		return zh
	}
	for _, a := range as {
		ra := reportAttr{Code: a.Code, Name: pick(a.Name, a.NameEn), Datatype: a.Datatype, Required: a.Required,
			Description: pick(a.Description, a.DescriptionEn)}
		for _, x := range a.Values {
			ra.Values = append(ra.Values, reportAttrValue{Key: x.Key, Name: pick(x.Name, x.NameEn)})
		}
		out = append(out, ra)
	}
	return out
}

func (s *intake) render(w http.ResponseWriter, r *http.Request, status int, v *reportView) error {
	kiosk := v.Form.Via == "kiosk"
	s.core.Render(w, r, status, "report", &whttp.View{Title: s.core.T(r, "report.title"), Data: v, Map: true, Kiosk: kiosk})
	return nil
}

// reportCategory is the category a resident chose: a problem type, or an
// active entry of the hundred services.
func (s *intake) reportCategory(ctx context.Context, code string) (casework.Category, bool, error) {
	if i := slices.IndexFunc(casework.ProblemTypes, func(c casework.Category) bool { return c.Code == code }); i >= 0 {
		return casework.ProblemTypes[i], true, nil
	}
	services, err := s.store.ListServices(ctx, "", true)
	if err != nil {
		return casework.Category{}, false, err
	}
	for _, sv := range services {
		if sv.Code == code {
			return casework.ServiceCategory(sv), true, nil
		}
	}
	return casework.Category{}, false, nil
}

// handleReport takes a report: checked at the edge (form token, honeypot,
// every field bounded, the photos cleaned), placed in its grid (the point
// through the locate index, or the grid a search found), and made a case
// by the store's public intake — or, for a logged-in building head, by
// the ordinary create as himself. Then to its tracking page.
func (s *intake) handleReport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, reportPhotos*attach.MaxSize+reportBodyOverhead)
	switch err := r.ParseMultipartForm(reportPhotos*attach.MaxSize + reportBodyOverhead); {
	case errors.Is(err, http.ErrNotMultipart):
	case err != nil:
		return s.refuse(w, r, reportForm{Token: s.formToken()}, wangge.Invalid("photo", "error.report.too_big", "Max", attach.MaxSize>>20))
	default:
		defer r.MultipartForm.RemoveAll()
	}
	f := reportForm{
		Token: r.PostFormValue("form_token"), Category: r.PostFormValue("category"),
		Description: strings.TrimSpace(r.PostFormValue("description")),
		Lng:         r.PostFormValue("lng"), Lat: r.PostFormValue("lat"),
		Grid: r.PostFormValue("grid"), Address: strings.TrimSpace(r.PostFormValue("address")),
		Name: strings.TrimSpace(r.PostFormValue("name")), Phone: strings.TrimSpace(r.PostFormValue("phone")),
		Attributes: map[string][]string{},
	}
	if r.PostFormValue("via") == "kiosk" {
		f.Via = "kiosk"
	}
	photos, photoErr := reportPhotosOf(r)
	f.HadPhotos = len(photos) > 0 || photoErr != nil
	if err := s.checkPost(r); err != nil {
		// A fresh token: the resident sends again once he has looked.
		f.Token = s.formToken()
		return s.refuse(w, r, f, err)
	}
	for k, vs := range r.PostForm {
		code, ok := strings.CutPrefix(k, "attribute[")
		if !ok {
			continue
		}
		code = strings.TrimSuffix(strings.TrimSuffix(code, "[]"), "]")
		if len(f.Attributes) >= reportAttrsMax || code == "" || len(code) > 50 {
			return s.refuse(w, r, f, errFormBroken)
		}
		for _, v := range vs {
			if v = strings.TrimSpace(v); v != "" {
				if utf8.RuneCountInString(v) > reportAttrValMax {
					return s.refuse(w, r, f, wangge.Invalid("attribute["+code+"]", "error.report.too_long", "Max", reportAttrValMax))
				}
				f.Attributes[code] = append(f.Attributes[code], v)
			}
		}
	}
	cat, ok, err := s.reportCategory(ctx, f.Category)
	if err != nil {
		return err
	}
	if !ok {
		return s.refuse(w, r, f, wangge.Invalid("category", "error.case.category"))
	}
	switch n := utf8.RuneCountInString(f.Description); {
	case n == 0:
		return s.refuse(w, r, f, wangge.Invalid("description", "error.report.description"))
	case n > reportDescMax:
		return s.refuse(w, r, f, wangge.Invalid("description", "error.report.too_long", "Max", reportDescMax))
	}
	lines, err := casework.CheckAttributes(cat, f.Attributes)
	if err != nil {
		return s.refuse(w, r, f, err)
	}
	if utf8.RuneCountInString(f.Name) > reportNameMax {
		return s.refuse(w, r, f, wangge.Invalid("name", "error.report.too_long", "Max", reportNameMax))
	}
	if utf8.RuneCountInString(f.Address) > reportAddressMax {
		return s.refuse(w, r, f, wangge.Invalid("place", "error.report.too_long", "Max", reportAddressMax))
	}
	phone := ""
	if f.Phone != "" {
		p, err := ident.ParsePhone(f.Phone)
		if err != nil {
			return s.refuse(w, r, f, wangge.Invalid("phone", "error.report.phone"))
		}
		phone = p.String()
	}
	if photoErr != nil {
		return s.refuse(w, r, f, photoErr)
	}
	loc, err := s.place(ctx, f)
	if err != nil {
		return s.refuse(w, r, f, err)
	}

	if u := whttp.UserFrom(ctx); u != nil && u.Role == wangge.RoleBuildingHead {
		return s.reportAsHead(w, r, f, cat, loc, lines, photos)
	}
	rep := casework.PublicReport{Source: casework.SourceResidentPage, Category: cat, Description: f.Description,
		Attributes: f.Attributes, Location: loc, Address: f.Address, Name: f.Name, Phone: phone,
		Lang: string(whttp.LangOf(r)), Limits: s.limits(r, phone)}
	if f.Via == "kiosk" {
		rep.Source = casework.SourceKiosk
	}
	for _, p := range photos {
		rep.Photos = append(rep.Photos, casework.Photo{Name: p.Name, Data: p.Data})
	}
	rc, err := s.store.ReportCase(ctx, rep)
	if err != nil {
		switch wangge.ErrorCode(err) {
		case wangge.EInvalid, wangge.ERateLimited:
			return s.refuse(w, r, f, err)
		}
		return err
	}
	http.Redirect(w, r, trackURL(rc.Number, rc.Token, f.Via)+"&just=received", http.StatusSeeOther)
	return nil
}

// reportAsHead makes a logged-in building head's report his own case,
// through the ordinary create (source phone, as on /my-building; the
// form's token its idempotency key, so a resent form makes one case) with
// the photos attached after; he follows it on his page and the case page.
func (s *intake) reportAsHead(w http.ResponseWriter, r *http.Request, f reportForm, cat casework.Category, loc casework.Location, lines []string, photos []*attach.File) error {
	ctx := r.Context()
	a := caseActor(r)
	desc := f.Description
	if len(lines) > 0 {
		desc += "\n" + strings.Join(lines, "\n")
	}
	if f.Address != "" {
		desc += "\n" + f.Address
	}
	d := casework.Draft{Source: headSource, Category: cat, Mechanism: headMechanism(cat), Location: loc,
		Reporter: casework.Reporter{Name: a.Name}, Description: desc}
	c, err := s.store.CreateCase(ctx, a, d, headReportKey+"report:"+f.Token)
	if err != nil {
		switch wangge.ErrorCode(err) {
		case wangge.EInvalid, wangge.EForbidden, wangge.EConflict:
			return s.refuse(w, r, f, err)
		}
		return err
	}
	// Photos only with the first send: a resend is answered with the case
	// the first made, which has his photos already.
	have, err := s.store.CaseAttachments(ctx, a, c.Number)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(have, func(x casework.Attachment) bool { return x.ByID == a.UserID }) {
		for _, p := range photos {
			if _, err := s.store.AttachToCase(ctx, a, c.Number, p.Name, p.Data); err != nil {
				return err
			}
		}
	}
	http.Redirect(w, r, "/cases/"+url.PathEscape(c.Number), http.StatusSeeOther)
	return nil
}

// place is the report's location: a point the resident tapped or his
// phone gave, in the grid the locate index finds for it; else the grid a
// search found, with its words. A point in no grid is refused, so that
// nobody's report waits outside every grid.
func (s *intake) place(ctx context.Context, f reportForm) (casework.Location, error) {
	if f.Lng != "" || f.Lat != "" {
		p, err := whttp.ParseLngLat("place", f.Lng+","+f.Lat)
		if err != nil {
			return casework.Location{}, err
		}
		gp, ok, err := s.core.Locator().Locate(ctx, p.Lng, p.Lat)
		if err != nil {
			return casework.Location{}, err
		}
		if !ok {
			return casework.Location{}, wangge.Invalid("place", "error.report.outside")
		}
		return casework.Location{GridCode: gp.GridCode, Point: &casework.Point{Lng: p.Lng, Lat: p.Lat}}, nil
	}
	if f.Grid == "" {
		return casework.Location{}, wangge.Invalid("place", "error.report.place")
	}
	if wangge.LevelOf(f.Grid) != wangge.LevelGrid || !wangge.ValidRegionCode(f.Grid) || f.Address == "" {
		return casework.Location{}, wangge.Invalid("place", "error.report.place")
	}
	found := false
	err := s.store.GridNames(ctx, func(code, _, _ string) bool {
		found = code == f.Grid
		return !found
	})
	if err != nil {
		return casework.Location{}, err
	}
	if !found {
		return casework.Location{}, wangge.Invalid("place", "error.report.place")
	}
	return casework.Location{GridCode: f.Grid}, nil
}

// reportPhotosOf are the form's photos (up to reportPhotos), each cleaned
// (attach.Clean: type sniffed, EXIF dropped); a bad one refuses the form.
func reportPhotosOf(r *http.Request) ([]*attach.File, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []*attach.File
	for _, fh := range r.MultipartForm.File["photo"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		if len(out) == reportPhotos {
			return out, wangge.Invalid("photo", "error.report.photos", "Max", reportPhotos)
		}
		file, err := fh.Open()
		if err != nil {
			return out, wangge.Invalid("photo", "error.attach.size", "Max", attach.MaxSize>>20)
		}
		data, err := io.ReadAll(io.LimitReader(file, attach.MaxSize+1))
		file.Close()
		if err != nil {
			return out, wangge.Invalid("photo", "error.attach.size", "Max", attach.MaxSize>>20)
		}
		p, err := attach.Clean(fh.Filename, data)
		if err != nil {
			return out, wangge.Invalid("photo", "error.report.photo")
		}
		out = append(out, p)
	}
	return out, nil
}

// refuse shows the form again with what was typed and the error at its
// field (a rate limit: 429).
func (s *intake) refuse(w http.ResponseWriter, r *http.Request, f reportForm, err error) error {
	v, verr := s.view(r, f)
	if verr != nil {
		return verr
	}
	field := errField(err)
	if strings.HasPrefix(field, "attribute[") {
		field = "attributes"
	}
	switch field {
	case "category", "description", "photo", "place", "phone", "name", "attributes":
		v.Errors[field] = errText(r, err)
	case "file", "photos":
		v.Errors["photo"] = errText(r, err)
	case "address":
		v.Errors["place"] = errText(r, err)
	default:
		v.Error = errText(r, err)
	}
	return s.render(w, r, whttp.Status(err), v)
}

// trackURL is a case's tracking page with its token.
func trackURL(number, token, via string) string {
	u := "/track/" + url.PathEscape(number) + "?t=" + url.QueryEscape(token)
	if via == "kiosk" {
		u += "&via=kiosk"
	}
	return u
}

// The address search of the form: public words only (building names and
// addresses, grid and community names), as the kiosk's.

type placeHit struct {
	Label    string `json:"label"`
	Address  string `json:"address"`
	GridCode string `json:"grid_code"`
	GridName string `json:"grid_name"`
}

func (s *intake) handlePlaces(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len([]rune(q)) > 50 {
		q = string([]rune(q)[:50])
	}
	out := []placeHit{}
	if q != "" {
		hits, _, err := wangge.SearchAddress(r.Context(), s.store, q, placesLimit)
		if err != nil {
			return err
		}
		for _, h := range hits {
			p := placeHit{GridCode: h.GridCode, GridName: h.GridName}
			if h.Building != "" {
				p.Label = h.Building
				p.Address = strings.TrimSpace(h.Building + " " + h.Address)
			} else {
				p.Label = h.CommunityName + " " + h.GridName
				p.Address = p.Label
			}
			out = append(out, p)
		}
	}
	whttp.WriteJSON(w, http.StatusOK, out)
	return nil
}

// "Me too": the open public cases of a category near a point, before a
// resident sends the same problem again.

type nearbyCase struct {
	Number      string `json:"number"`
	Category    string `json:"category"`
	Description string `json:"description"`
	Address     string `json:"address,omitempty"`
	Reported    string `json:"reported"`
	Followers   int    `json:"followers"`
	DistanceM   int    `json:"distance_m"`
}

func (s *intake) handleNearby(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p, err := whttp.ParseLngLat("place", q.Get("lng")+","+q.Get("lat"))
	if err != nil {
		return err
	}
	code := q.Get("category")
	if len(code) > 16 {
		return wangge.Invalid("category", "error.case.category")
	}
	out := []nearbyCase{}
	if code != "" {
		cs, err := s.store.PublicCases(r.Context(), casework.PublicFilter{Categories: []string{code}, Status: "open",
			Near: &casework.Point{Lng: p.Lng, Lat: p.Lat}, RadiusM: nearbyRadiusM, Limit: nearbyLimit})
		if err != nil {
			return err
		}
		l := whttp.LangOf(r)
		for _, c := range cs {
			n := nearbyCase{Number: c.Number, Category: publicCategoryName(l, c), Description: c.Description,
				Address: c.Address, Reported: c.CreatedAt.In(whttp.ChinaTime).Format("2006-01-02 15:04"), Followers: c.Followers}
			if c.Point != nil {
				n.DistanceM = int(distanceM(p.Lng, p.Lat, c.Point.Lng, c.Point.Lat) + 0.5)
			}
			out = append(out, n)
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	whttp.WriteJSON(w, http.StatusOK, out)
	return nil
}

// publicCategoryName is a public case's category in the page's language.
func publicCategoryName(l whttp.Lang, c casework.PublicCase) string {
	if l == whttp.LangEn && c.CategoryNameEn != "" {
		return c.CategoryNameEn
	}
	return c.CategoryName
}

// handleFollow adds a resident to a public open case ("me too"), with his
// phone if he leaves one to hear the outcome on, and sends him to the
// case's tracking page with a token of his own.
func (s *intake) handleFollow(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return errFormBroken
	}
	if err := s.checkPost(r); err != nil {
		return err
	}
	phone := ""
	if v := strings.TrimSpace(r.PostFormValue("phone")); v != "" {
		p, err := ident.ParsePhone(v)
		if err != nil {
			return wangge.Invalid("phone", "error.report.phone")
		}
		phone = p.String()
	}
	via := ""
	if r.PostFormValue("via") == "kiosk" {
		via = "kiosk"
	}
	number := r.PathValue("number")
	if _, _, ok := casework.ParseNumber(number); !ok {
		return wangge.ErrNotFound
	}
	rc, err := s.store.FollowCase(r.Context(), number, casework.PublicFollow{Phone: phone, Lang: string(whttp.LangOf(r)), Limits: s.limits(r, phone)})
	if err != nil {
		return err
	}
	http.Redirect(w, r, trackURL(rc.Number, rc.Token, via)+"&just=followed", http.StatusSeeOther)
	return nil
}

// The public map of the open reports.

func (s *intake) handleMap(w http.ResponseWriter, r *http.Request) error {
	s.core.Render(w, r, http.StatusOK, "report_map", &whttp.View{Title: s.core.T(r, "report.map.title"), Map: true})
	return nil
}

// handleCasesGeoJSON is the open public reports as points: number,
// category, status and the masked description — nothing else.
func (s *intake) handleCasesGeoJSON(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.store.PublicCases(r.Context(), casework.PublicFilter{Status: "open", Limit: reportMapLimit})
	if err != nil {
		return err
	}
	type feature struct {
		Type       string         `json:"type"`
		Geometry   map[string]any `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection", Features: []feature{}}
	l := whttp.LangOf(r)
	for _, c := range cs {
		if c.Point == nil {
			continue
		}
		fc.Features = append(fc.Features, feature{Type: "Feature",
			Geometry: map[string]any{"type": "Point", "coordinates": []float64{c.Point.Lng, c.Point.Lat}},
			Properties: map[string]any{"kind": "report", "number": c.Number, "category": c.CategoryCode,
				"category_name": publicCategoryName(l, c), "status": c.Status,
				"state": s.core.T(r, "case.state."+string(c.State)), "description": c.Description}})
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	whttp.WriteJSON(w, http.StatusOK, fc)
	return nil
}

// distanceM is the distance between two WGS-84 points in metres (the
// haversine on a sphere of the Earth's mean radius: a few metres off over
// the few hundred "nearby" means).
func distanceM(lng1, lat1, lng2, lat2 float64) float64 {
	const r = 6371008.8
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// parseSatisfaction reads the rating form's satisfaction.
func parseSatisfaction(v string) (casework.Satisfaction, bool) {
	for _, s := range casework.Satisfactions {
		if string(s) == v {
			return s, true
		}
	}
	return "", false
}
