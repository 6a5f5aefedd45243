package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/wangge/wangge"
)

// Ledger change proposals (migration 00013): what a visit found changed in
// a household, waiting for community staff to confirm or refuse, or for
// the assistant to apply within their own grid. Confirming applies what
// the ledger can take without a person's judgement — a new phone, the end
// of a member's key-group memberships after a move-out or a death — and
// leaves the rest (a newcomer needs an ID number; removing a person needs
// a reason of its own) confirmed for staff to edit by hand.

// fLedgerPhone seals a proposed phone (ledger_changes.detail_enc).
const fLedgerPhone = "ledger_changes.detail"

const ledgerChangeCols = `lc.id, lc.household_id, lc.visit_id, lc.grid_code, lc.kind, lc.person_id, COALESCE(p.name, ''), lc.name, lc.detail, lc.detail_enc,
	lc.state, lc.proposed_by, lc.proposed_name, lc.proposed_at, lc.decided_by, lc.decided_name, lc.decided_at, lc.reason, lc.version,
	COALESCE(b.name, ''), COALESCE(h.room, '')`

const ledgerChangeFrom = `ledger_changes lc LEFT JOIN persons p ON p.id = lc.person_id
	LEFT JOIN households h ON h.id = lc.household_id LEFT JOIN buildings b ON b.id = h.building_id`

// scanLedgerChange reads a proposal; a phone comes out masked.
func (db *DB) scanLedgerChange(row interface{ Scan(...any) error }) (*wangge.LedgerChange, error) {
	var c wangge.LedgerChange
	var visit, person, decidedBy sql.Null[int64]
	var sealed []byte
	var kind, state string
	var proposed, decided timeValue
	if err := row.Scan(&c.ID, &c.HouseholdID, &visit, &c.GridCode, &kind, &person, &c.PersonName, &c.Name, &c.Detail, &sealed,
		&state, &c.ProposedBy, &c.ProposedByName, &proposed, &decidedBy, &c.DecidedByName, &decided, &c.Reason, &c.Version,
		&c.Building, &c.Room); err != nil {
		return nil, err
	}
	c.Kind, c.State = wangge.LedgerChangeKind(kind), wangge.LedgerChangeState(state)
	c.VisitID, c.PersonID, c.DecidedBy = visit.V, ptrInt(person), decidedBy.V
	c.ProposedAt = proposed.Time
	if !decided.IsZero() {
		t := decided.Time
		c.DecidedAt = &t
	}
	if sealed != nil {
		phone, err := db.box.Open(fLedgerPhone, sealed)
		if err != nil {
			return nil, err
		}
		c.Detail = maskPhone(phone)
	}
	return &c, nil
}

// insertLedgerChange writes one proposal of a visit in the visit's
// transaction: the household is the visit's, a member it names must be in
// that household, and the proposal is audited on the household's file.
func (tx *Tx) insertLedgerChange(c *wangge.LedgerChange, proposerName string) error {
	if err := c.Normalize(); err != nil {
		return err
	}
	if c.PersonID != nil {
		var household int64
		err := tx.queryRow(`SELECT household_id FROM persons WHERE id = ?`, *c.PersonID).Scan(&household)
		if errors.Is(err, sql.ErrNoRows) || err == nil && household != c.HouseholdID {
			return wangge.Invalid("person_id", "error.ledger_change.person_not_member")
		} else if err != nil {
			return err
		}
	}
	detail, sealed := c.Detail, []byte(nil)
	if c.Kind == wangge.LedgerPhone {
		detail, sealed = "", tx.db.box.Seal(fLedgerPhone, c.Detail)
		c.Detail = maskPhone(c.Detail)
	}
	c.State, c.ProposedAt, c.Version = wangge.LedgerProposed, tx.now, 1
	c.ProposedBy, c.ProposedByName = tx.actor.UserID, proposerName
	if err := tx.queryRow(`INSERT INTO ledger_changes (household_id, visit_id, grid_code, kind, person_id, name, detail, detail_enc, state,
		proposed_by, proposed_name, proposed_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id`,
		c.HouseholdID, c.VisitID, c.GridCode, string(c.Kind), nullInt(c.PersonID), c.Name, detail, sealed, string(c.State),
		c.ProposedBy, proposerName, tx.now).Scan(&c.ID); err != nil {
		return tx.db.classify(err)
	}
	return tx.audit("ledger_change.propose", "household", c.HouseholdID, c.GridCode, jsonDetail(map[string]any{
		"ledger_change": c.ID, "kind": c.Kind, "person_id": c.PersonID, "visit_id": c.VisitID}))
}

