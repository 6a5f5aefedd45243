package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/ident"
)

// The outbox (migration 00017): messages to reporters, queued by the
// transaction that changed the case, so a message exists exactly when its
// change was committed; a sender outside the store claims them under a
// lease and marks each sent or failed (package outbox).

// fOutboxRecipient is the field the recipient's phone is sealed under
// (outbox.recipient_enc, which a key rotation finds by its name).
const fOutboxRecipient = "outbox.recipient"

// messageLang is the language a message is sent in when nothing says
// which the reporter reads.
const messageLang = "zh"

// lastErrorMax bounds the kept text of a failed delivery, in bytes: a
// gateway's answer is the sender's to judge, not the store's to keep whole.
const lastErrorMax = 500

// outboxWake returns the channel that receives a value soon after this
// store committed a transaction that queued a message.
func (db *DB) outboxWake() chan struct{} {
	db.wakeOnce.Do(func() { db.wake = make(chan struct{}, 1) })
	return db.wake
}

// MessagesQueued returns a channel that receives a value soon after this
// store queued a message, so a worker in the same process sends at once
// instead of at its next poll (other servers' messages wait for the poll).
func (db *DB) MessagesQueued() <-chan struct{} { return db.outboxWake() }

// recipient is one phone a case's event is told to, on the case the
// recipient was given the number of (its own, for a merged duplicate's),
// in the recipient's language ("" for the case's reporter's, looked up
// when the message is sent: a public report's tracker, which holds it, is
// written after the case's create queued its "received").
type recipient struct {
	caseID int64
	number string
	phone  string
	lang   string
}

// messagePhone is the contact as a number a short message reaches: only a
// mobile counts (a landline cannot take one, and a contact may be words
// such as "ask at the gate", or an email).
func messagePhone(contact string) (string, bool) {
	if contact == "" {
		return "", false
	}
	p, err := ident.ParsePhone(contact)
	if err != nil || !p.IsMobile() {
		return "", false
	}
	return string(p), true
}

// enqueueCaseMessages queues the messages a case's event sends, within the
// transaction that wrote the event: to the case's reporter when the
// contact is a mobile, to the residents who added "me too" with one (the
// case's follower trackers), and at the close also to the reporters and
// followers of the cases merged into it (their contacts are on their own
// rows). A phone hears an event once, however many of these it is.
func (tx *Tx) enqueueCaseMessages(caseID int64, c *casework.Case, ev casework.Event) error {
	kind, ok := casework.MessageKindOf(ev.Action)
	if !ok {
		return nil
	}
	var to []recipient
	seen := map[string]bool{}
	add := func(r recipient) {
		if !seen[r.phone] {
			seen[r.phone] = true
			to = append(to, r)
		}
	}
	if p, ok := messagePhone(c.Reporter.Contact); ok {
		add(recipient{caseID, c.Number, p, ""})
	}
	if err := tx.followersOf(caseID, c.Number, add); err != nil {
		return err
	}
	district := c.Location.GridCode[:6]
	if kind == wangge.MessageClosed {
		for _, d := range c.Duplicates {
			var id int64
			var sealed []byte
			err := tx.queryRow(`SELECT id, reporter_contact_enc FROM cases WHERE district_code = ? AND number = ?`, district, d.Number).Scan(&id, &sealed)
			if errors.Is(err, sql.ErrNoRows) {
				continue // a store that lost the row: nobody to tell
			}
			if err != nil {
				return err
			}
			if sealed != nil {
				contact, err := tx.db.clearContact(sealed)
				if err != nil {
					return err
				}
				if p, ok := messagePhone(contact); ok {
					add(recipient{id, d.Number, p, ""})
				}
			}
			if err := tx.followersOf(id, d.Number, add); err != nil {
				return err
			}
		}
	}
	for i, r := range to {
		// Stable: the same event's message to the same recipient has one
		// id whichever server sends it and however often.
		if err := tx.queueMessage(fmt.Sprintf("%s-%s-%d-%d", district, c.Number, ev.Seq, i), r, kind); err != nil {
			return err
		}
	}
	return nil
}

