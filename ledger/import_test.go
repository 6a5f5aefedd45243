package ledger_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ledger"
)

// row builds a persons row by column key over personHeader.
func personRow(e *env, vals map[string]string) []string {
	keys := []string{ledger.ColBuildingCode, ledger.ColEntrance, ledger.ColRoom, ledger.ColHouseNumber, ledger.ColHouseKind, ledger.ColHousePhone,
		ledger.ColName, ledger.ColIDNumber, ledger.ColRelation, ledger.ColPersonKind, ledger.ColEthnicity, ledger.ColParty, ledger.ColEmployment,
		ledger.ColPhone, ledger.ColNote}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = vals[k]
	}
	return out
}

// goodPerson is a valid row for a new person in building A.
func goodPerson(e *env, n int) map[string]string {
	return map[string]string{ledger.ColBuildingCode: e.bA.Code(), ledger.ColEntrance: "1", ledger.ColRoom: "101",
		ledger.ColName: "测试" + string(rune('甲'+n%10)), ledger.ColIDNumber: id(n), ledger.ColRelation: "户主"}
}

func with(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// rejected returns the errors of the report's row on the line, failing
// when it was not rejected.
func rejected(t *testing.T, rep *ledger.Report, line int) string {
	t.Helper()
	for _, r := range rep.Rows {
		if r.Line == line {
			if r.Status != wangge.ImportRejected {
				t.Fatalf("row %d: %s, want rejected", line, r.Status)
			}
			var s []string
			for _, m := range r.Errors {
				s = append(s, m.String())
			}
			return strings.Join(s, "；")
		}
	}
	t.Fatalf("row %d not in the report", line)
	return ""
}

func status(t *testing.T, rep *ledger.Report, line int) wangge.ImportStatus {
	t.Helper()
	for _, r := range rep.Rows {
		if r.Line == line {
			return r.Status
		}
	}
	t.Fatalf("row %d not in the report", line)
	return 0
}

// TestPersonRowValidation: every rule a persons row is checked by, each
// rejection naming its column in Chinese.
func TestPersonRowValidation(t *testing.T) {
	e := newEnv(t)
	// A person registered outside the importing staff's scope.
	hOut := &wangge.Household{BuildingID: e.bOut.ID, Room: "1", Kind: wangge.ResidentRegistered}
	must(t, e.db.CreateHousehold(e.ctx, wangge.ScopeAll(), hOut))
	must(t, e.db.CreatePerson(e.ctx, wangge.ScopeAll(), &wangge.Person{HouseholdID: hOut.ID, Name: "外区人", IDNumber: id(900)}))

	good := id(1)
	badCheck := good[:17] + map[bool]string{true: "0", false: "1"}[good[17] != '0']
	badDate := good[:10] + "0230" + good[14:]
	cases := []struct {
		name string
		row  map[string]string
		want []string // fragments of the error text
	}{
		{"check digit", with(goodPerson(e, 1), ledger.ColIDNumber, badCheck), []string{"公民身份号码：", "校验"}},
		{"real birth date", with(goodPerson(e, 1), ledger.ColIDNumber, badDate), []string{"公民身份号码：", "出生日期"}},
		{"ID length", with(goodPerson(e, 1), ledger.ColIDNumber, "12345"), []string{"公民身份号码：", "18 位"}},
		{"masked ID", with(goodPerson(e, 1), ledger.ColIDNumber, "1499**********1234"), []string{"公民身份号码：", "打码"}},
		{"ID made a number", with(goodPerson(e, 1), ledger.ColIDNumber, "1.49901195001E+17"), []string{"公民身份号码：", "数字"}},
		{"ID required", with(goodPerson(e, 1), ledger.ColIDNumber, ""), []string{"公民身份号码：必填"}},
		{"name required", with(goodPerson(e, 1), ledger.ColName, ""), []string{"姓名：必填"}},
		{"name length", with(goodPerson(e, 1), ledger.ColName, strings.Repeat("长", 51)), []string{"姓名：", "50"}},
		{"room required", with(goodPerson(e, 1), ledger.ColRoom, ""), []string{"房号：必填"}},
		{"phone", with(goodPerson(e, 1), ledger.ColPhone, "12345"), []string{"联系电话："}},
		{"household phone", with(goodPerson(e, 1), ledger.ColHousePhone, "1380000"), []string{"户联系电话："}},
		{"relation", with(goodPerson(e, 1), ledger.ColRelation, "朋友"), []string{"与户主关系：", "朋友", "户主"}},
		{"person kind", with(goodPerson(e, 1), ledger.ColPersonKind, "常驻外宾"), []string{"人员类型："}},
		{"household kind", with(goodPerson(e, 1), ledger.ColHouseKind, "集体户"), []string{"户类型："}},
		{"party", with(goodPerson(e, 1), ledger.ColParty, "也许"), []string{"是否党员："}},
		{"employment", with(goodPerson(e, 1), ledger.ColEmployment, "自由"), []string{"就业状态："}},
		{"building code form", with(goodPerson(e, 1), ledger.ColBuildingCode, "1404"), []string{"楼院编码：", "20 位"}},
		{"building exists", with(goodPerson(e, 1), ledger.ColBuildingCode, gridA+"00099"), []string{"楼院编码：", "不存在"}},
		{"building in scope", with(goodPerson(e, 1), ledger.ColBuildingCode, e.bOut.Code()), []string{"楼院编码：", "管辖范围"}},
		{"building given", with(goodPerson(e, 1), ledger.ColBuildingCode, ""), []string{"楼院编码："}},
		{"ID held outside scope", with(goodPerson(e, 1), ledger.ColIDNumber, id(900)), []string{"公民身份号码：", "不能在这里导入"}},
	}
	rows := [][]string{personHeader}
	for i, c := range cases {
		if c.row[ledger.ColIDNumber] == good { // each valid number once, so no row repeats another
			c.row[ledger.ColIDNumber] = id(100 + i)
		}
		rows = append(rows, personRow(e, c.row))
	}
	before := e.snapshot()
	rep := e.importFile(ledger.KindPersons, xlsxFile(t, rows), false)
	for i, c := range cases {
		got := rejected(t, rep, i+2)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", c.name, got, w)
			}
		}
	}
	if rep.Counts.Rejected != len(cases) || e.snapshot() != before {
		t.Errorf("counts %+v; the database changed: %v", rep.Counts, e.snapshot() != before)
	}
}

