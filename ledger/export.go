package ledger

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/geo"
	"github.com/wangge/wangge/ident"
)

// Ledger exports: the rows of a ledger's filters, every page of them, as
// xlsx or CSV, for the web pages and the command line alike. The
// residents', units' and key groups' files have the columns of this
// package's sheets (columns.go), the ones the importer reads, so an
// exported file is a valid import file; the columns derived for reading
// (sex, age, area names and the like) follow, and the importer ignores
// them. The residents', units' and key groups' files carry ID numbers and
// phones in full when the actor may export personal data (the store grants
// that only to such roles) and import back as they are; the key groups'
// secret attributes stay masked, which the importer reads as empty and so
// never overwrites.
//
// Rows are read from the store grid by grid, so that a district's 300,000
// persons are never in memory at once. The caller audits the export (Audit)
// before a byte of it reaches the user.

// ExportKind names a ledger export, as the pages' addresses do.
type ExportKind string

const (
	ExportAssistants ExportKind = "assistants" // 协理员台账: public facts
	ExportResidents  ExportKind = "residents"  // 居民台账
	ExportUnits      ExportKind = "units"      // 驻区单位台账
	ExportGroups     ExportKind = "groups"     // 重点群体台账
)

// Personal reports whether the export holds personal data: it then needs
// a reason, is limited per user and carries who exported it and why.
func (k ExportKind) Personal() bool { return k != ExportAssistants }

// Title is the ledger's Chinese name.
func (k ExportKind) Title() string {
	switch k {
	case ExportResidents:
		return "居民台账"
	case ExportUnits:
		return "驻区单位台账"
	case ExportGroups:
		return "重点群体台账"
	}
	return "协理员台账"
}

// Export formats.
const (
	FormatXLSX = "xlsx"
	FormatCSV  = "csv"
)

// ExportStore is what the exports read.
type ExportStore interface {
	EachResident(ctx context.Context, scope wangge.Scope, f wangge.HouseholdFilter, fn func(*wangge.ResidentEntry) error) error
	EachUnit(ctx context.Context, scope wangge.Scope, f wangge.UnitFilter, fn func(*wangge.UnitEntry) error) error
	EachMembership(ctx context.Context, scope wangge.Scope, f wangge.MembershipFilter, fn func(*wangge.Membership) error) error
	ListAssistants(ctx context.Context, scope wangge.Scope, f wangge.AssistantFilter) ([]wangge.AssistantSummary, int, error)
	// The lists count an export's rows before it is written.
	ListPersons(ctx context.Context, scope wangge.Scope, f wangge.PersonFilter) ([]wangge.Person, int, error)
	ListUnits(ctx context.Context, scope wangge.Scope, f wangge.UnitFilter) ([]wangge.Unit, int, error)
	ListMemberships(ctx context.Context, scope wangge.Scope, f wangge.MembershipFilter) ([]wangge.Membership, int, error)
	Assignments(ctx context.Context, scope wangge.Scope, assistantID int64) ([]wangge.Assignment, error)
	Area(ctx context.Context, code string) (*wangge.Area, error)
}

// Export is one ledger export: what it holds, who makes it and why. Write
// fills Rows.
type Export struct {
	Kind   ExportKind
	Format string // FormatXLSX or FormatCSV
	Area   *wangge.Area
	Scope  wangge.Scope // the exporter's scope narrowed to Area
	Query  string       // the ledger's search
	// Group is the key group of a key-group export; nil exports every
	// group the scope may see. All includes members who left.
	Group *wangge.GroupDef
	All   bool
	// Terms is the scope the assistants' terms are read in (the
	// exporter's whole scope: an earlier grid may lie outside Area); Staff
	// adds the column of earlier terms.
	Terms wangge.Scope
	Staff bool
	// CJT349Object, when set, adds each row's 20-digit CJ/T 349 grid code.
	CJT349Object string

	Exporter string    // who, as the file names them
	Reason   string    // why: required of personal exports on the web
	Now      time.Time // when, in China time: ages are reckoned at it

	Rows int // the data rows written

	names map[string]string
	store ExportStore
	ctx   context.Context
}

// ExportNoteSheet is the name of an xlsx export's sheet of notes.
const ExportNoteSheet = "说明"

// exportColumn is one column of an export: its header and how a row fills
// it.
type exportColumn[T any] struct {
	header string
	cell   func(*T) any
}

