package ledger_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqlite"
)

// TestKillMidImportLeavesNothing imports a large file in another process
// and kills it (SIGKILL, no chance to clean up) once a good part of the
// rows is written inside the import's transaction. Afterwards the database
// holds exactly what it held before, its audit chain verifies, and it
// passes SQLite's integrity check.
func TestKillMidImportLeavesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and imports 60,000 rows")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "persons.xlsx")
	buildings, err := writeBenchFile(file, 60000)
	must(t, err)
	key := secret.NewKey()
	keyPath := filepath.Join(dir, "key")
	must(t, secret.WriteKeyFile(keyPath, key))
	box, err := secret.New(key)
	must(t, err)
	dbPath := filepath.Join(dir, "w.db")
	ctx := context.Background()
	must(t, benchDB(ctx, dbPath, buildings, box))
	state := func() (persons, households, audit int, head string) {
		db, err := sqlite.Open(ctx, dbPath)
		must(t, err)
		defer db.Close()
		must(t, db.UseKey(ctx, box))
		r := db.Reader()
		must(t, r.QueryRow(`SELECT COUNT(*) FROM persons`).Scan(&persons))
		must(t, r.QueryRow(`SELECT COUNT(*) FROM households`).Scan(&households))
		must(t, r.QueryRow(`SELECT COUNT(*), (SELECT hex(hash) FROM audit_head) FROM audit_log`).Scan(&audit, &head))
		bad, _, err := db.VerifyAudit(ctx)
		if err != nil || bad != 0 {
			t.Fatalf("audit chain: entry %d fails (%v)", bad, err)
		}
		var ok string
		must(t, r.QueryRow(`PRAGMA integrity_check`).Scan(&ok))
		if ok != "ok" {
			t.Fatalf("integrity check: %s", ok)
		}
		return
	}
	p0, h0, a0, head0 := state()

	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchChild$", "-test.v")
	cmd.Env = append(os.Environ(), "WANGGE_BENCH_CHILD=import", "WANGGE_BENCH_PROGRESS=1", "WANGGE_BENCH_SMALL_CACHE=1",
		"TMPDIR="+dir, // where excelize unzips the sheet: a killed child cannot remove it
		"WANGGE_BENCH_FILE="+file, "WANGGE_BENCH_DB="+dbPath, "WANGGE_BENCH_KEY="+keyPath)
	out, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	sc := bufio.NewScanner(out)
	killedAt := 0
	for sc.Scan() {
		line := sc.Text()
		if n, ok := strings.CutPrefix(line, "PROGRESS "); ok {
			if done, _ := strconv.Atoi(n); done >= 20000 {
				killedAt = done
				must(t, cmd.Process.Signal(syscall.SIGKILL))
				break
			}
		}
		if strings.HasPrefix(line, "BENCH ") {
			t.Fatalf("the import finished before it could be killed: %s", line)
		}
	}
	cmd.Wait()
	if killedAt == 0 {
		t.Fatal("the child never reported progress")
	}
	// The killed transaction had written: its pages are in the WAL.
	if fi, err := os.Stat(dbPath + "-wal"); err != nil || fi.Size() < 1<<20 {
		t.Fatalf("nothing was written before the kill: %v %v", fi, err)
	}
	p1, h1, a1, head1 := state()
	if p1 != p0 || h1 != h0 || a1 != a0 || head1 != head0 {
		t.Fatalf("killed after %d rows: persons %d→%d, households %d→%d, audit entries %d→%d", killedAt, p0, p1, h0, h1, a0, a1)
	}
	t.Logf("killed after %d of 60000 rows; the database is as it was (%d persons, %d audit entries)", killedAt, p1, a1)
}
