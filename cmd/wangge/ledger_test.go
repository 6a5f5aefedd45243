package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

// TestImportLedgerCommand: `wangge import persons` checks every row, writes
// nothing and exits 1 while a row is rejected (writing the rejected rows
// with --rejects), writes the valid rows with --skip-rejected, and a clean
// file imports with exit 0; again, it changes nothing.
func TestImportLedgerCommand(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	capture(t, "demo", "--db", db, "--scale", "0.02", "--admin-password", "Demo-Test-2026")
	store, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	bs, _, err := store.ListBuildings(context.Background(), wangge.ScopeAll(), wangge.BuildingFilter{Page: wangge.Page{Limit: 1}})
	store.Close()
	if err != nil || len(bs) == 0 {
		t.Fatal("no building", err)
	}
	code := bs[0].Code()
	good := string(ident.MakeID("149901", time.Date(1993, 3, 3, 0, 0, 0, 0, time.UTC), 93, ident.SexMale))
	file := filepath.Join(dir, "居民.csv")
	os.WriteFile(file, []byte("楼院编码,房号,姓名,身份证号\n"+code+",9901,命令行甲,"+good+"\n"+code+",9901,命令行乙,123\n"), 0o600)
	counts := func(out string) (c wangge.ImportCounts) {
		t.Helper()
		if err := json.Unmarshal([]byte(out), &c); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return c
	}
	persons := func() int {
		var st wangge.Stats
		json.Unmarshal([]byte(capture(t, "stats", "--db", db, "--json")), &st)
		return st.Persons
	}
	n0 := persons()

	rejects := filepath.Join(dir, "rejects.xlsx")
	out, err := runOut("import", "persons", file, "--db", db, "--json", "--rejects", rejects)
	var ee exitError
	if !errors.As(err, &ee) || ee != 1 {
		t.Fatalf("a rejected row: %v", err)
	}
	if c := counts(out); c.Added != 1 || c.Rejected != 1 || c.Written || persons() != n0 {
		t.Fatalf("with a rejected row: %+v, persons %d → %d", c, n0, persons())
	}
	x, err := excelize.OpenFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows(x.GetSheetList()[0])
	if len(rows) != 2 || rows[0][4] != "错误原因" || rows[1][2] != "命令行乙" {
		t.Fatalf("rejects file: %q", rows)
	}

	if _, err := runOut("import", "persons", file, "--db", db, "--skip-rejected"); !errors.As(err, &ee) || ee != 1 {
		t.Fatalf("--skip-rejected still exits 1: %v", err)
	}
	if persons() != n0+1 {
		t.Fatalf("--skip-rejected wrote %d persons", persons()-n0)
	}
	os.WriteFile(file, []byte("楼院编码,房号,姓名,身份证号\n"+code+",9901,命令行甲,"+good+"\n"), 0o600)
	if c := counts(capture(t, "import", "persons", file, "--db", db, "--json")); c.Unchanged != 1 || c.Written {
		t.Fatalf("again: %+v", c)
	}
	// A persons file is no key-group file: the header says so.
	if _, err := runOut("import", "keygroups", file, "--db", db, "--json"); err == nil || !strings.Contains(err.Error(), "重点群体") {
		t.Fatalf("a persons file as key groups: %v", err)
	}
	kg := filepath.Join(dir, "重点群体.csv")
	// He is 33: unemployed, say (the elderly are counted by age, so a row
	// of his as elderly would be refused).
	os.WriteFile(kg, []byte("身份证号,重点群体,失业登记\n"+good+",失业人员,已登记\n"), 0o600)
	if c := counts(capture(t, "import", "keygroups", kg, "--db", db, "--json", "--dry-run")); c.Added != 1 || c.Written {
		t.Fatalf("key groups, dry run: %+v", c)
	}
	if c := counts(capture(t, "import", "memberships", kg, "--db", db, "--json")); c.Added != 1 || !c.Written {
		t.Fatalf("key groups: %+v", c)
	}
	capture(t, "audit", "verify", "--db", db)
}

// TestImportTemplateCommand writes each template.
func TestImportTemplateCommand(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []string{"persons", "units", "memberships"} {
		out := filepath.Join(dir, k+".xlsx")
		capture(t, "import", "template", k, out)
		x, err := excelize.OpenFile(out)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows(x.GetSheetList()[0])
		if len(rows) != 2 || !strings.Contains(strings.Join(rows[0], ","), "名称") && !strings.Contains(strings.Join(rows[0], ","), "姓名") {
			t.Errorf("%s template: %q", k, rows)
		}
	}
}
