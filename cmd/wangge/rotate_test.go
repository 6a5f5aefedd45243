package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqldb"
	"github.com/wangge/wangge/sqlite"
)

// runIn runs the command line with ctx and returns what it printed.
func runIn(ctx context.Context, args ...string) (string, error) {
	r, w, _ := os.Pipe()
	old := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	err := run(ctx, args)
	w.Close()
	os.Stdout = old
	return string(<-done), err
}

// noSettle skips the wait for running servers: the tests run none.
func noSettle(t *testing.T) {
	old := keySettle
	keySettle = 0
	t.Cleanup(func() { keySettle = old })
}

// demoDB generates the small demo district into a new SQLite file.
func demoDB(t *testing.T) (db, keyFile string) {
	t.Helper()
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	db = filepath.Join(t.TempDir(), "w.db")
	capture(t, "demo", "--db", db, "--scale", "0.02", "--admin-password", "Demo-Test-2026")
	return db, db + ".key"
}

// holdsKey reports whether s holds any key of the key files' contents
// (field keys and the audit key, 64 hex digits each).
func holdsKey(s string, files ...[]byte) bool {
	for _, f := range files {
		for _, line := range strings.Split(string(f), "\n") {
			if k := strings.TrimPrefix(strings.TrimSpace(line), "audit "); len(k) == 64 && strings.Contains(s, k) {
				return true
			}
		}
	}
	return false
}

// statsOf returns what `wangge stats --json` prints, compacted.
func statsOf(t *testing.T, db string) string {
	t.Helper()
	var st wangge.Stats
	out := capture(t, "stats", "--db", db, "--json")
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Persons == 0 {
		t.Fatalf("stats: %v\n%s", err, out)
	}
	b, _ := json.Marshal(st)
	return string(b)
}

func personsIn(t *testing.T, stats string) int {
	var st wangge.Stats
	json.Unmarshal([]byte(stats), &st)
	return st.Persons
}

// keyIDOf returns the id of the first key in a key file.
func keyIDOf(t *testing.T, path string) string {
	t.Helper()
	k, err := secret.LoadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := secret.New(k)
	return b.KeyID()
}

// sealedUnder counts the sealed values of the database by key id.
func sealedUnder(t *testing.T, dbPath string) map[string]int {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cols, err := db.SealedColumns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, c := range cols {
		rows, err := db.Reader().QueryContext(ctx, `SELECT `+c.Column+` FROM `+c.Table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v []byte
			rows.Scan(&v)
			if len(v) > 0 {
				out[secret.SealedKeyID(v)]++
			}
		}
		rows.Close()
	}
	return out
}

func backups(t *testing.T, keyFile string) []string {
	t.Helper()
	m, _ := filepath.Glob(keyFile + ".bak-*")
	return m
}

// TestKeyRotateCommand: after `wangge key rotate` the key file holds a new
// key alone, the .bak the old one, every sealed value is under the new key,
// and stats and audit verify work; the old key file is refused.
func TestKeyRotateCommand(t *testing.T) {
	noSettle(t)
	db, keyFile := demoDB(t)
	oldRaw, _ := os.ReadFile(keyFile)
	oldID := keyIDOf(t, keyFile)
	before := statsOf(t, db)

	out := capture(t, "key", "rotate", "--db", db)
	if !strings.Contains(out, "Key rotation done") {
		t.Errorf("key rotate printed:\n%s", out)
	}
	newID := keyIDOf(t, keyFile)
	raw, _ := os.ReadFile(keyFile)
	// The new field key alone, and the audit key carried over.
	fieldKeys, err := secret.LoadKeys(keyFile)
	auditLine := string(raw[strings.IndexByte(string(raw), '\n')+1:])
	if newID == oldID || err != nil || len(fieldKeys) != 1 || strings.Count(string(raw), "\n") != 2 || !strings.Contains(string(oldRaw), auditLine) || !strings.HasPrefix(auditLine, "audit ") {
		t.Fatalf("the key file after the rotation: %q (old key %s)", raw, oldID)
	}
	if st, _ := os.Stat(keyFile); st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", st.Mode().Perm())
	}
	baks := backups(t, keyFile)
	if len(baks) != 1 {
		t.Fatalf("backups %v, want one", baks)
	}
	if b, _ := os.ReadFile(baks[0]); !bytes.Equal(b, oldRaw) {
		t.Errorf("the backup does not hold the old key file")
	}
	if st, _ := os.Stat(baks[0]); st.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v", st.Mode().Perm())
	}
	if !strings.Contains(out, baks[0]) || holdsKey(out, raw, oldRaw) {
		t.Errorf("the output names the backup and no key:\n%s", out)
	}
	if got := sealedUnder(t, db); len(got) != 1 || got[newID] < personsIn(t, before) {
		t.Errorf("sealed values by key after the rotation: %v, want all under %s", got, newID)
	}

	if after := statsOf(t, db); after != before {
		t.Errorf("stats after the rotation %s, before %s", after, before)
	}
	out = capture(t, "audit", "verify", "--db", db)
	if !strings.Contains(out, "holds") {
		t.Errorf("audit verify: %s", out)
	}

	// The audit log has the rotation, with counts and no key.
	ctx := context.Background()
	store, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := store.KeyID(ctx); id != newID {
		t.Errorf("recorded key %s, want %s", id, newID)
	}
	es, _, err := store.ListAudit(ctx, wangge.AuditFilter{Action: "key.rotate."})
	store.Close()
	if err != nil || len(es) != 2 || es[0].Action != "key.rotate.finish" || !strings.Contains(es[0].Detail, `"persons"`) {
		t.Errorf("audit entries of the rotation: %+v %v", es, err)
	}
	for _, e := range es {
		if holdsKey(e.Detail, raw, oldRaw) {
			t.Errorf("the audit log holds key material: %s", e.Detail)
		}
	}

	// The old key file alone is refused; the new one works.
	t.Setenv("WANGGE_SECRET_KEY_FILE", baks[0])
	if _, err := runIn(ctx, "stats", "--db", db); err == nil || !strings.Contains(err.Error(), newID) {
		t.Errorf("stats with the old key file: %v, want a refusal naming %s", err, newID)
	}
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")

	// A second rotation works the same.
	capture(t, "key", "rotate", "--db", db)
	if id := keyIDOf(t, keyFile); id == newID || id == oldID {
		t.Errorf("the second rotation left key %s", id)
	}
	if len(backups(t, keyFile)) != 2 {
		t.Errorf("backups after two rotations: %v", backups(t, keyFile))
	}
	capture(t, "stats", "--db", db)
}

