package http

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/http/internal/pagekit"
)

// The page helpers live in pagekit, which the pages moved to http/ui
// share with those still here; these names keep the core's pages as they
// were until they move too.
type pager = pagekit.Pager

var (
	pageOf        = pagekit.PageOf
	pageNumber    = pagekit.PageNumber
	newPager      = pagekit.NewPager
	newPagerParam = pagekit.NewPagerParam
	idOf          = pagekit.IDOf
	attachment    = pagekit.Attachment
)

// xlsxType is the media type of an xlsx file.
const xlsxType = pagekit.XLSXType

// areaCrumbs returns the breadcrumb from the district down to the area code.
func (s *Server) areaCrumbs(ctx context.Context, code string) ([]Crumb, error) {
	return pagekit.AreaCrumbs(ctx, s.store, code)
}

// sendFile sends a written temporary file as a download.
func (s *Server) sendFile(w http.ResponseWriter, f *os.File, ctype, disposition, what string) error {
	return pagekit.SendFile(w, f, ctype, disposition, s.log, what)
}

// handleHome sends the user to the page of the area they work in.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	u := UserFrom(r.Context())
	http.Redirect(w, r, "/areas/"+url.PathEscape(u.ScopeCode), http.StatusSeeOther)
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
	Pager       *pager
	SeesPersons bool
	Outlines    []wangge.Boundary // every version of the area's outline, newest first
	Redrawn     bool              // just after a proposal of grids was accepted
}

// handleArea shows a district, sub-district, community or grid: its counts
// and its children, or for a grid its assistant, key groups and buildings.
func (s *Server) handleArea(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	scope := UserFrom(ctx).Scope()
	code := r.PathValue("code")
	if !wangge.ValidRegionCode(code) {
		return wangge.ErrNotFound
	}
	pg, n, err := pageOf(r)
	if err != nil {
		return err
	}
	sum, err := s.store.AreaSummary(ctx, scope, code)
	if err != nil {
		return err
	}
	crumbs, err := s.areaCrumbs(ctx, code)
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
		v.Pager = newPager(r, n, total)
	} else if v.Children, err = s.store.ChildSummaries(ctx, scope, code); err != nil {
		return err
	}
	v.Stats = areaStats(sum, v.Children)
	if v.Outlines, err = s.store.BoundaryHistory(ctx, code); err != nil {
		return err
	}
	slices.Reverse(v.Outlines)
	s.Render(w, r, http.StatusOK, "area", &View{Title: sum.Name, Crumbs: crumbs, Data: v})
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
	Pager      *pager
	// SeesPeople is false for a role that sees counts only (a building
	// head): the page then lists no household and no phone.
	SeesPeople bool
}

// handleBuilding shows a building and its households.
func (s *Server) handleBuilding(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	scope := UserFrom(ctx).Scope()
	id, err := idOf(r)
	if err != nil {
		return err
	}
	pg, n, err := pageOf(r)
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
		v.Pager = newPager(r, n, total)
	}
	crumbs, err := s.areaCrumbs(ctx, b.GridCode)
	if err != nil {
		return err
	}
	crumbs = append(crumbs, Crumb{Name: b.Name})
	s.Render(w, r, http.StatusOK, "building", &View{Title: b.Name, Crumbs: crumbs, Data: v})
	return nil
}

// householdView is what a household page shows.
type householdView struct {
	Household *wangge.Household
	Building  *wangge.Building
	Persons   []personRow
	Visits    []visitRow
	Pager     *pager
	Moves     []moveRow
	CanReveal bool // the viewer may reveal a full ID number or phone
	// GroupHistory is every key-group membership of the household's
	// persons, those who left included: its change over time.
	GroupHistory []wangge.Membership
	// Changes is a page of the file's change record: who changed the
	// household or its persons, when, and through which import.
	Changes      []changeRow
	ChangesPager *pager
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
func (s *Server) handleHousehold(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	scope := UserFrom(ctx).Scope()
	id, err := idOf(r)
	if err != nil {
		return err
	}
	pg, n, err := pageOf(r)
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
	v.Pager = newPager(r, n, visits)
	v.CanReveal = UserFrom(ctx).Role.Can(wangge.PermReveal)
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
	crumbs, err := s.areaCrumbs(ctx, h.GridCode)
	if err != nil {
		return err
	}
	room := s.roomLabel(LangOf(r), h)
	crumbs = append(crumbs, Crumb{Name: v.Building.Name, URL: "/buildings/" + strconv.FormatInt(v.Building.ID, 10)}, Crumb{Name: room})
	s.Render(w, r, http.StatusOK, "household", &View{Title: v.Building.Name + " " + room, Crumbs: crumbs, Data: v})
	return nil
}

// roomLabel names a household's dwelling: "1单元101室", or "5号" in a
// courtyard without entrances.
func (s *Server) roomLabel(l Lang, h *wangge.Household) string {
	if h.Entrance == "" {
		return s.msgs.T(l, "household.room_only", "Room", h.Room)
	}
	return s.msgs.T(l, "household.entrance_room", "Entrance", h.Entrance, "Room", h.Room)
}

// household gathers what the household page shows, all within scope, and
// the number of the household's visits.
func (s *Server) household(ctx context.Context, scope wangge.Scope, h *wangge.Household, pg wangge.Page) (*householdView, int, error) {
	v := &householdView{Household: h}
	var err error
	if v.Building, err = s.store.Building(ctx, scope, h.BuildingID); err != nil {
		return nil, 0, err
	}
	persons, _, err := s.store.ListPersons(ctx, scope, wangge.PersonFilter{HouseholdID: h.ID, Page: wangge.Page{Limit: wangge.MaxPageLimit}})
	if err != nil {
		return nil, 0, err
	}
	now := s.now().In(ChinaTime)
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