// TestPersonFileRules: duplicates within the file, a household whose rows
// disagree, the building by grid code and name, tolerant cell values.
func TestPersonFileRules(t *testing.T) {
	e := newEnv(t)
	header := append(append([]string{}, personHeader...), "网格编码", "楼院名称")
	row := func(vals map[string]string) []string {
		return append(personRow(e, vals), vals[ledger.ColGridCode], vals[ledger.ColBuildingName])
	}
	byName := with(goodPerson(e, 3), ledger.ColBuildingCode, "", ledger.ColGridCode, gridB, ledger.ColBuildingName, "东苑2号楼",
		ledger.ColRoom, "201室", ledger.ColEntrance, "2单元", ledger.ColRelation, "妻子", ledger.ColParty, "中共党员", ledger.ColEmployment, "退休")
	rep := e.importFile(ledger.KindPersons, xlsxFile(t, [][]string{header,
		row(with(goodPerson(e, 1), ledger.ColHouseKind, "户籍")),
		row(with(goodPerson(e, 1), ledger.ColName, "重复者")),     // the same ID number again
		row(with(goodPerson(e, 2), ledger.ColHouseKind, "流动")), // the same household, another kind
		row(byName),
		row(with(goodPerson(e, 4), ledger.ColBuildingCode, "", ledger.ColGridCode, gridB, ledger.ColBuildingName, "没有这栋楼")),
	}), false)
	if got := rejected(t, rep, 3); !strings.Contains(got, "与第 2 行") || !strings.Contains(got, "公民身份号码") {
		t.Errorf("duplicate: %q", got)
	}
	if got := rejected(t, rep, 4); !strings.Contains(got, "户类型：与同一户的第 2 行不一致") {
		t.Errorf("household disagreement: %q", got)
	}
	if status(t, rep, 5) != wangge.ImportAdded {
		t.Errorf("building by grid and name: %s %v", status(t, rep, 5), rep.Rows[3].Errors)
	}
	if got := rejected(t, rep, 6); !strings.Contains(got, "楼院名称") {
		t.Errorf("unknown building name: %q", got)
	}
	ps, _, _ := e.db.ListPersons(e.ctx, wangge.ScopeAll(), wangge.PersonFilter{IDNumber: id(3)})
	if len(ps) != 1 || ps[0].Relation != wangge.RelSpouse || !ps[0].Party || ps[0].Employment != wangge.EmployRetired {
		t.Fatalf("tolerant values: %+v", ps)
	}
	h, _ := e.db.Household(e.ctx, wangge.ScopeAll(), ps[0].HouseholdID)
	if h.BuildingID != e.bB.ID || h.Room != "201" || h.Entrance != "2" {
		t.Errorf("household %+v", h)
	}
}

