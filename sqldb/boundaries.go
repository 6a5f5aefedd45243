package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wangge/wangge"
)

const boundaryCols = `area_code, version, geojson, valid_from, valid_to, created_by, created_at`

func scanBoundary(row interface{ Scan(...any) error }, extra ...any) (wangge.Boundary, error) {
	var b wangge.Boundary
	var from, created timeValue
	var to sql.Null[timeValue]
	err := row.Scan(append([]any{&b.AreaCode, &b.Version, &b.GeoJSON, &from, &to, &b.CreatedBy, &created}, extra...)...)
	b.ValidFrom, b.CreatedAt = from.Time, created.Time
	if to.Valid {
		t := to.V.Time
		b.ValidTo = &t
	}
	return b, err
}

// SetBoundary starts a new version of an area's outline. The geometry is
// checked to be GeoJSON of a polygon here; its shape is geo's to validate.
func (db *DB) SetBoundary(ctx context.Context, code, geojson string, validFrom time.Time) (*wangge.Boundary, error) {
	var g struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal([]byte(geojson), &g); err != nil || g.Type != "Polygon" && g.Type != "MultiPolygon" {
		return nil, wangge.Invalid("geojson", "error.boundary.not_polygon")
	}
	var b *wangge.Boundary
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		b, err = tx.setBoundary(code, geojson, validFrom)
		return err
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// setBoundary is SetBoundary within a transaction.
func (tx *Tx) setBoundary(code, geojson string, validFrom time.Time) (*wangge.Boundary, error) {
	if validFrom.IsZero() {
		validFrom = tx.now
	}
	validFrom = ts(validFrom)
	var one int
	if err := tx.queryRow(`SELECT 1 FROM areas WHERE code = ?`, code).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.Invalid("code", "error.area.none", "Code", code)
	} else if err != nil {
		return nil, err
	}
	var last sql.Null[int]
	var lastFrom sql.Null[timeValue]
	if err := tx.queryRow(`SELECT MAX(version), MAX(valid_from) FROM boundaries WHERE area_code = ?`, code).Scan(&last, &lastFrom); err != nil {
		return nil, err
	}
	if lastFrom.Valid && !validFrom.After(lastFrom.V.Time) {
		return nil, wangge.Invalid("valid_from", "error.boundary.not_after")
	}
	if _, err := tx.exec(`UPDATE boundaries SET valid_to = ? WHERE area_code = ? AND valid_to IS NULL`, validFrom, code); err != nil {
		return nil, err
	}
	b := &wangge.Boundary{AreaCode: code, Version: last.V + 1, GeoJSON: geojson, ValidFrom: validFrom, CreatedBy: tx.actor.Username, CreatedAt: tx.now}
	if _, err := tx.exec(`INSERT INTO boundaries (`+boundaryCols+`) VALUES (?, ?, ?, ?, NULL, ?, ?)`,
		b.AreaCode, b.Version, b.GeoJSON, b.ValidFrom, b.CreatedBy, b.CreatedAt); err != nil {
		return nil, tx.db.classify(err)
	}
	return b, tx.audit("boundary.set", "area", code, code, jsonDetail(map[string]any{"version": b.Version, "valid_from": b.ValidFrom}))
}

// validAt is the condition for the version valid at t (now when zero: a
// version set to start tomorrow is not yet the current one).
func (db *DB) validAt(t time.Time) (string, []any) {
	if t.IsZero() {
		t = db.now()
	}
	t = ts(t)
	return "valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)", []any{t, t}
}

// Boundary returns the version of an area's outline valid at t.
func (db *DB) Boundary(ctx context.Context, code string, at time.Time) (*wangge.Boundary, error) {
	c, a := db.validAt(at)
	b, err := scanBoundary(db.queryRow(ctx, `SELECT `+boundaryCols+` FROM boundaries WHERE area_code = ? AND `+c, append([]any{code}, a...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	}
	return &b, err
}

// Boundaries returns the outlines valid at t of the areas at a level under
// a prefix.
func (db *DB) Boundaries(ctx context.Context, prefix string, level wangge.Level, at time.Time) ([]wangge.Boundary, error) {
	c, a := db.validAt(at)
	lo, hi := prefix, prefix+strings.Repeat("9", max(0, wangge.GridCodeLen-len(prefix)))
	args := append([]any{lo, hi, level.CodeLen()}, a...)
	return collect(ctx, db, `SELECT `+boundaryCols+`, (SELECT name FROM areas WHERE code = area_code) FROM boundaries
		WHERE area_code BETWEEN ? AND ? AND length(area_code) = ? AND `+c+` ORDER BY area_code`, args,
		func(rows *sql.Rows) (wangge.Boundary, error) {
			var name string
			b, err := scanBoundary(rows, &name)
			b.AreaName = name
			return b, err
		})
}

// BoundaryHistory returns every version of an area's outline, oldest first.
func (db *DB) BoundaryHistory(ctx context.Context, code string) ([]wangge.Boundary, error) {
	return collect(ctx, db, `SELECT `+boundaryCols+` FROM boundaries WHERE area_code = ? ORDER BY version`, []any{code},
		func(rows *sql.Rows) (wangge.Boundary, error) { return scanBoundary(rows) })
}

// BoundaryStamp changes whenever an outline is added, and when a version
// set for a later date takes effect.
func (db *DB) BoundaryStamp(ctx context.Context) (string, error) {
	var n, started int
	var last sql.Null[timeValue]
	err := db.queryRow(ctx, `SELECT COUNT(*), MAX(created_at), COUNT(CASE WHEN valid_from <= ? THEN 1 END) FROM boundaries`, db.now()).Scan(&n, &last, &started)
	return fmt.Sprintf("%d/%d/%d", n, last.V.UnixMicro(), started), err
}
