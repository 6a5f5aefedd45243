package ledger

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

// Report workbooks: the completeness report (不漏楼、不漏户、不漏人) and the
// department reports, counted per child area at a report date, with their
// list sheets (docs/reports.md). The pages and the command line write the
// same file through ReportBook.Write; the store keeps every count and list to
// the scope.

// ReportWorkbookStore is what the report workbooks read.
type ReportWorkbookStore interface {
	wangge.ReportStore
	EachUnit(ctx context.Context, scope wangge.Scope, f wangge.UnitFilter, fn func(*wangge.UnitEntry) error) error
}

// ReportCompleteness names the completeness report; the department
// reports are named by their line.
const ReportCompleteness = "completeness"

// ReportBook is one report workbook: which report, of which area, at which
// date. Write fills Listed and Personal.
type ReportBook struct {
	Name  string // ReportCompleteness or a line
	Area  *wangge.Area
	Scope wangge.Scope
	Day   time.Time // the report's calendar day (UTC midnight)
	Cycle int       // visit cycle in days, 0 for wangge.DefaultVisitCycle

	Listed   int  // persons, households, buildings and units the list sheets hold
	Personal bool // whether a list sheet names persons or units
}

// The report workbooks' sheets and headers (docs/reports.md).
var (
	// ReportStatsSheet is the counts sheet, the first of every report.
	ReportStatsSheet = "统计"

	CompletenessHeader = []string{"区划代码", "名称", "楼院数", "无住户楼院", "无住户楼院%", "住户数", "无人员住户", "无人员住户%",
		"人员数", "必填项缺失人员", "必填项缺失%", "周期内未走访住户", "未走访住户%", "单位数", "从未走访单位", "未走访单位%"}
	// MemberHeader starts a key group's list sheet; the group's
	// attributes and 加入日期 follow.
	MemberHeader = []string{"网格代码", "姓名", "性别", "出生日期", "年龄", "公民身份号码"}
	PersonHeader = []string{"网格代码", "姓名", "性别", "出生日期", "年龄", "公民身份号码", "联系电话", "与户主关系", "人员类型"}
	UnitHeader   = []string{"网格代码", "单位名称", "统一社会信用代码", "单位类型", "职工人数", "党组织", "党组织名称", "党员人数", "地址"}

	gapSheets = map[wangge.Gap]string{
		wangge.GapEmptyBuilding: "无住户楼院", wangge.GapEmptyHousehold: "无人员住户", wangge.GapIncompletePerson: "必填项缺失人员",
		wangge.GapUnvisitedHousehold: "周期内未走访住户", wangge.GapUnvisitedUnit: "从未走访单位", wangge.GapNoHead: "无楼院长楼院",
	}
	gapHeader = map[wangge.Gap][]string{
		wangge.GapEmptyBuilding:      {"网格代码", "楼院ID", "楼院名称"},
		wangge.GapNoHead:             {"网格代码", "楼院ID", "楼院名称"},
		wangge.GapUnvisitedUnit:      {"网格代码", "单位ID", "单位名称"},
		wangge.GapEmptyHousehold:     {"网格代码", "住户ID", "楼院", "单元-房号", "最近走访"},
		wangge.GapUnvisitedHousehold: {"网格代码", "住户ID", "楼院", "单元-房号", "最近走访"},
		wangge.GapIncompletePerson:   {"网格代码", "人员ID", "姓名", "单元-房号", "缺失项"},
	}
	missingZh = map[string]string{wangge.MissingHeadPhone: "户主联系电话", wangge.MissingEthnicity: "民族", wangge.MissingEmployment: "就业状态"}
)

var reportTime = time.FixedZone("CST", 8*60*60)

// sexZh is 男 or 女, empty when unknown.
func sexZh(s ident.Sex) string {
	if s == ident.SexMale || s == ident.SexFemale {
		return s.Zh()
	}
	return ""
}

// CompletenessCells returns, per gap in report order, its count in a row,
// what it is a share of and the share in percent.
func CompletenessCells(r *wangge.ReportRow) (n, of []int, pct []float64) {
	for _, g := range wangge.Gaps {
		a, b := GapOf(r, g)
		n, of, pct = append(n, a), append(of, b), append(pct, wangge.Pct(a, b))
	}
	return n, of, pct
}

// GapOf returns the count of a gap in a row and what it is a share of.
func GapOf(r *wangge.ReportRow, g wangge.Gap) (n, of int) {
	switch g {
	case wangge.GapEmptyBuilding:
		return r.EmptyBuildings, r.Buildings
	case wangge.GapEmptyHousehold:
		return r.EmptyHouseholds, r.Households
	case wangge.GapIncompletePerson:
		return r.IncompletePersons, r.Persons
	case wangge.GapUnvisitedHousehold:
		return r.UnvisitedHouseholds, r.Households
	case wangge.GapUnvisitedUnit:
		return r.UnvisitedUnits, r.Units
	}
	return 0, 0
}

