package sqldb

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

// The four ledgers (四本台账): the orders and searches of their lists, and
// whole ledgers read grid by grid for export.

// desc returns " DESC" for a reversed sort.
func desc(s wangge.Sort) string {
	if s.Desc() {
		return " DESC"
	}
	return ""
}

// householdOrder is the ORDER BY of a checked household sort. The ledger
// order is grid, building (in the order registered), entrance, room: the
// columns of the households_ledger index, so that a page of a district
// sorts only within buildings. Rooms and entrances sort by length first, so
// that room 901 comes before room 1001.
func householdOrder(s wangge.Sort) string {
	d := desc(s)
	switch s.Key() {
	case wangge.SortPersons:
		return "(SELECT COUNT(*) FROM persons p WHERE p.household_id = h.id)" + d + ", h.grid_code, h.id"
	case wangge.SortLastVisit:
		// Never visited counts as longest ago.
		nulls := " NULLS FIRST"
		if s.Desc() {
			nulls = " NULLS LAST"
		}
		return "(SELECT MAX(v.at) FROM visits v WHERE v.household_id = h.id)" + d + nulls + ", h.grid_code, h.id"
	}
	return "h.grid_code" + d + ", h.building_id" + d + ", LENGTH(h.entrance)" + d + ", h.entrance" + d + ", LENGTH(h.room)" + d + ", h.room" + d + ", h.id" + d
}

// householdSearch adds the residents' ledger's search: the start of the
// name of anyone in the household, part of its building's name, or, when
// the search has a digit, the start of its room or household number; a
// dwelling written as the pages show it ("1单元101室", "101室", "1-101")
// matches that entrance and room; an ID number matches its holder's
// household through the blind index. Each is its own indexed (or small)
// read, so a search of a district reads the matches rather than every
// household.
func (db *DB) householdSearch(w *where, s wangge.Scope, q string) {
	q = strings.TrimSpace(q)
	lo, hi := s.PeopleRange()
	prefix := likeEscape(q) + "%"
	parts := []string{
		`SELECT p.household_id FROM persons p WHERE p.grid_code BETWEEN ? AND ? AND p.name LIKE ? ESCAPE '\'`,
		`SELECT x.id FROM households x WHERE x.building_id IN (SELECT b.id FROM buildings b WHERE b.grid_code BETWEEN ? AND ? AND b.name LIKE ? ESCAPE '\')`,
	}
	args := []any{lo, hi, prefix, lo, hi, "%" + likeEscape(q) + "%"}
	if strings.ContainsAny(q, "0123456789") {
		parts = append(parts, `SELECT x.id FROM households x WHERE x.grid_code BETWEEN ? AND ? AND x.room LIKE ? ESCAPE '\'`)
		args = append(args, lo, hi, prefix)
		// Household numbers are the community's own (the demo's start with
		// the grid code, but imported ones need not), so no narrower range
		// than the scope holds them all.
		parts = append(parts, `SELECT x.id FROM households x WHERE x.grid_code BETWEEN ? AND ? AND x.number LIKE ? ESCAPE '\'`)
		args = append(args, lo, hi, likeEscape(strings.ReplaceAll(q, " ", ""))+"%")
	}
	if entrance, room, ok := wangge.ParseRoomQuery(q); ok {
		if entrance != "" {
			parts = append(parts, `SELECT x.id FROM households x WHERE x.grid_code BETWEEN ? AND ? AND x.entrance = ? AND x.room = ?`)
			args = append(args, lo, hi, entrance, room)
		} else {
			parts = append(parts, `SELECT x.id FROM households x WHERE x.grid_code BETWEEN ? AND ? AND x.room = ?`)
			args = append(args, lo, hi, room)
		}
	}
	if id, ok := wangge.SearchIDNumber(q); ok {
		c, a := db.matchIndex("p.id_idx", fPersonID, id)
		parts = append(parts, `SELECT p.household_id FROM persons p WHERE p.grid_code BETWEEN ? AND ? AND `+c)
		args = append(append(args, lo, hi), a...)
	}
	w.add("h.id IN ("+strings.Join(parts, " UNION ")+")", args...)
}

// inList returns "?, ?, …" for ids and the ids as arguments.
func inList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", "), args
}

// sortGroups puts key groups in ledger order.
func sortGroups(gs []wangge.KeyGroup) {
	order := map[wangge.KeyGroup]int{}
	for i, d := range wangge.KeyGroups {
		order[d.Group] = i
	}
	slices.SortFunc(gs, func(a, b wangge.KeyGroup) int { return order[a] - order[b] })
}

