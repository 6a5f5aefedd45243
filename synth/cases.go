package synth

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

// A year of cases (案件) for the demo district, drawn from the visits and
// residents Generate made and run through the real case engine: every case
// is opened with casework.Engine.Open and every later step taken with
// Engine.Apply at its simulated time, on the engine the store uses (its
// clock is the work calendar), so the documents, timelines, deadlines and
// counters are what real work would have left.
//
// The proportions follow common grid practice (网格化管理 as districts
// report it: most problems are small and settled on the spot by the
// assistant, about a third are taken back to the community and dispatched,
// applications from the services catalogue are a few in a hundred and
// emergencies about one or two): roughly 55% general, 35% coordination,
// 7% approval and 1–3% emergency. Sanitation, damaged facilities,
// neighbours' disputes and small matters are the commonest categories.
// The volume is 2–4 cases per grid per week over the 365 days before the
// reference date, most of them from the visits' recorded problems and
// needs, the rest by phone, at the office, on the kiosk and the resident
// page, or passed on by a department.

// CaseSink receives the generated cases: the demo's writes them to the
// store's bulk path.
type CaseSink interface {
	Case(c *casework.Case) error
}

// CaseOptions are what GenerateCases runs on.
type CaseOptions struct {
	// Engine opens and changes the cases; pass the store's, whose clock is
	// the work calendar its deadlines run on.
	Engine *casework.Engine
	// Categories are the problem types and the services catalogue's
	// entries (casework.Categories); a code missing from them is not drawn.
	Categories []casework.Category
}

// CaseResult counts what GenerateCases made.
type CaseResult struct {
	Cases, Events int
	ByMechanism   map[casework.Mechanism]int
	ByState       map[casework.State]int
	BySource      map[casework.Source]int
	// Cases that went through each of these at least once.
	Returned, Reworked, Deferred, Merged, Supervised, Escalated, Reopened, Rated int
	// EmergencyEscalated counts emergencies escalated for want of an
	// acknowledgement in time.
	EmergencyEscalated int
	// OverdueOpen counts the cases still open at the reference date whose
	// running deadline has passed.
	OverdueOpen int
	// Years are the sequence numbers given out per year (the last one).
	Years map[int]int
}

// caseSources is what Generate keeps for GenerateCases.
type caseSources struct {
	seed  int64
	today time.Time
	plan  *plan
	grids []caseGrid
}

// caseGrid is one grid's material for cases.
type caseGrid struct {
	gp        *gridPlan
	assistant string
	residents []resident // one per household, in household order
	visits    []visitSeed
	// headBuilding is the building of the demo's building-head account
	// (the first grid's first building), 0 elsewhere.
	headBuilding        int64
	headName, headPhone string
}

// resident is a household's likely reporter: an adult with a phone where
// there is one.
type resident struct {
	household, building int64
	name, phone         string
	lng, lat            float64
}

// visitSeed is a household visit that found something: a problem, a need,
// or an elderly person living alone.
type visitSeed struct {
	at       time.Time
	resident int
	problems []string
	need     string
	// facility and danger are what the six clears noted of the area's
	// facilities and hidden dangers.
	facility, danger string
	alone            bool
}

// keepCaseSources records the grid's residents and the visits that found
// something, before the grid's rows are let go.
func (g *generator) keepCaseSources(gp *gridPlan) {
	cg := caseGrid{gp: gp, assistant: g.lastAssistantName}
	if len(g.households) == 0 {
		g.res.cases.grids = append(g.res.cases.grids, cg)
		return
	}
	first := g.households[0].ID
	byID := make(map[int64]*wangge.Building, len(g.buildings))
	for _, b := range g.buildings {
		byID[b.ID] = b
	}
	cg.residents = make([]resident, len(g.households))
	for i, h := range g.households {
		b := byID[h.BuildingID]
		cg.residents[i] = resident{household: h.ID, building: h.BuildingID, lng: b.Lng, lat: b.Lat}
	}
	for _, p := range g.persons {
		rs := &cg.residents[p.HouseholdID-first]
		if rs.name == "" || rs.phone == "" && p.Phone != "" {
			rs.name, rs.phone = p.Name, p.Phone
		}
	}
	for _, v := range g.visits {
		if v.HouseholdID == nil {
			continue
		}
		alone := v.Purpose == "独居老人探视"
		c := &v.Clears
		if len(v.Problems) == 0 && c.Needs == "" && c.Facilities == "" && c.Dangers == "" && !alone {
			continue
		}
		cg.visits = append(cg.visits, visitSeed{at: v.At, resident: int(*v.HouseholdID - first), problems: v.Problems,
			need: c.Needs, facility: c.Facilities, danger: c.Dangers, alone: alone})
	}
	if len(g.res.cases.grids) == 0 && len(g.buildings) > 0 {
		cg.headBuilding = g.buildings[0].ID
		for _, h := range g.heads {
			if h.BuildingID == cg.headBuilding {
				cg.headName, cg.headPhone = h.Name, h.Phone
			}
		}
	}
	g.res.cases.grids = append(g.res.cases.grids, cg)
}

// Weighted categories per mechanism, by code.
type weighted struct {
	code string
	w    int
}

var (
	generalCats = []weighted{{"P14", 30}, {"P01", 18}, {"P02", 16}, {"P03", 14}, {"P10", 4}, {"P12", 4}, {"S086", 3}, {"S060", 2}}
	coordCats   = []weighted{{"P01", 20}, {"P02", 20}, {"P03", 14}, {"P11", 10}, {"P04", 6}, {"P08", 4}, {"P09", 4}, {"P10", 5},
		{"P12", 4}, {"P13", 3}, {"P99", 3}, {"S066", 2}, {"S068", 2}, {"S077", 2}, {"S081", 1}}
	emergencyCats = []weighted{{"P07", 45}, {"P06", 30}, {"P05", 25}}
	approvalCats  = []weighted{{"S008", 10}, {"S001", 8}, {"S006", 8}, {"S009", 10}, {"S012", 6}, {"S016", 6}, {"S014", 5}, {"S003", 5},
		{"S027", 5}, {"S032", 5}, {"S041", 6}, {"S052", 6}, {"S090", 10}, {"S091", 6}, {"S050", 4}, {"S023", 2}, {"S013", 2}, {"S044", 4}}
)

