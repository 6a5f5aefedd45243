package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/internal/pagekit"
	"github.com/wangge/wangge/msg"
)

// The pages of the region tree: the start page, an area (district down to
// grid), a building, and a household's file (一户一档) with its visits,
// moves, key groups and change record. Every read passes the user's scope.

// AreaStore is what the area, building and household pages read: areas
// and their counts, buildings, households with their persons, memberships,
// visits, moves and change record, the outline versions of an area; and
// the audit log a household's opening is written to.
type AreaStore interface {
	Area(ctx context.Context, code string) (*wangge.Area, error)
	AreaSummary(ctx context.Context, scope wangge.Scope, code string) (*wangge.AreaSummary, error)
	ChildSummaries(ctx context.Context, scope wangge.Scope, code string) ([]wangge.AreaSummary, error)
	GroupCounts(ctx context.Context, scope wangge.Scope) ([]wangge.GroupCount, error)
	BoundaryHistory(ctx context.Context, code string) ([]wangge.Boundary, error)
	Building(ctx context.Context, scope wangge.Scope, id int64) (*wangge.Building, error)
	ListBuildings(ctx context.Context, scope wangge.Scope, f wangge.BuildingFilter) ([]wangge.BuildingSummary, int, error)
	BuildingHeads(ctx context.Context, scope wangge.Scope, buildingID int64) ([]wangge.BuildingHead, error)
	Household(ctx context.Context, scope wangge.Scope, id int64) (*wangge.Household, error)
	ListHouseholds(ctx context.Context, scope wangge.Scope, f wangge.HouseholdFilter) ([]wangge.HouseholdSummary, int, error)
	HouseholdMoves(ctx context.Context, scope wangge.Scope, id int64) ([]wangge.Move, error)
	HouseholdChanges(ctx context.Context, scope wangge.Scope, householdID int64, p wangge.Page) ([]wangge.AuditEntry, int, error)
	ListPersons(ctx context.Context, scope wangge.Scope, f wangge.PersonFilter) ([]wangge.Person, int, error)
	ListMemberships(ctx context.Context, scope wangge.Scope, f wangge.MembershipFilter) ([]wangge.Membership, int, error)
	ListVisits(ctx context.Context, scope wangge.Scope, f wangge.VisitFilter) ([]wangge.Visit, int, error)
	Assistant(ctx context.Context, id int64) (*wangge.Assistant, error)
	Audit(ctx context.Context, e *wangge.AuditEntry) error
}

// areas are the handlers of the region tree's pages.
type areas struct {
	core  *whttp.Server
	store AreaStore
}

// areaRoutes are the routes of the region tree's pages: the start page,
// the area, map, building and household pages, a key group's list, and the
// audit search that names their objects; each family's handlers hold its
// own store interface. Patterns and permissions are those the core's table
// had.
func areaRoutes(core *whttp.Server, store wangge.Store) []whttp.Route {
	ar := &areas{core: core, store: store}
	mp := &mapPages{core: core, store: store}
	kg := &keyGroups{core: core, store: store}
	au := &audits{core: core, store: store}
	return []whttp.Route{
		core.Page("GET /{$}", wangge.PermLogin, ar.handleHome),
		core.Page("GET /areas/{code}", wangge.PermLogin, ar.handleArea),
		// Maps: outlines are public, buildings are read in scope; a grid's
		// card shows public counts and the key groups the user may see.
		core.Page("GET /areas/{code}/map", wangge.PermLogin, mp.handleMap),
		core.Page("GET /areas/{code}/map.geojson", wangge.PermLogin, mp.handleMapData),
		core.Page("GET /areas/{code}/card.json", wangge.PermLogin, mp.handleGridCard),
		core.Page("GET /buildings/{id}", wangge.PermLogin, ar.handleBuilding),
		core.Page("GET /households/{id}", wangge.PermViewPeople, ar.handleHousehold),
		core.Page("GET /areas/{code}/groups/{group}", wangge.PermViewGroups, kg.handleGroup),
		core.Page("GET /audit", wangge.PermViewAudit, au.handleAudit),
	}
}

