// Package sqldb is the store both databases share: hand-written SQL over
// database/sql, with the few differences between SQLite and PostgreSQL kept
// in a Dialect. The sqlite and postgres packages open a connection, run
// their own migrations and hand the result to New.
//
// Sharing one body of SQL keeps the two stores from drifting apart; the
// conformance suite in storetest runs against both.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/secret"
)

// Dialect holds what differs between the databases.
type Dialect struct {
	Name string // "sqlite" or "postgres"
	// Placeholders converts the ?-placeholders the queries are written with.
	Placeholders func(string) string
	// IsUnique and IsForeignKey classify constraint violations.
	IsUnique     func(error) bool
	IsForeignKey func(error) bool
	// AfterBulk runs inside the bulk-load transaction before commit, e.g. to
	// move identity sequences past the ids the loader assigned.
	AfterBulk func(ctx context.Context, tx *sql.Tx) error
	// Optimize lists statements that refresh statistics after a bulk load.
	Optimize []string
	// MaxParams bounds the parameters of one statement (multi-row inserts).
	MaxParams int
}

// Dollar rewrites ?-placeholders as $1, $2, … (PostgreSQL). Queries here
// never contain a literal question mark.
func Dollar(q string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// DB is the store. Reads go to r, writes to w: for SQLite a read pool and a
// single writer connection, for PostgreSQL one pool for both.
type DB struct {
	r, w *sql.DB
	d    Dialect
	box  *keyring // nil until UseKey
	// chain is the audit chain's key and checkpoint file, nil until
	// UseAuditKey: a chain not keyed yet is linked with plain SHA-256.
	chain *chain
	now   func() time.Time
	q     sync.Map // query text → rebound text

	counts countCache
	feed   func(ctx context.Context) <-chan struct{} // nil: no push of changes
	// engines is the case engine (cases.go).
	engines caseEngines
	// caseCfg is the engine and calendar of the district's case settings
	// (case_settings.go).
	caseCfg caseSettingsCache
	// wake tells a worker of this process that a message was queued
	// (outbox.go).
	wake     chan struct{}
	wakeOnce sync.Once
}

// New returns a store over open connections.
func New(r, w *sql.DB, d Dialect) *DB {
	return &DB{r: r, w: w, d: d, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// SetClock replaces the clock (tests).
func (db *DB) SetClock(now func() time.Time) {
	db.now = func() time.Time { return now().UTC().Truncate(time.Microsecond) }
}

// Dialect returns the dialect name.
func (db *DB) Dialect() string { return db.d.Name }

// SetBoundaryFeed sets how the store follows changes to outlines and
// areas made by any server (PostgreSQL: LISTEN/NOTIFY).
func (db *DB) SetBoundaryFeed(f func(ctx context.Context) <-chan struct{}) { db.feed = f }

// BoundaryChanges implements wangge.BoundaryFeed: a channel that receives a
// value soon after outlines or areas change, or nil when the database
// cannot push changes (SQLite: one server, which sees its own writes; and
// the cheap BoundaryStamp poll covers the rest).
func (db *DB) BoundaryChanges(ctx context.Context) <-chan struct{} {
	if db.feed == nil {
		return nil
	}
	return db.feed(ctx)
}

// Reader returns the read connection pool (tests, tools).
func (db *DB) Reader() *sql.DB { return db.r }

// Writer returns the write connection (tests, tools).
func (db *DB) Writer() *sql.DB { return db.w }

// Close checkpoints the audit chain's head, when this store appended
// since its last checkpoint, and closes both pools.
func (db *DB) Close() error {
	err := db.closeChain()
	err = errors.Join(err, db.r.Close())
	if db.w != db.r {
		err = errors.Join(err, db.w.Close())
	}
	return err
}

// KeyID returns the id of the key the database's personal fields are
// encrypted under, or "" when none has been recorded yet.
func (db *DB) KeyID(ctx context.Context) (string, error) {
	var v string
	err := db.r.QueryRowContext(ctx, db.sql(`SELECT value FROM meta WHERE name = 'key_id'`)).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// UseKey sets the key ring for personal fields. The first key is recorded;
// later a ring is refused unless it holds the recorded key (and, while a
// rotation runs, the key it rotates to), since it could open nothing stored.
// The ring's first key seals; RotateKey moves the data onto it.
func (db *DB) UseKey(ctx context.Context, box *secret.Box) error {
	id, next, err := db.keyState(ctx)
	if err != nil {
		return err
	}
	if id == "" {
		if _, err := db.w.ExecContext(ctx, db.sql(`INSERT INTO meta (name, value) VALUES ('key_id', ?)`), box.KeyID()); err != nil {
			return err
		}
	} else if err := ringHolds(box, id, next); err != nil {
		return err
	}
	if db.box == nil {
		db.box = &keyring{db: db}
	}
	db.box.cur.Store(box)
	return nil
}

// sql returns q with the dialect's placeholders, cached.
func (db *DB) sql(q string) string {
	if db.d.Placeholders == nil {
		return q
	}
	if v, ok := db.q.Load(q); ok {
		return v.(string)
	}
	v := db.d.Placeholders(q)
	db.q.Store(q, v)
	return v
}

func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return db.r.QueryContext(ctx, db.sql(q), args...)
}

func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return db.r.QueryRowContext(ctx, db.sql(q), args...)
}

// Tx is a write transaction that knows the actor, for the audit log.
type Tx struct {
	*sql.Tx
	db    *DB
	ctx   context.Context
	actor wangge.Actor
	now   time.Time
	// The newest entry the transaction appended, checkpointed after commit.
	lastSeq  int64
	lastLink []byte
	// stmts, when set, keeps each statement prepared for the rest of the
	// transaction: a bulk write runs the same dozen statements thousands of
	// times, and parsing them again each time was most of its work.
	stmts map[string]*sql.Stmt
	// queued is set when the transaction queued a message (outbox.go).
	queued bool
}

// committed tells the audit chain's checkpointing what the transaction
// appended, once it is committed.
func (tx *Tx) committed() {
	if tx.lastSeq > 0 {
		tx.db.appended(tx.lastSeq, tx.lastLink)
	}
	if tx.queued {
		select {
		case tx.db.outboxWake() <- struct{}{}:
		default: // a wake is pending already
		}
	}
}

// stmt returns q prepared within the transaction when tx keeps statements.
func (tx *Tx) stmt(q string) (*sql.Stmt, error) {
	if s, ok := tx.stmts[q]; ok {
		return s, nil
	}
	s, err := tx.PrepareContext(tx.ctx, tx.db.sql(q))
	if err != nil {
		return nil, err
	}
	tx.stmts[q] = s
	return s, nil
}

func (tx *Tx) exec(q string, args ...any) (sql.Result, error) {
	if tx.stmts != nil {
		s, err := tx.stmt(q)
		if err != nil {
			return nil, err
		}
		return s.ExecContext(tx.ctx, args...)
	}
	return tx.ExecContext(tx.ctx, tx.db.sql(q), args...)
}

func (tx *Tx) queryRow(q string, args ...any) *sql.Row {
	if tx.stmts != nil {
		if s, err := tx.stmt(q); err == nil {
			return s.QueryRowContext(tx.ctx, args...)
		}
	}
	return tx.QueryRowContext(tx.ctx, tx.db.sql(q), args...)
}

func (tx *Tx) query(q string, args ...any) (*sql.Rows, error) {
	return tx.QueryContext(tx.ctx, tx.db.sql(q), args...)
}

// update runs an optimistic-concurrency UPDATE or DELETE that names the
// version it read. No row changed means the row is gone or changed since:
// ErrNotFound or ErrConflict, told apart by a look at the row.
func (tx *Tx) update(table, idCol string, id any, q string, args ...any) error {
	return tx.updateUnique(nil, table, idCol, id, q, args...)
}

// updateUnique is update for a row with a unique column: a violation comes
// back as the given error, which names the field.
func (tx *Tx) updateUnique(unique *wangge.Error, table, idCol string, id any, q string, args ...any) error {
	res, err := tx.exec(q, args...)
	if err != nil {
		return tx.db.classify(err, unique)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var one int
	err = tx.queryRow(`SELECT 1 FROM `+table+` WHERE `+idCol+` = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return wangge.ErrNotFound
	}
	if err != nil {
		return err
	}
	return wangge.ErrConflict
}

// inTx runs fn in a write transaction and commits when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	t, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	tx := &Tx{Tx: t, db: db, ctx: ctx, actor: wangge.ActorFrom(ctx), now: db.now()}
	if err := fn(tx); err != nil {
		t.Rollback()
		return err
	}
	err = t.Commit()
	db.counts.gen.Add(1)
	if err == nil {
		tx.committed()
	}
	return err
}

// classify turns constraint violations into domain errors; a unique
// violation becomes unique when given, which says which value is taken.
func (db *DB) classify(err error, unique ...*wangge.Error) error {
	switch {
	case err == nil:
		return nil
	case db.d.IsUnique != nil && db.d.IsUnique(err) && len(unique) > 0 && unique[0] != nil:
		return unique[0]
	case db.d.IsUnique != nil && db.d.IsUnique(err):
		return wangge.E(wangge.EConflict, "error.db.duplicate")
	case db.d.IsForeignKey != nil && db.d.IsForeignKey(err):
		return wangge.E(wangge.EInvalid, "error.db.reference")
	}
	return err
}

// audit appends an entry to the chain within the transaction. Updating the
// one row of audit_head first serialises appends in both databases (SQLite
// has a single writer; PostgreSQL locks the row until commit), so the chain
// never forks.
func (tx *Tx) audit(action, object string, objectID any, gridCode string, detail string) error {
	e := wangge.AuditEntry{
		At: tx.now, UserID: tx.actor.UserID, Username: tx.actor.Username, Role: tx.actor.Role, Addr: tx.actor.Addr,
		Action: action, Object: object, ObjectID: fmt.Sprint(objectID), GridCode: gridCode, Detail: detail,
	}
	if err := tx.queryRow(`UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).Scan(&e.Seq, &e.PrevHash); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	if e.PrevHash == nil {
		e.PrevHash = []byte{} // the first entry's: empty, never NULL
	}
	link, err := tx.linker()
	if err != nil {
		return err
	}
	e.Hash = link(&e)
	if _, err := tx.exec(`INSERT INTO audit_log (seq, at, user_id, username, role, addr, action, object, object_id, grid_code, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, e.At, e.UserID, e.Username, string(e.Role), e.Addr, e.Action, e.Object, e.ObjectID, e.GridCode, e.Detail, e.PrevHash, e.Hash); err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	if _, err := tx.exec(`UPDATE audit_head SET hash = ? WHERE id = 1`, e.Hash); err != nil {
		return err
	}
	tx.lastSeq, tx.lastLink = e.Seq, e.Hash
	return nil
}

// scope returns the condition that keeps col within the scope.
// mayChange returns refusal unless the scope may change people's data in
// the grid: the one check every write of people's data makes, inside its
// transaction, after reading the grid the row is in.
func mayChange(s wangge.Scope, grid string, refusal error) error {
	if s.MayChange(grid) {
		return nil
	}
	return refusal
}

func scope(col string, s wangge.Scope) (string, []any) {
	lo, hi := s.Range()
	return col + " BETWEEN ? AND ?", []any{lo, hi}
}

// people is scope for rows of people's data: it matches nothing when the
// scope's role may not read them.
func people(col string, s wangge.Scope) (string, []any) {
	lo, hi := s.PeopleRange()
	return col + " BETWEEN ? AND ?", []any{lo, hi}
}

// where collects conditions and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) scope(col string, s wangge.Scope) {
	c, a := scope(col, s)
	w.add(c, a...)
}

func (w *where) people(col string, s wangge.Scope) {
	c, a := people(col, s)
	w.add(c, a...)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// list runs a count and a page query with the same conditions.
func (db *DB) count(ctx context.Context, from string, w *where) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM `+from+w.String(), w.args...).Scan(&n)
	return n, err
}

func limit(p wangge.Page) (string, []any) {
	p = p.Normalize()
	return " LIMIT ? OFFSET ?", []any{p.Limit, p.Offset}
}

// likeEscape escapes LIKE wildcards in user input; queries use ESCAPE '\'.
func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// ts is a time as both databases keep it: UTC, microseconds.
func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// nullTime returns a NULL for nil.
func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

func nullInt(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func ptrInt(n sql.Null[int64]) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.V
	return &v
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// date returns t as midnight UTC of its calendar day.
func date(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// page runs the count and one page of a list whose queries share their
// conditions. sel is the SELECT … FROM … part; countFrom is what the count
// needs of it.
func page[T any](ctx context.Context, db *DB, countFrom, sel string, w *where, order string, p wangge.Page, scan func(*sql.Rows) (T, error)) ([]T, int, error) {
	total, err := db.count(ctx, countFrom, w)
	if err != nil {
		return nil, 0, err
	}
	lim, largs := limit(p)
	args := append(append([]any{}, w.args...), largs...)
	out, err := collect(ctx, db, sel+w.String()+" ORDER BY "+order+lim, args, scan)
	return out, total, err
}

// collect runs a query and scans every row.
func collect[T any](ctx context.Context, db *DB, q string, args []any, scan func(*sql.Rows) (T, error)) ([]T, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// deref adapts a scan function that returns a pointer.
func deref[T any](v *T, err error) (T, error) {
	if err != nil {
		var zero T
		return zero, err
	}
	return *v, nil
}