// cjt349Header heads the column of 20-digit CJ/T 349 grid codes. It has no
// parenthesis, so that the importer does not take it for 网格编码.
const cjt349Header = "CJ/T 349 网格编码"

// rowWriter writes one sheet of rows: xlsx or CSV.
type rowWriter interface {
	row(cells []any) error
	// finish writes the notes and completes the file.
	finish(notes []string, title string) error
	close()
}

type xlsxRows struct {
	wb  *Workbook
	sh  *Sheet
	out io.Writer
}

func (x *xlsxRows) row(cells []any) error { return x.sh.Row(cells...) }

func (x *xlsxRows) finish(notes []string, _ string) error {
	if err := x.wb.Notes(ExportNoteSheet, notes); err != nil {
		return err
	}
	_, err := x.wb.WriteTo(x.out)
	return err
}

func (x *xlsxRows) close() { x.wb.Close() }

// csvRows writes rows as CSV in UTF-8 with a byte-order mark, which is how
// Excel knows the Chinese in it is UTF-8. The rows go to a temporary file
// first, so that the file can open with a title line that already knows
// how many rows follow.
type csvRows struct {
	tmp *os.File
	buf *bufio.Writer
	w   *csv.Writer
	out io.Writer
}

func newCSVRows(out io.Writer, header []string) (*csvRows, error) {
	tmp, err := TempFile()
	if err != nil {
		return nil, err
	}
	c := &csvRows{tmp: tmp, buf: bufio.NewWriter(tmp), out: out}
	c.w = csv.NewWriter(c.buf)
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = h
	}
	if err := c.row(cells); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

func (c *csvRows) row(cells []any) error {
	rec := make([]string, len(cells))
	for i, v := range cells {
		switch x := v.(type) {
		case string:
			rec[i] = CSVCell(x)
		case nil:
		default:
			rec[i] = CSVCell(fmt.Sprint(x))
		}
	}
	return c.w.Write(rec)
}

// CSVCell is a cell as every CSV the system writes holds it: one that a
// spreadsheet would take for a formula — beginning with =, +, -, @, a tab
// or a carriage return, OWASP's list — gets a leading apostrophe, so that
// a name like =HYPERLINK(…) opens as text beside the ID numbers. A plain
// number (-5, 3.5, +8613800138000) is left alone: it calls nothing, and
// stays a number. The importer strips one leading apostrophe (CleanCell),
// so a cell that already begins with one gets another, and every cell
// imports back as it was.
func CSVCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '\'':
		return "'" + s
	case '=', '+', '-', '@', '\t', '\r':
		if !plainNumber(s) {
			return "'" + s
		}
	}
	return s
}

// plainNumber reports a decimal number with an optional sign: digits and
// at most one point.
func plainNumber(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	digits, point := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point:
			point = true
		default:
			return false
		}
	}
	return digits > 0
}

func (c *csvRows) finish(_ []string, title string) error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return err
	}
	if err := c.buf.Flush(); err != nil {
		return err
	}
	if _, err := c.tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := io.WriteString(c.out, "\ufeff"+title+"\r\n"); err != nil {
		return err
	}
	_, err := io.Copy(c.out, c.tmp)
	return err
}

func (c *csvRows) close() {
	c.tmp.Close()
}

// CSVTitlePrefix starts the title line of a CSV export, the line before its
// header that says who exported it, when and why. The importer skips it.
const CSVTitlePrefix = "# "

// oneLine makes text fit the CSV title line: no delimiters, quotes or line
// breaks, so that the line stays one cell of its own.
func oneLine(s string) string {
	return strings.NewReplacer(",", "，", ";", "；", "\t", " ", "\"", "'", "\r", " ", "\n", " ").Replace(s)
}

func headers[T any](cols []exportColumn[T]) []string {
	h := make([]string, len(cols))
	for i, c := range cols {
		h[i] = c.header
	}
	return h
}

// writeRows writes every row of cols through a row writer.
func writeRows[T any](e *Export, out io.Writer, sheet string, cols []exportColumn[T], each func(func(*T) error) error) (rowWriter, error) {
	var rw rowWriter
	if e.Format == FormatXLSX {
		wb := NewWorkbook()
		sh, err := wb.Sheet(sheet, headers(cols), SheetOptions{Header: true})
		if err != nil {
			wb.Close()
			return nil, err
		}
		rw = &xlsxRows{wb: wb, sh: sh, out: out}
	} else {
		c, err := newCSVRows(out, headers(cols))
		if err != nil {
			return nil, err
		}
		rw = c
	}
	cells := make([]any, len(cols))
	err := each(func(row *T) error {
		for i, c := range cols {
			cells[i] = c.cell(row)
		}
		e.Rows++
		return rw.row(cells)
	})
	if err != nil {
		rw.close()
		return nil, err
	}
	return rw, nil
}

