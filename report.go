package wangge

import (
	"context"
	"time"

	"github.com/wangge/wangge/ident"
)

// Reports count and list what the other stores keep, at a report date: the
// completeness report (不漏楼、不漏户、不漏人) and one report per department
// (条线). Nothing in them is stored: ages come from birth dates at the
// report's date, so a person turns 60 in a report without anyone writing.

// AgeBand is a range of ages in completed years at a date, of women only
// when Women is set. Max 0 leaves it open above.
type AgeBand struct {
	Min, Max int
	Women    bool
}

// The age bands of the reports, reckoned at the report date.
var (
	BandElderly      = AgeBand{Min: 60}                       // 老年人 60+
	BandAdvanced     = AgeBand{Min: 80}                       // 高龄老人 80+
	BandChildbearing = AgeBand{Min: 15, Max: 49, Women: true} // 育龄妇女 15–49
	BandWorking      = AgeBand{Min: 16, Max: 60}              // 劳动年龄: employment is a required field
)

// GroupAges are the age-derived key groups: a person is a member exactly
// when the birth date (from the ID number) puts them in the band on the day
// (today on pages, the report date in reports), registered or not. A
// membership row of such a group only keeps details a department needs
// (living alone, marital status, a note); a row whose person is outside the
// band (registered before turning 60, a woman who has turned 50) makes
// nobody a member. Ledgers, pages and reports all count and list this one
// set.
var GroupAges = map[KeyGroup]AgeBand{
	GroupElderly:      BandElderly,
	GroupChildbearing: BandChildbearing,
}

// AgeGroups are the groups of GroupAges in ledger order.
var AgeGroups = []KeyGroup{GroupElderly, GroupChildbearing}

// Entered returns the day a person born on birth reaches the band's lowest
// age (their 60th or 15th birthday; born 29 February: 1 March in common
// years, as ident.Age reckons): the day they join an age-derived group.
func (b AgeBand) Entered(birth time.Time) time.Time {
	y, m, d := birth.Date()
	return time.Date(y+b.Min, m, d, 0, 0, 0, 0, time.UTC)
}

// Leaves returns the day a person born on birth passes the band's highest
// age (a woman's 50th birthday), or the zero time for a band open above.
func (b AgeBand) Leaves(birth time.Time) time.Time {
	if b.Max == 0 {
		return time.Time{}
	}
	y, m, d := birth.Date()
	return time.Date(y+b.Max+1, m, d, 0, 0, 0, 0, time.UTC)
}

// Born returns the birth dates of the band at day: born on or before
// latest and, when the band has a Max, after earliest (zero otherwise).
func (b AgeBand) Born(day time.Time) (latest, earliest time.Time) {
	latest = BornBy(day, b.Min)
	if b.Max > 0 {
		earliest = BornBy(day, b.Max+1)
	}
	return latest, earliest
}

// Contains reports whether a person born on birth, of sex, lies in the
// band at day.
func (b AgeBand) Contains(birth time.Time, sex ident.Sex, day time.Time) bool {
	a := ident.Age(birth, day)
	return a >= b.Min && (b.Max == 0 || a <= b.Max) && (!b.Women || sex == ident.SexFemale)
}

// DefaultVisitCycle is the visit cycle of the completeness report, in days:
// a household not visited within it counts as not visited.
const DefaultVisitCycle = 90

// BornBy returns the latest birth date of a person who is at least age
// years old on day at: born on or before it.
func BornBy(at time.Time, age int) time.Time {
	y, m, d := at.Date()
	t := time.Date(y-age, m, d, 0, 0, 0, 0, time.UTC)
	if m == time.February && d == 29 && t.Month() != time.February {
		// Born on 29 February: one turns age on 1 March in common years.
		t = time.Date(y-age, time.February, 28, 0, 0, 0, 0, time.UTC)
	}
	return t
}

// Gap is one kind of gap the completeness report counts and lists.
type Gap string