// TestDryRunChangesNothing: a dry run reports what an import would do,
// row by row, and leaves the database exactly as it was.
func TestDryRunChangesNothing(t *testing.T) {
	e := newEnv(t)
	file := xlsxFile(t, [][]string{personHeader,
		personRow(e, goodPerson(e, 1)), personRow(e, with(goodPerson(e, 2), ledger.ColRelation, "配偶")),
		personRow(e, with(goodPerson(e, 3), ledger.ColRoom, "102")), personRow(e, with(goodPerson(e, 4), ledger.ColIDNumber, "x")),
	})
	// The ledgers as they were; the audit log holds the check (its head is
	// the snapshot's last line).
	data := func() string {
		s := strings.TrimSuffix(e.snapshot(), "\n")
		return s[:strings.LastIndexByte(s, '\n')+1]
	}
	before := data()
	dry := e.importFile(ledger.KindPersons, file, true)
	if data() != before {
		t.Fatal("the dry run changed the database")
	}
	if es, _, err := e.db.ListAudit(e.ctx, wangge.AuditFilter{Page: wangge.Page{Limit: 1}}); err != nil || len(es) != 1 || es[0].Action != "import.check" {
		t.Errorf("the dry run's audit entry: %+v %v", es, err)
	}
	c := dry.Counts
	if c.Added != 3 || c.Rejected != 1 || c.Households != 2 || c.Written {
		t.Fatalf("dry run: %+v", c)
	}
	real := e.importFile(ledger.KindPersons, file, false)
	if real.Counts.Added != c.Added || real.Counts.Rejected != c.Rejected || real.Counts.Households != c.Households || !real.Counts.Written {
		t.Fatalf("the import did not do what the dry run said: %+v vs %+v", real.Counts, c)
	}
	for i, r := range real.Rows {
		if dry.Rows[i].Status != r.Status {
			t.Errorf("row %d: dry run %s, import %s", r.Line, dry.Rows[i].Status, r.Status)
		}
	}
}

// TestReimportChangesNothing: the same file again is all "unchanged" and
// writes nothing: no version, no timestamp, no audit entry.
func TestReimportChangesNothing(t *testing.T) {
	e := newEnv(t)
	file := xlsxFile(t, [][]string{personHeader,
		personRow(e, with(goodPerson(e, 1), ledger.ColHousePhone, "13800000001", ledger.ColHouseKind, "流动", ledger.ColPhone, "13900000001",
			ledger.ColEthnicity, "回族", ledger.ColParty, "是", ledger.ColEmployment, "在业", ledger.ColNote, "新迁入", ledger.ColHouseNumber, "A-1")),
		personRow(e, with(goodPerson(e, 2), ledger.ColRelation, "子女", ledger.ColHouseNumber, "A-1")),
	})
	if c := e.importFile(ledger.KindPersons, file, false).Counts; c.Added != 2 {
		t.Fatalf("first import: %+v", c)
	}
	before := e.snapshot()
	again := e.importFile(ledger.KindPersons, file, false)
	if c := again.Counts; c.Unchanged != 2 || c.Written || e.snapshot() != before {
		t.Fatalf("re-import: %+v, database changed: %v", c, e.snapshot() != before)
	}
}

