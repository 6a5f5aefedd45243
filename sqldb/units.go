package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/wangge/wangge"
)

const unitCols = `u.id, u.grid_code, u.building_id, u.name, u.credit_code, u.kind, u.headcount, u.party_org, u.party_members, u.address, u.contact_name, u.contact_phone_enc, u.version, u.created_at, u.updated_at`

func (db *DB) scanUnit(row interface{ Scan(...any) error }, extra ...any) (*wangge.Unit, error) {
	var u wangge.Unit
	var building sql.Null[int64]
	var credit sql.Null[string]
	var phone []byte
	var created, updated timeValue
	dest := append([]any{&u.ID, &u.GridCode, &building, &u.Name, &credit, &u.Kind, &u.Headcount, &u.PartyOrg, &u.PartyMembers, &u.Address,
		&u.ContactName, &phone, &u.Version, &created, &updated}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	u.BuildingID, u.CreditCode = ptrInt(building), credit.V
	u.CreatedAt, u.UpdatedAt = created.Time, updated.Time
	var err error
	u.ContactPhone, err = db.openMasked(fUnitPhone, phone, maskPhone)
	return &u, err
}

var creditTaken = &wangge.Error{Code: wangge.EConflict, Field: "credit_code", Key: "error.unit.credit_taken"}

// CreateUnit adds a resident unit to a grid.
func (db *DB) CreateUnit(ctx context.Context, s wangge.Scope, u *wangge.Unit) error {
	if err := u.Normalize(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.writableGrid(s, "grid_code", u.GridCode); err != nil {
			return err
		}
		u.Version, u.CreatedAt, u.UpdatedAt = 1, tx.now, tx.now
		err := tx.queryRow(`INSERT INTO units (grid_code, building_id, name, credit_code, kind, headcount, party_org, party_members, address, contact_name, contact_phone_enc, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
			u.GridCode, nullInt(u.BuildingID), u.Name, nullStr(u.CreditCode), u.Kind, u.Headcount, u.PartyOrg, u.PartyMembers, u.Address,
			u.ContactName, db.box.Seal(fUnitPhone, u.ContactPhone), tx.now, tx.now).Scan(&u.ID)
		if err != nil {
			return db.classify(err, creditTaken)
		}
		u.ContactPhone = maskPhone(u.ContactPhone)
		return tx.audit("unit.create", "unit", u.ID, u.GridCode, jsonDetail(map[string]any{"name": u.Name}))
	})
}

// unitGrid returns the grid of a unit the scope may change, and ErrNotFound
// for one it may not.
func (tx *Tx) unitGrid(s wangge.Scope, id int64) (string, error) {
	var grid string
	if err := tx.queryRow(`SELECT grid_code FROM units WHERE id = ?`, id).Scan(&grid); errors.Is(err, sql.ErrNoRows) {
		return "", wangge.ErrNotFound
	} else if err != nil {
		return "", err
	}
	return grid, mayChange(s, grid, wangge.ErrNotFound)
}

// Unit returns a unit within the scope.
func (db *DB) Unit(ctx context.Context, s wangge.Scope, id int64) (*wangge.Unit, error) {
	c, a := people("u.grid_code", s)
	u, err := db.scanUnit(db.queryRow(ctx, `SELECT `+unitCols+` FROM units u WHERE u.id = ? AND `+c, append([]any{id}, a...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	}
	return u, err
}

// UpdateUnit changes a unit. A masked or empty contact phone keeps the stored one.
func (db *DB) UpdateUnit(ctx context.Context, s wangge.Scope, u *wangge.Unit) error {
	keep := u.ContactPhone == "" || masked(u.ContactPhone)
	if keep {
		u.ContactPhone = ""
	}
	if err := u.Normalize(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.unitGrid(s, u.ID); err != nil {
			return err
		}
		if err := tx.writableGrid(s, "grid_code", u.GridCode); err != nil {
			return err
		}
		q := `UPDATE units SET grid_code = ?, building_id = ?, name = ?, credit_code = ?, kind = ?, headcount = ?, party_org = ?, party_members = ?,
			address = ?, contact_name = ?, version = version + 1, updated_at = ?`
		args := []any{u.GridCode, nullInt(u.BuildingID), u.Name, nullStr(u.CreditCode), u.Kind, u.Headcount, u.PartyOrg, u.PartyMembers, u.Address, u.ContactName, tx.now}
		if !keep {
			q += `, contact_phone_enc = ?`
			args = append(args, db.box.Seal(fUnitPhone, u.ContactPhone))
		}
		if err := tx.updateUnique(creditTaken, "units", "id", u.ID, q+` WHERE id = ? AND version = ?`, append(args, u.ID, u.Version)...); err != nil {
			return err
		}
		u.Version++
		u.UpdatedAt = tx.now
		u.ContactPhone = maskPhone(u.ContactPhone)
		return tx.audit("unit.update", "unit", u.ID, u.GridCode, jsonDetail(map[string]any{"name": u.Name}))
	})
}

// DeleteUnit removes a unit.
func (db *DB) DeleteUnit(ctx context.Context, s wangge.Scope, id int64, version int) error {
	return db.inTx(ctx, func(tx *Tx) error {
		grid, err := tx.unitGrid(s, id)
		if err != nil {
			return err
		}
		if err := tx.update("units", "id", id, `DELETE FROM units WHERE id = ? AND version = ?`, id, version); err != nil {
			return err
		}
		return tx.audit("unit.delete", "unit", id, grid, "")
	})
}

// ListUnits lists units in the scope, in the order f.Sort names.
func (db *DB) ListUnits(ctx context.Context, s wangge.Scope, f wangge.UnitFilter) ([]wangge.Unit, int, error) {
	if err := f.Sort.Check(wangge.UnitSorts); err != nil {
		return nil, 0, err
	}
	var w where
	unitWhere(&w, s, f)
	return page(ctx, db, "units u", `SELECT `+unitCols+` FROM units u`, &w, unitOrder(f.Sort), f.Page,
		func(rows *sql.Rows) (wangge.Unit, error) { return deref(db.scanUnit(rows)) })
}
