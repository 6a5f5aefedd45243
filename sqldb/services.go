package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/wangge/wangge"
)

const serviceCols = `id, code, name, line, department, materials, time_limit_days, description, active, version, updated_at`

func scanService(row interface{ Scan(...any) error }) (*wangge.Service, error) {
	var s wangge.Service
	var materials string
	var updated timeValue
	if err := row.Scan(&s.ID, &s.Code, &s.Name, &s.Line, &s.Department, &materials, &s.TimeLimitDays, &s.Description, &s.Active, &s.Version, &updated); err != nil {
		return nil, err
	}
	if materials != "" {
		s.Materials = strings.Split(materials, "\n")
	}
	s.UpdatedAt = updated.Time
	return &s, nil
}

// CreateService adds a catalogue entry.
func (db *DB) CreateService(ctx context.Context, s *wangge.Service) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error { return tx.createService(s) })
}

func (tx *Tx) createService(s *wangge.Service) error {
	s.Version, s.UpdatedAt = 1, tx.now
	if err := tx.queryRow(`INSERT INTO services (code, name, line, department, materials, time_limit_days, description, active, version, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING id`,
		s.Code, s.Name, s.Line, s.Department, strings.Join(s.Materials, "\n"), s.TimeLimitDays, s.Description, s.Active, tx.now).Scan(&s.ID); err != nil {
		return tx.db.classify(err)
	}
	return tx.audit("service.create", "service", s.ID, "", jsonDetail(map[string]any{"code": s.Code, "name": s.Name}))
}

// Service returns a catalogue entry.
func (db *DB) Service(ctx context.Context, id int64) (*wangge.Service, error) {
	s, err := scanService(db.queryRow(ctx, `SELECT `+serviceCols+` FROM services WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	}
	return s, err
}

// UpdateService changes a catalogue entry.
func (db *DB) UpdateService(ctx context.Context, s *wangge.Service) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.update("services", "id", s.ID, `UPDATE services SET code = ?, name = ?, line = ?, department = ?, materials = ?, time_limit_days = ?,
			description = ?, active = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			s.Code, s.Name, s.Line, s.Department, strings.Join(s.Materials, "\n"), s.TimeLimitDays, s.Description, s.Active, tx.now, s.ID, s.Version); err != nil {
			return err
		}
		s.Version++
		s.UpdatedAt = tx.now
		return tx.audit("service.update", "service", s.ID, "", jsonDetail(map[string]any{"code": s.Code, "name": s.Name}))
	})
}

// ListServices lists the catalogue, optionally one line, in code order.
func (db *DB) ListServices(ctx context.Context, line wangge.Line, activeOnly bool) ([]wangge.Service, error) {
	var w where
	if line != "" {
		w.add("line = ?", line)
	}
	if activeOnly {
		w.add("active = ?", true)
	}
	return collect(ctx, db, `SELECT `+serviceCols+` FROM services`+w.String()+` ORDER BY code`, w.args,
		func(rows *sql.Rows) (wangge.Service, error) { return deref(scanService(rows)) })
}

// SeedServices fills an empty catalogue with the default hundred services.
func (db *DB) SeedServices(ctx context.Context) error {
	var n int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM services`).Scan(&n); err != nil || n > 0 {
		return err
	}
	services, err := wangge.DefaultServices()
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		for i := range services {
			if err := tx.createService(&services[i]); err != nil {
				return err
			}
		}
		return nil
	})
}
