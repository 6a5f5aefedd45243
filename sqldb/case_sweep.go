package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

// What runs in the server beside the requests: the escalation of overdue
// cases (the emergency timer among them) and the feed of case changes the
// live pages follow. Both must hold with several servers on one
// PostgreSQL: an escalation is a versioned write like any transition, so
// only one server's lands; the feed reads the audit chain, whose sequence
// numbers every server's changes share in commit order.

// EscalateBatchMax bounds the escalations of one sweep: a backlog (a
// server that was down over a weekend) is worked off a batch a tick, so no
// sweep holds the writer long.
const EscalateBatchMax = 100

// systemActor is who escalates: the server itself.
var systemActor = casework.Actor{Role: wangge.RoleSystem}

// openStateArgs lists the open states for an IN list: with the state
// first in the cases_state index, the running deadlines are a few range
// scans rather than the whole table.
func openStateArgs() (string, []any) {
	var args []any
	for _, s := range casework.States {
		if s.Open() {
			args = append(args, string(s))
		}
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", "), args
}

// EscalateDue escalates up to limit open cases whose running deadline ran
// out by the store's clock (an emergency nobody acknowledged, any step
// overdue), each through the engine as the system actor, in a transaction
// of its own that writes the case under its version, its event and one
// audit entry — the path of ApplyCase. A case another server escalated or
// someone acted on meanwhile loses the version race or is no longer
// overdue: it is skipped, not an error. Cases at the district level have
// nowhere to go and are left out of the query. It returns how many cases
// it escalated.
func (db *DB) EscalateDue(ctx context.Context, limit int) (int, error) {
	eng, err := db.caseEngine()
	if err != nil {
		return 0, err
	}
	if limit <= 0 || limit > EscalateBatchMax {
		limit = EscalateBatchMax
	}
	in, args := openStateArgs()
	args = append(args, ts(db.now()), int(wangge.LevelDistrict), limit)
	ids, err := collect(ctx, db, `SELECT id FROM cases WHERE state IN (`+in+`) AND due_at <= ? AND level > ? ORDER BY due_at, id LIMIT ?`, args,
		func(rows *sql.Rows) (int64, error) {
			var id int64
			err := rows.Scan(&id)
			return id, err
		})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		done, err := db.escalate(ctx, eng, id)
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
	}
	return n, nil
}

// escalate escalates one case if the engine still finds it overdue.
func (db *DB) escalate(ctx context.Context, eng *casework.Engine, id int64) (bool, error) {
	err := db.inTx(ctx, func(tx *Tx) error {
		tx.actor = auditActor(tx.actor, systemActor)
		c, err := tx.caseByID(id)
		if err != nil {
			return err
		}
		r := &caseRow{id: id, c: c}
		version, before := c.Version, len(c.Events)
		ev, err := eng.Apply(c, systemActor, casework.Action{Name: casework.ActEscalate}, tx.now)
		if err != nil {
			return err
		}
		if err := tx.saveCase(r, version, before); err != nil {
			return err
		}
		return tx.audit("case."+string(ev.Action), "case", c.Number, c.Location.GridCode, jsonDetail(map[string]any{
			"action": ev.Action, "from": ev.From, "to": ev.To, "seq": ev.Seq, "level": ev.Level}))
	})
	var we *wangge.Error
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, wangge.ErrConflict), errors.Is(err, wangge.ErrNotFound):
		// Another server escalated it, or someone acted on it, since the
		// list was read.
		return false, nil
	case errors.As(err, &we) && we.Code != wangge.EInternal:
		// The engine no longer finds it overdue (acknowledged, deadline
		// moved) or it reached the top meanwhile.
		return false, nil
	}
	return false, err
}

// CaseChangeHead returns the sequence number of the newest entry of the
// audit chain: one row read, cheap enough to poll twice a second, and it
// moves with every case change any server commits.
func (db *DB) CaseChangeHead(ctx context.Context) (int64, error) {
	var seq int64
	err := db.queryRow(ctx, `SELECT seq FROM audit_head WHERE id = 1`).Scan(&seq)
	return seq, err
}

// CaseChangesMax bounds the changes one call of CaseChangesAfter returns.
const CaseChangesMax = 200

// caseChangeActions are the audit actions that change a case: its create,
// every action of the engine, an attachment. Views of a case are left out,
// so that a page reloading itself on a change never feeds the feed.
func caseChangeActions() (string, []any) {
	args := []any{"case." + string(casework.ActCreate), "case.attach"}
	for _, a := range casework.Actions {
		args = append(args, "case."+string(a))
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", "), args
}

// CaseChangesAfter returns up to limit case changes committed after the
// audit entry after, oldest first, each with the case as it stands now
// (no timeline, no contact). It reads no actor's scope: it is the feed a
// server's hub filters per listener with CasesSeen, and hands nothing to
// anyone itself.
func (db *DB) CaseChangesAfter(ctx context.Context, after int64, limit int) ([]casework.Change, error) {
	if limit <= 0 || limit > CaseChangesMax {
		limit = CaseChangesMax
	}
	in, args := caseChangeActions()
	args = append([]any{after}, args...)
	args = append(args, limit)
	rows, err := db.query(ctx, `SELECT a.seq, a.action, `+caseCols+` FROM audit_log a
		JOIN cases c ON c.district_code = substr(a.grid_code, 1, 6) AND c.number = a.object_id
		WHERE a.seq > ? AND a.object = 'case' AND a.action IN (`+in+`) ORDER BY a.seq LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []casework.Change
	for rows.Next() {
		var ch casework.Change
		var action string
		var r caseRow
		var version int
		var doc string
		var contact []byte
		if err := rows.Scan(&ch.Seq, &action, &r.id, &version, &doc, &contact); err != nil {
			return nil, err
		}
		c, err := caseOfDoc(doc, version)
		if err != nil {
			return nil, err
		}
		ch.Action, ch.ID, ch.Case = casework.ActionName(strings.TrimPrefix(action, "case.")), r.id, *c
		out = append(out, ch)
	}
	return out, rows.Err()
}

// caseOfDoc reads a case's document without its contact.
func caseOfDoc(doc string, version int) (*casework.Case, error) {
	var c casework.Case
	if err := json.Unmarshal([]byte(doc), &c); err != nil {
		return nil, err
	}
	c.Version = version
	return &c, nil
}

// CasesSeen returns which of the cases (by row id) the actor sees: the
// scope check of the live feed, the rule of every other case read.
func (db *DB) CasesSeen(ctx context.Context, a casework.Actor, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), CaseChangesMax)]
		ids = ids[len(batch):]
		cond, args := caseVisible(a)
		in := strings.TrimSuffix(strings.Repeat("?, ", len(batch)), ", ")
		q := `SELECT c.id FROM cases c WHERE c.id IN (` + in + `) AND ` + cond
		all := make([]any, 0, len(batch)+len(args))
		for _, id := range batch {
			all = append(all, id)
		}
		seen, err := collect(ctx, db, q, append(all, args...), func(rows *sql.Rows) (int64, error) {
			var id int64
			err := rows.Scan(&id)
			return id, err
		})
		if err != nil {
			return nil, err
		}
		for _, id := range seen {
			out[id] = true
		}
	}
	return out, nil
}
