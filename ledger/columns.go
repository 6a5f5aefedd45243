// Package ledger reads and writes the ledger files (台账) of persons and
// households, resident units and key-group memberships as xlsx or CSV.
//
// This file is the one definition of the ledger columns: the importer reads
// files by these specs and the exporter writes them by the same specs, so an
// exported ledger file is itself a valid import file. Change a header here
// and both sides follow; keep old headers as Variants so that files written
// before the change still import.
//
// Each sheet is a Spec: an ordered list of Columns, each with a key (stable,
// used in code), its Chinese header (written in templates and exports), its
// English header, the header variants accepted on import, whether a value is
// required, and whether it is export-only (derived, ignored on import).
// HeaderMap matches a file's header row to a Spec tolerantly; the value maps
// turn the Chinese cell values people type into domain values and back.
package ledger

import (
	"strings"
	"unicode"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/msg"
)

// Kind names a ledger sheet.
type Kind string

const (
	KindPersons     Kind = "persons"     // 居民台账: one row per person, with the household's fields
	KindUnits       Kind = "units"       // 驻区单位台账
	KindMemberships Kind = "memberships" // 重点群体台账: one row per membership
)

// Column describes one column of a ledger sheet.
type Column struct {
	Key      string   // stable key, e.g. "id_number"
	Zh       string   // the Chinese header written in templates and exports
	En       string   // the English header (also accepted on import)
	Variants []string // other headers accepted on import
	// Required columns must be present in the header row and hold a value
	// in every row.
	Required bool
	// ExportOnly columns are derived (sex, birth date, age, names of areas):
	// exports write them, the importer ignores them.
	ExportOnly bool
	// Group and Attr are set on the key-group attribute columns of the
	// memberships sheet: the column holds attribute Attr of group Group.
	Group wangge.KeyGroup
	Attr  string
	// Note explains the column on the notes sheet of a template.
	Note string
}

// Spec is the column list of one sheet.
type Spec struct {
	Kind    Kind
	Zh, En  string // sheet name
	Columns []Column
}

// Column keys of the persons sheet. The household columns come first: rows
// with the same building, entrance and room (and household number, when
// given) belong to the same household.
const (
	ColBuildingCode  = "building_code"  // 楼院编码: 20 digits, grid code + 5-digit sequence
	ColGridCode      = "grid_code"      // 网格编码: 15 digits; with the building name when no building code
	ColBuildingName  = "building_name"  // 楼院名称
	ColEntrance      = "entrance"       // 单元
	ColRoom          = "room"           // 房号
	ColHouseNumber   = "house_number"   // 户号
	ColHouseKind     = "house_kind"     // 户类型
	ColHousePhone    = "house_phone"    // 户联系电话
	ColName          = "name"           // 姓名
	ColIDNumber      = "id_number"      // 公民身份号码
	ColRelation      = "relation"       // 与户主关系
	ColPersonKind    = "person_kind"    // 人员类型
	ColEthnicity     = "ethnicity"      // 民族
	ColParty         = "party"          // 是否党员
	ColEmployment    = "employment"     // 就业状态
	ColPhone         = "phone"          // 联系电话
	ColNote          = "note"           // 备注
	ColSex           = "sex"            // 性别 (export only)
	ColBirthDate     = "birth_date"     // 出生日期 (export only)
	ColAge           = "age"            // 年龄 (export only)
	ColCommunityName = "community_name" // 社区 (export only)
	ColGridName      = "grid_name"      // 网格 (export only)
)

// Column keys of the units sheet (ColGridCode, ColBuildingCode and ColPhone
// are shared with the persons sheet).
const (
	ColUnitName     = "unit_name"     // 单位名称
	ColCreditCode   = "credit_code"   // 统一社会信用代码
	ColUnitKind     = "unit_kind"     // 单位类型
	ColHeadcount    = "headcount"     // 从业人数
	ColPartyOrg     = "party_org"     // 党组织名称
	ColPartyMembers = "party_members" // 党员人数
	ColAddress      = "address"       // 地址
	ColContactName  = "contact_name"  // 联系人
)

// Column keys of the memberships sheet (ColIDNumber, ColName, ColNote and
// the export-only area columns are shared). Attribute columns have the key
// AttrKey(group, attr).
const (
	ColGroup  = "group"  // 重点群体
	ColJoined = "joined" // 纳入日期
	ColLeft   = "left"   // 退出日期
)

