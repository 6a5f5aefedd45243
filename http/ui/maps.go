package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/peterstace/simplefeatures/geom"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/coverage"
	"github.com/wangge/wangge/geo"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/internal/pagekit"
)

// The map pages draw an area's grids as vectors — no tile server needed —
// coloured so that neighbours differ, labelled, with every gap and overlap
// of the seamless-coverage check in red and buildings as dots. A click on a
// grid shows its assistant and counts. When a tile URL is configured the
// map draws over it.

// MapStore is what the map pages read: the outlines of an area and its
// children as of a day, the coverage check over them, the area's counts,
// buildings in scope, and a grid's assistant and key-group counts for its
// card.
type MapStore interface {
	coverage.Store
	Area(ctx context.Context, code string) (*wangge.Area, error)
	AreaSummary(ctx context.Context, scope wangge.Scope, code string) (*wangge.AreaSummary, error)
	Boundary(ctx context.Context, code string, at time.Time) (*wangge.Boundary, error)
	GridAssistant(ctx context.Context, gridCode string) (*wangge.Assistant, error)
	GroupCounts(ctx context.Context, scope wangge.Scope) ([]wangge.GroupCount, error)
}

// mapPages are the map pages' handlers.
type mapPages struct {
	core  *whttp.Server
	store MapStore
}

// mapView is what a map page shows besides the map itself.
type mapView struct {
	Area     *wangge.AreaSummary
	On       string // the day whose outlines are shown, "" for today's
	DataURL  string // the map's GeoJSON
	TileURL  string
	Coverage *coverage.Parent // the area's own check (nil for a grid)
	Strays   int              // buildings outside every grid or in two
	Checked  bool
}

// handleMap shows the map of a district, sub-district, community or grid.
func (s *mapPages) handleMap(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	code := r.PathValue("code")
	if !wangge.ValidRegionCode(code) {
		return wangge.ErrNotFound
	}
	sum, err := s.store.AreaSummary(ctx, whttp.UserFrom(ctx).Scope(), code)
	if err != nil {
		return err
	}
	crumbs, err := pagekit.AreaCrumbs(ctx, s.store, code)
	if err != nil {
		return err
	}
	crumbs = append(crumbs, whttp.Crumb{Name: s.core.T(r, "map.title")})
	on, at, err := mapDay(r)
	if err != nil {
		return err
	}
	v := &mapView{Area: sum, On: on, DataURL: "/areas/" + code + "/map.geojson", TileURL: s.core.Options().TileURL}
	if on != "" {
		v.DataURL += "?on=" + on
	}
	if sum.Level != wangge.LevelGrid {
		rep, err := coverage.Check(ctx, s.store, code, at)
		if err != nil {
			return err
		}
		for i := range rep.Parents {
			if rep.Parents[i].Code == code {
				v.Coverage = &rep.Parents[i]
			}
		}
		v.Checked = v.Coverage != nil
		v.Strays = len(rep.BuildingsOutsideGrids) + len(rep.BuildingsInTwoGrids)
	}
	s.core.Render(w, r, http.StatusOK, "map", &whttp.View{Title: sum.Name + " · " + s.core.T(r, "map.title"), Crumbs: crumbs, Data: v, Map: true})
	return nil
}

