package casework

import "github.com/wangge/wangge"

// CategoryKind tells a problem type from a hundred-services entry.
type CategoryKind string

const (
	KindProblem CategoryKind = "problem" // something wrong: 环境卫生, 设施损坏 …
	KindService CategoryKind = "service" // a request from the hundred-services catalogue
)

// Category is what a case is about, with the business line and department
// responsible for it.
type Category struct {
	Code       string // P01 … for problem types, the catalogue's S001 … for services
	Kind       CategoryKind
	Name       string // Chinese, as the district names it
	NameEn     string
	Line       wangge.Line
	Department string
	// Mechanism is the one a new case of the category usually takes; the
	// assistant may choose another.
	Mechanism Mechanism
	// Materials are what an application must bring (services only).
	Materials []string
	// Limit replaces the mechanism's handle (or decide) limit where set.
	Limit Duration
	// Calls are the emergency numbers the page shows (110, 119, 120).
	Calls []string
	// Confidential marks a category about a person (a dispute, public
	// order, an illness, hardship, wages) or a person's own application:
	// its cases never show on a public path, whoever reported them.
	Confidential bool
	// Attributes are what a public report of the category is asked beyond
	// the description (Open311 service definitions, the /report form). They
	// are the category's definition, not a case's: a case keeps the answers
	// as lines of its description, so the document does not copy them.
	Attributes []Attribute `json:"-"`
}

// ProblemTypes are the problem categories the grid handles beside the
// hundred services: the common types of 数字化城管 and the grid's own
// (disputes, hidden dangers, people in hardship). Their names are data, as
// the services' are in seed/services.tsv.
var ProblemTypes = []Category{
	{Code: "P01", Kind: KindProblem, Name: "环境卫生", NameEn: "Environmental sanitation", Line: wangge.LineCity, Department: "区城市管理局", Mechanism: Coordination},
	{Code: "P02", Kind: KindProblem, Name: "设施损坏", NameEn: "Damaged facilities", Line: wangge.LineCity, Department: "区住房和城乡建设局", Mechanism: Coordination, Attributes: []Attribute{{Code: "facility", Name: "设施", NameEn: "Facility", Datatype: "singlevaluelist", Order: 1, Description: "损坏的是什么设施", DescriptionEn: "Which facility is damaged", Values: []AttributeValue{{Key: "streetlight", Name: "路灯", NameEn: "Street light"}, {Key: "manhole", Name: "井盖", NameEn: "Manhole cover"}, {Key: "road", Name: "道路", NameEn: "Road surface"}, {Key: "railing", Name: "护栏", NameEn: "Railing"}, {Key: "bench", Name: "座椅", NameEn: "Bench"}, {Key: "other", Name: "其他", NameEn: "Other"}}}}},
	{Code: "P03", Kind: KindProblem, Name: "矛盾纠纷", NameEn: "Disputes between neighbours", Line: wangge.LineOrder, Department: "区综治中心", Mechanism: Coordination, Confidential: true},
	{Code: "P04", Kind: KindProblem, Name: "安全隐患", NameEn: "Safety hazards", Line: wangge.LineOrder, Department: "区应急管理局", Mechanism: Coordination, Calls: []string{"119"}},
	{Code: "P05", Kind: KindProblem, Name: "治安问题", NameEn: "Public order", Line: wangge.LineOrder, Department: "公安分局", Mechanism: Emergency, Calls: []string{"110"}, Confidential: true},
	{Code: "P06", Kind: KindProblem, Name: "火灾险情", NameEn: "Fire", Line: wangge.LineOrder, Department: "区消防救援大队", Mechanism: Emergency, Calls: []string{"119", "120"}},
	{Code: "P07", Kind: KindProblem, Name: "突发疾病", NameEn: "Sudden illness or injury", Line: wangge.LineHealth, Department: "区卫生健康局", Mechanism: Emergency, Calls: []string{"120"}, Confidential: true},
	{Code: "P08", Kind: KindProblem, Name: "违章搭建", NameEn: "Illegal construction", Line: wangge.LineCity, Department: "区城市管理局", Mechanism: Coordination},
	{Code: "P09", Kind: KindProblem, Name: "占道经营", NameEn: "Street obstruction", Line: wangge.LineCity, Department: "区城市管理局", Mechanism: Coordination},
	{Code: "P10", Kind: KindProblem, Name: "噪声扰民", NameEn: "Noise", Line: wangge.LineCity, Department: "区生态环境分局", Mechanism: Coordination, Attributes: []Attribute{{Code: "when", Name: "时段", NameEn: "When", Datatype: "singlevaluelist", Order: 1, Description: "噪声通常出现在什么时候", DescriptionEn: "When the noise usually happens", Values: []AttributeValue{{Key: "day", Name: "白天", NameEn: "Daytime"}, {Key: "evening", Name: "晚间", NameEn: "Evening"}, {Key: "night", Name: "夜间（22时后）", NameEn: "Night (after 22:00)"}}}}},
	{Code: "P11", Kind: KindProblem, Name: "水电气暖", NameEn: "Water, power, gas and heating", Line: wangge.LineCity, Department: "区住房和城乡建设局", Mechanism: Coordination, Attributes: []Attribute{{Code: "utility", Name: "类别", NameEn: "Utility", Datatype: "singlevaluelist", Required: true, Order: 1, Description: "哪一项出了问题", DescriptionEn: "Which service has the problem", Values: []AttributeValue{{Key: "water", Name: "供水", NameEn: "Water"}, {Key: "power", Name: "供电", NameEn: "Power"}, {Key: "gas", Name: "燃气", NameEn: "Gas"}, {Key: "heating", Name: "供暖", NameEn: "Heating"}}}}},
	{Code: "P12", Kind: KindProblem, Name: "困难帮扶", NameEn: "People in hardship", Line: wangge.LineCivil, Department: "区民政局", Mechanism: Coordination, Confidential: true},
	{Code: "P13", Kind: KindProblem, Name: "劳动就业", NameEn: "Work and wages", Line: wangge.LineLabor, Department: "区人力资源和社会保障局", Mechanism: Coordination, Confidential: true},
	{Code: "P14", Kind: KindProblem, Name: "小事快办", NameEn: "Small matters done at once", Line: wangge.LineGeneral, Department: "社区居委会", Mechanism: General},
	{Code: "P99", Kind: KindProblem, Name: "其他", NameEn: "Other", Line: wangge.LineGeneral, Department: "社区居委会", Mechanism: Coordination},
}

