package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/internal/pagekit"
	"github.com/wangge/wangge/ident"
)

// The four ledgers (四本台账) as pages: assistants, residents household by
// household (一户一档), resident units and key groups by grid. Each is
// filtered to an area (any level, within the user's scope), searched,
// sorted by a whitelisted key, paginated the one way and printable; each
// exports as xlsx or CSV with the same filters (ledger_export.go).

// LedgerStore is what the ledger pages read: the areas of the filter and
// the rows' grid names, the four ledgers' lists in scope (with the
// assistants' terms and the key groups' change), and the audit log an
// ID-number search is recorded in.
type LedgerStore interface {
	pagekit.AreaReader
	ListAreas(ctx context.Context, f wangge.AreaFilter) ([]wangge.Area, int, error)
	ListAssistants(ctx context.Context, scope wangge.Scope, f wangge.AssistantFilter) ([]wangge.AssistantSummary, int, error)
	Assignments(ctx context.Context, scope wangge.Scope, assistantID int64) ([]wangge.Assignment, error)
	ListHouseholds(ctx context.Context, scope wangge.Scope, f wangge.HouseholdFilter) ([]wangge.HouseholdSummary, int, error)
	ListUnits(ctx context.Context, scope wangge.Scope, f wangge.UnitFilter) ([]wangge.Unit, int, error)
	ListMemberships(ctx context.Context, scope wangge.Scope, f wangge.MembershipFilter) ([]wangge.Membership, int, error)
	GroupChanges(ctx context.Context, scope wangge.Scope, group wangge.KeyGroup, from, to time.Time) ([]wangge.GroupChange, error)
	Audit(ctx context.Context, e *wangge.AuditEntry) error
}

// ledgerFilters read what the ledger pages and their exports share: the
// filters of a request, and the search tokens an ID number travels under
// (searchtoken.go).
type ledgerFilters struct {
	core  *whttp.Server
	areas pagekit.AreaReader
}

// ledgers are the ledger pages' handlers.
type ledgers struct {
	ledgerFilters
	store LedgerStore
}

// ledgerRoutes are the four ledgers' pages and exports. The handlers check
// the ledger's own permission besides the export's.
func ledgerRoutes(core *whttp.Server, store wangge.Store) []whttp.Route {
	lf := ledgerFilters{core: core, areas: store}
	lg := &ledgers{ledgerFilters: lf, store: store}
	ex := &ledgerExports{ledgerFilters: lf, store: store}
	return []whttp.Route{
		// The four ledgers (四本台账): filtered to an area, searched, sorted,
		// paginated and printable; exported with the same filters, audited;
		// personal exports hold full ID numbers and phones, and need a typed
		// reason.
		core.Page("GET /ledgers", wangge.PermLogin, lg.handleLedgers),
		core.Page("GET /ledgers/assistants", wangge.PermLogin, lg.handleAssistantsLedger),
		core.Page("GET /ledgers/residents", wangge.PermViewPeople, lg.handleResidentsLedger),
		core.Page("POST /ledgers/residents", wangge.PermViewPeople, lg.handleResidentsSearch),
		core.Page("GET /ledgers/units", wangge.PermViewPeople, lg.handleUnitsLedger),
		core.Page("GET /ledgers/groups", wangge.PermViewGroups, lg.handleGroupsLedger),
		core.Export("GET /ledgers/assistants/export.xlsx", wangge.PermLogin, ex.handleLedgerExport(ledgerAssistants, formatXLSX)),
		core.Export("GET /ledgers/assistants/export.csv", wangge.PermLogin, ex.handleLedgerExport(ledgerAssistants, formatCSV)),
		core.Page("GET /ledgers/residents/export.xlsx", wangge.PermExport, ex.handleLedgerExport(ledgerResidents, formatXLSX)),
		core.Page("GET /ledgers/residents/export.csv", wangge.PermExport, ex.handleLedgerExport(ledgerResidents, formatCSV)),
		core.Page("GET /ledgers/units/export.xlsx", wangge.PermExport, ex.handleLedgerExport(ledgerUnits, formatXLSX)),
		core.Page("GET /ledgers/units/export.csv", wangge.PermExport, ex.handleLedgerExport(ledgerUnits, formatCSV)),
		core.Page("GET /ledgers/groups/export.xlsx", wangge.PermExport, ex.handleLedgerExport(ledgerGroups, formatXLSX)),
		core.Page("GET /ledgers/groups/export.csv", wangge.PermExport, ex.handleLedgerExport(ledgerGroups, formatCSV)),
		// Personal exports: GET shows the rows and asks why, POST with the
		// reason sends the file (ledger_export.go).
		core.Export("POST /ledgers/residents/export.xlsx", wangge.PermExport, ex.handleLedgerExport(ledgerResidents, formatXLSX)),
		core.Export("POST /ledgers/residents/export.csv", wangge.PermExport, ex.handleLedgerExport(ledgerResidents, formatCSV)),
		core.Export("POST /ledgers/units/export.xlsx", wangge.PermExport, ex.handleLedgerExport(ledgerUnits, formatXLSX)),
		core.Export("POST /ledgers/units/export.csv", wangge.PermExport, ex.handleLedgerExport(ledgerUnits, formatCSV)),
		core.Export("POST /ledgers/groups/export.xlsx", wangge.PermExport, ex.handleLedgerExport(ledgerGroups, formatXLSX)),
		core.Export("POST /ledgers/groups/export.csv", wangge.PermExport, ex.handleLedgerExport(ledgerGroups, formatCSV)),
	}
}

