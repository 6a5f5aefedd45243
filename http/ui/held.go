package ui

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/internal/pagekit"
)

// Held Open311 requests (issue 14): a request whose words for the place
// matched no single building waits at /cases/held until staff place it —
// a tap on the map, or a building found by the kiosk's address search —
// which makes the case, or dismiss it with a reason. Only the staff who
// dispatch cases (casework.MayPlaceHeld) see the page; the store checks
// the role and that the place is in the placer's scope.

// HeldStore is what the held requests' pages use of the store.
type HeldStore interface {
	wangge.AddressSource
	HeldReports(ctx context.Context, a casework.Actor) ([]casework.HeldRequest, error)
	HeldRequest(ctx context.Context, a casework.Actor, id int64) (*casework.HeldRequest, error)
	PlaceHeld(ctx context.Context, a casework.Actor, id int64, loc casework.Location) (*casework.Receipt, error)
	DismissHeld(ctx context.Context, a casework.Actor, id int64, reason string) error
	ListServices(ctx context.Context, line wangge.Line, activeOnly bool) ([]wangge.Service, error)
}

// heldCounter is what the case board asks of the store for its link to
// the held requests (a store without them shows none).
type heldCounter interface {
	HeldCount(ctx context.Context, a casework.Actor) (int, error)
}

type heldPages struct {
	core  *whttp.Server
	store HeldStore
}

func heldRoutes(core *whttp.Server, store wangge.Store) []whttp.Route {
	hs, ok := store.(HeldStore)
	if !ok {
		panic("ui: the store keeps no held Open311 requests (it implements no ui.HeldStore)")
	}
	h := &heldPages{core: core, store: hs}
	return []whttp.Route{
		core.Page("GET /cases/held", wangge.PermCases, h.handleList),
		core.Page("GET /cases/held/{id}", wangge.PermCases, h.handleOne),
		core.Page("POST /cases/held/{id}/place", wangge.PermCases, h.handlePlace),
		core.Page("POST /cases/held/{id}/dismiss", wangge.PermCases, h.handleDismiss),
	}
}

// heldItem is a held request with its category's name.
type heldItem struct {
	casework.HeldRequest
	CategoryName string
	Lines        []string // the attributes' answers as the case will carry them
}

type heldView struct {
	Items     []heldItem
	Item      *heldItem
	Placed    string // the number of the case a place just made
	Dismissed string // the reason a request was just dismissed for
	Error     string
	Query     string
	Searched  bool
	Hits      []wangge.AddressHit
	More      bool
	MapURL    string
	Reasons   []string
}

// mayHoldPage refuses the page to an account that does not place held
// requests, before anything is read.
func mayHoldPage(r *http.Request) error {
	if !casework.MayPlaceHeld(whttp.UserFrom(r.Context()).Role) {
		return wangge.E(wangge.EForbidden, "error.held.role")
	}
	return nil
}

func (h *heldPages) item(r *http.Request, cats []casework.Category, req casework.HeldRequest) heldItem {
	it := heldItem{HeldRequest: req, CategoryName: req.CategoryCode}
	if i := slices.IndexFunc(cats, func(c casework.Category) bool { return c.Code == req.CategoryCode }); i >= 0 {
		it.CategoryName = categoryName(whttp.LangOf(r), cats[i])
		it.Lines, _ = casework.CheckAttributes(cats[i], req.Attributes)
	}
	return it
}

func (h *heldPages) categories(ctx context.Context) ([]casework.Category, error) {
	services, err := h.store.ListServices(ctx, "", true)
	if err != nil {
		return nil, err
	}
	return casework.Categories(services), nil
}

func (h *heldPages) handleList(w http.ResponseWriter, r *http.Request) error {
	if err := mayHoldPage(r); err != nil {
		return err
	}
	ctx := r.Context()
	list, err := h.store.HeldReports(ctx, caseActor(r))
	if err != nil {
		return err
	}
	cats, err := h.categories(ctx)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	v := &heldView{}
	if n := q.Get("placed"); n != "" {
		if _, _, ok := casework.ParseNumber(n); ok {
			v.Placed = n
		}
	}
	if d := q.Get("dismissed"); casework.ValidDismissReason(d) {
		v.Dismissed = d
	}
	for _, req := range list {
		v.Items = append(v.Items, h.item(r, cats, req))
	}
	title := h.core.T(r, "held.title")
	h.core.Render(w, r, http.StatusOK, "held", &whttp.View{Title: title, Data: v,
		Crumbs: []whttp.Crumb{{Name: h.core.T(r, "case.board.title"), URL: "/cases"}, {Name: title}}})
	return nil
}

// handleOne shows one request with the ways to place it: the map, the
// address search, and the dismissal.
func (h *heldPages) handleOne(w http.ResponseWriter, r *http.Request) error {
	return h.renderOne(w, r, http.StatusOK, "")
}

