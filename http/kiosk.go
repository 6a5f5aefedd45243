package http

import (
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/geo"
)

// The kiosk (/kiosk) is the public touch screen in a community hall: no
// login, large targets, and only public facts — grids, their service areas,
// assistants' names and work phones, and the hundred services. A resident
// types their building or street, or taps their home on the map, and finds
// their grid and assistant.

// kioskLimit is how many results a search shows; more asks for more of
// the address rather than a long list to scroll on a touch screen.
const kioskLimit = 20

// LngLat is a point in WGS-84.
type LngLat struct{ Lng, Lat float64 }

// ParseLngLat reads "lng,lat" in WGS-84, as `wangge serve --kiosk-at` and
// /kiosk?at= take it.
func ParseLngLat(field, s string) (*LngLat, error) {
	bad := wangge.FieldError(field, "位置应写作“经度,纬度”（WGS-84），例如 113.11,36.19。", `A location is "lng,lat" in WGS-84, e.g. 113.11,36.19.`)
	lngS, latS, ok := strings.Cut(strings.TrimSpace(s), ",")
	if !ok {
		return nil, bad
	}
	lng, err1 := strconv.ParseFloat(strings.TrimSpace(lngS), 64)
	lat, err2 := strconv.ParseFloat(strings.TrimSpace(latS), 64)
	if err1 != nil || err2 != nil || math.IsNaN(lng) || math.IsNaN(lat) || lng < -180 || lng > 180 || lat < -90 || lat > 90 {
		return nil, bad
	}
	return &LngLat{Lng: lng, Lat: lat}, nil
}

// String writes the point as ParseLngLat reads it.
func (p *LngLat) String() string {
	return strconv.FormatFloat(p.Lng, 'f', -1, 64) + "," + strconv.FormatFloat(p.Lat, 'f', -1, 64)
}

type kioskView struct {
	Query    string
	Searched bool
	Hits     []wangge.AddressHit
	More     bool
	Grid     *wangge.AreaSummary
	Assist   *wangge.Assistant
	Services []serviceGroup
	// Here is where the kiosk stands ("you are here"), when known; Home is
	// the kiosk's start page, which keeps it.
	Here *LngLat
	Home string
}

type serviceGroup struct {
	Line     wangge.Line
	Services []wangge.Service
}

// kioskHere returns where the kiosk stands: ?at= (a kiosk's own bookmark)
// or the server's --kiosk-at.
func (s *Server) kioskHere(r *http.Request) (*LngLat, string, error) {
	if at := r.URL.Query().Get("at"); at != "" {
		p, err := ParseLngLat("at", at)
		if err != nil {
			return nil, "", err
		}
		return p, "/kiosk?at=" + url.QueryEscape(p.String()), nil
	}
	return s.opts.KioskAt, "/kiosk", nil
}

// handleKiosk shows the search and the map, and the places matching a query.
func (s *Server) handleKiosk(w http.ResponseWriter, r *http.Request) error {
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
	s.Render(w, r, http.StatusOK, "kiosk", &View{Title: s.msgs.T(LangOf(r), "kiosk.title"), Data: v, Kiosk: true, KioskHome: home, Map: true})
	return nil
}

// handleKioskGrid shows a grid: its assistant, service area and services.
func (s *Server) handleKioskGrid(w http.ResponseWriter, r *http.Request) error {
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
	s.Render(w, r, http.StatusOK, "kiosk", &View{Title: sum.Name, Data: v, Kiosk: true, KioskHome: home})
	return nil
}

// handleKioskMap returns what the kiosk's map draws, all public: the grids,
// the communities with their names, and the named streets along the
// grids' sides, read from each grid's four bounds (四至) in its service
// area.
func (s *Server) handleKioskMap(w http.ResponseWriter, r *http.Request) error {
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
	WriteJSON(w, http.StatusOK, fc)
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
func (s *Server) kioskStreets(r *http.Request, outlines map[string]string, areaNames map[string]bool) ([]kioskFeature, error) {
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
