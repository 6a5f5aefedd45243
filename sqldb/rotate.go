package sqldb

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/wangge/wangge/secret"
)

// SealedColumn is a column that holds values sealed with the field key, and
// the column of their blind index, if any.
type SealedColumn struct {
	Table, Column string
	Index         string // blind-index column, "" when there is none
	Field         string // the field name the value is sealed under
}

func (c SealedColumn) String() string { return c.Table + "." + c.Column }

// sealedColumns lists every sealed column, in one place: a key rotation
// re-seals them all. A new sealed column is added here, or named *_enc and
// sealed under the field "<table>.<column without _enc>" (with its blind
// index, if any, in <column without _enc>_idx): RotateKey finds those in
// the schema by themselves. A sealed value in any other column stops the
// rotation before the old key is dropped.
var sealedColumns = []SealedColumn{
	{"persons", "id_enc", "id_idx", fPersonID},
	{"persons", "phone_enc", "phone_idx", fPersonPhone},
	{"households", "phone_enc", "phone_idx", fHouseholdPh},
	{"units", "contact_phone_enc", "", fUnitPhone},
	{"assistants", "phone_enc", "", fAssistantPh},
	{"building_heads", "phone_enc", "", fHeadPhone},
	{"users", "totp_secret", "", fUserTOTP},
	{"memberships", "attrs_enc", "", fMembershipAttrs},
}

// schemaColumn is a column of the database's schema.
type schemaColumn struct {
	table, column string
	binary        bool // BLOB or BYTEA
}

