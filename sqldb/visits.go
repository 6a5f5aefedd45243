package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/wangge/wangge"
)

const visitCols = `v.id, v.assistant_id, v.grid_code, v.at, v.household_id, v.unit_id, v.place, v.purpose, v.met, v.clears, v.note, v.problems, v.version, v.created_at`

func scanVisit(row interface{ Scan(...any) error }) (*wangge.Visit, error) {
	var v wangge.Visit
	var at, created timeValue
	var household, unit sql.Null[int64]
	var clears, problems string
	if err := row.Scan(&v.ID, &v.AssistantID, &v.GridCode, &at, &household, &unit, &v.Place, &v.Purpose, &v.Met, &clears, &v.Note, &problems, &v.Version, &created); err != nil {
		return nil, err
	}
	v.At, v.CreatedAt = at.Time, created.Time
	v.HouseholdID, v.UnitID = ptrInt(household), ptrInt(unit)
	if err := json.Unmarshal([]byte(clears), &v.Clears); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(problems), &v.Problems); err != nil {
		return nil, err
	}
	return &v, nil
}

func problemsJSON(p []string) string {
	if p == nil {
		p = []string{}
	}
	b, _ := json.Marshal(p)
	return string(b)
}

// CreateVisit records a visit. Its grid is the household's or unit's, or the
// assistant's current grid for a visit to a place.
func (db *DB) CreateVisit(ctx context.Context, s wangge.Scope, v *wangge.Visit) error {
	if err := v.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error { return tx.insertVisit(s, v, nil) })
}

// insertVisit writes a visit within a write transaction, its grid the
// household's or unit's (which the scope must be able to change), or the
// assistant's current grid for a visit to a place; extra joins the audit
// entry's detail.
func (tx *Tx) insertVisit(s wangge.Scope, v *wangge.Visit, extra map[string]any) error {
	var err error
	switch {
	case v.HouseholdID != nil:
		v.GridCode, err = tx.householdGrid(s, *v.HouseholdID)
	case v.UnitID != nil:
		err = tx.queryRow(`SELECT grid_code FROM units WHERE id = ?`, *v.UnitID).Scan(&v.GridCode)
		if errors.Is(err, sql.ErrNoRows) || err == nil && !s.MayChange(v.GridCode) {
			err = wangge.Invalid("unit_id", "error.unit.none")
		}
	default:
		err = tx.queryRow(`SELECT grid_code FROM assignments WHERE assistant_id = ? AND to_at IS NULL`, v.AssistantID).Scan(&v.GridCode)
		if errors.Is(err, sql.ErrNoRows) || err == nil && !s.MayChange(v.GridCode) {
			err = wangge.Invalid("assistant_id", "error.assistant.no_grid")
		}
	}
	if err != nil {
		return err
	}
	clears, _ := json.Marshal(v.Clears)
	v.At = ts(v.At)
	v.Version, v.CreatedAt = 1, tx.now
	if err := tx.queryRow(`INSERT INTO visits (assistant_id, grid_code, at, household_id, unit_id, place, purpose, met, clears, note, problems, version, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING id`,
		v.AssistantID, v.GridCode, v.At, nullInt(v.HouseholdID), nullInt(v.UnitID), v.Place, v.Purpose, v.Met, string(clears), v.Note, problemsJSON(v.Problems), tx.now).Scan(&v.ID); err != nil {
		return tx.db.classify(err)
	}
	detail := map[string]any{"household_id": v.HouseholdID, "unit_id": v.UnitID}
	for k, x := range extra {
		detail[k] = x
	}
	return tx.audit("visit.create", "visit", v.ID, v.GridCode, jsonDetail(detail))
}

// Visit returns a visit within the scope.
func (db *DB) Visit(ctx context.Context, s wangge.Scope, id int64) (*wangge.Visit, error) {
	c, a := people("v.grid_code", s)
	v, err := scanVisit(db.queryRow(ctx, `SELECT `+visitCols+` FROM visits v WHERE v.id = ? AND `+c, append([]any{id}, a...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	}
	return v, err
}

// ListVisits lists visits within the scope, latest first.
func (db *DB) ListVisits(ctx context.Context, s wangge.Scope, f wangge.VisitFilter) ([]wangge.Visit, int, error) {
	var w where
	w.people("v.grid_code", s.Narrow(f.GridCode))
	if f.HouseholdID != 0 {
		w.add("v.household_id = ?", f.HouseholdID)
	}
	if f.UnitID != 0 {
		w.add("v.unit_id = ?", f.UnitID)
	}
	if f.AssistantID != 0 {
		w.add("v.assistant_id = ?", f.AssistantID)
	}
	if !f.Since.IsZero() {
		w.add("v.at >= ?", f.Since.UTC())
	}
	return page(ctx, db, "visits v", `SELECT `+visitCols+` FROM visits v`, &w, "v.at DESC, v.id DESC", f.Page,
		func(rows *sql.Rows) (wangge.Visit, error) { return deref(scanVisit(rows)) })
}