// AttrKey returns the column key of a key-group attribute.
func AttrKey(g wangge.KeyGroup, attr string) string { return "attr." + string(g) + "." + attr }

var idVariants = []string{"身份证号", "身份证号码", "证件号码", "身份证", "公民身份证号码", "公民身份证号", "ID number"}
var phoneVariants = []string{"手机", "手机号", "手机号码", "电话", "电话号码", "联系方式", "Phone"}

// Persons is the residents' ledger: one row per person, carrying the fields
// of the person's household.
var Persons = Spec{Kind: KindPersons, Zh: "居民", En: "Residents", Columns: []Column{
	{Key: ColBuildingCode, Zh: "楼院编码", En: "Building code", Variants: []string{"楼栋编码", "楼院代码", "楼栋代码", "楼院编号"},
		Note: "20 位数字：15 位网格编码 + 5 位楼院序号。可不填，改填“网格编码”和“楼院名称”。"},
	{Key: ColGridCode, Zh: "网格编码", En: "Grid code", Variants: []string{"网格代码", "网格编号"},
		Note: "15 位数字；不填楼院编码时与“楼院名称”一起确定楼院。"},
	{Key: ColBuildingName, Zh: "楼院名称", En: "Building name", Variants: []string{"楼院", "楼栋", "楼栋名称", "小区楼院"},
		Note: "与“网格编码”一起确定楼院；楼院须已登记。"},
	{Key: ColEntrance, Zh: "单元", En: "Entrance", Variants: []string{"单元号"}},
	{Key: ColRoom, Zh: "房号", En: "Room", Variants: []string{"房间号", "门牌号", "室", "户室号"}, Required: true},
	{Key: ColHouseNumber, Zh: "户号", En: "Household number", Variants: []string{"户编号", "户口簿号"}},
	{Key: ColHouseKind, Zh: "户类型", En: "Household kind", Variants: []string{"户别", "住户类型"},
		Note: "户籍、流动或人户分离；不填为户籍。"},
	{Key: ColHousePhone, Zh: "户联系电话", En: "Household phone", Variants: []string{"户电话", "家庭电话", "住户电话"}},
	{Key: ColName, Zh: "姓名", En: "Name", Variants: []string{"名字", "人员姓名"}, Required: true},
	{Key: ColIDNumber, Zh: "公民身份号码", En: "ID number", Variants: idVariants, Required: true,
		Note: "18 位，校验位与出生日期须正确；分组之间的空格可有可无，15 位旧号码自动转换为 18 位；请将单元格设为文本，以免末位被改。"},
	{Key: ColRelation, Zh: "与户主关系", En: "Relation", Variants: []string{"关系", "与户主的关系"},
		Note: "户主、配偶、子女、父母、孙子女、祖父母、兄弟姐妹、儿媳/女婿、其他。"},
	{Key: ColPersonKind, Zh: "人员类型", En: "Person kind", Variants: []string{"人口类型", "人员类别", "户籍类型"},
		Note: "户籍、流动或人户分离；不填为户籍。"},
	{Key: ColEthnicity, Zh: "民族", En: "Ethnicity"},
	{Key: ColParty, Zh: "是否党员", En: "Party member", Variants: []string{"党员", "政治面貌"}, Note: "是或否。"},
	{Key: ColEmployment, Zh: "就业状态", En: "Employment", Variants: []string{"就业情况", "就业"},
		Note: "在业、失业、离退休、学生或其他。"},
	{Key: ColPhone, Zh: "联系电话", En: "Phone", Variants: phoneVariants},
	{Key: ColNote, Zh: "备注", En: "Note", Variants: []string{"说明"}},
	{Key: ColSex, Zh: "性别", En: "Sex", ExportOnly: true, Note: "由身份号码得出，导入时忽略。"},
	{Key: ColBirthDate, Zh: "出生日期", En: "Birth date", ExportOnly: true, Note: "由身份号码得出，导入时忽略。"},
	{Key: ColAge, Zh: "年龄", En: "Age", ExportOnly: true, Note: "由身份号码得出，导入时忽略。"},
	{Key: ColCommunityName, Zh: "社区", En: "Community", Variants: []string{"社区名称", "所属社区"}, ExportOnly: true, Note: "导入时忽略。"},
	{Key: ColGridName, Zh: "网格", En: "Grid", Variants: []string{"网格名称", "所属网格"}, ExportOnly: true, Note: "导入时忽略。"},
}}

