package synth

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/wangge/wangge"
)

// layVisits draws the year's visits of the grid's assistant: to most
// households one to four times (about 8% were never reached, and half of the
// households whose members live elsewhere), more often to elderly people
// living alone and special-service households; and once to most units.
// Visits fall on working days in working hours, Beijing time.
func (g *generator) layVisits(gp *gridPlan, assistant int64) {
	r := g.r
	g.visits = g.visits[:0]
	for i := range g.hinfo {
		info := &g.hinfo[i]
		n := 0
		switch x := r.IntN(100); {
		case info.absent && x < 50, x < 8:
		case x < 33:
			n = 1
		case x < 63:
			n = 2
		case x < 85:
			n = 3
		default:
			n = 4
		}
		extra := 0
		if info.alone {
			extra += 2 + r.IntN(3)
		}
		if info.special {
			extra += 3
		}
		for k := range n + extra {
			purpose := purposesGeneral[r.IntN(len(purposesGeneral))]
			switch {
			case k == 0:
				purpose = "入户走访"
			case k >= n && info.alone:
				purpose = "独居老人探视"
			case k >= n:
				purpose = "编码服务回访"
			case info.aid && r.IntN(3) == 0:
				purpose = "低保复核"
			case info.disabled && r.IntN(3) == 0:
				purpose = "残疾人回访"
			case info.floating && r.IntN(3) == 0:
				purpose = "流动人口信息核查"
			}
			id := info.id
			v := g.visit(r, gp, assistant, purpose)
			v.HouseholdID = &id
			g.visits = append(g.visits, v)
		}
	}
	for _, u := range g.units {
		if r.IntN(10) < 8 {
			id := u.ID
			v := g.visit(r, gp, assistant, purposesUnit[r.IntN(len(purposesUnit))])
			v.UnitID = &id
			g.visits = append(g.visits, v)
		}
	}
	slices.SortStableFunc(g.visits, func(a, b *wangge.Visit) int { return a.At.Compare(b.At) })
	for _, v := range g.visits {
		g.ids.visit++
		v.ID = g.ids.visit
	}
}

// visit draws one visit without its target or id.
func (g *generator) visit(r *rand.Rand, gp *gridPlan, assistant int64, purpose string) *wangge.Visit {
	d := g.nowDay - 1 - r.IntN(365)
	switch wd := (d + 4) % 7; { // 1970-01-01 was a Thursday; 0 is Sunday
	case wd == 6 && r.IntN(10) < 9:
		d-- // Saturday → Friday
	case wd == 0 && r.IntN(10) < 9:
		d -= 2 // Sunday → Friday
	}
	// 08:30–11:30 or 14:30–17:30 Beijing time.
	sec := 8*3600 + 1800 + r.IntN(3*3600)
	if r.IntN(2) == 0 {
		sec += 6 * 3600
	}
	at := time.Unix(int64(d)*86400+int64(sec)-8*3600, 0).UTC()
	v := &wangge.Visit{
		AssistantID: assistant, GridCode: gp.code, At: at, Purpose: purpose,
		Version: 1, CreatedAt: at.Add(time.Duration(5+r.IntN(115)) * time.Minute),
	}
	c := &v.Clears
	pick := func(pool []string) string {
		if r.IntN(100) < 12 {
			return pool[r.IntN(len(pool))]
		}
		return ""
	}
	c.Household, c.Categories, c.Facilities = pick(clearsHousehold), pick(clearsCategory), pick(clearsFacility)
	c.Dangers, c.Needs, c.HotIssues = pick(clearsDanger), pick(clearsNeeds), pick(clearsHot)
	if x := r.IntN(100); x < 11 {
		v.Problems = []string{problems[r.IntN(len(problems))]}
		if x < 2 {
			if p := problems[r.IntN(len(problems))]; p != v.Problems[0] {
				v.Problems = append(v.Problems, p)
			}
		}
		v.Note = visitNotes[r.IntN(len(visitNotes))]
	}
	return v
}