// visitProblems maps the visits' problems to their category, and whether
// the assistant can settle one on the spot.
var visitProblems = map[string]struct {
	code   string
	onSpot bool
}{
	"楼道灯损坏": {"P02", true}, "邻里噪音纠纷": {"P03", true}, "下水道堵塞": {"P11", true}, "楼顶漏水": {"P02", false},
	"垃圾清运不及时": {"P01", true}, "违章搭建": {"P08", false}, "流浪犬扰民": {"P01", true}, "路灯不亮": {"P02", true},
	"供暖不热": {"P11", false}, "占道经营": {"P09", false}, "单元门损坏": {"P02", true}, "化粪池外溢": {"P01", false},
}

// visitNeeds maps the visits' service needs to the catalogue entry an
// application is made for ("" where the need is answered on the spot).
var visitNeeds = map[string]string{
	"申请居家养老服务": "S008", "咨询低保申请": "S001", "申请残疾人补贴": "S016", "需要助餐服务": "S012",
	"需要办理居住证": "S091", "求职需求": "S032", "咨询医保缴费": "", "孩子入学咨询": "",
}

// What people say and do, per category.
var (
	caseSays = map[string][]string{
		"P01":  {"楼下垃圾桶满溢，清运不及时", "单元门口堆放生活垃圾，气味难闻", "小区绿化带内有大量白色垃圾", "流浪犬在楼道内便溺，影响卫生"},
		"P02":  {"楼道灯损坏，夜间上下楼看不见", "单元门闭门器损坏，门关不上", "小区路面破损，老人容易绊倒", "健身器材螺丝松动，存在安全隐患", "楼顶防水老化，雨天漏水"},
		"P03":  {"楼上楼下因漏水发生纠纷", "邻居在楼道堆放杂物引发争执", "因停车位问题邻里争吵", "宠物犬夜间吠叫，邻里矛盾"},
		"P04":  {"楼道内电动车充电，私拉电线", "燃气软管老化，有异味", "外墙瓷砖松动，有坠落危险", "消防通道被杂物堵塞"},
		"P05":  {"小区内有人酒后滋事", "夜间有可疑人员撬动电动车", "楼下发生打架斗殴"},
		"P06":  {"楼道内电动车起火冒烟", "居民家中厨房起火", "小区配电箱冒烟起火"},
		"P07":  {"独居老人在家中摔倒，无法起身", "居民突发胸痛，呼吸困难", "老人在小区内晕倒"},
		"P08":  {"一楼住户私自搭建阳光房", "楼顶违规加盖彩钢房", "占用公共绿地搭建棚子"},
		"P09":  {"小区门口流动摊贩占道经营", "商户将货物摆放到人行道上", "早市摊位占用消防通道"},
		"P10":  {"广场舞音响声音过大", "夜间装修施工噪声扰民", "楼下商铺音响扰民"},
		"P11":  {"下水道堵塞，污水外溢", "暖气不热，室温不达标", "单元自来水管道漏水", "楼内停电，电表箱故障"},
		"P12":  {"独居老人生活困难，需要帮扶", "家庭成员重病，生活陷入困境", "残疾人家庭需要上门服务"},
		"P13":  {"务工人员反映被拖欠工资", "失业人员咨询再就业", "灵活就业人员咨询社保缴费"},
		"P14":  {"楼道扶手松动", "单元门禁卡失灵", "老人不会使用手机缴费", "居民咨询证明开具", "楼道内小广告需要清理", "井盖松动有响声"},
		"P99":  {"居民反映小区停车难", "居民对老旧小区改造提出意见", "居民咨询加装电梯事宜"},
		"S060": {"党员咨询党费缴纳"},
		"S066": {"小区路灯不亮"},
		"S068": {"垃圾清运站清运不及时"},
		"S077": {"冬季供暖温度不达标"},
		"S081": {"小区监控损坏，存在治安隐患"},
		"S086": {"老人接到可疑电话，疑似电信诈骗"},
	}
	caseDone = map[string][]string{
		"P01":  {"已联系保洁人员现场清理", "已通知物业清运垃圾"},
		"P02":  {"已联系物业现场维修", "已更换灯泡，恢复照明", "已协调维修人员修复"},
		"P03":  {"协理员现场调解，双方达成一致", "已入户沟通，双方互相谅解"},
		"P10":  {"已现场劝导，音量已调低"},
		"P12":  {"已上门走访，送去慰问物资"},
		"P14":  {"已现场处理完毕", "已现场指导居民办理", "已协助居民完成操作"},
		"S060": {"已现场讲解党费缴纳标准"},
		"S086": {"已现场劝阻并讲解防诈知识"},
	}
	handledSay   = []string{"已现场处置完毕，问题已解决", "已安排人员维修，恢复正常", "已依法处理，现场已整改", "已协调相关方处理完毕"}
	returnWhy    = []string{"该问题不属于本部门职责范围，请改派", "地址信息不准确，无法处置", "需由产权单位负责处理"}
	reworkWhy    = []string{"现场核查问题未彻底解决，请返工", "居民反映问题仍然存在"}
	deferWhy     = []string{"需等待配件到货，申请延期", "涉及多方协调，需延长处置时间", "天气原因无法施工，申请延期"}
	superviseSay = []string{"请加快办理进度，按期办结", "群众多次反映，请尽快处置", "该案件已临近时限，请重点跟进"}
	toldSay      = []string{"已告知处理结果，居民表示认可", "已电话告知办理结果", "已上门告知处理情况"}
	outsiders    = []string{"小区物业服务中心", "业主委员会", "产权单位", "驻区单位后勤处"}
	otherDepts   = []casework.Receiver{
		{Kind: casework.ToDepartment, Line: wangge.LineCity, Name: "区城市管理局"},
		{Kind: casework.ToDepartment, Line: wangge.LineCity, Name: "区住房和城乡建设局"},
		{Kind: casework.ToDepartment, Line: wangge.LineOrder, Name: "区综治中心"},
	}
)

