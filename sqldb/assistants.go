package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/wangge/wangge"
)

const assistantCols = `a.id, a.name, a.sex, a.work_phone, a.phone_enc, a.photo_url, a.user_id, a.active, a.version, a.created_at, a.updated_at`

func (db *DB) scanAssistant(row interface{ Scan(...any) error }, extra ...any) (*wangge.Assistant, error) {
	var a wangge.Assistant
	var phone []byte
	var user sql.Null[int64]
	var created, updated timeValue
	dest := append([]any{&a.ID, &a.Name, &a.Sex, &a.WorkPhone, &phone, &a.PhotoURL, &user, &a.Active, &a.Version, &created, &updated}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	a.UserID = ptrInt(user)
	a.CreatedAt, a.UpdatedAt = created.Time, updated.Time
	var err error
	a.Phone, err = db.openMasked(fAssistantPh, phone, maskPhone)
	return &a, err
}

// CreateAssistant adds an assistant.
func (db *DB) CreateAssistant(ctx context.Context, a *wangge.Assistant) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if a.Phone != "" {
		p, err := parsePhone("phone", a.Phone)
		if err != nil {
			return err
		}
		a.Phone = p
	}
	return db.inTx(ctx, func(tx *Tx) error {
		a.Version, a.CreatedAt, a.UpdatedAt = 1, tx.now, tx.now
		if err := tx.queryRow(`INSERT INTO assistants (name, sex, work_phone, phone_enc, photo_url, user_id, active, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
			a.Name, a.Sex, a.WorkPhone, db.box.Seal(fAssistantPh, a.Phone), a.PhotoURL, nullInt(a.UserID), a.Active, tx.now, tx.now).Scan(&a.ID); err != nil {
			return db.classify(err)
		}
		a.Phone = maskPhone(a.Phone)
		return tx.audit("assistant.create", "assistant", a.ID, "", jsonDetail(map[string]any{"name": a.Name}))
	})
}

// Assistant returns an assistant. Assistants are public officers: name,
// work phone and photo are shown to residents; the personal phone is masked.
func (db *DB) Assistant(ctx context.Context, id int64) (*wangge.Assistant, error) {
	a, err := db.scanAssistant(db.queryRow(ctx, `SELECT `+assistantCols+` FROM assistants a WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	}
	return a, err
}

// UpdateAssistant changes an assistant's details.
func (db *DB) UpdateAssistant(ctx context.Context, a *wangge.Assistant) error {
	if err := a.Validate(); err != nil {
		return err
	}
	keep := a.Phone == "" || masked(a.Phone)
	if !keep {
		p, err := parsePhone("phone", a.Phone)
		if err != nil {
			return err
		}
		a.Phone = p
	}
	return db.inTx(ctx, func(tx *Tx) error {
		q := `UPDATE assistants SET name = ?, sex = ?, work_phone = ?, photo_url = ?, user_id = ?, active = ?, version = version + 1, updated_at = ?`
		args := []any{a.Name, a.Sex, a.WorkPhone, a.PhotoURL, nullInt(a.UserID), a.Active, tx.now}
		if !keep {
			q += `, phone_enc = ?`
			args = append(args, db.box.Seal(fAssistantPh, a.Phone))
			a.Phone = maskPhone(a.Phone)
		}
		if err := tx.update("assistants", "id", a.ID, q+` WHERE id = ? AND version = ?`, append(args, a.ID, a.Version)...); err != nil {
			return err
		}
		a.Version++
		a.UpdatedAt = tx.now
		return tx.audit("assistant.update", "assistant", a.ID, "", jsonDetail(map[string]any{"name": a.Name}))
	})
}

// AssignAssistant starts a term in a grid, ending the assistant's current
// term elsewhere and the grid's current assistant's term.
func (db *DB) AssignAssistant(ctx context.Context, assistantID int64, grid string, from time.Time, note string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.activeGrid("grid_code", grid); err != nil {
			return err
		}
		var one int
		if err := tx.queryRow(`SELECT 1 FROM assistants WHERE id = ?`, assistantID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return wangge.Invalid("assistant_id", "error.assistant.none")
		} else if err != nil {
			return err
		}
		if from.IsZero() {
			from = tx.now
		}
		from = ts(from)
		if _, err := tx.exec(`UPDATE assignments SET to_at = ? WHERE to_at IS NULL AND (assistant_id = ? OR grid_code = ?)`, from, assistantID, grid); err != nil {
			return err
		}
		if _, err := tx.exec(`INSERT INTO assignments (assistant_id, grid_code, from_at, note) VALUES (?, ?, ?, ?)`, assistantID, grid, from, note); err != nil {
			return db.classify(err)
		}
		return tx.audit("assistant.assign", "assistant", assistantID, grid, jsonDetail(map[string]any{"grid_code": grid, "note": note}))
	})
}

