package sqldb

import (
	"context"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

// revealActions are the audit actions that count against the hourly
// reveal limit: a resident's ID number or phone, a reporter's contact.
// One limit for both, so that nobody reads out phone numbers through
// cases once the people pages stop them.
const revealActions = `'person.reveal', 'case.reveal'`

// revealsLastHour counts the reveals of the transaction's actor within the
// hour before its time. It takes the audit head first, as
// AuditPersonalExport does: a second reveal at the same moment waits here
// and then counts this one.
func (tx *Tx) revealsLastHour() (int, error) {
	if _, err := tx.exec(`UPDATE audit_head SET seq = seq WHERE id = 1`); err != nil {
		return 0, err
	}
	col, who := "username", any(tx.actor.Username)
	if tx.actor.Username == "" {
		// An actor known only by id (a case actor whose request named no
		// account): its own entries carry the id.
		col, who = "user_id", tx.actor.UserID
	}
	var n int
	err := tx.queryRow(`SELECT COUNT(*) FROM audit_log WHERE `+col+` = ? AND action IN (`+revealActions+`) AND at >= ?`,
		who, tx.now.Add(-time.Hour)).Scan(&n)
	return n, err
}

// RevealCaseContact returns the reporter's contact of a case the actor
// sees, in clear, for a reason: the reveal is audited in the same
// transaction and counts against the actor's hourly reveal limit
// (wangge.CheckRevealRate), the one a person's reveal counts against. A
// case without a contact is refused before anything is recorded.
func (db *DB) RevealCaseContact(ctx context.Context, a casework.Actor, number, reason string) (string, error) {
	reason, err := wangge.CheckReason(reason)
	if err != nil {
		return "", err
	}
	var contact string
	err = db.inTx(ctx, func(tx *Tx) error {
		tx.actor = auditActor(tx.actor, a)
		n, err := tx.revealsLastHour()
		if err != nil {
			return err
		}
		if err := wangge.CheckRevealRate(tx.actor, n); err != nil {
			return err
		}
		r, err := tx.loadCase(a, number)
		if err != nil {
			return err
		}
		if r.c.Reporter.Contact == "" {
			return wangge.E(wangge.EInvalid, "error.case.no_contact")
		}
		contact = r.c.Reporter.Contact
		return tx.audit("case.reveal", "case", r.c.Number, r.c.Location.GridCode, jsonDetail(map[string]any{"reason": reason}))
	})
	if err != nil {
		return "", err
	}
	return contact, nil
}
