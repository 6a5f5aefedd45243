package http

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/geo"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/ledger"
)

// Ledger exports: the rows of a ledger page's filters, every page of them,
// as xlsx or CSV. The residents', units' and key groups' files have the
// columns of package ledger's sheets (ledger/columns.go), the ones the
// importer reads, so an exported file is a valid import file; the columns
// derived for reading (sex, age, area names and the like) follow, and the
// importer ignores them. Exporting personal data needs PermExport, so the
// residents' and key groups' files carry ID numbers and personal phones in
// full (the store grants that only to such roles) and import back as they
// are; household phones stay masked, which the importer reads as empty and
// so never overwrites. Every export is audited.
//
// A file is written to a temporary file first, read from the store grid by
// grid, so that a district's 300,000 persons are never in memory at once;
// the export is audited (who, which ledger, which filters, how many rows)
// before a byte of it is sent, and not sent when the audit fails.

// ledgerExportPerm is what exporting a ledger needs besides its page's
// permission: personal data needs PermExport; the assistants' ledger is
// public facts.
func ledgerExportPerm(kind string) wangge.Permission {
	if kind == ledgerAssistants {
		return wangge.PermLogin
	}
	return wangge.PermExport
}

// Export formats.
const (
	formatXLSX = "xlsx"
	formatCSV  = "csv"
)

// sheetWriter writes one sheet of rows: xlsx or CSV.
type sheetWriter interface {
	row(cells []any) error
	// finish writes the notes (xlsx: a sheet of its own; CSV has nowhere
	// to put them) and completes the file.
	finish(notes []string) error
	close()
}

// xlsxSheet streams rows into an xlsx file (excelize keeps large sheets in
// a temporary file, not in memory).
type xlsxSheet struct {
	f    *excelize.File
	sw   *excelize.StreamWriter
	out  io.Writer
	next int
	head int // the header's style
}

func newXLSXSheet(out io.Writer, name string, header []string) (*xlsxSheet, error) {
	f := excelize.NewFile()
	x := &xlsxSheet{f: f, out: out, next: 1}
	if err := f.SetSheetName("Sheet1", name); err != nil {
		f.Close()
		return nil, err
	}
	var err error
	if x.sw, err = f.NewStreamWriter(name); err != nil {
		f.Close()
		return nil, err
	}
	x.head, _ = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	x.sw.SetColWidth(1, len(header), 16)
	x.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = excelize.Cell{StyleID: x.head, Value: h}
	}
	if err := x.row(cells); err != nil {
		f.Close()
		return nil, err
	}
	return x, nil
}

func (x *xlsxSheet) row(cells []any) error {
	cell, _ := excelize.CoordinatesToCellName(1, x.next)
	x.next++
	return x.sw.SetRow(cell, cells)
}

func (x *xlsxSheet) finish(notes []string) error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	const sheet = "说明"
	if _, err := x.f.NewSheet(sheet); err != nil {
		return err
	}
	x.f.SetColWidth(sheet, "A", "A", 120)
	for i, n := range notes {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		x.f.SetCellStr(sheet, cell, n)
	}
	return x.f.Write(x.out)
}

func (x *xlsxSheet) close() { x.f.Close() }

// csvSheet writes rows as CSV in UTF-8 with a byte-order mark, which is how
// Excel knows the Chinese in it is UTF-8.
type csvSheet struct {
	w *csv.Writer
}

func newCSVSheet(out io.Writer, header []string) (*csvSheet, error) {
	if _, err := io.WriteString(out, "\ufeff"); err != nil {
		return nil, err
	}
	c := &csvSheet{w: csv.NewWriter(out)}
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = h
	}
	return c, c.row(cells)
}

func (c *csvSheet) row(cells []any) error {
	rec := make([]string, len(cells))
	for i, v := range cells {
		switch x := v.(type) {
		case string:
			rec[i] = x
		case nil:
		default:
			rec[i] = fmt.Sprint(x)
		}
	}
	return c.w.Write(rec)
}

func (c *csvSheet) finish([]string) error {
	c.w.Flush()
	return c.w.Error()
}

func (c *csvSheet) close() {}

// exportColumn is one column of an export: its header and how a row fills
// it.
type exportColumn[T any] struct {
	header string
	cell   func(*T) any
}

func headers[T any](cols []exportColumn[T]) []string {
	h := make([]string, len(cols))
	for i, c := range cols {
		h[i] = c.header
	}
	return h
}

