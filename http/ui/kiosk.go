package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/geo"
	whttp "github.com/wangge/wangge/http"
)

// The kiosk (/kiosk) is the public touch screen in a community hall: no
// login, large targets, and only public facts — grids, their service areas,
// assistants' names and work phones, and the hundred services. A resident
// types their building or street, or taps their home on the map, and finds
// their grid and assistant.

// kioskLimit is how many results a search shows; more asks for more of
// the address rather than a long list to scroll on a touch screen.
const kioskLimit = 20

// KioskStore is what the kiosk reads, all of it public: the address
// search over building names and addresses and area names, a grid's
// counts, its assistant and the hundred services, and the outlines and
// four bounds the map draws.
type KioskStore interface {
	wangge.AddressSource
	AreaSummary(ctx context.Context, scope wangge.Scope, code string) (*wangge.AreaSummary, error)
	GridAssistant(ctx context.Context, gridCode string) (*wangge.Assistant, error)
	ListServices(ctx context.Context, line wangge.Line, activeOnly bool) ([]wangge.Service, error)
	Boundaries(ctx context.Context, prefix string, level wangge.Level, at time.Time) ([]wangge.Boundary, error)
	ListAreas(ctx context.Context, f wangge.AreaFilter) ([]wangge.Area, int, error)
}

// kiosk is the kiosk's handlers.
type kiosk struct {
	core  *whttp.Server
	store KioskStore
}

// kioskRoutes is the kiosk's part of the server: public pages, no login.
func kioskRoutes(core *whttp.Server, store wangge.Store) []whttp.Route {
	s := &kiosk{core: core, store: store}
	return []whttp.Route{
		core.Public("GET /kiosk", s.handleKiosk),
		core.Public("GET /kiosk/grids/{code}", s.handleKioskGrid),
		core.Public("GET /kiosk/map.geojson", s.handleKioskMap),
	}
}

type kioskView struct {
	Query    string
	Searched bool
	Hits     []wangge.AddressHit
	More     bool
	Grid     *wangge.AreaSummary
	Assist   *wangge.Assistant
	Services []kioskServiceGroup
	// Here is where the kiosk stands ("you are here"), when known; Home is
	// the kiosk's start page, which keeps it.
	Here *whttp.LngLat
	Home string
}

// kioskServiceGroup is the services of one line, under its heading.
type kioskServiceGroup struct {
	Line     wangge.Line
	Services []wangge.Service
}

// kioskHere returns where the kiosk stands: ?at= (a kiosk's own bookmark)
// or the server's --kiosk-at.
func (s *kiosk) kioskHere(r *http.Request) (*whttp.LngLat, string, error) {
	if at := r.URL.Query().Get("at"); at != "" {
		p, err := whttp.ParseLngLat("at", at)
		if err != nil {
			return nil, "", err
		}
		return p, "/kiosk?at=" + url.QueryEscape(p.String()), nil
	}
	return s.core.Options().KioskAt, "/kiosk", nil
}

// handleKiosk shows the search and the map, and the places matching a query.
func (s *kiosk) handleKiosk(w http.ResponseWriter, r *http.Request) error {
	here, home, err := s.kioskHere(r)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	v := &kioskView{Query: q, Here: here, Home: home}
	if q != "" {
		if len([]rune(q)) > 50 {
			q = string([]rune(q)[:50])
		}
		v.Searched = true
		// Building names and addresses are on every door plate, and area
		// names are public: the search reads nothing else.
		if v.Hits, v.More, err = wangge.SearchAddress(r.Context(), s.store, q, kioskLimit); err != nil {
			return err
		}
	}
	s.core.Render(w, r, http.StatusOK, "kiosk", &whttp.View{Title: s.core.T(r, "kiosk.title"), Data: v, Kiosk: true, KioskHome: home, Map: true})
	return nil
}

// handleKioskGrid shows a grid: its assistant, service area and services.
func (s *kiosk) handleKioskGrid(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	code := r.PathValue("code")
	if wangge.LevelOf(code) != wangge.LevelGrid || !wangge.ValidRegionCode(code) {
		return wangge.ErrNotFound
	}
	here, home, err := s.kioskHere(r)
	if err != nil {
		return err
	}
	// Counts of a grid are public; the summary is read over the grid alone.
	sum, err := s.store.AreaSummary(ctx, wangge.ScopeOf(code), code)
	if err != nil {
		return err
	}
	v := &kioskView{Grid: sum, Here: here, Home: home}
	if a, err := s.store.GridAssistant(ctx, code); err == nil {
		a.Phone = "" // the personal phone never reaches the kiosk
		v.Assist = a
	}
	services, err := s.store.ListServices(ctx, "", true)
	if err != nil {
		return err
	}
	for _, l := range wangge.Lines {
		g := kioskServiceGroup{Line: l}
		for _, sv := range services {
			if sv.Line == l {
				g.Services = append(g.Services, sv)
			}
		}
		if len(g.Services) > 0 {
			v.Services = append(v.Services, g)
		}
	}
	s.core.Render(w, r, http.StatusOK, "kiosk", &whttp.View{Title: sum.Name, Data: v, Kiosk: true, KioskHome: home})
	return nil
}

