package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	osuser "os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/postgres"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqldb"
	"github.com/wangge/wangge/sqlite"
)

// rawLog opens a database file as someone who can write to it but has not
// the key: the store without keys, for reading the log whole and writing
// rows around every check.
func rawLog(t *testing.T, dsn string) (*sqldb.DB, []wangge.AuditEntry) {
	t.Helper()
	var db *sqldb.DB
	var err error
	if isPostgres(dsn) {
		db, err = postgres.Open(context.Background(), dsn)
	} else {
		db, err = sqlite.Open(context.Background(), dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var es []wangge.AuditEntry
	for off := 0; ; off += wangge.MaxPageLimit {
		page, _, err := db.ListAudit(context.Background(), wangge.AuditFilter{Page: wangge.Page{Limit: wangge.MaxPageLimit, Offset: off}})
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, page...)
		if len(page) < wangge.MaxPageLimit {
			break
		}
	}
	slices.Reverse(es)
	return db, es
}

// rewriteLog replaces the log with es, renumbered from 1 and linked with
// link from entry from on, and moves the head to its end.
func rewriteLog(t *testing.T, db *sqldb.DB, es []wangge.AuditEntry, from int64, link func(*wangge.AuditEntry) []byte) {
	t.Helper()
	w := db.Writer()
	exec := func(q string, args ...any) {
		if db.Dialect() == "postgres" {
			q = sqldb.Dollar(q)
		}
		if _, err := w.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`DELETE FROM audit_log`)
	prev := []byte{}
	for i := range es {
		a := &es[i]
		a.Seq = int64(i + 1)
		if a.PrevHash == nil {
			a.PrevHash = []byte{} // NOT NULL; the first entry's is empty
		}
		if a.Seq >= from {
			a.PrevHash = prev
			a.Hash = link(a)
		}
		prev = a.Hash
		exec(`INSERT INTO audit_log (seq, at, user_id, username, role, addr, action, object, object_id, grid_code, detail, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.Seq, a.At, a.UserID, a.Username, string(a.Role), a.Addr, a.Action, a.Object, a.ObjectID, a.GridCode, a.Detail, a.PrevHash, a.Hash)
	}
	exec(`UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, int64(len(es)), prev)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestAuditVerifyNamesForgeryAndTruncation: with write access to the
// database file but not the key, (a) deleting every export and reveal
// entry and recomputing the chain, with plain SHA-256 or any other key, is
// reported as forged, and (b) cutting the tail and moving the head back is
// reported as entries missing after a sequence number, naming the last
// checkpoint that still matches. `wangge audit verify` exits 1 for both.
func TestAuditVerifyNamesForgeryAndTruncation(t *testing.T) {
	base, key := demoDB(t)
	dir := filepath.Dir(base)
	// Writes by the command line: each leaves a checkpoint when it closes.
	capture(t, "export", "residents", "--db", base, "-o", filepath.Join(dir, "r.csv"))
	for i := range 3 {
		capture(t, "user", "add", "--db", base, "--username", "tester"+strconv.Itoa(i), "--role", "auditor", "--scope", "140499", "--password", "Audit-Check-2026-x")
	}
	if out := capture(t, "audit", "verify", "--db", base); !strings.Contains(out, "holds") {
		t.Fatalf("the untouched log: %s", out)
	}
	cps := func(db string) []string {
		b, err := os.ReadFile(checkpointPath(db + ".key"))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Split(strings.TrimSpace(string(b)), "\n")
	}
	if n := len(cps(base)); n < 5 {
		t.Fatalf("%d checkpoints; want the base, the demo's and one per command", n)
	}
	clone := func(t *testing.T, name string) string {
		db := filepath.Join(dir, name+".db")
		copyFile(t, base, db)
		copyFile(t, key, db+".key")
		copyFile(t, checkpointPath(key), checkpointPath(db+".key"))
		return db
	}
	verify := func(t *testing.T, db string) string {
		t.Helper()
		out, err := runOut("audit", "verify", "--db", db)
		var ee exitError
		if !errors.As(err, &ee) || ee != 1 {
			t.Fatalf("audit verify: %v, want exit status 1\n%s", err, out)
		}
		return out
	}

	for name, link := range map[string]func(*wangge.AuditEntry) []byte{
		"plain":     (*wangge.AuditEntry).ComputeHash,
		"wrong key": func(e *wangge.AuditEntry) []byte { return e.ComputeLink([]byte("a key that is not the chain key!")) },
	} {
		t.Run("recomputed with "+name, func(t *testing.T) {
			db := clone(t, strings.ReplaceAll(name, " ", "-"))
			raw, es := rawLog(t, db)
			var kept []wangge.AuditEntry
			first := int64(0)
			for _, e := range es {
				if strings.Contains(e.Action, "export") || strings.Contains(e.Action, "reveal") {
					if first == 0 {
						first = e.Seq
					}
					continue
				}
				kept = append(kept, e)
			}
			if first == 0 {
				t.Fatal("no export entry to delete")
			}
			rewriteLog(t, raw, kept, first, link)
			raw.Close()
			out := verify(t, db)
			if !strings.Contains(out, "forged from entry "+strconv.FormatInt(first, 10)+" ") {
				t.Errorf("does not name entry %d as forged:\n%s", first, out)
			}
		})
	}

	t.Run("truncated", func(t *testing.T) {
		db := clone(t, "cut")
		lines := cps(db)
		// Cut after the second-to-last checkpoint's entry.
		var good, cut int64
		for i, l := range []string{lines[len(lines)-2], lines[len(lines)-1]} {
			s := l[strings.Index(l, `"seq":`)+6:]
			n, _ := strconv.ParseInt(s[:strings.IndexByte(s, ',')], 10, 64)
			if i == 0 {
				good = n
			} else {
				cut = n
			}
		}
		if cut <= good {
			t.Fatalf("checkpoints at %d and %d", good, cut)
		}
		raw, _ := rawLog(t, db)
		var hash []byte
		if err := raw.Reader().QueryRow(`SELECT hash FROM audit_log WHERE seq = ?`, good).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`DELETE FROM audit_log WHERE seq > ?`, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`} {
			args := []any{good}
			if strings.HasPrefix(q, "UPDATE") {
				args = append(args, hash)
			}
			if _, err := raw.Writer().Exec(q, args...); err != nil {
				t.Fatal(err)
			}
		}
		raw.Close()
		out := verify(t, db)
		want := "entries after seq " + strconv.FormatInt(good, 10) + " missing"
		last := "the last good checkpoint is #" + strconv.Itoa(len(lines)-1) + " (seq " + strconv.FormatInt(good, 10) + ", time "
		if !strings.Contains(out, want) || !strings.Contains(out, last) {
			t.Errorf("want %q and %q:\n%s", want, last, out)
		}
	})

	// The checkpoints, exported for an auditor, are the file's, checked.
	exported := filepath.Join(dir, "checkpoints.jsonl")
	capture(t, "audit", "checkpoints", "--db", base, "-o", exported)
	if b, _ := os.ReadFile(exported); strings.Count(string(b), "\n") != len(cps(base)) || !strings.Contains(string(b), `"mac":"`) {
		t.Errorf("the export:\n%s", b)
	}
}

// TestAuditChainHoldsAfterRotationAndRestore: the chain's key is not a
// field key, so `wangge key rotate` leaves every link verifying; a backup
// restored elsewhere verifies too, from a base checkpoint of its own.
func TestAuditChainHoldsAfterRotationAndRestore(t *testing.T) {
	db, key := demoDB(t)
	keySettle = 0
	audit, err := secret.LoadAuditKey(key)
	if err != nil {
		t.Fatal(err)
	}
	capture(t, "key", "rotate", "--db", db)
	if after, err := secret.LoadAuditKey(key); err != nil || string(after) != string(audit) {
		t.Fatalf("the rotation changed the audit key: %v", err)
	}
	if out := capture(t, "audit", "verify", "--db", db); !strings.Contains(out, "holds") {
		t.Errorf("after the rotation: %s", out)
	}
	out := filepath.Join(t.TempDir(), "b.db")
	capture(t, "backup", "--db", db, out)
	restored := filepath.Join(t.TempDir(), "r.db")
	capture(t, "restore", "--db", restored, out)
	if out := capture(t, "audit", "verify", "--db", restored); !strings.Contains(out, "holds") {
		t.Errorf("the restored database: %s", out)
	}
	if b, err := os.ReadFile(checkpointPath(restored + ".key")); err != nil || !strings.Contains(string(b), `"base":true`) {
		t.Errorf("the restored database's checkpoints: %s %v", b, err)
	}
}

// TestAuditChainOfAnOlderVersionIsRelinkedOnce: a database whose chain an
// older version linked with plain SHA-256 (and whose key file has no audit
// key) is re-linked under a new audit key by the first command that opens
// it, with an audit.relink entry and a base checkpoint; it then verifies.
func TestAuditChainOfAnOlderVersionIsRelinkedOnce(t *testing.T) {
	db, key := demoDB(t)
	// Make it what an older version left: plain links, no audit key.
	raw, es := rawLog(t, db)
	rewriteLog(t, raw, es, 1, (*wangge.AuditEntry).ComputeHash)
	if _, err := raw.Writer().Exec(`DELETE FROM meta WHERE name = 'audit_key_id'`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	keys, err := secret.LoadKeys(key)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(key)
	if err := secret.WriteKeyFile(key, keys[0]); err != nil {
		t.Fatal(err)
	}
	os.Remove(checkpointPath(key))

	if out := capture(t, "audit", "verify", "--db", db); !strings.Contains(out, "holds") {
		t.Fatalf("after the re-link: %s", out)
	}
	if _, err := secret.LoadAuditKey(key); err != nil {
		t.Errorf("the key file has no audit key: %v", err)
	}
	b, err := os.ReadFile(checkpointPath(key))
	if err != nil || !strings.Contains(string(b), `"base":true`) {
		t.Errorf("checkpoints: %s %v", b, err)
	}
	_, after := rawLog(t, db)
	n := 0
	for _, e := range after {
		if e.Action == "audit.relink" {
			n++
		}
	}
	if n != 1 || len(after) < len(es)+1 {
		t.Errorf("%d audit.relink entries, %d entries of %d; want one, after all of them", n, len(after), len(es))
	}
}

// TestCommandsCreateNoDatabase: in an empty folder, every command but demo,
// migrate and serve refuses a path with no database, in both languages,
// and leaves the folder empty; help opens nothing.
func TestCommandsCreateNoDatabase(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("WANGGE_DB", "")
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	for _, args := range [][]string{
		{"audit", "verify"},
		{"audit", "verify", "--db", "demo-typo.db"},
		{"audit", "checkpoints", "-o", "cp.jsonl"},
		{"stats", "--json"},
		{"user", "list"},
		{"user", "add", "--username", "x", "--role", "auditor", "--scope", "140499", "--password", "Audit-Check-2026-x"},
		{"export", "residents", "-o", "r.csv"},
		{"coverage", "--all"},
		{"grids", "propose", "--community", "140499001001"},
		{"backup", "out.db"},
		{"stats", "--db", filepath.Join("sub", "dir", "w.db")},
	} {
		out, err := runOut(args...)
		if err == nil || !strings.Contains(err.Error(), "no wangge database") || !strings.Contains(err.Error(), "未创建任何文件") {
			t.Errorf("wangge %s: %v, want a refusal: no database\n%s", strings.Join(args, " "), err, out)
		}
	}
	for _, cmd := range []string{"user", "audit"} {
		if out, err := runOut(cmd, "--help"); err != nil || !strings.Contains(out, "usage") {
			t.Errorf("wangge %s --help: %v\n%s", cmd, err, out)
		}
	}
	// A flag's -h prints help and exits 0 (flag.ExitOnError): in a child.
	for _, args := range [][]string{{"stats", "-h"}, {"audit", "verify", "--help"}, {"user", "list", "-h"}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRunArgs$")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "WANGGE_TEST_ARGS="+strings.Join(args, "\x1f"))
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "-db") {
			t.Errorf("wangge %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		var names []string
		for _, e := range left {
			names = append(names, e.Name())
		}
		t.Errorf("the folder holds %v; want nothing created", names)
	}
}

// TestRunArgs is the child of TestCommandsCreateNoDatabase: it runs the
// command line with the arguments it is given.
func TestRunArgs(t *testing.T) {
	args := os.Getenv("WANGGE_TEST_ARGS")
	if args == "" {
		t.Skip("run by TestCommandsCreateNoDatabase")
	}
	if err := run(context.Background(), strings.Split(args, "\x1f")); err != nil {
		t.Fatal(err)
	}
}

// TestCLIIdentityComesFromTheOS: the command line's audit identity is the
// operating system's user, by uid and name, whatever $USER says or when
// it is unset; and the audit log records it.
func TestCLIIdentityComesFromTheOS(t *testing.T) {
	uid := strconv.Itoa(os.Getuid())
	want := "cli:uid:" + uid
	if u, err := osuser.LookupId(uid); err == nil {
		want = "cli:" + u.Username + "(uid:" + uid + ")"
	}
	t.Setenv("USER", "shenji")
	if got := cliIdentity(); got != want {
		t.Errorf("with USER=shenji: %q, want %q", got, want)
	}
	os.Unsetenv("USER")
	if got := cliIdentity(); got != want || got == "cli:" {
		t.Errorf("with USER unset: %q, want %q", got, want)
	}

	db, _ := demoDB(t)
	t.Setenv("USER", "shenji")
	capture(t, "user", "add", "--db", db, "--username", "whoami", "--role", "auditor", "--scope", "140499", "--password", "Audit-Check-2026-x")
	_, es := rawLog(t, db)
	if last := es[len(es)-1]; last.Username != want {
		t.Errorf("the last entry (%s) is by %q, want %q", last.Action, last.Username, want)
	}
}

// TestAuditChainStartsAfreshOnlyOnPurpose: demo --force makes a new
// database where one was, and its new chain verifies from a base
// checkpoint after the old one's; but a chain rewritten in plain SHA-256
// with the record of its key removed, so as to be re-linked and blessed,
// is refused, since the checkpoint file says the chain was keyed.
func TestAuditChainStartsAfreshOnlyOnPurpose(t *testing.T) {
	db, key := demoDB(t)
	capture(t, "demo", "--db", db, "--scale", "0.02", "--admin-password", "Demo-Test-2026", "--force")
	if out := capture(t, "audit", "verify", "--db", db); !strings.Contains(out, "holds") {
		t.Fatalf("after demo --force: %s", out)
	}
	raw, es := rawLog(t, db)
	rewriteLog(t, raw, es[:len(es)-2], 1, (*wangge.AuditEntry).ComputeHash)
	if _, err := raw.Writer().Exec(`DELETE FROM meta WHERE name = 'audit_key_id'`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	out, err := runOut("audit", "verify", "--db", db)
	if err == nil || !strings.Contains(err.Error(), checkpointPath(key)) || !strings.Contains(err.Error(), "not re-linked") {
		t.Errorf("a chain rewritten as never keyed: %v\n%s", err, out)
	}
}