// enqueueFollowed queues "received" to a resident who added "me too" with
// a mobile: their report was taken in, as the case's, and they hear the
// rest of it with its other reporters. The id names the tracker, so two
// residents following at once get one message each.
func (tx *Tx) enqueueFollowed(caseID int64, c *casework.Case, tracker int64, phone, lang string) error {
	p, ok := messagePhone(phone)
	if !ok {
		return nil
	}
	// A phone already on the case (its reporter's, or an earlier "me too")
	// heard "received" before: a phone hears an event once.
	var sealed []byte
	if err := tx.queryRow(`SELECT reporter_contact_enc FROM cases WHERE id = ?`, caseID).Scan(&sealed); err != nil {
		return err
	}
	if sealed != nil {
		contact, err := tx.db.clearContact(sealed)
		if err != nil {
			return err
		}
		if q, ok := messagePhone(contact); ok && q == p {
			return nil
		}
	}
	same := 0
	if err := tx.followersOf(caseID, c.Number, func(r recipient) {
		if r.phone == p {
			same++
		}
	}); err != nil {
		return err
	}
	if same > 1 { // this tracker is one of them
		return nil
	}
	mid := fmt.Sprintf("%s-%s-follow-%d", c.Location.GridCode[:6], c.Number, tracker)
	return tx.queueMessage(mid, recipient{caseID, c.Number, p, lang}, wangge.MessageReceived)
}

// queueMessage writes one message to the outbox, its recipient sealed.
func (tx *Tx) queueMessage(mid string, r recipient, kind wangge.MessageKind) error {
	if _, err := tx.exec(`INSERT INTO outbox (message_id, case_id, case_number, kind, recipient_enc, lang, state, created_at, attempts, next_attempt_at)
		VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, 0, ?)`,
		mid, r.caseID, r.number, string(kind), tx.db.box.Seal(fOutboxRecipient, r.phone), r.lang, tx.now, tx.now); err != nil {
		return err
	}
	tx.queued = true
	return nil
}

