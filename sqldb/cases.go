package sqldb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/attach"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/workcal"
)

// The store keeps a case as the engine's document plus the columns the
// board filters and the scope reads (migration 00010): the engine decides
// every transition, the store reads the case, lets casework.Engine.Apply
// change it and writes it back under its version.

var _ casework.Store = (*DB)(nil)

// Field names of the sealed and keyed case values.
const (
	fCaseContact = "cases.reporter_contact" // *_enc: a key rotation finds it by name
	fCaseRequest = "case_requests.request"
)

// IdempotencyKeyMax bounds an Idempotency-Key, in bytes.
const IdempotencyKeyMax = 200

// caseEngines holds the engine UseCaseEngine set; without one the engine
// is built from the district's settings (case_settings.go).
type caseEngines struct {
	once sync.Once
	e    *casework.Engine
}

// UseCaseEngine sets the engine cases are opened and changed with (a
// district's limits, reopen window and approval chain, its calendar).
func (db *DB) UseCaseEngine(e *casework.Engine) {
	db.engines.once.Do(func() {})
	db.engines.e = e
}

// CaseEngine returns the engine the store opens and changes cases with,
// for what a page shows before anyone acts: the actions a viewer may take
// (Allowed) and the deadlines' lights.
func (db *DB) CaseEngine(ctx context.Context) (*casework.Engine, error) {
	return db.caseEngine()
}

func (db *DB) caseEngine() (*casework.Engine, error) {
	if e := db.engines.e; e != nil {
		return e, nil // UseCaseEngine's, which no setting changes
	}
	// The district's settings, rebuilt when they changed (case_settings.go);
	// the callers hold no context, and the read is one row by its key.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e, _, err := db.caseConfig(ctx)
	return e, err
}

// workClock is the work calendar as the engine's clock.
type workClock struct{ cal *workcal.Calendar }

func (w workClock) Add(from time.Time, d casework.Duration) time.Time {
	t, err := w.cal.Due(from, workcal.Limit{N: d.N, Unit: workcal.Unit(d.Unit)}, nil)
	if err != nil {
		// The engine's limits are its own constants and validated
		// settings; a unit the calendar does not know runs out at once
		// rather than never.
		return from
	}
	return t
}

// Light is the calendar's light of a limit counted in unit u.
func (w workClock) Light(start, due, now time.Time, u casework.Unit) casework.Light {
	switch w.cal.Light(start, due, now, workcal.Unit(u), nil) {
	case workcal.Red:
		return casework.Red
	case workcal.Yellow:
		return casework.Yellow
	}
	return casework.Green
}

// caseVisible is casework's Actor.Sees as a condition on cases c.
func caseVisible(a casework.Actor) (string, []any) {
	lo, hi := wangge.ScopeOf(a.ScopeCode).Range()
	switch a.Role {
	case wangge.RoleSystem:
		return "1 = 1", nil
	case wangge.RoleAssistant, wangge.RoleCommunityStaff, wangge.RoleSubdistrictStaff, wangge.RoleDistrictAdmin:
		return "c.grid_code BETWEEN ? AND ?", []any{lo, hi}
	case wangge.RoleDepartment:
		if a.Line != "" {
			return "c.grid_code BETWEEN ? AND ? AND (c.receiver_line = ? OR c.line = ?)", []any{lo, hi, string(a.Line), string(a.Line)}
		}
	case wangge.RoleBuildingHead:
		if a.UserID != 0 {
			return "c.reporter_user_id = ?", []any{a.UserID}
		}
	}
	return "1 = 0", nil
}

// auditActor is who a case write's audit entry names: the case actor the
// engine decided for, with the request's username and address when the
// context's actor is the same account (the usual case: the handler passes
// both from one session; otherwise the username is left empty rather than
// guessed), so the chain never credits one account with another's action.
func auditActor(ctxActor wangge.Actor, a casework.Actor) wangge.Actor {
	out := wangge.Actor{UserID: a.UserID, Role: a.Role}
	if a.Role == wangge.RoleSystem && a.UserID == 0 {
		out.Username = "system"
	}
	if ctxActor.UserID == a.UserID && ctxActor.Role == a.Role {
		out.Username, out.Addr = ctxActor.Username, ctxActor.Addr
	}
	return out
}

