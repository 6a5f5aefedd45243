package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqldb"
	"github.com/wangge/wangge/sqlite"
	"github.com/wangge/wangge/storetest"
)

// TestConformance runs the store suite on SQLite: a new file per test.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (*sqldb.DB, func(t *testing.T) *sqldb.DB) {
		path := filepath.Join(t.TempDir(), "w.db")
		box, err := secret.New(secret.NewKey())
		if err != nil {
			t.Fatal(err)
		}
		open := func(t *testing.T) *sqldb.DB {
			t.Helper()
			ctx := context.Background()
			db, err := sqlite.Open(ctx, path)
			if err != nil {
				t.Fatalf("open %s: %v", path, err)
			}
			t.Cleanup(func() {
				if err := db.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			})
			if err := db.UseKey(ctx, box); err != nil {
				t.Fatalf("UseKey: %v", err)
			}
			return db
		}
		return open(t), open
	})
}