// casePlan is a case as drawn before it runs: where, who, what and when.
type casePlan struct {
	grid    int
	created time.Time
	source  casework.Source
	// mech is empty for a duplicate: it runs with the case it repeats.
	mech     casework.Mechanism
	cat      casework.Category
	res      *resident
	reporter casework.Reporter
	opener   casework.Actor
	desc     string
	seed     uint64
	order    int
	number   string
	dups     []*casePlan
	joins    *casePlan // the case a duplicate repeats
	mergeAt  time.Time
	// materials are those brought at once (approval).
	materials []string
}

// caseKit holds what one GenerateCases call shares.
type caseKit struct {
	src     *caseSources
	eng     *casework.Engine
	cats    map[string]casework.Category
	ids     map[string]int64 // demo accounts by username
	now     time.Time
	beijing *time.Location
	res     *CaseResult
}

// GenerateCases draws the year of cases before the reference date of the
// district res describes and hands each to sink, a merged duplicate after
// the case it was merged into. Numbers run from 1 in each year, as the store
// allots them to a district with no cases yet. The same seed and scale give
// the same cases.
func GenerateCases(res *Result, o CaseOptions, sink CaseSink, progress func(done, total int)) (*CaseResult, error) {
	if res == nil || res.cases == nil || sink == nil {
		return nil, errors.New("synth: GenerateCases needs the Result of Generate and a sink")
	}
	if o.Engine == nil || o.Engine.Clock == nil {
		return nil, errors.New("synth: GenerateCases needs an engine with a clock")
	}
	k := &caseKit{src: res.cases, eng: o.Engine, cats: map[string]casework.Category{}, ids: map[string]int64{},
		now: res.cases.today, beijing: time.FixedZone("CST", 8*3600),
		res: &CaseResult{ByMechanism: map[casework.Mechanism]int{}, ByState: map[casework.State]int{},
			BySource: map[casework.Source]int{}, Years: map[int]int{}}}
	for _, c := range o.Categories {
		k.cats[c.Code] = c
	}
	for _, a := range res.Accounts {
		k.ids[a.Username] = a.ID
	}
	var plans []*casePlan
	for i := range k.src.grids {
		plans = k.planGrid(i, plans)
	}
	// Numbers in the order the cases came in, per year (Beijing time), as
	// the store gives them out.
	slices.SortStableFunc(plans, func(a, b *casePlan) int {
		return cmp.Or(a.created.Compare(b.created), cmp.Compare(a.order, b.order))
	})
	kept := plans[:0]
	for _, p := range plans {
		y := p.created.In(k.beijing).Year()
		if k.res.Years[y] == casework.NumberSeqMax {
			continue // the year holds no more numbers: a district many times the demo's
		}
		k.res.Years[y]++
		p.number = casework.FormatNumber(y, k.res.Years[y])
		kept = append(kept, p)
	}
	plans = kept
	done := 0
	for _, p := range plans {
		if p.joins != nil {
			if p.joins.number != "" {
				continue // a duplicate: it runs with the case it joins
			}
			p.mech = casework.Coordination // the case it repeats was never made
		}
		cases, err := k.run(p)
		if err != nil {
			return nil, err
		}
		for _, c := range cases {
			k.count(c)
			if err := sink.Case(c); err != nil {
				return nil, fmt.Errorf("synth: case %s: %w", c.Number, err)
			}
		}
		done += len(cases)
		if progress != nil && (done%2000 < len(cases) || done == len(plans)) {
			progress(done, len(plans))
		}
	}
	return k.res, nil
}

func (k *caseKit) count(c *casework.Case) {
	r := k.res
	r.Cases++
	r.Events += len(c.Events)
	r.ByMechanism[c.Mechanism]++
	r.ByState[c.State]++
	r.BySource[c.Source]++
	seen := map[casework.ActionName]bool{}
	for _, ev := range c.Events {
		seen[ev.Action] = true
	}
	add := func(n *int, a casework.ActionName) {
		if seen[a] {
			*n++
		}
	}
	add(&r.Returned, casework.ActReturn)
	add(&r.Reworked, casework.ActRework)
	add(&r.Deferred, casework.ActApproveDefer)
	add(&r.Supervised, casework.ActSupervise)
	add(&r.Escalated, casework.ActEscalate)
	add(&r.Reopened, casework.ActReopen)
	add(&r.Rated, casework.ActSatisfaction)
	if c.State == casework.Merged {
		r.Merged++
	}
	if c.Mechanism == casework.Emergency && seen[casework.ActEscalate] {
		r.EmergencyEscalated++
	}
	if d := c.Running(); d != nil && c.State.Open() && !k.now.Before(d.Due) {
		r.OverdueOpen++
	}
}

// pick draws a code by weight among those the categories hold.
func (k *caseKit) pick(r *rand.Rand, ws []weighted) (casework.Category, bool) {
	total := 0
	for _, w := range ws {
		if _, ok := k.cats[w.code]; ok {
			total += w.w
		}
	}
	if total == 0 {
		return casework.Category{}, false
	}
	x := r.IntN(total)
	for _, w := range ws {
		if _, ok := k.cats[w.code]; !ok {
			continue
		}
		if x < w.w {
			return k.cats[w.code], true
		}
		x -= w.w
	}
	return casework.Category{}, false
}

// Actors. The demo's accounts act where they have one (so its logins find
// their own work on the board); elsewhere the grid's assistant and the
// community's, sub-district's and departments' staff act under their
// names without an account (user id 0).
func (k *caseKit) assistant(gi int) casework.Actor {
	cg := &k.src.grids[gi]
	a := casework.Actor{Name: cg.assistant, Role: wangge.RoleAssistant, ScopeCode: cg.gp.code}
	if gi == 0 {
		a.UserID = k.ids["xieliyuan"]
	}
	return a
}

func (k *caseKit) community(gi int) casework.Actor {
	ci := k.src.grids[gi].gp.comm
	cp := &k.src.plan.communities[ci]
	a := casework.Actor{Name: cp.name + "工作人员", Role: wangge.RoleCommunityStaff, ScopeCode: cp.code}
	if ci == 0 {
		a.UserID = k.ids["shequ"]
	}
	return a
}