// Ledger kinds, as they appear in URLs, in the order of the menu.
const (
	ledgerAssistants = "assistants"
	ledgerResidents  = "residents"
	ledgerUnits      = "units"
	ledgerGroups     = "groups"
)

var ledgerKinds = []string{ledgerAssistants, ledgerResidents, ledgerUnits, ledgerGroups}

// ledgerPerm is what a ledger's page needs: the assistants' ledger is public
// facts, the others are people's data.
func ledgerPerm(kind string) wangge.Permission {
	switch kind {
	case ledgerResidents, ledgerUnits:
		return wangge.PermViewPeople
	case ledgerGroups:
		return wangge.PermViewGroups
	}
	return wangge.PermLogin
}

// ledgerSorts is a ledger's sort whitelist.
func ledgerSorts(kind string) []string {
	switch kind {
	case ledgerResidents:
		return wangge.HouseholdSorts
	case ledgerUnits:
		return wangge.UnitSorts
	case ledgerGroups:
		return wangge.MembershipSorts
	}
	return wangge.AssistantSorts
}

// ledgerSearchMax bounds the search box, in characters.
const ledgerSearchMax = 50

// ledgerFilter is what every ledger page and export reads from the query:
// the area (any level; the user's own when absent), the search and the
// sort; the key-group ledger adds its group, whether those who left are
// included and the period of its counts.
type ledgerFilter struct {
	Kind  string
	Area  *wangge.Area
	Scope wangge.Scope // the user's scope narrowed to Area
	Q     string
	// QToken is the search token Q came in, if it did: links carry it
	// rather than Q (an ID number is kept out of URLs).
	QToken string
	Sort   wangge.Sort

	Group    *wangge.GroupDef // key groups only
	All      bool             // key groups: include members who left
	From, To time.Time        // key groups: the period of the counts (calendar days)
}