// TestEmptyCellNeverWipes: a row with only the identifying cells leaves
// every stored value; a changed cell changes only that value.
func TestEmptyCellNeverWipes(t *testing.T) {
	e := newEnv(t)
	full := with(goodPerson(e, 1), ledger.ColHousePhone, "13800000001", ledger.ColHouseKind, "流动", ledger.ColPhone, "13900000001",
		ledger.ColEthnicity, "回族", ledger.ColParty, "是", ledger.ColEmployment, "在业", ledger.ColNote, "备注一", ledger.ColPersonKind, "人户分离")
	e.importFile(ledger.KindPersons, xlsxFile(t, [][]string{personHeader, personRow(e, full)}), false)
	before := e.snapshot()
	bare := map[string]string{ledger.ColBuildingCode: e.bA.Code(), ledger.ColEntrance: "1", ledger.ColRoom: "101", ledger.ColName: full[ledger.ColName],
		ledger.ColIDNumber: full[ledger.ColIDNumber]}
	rep := e.importFile(ledger.KindPersons, xlsxFile(t, [][]string{personHeader, personRow(e, bare)}), false)
	if rep.Counts.Unchanged != 1 || e.snapshot() != before {
		t.Fatalf("a bare row: %+v; changed %v", rep.Counts, e.snapshot() != before)
	}
	// A CSV with fewer columns, masked phone: also nothing.
	csv := csvFile(t, [][]string{{"姓名", "身份证号", "楼院编码", "单元", "房号", "手机"},
		{full[ledger.ColName], full[ledger.ColIDNumber], e.bA.Code(), "1", "101", "139****0001"}})
	if rep := e.importFile(ledger.KindPersons, csv, false); rep.Counts.Unchanged != 1 || e.snapshot() != before {
		t.Fatalf("fewer columns: %+v", rep.Counts)
	}
	// One changed value changes that alone and bumps the version once.
	rep = e.importFile(ledger.KindPersons, xlsxFile(t, [][]string{personHeader, personRow(e, with(bare, ledger.ColNote, "备注二"))}), false)
	if rep.Counts.Updated != 1 {
		t.Fatalf("a changed note: %+v", rep.Counts)
	}
	ps, _, _ := e.db.ListPersons(e.ctx, wangge.ScopeAll(), wangge.PersonFilter{IDNumber: full[ledger.ColIDNumber]})
	p, _ := e.db.RevealPerson(e.ctx, wangge.ScopeAll(), ps[0].ID, "核对导入结果")
	if p.Note != "备注二" || p.Phone != "13900000001" || p.Ethnicity != "回族" || !p.Party || p.Employment != "employed" || p.Kind != wangge.ResidentAbsent || p.Version != 2 {
		t.Fatalf("after the update: %+v", p)
	}
	h, _ := e.db.Household(e.ctx, wangge.ScopeAll(), p.HouseholdID)
	if h.Kind != wangge.ResidentFloating || h.Phone == "" || h.Version != 1 {
		t.Fatalf("household: %+v", h)
	}
}

// TestPersonInAnotherHouseholdMoves: a known ID number in another
// household of the scope is a move, reported as an update with a note
// and kept in the person's history.
func TestPersonInAnotherHouseholdMoves(t *testing.T) {
	e := newEnv(t)
	e.importFile(ledger.KindPersons, xlsxFile(t, [][]string{personHeader, personRow(e, goodPerson(e, 1))}), false)
	rep := e.importFile(ledger.KindPersons, xlsxFile(t, [][]string{personHeader,
		personRow(e, with(goodPerson(e, 1), ledger.ColBuildingCode, e.bB.Code(), ledger.ColRoom, "501"))}), false)
	if status(t, rep, 2) != wangge.ImportUpdated || len(rep.Rows[0].Notes) != 1 || !strings.Contains(rep.Rows[0].Notes[0].Zh, "迁入本户") {
		t.Fatalf("move: %+v", rep.Rows)
	}
	ps, _, _ := e.db.ListPersons(e.ctx, wangge.ScopeAll(), wangge.PersonFilter{IDNumber: id(1)})
	if len(ps) != 1 || ps[0].GridCode != gridB {
		t.Fatalf("after the move: %+v", ps)
	}
	moves, err := e.db.PersonMoves(e.ctx, wangge.ScopeAll(), ps[0].ID)
	if err != nil || len(moves) != 1 || moves[0].ToGrid != gridB || !strings.Contains(moves[0].Reason, "导入") {
		t.Fatalf("history: %+v %v", moves, err)
	}
	if _, n, _ := e.db.ListAudit(e.ctx, wangge.AuditFilter{Action: "person.move"}); n != 1 {
		t.Errorf("%d move entries", n)
	}
}