// handleKioskMap returns what the kiosk's map draws, all public: the grids,
// the communities with their names, and the named streets along the
// grids' sides, read from each grid's four bounds (四至) in its service
// area.
func (s *kiosk) handleKioskMap(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	fc := struct {
		Type     string         `json:"type"`
		Features []kioskFeature `json:"features"`
	}{Type: "FeatureCollection", Features: []kioskFeature{}}

	areaNames := map[string]bool{}
	communities := map[string]string{} // code → name
	outlines := map[string]string{}    // grid code → GeoJSON
	for _, level := range []wangge.Level{wangge.LevelCommunity, wangge.LevelGrid} {
		bs, err := s.store.Boundaries(ctx, "", level, time.Time{})
		if err != nil {
			return err
		}
		kind := map[wangge.Level]string{wangge.LevelCommunity: "community", wangge.LevelGrid: "grid"}[level]
		for _, b := range bs {
			areaNames[b.AreaName] = true
			p := map[string]any{"kind": kind, "code": b.AreaCode, "name": b.AreaName}
			if level == wangge.LevelCommunity {
				communities[b.AreaCode] = b.AreaName
			} else {
				outlines[b.AreaCode] = b.GeoJSON
				if c := communities[wangge.ParentCode(b.AreaCode)]; c != "" && strings.HasPrefix(b.AreaName, c) && len(b.AreaName) > len(c) {
					// The community's own label says the rest: 第2网格.
					p["label"] = strings.TrimPrefix(b.AreaName, c)
				}
			}
			fc.Features = append(fc.Features, kioskFeature{Type: "Feature", Geometry: json.RawMessage(b.GeoJSON), Properties: p})
		}
	}
	streets, err := s.kioskStreets(r, outlines, areaNames)
	if err != nil {
		return err
	}
	fc.Features = append(fc.Features, streets...)
	w.Header().Set("Cache-Control", "public, max-age=60")
	whttp.WriteJSON(w, http.StatusOK, fc)
	return nil
}

// kioskFeature is a GeoJSON feature of the kiosk's map.
type kioskFeature struct {
	Type       string         `json:"type"`
	Geometry   any            `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

// kioskStreets draws each street a grid's four bounds name along the
// grid's side that faces it. A bound that names an area (东至某网格) is a
// neighbour, not a street.
func (s *kiosk) kioskStreets(r *http.Request, outlines map[string]string, areaNames map[string]bool) ([]kioskFeature, error) {
	ctx := r.Context()
	segs := map[string][]geo.Segment{}
	for off := 0; ; off += wangge.MaxPageLimit {
		grids, _, err := s.store.ListAreas(ctx, wangge.AreaFilter{Level: wangge.LevelGrid, Page: wangge.Page{Limit: wangge.MaxPageLimit, Offset: off}})
		if err != nil {
			return nil, err
		}
		for _, g := range grids {
			gj, ok := outlines[g.Code]
			if !ok || g.ServiceArea == "" {
				continue
			}
			a, err := geo.ParseArea(g.Code, gj)
			if err != nil {
				return nil, err
			}
			for side, name := range wangge.FourBounds(g.ServiceArea) {
				if name != "" && !areaNames[name] {
					segs[name] = append(segs[name], geo.FacingEdges(a.Geom, geo.Side(side))...)
				}
			}
		}
		if len(grids) < wangge.MaxPageLimit {
			break
		}
	}
	names := make([]string, 0, len(segs))
	for n := range segs {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []kioskFeature
	for _, name := range names {
		parts := geo.MergeSegments(segs[name])
		if len(parts) == 0 {
			continue
		}
		lines := make([][][2]float64, len(parts))
		for i, p := range parts {
			lines[i] = [][2]float64{p.A, p.B}
		}
		out = append(out, kioskFeature{Type: "Feature",
			Geometry:   map[string]any{"type": "MultiLineString", "coordinates": lines},
			Properties: map[string]any{"kind": "street", "name": name},
		})
	}
	return out, nil
}
