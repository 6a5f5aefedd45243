package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wangge/wangge"
)

// AreaOutline is one area of a boundary file: its code, name and outline
// (GeoJSON of a Polygon or MultiPolygon, WGS-84).
type AreaOutline struct {
	Code, Name, GeoJSON string
}

// ImportAreas writes the areas of one boundary file in one transaction: a
// new code becomes an area under its (existing or earlier-listed) parent, a
// known one takes the file's name, and each gets a new outline version from
// validFrom (now when zero). Either every area is written or, on an error or
// a cancelled context, none is; the context is checked before each area so a
// cancelled import stops at once rather than at its end.
func (db *DB) ImportAreas(ctx context.Context, areas []AreaOutline, validFrom time.Time) error {
	return db.inTx(ctx, func(tx *Tx) error {
		tx.stmts = map[string]*sql.Stmt{}
		for _, o := range areas {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := tx.importArea(o, validFrom); err != nil {
				return fmt.Errorf("%s: %w", o.Code, err)
			}
		}
		return nil
	})
}

// importArea writes one area of ImportAreas.
func (tx *Tx) importArea(o AreaOutline, validFrom time.Time) error {
	var name string
	var version int
	err := tx.queryRow(`SELECT name, version FROM areas WHERE code = ?`, o.Code).Scan(&name, &version)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		a := &wangge.Area{Code: o.Code, Name: o.Name, Level: wangge.LevelOf(o.Code), ParentCode: wangge.ParentCode(o.Code)}
		if err := a.Validate(); err != nil {
			return err
		}
		if err := tx.createArea(a); err != nil {
			return err
		}
	case err != nil:
		return err
	case name != o.Name:
		a := &wangge.Area{Code: o.Code, Name: o.Name}
		if err := a.Validate(); err != nil {
			return err
		}
		if err := tx.update("areas", "code", o.Code, `UPDATE areas SET name = ?, version = version + 1, updated_at = ? WHERE code = ? AND version = ?`,
			o.Name, tx.now, o.Code, version); err != nil {
			return err
		}
		if err := tx.audit("area.update", "area", o.Code, o.Code, jsonDetail(map[string]any{"name": o.Name})); err != nil {
			return err
		}
	}
	_, err = tx.setBoundary(o.Code, o.GeoJSON, validFrom)
	return err
}
