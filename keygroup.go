package wangge

import (
	"time"

	"github.com/wangge/wangge/ident"
)

// KeyGroup is one of the key groups (重点群体) the ledgers follow by grid: the
// eight in the work rules plus special-service households (编码服务).
type KeyGroup string

const (
	GroupFloating     KeyGroup = "floating"     // 流动人口
	GroupUnemployed   KeyGroup = "unemployed"   // 失业人员
	GroupDisabled     KeyGroup = "disabled"     // 残疾人
	GroupAid          KeyGroup = "aid"          // 低保等救助对象
	GroupRetiree      KeyGroup = "retiree"      // 企业退休人员
	GroupElderly      KeyGroup = "elderly"      // 老年人 (60+; living alone, empty nest …)
	GroupReleased     KeyGroup = "released"     // 安置帮教人员
	GroupChildbearing KeyGroup = "childbearing" // 育龄妇女 (15–49)
	GroupSpecial      KeyGroup = "special"      // 编码服务 special-service households
)

// AttrKind is the kind of a key-group attribute's value.
type AttrKind string

const (
	AttrText AttrKind = "text"
	AttrDate AttrKind = "date" // YYYY-MM-DD
	AttrEnum AttrKind = "enum"
	AttrInt  AttrKind = "int"
	AttrBool AttrKind = "bool" // "true" or "false"
)

// Attr describes one attribute departments need for a group.
type Attr struct {
	Key      string
	Zh       string
	En       string
	Kind     AttrKind
	Options  []string // enum values (Chinese, as departments use them)
	Required bool
	// Secret values are sealed at rest like ID numbers (the store keeps
	// them encrypted): the disability certificate number holds one.
	Secret bool
}

// GroupDef describes a key group.
type GroupDef struct {
	Group KeyGroup
	Zh    string
	En    string
	Line  Line // the business line that follows it
	// Sensitive groups are visible only to scopes with Sensitive set.
	Sensitive bool
	Attrs     []Attr
}