// Units is the resident units' ledger.
var Units = Spec{Kind: KindUnits, Zh: "驻区单位", En: "Units", Columns: []Column{
	{Key: ColUnitName, Zh: "单位名称", En: "Unit name", Variants: []string{"名称", "单位"}, Required: true},
	{Key: ColCreditCode, Zh: "统一社会信用代码", En: "Credit code", Variants: []string{"信用代码", "社会信用代码", "统一信用代码"},
		Note: "18 位，校验位须正确；有代码的单位按代码匹配，没有的按网格和名称匹配。"},
	{Key: ColGridCode, Zh: "网格编码", En: "Grid code", Variants: []string{"网格代码", "网格编号"},
		Note: "15 位数字；填了楼院编码时可不填。"},
	{Key: ColBuildingCode, Zh: "楼院编码", En: "Building code", Variants: []string{"楼栋编码", "楼院代码", "楼栋代码", "楼院编号"},
		Note: "单位所在楼院的 20 位编码，可不填。"},
	{Key: ColUnitKind, Zh: "单位类型", En: "Unit kind", Variants: []string{"单位性质", "类型"},
		Note: "企业、机关、事业单位、社会组织、个体工商户或物业服务企业。"},
	{Key: ColHeadcount, Zh: "从业人数", En: "Headcount", Variants: []string{"职工人数", "人数", "职工数"}},
	{Key: ColPartyOrg, Zh: "党组织名称", En: "Party organisation", Variants: []string{"党组织"}},
	{Key: ColPartyMembers, Zh: "党员人数", En: "Party members", Variants: []string{"党员数"}},
	{Key: ColAddress, Zh: "地址", En: "Address", Variants: []string{"单位地址", "详细地址"}},
	{Key: ColContactName, Zh: "联系人", En: "Contact", Variants: []string{"负责人", "联系人姓名"}},
	{Key: ColPhone, Zh: "联系电话", En: "Phone", Variants: phoneVariants},
	{Key: ColCommunityName, Zh: "社区", En: "Community", Variants: []string{"社区名称", "所属社区"}, ExportOnly: true, Note: "导入时忽略。"},
	{Key: ColGridName, Zh: "网格", En: "Grid", Variants: []string{"网格名称", "所属网格"}, ExportOnly: true, Note: "导入时忽略。"},
}}

// Memberships is the key groups' ledger: one row per membership. The
// 重点群体 column names the group of each row, so one file holds one group
// or several; after the common columns come the attribute columns of every
// group (a file for one group may carry only that group's). A row fills the
// attribute columns of its own group; a value in another group's column is
// an error rather than silently dropped.
var Memberships = Spec{Kind: KindMemberships, Zh: "重点群体", En: "Key groups", Columns: membershipColumns()}

func membershipColumns() []Column {
	cols := []Column{
		{Key: ColIDNumber, Zh: "公民身份号码", En: "ID number", Variants: idVariants, Required: true,
			Note: "人员须已在居民台账中登记。"},
		{Key: ColName, Zh: "姓名", En: "Name", Variants: []string{"名字", "人员姓名"},
			Note: "用于核对：与登记的姓名不符时拒绝该行。"},
		{Key: ColGroup, Zh: "重点群体", En: "Key group", Variants: []string{"群体", "群体类别", "人员类别", "重点人群"}, Required: true,
			Note: groupNote()},
		{Key: ColJoined, Zh: "纳入日期", En: "Joined", Variants: []string{"加入日期", "纳入时间"},
			Note: "YYYY-MM-DD；不填为导入当天。"},
		{Key: ColLeft, Zh: "退出日期", En: "Left", Variants: []string{"退出时间"}, Note: "YYYY-MM-DD；仍在册的不填。"},
		{Key: ColNote, Zh: "备注", En: "Note", Variants: []string{"说明"}},
		{Key: ColSex, Zh: "性别", En: "Sex", ExportOnly: true, Note: "导入时忽略。"},
		{Key: ColAge, Zh: "年龄", En: "Age", ExportOnly: true, Note: "导入时忽略。"},
		{Key: ColCommunityName, Zh: "社区", En: "Community", Variants: []string{"社区名称", "所属社区"}, ExportOnly: true, Note: "导入时忽略。"},
		{Key: ColGridName, Zh: "网格", En: "Grid", Variants: []string{"网格名称", "所属网格"}, ExportOnly: true, Note: "导入时忽略。"},
		{Key: ColGridCode, Zh: "网格编码", En: "Grid code", ExportOnly: true, Note: "跟随人员所在网格，导入时忽略。"},
	}
	// An attribute's Chinese name is its header when no other group uses
	// the same name; otherwise the header is "群体·属性". "群体·属性" and
	// "群体-属性" are accepted for every attribute.
	seen := map[string]int{}
	for _, d := range wangge.KeyGroups {
		for _, a := range d.Attrs {
			seen[a.Zh]++
		}
	}
	for _, d := range wangge.KeyGroups {
		for _, a := range d.Attrs {
			c := Column{Key: AttrKey(d.Group, a.Key), Zh: a.Zh, En: d.En + ": " + a.En, Group: d.Group, Attr: a.Key,
				Variants: []string{d.Zh + "·" + a.Zh, d.Zh + "-" + a.Zh, d.Zh + a.Zh}, Note: attrNote(d, a)}
			if seen[a.Zh] > 1 {
				c.Zh = d.Zh + "·" + a.Zh
			}
			cols = append(cols, c)
		}
	}
	return cols
}