// msgOr returns the catalogue's message id in l, or "" when the catalogue
// has none: a page falls back to the code for actions and keys it does not
// know.
func msgOr(l whttp.Lang, id string) string {
	if !msg.Has(id) {
		return ""
	}
	return msg.Text(string(l), id, nil)
}

// roomLabel names a household's dwelling: "1单元101室", or "5号" in a
// courtyard without entrances.
func roomLabel(core *whttp.Server, l whttp.Lang, h *wangge.Household) string {
	if h.Entrance == "" {
		return core.TLang(l, "household.room_only", "Room", h.Room)
	}
	return core.TLang(l, "household.entrance_room", "Entrance", h.Entrance, "Room", h.Room)
}

// handleHome sends the user to their start page (whttp.Home): the role's
// own, or the page of the area they work in.
func (s *areas) handleHome(w http.ResponseWriter, r *http.Request) error {
	u := whttp.UserFrom(r.Context())
	http.Redirect(w, r, whttp.Home(u), http.StatusSeeOther)
	return nil
}

// stat is one count shown at the top of an area page.
type stat struct {
	Name string // catalogue key suffix and data-count attribute
	N    int
}

// areaView is what an area page shows.
type areaView struct {
	Area        *wangge.AreaSummary
	Stats       []stat
	IsGrid      bool
	ChildLevel  wangge.Level
	Children    []wangge.AreaSummary
	Groups      []wangge.GroupCount
	Buildings   []wangge.BuildingSummary
	Pager       *pagekit.Pager
	SeesPersons bool
	Outlines    []wangge.Boundary // every version of the area's outline, newest first
	Redrawn     bool              // just after a proposal of grids was accepted
}

// handleArea shows a district, sub-district, community or grid: its counts
// and its children, or for a grid its assistant, key groups and buildings.
func (s *areas) handleArea(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	scope := whttp.UserFrom(ctx).Scope()
	code := r.PathValue("code")
	if !wangge.ValidRegionCode(code) {
		return wangge.ErrNotFound
	}
	pg, n, err := pagekit.PageOf(r)
	if err != nil {
		return err
	}
	sum, err := s.store.AreaSummary(ctx, scope, code)
	if err != nil {
		return err
	}
	crumbs, err := pagekit.AreaCrumbs(ctx, s.store, code)
	if err != nil {
		return err
	}
	crumbs[len(crumbs)-1].URL = ""
	v := &areaView{Area: sum, IsGrid: sum.Level == wangge.LevelGrid, ChildLevel: sum.Level + 1, Redrawn: r.URL.Query().Get("redrawn") == "1"}
	if v.Groups, err = s.store.GroupCounts(ctx, scope.Narrow(code)); err != nil {
		return err
	}
	if v.IsGrid {
		var total int
		if v.Buildings, total, err = s.store.ListBuildings(ctx, scope, wangge.BuildingFilter{GridCode: code, Page: pg}); err != nil {
			return err
		}
		v.Pager = pagekit.NewPager(r, n, total)
	} else if v.Children, err = s.store.ChildSummaries(ctx, scope, code); err != nil {
		return err
	}
	v.Stats = areaStats(sum, v.Children)
	if v.Outlines, err = s.store.BoundaryHistory(ctx, code); err != nil {
		return err
	}
	slices.Reverse(v.Outlines)
	s.core.Render(w, r, http.StatusOK, "area", &whttp.View{Title: sum.Name, Crumbs: crumbs, Data: v})
	return nil
}