// caseRow is a case as read for a change: its row id and the contact in
// clear, which the engine needs (feedback to a reporter who left one).
type caseRow struct {
	id int64
	c  *casework.Case
}

const caseCols = `c.id, c.version, c.doc, c.reporter_contact_enc`

// scanCase reads a case's columns; open turns the sealed contact into
// what the reader gets (masked, or in clear for the engine).
func (db *DB) scanCase(row interface{ Scan(...any) error }, open func([]byte) (string, error)) (*caseRow, error) {
	var r caseRow
	var version int
	var doc string
	var contact []byte
	if err := row.Scan(&r.id, &version, &doc, &contact); err != nil {
		return nil, err
	}
	r.c = new(casework.Case)
	if err := json.Unmarshal([]byte(doc), r.c); err != nil {
		return nil, err
	}
	r.c.Version = version
	if contact != nil {
		v, err := open(contact)
		if err != nil {
			return nil, err
		}
		r.c.Reporter.Contact = v
	}
	return &r, nil
}

func (db *DB) maskedContact(sealed []byte) (string, error) {
	return db.openMasked(fCaseContact, sealed, maskPhone)
}

func (db *DB) clearContact(sealed []byte) (string, error) {
	return db.box.Open(fCaseContact, sealed)
}

// caseDoc is the document of a case: everything but the timeline (its own
// table), the version (a column) and the reporters' contacts (sealed).
func caseDoc(c *casework.Case) string {
	d := *c
	d.Events, d.Version = nil, 0
	d.Reporter.Contact = ""
	d.Duplicates = make([]casework.Duplicate, len(c.Duplicates))
	for i, dup := range c.Duplicates {
		dup.Reporter.Contact = ""
		d.Duplicates[i] = dup
	}
	b, _ := json.Marshal(&d)
	return string(b)
}

// caseColumns are the columns kept beside the document.
func caseColumns(c *casework.Case) (due any, receiverLine string) {
	if d := c.Running(); d != nil {
		due = ts(d.Due)
	}
	if r := c.Receiver; r != nil && r.Kind == casework.ToDepartment {
		receiverLine = string(r.Line)
	}
	return due, receiverLine
}

// eventDetail is what an event carries beyond its columns.
type eventDetail struct {
	Receiver     *casework.Receiver    `json:",omitempty"`
	Feedback     *casework.Feedback    `json:",omitempty"`
	Due          time.Time             `json:",omitzero"`
	Level        wangge.Level          `json:",omitempty"`
	Ref          string                `json:",omitempty"`
	Satisfaction casework.Satisfaction `json:",omitempty"`
}