// ledgerExport is one export under way: what it writes with and what its
// rows need.
type ledgerExport struct {
	s      *Server
	ctx    context.Context
	f      *ledgerFilter
	format string
	out    io.Writer
	names  *areaNames
	now    time.Time // ages are reckoned at it, in China time
	rows   int
	staff  bool // the user may see assistants' earlier terms
}

// cjt349Header heads the column of 20-digit CJ/T 349 grid codes. It has no
// parenthesis, so that the importer does not take it for 网格编码.
const cjt349Header = "CJ/T 349 网格编码"

// cjt349 returns a grid's 20-digit CJ/T 349 code, "" when it has none.
func (e *ledgerExport) cjt349(grid string) string {
	c, err := geo.ToCJT349(grid, e.s.opts.CJT349Object)
	if err != nil {
		return ""
	}
	return c
}

// write writes every row of cols through a sheet writer made by open and
// returns the notes of the file.
func writeSheet[T any](e *ledgerExport, name string, cols []exportColumn[T], each func(func(*T) error) error) (sheetWriter, error) {
	var sw sheetWriter
	var err error
	if e.format == formatXLSX {
		sw, err = newXLSXSheet(e.out, name, headers(cols))
	} else {
		sw, err = newCSVSheet(e.out, headers(cols))
	}
	if err != nil {
		return nil, err
	}
	cells := make([]any, len(cols))
	err = each(func(row *T) error {
		for i, c := range cols {
			cells[i] = c.cell(row)
		}
		e.rows++
		return sw.row(cells)
	})
	if err != nil {
		sw.close()
		return nil, err
	}
	return sw, nil
}

// specColumns turns a ledger sheet's columns into export columns, with
// cell saying how a row fills a column key ("" for keys it does not know:
// an empty cell, which an import leaves alone).
func specColumns[T any](spec *ledger.Spec, keep func(ledger.Column) bool, cell func(c ledger.Column, row *T) any) []exportColumn[T] {
	var cols []exportColumn[T]
	for _, c := range spec.Columns {
		if keep != nil && !keep(c) {
			continue
		}
		c := c
		cols = append(cols, exportColumn[T]{header: c.Zh, cell: func(row *T) any { return cell(c, row) }})
	}
	return cols
}

func dateOrEmpty(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// residents writes the residents' ledger, one row per person.
func (e *ledgerExport) residents() (sheetWriter, error) {
	cols := specColumns(&ledger.Persons, nil, func(c ledger.Column, r *wangge.ResidentEntry) any {
		p, h := &r.Person, &r.Household
		switch c.Key {
		case ledger.ColBuildingCode:
			code, _ := geo.BuildingCode(h.GridCode, r.BuildingSeq)
			return code
		case ledger.ColGridCode:
			return h.GridCode
		case ledger.ColBuildingName:
			return r.BuildingName
		case ledger.ColEntrance:
			return h.Entrance
		case ledger.ColRoom:
			return h.Room
		case ledger.ColHouseNumber:
			return h.Number
		case ledger.ColHouseKind:
			return ledger.ResidenceKinds.Zh(string(h.Kind))
		case ledger.ColHousePhone:
			return h.Phone
		case ledger.ColName:
			return p.Name
		case ledger.ColIDNumber:
			return p.IDNumber
		case ledger.ColRelation:
			return ledger.Relations.Zh(string(p.Relation))
		case ledger.ColPersonKind:
			return ledger.ResidenceKinds.Zh(string(p.Kind))
		case ledger.ColEthnicity:
			return p.Ethnicity
		case ledger.ColParty:
			return ledger.YesNo.Zh(strconv.FormatBool(p.Party))
		case ledger.ColEmployment:
			return ledger.Employments.Zh(p.Employment)
		case ledger.ColPhone:
			return p.Phone
		case ledger.ColNote:
			return p.Note
		case ledger.ColSex:
			return p.Sex.Zh()
		case ledger.ColBirthDate:
			return p.BirthDate.Format(time.DateOnly)
		case ledger.ColAge:
			return p.Age(e.now)
		case ledger.ColCommunityName:
			return e.names.name(h.GridCode[:wangge.CommunityCodeLen])
		case ledger.ColGridName:
			return e.names.name(h.GridCode)
		}
		return ""
	})
	cols = append(cols,
		exportColumn[wangge.ResidentEntry]{"人员标签", func(r *wangge.ResidentEntry) any { return strings.Join(derivedTags(&r.Person, e.now), "、") }},
		exportColumn[wangge.ResidentEntry]{"重点群体", func(r *wangge.ResidentEntry) any { return groupNames(r.Groups) }},
	)
	if e.s.opts.CJT349Object != "" {
		cols = append(cols, exportColumn[wangge.ResidentEntry]{cjt349Header, func(r *wangge.ResidentEntry) any { return e.cjt349(r.Household.GridCode) }})
	}
	return writeSheet(e, ledger.Persons.Zh, cols, func(fn func(*wangge.ResidentEntry) error) error {
		return e.s.store.EachResident(e.ctx, e.f.Scope, wangge.HouseholdFilter{Search: e.f.Q, Full: true}, fn)
	})
}

// derivedTags are what a person's birth date and sex make them at t
// (老年人, 高龄, 育龄妇女), derived on every read and never stored, so they
// change by themselves as people age.
func derivedTags(p *wangge.Person, t time.Time) []string {
	var tags []string
	if p.Elderly(t) {
		tags = append(tags, "老年人")
	}
	if p.AdvancedAge(t) {
		tags = append(tags, "高龄")
	}
	if p.ChildbearingAge(t) {
		tags = append(tags, "育龄妇女")
	}
	return tags
}

// groupNames names key groups in Chinese, "、" between them.
func groupNames(gs []wangge.KeyGroup) string {
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = ledger.Groups.Zh(string(g))
	}
	return strings.Join(names, "、")
}

