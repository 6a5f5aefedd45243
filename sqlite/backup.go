package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/wangge/wangge/sqldb"
)

// Backup writes a consistent copy of the database at src to dst while other
// connections, in this process or others, go on writing: VACUUM INTO reads
// one snapshot of the WAL database (a read transaction, which never blocks
// the writer) and writes it out compacted, as a single file in rollback
// journal mode that needs no -wal beside it. The copy is made in a new file
// of mode 0600 beside dst, synced and renamed to dst, so dst is either
// absent or whole. An existing dst is refused.
func Backup(ctx context.Context, src, dst string) error {
	src, dst = Path(src), Path(dst)
	if _, err := os.Stat(src); err != nil {
		return err
	}
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("%s exists: %w", dst, fs.ErrExist)
	}
	dir := filepath.Dir(dst)
	f, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	// VACUUM INTO takes an empty file and keeps its mode: personal data is
	// readable by its owner only.
	err = f.Chmod(0o600)
	f.Close()
	if err != nil {
		os.Remove(tmp)
		return err
	}
	fail := func(err error) error {
		os.Remove(tmp)
		return err
	}
	// A connection of its own, not query_only (VACUUM INTO counts as a
	// write to SQLite's read-only check, though it writes only the copy).
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", "file:"+src+"?"+q.Encode())
	if err != nil {
		return fail(err)
	}
	_, err = db.ExecContext(ctx, `VACUUM INTO ?`, tmp)
	db.Close()
	if err != nil {
		return fail(fmt.Errorf("copy %s: %w", src, err))
	}
	if err := syncFile(tmp); err != nil {
		return fail(err)
	}
	if _, err := os.Lstat(dst); err == nil {
		return fail(fmt.Errorf("%s exists: %w", dst, fs.ErrExist))
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fail(err)
	}
	return SyncDir(dir)
}

// OpenReadOnly opens a database file (a backup) to be checked, without
// migrating it or writing to it: both pools are read-only connections.
func OpenReadOnly(ctx context.Context, path string) (*sqldb.DB, error) {
	path = Path(path)
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("mode", "ro")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "query_only(1)")
	q.Add("_pragma", "case_sensitive_like(1)")
	q.Add("_time_format", "sqlite")
	r, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	r.SetMaxOpenConns(2)
	if err := r.PingContext(ctx); err != nil {
		r.Close()
		return nil, err
	}
	return sqldb.New(r, r, dialect), nil
}

// IntegrityCheck runs SQLite's integrity and foreign-key checks and returns
// what they found wrong, or nil when the file is sound.
func IntegrityCheck(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return err
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) == 0 {
		var table string
		var rowid sql.NullInt64
		var parent string
		var fkid int
		err := db.QueryRowContext(ctx, `PRAGMA foreign_key_check`).Scan(&table, &rowid, &parent, &fkid)
		if err == nil {
			problems = append(problems, fmt.Sprintf("row %d of %s refers to a missing row of %s", rowid.Int64, table, parent))
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	if len(problems) > 0 {
		if len(problems) > 5 {
			problems = append(problems[:5], fmt.Sprintf("… %d more", len(problems)-5))
		}
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// SchemaVersion returns the newest migration applied to the database, or
// an error when the file holds no migrations (not a wangge database).
func SchemaVersion(ctx context.Context, db *sql.DB) (int64, error) {
	var v sql.NullInt64
	err := db.QueryRowContext(ctx, `SELECT MAX(version_id) FROM goose_db_version WHERE is_applied`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("no migration table (not a wangge database?): %w", err)
	}
	return v.Int64, nil
}

// LatestVersion returns the newest migration this build carries.
func LatestVersion() int64 {
	entries, _ := migrations.ReadDir("migrations")
	var v int64
	for _, e := range entries {
		if n, err := strconv.ParseInt(strings.SplitN(e.Name(), "_", 2)[0], 10, 64); err == nil && n > v {
			v = n
		}
	}
	return v
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// SyncDir makes a rename or a new file in dir durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
