package open311

import (
	"context"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	whttp "github.com/wangge/wangge/http"
)

// ReportStore is what the requests and the updates are read and written
// through: the public intake of the case store. Its types are sqldb's,
// the contract the intake was built on (the package imports sqldb for
// them only; it reaches the store through this interface).
type ReportStore interface {
	ReportCase(ctx context.Context, r casework.PublicReport) (*casework.Receipt, error)
	PublicCase(ctx context.Context, number string) (*casework.PublicCase, error)
	PublicCases(ctx context.Context, f casework.PublicFilter) ([]casework.PublicCase, error)
	PublicUpdates(ctx context.Context, from, to time.Time, limit int) ([]casework.PublicUpdate, error)
	AddPublicUpdate(ctx context.Context, number string, u casework.ResidentUpdate) (*casework.PublicUpdate, error)
	wangge.AddressSource
}

// Bounds and defaults of the spec.
const (
	// window is the longest a GET requests (or updates) range may span,
	// and the default range: the last 90 days.
	window = 90 * 24 * time.Hour
	// updatesWindow is the default range of servicerequestupdates: the
	// last day, what a client syncing every few minutes asks for.
	updatesWindow = 24 * time.Hour
	// listMax is the most requests one answer holds (the spec's 1000).
	listMax = 1000
	// descriptionMax is the spec's bound of a request's description as
	// written (a case's is shorter: casework.NoteMax).
	descriptionMax = 4000
	// idsMax bounds a service_request_id or service_code list.
	idsMax = 200
	// photosMax is how many photos a POST may carry (the intake's).
	photosMax = casework.IntakePhotosMax
)

// timeLayout is how every time is written: W3C with Beijing's offset.
const timeLayout = "2006-01-02T15:04:05-07:00"

func w3c(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.In(whttp.ChinaTime).Format(timeLayout)
}

// handlePostRequest answers POST requests: a report from the client's
// resident, placed by lat/long (the locate index) or by address_string
// (the address search: exactly one building places it; anything else is
// held for staff to place, and the answer carries a token).
func (h *handlers) handlePostRequest(w http.ResponseWriter, r *http.Request, c *call) error {
	code := strings.TrimSpace(r.FormValue("service_code"))
	if code == "" {
		return wangge.Invalid("service_code", "open311.error.service_code_missing")
	}
	cat, ok, err := h.category(r, code)
	if err != nil {
		return err
	}
	if !ok {
		return wangge.Invalid("service_code", "open311.error.no_service", "Code", code)
	}
	attrs, err := attributesOf(r)
	if err != nil {
		return err
	}
	// The description's bounds are the case's (the store's check).
	desc := strings.TrimSpace(r.FormValue("description"))
	photos, err := photosOf(r)
	if err != nil {
		return err
	}
	media := strings.TrimSpace(r.FormValue("media_url"))
	if err := checkURL("media_url", media); err != nil {
		return err
	}
	rep := casework.PublicReport{
		Source: casework.SourceOpen311, Category: cat, Description: desc, Attributes: attrs,
		Name:  personName(r.FormValue("first_name"), r.FormValue("last_name")),
		Phone: strings.TrimSpace(r.FormValue("phone")), Email: strings.TrimSpace(r.FormValue("email")),
		Lang: c.lang, Photos: photos, MediaURL: media, APIKeyID: c.key.ID,
		// A keyed client is a server relaying many residents (a FixMyStreet
		// installation, a hotline system): it is counted by its key and by
		// each resident's phone, not by its one address, which would stop
		// a whole city's reports at the address's ten an hour.
		Limits: []casework.IntakeLimit{{Kind: wangge.IntakeKey, Value: strconv.FormatInt(c.key.ID, 10)}},
	}
	if rep.Phone != "" {
		rep.Limits = append(rep.Limits, casework.IntakeLimit{Kind: wangge.IntakePhone, Value: rep.Phone})
	}
	words := strings.TrimSpace(r.FormValue("address_string"))
	latS, lngS := strings.TrimSpace(r.FormValue("lat")), strings.TrimSpace(r.FormValue("long"))
	switch {
	case latS != "" || lngS != "":
		lat, err1 := strconv.ParseFloat(latS, 64)
		lng, err2 := strconv.ParseFloat(lngS, 64)
		if err1 != nil || err2 != nil || math.IsNaN(lat) || math.IsNaN(lng) || math.Abs(lat) > 90 || math.Abs(lng) > 180 {
			return wangge.Invalid("lat", "open311.error.lat_long")
		}
		place, ok, err := h.core.Locator().Locate(r.Context(), lng, lat)
		if err != nil {
			return err
		}
		if !ok {
			return wangge.Invalid("lat", "open311.error.outside")
		}
		rep.Location = casework.Location{GridCode: place.GridCode, Point: &casework.Point{Lng: lng, Lat: lat}}
		rep.Address = words
	case words != "":
		b, ok, err := h.oneBuilding(r.Context(), words)
		if err != nil {
			return err
		}
		if !ok {
			return h.holdRequest(w, r, c, rep, words)
		}
		rep.Location = casework.Location{GridCode: b.GridCode, BuildingID: b.BuildingID}
		rep.Address = strings.TrimSpace(b.Address + " " + b.Name)
	default:
		return wangge.Invalid("lat", "open311.error.location")
	}
	rec, err := h.reports.ReportCase(r.Context(), rep)
	if err != nil {
		return err
	}
	// account_id is left out: the resident has no account here, and the
	// published schema allows no null for it.
	created := obj{{"service_request_id", rec.Number}}
	if n := c.notice(&rec.Case); n != nil {
		created = append(created, field{"service_notice", n})
	}
	write(w, c.format, http.StatusOK, "service_requests", list{item: "request", v: []any{created}})
	return nil
}