// units writes the resident units' ledger.
func (e *ledgerExport) units() (sheetWriter, error) {
	cols := specColumns(&ledger.Units, nil, func(c ledger.Column, u *wangge.UnitEntry) any {
		switch c.Key {
		case ledger.ColUnitName:
			return u.Name
		case ledger.ColCreditCode:
			return u.CreditCode
		case ledger.ColGridCode:
			return u.GridCode
		case ledger.ColBuildingCode:
			code, _ := geo.BuildingCode(u.GridCode, u.BuildingSeq) // "" without a building
			return code
		case ledger.ColUnitKind:
			return ledger.UnitKinds.Zh(string(u.Kind))
		case ledger.ColHeadcount:
			return u.Headcount
		case ledger.ColPartyOrg:
			return u.PartyOrg
		case ledger.ColPartyMembers:
			return u.PartyMembers
		case ledger.ColAddress:
			return u.Address
		case ledger.ColContactName:
			return u.ContactName
		case ledger.ColPhone:
			return u.ContactPhone
		case ledger.ColCommunityName:
			return e.names.name(u.GridCode[:wangge.CommunityCodeLen])
		case ledger.ColGridName:
			return e.names.name(u.GridCode)
		}
		return ""
	})
	if e.s.opts.CJT349Object != "" {
		cols = append(cols, exportColumn[wangge.UnitEntry]{cjt349Header, func(u *wangge.UnitEntry) any { return e.cjt349(u.GridCode) }})
	}
	return writeSheet(e, ledger.Units.Zh, cols, func(fn func(*wangge.UnitEntry) error) error {
		return e.s.store.EachUnit(e.ctx, e.f.Scope, wangge.UnitFilter{Query: e.f.Q}, fn)
	})
}

// groups writes the key-group ledger of one group: the common columns of
// the memberships sheet and the group's own attribute columns.
func (e *ledgerExport) groups() (sheetWriter, error) {
	def := e.f.Group
	keep := func(c ledger.Column) bool { return c.Group == "" || c.Group == def.Group }
	cols := specColumns(&ledger.Memberships, keep, func(c ledger.Column, m *wangge.Membership) any {
		switch c.Key {
		case ledger.ColIDNumber:
			return m.PersonIDNumber
		case ledger.ColName:
			return m.PersonName
		case ledger.ColGroup:
			return ledger.Groups.Zh(string(m.Group))
		case ledger.ColJoined:
			return dateOrEmpty(&m.Joined)
		case ledger.ColLeft:
			return dateOrEmpty(m.Left)
		case ledger.ColNote:
			return m.Note
		case ledger.ColSex:
			return m.PersonSex.Zh()
		case ledger.ColAge:
			return ident.Age(m.PersonBirth, e.now)
		case ledger.ColCommunityName:
			return e.names.name(m.GridCode[:wangge.CommunityCodeLen])
		case ledger.ColGridName:
			return e.names.name(m.GridCode)
		case ledger.ColGridCode:
			return m.GridCode
		}
		if c.Group == m.Group {
			v := m.Attrs[c.Attr]
			for _, a := range def.Attrs {
				if a.Key == c.Attr && a.Kind == wangge.AttrBool && v != "" {
					return ledger.YesNo.Zh(v)
				}
			}
			return v
		}
		return ""
	})
	if e.s.opts.CJT349Object != "" {
		cols = append(cols, exportColumn[wangge.Membership]{cjt349Header, func(m *wangge.Membership) any { return e.cjt349(m.GridCode) }})
	}
	f := wangge.MembershipFilter{Full: true, Group: def.Group, Current: !e.f.All, Search: e.f.Q, Sort: wangge.SortJoined}
	return writeSheet(e, ledger.Memberships.Zh+"·"+def.Zh, cols, func(fn func(*wangge.Membership) error) error {
		return e.s.store.EachMembership(e.ctx, e.f.Scope, f, fn)
	})
}

