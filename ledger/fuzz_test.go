package ledger_test

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ledger"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqldb"
	"github.com/wangge/wangge/sqlite"
)

var fuzzKinds = []ledger.Kind{ledger.KindPersons, ledger.KindUnits, ledger.KindMemberships}

// fuzzDB is a store with the test district for the fuzz tests' dry runs.
func fuzzDB(f *testing.F) *sqldb.DB {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	box, _ := secret.New(secret.NewKey())
	if err := db.UseKey(ctx, box); err != nil {
		f.Fatal(err)
	}
	for _, a := range []string{district, subdist, community, gridA} {
		if err := db.CreateArea(ctx, &wangge.Area{Code: a, Name: "区域" + a}); err != nil {
			f.Fatal(err)
		}
	}
	if err := db.CreateBuilding(ctx, wangge.ScopeAll(), &wangge.Building{GridCode: gridA, Name: "1号楼", Kind: wangge.BuildingTower}); err != nil {
		f.Fatal(err)
	}
	return db
}

// fuzzImport runs a dry run of data, which must end in a report or in a
// clear error: a domain error with a Chinese and an English text. Never
// a panic.
func fuzzImport(t *testing.T, db *sqldb.DB, data []byte, k uint8) {
	spec := ledger.SpecOf(fuzzKinds[int(k)%len(fuzzKinds)])
	ctx := wangge.WithActor(context.Background(), wangge.Actor{Username: "fuzz", Role: wangge.RoleSystem})
	clear := func(err error) {
		t.Helper()
		if wangge.ErrorCode(err) != wangge.EInvalid || wangge.ErrorZh(err) == "" || wangge.ErrorMessage(err) == "" {
			t.Fatalf("unclear error: %#v", err)
		}
	}
	src, err := ledger.OpenBytes(data, spec)
	if err != nil {
		clear(err)
		return
	}
	defer src.Close()
	rep, err := ledger.ImportSource(ctx, db, src, ledger.Options{Scope: wangge.ScopeAll(), DryRun: true, Rejects: io.Discard, Keep: ledger.KeepAll})
	if err != nil {
		clear(err)
		return
	}
	if rep.Counts.Rows() != len(rep.Rows) || rep.Counts.Written {
		t.Fatalf("report: %+v with %d rows", rep.Counts, len(rep.Rows))
	}
	for _, r := range rep.Rows {
		if r.Status == wangge.ImportRejected && len(r.Errors) == 0 {
			t.Fatalf("row %d rejected without a reason", r.Line)
		}
	}
}

// seedXLSX is a small valid persons file, for the fuzzer to mangle.
func seedXLSX(rows [][]string) []byte {
	x := excelize.NewFile()
	defer x.Close()
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		x.SetSheetRow("Sheet1", cell, &vals)
	}
	var buf bytes.Buffer
	x.Write(&buf)
	return buf.Bytes()
}

// FuzzImportXLSX feeds the importer mangled xlsx files.
func FuzzImportXLSX(f *testing.F) {
	db := fuzzDB(f)
	valid := seedXLSX([][]string{personHeader,
		{gridA + "00001", "1", "101", "", "户籍", "", "王一", id(1), "户主", "", "汉族", "是", "在业", "13900000001", ""},
		{gridA + "00001", "1", "101", "", "", "", "王二", "1499**", "配偶", "", "", "", "", "", ""}})
	f.Add(valid, uint8(0))
	f.Add(valid[:len(valid)/2], uint8(0))
	var tmpl bytes.Buffer
	for i, k := range fuzzKinds {
		tmpl.Reset()
		ledger.WriteTemplate(&tmpl, k)
		f.Add(append([]byte{}, tmpl.Bytes()...), uint8(i))
	}
	f.Add([]byte("PK\x03\x04"), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, k uint8) { fuzzImport(t, db, data, k) })
}

// FuzzImportCSV feeds the importer mangled CSV files.
func FuzzImportCSV(f *testing.F) {
	db := fuzzDB(f)
	f.Add([]byte("楼院编码,房号,姓名,身份证号\n"+gridA+"00001,101,王一,"+id(1)+"\n"), uint8(0))
	f.Add([]byte("\xEF\xBB\xBF单位名称,网格编码,单位类型\n超市,"+gridA+",企业\n\"未闭合,1\n"), uint8(1))
	f.Add([]byte("身份证号\t重点群体\t居住状况\n"+id(1)+"\t老年人\t独居\n"), uint8(2))
	f.Add([]byte("\xff\xfe\x00\x00"), uint8(0))
	f.Add([]byte("\xd0\xd5\xc3\xfb,\xc9\xed\xb7\xdd\xd6\xa4\xba\xc5\n"), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, k uint8) { fuzzImport(t, db, data, k) })
}