// LedgerChange returns one proposal within the scope.
func (db *DB) LedgerChange(ctx context.Context, s wangge.Scope, id int64) (*wangge.LedgerChange, error) {
	c, a := people("lc.grid_code", s)
	out, err := db.scanLedgerChange(db.queryRow(ctx, `SELECT `+ledgerChangeCols+` FROM `+ledgerChangeFrom+` WHERE lc.id = ? AND `+c, append([]any{id}, a...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	}
	return out, err
}

// ListLedgerChanges lists the proposals within the scope, those waiting
// first and oldest first among them (the order staff work them in), then
// the decided ones latest first.
func (db *DB) ListLedgerChanges(ctx context.Context, s wangge.Scope, f wangge.LedgerChangeFilter) ([]wangge.LedgerChange, int, error) {
	if f.State != "" && !f.State.Valid() {
		return nil, 0, wangge.Invalid("state", "error.ledger_change.state")
	}
	var w where
	w.people("lc.grid_code", s.Narrow(f.GridCode))
	if f.State != "" {
		w.add("lc.state = ?", string(f.State))
	}
	if f.HouseholdID != 0 {
		w.add("lc.household_id = ?", f.HouseholdID)
	}
	return page(ctx, db, "ledger_changes lc", `SELECT `+ledgerChangeCols+` FROM `+ledgerChangeFrom, &w,
		"CASE WHEN lc.state = 'proposed' THEN 0 ELSE 1 END, CASE WHEN lc.state = 'proposed' THEN lc.id ELSE -lc.id END", f.Page,
		func(rows *sql.Rows) (wangge.LedgerChange, error) { return deref(db.scanLedgerChange(rows)) })
}

// DecideLedgerChange confirms or refuses a proposal the scope may change,
// at the version read: a confirmation applies what can be applied, and
// the decision is audited on the household's file, all in one
// transaction. A proposal already decided is a conflict.
func (db *DB) DecideLedgerChange(ctx context.Context, s wangge.Scope, d wangge.LedgerDecision) (*wangge.LedgerChange, error) {
	reason := ""
	if !d.Confirm {
		var err error
		if reason, err = wangge.CheckReason(d.Reason); err != nil {
			return nil, err
		}
	}
	var out *wangge.LedgerChange
	err := db.inTx(ctx, func(tx *Tx) error {
		var grid, kind, state string
		var household int64
		var person sql.Null[int64]
		var sealed []byte
		var version int
		err := tx.queryRow(`SELECT grid_code, household_id, kind, person_id, detail_enc, state, version FROM ledger_changes WHERE id = ?`, d.ID).
			Scan(&grid, &household, &kind, &person, &sealed, &state, &version)
		if errors.Is(err, sql.ErrNoRows) {
			return wangge.ErrNotFound
		} else if err != nil {
			return err
		}
		if err := mayChange(s, grid, wangge.ErrNotFound); err != nil {
			return err
		}
		if version != d.Version || state != string(wangge.LedgerProposed) {
			return wangge.E(wangge.EConflict, "error.ledger_change.decided")
		}
		to, action, detail := wangge.LedgerRefused, "ledger_change.refuse", map[string]any{"ledger_change": d.ID, "kind": kind, "reason": reason}
		if d.Confirm {
			to, action = wangge.LedgerConfirmed, "ledger_change.confirm"
			applied, err := tx.applyLedgerChange(wangge.LedgerChangeKind(kind), household, person, sealed, detail)
			if err != nil {
				return err
			}
			if applied {
				to, action = wangge.LedgerApplied, "ledger_change.apply"
			}
		}
		if err := tx.update("ledger_changes", "id", d.ID, `UPDATE ledger_changes SET state = ?, decided_by = ?, decided_name = ?, decided_at = ?, reason = ?,
			version = version + 1 WHERE id = ? AND version = ?`, string(to), tx.actor.UserID, d.ByName, tx.now, reason, d.ID, d.Version); err != nil {
			return err
		}
		detail["state"] = to
		if err := tx.audit(action, "household", household, grid, jsonDetail(detail)); err != nil {
			return err
		}
		out, err = tx.db.scanLedgerChange(tx.queryRow(`SELECT `+ledgerChangeCols+` FROM `+ledgerChangeFrom+` WHERE lc.id = ?`, d.ID))
		return err
	})
	return out, err
}

// applyLedgerChange writes what a confirmed proposal can change by itself
// and reports whether the ledger now says all of it. The member must
// still be in the household the proposal is about.
func (tx *Tx) applyLedgerChange(kind wangge.LedgerChangeKind, household int64, person sql.Null[int64], sealed []byte, detail map[string]any) (bool, error) {
	if !kind.NamesPerson() {
		return false, nil // a newcomer needs an ID number; staff add the person
	}
	if !person.Valid {
		return false, wangge.E(wangge.EConflict, "error.ledger_change.person_gone")
	}
	var in int64
	err := tx.queryRow(`SELECT household_id FROM persons WHERE id = ?`, person.V).Scan(&in)
	if errors.Is(err, sql.ErrNoRows) || err == nil && in != household {
		return false, wangge.E(wangge.EConflict, "error.ledger_change.person_gone")
	} else if err != nil {
		return false, err
	}
	switch kind {
	case wangge.LedgerPhone:
		phone, err := tx.db.box.Open(fLedgerPhone, sealed)
		if err != nil {
			return false, err
		}
		if _, err := tx.exec(`UPDATE persons SET phone_enc = ?, phone_idx = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			tx.db.box.Seal(fPersonPhone, phone), tx.db.box.Index(fPersonPhone, phone), tx.now, person.V); err != nil {
			return false, err
		}
		detail["person_id"] = person.V
		return true, nil
	default:
		// Moved out or died: the key groups no longer follow the person
		// (no more visits as elderly living alone); the person's own row
		// stays for staff to move or remove with a reason.
		today := date(tx.now.In(chinaTime))
		res, err := tx.exec(`UPDATE memberships SET left_on = ?, version = version + 1, updated_at = ? WHERE person_id = ? AND left_on IS NULL AND joined <= ?`,
			today, tx.now, person.V, today)
		if err != nil {
			return false, err
		}
		n, _ := res.RowsAffected()
		detail["person_id"], detail["memberships_ended"], detail["left"] = person.V, n, today.Format(time.DateOnly)
		return false, nil
	}
}