// filterOf parses the filters of a ledger's request. An area outside the
// user's scope is not found, as its page would be.
func (s *ledgerFilters) filterOf(r *http.Request, kind string) (*ledgerFilter, error) {
	ctx := r.Context()
	u := whttp.UserFrom(ctx)
	q := r.URL.Query()
	code := strings.TrimSpace(q.Get("area"))
	if code == "" {
		code = u.ScopeCode
	}
	if !wangge.ValidRegionCode(code) {
		return nil, wangge.ErrNotFound
	}
	scope := u.Scope().Narrow(code)
	if scope.IsZero() {
		return nil, wangge.ErrNotFound
	}
	if p := scope.Prefix(); p != "" {
		code = p // an area above the user's scope filters to the scope
	}
	area, err := s.areas.Area(ctx, code)
	if err != nil {
		return nil, err
	}
	f := &ledgerFilter{Kind: kind, Area: area, Scope: scope, Q: strings.TrimSpace(q.Get("q")), Sort: wangge.Sort(q.Get("sort"))}
	if tok := q.Get(searchTokenParam); tok != "" && f.Q == "" {
		if f.Q, err = s.openSearch(r, tok); err != nil {
			return nil, err
		}
		f.QToken = tok
	}
	if utf8.RuneCountInString(f.Q) > ledgerSearchMax {
		return nil, wangge.Invalid("q", "error.ledger.search_long")
	}
	if err := f.Sort.Check(ledgerSorts(kind)); err != nil {
		return nil, err
	}
	if kind == ledgerGroups {
		if err := f.groupFilters(q, scope, s.core.Now()); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// groupFilters reads the key-group ledger's own filters. The group is one
// the scope may see (the first of them when none is asked for); the period
// runs from the start of the year to today unless given.
func (f *ledgerFilter) groupFilters(q url.Values, scope wangge.Scope, now time.Time) error {
	g := wangge.KeyGroup(q.Get("group"))
	if g == "" {
		for _, d := range wangge.KeyGroups {
			if scope.GroupVisible(d.Group) {
				g = d.Group
				break
			}
		}
	}
	f.Group = wangge.GroupDefOf(g)
	if f.Group == nil || !scope.GroupVisible(g) {
		return wangge.ErrNotFound
	}
	f.All = q.Get("all") == "1"
	today := now.In(whttp.ChinaTime)
	f.To = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	f.From = time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	for _, d := range []struct {
		field string
		dst   *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(d.field); v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				return wangge.Invalid(d.field, "error.ledger.date")
			}
			*d.dst = t
		}
	}
	if f.To.Before(f.From) {
		return wangge.Invalid("to", "error.period.end_before_start")
	}
	return nil
}

// PrintedQ is the search as the printed list names it: an ID number
// masked, as everywhere else it is shown.
func (f *ledgerFilter) PrintedQ() string {
	if id, ok := wangge.SearchIDNumber(f.Q); ok {
		return ident.MaskID(id)
	}
	return f.Q
}

// query returns the filters as URL parameters (no page, no sort): what a
// link to the same rows elsewhere, such as an export, carries.
func (f *ledgerFilter) query() url.Values {
	v := url.Values{"area": {f.Area.Code}}
	if f.QToken != "" {
		v.Set(searchTokenParam, f.QToken)
	} else if f.Q != "" {
		v.Set("q", f.Q)
	}
	if f.Group != nil {
		v.Set("group", string(f.Group.Group))
		if f.All {
			v.Set("all", "1")
		}
		v.Set("from", f.From.Format(time.DateOnly))
		v.Set("to", f.To.Format(time.DateOnly))
	}
	return v
}

// areaOption is one choice of the area filter.
type areaOption struct {
	Code     string
	Label    string // the name, indented by its depth below the user's area
	Selected bool
}

func newAreaOption(a *wangge.Area, depth int, selected bool) areaOption {
	return areaOption{Code: a.Code, Label: strings.Repeat("\u3000", depth) + a.Name, Selected: selected}
}

// areaOptions are the choices of the area filter: the way from the user's
// own area down to the selected one, then the selected area's children, so
// that staff narrow down a level at a time.
func (s *ledgers) areaOptions(ctx context.Context, u *wangge.User, a *wangge.Area) ([]areaOption, error) {
	var opts []areaOption
	for n := len(u.ScopeCode); n <= len(a.Code); n += 3 {
		anc, err := s.store.Area(ctx, a.Code[:n])
		if err != nil {
			return nil, err
		}
		opts = append(opts, newAreaOption(anc, len(opts), n == len(a.Code)))
	}
	if a.Level == wangge.LevelGrid {
		return opts, nil
	}
	kids, _, err := s.store.ListAreas(ctx, wangge.AreaFilter{ParentCode: a.Code, Page: wangge.Page{Limit: wangge.MaxPageLimit}})
	if err != nil {
		return nil, err
	}
	depth := len(opts)
	for i := range kids {
		if kids[i].RetiredAt == nil {
			opts = append(opts, newAreaOption(&kids[i], depth, false))
		}
	}
	return opts, nil
}

// areaNames names areas by code, reading each once.
type areaNames struct {
	areas pagekit.AreaReader
	ctx   context.Context
	names map[string]string
}

