package sqldb

import (
	"bytes"
	"context"
	"database/sql"

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
