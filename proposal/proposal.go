// Package proposal proposes how to divide a community into grids of about N
// households (网格划分方案) from its buildings' locations and household
// counts, for staff to review, adjust and accept. The web page and the
// command line (`wangge grids propose`) both ask it; the geometry is
// geo.ProposePartition and geo.BuildPartition, and accepting is the store's
// RedrawGrids.
//
// A proposal is a pure function of the community's outline, its buildings,
// N and the adjustments (building → group), so a page can carry the
// adjustments in its address and the accept form recomputes exactly what
// was shown; Digest tells when the data changed in between.
package proposal

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/peterstace/simplefeatures/geom"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/geo"
	"github.com/wangge/wangge/msg"
)

// DefaultHouseholds is N when none is given: about 300 households a grid.
const DefaultHouseholds = 300

// MaxHouseholds bounds N.
const MaxHouseholds = 100000

// Store is what a proposal reads: outlines and area names are public,
// buildings are read in the caller's scope.
type Store interface {
	Area(ctx context.Context, code string) (*wangge.Area, error)
	Boundary(ctx context.Context, code string, at time.Time) (*wangge.Boundary, error)
	Boundaries(ctx context.Context, prefix string, level wangge.Level, at time.Time) ([]wangge.Boundary, error)
	ListAreas(ctx context.Context, f wangge.AreaFilter) ([]wangge.Area, int, error)
	ListBuildings(ctx context.Context, scope wangge.Scope, f wangge.BuildingFilter) ([]wangge.BuildingSummary, int, error)
}

// Move is one adjustment: a building put in another proposed grid
// (numbered from 1; one more than the proposal has starts a new grid).
type Move struct {
	Building int64
	Group    int
}

// Options are what a proposal is asked for.
type Options struct {
	Households int    // N; 0 for DefaultHouseholds
	Moves      []Move // adjustments, applied in order
}

// Grid is one proposed grid.
type Grid struct {
	Number       int           `json:"number"`         // 1, 2, …
	Code         string        `json:"code,omitempty"` // the current grid whose code it keeps; "" for a new grid
	Name         string        `json:"name,omitempty"` // that grid's name
	Households   int           `json:"households"`
	Buildings    int           `json:"buildings"`
	Deviation    int           `json:"deviation"`     // Households − N
	DeviationPct float64       `json:"deviation_pct"` // 100 · Deviation / N
	AreaM2       float64       `json:"area_m2"`
	Contiguous   bool          `json:"contiguous"`
	BuildingIDs  []int64       `json:"building_ids"`
	Neighbours   []int         `json:"neighbours,omitempty"` // numbers of the grids it borders
	Colour       int           `json:"-"`                    // 0 to Palette−1, different from every neighbour's
	LabelLng     float64       `json:"-"`
	LabelLat     float64       `json:"-"`
	Geom         geom.Geometry `json:"outline"` // Polygon, MultiPolygon when not contiguous, empty without area
}

// Building is one building of the community and where the proposal puts it.
type Building struct {
	ID         int64   `json:"id"`
	Name       string  `json:"name"`
	GridCode   string  `json:"grid_code"` // its current grid
	Lng        float64 `json:"lng"`
	Lat        float64 `json:"lat"`
	Households int     `json:"households"`
	Group      int     `json:"group"`    // its proposed grid's number, after the adjustments
	Proposed   int     `json:"proposed"` // the number the proposal gave it
	Located    bool    `json:"located"`  // false: no coordinates, drawn nowhere
}

// Current is one of the community's grids as they are.
type Current struct {
	Code       string        `json:"code"`
	Name       string        `json:"name"`
	Households int           `json:"households"`
	Buildings  int           `json:"buildings"`
	Kept       int           `json:"kept_by,omitempty"` // the proposed grid keeping its code, 0 when it would be retired
	Geom       geom.Geometry `json:"-"`                 // its current outline (empty when it has none)
}

