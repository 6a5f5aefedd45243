package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/wangge/wangge"
)

const householdCols = `h.id, h.building_id, h.grid_code, h.entrance, h.room, h.number, h.kind, h.phone_enc, h.note, h.version, h.created_at, h.updated_at`

func (db *DB) scanHousehold(row interface{ Scan(...any) error }, extra ...any) (*wangge.Household, error) {
	var h wangge.Household
	var phone []byte
	var created, updated timeValue
	dest := append([]any{&h.ID, &h.BuildingID, &h.GridCode, &h.Entrance, &h.Room, &h.Number, &h.Kind, &phone, &h.Note, &h.Version, &created, &updated}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	h.CreatedAt, h.UpdatedAt = created.Time, updated.Time
	var err error
	h.Phone, err = db.openMasked(fHouseholdPh, phone, maskPhone)
	return &h, err
}

// errNoBuilding is the refusal of a building that does not exist or lies
// outside the writer's scope: the two read the same.
var errNoBuilding = wangge.Invalid("building_id", "error.building.none")

// buildingGrid returns the grid of a building the scope may change.
func (tx *Tx) buildingGrid(s wangge.Scope, id int64) (string, error) {
	var grid string
	err := tx.queryRow(`SELECT grid_code FROM buildings WHERE id = ?`, id).Scan(&grid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNoBuilding
	} else if err != nil {
		return "", err
	}
	return grid, mayChange(s, grid, errNoBuilding)
}

// householdOf returns the building and grid of a household the scope may
// change, and ErrNotFound for one it may not.
func (tx *Tx) householdOf(s wangge.Scope, id int64) (building int64, grid string, err error) {
	err = tx.queryRow(`SELECT building_id, grid_code FROM households WHERE id = ?`, id).Scan(&building, &grid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", wangge.ErrNotFound
	} else if err != nil {
		return 0, "", err
	}
	return building, grid, mayChange(s, grid, wangge.ErrNotFound)
}

// CreateHousehold adds a household to a building; its grid is the building's.
func (db *DB) CreateHousehold(ctx context.Context, s wangge.Scope, h *wangge.Household) error {
	if err := h.Validate(); err != nil {
		return err
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
		h.GridCode, h.Version, h.CreatedAt, h.UpdatedAt = grid, 1, tx.now, tx.now
		if err := tx.queryRow(`INSERT INTO households (building_id, grid_code, entrance, room, number, kind, phone_enc, phone_idx, note, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
			h.BuildingID, grid, h.Entrance, h.Room, h.Number, h.Kind, db.box.Seal(fHouseholdPh, h.Phone), db.box.Index(fHouseholdPh, h.Phone), h.Note, tx.now, tx.now).Scan(&h.ID); err != nil {
			return db.classify(err)
		}
		h.Phone = maskPhone(h.Phone)
		return tx.audit("household.create", "household", h.ID, grid, jsonDetail(map[string]any{"building_id": h.BuildingID, "room": h.Room}))
	})
}

// Household returns a household within the scope, phone masked.
func (db *DB) Household(ctx context.Context, s wangge.Scope, id int64) (*wangge.Household, error) {
	c, a := people("h.grid_code", s)
	h, err := db.scanHousehold(db.queryRow(ctx, `SELECT `+householdCols+` FROM households h WHERE h.id = ? AND `+c, append([]any{id}, a...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	}
	return h, err
}

// UpdateHousehold changes a household's details. A masked or empty phone
// keeps the stored one.
func (db *DB) UpdateHousehold(ctx context.Context, s wangge.Scope, h *wangge.Household) error {
	if err := h.Validate(); err != nil {
		return err
	}
	keepPhone := h.Phone == "" || masked(h.Phone)
	if !keepPhone {
		p, err := parsePhone("phone", h.Phone)
		if err != nil {
			return err
		}
		h.Phone = p
	}
	return db.inTx(ctx, func(tx *Tx) error {
		_, grid, err := tx.householdOf(s, h.ID)
		if err != nil {
			return err
		}
		h.GridCode = grid
		if keepPhone {
			err = tx.update("households", "id", h.ID, `UPDATE households SET entrance = ?, room = ?, number = ?, kind = ?, note = ?,
				version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
				h.Entrance, h.Room, h.Number, h.Kind, h.Note, tx.now, h.ID, h.Version)
		} else {
			err = tx.update("households", "id", h.ID, `UPDATE households SET entrance = ?, room = ?, number = ?, kind = ?, note = ?, phone_enc = ?, phone_idx = ?,
				version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
				h.Entrance, h.Room, h.Number, h.Kind, h.Note, db.box.Seal(fHouseholdPh, h.Phone), db.box.Index(fHouseholdPh, h.Phone), tx.now, h.ID, h.Version)
			h.Phone = maskPhone(h.Phone)
		}
		if err != nil {
			return err
		}
		h.Version++
		h.UpdatedAt = tx.now
		return tx.audit("household.update", "household", h.ID, h.GridCode, jsonDetail(map[string]any{"phone_changed": !keepPhone}))
	})
}

// MoveHousehold moves a household, with its persons, to another building.
func (db *DB) MoveHousehold(ctx context.Context, s wangge.Scope, id int64, version int, toBuilding int64, reason string) error {
	reason, err := wangge.CheckReason(reason)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		fromBuilding, fromGrid, err := tx.householdOf(s, id)
		if err != nil {
			return err
		}
		toGrid, err := tx.buildingGrid(s, toBuilding)
		if err != nil {
			return err
		}
		if fromBuilding == toBuilding {
			return wangge.Invalid("building_id", "error.household.already_in_building")
		}
		if err := tx.update("households", "id", id, `UPDATE households SET building_id = ?, grid_code = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			toBuilding, toGrid, tx.now, id, version); err != nil {
			return err
		}
		if _, err := tx.exec(`UPDATE persons SET grid_code = ? WHERE household_id = ?`, toGrid, id); err != nil {
			return err
		}
		if _, err := tx.exec(`UPDATE memberships SET grid_code = ? WHERE person_id IN (SELECT id FROM persons WHERE household_id = ?)`, toGrid, id); err != nil {
			return err
		}
		if _, err := tx.exec(`INSERT INTO household_moves (household_id, from_building, to_building, from_grid, to_grid, at, by_user, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			id, fromBuilding, toBuilding, fromGrid, toGrid, tx.now, tx.actor.Username, reason); err != nil {
			return err
		}
		return tx.audit("household.move", "household", id, toGrid, jsonDetail(map[string]any{"from_building": fromBuilding, "to_building": toBuilding, "reason": reason}))
	})
}

// DeleteHousehold removes a household with no persons.
func (db *DB) DeleteHousehold(ctx context.Context, s wangge.Scope, id int64, version int) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, grid, err := tx.householdOf(s, id)
		if err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(`SELECT COUNT(*) FROM persons WHERE household_id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return wangge.E(wangge.EConflict, "error.household.not_empty", "N", n)
		}
		if err := tx.update("households", "id", id, `DELETE FROM households WHERE id = ? AND version = ?`, id, version); err != nil {
			return err
		}
		return tx.audit("household.delete", "household", id, grid, "")
	})
}