// TestKeyRotateInterruptedFinishes: a rotation stopped partway leaves a key
// file with both keys that every command can use, and run again it
// finishes without another backup.
func TestKeyRotateInterruptedFinishes(t *testing.T) {
	noSettle(t)
	db, keyFile := demoDB(t)
	oldID := keyIDOf(t, keyFile)
	before := statsOf(t, db)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rotateWatch = func(p sqldb.RotateProgress) {
		if p.Table == "persons" && p.Done >= p.Total/2 {
			cancel()
		}
	}
	_, err := runIn(ctx, "key", "rotate", "--db", db, "--batch", "200")
	rotateWatch = nil
	if err == nil || !strings.Contains(err.Error(), "again") {
		t.Fatalf("the interrupted rotation: %v, want an error that says to run it again", err)
	}
	keys, err := secret.LoadKeys(keyFile)
	if err != nil || len(keys) != 2 {
		t.Fatalf("the key file after the interruption: %d keys, %v; want the new and the old", len(keys), err)
	}
	newID := keyIDOf(t, keyFile)
	under := sealedUnder(t, db)
	if under[oldID] == 0 || under[newID] == 0 {
		t.Fatalf("after the interruption: %v, want values under both keys", under)
	}
	// Meanwhile everything works with the key file as it is …
	if st := statsOf(t, db); st != before {
		t.Errorf("stats midway %s, want %s", st, before)
	}
	// … and the old key file alone is refused.
	baks := backups(t, keyFile)
	if len(baks) != 1 {
		t.Fatalf("backups %v", baks)
	}
	t.Setenv("WANGGE_SECRET_KEY_FILE", baks[0])
	if _, err := runIn(context.Background(), "stats", "--db", db); err == nil || !strings.Contains(err.Error(), "rotation") {
		t.Errorf("stats with the old key alone midway: %v, want a refusal", err)
	}
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")

	out := capture(t, "key", "rotate", "--db", db)
	if !strings.Contains(out, "finishing the rotation") || !strings.Contains(out, "Key rotation done") {
		t.Errorf("the second run printed:\n%s", out)
	}
	if id := keyIDOf(t, keyFile); id != newID {
		t.Errorf("the second run rotated to %s, want to finish with %s", id, newID)
	}
	if keys, _ := secret.LoadKeys(keyFile); len(keys) != 1 {
		t.Errorf("the key file holds %d keys after the finish", len(keys))
	}
	if len(backups(t, keyFile)) != 1 {
		t.Errorf("the resumed run made another backup: %v", backups(t, keyFile))
	}
	if got := sealedUnder(t, db); len(got) != 1 || got[newID] == 0 {
		t.Errorf("after the second run: %v", got)
	}
	if st := statsOf(t, db); st != before {
		t.Errorf("stats after %s, want %s", st, before)
	}
	capture(t, "audit", "verify", "--db", db)

	// Rotating the same data through the store with a ring that lacks the
	// recorded key is refused before anything changes.
	store, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	stranger, _ := secret.New(secret.NewKey())
	if err := store.UseKey(context.Background(), stranger); err == nil {
		t.Error("a stranger key was taken")
	}
}