// SumRows adds up the counts of the completeness report.
func SumRows(rows []wangge.ReportRow) wangge.ReportRow {
	var t wangge.ReportRow
	for _, r := range rows {
		t.Buildings += r.Buildings
		t.Households += r.Households
		t.Persons += r.Persons
		t.Units += r.Units
		t.EmptyBuildings += r.EmptyBuildings
		t.EmptyHouseholds += r.EmptyHouseholds
		t.IncompletePersons += r.IncompletePersons
		t.UnvisitedHouseholds += r.UnvisitedHouseholds
		t.UnvisitedUnits += r.UnvisitedUnits
	}
	return t
}

func (r *ReportBook) cycle() int {
	if r.Cycle == 0 {
		return wangge.DefaultVisitCycle
	}
	return r.Cycle
}

// Write writes the report's workbook. It refuses a report that does not
// exist; whether the user may generate it is the caller's to check.
func (r *ReportBook) Write(ctx context.Context, st ReportWorkbookStore, out io.Writer) error {
	wb := NewWorkbook()
	defer wb.Close()
	r.Listed, r.Personal = 0, false
	var err error
	if r.Name == ReportCompleteness {
		err = r.completeness(ctx, st, wb)
	} else {
		lr := wangge.LineReportOf(wangge.Line(r.Name))
		if lr == nil {
			return wangge.ErrNotFound
		}
		err = r.line(ctx, st, wb, lr)
	}
	if err != nil {
		return err
	}
	_, err = wb.WriteTo(out)
	return err
}

// Audit is the audit entry of a written report, nil when it lists no one
// (the pages audit only such workbooks).
func (r *ReportBook) Audit() *wangge.AuditEntry {
	if !r.Personal {
		return nil
	}
	return r.Entry()
}

// Entry is the audit entry of a written report, whatever it lists.
func (r *ReportBook) Entry() *wangge.AuditEntry {
	detail, _ := json.Marshal(map[string]any{"report": r.Name, "area": r.Area.Code, "date": r.Day.Format(time.DateOnly), "rows": r.Listed})
	return &wangge.AuditEntry{Action: "report.export", Object: "report", ObjectID: r.Name, GridCode: r.Area.Code, Detail: string(detail)}
}

// FileName returns the workbook's name: in ASCII and in Chinese.
func (r *ReportBook) FileName() (ascii, zh string) {
	title := "完整性报表"
	if r.Name != ReportCompleteness {
		title = wangge.Line(r.Name).Zh() + "报表"
	}
	return r.Name + "-" + r.Area.Code + ".xlsx", r.Area.Name + "-" + title + "-" + r.Day.Format(time.DateOnly) + ".xlsx"
}

func (r *ReportBook) gapSheet(ctx context.Context, st ReportWorkbookStore, wb *Workbook, g wangge.Gap, count bool) error {
	sh, err := wb.Sheet(gapSheets[g], gapHeader[g], SheetOptions{})
	if err != nil {
		return err
	}
	return st.EachGap(ctx, r.Scope, r.Area.Code, g, r.Day, r.cycle(), func(it *wangge.GapItem) error {
		if count {
			r.Listed++
		}
		return sh.Row(gapRow(g, it)...)
	})
}

func gapRow(g wangge.Gap, it *wangge.GapItem) []any {
	switch g {
	case wangge.GapEmptyHousehold, wangge.GapUnvisitedHousehold:
		last := ""
		if it.LastVisit != nil {
			last = it.LastVisit.In(reportTime).Format(time.DateOnly)
		}
		return []any{it.GridCode, it.ID, it.Name, it.Room, last}
	case wangge.GapIncompletePerson:
		var m []string
		for _, x := range it.Missing {
			m = append(m, missingZh[x])
		}
		return []any{it.GridCode, it.ID, it.Name, it.Room, strings.Join(m, "、")}
	}
	return []any{it.GridCode, it.ID, it.Name}
}

