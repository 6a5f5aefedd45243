// Package sqlite opens the store on an SQLite file (modernc.org/sqlite, pure
// Go): WAL mode, a pool of read connections and a single writer, so readers
// never wait for the writer and writes never fight over the lock.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"strings"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/wangge/wangge/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

var dialect = sqldb.Dialect{
	Name: "sqlite",
	IsUnique: func(err error) bool {
		return code(err) == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code(err) == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	},
	IsForeignKey: func(err error) bool { return code(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY },
	Optimize:     []string{"ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"},
	MaxParams:    32766,
}

func code(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

// dsn builds the driver's connection string for a file path.
func dsn(path string, write bool) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "cache_size(-65536)")     // 64 MiB per connection
	q.Add("_pragma", "case_sensitive_like(1)") // LIKE as in PostgreSQL
	q.Add("_time_format", "sqlite")
	if write {
		q.Add("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + path + "?" + q.Encode()
}

// Path strips an optional sqlite:// or file: prefix from a DSN.
func Path(dsn string) string {
	for _, p := range []string{"sqlite://", "sqlite:", "file:"} {
		dsn = strings.TrimPrefix(dsn, p)
	}
	if i := strings.IndexByte(dsn, '?'); i >= 0 {
		dsn = dsn[:i]
	}
	return dsn
}

// Open opens (creating when absent) the database file and migrates it.
func Open(ctx context.Context, path string) (*sqldb.DB, error) {
	path = Path(path)
	// A new database file is readable by its owner only; SQLite gives the
	// -wal and -shm files the same mode.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	w, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := Migrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		w.Close()
		return nil, err
	}
	n := max(4, runtime.NumCPU()*2)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxIdleTime(0)
	db := sqldb.New(r, w, dialect)
	return db, nil
}

// Migrate applies the embedded migrations.
func Migrate(ctx context.Context, db *sql.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}