func groupNote() string {
	names := make([]string, len(wangge.KeyGroups))
	for i, d := range wangge.KeyGroups {
		names[i] = d.Zh
	}
	return strings.Join(names, "、") + "。"
}

func attrNote(d wangge.GroupDef, a wangge.Attr) string {
	n := d.Zh + "："
	switch a.Kind {
	case wangge.AttrDate:
		n += "日期 YYYY-MM-DD"
	case wangge.AttrEnum:
		n += strings.Join(a.Options, "、")
	case wangge.AttrInt:
		n += "整数"
	case wangge.AttrBool:
		n += "是或否"
	default:
		n += "文字"
	}
	if a.Required {
		n += "（必填）"
	}
	return n + "。"
}

// SpecOf returns the spec of a sheet kind; "keygroups" is accepted for
// memberships.
func SpecOf(k Kind) *Spec {
	switch k {
	case KindPersons:
		return &Persons
	case KindUnits:
		return &Units
	case KindMemberships, "keygroups":
		return &Memberships
	}
	return nil
}

// Column returns the column with the key, or nil.
func (s *Spec) Column(key string) *Column {
	for i := range s.Columns {
		if s.Columns[i].Key == key {
			return &s.Columns[i]
		}
	}
	return nil
}

// Headers returns the Chinese headers of the columns, export-only ones
// included when withDerived is set.
func (s *Spec) Headers(withDerived bool) []string {
	var h []string
	for _, c := range s.Columns {
		if withDerived || !c.ExportOnly {
			h = append(h, c.Zh)
		}
	}
	return h
}

// HeaderMap is a file's header row matched against a Spec: which file
// column holds which ledger column.
type HeaderMap struct {
	Spec *Spec
	// Index maps a column key to its position in the file's rows.
	Index map[string]int
	// Unknown lists the headers that matched no column: ignored, reported.
	Unknown []string
	// Duplicate lists headers of columns that appear twice: the first wins.
	Duplicate []string
}

// NormalizeHeader folds the ways one header gets written into one form:
// full-width characters to half-width, every kind of space and line break
// removed, brackets of every kind to "(" and ")", trailing "*" or "：" (marks
// of a required field) dropped, Latin letters lower-cased.
func NormalizeHeader(h string) string {
	var b strings.Builder
	for _, r := range h {
		switch {
		case r == '\u3000' || unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff':
			continue
		case r >= '\uFF01' && r <= '\uFF5E':
			r -= 0xFEE0
		}
		switch r {
		case '（', '【', '[', '〔', '｛', '{':
			r = '('
		case '）', '】', ']', '〕', '｝', '}':
			r = ')'
		case '・', '•', '·', '‧':
			r = '·'
		case '—', '－', '–':
			r = '-'
		}
		b.WriteRune(unicode.ToLower(r))
	}
	s := strings.TrimRight(b.String(), "*:")
	return strings.TrimLeft(s, "*")
}

