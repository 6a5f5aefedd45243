package http

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

// Reports: the completeness report (不漏楼、不漏户、不漏人) and the department
// reports, counted per child area at a report date, as pages and as xlsx.
// The store keeps every count and list to the user's scope; the handlers
// add which reports a role may generate.

// reportParams are a report request's area, date and visit cycle.
type reportParams struct {
	scope wangge.Scope
	area  *wangge.Area
	day   time.Time // the report's calendar day (UTC midnight)
	cycle int
}

// reportQuery reads ?area=CODE (default: the user's own area), ?date=
// YYYY-MM-DD (default: today in Beijing) and ?cycle=DAYS.
func (s *Server) reportQuery(r *http.Request) (*reportParams, error) {
	ctx := r.Context()
	u := userFrom(ctx)
	p := &reportParams{scope: u.Scope(), cycle: wangge.DefaultVisitCycle}
	q := r.URL.Query()
	code := q.Get("area")
	if code == "" {
		code = u.ScopeCode
	}
	if !wangge.ValidRegionCode(code) {
		return nil, wangge.ErrNotFound
	}
	var err error
	if p.area, err = s.reportArea(ctx, p.scope, code); err != nil {
		return nil, err
	}
	now := s.now().In(chinaTime)
	p.day = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if v := q.Get("date"); v != "" {
		if p.day, err = time.Parse(time.DateOnly, v); err != nil {
			return nil, wangge.FieldError("date", "报表日期应为 YYYY-MM-DD。", "The report date is YYYY-MM-DD.")
		}
	}
	if v := q.Get("cycle"); v != "" {
		if p.cycle, err = strconv.Atoi(v); err != nil || p.cycle < 1 || p.cycle > 3660 {
			return nil, wangge.FieldError("cycle", "走访周期应为 1 至 3660 天。", "The visit cycle is 1 to 3660 days.")
		}
	}
	return p, nil
}

// reportArea returns the area of a report when it lies in scope (or above
// it: the report then counts what the scope holds).
func (s *Server) reportArea(ctx context.Context, scope wangge.Scope, code string) (*wangge.Area, error) {
	if !wangge.ValidRegionCode(code) {
		return nil, wangge.ErrNotFound
	}
	if _, err := s.store.AreaSummary(ctx, scope, code); err != nil {
		return nil, err
	}
	return s.store.Area(ctx, code)
}

// WriteReport writes a report's workbook as the user generates it: name is
// "completeness" or a line. The command line uses it; the pages are the
// same code.
func (s *Server) WriteReport(ctx context.Context, u *wangge.User, name, area string, day time.Time, cycle int, w io.Writer) error {
	if cycle == 0 {
		cycle = wangge.DefaultVisitCycle
	}
	p := &reportParams{scope: u.Scope(), day: time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC), cycle: cycle}
	var err error
	if p.area, err = s.reportArea(ctx, p.scope, area); err != nil {
		return err
	}
	var f *excelize.File
	if name == "completeness" {
		if !u.Role.Can(wangge.PermViewPeople) {
			return errForbidden
		}
		f, err = s.completenessWorkbook(ctx, p)
	} else {
		lr := wangge.LineReportOf(wangge.Line(name))
		if lr == nil {
			return wangge.ErrNotFound
		}
		if !u.MayGenerate(lr.Line) {
			return errForbidden
		}
		var v *lineReportView
		if v, err = s.lineView(ctx, lr, p); err == nil {
			f, err = s.lineWorkbook(ctx, lr, p, v)
		}
	}
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteTo(w)
	return err
}

// completeness is the store query of the completeness report.
func (p *reportParams) completeness() wangge.ReportQuery {
	return wangge.ReportQuery{Area: p.area.Code, At: p.day, Cycle: p.cycle, Parts: wangge.CompletenessParts}
}

// query returns the parameters as a query string, with area replaced.
func (p *reportParams) query(area string) string {
	v := make([]string, 0, 3)
	v = append(v, "area="+area, "date="+p.day.Format(time.DateOnly), "cycle="+strconv.Itoa(p.cycle))
	return strings.Join(v, "&")
}

type reportsView struct {
	Lines        []wangge.Line
	Completeness bool
	Area         string
}

