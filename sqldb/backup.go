package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// CheckKey opens one sealed value of every sealed column that holds any,
// with the store's key ring, and returns how many it opened. A backup is
// only a backup when its key file opens its data; this is the proof. No
// sealed value at all (an empty database) is no error.
func (db *DB) CheckKey(ctx context.Context) (int, error) {
	if db.box == nil {
		return 0, errors.New("sqldb: CheckKey before UseKey")
	}
	cols, err := db.SealedColumns(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range cols {
		var v []byte
		err := db.r.QueryRowContext(ctx, `SELECT `+c.Column+` FROM `+c.Table+` WHERE `+c.Column+` IS NOT NULL LIMIT 1`).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && len(v) == 0) {
			continue
		}
		if err != nil {
			return n, err
		}
		if _, err := db.box.Open(c.Field, v); err != nil {
			return n, fmt.Errorf("a value of %s does not open with the key: %w", c, err)
		}
		n++
	}
	return n, nil
}

// CountRows returns the number of rows of each table named.
func (db *DB) CountRows(ctx context.Context, tables ...string) (map[string]int64, error) {
	out := make(map[string]int64, len(tables))
	for _, t := range tables {
		var n int64
		if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t).Scan(&n); err != nil {
			return nil, err
		}
		out[t] = n
	}
	return out, nil
}
