package sqldb

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/anchor"
	"github.com/wangge/wangge/secret"
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

// ChainReport is what verifying the audit chain found.
type ChainReport struct {
	Checked int64 // entries read
	Keyed   bool  // links are keyed (UseAuditKey); otherwise plain SHA-256
	// Bad is the first entry that does not hold (0: every entry holds):
	// out of sequence (one missing or moved), a link to the one before that
	// does not match, or a link that does not match its fields under the
	// key. Head is set when the entries hold and the head does not match
	// the last of them: the tail was cut without moving the head.
	Bad  int64
	Head bool
	// Forged is set when Bad starts a recomputed chain: its link is the
	// plain hash of its fields, or the next entry links to it and does not
	// hold under the key either — whoever rewrote it did not have the key.
	Forged bool
	// Checkpoints is how many checkpoints were compared (those since the
	// last base checkpoint); CheckpointFile their file.
	Checkpoints    int
	CheckpointFile string
	// Against is the first checkpoint the log no longer matches: its entry
	// is missing (Missing: the log ends at LastSeq, before it) or has
	// another link. LastGood is the last checkpoint before it that matches.
	Against  *anchor.Checkpoint
	LastGood *anchor.Checkpoint
	Missing  bool
	LastSeq  int64
	// FileErr is set when a line of the checkpoint file does not hold.
	FileErr error
}

// Intact reports whether the chain holds, and holds against every
// checkpoint.
func (r *ChainReport) Intact() bool {
	return r.Bad == 0 && !r.Head && r.Against == nil && r.FileErr == nil
}

// VerifyAudit walks the chain (VerifyChain) and returns the first entry
// that does not hold; for a log cut short behind a checkpoint, the first
// missing one; for another chain after a checkpoint, the first entry after
// the last checkpoint that matches.
func (db *DB) VerifyAudit(ctx context.Context) (bad int64, checked int64, err error) {
	r, err := db.VerifyChain(ctx)
	if err != nil {
		return 0, 0, err
	}
	switch {
	case r.Bad != 0:
		return r.Bad, r.Checked, nil
	case r.Head:
		return r.LastSeq + 1, r.Checked, nil
	case r.Against != nil && r.Missing:
		return r.LastSeq + 1, r.Checked, nil
	case r.Against != nil && r.LastGood != nil:
		return r.LastGood.Seq + 1, r.Checked, nil
	case r.Against != nil:
		return 1, r.Checked, nil
	case r.FileErr != nil:
		return r.LastSeq + 1, r.Checked, nil
	}
	return 0, r.Checked, nil
}

