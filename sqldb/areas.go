package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/wangge/wangge"
)

const areaCols = `code, name, level, parent_code, address, phone, service_area, retired_at, version, created_at, updated_at`

func scanArea(row interface{ Scan(...any) error }) (*wangge.Area, error) {
	var a wangge.Area
	var parent sql.Null[string]
	var retired sql.Null[timeValue]
	var created, updated timeValue
	if err := row.Scan(&a.Code, &a.Name, &a.Level, &parent, &a.Address, &a.Phone, &a.ServiceArea, &retired, &a.Version, &created, &updated); err != nil {
		return nil, err
	}
	a.ParentCode = parent.V
	if retired.Valid {
		t := retired.V.Time
		a.RetiredAt = &t
	}
	a.CreatedAt, a.UpdatedAt = created.Time, updated.Time
	return &a, nil
}

// CreateArea adds a node to the region tree under an existing parent.
func (db *DB) CreateArea(ctx context.Context, a *wangge.Area) error {
	a.Level = wangge.LevelOf(a.Code)
	a.ParentCode = wangge.ParentCode(a.Code)
	if err := a.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error { return tx.createArea(a) })
}

// createArea is CreateArea within a transaction, for an area already validated.
func (tx *Tx) createArea(a *wangge.Area) error {
	if a.ParentCode != "" {
		var one int
		err := tx.queryRow(`SELECT 1 FROM areas WHERE code = ?`, a.ParentCode).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return wangge.Invalid("parent_code", "error.area.no_parent", "Code", a.ParentCode)
		} else if err != nil {
			return err
		}
	}
	a.Version, a.CreatedAt, a.UpdatedAt = 1, tx.now, tx.now
	if _, err := tx.exec(`INSERT INTO areas (code, name, level, parent_code, address, phone, service_area, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
		a.Code, a.Name, a.Level, nullStr(a.ParentCode), a.Address, a.Phone, a.ServiceArea, tx.now, tx.now); err != nil {
		return tx.db.classify(err)
	}
	return tx.audit("area.create", "area", a.Code, a.Code, jsonDetail(map[string]any{"name": a.Name}))
}

// Area returns one area by code.
func (db *DB) Area(ctx context.Context, code string) (*wangge.Area, error) {
	a, err := scanArea(db.queryRow(ctx, `SELECT `+areaCols+` FROM areas WHERE code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	}
	return a, err
}

// UpdateArea changes an area's name and office details.
func (db *DB) UpdateArea(ctx context.Context, a *wangge.Area) error {
	a.Level = wangge.LevelOf(a.Code)
	if err := a.Validate(); err != nil {
		return err
	}
	if a.RetiredAt != nil {
		r := ts(*a.RetiredAt)
		a.RetiredAt = &r
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.update("areas", "code", a.Code, `UPDATE areas SET name = ?, address = ?, phone = ?, service_area = ?, retired_at = ?,
			version = version + 1, updated_at = ? WHERE code = ? AND version = ?`,
			a.Name, a.Address, a.Phone, a.ServiceArea, nullTime(a.RetiredAt), tx.now, a.Code, a.Version); err != nil {
			return err
		}
		a.Version++
		a.UpdatedAt = tx.now
		return tx.audit("area.update", "area", a.Code, a.Code, jsonDetail(map[string]any{"name": a.Name}))
	})
}

// DeleteArea removes an area that holds nothing.
func (db *DB) DeleteArea(ctx context.Context, code string, version int) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(`SELECT (SELECT COUNT(*) FROM areas WHERE parent_code = ?) + (SELECT COUNT(*) FROM buildings WHERE grid_code = ?) + (SELECT COUNT(*) FROM units WHERE grid_code = ?)`,
			code, code, code).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return wangge.E(wangge.EConflict, "error.area.not_empty")
		}
		var assigned int
		if err := tx.queryRow(`SELECT COUNT(*) FROM assignments WHERE grid_code = ?`, code).Scan(&assigned); err != nil {
			return err
		}
		if assigned > 0 {
			return wangge.E(wangge.EConflict, "error.area.has_assistants")
		}
		var outlined int
		if err := tx.queryRow(`SELECT COUNT(*) FROM boundaries WHERE area_code = ?`, code).Scan(&outlined); err != nil {
			return err
		}
		if outlined > 0 {
			return wangge.E(wangge.EConflict, "error.area.has_boundaries")
		}
		if err := tx.update("areas", "code", code, `DELETE FROM areas WHERE code = ? AND version = ?`, code, version); err != nil {
			return err
		}
		return tx.audit("area.delete", "area", code, code, "")
	})
}