func (s *ledgers) newAreaNames(ctx context.Context) *areaNames {
	return &areaNames{areas: s.store, ctx: ctx, names: map[string]string{}}
}

// name returns the area's name, or its code when it has none.
func (n *areaNames) name(code string) string {
	if code == "" {
		return ""
	}
	if v, ok := n.names[code]; ok {
		return v
	}
	v := pagekit.AreaName(n.ctx, n.areas, code)
	n.names[code] = v
	return v
}

// sortLink is a sortable column's heading link.
type sortLink struct {
	Key   string
	Label string
	URL   string
	State string // aria-sort: "ascending", "descending" or "" when the list is not sorted by it
	Num   bool   // a column of numbers
}

// sortLinks returns the heading links of a ledger's sortable columns: a
// click sorts by the column, a second click reverses it. The list's default
// order counts as sorted by the whitelist's first key.
func (s *ledgers) sortLinks(r *http.Request, kind string, cur wangge.Sort, keys []string) map[string]sortLink {
	if cur == "" {
		cur = wangge.Sort(keys[0])
	}
	out := map[string]sortLink{}
	for _, k := range keys {
		next, state := k, ""
		if cur.Key() == k {
			state = "ascending"
			if cur.Desc() {
				state = "descending"
			} else {
				next = "-" + k
			}
		}
		q := r.URL.Query()
		q.Del("page")
		q.Set("sort", next)
		num := k == wangge.SortPersons || k == wangge.SortHouseholds || k == wangge.SortHeadcount || k == wangge.SortPartyMembers
		out[k] = sortLink{Key: k, Label: s.core.T(r, "ledger."+kind+".col."+k), URL: r.URL.Path + "?" + q.Encode(), State: state, Num: num}
	}
	return out
}

// sortOption is one order the filter form offers.
type sortOption struct {
	Value, Label string
	Selected     bool
}

// sortOptions lists a ledger's orders, each way, after the default.
func (s *ledgers) sortOptions(r *http.Request, kind string, cur wangge.Sort) []sortOption {
	opts := []sortOption{{Value: "", Label: s.core.T(r, "ledger.sort.default"), Selected: cur == ""}}
	for _, k := range ledgerSorts(kind) {
		col := s.core.T(r, "ledger."+kind+".col."+k)
		for _, v := range []string{k, "-" + k} {
			dir := "ledger.sort.asc"
			if v != k {
				dir = "ledger.sort.desc"
			}
			opts = append(opts, sortOption{Value: v, Label: s.core.T(r, dir, "Col", col), Selected: string(cur) == v})
		}
	}
	return opts
}

// ledgerView is what a ledger page shows: the frame every ledger shares and
// the rows of its own kind.
type ledgerView struct {
	Kind   string
	Filter *ledgerFilter
	Areas  []areaOption
	Sorts  map[string]sortLink
	// SortOptions offer the same orders in the filter form, where a phone,
	// which shows no table headings, chooses them.
	SortOptions []sortOption
	Pager       *pagekit.Pager
	// ExportXLSX and ExportCSV export the rows of the filters, every page.
	ExportXLSX, ExportCSV string
	CanExport             bool
	Printed               time.Time // shown on paper

	Assistants []assistantRow
	CanHistory bool // assistants: the terms in earlier grids, for staff
	Households []wangge.HouseholdSummary
	Units      []wangge.Unit
	Members    []memberRow
	Groups     []wangge.GroupDef // key groups the user may choose from
	Changes    []wangge.GroupChange
	Total      wangge.GroupChange

	GridNames map[string]string
}

type assistantRow struct {
	wangge.AssistantSummary
	History []termRow
}

// termRow is one term of an assistant's in a grid.
type termRow struct {
	GridName string
	wangge.Assignment
}

// memberRow is a membership with its attribute values as shown.
type memberRow struct {
	wangge.Membership
	Values []string
}

// ledgerPageOf reads a ledger page's request: its filters, the page asked
// for, and the view started from them.
func (s *ledgers) ledgerPageOf(r *http.Request, kind string) (*ledgerFilter, wangge.Page, int, *ledgerView, error) {
	f, err := s.filterOf(r, kind)
	if err != nil {
		return nil, wangge.Page{}, 0, nil, err
	}
	pg, n, err := pagekit.PageOf(r)
	if err != nil {
		return nil, wangge.Page{}, 0, nil, err
	}
	v, err := s.newLedgerView(r, f)
	return f, pg, n, v, err
}