// TestStrictImportIsAllOrNothing: with a rejected row a strict import
// writes none; otherwise the valid rows are written in one go.
func TestStrictImportIsAllOrNothing(t *testing.T) {
	e := newEnv(t)
	file := xlsxFile(t, [][]string{personHeader, personRow(e, goodPerson(e, 1)), personRow(e, with(goodPerson(e, 2), ledger.ColIDNumber, "bad"))})
	before := e.snapshot()
	rep, err := ledger.Import(e.ctx, e.db, ledger.KindPersons, file, ledger.Options{Scope: e.scope, Strict: true})
	must(t, err)
	if rep.Counts.Written || e.snapshot() != before {
		t.Fatalf("strict with a rejected row wrote: %+v", rep.Counts)
	}
	rep = e.importFile(ledger.KindPersons, file, false)
	if !rep.Counts.Written || e.count("persons") != 1 {
		t.Fatalf("the valid rows: %+v, %d persons", rep.Counts, e.count("persons"))
	}
}

// TestImportCancelledWritesNothing: an import cancelled part way (the
// reader stops, the context ends) rolls back every row already written.
func TestImportCancelledWritesNothing(t *testing.T) {
	e := newEnv(t)
	rows := [][]string{personHeader}
	for i := 0; i < 3000; i++ {
		rows = append(rows, personRow(e, with(goodPerson(e, i), ledger.ColRoom, strings.Repeat("1", 1+i%3)+"0"+string(rune('0'+i%10)))))
	}
	file := xlsxFile(t, rows)
	before := e.snapshot()
	ctx, cancel := context.WithCancel(e.ctx)
	_, err := ledger.Import(ctx, e.db, ledger.KindPersons, file, ledger.Options{Scope: e.scope, BatchSize: 100,
		Progress: func(done, total int) {
			if done >= 1000 {
				cancel()
			}
		}})
	if err == nil {
		t.Fatal("a cancelled import succeeded")
	}
	if e.snapshot() != before {
		t.Fatal("a cancelled import left rows behind")
	}
}

// TestOneAuditEntryPerImport: an import that changed something writes one
// entry naming the file and the counts, after one per record it added
// (50 persons, their household) naming the import; the chain holds.
func TestOneAuditEntryPerImport(t *testing.T) {
	e := newEnv(t)
	_, n0, _ := e.db.ListAudit(e.ctx, wangge.AuditFilter{})
	rows := [][]string{personHeader}
	for i := 0; i < 50; i++ {
		rows = append(rows, personRow(e, goodPerson(e, i)))
	}
	e.importFile(ledger.KindPersons, xlsxFile(t, rows), false)
	es, n, _ := e.db.ListAudit(e.ctx, wangge.AuditFilter{})
	if n != n0+1+51 || es[0].Action != "import.persons" || !strings.Contains(es[0].Detail, `"added":50`) || !strings.Contains(es[0].Detail, ".xlsx") {
		t.Fatalf("%d entries (was %d), latest %+v", n, n0, es[0])
	}
	if bad, _, err := e.db.VerifyAudit(e.ctx); bad != 0 || err != nil {
		t.Fatalf("chain: %d %v", bad, err)
	}
	for _, x := range es[:52] {
		if strings.Contains(x.Detail, id(1)) {
			t.Fatalf("the audit entry holds an ID number: %+v", x)
		}
	}
}