func (k *caseKit) subdistrict(gi int) casework.Actor {
	si := k.src.plan.communities[k.src.grids[gi].gp.comm].sub
	sp := &k.src.plan.subdistricts[si]
	a := casework.Actor{Name: sp.name + "工作人员", Role: wangge.RoleSubdistrictStaff, ScopeCode: sp.code}
	if si == 0 {
		a.UserID = k.ids["jiedao"]
	}
	return a
}

func (k *caseKit) department(r casework.Receiver) casework.Actor {
	a := casework.Actor{Name: r.Name, Role: wangge.RoleDepartment, ScopeCode: DistrictCode, Line: r.Line}
	if r.Line == wangge.LineCivil {
		a.UserID = k.ids["minzheng"]
	}
	return a
}

var system = casework.Actor{Role: wangge.RoleSystem}

// workTime returns a moment in Beijing working hours on day d (days since
// 1970-01-01): the visits' hours.
func workTime(r *rand.Rand, d int) time.Time {
	sec := 8*3600 + 1800 + r.IntN(3*3600)
	if r.IntN(2) == 0 {
		sec += 6 * 3600
	}
	return time.Unix(int64(d)*86400+int64(sec)-8*3600, 0).UTC()
}

// officeDay moves a weekend day to the Friday before, mostly: the office
// is closed, though a few come in on duty days.
func officeDay(r *rand.Rand, d int) int {
	switch wd := (d + 4) % 7; { // 1970-01-01 was a Thursday; 0 is Sunday
	case wd == 6 && r.IntN(10) < 9:
		return d - 1
	case wd == 0 && r.IntN(10) < 9:
		return d - 2
	}
	return d
}

// anyTime returns a moment on day d weighted to the day (07:00–23:00
// mostly, the small hours now and then): when residents use the kiosk and
// the phone page, and when emergencies happen.
func anyTime(r *rand.Rand, d int) time.Time {
	sec := 7*3600 + r.IntN(16*3600)
	if r.IntN(10) == 0 {
		sec = r.IntN(24 * 3600)
	}
	return time.Unix(int64(d)*86400+int64(sec)-8*3600, 0).UTC()
}

