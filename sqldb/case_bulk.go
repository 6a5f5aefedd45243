package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

// CaseBulk writes many finished cases in one transaction: the demo's year
// of synthetic cases, which the engine has already opened and taken
// through every step. It writes the same columns CreateCase and ApplyCase
// write — the document, the board's columns, the version (one per write
// the case would have had: one per event), the sealed contact, the
// timeline — with multi-row prepared inserts, and leaves the district's
// case_numbers counter at the last number so that the next CreateCase
// continues the series.
//
// It writes one audit entry for the whole batch (case.bulk, with its
// counts and what the caller names it by, such as the seed), not one per
// case and event: the synthetic events were not anyone's actions here, and
// tens of thousands of entries would make the demo slow and bury the real
// chain's start under generated noise.
type CaseBulk struct {
	db      *DB
	ctx     context.Context
	tx      *Tx
	cases   *batch
	events  *batch
	nextID  int64
	numbers map[caseYear]*numberRange
	done    bool
}

type caseYear struct {
	district string
	year     int
}

type numberRange struct{ lo, hi, n int }

const (
	caseBulkCols  = "id, district_code, number, grid_code, mechanism, state, category, line, priority, level, due_at, receiver_line, reporter_user_id, reporter_contact_enc, doc, version, created_at, updated_at, source, public, lng, lat"
	eventBulkCols = "case_id, seq, at, actor_id, actor_name, role, action, from_state, to_state, note, detail"
)

// BulkCases starts a bulk write of cases. The cases get row ids after the
// largest there is, as CreateCase's would.
func (db *DB) BulkCases(ctx context.Context) (*CaseBulk, error) {
	t, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	tx := &Tx{Tx: t, db: db, ctx: ctx, actor: wangge.ActorFrom(ctx), now: db.now()}
	b := &CaseBulk{db: db, ctx: ctx, tx: tx, numbers: map[caseYear]*numberRange{}}
	if err := tx.queryRow(`SELECT COALESCE(MAX(id), 0) FROM cases`).Scan(&b.nextID); err != nil {
		t.Rollback()
		return nil, err
	}
	for _, p := range []struct {
		bt   **batch
		tbl  string
		cols string
	}{{&b.cases, "cases", caseBulkCols}, {&b.events, "case_events", eventBulkCols}} {
		bt := &batch{table: p.tbl, cols: strings.Split(p.cols, ", ")}
		bt.max = min(500, db.d.MaxParams/len(bt.cols))
		*p.bt = bt
	}
	return b, nil
}

// Case adds a case with its whole timeline. Its number must be one the
// store would have given: a valid number of the district of its grid.
func (b *CaseBulk) Case(c *casework.Case) error {
	if b.done {
		return fmt.Errorf("case bulk: already committed or rolled back")
	}
	grid := c.Location.GridCode
	if len(grid) != wangge.GridCodeLen || !wangge.ValidRegionCode(grid) {
		return wangge.Invalid("grid_code", "error.case.grid")
	}
	year, seq, ok := casework.ParseNumber(c.Number)
	if !ok {
		return wangge.Invalid("number", "error.case.number")
	}
	if len(c.Events) == 0 || c.Events[0].Action != casework.ActCreate {
		return wangge.Invalid("events", "error.case.bulk_events", "Number", c.Number)
	}
	for i, ev := range c.Events {
		if ev.Seq != i+1 {
			return wangge.Invalid("events", "error.case.bulk_events", "Number", c.Number)
		}
	}
	k := caseYear{grid[:6], year}
	r := b.numbers[k]
	if r == nil {
		r = &numberRange{lo: seq, hi: seq}
		b.numbers[k] = r
	}
	r.lo, r.hi, r.n = min(r.lo, seq), max(r.hi, seq), r.n+1

	b.nextID++
	id := b.nextID
	var sealed []byte
	if contact := strings.TrimSpace(c.Reporter.Contact); contact != "" {
		sealed = b.db.box.Seal(fCaseContact, contact)
	}
	due, recv := caseColumns(c)
	last := c.Events[len(c.Events)-1].At
	// The same public columns openCase sets, so the demo's kiosk and
	// resident-page cases show on the public map and through Open311.
	var lng, lat any
	if p := c.Location.Point; p != nil {
		lng, lat = p.Lng, p.Lat
	}
	if err := b.add(b.cases, id, grid[:6], c.Number, grid, string(c.Mechanism), string(c.State), c.Category.Code, string(c.Category.Line),
		string(c.Priority), int(c.Level), due, recv, c.Reporter.UserID, sealed, caseDoc(c), len(c.Events), ts(c.CreatedAt), ts(last),
		string(c.Source), casework.IsPublic(c), lng, lat); err != nil {
		return err
	}
	for _, ev := range c.Events {
		d, _ := json.Marshal(eventDetail{Receiver: ev.Receiver, Feedback: ev.Feedback, Due: ev.Due, Level: ev.Level, Ref: ev.Ref, Satisfaction: ev.Satisfaction})
		if err := b.add(b.events, id, ev.Seq, ts(ev.At), ev.ActorID, ev.ActorName, string(ev.ActorRole), string(ev.Action),
			string(ev.From), string(ev.To), ev.Note, string(d)); err != nil {
			return err
		}
	}
	return nil
}