// TestExportedLedgerFileImports: a file with every column the export
// writes, derived ones and names of areas included, in another order, with
// a title row and a column the ledger does not know, imports back with
// nothing changed.
func TestExportedLedgerFileImports(t *testing.T) {
	e := newEnv(t)
	e.importFile(ledger.KindPersons, xlsxFile(t, [][]string{personHeader, personRow(e, with(goodPerson(e, 1), ledger.ColPhone, "13900000001"))}), false)
	before := e.snapshot()
	header := append([]string{"序号"}, ledger.Persons.Headers(true)...)
	row := make([]string, len(header))
	vals := with(goodPerson(e, 1), ledger.ColSex, "女", ledger.ColBirthDate, "1951-02-02", ledger.ColAge, "75", ledger.ColCommunityName, "东苑社区",
		ledger.ColGridName, "东苑第一网格", ledger.ColHouseKind, "户籍", ledger.ColPersonKind, "户籍", ledger.ColParty, "否", ledger.ColPhone, "139****0001")
	row[0] = "1"
	for i, c := range ledger.Persons.Columns {
		row[i+1] = vals[c.Key]
	}
	rep := e.importFile(ledger.KindPersons, xlsxFile(t, [][]string{{"东苑社区居民台帐"}, {}, header, row}), false)
	if rep.Counts.Unchanged != 1 || e.snapshot() != before || len(rep.Ignored) != 1 || rep.Ignored[0] != "序号" {
		t.Fatalf("exported file: %+v ignored %q; changed %v", rep.Counts, rep.Ignored, e.snapshot() != before)
	}
	if rep.Rows[0].Line != 4 {
		t.Errorf("row numbers count the title rows: %d", rep.Rows[0].Line)
	}
}

// TestCSVEncodingsAndHeaderVariants: UTF-8 with BOM, GB18030 as Excel on
// a Chinese Windows saves, a tab-separated file; headers as people write
// them.
func TestCSVEncodingsAndHeaderVariants(t *testing.T) {
	e := newEnv(t)
	text := "楼栋编码,单元号,房间号,姓名：,身份证号码（18位）, 手 机 号 ,关系\n" +
		e.bA.Code() + ",1,301,张三," + id(11) + ",13800000001,户主\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(strings.ReplaceAll(text, id(11), id(12)))
	must(t, err)
	for name, data := range map[string][]byte{
		"bom":   append([]byte("\xEF\xBB\xBF"), text...),
		"gb":    []byte(gb),
		"tab":   []byte(strings.ReplaceAll(strings.ReplaceAll(text, ",", "\t"), id(11), id(13))),
		"plain": []byte(strings.ReplaceAll(text, id(11), id(14))),
	} {
		path := csvFile(t, nil)
		must(t, os.WriteFile(path, data, 0o600))
		rep := e.importFile(ledger.KindPersons, path, false)
		if rep.Counts.Rejected != 0 || rep.Counts.Added+rep.Counts.Updated+rep.Counts.Unchanged != 1 {
			t.Errorf("%s: %+v %+v", name, rep.Counts, rep.Rows)
		}
	}
	ps, n, _ := e.db.ListPersons(e.ctx, wangge.ScopeAll(), wangge.PersonFilter{IDNumber: id(12)})
	if n != 1 || ps[0].Name != "张三" {
		t.Fatalf("GB18030: %+v", ps)
	}
}

// TestBrokenFilesFailClearly: a file that is no ledger is refused with a
// message that says why, and nothing is written.
func TestBrokenFilesFailClearly(t *testing.T) {
	e := newEnv(t)
	for name, data := range map[string][]byte{
		"no header":   []byte("a,b,c\n1,2,3\n"),
		"zip garbage": []byte("PK\x03\x04garbage"),
		"old xls":     {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1},
		"missing id":  []byte("楼院编码,房号,姓名\n1,2,3\n"),
		"binary":      {0, 1, 2, 3, 0, 0, 0},
	} {
		path := csvFile(t, nil)
		must(t, os.WriteFile(path, data, 0o600))
		_, err := ledger.Import(e.ctx, e.db, ledger.KindPersons, path, ledger.Options{Scope: e.scope})
		if err == nil || wangge.ErrorCode(err) != wangge.EInvalid || wangge.ErrorZh(err) == "" {
			t.Errorf("%s: %v", name, err)
		}
	}
	if e.count("persons") != 0 {
		t.Fatal("a broken file wrote something")
	}
}

