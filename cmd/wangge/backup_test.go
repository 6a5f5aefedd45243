package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/sqlite"
)

// loadWrite is one write of the load, as the store committed it.
type loadWrite struct {
	kind string // "person", "visit" or "audit"
	id   string // the row's id; for "audit" the entry's object_id
	idNo string // a person's full ID number
}

// TestBackupDuringWritesRestoresEveryCommittedRow backs up a WAL database
// while three writers add persons, visits and audit entries through the
// store, as a server does; restores the backup into a new place; and finds
// there every row committed before the backup began, the audit chain
// holding and the key opening a person's sealed ID number. The backup is
// one snapshot: a person of the load is in it exactly when the audit entry
// of its creation is, and the load's writers never failed.
func TestBackupDuringWritesRestoresEveryCommittedRow(t *testing.T) {
	src, _ := demoDB(t)
	ctx := context.Background()
	store, err := openStore(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	actx := wangge.WithActor(ctx, wangge.Actor{Username: "load", Role: wangge.RoleSystem})

	var households []int64
	rows, err := store.Reader().QueryContext(ctx, `SELECT id FROM households ORDER BY id LIMIT 40`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		households = append(households, id)
	}
	rows.Close()
	var assistant int64
	if err := store.Reader().QueryRowContext(ctx, `SELECT assistant_id FROM assignments WHERE to_at IS NULL ORDER BY id LIMIT 1`).Scan(&assistant); err != nil || len(households) == 0 {
		t.Fatalf("the demo has no assistant or households: %v", err)
	}

	var (
		began   atomic.Bool // set just before the backup starts
		stop    atomic.Bool
		mu      sync.Mutex
		before  []loadWrite // committed before the backup began
		all     []loadWrite
		counts  [3]atomic.Int64
		werrs   []error
		writers sync.WaitGroup
	)
	record := func(w loadWrite) {
		pre := !began.Load() // read after the commit returned
		mu.Lock()
		all = append(all, w)
		if pre {
			before = append(before, w)
		}
		mu.Unlock()
	}
	fail := func(err error) {
		mu.Lock()
		werrs = append(werrs, err)
		mu.Unlock()
	}
	writer := func(i int, write func(n int) (loadWrite, error)) {
		defer writers.Done()
		for n := 0; !stop.Load(); n++ {
			w, err := write(n)
			if err != nil {
				fail(fmt.Errorf("%s write %d: %w", w.kind, n, err))
				return
			}
			record(w)
			counts[i].Add(1)
		}
	}
	writers.Add(3)
	go writer(0, func(n int) (loadWrite, error) {
		birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/100)
		idNo := string(ident.MakeID("149903", birth, n%100, ident.SexFemale))
		p := &wangge.Person{HouseholdID: households[n%len(households)], Name: fmt.Sprintf("备份测试%d", n), IDNumber: idNo,
			Relation: wangge.RelOther, Ethnicity: "汉族", Employment: wangge.EmployRetired}
		err := store.CreatePerson(actx, wangge.ScopeAll(), p)
		return loadWrite{"person", strconv.FormatInt(p.ID, 10), idNo}, err
	})
	go writer(1, func(n int) (loadWrite, error) {
		v := &wangge.Visit{AssistantID: assistant, HouseholdID: &households[n%len(households)], At: time.Now().Add(-time.Minute), Purpose: "走访"}
		err := store.CreateVisit(actx, wangge.ScopeAll(), v)
		return loadWrite{"visit", strconv.FormatInt(v.ID, 10), ""}, err
	})
	go writer(2, func(n int) (loadWrite, error) {
		id := fmt.Sprintf("load-%d", n)
		err := store.Audit(actx, &wangge.AuditEntry{Action: "test.load", Object: "load", ObjectID: id})
		return loadWrite{"audit", id, ""}, err
	})
	waitFor := func(n int64) {
		for !stop.Load() && (counts[0].Load() < n || counts[1].Load() < n || counts[2].Load() < n) {
			mu.Lock()
			failed := len(werrs) > 0
			mu.Unlock()
			if failed {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor(20)
	began.Store(true)
	out := filepath.Join(t.TempDir(), "backups", "w.backup")
	atBackup := [3]int64{counts[0].Load(), counts[1].Load(), counts[2].Load()}
	printed, err := runOut("backup", "--db", src, out)
	afterBackup := [3]int64{counts[0].Load(), counts[1].Load(), counts[2].Load()}
	if err != nil {
		stop.Store(true)
		writers.Wait()
		t.Fatalf("backup: %v\n%s", err, printed)
	}
	waitFor(afterBackup[0] + 10) // the writers go on after the backup too
	stop.Store(true)
	writers.Wait()
	if len(werrs) > 0 {
		t.Fatalf("the load's writes failed while the backup ran: %v", werrs)
	}
	t.Logf("writes committed while the backup ran: persons %d, visits %d, audit entries %d; before it began: %d",
		afterBackup[0]-atBackup[0], afterBackup[1]-atBackup[1], afterBackup[2]-atBackup[2], len(before))
	if !strings.Contains(printed, out) || !strings.Contains(printed, out+".key") || !strings.Contains(printed, "persons ") ||
		!regexp.MustCompile(`cases [1-9]\d*, case_events [1-9]\d*`).MatchString(printed) {
		t.Errorf("backup does not say what it wrote and counted:\n%s", printed)
	}
	for _, p := range []string{out, out + ".key"} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v, mode %v, want 0600", p, err, st.Mode().Perm())
		}
	}

	// One snapshot: each person of the load is in the backup with the audit
	// entry of its creation, or neither is.
	bk, err := sqlite.OpenReadOnly(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	var torn int
	if err := bk.Reader().QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM persons p WHERE p.name LIKE '备份测试%' AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.action = 'person.create' AND a.object_id = CAST(p.id AS TEXT)))
		+ (SELECT COUNT(*) FROM audit_log a WHERE a.action = 'person.create' AND a.username = 'load' AND NOT EXISTS (SELECT 1 FROM persons p WHERE CAST(p.id AS TEXT) = a.object_id))`).Scan(&torn); err != nil {
		t.Fatal(err)
	}
	bk.Close()
	if torn != 0 {
		t.Errorf("the backup holds %d persons without their audit entry or entries without their person", torn)
	}

	restored := filepath.Join(t.TempDir(), "restored", "w.db")
	printed, err = runOut("restore", "--db", restored, out)
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, printed)
	}
	if st, err := os.Stat(restored + ".key"); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the restored key file: %v", err)
	}
	rdb, err := openStore(ctx, restored)
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, w := range before {
		var q string
		switch w.kind {
		case "person":
			q = `SELECT COUNT(*) FROM persons WHERE id = ?`
		case "visit":
			q = `SELECT COUNT(*) FROM visits WHERE id = ?`
		case "audit":
			q = `SELECT COUNT(*) FROM audit_log WHERE action = 'test.load' AND object_id = ?`
		}
		var n int
		if err := rdb.Reader().QueryRowContext(ctx, q, w.id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			missing++
			if missing < 5 {
				t.Errorf("the restored database lacks %s %s, committed before the backup began", w.kind, w.id)
			}
		}
	}
	var restoredEntry int
	rdb.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'db.restore'`).Scan(&restoredEntry)
	rdb.Close()
	if missing > 0 {
		t.Fatalf("%d of %d writes committed before the backup began are missing", missing, len(before))
	}
	if restoredEntry != 1 {
		t.Errorf("the restored database records %d restores, want 1", restoredEntry)
	}
	if printed, err := runOut("audit", "verify", "--db", restored); err != nil || !strings.Contains(printed, "holds") {
		t.Errorf("audit verify on the restored database: %v\n%s", err, printed)
	}

	// The key beside the restored database opens a sealed ID number.
	var person loadWrite
	for _, w := range before {
		if w.kind == "person" {
			person = w
		}
	}
	printed, err = runOut("person", "show", person.id, "--reason", "恢复后核对 check after restore", "--db", restored)
	if err != nil || !strings.Contains(printed, person.idNo) {
		t.Errorf("person show %s on the restored database: %v, want the full ID number %s\n%s", person.id, err, person.idNo, printed)
	}
	// The source records the backup in its audit log.
	var backups int
	store.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'db.backup'`).Scan(&backups)
	if backups != 1 {
		t.Errorf("the source records %d backups, want 1", backups)
	}
}

// backupOf makes a backup of a fresh demo database and returns its path.
func backupOf(t *testing.T) (src, out string) {
	t.Helper()
	src, _ = demoDB(t)
	out = filepath.Join(t.TempDir(), "w.backup")
	if printed, err := runOut("backup", "--db", src, out); err != nil {
		t.Fatalf("backup: %v\n%s", err, printed)
	}
	return src, out
}

// TestRestoreRefusesABadBackup: a damaged file, a missing key file and a
// key file of another database are each refused, and nothing is put in
// place.
func TestRestoreRefusesABadBackup(t *testing.T) {
	_, out := backupOf(t)
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := os.ReadFile(out + ".key")
	dir := t.TempDir()
	for name, c := range map[string]struct {
		damage func(db, key string)
		want   string
	}{
		"damaged": {func(db, _ string) {
			b := append([]byte(nil), raw...)
			for i := len(b) / 2; i < len(b)/2+8192 && i < len(b); i++ {
				b[i] ^= 0x5a
			}
			os.WriteFile(db, b, 0o600)
		}, "damaged"},
		"truncated":   {func(db, _ string) { os.WriteFile(db, raw[:len(raw)/3], 0o600) }, "backup is refused"},
		"missing key": {func(_, key string) { os.Remove(key) }, "is missing"},
		"other key": {func(_, key string) {
			os.Remove(key)
			writeKey(t, key)
		}, "does not fit"},
	} {
		t.Run(name, func(t *testing.T) {
			bk := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".backup")
			os.WriteFile(bk, raw, 0o600)
			os.WriteFile(bk+".key", key, 0o600)
			c.damage(bk, bk+".key")
			target := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+"-target.db")
			printed, err := runOut("restore", "--db", target, bk)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("restore of a %s backup: %v, want a refusal saying %q\n%s", name, err, c.want, printed)
			}
			if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused restore left %s: %v", target, err)
			}
			if _, err := os.Stat(target + ".key"); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused restore left a key file: %v", err)
			}
		})
	}
}

// recordedKey returns the key id the database records, opened as the
// commands open it.
func recordedKey(t *testing.T, path string) string {
	t.Helper()
	db, err := openStore(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	id, err := db.KeyID(context.Background())
	if err != nil || id == "" {
		t.Fatalf("key id of %s: %q, %v", path, id, err)
	}
	return id
}

func writeKey(t *testing.T, path string) {
	t.Helper()
	other := filepath.Join(t.TempDir(), "other.db")
	capture(t, "migrate", "--db", other)
	raw, err := os.ReadFile(other + ".key")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, raw, 0o600)
}

// TestRestoreKeepsTheDatabaseItReplaces: restore refuses a database that
// holds data without --force; with it, the old database and key file are
// kept as .before-restore-<time> and still open together.
func TestRestoreKeepsTheDatabaseItReplaces(t *testing.T) {
	src, out := backupOf(t)
	// Another database with data of its own and its own key.
	other, otherKey := demoDB(t)
	otherStats, otherID := statsOf(t, other), recordedKey(t, other)
	if srcID := recordedKey(t, src); srcID == otherID {
		t.Fatal("the two databases have the same key: the test cannot tell them apart")
	}
	printed, err := runOut("restore", "--db", other, out)
	if err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("restore over a database with data: %v, want a refusal naming --force\n%s", err, printed)
	}
	if statsOf(t, other) != otherStats || recordedKey(t, other) != otherID {
		t.Fatal("a refused restore changed the database")
	}
	printed, err = runOut("restore", "--db", other, out, "--force")
	if err != nil {
		t.Fatalf("restore --force: %v\n%s", err, printed)
	}
	kept, _ := filepath.Glob(other + ".before-restore-*")
	keptKey, _ := filepath.Glob(otherKey + ".before-restore-*")
	var keptDB string
	for _, k := range kept {
		if !strings.HasSuffix(k, "-wal") && !strings.HasSuffix(k, "-shm") {
			keptDB = k
		}
	}
	if keptDB == "" || len(keptKey) != 1 || !strings.Contains(printed, keptDB) {
		t.Fatalf("kept %v and key %v; restore said:\n%s", kept, keptKey, printed)
	}
	if statsOf(t, other) != statsOf(t, src) || recordedKey(t, other) != recordedKey(t, src) {
		t.Error("the restored database does not hold what the backup's source holds")
	}
	// The replaced database's checkpoints, signed with its audit key, are
	// set aside with its key: the restored chain verifies from its own.
	if out := capture(t, "audit", "verify", "--db", other); !strings.Contains(out, "holds") {
		t.Errorf("the restored database's chain: %s", out)
	}
	t.Setenv("WANGGE_SECRET_KEY_FILE", keptKey[0])
	if statsOf(t, keptDB) != otherStats || recordedKey(t, keptDB) != otherID {
		t.Error("the kept database does not open with its kept key as it was")
	}
}

// TestRestoreRefusesADatabaseInUse: while another process has the target
// database open (as a running server does), restore refuses even with
// --force; once it lets go, restore goes ahead.
func TestRestoreRefusesADatabaseInUse(t *testing.T) {
	if os.Getenv("WANGGE_TEST_HOLD_DB") != "" {
		return
	}
	_, out := backupOf(t)
	target, _ := demoDB(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHoldDatabase$")
	cmd.Env = append(os.Environ(), "WANGGE_TEST_HOLD_DB="+target)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "held") {
		cmd.Process.Kill()
		t.Fatalf("the holding process said %q: %v", line, err)
	}
	printed, err := runOut("restore", "--db", target, out, "--force")
	stdin.Close()
	cmd.Wait()
	if err == nil || !strings.Contains(err.Error(), "another process") {
		t.Fatalf("restore while another process holds the database: %v\n%s", err, printed)
	}
	if printed, err := runOut("restore", "--db", target, out, "--force"); err != nil {
		t.Fatalf("restore once the database is let go: %v\n%s", err, printed)
	}
}

// TestHoldDatabase is the other process of TestRestoreRefusesADatabaseInUse:
// it opens the store as a server does and holds it until its input closes.
func TestHoldDatabase(t *testing.T) {
	path := os.Getenv("WANGGE_TEST_HOLD_DB")
	if path == "" {
		t.Skip("run by TestRestoreRefusesADatabaseInUse")
	}
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Stats(context.Background(), wangge.ScopeAll()); err != nil {
		t.Fatal(err)
	}
	fmt.Println("held")
	bufio.NewReader(os.Stdin).ReadString('\n')
}

// TestBackupOfPostgresPointsToPgDump: backup and restore refuse a
// PostgreSQL DSN and say what to use.
func TestBackupOfPostgresPointsToPgDump(t *testing.T) {
	for _, args := range [][]string{{"backup", "--db", "postgres://u@127.0.0.1:1/wangge", "out.db"}, {"restore", "--db", "postgres://u@127.0.0.1:1/wangge", "in.db"}} {
		if _, err := runOut(args...); err == nil || !strings.Contains(err.Error(), "pg_dump") {
			t.Errorf("%s of a PostgreSQL DSN: %v, want a pointer to pg_dump", args[0], err)
		}
	}
}

// TestRestoreTakesAKeyKeptApart: a key file stored away from its backup is
// named with --key, and lands beside the restored database.
func TestRestoreTakesAKeyKeptApart(t *testing.T) {
	_, out := backupOf(t)
	apart := filepath.Join(t.TempDir(), "safe", "w.key")
	os.MkdirAll(filepath.Dir(apart), 0o700)
	if err := os.Rename(out+".key", apart); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "w.db")
	if _, err := runOut("restore", "--db", target, out); err == nil || !strings.Contains(err.Error(), "is missing") {
		t.Fatalf("restore without its key: %v, want a refusal", err)
	}
	if printed, err := runOut("restore", out, "--key", apart, "--db", target); err != nil {
		t.Fatalf("restore --key: %v\n%s", err, printed)
	}
	want, _ := os.ReadFile(apart)
	if got, err := os.ReadFile(target + ".key"); err != nil || string(got) != string(want) {
		t.Errorf("the restored key file: %v", err)
	}
	if printed, err := runOut("audit", "verify", "--db", target); err != nil {
		t.Errorf("audit verify: %v\n%s", err, printed)
	}
}