// Warning is something to look at before accepting.
type Warning struct {
	Kind      string  `json:"kind"` // a geo.Warn… kind, or "unlocated"
	Group     int     `json:"group,omitempty"`
	Buildings []int64 `json:"buildings,omitempty"`
	Zh        string  `json:"zh"`
	EN        string  `json:"en"`
}

// WarnUnlocated: a building without coordinates, placed by its current grid.
const WarnUnlocated = "unlocated"

// Proposal is a proposed division of a community into grids.
type Proposal struct {
	Community        wangge.Area   `json:"-"`
	Code             string        `json:"community"`
	Target           int           `json:"target_households"`
	Households       int           `json:"households"`
	Grids            []Grid        `json:"grids"`
	Buildings        []Building    `json:"buildings"`
	Current          []Current     `json:"current_grids"`
	Retired          []string      `json:"retired"` // current grids the proposal would retire
	Warnings         []Warning     `json:"warnings"`
	MaxDeviationPct  float64       `json:"max_deviation_pct"`
	MeanDeviationPct float64       `json:"mean_deviation_pct"`
	Digest           string        `json:"digest"`
	Outline          geom.Geometry `json:"-"`
}

// Errors of a proposal.
var (
	ErrNoOutline   = wangge.E(wangge.EConflict, "proposal.no_outline")
	ErrNoBuildings = wangge.E(wangge.EConflict, "proposal.no_buildings")
	ErrNoLocations = wangge.E(wangge.EConflict, "proposal.no_locations")
)