// planGrid draws the grid's year of cases.
func (k *caseKit) planGrid(gi int, out []*casePlan) []*casePlan {
	cg := &k.src.grids[gi]
	r := rand.New(rand.NewPCG(mix(cg.gp.seed, streamCases), mix(cg.gp.seed, streamCases<<8)))
	nowDay := int(k.now.Unix() / 86400)
	n := 0
	from := k.now.AddDate(0, 0, -365)
	add := func(p *casePlan) {
		if !p.created.Before(k.now) || p.created.Before(from) || p.cat.Code == "" || len(cg.residents) == 0 {
			return
		}
		p.grid, p.order, p.seed = gi, len(out), r.Uint64()
		n++
		out = append(out, p)
	}
	say := func(code string) string {
		if s := caseSays[code]; len(s) > 0 {
			return s[r.IntN(len(s))]
		}
		return "申请办理" + k.cats[code].Name
	}
	reporter := func(res *resident, anon bool) casework.Reporter {
		if anon {
			rep := casework.Reporter{Anonymous: true}
			if r.IntN(2) == 0 {
				rep.Contact = res.phone
			}
			return rep
		}
		return casework.Reporter{Name: res.name, Contact: res.phone}
	}
	// The visits' problems and needs: registered by the assistant at the
	// household, during the visit.
	for _, v := range cg.visits {
		res := &cg.residents[v.resident]
		at := v.at.Add(time.Duration(3+r.IntN(30)) * time.Minute)
		for _, prob := range v.problems {
			vp, ok := visitProblems[prob]
			cat, have := k.cats[vp.code]
			if !ok || !have {
				continue
			}
			// Most are settled there and then (the assistant calls the
			// property manager, talks the neighbours round); what needs a
			// department goes to the community.
			m := casework.Coordination
			if x := r.IntN(100); vp.onSpot && x < 86 || x < 20 {
				m = casework.General
			}
			add(&casePlan{created: at, source: casework.SourceVisit, mech: m, cat: cat, res: res,
				reporter: reporter(res, false), opener: k.assistant(gi), desc: prob})
			at = at.Add(time.Duration(2+r.IntN(5)) * time.Minute)
		}
		// A small matter seen on the way (a broken light, clutter on the
		// stairs) is put right at once and registered; a hidden danger
		// now and then needs the community.
		if v.facility != "" && r.IntN(100) < 9 {
			add(&casePlan{created: at, source: casework.SourceVisit, mech: casework.General, cat: k.cats["P14"], res: res,
				reporter: reporter(res, false), opener: k.assistant(gi), desc: v.facility})
		}
		if v.danger == "邻里漏水纠纷" && r.IntN(100) < 60 {
			m := casework.General // talked round on the spot, mostly
			if r.IntN(100) < 30 {
				m = casework.Coordination
			}
			add(&casePlan{created: at, source: casework.SourceVisit, mech: m, cat: k.cats["P03"], res: res,
				reporter: reporter(res, false), opener: k.assistant(gi), desc: v.danger})
		} else if v.danger != "" {
			switch x := r.IntN(100); {
			case x < 10:
				add(&casePlan{created: at, source: casework.SourceVisit, mech: casework.General, cat: k.cats["P14"], res: res,
					reporter: reporter(res, false), opener: k.assistant(gi), desc: v.danger})
			case x < 15:
				if cat, ok := k.cats["P04"]; ok {
					add(&casePlan{created: at, source: casework.SourceVisit, mech: casework.Coordination, cat: cat, res: res,
						reporter: reporter(res, false), opener: k.assistant(gi), desc: v.danger})
				}
			}
		}
		if code, ok := visitNeeds[v.need]; ok && (code == "" && r.IntN(100) < 50 || code != "" && r.IntN(100) < 16) {
			p := &casePlan{created: at, source: casework.SourceVisit, res: res, reporter: reporter(res, false), opener: k.assistant(gi), desc: v.need}
			if code == "" {
				p.mech, p.cat = casework.General, k.cats["P14"]
			} else if cat, ok := k.cats[code]; ok && len(cat.Materials) > 0 {
				p.mech, p.cat = casework.Approval, cat
			}
			add(p) // not without a category: the catalogue may lack the entry
		}
		if v.alone && r.IntN(1000) < 15 {
			if cat, ok := k.cats["P07"]; ok {
				add(&casePlan{created: at, source: casework.SourceVisit, mech: casework.Emergency, cat: cat, res: res,
					reporter: reporter(res, false), opener: k.assistant(gi), desc: "入户探视发现独居老人身体不适，需紧急送医"})
			}
		}
	}
	// The rest: calls, the office, the kiosk, the phone page, departments,
	// about 30 a grid a year.
	others := 26 + r.IntN(10)
	for range others {
		d := nowDay - 1 - r.IntN(365)
		res := &cg.residents[r.IntN(len(cg.residents))]
		p := &casePlan{res: res}
		x := r.IntN(100)
		switch {
		case x < 34:
			p.source, p.created, p.opener = casework.SourcePhone, workTime(r, d), k.community(gi)
			switch y := r.IntN(100); {
			case y < 42:
				p.mech = casework.General
			case y < 86:
				p.mech = casework.Coordination
			case y < 96:
				p.mech = casework.Emergency
				p.created = anyTime(r, d)
			default:
				p.mech = casework.Approval
			}
			p.reporter = reporter(res, r.IntN(100) < 15)
		case x < 60:
			p.source, p.created, p.opener = casework.SourceWalkIn, workTime(r, officeDay(r, d)), k.community(gi)
			switch y := r.IntN(100); {
			case y < 50:
				p.mech = casework.General
			case y < 75:
				p.mech = casework.Coordination
			default:
				p.mech = casework.Approval
			}
			p.reporter = reporter(res, false)
		case x < 88:
			p.source, p.created, p.opener = casework.SourceResidentPage, anyTime(r, d), system
			if x >= 76 {
				p.source = casework.SourceKiosk
			}
			p.mech = casework.Coordination
			if r.IntN(100) < 9 {
				p.mech = casework.Emergency
			}
			p.reporter = reporter(res, r.IntN(100) < 25)
		default:
			// A department passes on what it found in its own line.
			p.source, p.created, p.mech = casework.SourceDepartment, workTime(r, officeDay(r, d)), casework.Coordination
			p.reporter = casework.Reporter{Anonymous: true}
		}
		var ok bool
		switch p.mech {
		case casework.General:
			p.cat, ok = k.pick(r, generalCats)
		case casework.Coordination:
			p.cat, ok = k.pick(r, coordCats)
		case casework.Emergency:
			p.cat, ok = k.pick(r, emergencyCats)
		case casework.Approval:
			p.cat, ok = k.pick(r, approvalCats)
		}
		if !ok {
			continue
		}
		if p.source == casework.SourceDepartment {
			rc := receiverOf(p.cat)
			p.opener = k.department(rc)
			p.reporter.Name = ""
		}
		p.desc = say(p.cat.Code)
		add(p)
	}
	// The demo's building head reports from his building now and then.
	if cg.headBuilding != 0 && k.ids["louyuanzhang"] != 0 {
		for range 8 + r.IntN(6) {
			res := &cg.residents[0]
			for i := range cg.residents {
				if cg.residents[i].building == cg.headBuilding {
					res = &cg.residents[i]
					break
				}
			}
			cat, ok := k.pick(r, coordCats)
			if !ok {
				break
			}
			head := casework.Actor{UserID: k.ids["louyuanzhang"], Role: wangge.RoleBuildingHead, ScopeCode: cg.gp.code}
			add(&casePlan{created: anyTime(r, nowDay-1-r.IntN(365)), source: casework.SourceResidentPage, mech: casework.Coordination,
				cat: cat, res: &resident{building: res.building, lng: res.lng, lat: res.lat}, opener: head,
				reporter: casework.Reporter{Name: cg.headName, Contact: cg.headPhone}, desc: say(cat.Code)})
		}
	}
	// Duplicates: some coordination problems are reported again by a
	// neighbour within hours, and the community merges the second report
	// into the first (并单).
	end := len(out)
	for i := end - n; i < end; i++ {
		p := out[i]
		if p.mech != casework.Coordination || r.IntN(100) >= 4 {
			continue
		}
		res := &cg.residents[r.IntN(len(cg.residents))]
		d := &casePlan{created: p.created.Add(time.Duration(20+r.IntN(300)) * time.Minute), source: casework.SourcePhone,
			cat: p.cat, res: res, reporter: reporter(res, r.IntN(100) < 20), opener: k.community(gi), desc: p.desc}
		d.mergeAt = d.created.Add(time.Duration(10+r.IntN(80)) * time.Minute)
		before := len(out)
		add(d)
		if len(out) > before {
			p.dups, d.joins = append(p.dups, d), p
		}
	}
	return out
}

// receiverOf is where a category's case is dispatched: its department.
func receiverOf(c casework.Category) casework.Receiver {
	return casework.Receiver{Kind: casework.ToDepartment, Line: c.Line, Name: c.Department}
}

// sim runs one case (and the duplicates merged into it) through the
// engine up to the reference date.
type sim struct {
	k       *caseKit
	p       *casePlan
	c       *casework.Case
	r       *rand.Rand
	t       time.Time // the last event's time
	stop    bool      // the reference date is reached: nothing more happens
	err     error
	pending []*casePlan
	extra   []*casework.Case // the duplicates, opened
}

func (k *caseKit) draft(p *casePlan) casework.Draft {
	d := casework.Draft{
		Number: p.number, Source: p.source, Category: p.cat, Mechanism: p.mech, Reporter: p.reporter, Description: p.desc,
		Location: casework.Location{GridCode: k.src.grids[p.grid].gp.code},
	}
	if p.res != nil {
		d.Location.HouseholdID, d.Location.BuildingID = p.res.household, p.res.building
		if p.res.lng != 0 {
			d.Location.Point = &casework.Point{Lng: p.res.lng, Lat: p.res.lat}
		}
	}
	if p.mech == "" {
		d.Mechanism = casework.Coordination
	}
	if p.mech == casework.General {
		done := caseDone[p.cat.Code]
		if len(done) == 0 {
			done = caseDone["P14"]
		}
		d.Done = done[int(p.seed%uint64(len(done)))]
	}
	if d.Category.Code == "P04" || d.Category.Code == "P11" && p.seed%3 == 0 {
		d.Priority = casework.PriorityHigh
	}
	d.Materials = p.materials
	return d
}

