package synth

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

// Unit kinds with weights (per cent).
var unitKindWeights = [...]struct {
	kind wangge.UnitKind
	w    int
}{
	{wangge.UnitEnterprise, 40}, {wangge.UnitIndividual, 22}, {wangge.UnitInstitution, 12},
	{wangge.UnitSocialOrg, 10}, {wangge.UnitProperty, 10}, {wangge.UnitGovernment, 6},
}

// layUnits draws the grid's resident units.
func (g *generator) layUnits(gp *gridPlan, cp *commPlan, created time.Time) {
	r := g.r
	g.units = g.units[:0]
	for range gp.units {
		k := unitKindWeights[pickWeighted(r, len(unitKindWeights), func(i int) int { return unitKindWeights[i].w })].kind
		name, authority := g.unitName(r, k, cp)
		g.ids.unit++
		u := &wangge.Unit{
			ID: g.ids.unit, GridCode: gp.code, Name: name, Kind: k,
			CreditCode:  g.creditCode(r, authority),
			ContactName: personName(r, r.IntN(2), 1960+r.IntN(40), surname(r)),
			Version:     1, CreatedAt: created, UpdatedAt: created,
		}
		if k == wangge.UnitGovernment || k == wangge.UnitInstitution || r.IntN(5) == 0 {
			u.ContactPhone = landline(r)
		} else {
			u.ContactPhone = mobile(r)
		}
		if r.IntN(2) == 0 {
			b := g.buildings[r.IntN(len(g.buildings))]
			id := b.ID
			u.BuildingID, u.Address = &id, b.Address
		} else {
			u.Address = gp.addrStreets[r.IntN(len(gp.addrStreets))] + strconv.Itoa(1+r.IntN(300)) + "号"
		}
		var pParty, share int // per cent
		switch k {
		case wangge.UnitEnterprise:
			u.Headcount = 5 + int(r.ExpFloat64()*40)
			pParty, share = 30, 10
			if u.Headcount < 10 {
				pParty = 0
			}
		case wangge.UnitIndividual:
			u.Headcount = 1 + r.IntN(8)
		case wangge.UnitInstitution:
			u.Headcount = 20 + r.IntN(130)
			pParty, share = 85, 30
		case wangge.UnitGovernment:
			u.Headcount = 10 + r.IntN(70)
			pParty, share = 100, 55
		case wangge.UnitSocialOrg:
			u.Headcount = 3 + r.IntN(28)
			pParty, share = 30, 25
		case wangge.UnitProperty:
			u.Headcount = 8 + r.IntN(53)
			pParty, share = 40, 10
		}
		if r.IntN(100) < pParty {
			u.PartyOrg = "中共" + name + "支部委员会"
			if r.IntN(3) == 0 {
				u.PartyOrg = "中共" + name + "党支部"
			}
			// A branch needs at least three members; every kind that has
			// one has at least five people.
			u.PartyMembers = min(max(3, u.Headcount*(share/2+r.IntN(share+1))/100), u.Headcount)
		}
		g.units = append(g.units, u)
	}
}

// unitName draws a name for a unit of kind k that no other unit has, and
// returns it with the first two characters of its credit code (registration
// authority and organisation type).
func (g *generator) unitName(r *rand.Rand, k wangge.UnitKind, cp *commPlan) (string, string) {
	for try := 0; ; try++ {
		name, authority := unitNameOnce(r, k, cp)
		if try > 0 && try%8 == 0 {
			name += "第" + strconv.Itoa(try/8+1) + "分部"
		}
		if !g.unitNames[name] {
			g.unitNames[name] = true
			return name, authority
		}
	}
}

func trade(r *rand.Rand) string {
	a, b := tradeA[r.IntN(len(tradeA))], tradeB[r.IntN(len(tradeB))]
	for a == b {
		b = tradeB[r.IntN(len(tradeB))]
	}
	return a + b
}

func unitNameOnce(r *rand.Rand, k wangge.UnitKind, cp *commPlan) (string, string) {
	switch k {
	case wangge.UnitEnterprise:
		return "长治市" + DistrictName + trade(r) + industries[r.IntN(len(industries))] + "有限公司", "91"
	case wangge.UnitIndividual:
		return DistrictName + trade(r) + shops[r.IntN(len(shops))], "92"
	case wangge.UnitInstitution:
		switch r.IntN(5) {
		case 0:
			return DistrictName + cp.stem + "小学", "12"
		case 1:
			return DistrictName + cp.stem + "幼儿园", "12"
		case 2:
			return cp.name + "卫生服务站", "12"
		case 3:
			return DistrictName + cp.stem + "中学", "12"
		}
		return DistrictName + "图书馆" + cp.stem + "分馆", "12"
	case wangge.UnitGovernment:
		if r.IntN(3) == 0 {
			return "长治市公安局" + DistrictName + "分局" + cp.stem + "派出所", "11"
		}
		return DistrictName + govDepts[r.IntN(len(govDepts))] + cp.stem + "工作站", "11"
	case wangge.UnitSocialOrg:
		switch r.IntN(4) {
		case 0:
			return cp.name + "老年人协会", "51"
		case 1:
			return cp.name + "志愿服务队", "51"
		case 2:
			return cp.name + "居家养老服务中心", "52"
		}
		return DistrictName + trade(r) + "社会工作服务中心", "52"
	}
	return "长治市" + trade(r) + "物业服务有限公司", "91"
}

// creditCode builds a unified social credit code: the authority and type,
// the district's code, a random 9-character organisation code and the check
// character. Codes are unique in the district.
func (g *generator) creditCode(r *rand.Rand, authority string) string {
	for {
		var b [17]byte
		copy(b[:], authority)
		copy(b[2:], DistrictCode)
		for i := 8; i < 17; i++ {
			b[i] = ident.CreditAlphabet[r.IntN(len(ident.CreditAlphabet))]
		}
		code := string(ident.MakeCreditCode(string(b[:])))
		if !g.creditSeen[code] {
			g.creditSeen[code] = true
			return code
		}
	}
}