// Make proposes grids for the community, which must lie in scope.
func Make(ctx context.Context, db Store, scope wangge.Scope, community string, opt Options) (*Proposal, error) {
	if wangge.LevelOf(community) != wangge.LevelCommunity || !wangge.ValidRegionCode(community) || !scope.Contains(community) {
		return nil, wangge.ErrNotFound
	}
	n := opt.Households
	if n == 0 {
		n = DefaultHouseholds
	}
	if n < 1 || n > MaxHouseholds {
		return nil, wangge.Invalid("households", "proposal.households", "Max", MaxHouseholds)
	}
	area, err := db.Area(ctx, community)
	if err != nil {
		return nil, err
	}
	b, err := db.Boundary(ctx, community, time.Time{})
	if wangge.ErrorCode(err) == wangge.ENotFound {
		return nil, ErrNoOutline
	} else if err != nil {
		return nil, err
	}
	outline, err := geo.ParseArea(community, b.GeoJSON)
	if err != nil {
		return nil, err
	}
	p := &Proposal{Community: *area, Code: community, Target: n, Outline: outline.Geom, Retired: []string{}, Warnings: []Warning{}}

	// The community's buildings, in the caller's scope.
	in := scope.Narrow(community)
	for page := 0; ; page++ {
		bs, total, err := db.ListBuildings(ctx, in, wangge.BuildingFilter{Page: wangge.Page{Offset: page * wangge.MaxPageLimit, Limit: wangge.MaxPageLimit}})
		if err != nil {
			return nil, err
		}
		for _, b := range bs {
			p.Buildings = append(p.Buildings, Building{ID: b.ID, Name: b.Name, GridCode: b.GridCode, Lng: b.Lng, Lat: b.Lat,
				Households: b.Households, Located: b.Lng != 0 || b.Lat != 0})
			p.Households += b.Households
		}
		if len(bs) == 0 || (page+1)*wangge.MaxPageLimit >= total {
			break
		}
	}
	if len(p.Buildings) == 0 {
		return nil, ErrNoBuildings
	}
	slices.SortFunc(p.Buildings, func(a, b Building) int { return cmp.Compare(a.ID, b.ID) })
	var sites []geo.Site
	for _, b := range p.Buildings {
		if b.Located {
			sites = append(sites, geo.Site{ID: b.ID, Lng: b.Lng, Lat: b.Lat, Households: b.Households})
		}
	}
	if len(sites) == 0 {
		return nil, ErrNoLocations
	}

	part, err := geo.ProposePartition(outline.Geom, sites, n)
	if err != nil {
		return nil, partitionError(err)
	}
	k := len(part.Groups)
	byID := map[int64]int{}
	for i, b := range p.Buildings {
		byID[b.ID] = i
	}
	for gi, g := range part.Groups {
		for _, id := range g.Sites {
			p.Buildings[byID[id]].Proposed = gi + 1
		}
	}
	// A building without coordinates goes where its grid's code goes, or
	// to the smallest group.
	if len(sites) < len(p.Buildings) {
		keep := match(p.Buildings, k)
		hh := make([]int, k)
		for _, b := range p.Buildings {
			if b.Proposed > 0 {
				hh[b.Proposed-1] += b.Households
			}
		}
		for i, b := range p.Buildings {
			if b.Located {
				continue
			}
			g := slices.Index(keep, b.GridCode)
			if g < 0 {
				g = 0
				for h := range hh {
					if hh[h] < hh[g] {
						g = h
					}
				}
			}
			p.Buildings[i].Proposed = g + 1
			hh[g] += b.Households
		}
	}
	for i := range p.Buildings {
		p.Buildings[i].Group = p.Buildings[i].Proposed
	}

	// Adjustments.
	groups := k
	for _, m := range opt.Moves {
		i, ok := byID[m.Building]
		if !ok {
			return nil, wangge.Invalid("move", "proposal.move.foreign", "ID", m.Building)
		}
		if m.Group < 1 || m.Group > groups+1 {
			return nil, wangge.Invalid("move", "proposal.move.no_grid", "N", m.Group)
		}
		groups = max(groups, m.Group)
		p.Buildings[i].Group = m.Group
	}
	if len(opt.Moves) > 0 {
		groupOf := make([]int, len(sites))
		for i, s := range sites {
			groupOf[i] = p.Buildings[byID[s.ID]].Group - 1
		}
		if part, err = geo.BuildPartition(outline.Geom, sites, groupOf, n); err != nil {
			return nil, partitionError(err)
		}
	}

	// Grids: counts include the buildings without coordinates.
	p.Grids = make([]Grid, groups)
	for gi := range p.Grids {
		g := &p.Grids[gi]
		g.Number = gi + 1
		g.Geom = geom.Polygon{}.AsGeometry()
		g.BuildingIDs = []int64{}
		if gi < len(part.Groups) {
			pg := part.Groups[gi]
			g.Geom, g.AreaM2, g.LabelLng, g.LabelLat = pg.Geom, pg.AreaM2, pg.LabelLng, pg.LabelLat
			for _, h := range pg.Neighbours {
				g.Neighbours = append(g.Neighbours, h+1)
			}
		}
		g.Contiguous = g.Geom.Type() == geom.TypePolygon && !g.Geom.IsEmpty()
	}
	for _, b := range p.Buildings {
		g := &p.Grids[b.Group-1]
		g.Households += b.Households
		g.Buildings++
		g.BuildingIDs = append(g.BuildingIDs, b.ID)
	}
	keep := match(p.Buildings, groups)
	sum := 0.0
	counted := 0
	for gi := range p.Grids {
		g := &p.Grids[gi]
		g.Code = keep[gi]
		g.Deviation = g.Households - n
		g.DeviationPct = 100 * float64(g.Deviation) / float64(n)
		if g.Buildings > 0 {
			p.MaxDeviationPct = max(p.MaxDeviationPct, abs(g.DeviationPct))
			sum += abs(g.DeviationPct)
			counted++
		}
	}
	if counted > 0 {
		p.MeanDeviationPct = sum / float64(counted)
	}
	colour(p.Grids)

	// The current grids, and which the proposal would retire.
	if err := p.current(ctx, db, keep); err != nil {
		return nil, err
	}
	for gi := range p.Grids {
		for _, c := range p.Current {
			if c.Code == p.Grids[gi].Code {
				p.Grids[gi].Name = c.Name
			}
		}
	}

	for _, w := range part.Warnings {
		if w.Kind != geo.WarnEmptyGroup { // decided below, counting the buildings without coordinates
			p.warn(w.Kind, w.Group+1, w.Sites, byID)
		}
	}
	for _, g := range p.Grids {
		if g.Buildings == 0 || g.Geom.IsEmpty() {
			p.warn(geo.WarnEmptyGroup, g.Number, g.BuildingIDs, byID)
		}
	}
	var unlocated []int64
	for _, b := range p.Buildings {
		if !b.Located {
			unlocated = append(unlocated, b.ID)
		}
	}
	if len(unlocated) > 0 {
		p.warn(WarnUnlocated, 0, unlocated, byID)
	}
	p.Digest = p.digest()
	return p, nil
}