// handleReports lists the reports the user may generate.
func (s *Server) handleReports(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	v := &reportsView{Completeness: u.Role.Can(wangge.PermViewPeople), Area: u.ScopeCode}
	for _, lr := range wangge.LineReports {
		if u.MayGenerate(lr.Line) {
			v.Lines = append(v.Lines, lr.Line)
		}
	}
	s.render(w, r, http.StatusOK, "reports", &view{Title: s.msgs.T(langOf(r), "reports.title"), Data: v})
	return nil
}

// completenessCell is one gap of one area: count, share and the bar drawn.
type completenessCell struct {
	Gap   wangge.Gap
	N, Of int
	Pct   float64
	Bar   float64 // width of the SVG bar, 0..100
	Level string  // ok, warn, bad
}

type completenessRow struct {
	Row   wangge.ReportRow
	Cells []completenessCell
	Link  string // the child area's report ("" for the area itself)
	Lists string // the child area's lists, to append a gap to
}

type completenessView struct {
	Area   *wangge.Area
	Day    string
	Cycle  int
	Rows   []completenessRow
	Gaps   []wangge.Gap
	Gap    wangge.Gap
	Items  []wangge.GapItem
	Pager  *pager
	XLSX   string // the workbook's address
	Lists  string // the area's lists, to append a gap to
	Totals []completenessCell
}