func (tx *Tx) appendEvent(caseID int64, ev casework.Event) error {
	d, _ := json.Marshal(eventDetail{Receiver: ev.Receiver, Feedback: ev.Feedback, Due: ev.Due, Level: ev.Level, Ref: ev.Ref, Satisfaction: ev.Satisfaction})
	_, err := tx.exec(`INSERT INTO case_events (case_id, seq, at, actor_id, actor_name, role, action, from_state, to_state, note, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		caseID, ev.Seq, ts(ev.At), ev.ActorID, ev.ActorName, string(ev.ActorRole), string(ev.Action), string(ev.From), string(ev.To), ev.Note, string(d))
	return err
}

// caseEvents reads a case's timeline in order.
func caseEvents(rows *sql.Rows, err error) ([]casework.Event, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []casework.Event
	for rows.Next() {
		var ev casework.Event
		var at timeValue
		var role, action, from, to, detail string
		if err := rows.Scan(&ev.Seq, &at, &ev.ActorID, &ev.ActorName, &role, &action, &from, &to, &ev.Note, &detail); err != nil {
			return nil, err
		}
		var d eventDetail
		if err := json.Unmarshal([]byte(detail), &d); err != nil {
			return nil, err
		}
		ev.At, ev.ActorRole, ev.Action, ev.From, ev.To = at.Time, wangge.Role(role), casework.ActionName(action), casework.State(from), casework.State(to)
		ev.Receiver, ev.Feedback, ev.Due, ev.Level, ev.Ref, ev.Satisfaction = d.Receiver, d.Feedback, d.Due, d.Level, d.Ref, d.Satisfaction
		out = append(out, ev)
	}
	return out, rows.Err()
}

const caseEventsQuery = `SELECT seq, at, actor_id, actor_name, role, action, from_state, to_state, note, detail FROM case_events WHERE case_id = ? ORDER BY seq`

// caseByNumber is the one lookup of a case by number the actor sees. A
// number is unique within its district; an actor whose area is one
// district (or less) names the district by it, and one over several (the
// system of a city's store) is refused a number two districts hold.
func caseByNumber(a casework.Actor, number string) (string, []any) {
	cond, args := caseVisible(a)
	q := `SELECT ` + caseCols + ` FROM cases c WHERE c.number = ? AND ` + cond
	args = append([]any{number}, args...)
	if len(a.ScopeCode) >= 6 {
		q += ` AND c.district_code = ?`
		args = append(args, a.ScopeCode[:6])
	}
	return q + ` ORDER BY c.id LIMIT 2`, args
}

// loadCase reads a case for a change within the transaction, timeline and
// contacts (the duplicates' too) in clear for the engine.
func (tx *Tx) loadCase(a casework.Actor, number string) (*caseRow, error) {
	q, args := caseByNumber(a, number)
	rows, err := tx.query(q, args...)
	if err != nil {
		return nil, err
	}
	var found []*caseRow
	for rows.Next() {
		r, err := tx.db.scanCase(rows, tx.db.clearContact)
		if err != nil {
			rows.Close()
			return nil, err
		}
		found = append(found, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	switch len(found) {
	case 0:
		return nil, wangge.ErrNotFound
	case 2:
		return nil, wangge.E(wangge.EConflict, "error.case.number_ambiguous", "Number", number)
	}
	r := found[0]
	if r.c.Events, err = caseEvents(tx.query(caseEventsQuery, r.id)); err != nil {
		return nil, err
	}
	district := r.c.Location.GridCode[:6]
	for i, d := range r.c.Duplicates {
		var sealed []byte
		err := tx.queryRow(`SELECT reporter_contact_enc FROM cases WHERE district_code = ? AND number = ?`, district, d.Number).Scan(&sealed)
		if err != nil {
			return nil, err
		}
		if sealed != nil {
			if r.c.Duplicates[i].Reporter.Contact, err = tx.db.clearContact(sealed); err != nil {
				return nil, err
			}
		}
	}
	return r, nil
}

// requestMAC is the keyed hash of a create's content, for its idempotency
// key: keyed, because the draft holds the reporter's contact.
func (db *DB) requestMAC(d casework.Draft) []byte {
	d.Number = ""
	b, _ := json.Marshal(d)
	return db.box.Index(fCaseRequest, string(b))
}

// CreateCase implements casework.Store.
func (db *DB) CreateCase(ctx context.Context, a casework.Actor, d casework.Draft, key string) (*casework.Case, error) {
	eng, err := db.caseEngine()
	if err != nil {
		return nil, err
	}
	if len(key) > IdempotencyKeyMax {
		return nil, wangge.Invalid("idempotency_key", "error.case.idempotency_key_length", "Max", IdempotencyKeyMax)
	}
	d.Reporter.Contact = strings.TrimSpace(d.Reporter.Contact)
	var out *casework.Case
	err = db.inTx(ctx, func(tx *Tx) error {
		tx.actor = auditActor(tx.actor, a)
		if key != "" {
			mac := db.requestMAC(d)
			res, err := tx.exec(`INSERT INTO case_requests (user_id, request_key, request_mac, created_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (user_id, request_key) DO NOTHING`, a.UserID, key, mac, tx.now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				// A retry: the first request's case, if it is the same
				// request. (In PostgreSQL the insert waited for the first
				// one's transaction, so its row is there to read.)
				var had []byte
				var caseID sql.Null[int64]
				if err := tx.queryRow(`SELECT request_mac, case_id FROM case_requests WHERE user_id = ? AND request_key = ?`, a.UserID, key).Scan(&had, &caseID); err != nil {
					return err
				}
				if !bytes.Equal(had, mac) || !caseID.Valid {
					return wangge.E(wangge.EConflict, "error.case.idempotency_key")
				}
				out, err = tx.caseByID(caseID.V)
				return err
			}
		}
		c, id, err := tx.openCase(eng, a, d)
		if err != nil {
			return err
		}
		if key != "" {
			if _, err := tx.exec(`UPDATE case_requests SET case_id = ? WHERE user_id = ? AND request_key = ?`, id, a.UserID, key); err != nil {
				return err
			}
		}
		out = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The case as made (or as the first request made it), even where the
	// creator does not see it afterwards (a department raising another
	// line's problem): it is what the creator just gave.
	return readOut(out), nil
}

// openCase numbers and opens a case within a write transaction and writes
// it, its timeline and its audit entry: the one path every new case takes
// (CreateCase, and a visit that raises one).
func (tx *Tx) openCase(eng *casework.Engine, a casework.Actor, d casework.Draft) (*casework.Case, int64, error) {
	grid := d.Location.GridCode
	if len(grid) != wangge.GridCodeLen || !wangge.ValidRegionCode(grid) {
		return nil, 0, wangge.Invalid("grid_code", "error.case.grid")
	}
	var one int
	err := tx.queryRow(`SELECT 1 FROM areas WHERE code = ? AND level = ? AND retired_at IS NULL`, grid, int(wangge.LevelGrid)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, wangge.Invalid("grid_code", "error.case.grid")
	}
	if err != nil {
		return nil, 0, err
	}
	district, year := grid[:6], tx.now.In(workcal.Beijing).Year()
	var seq int
	if err := tx.queryRow(`INSERT INTO case_numbers (district_code, year, last) VALUES (?, ?, 1)
		ON CONFLICT (district_code, year) DO UPDATE SET last = case_numbers.last + 1 RETURNING last`, district, year).Scan(&seq); err != nil {
		return nil, 0, err
	}
	if seq > casework.NumberSeqMax {
		return nil, 0, wangge.E(wangge.EConflict, "error.case.numbers_used_up", "Year", year)
	}
	d.Number = casework.FormatNumber(year, seq)
	c, err := eng.Open(d, a, tx.now)
	if err != nil {
		return nil, 0, err
	}
	var sealed []byte
	if c.Reporter.Contact != "" {
		sealed = tx.db.box.Seal(fCaseContact, c.Reporter.Contact)
	}
	due, recv := caseColumns(c)
	// source and public are set for every case: a staff-made one is never
	// public, and a public path reads nothing but public = true.
	var lng, lat any
	if p := c.Location.Point; p != nil {
		lng, lat = p.Lng, p.Lat
	}
	var id int64
	if err := tx.queryRow(`INSERT INTO cases (district_code, number, grid_code, mechanism, state, category, line, priority, level, due_at,
		receiver_line, reporter_user_id, reporter_contact_enc, doc, version, created_at, updated_at, source, public, lng, lat)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?) RETURNING id`,
		district, c.Number, grid, string(c.Mechanism), string(c.State), c.Category.Code, string(c.Category.Line), string(c.Priority), int(c.Level), due,
		recv, c.Reporter.UserID, sealed, caseDoc(c), tx.now, tx.now, string(c.Source), casework.IsPublic(c), lng, lat).Scan(&id); err != nil {
		return nil, 0, tx.db.classify(err)
	}
	for _, ev := range c.Events {
		if err := tx.appendEvent(id, ev); err != nil {
			return nil, 0, err
		}
		if err := tx.publishCaseUpdate(id, c, ev); err != nil {
			return nil, 0, err
		}
		if err := tx.enqueueCaseMessages(id, c, ev); err != nil {
			return nil, 0, err
		}
	}
	c.Version = 1
	return c, id, tx.audit("case.create", "case", c.Number, grid, jsonDetail(map[string]any{
		"mechanism": c.Mechanism, "category": c.Category.Code, "state": c.State, "source": c.Source}))
}

// readOut is a case as a reader gets it: the reporter's contact masked,
// the duplicates' not at all (each is on its own case).
func readOut(c *casework.Case) *casework.Case {
	if c.Reporter.Contact != "" {
		c.Reporter.Contact = maskPhone(c.Reporter.Contact)
	}
	for i := range c.Duplicates {
		c.Duplicates[i].Reporter.Contact = ""
	}
	return c
}

// caseByID reads a case by its row id within the transaction, with its
// timeline: a retried create's case (readOut masks it).
func (tx *Tx) caseByID(id int64) (*casework.Case, error) {
	r, err := tx.db.scanCase(tx.queryRow(`SELECT `+caseCols+` FROM cases c WHERE c.id = ?`, id), tx.db.clearContact)
	if err != nil {
		return nil, err
	}
	if r.c.Events, err = caseEvents(tx.query(caseEventsQuery, r.id)); err != nil {
		return nil, err
	}
	return r.c, nil
}

// Case implements casework.Store.
func (db *DB) Case(ctx context.Context, a casework.Actor, number string) (*casework.Case, error) {
	q, args := caseByNumber(a, number)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var found []*caseRow
	for rows.Next() {
		r, err := db.scanCase(rows, db.maskedContact)
		if err != nil {
			rows.Close()
			return nil, err
		}
		found = append(found, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	switch len(found) {
	case 0:
		return nil, wangge.ErrNotFound
	case 2:
		return nil, wangge.E(wangge.EConflict, "error.case.number_ambiguous", "Number", number)
	}
	r := found[0]
	if r.c.Events, err = caseEvents(db.query(ctx, caseEventsQuery, r.id)); err != nil {
		return nil, err
	}
	return r.c, nil
}

// ListCases implements casework.Store.
func (db *DB) ListCases(ctx context.Context, a casework.Actor, f casework.Filter) ([]casework.Case, int, error) {
	var w where
	cond, args := caseVisible(a)
	w.add(cond, args...)
	if f.Area != "" {
		if !wangge.ValidRegionCode(f.Area) {
			return nil, 0, wangge.Invalid("area", "error.case.area")
		}
		lo, hi := wangge.ScopeOf(f.Area).Range()
		w.add("c.grid_code BETWEEN ? AND ?", lo, hi)
	}
	if f.State != "" {
		w.add("c.state = ?", string(f.State))
	}
	if f.Mechanism != "" {
		w.add("c.mechanism = ?", string(f.Mechanism))
	}
	if f.Category != "" {
		w.add("c.category = ?", f.Category)
	}
	if f.Receiver != "" {
		w.add("c.receiver_line = ?", string(f.Receiver))
	}
	if f.Level != 0 {
		w.add("c.level = ?", int(f.Level))
	}
	if f.Open {
		w.add("c.state NOT IN (?, ?)", string(casework.Closed), string(casework.Merged))
	}
	if !f.DueBefore.IsZero() {
		w.add("c.due_at < ?", ts(f.DueBefore))
	}
	order := "c.created_at DESC, c.id DESC"
	if f.Board {
		// due_at is NULL when no deadline runs (closed, or the clock
		// stopped); both databases sort NULLS LAST when told.
		order = "CASE WHEN c.mechanism = 'emergency' AND c.state NOT IN ('closed', 'merged') THEN 0 ELSE 1 END, c.due_at ASC NULLS LAST, c.created_at DESC, c.id DESC"
	}
	return page(ctx, db, "cases c", `SELECT `+caseCols+` FROM cases c`, &w, order, f.Page,
		func(rows *sql.Rows) (casework.Case, error) {
			r, err := db.scanCase(rows, db.maskedContact)
			if err != nil {
				return casework.Case{}, err
			}
			return *r.c, nil
		})
}

// ApplyCase implements casework.Store.
func (db *DB) ApplyCase(ctx context.Context, a casework.Actor, t casework.Transition) (*casework.Case, casework.Event, error) {
	eng, err := db.caseEngine()
	if err != nil {
		return nil, casework.Event{}, err
	}
	var ev casework.Event
	var out *casework.Case
	err = db.inTx(ctx, func(tx *Tx) error {
		tx.actor = auditActor(tx.actor, a)
		r, err := tx.loadCase(a, t.Number)
		if err != nil {
			return err
		}
		if r.c.Version != t.Version {
			return wangge.ErrConflict
		}
		act := t.Action
		act.Into = nil
		var into *caseRow
		if act.Name == casework.ActMerge {
			if into, err = tx.loadCase(a, t.Into); errors.Is(err, wangge.ErrNotFound) {
				return wangge.Invalid("into", "error.case.merge_into")
			} else if err != nil {
				return err
			}
			act.Into = into.c
		}
		before := len(r.c.Events)
		if ev, err = eng.Apply(r.c, a, act, tx.now); err != nil {
			return err
		}
		if err := tx.saveCase(r, t.Version, before); err != nil {
			return err
		}
		if err := tx.publishCaseUpdate(r.id, r.c, ev); err != nil {
			return err
		}
		if err := tx.enqueueCaseMessages(r.id, r.c, ev); err != nil {
			return err
		}
		out = r.c
		out.Version = t.Version + 1
		if into != nil {
			if err := tx.saveCase(into, into.c.Version, len(into.c.Events)-1); err != nil {
				return err
			}
			if err := tx.publishCaseUpdate(into.id, into.c, into.c.Events[len(into.c.Events)-1]); err != nil {
				return err
			}
		}
		detail := map[string]any{"action": ev.Action, "from": ev.From, "to": ev.To, "seq": ev.Seq}
		if into != nil {
			detail["into"] = into.c.Number
		}
		return tx.audit("case."+string(ev.Action), "case", r.c.Number, r.c.Location.GridCode, jsonDetail(detail))
	})
	if err != nil {
		return nil, casework.Event{}, err
	}
	if !a.Sees(out) {
		// The action took the case out of the actor's sight (a department
		// that returned it): the change stands, there is nothing to show.
		return nil, ev, nil
	}
	return readOut(out), ev, nil
}

// saveCase writes a changed case under the version read, and the events
// after the first `from` of its timeline.
func (tx *Tx) saveCase(r *caseRow, version, from int) error {
	c := r.c
	due, recv := caseColumns(c)
	if err := tx.update("cases", "id", r.id, `UPDATE cases SET state = ?, category = ?, line = ?, priority = ?, level = ?, due_at = ?,
		receiver_line = ?, doc = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		string(c.State), c.Category.Code, string(c.Category.Line), string(c.Priority), int(c.Level), due,
		recv, caseDoc(c), tx.now, r.id, version); err != nil {
		return err
	}
	for _, ev := range c.Events[from:] {
		if err := tx.appendEvent(r.id, ev); err != nil {
			return err
		}
	}
	return nil
}