// holdRequest keeps a request whose address named no single building for
// staff to place, when the store can hold one; the answer is a token the
// client asks tokens/{token} about. Without that store such a request is
// refused, asking for lat/long.
func (h *handlers) holdRequest(w http.ResponseWriter, r *http.Request, c *call, rep casework.PublicReport, words string) error {
	if h.held == nil {
		return wangge.Invalid("address_string", "open311.error.address")
	}
	if len(rep.Photos) > 0 {
		// A held request keeps text only; photos wait for a placed case.
		return wangge.Invalid("address_string", "open311.error.address_photos")
	}
	// What would refuse the case refuses the held request now, not when
	// staff place it.
	if _, err := casework.CheckAttributes(rep.Category, rep.Attributes); err != nil {
		return err
	}
	tok, err := h.held.hold(r.Context(), rep, words)
	if err != nil {
		return err
	}
	write(w, c.format, http.StatusOK, "service_requests", list{item: "request", v: []any{obj{
		{"token", tok},
		{"service_notice", c.text("open311.notice.held")},
	}}})
	return nil
}

// holder holds requests for staff to place (held.go, over the store's
// held requests); nil when the store holds none.
type holder interface {
	hold(ctx context.Context, rep casework.PublicReport, words string) (token string, err error)
	byToken(ctx context.Context, token string) (number string, found bool, err error)
}

// newHolder makes the holder over the store, when the store can hold.
var newHolder func(store wangge.Store) holder

// oneBuilding finds the building an address names, if exactly one.
func (h *handlers) oneBuilding(ctx context.Context, words string) (wangge.AddressCandidate, bool, error) {
	q := wangge.ParseAddress(words)
	if len(q.Terms) == 0 {
		return wangge.AddressCandidate{}, false, nil
	}
	frags := append(q.Texts(), q.Numbers()...)
	var hits []wangge.AddressCandidate
	err := h.reports.AddressCandidates(ctx, frags, func(b wangge.AddressCandidate) bool {
		if q.MatchesBuilding(b) {
			hits = append(hits, b)
		}
		return len(hits) < 2
	})
	if err != nil || len(hits) != 1 {
		return wangge.AddressCandidate{}, false, err
	}
	return hits[0], true, nil
}