// GridAssistant returns the grid's current assistant.
func (db *DB) GridAssistant(ctx context.Context, grid string) (*wangge.Assistant, error) {
	a, err := db.scanAssistant(db.queryRow(ctx, `SELECT `+assistantCols+` FROM assistants a JOIN assignments s ON s.assistant_id = a.id
		WHERE s.grid_code = ? AND s.to_at IS NULL`, grid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	}
	return a, err
}

// Assignments returns an assistant's terms within the scope, latest first.
func (db *DB) Assignments(ctx context.Context, s wangge.Scope, assistantID int64) ([]wangge.Assignment, error) {
	c, a := scope("grid_code", s)
	return collect(ctx, db, `SELECT id, assistant_id, grid_code, from_at, to_at, note FROM assignments WHERE assistant_id = ? AND `+c+` ORDER BY from_at DESC, id DESC`,
		append([]any{assistantID}, a...), func(rows *sql.Rows) (wangge.Assignment, error) {
			var as wangge.Assignment
			var from timeValue
			var to sql.Null[timeValue]
			err := rows.Scan(&as.ID, &as.AssistantID, &as.GridCode, &from, &to, &as.Note)
			as.From = from.Time
			if to.Valid {
				t := to.V.Time
				as.To = &t
			}
			return as, err
		})
}

// ListAssistants lists assistants currently serving in the scope, in the
// order f.Sort names, each with what the grid holds (from the cached
// per-grid counts the area pages use).
func (db *DB) ListAssistants(ctx context.Context, s wangge.Scope, f wangge.AssistantFilter) ([]wangge.AssistantSummary, int, error) {
	if err := f.Sort.Check(wangge.AssistantSorts); err != nil {
		return nil, 0, err
	}
	var w where
	w.add("s.to_at IS NULL")
	w.scope("s.grid_code", s.Narrow(f.GridCode))
	if f.Query != "" {
		w.add(`a.name LIKE ? ESCAPE '\'`, "%"+likeEscape(f.Query)+"%")
	}
	d := desc(f.Sort)
	order := "s.grid_code" + d
	switch f.Sort.Key() {
	case wangge.SortName:
		order = "a.name" + d + ", s.grid_code"
	case wangge.SortHouseholds:
		order = "(SELECT COUNT(*) FROM households x WHERE x.grid_code = s.grid_code)" + d + ", s.grid_code"
	case wangge.SortPersons:
		order = "(SELECT COUNT(*) FROM persons x WHERE x.grid_code = s.grid_code)" + d + ", s.grid_code"
	}
	from := "assistants a JOIN assignments s ON s.assistant_id = a.id JOIN areas g ON g.code = s.grid_code"
	list, total, err := page(ctx, db, from, `SELECT `+assistantCols+`, s.grid_code, g.name, g.service_area FROM `+from, &w, order, f.Page,
		func(rows *sql.Rows) (wangge.AssistantSummary, error) {
			var sum wangge.AssistantSummary
			a, err := db.scanAssistant(rows, &sum.GridCode, &sum.GridName, &sum.ServiceArea)
			if err == nil {
				sum.Assistant = *a
			}
			return sum, err
		})
	if err != nil || len(list) == 0 {
		return list, total, err
	}
	snap, err := db.gridCounts(ctx)
	if err != nil {
		return nil, 0, err
	}
	for i := range list {
		if c := snap.grid(list[i].GridCode); c != nil {
			list[i].Households, list[i].Persons, list[i].Units = c.households, c.persons, c.units
		}
	}
	return list, total, nil
}