// warn adds a warning, naming the buildings.
func (p *Proposal) warn(kind string, group int, ids []int64, byID map[int64]int) {
	// The buildings are named in each language: "东苑1号楼（17）、…等 9 个".
	var zhs, ens []string
	for i, id := range ids {
		if i == 8 {
			more := map[string]any{"N": len(ids), "More": len(ids) - 8}
			zhs = append(zhs, msg.Text("zh", "proposal.buildings.more", more))
			ens = append(ens, msg.Text("en", "proposal.buildings.more", more))
			break
		}
		zh, en := fmt.Sprint(id), fmt.Sprint(id)
		if i, ok := byID[id]; ok {
			b := map[string]any{"Name": p.Buildings[i].Name, "ID": id}
			zh, en = msg.Text("zh", "proposal.buildings.one", b), msg.Text("en", "proposal.buildings.one", b)
		}
		zhs, ens = append(zhs, zh), append(ens, en)
	}
	w := Warning{Kind: kind, Group: group, Buildings: ids}
	key := ""
	switch kind {
	case geo.WarnDetached:
		key = "proposal.warn.detached"
		if len(ids) == 0 {
			key = "proposal.warn.detached_empty"
		}
	case geo.WarnSamePoint:
		key = "proposal.warn.same_point"
	case geo.WarnOutside:
		key = "proposal.warn.outside"
	case geo.WarnEmptyGroup:
		key = "proposal.warn.no_building"
		if len(ids) > 0 {
			key = "proposal.warn.no_area"
		}
	case WarnUnlocated:
		key = "proposal.warn.unlocated"
	}
	// A proposal is kept as JSON and shown later: the warning holds its
	// texts, taken from the catalogue now.
	w.Zh = msg.Text("zh", key, map[string]any{"Group": group, "Buildings": strings.Join(zhs, "、")})
	w.EN = msg.Text("en", key, map[string]any{"Group": group, "Buildings": strings.Join(ens, ", ")})
	p.Warnings = append(p.Warnings, w)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// partitionError turns geo's input errors into the domain's.
func partitionError(err error) error {
	var pe *geo.PartitionError
	if errors.As(err, &pe) {
		field := pe.Field
		if field == "target" {
			field = "households"
		}
		return &wangge.Error{Code: wangge.EInvalid, Field: field, Key: pe.Key, Params: pe.Params}
	}
	return err
}

// match returns the current grid code each of the k groups keeps
// (wangge.MatchGrids over the buildings' current grids).
func match(bs []Building, k int) []string {
	overlaps := make([]map[string]wangge.Overlap, k)
	for i := range overlaps {
		overlaps[i] = map[string]wangge.Overlap{}
	}
	for _, b := range bs {
		g := b.Group
		if g == 0 {
			g = b.Proposed
		}
		if g == 0 {
			continue
		}
		o := overlaps[g-1][b.GridCode]
		o.Households += b.Households
		o.Buildings++
		overlaps[g-1][b.GridCode] = o
	}
	return wangge.MatchGrids(overlaps)
}

// current lists the community's grids now, with their outlines and what
// the proposal does with each.
func (p *Proposal) current(ctx context.Context, db Store, keep []string) error {
	areas, _, err := db.ListAreas(ctx, wangge.AreaFilter{ParentCode: p.Code, Level: wangge.LevelGrid, Page: wangge.Page{Limit: wangge.MaxPageLimit}})
	if err != nil {
		return err
	}
	outlines, err := db.Boundaries(ctx, p.Code, wangge.LevelGrid, time.Time{})
	if err != nil {
		return err
	}
	for _, a := range areas {
		if a.RetiredAt != nil {
			continue
		}
		c := Current{Code: a.Code, Name: a.Name, Geom: geom.Polygon{}.AsGeometry()}
		for _, b := range p.Buildings {
			if b.GridCode == a.Code {
				c.Households += b.Households
				c.Buildings++
			}
		}
		for _, o := range outlines {
			if o.AreaCode == a.Code {
				if g, err := geo.ParseArea(a.Code, o.GeoJSON); err == nil {
					c.Geom = g.Geom
				}
			}
		}
		c.Kept = slices.Index(keep, a.Code) + 1
		if c.Kept == 0 {
			p.Retired = append(p.Retired, a.Code)
		}
		p.Current = append(p.Current, c)
	}
	return nil
}

// Palette is how many fill colours the proposal picture has (the pg0…pg7
// classes of the style sheet).
const Palette = 8

// colour gives each grid a colour different from its neighbours'
// (geo.Colours over the partition's borders).
func colour(gs []Grid) {
	nb := make([][]int, len(gs))
	for i, g := range gs {
		for _, n := range g.Neighbours {
			nb[i] = append(nb[i], n-1)
		}
	}
	for i, c := range geo.Colours(nb, Palette) {
		gs[i].Colour = c
	}
}

// digest fingerprints what accepting would do: N, the buildings, their
// households, current grids and proposed groups.
func (p *Proposal) digest() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s/%d\n", p.Code, p.Target)
	for _, b := range p.Buildings {
		fmt.Fprintf(h, "%d %s %d %d %v %v\n", b.ID, b.GridCode, b.Households, b.Group, b.Lng, b.Lat)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// ErrStale is returned by Accept when the proposal shown was made from
// other data than the one accepted now.
var ErrStale = wangge.E(wangge.EConflict, "proposal.stale")

// Plan is what accepting the proposal hands to RedrawGrids: one planned
// grid per proposed grid that holds buildings. A grid with buildings but
// no area (all of them at another grid's point) cannot be accepted.
func (p *Proposal) Plan() ([]wangge.GridPlan, error) {
	var plan []wangge.GridPlan
	for _, g := range p.Grids {
		if g.Buildings == 0 {
			continue
		}
		if g.Geom.IsEmpty() {
			return nil, wangge.Invalid("move", "proposal.plan.no_area", "N", g.Number)
		}
		gj, err := json.Marshal(g.Geom)
		if err != nil {
			return nil, err
		}
		plan = append(plan, wangge.GridPlan{Buildings: slices.Clone(g.BuildingIDs), GeoJSON: string(gj)})
	}
	return plan, nil
}

// Accept redraws the community's grids as proposed; digest, when not
// empty, must be the one of the proposal that was shown.
func (p *Proposal) Accept(ctx context.Context, db wangge.GridRedrawer, scope wangge.Scope, digest string, validFrom time.Time, reason string) ([]string, error) {
	if digest != "" && digest != p.Digest {
		return nil, ErrStale
	}
	plan, err := p.Plan()
	if err != nil {
		return nil, err
	}
	return db.RedrawGrids(ctx, scope, p.Code, plan, validFrom, reason)
}

// ParseMoves reads adjustments written "BUILDING:GROUP" (as in
// ?move=123:4); empty values are skipped.
func ParseMoves(vals []string) ([]Move, error) {
	var out []Move
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		b, g, ok := strings.Cut(v, ":")
		id, err1 := strconv.ParseInt(b, 10, 64)
		n, err2 := strconv.Atoi(g)
		if !ok || err1 != nil || err2 != nil || id <= 0 || n <= 0 {
			return nil, wangge.Invalid("move", "proposal.move.syntax", "Move", v)
		}
		out = append(out, Move{Building: id, Group: n})
	}
	return out, nil
}

// Hectares is the grid's area in hectares.
func (g Grid) Hectares() float64 { return g.AreaM2 / 10000 }

// Far reports whether the grid is more than 10% off N.
func (g Grid) Far() bool { return g.DeviationPct > 10 || g.DeviationPct < -10 }