// completeness writes the counts per child area and a sheet listing each
// gap.
func (r *ReportBook) completeness(ctx context.Context, st ReportWorkbookStore, wb *Workbook) error {
	rows, err := st.ReportRows(ctx, r.Scope, wangge.ReportQuery{Area: r.Area.Code, At: r.Day, Cycle: r.cycle(), Parts: wangge.CompletenessParts})
	if err != nil {
		return err
	}
	stats, err := wb.Sheet(ReportStatsSheet, CompletenessHeader, SheetOptions{})
	if err != nil {
		return err
	}
	total := SumRows(rows)
	total.Code, total.Name = r.Area.Code, "合计"
	for _, row := range append(rows, total) {
		vals := []any{row.Code, row.Name}
		n, of, pct := CompletenessCells(&row)
		for i := range n {
			// Unvisited households (i == 3) share the households' total.
			if i != 3 {
				vals = append(vals, of[i])
			}
			vals = append(vals, n[i], pct[i])
		}
		if err := stats.Row(vals...); err != nil {
			return err
		}
	}
	r.Personal = true
	for _, g := range wangge.Gaps {
		if err := r.gapSheet(ctx, st, wb, g, true); err != nil {
			return err
		}
	}
	return nil
}

// line writes a department's report: the counts sheet and its list
// sheets, those the scope may read.
func (r *ReportBook) line(ctx context.Context, st ReportWorkbookStore, wb *Workbook, lr *wangge.LineReport) error {
	rows, err := st.ReportRows(ctx, r.Scope, wangge.ReportQuery{Area: r.Area.Code, At: r.Day, Cycle: r.cycle(), Parts: lr.Parts, Groups: lr.Groups})
	if err != nil {
		return err
	}
	cols := lr.VisibleColumns(r.Scope)
	header := []string{"区划代码", "名称"}
	for _, c := range cols {
		header = append(header, c.Zh)
	}
	stats, err := wb.Sheet(ReportStatsSheet, header, SheetOptions{})
	if err != nil {
		return err
	}
	total := make([]int, len(cols))
	for i := range rows {
		vals := []any{rows[i].Code, rows[i].Name}
		for j, c := range cols {
			n := c.Count(&rows[i])
			total[j] += n
			vals = append(vals, n)
		}
		if err := stats.Row(vals...); err != nil {
			return err
		}
	}
	vals := []any{r.Area.Code, "合计"}
	for _, n := range total {
		vals = append(vals, n)
	}
	if err := stats.Row(vals...); err != nil {
		return err
	}
	for _, g := range lr.Groups {
		if !r.Scope.GroupVisible(g) {
			continue
		}
		r.Personal = true
		def := wangge.GroupDefOf(g)
		h := append([]string{}, MemberHeader...)
		for _, a := range def.Attrs {
			h = append(h, a.Zh)
		}
		h = append(h, "加入日期")
		sh, err := wb.Sheet(def.Zh, h, SheetOptions{})
		if err != nil {
			return err
		}
		err = st.EachMember(ctx, r.Scope, r.Area.Code, g, r.Day, func(m *wangge.Membership) error {
			r.Listed++
			row := []any{m.GridCode, m.PersonName, sexZh(m.PersonSex), m.PersonBirth.Format(time.DateOnly), ident.Age(m.PersonBirth, r.Day), m.PersonIDNumber}
			for _, a := range def.Attrs {
				row = append(row, m.Attrs[a.Key])
			}
			return sh.Row(append(row, m.Joined.Format(time.DateOnly))...)
		})
		if err != nil {
			return err
		}
	}
	if r.Scope.People() {
		for _, a := range lr.Aged {
			r.Personal = true
			sh, err := wb.Sheet(a.Zh, PersonHeader, SheetOptions{})
			if err != nil {
				return err
			}
			err = st.EachPersonAged(ctx, r.Scope, r.Area.Code, r.Day, a.Band, func(q *wangge.Person) error {
				r.Listed++
				return sh.Row(q.GridCode, q.Name, sexZh(q.Sex), q.BirthDate.Format(time.DateOnly), q.Age(r.Day), q.IDNumber, q.Phone,
					Relations.Zh(string(q.Relation)), ResidenceKinds.Zh(string(q.Kind)))
			})
			if err != nil {
				return err
			}
		}
		if lr.Units {
			r.Personal = true
			sh, err := wb.Sheet("驻区单位", UnitHeader, SheetOptions{})
			if err != nil {
				return err
			}
			err = st.EachUnit(ctx, r.Scope, wangge.UnitFilter{GridCode: r.Area.Code}, func(u *wangge.UnitEntry) error {
				r.Listed++
				has := "无"
				if u.PartyOrg != "" {
					has = "有"
				}
				return sh.Row(u.GridCode, u.Name, u.CreditCode, wangge.UnitKindZh(u.Kind), u.Headcount, has, u.PartyOrg, u.PartyMembers, u.Address)
			})
			if err != nil {
				return err
			}
		}
	}
	for _, g := range lr.Gaps {
		if err := r.gapSheet(ctx, st, wb, g, false); err != nil {
			return err
		}
	}
	return nil
}