// run opens the case and takes its steps; it returns the case and the
// duplicates merged into it.
func (k *caseKit) run(p *casePlan) ([]*casework.Case, error) {
	s := &sim{k: k, p: p, r: rand.New(rand.NewPCG(p.seed, p.seed^0x5bd1e995))}
	for _, d := range p.dups {
		if d.number != "" {
			s.pending = append(s.pending, d)
		}
	}
	if p.mech == casework.Approval {
		// Most bring everything at once; some come back with the rest.
		if s.r.IntN(100) < 60 {
			p.materials = p.cat.Materials
		} else if n := len(p.cat.Materials); n > 1 {
			p.materials = p.cat.Materials[:n-1-s.r.IntN(n-1)]
		}
	}
	c, err := k.eng.Open(k.draft(p), p.opener, p.created)
	if err != nil {
		return nil, fmt.Errorf("synth: open %s (%s %s): %w", p.number, p.mech, p.cat.Code, err)
	}
	s.c, s.t = c, p.created
	switch p.mech {
	case casework.General:
		s.general(false)
	case casework.Coordination:
		s.coordination(false)
	case casework.Emergency:
		s.emergency()
	case casework.Approval:
		s.approval()
	}
	// Whatever comes before the reference date still happens: escalations
	// of a deadline that ran out, a merge.
	s.advance(k.now)
	for _, d := range s.pending {
		// Reported again too lately to be merged yet.
		s.alone(d)
	}
	if s.err != nil {
		return nil, s.err
	}
	return append([]*casework.Case{s.c}, s.extra...), nil
}

// act takes an action at a moment, after whatever falls due before it. It
// reports false once the reference date is reached (the case stays as it
// is) or an action was refused (an error GenerateCases returns).
func (s *sim) act(a casework.Actor, act casework.Action, at time.Time) bool {
	if s.stop || s.err != nil {
		return false
	}
	s.advance(at)
	// Times to the second, as people's actions are stamped.
	at = at.Truncate(time.Second)
	if !at.After(s.t) {
		at = s.t.Add(time.Duration(1+s.r.IntN(3)) * time.Minute)
	}
	if !at.Before(s.k.now) {
		s.stop = true
		return false
	}
	if _, err := s.k.eng.Apply(s.c, a, act, at); err != nil {
		s.err = fmt.Errorf("synth: case %s (%s %s): %s by %s at %s: %w", s.c.Number, s.c.Mechanism, s.c.State, act.Name, a.Role, at.Format(time.RFC3339), err)
		return false
	}
	s.t = at
	return true
}

// advance takes, in time order, what happens by itself before at: the
// server's escalation of a deadline that ran out (within minutes of it),
// and the community's merging of a duplicate.
func (s *sim) advance(at time.Time) {
	for s.err == nil {
		var esc, merge time.Time
		if d := s.c.Running(); d != nil && s.c.Level > wangge.LevelDistrict && s.c.State.Open() {
			esc = d.Due.Add(time.Duration(1+int(d.Due.Unix()%3)) * time.Minute)
		}
		if len(s.pending) > 0 {
			merge = s.pending[0].mergeAt
		}
		next := esc
		if next.IsZero() || !merge.IsZero() && merge.Before(next) {
			next = merge
		}
		if next.IsZero() || !next.Before(at) || !next.Before(s.k.now) {
			return
		}
		if next.Equal(merge) && !merge.IsZero() {
			s.merge(s.pending[0])
			s.pending = s.pending[1:]
			continue
		}
		if next.Before(s.t) {
			next = s.t.Add(time.Minute)
		}
		if _, err := s.k.eng.Apply(s.c, system, casework.Action{Name: casework.ActEscalate}, next); err != nil {
			s.err = fmt.Errorf("synth: case %s: escalate at %s: %w", s.c.Number, next.Format(time.RFC3339), err)
			return
		}
		s.t = next
	}
}

// merge opens a duplicate and, while the case it repeats is open, merges
// it in; otherwise the duplicate runs as a case of its own.
func (s *sim) merge(d *casePlan) {
	k := s.k
	dc, err := k.eng.Open(k.draft(d), d.opener, d.created)
	if err != nil {
		s.err = fmt.Errorf("synth: open duplicate %s: %w", d.number, err)
		return
	}
	at := d.mergeAt
	if !at.After(s.t) {
		at = s.t.Add(time.Minute)
	}
	if s.c.State.Open() && at.Before(k.now) {
		note := "与" + s.c.Number + "反映同一问题，并单办理"
		if _, err := k.eng.Apply(dc, k.community(d.grid), casework.Action{Name: casework.ActMerge, Note: note, Into: s.c}, at); err != nil {
			s.err = fmt.Errorf("synth: merge %s into %s: %w", d.number, s.c.Number, err)
			return
		}
		s.t = at
		s.extra = append(s.extra, dc)
		return
	}
	// The first case was done already: the second runs on its own.
	s.runAlone(d, dc, true)
}

// alone opens a duplicate that was not merged by the reference date: it
// waits at the community.
func (s *sim) alone(d *casePlan) {
	dc, err := s.k.eng.Open(s.k.draft(d), d.opener, d.created)
	if err != nil {
		s.err = fmt.Errorf("synth: open duplicate %s: %w", d.number, err)
		return
	}
	s.runAlone(d, dc, false)
}

func (s *sim) runAlone(d *casePlan, dc *casework.Case, work bool) {
	own := &sim{k: s.k, p: d, c: dc, t: d.created, r: rand.New(rand.NewPCG(d.seed, d.seed^0x5bd1e995))}
	if work {
		own.coordination(false)
	}
	own.advance(s.k.now)
	if own.err != nil {
		s.err = own.err
		return
	}
	s.extra = append(s.extra, dc)
}

// limitHours is a limit in working hours (seven a working day), or in
// minutes for a plain one.
func limitHours(d casework.Duration) float64 {
	switch d.Unit {
	case casework.WorkDays:
		return float64(d.N) * 7
	case casework.Minutes:
		return float64(d.N) / 60
	}
	return float64(d.N)
}

