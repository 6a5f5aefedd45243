package ui

import (
	"context"
	"html/template"
	"net/http"
	"strconv"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/internal/pagekit"
)

// Door plates (网格公示牌): one printed plate per building, at its entrance,
// saying which grid the building is in and who its assistant is, with the
// work phone and a QR code that opens the grid's kiosk page on a phone.
// A plate shows only what the kiosk shows anyone, but staff print them, so
// buildings are read in the user's scope like every other page.

// platesPerPage bounds the bulk page: a big community prints in a few
// batches rather than one page a browser struggles to lay out.
const platesPerPage = 200

// plate is one printed door plate.
type plate struct {
	Building       wangge.Building
	Code           string // the building's 20-digit code
	Grid           *wangge.Area
	Community      string
	CommunityPhone string            // the community office, for a grid without an assistant
	Assist         *wangge.Assistant // public fields only; nil without an assistant
	KioskURL       string            // what the QR code encodes
	QR             template.HTML
}

// platesView is what the plate page shows: one building's plate, or an
// area's plates a page at a time.
type platesView struct {
	Area   *wangge.AreaSummary // the area of the bulk page; nil for one building
	Plates []plate
	Pager  *pagekit.Pager
}

// kioskBase is the address the QR codes point at: the configured public
// URL, or else the scheme and host this request came to. Behind a TLS proxy
// (SecureCookies) the request itself is plain HTTP, but residents are not.
func (s *plates) kioskBase(r *http.Request) string {
	if s.core.Options().PublicURL != "" {
		return s.core.Options().PublicURL
	}
	scheme := "http"
	if r.TLS != nil || s.core.Options().SecureCookies {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// plateGrid is what every plate of one grid shares.
type plateGrid struct {
	grid           *wangge.Area
	community      string
	communityPhone string
	assist         *wangge.Assistant
	url            string
}

// plateMaker makes plates, reading each grid's facts once for all the
// grid's buildings; each plate's QR code names its building.
type plateMaker struct {
	s     *plates
	base  string
	label string
	grids map[string]*plateGrid
}

func (s *plates) newPlateMaker(r *http.Request) *plateMaker {
	return &plateMaker{s: s, base: s.kioskBase(r), label: s.core.T(r, "plate.scan"), grids: map[string]*plateGrid{}}
}

// grid returns the shared facts of a grid: names and the service area are
// public, and so are the assistant's name, photo and work phone.
func (m *plateMaker) grid(ctx context.Context, code string) (*plateGrid, error) {
	if g, ok := m.grids[code]; ok {
		return g, nil
	}
	g := &plateGrid{url: m.base + "/kiosk/grids/" + code}
	var err error
	if g.grid, err = m.s.store.Area(ctx, code); err != nil {
		return nil, err
	}
	community, err := m.s.store.Area(ctx, code[:wangge.CommunityCodeLen])
	if err != nil {
		return nil, err
	}
	g.community, g.communityPhone = community.Name, community.Phone
	switch a, err := m.s.store.GridAssistant(ctx, code); {
	case err == nil:
		// The personal phone never reaches a plate on a door.
		g.assist = &wangge.Assistant{Name: a.Name, WorkPhone: a.WorkPhone, PhotoURL: a.PhotoURL}
	case wangge.ErrorCode(err) != wangge.ENotFound:
		return nil, err
	}
	m.grids[code] = g
	return g, nil
}

// plate makes the plate of a building.
func (m *plateMaker) plate(ctx context.Context, b *wangge.Building) (plate, error) {
	g, err := m.grid(ctx, b.GridCode)
	if err != nil {
		return plate{}, err
	}
	// The plate's code names its building too, so the workbench's scan
	// finds the building (the kiosk shows the grid either way).
	u := g.url + "?b=" + strconv.FormatInt(b.ID, 10)
	qr, err := qrSVG(u, m.label)
	if err != nil {
		return plate{}, err
	}
	return plate{Building: *b, Code: b.Code(), Grid: g.grid, Community: g.community, CommunityPhone: g.communityPhone,
		Assist: g.assist, KioskURL: u, QR: qr}, nil
}

// handleBuildingPlate shows the door plate of one building, for printing.
func (s *plates) handleBuildingPlate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pagekit.IDOf(r)
	if err != nil {
		return err
	}
	b, err := s.store.Building(ctx, whttp.UserFrom(ctx).Scope(), id)
	if err != nil {
		return err
	}
	p, err := s.newPlateMaker(r).plate(ctx, b)
	if err != nil {
		return err
	}
	crumbs, err := pagekit.AreaCrumbs(ctx, s.store, b.GridCode)
	if err != nil {
		return err
	}
	title := s.core.T(r, "plate.title")
	crumbs = append(crumbs, whttp.Crumb{Name: b.Name, URL: "/buildings/" + strconv.FormatInt(b.ID, 10)}, whttp.Crumb{Name: title})
	s.core.Render(w, r, http.StatusOK, "plate", &whttp.View{Title: title + " · " + b.Name, Crumbs: crumbs, Data: &platesView{Plates: []plate{p}}})
	return nil
}

// handleAreaPlates shows the door plates of every building of a grid or a
// community in the user's scope, platesPerPage at a time, one plate to a
// printed page.
func (s *plates) handleAreaPlates(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	scope := whttp.UserFrom(ctx).Scope()
	code := r.PathValue("code")
	if l := wangge.LevelOf(code); (l != wangge.LevelGrid && l != wangge.LevelCommunity) || !wangge.ValidRegionCode(code) {
		return wangge.ErrNotFound
	}
	pg, n, err := pagekit.PageOfSize(r, platesPerPage)
	if err != nil {
		return err
	}
	sum, err := s.store.AreaSummary(ctx, scope, code)
	if err != nil {
		return err
	}
	bs, total, err := s.store.ListBuildings(ctx, scope.Narrow(code), wangge.BuildingFilter{Page: pg})
	if err != nil {
		return err
	}
	v := &platesView{Area: sum, Pager: pagekit.NewPagerSize(r, n, total, platesPerPage)}
	m := s.newPlateMaker(r)
	for i := range bs {
		p, err := m.plate(ctx, &bs[i].Building)
		if err != nil {
			return err
		}
		v.Plates = append(v.Plates, p)
	}
	crumbs, err := pagekit.AreaCrumbs(ctx, s.store, code)
	if err != nil {
		return err
	}
	title := s.core.T(r, "plate.title")
	crumbs = append(crumbs, whttp.Crumb{Name: title})
	s.core.Render(w, r, http.StatusOK, "plate", &whttp.View{Title: title + " · " + sum.Name, Crumbs: crumbs, Data: v})
	return nil
}
