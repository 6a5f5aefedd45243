package storetest

import "github.com/wangge/wangge"

// Fixture is a small synthetic district: the region tree of the constants
// above, a building per grid, households and persons. Names are invented.
//
//	grid A1: building BA1 (seq 1) with households HA1 (persons PA1 head, PA1b
//	         spouse) and HA1b (empty)
//	grid A2: building BA2 with household HA2 (person PA2)
//	grid B1: building BB1 with household HB1 (person PB1)
type Fixture struct {
	BA1, BA2, BB1       *wangge.Building
	HA1, HA1b, HA2, HB1 *wangge.Household
	PA1, PA1b, PA2, PB1 *wangge.Person
	IDNumber, Phone     map[int64]string // plain values by person id
}

// fixture builds the district in e's database.
func (e *env) fixture() *Fixture {
	e.t.Helper()
	e.area(District, "示范城区")
	e.area(Subdistrict, "示范街道")
	e.area(CommunityA, "东苑社区")
	e.area(CommunityB, "西苑社区")
	e.area(GridA1, "东苑第一网格")
	e.area(GridA2, "东苑第二网格")
	e.area(GridB1, "西苑第一网格")
	f := &Fixture{IDNumber: map[int64]string{}, Phone: map[int64]string{}}
	f.BA1 = e.building(GridA1, "东苑1号楼")
	f.BA2 = e.building(GridA2, "东苑2号楼")
	f.BB1 = e.building(GridB1, "西苑1号楼")
	f.HA1 = e.household(f.BA1.ID, "101")
	f.HA1b = e.household(f.BA1.ID, "102")
	f.HA2 = e.household(f.BA2.ID, "201")
	f.HB1 = e.household(f.BB1.ID, "301")
	add := func(hh int64, name string, rel wangge.Relation) *wangge.Person {
		p, id, phone := e.person(hh, name, rel)
		f.IDNumber[p.ID], f.Phone[p.ID] = id, phone
		return p
	}
	f.PA1 = add(f.HA1.ID, "测试甲一", wangge.RelHead)
	f.PA1b = add(f.HA1.ID, "测试甲二", wangge.RelSpouse)
	f.PA2 = add(f.HA2.ID, "测试乙一", wangge.RelHead)
	f.PB1 = add(f.HB1.ID, "测试丙一", wangge.RelHead)
	return f
}