// assistantEntry is a row of the assistants' export.
type assistantEntry struct {
	wangge.AssistantSummary
	terms []wangge.Assignment
}

// assistants writes the assistants' ledger: public facts, and for staff
// the terms in earlier grids.
func (e *ledgerExport) assistants() (sheetWriter, error) {
	cols := []exportColumn[assistantEntry]{
		{"姓名", func(a *assistantEntry) any { return a.Name }},
		{"性别", func(a *assistantEntry) any { return map[string]string{"M": "男", "F": "女"}[a.Sex] }},
		{"工作电话", func(a *assistantEntry) any { return a.WorkPhone }},
		{"网格编码", func(a *assistantEntry) any { return a.GridCode }},
		{"网格", func(a *assistantEntry) any { return a.GridName }},
		{"社区", func(a *assistantEntry) any { return e.names.name(a.GridCode[:wangge.CommunityCodeLen]) }},
		{"服务范围", func(a *assistantEntry) any { return a.ServiceArea }},
		{"户数", func(a *assistantEntry) any { return a.Households }},
		{"人数", func(a *assistantEntry) any { return a.Persons }},
		{"驻区单位数", func(a *assistantEntry) any { return a.Units }},
		{"本网格任职起始", func(a *assistantEntry) any {
			for _, t := range a.terms {
				if t.To == nil {
					return t.From.In(chinaTime).Format(time.DateOnly)
				}
			}
			return ""
		}},
	}
	if e.staff {
		cols = append(cols, exportColumn[assistantEntry]{"任职经历", func(a *assistantEntry) any {
			var terms []string
			for _, t := range a.terms {
				to := "至今"
				if t.To != nil {
					to = t.To.In(chinaTime).Format(time.DateOnly)
				}
				terms = append(terms, fmt.Sprintf("%s %s—%s", e.names.name(t.GridCode), t.From.In(chinaTime).Format(time.DateOnly), to))
			}
			return strings.Join(terms, "；")
		}})
	}
	if e.s.opts.CJT349Object != "" {
		cols = append(cols, exportColumn[assistantEntry]{cjt349Header, func(a *assistantEntry) any { return e.cjt349(a.GridCode) }})
	}
	scope := userFrom(e.ctx).Scope()
	return writeSheet(e, "协理员", cols, func(fn func(*assistantEntry) error) error {
		for off := 0; ; off += wangge.MaxPageLimit {
			as, _, err := e.s.store.ListAssistants(e.ctx, e.f.Scope, wangge.AssistantFilter{Query: e.f.Q, Page: wangge.Page{Offset: off, Limit: wangge.MaxPageLimit}})
			if err != nil {
				return err
			}
			for _, a := range as {
				row := assistantEntry{AssistantSummary: a}
				if row.terms, err = e.s.store.Assignments(e.ctx, scope, a.ID); err != nil {
					return err
				}
				if err := fn(&row); err != nil {
					return err
				}
			}
			if len(as) < wangge.MaxPageLimit {
				return nil
			}
		}
	})
}