// ListAreas lists areas; region names and codes are public.
func (db *DB) ListAreas(ctx context.Context, f wangge.AreaFilter) ([]wangge.Area, int, error) {
	var w where
	if f.Level != 0 {
		w.add("level = ?", f.Level)
	}
	if f.ParentCode != "" {
		w.add("parent_code = ?", f.ParentCode)
	}
	if f.Query != "" {
		w.add(`name LIKE ? ESCAPE '\'`, "%"+likeEscape(f.Query)+"%")
	}
	return page(ctx, db, "areas", `SELECT `+areaCols+` FROM areas`, &w, "code", f.Page,
		func(rows *sql.Rows) (wangge.Area, error) { return deref(scanArea(rows)) })
}

// visible reports whether an area may be shown to the scope: it lies in the
// scope or above it (staff see the names of the areas over them).
func visible(s wangge.Scope, code string) bool {
	return s.Contains(code) || s.Prefix() != "" && strings.HasPrefix(s.Prefix(), code)
}

// AreaSummary returns an area with its counts within the scope.
func (db *DB) AreaSummary(ctx context.Context, s wangge.Scope, code string) (*wangge.AreaSummary, error) {
	if !visible(s, code) {
		return nil, wangge.ErrNotFound
	}
	a, err := db.Area(ctx, code)
	if err != nil {
		return nil, err
	}
	sums, err := db.summarise(ctx, s.Narrow(code), []wangge.Area{*a})
	if err != nil {
		return nil, err
	}
	return &sums[0], nil
}

// ChildSummaries returns the children of code visible to the scope, with
// their counts.
func (db *DB) ChildSummaries(ctx context.Context, s wangge.Scope, code string) ([]wangge.AreaSummary, error) {
	if !visible(s, code) {
		return nil, wangge.ErrNotFound
	}
	all, _, err := db.ListAreas(ctx, wangge.AreaFilter{ParentCode: code, Page: wangge.Page{Limit: wangge.MaxPageLimit}})
	if err != nil {
		return nil, err
	}
	var kids []wangge.Area
	for _, a := range all {
		if visible(s, a.Code) && a.RetiredAt == nil { // a retired grid is history, not a child
			kids = append(kids, a)
		}
	}
	if len(kids) == 0 {
		return nil, nil
	}
	return db.summarise(ctx, s.Narrow(code), kids)
}

// summarise counts what each area holds within scope s, from the per-grid
// counts.
func (db *DB) summarise(ctx context.Context, s wangge.Scope, areas []wangge.Area) ([]wangge.AreaSummary, error) {
	gc, err := db.gridCounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]wangge.AreaSummary, len(areas))
	for i, a := range areas {
		sum := wangge.AreaSummary{Area: a}
		for _, c := range gc.grids {
			if !strings.HasPrefix(c.code, a.Code) || !s.Contains(c.code) {
				continue
			}
			sum.Grids++
			sum.Buildings += c.buildings
			sum.Households += c.households
			sum.Persons += c.persons
			sum.Units += c.units
		}
		for _, code := range gc.areas {
			if wangge.ParentCode(code) == a.Code && visible(s, code) {
				sum.Children++
			}
		}
		if a.Level == wangge.LevelGrid {
			if as, err := db.GridAssistant(ctx, a.Code); err == nil {
				sum.AssistantName, sum.AssistantPhone = as.Name, as.WorkPhone
			} else if !errors.Is(err, wangge.ErrNotFound) {
				return nil, err
			}
		}
		out[i] = sum
	}
	return out, nil
}