const (
	GapEmptyBuilding      Gap = "empty_buildings"      // 楼院无住户
	GapEmptyHousehold     Gap = "empty_households"     // 住户无人员
	GapIncompletePerson   Gap = "incomplete_persons"   // 人员必填项缺失
	GapUnvisitedHousehold Gap = "unvisited_households" // 走访周期内未走访的住户
	GapUnvisitedUnit      Gap = "unvisited_units"      // 从未走访的单位
	GapNoHead             Gap = "buildings_no_head"    // 无楼院长的楼院 (城市管理)
)

// CompletenessParts are the parts of ReportRows the completeness report
// counts.
const CompletenessParts = PartPlaces | PartHouseholds | PartPersons

// Gaps lists the completeness gaps in report order.
var Gaps = []Gap{GapEmptyBuilding, GapEmptyHousehold, GapIncompletePerson, GapUnvisitedHousehold, GapUnvisitedUnit}

// Valid reports whether g is a known gap.
func (g Gap) Valid() bool {
	for _, x := range append(Gaps, GapNoHead) {
		if g == x {
			return true
		}
	}
	return false
}

// Missing fields of a person, as the completeness report names them.
const (
	MissingHeadPhone  = "head_phone" // a household head with no phone of their own nor a household phone
	MissingEthnicity  = "ethnicity"  // every person
	MissingEmployment = "employment" // persons of 16 to 60 at the report date
)

// ReportRow counts one area of a report: a child area of the area the report
// is for. Counts of people are numbers, never names: they are read over the
// whole scope like the area pages' counts, whatever the role.
type ReportRow struct {
	Code string
	Name string

	Buildings, Households, Persons, Units int

	// Completeness.
	EmptyBuildings, EmptyHouseholds, IncompletePersons int
	UnvisitedHouseholds, UnvisitedUnits                int

	// Derived from birth dates at the report date.
	Elderly60, Elderly80, Women1549 int

	Floating     int // persons of kind floating (流动人口)
	PartyMembers int // persons who are party members
	Unemployed   int // persons whose employment is unemployed

	BuildingsByKind  map[BuildingKind]int
	BuildingsNoHead  int
	UnitsByKind      map[UnitKind]int
	UnitsWithParty   int
	UnitPartyMembers int

	// Groups counts the members of each key group asked for that the
	// scope may see, at the report date (for the groups of GroupAges, the
	// persons in the band: Groups[GroupElderly] is Elderly60,
	// Groups[GroupChildbearing] Women1549); GroupAttrs counts them by the value of each
	// enum or bool attribute, keyed "group.attr=value" (e.g.
	// "disabled.level=一级").
	Groups     map[KeyGroup]int
	GroupAttrs map[string]int
	// GroupRecords counts the members of each age-derived group whose
	// details a membership row keeps (the rest are members by age alone).
	GroupRecords map[KeyGroup]int
}

// Pct is n as a percentage of of, rounded to one decimal (0 when of is 0).
func Pct(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(int(float64(n)*1000/float64(of)+0.5)) / 10
}

// GapItem is one entry of a completeness list.
type GapItem struct {
	ID        int64
	GridCode  string
	Name      string // building, person or unit name; a household's building
	Room      string // a household's or person's entrance and room
	Missing   []string
	LastVisit *time.Time
}

// ReportPart is a part of what ReportRows counts: a report asks for the
// parts its columns need and reads nothing else.
type ReportPart uint

const (
	PartPlaces     ReportPart = 1 << iota // buildings (by kind, without households, without a head) and units
	PartHouseholds                        // households, without persons, not visited within the cycle
	PartAges                              // persons and their age bands, from the birth-date index alone
	PartPersons                           // persons' fields: floating, party members, unemployed, incomplete (and PartAges)
	PartGroups                            // key-group members and their attributes

	PartAll = PartPlaces | PartHouseholds | PartAges | PartPersons | PartGroups
)

// ReportQuery says what ReportRows counts.
type ReportQuery struct {
	Area  string    // the area whose child areas are counted (a grid: itself)
	At    time.Time // the report's calendar day
	Cycle int       // visit cycle in days, 0 for DefaultVisitCycle
	Parts ReportPart
	// Groups are the key groups PartGroups counts (those the scope may
	// see); nil counts every group the scope may see.
	Groups []KeyGroup
}