func (h *heldPages) renderOne(w http.ResponseWriter, r *http.Request, status int, errMsg string) error {
	if err := mayHoldPage(r); err != nil {
		return err
	}
	ctx := r.Context()
	id, err := pagekit.IDOf(r)
	if err != nil {
		return err
	}
	req, err := h.store.HeldRequest(ctx, caseActor(r), id)
	if err != nil {
		return err
	}
	cats, err := h.categories(ctx)
	if err != nil {
		return err
	}
	it := h.item(r, cats, *req)
	v := &heldView{Item: &it, Error: errMsg, Reasons: casework.DismissReasons, MapURL: "/api/v1/grids.geojson"}
	if u := whttp.UserFrom(ctx); wangge.LevelOf(u.ScopeCode) == wangge.LevelCommunity && wangge.ValidRegionCode(u.ScopeCode) {
		v.MapURL += "?community=" + url.QueryEscape(u.ScopeCode)
	}
	// The search starts from the words the client sent.
	v.Query = strings.TrimSpace(r.URL.Query().Get("q"))
	if _, asked := r.URL.Query()["q"]; !asked {
		v.Query = req.Address
	}
	if v.Query != "" {
		qs := v.Query
		if len([]rune(qs)) > 50 {
			qs = string([]rune(qs)[:50])
		}
		v.Searched = true
		if v.Hits, v.More, err = wangge.SearchAddress(ctx, h.store, qs, kioskLimit); err != nil {
			return err
		}
	}
	title := h.core.T(r, "held.one_title")
	h.core.Render(w, r, status, "held_one", &whttp.View{Title: title, Data: v, Map: true,
		Crumbs: []whttp.Crumb{{Name: h.core.T(r, "case.board.title"), URL: "/cases"}, {Name: h.core.T(r, "held.title"), URL: "/cases/held"}, {Name: title}}})
	return nil
}

// handlePlace places the request at a building (building_id with its
// grid, from the search) or at a tapped point (lng, lat, WGS-84), whose
// grid the locate index finds; then shows the list with the new case.
func (h *heldPages) handlePlace(w http.ResponseWriter, r *http.Request) error {
	if err := mayHoldPage(r); err != nil {
		return err
	}
	ctx := r.Context()
	id, err := pagekit.IDOf(r)
	if err != nil {
		return err
	}
	loc, err := h.location(r)
	if err == nil {
		var rc *casework.Receipt
		if rc, err = h.store.PlaceHeld(ctx, caseActor(r), id, loc); err == nil {
			http.Redirect(w, r, "/cases/held?placed="+url.QueryEscape(rc.Number), http.StatusSeeOther)
			return nil
		}
	}
	switch wangge.ErrorCode(err) {
	case wangge.EInvalid, wangge.EForbidden:
		return h.renderOne(w, r, whttp.Status(err), errText(r, err))
	}
	return err
}

// location reads the place a form names.
func (h *heldPages) location(r *http.Request) (casework.Location, error) {
	if b := r.PostFormValue("building_id"); b != "" {
		id, err := strconv.ParseInt(b, 10, 64)
		grid := r.PostFormValue("grid")
		if err != nil || id <= 0 || wangge.LevelOf(grid) != wangge.LevelGrid || !wangge.ValidRegionCode(grid) {
			return casework.Location{}, wangge.Invalid("building", "error.held.building")
		}
		return casework.Location{GridCode: grid, BuildingID: id}, nil
	}
	lng, errLng := strconv.ParseFloat(r.PostFormValue("lng"), 64)
	lat, errLat := strconv.ParseFloat(r.PostFormValue("lat"), 64)
	if errLng != nil || errLat != nil || lng < -180 || lng > 180 || lat < -90 || lat > 90 {
		return casework.Location{}, wangge.Invalid("place", "error.held.place")
	}
	place, ok, err := h.core.Locator().Locate(r.Context(), lng, lat)
	if err != nil {
		return casework.Location{}, err
	}
	if !ok {
		return casework.Location{}, wangge.Invalid("place", "error.held.outside")
	}
	return casework.Location{GridCode: place.GridCode, Point: &casework.Point{Lng: lng, Lat: lat}}, nil
}

func (h *heldPages) handleDismiss(w http.ResponseWriter, r *http.Request) error {
	if err := mayHoldPage(r); err != nil {
		return err
	}
	id, err := pagekit.IDOf(r)
	if err != nil {
		return err
	}
	reason := r.PostFormValue("reason")
	err = h.store.DismissHeld(r.Context(), caseActor(r), id, reason)
	if wangge.ErrorCode(err) == wangge.EInvalid {
		return h.renderOne(w, r, whttp.Status(err), errText(r, err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/cases/held?dismissed="+url.QueryEscape(reason), http.StatusSeeOther)
	return nil
}