// TestRejectsFileFixesAndImports: the rejected rows come back with the
// file's own columns and 错误原因; fixed, that file imports.
func TestRejectsFileFixesAndImports(t *testing.T) {
	e := newEnv(t)
	file := xlsxFile(t, [][]string{personHeader, personRow(e, goodPerson(e, 1)), personRow(e, with(goodPerson(e, 2), ledger.ColPhone, "12"))})
	var buf bytes.Buffer
	rep, err := ledger.Import(e.ctx, e.db, ledger.KindPersons, file, ledger.Options{Scope: e.scope, Rejects: &buf})
	must(t, err)
	if rep.Counts.Added != 1 || rep.Counts.Rejected != 1 {
		t.Fatalf("%+v", rep.Counts)
	}
	x, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	must(t, err)
	sheet := x.GetSheetList()[0]
	rows, _ := x.GetRows(sheet)
	if len(rows) != 2 || len(rows[0]) != len(personHeader)+1 || rows[0][len(personHeader)] != "错误原因" ||
		rows[1][7] != id(2) || !strings.Contains(rows[1][len(personHeader)], "联系电话") {
		t.Fatalf("rejects: %q", rows)
	}
	x.SetCellStr(sheet, "N2", "13900000002")
	fixed := file + ".fixed.xlsx"
	must(t, x.SaveAs(fixed))
	rep = e.importFile(ledger.KindPersons, fixed, false)
	if rep.Counts.Added != 1 || rep.Counts.Rejected != 0 {
		t.Fatalf("fixed: %+v", rep.Counts)
	}
}

// TestIDNumbersAsTyped: an ID number typed with spaces between its groups,
// or in the 15-digit 1989 form, imports as the 18-digit number, and the
// dry run says which rows were converted.
func TestIDNumbersAsTyped(t *testing.T) {
	e := newEnv(t)
	spaced, full, old := id(11), id(12), id(13)
	spaced = spaced[:6] + " " + spaced[6:14] + "\u3000" + spaced[14:]
	legacy := old[:6] + old[8:17] // the 1989 form: YYMMDD, no check character
	file := xlsxFile(t, [][]string{personHeader,
		personRow(e, with(goodPerson(e, 11), ledger.ColIDNumber, spaced)),
		personRow(e, with(goodPerson(e, 12), ledger.ColIDNumber, full[:6]+"-"+full[6:14]+"-"+full[14:], ledger.ColRelation, "配偶")),
		personRow(e, with(goodPerson(e, 13), ledger.ColIDNumber, legacy, ledger.ColRelation, "子女")),
	})
	dry := e.importFile(ledger.KindPersons, file, true)
	if dry.Counts.Added != 3 || dry.Counts.Rejected != 0 {
		t.Fatalf("dry run: %+v %+v", dry.Counts, dry.Rows)
	}
	notes := map[int]string{}
	for _, r := range dry.Rows {
		for _, m := range r.Notes {
			notes[r.Line] += m.String() + "|" + m.StringEn()
		}
	}
	if n := notes[4]; !strings.Contains(n, "公民身份号码：15 位号码已转换为 18 位") || !strings.Contains(n, "Converted the 15-digit number to 18 digits") {
		t.Errorf("the converted row's notes: %q", n)
	}
	if notes[2] != "" || notes[3] != "" {
		t.Errorf("rows not converted carry notes: %q, %q", notes[2], notes[3])
	}
	e.importFile(ledger.KindPersons, file, false)
	for _, want := range []string{id(11), id(12), id(13)} {
		ps, n, err := e.db.ListPersons(e.ctx, e.scope, wangge.PersonFilter{IDNumber: want})
		if err != nil || n != 1 || len(ps) != 1 {
			t.Errorf("person %s after the import: %d found, %v", want, n, err)
		}
	}
}
