package ledger_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

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