// newLedgerView starts the view of a ledger page: filters, sort links,
// export links.
func (s *ledgers) newLedgerView(r *http.Request, f *ledgerFilter) (*ledgerView, error) {
	u := whttp.UserFrom(r.Context())
	areas, err := s.areaOptions(r.Context(), u, f.Area)
	if err != nil {
		return nil, err
	}
	q := f.query().Encode()
	v := &ledgerView{Kind: f.Kind, Filter: f, Areas: areas, Sorts: s.sortLinks(r, f.Kind, f.Sort, ledgerSorts(f.Kind)), SortOptions: s.sortOptions(r, f.Kind, f.Sort),
		ExportXLSX: "/ledgers/" + f.Kind + "/export.xlsx?" + q, ExportCSV: "/ledgers/" + f.Kind + "/export.csv?" + q,
		CanExport: u.Role.Can(ledgerExportPerm(f.Kind)), Printed: s.core.Now(), GridNames: map[string]string{}}
	return v, nil
}

// renderLedger renders a ledger page with its title and breadcrumb.
func (s *ledgers) renderLedger(w http.ResponseWriter, r *http.Request, v *ledgerView) {
	title := s.core.T(r, "ledger."+v.Kind+".title")
	crumbs := []whttp.Crumb{{Name: s.core.T(r, "ledger.nav"), URL: "/ledgers"}, {Name: title}}
	s.core.Render(w, r, http.StatusOK, "ledger", &whttp.View{Title: title + " · " + v.Filter.Area.Name, Crumbs: crumbs, Data: v})
}

// ledgerCard is one ledger on the ledgers' index.
type ledgerCard struct {
	Kind string
	URL  string
}

// handleLedgers lists the ledgers the user may open, for the user's area.
func (s *ledgers) handleLedgers(w http.ResponseWriter, r *http.Request) error {
	u := whttp.UserFrom(r.Context())
	area, err := s.store.Area(r.Context(), u.ScopeCode)
	if err != nil {
		return err
	}
	var cards []ledgerCard
	for _, k := range ledgerKinds {
		if u.Role.Can(ledgerPerm(k)) {
			cards = append(cards, ledgerCard{Kind: k, URL: "/ledgers/" + k + "?area=" + url.QueryEscape(area.Code)})
		}
	}
	s.core.Render(w, r, http.StatusOK, "ledgers", &whttp.View{Title: s.core.T(r, "ledger.nav"), Crumbs: []whttp.Crumb{{Name: s.core.T(r, "ledger.nav")}},
		Data: struct {
			Area  *wangge.Area
			Cards []ledgerCard
		}{area, cards}})
	return nil
}

// handleAssistantsLedger lists the assistants serving in the area with
// their grids and what the grids hold; staff also see each assistant's
// terms in earlier grids.
func (s *ledgers) handleAssistantsLedger(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, pg, n, v, err := s.ledgerPageOf(r, ledgerAssistants)
	if err != nil {
		return err
	}
	as, total, err := s.store.ListAssistants(ctx, f.Scope, wangge.AssistantFilter{Query: f.Q, Sort: f.Sort, Page: pg})
	if err != nil {
		return err
	}
	v.Pager = pagekit.NewPager(r, n, total)
	v.CanHistory = whttp.UserFrom(ctx).Role.Can(wangge.PermViewPeople)
	names := s.newAreaNames(ctx)
	for _, a := range as {
		row := assistantRow{AssistantSummary: a}
		if v.CanHistory {
			terms, err := s.store.Assignments(ctx, whttp.UserFrom(ctx).Scope(), a.ID)
			if err != nil {
				return err
			}
			for _, t := range terms {
				row.History = append(row.History, termRow{GridName: names.name(t.GridCode), Assignment: t})
			}
		}
		v.Assistants = append(v.Assistants, row)
	}
	s.renderLedger(w, r, v)
	return nil
}

