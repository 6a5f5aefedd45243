package main

import (
	"bufio"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wangge/wangge"
)

// TestImportCommandRefusesFilesPastTheLimits: `wangge import persons` on
// the attack's CSV of a header and 16 million one-character lines fails
// naming the row limit and the row where it was passed, and on random
// bytes named .xlsx says the file is not an xlsx file; neither writes a
// person.
func TestImportCommandRefusesFilesPastTheLimits(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	capture(t, "demo", "--db", db, "--scale", "0.02", "--admin-password", "Demo-Test-2026")
	persons := func() int {
		var st wangge.Stats
		json.Unmarshal([]byte(capture(t, "stats", "--db", db, "--json")), &st)
		return st.Persons
	}
	n0 := persons()

	lines := filepath.Join(dir, "居民.csv")
	f, err := os.Create(lines)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("楼院编码,房号,姓名,身份证号\n")
	for i := 0; i < 16_000_000; i++ {
		w.WriteString("a\n")
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, err := runOut("import", "persons", lines, "--db", db, "--json")
	if err == nil || !strings.Contains(err.Error(), "Row 200002") || !strings.Contains(err.Error(), "200000 rows") {
		t.Errorf("16 million lines: %v\n%.300s", err, out)
	}

	random := make([]byte, 4096)
	r := rand.New(rand.NewPCG(3, 5))
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	junk := filepath.Join(dir, "居民.xlsx")
	os.WriteFile(junk, random, 0o600)
	if _, err := runOut("import", "persons", junk, "--db", db, "--json"); err == nil || !strings.Contains(err.Error(), "not an xlsx file") {
		t.Errorf("random bytes named .xlsx: %v", err)
	}
	if n := persons(); n != n0 {
		t.Errorf("persons %d → %d", n0, n)
	}
}
