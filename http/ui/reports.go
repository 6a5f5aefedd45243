package ui

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/internal/pagekit"
	"github.com/wangge/wangge/ledger"
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
func (s *reports) reportQuery(r *http.Request) (*reportParams, error) {
	ctx := r.Context()
	u := whttp.UserFrom(ctx)
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
	now := s.core.Now().In(whttp.ChinaTime)
	p.day = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if v := q.Get("date"); v != "" {
		if p.day, err = time.Parse(time.DateOnly, v); err != nil {
			return nil, wangge.Invalid("date", "error.report.date")
		}
	}
	if v := q.Get("cycle"); v != "" {
		if p.cycle, err = strconv.Atoi(v); err != nil || p.cycle < 1 || p.cycle > 3660 {
			return nil, wangge.Invalid("cycle", "error.report.cycle")
		}
	}
	return p, nil
}

// reportArea returns the area of a report when it lies in scope (or above
// it: the report then counts what the scope holds).
func (s *reports) reportArea(ctx context.Context, scope wangge.Scope, code string) (*wangge.Area, error) {
	if !wangge.ValidRegionCode(code) {
		return nil, wangge.ErrNotFound
	}
	if _, err := s.store.AreaSummary(ctx, scope, code); err != nil {
		return nil, err
	}
	return s.store.Area(ctx, code)
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
func (s *reports) handleReports(w http.ResponseWriter, r *http.Request) error {
	u := whttp.UserFrom(r.Context())
	v := &reportsView{Completeness: u.Role.Can(wangge.PermViewPeople), Area: u.ScopeCode}
	for _, lr := range wangge.LineReports {
		if u.MayGenerate(lr.Line) {
			v.Lines = append(v.Lines, lr.Line)
		}
	}
	s.core.Render(w, r, http.StatusOK, "reports", &whttp.View{Title: s.core.T(r, "reports.title"), Data: v})
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
	Pager  *pagekit.Pager
	XLSX   string // the workbook's address
	Lists  string // the area's lists, to append a gap to
	Totals []completenessCell
}

func completenessCells(r *wangge.ReportRow) []completenessCell {
	var out []completenessCell
	for _, g := range wangge.Gaps {
		n, of := ledger.GapOf(r, g)
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

// handleCompleteness shows the completeness report of an area per child
// area, and with ?gap= the list of that gap in the area.
func (s *reports) handleCompleteness(w http.ResponseWriter, r *http.Request) error {
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
	total := ledger.SumRows(rows)
	v.Totals = completenessCells(&total)
	if g := wangge.Gap(r.URL.Query().Get("gap")); g != "" {
		if !g.Valid() || g == wangge.GapNoHead {
			return wangge.ErrNotFound
		}
		pg, n, err := pagekit.PageOf(r)
		if err != nil {
			return err
		}
		items, count, err := s.store.GapList(ctx, p.scope, p.area.Code, g, p.day, p.cycle, pg)
		if err != nil {
			return err
		}
		v.Gap, v.Items, v.Pager = g, items, pagekit.NewPager(r, n, count)
	}
	crumbs, err := pagekit.AreaCrumbs(ctx, s.store, p.area.Code)
	if err != nil {
		return err
	}
	crumbs = append(crumbs, whttp.Crumb{Name: s.core.T(r, "reports.completeness")})
	s.core.Render(w, r, http.StatusOK, "report_completeness", &whttp.View{Title: p.area.Name + " · " + s.core.T(r, "reports.completeness"), Crumbs: crumbs, Data: v})
	return nil
}

// handleCompletenessXLSX sends the completeness report: the counts per
// child area and a sheet listing each gap.
func (s *reports) handleCompletenessXLSX(w http.ResponseWriter, r *http.Request) error {
	p, err := s.reportQuery(r)
	if err != nil {
		return err
	}
	return s.sendReport(w, r, ledger.ReportCompleteness, p)
}

// sendReport writes a report's workbook to a temporary file, audits it when
// it lists persons or units, and sends it.
func (s *reports) sendReport(w http.ResponseWriter, r *http.Request, name string, p *reportParams) error {
	ctx := r.Context()
	rb := &ledger.ReportBook{Name: name, Area: p.area, Scope: p.scope, Day: p.day, Cycle: p.cycle}
	tmp, err := ledger.TempFile()
	if err != nil {
		return err
	}
	defer tmp.Close()
	if err := rb.Write(ctx, s.store, tmp); err != nil {
		return err
	}
	if a := rb.Audit(); a != nil {
		if err := s.store.Audit(ctx, a); err != nil {
			return err
		}
	}
	ascii, zh := rb.FileName()
	return pagekit.SendFile(w, tmp, pagekit.XLSXType, pagekit.Attachment(ascii, zh), s.core.Logger(), "report "+name)
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
	if !whttp.UserFrom(r.Context()).MayGenerate(lr.Line) {
		return nil, false, whttp.ErrForbidden
	}
	return lr, xlsx, nil
}

// handleLineReport shows or sends a department's report.
func (s *reports) handleLineReport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	lr, xlsx, err := lineReport(r)
	if err != nil {
		return err
	}
	p, err := s.reportQuery(r)
	if err != nil {
		return err
	}
	if xlsx {
		if err := whttp.RefuseCrossSite(r); err != nil {
			return err
		}
		return s.sendReport(w, r, string(lr.Line), p)
	}
	v, err := s.lineView(ctx, lr, p, whttp.LangOf(r) == whttp.LangEn)
	if err != nil {
		return err
	}
	crumbs, err := pagekit.AreaCrumbs(ctx, s.store, p.area.Code)
	if err != nil {
		return err
	}
	title := s.core.T(r, "reports.line."+string(lr.Line))
	crumbs = append(crumbs, whttp.Crumb{Name: title})
	s.core.Render(w, r, http.StatusOK, "report_line", &whttp.View{Title: p.area.Name + " · " + title, Crumbs: crumbs, Data: v})
	return nil
}

// lineView gathers a department report's page; en names its headings in
// English.
func (s *reports) lineView(ctx context.Context, lr *wangge.LineReport, p *reportParams, en bool) (*lineReportView, error) {
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
	v.Charts = lineCharts(v, en)
	return v, nil
}