// limit is the time the case has for a step.
func (s *sim) limit(step casework.Step) casework.Duration {
	if (step == casework.StepHandle || step == casework.StepDecide) && s.c.Category.Limit.N > 0 {
		return s.c.Category.Limit
	}
	return s.k.eng.Limits[s.c.Mechanism][step]
}

// share draws the part of a step's time limit the work takes: most steps
// well within it, lateP in a hundred late (up to two and a half times the
// limit).
func (s *sim) share(lateP int) float64 {
	if s.r.IntN(100) < lateP {
		return 1.05 + 1.5*s.r.Float64()
	}
	x := s.r.Float64()
	return 0.03 + 0.8*x*x
}

// after returns when a step that takes share f of its limit is done,
// counted from the last event: in working hours for a working-time limit
// (people act while the office is open), plain time for minutes.
func (s *sim) after(step casework.Step, f float64) time.Time {
	lim := s.limit(step)
	if lim.Unit == casework.Minutes {
		return s.t.Add(time.Duration(f * float64(lim.N) * float64(time.Minute)))
	}
	h := max(1, int(math.Ceil(f*limitHours(lim))))
	at := s.k.eng.Clock.Add(s.t, casework.Duration{N: h, Unit: casework.WorkHours})
	at = at.Add(-time.Duration(s.r.IntN(40)) * time.Minute)
	if !at.After(s.t) {
		at = s.t.Add(time.Duration(5+s.r.IntN(20)) * time.Minute)
	}
	return at
}

// soon is a few minutes after the last event.
func (s *sim) soon(lo, hi int) time.Time {
	return s.t.Add(time.Duration(lo+s.r.IntN(hi-lo+1)) * time.Minute)
}

func (s *sim) say(xs []string) string { return xs[s.r.IntN(len(xs))] }

// tell feeds the outcome back to every reporter of the case (its own and
// the merged duplicates'), then closes it, and records the rating on most.
// onSpot tells at once, at the place the case was registered.
func (s *sim) tell(by, closer casework.Actor, onSpot bool) bool {
	late := 2
	if s.c.Mechanism == casework.Emergency {
		late = 0 // an emergency's people are told the same day
	}
	at := s.after(casework.StepFeedback, s.share(late))
	if onSpot {
		at = s.soon(1, 12)
	}
	for _, n := range s.c.Recipients() {
		rep := s.c.Reporter
		for _, d := range s.c.Duplicates {
			if d.Number == n {
				rep = d.Reporter
			}
		}
		act := casework.Action{Name: casework.ActFeedback, To: n, Note: s.say(toldSay)}
		switch {
		case onSpot && s.c.Source == casework.SourceWalkIn:
			act.Channel = casework.ChannelInPerson
		case onSpot && s.c.Source == casework.SourcePhone:
			act.Channel = casework.ChannelPhone // told on the call itself
		case onSpot:
			act.Channel = casework.ChannelVisit
		case rep.Contact == "" && rep.Anonymous:
			// Nobody to tell: recorded as such, which is what lets the
			// case close.
			act.NoContact, act.Note = true, ""
		case rep.Contact == "":
			act.Channel = casework.ChannelVisit // told at home
		case s.r.IntN(10) == 0:
			act.Channel = casework.ChannelSMS
		default:
			act.Channel = casework.ChannelPhone
		}
		if !s.act(by, act, at) {
			return false
		}
		at = s.soon(1, 6)
	}
	if !s.act(closer, casework.Action{Name: casework.ActClose}, s.soon(1, 5)) {
		return false
	}
	told := s.c.Reporter.Contact != "" || !s.c.Reporter.Anonymous
	if told && s.r.IntN(100) < 86 {
		at := s.soon(1, 4)
		if !onSpot {
			// The return visit (回访), a day or three later.
			at = s.k.eng.Clock.Add(s.t, casework.Duration{N: 2 + s.r.IntN(18), Unit: casework.WorkHours})
		}
		sat := casework.Satisfied
		switch x := s.r.IntN(100); {
		case x < 3 || x < 12 && s.c.Escalations > 0:
			sat = casework.Dissatisfied
		case x < 15:
			sat = casework.BasicallySatisfied
		}
		s.act(s.k.assistant(s.p.grid), casework.Action{Name: casework.ActSatisfaction, Satisfaction: sat}, at)
	}
	return true
}

// reopen takes a few closed cases up again: the problem came back and the
// community reopens at the reporter's request.
func (s *sim) reopen() bool {
	if s.stop || s.c.State != casework.Closed || s.r.IntN(1000) >= 15 {
		return false
	}
	at := s.k.eng.Clock.Add(s.t, casework.Duration{N: 7 * (2 + s.r.IntN(8)), Unit: casework.WorkHours})
	return s.act(s.k.community(s.p.grid), casework.Action{Name: casework.ActReopen, Note: "居民反映问题再次出现，重新办理"}, at)
}

// general: registered handled on the spot, told, closed; or, reopened,
// handled again by the assistant.
func (s *sim) general(again bool) {
	k, gi := s.k, s.p.grid
	by := s.p.opener
	if again {
		by = k.assistant(gi)
		if !s.act(by, casework.Action{Name: casework.ActHandle, Note: s.say(handledSay)}, s.after(casework.StepHandle, s.share(5))) {
			return
		}
	}
	onSpot := !again && s.r.IntN(100) < 85
	if !s.tell(by, by, onSpot) {
		return
	}
	if !again && s.reopen() {
		s.general(true)
	}
}

