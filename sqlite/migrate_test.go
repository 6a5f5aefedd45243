package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
)

// TestMigration9KeepsMetaAndSessions: the rebuild of meta and sessions
// (NOT NULL keys, as in PostgreSQL) keeps their rows, and a NULL key is
// refused afterwards.
func TestMigration9KeepsMetaAndSessions(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", dsn(filepath.Join(t.TempDir(), "w.db"), true))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	sub, _ := fs.Sub(migrations, "migrations")
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 7); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO meta (name, value) VALUES ('key_id', 'abcd1234')`,
		`INSERT INTO users (id, username, role, scope_code, password_hash, created_at, updated_at) VALUES (1, 'admin', 'district_admin', '140402', 'x', '2026-05-14 10:00:00', '2026-05-14 10:00:00')`,
		`INSERT INTO sessions (token_hash, user_id, created_at, expires_at, addr) VALUES (X'0102', 1, '2026-05-14 10:00:00', '2026-05-14 22:00:00', '10.0.0.1')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	var key, addr string
	if err := db.QueryRowContext(ctx, `SELECT value FROM meta WHERE name = 'key_id'`).Scan(&key); err != nil || key != "abcd1234" {
		t.Errorf("meta after 00009: %q, %v", key, err)
	}
	if err := db.QueryRowContext(ctx, `SELECT addr FROM sessions WHERE token_hash = X'0102' AND user_id = 1`).Scan(&addr); err != nil || addr != "10.0.0.1" {
		t.Errorf("sessions after 00009: %q, %v", addr, err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO meta (name, value) VALUES (NULL, 'x')`); err == nil {
		t.Error("meta takes a NULL name after 00009")
	}
	// The session still goes with its user.
	if _, err := db.ExecContext(ctx, `DELETE FROM users WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	var n int
	db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&n)
	if n != 0 {
		t.Errorf("%d sessions outlive their user after 00009", n)
	}
}