// specColumns turns a ledger sheet's columns into export columns, with
// cell saying how a row fills a column key ("" for keys it does not know:
// an empty cell, which an import leaves alone).
func specColumns[T any](spec *Spec, keep func(Column) bool, cell func(c Column, row *T) any) []exportColumn[T] {
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

// name returns an area's name, its code when it has none, reading each once.
func (e *Export) name(code string) string {
	if code == "" {
		return ""
	}
	if v, ok := e.names[code]; ok {
		return v
	}
	v := code
	if a, err := e.store.Area(e.ctx, code); err == nil {
		v = a.Name
	}
	e.names[code] = v
	return v
}

func (e *Export) cjt349(grid string) string {
	c, err := geo.ToCJT349(grid, e.CJT349Object)
	if err != nil {
		return ""
	}
	return c
}

// Write writes the export to out and counts its rows.
func (e *Export) Write(ctx context.Context, st ExportStore, out io.Writer) error {
	if e.Format != FormatXLSX && e.Format != FormatCSV {
		return wangge.Invalid("format", "ledger.export.format")
	}
	e.ctx, e.store, e.names, e.Rows = ctx, st, map[string]string{}, 0
	var rw rowWriter
	var err error
	switch e.Kind {
	case ExportResidents:
		rw, err = e.residents(out)
	case ExportUnits:
		rw, err = e.units(out)
	case ExportGroups:
		rw, err = e.groups(out)
	case ExportAssistants:
		rw, err = e.assistants(out)
	default:
		return wangge.ErrNotFound
	}
	if err != nil {
		return err
	}
	defer rw.close()
	return rw.finish(e.notes(), e.csvTitle())
}

// residents writes the residents' ledger, one row per person.
func (e *Export) residents(out io.Writer) (rowWriter, error) {
	cols := specColumns(&Persons, nil, func(c Column, r *wangge.ResidentEntry) any {
		p, h := &r.Person, &r.Household
		switch c.Key {
		case ColBuildingCode:
			code, _ := geo.BuildingCode(h.GridCode, r.BuildingSeq)
			return code
		case ColGridCode:
			return h.GridCode
		case ColBuildingName:
			return r.BuildingName
		case ColEntrance:
			return h.Entrance
		case ColRoom:
			return h.Room
		case ColHouseNumber:
			return h.Number
		case ColHouseKind:
			return ResidenceKinds.Zh(string(h.Kind))
		case ColHousePhone:
			return h.Phone
		case ColName:
			return p.Name
		case ColIDNumber:
			return p.IDNumber
		case ColRelation:
			return Relations.Zh(string(p.Relation))
		case ColPersonKind:
			return ResidenceKinds.Zh(string(p.Kind))
		case ColEthnicity:
			return p.Ethnicity
		case ColParty:
			return YesNo.Zh(strconv.FormatBool(p.Party))
		case ColEmployment:
			return Employments.Zh(p.Employment)
		case ColPhone:
			return p.Phone
		case ColNote:
			return p.Note
		case ColSex:
			return p.Sex.Zh()
		case ColBirthDate:
			return p.BirthDate.Format(time.DateOnly)
		case ColAge:
			return p.Age(e.Now)
		case ColCommunityName:
			return e.name(h.GridCode[:wangge.CommunityCodeLen])
		case ColGridName:
			return e.name(h.GridCode)
		}
		return ""
	})
	cols = append(cols,
		exportColumn[wangge.ResidentEntry]{"人员标签", func(r *wangge.ResidentEntry) any { return strings.Join(DerivedTags(&r.Person, e.Now), "、") }},
		exportColumn[wangge.ResidentEntry]{"重点群体", func(r *wangge.ResidentEntry) any { return GroupNames(r.Groups) }},
	)
	if e.CJT349Object != "" {
		cols = append(cols, exportColumn[wangge.ResidentEntry]{cjt349Header, func(r *wangge.ResidentEntry) any { return e.cjt349(r.Household.GridCode) }})
	}
	return writeRows(e, out, Persons.Zh, cols, func(fn func(*wangge.ResidentEntry) error) error {
		return e.store.EachResident(e.ctx, e.Scope, wangge.HouseholdFilter{Search: e.Query, Full: true}, fn)
	})
}

// DerivedTags are the person's age tags at t (wangge.Person.AgeTags) as
// the ledger's cells name them.
func DerivedTags(p *wangge.Person, t time.Time) []string {
	var tags []string
	for _, tag := range p.AgeTags(t) {
		tags = append(tags, ageTagZh[tag])
	}
	return tags
}

var ageTagZh = map[wangge.AgeTag]string{wangge.TagElderly: "老年人", wangge.TagAdvancedAge: "高龄", wangge.TagChildbearing: "育龄妇女"}

// GroupNames names key groups in Chinese, "、" between them.
func GroupNames(gs []wangge.KeyGroup) string {
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = Groups.Zh(string(g))
	}
	return strings.Join(names, "、")
}

