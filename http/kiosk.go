package http

import (
	"net/http"
	"strings"

	"github.com/wangge/wangge"
)

// The kiosk (/kiosk) is the public touch screen in a community hall: no
// login, large targets, and only public facts — grids, their service areas,
// assistants' names and work phones, and the hundred services. A resident
// types their building or street and finds their grid and assistant.

type kioskHit struct {
	Building string
	Address  string
	GridCode string
	GridName string
}

type kioskView struct {
	Query    string
	Searched bool
	Hits     []kioskHit
	Grid     *wangge.AreaSummary
	Assist   *wangge.Assistant
	Services []serviceGroup
}

type serviceGroup struct {
	Line     wangge.Line
	Services []wangge.Service
}

// handleKiosk shows the search, and the buildings matching a query.
func (s *Server) handleKiosk(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	v := &kioskView{Query: q}
	if q != "" {
		if len([]rune(q)) > 50 {
			q = string([]rune(q)[:50])
		}
		v.Searched = true
		// Building names and addresses are on every door plate: public.
		bs, _, err := s.store.ListBuildings(ctx, wangge.ScopeAll(), wangge.BuildingFilter{Query: q, Page: wangge.Page{Limit: 12}})
		if err != nil {
			return err
		}
		names := map[string]string{}
		for _, b := range bs {
			if _, ok := names[b.GridCode]; !ok {
				if a, err := s.store.Area(ctx, b.GridCode); err == nil {
					names[b.GridCode] = a.Name
				}
			}
			v.Hits = append(v.Hits, kioskHit{Building: b.Name, Address: b.Address, GridCode: b.GridCode, GridName: names[b.GridCode]})
		}
	}
	s.render(w, r, http.StatusOK, "kiosk", &view{Title: s.msgs.T(langOf(r), "kiosk.title"), Data: v, Kiosk: true, Map: true})
	return nil
}

// handleKioskGrid shows a grid: its assistant, service area and services.
func (s *Server) handleKioskGrid(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	code := r.PathValue("code")
	if wangge.LevelOf(code) != wangge.LevelGrid || !wangge.ValidRegionCode(code) {
		return wangge.ErrNotFound
	}
	// Counts of a grid are public; the summary is read over the grid alone.
	sum, err := s.store.AreaSummary(ctx, wangge.ScopeOf(code), code)
	if err != nil {
		return err
	}
	v := &kioskView{Grid: sum}
	if a, err := s.store.GridAssistant(ctx, code); err == nil {
		a.Phone = "" // the personal phone never reaches the kiosk
		v.Assist = a
	}
	services, err := s.store.ListServices(ctx, "", true)
	if err != nil {
		return err
	}
	for _, l := range wangge.Lines {
		g := serviceGroup{Line: l}
		for _, sv := range services {
			if sv.Line == l {
				g.Services = append(g.Services, sv)
			}
		}
		if len(g.Services) > 0 {
			v.Services = append(v.Services, g)
		}
	}
	s.render(w, r, http.StatusOK, "kiosk", &view{Title: sum.Name, Data: v, Kiosk: true})
	return nil
}
