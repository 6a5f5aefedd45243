package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/geo"
)

const buildingCols = `b.id, b.grid_code, b.seq, b.name, b.kind, b.address, b.floors, b.entrances, b.lng, b.lat, b.version, b.created_at, b.updated_at`

func scanBuilding(row interface{ Scan(...any) error }, extra ...any) (*wangge.Building, error) {
	var b wangge.Building
	var created, updated timeValue
	dest := append([]any{&b.ID, &b.GridCode, &b.Seq, &b.Name, &b.Kind, &b.Address, &b.Floors, &b.Entrances, &b.Lng, &b.Lat, &b.Version, &created, &updated}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	b.CreatedAt, b.UpdatedAt = created.Time, updated.Time
	return &b, nil
}

// activeGrid checks that code names a grid that exists and is not retired.
func (tx *Tx) activeGrid(field, code string) error {
	var level int
	var retired sql.Null[timeValue]
	err := tx.queryRow(`SELECT level, retired_at FROM areas WHERE code = ?`, code).Scan(&level, &retired)
	if errors.Is(err, sql.ErrNoRows) || err == nil && level != int(wangge.LevelGrid) {
		return wangge.Invalid(field, "error.grid.none", "Code", code)
	} else if err != nil {
		return err
	}
	if retired.Valid {
		return wangge.Invalid(field, "error.grid.retired", "Code", code)
	}
	return nil
}

// writableGrid checks that code names an active grid the scope may change;
// one outside the scope reads as no such grid.
func (tx *Tx) writableGrid(s wangge.Scope, field, code string) error {
	if !s.MayChange(code) {
		return wangge.Invalid(field, "error.grid.none", "Code", code)
	}
	return tx.activeGrid(field, code)
}

// buildingOf returns the grid of a building the scope may change, and
// ErrNotFound for one it may not.
func (tx *Tx) buildingOf(s wangge.Scope, id int64) (string, error) {
	var grid string
	if err := tx.queryRow(`SELECT grid_code FROM buildings WHERE id = ?`, id).Scan(&grid); errors.Is(err, sql.ErrNoRows) {
		return "", wangge.ErrNotFound
	} else if err != nil {
		return "", err
	}
	return grid, mayChange(s, grid, wangge.ErrNotFound)
}

// nextSeq takes the grid's next building sequence; sequences are never
// reused, even after a building leaves.
func (tx *Tx) nextSeq(grid string) (int, error) {
	var seq int
	err := tx.queryRow(`UPDATE areas SET next_seq = next_seq + 1 WHERE code = ? RETURNING next_seq - 1`, grid).Scan(&seq)
	if seq > 99999 {
		return 0, wangge.E(wangge.EConflict, "error.grid.seq_used_up")
	}
	return seq, err
}

// CreateBuilding adds a building to a grid.
func (db *DB) CreateBuilding(ctx context.Context, s wangge.Scope, b *wangge.Building) error {
	if err := b.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.placeBuilding(b); err != nil {
			return err
		}
		if err := tx.writableGrid(s, "grid_code", b.GridCode); err != nil {
			return err
		}
		if b.Seq == 0 {
			seq, err := tx.nextSeq(b.GridCode)
			if err != nil {
				return err
			}
			b.Seq = seq
		} else if _, err := tx.exec(`UPDATE areas SET next_seq = ? WHERE code = ? AND next_seq <= ?`, b.Seq+1, b.GridCode, b.Seq); err != nil {
			return err
		}
		b.Version, b.CreatedAt, b.UpdatedAt = 1, tx.now, tx.now
		err := tx.queryRow(`INSERT INTO buildings (grid_code, seq, name, kind, address, floors, entrances, lng, lat, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
			b.GridCode, b.Seq, b.Name, b.Kind, b.Address, b.Floors, b.Entrances, b.Lng, b.Lat, tx.now, tx.now).Scan(&b.ID)
		if err != nil {
			return db.classify(err)
		}
		detail := map[string]any{"name": b.Name, "seq": b.Seq}
		if b.GridReason != "" {
			detail["grid_reason"] = b.GridReason
		}
		return tx.audit("building.create", "building", b.ID, b.GridCode, jsonDetail(detail))
	})
}

// placeBuilding gives a new building its grid from its location: the grid
// whose current outline holds the point. A grid the caller names against the
// location needs a reason (GridReason), which the audit entry keeps; without
// outlines, or without a location, the caller's grid stands.
func (tx *Tx) placeBuilding(b *wangge.Building) error {
	located := ""
	if b.Lng != 0 || b.Lat != 0 {
		var err error
		if located, err = tx.locateGrid(b.Lng, b.Lat); err != nil {
			return err
		}
	}
	grid, err := wangge.PlaceBuilding(b.GridCode, located, b.GridReason)
	if err != nil {
		return err
	}
	b.GridCode = grid
	return nil
}

// locateGrid returns the grid whose current outline holds the point, or "".
func (tx *Tx) locateGrid(lng, lat float64) (string, error) {
	rows, err := tx.query(`SELECT area_code, geojson FROM boundaries WHERE length(area_code) = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)`,
		wangge.GridCodeLen, tx.now, tx.now)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var areas []geo.Area
	for rows.Next() {
		var code, gj string
		if err := rows.Scan(&code, &gj); err != nil {
			return "", err
		}
		a, err := geo.ParseArea(code, gj)
		if err != nil {
			return "", err
		}
		areas = append(areas, a)
	}
	if err := rows.Err(); err != nil || len(areas) == 0 {
		return "", err
	}
	ix, err := geo.NewIndex(areas)
	if err != nil {
		return "", err
	}
	code, _ := ix.Locate(lng, lat)
	return code, nil
}

// Building returns a building within the scope.
func (db *DB) Building(ctx context.Context, s wangge.Scope, id int64) (*wangge.Building, error) {
	c, a := scope("b.grid_code", s)
	b, err := scanBuilding(db.queryRow(ctx, `SELECT `+buildingCols+` FROM buildings b WHERE b.id = ? AND `+c, append([]any{id}, a...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	}
	return b, err
}

// UpdateBuilding changes a building's description; MoveBuilding changes its grid.
func (db *DB) UpdateBuilding(ctx context.Context, s wangge.Scope, b *wangge.Building) error {
	if err := b.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.buildingOf(s, b.ID); err != nil {
			return err
		}
		if err := tx.update("buildings", "id", b.ID, `UPDATE buildings SET name = ?, kind = ?, address = ?, floors = ?, entrances = ?, lng = ?, lat = ?,
			version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND grid_code = ?`,
			b.Name, b.Kind, b.Address, b.Floors, b.Entrances, b.Lng, b.Lat, tx.now, b.ID, b.Version, b.GridCode); err != nil {
			return err
		}
		b.Version++
		b.UpdatedAt = tx.now
		return tx.audit("building.update", "building", b.ID, b.GridCode, jsonDetail(map[string]any{"name": b.Name}))
	})
}

// MoveBuilding moves a building, with everyone in it, to another grid.
func (db *DB) MoveBuilding(ctx context.Context, s wangge.Scope, id int64, version int, toGrid, reason string) error {
	reason, err := wangge.CheckReason(reason)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		from, err := tx.buildingOf(s, id)
		if err != nil {
			return err
		}
		if err := tx.writableGrid(s, "to_grid", toGrid); err != nil {
			return err
		}
		if from == toGrid {
			return wangge.Invalid("to_grid", "error.building.already_in_grid")
		}
		return tx.moveBuilding(id, version, from, toGrid, reason)
	})
}

// moveBuilding moves a building from one grid to another with the next
// free sequence there; its households, persons, memberships, head and units
// follow, the move is kept in the history and audited. version < 0 skips
// the version check for a check that the building is still in from (a
// redraw has read the building itself).
func (tx *Tx) moveBuilding(id int64, version int, from, toGrid, reason string) error {
	seq, err := tx.nextSeq(toGrid)
	if err != nil {
		return err
	}
	if version >= 0 {
		if err := tx.update("buildings", "id", id, `UPDATE buildings SET grid_code = ?, seq = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			toGrid, seq, tx.now, id, version); err != nil {
			return err
		}
	} else if res, err := tx.exec(`UPDATE buildings SET grid_code = ?, seq = ?, version = version + 1, updated_at = ? WHERE id = ? AND grid_code = ?`,
		toGrid, seq, tx.now, id, from); err != nil {
		return err
	} else if n, _ := res.RowsAffected(); n != 1 {
		return wangge.ErrConflict // moved by someone else meanwhile
	}
	for _, q := range []string{
		`UPDATE households SET grid_code = ? WHERE building_id = ?`,
		`UPDATE persons SET grid_code = ? WHERE household_id IN (SELECT id FROM households WHERE building_id = ?)`,
		`UPDATE memberships SET grid_code = ? WHERE person_id IN (SELECT p.id FROM persons p JOIN households h ON h.id = p.household_id WHERE h.building_id = ?)`,
		`UPDATE building_heads SET grid_code = ? WHERE building_id = ?`,
		`UPDATE units SET grid_code = ? WHERE building_id = ?`,
	} {
		if _, err := tx.exec(q, toGrid, id); err != nil {
			return err
		}
	}
	if _, err := tx.exec(`INSERT INTO building_moves (building_id, from_grid, to_grid, at, by_user, reason) VALUES (?, ?, ?, ?, ?, ?)`,
		id, from, toGrid, tx.now, tx.actor.Username, reason); err != nil {
		return err
	}
	return tx.audit("building.move", "building", id, toGrid, jsonDetail(map[string]any{"from_grid": from, "to_grid": toGrid, "reason": reason}))
}