// handleResidentsLedger lists the households of the area, one row each,
// linking to each household's file (一户一档).
func (s *ledgers) handleResidentsLedger(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	// An ID number typed into the address (or an old bookmark) goes on
	// under a search token, so that the page's links do not repeat it.
	q := r.URL.Query()
	if hidden, err := s.hideIDSearch(r, q); err != nil {
		return err
	} else if hidden {
		q.Del("page")
		http.Redirect(w, r, r.URL.Path+"?"+q.Encode(), http.StatusSeeOther)
		return nil
	}
	f, pg, n, v, err := s.ledgerPageOf(r, ledgerResidents)
	if err != nil {
		return err
	}
	hs, total, err := s.store.ListHouseholds(ctx, f.Scope, wangge.HouseholdFilter{Search: f.Q, Sort: f.Sort, Page: pg})
	if err != nil {
		return err
	}
	// Looking a person up by ID number is a search of personal data: who
	// searched, where, and whether it found anyone is recorded, the number
	// only masked.
	if id, ok := wangge.SearchIDNumber(f.Q); ok {
		detail, err := json.Marshal(map[string]any{"id_number": ident.MaskID(id), "found": total})
		if err != nil {
			return err
		}
		if err := s.store.Audit(ctx, &wangge.AuditEntry{Action: "person.search", Object: "person", GridCode: f.Area.Code, Detail: string(detail)}); err != nil {
			return err
		}
	}
	v.Households, v.Pager = hs, pagekit.NewPager(r, n, total)
	names := s.newAreaNames(ctx)
	for _, h := range hs {
		v.GridNames[h.GridCode] = names.name(h.GridCode)
	}
	s.renderLedger(w, r, v)
	return nil
}

// handleUnitsLedger lists the resident units of the area.
func (s *ledgers) handleUnitsLedger(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, pg, n, v, err := s.ledgerPageOf(r, ledgerUnits)
	if err != nil {
		return err
	}
	us, total, err := s.store.ListUnits(ctx, f.Scope, wangge.UnitFilter{Query: f.Q, Sort: f.Sort, Page: pg})
	if err != nil {
		return err
	}
	v.Units, v.Pager = us, pagekit.NewPager(r, n, total)
	names := s.newAreaNames(ctx)
	for _, u := range us {
		v.GridNames[u.GridCode] = names.name(u.GridCode)
	}
	s.renderLedger(w, r, v)
	return nil
}

// handleGroupsLedger lists the members of one key group in the area with
// the attributes its departments need, and counts per grid who joined and
// who left in a period. The store keeps it to the groups the user's role
// may see: a department its own line's.
func (s *ledgers) handleGroupsLedger(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, pg, n, v, err := s.ledgerPageOf(r, ledgerGroups)
	if err != nil {
		return err
	}
	for _, d := range wangge.KeyGroups {
		if f.Scope.GroupVisible(d.Group) {
			v.Groups = append(v.Groups, d)
		}
	}
	ms, total, err := s.store.ListMemberships(ctx, f.Scope, wangge.MembershipFilter{Group: f.Group.Group, Current: !f.All, Search: f.Q, Sort: f.Sort, Page: pg})
	if err != nil {
		return err
	}
	v.Pager = pagekit.NewPager(r, n, total)
	names := s.newAreaNames(ctx)
	for _, m := range ms {
		v.Members = append(v.Members, memberRow{Membership: m, Values: s.attrValues(r, f.Group, m.Attrs)})
		v.GridNames[m.GridCode] = names.name(m.GridCode)
	}
	changes, err := s.store.GroupChanges(ctx, f.Scope, f.Group.Group, f.From, f.To)
	if err != nil {
		return err
	}
	for _, c := range changes {
		v.Changes = append(v.Changes, c)
		v.Total.Joined += c.Joined
		v.Total.Left += c.Left
		v.Total.Members += c.Members
	}
	s.renderLedger(w, r, v)
	return nil
}

// attrValues are a membership's attribute values in the group's order, as
// a page shows them: yes/no in words.
func (s *ledgers) attrValues(r *http.Request, def *wangge.GroupDef, attrs map[string]string) []string {
	out := make([]string, len(def.Attrs))
	for i, a := range def.Attrs {
		v := attrs[a.Key]
		if a.Kind == wangge.AttrBool && (v == "true" || v == "false") {
			v = s.core.T(r, "ledger.bool."+v)
		}
		out[i] = v
	}
	return out
}
