package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wangge/wangge"
)

// TestExportLedgersImportBackUnchanged: `wangge export residents|units|
// keygroups` writes each ledger of a community in full (ID numbers and
// phones unmasked) as the operator, audited once per export; each file, xlsx or CSV,
// imports back as a dry run with every row unchanged and none rejected,
// read from the raw --json output. Reports are exported the same way, and
// `wangge report` is their older name.
func TestExportLedgersImportBackUnchanged(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	capture(t, "demo", "--db", db, "--scale", "0.02", "--admin-password", "Demo-Test-2026")
	store, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	cs, _, err := store.ListAreas(ctx, wangge.AreaFilter{Level: wangge.LevelCommunity, Page: wangge.Page{Limit: 1}})
	if err != nil || len(cs) == 0 {
		t.Fatal("no community", err)
	}
	community := cs[0].Code
	audits := func() int {
		_, n, err := store.ListAudit(ctx, wangge.AuditFilter{Action: "ledger.export", Page: wangge.Page{Limit: 1}})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Setenv("USER", "shenji")
	for _, c := range []struct{ ledger, sheet, file string }{
		{"residents", "persons", "residents.csv"},
		{"residents", "persons", "residents.xlsx"},
		{"units", "units", "units.xlsx"},
		{"keygroups", "keygroups", "keygroups.csv"},
		{"keygroups", "keygroups", "keygroups.xlsx"},
	} {
		out := filepath.Join(dir, c.file)
		before := audits()
		capture(t, "export", c.ledger, "--community", community, "-o", out, "--db", db)
		if n := audits() - before; n != 1 {
			t.Errorf("%s: %d audit entries", c.file, n)
		}
		if strings.HasSuffix(c.file, ".csv") {
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			// The watermark names the operating system's user, whatever
			// $USER says (set to a lie above).
			if !strings.HasPrefix(string(data), "\ufeff# 导出人 命令行 "+cliIdentity()+"；") || strings.Contains(string(data[:min(len(data), 200)]), "shenji") {
				t.Errorf("%s starts %.80q; want the exporter %s", c.file, data, cliIdentity())
			}
		}
		raw, err := runOut("import", c.sheet, out, "--dry-run", "--json", "--db", db)
		if err != nil {
			t.Fatalf("import %s back: %v\n%s", c.file, err, raw)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatalf("%s: %v\n%s", c.file, err, raw)
		}
		if got["added"] != 0.0 || got["updated"] != 0.0 || got["rejected"] != 0.0 || got["unchanged"].(float64) < 1 {
			t.Errorf("%s imported back: %v", c.file, got)
		}
	}

	var ee exitError
	// Full ID numbers: the residents' CSV holds each person's 18 digits.
	data, _ := os.ReadFile(filepath.Join(dir, "residents.csv"))
	lines := strings.Split(string(data), "\n")
	header := strings.Split(lines[1], ",")
	idCol := -1
	for i, h := range header {
		if h == "公民身份号码" {
			idCol = i
		}
	}
	if idCol < 0 || len(lines) < 4 {
		t.Fatalf("residents.csv: %q", lines[:min(3, len(lines))])
	}
	if id := strings.Split(lines[2], ",")[idCol]; len(id) != 18 || strings.Contains(id, "*") {
		t.Errorf("ID number %q is not in full", id)
	}
	if strings.Contains(string(data), "****") {
		t.Error("residents.csv holds a masked phone")
	}

	// A rejected row: exit status 1, the raw counts say so, and --errors
	// (or its older name --rejects) writes the row; memberships is the
	// older name of keygroups.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte(lines[1]+"\n"+strings.Replace(lines[2], strings.Split(lines[2], ",")[idCol], "123", 1)+"\n"), 0o600)
	for _, flag := range []string{"--errors", "--rejects"} {
		errs := filepath.Join(dir, "errors"+flag+".xlsx")
		raw, err := runOut("import", "persons", bad, "--dry-run", "--json", flag, errs, "--db", db)
		var got map[string]any
		if jerr := json.Unmarshal([]byte(raw), &got); jerr != nil || !errors.As(err, &ee) || ee != 1 || got["rejected"] != 1.0 {
			t.Errorf("%s: a rejected row: exit %v, %v (%v)", flag, err, got, jerr)
		}
		if fi, err := os.Stat(errs); err != nil || fi.Size() == 0 {
			t.Errorf("%s wrote no file: %v", flag, err)
		}
	}
	if raw, err := runOut("import", "memberships", filepath.Join(dir, "keygroups.xlsx"), "--dry-run", "--json", "--db", db); err != nil || !strings.Contains(raw, `"rejected": 0`) {
		t.Errorf("memberships alias: %v %s", err, raw)
	}
	capture(t, "import", "template", "keygroups", filepath.Join(dir, "template.xlsx"))

	// A report, by its new name and by the old one, one audit entry each,
	// the city management's (which lists no one) too; reports are xlsx only.
	reports := func() int {
		_, n, err := store.ListAudit(ctx, wangge.AuditFilter{Action: "report.export", Page: wangge.Page{Limit: 1}})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := reports()
	capture(t, "export", "civil", "--area", community, "-o", filepath.Join(dir, "civil.xlsx"), "--db", db)
	capture(t, "report", "civil", "--area", community, "--out", filepath.Join(dir, "civil2.xlsx"), "--db", db)
	capture(t, "export", "city", "-o", filepath.Join(dir, "city.xlsx"), "--db", db)
	if n := reports() - before; n != 3 {
		t.Errorf("3 reports exported, %d audit entries", n)
	}
	if _, err := runOut("export", "civil", "--format", "csv", "-o", filepath.Join(dir, "civil.csv"), "--db", db); err == nil {
		t.Error("a report was written as CSV")
	}
	if _, err := runOut("export", "residents", "--db", db); !errors.As(err, &ee) || ee != 2 {
		t.Errorf("an export without -o: %v", err)
	}
}
