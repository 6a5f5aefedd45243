package synth

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

var (
	floatReasons   = [...]string{"务工经商", "随迁家属", "投亲靠友", "学习培训", "其他"}
	jobWishes      = fields("保安 保洁 餐饮服务 驾驶员 仓储物流 家政服务 电工 销售 收银 快递配送")
	trainingWishes = fields("电工证培训 育婴师 养老护理员 电商运营 中式烹调 汽车驾驶")
	specialNeeds   = fields("助餐 陪同就医 代购代办 心理疏导 上门理发 家政保洁 康复训练 学业辅导")
	helperTitles   = [...]string{"社区民警", "社区干部", "网格协理员", "司法所干警"}
)

// Disability types in GB/T 26341 order (视力 1 … 多重 7) with weights.
var disabilityTypes = [...]struct {
	zh string
	w  int
}{{"视力", 14}, {"听力", 20}, {"言语", 2}, {"肢体", 36}, {"智力", 8}, {"精神", 8}, {"多重", 12}}

var disabilityLevels = [...]struct {
	zh string
	w  int
}{{"一级", 10}, {"二级", 20}, {"三级", 28}, {"四级", 42}}

// day returns the day number (days since 1970) of a UTC midnight.
func day(t time.Time) int { return int(t.Unix() / 86400) }