// householdGroups returns the current key groups of the persons of the
// households (in is inList's placeholders for args), those the scope may
// see, by household.
func (db *DB) householdGroups(ctx context.Context, s wangge.Scope, in string, args []any) (map[int64][]wangge.KeyGroup, error) {
	var w where
	w.add("p.household_id IN ("+in+")", args...)
	w.add("m.left_on IS NULL")
	w.scope("m.grid_code", s)
	groupCond(&w, s, "m.grp")
	notAgeGroups(&w, "m.grp")
	type pair struct {
		household int64
		group     wangge.KeyGroup
	}
	pairs, err := collect(ctx, db, `SELECT DISTINCT p.household_id, m.grp FROM memberships m JOIN persons p ON p.id = m.person_id`+w.String(), w.args,
		func(rows *sql.Rows) (pair, error) {
			var p pair
			return p, rows.Scan(&p.household, &p.group)
		})
	if err != nil {
		return nil, err
	}
	out := map[int64][]wangge.KeyGroup{}
	for _, p := range pairs {
		out[p.household] = append(out[p.household], p.group)
	}
	// The age-derived groups, from the persons' birth dates today.
	var pw where
	pw.add("p.household_id IN ("+in+")", args...)
	pw.scope("p.grid_code", s)
	type aged struct {
		household int64
		birth     timeValue
		sex       ident.Sex
	}
	persons, err := collect(ctx, db, `SELECT p.household_id, p.birth_date, p.sex FROM persons p`+pw.String(), pw.args, func(rows *sql.Rows) (aged, error) {
		var a aged
		return a, rows.Scan(&a.household, &a.birth, &a.sex)
	})
	if err != nil {
		return nil, err
	}
	day := db.today()
	for _, a := range persons {
		for _, g := range ageGroupsOf(s, a.birth.Time, a.sex, day) {
			if !slices.Contains(out[a.household], g) {
				out[a.household] = append(out[a.household], g)
			}
		}
	}
	for _, gs := range out {
		sortGroups(gs)
	}
	return out, nil
}

// ageGroupsOf returns the age-derived groups the scope may see that a
// person born on birth, of sex, is in on day.
func ageGroupsOf(s wangge.Scope, birth time.Time, sex ident.Sex, day time.Time) []wangge.KeyGroup {
	var out []wangge.KeyGroup
	for _, g := range wangge.AgeGroups {
		if s.GroupVisible(g) && wangge.GroupAges[g].Contains(birth, sex, day) {
			out = append(out, g)
		}
	}
	return out
}

// scopeGrids returns the codes of the grids within the scope (retired ones
// too: what they still hold is still in the ledger), in code order. people
// says whether the caller reads people's data.
func (db *DB) scopeGrids(ctx context.Context, s wangge.Scope, people bool) ([]string, error) {
	lo, hi := s.Range()
	if people {
		lo, hi = s.PeopleRange()
	}
	return collect(ctx, db, `SELECT code FROM areas WHERE level = 4 AND code BETWEEN ? AND ? ORDER BY code`, []any{lo, hi},
		func(rows *sql.Rows) (string, error) {
			var code string
			return code, rows.Scan(&code)
		})
}