// DeleteBuilding removes an empty building.
func (db *DB) DeleteBuilding(ctx context.Context, s wangge.Scope, id int64, version int) error {
	return db.inTx(ctx, func(tx *Tx) error {
		grid, err := tx.buildingOf(s, id)
		if err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(`SELECT COUNT(*) FROM households WHERE building_id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return wangge.E(wangge.EConflict, "error.building.not_empty", "N", n)
		}
		if _, err := tx.exec(`UPDATE units SET building_id = NULL WHERE building_id = ?`, id); err != nil {
			return err
		}
		if err := tx.update("buildings", "id", id, `DELETE FROM buildings WHERE id = ? AND version = ?`, id, version); err != nil {
			return err
		}
		return tx.audit("building.delete", "building", id, grid, "")
	})
}

// ListBuildings lists buildings in the scope with their counts and head.
func (db *DB) ListBuildings(ctx context.Context, s wangge.Scope, f wangge.BuildingFilter) ([]wangge.BuildingSummary, int, error) {
	var w where
	w.scope("b.grid_code", s.Narrow(f.GridCode))
	if f.ID != 0 {
		w.add("b.id = ?", f.ID)
	}
	if f.Query != "" {
		q := "%" + likeEscape(f.Query) + "%"
		w.add(`(b.name LIKE ? ESCAPE '\' OR b.address LIKE ? ESCAPE '\')`, q, q)
	}
	return page(ctx, db, "buildings b", `SELECT `+buildingCols+`,
		(SELECT COUNT(*) FROM households h WHERE h.building_id = b.id),
		(SELECT COUNT(*) FROM persons p JOIN households h ON h.id = p.household_id WHERE h.building_id = b.id),
		COALESCE((SELECT bh.name FROM building_heads bh WHERE bh.building_id = b.id AND bh.to_date IS NULL), '')
		FROM buildings b`, &w, "b.grid_code, b.seq", f.Page,
		func(rows *sql.Rows) (wangge.BuildingSummary, error) {
			var sum wangge.BuildingSummary
			b, err := scanBuilding(rows, &sum.Households, &sum.Persons, &sum.HeadName)
			if err == nil {
				sum.Building = *b
			}
			return sum, err
		})
}

// BuildingMoves returns the building's moves between grids, oldest first.
func (db *DB) BuildingMoves(ctx context.Context, s wangge.Scope, id int64) ([]wangge.Move, error) {
	if _, err := db.Building(ctx, s, id); err != nil {
		return nil, err
	}
	return db.moves(ctx, `SELECT id, building_id, 0, 0, from_grid, to_grid, at, by_user, reason FROM building_moves WHERE building_id = ? ORDER BY at, id`, id)
}

func (db *DB) moves(ctx context.Context, q string, id int64) ([]wangge.Move, error) {
	return collect(ctx, db, q, []any{id}, func(rows *sql.Rows) (wangge.Move, error) {
		var m wangge.Move
		var at timeValue
		err := rows.Scan(&m.ID, &m.ObjectID, &m.From, &m.To, &m.FromGrid, &m.ToGrid, &at, &m.By, &m.Reason)
		m.At = at.Time
		return m, err
	})
}

// SetBuildingHead ends the current head's term and starts h's.
func (db *DB) SetBuildingHead(ctx context.Context, s wangge.Scope, h *wangge.BuildingHead) error {
	if h.Name == "" {
		return wangge.Invalid("name", "error.building_head.no_name")
	}
	if h.Phone != "" {
		p, err := parsePhone("phone", h.Phone)
		if err != nil {
			return err
		}
		h.Phone = p
	}
	return db.inTx(ctx, func(tx *Tx) error {
		grid, err := tx.buildingGrid(s, h.BuildingID)
		if err != nil {
			return err
		}
		h.GridCode = grid
		if h.From.IsZero() {
			h.From = tx.now
		}
		h.From = ts(h.From)
		if _, err := tx.exec(`UPDATE building_heads SET to_date = ?, version = version + 1 WHERE building_id = ? AND to_date IS NULL`, h.From, h.BuildingID); err != nil {
			return err
		}
		h.Version = 1
		err = tx.queryRow(`INSERT INTO building_heads (building_id, grid_code, person_id, name, phone_enc, from_date, version) VALUES (?, ?, ?, ?, ?, ?, 1) RETURNING id`,
			h.BuildingID, h.GridCode, nullInt(h.PersonID), h.Name, db.box.Seal(fHeadPhone, h.Phone), h.From).Scan(&h.ID)
		if err != nil {
			return db.classify(err)
		}
		return tx.audit("building.head", "building", h.BuildingID, h.GridCode, jsonDetail(map[string]any{"head_id": h.ID}))
	})
}

// BuildingHeads returns the building's heads, current first, phones masked.
func (db *DB) BuildingHeads(ctx context.Context, s wangge.Scope, buildingID int64) ([]wangge.BuildingHead, error) {
	c, a := people("grid_code", s)
	return collect(ctx, db, `SELECT id, building_id, grid_code, person_id, name, phone_enc, from_date, to_date, version FROM building_heads
		WHERE building_id = ? AND `+c+` ORDER BY to_date IS NOT NULL, from_date DESC`, append([]any{buildingID}, a...), func(rows *sql.Rows) (wangge.BuildingHead, error) {
		var h wangge.BuildingHead
		var person sql.Null[int64]
		var phone []byte
		var from timeValue
		var to sql.Null[timeValue]
		if err := rows.Scan(&h.ID, &h.BuildingID, &h.GridCode, &person, &h.Name, &phone, &from, &to, &h.Version); err != nil {
			return h, err
		}
		h.PersonID = ptrInt(person)
		h.From = from.Time
		if to.Valid {
			t := to.V.Time
			h.To = &t
		}
		var err error
		h.Phone, err = db.openMasked(fHeadPhone, phone, maskPhone)
		return h, err
	})
}