// attributesOf collects attribute[code] and attribute[code][] (a multi
// value list) from the form.
func attributesOf(r *http.Request) (map[string][]string, error) {
	out := map[string][]string{}
	form := r.Form
	if r.MultipartForm != nil {
		form = r.MultipartForm.Value
		for k, v := range r.URL.Query() {
			form[k] = append(form[k], v...)
		}
	}
	for k, vs := range form {
		rest, ok := strings.CutPrefix(k, "attribute[")
		if !ok {
			continue
		}
		code, tail, ok := strings.Cut(rest, "]")
		if !ok || code == "" || tail != "" && tail != "[]" {
			return nil, wangge.Invalid(k, "open311.error.attribute_name")
		}
		out[code] = append(out[code], vs...)
	}
	return out, nil
}

// photosOf reads the photos of a multipart POST: files photo1 … photo3
// (as FixMyStreet names them) or media. attach cleans them in the store.
func photosOf(r *http.Request) ([]casework.Photo, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var files []*multipart.FileHeader
	for name, fs := range r.MultipartForm.File {
		if name == "media" || strings.HasPrefix(name, "photo") {
			files = append(files, fs...)
		}
	}
	if len(files) > photosMax {
		return nil, wangge.Invalid("photo", "open311.error.photos", "Max", photosMax)
	}
	var out []casework.Photo
	for _, fh := range files {
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, casework.Photo{Name: fh.Filename, Data: data})
	}
	return out, nil
}

// checkURL refuses a media_url that is not http(s): it is kept as text
// and shown to the public, never fetched.
func checkURL(field, s string) error {
	if s == "" {
		return nil
	}
	low := strings.ToLower(s)
	if !strings.HasPrefix(low, "http://") && !strings.HasPrefix(low, "https://") || strings.ContainsAny(s, " \t\r\n<>\"") {
		return wangge.Invalid(field, "open311.error.media_url")
	}
	return nil
}

// personName joins a client's first and last names: family name first
// and no space for a Chinese name, "first last" otherwise.
func personName(first, last string) string {
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if last == "-" {
		last = "" // FixMyStreet's stand-in for no last name
	}
	han := func(s string) bool {
		return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
	}
	if han(first) || han(last) {
		return last + first
	}
	return strings.TrimSpace(first + " " + last)
}

// notice is what is expected to happen to an open request: who handles
// it and by when.
func (c *call) notice(p *casework.PublicCase) any {
	if p.Status != casework.StatusOpen {
		return nil
	}
	if p.Expected.IsZero() {
		return c.text("open311.notice.agency", "Agency", p.Agency)
	}
	return c.text("open311.notice.expected", "Agency", p.Agency, "Due", p.Expected.In(whttp.ChinaTime).Format("2006-01-02 15:04"))
}

// handleRequests answers GET requests: public requests, newest first,
// by ids (which override everything else) or by service, status and
// requested time within at most 90 days (the last 90 by default).
func (h *handlers) handleRequests(w http.ResponseWriter, r *http.Request, c *call) error {
	f := casework.PublicFilter{WithUpdates: true}
	f.Limit = listMax
	if ids := r.FormValue("service_request_id"); strings.TrimSpace(ids) != "" {
		var err error
		if f.Numbers, err = commaList("service_request_id", ids); err != nil {
			return err
		}
	} else {
		var err error
		if v := r.FormValue("service_code"); strings.TrimSpace(v) != "" {
			if f.Categories, err = commaList("service_code", v); err != nil {
				return err
			}
		}
		if f.From, f.To, err = dateRange(r, h.core.Now(), window); err != nil {
			return err
		}
		if f.Status, err = statusOf(r.FormValue("status")); err != nil {
			return err
		}
	}
	cases, err := h.reports.PublicCases(r.Context(), f)
	if err != nil {
		return err
	}
	out := list{item: "request"}
	for i := range cases {
		out.v = append(out.v, c.request(&cases[i]))
	}
	write(w, c.format, http.StatusOK, "service_requests", out)
	return nil
}

// handleRequest answers GET requests/{id}: a list of one public request;
// a case that is not public is as unknown as one that does not exist.
func (h *handlers) handleRequest(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := h.reports.PublicCase(r.Context(), c.name)
	if err != nil {
		return err
	}
	write(w, c.format, http.StatusOK, "service_requests", list{item: "request", v: []any{c.request(p)}})
	return nil
}