// KeyGroups defines the groups and their attributes, in ledger order.
var KeyGroups = []GroupDef{
	{Group: GroupFloating, Zh: "流动人口", En: "Floating population", Line: LineOrder, Attrs: []Attr{
		{Key: "origin", Zh: "户籍地", En: "Place of household registration", Kind: AttrText, Required: true},
		{Key: "arrived", Zh: "来本地时间", En: "Arrived", Kind: AttrDate},
		{Key: "permit", Zh: "居住证", En: "Residence permit", Kind: AttrEnum, Options: []string{"已办理", "未办理"}},
		{Key: "reason", Zh: "流入原因", En: "Reason", Kind: AttrEnum, Options: []string{"务工经商", "随迁家属", "投亲靠友", "学习培训", "其他"}},
	}},
	{Group: GroupUnemployed, Zh: "失业人员", En: "Unemployed", Line: LineLabor, Attrs: []Attr{
		{Key: "registered", Zh: "失业登记", En: "Registered as unemployed", Kind: AttrEnum, Options: []string{"已登记", "未登记"}, Required: true},
		{Key: "registered_on", Zh: "登记日期", En: "Registered on", Kind: AttrDate},
		{Key: "benefit", Zh: "领取失业保险金", En: "Receives unemployment benefit", Kind: AttrBool},
		{Key: "wish", Zh: "就业意向", En: "Wanted work", Kind: AttrText},
		{Key: "training", Zh: "培训需求", En: "Training wanted", Kind: AttrText},
	}},
	{Group: GroupDisabled, Zh: "残疾人", En: "Disabled", Line: LineCivil, Sensitive: true, Attrs: []Attr{
		{Key: "type", Zh: "残疾类别", En: "Type", Kind: AttrEnum, Options: []string{"视力", "听力", "言语", "肢体", "智力", "精神", "多重"}, Required: true},
		{Key: "level", Zh: "残疾等级", En: "Level", Kind: AttrEnum, Options: []string{"一级", "二级", "三级", "四级"}, Required: true},
		{Key: "certificate", Zh: "残疾人证号", En: "Certificate number", Kind: AttrText, Secret: true}, // the ID number and two digits
		{Key: "subsidy", Zh: "两项补贴", En: "Subsidies", Kind: AttrEnum, Options: []string{"生活补贴", "护理补贴", "两项均享受", "未享受"}},
	}},
	{Group: GroupAid, Zh: "救助对象", En: "State-aid recipients", Line: LineCivil, Sensitive: true, Attrs: []Attr{
		{Key: "type", Zh: "救助类型", En: "Aid type", Kind: AttrEnum, Options: []string{"城市低保", "特困供养", "低保边缘", "临时救助", "孤儿"}, Required: true},
		{Key: "since", Zh: "享受起始日期", En: "Since", Kind: AttrDate},
		{Key: "amount", Zh: "月保障金额（元）", En: "Monthly amount (CNY)", Kind: AttrInt},
		{Key: "members", Zh: "保障人数", En: "Persons covered", Kind: AttrInt},
	}},
	{Group: GroupRetiree, Zh: "企业退休人员", En: "Enterprise retirees", Line: LineLabor, Attrs: []Attr{
		{Key: "employer", Zh: "原工作单位", En: "Former employer", Kind: AttrText},
		{Key: "retired_on", Zh: "退休日期", En: "Retired on", Kind: AttrDate},
		{Key: "certified", Zh: "领取资格认证", En: "Pension eligibility certified this year", Kind: AttrBool},
	}},
	{Group: GroupElderly, Zh: "老年人", En: "Elderly", Line: LineCivil, Attrs: []Attr{
		{Key: "living", Zh: "居住状况", En: "Living situation", Kind: AttrEnum, Options: []string{"独居", "空巢", "与子女同住", "入住养老机构"}, Required: true},
		{Key: "care", Zh: "照护需求", En: "Care needs", Kind: AttrEnum, Options: []string{"自理", "半失能", "失能"}},
		{Key: "allowance", Zh: "高龄津贴", En: "Old-age allowance", Kind: AttrBool},
	}},
	{Group: GroupReleased, Zh: "安置帮教人员", En: "Released under assistance", Line: LineOrder, Sensitive: true, Attrs: []Attr{
		{Key: "released_on", Zh: "刑满释放日期", En: "Released on", Kind: AttrDate, Required: true},
		{Key: "until", Zh: "帮教期满日期", En: "Assistance ends", Kind: AttrDate},
		{Key: "placement", Zh: "安置情况", En: "Placement", Kind: AttrEnum, Options: []string{"已就业", "未就业", "自谋职业"}},
		{Key: "helper", Zh: "帮教责任人", En: "Assigned helper", Kind: AttrText},
	}},
	{Group: GroupChildbearing, Zh: "育龄妇女", En: "Women of childbearing age", Line: LineHealth, Attrs: []Attr{
		{Key: "married", Zh: "婚姻状况", En: "Marital status", Kind: AttrEnum, Options: []string{"未婚", "已婚", "离异", "丧偶"}},
		{Key: "children", Zh: "子女数", En: "Children", Kind: AttrInt},
	}},
	{Group: GroupSpecial, Zh: "编码服务对象", En: "Special-service households", Line: LineCivil, Sensitive: true, Attrs: []Attr{
		{Key: "code", Zh: "服务编码", En: "Service code", Kind: AttrEnum, Options: []string{"红", "黄", "蓝"}, Required: true},
		{Key: "reason", Zh: "服务原因", En: "Reason", Kind: AttrEnum, Options: []string{"独居老人", "重度残疾", "低保家庭", "失独家庭", "困境儿童", "其他"}, Required: true},
		{Key: "frequency", Zh: "走访频次", En: "Visit frequency", Kind: AttrEnum, Options: []string{"每日", "每周", "每月"}},
		{Key: "needs", Zh: "服务需求", En: "Needs", Kind: AttrText},
	}},
}

// GroupDefOf returns the definition of a group, or nil.
func GroupDefOf(g KeyGroup) *GroupDef {
	for i := range KeyGroups {
		if KeyGroups[i].Group == g {
			return &KeyGroups[i]
		}
	}
	return nil
}