// units writes the resident units' ledger.
func (e *Export) units(out io.Writer) (rowWriter, error) {
	cols := specColumns(&Units, nil, func(c Column, u *wangge.UnitEntry) any {
		switch c.Key {
		case ColUnitName:
			return u.Name
		case ColCreditCode:
			return u.CreditCode
		case ColGridCode:
			return u.GridCode
		case ColBuildingCode:
			code, _ := geo.BuildingCode(u.GridCode, u.BuildingSeq) // "" without a building
			return code
		case ColUnitKind:
			return UnitKinds.Zh(string(u.Kind))
		case ColHeadcount:
			return u.Headcount
		case ColPartyOrg:
			return u.PartyOrg
		case ColPartyMembers:
			return u.PartyMembers
		case ColAddress:
			return u.Address
		case ColContactName:
			return u.ContactName
		case ColPhone:
			return u.ContactPhone
		case ColCommunityName:
			return e.name(u.GridCode[:wangge.CommunityCodeLen])
		case ColGridName:
			return e.name(u.GridCode)
		}
		return ""
	})
	if e.CJT349Object != "" {
		cols = append(cols, exportColumn[wangge.UnitEntry]{cjt349Header, func(u *wangge.UnitEntry) any { return e.cjt349(u.GridCode) }})
	}
	return writeRows(e, out, Units.Zh, cols, func(fn func(*wangge.UnitEntry) error) error {
		return e.store.EachUnit(e.ctx, e.Scope, wangge.UnitFilter{Query: e.Query, Full: true}, fn)
	})
}

// groups writes the key-group ledger: the common columns of the
// memberships sheet and the attribute columns of the group (of every
// group, when the export is not of one).
func (e *Export) groups(out io.Writer) (rowWriter, error) {
	def := e.Group
	keep := func(c Column) bool {
		if c.Group == "" {
			return true
		}
		if def != nil {
			return c.Group == def.Group
		}
		return e.Scope.GroupVisible(c.Group)
	}
	cols := specColumns(&Memberships, keep, func(c Column, m *wangge.Membership) any {
		switch c.Key {
		case ColIDNumber:
			return m.PersonIDNumber
		case ColName:
			return m.PersonName
		case ColGroup:
			return Groups.Zh(string(m.Group))
		case ColJoined:
			return dateOrEmpty(&m.Joined)
		case ColLeft:
			return dateOrEmpty(m.Left)
		case ColNote:
			return m.Note
		case ColSex:
			return m.PersonSex.Zh()
		case ColAge:
			return ident.Age(m.PersonBirth, e.Now)
		case ColCommunityName:
			return e.name(m.GridCode[:wangge.CommunityCodeLen])
		case ColGridName:
			return e.name(m.GridCode)
		case ColGridCode:
			return m.GridCode
		}
		if c.Group == m.Group {
			v := m.Attrs[c.Attr]
			if gd := wangge.GroupDefOf(m.Group); gd != nil {
				for _, a := range gd.Attrs {
					if a.Key == c.Attr && a.Kind == wangge.AttrBool && v != "" {
						return YesNo.Zh(v)
					}
				}
			}
			return v
		}
		return ""
	})
	if e.CJT349Object != "" {
		cols = append(cols, exportColumn[wangge.Membership]{cjt349Header, func(m *wangge.Membership) any { return e.cjt349(m.GridCode) }})
	}
	f := wangge.MembershipFilter{Full: true, Current: !e.All, Search: e.Query, Sort: wangge.SortJoined}
	sheet := Memberships.Zh
	if def != nil {
		f.Group = def.Group
		sheet += "·" + def.Zh
	}
	return writeRows(e, out, sheet, cols, func(fn func(*wangge.Membership) error) error {
		return e.store.EachMembership(e.ctx, e.Scope, f, fn)
	})
}