// request is a public case as GeoReport v2 writes a request.
func (c *call) request(p *casework.PublicCase) obj {
	var notes any
	for i := len(p.Updates) - 1; i >= 0; i-- {
		if t := strings.TrimSpace(p.Updates[i].Text); t != "" {
			notes = t
			break
		}
	}
	name := p.CategoryName
	if c.lang == "en" && p.CategoryNameEn != "" {
		name = p.CategoryNameEn
	}
	desc := p.Description
	if utf8.RuneCountInString(desc) > descriptionMax {
		desc = string([]rune(desc)[:descriptionMax])
	}
	updated := p.UpdatedAt
	if p.Status == casework.StatusClosed && !p.ClosedAt.IsZero() {
		updated = p.ClosedAt
	}
	address := p.Address
	if address == "" {
		address = p.GridName
	}
	var lat, lng any
	if p.Point != nil {
		lat, lng = p.Point.Lat, p.Point.Lng
	}
	return obj{
		{"service_request_id", p.Number},
		{"status", p.Status},
		{"status_notes", notes},
		{"service_name", name},
		{"service_code", p.CategoryCode},
		{"description", orNull(desc)},
		{"agency_responsible", orNull(p.Agency)},
		{"service_notice", c.notice(p)},
		{"requested_datetime", w3c(p.CreatedAt)},
		{"updated_datetime", w3c(updated)},
		{"expected_datetime", w3c(p.Expected)},
		{"address", orNull(address)},
		{"lat", lat},
		{"long", lng},
		{"media_url", orNull(p.MediaURL)},
	}
}

// handleToken answers tokens/{token}: the request a held one became
// (service_request_id null until staff place it).
func (h *handlers) handleToken(w http.ResponseWriter, r *http.Request, c *call) error {
	if h.held == nil {
		return errNoToken
	}
	number, found, err := h.held.byToken(r.Context(), c.name)
	if err != nil {
		return err
	}
	if !found {
		return errNoToken
	}
	// Until staff place it, the answer is the token alone.
	answer := obj{{"token", c.name}}
	if number != "" {
		answer = append(answer, field{"service_request_id", number})
	}
	write(w, c.format, http.StatusOK, "service_requests", list{item: "request", v: []any{answer}})
	return nil
}

var errNoToken = wangge.E(wangge.ENotFound, "open311.error.no_token")

// commaList splits a comma list, bounded.
func commaList(field, s string) ([]string, error) {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	if len(out) > idsMax {
		return nil, wangge.Invalid(field, "open311.error.list", "Max", idsMax)
	}
	return out, nil
}

// dateRange reads start_date and end_date (W3C, with an offset): a range
// of at most span, def long ending now by default, or span long from
// the one bound given.
func dateRange(r *http.Request, now time.Time, def time.Duration) (from, to time.Time, err error) {
	parse := func(field string) (time.Time, error) {
		v := strings.TrimSpace(r.FormValue(field))
		if v == "" {
			return time.Time{}, nil
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return time.Time{}, wangge.Invalid(field, "open311.error.date")
		}
		return t, nil
	}
	if from, err = parse("start_date"); err != nil {
		return
	}
	if to, err = parse("end_date"); err != nil {
		return
	}
	switch {
	case from.IsZero() && to.IsZero():
		to = now
		from = to.Add(-def)
	case from.IsZero():
		from = to.Add(-window)
	case to.IsZero():
		to = from.Add(window)
	}
	if !to.After(from) {
		return from, to, wangge.Invalid("end_date", "open311.error.date_order")
	}
	if to.Sub(from) > window {
		return from, to, wangge.Invalid("end_date", "open311.error.date_span", "Days", int(window/(24*time.Hour)))
	}
	// end_date includes its instant: the store's upper bound is exclusive,
	// and it keeps times to the microsecond.
	return from, to.Truncate(time.Microsecond).Add(time.Microsecond), nil
}

// statusOf reads a status list: open, closed, or both (all).
func statusOf(s string) (string, error) {
	open, closed := false, false
	for _, v := range strings.Split(s, ",") {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "":
		case casework.StatusOpen:
			open = true
		case casework.StatusClosed:
			closed = true
		default:
			return "", wangge.Invalid("status", "open311.error.status")
		}
	}
	switch {
	case open && !closed:
		return casework.StatusOpen, nil
	case closed && !open:
		return casework.StatusClosed, nil
	}
	return "", nil
}