// VerifyChain walks the chain from the start and compares it with the
// checkpoints. An entry fails when its sequence is not the next one, its
// previous link is not the link of the entry before, or its own link does
// not match its fields (under the chain key, once the chain is keyed). The
// head's sequence and link must match the last entry; and every checkpoint
// since the last base one must name an entry that is there with the link it
// recorded, so a tail cut off with the head moved back shows too.
func (db *DB) VerifyChain(ctx context.Context) (*ChainReport, error) {
	r := &ChainReport{}
	recorded, err := db.chainKeyID(ctx, func(q string, a ...any) *sql.Row { return db.queryRow(ctx, q, a...) })
	if err != nil {
		return nil, err
	}
	c := db.chain
	if recorded != "" && c == nil {
		return nil, ErrChainKeyMissing
	}
	link := (*wangge.AuditEntry).ComputeHash
	if recorded != "" {
		r.Keyed = true
		link = func(e *wangge.AuditEntry) []byte { return e.ComputeLink(c.key) }
	}
	var cps []anchor.Checkpoint
	if r.Keyed && c.log != nil {
		r.CheckpointFile = c.log.Path()
		cps, r.FileErr = anchor.Read(c.log.Path(), c.key)
		var bad *anchor.BadLineError
		if r.FileErr != nil && !errors.As(r.FileErr, &bad) {
			return nil, r.FileErr
		}
		for i := len(cps) - 1; i >= 0; i-- {
			if cps[i].Base {
				cps = cps[i:]
				break
			}
		}
	}
	r.Checkpoints = len(cps)
	at := map[int64][]byte{} // links of the entries checkpoints name
	for _, cp := range cps {
		at[cp.Seq] = nil
	}

	rows, err := db.query(ctx, `SELECT `+auditCols+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	prev := []byte{}
	var seq int64
	var suspect *wangge.AuditEntry // the first entry whose own link fails
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		if suspect != nil {
			// One look past the first bad link tells an edit (the next entry
			// holds) from a recomputation (it links on and fails too).
			r.Forged = bytes.Equal(e.PrevHash, suspect.Hash) && e.Seq == suspect.Seq+1 && !bytes.Equal(link(e), e.Hash)
			break
		}
		seq++
		r.Checked++
		if e.Seq != seq || !bytes.Equal(e.PrevHash, prev) {
			r.Bad = seq
			break
		}
		if !bytes.Equal(link(e), e.Hash) {
			r.Bad = seq
			r.Forged = r.Keyed && bytes.Equal(e.ComputeHash(), e.Hash)
			if r.Keyed && !r.Forged {
				suspect = e // one more look decides
				continue
			}
			break
		}
		if _, ok := at[e.Seq]; ok {
			at[e.Seq] = e.Hash
		}
		prev = e.Hash
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	r.LastSeq = seq
	if r.Bad != 0 {
		return r, nil
	}
	var headSeq int64
	var headHash []byte
	if err := db.queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
		return nil, err
	}
	if headSeq != seq || !bytes.Equal(headHash, prev) {
		r.Head = true
	}
	for i := range cps {
		cp := &cps[i]
		if cp.Seq == 0 || cp.Seq <= seq && bytes.Equal(at[cp.Seq], cp.Hash) {
			r.LastGood = cp
			continue
		}
		r.Against, r.Missing = cp, cp.Seq > seq
		break
	}
	return r, nil
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

// CheckpointEvery is how many entries a store appends before it writes a
// checkpoint of the chain's head; it writes one too on Checkpoint (the
// server: every few minutes) and on Close.
const CheckpointEvery = 100

// Errors of the audit chain's key, for the command line to explain.
var (
	// ErrChainKeyMissing: the database's chain is keyed, and the store was
	// given no chain key (or a key file without one).
	ErrChainKeyMissing = errors.New("sqldb: the audit chain is keyed, and no audit key is given")
	// ErrChainKeyMismatch: the key given is not the one the chain is under.
	ErrChainKeyMismatch = errors.New("sqldb: the audit key is not the one this database's chain is under")
	// ErrChainUnkeyed: the database says its chain was never keyed, but the
	// checkpoint file holds checkpoints of a keyed chain past its start.
	// Someone who can write to the database removed the record and rewrote
	// the chain in plain SHA-256, to have it re-linked (and so blessed)
	// under the key; or a new database was made where an old one's
	// checkpoint file still lies.
	ErrChainUnkeyed = errors.New("sqldb: the database's audit chain is not keyed, but its checkpoint file holds checkpoints of a keyed chain")
)

// PlainChainBrokenError refuses to re-link a chain made before the chain was
// keyed when it does not hold under its plain hashes: re-linking it would
// sign over what someone changed.
type PlainChainBrokenError struct{ Seq int64 }

func (e *PlainChainBrokenError) Error() string {
	return fmt.Sprintf("sqldb: the audit chain does not hold at entry %d under its plain hashes, so it is not re-linked under the key", e.Seq)
}

// chain is the store's audit chain key and its checkpoint file.
type chain struct {
	key []byte
	id  string
	log *anchor.Log // nil: the store only verifies (a backup opened read-only)

	mu       sync.Mutex
	seq      int64 // the newest entry this store appended
	link     []byte
	anchored int64 // the sequence number of the last checkpoint written
}

// chainKeyID returns the id of the chain key the database records, or "".
func (db *DB) chainKeyID(ctx context.Context, q func(string, ...any) *sql.Row) (string, error) {
	var v string
	err := q(`SELECT value FROM meta WHERE name = 'audit_key_id'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// UseAuditKey keys the audit chain: links are HMAC-SHA-256 under a key
// derived from master (secret.ChainKey), which lives in the key file, not
// in the database. checkpoints names the file the store appends signed
// checkpoints of the head to; "" opens the chain to verify only, and then
// nothing is written.
//
// The first time a database's chain is keyed, the entries it holds (made
// under plain SHA-256) are checked and re-linked under the key in one
// transaction, an "audit.relink" entry says how many, and a base checkpoint
// is written: relinked is that count. Afterwards a key with another id is
// refused with ErrChainKeyMismatch; and a database whose record of being
// keyed is gone while its checkpoint file goes past a base at 0, with
// ErrChainUnkeyed (the re-link is no way to launder a rewritten chain).
func (db *DB) UseAuditKey(ctx context.Context, master []byte, checkpoints string) (relinked int64, err error) {
	key, id, err := secret.ChainKey(master)
	if err != nil {
		return 0, err
	}
	recorded, err := db.chainKeyID(ctx, func(q string, a ...any) *sql.Row { return db.queryRow(ctx, q, a...) })
	if err != nil {
		return 0, err
	}
	if recorded != "" && recorded != id {
		return 0, ErrChainKeyMismatch
	}
	c := &chain{key: key, id: id}
	if checkpoints == "" {
		if recorded != "" {
			db.chain = c
		}
		return 0, nil
	}
	if c.log, err = anchor.Open(checkpoints, key, id); err != nil {
		return 0, err
	}
	if last, ok := c.log.Last(); ok {
		c.anchored = last.Seq
	}
	if recorded == id {
		db.chain = c
		return 0, nil
	}
	if last, ok := c.log.Last(); ok && last.Seq > 0 {
		c.log.Close()
		return 0, ErrChainUnkeyed
	}
	db.chain = c
	var head int64
	var headLink []byte
	err = db.inTx(ctx, func(tx *Tx) error {
		var err error
		if relinked, err = tx.relink(); err != nil {
			return err
		}
		if _, err := tx.exec(`INSERT INTO meta (name, value) VALUES ('audit_key_id', ?)`, id); err != nil {
			return err
		}
		if relinked > 0 {
			if err := tx.audit("audit.relink", "audit", "", "", jsonDetail(map[string]any{"entries": relinked, "key": id})); err != nil {
				return err
			}
		}
		tx.lastSeq = 0 // the base checkpoint below records the head
		return tx.queryRow(`SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&head, &headLink)
	})
	if err != nil {
		db.chain = nil
		c.log.Close()
		return 0, err
	}
	return relinked, c.checkpoint(head, headLink, db.now(), true)
}