// EachResident calls fn for every person of the households f selects,
// grid by grid, household by household.
func (db *DB) EachResident(ctx context.Context, s wangge.Scope, f wangge.HouseholdFilter, fn func(*wangge.ResidentEntry) error) error {
	full := f.Full && s.MayExport()
	s = s.Narrow(f.GridCode)
	grids, err := db.scopeGrids(ctx, s, true)
	if err != nil {
		return err
	}
	for _, grid := range grids {
		gs := s.Narrow(grid)
		var w where
		w.add("p.grid_code = ?", grid)
		w.people("h.grid_code", gs)
		if f.BuildingID != 0 {
			w.add("h.building_id = ?", f.BuildingID)
		}
		if f.Query != "" {
			q := likeEscape(f.Query) + "%"
			w.add(`(h.room LIKE ? ESCAPE '\' OR h.number LIKE ? ESCAPE '\')`, q, q)
		}
		if f.Search != "" {
			db.householdSearch(&w, gs, f.Search)
		}
		entries, err := collect(ctx, db, `SELECT `+householdCols+`, `+personCols+`, b.name, b.seq, h.phone_enc
			FROM persons p JOIN households h ON h.id = p.household_id JOIN buildings b ON b.id = h.building_id`+w.String()+`
			ORDER BY b.seq, LENGTH(h.entrance), h.entrance, LENGTH(h.room), h.room, h.id, CASE WHEN p.relation = 'head' THEN 0 ELSE 1 END, p.id`, w.args,
			func(rows *sql.Rows) (wangge.ResidentEntry, error) {
				var e wangge.ResidentEntry
				var ps personScan
				var phone []byte // the household's phone again, to open in full
				h, err := db.scanHousehold(rows, append(ps.dest(), &e.BuildingName, &e.BuildingSeq, &phone)...)
				if err != nil {
					return e, err
				}
				if full {
					if h.Phone, err = db.openMasked(fHouseholdPh, phone, plain); err != nil {
						return e, err
					}
				}
				p, err := db.openPerson(&ps, full)
				if err != nil {
					return e, err
				}
				e.Household, e.Person = *h, *p
				return e, nil
			})
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			continue
		}
		groups, err := db.gridGroups(ctx, gs, grid)
		if err != nil {
			return err
		}
		day := db.today()
		for i := range entries {
			p := &entries[i].Person
			entries[i].Groups = groups[p.ID]
			if aged := ageGroupsOf(gs, p.BirthDate, p.Sex, day); len(aged) > 0 {
				entries[i].Groups = append(entries[i].Groups, aged...)
				sortGroups(entries[i].Groups)
			}
			if err := fn(&entries[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// gridGroups returns the current key groups of the persons of a grid that
// membership rows decide (not the age-derived ones: EachResident adds those
// from the birth dates), those the scope may see, by person.
func (db *DB) gridGroups(ctx context.Context, s wangge.Scope, grid string) (map[int64][]wangge.KeyGroup, error) {
	var w where
	w.add("m.grid_code = ?", grid)
	w.scope("m.grid_code", s)
	w.add("m.left_on IS NULL")
	groupCond(&w, s, "m.grp")
	notAgeGroups(&w, "m.grp")
	type pair struct {
		person int64
		group  wangge.KeyGroup
	}
	pairs, err := collect(ctx, db, `SELECT m.person_id, m.grp FROM memberships m`+w.String(), w.args, func(rows *sql.Rows) (pair, error) {
		var p pair
		return p, rows.Scan(&p.person, &p.group)
	})
	if err != nil {
		return nil, err
	}
	out := map[int64][]wangge.KeyGroup{}
	for _, p := range pairs {
		out[p.person] = append(out[p.person], p.group)
	}
	for _, gs := range out {
		sortGroups(gs)
	}
	return out, nil
}

// unitWhere adds the conditions of a unit filter within the scope.
func unitWhere(w *where, s wangge.Scope, f wangge.UnitFilter) {
	w.people("u.grid_code", s.Narrow(f.GridCode))
	if q := strings.TrimSpace(f.Query); q != "" {
		w.add(`(u.name LIKE ? ESCAPE '\' OR u.credit_code LIKE ? ESCAPE '\')`, "%"+likeEscape(q)+"%", likeEscape(strings.ToUpper(q))+"%")
	}
	if f.PartyOrg != nil {
		if *f.PartyOrg {
			w.add("u.party_org <> ''")
		} else {
			w.add("u.party_org = ''")
		}
	}
}

// unitOrder is the ORDER BY of a checked unit sort.
func unitOrder(s wangge.Sort) string {
	d := desc(s)
	switch s.Key() {
	case wangge.SortName:
		return "u.name" + d + ", u.id"
	case wangge.SortHeadcount:
		return "u.headcount" + d + ", u.grid_code, u.id"
	case wangge.SortPartyMembers:
		return "u.party_members" + d + ", u.grid_code, u.id"
	}
	return "u.grid_code" + d + ", u.id" + d
}

// EachUnit calls fn for every unit f selects, grid by grid.
func (db *DB) EachUnit(ctx context.Context, s wangge.Scope, f wangge.UnitFilter, fn func(*wangge.UnitEntry) error) error {
	full := f.Full && s.MayExport()
	s = s.Narrow(f.GridCode)
	grids, err := db.scopeGrids(ctx, s, true)
	if err != nil {
		return err
	}
	for _, grid := range grids {
		var w where
		w.add("u.grid_code = ?", grid)
		unitWhere(&w, s, wangge.UnitFilter{Query: f.Query, PartyOrg: f.PartyOrg})
		units, err := collect(ctx, db, `SELECT `+unitCols+`, COALESCE(b.seq, 0), COALESCE(b.name, ''), u.contact_phone_enc
			FROM units u LEFT JOIN buildings b ON b.id = u.building_id`+w.String()+` ORDER BY u.name, u.id`, w.args,
			func(rows *sql.Rows) (wangge.UnitEntry, error) {
				var e wangge.UnitEntry
				var phone []byte // the contact phone again, to open in full
				u, err := db.scanUnit(rows, &e.BuildingSeq, &e.BuildingName, &phone)
				if err != nil {
					return e, err
				}
				if full {
					if u.ContactPhone, err = db.openMasked(fUnitPhone, phone, plain); err != nil {
						return e, err
					}
				}
				e.Unit = *u
				return e, nil
			})
		if err != nil {
			return err
		}
		for i := range units {
			if err := fn(&units[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// membershipWhere adds the conditions of a membership filter within the
// scope, over the rows of the groups that are not age-derived (those of a
// group f names). A search by name finds the persons first (an indexed read of
// their names), then their memberships.
func membershipWhere(w *where, s wangge.Scope, f wangge.MembershipFilter) {
	s = s.Narrow(f.GridCode)
	w.scope("m.grid_code", s)
	groupCond(w, s, "m.grp")
	if f.Group != "" {
		w.add("m.grp = ?", f.Group)
	} else {
		notAgeGroups(w, "m.grp")
	}
	if f.PersonID != 0 {
		w.add("m.person_id = ?", f.PersonID)
	}
	if f.Current {
		w.add("m.left_on IS NULL")
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		lo, hi := s.Range()
		w.add(`m.person_id IN (SELECT p.id FROM persons p WHERE p.grid_code BETWEEN ? AND ? AND p.name LIKE ? ESCAPE '\')`, lo, hi, likeEscape(q)+"%")
	}
}

// membershipOrder is the ORDER BY of a checked membership sort. Members who
// have not left come after those who have, either way.
func membershipOrder(s wangge.Sort) string {
	d := desc(s)
	switch s.Key() {
	case wangge.SortJoined:
		return "m.joined" + d + ", m.id" + d
	case wangge.SortLeft:
		return "m.left_on" + d + " NULLS LAST, m.id" + d
	}
	return "m.grid_code" + d + ", m.grp, m.id"
}

// EachMembership calls fn for every membership f selects, grid by grid:
// of the age-derived groups, the persons in the band on f.At.
func (db *DB) EachMembership(ctx context.Context, s wangge.Scope, f wangge.MembershipFilter, fn func(*wangge.Membership) error) error {
	if err := f.Sort.Check(wangge.MembershipSorts); err != nil {
		return err
	}
	full := f.Full && s.MayExport()
	s = s.Narrow(f.GridCode)
	grids, err := db.scopeGrids(ctx, s, false)
	if err != nil {
		return err
	}
	if f.At.IsZero() {
		f.At = db.today() // one day for the whole export
	}
	for _, grid := range grids {
		f.GridCode = grid
		ms, _, err := db.memberships(ctx, s, f, full, false)
		if err != nil {
			return err
		}
		for i := range ms {
			if err := fn(&ms[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// GroupChanges counts joins, leaves and members of a group per grid.
func (db *DB) GroupChanges(ctx context.Context, s wangge.Scope, g wangge.KeyGroup, from, to time.Time) ([]wangge.GroupChange, error) {
	from, to = date(from), date(to)
	if to.Before(from) {
		return nil, wangge.Invalid("to", "error.period.end_before_start")
	}
	if band, ok := wangge.GroupAges[g]; ok {
		return db.ageChanges(ctx, s, g, band, from, to)
	}
	var w where
	w.scope("m.grid_code", s)
	groupCond(&w, s, "m.grp")
	w.add("m.grp = ?", g)
	args := append([]any{from, to, from, to, to, to}, w.args...)
	return db.groupChanges(ctx, `SELECT c.grid_code, COALESCE(a.name, ''), c.joined, c.left_on, c.members FROM (SELECT m.grid_code,
		SUM(CASE WHEN m.joined >= ? AND m.joined <= ? THEN 1 ELSE 0 END) AS joined,
		SUM(CASE WHEN m.left_on >= ? AND m.left_on <= ? THEN 1 ELSE 0 END) AS left_on,
		SUM(CASE WHEN m.joined <= ? AND (m.left_on IS NULL OR m.left_on > ?) THEN 1 ELSE 0 END) AS members
		FROM memberships m`+w.String()+` GROUP BY m.grid_code) c LEFT JOIN areas a ON a.code = c.grid_code ORDER BY c.grid_code`, args)
}

// ageChanges counts the change of an age-derived group per grid, from the
// birth dates of the persons who live in the scope now: joined are those
// who reached the band's lowest age in the period (turned 60, or 15),
// left those who passed its highest (a woman's 50th birthday), members
// those in the band on the last day. Moving away or being removed from the
// ledger is not a leave here: such a person is counted where they live
// now, or not at all.
func (db *DB) ageChanges(ctx context.Context, s wangge.Scope, g wangge.KeyGroup, band wangge.AgeBand, from, to time.Time) ([]wangge.GroupChange, error) {
	if !s.GroupVisible(g) {
		return nil, nil
	}
	before := from.AddDate(0, 0, -1)
	// Reached age n within [from, to]: n or older on to, younger on the
	// day before from.
	reached := func(n int) (string, []any) {
		return "p.birth_date <= ? AND p.birth_date > ?", []any{wangge.BornBy(to, n), wangge.BornBy(before, n)}
	}
	jc, ja := reached(band.Min)
	lc, la := "1 = 0", []any(nil)
	if band.Max > 0 {
		lc, la = reached(band.Max + 1)
	}
	var w where
	w.scope("p.grid_code", s)
	if band.Women {
		w.add("p.sex = ?", int(ident.SexFemale))
	}
	var in where
	bandCond(&in, band, to)
	args := append(append(append(ja, la...), in.args...), w.args...)
	return db.groupChanges(ctx, `SELECT c.grid_code, COALESCE(a.name, ''), c.joined, c.left_on, c.members FROM (SELECT p.grid_code,
		SUM(CASE WHEN `+jc+` THEN 1 ELSE 0 END) AS joined,
		SUM(CASE WHEN `+lc+` THEN 1 ELSE 0 END) AS left_on,
		SUM(CASE WHEN `+strings.Join(in.conds, " AND ")+` THEN 1 ELSE 0 END) AS members
		FROM persons p`+w.String()+` GROUP BY p.grid_code) c LEFT JOIN areas a ON a.code = c.grid_code ORDER BY c.grid_code`, args)
}

// grid returns the counts of an active grid, or nil.
func (s *countSnapshot) grid(code string) *gridCount {
	i, ok := slices.BinarySearchFunc(s.grids, code, func(c gridCount, code string) int { return strings.Compare(c.code, code) })
	if !ok {
		return nil
	}
	return &s.grids[i]
}

// pageIDs counts the rows of from that w selects and returns the ids
// (idCol) of one page of them, in order: the first step of a list whose
// rows are costly to read, so that only the page's rows are read.
func pageIDs(ctx context.Context, db *DB, from, idCol string, w *where, order string, p wangge.Page) ([]int64, int, error) {
	total, err := db.count(ctx, from, w)
	if err != nil || total == 0 {
		return nil, total, err
	}
	lim, largs := limit(p)
	ids, err := collect(ctx, db, `SELECT `+idCol+` FROM `+from+w.String()+` ORDER BY `+order+lim, append(append([]any{}, w.args...), largs...),
		func(rows *sql.Rows) (int64, error) {
			var id int64
			return id, rows.Scan(&id)
		})
	return ids, total, err
}

// inOrder returns the rows in the order of ids, leaving out ids without a
// row (gone between the two reads).
func inOrder[T any](ids []int64, rows []T, id func(T) int64) []T {
	byID := make(map[int64]T, len(rows))
	for _, r := range rows {
		byID[id(r)] = r
	}
	out := make([]T, 0, len(ids))
	for _, i := range ids {
		if r, ok := byID[i]; ok {
			out = append(out, r)
		}
	}
	return out
}

// groupChanges reads a group's change per grid (grid, name, joined, left,
// members) and keeps the grids where anything is to count.
func (db *DB) groupChanges(ctx context.Context, q string, args []any) ([]wangge.GroupChange, error) {
	changes, err := collect(ctx, db, q, args, func(rows *sql.Rows) (wangge.GroupChange, error) {
		var c wangge.GroupChange
		return c, rows.Scan(&c.GridCode, &c.GridName, &c.Joined, &c.Left, &c.Members)
	})
	if err != nil {
		return nil, err
	}
	out := changes[:0]
	for _, c := range changes {
		if c.Joined+c.Left+c.Members > 0 {
			out = append(out, c)
		}
	}
	return out, nil
}
