package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

// GridDay reads one grid's working data for its assistant's day (issue
// 13): the grid and its assistant, its buildings, and its households with
// the head's name masked, the member count, the key codes the scope may
// see and the last visit. A grid outside the scope, or a scope that reads
// no people, is not found. A handful of queries over the grid's indexed
// rows, whatever the grid's size.
func (db *DB) GridDay(ctx context.Context, s wangge.Scope, grid string) (*wangge.GridDay, error) {
	if len(grid) != wangge.GridCodeLen || !s.People() || !s.Contains(grid) {
		return nil, wangge.ErrNotFound
	}
	d := &wangge.GridDay{GridCode: grid}
	err := db.queryRow(ctx, `SELECT name FROM areas WHERE code = ? AND level = ? AND retired_at IS NULL`, grid, int(wangge.LevelGrid)).Scan(&d.GridName)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	} else if err != nil {
		return nil, err
	}
	err = db.queryRow(ctx, `SELECT a.name, a.work_phone FROM assignments g JOIN assistants a ON a.id = g.assistant_id
		WHERE g.grid_code = ? AND g.to_at IS NULL ORDER BY g.id DESC LIMIT 1`, grid).Scan(&d.AssistantName, &d.AssistantPhone)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if d.Buildings, err = collect(ctx, db, `SELECT id, name FROM buildings WHERE grid_code = ? ORDER BY seq`, []any{grid},
		func(rows *sql.Rows) (wangge.GridBuilding, error) {
			var b wangge.GridBuilding
			return b, rows.Scan(&b.ID, &b.Name)
		}); err != nil {
		return nil, err
	}
	if d.Units, err = collect(ctx, db, `SELECT id, name FROM units WHERE grid_code = ? ORDER BY name, id`, []any{grid},
		func(rows *sql.Rows) (wangge.GridUnit, error) {
			var u wangge.GridUnit
			return u, rows.Scan(&u.ID, &u.Name)
		}); err != nil {
		return nil, err
	}
	if d.Households, err = collect(ctx, db, `SELECT h.id, h.building_id, b.name, h.room FROM households h JOIN buildings b ON b.id = h.building_id
		WHERE h.grid_code = ? ORDER BY b.seq, h.entrance, h.room, h.id`, []any{grid},
		func(rows *sql.Rows) (wangge.GridHousehold, error) {
			var h wangge.GridHousehold
			return h, rows.Scan(&h.ID, &h.BuildingID, &h.Building, &h.Room)
		}); err != nil {
		return nil, err
	}
	at := make(map[int64]*wangge.GridHousehold, len(d.Households))
	for i := range d.Households {
		at[d.Households[i].ID] = &d.Households[i]
	}
	each := func(q string, scan func(rows *sql.Rows) error) error {
		rows, err := db.query(ctx, q, grid)
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
	if err := each(`SELECT household_id, COUNT(*), MIN(CASE WHEN relation = 'head' THEN name END) FROM persons WHERE grid_code = ? GROUP BY household_id`,
		func(rows *sql.Rows) error {
			var id int64
			var n int
			var head sql.NullString
			if err := rows.Scan(&id, &n, &head); err != nil {
				return err
			}
			if h := at[id]; h != nil {
				h.Members = n
				if head.Valid {
					h.HeadMasked = ident.MaskName(head.String)
				}
			}
			return nil
		}); err != nil {
		return nil, err
	}
	if err := each(`SELECT id, household_id, name FROM persons WHERE grid_code = ? ORDER BY household_id, CASE WHEN relation = 'head' THEN 0 ELSE 1 END, id`,
		func(rows *sql.Rows) error {
			var id, household int64
			var name string
			if err := rows.Scan(&id, &household, &name); err != nil {
				return err
			}
			if h := at[household]; h != nil {
				h.Persons = append(h.Persons, wangge.GridPerson{ID: id, NameMasked: ident.MaskName(name)})
			}
			return nil
		}); err != nil {
		return nil, err
	}
	if err := each(`SELECT household_id, MAX(at) FROM visits WHERE grid_code = ? AND household_id IS NOT NULL GROUP BY household_id`,
		func(rows *sql.Rows) error {
			var id int64
			var last timeValue
			if err := rows.Scan(&id, &last); err != nil {
				return err
			}
			if h := at[id]; h != nil && !last.IsZero() {
				t := last.Time
				h.LastVisit = &t
			}
			return nil
		}); err != nil {
		return nil, err
	}
	day := db.today()
	keys := map[int64]map[string]bool{}
	if err := each(`SELECT p.household_id, m.grp, m.attrs, m.joined FROM memberships m JOIN persons p ON p.id = m.person_id
		WHERE m.grid_code = ? AND m.left_on IS NULL`,
		func(rows *sql.Rows) error {
			var id int64
			var grp, attrs string
			var joined timeValue
			if err := rows.Scan(&id, &grp, &attrs, &joined); err != nil {
				return err
			}
			g := wangge.KeyGroup(grp)
			if !s.GroupVisible(g) || joined.After(day) {
				return nil
			}
			var m map[string]string
			if err := json.Unmarshal([]byte(attrs), &m); err != nil {
				return err
			}
			if k := wangge.VisitKey(g, m); k != "" {
				if keys[id] == nil {
					keys[id] = map[string]bool{}
				}
				keys[id][k] = true
			}
			return nil
		}); err != nil {
		return nil, err
	}
	for id, ks := range keys {
		h := at[id]
		if h == nil {
			continue
		}
		for _, k := range wangge.VisitKeys {
			if ks[k] {
				h.Keys = append(h.Keys, k)
			}
		}
	}
	return d, nil
}