// ServiceCategory is the category of a hundred-services entry: an entry
// with materials to collect is an application (approval), one without is
// done on the spot or taken to the community.
func ServiceCategory(s wangge.Service) Category {
	// Every service is a person's own application or request: confidential.
	c := Category{Code: s.Code, Kind: KindService, Name: s.Name, Line: s.Line, Department: s.Department, Materials: s.Materials, Confidential: true}
	switch {
	case len(s.Materials) > 0:
		c.Mechanism = Approval
	case s.TimeLimitDays == 0:
		c.Mechanism = General
	default:
		c.Mechanism = Coordination
	}
	if s.TimeLimitDays > 0 {
		c.Limit = Duration{s.TimeLimitDays, WorkDays}
	}
	return c
}

// Categories returns the problem types followed by the active entries of
// the services catalogue.
func Categories(services []wangge.Service) []Category {
	out := append([]Category(nil), ProblemTypes...)
	for _, s := range services {
		if s.Active {
			out = append(out, ServiceCategory(s))
		}
	}
	return out
}

// Valid reports whether the category names what a case needs: a code, a
// line and a department.
func (c Category) Valid() bool {
	return c.Code != "" && (c.Kind == KindProblem || c.Kind == KindService) && c.Line.Valid() && c.Department != ""
}

// attributeSep joins an attribute's name and its answer in a description
// line ("设施：路灯"), Chinese first as the case's text is.
const attributeSep = "："

// valueSep joins the answers of a multivaluelist.
const valueSep = "、"