// schema lists the columns of the application's tables.
func (db *DB) schema(ctx context.Context) ([]schemaColumn, error) {
	var q string
	switch db.d.Name {
	case "sqlite":
		q = `SELECT m.name, p.name, UPPER(p.type) = 'BLOB' FROM sqlite_schema m, pragma_table_info(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY m.name, p.cid`
	case "postgres":
		q = `SELECT table_name, column_name, data_type = 'bytea' FROM information_schema.columns
			WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`
	default:
		return nil, fmt.Errorf("sqldb: no schema query for %s", db.d.Name)
	}
	rows, err := db.r.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []schemaColumn
	for rows.Next() {
		var c schemaColumn
		if err := rows.Scan(&c.table, &c.column, &c.binary); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SealedColumns returns the sealed columns the schema holds: those listed
// above and every other column named *_enc.
func (db *DB) SealedColumns(ctx context.Context) ([]SealedColumn, error) {
	cols, err := db.schema(ctx)
	if err != nil {
		return nil, err
	}
	return sealedIn(cols), nil
}

func sealedIn(cols []schemaColumn) []SealedColumn {
	has := map[string]bool{}
	for _, c := range cols {
		has[c.table+"."+c.column] = true
	}
	var out []SealedColumn
	for _, s := range sealedColumns {
		if has[s.String()] {
			out = append(out, s)
		}
	}
	for _, c := range cols {
		base, ok := strings.CutSuffix(c.column, "_enc")
		if !ok || slices.ContainsFunc(out, func(s SealedColumn) bool { return s.Table == c.table && s.Column == c.column }) {
			continue
		}
		s := SealedColumn{Table: c.table, Column: c.column, Field: c.table + "." + base}
		if has[c.table+"."+base+"_idx"] {
			s.Index = base + "_idx"
		}
		out = append(out, s)
	}
	return out
}

// RotateOptions tune RotateKey.
type RotateOptions struct {
	// Batch is the number of rows re-sealed in one transaction (500 when 0):
	// small enough that other writers wait only briefly for SQLite's lock.
	Batch int
	// Progress, when set, is called after each batch.
	Progress func(RotateProgress)
}

// RotateProgress tells how far a rotation is: in its pass over the tables
// (the first re-seals; a later one finds what writers sealed under an old
// key meanwhile, usually nothing), the table's rows looked at so far.
type RotateProgress struct {
	Pass        int
	Table       string
	Done, Total int
	Resealed    int // rows of the table re-sealed so far in this pass
}

// Rotation reports a finished key rotation.
type Rotation struct {
	From, To string         // the key the data was recorded under, and now is
	Resumed  bool           // an interrupted rotation to the same key was finished
	Columns  []string       // table.column of every sealed column
	Rows     map[string]int // rows re-sealed, by table
	Values   int            // values re-sealed
	Passes   int            // sweeps over the tables (the last finds nothing left)
}

// RotateKey re-seals every sealed value under the current key of the ring
// UseKey set — its first key — and re-computes the blind indexes, in small
// transactions so that reads and writes go on meanwhile: a reader meets
// either the old ciphertext or the new, and the ring opens both, and a
// lookup matches the index under either key. Values already under the
// current key are skipped, so an interrupted rotation run again finishes
// the job. At the end the current key is recorded as the database's key;
// from then on the older keys are no longer needed (nor accepted alone).
//
// The audit log records the start and the finish, with counts.
func (db *DB) RotateKey(ctx context.Context, opt RotateOptions) (*Rotation, error) {
	if db.box == nil {
		return nil, errors.New("sqldb: RotateKey before UseKey")
	}
	if opt.Batch <= 0 {
		opt.Batch = 500
	}
	box := db.box.get()
	to := box.KeyID()
	from, next, err := db.keyState(ctx)
	if err != nil {
		return nil, err
	}
	if err := ringHolds(box, from, next); err != nil {
		return nil, err
	}
	rot := &Rotation{From: from, To: to, Resumed: next == to, Rows: map[string]int{}}
	schema, err := db.schema(ctx)
	if err != nil {
		return nil, err
	}
	has := map[string]bool{}
	for _, c := range schema {
		has[c.table+"."+c.column] = true
	}
	cols := sealedIn(schema)
	for _, c := range cols {
		if !has[c.Table+".id"] {
			return nil, fmt.Errorf("sealed column %s: its table has no id column to sweep it by", c)
		}
		rot.Columns = append(rot.Columns, c.String())
	}

	// Record where the rotation goes before the first value moves: from now
	// on a store must hold the new key too (UseKey), and a rerun resumes.
	err = db.inTx(ctx, func(tx *Tx) error {
		if from != to {
			if _, err := tx.exec(`INSERT INTO meta (name, value) VALUES ('key_next', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, to); err != nil {
				return err
			}
		}
		return tx.audit("key.rotate.start", "database", "", "", jsonDetail(map[string]any{"from": from, "to": to, "resumed": rot.Resumed}))
	})
	if err != nil {
		return nil, err
	}

	byTable := map[string][]SealedColumn{}
	var tables []string
	for _, c := range cols {
		if byTable[c.Table] == nil {
			tables = append(tables, c.Table)
		}
		byTable[c.Table] = append(byTable[c.Table], c)
	}
	const maxPasses = 5
	for {
		rot.Passes++
		resealed, missed := 0, 0
		for _, t := range tables {
			n, v, m, err := db.rotateTable(ctx, box, rot.Passes, t, byTable[t], opt)
			if err != nil {
				return nil, err
			}
			rot.Rows[t] += n
			rot.Values += v
			resealed += n
			missed += m
		}
		if resealed == 0 && missed == 0 {
			done, err := db.finishRotation(ctx, box, schema, cols, rot)
			if err != nil || done {
				return rot, err
			}
		}
		if rot.Passes >= maxPasses {
			return nil, fmt.Errorf("after %d passes values are still being written under an old key: a running wangge has not taken up the new key file; restart it and run `wangge key rotate` again", rot.Passes)
		}
	}
}

// header returns the first bytes of every ciphertext under the key.
func header(keyID string) []byte {
	id, _ := hex.DecodeString(keyID)
	return append([]byte{1}, id...)
}

// prefix returns the SQL for the first n bytes of a binary column.
func (db *DB) prefix(col string, n int) string {
	if db.d.Name == "postgres" {
		return fmt.Sprintf("substring(%s from 1 for %d)", col, n)
	}
	return fmt.Sprintf("substr(%s, 1, %d)", col, n)
}

// rotateTable sweeps one table in batches of rows by id and re-seals the
// values not under the current key. It returns the rows and values it
// re-sealed and the rows it left because they changed meanwhile.
func (db *DB) rotateTable(ctx context.Context, box *secret.Box, pass int, table string, cols []SealedColumn, opt RotateOptions) (rows, values, missed int, err error) {
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&total); err != nil {
		return 0, 0, 0, err
	}
	var sel strings.Builder
	sel.WriteString("SELECT id")
	for _, c := range cols {
		sel.WriteString(", " + c.Column)
	}
	sel.WriteString(" FROM " + table + " WHERE id > ? ORDER BY id LIMIT ?")
	selSQL := db.sql(sel.String())
	to := box.KeyID()
	last, done := int64(math.MinInt64), 0
	for {
		if err := ctx.Err(); err != nil {
			return rows, values, missed, err
		}
		t, err := db.w.BeginTx(ctx, nil)
		if err != nil {
			return rows, values, missed, err
		}
		n, r, v, m, err := db.rotateBatch(ctx, t, box, to, table, cols, selSQL, &last, opt.Batch)
		if err == nil {
			err = t.Commit()
		} else {
			t.Rollback()
		}
		if err != nil {
			return rows, values, missed, err
		}
		rows, values, missed, done = rows+r, values+v, missed+m, done+n
		if opt.Progress != nil {
			opt.Progress(RotateProgress{Pass: pass, Table: table, Done: done, Total: max(total, done), Resealed: rows})
		}
		if n < opt.Batch {
			return rows, values, missed, nil
		}
	}
}

// rotateBatch re-seals one batch of rows after *last in the transaction t.
func (db *DB) rotateBatch(ctx context.Context, t *sql.Tx, box *secret.Box, to, table string, cols []SealedColumn, selSQL string, last *int64, batch int) (n, rows, values, missed int, err error) {
	type row struct {
		id   int64
		vals [][]byte
	}
	var todo []row
	rs, err := t.QueryContext(ctx, selSQL, *last, batch)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	for rs.Next() {
		r := row{vals: make([][]byte, len(cols))}
		dest := []any{&r.id}
		for i := range cols {
			dest = append(dest, &r.vals[i])
		}
		if err := rs.Scan(dest...); err != nil {
			rs.Close()
			return 0, 0, 0, 0, err
		}
		n++
		*last = r.id
		for _, v := range r.vals {
			if len(v) > 0 && secret.SealedKeyID(v) != to {
				todo = append(todo, r)
				break
			}
		}
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return 0, 0, 0, 0, err
	}
	stmts := map[string]*sql.Stmt{} // one per set of columns re-sealed
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	for _, r := range todo {
		var set, cond []string
		var args, condArgs []any
		for i, c := range cols {
			v := r.vals[i]
			if len(v) == 0 || secret.SealedKeyID(v) == to {
				continue
			}
			plain, err := box.Open(c.Field, v)
			if err != nil {
				return 0, 0, 0, 0, fmt.Errorf("%s of row %d: %w", c, r.id, err)
			}
			set = append(set, c.Column+" = ?")
			args = append(args, box.Seal(c.Field, plain))
			if c.Index != "" {
				set = append(set, c.Index+" = ?")
				args = append(args, box.Index(c.Field, plain))
			}
			// Compare and swap: a value changed since it was read is left
			// alone (its writer sealed it anew) and looked at again.
			cond = append(cond, c.Column+" = ?")
			condArgs = append(condArgs, v)
			values++
		}
		q := `UPDATE ` + table + ` SET ` + strings.Join(set, ", ") + ` WHERE id = ? AND ` + strings.Join(cond, " AND ")
		st := stmts[q]
		if st == nil {
			if st, err = t.PrepareContext(ctx, db.sql(q)); err != nil {
				return 0, 0, 0, 0, err
			}
			stmts[q] = st
		}
		res, err := st.ExecContext(ctx, append(append(args, r.id), condArgs...)...)
		if err != nil {
			if db.d.IsUnique != nil && db.d.IsUnique(err) {
				return 0, 0, 0, 0, fmt.Errorf("%s row %d: its new blind index is taken by another row, so two rows hold the same value; correct one of them and run the rotation again: %w", table, r.id, err)
			}
			return 0, 0, 0, 0, fmt.Errorf("%s row %d: %w", table, r.id, err)
		}
		if k, _ := res.RowsAffected(); k == 1 {
			rows++
		} else {
			missed++
		}
	}
	return n, rows, values, missed, nil
}

// finishRotation records the current key as the database's once no sealed
// value is left under another key, checked in the same transaction (for
// SQLite under the write lock, so no writer slips one in between). It
// reports false when it found one; the caller sweeps again.
func (db *DB) finishRotation(ctx context.Context, box *secret.Box, schema []schemaColumn, cols []SealedColumn, rot *Rotation) (bool, error) {
	// A sealed value in a column the list does not know would become
	// unreadable with the old key gone: refuse. (Checked before the
	// transaction, which holds SQLite's write lock: these are full scans.)
	skip := map[string]bool{}
	for _, c := range cols {
		skip[c.String()] = true
		if c.Index != "" {
			skip[c.Table+"."+c.Index] = true // keyed hashes, never sealed
		}
	}
	var others []any // headers of the ring's other keys
	for _, id := range box.KeyIDs() {
		if id != rot.To {
			others = append(others, header(id))
		}
	}
	if len(others) > 0 {
		in := strings.TrimSuffix(strings.Repeat("?, ", len(others)), ", ")
		for _, c := range schema {
			if !c.binary || skip[c.table+"."+c.column] {
				continue
			}
			var n int
			if err := db.r.QueryRowContext(ctx, db.sql(`SELECT COUNT(*) FROM `+c.table+` WHERE `+db.prefix(c.column, 5)+` IN (`+in+`)`), others...).Scan(&n); err != nil {
				return false, err
			}
			if n > 0 {
				return false, fmt.Errorf("column %s.%s holds %d values sealed under an old key, but is not listed among the sealed columns (sqldb.sealedColumns): add it there, then run the rotation again; the old key is still needed", c.table, c.column, n)
			}
		}
	}
	done := false
	err := db.inTx(ctx, func(tx *Tx) error {
		for _, c := range cols {
			var n int
			if err := tx.queryRow(`SELECT COUNT(*) FROM `+c.Table+` WHERE `+c.Column+` IS NOT NULL AND LENGTH(`+c.Column+`) > 0 AND `+
				db.prefix(c.Column, 5)+` <> ?`, header(rot.To)).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil // not yet: sweep again
			}
		}
		if _, err := tx.exec(`UPDATE meta SET value = ? WHERE name = 'key_id'`, rot.To); err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM meta WHERE name = 'key_next'`); err != nil {
			return err
		}
		done = true
		return tx.audit("key.rotate.finish", "database", "", "", jsonDetail(map[string]any{
			"from": rot.From, "to": rot.To, "rows": rot.Rows, "values": rot.Values, "passes": rot.Passes, "columns": rot.Columns}))
	})
	return done, err
}