// followersOf passes on the followers of a case who left a mobile, oldest
// first, each in the language they chose.
func (tx *Tx) followersOf(caseID int64, number string, add func(recipient)) error {
	rows, err := tx.query(`SELECT phone_enc, lang FROM case_trackers WHERE case_id = ? AND kind = ? AND phone_enc IS NOT NULL ORDER BY id`, caseID, casework.TrackerFollower)
	if err != nil {
		return err
	}
	type follower struct {
		sealed []byte
		lang   string
	}
	var fs []follower
	for rows.Next() {
		var f follower
		if err := rows.Scan(&f.sealed, &f.lang); err != nil {
			rows.Close()
			return err
		}
		fs = append(fs, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, f := range fs {
		phone, err := tx.db.box.Open(fTrackerPhone, f.sealed)
		if err != nil {
			return err
		}
		if p, ok := messagePhone(phone); ok {
			add(recipient{caseID, number, p, f.lang})
		}
	}
	return nil
}

// ClaimMessages claims up to n messages due now, oldest due first, for
// lease: until it runs out no other claim (by this server or another)
// returns them, and when it does — the sender died or hung — they are due
// again. Each claim counts as an attempt. The recipients come in clear:
// the caller is the sender.
func (db *DB) ClaimMessages(ctx context.Context, n int, lease time.Duration) ([]wangge.Message, error) {
	if n <= 0 || lease <= 0 {
		return nil, nil
	}
	n = min(n, 1000)
	var out []wangge.Message
	err := db.inTx(ctx, func(tx *Tx) error {
		out = out[:0]
		// PostgreSQL: rows another server is claiming right now are skipped,
		// not waited for; SQLite has one writer, which serialises claims.
		lock := ""
		if db.d.Name == "postgres" {
			lock = " FOR UPDATE SKIP LOCKED"
		}
		rows, err := tx.query(`UPDATE outbox SET lease_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM outbox WHERE state = 'queued' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
				ORDER BY next_attempt_at, id LIMIT ?`+lock+`)
			AND state = 'queued' AND (lease_until IS NULL OR lease_until <= ?)
			RETURNING id, message_id, case_id, kind, case_number, recipient_enc, lang, created_at, attempts`,
			ts(tx.now.Add(lease)), tx.now, tx.now, n, tx.now)
		if err != nil {
			return err
		}
		var caseIDs []int64
		for rows.Next() {
			var m wangge.Message
			var caseID int64
			var kind string
			var sealed []byte
			var created timeValue
			if err := rows.Scan(&m.ID, &m.MessageID, &caseID, &kind, &m.Case, &sealed, &m.Lang, &created, &m.Attempts); err != nil {
				rows.Close()
				return err
			}
			m.Kind, m.CreatedAt = wangge.MessageKind(kind), created.Time
			if m.To, err = db.box.Open(fOutboxRecipient, sealed); err != nil {
				rows.Close()
				return err
			}
			out = append(out, m)
			caseIDs = append(caseIDs, caseID)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// A reporter's message speaks the language of the reporter's
		// tracker, Chinese when there is none (a case staff opened).
		for i := range out {
			if out[i].Lang != "" {
				continue
			}
			err := tx.queryRow(`SELECT lang FROM case_trackers WHERE case_id = ? AND kind = ? ORDER BY id LIMIT 1`, caseIDs[i], casework.TrackerReporter).Scan(&out[i].Lang)
			if errors.Is(err, sql.ErrNoRows) || err == nil && out[i].Lang == "" {
				out[i].Lang = messageLang
			} else if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// RETURNING gives the rows in no promised order; the sender goes by the
	// order they were queued in, so a case's "received" leaves before its "dispatched".
	slices.SortFunc(out, func(a, b wangge.Message) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// MessageSent marks a message delivered and forgets its recipient: the
// phone stays on the case, the outbox needs it no longer. A message already marked (a
// sender whose lease ran out while another delivered it too) stays sent.
func (db *DB) MessageSent(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(`UPDATE outbox SET state = 'sent', sent_at = COALESCE(sent_at, ?), lease_until = NULL, last_error = '', recipient_enc = NULL WHERE id = ?`, tx.now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return wangge.ErrNotFound
		}
		return nil
	})
}

// MessageFailed records a failed delivery and when to try again; after
// wangge.MessageAttemptsMax attempts the message is kept as failed (its
// recipient forgotten) and tried no more. A message another sender delivered meanwhile stays sent.
func (db *DB) MessageFailed(ctx context.Context, id int64, errText string, next time.Time) error {
	errText = truncateUTF8(errText, lastErrorMax)
	return db.inTx(ctx, func(tx *Tx) error {
		var state string
		var attempts int
		err := tx.queryRow(`SELECT state, attempts FROM outbox WHERE id = ?`, id).Scan(&state, &attempts)
		if errors.Is(err, sql.ErrNoRows) {
			return wangge.ErrNotFound
		}
		if err != nil || state != "queued" {
			return err
		}
		if attempts >= wangge.MessageAttemptsMax {
			_, err = tx.exec(`UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = ?, recipient_enc = NULL WHERE id = ? AND state = 'queued'`, errText, id)
			return err
		}
		_, err = tx.exec(`UPDATE outbox SET next_attempt_at = ?, lease_until = NULL, last_error = ? WHERE id = ? AND state = 'queued'`, ts(next), errText, id)
		return err
	})
}

// OutboxCounts counts the outbox's messages by state.
func (db *DB) OutboxCounts(ctx context.Context) (wangge.OutboxCounts, error) {
	var c wangge.OutboxCounts
	rows, err := db.query(ctx, `SELECT state, COUNT(*) FROM outbox GROUP BY state`)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return c, err
		}
		switch state {
		case "queued":
			c.Queued = n
		case "sent":
			c.Sent = n
		case "failed":
			c.Failed = n
		}
	}
	return c, rows.Err()
}

// truncateUTF8 cuts s to at most n bytes on a character boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