// MatchHeader matches a header row to the spec. A header matches a column
// by its Chinese or English header or one of its variants, compared after
// NormalizeHeader; a parenthesised remark ("公民身份号码(18位)") is ignored
// when the header does not match with it. Missing required columns are an
// error (naming them); unknown columns are kept in Unknown and ignored.
func MatchHeader(s *Spec, header []string) (*HeaderMap, error) {
	names := map[string]string{}
	for _, c := range s.Columns {
		for _, n := range append([]string{c.Zh, c.En}, c.Variants...) {
			k := NormalizeHeader(n)
			if _, ok := names[k]; !ok {
				names[k] = c.Key
			}
		}
	}
	m := &HeaderMap{Spec: s, Index: map[string]int{}}
	for i, h := range header {
		n := NormalizeHeader(h)
		if n == "" {
			continue
		}
		key, ok := names[n]
		if !ok {
			if j := strings.IndexByte(n, '('); j > 0 {
				key, ok = names[n[:j]]
			}
		}
		if !ok {
			m.Unknown = append(m.Unknown, h)
			continue
		}
		if _, dup := m.Index[key]; dup {
			m.Duplicate = append(m.Duplicate, h)
			continue
		}
		m.Index[key] = i
	}
	var missing []string
	for _, c := range s.Columns {
		if _, ok := m.Index[c.Key]; c.Required && !ok {
			missing = append(missing, c.Zh)
		}
	}
	if s.Kind == KindPersons {
		_, code := m.Index[ColBuildingCode]
		_, grid := m.Index[ColGridCode]
		_, name := m.Index[ColBuildingName]
		if !code && !(grid && name) {
			// Named as the file names its columns, in Chinese, in either language.
			missing = append(missing, msg.Text("zh", "ledger.header.person_place", nil))
		}
	}
	if s.Kind == KindUnits {
		_, code := m.Index[ColBuildingCode]
		_, grid := m.Index[ColGridCode]
		if !code && !grid {
			missing = append(missing, msg.Text("zh", "ledger.header.unit_place", nil))
		}
	}
	if len(missing) > 0 {
		return m, wangge.E(wangge.EInvalid, "ledger.header.missing", "Columns", strings.Join(missing, "、"))
	}
	return m, nil
}

// Get returns the trimmed value of the column in row, "" when the file has
// no such column or the row is short.
func (m *HeaderMap) Get(row []string, key string) string {
	i, ok := m.Index[key]
	if !ok || i >= len(row) {
		return ""
	}
	return CleanCell(row[i])
}

// Has reports whether the file has the column.
func (m *HeaderMap) Has(key string) bool { _, ok := m.Index[key]; return ok }

// CleanCell trims spaces (the ideographic one too), zero-width characters
// and the apostrophe spreadsheets use to force text ("'110101…").
func CleanCell(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u3000' || r == '\u200b' || r == '\ufeff'
	})
	return strings.TrimPrefix(s, "'")
}

// A Value maps one domain value to the Chinese cell value written on export
// and the cell values accepted on import.
type Value struct {
	Domain   string
	Zh       string
	Variants []string
}

// ValueMap is the list of values of one enumerated column.
type ValueMap []Value

// Parse returns the domain value of a cell ("" for an empty cell) and
// whether the cell was recognised. Cells are compared after
// NormalizeHeader, so "户 籍" and "（户籍）" do not trip anyone up; the
// domain value itself (as the English UI shows it) is accepted too.
func (vm ValueMap) Parse(cell string) (string, bool) {
	n := NormalizeHeader(cell)
	if n == "" {
		return "", true
	}
	for _, v := range vm {
		if n == NormalizeHeader(v.Zh) || n == NormalizeHeader(v.Domain) {
			return v.Domain, true
		}
		for _, x := range v.Variants {
			if n == NormalizeHeader(x) {
				return v.Domain, true
			}
		}
	}
	return "", false
}

// Zh returns the Chinese cell value of a domain value, the value itself when
// unknown.
func (vm ValueMap) Zh(domain string) string {
	for _, v := range vm {
		if v.Domain == domain {
			return v.Zh
		}
	}
	return domain
}

// Choices lists the Chinese values, for messages and notes.
func (vm ValueMap) Choices() string {
	z := make([]string, len(vm))
	for i, v := range vm {
		z[i] = v.Zh
	}
	return strings.Join(z, "、")
}

// ResidenceKinds maps 户类型 and 人员类型.
var ResidenceKinds = ValueMap{
	{string(wangge.ResidentRegistered), "户籍", []string{"户籍人口", "户籍人员", "常住", "常住人口", "本地"}},
	{string(wangge.ResidentFloating), "流动", []string{"流动人口", "流动人员", "外来", "外来人口", "暂住"}},
	{string(wangge.ResidentAbsent), "人户分离", []string{"人户分离人口", "人户分离人员", "户在人不在"}},
}