func (b *CaseBulk) add(bt *batch, args ...any) error {
	bt.args = append(bt.args, args...)
	bt.rows++
	if bt.rows >= bt.max {
		return b.flush()
	}
	return nil
}

// flush writes the pending rows, cases before their events.
func (b *CaseBulk) flush() error {
	for _, bt := range []*batch{b.cases, b.events} {
		if err := bt.flush(b.ctx, b.db, b.tx, "case bulk"); err != nil {
			return err
		}
	}
	return nil
}

// Commit writes what remains, checks that each district's numbers of each
// year continue its counter without a gap, moves the counter to the last,
// writes the batch's one audit entry with detail (what the caller names the
// batch by) and the counts, and commits. Nothing is written when a check
// fails.
func (b *CaseBulk) Commit(detail map[string]any) error {
	if b.done {
		return fmt.Errorf("case bulk: already committed or rolled back")
	}
	err := b.commit(detail)
	if err != nil {
		b.Rollback()
	}
	return err
}

func (b *CaseBulk) commit(detail map[string]any) error {
	if err := b.flush(); err != nil {
		return err
	}
	for _, bt := range []*batch{b.cases, b.events} {
		if bt.full != nil {
			bt.full.Close()
		}
	}
	keys := make([]caseYear, 0, len(b.numbers))
	for k := range b.numbers {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y caseYear) int {
		return cmp.Or(strings.Compare(x.district, y.district), cmp.Compare(x.year, y.year))
	})
	years := map[string]int{}
	for _, k := range keys {
		r := b.numbers[k]
		var last int
		err := b.tx.queryRow(`SELECT last FROM case_numbers WHERE district_code = ? AND year = ?`, k.district, k.year).Scan(&last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// The numbers are unique (the table's constraint), so as many as
		// the range is wide means none is missing.
		if r.lo != last+1 || r.hi-r.lo+1 != r.n {
			return wangge.E(wangge.EConflict, "error.case.bulk_numbers", "Year", k.year, "Next", casework.FormatNumber(k.year, last+1))
		}
		if _, err := b.tx.exec(`INSERT INTO case_numbers (district_code, year, last) VALUES (?, ?, ?)
			ON CONFLICT (district_code, year) DO UPDATE SET last = excluded.last`, k.district, k.year, r.hi); err != nil {
			return err
		}
		years[fmt.Sprintf("%s/%d", k.district, k.year)] = r.n
	}
	if b.db.d.AfterBulk != nil {
		if err := b.db.d.AfterBulk(b.ctx, b.tx.Tx); err != nil {
			return err
		}
	}
	d := map[string]any{}
	for k, v := range detail {
		d[k] = v
	}
	d["cases"], d["events"], d["numbers"] = b.cases.n, b.events.n, years
	if err := b.tx.audit("case.bulk", "case", "", "", jsonDetail(d)); err != nil {
		return err
	}
	b.done = true
	err := b.tx.Commit()
	b.db.counts.gen.Add(1)
	if err == nil {
		b.tx.committed()
	}
	return err
}

// Rollback abandons the bulk write.
func (b *CaseBulk) Rollback() error {
	b.done = true
	return b.tx.Rollback()
}
