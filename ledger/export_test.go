package ledger_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/ledger"
)

// TestCSVTitleLineIsSkipped: a CSV export opens with a title line (who,
// when, why); the importer skips it, even when it holds more semicolons or
// tabs than the header has commas, and still reads the header's delimiter.
func TestCSVTitleLineIsSkipped(t *testing.T) {
	e := newEnv(t)
	body := "楼院编码,单元,房号,姓名,公民身份号码,与户主关系\n" + e.bA.Code() + ",1,301,张三," + id(21) + ",户主\n"
	for name, title := range map[string]string{
		"export":     "# 导出人 张三（zhangsan）；导出时间 2026-03-01 10:00；共 1 行；导出原因 核查",
		"semicolons": "# a;b;c;d;e;f;g;h;i",
		"tabs":       "# a\tb\tc\td\te\tf\tg",
	} {
		path := csvFile(t, nil)
		must(t, os.WriteFile(path, []byte("\ufeff"+title+"\r\n"+strings.ReplaceAll(body, id(21), id(21+len(name)))), 0o600))
		rep := e.importFile(ledger.KindPersons, path, true)
		if rep.Counts.Rejected != 0 || rep.Counts.Added != 1 || rep.Rows[0].Line != 3 {
			t.Errorf("%s: %+v, first row on line %d", name, rep.Counts, rep.Rows[0].Line)
		}
	}
}

// TestExportsImportBackUnchanged: the residents' export, as xlsx and as
// CSV, carries who exported it, when, why and how many rows; written by an
// actor who may export, it holds full ID numbers and imports back with
// every row unchanged.
func TestExportsImportBackUnchanged(t *testing.T) {
	e := newEnv(t)
	file := xlsxFile(t, [][]string{personHeader,
		personRow(e, with(goodPerson(e, 1), ledger.ColPhone, "13900000001", ledger.ColEthnicity, "汉族")),
		personRow(e, with(goodPerson(e, 2), ledger.ColRelation, "配偶", ledger.ColParty, "是"))})
	if rep := e.importFile(ledger.KindPersons, file, false); rep.Counts.Added != 2 {
		t.Fatalf("setup: %+v", rep.Counts)
	}
	area, err := e.db.Area(e.ctx, community)
	must(t, err)
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for _, format := range []string{ledger.FormatXLSX, ledger.FormatCSV} {
		x := &ledger.Export{Kind: ledger.ExportResidents, Format: format, Area: area, Scope: e.scope, Terms: e.scope,
			Exporter: "importer", Reason: "年度核查, 报送街道", Now: now}
		var buf bytes.Buffer
		must(t, x.Write(e.ctx, e.db, &buf))
		if x.Rows != 2 {
			t.Errorf("%s: %d rows", format, x.Rows)
		}
		if n, err := x.Count(e.ctx, e.db); err != nil || n != 2 {
			t.Errorf("%s: counted %d, %v", format, n, err)
		}
		var about string
		if format == ledger.FormatCSV {
			about, _, _ = strings.Cut(buf.String(), "\n")
		} else {
			b, err := ledger.ReadBook(bytes.NewReader(buf.Bytes()))
			must(t, err)
			notes, err := b.Rows(ledger.ExportNoteSheet)
			must(t, err)
			for _, r := range notes {
				about += strings.Join(r, " ") + "\n"
			}
		}
		for _, want := range []string{"importer", "2026-03-01 10:00", "年度核查", "2 行"} {
			if !strings.Contains(about, want) {
				t.Errorf("%s: %q lacks %q", format, about, want)
			}
		}
		if !strings.Contains(buf.String(), id(1)) && format == ledger.FormatCSV {
			t.Errorf("%s: no full ID number", format)
		}
		path := file + "." + format
		must(t, os.WriteFile(path, buf.Bytes(), 0o600))
		before := e.snapshot()
		rep := e.importFile(ledger.KindPersons, path, false)
		if rep.Counts.Unchanged != 2 || rep.Counts.Added+rep.Counts.Updated+rep.Counts.Rejected != 0 || e.snapshot() != before {
			t.Errorf("%s imported back: %+v %+v", format, rep.Counts, rep.Rows)
		}
		a := x.Audit()
		if a.Action != "ledger.export" || !strings.Contains(a.Detail, `"reason":"年度核查, 报送街道"`) || !strings.Contains(a.Detail, `"rows":2`) {
			t.Errorf("%s: audit %+v", format, a)
		}
	}
}

