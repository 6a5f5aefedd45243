package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMissingKeyFileIsReportedNotReplaced: once a database holds encrypted
// data, losing the key file stops wangge with a clear message, and no new
// key is written over the loss.
func TestMissingKeyFileIsReportedNotReplaced(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	db := filepath.Join(t.TempDir(), "w.db")
	capture(t, "demo", "--db", db, "--scale", "0.02", "--admin-password", "Demo-Test-2026")
	for _, f := range []string{db} {
		if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, want mode 0600", f, err)
		}
	}
	key := db + ".key"
	st, err := os.Stat(key)
	if err != nil {
		t.Fatalf("no key file beside the database: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	if err := os.Rename(key, key+".bak"); err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), []string{"stats", "--db", db})
	if err == nil || !strings.Contains(err.Error(), "missing") || !strings.Contains(err.Error(), "缺失") {
		t.Fatalf("stats without the key file: %v, want a clear error", err)
	}
	if _, err := os.Stat(key); !os.IsNotExist(err) {
		t.Fatal("a new key file was created over encrypted data")
	}

	// The wrong key is refused too.
	other := filepath.Join(t.TempDir(), "other.key")
	t.Setenv("WANGGE_SECRET_KEY_FILE", other)
	capture(t, "migrate", "--db", filepath.Join(t.TempDir(), "y.db")) // creates other.key for a fresh database
	if err := run(context.Background(), []string{"stats", "--db", db}); err == nil || !strings.Contains(err.Error(), "key") {
		t.Fatalf("stats with another key: %v, want a refusal", err)
	}

	t.Setenv("WANGGE_SECRET_KEY_FILE", key+".bak")
	capture(t, "stats", "--db", db)
}
