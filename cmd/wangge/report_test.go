package main

import (
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestReportWritesWorkbooks: `wangge report` writes the completeness report
// and a department's report for an area as xlsx, each starting with its
// counts sheet; an unknown report or a missing --out is refused.
func TestReportWritesWorkbooks(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	capture(t, "demo", "--db", db, "--scale", "0.05", "--admin-password", "Demo-Test-2026")
	for _, name := range []string{"completeness", "civil", "city"} {
		out := filepath.Join(dir, name+".xlsx")
		capture(t, "report", name, "--db", db, "--area", "140499001", "--out", out)
		f, err := excelize.OpenFile(out)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sheets := f.GetSheetList()
		rows, err := f.GetRows(sheets[0])
		f.Close()
		if err != nil || len(rows) < 2 {
			t.Errorf("%s: sheets %v, first sheet has %d rows (%v)", name, sheets, len(rows), err)
		}
	}
	if _, err := runOut("report", "weather", "--db", db, "--area", "140499", "--out", filepath.Join(dir, "x.xlsx")); err == nil {
		t.Error("an unknown report was written")
	}
	if _, err := runOut("report", "civil", "--db", db, "--area", "140499"); err == nil {
		t.Error("a report without --out was accepted")
	}
}