// assistantEntry is a row of the assistants' export.
type assistantEntry struct {
	wangge.AssistantSummary
	terms []wangge.Assignment
}

// assistants writes the assistants' ledger: public facts, and for staff
// the terms in earlier grids.
func (e *Export) assistants(out io.Writer) (rowWriter, error) {
	day := func(t time.Time) string { return t.In(e.Now.Location()).Format(time.DateOnly) }
	cols := []exportColumn[assistantEntry]{
		{"姓名", func(a *assistantEntry) any { return a.Name }},
		{"性别", func(a *assistantEntry) any { return map[string]string{"M": "男", "F": "女"}[a.Sex] }},
		{"工作电话", func(a *assistantEntry) any { return a.WorkPhone }},
		{"网格编码", func(a *assistantEntry) any { return a.GridCode }},
		{"网格", func(a *assistantEntry) any { return a.GridName }},
		{"社区", func(a *assistantEntry) any { return e.name(a.GridCode[:wangge.CommunityCodeLen]) }},
		{"服务范围", func(a *assistantEntry) any { return a.ServiceArea }},
		{"户数", func(a *assistantEntry) any { return a.Households }},
		{"人数", func(a *assistantEntry) any { return a.Persons }},
		{"驻区单位数", func(a *assistantEntry) any { return a.Units }},
		{"本网格任职起始", func(a *assistantEntry) any {
			for _, t := range a.terms {
				if t.To == nil {
					return day(t.From)
				}
			}
			return ""
		}},
	}
	if e.Staff {
		cols = append(cols, exportColumn[assistantEntry]{"任职经历", func(a *assistantEntry) any {
			var terms []string
			for _, t := range a.terms {
				to := "至今"
				if t.To != nil {
					to = day(*t.To)
				}
				terms = append(terms, fmt.Sprintf("%s %s—%s", e.name(t.GridCode), day(t.From), to))
			}
			return strings.Join(terms, "；")
		}})
	}
	if e.CJT349Object != "" {
		cols = append(cols, exportColumn[assistantEntry]{cjt349Header, func(a *assistantEntry) any { return e.cjt349(a.GridCode) }})
	}
	return writeRows(e, out, "协理员", cols, func(fn func(*assistantEntry) error) error {
		for off := 0; ; off += wangge.MaxPageLimit {
			as, _, err := e.store.ListAssistants(e.ctx, e.Scope, wangge.AssistantFilter{Query: e.Query, Page: wangge.Page{Offset: off, Limit: wangge.MaxPageLimit}})
			if err != nil {
				return err
			}
			for _, a := range as {
				row := assistantEntry{AssistantSummary: a}
				if row.terms, err = e.store.Assignments(e.ctx, e.Terms, a.ID); err != nil {
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

// what describes the rows exported: the ledger, the area and the filters.
func (e *Export) what() string {
	what := fmt.Sprintf("%s（%s %s）", e.Kind.Title(), e.Area.Level.Zh(), e.Area.Name)
	if e.Query != "" {
		what += "，搜索“" + e.Query + "”"
	}
	if e.Group != nil {
		what += "，" + e.Group.Zh
	}
	if e.Kind == ExportGroups && e.All {
		what += "（含已退出）"
	}
	return what
}

// csvTitle is a CSV export's first line: who exported what, when, why and
// how many rows.
func (e *Export) csvTitle() string {
	t := fmt.Sprintf("%s导出人 %s；导出时间 %s；%s；共 %d 行", CSVTitlePrefix, e.Exporter, e.Now.Format("2006-01-02 15:04"), e.what(), e.Rows)
	if e.Reason != "" {
		t += "；导出原因 " + e.Reason
	}
	if e.Kind.Personal() {
		t += "；内部资料 注意保密"
	}
	return oneLine(t)
}

// notes are the lines of an xlsx export's notes sheet: what was exported,
// by whom, when and why, and what the masking means for an import.
func (e *Export) notes() []string {
	n := []string{
		fmt.Sprintf("%s 由 %s 于 %s（北京时间）导出，共 %d 行。", e.what(), e.Exporter, e.Now.Format("2006-01-02 15:04"), e.Rows),
		"导出人：" + e.Exporter,
		"导出时间：" + e.Now.Format("2006-01-02 15:04:05") + "（北京时间）",
		"行数：" + strconv.Itoa(e.Rows),
	}
	if e.Reason != "" {
		n = append(n, "导出原因："+e.Reason)
	}
	n = append(n, "信息保密，仅限工作使用；导出已记入审计日志。")
	switch e.Kind {
	case ExportAssistants:
		n = append(n, "协理员的姓名、工作电话和网格是公开信息；个人电话不导出。")
	default:
		n = append(n,
			"内部资料 注意保密：本表含完整的公民身份号码和联系电话，仅限工作使用，不得外传；用毕请删除。",
			"本表的列与导入模板相同，可直接导入，导入后没有任何变化。")
	}
	switch e.Kind {
	case ExportResidents:
		n = append(n, "“性别”“出生日期”“年龄”“社区”“网格”“人员标签”“重点群体”由系统生成，导入时忽略；年龄和人员标签（老年人 60 岁以上、高龄 80 岁以上、育龄妇女 15—49 岁）按导出当日计算。")
	case ExportGroups:
		n = append(n, "保密的属性（如残疾人证号）已打码。“性别”“年龄”“社区”“网格”“网格编码”由系统生成，导入时忽略。")
	case ExportUnits:
		n = append(n, "“社区”“网格”由系统生成，导入时忽略。")
	}
	if e.CJT349Object != "" {
		n = append(n, "“"+cjt349Header+"”是按 CJ/T 349—2010 由 15 位网格编码与对象代码 "+e.CJT349Object+" 换算的 20 位编码，导入时忽略。")
	}
	return n
}

// Audit is the audit entry of a written export: which ledger, which
// filters, how many rows and, for personal data, the reason.
func (e *Export) Audit() *wangge.AuditEntry {
	detail := map[string]any{"ledger": string(e.Kind), "format": e.Format, "area": e.Area.Code, "rows": e.Rows}
	if e.Query != "" {
		detail["q"] = auditQuery(e.Query)
	}
	if e.Group != nil {
		detail["group"] = string(e.Group.Group)
	}
	if e.Kind == ExportGroups {
		detail["all"] = e.All
	}
	if e.Reason != "" {
		detail["reason"] = e.Reason
	}
	b, _ := json.Marshal(detail)
	return &wangge.AuditEntry{Action: "ledger.export", Object: "ledger", ObjectID: string(e.Kind), GridCode: e.Area.Code, Detail: string(b)}
}

// auditQuery is a search as the audit log keeps it: an ID number masked
// (the log holds no one's number in clear), anything else as typed.
func auditQuery(q string) string {
	if id, err := ident.ParseID(q); err == nil {
		return ident.MaskID(string(id))
	}
	return q
}

// FileName returns the file's name: in ASCII and in Chinese.
func (e *Export) FileName() (ascii, zh string) {
	day := e.Now.Format("20060102")
	name := e.Kind.Title() + "-" + e.Area.Name
	if e.Group != nil {
		name += "-" + e.Group.Zh
	}
	return string(e.Kind) + "-" + e.Area.Code + "-" + day + "." + e.Format, name + "-" + day + "." + e.Format
}

// Count returns how many rows Write would write with the export's filters,
// without writing a file: what the export form shows before the download.
// The lists' counts use the filters the exports do; a residents' search
// (which matches rooms, buildings and members' names, household by
// household) is counted by reading its rows, which the search keeps few.
func (e *Export) Count(ctx context.Context, st ExportStore) (int, error) {
	n := 0
	one := wangge.Page{Limit: 1}
	var err error
	switch e.Kind {
	case ExportResidents:
		if e.Query == "" {
			_, n, err = st.ListPersons(ctx, e.Scope, wangge.PersonFilter{Page: one})
			break
		}
		err = st.EachResident(ctx, e.Scope, wangge.HouseholdFilter{Search: e.Query}, func(*wangge.ResidentEntry) error { n++; return nil })
	case ExportUnits:
		_, n, err = st.ListUnits(ctx, e.Scope, wangge.UnitFilter{Query: e.Query, Page: one})
	case ExportGroups:
		f := wangge.MembershipFilter{Current: !e.All, Search: e.Query, Page: one}
		if e.Group != nil {
			f.Group = e.Group.Group
		}
		_, n, err = st.ListMemberships(ctx, e.Scope, f)
	case ExportAssistants:
		_, n, err = st.ListAssistants(ctx, e.Scope, wangge.AssistantFilter{Query: e.Query, Page: wangge.Page{Limit: 1}})
	default:
		return 0, wangge.ErrNotFound
	}
	return n, err
}
