package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

// The reports: counts per grid added up into child areas, and the lists of
// the completeness report. Ages are birth-date ranges at the report date.

// reportDays returns the report's day, the first day of its visit cycle and
// the day after it (visits count in [since, until)).
func reportDays(at time.Time, cycle int) (day, since, until time.Time) {
	if cycle <= 0 {
		cycle = wangge.DefaultVisitCycle
	}
	day = date(at)
	return day, day.AddDate(0, 0, 1-cycle), day.AddDate(0, 0, 1)
}

// ReportRows counts the parts q asks for per child area of q.Area.
func (db *DB) ReportRows(ctx context.Context, s wangge.Scope, q wangge.ReportQuery) ([]wangge.ReportRow, error) {
	code := q.Area
	if !wangge.ValidRegionCode(code) {
		return nil, wangge.ErrNotFound
	}
	s = s.Narrow(code)
	if s.IsZero() {
		return nil, nil
	}
	parts := q.Parts
	if parts == 0 {
		parts = wangge.PartAll
	}
	lo, hi := s.Range()
	day, since, until := reportDays(q.At, q.Cycle)
	childLen := len(code) + 3
	if wangge.LevelOf(code) == wangge.LevelGrid {
		childLen = len(code)
	}
	// A scope below the child areas (a grid's over its sub-district) counts
	// in the one child area above it.
	above := ""
	if len(s.Prefix()) > childLen {
		above = s.Prefix()[:childLen]
	}
	areas, err := collect(ctx, db, `SELECT code, name FROM areas WHERE (code BETWEEN ? AND ? OR code = ?) AND LENGTH(code) = ? AND retired_at IS NULL ORDER BY code`,
		[]any{lo, hi, above, childLen}, func(rows *sql.Rows) (wangge.ReportRow, error) {
			var r wangge.ReportRow
			return r, rows.Scan(&r.Code, &r.Name)
		})
	if err != nil {
		return nil, err
	}
	idx := map[string]*wangge.ReportRow{}
	for i := range areas {
		r := &areas[i]
		r.BuildingsByKind, r.UnitsByKind = map[wangge.BuildingKind]int{}, map[wangge.UnitKind]int{}
		r.Groups, r.GroupAttrs, r.GroupRecords = map[wangge.KeyGroup]int{}, map[string]int{}, map[wangge.KeyGroup]int{}
		idx[r.Code] = r
	}
	row := func(grid string) *wangge.ReportRow {
		if len(grid) < childLen {
			return nil
		}
		return idx[grid[:childLen]]
	}
	each := func(q string, args []any, scan func(*sql.Rows) error) error {
		rows, err := db.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	if parts&wangge.PartPlaces != 0 {
		// Buildings: by kind, without households, without a head at the day.
		if err := each(`SELECT b.grid_code, b.kind, COUNT(*),
			SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM households h WHERE h.building_id = b.id) THEN 1 ELSE 0 END),
			SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM building_heads bh WHERE bh.building_id = b.id AND bh.from_date < ? AND (bh.to_date IS NULL OR bh.to_date >= ?)) THEN 1 ELSE 0 END)
			FROM buildings b WHERE b.grid_code BETWEEN ? AND ? GROUP BY b.grid_code, b.kind`,
			[]any{until, until, lo, hi}, func(rows *sql.Rows) error {
				var grid string
				var kind wangge.BuildingKind
				var n, empty, noHead int
				if err := rows.Scan(&grid, &kind, &n, &empty, &noHead); err != nil {
					return err
				}
				if r := row(grid); r != nil {
					r.Buildings += n
					r.BuildingsByKind[kind] += n
					r.EmptyBuildings += empty
					r.BuildingsNoHead += noHead
				}
				return nil
			}); err != nil {
			return nil, err
		}
		// Units: by kind, with a party organisation, never visited.
		if err := each(`SELECT u.grid_code, u.kind, COUNT(*),
			SUM(CASE WHEN u.party_org <> '' THEN 1 ELSE 0 END), SUM(u.party_members),
			SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM visits v WHERE v.unit_id = u.id AND v.at < ?) THEN 1 ELSE 0 END)
			FROM units u WHERE u.grid_code BETWEEN ? AND ? GROUP BY u.grid_code, u.kind`,
			[]any{until, lo, hi}, func(rows *sql.Rows) error {
				var grid string
				var kind wangge.UnitKind
				var n, party, members, unvisited int
				if err := rows.Scan(&grid, &kind, &n, &party, &members, &unvisited); err != nil {
					return err
				}
				if r := row(grid); r != nil {
					r.Units += n
					r.UnitsByKind[kind] += n
					r.UnitsWithParty += party
					r.UnitPartyMembers += members
					r.UnvisitedUnits += unvisited
				}
				return nil
			}); err != nil {
			return nil, err
		}
	}
	if parts&wangge.PartHouseholds != 0 {
		// Households: without persons, not visited within the cycle.
		if err := each(`SELECT h.grid_code, COUNT(*),
			SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM persons p WHERE p.household_id = h.id) THEN 1 ELSE 0 END),
			SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM visits v WHERE v.household_id = h.id AND v.at >= ? AND v.at < ?) THEN 1 ELSE 0 END)
			FROM households h WHERE h.grid_code BETWEEN ? AND ? GROUP BY h.grid_code`,
			[]any{since, until, lo, hi}, func(rows *sql.Rows) error {
				var grid string
				var n, empty, unvisited int
				if err := rows.Scan(&grid, &n, &empty, &unvisited); err != nil {
					return err
				}
				if r := row(grid); r != nil {
					r.Households += n
					r.EmptyHouseholds += empty
					r.UnvisitedHouseholds += unvisited
				}
				return nil
			}); err != nil {
			return nil, err
		}
	}
	if parts&(wangge.PartAges|wangge.PartPersons) != 0 {
		// Age bands are birth-date ranges at the day. Alone they are read
		// from the index on (grid_code, birth_date, sex) without the rows;
		// with the persons' fields, in the same one pass over the rows.
		b60, _ := wangge.BandElderly.Born(day)
		b80, _ := wangge.BandAdvanced.Born(day)
		c15, c50 := wangge.BandChildbearing.Born(day)
		cols := `p.grid_code, COUNT(*),
			SUM(CASE WHEN p.birth_date <= ? THEN 1 ELSE 0 END),
			SUM(CASE WHEN p.birth_date <= ? THEN 1 ELSE 0 END),
			SUM(CASE WHEN p.sex = ? AND p.birth_date <= ? AND p.birth_date > ? THEN 1 ELSE 0 END)`
		args := []any{b60, b80, int(ident.SexFemale), c15, c50}
		fields := parts&wangge.PartPersons != 0
		if fields {
			// A household head's phone may be the household's, read only
			// for heads without one of their own.
			w16, w61 := wangge.BandWorking.Born(day)
			cols += `,
			SUM(CASE WHEN p.kind = 'floating' THEN 1 ELSE 0 END),
			SUM(CASE WHEN p.party THEN 1 ELSE 0 END),
			SUM(CASE WHEN p.employment = 'unemployed' THEN 1 ELSE 0 END),
			SUM(CASE WHEN ` + incompletePerson + ` THEN 1 ELSE 0 END)`
			args = append(args, w16, w61)
		}
		if err := each(`SELECT `+cols+` FROM persons p WHERE p.grid_code BETWEEN ? AND ? GROUP BY p.grid_code`,
			append(args, lo, hi), func(rows *sql.Rows) error {
				var grid string
				var n, e60, e80, w int
				var c [4]int
				dest := []any{&grid, &n, &e60, &e80, &w}
				if fields {
					dest = append(dest, &c[0], &c[1], &c[2], &c[3])
				}
				if err := rows.Scan(dest...); err != nil {
					return err
				}
				if r := row(grid); r != nil {
					r.Persons += n
					r.Elderly60 += e60
					r.Elderly80 += e80
					r.Women1549 += w
					r.Floating += c[0]
					r.PartyMembers += c[1]
					r.Unemployed += c[2]
					r.IncompletePersons += c[3]
				}
				return nil
			}); err != nil {
			return nil, err
		}
	}
	if parts&wangge.PartGroups != 0 {
		groups := q.Groups
		if groups == nil {
			for _, d := range wangge.KeyGroups {
				groups = append(groups, d.Group)
			}
		}
		for _, g := range groups {
			if !s.GroupVisible(g) {
				continue
			}
			// One group at a time: of the groups the age decides, the
			// persons in the band (an index range of persons_birth) with
			// their detail rows; of the others the rows, from the index on
			// (grp, grid_code, joined, left_on).
			var w where
			sel, from, fargs := memberAt(&w, s, g, day)
			_, aged := wangge.GroupAges[g]
			if err := each(`SELECT `+sel+` FROM `+from+w.String(), append(fargs, w.args...), func(rows *sql.Rows) error {
				var grid, attrs string
				var recorded bool
				if err := rows.Scan(&grid, &attrs, &recorded); err != nil {
					return err
				}
				r := row(grid)
				if r == nil {
					return nil
				}
				r.Groups[g]++
				if aged && recorded {
					r.GroupRecords[g]++
				}
				var m map[string]string
				if err := json.Unmarshal([]byte(attrs), &m); err != nil {
					return err
				}
				for _, a := range wangge.GroupDefOf(g).Attrs {
					if v := m[a.Key]; v != "" && !a.Secret && (a.Kind == wangge.AttrEnum || a.Kind == wangge.AttrBool) {
						r.GroupAttrs[string(g)+"."+a.Key+"="+v]++
					}
				}
				return nil
			}); err != nil {
				return nil, err
			}
		}
	}
	return areas, nil
}

// incompletePerson is true for a person missing a required field at the
// day: a head with no phone of their own nor the household's, no
// ethnicity, or no employment state at working age (its two arguments:
// the working age band's birth dates).
const incompletePerson = `((p.relation = 'head' AND p.phone_enc IS NULL
	AND (SELECT h.phone_enc FROM households h WHERE h.id = p.household_id) IS NULL)
	OR p.ethnicity = '' OR (p.employment = '' AND p.birth_date <= ? AND p.birth_date > ?))`

// memberAt adds to w the conditions of the members of group g in scope at
// day and returns what to select (grid, attributes, whether a row keeps
// them), the FROM clause and its arguments (before w's). Of the groups of
// wangge.GroupAges the members are the persons in the band at the day,
// each with the row in force that day when there is one; of the others,
// the rows visible to the scope, joined by the day and not left by it.
func memberAt(w *where, s wangge.Scope, g wangge.KeyGroup, day time.Time) (sel, from string, args []any) {
	if band, ok := wangge.GroupAges[g]; ok {
		from, args = ageFrom(g, day)
		ageWhere(w, s, wangge.MembershipFilter{}, band, day)
		return "p.grid_code, COALESCE(m.attrs, '{}'), m.id IS NOT NULL", from, args
	}
	until := day.AddDate(0, 0, 1)
	w.add("m.grp = ?", g)
	w.scope("m.grid_code", s)
	groupCond(w, s, "m.grp")
	w.add("m.joined < ? AND (m.left_on IS NULL OR m.left_on >= ?)", until, until)
	return "m.grid_code, m.attrs, 1 = 1", "memberships m", nil
}

// bandCond adds the condition that person p lies in the age band at day: a
// range of birth dates.
func bandCond(w *where, band wangge.AgeBand, day time.Time) {
	latest, earliest := band.Born(day)
	w.add("p.birth_date <= ?", latest)
	if !earliest.IsZero() {
		w.add("p.birth_date > ?", earliest)
	}
	if band.Women {
		w.add("p.sex = ?", int(ident.SexFemale))
	}
}

// gapQuery is the query of a gap list: what a count needs, the SELECT …
// FROM, the order and the scan, with the conditions in w.
type gapQuery struct {
	countFrom, sel, order string
	scan                  func(*sql.Rows) (wangge.GapItem, error)
}

// GapList lists one completeness gap in the area.
func (db *DB) GapList(ctx context.Context, s wangge.Scope, code string, gap wangge.Gap, at time.Time, cycle int, p wangge.Page) ([]wangge.GapItem, int, error) {
	if !wangge.ValidRegionCode(code) || !gap.Valid() {
		return nil, 0, wangge.ErrNotFound
	}
	var w where
	q := gapList(&w, s.Narrow(code), gap, at, cycle)
	return page(ctx, db, q.countFrom, q.sel, &w, q.order, p, q.scan)
}

// EachGap calls fn for every item of a gap list, grid by grid, so that a
// district-wide list is neither paged nor counted.
func (db *DB) EachGap(ctx context.Context, s wangge.Scope, code string, gap wangge.Gap, at time.Time, cycle int, fn func(*wangge.GapItem) error) error {
	if !wangge.ValidRegionCode(code) || !gap.Valid() {
		return wangge.ErrNotFound
	}
	s = s.Narrow(code)
	grids, err := db.scopeGrids(ctx, s, false)
	if err != nil {
		return err
	}
	for _, grid := range grids {
		var w where
		q := gapList(&w, s.Narrow(grid), gap, at, cycle)
		items, err := collect(ctx, db, q.sel+w.String()+" ORDER BY "+q.order, w.args, q.scan)
		if err != nil {
			return err
		}
		for i := range items {
			if err := fn(&items[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// gapList adds a gap's conditions to w and returns its query.
func gapList(w *where, s wangge.Scope, gap wangge.Gap, at time.Time, cycle int) gapQuery {
	day, since, until := reportDays(at, cycle)
	scanPlain := func(rows *sql.Rows) (wangge.GapItem, error) {
		var it wangge.GapItem
		return it, rows.Scan(&it.ID, &it.GridCode, &it.Name)
	}
	switch gap {
	case wangge.GapEmptyBuilding, wangge.GapNoHead:
		w.scope("b.grid_code", s)
		if gap == wangge.GapEmptyBuilding {
			w.add("NOT EXISTS (SELECT 1 FROM households h WHERE h.building_id = b.id)")
		} else {
			w.add("NOT EXISTS (SELECT 1 FROM building_heads bh WHERE bh.building_id = b.id AND bh.from_date < ? AND (bh.to_date IS NULL OR bh.to_date >= ?))", until, until)
		}
		return gapQuery{"buildings b", `SELECT b.id, b.grid_code, b.name FROM buildings b`, "b.grid_code, b.seq", scanPlain}
	case wangge.GapUnvisitedUnit:
		w.scope("u.grid_code", s)
		w.add("NOT EXISTS (SELECT 1 FROM visits v WHERE v.unit_id = u.id AND v.at < ?)", until)
		return gapQuery{"units u", `SELECT u.id, u.grid_code, u.name FROM units u`, "u.grid_code, u.name, u.id", scanPlain}
	case wangge.GapEmptyHousehold, wangge.GapUnvisitedHousehold:
		w.people("h.grid_code", s)
		if gap == wangge.GapEmptyHousehold {
			w.add("NOT EXISTS (SELECT 1 FROM persons p WHERE p.household_id = h.id)")
		} else {
			w.add("NOT EXISTS (SELECT 1 FROM visits v WHERE v.household_id = h.id AND v.at >= ? AND v.at < ?)", since, until)
		}
		from := "households h JOIN buildings b ON b.id = h.building_id"
		return gapQuery{from, `SELECT h.id, h.grid_code, b.name, h.entrance, h.room, (SELECT MAX(v.at) FROM visits v WHERE v.household_id = h.id) FROM ` + from,
			"h.grid_code, b.seq, h.entrance, h.room, h.id", func(rows *sql.Rows) (wangge.GapItem, error) {
				var it wangge.GapItem
				var entrance, room string
				var last sql.Null[timeValue]
				if err := rows.Scan(&it.ID, &it.GridCode, &it.Name, &entrance, &room, &last); err != nil {
					return it, err
				}
				it.Room = roomOf(entrance, room)
				if last.Valid {
					t := last.V.Time
					it.LastVisit = &t
				}
				return it, nil
			}}
	}
	// Incomplete persons.
	b16, b61 := wangge.BandWorking.Born(day)
	w.people("p.grid_code", s)
	w.add(incompletePerson, b16, b61)
	from := "persons p JOIN households h ON h.id = p.household_id"
	return gapQuery{from, `SELECT p.id, p.grid_code, p.name, h.entrance, h.room, p.relation, p.phone_enc IS NULL AND h.phone_enc IS NULL, p.ethnicity, p.employment, p.birth_date FROM ` + from,
		"p.grid_code, h.id, p.id", func(rows *sql.Rows) (wangge.GapItem, error) {
			var it wangge.GapItem
			var entrance, room, ethnicity, employment string
			var rel wangge.Relation
			var noPhone bool
			var birth timeValue
			if err := rows.Scan(&it.ID, &it.GridCode, &it.Name, &entrance, &room, &rel, &noPhone, &ethnicity, &employment, &birth); err != nil {
				return it, err
			}
			it.Room = roomOf(entrance, room)
			if rel == wangge.RelHead && noPhone {
				it.Missing = append(it.Missing, wangge.MissingHeadPhone)
			}
			if ethnicity == "" {
				it.Missing = append(it.Missing, wangge.MissingEthnicity)
			}
			if employment == "" && !birth.Time.After(b16) && birth.Time.After(b61) {
				it.Missing = append(it.Missing, wangge.MissingEmployment)
			}
			return it, nil
		}}
}

// roomOf joins an entrance and a room as the ledgers write them.
func roomOf(entrance, room string) string {
	if entrance == "" {
		return room
	}
	return entrance + "-" + room
}

// EachPersonAged calls fn for every person of the area in the age band at
// the day, grid by grid, each grid a range of the index on (grid_code,
// birth_date, sex).
func (db *DB) EachPersonAged(ctx context.Context, s wangge.Scope, code string, at time.Time, band wangge.AgeBand, fn func(*wangge.Person) error) error {
	if !wangge.ValidRegionCode(code) {
		return wangge.ErrNotFound
	}
	s = s.Narrow(code)
	day := date(at)
	grids, err := db.scopeGrids(ctx, s, true)
	if err != nil {
		return err
	}
	for _, grid := range grids {
		var w where
		w.add("p.grid_code = ?", grid)
		w.people("p.grid_code", s)
		bandCond(&w, band, day)
		ps, err := collect(ctx, db, `SELECT `+personCols+` FROM persons p`+w.String()+` ORDER BY p.household_id, p.id`, w.args,
			func(rows *sql.Rows) (*wangge.Person, error) { return db.scanPerson(rows, false) })
		if err != nil {
			return err
		}
		for _, p := range ps {
			if err := fn(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// EachMember calls fn for every member of the group in the area at the
// day, grid by grid, masked as every read of memberships.
func (db *DB) EachMember(ctx context.Context, s wangge.Scope, code string, g wangge.KeyGroup, at time.Time, fn func(*wangge.Membership) error) error {
	if !wangge.ValidRegionCode(code) || wangge.GroupDefOf(g) == nil {
		return wangge.ErrNotFound
	}
	s = s.Narrow(code)
	if !s.GroupVisible(g) {
		return nil
	}
	day := date(at)
	grids, err := db.scopeGrids(ctx, s, false)
	if err != nil {
		return err
	}
	_, aged := wangge.GroupAges[g]
	for _, grid := range grids {
		var w where
		_, from, fargs := memberAt(&w, s.Narrow(grid), g, day)
		q := `SELECT ` + membershipCols + ` FROM memberships m JOIN persons p ON p.id = m.person_id` + w.String() + ` ORDER BY m.id`
		scan := func(rows *sql.Rows) (*wangge.Membership, error) { return db.scanMembership(rows) }
		if aged {
			q = `SELECT ` + ageMemberCols + ` FROM ` + from + w.String() + ` ORDER BY p.household_id, p.id`
			scan = func(rows *sql.Rows) (*wangge.Membership, error) { return db.scanAgeMember(rows, g, false) }
		}
		ms, err := collect(ctx, db, q, append(fargs, w.args...), scan)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if err := fn(m); err != nil {
				return err
			}
		}
	}
	return nil
}
