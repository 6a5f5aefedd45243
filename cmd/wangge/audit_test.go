package main

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// runOut runs the command line and returns its output and error.
func runOut(args ...string) (string, error) {
	r, w, _ := os.Pipe()
	old := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	err := run(context.Background(), args)
	w.Close()
	os.Stdout = old
	return string(<-done), err
}

// TestAuditVerifyNamesTheFirstTamperedEntry edits, deletes and reorders
// audit rows straight in the database file; `wangge audit verify` then exits
// 1 and names the first entry that does not hold.
func TestAuditVerifyNamesTheFirstTamperedEntry(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	dir := t.TempDir()
	base := filepath.Join(dir, "base.db")
	capture(t, "demo", "--db", base, "--scale", "0.02", "--admin-password", "Demo-Test-2026")
	orig, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := os.ReadFile(base + ".key")

	for name, c := range map[string]struct {
		sql  []string
		want string
	}{
		"edit":   {[]string{`UPDATE audit_log SET username = 'someone' WHERE seq = 40`}, "40"},
		"delete": {[]string{`DELETE FROM audit_log WHERE seq = 25`}, "25"},
		// Swap two rows through a free sequence number.
		"reorder": {[]string{`UPDATE audit_log SET seq = -1 WHERE seq = 30`, `UPDATE audit_log SET seq = 30 WHERE seq = 31`, `UPDATE audit_log SET seq = 31 WHERE seq = -1`}, "30"},
		"tail":    {[]string{`DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)`}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			db := filepath.Join(dir, name+".db")
			os.WriteFile(db, orig, 0o600)
			os.WriteFile(db+".key", key, 0o600)
			raw, err := sql.Open("sqlite", db)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range c.sql {
				if _, err := raw.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			raw.Close()
			out, err := runOut("audit", "verify", "--db", db)
			var ee exitError
			if !errors.As(err, &ee) || ee != 1 {
				t.Fatalf("audit verify after %s: %v, want exit status 1\n%s", name, err, out)
			}
			if c.want != "" && !strings.Contains(out, "entry "+c.want+" ") {
				t.Errorf("audit verify after %s does not name entry %s:\n%s", name, c.want, out)
			}
		})
	}
	if out, err := runOut("audit", "verify", "--db", base); err != nil || !strings.Contains(out, "holds") {
		t.Errorf("the untouched database: %v\n%s", err, out)
	}
}