// relink checks the chain under its plain hashes and rewrites every link
// under the chain key, in batches, the head locked throughout.
func (tx *Tx) relink() (int64, error) {
	var headSeq int64
	var headHash []byte
	if err := tx.queryRow(`UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash`).Scan(&headSeq, &headHash); err != nil {
		return 0, fmt.Errorf("audit head: %w", err)
	}
	const batch = 2000
	var seq int64
	oldPrev, newPrev := []byte{}, []byte{}
	for {
		rows, err := tx.query(`SELECT `+auditCols+` FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, seq, batch)
		if err != nil {
			return 0, err
		}
		var es []*wangge.AuditEntry
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				rows.Close()
				return 0, err
			}
			es = append(es, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
		for _, e := range es {
			if e.Seq != seq+1 || !bytes.Equal(e.PrevHash, oldPrev) || !bytes.Equal(e.ComputeHash(), e.Hash) {
				return 0, &PlainChainBrokenError{Seq: seq + 1}
			}
			seq, oldPrev = e.Seq, e.Hash
			e.PrevHash = newPrev
			e.Hash = e.ComputeLink(tx.db.chain.key)
			newPrev = e.Hash
			if _, err := tx.exec(`UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?`, e.PrevHash, e.Hash, e.Seq); err != nil {
				return 0, err
			}
		}
		if len(es) < batch {
			break
		}
	}
	if headSeq != seq || !bytes.Equal(headHash, oldPrev) {
		return 0, &PlainChainBrokenError{Seq: seq + 1}
	}
	if _, err := tx.exec(`UPDATE audit_head SET hash = ? WHERE id = 1`, newPrev); err != nil {
		return 0, err
	}
	return seq, nil
}

// linker returns how the transaction links entries: under the chain key;
// or, while the database's chain is not keyed yet (a store opened without
// one, as in tests of other things), with plain SHA-256. A keyed chain is
// never extended without its key.
func (tx *Tx) linker() (func(*wangge.AuditEntry) []byte, error) {
	if c := tx.db.chain; c != nil {
		return func(e *wangge.AuditEntry) []byte { return e.ComputeLink(c.key) }, nil
	}
	id, err := tx.db.chainKeyID(tx.ctx, tx.queryRow)
	if err != nil {
		return nil, err
	}
	if id != "" {
		return nil, ErrChainKeyMissing
	}
	return (*wangge.AuditEntry).ComputeHash, nil
}

// appended notes the newest entry a committed transaction appended and
// writes a checkpoint every CheckpointEvery entries.
func (db *DB) appended(seq int64, link []byte) {
	c := db.chain
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if seq > c.seq {
		c.seq, c.link = seq, link
	}
	if c.log != nil && c.seq-c.anchored >= CheckpointEvery {
		if err := c.checkpointLocked(c.seq, c.link, db.now(), false); err != nil {
			slog.Error("audit checkpoint", "file", c.log.Path(), "err", err)
		}
	}
}

func (c *chain) checkpoint(seq int64, link []byte, at time.Time, base bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.checkpointLocked(seq, link, at, base)
}

func (c *chain) checkpointLocked(seq int64, link []byte, at time.Time, base bool) error {
	if _, err := c.log.Append(seq, link, at, base); err != nil {
		return err
	}
	c.anchored = seq
	if base || seq > c.seq { // a base may start lower: a reset, a restore
		c.seq, c.link = seq, link
	}
	return nil
}

// Checkpoint writes a checkpoint of the newest entry this store appended,
// when it appended any since its last checkpoint. Only entries the store
// wrote itself are checkpointed, never a head read back from the database,
// which whoever can write to the database could have moved.
func (db *DB) Checkpoint() error {
	c := db.chain
	if c == nil || c.log == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seq <= c.anchored {
		return nil
	}
	return c.checkpointLocked(c.seq, c.link, db.now(), false)
}

// AnchorBase writes a base checkpoint of the head as the database holds it
// now, for a new start made on purpose: a restored backup (checked before)
// or a reset. Earlier checkpoints are then of the chain it replaced.
func (db *DB) AnchorBase(ctx context.Context) error {
	c := db.chain
	if c == nil || c.log == nil {
		return nil
	}
	var seq int64
	var link []byte
	if err := db.w.QueryRowContext(ctx, db.sql(`SELECT seq, hash FROM audit_head WHERE id = 1`)).Scan(&seq, &link); err != nil {
		return err
	}
	return c.checkpoint(seq, link, db.now(), true)
}

// CheckpointFile returns the name of the checkpoint file ("" without one).
func (db *DB) CheckpointFile() string {
	if db.chain == nil || db.chain.log == nil {
		return ""
	}
	return db.chain.log.Path()
}

// Checkpoints reads the checkpoint file, every line's signature checked.
func (db *DB) Checkpoints() ([]anchor.Checkpoint, error) {
	if db.chain == nil || db.chain.log == nil {
		return nil, ErrChainKeyMissing
	}
	return anchor.Read(db.chain.log.Path(), db.chain.key)
}

// ExportCheckpoints writes the checkpoint file, every line checked, to w.
func (db *DB) ExportCheckpoints(w io.Writer) (int, error) {
	if db.chain == nil || db.chain.log == nil {
		return 0, ErrChainKeyMissing
	}
	return anchor.Export(db.chain.log.Path(), db.chain.key, w)
}

func (db *DB) closeChain() error {
	c := db.chain
	if c == nil || c.log == nil {
		return nil
	}
	return errors.Join(db.Checkpoint(), c.log.Close())
}

// AuditKeyID returns the id of the chain key the database's audit chain is
// under, or "" while it is not keyed.
func (db *DB) AuditKeyID(ctx context.Context) (string, error) {
	return db.chainKeyID(ctx, func(q string, a ...any) *sql.Row { return db.queryRow(ctx, q, a...) })
}