type mapFeature struct {
	Type       string          `json:"type"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties map[string]any  `json:"properties"`
}

// handleMapData answers GET /areas/{code}/map.geojson: one FeatureCollection
// with the area's outline ("kind": "outline"), above a community the
// communities' outlines ("community"), its grids ("grid", with a
// colour index that differs between neighbours), the gaps, overlaps and
// pieces outside the parent found under it ("gap", "overlap", "outside"),
// buildings of a community or grid in the user's scope ("building") and
// buildings outside every grid or in two ("stray").
func (s *mapPages) handleMapData(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	scope := whttp.UserFrom(ctx).Scope()
	code := r.PathValue("code")
	if !wangge.ValidRegionCode(code) {
		return wangge.ErrNotFound
	}
	sum, err := s.store.AreaSummary(ctx, scope, code)
	if err != nil {
		return err
	}
	// A grid's map shows its community around it.
	root := code
	if sum.Level == wangge.LevelGrid {
		root = wangge.ParentCode(code)
	}
	_, at, err := mapDay(r)
	if err != nil {
		return err
	}
	l := whttp.LangOf(r)
	var fs []mapFeature
	add := func(g geom.Geometry, props map[string]any) error {
		b, err := g.MarshalJSON()
		if err != nil {
			return err
		}
		fs = append(fs, mapFeature{Type: "Feature", Geometry: b, Properties: props})
		return nil
	}
	if b, err := s.store.Boundary(ctx, root, at); err == nil {
		fs = append(fs, mapFeature{Type: "Feature", Geometry: json.RawMessage(b.GeoJSON),
			Properties: map[string]any{"kind": "outline", "code": root, "name": b.AreaName}})
	} else if wangge.ErrorCode(err) != wangge.ENotFound {
		return err
	}
	grids, err := s.store.Boundaries(ctx, root, wangge.LevelGrid, at)
	if err != nil {
		return err
	}
	colours, err := gridColours(grids)
	if err != nil {
		return err
	}
	// Above a community, its outlines are drawn too, and grids are
	// labelled without their community's name ("第3网格"), which fits.
	communityName := map[string]string{}
	if wangge.LevelOf(root) < wangge.LevelCommunity {
		cs, err := s.store.Boundaries(ctx, root, wangge.LevelCommunity, at)
		if err != nil {
			return err
		}
		for _, b := range cs {
			communityName[b.AreaCode] = b.AreaName
			fs = append(fs, mapFeature{Type: "Feature", Geometry: json.RawMessage(b.GeoJSON),
				Properties: map[string]any{"kind": "community", "code": b.AreaCode, "name": b.AreaName}})
		}
	}
	for i, b := range grids {
		label := b.AreaName
		if c := communityName[wangge.ParentCode(b.AreaCode)]; c != "" && strings.HasPrefix(label, c) && len(label) > len(c) {
			label = strings.TrimPrefix(label, c)
		}
		fs = append(fs, mapFeature{Type: "Feature", Geometry: json.RawMessage(b.GeoJSON), Properties: map[string]any{
			"kind": "grid", "code": b.AreaCode, "name": b.AreaName, "label": label, "colour": colours[i], "selected": b.AreaCode == code}})
	}
	rep, err := coverage.Check(ctx, s.store, root, at)
	if err != nil {
		return err
	}
	for _, p := range rep.Parents {
		for _, set := range []struct {
			kind  string
			items []coverage.Item
		}{{"gap", p.Gaps}, {"overlap", p.Overlaps}, {"outside", p.OutsideParent}} {
			for _, it := range set.items {
				if err := add(it.Geom, map[string]any{"kind": set.kind, "parent": p.Code, "codes": it.Codes,
					"area_m2": it.AreaM2, "label": s.core.TLang(l, "map."+set.kind, "Area", int64(it.AreaM2+0.5))}); err != nil {
					return err
				}
			}
		}
	}
	strays := append(rep.BuildingsOutsideGrids, rep.BuildingsInTwoGrids...)
	for _, b := range strays {
		if err := add(point(b.Lng, b.Lat), map[string]any{"kind": "stray", "id": b.ID, "name": b.Name, "grids": b.Grids}); err != nil {
			return err
		}
	}
	if sum.Level >= wangge.LevelCommunity {
		for off := 0; ; off += wangge.MaxPageLimit {
			bs, total, err := s.store.ListBuildings(ctx, scope.Narrow(root), wangge.BuildingFilter{Page: wangge.Page{Offset: off, Limit: wangge.MaxPageLimit}})
			if err != nil {
				return err
			}
			for _, b := range bs {
				if err := add(point(b.Lng, b.Lat), map[string]any{"kind": "building", "id": b.ID, "name": b.Name,
					"grid": b.GridCode, "households": b.Households}); err != nil {
					return err
				}
			}
			if off+wangge.MaxPageLimit >= total {
				break
			}
		}
	}
	if fs == nil {
		fs = []mapFeature{}
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	whttp.WriteJSON(w, http.StatusOK, map[string]any{"type": "FeatureCollection", "features": fs})
	return nil
}

// mapDay reads ?on=YYYY-MM-DD, the day whose outlines a map shows: it
// returns the day and the last instant of it in Beijing time, or "" and
// the zero time (today's outlines) when absent.
func mapDay(r *http.Request) (string, time.Time, error) {
	on := r.URL.Query().Get("on")
	if on == "" {
		return "", time.Time{}, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, on, whttp.ChinaTime)
	if err != nil {
		return "", time.Time{}, wangge.Invalid("on", "error.date.format")
	}
	return d.Format(time.DateOnly), d.Add(24*time.Hour - time.Nanosecond), nil
}

func point(lng, lat float64) geom.Geometry {
	return geom.NewPoint(geom.Coordinates{XY: geom.XY{X: lng, Y: lat}, Type: geom.DimXY}).AsGeometry()
}

// mapPalette is how many fill colours the map has (map.js holds them).
const mapPalette = 6

// gridColours gives each grid a colour index that differs from those of
// the grids it borders or overlaps (geo.ColourPolygons).
func gridColours(grids []wangge.Boundary) ([]int, error) {
	polys := make([]geom.Geometry, len(grids))
	for i, b := range grids {
		a, err := geo.ParseArea(b.AreaCode, b.GeoJSON)
		if err != nil {
			return nil, err
		}
		polys[i] = a.Geom
	}
	return geo.ColourPolygons(polys, mapPalette)
}

// gridCard is what a click on a grid shows.
type gridCard struct {
	Code       string      `json:"code"`
	Name       string      `json:"name"`
	URL        string      `json:"url"` // the grid's page
	Assistant  string      `json:"assistant"`
	WorkPhone  string      `json:"work_phone"`
	Households int         `json:"households"`
	Persons    int         `json:"persons"`
	Units      int         `json:"units"`
	Buildings  int         `json:"buildings"`
	Groups     []cardGroup `json:"groups"`
	Labels     cardLabels  `json:"labels"`
}

type cardGroup struct {
	Group string `json:"group"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

type cardLabels struct {
	Assistant, Households, Persons, Units, Buildings, Open, NoAssistant string
}

// handleGridCard answers GET /areas/{code}/card.json for a grid: its
// assistant and work phone, its counts (public, as on the kiosk) and the
// key-group counts the user may see.
func (s *mapPages) handleGridCard(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	code := r.PathValue("code")
	if wangge.LevelOf(code) != wangge.LevelGrid || !wangge.ValidRegionCode(code) {
		return wangge.ErrNotFound
	}
	scope := whttp.UserFrom(ctx).Scope()
	if _, err := s.store.AreaSummary(ctx, scope, code); err != nil {
		return err // a grid outside the user's scope shows its name only
	}
	// The counts are the public ones the kiosk shows, whatever the role.
	sum, err := s.store.AreaSummary(ctx, wangge.ScopeOf(code), code)
	if err != nil {
		return err
	}
	l := whttp.LangOf(r)
	c := &gridCard{Code: code, Name: sum.Name, Households: sum.Households, Persons: sum.Persons, Units: sum.Units,
		Buildings: sum.Buildings, Groups: []cardGroup{}, Labels: cardLabels{
			Assistant: s.core.TLang(l, "grid.assistant"), Households: s.core.TLang(l, "count.households"),
			Persons: s.core.TLang(l, "count.persons"), Units: s.core.TLang(l, "count.units"), Buildings: s.core.TLang(l, "count.buildings"),
			Open: s.core.TLang(l, "map.open_grid"), NoAssistant: s.core.TLang(l, "kiosk.no_assistant")}}
	if a, err := s.store.GridAssistant(ctx, code); err == nil {
		c.Assistant, c.WorkPhone = a.Name, a.WorkPhone
	} else if wangge.ErrorCode(err) != wangge.ENotFound {
		return err
	}
	c.URL = "/areas/" + code
	groups, err := s.store.GroupCounts(ctx, scope.Narrow(code))
	if err != nil {
		return err
	}
	for _, g := range groups {
		c.Groups = append(c.Groups, cardGroup{Group: string(g.Group), Name: s.core.TLang(l, "group."+string(g.Group)), Count: g.Count})
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	whttp.WriteJSON(w, http.StatusOK, c)
	return nil
}
