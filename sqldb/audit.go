package sqldb

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/wangge/wangge"
)

// Audit appends an entry for something the store does not see itself, such
// as a login or an export. The actor comes from the context when the entry
// names none.
func (db *DB) Audit(ctx context.Context, e *wangge.AuditEntry) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if e.Username != "" {
			tx.actor = wangge.Actor{UserID: e.UserID, Username: e.Username, Role: e.Role, Addr: e.Addr}
		}
		return tx.audit(e.Action, e.Object, e.ObjectID, e.GridCode, e.Detail)
	})
}

// AuditPersonalExport appends the audit entry of a personal export unless
// its user has made PersonalExportsPerHour of them in the last hour. The
// no-op update of the chain head comes first: it takes the lock every
// append takes (PostgreSQL holds the row until commit; SQLite has one
// writer), so a concurrent export of the same user waits here and then
// counts this one, and the count and the append are one step.
func (db *DB) AuditPersonalExport(ctx context.Context, e *wangge.AuditEntry) error {
	// Another entry would append uncounted: the limit would not see it.
	if e.Action != "ledger.export" || e.Object != "ledger" || !slices.Contains(wangge.PersonalExportLedgers, e.ObjectID) {
		return fmt.Errorf("audit of a personal export: %s %s %s is not one", e.Action, e.Object, e.ObjectID)
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if e.Username != "" {
			tx.actor = wangge.Actor{UserID: e.UserID, Username: e.Username, Role: e.Role, Addr: e.Addr}
		}
		if _, err := tx.exec(`UPDATE audit_head SET seq = seq WHERE id = 1`); err != nil {
			return fmt.Errorf("audit head: %w", err)
		}
		args := []any{tx.actor.Username, tx.now.Add(-time.Hour)}
		for _, l := range wangge.PersonalExportLedgers {
			args = append(args, l)
		}
		var n int
		if err := tx.queryRow(`SELECT COUNT(*) FROM audit_log WHERE username = ? AND action = 'ledger.export' AND object = 'ledger'
			AND at >= ? AND object_id IN (`+marks(len(wangge.PersonalExportLedgers))+`)`, args...).Scan(&n); err != nil {
			return err
		}
		if err := wangge.CheckExportRate(tx.actor, n); err != nil {
			return err
		}
		return tx.audit(e.Action, e.Object, e.ObjectID, e.GridCode, e.Detail)
	})
}

const auditCols = `seq, at, user_id, username, role, addr, action, object, object_id, grid_code, detail, prev_hash, hash`

func scanAudit(row interface{ Scan(...any) error }) (*wangge.AuditEntry, error) {
	var e wangge.AuditEntry
	var at timeValue
	if err := row.Scan(&e.Seq, &at, &e.UserID, &e.Username, &e.Role, &e.Addr, &e.Action, &e.Object, &e.ObjectID, &e.GridCode, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	e.At = at.Time
	return &e, nil
}

// ListAudit searches the log, latest first.
func (db *DB) ListAudit(ctx context.Context, f wangge.AuditFilter) ([]wangge.AuditEntry, int, error) {
	var w where
	if f.Username != "" {
		w.add("username = ?", f.Username)
	}
	if f.Action != "" {
		w.add(`action LIKE ? ESCAPE '\'`, likeEscape(f.Action)+"%")
	}
	if f.Object != "" {
		w.add("object = ?", f.Object)
	}
	if f.ObjectID != "" {
		w.add("object_id = ?", f.ObjectID)
	}
	if !f.Since.IsZero() {
		w.add("at >= ?", f.Since.UTC())
	}
	if !f.Until.IsZero() {
		w.add("at < ?", f.Until.UTC())
	}
	return page(ctx, db, "audit_log", `SELECT `+auditCols+` FROM audit_log`, &w, "seq DESC", f.Page,
		func(rows *sql.Rows) (wangge.AuditEntry, error) { return deref(scanAudit(rows)) })
}

// VerifyAudit walks the chain from the start. An entry fails when its
// sequence is not the next one, its previous hash is not the hash of the
// entry before, or its own hash does not match its fields. The head's
// sequence and hash must match the last entry, so deleting the tail shows.
func (db *DB) VerifyAudit(ctx context.Context) (bad int64, checked int64, err error) {
	rows, err := db.query(ctx, `SELECT `+auditCols+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	var prev []byte
	var seq int64
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return 0, checked, err
		}
		seq++
		checked++
		if e.Seq != seq || !bytes.Equal(e.PrevHash, prev) || !bytes.Equal(e.ComputeHash(), e.Hash) {
			return seq, checked, nil
		}
		prev = e.Hash
	}
	if err := rows.Err(); err != nil {
		return 0, checked, err
	}
	var headSeq int64
	var headHash []byte
	if err := db.queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
		return 0, checked, err
	}
	if headSeq != seq || !bytes.Equal(headHash, prev) {
		return seq + 1, checked, nil
	}
	return 0, checked, nil
}

// HouseholdChanges reads the change record of a household's file. The
// household and its persons are read within the scope first, so the
// entries are only those about objects the caller may read; the entries
// are then found through the (object, object_id) index.
func (db *DB) HouseholdChanges(ctx context.Context, s wangge.Scope, householdID int64, p wangge.Page) ([]wangge.AuditEntry, int, error) {
	c, a := people("grid_code", s)
	var id int64
	err := db.queryRow(ctx, `SELECT id FROM households WHERE id = ? AND `+c, append([]any{householdID}, a...)...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil
	} else if err != nil {
		return nil, 0, err
	}
	persons, err := collect(ctx, db, `SELECT id FROM persons WHERE household_id = ? AND `+c+` ORDER BY id`, append([]any{householdID}, a...),
		func(rows *sql.Rows) (string, error) {
			var id int64
			err := rows.Scan(&id)
			return strconv.FormatInt(id, 10), err
		})
	if err != nil {
		return nil, 0, err
	}
	about := "object = 'household' AND object_id = ?"
	args := []any{strconv.FormatInt(householdID, 10)}
	if len(persons) > 0 {
		about = "(" + about + " OR object = 'person' AND object_id IN (" + marks(len(persons)) + "))"
		for _, p := range persons {
			args = append(args, p)
		}
	}
	var w where
	w.add(about, args...)
	actions := make([]any, len(wangge.HouseholdChangeActions))
	for i, x := range wangge.HouseholdChangeActions {
		actions[i] = x
	}
	w.add("action IN ("+marks(len(actions))+")", actions...)
	return page(ctx, db, "audit_log", `SELECT `+auditCols+` FROM audit_log`, &w, "seq DESC", p,
		func(rows *sql.Rows) (wangge.AuditEntry, error) { return deref(scanAudit(rows)) })
}