// Relations maps 与户主关系.
var Relations = ValueMap{
	{string(wangge.RelHead), "户主", []string{"本人", "户主本人"}},
	{string(wangge.RelSpouse), "配偶", []string{"妻", "夫", "妻子", "丈夫", "夫妻"}},
	{string(wangge.RelChild), "子女", []string{"子", "女", "儿子", "女儿", "长子", "次子", "长女", "次女", "独生子", "独生女", "养子", "养女", "继子", "继女"}},
	{string(wangge.RelParent), "父母", []string{"父", "母", "父亲", "母亲", "养父", "养母", "继父", "继母"}},
	{string(wangge.RelGrandchild), "孙子女", []string{"孙子", "孙女", "外孙", "外孙子", "外孙女", "孙子女或外孙子女"}},
	{string(wangge.RelGrandparent), "祖父母", []string{"祖父", "祖母", "外祖父", "外祖母", "爷爷", "奶奶", "姥爷", "姥姥", "外公", "外婆", "祖父母或外祖父母"}},
	{string(wangge.RelSibling), "兄弟姐妹", []string{"兄", "弟", "姐", "妹", "哥哥", "弟弟", "姐姐", "妹妹"}},
	{string(wangge.RelInLaw), "儿媳/女婿", []string{"儿媳", "女婿", "媳妇", "儿媳妇", "儿媳女婿", "儿媳、女婿", "公公", "婆婆", "岳父", "岳母"}},
	{string(wangge.RelOther), "其他", []string{"其它", "租户", "亲属", "其他亲属", "保姆"}},
}

// YesNo maps 是否党员 and the yes/no key-group attributes.
var YesNo = ValueMap{
	{"true", "是", []string{"党员", "中共党员", "中国共产党党员", "y", "yes", "1", "√", "有", "已享受"}},
	{"false", "否", []string{"非党员", "群众", "n", "no", "0", "×", "无", "未享受"}},
}

// Employments maps 就业状态.
var Employments = ValueMap{
	{wangge.EmployEmployed, "在业", []string{"就业", "在职", "已就业", "务工", "灵活就业"}},
	{wangge.EmployUnemployed, "失业", []string{"无业", "待业", "未就业", "失业人员"}},
	{wangge.EmployRetired, "离退休", []string{"退休", "离休", "已退休"}},
	{wangge.EmployStudent, "学生", []string{"在校", "在校学生", "上学"}},
	{wangge.EmployOther, "其他", []string{"其它", "学龄前", "无劳动能力"}},
}

// UnitKinds maps 单位类型.
var UnitKinds = ValueMap{
	{string(wangge.UnitEnterprise), "企业", []string{"公司", "企业单位"}},
	{string(wangge.UnitGovernment), "机关", []string{"机关单位", "党政机关", "政府机关"}},
	{string(wangge.UnitInstitution), "事业单位", []string{"事业", "学校", "医院"}},
	{string(wangge.UnitSocialOrg), "社会组织", []string{"社团", "民办非企业单位", "基金会"}},
	{string(wangge.UnitIndividual), "个体工商户", []string{"个体", "个体户"}},
	{string(wangge.UnitProperty), "物业服务企业", []string{"物业", "物业公司", "物业服务"}},
}

// Groups maps 重点群体 to the key groups, by their Chinese names
// (wangge.KeyGroups) and common variants.
var Groups = groupValues()

func groupValues() ValueMap {
	variants := map[wangge.KeyGroup][]string{
		wangge.GroupFloating:     {"流动人员", "外来人口"},
		wangge.GroupUnemployed:   {"失业", "失业人口", "下岗失业人员"},
		wangge.GroupDisabled:     {"残疾", "残疾人员", "残疾人士"},
		wangge.GroupAid:          {"低保", "低保对象", "救助", "低保等救助对象", "社会救助对象"},
		wangge.GroupRetiree:      {"退休人员", "企业退休", "退休"},
		wangge.GroupElderly:      {"老人", "老年", "老年人口", "高龄老人"},
		wangge.GroupReleased:     {"安置帮教", "刑释人员", "刑满释放人员"},
		wangge.GroupChildbearing: {"育龄", "育龄妇女人员", "育龄期妇女"},
		wangge.GroupSpecial:      {"编码服务", "编码服务户", "特殊服务对象"},
	}
	vm := make(ValueMap, len(wangge.KeyGroups))
	for i, d := range wangge.KeyGroups {
		vm[i] = Value{Domain: string(d.Group), Zh: d.Zh, Variants: append([]string{d.En}, variants[d.Group]...)}
	}
	return vm
}