// coordination: dispatched, accepted (or returned and dispatched again),
// handled (perhaps deferred, supervised), verified (or sent back for
// rework), told, closed.
func (s *sim) coordination(again bool) {
	k, gi := s.k, s.p.grid
	comm := k.community(gi)
	rc := receiverOf(s.c.Category)
	if (rc.Line == wangge.LineCity || rc.Line == wangge.LineGeneral) && s.r.IntN(100) < 30 {
		rc = casework.Receiver{Kind: casework.ToOutside, Name: s.say(outsiders)}
	}
	worker := func(r casework.Receiver) casework.Actor {
		if r.Kind == casework.ToOutside {
			return comm // the community records the outside party's answers
		}
		return k.department(r)
	}
	if !s.act(comm, casework.Action{Name: casework.ActDispatch, Receiver: &rc}, s.after(casework.StepDispatch, s.share(3))) {
		return
	}
	if s.r.IntN(100) < 6 {
		if !s.act(worker(rc), casework.Action{Name: casework.ActReturn, Note: s.say(returnWhy)}, s.after(casework.StepAccept, s.share(3))) {
			return
		}
		next := otherDepts[s.r.IntN(len(otherDepts))]
		if next == rc {
			next = casework.Receiver{Kind: casework.ToOutside, Name: s.say(outsiders)}
		}
		rc = next
		if !s.act(comm, casework.Action{Name: casework.ActDispatch, Receiver: &rc}, s.after(casework.StepDispatch, s.share(3))) {
			return
		}
	}
	w := worker(rc)
	if !s.act(w, casework.Action{Name: casework.ActAccept}, s.after(casework.StepAccept, s.share(3))) {
		return
	}
	f := s.share(7)
	if s.r.IntN(1000) < 12 {
		f = 3 + 17*s.r.Float64() // a problem that drags on for weeks
	}
	if s.r.IntN(100) < 4 || f > 1 && s.r.IntN(3) == 0 {
		// Supervision (督办) from the sub-district, on a case that takes
		// long: sometimes with a tighter deadline.
		sup := casework.Action{Name: casework.ActSupervise, Note: s.say(superviseSay)}
		at := s.after(casework.StepHandle, min(f, 1)*0.6)
		s.advance(at)
		if d := s.c.Running(); d != nil && s.r.IntN(10) < 3 && d.Due.Sub(at) > 4*time.Hour {
			sup.Due = at.Add(d.Due.Sub(at) / 2)
		}
		if !s.act(k.subdistrict(gi), sup, at) {
			return
		}
	}
	if s.r.IntN(100) < 3 {
		// A deferral (缓办), asked by whoever works the case and granted
		// (mostly) by the sub-district.
		at := s.after(casework.StepHandle, 0.5)
		s.advance(at)
		d := s.c.Running()
		if d == nil {
			return
		}
		until := k.eng.Clock.Add(d.Due, casework.Duration{N: 3 + s.r.IntN(8), Unit: casework.WorkDays})
		if !s.act(w, casework.Action{Name: casework.ActDefer, Note: s.say(deferWhy), Due: until}, at) {
			return
		}
		decide := casework.Action{Name: casework.ActApproveDefer}
		if s.r.IntN(100) < 15 {
			decide = casework.Action{Name: casework.ActRejectDefer, Note: "延期理由不充分，请按原时限办结"}
		}
		if !s.act(k.subdistrict(gi), decide, k.eng.Clock.Add(s.t, casework.Duration{N: 1 + s.r.IntN(6), Unit: casework.WorkHours})) {
			return
		}
		f = 0.2 + 0.6*s.r.Float64()
	}
	for round := 0; ; round++ {
		if !s.act(w, casework.Action{Name: casework.ActHandle, Note: s.say(handledSay)}, s.after(casework.StepHandle, f)) {
			return
		}
		verifyAt := s.after(casework.StepVerify, s.share(2))
		if round == 0 && s.r.IntN(100) < 5 {
			if !s.act(comm, casework.Action{Name: casework.ActRework, Note: s.say(reworkWhy)}, verifyAt) {
				return
			}
			f = s.share(5) * 0.5
			continue
		}
		if !s.act(comm, casework.Action{Name: casework.ActVerify, Note: "经现场核查，问题已解决"}, verifyAt) {
			return
		}
		break
	}
	if !s.tell(k.assistant(gi), comm, false) {
		return
	}
	if !again && s.reopen() {
		s.coordination(true)
	}
}

// emergency: acknowledged within minutes (rarely too late, and then
// escalated), handled within the hour or two, told, closed.
func (s *sim) emergency() {
	k, gi := s.k, s.p.grid
	comm := k.community(gi)
	ack := s.soon(1, 9)
	if s.r.IntN(10000) < 15 {
		ack = s.soon(12, 25)
	}
	if !s.act(comm, casework.Action{Name: casework.ActAcknowledge, Note: "已通知协理员赶赴现场，并联系相关部门"}, ack) {
		return
	}
	by := k.assistant(gi)
	if !s.act(by, casework.Action{Name: casework.ActHandle, Note: "已联系120/119/110到场处置，现场已处理完毕"}, s.after(casework.StepHandle, 0.1+0.7*s.r.Float64())) {
		return
	}
	s.tell(by, comm, false)
}

// approval: materials handed in (at once or after a few days), decided
// along the chain (approved mostly; a few returned for materials or
// rejected), the applicant told, closed.
func (s *sim) approval() {
	k, gi := s.k, s.p.grid
	comm, sub := k.community(gi), k.subdistrict(gi)
	by := s.p.opener
	submit := func(later bool) bool {
		at := s.soon(5, 40)
		if later || len(s.c.Materials) < len(s.c.Category.Materials) {
			at = k.eng.Clock.Add(s.t, casework.Duration{N: 7 * (1 + s.r.IntN(5)), Unit: casework.WorkHours})
		}
		return s.act(by, casework.Action{Name: casework.ActSubmit, Materials: s.c.Category.Materials}, at)
	}
	if !submit(false) {
		return
	}
	for s.c.State == casework.Pending {
		decider, ok := comm, "材料齐全，符合条件，同意上报"
		if s.c.Step > 0 {
			decider, ok = sub, "经审核符合条件，予以批准"
		}
		at := s.after(casework.StepDecide, s.share(5))
		x := s.r.IntN(100)
		var act casework.Action
		switch {
		case x < 4:
			act = casework.Action{Name: casework.ActReturn, Note: "材料不全，请补充收入证明"}
		case x < 5 || s.c.Step > 0 && x < 10:
			act = casework.Action{Name: casework.ActReject, Note: "经入户核查，不符合办理条件"}
		default:
			act = casework.Action{Name: casework.ActApprove, Note: ok}
		}
		if !s.act(decider, act, at) {
			return
		}
		if s.c.State == casework.Collecting && !submit(true) {
			return
		}
	}
	s.tell(by, comm, false)
}