// gapOf returns the count of a gap in a row and what it is a share of.
func gapOf(r *wangge.ReportRow, g wangge.Gap) (n, of int) {
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

func completenessCells(r *wangge.ReportRow) []completenessCell {
	var out []completenessCell
	for _, g := range wangge.Gaps {
		n, of := gapOf(r, g)
		c := completenessCell{Gap: g, N: n, Of: of, Pct: wangge.Pct(n, of)}
		c.Bar = c.Pct
		switch {
		case c.Pct == 0:
			c.Level = "ok"
		case c.Pct < 10:
			c.Level = "warn"
		default:
			c.Level = "bad"
		}
		out = append(out, c)
	}
	return out
}

func sumRows(rows []wangge.ReportRow) wangge.ReportRow {
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

// handleCompleteness shows the completeness report of an area per child
// area, and with ?gap= the list of that gap in the area.
func (s *Server) handleCompleteness(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := s.reportQuery(r)
	if err != nil {
		return err
	}
	rows, err := s.store.ReportRows(ctx, p.scope, p.completeness())
	if err != nil {
		return err
	}
	v := &completenessView{Area: p.area, Day: p.day.Format(time.DateOnly), Cycle: p.cycle, Gaps: wangge.Gaps,
		XLSX: "/reports/completeness.xlsx?" + p.query(p.area.Code), Lists: "/reports/completeness?" + p.query(p.area.Code) + "&gap="}
	for _, row := range rows {
		cr := completenessRow{Row: row, Cells: completenessCells(&row), Link: "/reports/completeness?" + p.query(row.Code),
			Lists: "/reports/completeness?" + p.query(row.Code) + "&gap="}
		if wangge.LevelOf(row.Code) == wangge.LevelGrid && row.Code == p.area.Code {
			cr.Link = ""
		}
		v.Rows = append(v.Rows, cr)
	}
	total := sumRows(rows)
	v.Totals = completenessCells(&total)
	if g := wangge.Gap(r.URL.Query().Get("gap")); g != "" {
		if !g.Valid() || g == wangge.GapNoHead {
			return wangge.ErrNotFound
		}
		pg, n, err := pageOf(r)
		if err != nil {
			return err
		}
		items, count, err := s.store.GapList(ctx, p.scope, p.area.Code, g, p.day, p.cycle, pg)
		if err != nil {
			return err
		}
		v.Gap, v.Items, v.Pager = g, items, newPager(r, n, count)
	}
	crumbs, err := s.areaCrumbs(ctx, p.area.Code)
	if err != nil {
		return err
	}
	l := langOf(r)
	crumbs = append(crumbs, crumb{Name: s.msgs.T(l, "reports.completeness")})
	s.render(w, r, http.StatusOK, "report_completeness", &view{Title: p.area.Name + " · " + s.msgs.T(l, "reports.completeness"), Crumbs: crumbs, Data: v})
	return nil
}

// The completeness report's sheets and headers (docs/reports.md).
var (
	completenessHeader = []string{"区划代码", "名称", "楼院数", "无住户楼院", "无住户楼院%", "住户数", "无人员住户", "无人员住户%",
		"人员数", "必填项缺失人员", "必填项缺失%", "周期内未走访住户", "未走访住户%", "单位数", "从未走访单位", "未走访单位%"}
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
	// ReportSheetStats is the counts sheet of every report.
	reportSheetStats = "统计"
)

// sheet is an xlsx sheet written row by row.
type sheet struct {
	sw   *excelize.StreamWriter
	next int
}

func addSheet(f *excelize.File, name string, header []string) (*sheet, error) {
	if _, err := f.NewSheet(name); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	sw.SetColWidth(1, max(1, len(header)), 16)
	sh := &sheet{sw: sw, next: 1}
	row := make([]any, len(header))
	for i, h := range header {
		row[i] = h
	}
	return sh, sh.row(row...)
}

func (sh *sheet) row(vals ...any) error {
	cell, _ := excelize.CoordinatesToCellName(1, sh.next)
	sh.next++
	return sh.sw.SetRow(cell, vals)
}

// newWorkbook returns a file whose first sheet is the counts sheet.
func newWorkbook(header []string) (*excelize.File, *sheet, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", reportSheetStats); err != nil {
		return nil, nil, err
	}
	sw, err := f.NewStreamWriter(reportSheetStats)
	if err != nil {
		return nil, nil, err
	}
	sh := &sheet{sw: sw, next: 1}
	row := make([]any, len(header))
	for i, h := range header {
		row[i] = h
	}
	return f, sh, sh.row(row...)
}

// eachGap calls fn for every item of a gap list.
func (s *Server) eachGap(ctx context.Context, p *reportParams, g wangge.Gap, fn func(*wangge.GapItem) error) error {
	return s.store.EachGap(ctx, p.scope, p.area.Code, g, p.day, p.cycle, fn)
}

func gapRow(g wangge.Gap, it *wangge.GapItem) []any {
	switch g {
	case wangge.GapEmptyHousehold, wangge.GapUnvisitedHousehold:
		last := ""
		if it.LastVisit != nil {
			last = it.LastVisit.In(chinaTime).Format(time.DateOnly)
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

// sendWorkbook writes the file as a download.
func sendWorkbook(w http.ResponseWriter, f *excelize.File, ascii, name string) error {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", attachment(ascii, name))
	_, err := f.WriteTo(w)
	return err
}

// auditReport records one generation of a report with personal lists.
func (s *Server) auditReport(ctx context.Context, report string, p *reportParams, rows int) error {
	detail, _ := json.Marshal(map[string]any{"report": report, "area": p.area.Code, "date": p.day.Format(time.DateOnly), "rows": rows})
	return s.store.Audit(ctx, &wangge.AuditEntry{Action: "report.export", Object: "report", ObjectID: report, GridCode: p.area.Code, Detail: string(detail)})
}

// handleCompletenessXLSX sends the completeness report: the counts per
// child area and a sheet listing each gap.
func (s *Server) handleCompletenessXLSX(w http.ResponseWriter, r *http.Request) error {
	p, err := s.reportQuery(r)
	if err != nil {
		return err
	}
	f, err := s.completenessWorkbook(r.Context(), p)
	if err != nil {
		return err
	}
	defer f.Close()
	return sendWorkbook(w, f, "completeness-"+p.area.Code+".xlsx", p.area.Name+"-完整性报表-"+p.day.Format(time.DateOnly)+".xlsx")
}

// completenessWorkbook writes the completeness report's workbook and
// audits it.
func (s *Server) completenessWorkbook(ctx context.Context, p *reportParams) (_ *excelize.File, err error) {
	rows, err := s.store.ReportRows(ctx, p.scope, p.completeness())
	if err != nil {
		return nil, err
	}
	f, stats, err := newWorkbook(completenessHeader)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	total := sumRows(rows)
	total.Code, total.Name = p.area.Code, "合计"
	for _, row := range append(rows, total) {
		vals := []any{row.Code, row.Name}
		for i, c := range completenessCells(&row) {
			// Unvisited households (i == 3) share the households' total.
			if i != 3 {
				vals = append(vals, c.Of)
			}
			vals = append(vals, c.N, c.Pct)
		}
		if err := stats.row(vals...); err != nil {
			return nil, err
		}
	}
	if err := stats.sw.Flush(); err != nil {
		return nil, err
	}
	listed := 0
	for _, g := range wangge.Gaps {
		sh, err := addSheet(f, gapSheets[g], gapHeader[g])
		if err != nil {
			return nil, err
		}
		if err := s.eachGap(ctx, p, g, func(it *wangge.GapItem) error { listed++; return sh.row(gapRow(g, it)...) }); err != nil {
			return nil, err
		}
		if err := sh.sw.Flush(); err != nil {
			return nil, err
		}
	}
	return f, s.auditReport(ctx, "completeness", p, listed)
}

type lineReportView struct {
	Area    *wangge.Area
	Line    wangge.Line
	Day     string
	Columns []wangge.ReportColumn
	Rows    []lineReportRow
	Total   []int
	XLSX    string // the workbook's address
	Charts  []barChart
}

type lineReportRow struct {
	Code, Name string
	Link       string
	Counts     []int
}

// lineReport returns the report the path names when the user may generate
// it, and whether the path asks for xlsx.
func lineReport(r *http.Request) (*wangge.LineReport, bool, error) {
	name := r.PathValue("name")
	xlsx := strings.HasSuffix(name, ".xlsx")
	lr := wangge.LineReportOf(wangge.Line(strings.TrimSuffix(name, ".xlsx")))
	if lr == nil {
		return nil, false, wangge.ErrNotFound
	}
	if !userFrom(r.Context()).MayGenerate(lr.Line) {
		return nil, false, errForbidden
	}
	return lr, xlsx, nil
}

// handleLineReport shows or sends a department's report.
func (s *Server) handleLineReport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	lr, xlsx, err := lineReport(r)
	if err != nil {
		return err
	}
	p, err := s.reportQuery(r)
	if err != nil {
		return err
	}
	v, err := s.lineView(ctx, lr, p)
	if err != nil {
		return err
	}
	if xlsx {
		f, err := s.lineWorkbook(ctx, lr, p, v)
		if err != nil {
			return err
		}
		defer f.Close()
		return sendWorkbook(w, f, string(lr.Line)+"-"+p.area.Code+".xlsx", p.area.Name+"-"+lr.Line.Zh()+"报表-"+p.day.Format(time.DateOnly)+".xlsx")
	}
	crumbs, err := s.areaCrumbs(ctx, p.area.Code)
	if err != nil {
		return err
	}
	l := langOf(r)
	title := s.msgs.T(l, "reports.line."+string(lr.Line))
	crumbs = append(crumbs, crumb{Name: title})
	s.render(w, r, http.StatusOK, "report_line", &view{Title: p.area.Name + " · " + title, Crumbs: crumbs, Data: v})
	return nil
}

// lineView counts a line's report per child area.
func (s *Server) lineView(ctx context.Context, lr *wangge.LineReport, p *reportParams) (*lineReportView, error) {
	rows, err := s.store.ReportRows(ctx, p.scope, wangge.ReportQuery{Area: p.area.Code, At: p.day, Cycle: p.cycle, Parts: lr.Parts, Groups: lr.Groups})
	if err != nil {
		return nil, err
	}
	cols := lr.VisibleColumns(p.scope)
	v := &lineReportView{Area: p.area, Line: lr.Line, Day: p.day.Format(time.DateOnly), Columns: cols, Total: make([]int, len(cols)),
		XLSX: "/reports/" + string(lr.Line) + ".xlsx?" + p.query(p.area.Code)}
	for i := range rows {
		lrow := lineReportRow{Code: rows[i].Code, Name: rows[i].Name}
		if rows[i].Code != p.area.Code {
			lrow.Link = "/reports/" + string(lr.Line) + "?" + p.query(rows[i].Code)
		}
		for j, c := range cols {
			n := c.Count(&rows[i])
			lrow.Counts = append(lrow.Counts, n)
			v.Total[j] += n
		}
		v.Rows = append(v.Rows, lrow)
	}
	v.Charts = lineCharts(v)
	return v, nil
}

// The list sheets' fixed headers (docs/reports.md).
var (
	memberHeader = []string{"网格代码", "姓名", "性别", "出生日期", "年龄", "公民身份号码"}
	personHeader = []string{"网格代码", "姓名", "性别", "出生日期", "年龄", "公民身份号码", "联系电话", "与户主关系", "人员类型"}
	unitHeader   = []string{"网格代码", "单位名称", "统一社会信用代码", "单位类型", "职工人数", "党组织", "党组织名称", "党员人数", "地址"}
)

func sexZh(s ident.Sex) string {
	switch s {
	case ident.SexMale:
		return "男"
	case ident.SexFemale:
		return "女"
	}
	return ""
}

// lineWorkbook writes a department's report: the counts sheet and its
// list sheets, those the scope may read; one audit entry when it lists
// persons or units.
func (s *Server) lineWorkbook(ctx context.Context, lr *wangge.LineReport, p *reportParams, v *lineReportView) (_ *excelize.File, err error) {
	header := []string{"区划代码", "名称"}
	for _, c := range v.Columns {
		header = append(header, c.Zh)
	}
	f, stats, err := newWorkbook(header)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	for _, row := range v.Rows {
		vals := []any{row.Code, row.Name}
		for _, n := range row.Counts {
			vals = append(vals, n)
		}
		if err := stats.row(vals...); err != nil {
			return nil, err
		}
	}
	vals := []any{p.area.Code, "合计"}
	for _, n := range v.Total {
		vals = append(vals, n)
	}
	if err := stats.row(vals...); err != nil {
		return nil, err
	}
	if err := stats.sw.Flush(); err != nil {
		return nil, err
	}
	personal, listed := false, 0
	for _, g := range lr.Groups {
		if !p.scope.GroupVisible(g) {
			continue
		}
		personal = true
		def := wangge.GroupDefOf(g)
		h := append([]string{}, memberHeader...)
		for _, a := range def.Attrs {
			h = append(h, a.Zh)
		}
		h = append(h, "加入日期")
		sh, err := addSheet(f, def.Zh, h)
		if err != nil {
			return nil, err
		}
		err = s.store.EachMember(ctx, p.scope, p.area.Code, g, p.day, func(m *wangge.Membership) error {
			listed++
			row := []any{m.GridCode, m.PersonName, sexZh(m.PersonSex), m.PersonBirth.Format(time.DateOnly), ident.Age(m.PersonBirth, p.day), m.PersonIDNumber}
			for _, a := range def.Attrs {
				row = append(row, m.Attrs[a.Key])
			}
			return sh.row(append(row, m.Joined.Format(time.DateOnly))...)
		})
		if err != nil {
			return nil, err
		}
		if err := sh.sw.Flush(); err != nil {
			return nil, err
		}
	}
	if p.scope.People() {
		for _, a := range lr.Aged {
			personal = true
			sh, err := addSheet(f, a.Zh, personHeader)
			if err != nil {
				return nil, err
			}
			err = s.store.EachPersonAged(ctx, p.scope, p.area.Code, p.day, a.Band, func(q *wangge.Person) error {
				listed++
				return sh.row(q.GridCode, q.Name, sexZh(q.Sex), q.BirthDate.Format(time.DateOnly), q.Age(p.day), q.IDNumber, q.Phone,
					s.msgs.T(langZh, "relation."+string(q.Relation)), s.msgs.T(langZh, "residence."+string(q.Kind)))
			})
			if err != nil {
				return nil, err
			}
			if err := sh.sw.Flush(); err != nil {
				return nil, err
			}
		}
		if lr.Units {
			personal = true
			sh, err := addSheet(f, "驻区单位", unitHeader)
			if err != nil {
				return nil, err
			}
			err = s.store.EachUnit(ctx, p.scope, wangge.UnitFilter{GridCode: p.area.Code}, func(u *wangge.UnitEntry) error {
				listed++
				has := "无"
				if u.PartyOrg != "" {
					has = "有"
				}
				return sh.row(u.GridCode, u.Name, u.CreditCode, wangge.UnitKindZh(u.Kind), u.Headcount, has, u.PartyOrg, u.PartyMembers, u.Address)
			})
			if err != nil {
				return nil, err
			}
			if err := sh.sw.Flush(); err != nil {
				return nil, err
			}
		}
	}
	for _, g := range lr.Gaps {
		sh, err := addSheet(f, gapSheets[g], gapHeader[g])
		if err != nil {
			return nil, err
		}
		if err := s.eachGap(ctx, p, g, func(it *wangge.GapItem) error { return sh.row(gapRow(g, it)...) }); err != nil {
			return nil, err
		}
		if err := sh.sw.Flush(); err != nil {
			return nil, err
		}
	}
	if personal {
		if err := s.auditReport(ctx, string(lr.Line), p, listed); err != nil {
			return nil, err
		}
	}
	return f, nil
}