// CaseCounts implements casework.Store.
func (db *DB) CaseCounts(ctx context.Context, s wangge.Scope) (map[casework.State]int, error) {
	lo, hi := s.Range()
	rows, err := db.query(ctx, `SELECT state, COUNT(*) FROM cases WHERE grid_code BETWEEN ? AND ? GROUP BY state`, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[casework.State]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[casework.State(st)] = n
	}
	return out, rows.Err()
}

// AttachToCase implements casework.Store.
func (db *DB) AttachToCase(ctx context.Context, a casework.Actor, number, name string, data []byte) (*casework.Attachment, error) {
	f, err := attach.Clean(name, data)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(f.Data)
	at := &casework.Attachment{Name: f.Name, ContentType: f.ContentType, Size: len(f.Data), SHA256: sum[:], ByID: a.UserID}
	err = db.inTx(ctx, func(tx *Tx) error {
		tx.actor = auditActor(tx.actor, a)
		r, err := tx.loadCase(a, number)
		if err != nil {
			return err
		}
		if !r.c.State.Open() {
			return wangge.E(wangge.EConflict, "error.case.ended", "State", string(r.c.State))
		}
		var n int
		if err := tx.queryRow(`SELECT COUNT(*) FROM case_attachments WHERE case_id = ?`, r.id).Scan(&n); err != nil {
			return err
		}
		if n >= casework.AttachmentsMax {
			return wangge.E(wangge.EConflict, "error.attach.count", "Max", casework.AttachmentsMax)
		}
		at.At = tx.now
		if err := tx.queryRow(`INSERT INTO case_attachments (case_id, name, content_type, size, sha256, data, actor_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.id, at.Name, at.ContentType, at.Size, at.SHA256, f.Data, at.ByID, tx.now).Scan(&at.ID); err != nil {
			return err
		}
		return tx.audit("case.attach", "case", r.c.Number, r.c.Location.GridCode, jsonDetail(map[string]any{
			"attachment": at.ID, "content_type": at.ContentType, "size": at.Size}))
	})
	if err != nil {
		return nil, err
	}
	return at, nil
}

const attachmentCols = `x.id, x.name, x.content_type, x.size, x.sha256, x.actor_id, x.created_at`

func scanAttachment(row interface{ Scan(...any) error }, data *[]byte) (*casework.Attachment, error) {
	var at casework.Attachment
	var created timeValue
	dst := []any{&at.ID, &at.Name, &at.ContentType, &at.Size, &at.SHA256, &at.ByID, &created}
	if data != nil {
		dst = append(dst, data)
	}
	if err := row.Scan(dst...); err != nil {
		return nil, err
	}
	at.At = created.Time
	return &at, nil
}

// caseID returns the row id of a case the actor sees.
func (db *DB) caseID(ctx context.Context, a casework.Actor, number string) (int64, error) {
	c, err := db.Case(ctx, a, number) // the one lookup by number, ambiguity and sight included
	if err != nil {
		return 0, err
	}
	var id int64
	err = db.queryRow(ctx, `SELECT id FROM cases WHERE district_code = ? AND number = ?`, c.Location.GridCode[:6], c.Number).Scan(&id)
	return id, err
}

// CaseAttachments implements casework.Store.
func (db *DB) CaseAttachments(ctx context.Context, a casework.Actor, number string) ([]casework.Attachment, error) {
	id, err := db.caseID(ctx, a, number)
	if err != nil {
		return nil, err
	}
	return collect(ctx, db, `SELECT `+attachmentCols+` FROM case_attachments x WHERE x.case_id = ? ORDER BY x.id`, []any{id},
		func(rows *sql.Rows) (casework.Attachment, error) { return deref(scanAttachment(rows, nil)) })
}

// CaseAttachment implements casework.Store.
func (db *DB) CaseAttachment(ctx context.Context, a casework.Actor, number string, attachmentID int64) (*casework.Attachment, []byte, error) {
	id, err := db.caseID(ctx, a, number)
	if err != nil {
		return nil, nil, err
	}
	var data []byte
	at, err := scanAttachment(db.queryRow(ctx, `SELECT `+attachmentCols+`, x.data FROM case_attachments x WHERE x.id = ? AND x.case_id = ?`, attachmentID, id), &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, wangge.ErrNotFound
	}
	return at, data, err
}