// areaStats picks the counts that mean something at the area's level.
func areaStats(a *wangge.AreaSummary, children []wangge.AreaSummary) []stat {
	var st []stat
	switch a.Level {
	case wangge.LevelDistrict:
		communities := 0
		for _, c := range children {
			communities += c.Children
		}
		st = append(st, stat{"subdistricts", a.Children}, stat{"communities", communities})
	case wangge.LevelSubdistrict:
		st = append(st, stat{"communities", a.Children})
	}
	if a.Level != wangge.LevelGrid {
		st = append(st, stat{"grids", a.Grids})
	}
	return append(st, stat{"buildings", a.Buildings}, stat{"households", a.Households},
		stat{"persons", a.Persons}, stat{"units", a.Units})
}

// buildingView is what a building page shows.
type buildingView struct {
	Building *wangge.Building
	// Summary holds the counts and the head's name exactly as the grid
	// page shows them, so the two pages never disagree.
	Summary    wangge.BuildingSummary
	Head       *wangge.BuildingHead
	Households []wangge.HouseholdSummary
	Pager      *pagekit.Pager
	// SeesPeople is false for a role that sees counts only (a building
	// head): the page then lists no household and no phone.
	SeesPeople bool
}

// handleBuilding shows a building and its households.
func (s *areas) handleBuilding(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	scope := whttp.UserFrom(ctx).Scope()
	id, err := pagekit.IDOf(r)
	if err != nil {
		return err
	}
	pg, n, err := pagekit.PageOf(r)
	if err != nil {
		return err
	}
	b, err := s.store.Building(ctx, scope, id)
	if err != nil {
		return err
	}
	v := &buildingView{Building: b, SeesPeople: scope.People()}
	sums, _, err := s.store.ListBuildings(ctx, scope, wangge.BuildingFilter{ID: id, Page: wangge.Page{Limit: 1}})
	if err != nil {
		return err
	}
	if len(sums) != 1 {
		return wangge.ErrNotFound
	}
	v.Summary = sums[0]
	// A building head sees the counts and the head's name, as on the grid
	// page; the household list and the head's phone are personal data the
	// role does not read (its scope returns none of them).
	if v.SeesPeople {
		heads, err := s.store.BuildingHeads(ctx, scope, id)
		if err != nil {
			return err
		}
		if len(heads) > 0 && heads[0].To == nil {
			v.Head = &heads[0]
		}
		var total int
		if v.Households, total, err = s.store.ListHouseholds(ctx, scope, wangge.HouseholdFilter{BuildingID: id, Page: pg}); err != nil {
			return err
		}
		v.Pager = pagekit.NewPager(r, n, total)
	}
	crumbs, err := pagekit.AreaCrumbs(ctx, s.store, b.GridCode)
	if err != nil {
		return err
	}
	crumbs = append(crumbs, whttp.Crumb{Name: b.Name})
	s.core.Render(w, r, http.StatusOK, "building", &whttp.View{Title: b.Name, Crumbs: crumbs, Data: v})
	return nil
}

// householdView is what a household page shows.
type householdView struct {
	Household *wangge.Household
	Building  *wangge.Building
	Persons   []personRow
	Visits    []visitRow
	Pager     *pagekit.Pager
	Moves     []moveRow
	CanReveal bool // the viewer may reveal a full ID number or phone
	// GroupHistory is every key-group membership of the household's
	// persons, those who left included: its change over time.
	GroupHistory []wangge.Membership
	// Changes is a page of the file's change record: who changed the
	// household or its persons, when, and through which import.
	Changes      []changeRow
	ChangesPager *pagekit.Pager
}

type personRow struct {
	wangge.Person
	Groups []wangge.KeyGroup
	// Derived are what the birth date and sex make the person today
	// (catalogue keys ledger.derived.*): computed on every view, never
	// stored, so they change by themselves.
	Derived []string
}

// derivedKeys are the catalogue keys (ledger.derived.KEY) of the person's
// age tags at t.
func derivedKeys(p *wangge.Person, t time.Time) []string {
	var keys []string
	for _, tag := range p.AgeTags(t) {
		keys = append(keys, string(tag))
	}
	return keys
}

