package ledger_test

import (
	"strings"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/ledger"
)

var unitHeader = []string{"单位名称", "统一社会信用代码", "网格编码", "楼院编码", "单位类型", "从业人数", "党组织名称", "党员人数", "地址", "联系人", "联系电话"}

func credit(n int) string {
	return string(ident.MakeCreditCode("91149901MA" + strings.Repeat("0", 6) + string(rune('0'+n%10))))
}

// TestUnitImport: every rule of a units row, then re-import and no wipe.
func TestUnitImport(t *testing.T) {
	e := newEnv(t)
	c1 := credit(1)
	rows := [][]string{unitHeader,
		{"东苑超市", c1, gridA, "", "个体工商户", "5", "", "1", "示范路1号", "李某", "13700000001"}, // 2 added
		{"无码单位", "", gridA, "", "企业", "", "", "", "", "", ""},                        // 3 added
		{"坏代码", "91149901MA0000000X", gridA, "", "企业", "", "", "", "", "", ""},       // 4 credit check
		{"", credit(2), gridA, "", "企业", "", "", "", "", "", ""},                     // 5 name required
		{"无网格", credit(3), "", "", "企业", "", "", "", "", "", ""},                     // 6 grid required
		{"外区", credit(4), gridOut, "", "企业", "", "", "", "", "", ""},                 // 7 out of scope
		{"没有网格", credit(5), "140499001001009", "", "企业", "", "", "", "", "", ""},     // 8 no such grid
		{"无类型", credit(6), gridA, "", "", "", "", "", "", "", ""},                    // 9 new without kind
		{"党员过多", credit(7), gridA, "", "企业", "2", "", "5", "", "", ""},               // 10 party > headcount
		{"东苑超市二", c1, gridB, "", "企业", "", "", "", "", "", ""},                       // 11 same code again
		{"负数", credit(8), gridA, "", "企业", "-3", "", "", "", "", ""},                 // 12 negative
		{"坏电话", credit(9), gridA, "", "企业", "", "", "", "", "", "555"},               // 13 phone
		{"楼内单位", "", "", e.bB.Code(), "事业单位", "30", "第一支部", "8", "", "", ""},         // 14 added by building
		{"无码单位", "", gridA, "", "企业", "", "", "", "", "", ""},                        // 15 same grid and name
	}
	rep := e.importFile(ledger.KindUnits, xlsxFile(t, rows), false)
	for line, want := range map[int]string{4: "统一社会信用代码：", 5: "单位名称：必填", 6: "网格编码：", 7: "网格编码：", 8: "网格编码：网格不存在",
		9: "单位类型：", 10: "党员人数：", 11: "与第 2 行", 12: "从业人数：", 13: "联系电话：", 15: "与第 3 行"} {
		if got := rejected(t, rep, line); !strings.Contains(got, want) {
			t.Errorf("row %d: %q lacks %q", line, got, want)
		}
	}
	if rep.Counts.Added != 3 {
		t.Fatalf("%+v", rep.Counts)
	}
	us, _, _ := e.db.ListUnits(e.ctx, wangge.ScopeAll(), wangge.UnitFilter{Query: "楼内"})
	if len(us) != 1 || us[0].GridCode != gridB || us[0].BuildingID == nil || *us[0].BuildingID != e.bB.ID || us[0].PartyMembers != 8 {
		t.Fatalf("unit by building: %+v", us)
	}

	// Again: unchanged, nothing written; then a bare row keeps everything.
	before := e.snapshot()
	if rep := e.importFile(ledger.KindUnits, xlsxFile(t, rows[:4]), false); rep.Counts.Unchanged != 2 || e.snapshot() != before {
		t.Fatalf("re-import: %+v", rep.Counts)
	}
	bare := [][]string{{"统一社会信用代码", "单位名称", "网格编码"}, {c1, "东苑超市", gridA}}
	if rep := e.importFile(ledger.KindUnits, csvFile(t, bare), false); rep.Counts.Unchanged != 1 || e.snapshot() != before {
		t.Fatalf("bare row: %+v", rep.Counts)
	}
	// A changed headcount updates, matched by the credit code.
	rep = e.importFile(ledger.KindUnits, csvFile(t, [][]string{{"统一社会信用代码", "单位名称", "网格编码", "职工人数"}, {c1, "东苑超市", gridA, "9"}}), false)
	if rep.Counts.Updated != 1 {
		t.Fatalf("update: %+v", rep.Counts)
	}
	us, _, _ = e.db.ListUnits(e.ctx, wangge.ScopeAll(), wangge.UnitFilter{Query: "东苑超市"})
	if len(us) != 1 || us[0].Headcount != 9 || us[0].PartyMembers != 1 || us[0].Address != "示范路1号" || us[0].ContactPhone == "" || us[0].Version != 2 {
		t.Fatalf("after the update: %+v", us)
	}
}