// ReportStore reads the reports. Every method takes the caller's scope.
type ReportStore interface {
	// ReportRows counts, per child area of q.Area in scope (the grid
	// itself when it is a grid), the parts q asks for at calendar day
	// q.At; a household counts as visited when visited in the q.Cycle days
	// up to and including q.At.
	ReportRows(ctx context.Context, scope Scope, q ReportQuery) ([]ReportRow, error)
	// GapList lists one completeness gap in the area code. Persons and
	// households need a scope that may read people.
	GapList(ctx context.Context, scope Scope, code string, gap Gap, at time.Time, cycleDays int, p Page) ([]GapItem, int, error)
	// EachGap calls fn for every item of GapList's list, grid by grid.
	EachGap(ctx context.Context, scope Scope, code string, gap Gap, at time.Time, cycleDays int, fn func(*GapItem) error) error
	// EachPersonAged calls fn, grid by grid, for every person in the area
	// code of the age band at day at, with ID number and phone masked. It
	// needs a scope that may read people.
	EachPersonAged(ctx context.Context, scope Scope, code string, at time.Time, band AgeBand, fn func(*Person) error) error
	// EachMember calls fn, grid by grid, for every member of the key group
	// in the area code at day at (of the group's age band, for the groups
	// of GroupAges), ID number and secret attributes masked; nothing when
	// the scope may not see the group.
	EachMember(ctx context.Context, scope Scope, code string, g KeyGroup, at time.Time, fn func(*Membership) error) error
}

// ReportColumn is one count of a department report.
type ReportColumn struct {
	Key   string
	Zh    string
	En    string   // the heading on English pages
	Group KeyGroup // the key group it counts, "" for none: shown only when the scope may see it
	Count func(r *ReportRow) int
	// Chart names the bar chart of the page that draws the column's total
	// as one bar labelled Label: the values of one attribute side by side.
	Chart, Label string
	// ChartEn and LabelEn are Chart and Label on English pages.
	ChartEn, LabelEn string
}

// AgedList is a list sheet of persons by age at the report date.
type AgedList struct {
	Zh   string
	Band AgeBand
}

// LineReport defines the report of one business line (条线): its counts and
// its list sheets. docs/reports.md documents every one.
type LineReport struct {
	Line    Line
	Parts   ReportPart // what its columns count
	Columns []ReportColumn
	Groups  []KeyGroup // counted, and a list sheet of the members of each at the report date
	Aged    []AgedList
	Gaps    []Gap // list sheets of buildings or units (城市管理)
	Units   bool  // a list sheet of units with their party organisations (党群)
}

func col(key, zh, en string, f func(r *ReportRow) int) ReportColumn {
	return ReportColumn{Key: key, Zh: zh, En: en, Count: f}
}

func groupCol(g KeyGroup, zh, en string) ReportColumn {
	return ReportColumn{Key: string(g), Zh: zh, En: en, Group: g, Count: func(r *ReportRow) int { return r.Groups[g] }}
}

// recordCol counts the members of an age-derived group whose details a
// membership row keeps: its members are counted by age (Elderly60,
// Women1549), registered or not.
func recordCol(g KeyGroup, key, zh, en string) ReportColumn {
	return ReportColumn{Key: key, Zh: zh, En: en, Group: g, Count: func(r *ReportRow) int { return r.GroupRecords[g] }}
}

// attrCols counts a group's members by each value of an enum attribute.
func attrCols(g KeyGroup, key string) []ReportColumn {
	def := GroupDefOf(g)
	var out []ReportColumn
	for _, a := range def.Attrs {
		if a.Key != key {
			continue
		}
		opts := a.Options
		if a.Kind == AttrBool {
			opts = []string{"true"}
		}
		for _, o := range opts {
			k := string(g) + "." + key + "=" + o
			// An option is a value as departments write it, in Chinese on
			// English pages too.
			zh, en := def.Zh+"·"+a.Zh+"·"+o, def.En+" · "+a.En+" · "+o
			if a.Kind == AttrBool {
				zh, en = def.Zh+"·"+a.Zh, def.En+" · "+a.En
			}
			c := ReportColumn{Key: k, Zh: zh, En: en, Group: g, Count: func(r *ReportRow) int { return r.GroupAttrs[k] }}
			if a.Kind == AttrEnum {
				c.Chart, c.Label = def.Zh+"·"+a.Zh, o
				c.ChartEn, c.LabelEn = def.En+" · "+a.En, o
			}
			out = append(out, c)
		}
	}
	return out
}

