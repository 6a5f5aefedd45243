package main

import (
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestReportWritesWorkbooks: `wangge report` writes the completeness report
// and every department's report for an area as xlsx, with the sheets
// docs/reports.md lists, starting with the counts sheet (one row per child
// area and the total); an unknown report or a missing --out is refused.
func TestReportWritesWorkbooks(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	capture(t, "demo", "--db", db, "--scale", "0.05", "--admin-password", "Demo-Test-2026")
	sheets := map[string][]string{
		"completeness": {"统计", "无住户楼院", "无人员住户", "必填项缺失人员", "周期内未走访住户", "从未走访单位"},
		"civil":        {"统计", "老年人", "残疾人", "救助对象", "编码服务对象", "80岁及以上"},
		"labor":        {"统计", "失业人员", "企业退休人员"},
		"health":       {"统计", "育龄妇女", "15–49岁妇女"},
		"order":        {"统计", "流动人口", "安置帮教人员"},
		"city":         {"统计", "无楼院长楼院", "无住户楼院"},
		"party":        {"统计", "驻区单位"},
	}
	for name, want := range sheets {
		out := filepath.Join(dir, name+".xlsx")
		capture(t, "report", name, "--db", db, "--area", "140499001", "--out", out)
		f, err := excelize.OpenFile(out)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := f.GetSheetList()
		rows, err := f.GetRows(got[0])
		f.Close()
		if !slices.Equal(got, want) {
			t.Errorf("%s: sheets %v, want %v", name, got, want)
		}
		if err != nil || len(rows) < 3 || rows[0][0] != "区划代码" || rows[len(rows)-1][1] != "合计" {
			t.Errorf("%s: counts sheet %v (%v)", name, rows, err)
		}
	}
	// The health report's count of women 15–49 is its list's length.
	f, err := excelize.OpenFile(filepath.Join(dir, "health.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stats, _ := f.GetRows("统计")
	list, _ := f.GetRows("15–49岁妇女")
	col := slices.Index(stats[0], "15–49岁妇女")
	if total := stats[len(stats)-1][col]; total != strconv.Itoa(len(list)-1) || len(list) < 100 {
		t.Errorf("women 15–49: counted %s, listed %d", total, len(list)-1)
	}
	if _, err := runOut("report", "weather", "--db", db, "--area", "140499", "--out", filepath.Join(dir, "x.xlsx")); err == nil {
		t.Error("an unknown report was written")
	}
	if _, err := runOut("report", "civil", "--db", db, "--area", "140499"); err == nil {
		t.Error("a report without --out was accepted")
	}
}
