package ledger_test

import (
	"strings"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ledger"
)

// TestMembershipImport: every rule of a key-group row; one file with
// several groups; re-import and no wipe.
func TestMembershipImport(t *testing.T) {
	e := newEnv(t)
	e.scope.Sensitive = true // community staff see the sensitive groups
	e.importFile(ledger.KindPersons, xlsxFile(t, [][]string{personHeader,
		personRow(e, with(goodPerson(e, 1), ledger.ColName, "老人甲")),
		personRow(e, with(goodPerson(e, 2), ledger.ColName, "残疾乙", ledger.ColRelation, "配偶")),
	}), false)
	hOut := &wangge.Household{BuildingID: e.bOut.ID, Room: "1", Kind: wangge.ResidentRegistered}
	must(t, e.db.CreateHousehold(e.ctx, wangge.ScopeAll(), hOut))
	must(t, e.db.CreatePerson(e.ctx, wangge.ScopeAll(), &wangge.Person{HouseholdID: hOut.ID, Name: "外区人", IDNumber: id(900)}))

	header := []string{"公民身份号码", "姓名", "重点群体", "纳入日期", "退出日期", "备注", "居住状况", "照护需求", "高龄津贴", "残疾类别", "残疾等级", "残疾人证号"}
	rows := [][]string{header,
		{id(1), "老人甲", "老年人", "2024-01-01", "", "", "独居", "自理", "是", "", "", ""},         // 2 added
		{id(2), "残疾乙", "残疾人", "45292", "", "", "", "", "", "肢体", "二级", id(2) + "42"},     // 3 added (Excel serial date)
		{id(3), "", "老年人", "", "", "", "独居", "", "", "", "", ""},                         // 4 no such person
		{id(1), "别人", "育龄妇女", "", "", "", "", "", "", "", "", ""},                        // 5 name differs
		{id(1), "", "好人好事", "", "", "", "", "", "", "", "", ""},                          // 6 no such group
		{id(1), "", "流动人口", "", "", "", "独居", "", "", "", "", ""},                        // 7 another group's column
		{id(2), "", "老年人", "", "", "", "住院", "", "", "", "", ""},                         // 8 bad option
		{id(2), "", "安置帮教人员", "", "", "", "", "", "", "", "", ""},                        // 9 required attribute (a new membership)
		{id(1), "", "失业人员", "2024-05-01", "2024-01-01", "", "", "", "", "", "", ""},      // 10 left before joined
		{id(1), "", "失业人员", "2024-13-01", "", "", "", "", "", "", "", ""},                // 11 bad date
		{id(1), "老人甲", "老年人", "2024-01-01", "", "", "空巢", "", "", "", "", ""},            // 12 duplicate
		{id(900), "", "老年人", "", "", "", "独居", "", "", "", "", ""},                       // 13 out of scope
		{id(2), "", "残疾人", "2023-01-01", "", "", "", "", "", "肢体", "二级", ""},             // 14 current one joined elsewhen
		{id(2), "", "企业退休人员", "", "", "", "", "", "", "", "", ""},                        // 15 added, today
		{id(2), "", "育龄妇女", "", "", "", "", "", "", "", "", ""},                          // 16 a man: never of childbearing age
		{id(2), "残疾乙", "残疾人", "45292", "", "", "", "", "", "", "", "1499**********1234"}, // 17 masked certificate: duplicate of 3
	}
	rep := e.importFile(ledger.KindMemberships, xlsxFile(t, rows), false)
	for line, want := range map[int]string{4: "公民身份号码：", 5: "姓名：", 6: "重点群体：", 7: "居住状况：", 8: "居住状况：", 9: "刑满释放日期",
		10: "退出日期：", 11: "纳入日期：", 12: "与第 2 行", 13: "公民身份号码：", 14: "纳入日期：", 16: "公民身份号码：按出生日期", 17: "与第 3 行"} {
		if got := rejected(t, rep, line); !strings.Contains(got, want) {
			t.Errorf("row %d: %q lacks %q", line, got, want)
		}
	}
	if rep.Counts.Added != 3 {
		t.Fatalf("%+v %+v", rep.Counts, rep.Rows)
	}
	ms, _, _ := e.db.ListMemberships(e.ctx, wangge.ScopeAll(), wangge.MembershipFilter{Group: wangge.GroupDisabled})
	if len(ms) != 1 || ms[0].Joined.Format("2006-01-02") != "2024-01-01" || ms[0].Attrs["level"] != "二级" {
		t.Fatalf("disabled: %+v", ms)
	}
	// Both persons of the community are over 70: elderly by age, 老人甲
	// with the details the import recorded.
	ms, _, _ = e.db.ListMemberships(e.ctx, e.scope, wangge.MembershipFilter{Group: wangge.GroupElderly})
	if len(ms) != 2 || ms[0].PersonName != "老人甲" || ms[0].ID == 0 || ms[0].Attrs["allowance"] != "true" || ms[0].Attrs["care"] != "自理" || ms[1].ID != 0 {
		t.Fatalf("elderly: %+v", ms)
	}

	before := e.snapshot()
	if rep := e.importFile(ledger.KindMemberships, xlsxFile(t, rows[:3]), false); rep.Counts.Unchanged != 2 || e.snapshot() != before {
		t.Fatalf("re-import: %+v", rep.Counts)
	}
	// A bare row and a masked certificate keep every stored value.
	bare := [][]string{{"身份证号", "重点群体", "残疾人证号"}, {id(1), "老年人", ""}, {id(2), "残疾人", "1499**********1234"}}
	if rep := e.importFile(ledger.KindMemberships, csvFile(t, bare), false); rep.Counts.Unchanged != 2 || e.snapshot() != before {
		t.Fatalf("bare rows: %+v %+v", rep.Counts, rep.Rows)
	}
	// Leaving is recorded; the row stays. Of a group no age decides, the
	// member has left; of the elderly, the row no longer keeps details of
	// a member, who stays elderly by age.
	rep = e.importFile(ledger.KindMemberships, csvFile(t, [][]string{{"身份证号", "重点群体", "退出日期"}, {id(1), "老年人", "2025-06-30"}, {id(2), "残疾人", "2025-06-30"}}), false)
	if rep.Counts.Updated != 2 {
		t.Fatalf("leaving: %+v %+v", rep.Counts, rep.Rows)
	}
	ms, _, _ = e.db.ListMemberships(e.ctx, wangge.ScopeAll(), wangge.MembershipFilter{Group: wangge.GroupDisabled})
	if len(ms) != 1 || ms[0].Left == nil || ms[0].Attrs["level"] != "二级" {
		t.Fatalf("disabled after leaving: %+v", ms)
	}
	ms, _, _ = e.db.ListMemberships(e.ctx, e.scope, wangge.MembershipFilter{Group: wangge.GroupElderly})
	if len(ms) != 2 || ms[0].ID != 0 || ms[0].Left != nil || len(ms[0].Attrs) != 0 {
		t.Fatalf("elderly after leaving: %+v", ms)
	}
}

// TestMembershipImportNeedsGroupRights: a scope without the sensitive
// groups may not import them.
func TestMembershipImportNeedsGroupRights(t *testing.T) {
	e := newEnv(t)
	e.importFile(ledger.KindPersons, xlsxFile(t, [][]string{personHeader, personRow(e, goodPerson(e, 1))}), false)
	path := csvFile(t, [][]string{{"身份证号", "重点群体", "救助类型"}, {id(1), "救助对象", "城市低保"}})
	rep, err := ledger.Import(e.ctx, e.db, ledger.KindMemberships, path, ledger.Options{Scope: wangge.ScopeOf(community), Keep: ledger.KeepAll})
	must(t, err)
	if got := rejected(t, rep, 2); !strings.Contains(got, "重点群体：") {
		t.Fatalf("%q", got)
	}
}