type visitRow struct {
	wangge.Visit
	Assistant string
	Clears    []clearItem
}

// clearItem is one of the six clears (六清) a visit found something about.
type clearItem struct {
	Name string // catalogue key suffix
	Text string
}

type moveRow struct {
	wangge.Move
	FromName, ToName string
}

// handleHousehold shows a household: its persons (ID numbers and phones
// masked), their key groups, the visits and the moves.
func (s *areas) handleHousehold(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	scope := whttp.UserFrom(ctx).Scope()
	id, err := pagekit.IDOf(r)
	if err != nil {
		return err
	}
	pg, n, err := pagekit.PageOf(r)
	if err != nil {
		return err
	}
	h, err := s.store.Household(ctx, scope, id)
	if err != nil {
		return err
	}
	v, visits, err := s.household(ctx, scope, h, pg)
	if err != nil {
		return err
	}
	v.Pager = pagekit.NewPager(r, n, visits)
	v.CanReveal = whttp.UserFrom(ctx).Role.Can(wangge.PermReveal)
	// The change record is part of the file: opening the page is audited
	// below, reading the record is not audited again.
	if err := s.householdChanges(ctx, r, v); err != nil {
		return err
	}
	// A household's file is a sensitive view even masked: who looked at
	// whose family is recorded.
	if err := s.store.Audit(ctx, &wangge.AuditEntry{Action: "household.view", Object: "household", ObjectID: strconv.FormatInt(h.ID, 10), GridCode: h.GridCode}); err != nil {
		return err
	}
	crumbs, err := pagekit.AreaCrumbs(ctx, s.store, h.GridCode)
	if err != nil {
		return err
	}
	room := roomLabel(s.core, whttp.LangOf(r), h)
	crumbs = append(crumbs, whttp.Crumb{Name: v.Building.Name, URL: "/buildings/" + strconv.FormatInt(v.Building.ID, 10)}, whttp.Crumb{Name: room})
	s.core.Render(w, r, http.StatusOK, "household", &whttp.View{Title: v.Building.Name + " " + room, Crumbs: crumbs, Data: v})
	return nil
}

// household gathers what the household page shows, all within scope, and
// the number of the household's visits.
func (s *areas) household(ctx context.Context, scope wangge.Scope, h *wangge.Household, pg wangge.Page) (*householdView, int, error) {
	v := &householdView{Household: h}
	var err error
	if v.Building, err = s.store.Building(ctx, scope, h.BuildingID); err != nil {
		return nil, 0, err
	}
	persons, _, err := s.store.ListPersons(ctx, scope, wangge.PersonFilter{HouseholdID: h.ID, Page: wangge.Page{Limit: wangge.MaxPageLimit}})
	if err != nil {
		return nil, 0, err
	}
	now := s.core.Now().In(whttp.ChinaTime)
	for _, p := range persons {
		ms, _, err := s.store.ListMemberships(ctx, scope, wangge.MembershipFilter{PersonID: p.ID, Sort: wangge.SortJoined, Page: wangge.Page{Limit: 100}})
		if err != nil {
			return nil, 0, err
		}
		row := personRow{Person: p, Derived: derivedKeys(&p, now)}
		for _, m := range ms {
			if m.Left == nil {
				row.Groups = append(row.Groups, m.Group)
			}
		}
		v.GroupHistory = append(v.GroupHistory, ms...)
		v.Persons = append(v.Persons, row)
	}
	slices.SortStableFunc(v.GroupHistory, func(a, b wangge.Membership) int { return a.Joined.Compare(b.Joined) })

	visits, total, err := s.store.ListVisits(ctx, scope, wangge.VisitFilter{HouseholdID: h.ID, Page: pg})
	if err != nil {
		return nil, 0, err
	}
	names := map[int64]string{}
	for _, vi := range visits {
		name, ok := names[vi.AssistantID]
		if !ok {
			a, err := s.store.Assistant(ctx, vi.AssistantID)
			if err != nil && wangge.ErrorCode(err) != wangge.ENotFound {
				return nil, 0, err
			} else if err == nil {
				name = a.Name
			}
			names[vi.AssistantID] = name
		}
		v.Visits = append(v.Visits, visitRow{Visit: vi, Assistant: name, Clears: clearsOf(vi.Clears)})
	}

	moves, err := s.store.HouseholdMoves(ctx, scope, h.ID)
	if err != nil {
		return nil, 0, err
	}
	for _, m := range moves {
		v.Moves = append(v.Moves, moveRow{Move: m, FromName: pagekit.AreaName(ctx, s.store, m.FromGrid), ToName: pagekit.AreaName(ctx, s.store, m.ToGrid)})
	}
	return v, total, nil
}