// Membership is a person's membership of a key group, with the attributes the
// group's departments need. Joining and leaving are kept: a membership that
// ended has Left set and stays for the record.
type Membership struct {
	ID        int64
	PersonID  int64
	GridCode  string
	Group     KeyGroup
	Attrs     map[string]string
	Joined    time.Time
	Left      *time.Time
	Note      string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time

	// Filled on reads: the person's name, household, masked ID number and
	// what is derived from it.
	PersonName     string
	HouseholdID    int64
	PersonIDNumber string
	PersonSex      ident.Sex
	PersonBirth    time.Time
}

// Validate checks the group and its attributes.
func (m *Membership) Validate() error {
	def := GroupDefOf(m.Group)
	if def == nil {
		return Invalid("group", "error.keygroup.unknown")
	}
	if m.PersonID <= 0 {
		return Invalid("person_id", "error.keygroup.person")
	}
	known := map[string]bool{}
	for _, a := range def.Attrs {
		known[a.Key] = true
		v := m.Attrs[a.Key]
		if v == "" {
			if a.Required {
				return Invalid("attrs."+a.Key, "error.keygroup.attr_required", "NameZh", a.Zh, "NameEn", a.En)
			}
			continue
		}
		if err := a.check(v); err != nil {
			return err
		}
	}
	for k := range m.Attrs {
		if !known[k] {
			return Invalid("attrs."+k, "error.keygroup.attr_unknown", "Key", k)
		}
	}
	if m.Left != nil && m.Left.Before(m.Joined) {
		return Invalid("left", "error.keygroup.left_before_joined")
	}
	return nil
}

func (a Attr) check(v string) error {
	bad := func() error {
		return Invalid("attrs."+a.Key, "error.keygroup.attr_invalid", "NameZh", a.Zh, "NameEn", a.En, "Value", v)
	}
	switch a.Kind {
	case AttrDate:
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return bad()
		}
	case AttrEnum:
		for _, o := range a.Options {
			if v == o {
				return nil
			}
		}
		return bad()
	case AttrInt:
		for i, c := range v {
			if (c < '0' || c > '9') && !(i == 0 && c == '-') {
				return bad()
			}
		}
	case AttrBool:
		if v != "true" && v != "false" {
			return bad()
		}
	}
	if len([]rune(v)) > 200 {
		return bad()
	}
	return nil
}

// MembershipFilter selects memberships within a scope.
type MembershipFilter struct {
	// Full: ID numbers in full (EachMembership only), as HouseholdFilter.Full.
	Full     bool
	GridCode string
	Group    KeyGroup // "" for all groups the scope may see
	PersonID int64
	// Current: only memberships that have not ended. It does not apply
	// to the age-derived groups (GroupAges): their members are the persons
	// in the band on day At, whose membership has no past of its own to
	// list (who left by age is counted by GroupChanges).
	Current bool
	Search  string // the start of the person's name
	Sort    Sort   // one of MembershipSorts
	// At is the day the age-derived groups are reckoned at; zero for
	// today (Beijing time).
	At time.Time
	Page
}

// A member of an age-derived group (GroupAges) is listed as a Membership
// whether or not a row keeps details of them: ID 0 and Version 0 when none
// does. Its GridCode is the person's grid, Joined the day the person
// entered the band (AgeBand.Entered), Left nil; Attrs and Note are those of
// the person's current row of the group, if any.

// GroupCount is the number of current members of a group in a region (of
// an age-derived group: the persons in its band today).
type GroupCount struct {
	Group KeyGroup
	Count int
}

// outsideBand names, per age-derived group, the error of a row for a
// person outside its band.
var outsideBand = map[KeyGroup]string{
	GroupElderly:      "error.membership.outside_band.elderly",
	GroupChildbearing: "error.membership.outside_band.childbearing",
}

// CheckAgeBand refuses a membership row of an age-derived group (GroupAges)
// for a person born on birth, of sex, who is outside its band on day: such
// a row would make nobody a member, so it is not kept. It is nil for the
// other groups.
func CheckAgeBand(g KeyGroup, birth time.Time, sex ident.Sex, day time.Time) error {
	band, ok := GroupAges[g]
	if !ok || band.Contains(birth, sex, day) {
		return nil
	}
	return Invalid("person_id", outsideBand[g])
}

// LivesAlone reports whether an elderly member's attributes say they live
// alone (独居): the first the workbench puts on an assistant's visit list.
func LivesAlone(attrs map[string]string) bool { return attrs["living"] == "独居" }