// member appends a membership. joined and left are day numbers; left 0 means
// the membership lasts.
func (g *generator) member(gp *gridPlan, p *wangge.Person, group wangge.KeyGroup, attrs map[string]string, joined, left int, created time.Time) {
	g.ids.membership++
	m := &wangge.Membership{
		ID: g.ids.membership, PersonID: p.ID, GridCode: gp.code, Group: group, Attrs: attrs,
		Joined: dayTime(joined), Version: 1,
	}
	if j := m.Joined.Add(10 * time.Hour); created.Before(j) {
		created = j
	}
	m.CreatedAt, m.UpdatedAt = created, created
	if left != 0 {
		t := dayTime(left)
		m.Left = &t
		m.UpdatedAt = t.Add(10 * time.Hour)
		if m.UpdatedAt.Before(created) {
			m.UpdatedAt = created
		}
	}
	g.members = append(g.members, m)
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// personGroups adds the person's key-group memberships, current and past.
func (g *generator) personGroups(gp *gridPlan, p *wangge.Person, m *member, hc *hhContext, info *householdInfo) {
	r := g.r
	age := m.age
	born := day(p.BirthDate)
	created := hc.created

	if p.Kind == wangge.ResidentFloating {
		arrived := max(hc.arrived, born)
		reason := floatReasons[1]
		if m.rel == wangge.RelHead || m.rel == wangge.RelOther {
			switch x := r.IntN(100); {
			case x < 80:
				reason = floatReasons[0]
			case x < 90:
				reason = floatReasons[2]
			case x < 95:
				reason = floatReasons[3]
			default:
				reason = floatReasons[4]
			}
		}
		permit := "未办理"
		if r.IntN(100) < 65 {
			permit = "已办理"
		}
		g.member(gp, p, wangge.GroupFloating, map[string]string{
			"origin": birthplaces[hc.bp].province, "arrived": dateString(arrived), "permit": permit, "reason": reason,
		}, arrived, 0, created)
	}

	switch {
	case p.Employment == wangge.EmployUnemployed:
		since := g.nowDay - 20 - r.IntN(700)
		a := map[string]string{"registered": "未登记", "wish": jobWishes[r.IntN(len(jobWishes))]}
		if r.IntN(10) < 7 {
			a["registered"] = "已登记"
			a["registered_on"] = dateString(since)
			a["benefit"] = boolString(r.IntN(10) < 4)
		}
		if r.IntN(3) == 0 {
			a["training"] = trainingWishes[r.IntN(len(trainingWishes))]
		}
		g.member(gp, p, wangge.GroupUnemployed, a, since, 0, created)
	case p.Employment == wangge.EmployEmployed && age >= 23 && age <= 55 && r.IntN(100) < 6:
		// Out of work once, back in work now.
		since := g.nowDay - 400 - r.IntN(1800)
		left := min(since+60+r.IntN(480), g.nowDay-30)
		g.member(gp, p, wangge.GroupUnemployed, map[string]string{
			"registered": "已登记", "registered_on": dateString(since), "benefit": boolString(r.IntN(2) == 0),
			"wish": jobWishes[r.IntN(len(jobWishes))],
		}, since, left, created)
	}

	pd := 40
	switch {
	case age < 18:
		pd = 15
	case age >= 60:
		pd = 140
	}
	if r.IntN(1000) < pd {
		t := pickWeighted(r, len(disabilityTypes), func(i int) int { return disabilityTypes[i].w })
		l := pickWeighted(r, len(disabilityLevels), func(i int) int { return disabilityLevels[i].w })
		subsidy := "未享受"
		switch {
		case l <= 1:
			subsidy = [...]string{"护理补贴", "两项均享受"}[r.IntN(2)]
		case r.IntN(4) == 0:
			subsidy = "生活补贴"
		}
		// 残疾人证号: the ID number, the type and the level.
		cert := p.IDNumber + string([]byte{byte('1' + t), byte('1' + l)})
		joined := min(max(born+365, g.nowDay-r.IntN(15*365)), g.nowDay-1)
		g.member(gp, p, wangge.GroupDisabled, map[string]string{
			"type": disabilityTypes[t].zh, "level": disabilityLevels[l].zh, "certificate": cert, "subsidy": subsidy,
		}, joined, 0, created)
		info.disabled = true
		if l <= 1 && m.rel == wangge.RelHead {
			hc.severe = true
		}
	}

	if p.Employment == wangge.EmployRetired && age >= 50 && r.IntN(100) < 31 {
		at := 60
		if m.sex == ident.SexFemale {
			at = 50
			if age >= 55 && r.IntN(2) == 0 {
				at = 55
			}
		}
		retired := day(p.BirthDate.AddDate(at, 0, 0))
		g.member(gp, p, wangge.GroupRetiree, map[string]string{
			"employer": formerEmployers[r.IntN(len(formerEmployers))], "retired_on": dateString(retired),
			"certified": boolString(r.IntN(100) < 85),
		}, retired, 0, created)
	}

	if age >= 60 {
		sixty := day(p.BirthDate.AddDate(60, 0, 0))
		if hc.allElderly {
			living := "空巢"
			if hc.n == 1 {
				living = "独居"
			}
			g.member(gp, p, wangge.GroupElderly, map[string]string{
				"living": living, "care": careNeed(r, age), "allowance": boolString(age >= 80),
			}, sixty, 0, created)
		} else if m.rel == wangge.RelParent && hc.comp.st == stWithParent && r.IntN(10) < 3 {
			// Lived alone until moving in with the family.
			left := g.nowDay - 200 - r.IntN(1200)
			if left > sixty {
				g.member(gp, p, wangge.GroupElderly, map[string]string{
					"living": "独居", "care": careNeed(r, age), "allowance": boolString(age >= 80),
				}, sixty, left, created)
			}
		}
	}

	if age >= 18 && age <= 65 {
		pr := 3
		if m.sex == ident.SexMale {
			pr = 18
		}
		if r.IntN(10000) < pr {
			released := max(g.nowDay-1-r.IntN(5*365), day(p.BirthDate.AddDate(18, 0, 0)))
			until := day(dayTime(released).AddDate(5, 0, 0))
			placement := [...]string{"已就业", "未就业", "自谋职业"}[r.IntN(3)]
			helper := helperTitles[r.IntN(len(helperTitles))] + personName(r, r.IntN(2), 1980, surname(r))
			g.member(gp, p, wangge.GroupReleased, map[string]string{
				"released_on": dateString(released), "until": dateString(until), "placement": placement, "helper": helper,
			}, released, 0, created)
		}
	}

	if m.sex == ident.SexFemale && age >= 15 && age <= 49 {
		joined := day(p.BirthDate.AddDate(15, 0, 0))
		if p.Kind == wangge.ResidentFloating {
			joined = max(joined, hc.arrived)
		}
		g.member(gp, p, wangge.GroupChildbearing, map[string]string{
			"married": maritalZh[m.marital], "children": strconv.Itoa(int(m.kids)),
		}, joined, 0, created)
	}
}

func careNeed(r *rand.Rand, age int) string {
	x := r.IntN(100)
	a, b := 92, 98
	switch {
	case age >= 85:
		a, b = 60, 88
	case age >= 75:
		a, b = 80, 95
	}
	switch {
	case x < a:
		return "自理"
	case x < b:
		return "半失能"
	}
	return "失能"
}

// pickWeighted returns i in [0, n) with probability w(i) / Σw.
func pickWeighted(r *rand.Rand, n int, w func(int) int) int {
	t := 0
	for i := range n {
		t += w(i)
	}
	x := r.IntN(t)
	for i := range n {
		if x < w(i) {
			return i
		}
		x -= w(i)
	}
	return n - 1
}

// householdGroups adds the memberships that belong to the household and are
// recorded on its head: state aid and special (coded) service.
func (g *generator) householdGroups(gp *gridPlan, head *wangge.Person, m *member, hc *hhContext, info *householdInfo) {
	r := g.r
	created := hc.created
	if !hc.comp.floating() {
		pa := 14
		switch hc.comp.st {
		case stSingleElder:
			pa = 40
		case stSingleParent:
			pa = 100
		case stSingleAdult, stWithParent:
			pa = 30
		}
		if r.IntN(1000) < pa {
			typ := "城市低保"
			switch x := r.IntN(100); {
			case x >= 90:
				typ = "临时救助"
			case x >= 82 && hc.n == 1:
				typ = "特困供养"
			case x >= 70:
				typ = "低保边缘"
			}
			since := g.nowDay - 30 - r.IntN(8*365)
			members := hc.n
			if typ == "特困供养" {
				members = 1
			}
			amount := members * (30 + r.IntN(41)) * 10
			g.member(gp, head, wangge.GroupAid, map[string]string{
				"type": typ, "since": dateString(since), "amount": strconv.Itoa(amount), "members": strconv.Itoa(members),
			}, since, 0, created)
			info.aid = true
		} else if r.IntN(100) == 0 {
			// Received 低保 for a while, some years ago.
			since := g.nowDay - 3*365 - r.IntN(5*365)
			left := min(since+365+r.IntN(730), g.nowDay-30)
			g.member(gp, head, wangge.GroupAid, map[string]string{
				"type": "城市低保", "since": dateString(since), "amount": strconv.Itoa(hc.n * (30 + r.IntN(41)) * 10),
				"members": strconv.Itoa(hc.n),
			}, since, left, created)
		}
	}

	ps, code, reason := 5, "蓝", "其他"
	switch {
	case info.alone && m.age >= 75:
		ps, code, reason = 150, "黄", "独居老人"
		if m.age >= 85 {
			code = "红"
		}
	case hc.severe:
		ps, code, reason = 200, "红", "重度残疾"
	case info.aid:
		ps, code, reason = 250, "黄", "低保家庭"
	case hc.comp.st == stElderCouple:
		ps, reason = 12, "失独家庭"
	case hc.comp.st == stSingleParent:
		ps, reason = 40, "困境儿童"
	}
	if r.IntN(1000) < ps {
		freq := "每月"
		switch code {
		case "红":
			freq = [...]string{"每日", "每周"}[r.IntN(2)]
		case "黄":
			freq = "每周"
		}
		g.member(gp, head, wangge.GroupSpecial, map[string]string{
			"code": code, "reason": reason, "frequency": freq, "needs": specialNeeds[r.IntN(len(specialNeeds))],
		}, g.nowDay-1-r.IntN(3*365), 0, created)
		info.special = true
	}
}