// notes are the lines of the notes sheet: what was exported, by whom, and
// what the masking means for an import.
func (e *ledgerExport) notes(title string) []string {
	u := userFrom(e.ctx)
	who := u.DisplayName
	if who == "" {
		who = u.Username
	}
	what := fmt.Sprintf("%s（%s %s）", title, e.f.Area.Level.Zh(), e.f.Area.Name)
	if e.f.Q != "" {
		what += "，搜索“" + e.f.Q + "”"
	}
	if e.f.Group != nil {
		what += "，" + e.f.Group.Zh
		if e.f.All {
			what += "（含已退出）"
		}
	}
	n := []string{
		fmt.Sprintf("%s 由 %s 于 %s 导出，共 %d 行。", what, who, e.now.Format("2006-01-02 15:04"), e.rows),
		"信息保密，仅限工作使用；导出已记入审计日志。",
	}
	switch e.f.Kind {
	case ledgerAssistants:
		n = append(n, "协理员的姓名、工作电话和网格是公开信息；个人电话不导出。")
	default:
		n = append(n,
			"内部资料 注意保密：本表含完整的公民身份号码和个人电话，仅限工作使用，不得外传；用毕请删除。",
			"本表的列与导入模板相同，可直接导入。户联系电话已打码：导入时视为未填写，不会覆盖已登记的号码。")
	}
	switch e.f.Kind {
	case ledgerResidents:
		n = append(n, "“性别”“出生日期”“年龄”“社区”“网格”“人员标签”“重点群体”由系统生成，导入时忽略；年龄和人员标签（老年人 60 岁以上、高龄 80 岁以上、育龄妇女 15—49 岁）按导出当日计算。")
	case ledgerGroups:
		n = append(n, "保密的属性（如残疾人证号）已打码。“性别”“年龄”“社区”“网格”“网格编码”由系统生成，导入时忽略。")
	case ledgerUnits:
		n = append(n, "“社区”“网格”由系统生成，导入时忽略。")
	}
	if e.s.opts.CJT349Object != "" {
		n = append(n, "“"+cjt349Header+"”是按 CJ/T 349—2010 由 15 位网格编码与对象代码 "+e.s.opts.CJT349Object+" 换算的 20 位编码，导入时忽略。")
	}
	return n
}

// handleLedgerExport returns the handler of a ledger's export in a format.
func (s *Server) handleLedgerExport(kind, format string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		u := userFrom(ctx)
		if !u.Role.Can(ledgerPerm(kind)) || !u.Role.Can(ledgerExportPerm(kind)) {
			return errForbidden
		}
		f, err := s.ledgerFilterOf(r, kind)
		if err != nil {
			return err
		}
		tmp, err := os.CreateTemp("", "wangge-export-*")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		e := &ledgerExport{s: s, ctx: ctx, f: f, format: format, out: tmp, names: s.newAreaNames(ctx),
			now: s.now().In(chinaTime), staff: u.Role.Can(wangge.PermViewPeople)}
		var sw sheetWriter
		switch kind {
		case ledgerResidents:
			sw, err = e.residents()
		case ledgerUnits:
			sw, err = e.units()
		case ledgerGroups:
			sw, err = e.groups()
		default:
			sw, err = e.assistants()
		}
		if err != nil {
			return err
		}
		title := s.msgs.T(langZh, "ledger."+kind+".title")
		err = sw.finish(e.notes(title))
		sw.close()
		if err != nil {
			return err
		}
		size, err := tmp.Seek(0, io.SeekEnd)
		if err != nil {
			return err
		}
		detail := map[string]any{"ledger": kind, "format": format, "area": f.Area.Code, "rows": e.rows}
		if f.Q != "" {
			detail["q"] = f.Q
		}
		if f.Group != nil {
			detail["group"], detail["all"] = f.Group.Group, f.All
		}
		b, _ := json.Marshal(detail)
		if err := s.store.Audit(ctx, &wangge.AuditEntry{Action: "ledger.export", Object: "ledger", ObjectID: kind, GridCode: f.Area.Code, Detail: string(b)}); err != nil {
			return err
		}
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return err
		}
		day := e.now.Format("20060102")
		name := title + "-" + f.Area.Name
		if f.Group != nil {
			name += "-" + f.Group.Zh
		}
		h := w.Header()
		if format == formatXLSX {
			h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		} else {
			h.Set("Content-Type", "text/csv; charset=utf-8")
		}
		h.Set("Content-Disposition", attachment(kind+"-"+f.Area.Code+"-"+day+"."+format, name+"-"+day+"."+format))
		h.Set("Content-Length", strconv.FormatInt(size, 10))
		h.Set("Cache-Control", "no-store")
		if _, err := io.Copy(w, tmp); err != nil {
			s.log.Warn("sending an export", "ledger", kind, "err", err)
		}
		return nil
	}
}