func charted(c ReportColumn, chart, label, chartEn, labelEn string) ReportColumn {
	c.Chart, c.Label, c.ChartEn, c.LabelEn = chart, label, chartEn, labelEn
	return c
}

func cols(parts ...[]ReportColumn) []ReportColumn {
	var out []ReportColumn
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func one(c ...ReportColumn) []ReportColumn { return c }

// LineReports are the department reports, one per line but 综合服务.
var LineReports = []LineReport{
	{Line: LineCivil, Parts: PartAges | PartGroups, Columns: cols(
		one(col("elderly60", "60岁及以上", "Aged 60+", func(r *ReportRow) int { return r.Elderly60 }),
			col("elderly80", "80岁及以上", "Aged 80+", func(r *ReportRow) int { return r.Elderly80 }),
			recordCol(GroupElderly, "elderly_recorded", "老年人·有登记记录", "Elderly · with a record")),
		attrCols(GroupElderly, "living"), attrCols(GroupElderly, "care"),
		one(groupCol(GroupDisabled, "残疾人", "Persons with disabilities")), attrCols(GroupDisabled, "type"), attrCols(GroupDisabled, "level"),
		one(groupCol(GroupAid, "救助对象", "Aid recipients")), attrCols(GroupAid, "type"),
		one(groupCol(GroupSpecial, "编码服务对象", "Coded service clients")), attrCols(GroupSpecial, "code")),
		Groups: []KeyGroup{GroupElderly, GroupDisabled, GroupAid, GroupSpecial},
		Aged:   []AgedList{{Zh: "80岁及以上", Band: BandAdvanced}}},
	{Line: LineLabor, Parts: PartPersons | PartGroups, Columns: cols(
		one(col("unemployed_persons", "就业状态为失业", "Employment status: unemployed", func(r *ReportRow) int { return r.Unemployed }),
			groupCol(GroupUnemployed, "失业人员（在册）", "Unemployed (registered)")),
		attrCols(GroupUnemployed, "registered"), attrCols(GroupUnemployed, "benefit"),
		one(groupCol(GroupRetiree, "企业退休人员", "Enterprise retirees")), attrCols(GroupRetiree, "certified")),
		Groups: []KeyGroup{GroupUnemployed, GroupRetiree}},
	{Line: LineHealth, Parts: PartAges | PartGroups, Columns: cols(
		one(col("women1549", "15–49岁妇女", "Women aged 15–49", func(r *ReportRow) int { return r.Women1549 }),
			recordCol(GroupChildbearing, "childbearing_recorded", "育龄妇女·有登记记录", "Childbearing-age women · with a record"),
			// Every woman of 15–49 is a member (GroupAges): these have no
			// details recorded yet.
			ReportColumn{Key: "childbearing_unrecorded", Zh: "育龄妇女·无登记记录", En: "Childbearing-age women · no record yet", Group: GroupChildbearing,
				Count: func(r *ReportRow) int { return r.Women1549 - r.GroupRecords[GroupChildbearing] }}),
		attrCols(GroupChildbearing, "married")),
		Groups: []KeyGroup{GroupChildbearing},
		Aged:   []AgedList{{Zh: "15–49岁妇女", Band: BandChildbearing}}},
	{Line: LineOrder, Parts: PartPersons | PartGroups, Columns: cols(
		one(col("floating_persons", "流动人口（人员类型）", "Floating population (person type)", func(r *ReportRow) int { return r.Floating }),
			groupCol(GroupFloating, "流动人口（在册）", "Floating population (registered)")),
		attrCols(GroupFloating, "permit"),
		one(groupCol(GroupReleased, "安置帮教人员", "Released persons in resettlement")), attrCols(GroupReleased, "placement")),
		Groups: []KeyGroup{GroupFloating, GroupReleased}},
	{Line: LineCity, Parts: PartPlaces, Columns: cols(
		one(col("buildings", "楼院", "Buildings", func(r *ReportRow) int { return r.Buildings }),
			charted(col("towers", "楼", "Towers", func(r *ReportRow) int { return r.BuildingsByKind[BuildingTower] }), "楼院·类型", "楼", "Buildings · kind", "Towers"),
			charted(col("courtyards", "院", "Courtyards", func(r *ReportRow) int { return r.BuildingsByKind[BuildingCourtyard] }), "楼院·类型", "院", "Buildings · kind", "Courtyards"),
			col("no_head", "无楼院长", "Without a building head", func(r *ReportRow) int { return r.BuildingsNoHead }),
			col("empty_buildings", "无住户楼院", "Without households", func(r *ReportRow) int { return r.EmptyBuildings }),
			col("units", "驻区单位", "Resident units", func(r *ReportRow) int { return r.Units })),
		unitKindCols()),
		Gaps: []Gap{GapNoHead, GapEmptyBuilding}},
	{Line: LineParty, Parts: PartPersons | PartPlaces, Columns: one(
		col("party_members", "党员（居民）", "Party members (residents)", func(r *ReportRow) int { return r.PartyMembers }),
		col("units", "驻区单位", "Resident units", func(r *ReportRow) int { return r.Units }),
		charted(col("units_party", "有党组织单位", "Units with a Party organisation", func(r *ReportRow) int { return r.UnitsWithParty }), "驻区单位·党组织", "有党组织", "Units · Party organisation", "With one"),
		charted(col("units_no_party", "无党组织单位", "Units without a Party organisation", func(r *ReportRow) int { return r.Units - r.UnitsWithParty }), "驻区单位·党组织", "无党组织", "Units · Party organisation", "Without one"),
		col("unit_party_members", "单位党员", "Party members (units)", func(r *ReportRow) int { return r.UnitPartyMembers })),
		Units: true},
}

// unitKindZh names the unit kinds as the reports do.
var unitKindZh = map[UnitKind]string{UnitEnterprise: "企业", UnitGovernment: "机关", UnitInstitution: "事业单位",
	UnitSocialOrg: "社会组织", UnitIndividual: "个体工商户", UnitProperty: "物业服务企业"}

// unitKindEn names the unit kinds on English pages.
var unitKindEn = map[UnitKind]string{UnitEnterprise: "Enterprises", UnitGovernment: "Government bodies", UnitInstitution: "Public institutions",
	UnitSocialOrg: "Social organisations", UnitIndividual: "Individual businesses", UnitProperty: "Property managers"}

// UnitKindZh returns the Chinese name of a unit kind.
func UnitKindZh(k UnitKind) string { return unitKindZh[k] }

func unitKindCols() []ReportColumn {
	var out []ReportColumn
	for _, k := range UnitKinds {
		out = append(out, charted(col("units_"+string(k), "单位·"+unitKindZh[k], "Units · "+unitKindEn[k], func(r *ReportRow) int { return r.UnitsByKind[k] }),
			"驻区单位·类型", unitKindZh[k], "Units · kind", unitKindEn[k]))
	}
	return out
}

// LineReportOf returns the report of a line, or nil.
func LineReportOf(l Line) *LineReport {
	for i := range LineReports {
		if LineReports[i].Line == l {
			return &LineReports[i]
		}
	}
	return nil
}

// VisibleColumns are the report's columns the scope may see: a column of a
// key group only when the scope may read the group.
func (lr *LineReport) VisibleColumns(s Scope) []ReportColumn {
	var out []ReportColumn
	for _, c := range lr.Columns {
		if c.Group == "" || s.GroupVisible(c.Group) {
			out = append(out, c)
		}
	}
	return out
}

// MayGenerate reports whether a user may generate the line's report: staff
// roles every one, a department its own line's.
func (u *User) MayGenerate(l Line) bool {
	if !u.Role.Can(PermViewGroups) {
		return false
	}
	return u.Role != RoleDepartment || u.Line == l
}