// ListHouseholds lists households in the scope, in the order f.Sort names.
// It finds the page's ids first and reads the summaries (head, persons, last
// visit, key groups) of those alone, so that a sort over a whole district
// computes only its own key.
func (db *DB) ListHouseholds(ctx context.Context, s wangge.Scope, f wangge.HouseholdFilter) ([]wangge.HouseholdSummary, int, error) {
	if err := f.Sort.Check(wangge.HouseholdSorts); err != nil {
		return nil, 0, err
	}
	var w where
	s = s.Narrow(f.GridCode)
	w.people("h.grid_code", s)
	if f.BuildingID != 0 {
		w.add("h.building_id = ?", f.BuildingID)
	}
	if f.Query != "" {
		q := likeEscape(f.Query) + "%"
		w.add(`(h.room LIKE ? ESCAPE '\' OR h.number LIKE ? ESCAPE '\')`, q, q)
	}
	if f.Search != "" {
		db.householdSearch(&w, s, f.Search)
	}
	ids, total, err := pageIDs(ctx, db, "households h", "h.id", &w, householdOrder(f.Sort), f.Page)
	if err != nil || len(ids) == 0 {
		return nil, total, err
	}
	in, args := inList(ids)
	out, err := collect(ctx, db, `SELECT `+householdCols+`, b.name,
		COALESCE((SELECT p.name FROM persons p WHERE p.household_id = h.id AND p.relation = 'head' ORDER BY p.id LIMIT 1), ''),
		(SELECT COUNT(*) FROM persons p WHERE p.household_id = h.id),
		(SELECT MAX(v.at) FROM visits v WHERE v.household_id = h.id)
		FROM households h JOIN buildings b ON b.id = h.building_id WHERE h.id IN (`+in+`)`, args,
		func(rows *sql.Rows) (wangge.HouseholdSummary, error) {
			var sum wangge.HouseholdSummary
			var last sql.Null[timeValue]
			h, err := db.scanHousehold(rows, &sum.BuildingName, &sum.HeadName, &sum.Persons, &last)
			if err != nil {
				return sum, err
			}
			sum.Household = *h
			if last.Valid {
				t := last.V.Time
				sum.LastVisit = &t
			}
			return sum, nil
		})
	if err != nil {
		return nil, 0, err
	}
	groups, err := db.householdGroups(ctx, s, in, args)
	if err != nil {
		return nil, 0, err
	}
	for i := range out {
		out[i].Groups = groups[out[i].ID]
	}
	return inOrder(ids, out, func(h wangge.HouseholdSummary) int64 { return h.ID }), total, nil
}

// HouseholdMoves returns the household's moves, oldest first.
func (db *DB) HouseholdMoves(ctx context.Context, s wangge.Scope, id int64) ([]wangge.Move, error) {
	if _, err := db.Household(ctx, s, id); err != nil {
		return nil, err
	}
	return db.moves(ctx, `SELECT id, household_id, from_building, to_building, from_grid, to_grid, at, by_user, reason FROM household_moves WHERE household_id = ? ORDER BY at, id`, id)
}
