// Package pgtest is what the tests of several packages share to reach
// PostgreSQL: the suite's server (WANGGE_TEST_POSTGRES, as
// scripts/with-postgres sets it, or 127.0.0.1:5432) and a throwaway
// database of one test's own on it. Without a server a test skips, unless
// WANGGE_REQUIRE_POSTGRES=1, when it fails: CI must not pass by skipping.
// Imported only by tests.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// DefaultDSN is the server tried when WANGGE_TEST_POSTGRES is not set.
const DefaultDSN = "postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Server returns the suite's server: its DSN, parsed, and a connection to
// it that is closed when the test ends.
func Server(t testing.TB) (dsn string, base *url.URL, admin *sql.DB) {
	t.Helper()
	dsn = os.Getenv("WANGGE_TEST_POSTGRES")
	if dsn == "" {
		dsn = DefaultDSN
	}
	base, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	admin, err = sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	err = admin.PingContext(ctx)
	cancel()
	if err != nil {
		if os.Getenv("WANGGE_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("WANGGE_REQUIRE_POSTGRES=1 but PostgreSQL at %s does not answer: %v", base.Redacted(), err)
		}
		t.Skipf("no PostgreSQL at %s: %v", base.Redacted(), err)
	}
	return dsn, base, admin
}

// Database creates an empty database named prefix_<random> on the suite's
// server and returns its URL. It is dropped when the test ends; the drop is
// registered before anything the caller registers, so it runs after the
// caller's cleanups have closed their connections.
func Database(t testing.TB, prefix string) string {
	t.Helper()
	_, base, admin := Server(t)
	var b [8]byte
	rand.Read(b[:])
	name := prefix + "_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u := *base
	u.Path, u.RawPath = "/"+name, ""
	return u.String()
}