// TestExportCountIsTheRowsWritten: what the export form announces is what
// the file holds, for every ledger, with a search, a group, and the members
// who left; and every export's file imports back unchanged.
func TestExportCountIsTheRowsWritten(t *testing.T) {
	e := newEnv(t)
	e.scope.Sensitive = true
	e.importFile(ledger.KindPersons, xlsxFile(t, [][]string{personHeader,
		personRow(e, with(goodPerson(e, 1), ledger.ColName, "老人甲")),
		personRow(e, with(goodPerson(e, 2), ledger.ColName, "残疾乙", ledger.ColRelation, "配偶")),
		personRow(e, with(goodPerson(e, 3), ledger.ColName, "王三", ledger.ColRoom, "102", ledger.ColBuildingCode, e.bB.Code())),
	}), false)
	e.importFile(ledger.KindUnits, xlsxFile(t, [][]string{unitHeader,
		{"东苑超市", credit(1), gridA, "", "个体工商户", "5", "", "1", "示范路1号", "李某", "13700000001"},
		{"东苑药店", credit(2), gridB, "", "企业", "8", "", "", "示范路2号", "", ""},
	}), false)
	if rep := e.importFile(ledger.KindMemberships, xlsxFile(t, [][]string{{"公民身份号码", "姓名", "重点群体", "纳入日期", "退出日期", "居住状况", "照护需求", "残疾类别", "残疾等级"},
		{id(1), "老人甲", "老年人", "2024-01-01", "", "独居", "自理", "", ""},
		{id(2), "残疾乙", "残疾人", "2024-01-01", "", "", "", "肢体", "二级"},
		{id(3), "王三", "企业退休人员", "2024-01-01", "2025-01-01", "", "", "", ""},
	}), false); rep.Counts.Added != 3 {
		t.Fatalf("memberships: %+v %+v", rep.Counts, rep.Rows)
	}
	area, err := e.db.Area(e.ctx, community)
	must(t, err)
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for _, c := range []struct {
		name  string
		kind  ledger.ExportKind
		sheet ledger.Kind
		query string
		group wangge.KeyGroup
		all   bool
		want  int
	}{
		{"residents", ledger.ExportResidents, ledger.KindPersons, "", "", false, 3},
		{"residents searched", ledger.ExportResidents, ledger.KindPersons, "王", "", false, 1},
		{"units", ledger.ExportUnits, ledger.KindUnits, "", "", false, 2},
		{"units searched", ledger.ExportUnits, ledger.KindUnits, "药", "", false, 1},
		// All three are over 70: elderly by age, 老人甲 with details.
		{"key groups", ledger.ExportGroups, ledger.KindMemberships, "", "", false, 4},
		{"key groups with those who left", ledger.ExportGroups, ledger.KindMemberships, "", "", true, 5},
		{"the elderly", ledger.ExportGroups, ledger.KindMemberships, "", wangge.GroupElderly, false, 3},
		{"one key group", ledger.ExportGroups, ledger.KindMemberships, "", wangge.GroupDisabled, false, 1},
		{"assistants", ledger.ExportAssistants, "", "", "", false, 0},
	} {
		x := &ledger.Export{Kind: c.kind, Format: ledger.FormatCSV, Area: area, Scope: e.scope, Terms: e.scope, Query: c.query,
			Group: wangge.GroupDefOf(c.group), All: c.all, Exporter: "importer", Now: now}
		n, err := x.Count(e.ctx, e.db)
		must(t, err)
		var buf bytes.Buffer
		must(t, x.Write(e.ctx, e.db, &buf))
		if n != c.want || x.Rows != c.want {
			t.Errorf("%s: counted %d, wrote %d, want %d", c.name, n, x.Rows, c.want)
		}
		if c.sheet == "" {
			continue
		}
		path := filepath.Join(t.TempDir(), "export.csv")
		must(t, os.WriteFile(path, buf.Bytes(), 0o600))
		rep := e.importFile(c.sheet, path, true)
		if rep.Counts.Unchanged != c.want || rep.Counts.Added+rep.Counts.Updated+rep.Counts.Rejected != 0 {
			t.Errorf("%s imported back: %+v %+v", c.name, rep.Counts, rep.Rows)
		}
	}
}

// TestExportAuditKeepsNoIDNumberInClear: an export of a search by ID number
// is audited with the number masked; other searches as typed.
func TestExportAuditKeepsNoIDNumberInClear(t *testing.T) {
	n := id(7)
	spaced := n[:6] + " " + n[6:14] + " " + n[14:]
	for _, q := range []string{n, spaced} {
		x := &ledger.Export{Kind: ledger.ExportResidents, Format: ledger.FormatCSV, Area: &wangge.Area{Code: community}, Query: q}
		d := x.Audit().Detail
		if strings.Contains(d, n) || strings.Contains(d, n[6:14]) || !strings.Contains(d, `"q":"`+ident.MaskID(n)+`"`) {
			t.Errorf("search %q audited as %s, want the number masked", q, d)
		}
	}
	x := &ledger.Export{Kind: ledger.ExportResidents, Format: ledger.FormatCSV, Area: &wangge.Area{Code: community}, Query: "王"}
	if d := x.Audit().Detail; !strings.Contains(d, `"q":"王"`) {
		t.Errorf("a name search audited as %s", d)
	}
}
