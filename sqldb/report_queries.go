package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/wangge/wangge"
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

// ReportRows counts what the reports show per child area of code.
func (db *DB) ReportRows(ctx context.Context, s wangge.Scope, code string, at time.Time, cycle int) ([]wangge.ReportRow, error) {
	if !wangge.ValidRegionCode(code) {
		return nil, wangge.ErrNotFound
	}
	s = s.Narrow(code)
	if s.IsZero() {
		return nil, nil
	}
	lo, hi := s.Range()
	day, since, until := reportDays(at, cycle)
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
		r.Groups, r.GroupAttrs = map[wangge.KeyGroup]int{}, map[string]int{}
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
	// Persons: age bands as birth-date ranges at the day; missing fields.
	b15, b16, b50, b60, b61, b80 := wangge.BornBy(day, 15), wangge.BornBy(day, 16), wangge.BornBy(day, 50),
		wangge.BornBy(day, 60), wangge.BornBy(day, 61), wangge.BornBy(day, 80)
	if err := each(`SELECT p.grid_code, COUNT(*),
		SUM(CASE WHEN p.birth_date <= ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN p.birth_date <= ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN p.sex = 2 AND p.birth_date <= ? AND p.birth_date > ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN p.kind = 'floating' THEN 1 ELSE 0 END),
		SUM(CASE WHEN p.party THEN 1 ELSE 0 END),
		SUM(CASE WHEN p.employment = 'unemployed' THEN 1 ELSE 0 END),
		SUM(CASE WHEN (p.relation = 'head' AND p.phone_enc IS NULL AND h.phone_enc IS NULL) OR p.ethnicity = ''
			OR (p.employment = '' AND p.birth_date <= ? AND p.birth_date > ?) THEN 1 ELSE 0 END)
		FROM persons p JOIN households h ON h.id = p.household_id WHERE p.grid_code BETWEEN ? AND ? GROUP BY p.grid_code`,
		[]any{b60, b80, b15, b50, b16, b61, lo, hi}, func(rows *sql.Rows) error {
			var grid string
			var c [8]int
			if err := rows.Scan(&grid, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7]); err != nil {
				return err
			}
			if r := row(grid); r != nil {
				r.Persons += c[0]
				r.Elderly60 += c[1]
				r.Elderly80 += c[2]
				r.Women1549 += c[3]
				r.Floating += c[4]
				r.PartyMembers += c[5]
				r.Unemployed += c[6]
				r.IncompletePersons += c[7]
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
	// Key groups the scope may see, members at the day, by attribute.
	var w where
	w.scope("grid_code", s)
	groupCond(&w, s, "grp")
	w.add("joined < ? AND (left_on IS NULL OR left_on >= ?)", until, until)
	if err := each(`SELECT grid_code, grp, attrs FROM memberships`+w.String(), w.args, func(rows *sql.Rows) error {
		var grid, attrs string
		var g wangge.KeyGroup
		if err := rows.Scan(&grid, &g, &attrs); err != nil {
			return err
		}
		r := row(grid)
		if r == nil {
			return nil
		}
		r.Groups[g]++
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
	return areas, nil
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
	b16, b61 := wangge.BornBy(day, 16), wangge.BornBy(day, 61)
	w.people("p.grid_code", s)
	w.add(`((p.relation = 'head' AND p.phone_enc IS NULL AND h.phone_enc IS NULL) OR p.ethnicity = ''
		OR (p.employment = '' AND p.birth_date <= ? AND p.birth_date > ?))`, b16, b61)
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

// EachPersonAged calls fn for every person of the area aged min to max at
// the day, grid by grid.
func (db *DB) EachPersonAged(ctx context.Context, s wangge.Scope, code string, at time.Time, min, max int, women bool, fn func(*wangge.Person) error) error {
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
		w.add("p.birth_date <= ? AND p.birth_date > ?", wangge.BornBy(day, min), wangge.BornBy(day, max+1))
		if women {
			w.add("p.sex = 2")
		}
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