// clearsOf lists the six clears a visit recorded something about, in order.
func clearsOf(c wangge.SixClears) []clearItem {
	var out []clearItem
	for _, x := range []clearItem{
		{"household", c.Household}, {"categories", c.Categories}, {"facilities", c.Facilities},
		{"dangers", c.Dangers}, {"needs", c.Needs}, {"hot_issues", c.HotIssues},
	} {
		if x.Text != "" {
			out = append(out, x)
		}
	}
	return out
}

// changesPageSize is how many entries of the change record a household
// page shows at a time.
const changesPageSize = 20

// changesParam is the query parameter of the change record's page, apart
// from the visits' "page", so that each list pages on its own.
const changesParam = "changes"

// changeRow is one entry of a household's change record (变更记录) in
// words: who, when, what, about whom, and for an import the file.
type changeRow struct {
	Seq      int64
	At       time.Time
	By       string
	Action   string // the catalogue's name of the action, or its code
	Object   string // the person's name, or "this household"
	Fields   []string
	File     string
	AuditURL string // the import's summary entry, for those who may read the log
}

// householdChanges reads the change record of the household's file
// through the store, within the viewer's scope, and puts it in words.
// Persons are named from the page's own list: the record is only about
// the household and its present persons.
func (s *areas) householdChanges(ctx context.Context, r *http.Request, v *householdView) error {
	u := whttp.UserFrom(ctx)
	n, err := pagekit.PageNumber(r, changesParam)
	if err != nil {
		return err
	}
	es, total, err := s.store.HouseholdChanges(ctx, u.Scope(), v.Household.ID, wangge.Page{Offset: (n - 1) * changesPageSize, Limit: changesPageSize})
	if err != nil {
		return err
	}
	l := whttp.LangOf(r)
	names := map[string]string{}
	for _, p := range v.Persons {
		names[strconv.FormatInt(p.ID, 10)] = p.Name
	}
	mayAudit := u.Role.Can(wangge.PermViewAudit)
	for _, e := range es {
		row := changeRow{Seq: e.Seq, At: e.At, By: e.Username, Action: msgOr(l, "audit.act."+e.Action)}
		if row.Action == "" {
			row.Action = e.Action
		}
		if e.Object == "person" {
			row.Object = names[e.ObjectID]
		} else {
			row.Object = s.core.TLang(l, "changes.this_household")
		}
		var d struct {
			Fields []string `json:"fields"`
			File   string   `json:"file"`
			Job    string   `json:"job"`
		}
		json.Unmarshal([]byte(e.Detail), &d)
		for _, f := range d.Fields {
			label := msgOr(l, "changes.field."+f)
			if label == "" {
				label = f
			}
			row.Fields = append(row.Fields, label)
		}
		row.File = d.File
		if mayAudit && d.Job != "" {
			row.AuditURL = "/audit?" + url.Values{"object": {"import"}, "object_id": {d.Job}}.Encode()
		}
		v.Changes = append(v.Changes, row)
	}
	v.ChangesPager = pagekit.NewPagerParam(r, changesParam, "#changes-h", n, total, changesPageSize)
	return nil
}
