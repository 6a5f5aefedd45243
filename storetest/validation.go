package storetest

import (
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

var validationTests = []test{
	{"ValidationErrorsNameTheFieldInBothLanguages", testValidation},
}

func testValidation(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	as := e.assistant("协理员甲")
	good := e.newID(ident.SexMale)
	badCheck := good[:17] + string("0123456789X"[(indexOf("0123456789X", good[17])+1)%11])
	future := string(ident.MakeID("149901", time.Now().AddDate(1, 0, 0), 1, ident.SexMale))
	code := e.newCreditCode()
	badCode := code[:17] + string(ident.CreditAlphabet[(indexOf(ident.CreditAlphabet, code[17])+1)%len(ident.CreditAlphabet)])
	person := func(mod func(p *wangge.Person)) error {
		p := &wangge.Person{HouseholdID: f.HA1b.ID, Name: "测试", IDNumber: e.newID(ident.SexMale)}
		mod(p)
		return e.db.CreatePerson(ctx, wangge.ScopeAll(), p)
	}
	unit := func(mod func(u *wangge.Unit)) error {
		u := &wangge.Unit{GridCode: GridA1, Name: "单位", Kind: wangge.UnitEnterprise}
		mod(u)
		return e.db.CreateUnit(ctx, wangge.ScopeAll(), u)
	}
	member := func(g wangge.KeyGroup, attrs map[string]string) error {
		return e.db.CreateMembership(ctx, wangge.ScopeAll(), &wangge.Membership{PersonID: f.PA1.ID, Group: g, Attrs: attrs})
	}
	existing, err := e.db.Person(ctx, wangge.ScopeAll(), f.PA2.ID)
	ok(t, err)

	cases := []struct {
		name  string
		field string
		do    func() error
	}{
		{"IDNumberWithABadCheckDigit", "id_number", func() error { return person(func(p *wangge.Person) { p.IDNumber = badCheck }) }},
		{"IDNumberOf15DigitsWithNoSuchDate", "id_number", func() error { return person(func(p *wangge.Person) { p.IDNumber = "149901890229071" }) }},
		{"IDNumberBornInTheFuture", "id_number", func() error { return person(func(p *wangge.Person) { p.IDNumber = future }) }},
		{"IDNumberMissing", "id_number", func() error { return person(func(p *wangge.Person) { p.IDNumber = "" }) }},
		{"UpdateToABadIDNumber", "id_number", func() error {
			c := *existing
			c.IDNumber = badCheck
			return e.db.UpdatePerson(ctx, wangge.ScopeAll(), &c)
		}},
		{"PersonPhone", "phone", func() error { return person(func(p *wangge.Person) { p.Phone = "12345" }) }},
		{"PersonMobileWithABadPrefix", "phone", func() error { return person(func(p *wangge.Person) { p.Phone = "11012345678" }) }},
		{"UnknownRelation", "relation", func() error { return person(func(p *wangge.Person) { p.Relation = "cousin" }) }},
		{"UnknownResidenceKind", "kind", func() error { return person(func(p *wangge.Person) { p.Kind = "tourist" }) }},
		{"UnknownEmployment", "employment", func() error { return person(func(p *wangge.Person) { p.Employment = "astronaut" }) }},
		{"PersonWithoutName", "name", func() error { return person(func(p *wangge.Person) { p.Name = "" }) }},
		{"CreditCodeWithABadCheckChar", "credit_code", func() error { return unit(func(u *wangge.Unit) { u.CreditCode = badCode }) }},
		{"CreditCodeWithTheLetterO", "credit_code", func() error { return unit(func(u *wangge.Unit) { u.CreditCode = "91140499MA0O12345X" }) }},
		{"UnitContactPhone", "contact_phone", func() error { return unit(func(u *wangge.Unit) { u.ContactPhone = "0355-012345" }) }},
		{"UnitKind", "kind", func() error { return unit(func(u *wangge.Unit) { u.Kind = "shop" }) }},
		{"UnitPartyMembersOverHeadcount", "party_members", func() error {
			return unit(func(u *wangge.Unit) { u.Headcount, u.PartyMembers = 3, 5 })
		}},
		{"HouseholdPhone", "phone", func() error {
			return e.db.CreateHousehold(ctx, wangge.ScopeAll(), &wangge.Household{BuildingID: f.BA1.ID, Room: "1", Kind: wangge.ResidentRegistered, Phone: "phone"})
		}},
		{"HouseholdWithoutRoom", "room", func() error {
			return e.db.CreateHousehold(ctx, wangge.ScopeAll(), &wangge.Household{BuildingID: f.BA1.ID, Kind: wangge.ResidentRegistered})
		}},
		{"AssistantPhone", "phone", func() error { return e.db.CreateAssistant(ctx, &wangge.Assistant{Name: "甲", Phone: "999"}) }},
		{"MembershipMissingARequiredAttribute", "attrs.origin", func() error { return member(wangge.GroupFloating, map[string]string{"reason": "务工经商"}) }},
		{"MembershipMissingTheSecondRequiredAttribute", "attrs.level", func() error { return member(wangge.GroupDisabled, map[string]string{"type": "肢体"}) }},
		{"MembershipWithAnUnknownAttribute", "attrs.shoe_size", func() error {
			return member(wangge.GroupElderly, map[string]string{"living": "独居", "shoe_size": "42"})
		}},
		{"MembershipWithABadEnumValue", "attrs.living", func() error { return member(wangge.GroupElderly, map[string]string{"living": "月球"}) }},
		{"MembershipWithABadDate", "attrs.released_on", func() error { return member(wangge.GroupReleased, map[string]string{"released_on": "2023-02-30"}) }},
		{"MembershipWithABadInt", "attrs.amount", func() error {
			return member(wangge.GroupAid, map[string]string{"type": "城市低保", "amount": "八百"})
		}},
		{"MembershipOfAnUnknownGroup", "group", func() error { return member("vip", nil) }},
		{"AreaCode", "code", func() error { return e.db.CreateArea(ctx, &wangge.Area{Code: "140499001000", Name: "零"}) }},
		{"AreaWithoutName", "name", func() error { return e.db.CreateArea(ctx, &wangge.Area{Code: GridA3}) }},
		{"BuildingKind", "kind", func() error {
			return e.db.CreateBuilding(ctx, wangge.ScopeAll(), &wangge.Building{GridCode: GridA1, Name: "楼", Kind: "tent"})
		}},
		{"BuildingCoordinates", "lng", func() error {
			return e.db.CreateBuilding(ctx, wangge.ScopeAll(), &wangge.Building{GridCode: GridA1, Name: "楼", Kind: wangge.BuildingTower, Lng: 200})
		}},
		{"BuildingGridCode", "grid_code", func() error {
			return e.db.CreateBuilding(ctx, wangge.ScopeAll(), &wangge.Building{GridCode: CommunityA, Name: "楼", Kind: wangge.BuildingTower})
		}},
		{"ServiceLine", "line", func() error {
			return e.db.CreateService(ctx, &wangge.Service{Code: "S999", Name: "服务", Line: "sales"})
		}},
		{"ServiceTimeLimit", "time_limit_days", func() error {
			return e.db.CreateService(ctx, &wangge.Service{Code: "S999", Name: "服务", Line: wangge.LineCivil, TimeLimitDays: 999})
		}},
		{"VisitToNowhere", "place", func() error {
			return e.db.CreateVisit(ctx, wangge.ScopeAll(), &wangge.Visit{AssistantID: as.ID, At: time.Now()})
		}},
		{"VisitInTheFuture", "at", func() error {
			return e.db.CreateVisit(ctx, wangge.ScopeAll(), &wangge.Visit{AssistantID: as.ID, Place: "广场", At: time.Now().AddDate(0, 1, 0)})
		}},
		{"Username", "username", func() error {
			return e.db.CreateUser(ctx, &wangge.User{Username: "张三", Role: wangge.RoleAuditor, ScopeCode: District, PasswordHash: "x"})
		}},
		{"UserRole", "role", func() error {
			return e.db.CreateUser(ctx, &wangge.User{Username: "zhang", Role: wangge.RoleSystem, ScopeCode: District, PasswordHash: "x"})
		}},
		{"UserScope", "scope_code", func() error {
			return e.db.CreateUser(ctx, &wangge.User{Username: "zhang", Role: wangge.RoleAuditor, PasswordHash: "x"})
		}},
		{"DepartmentWithoutLine", "line", func() error {
			return e.db.CreateUser(ctx, &wangge.User{Username: "zhang", Role: wangge.RoleDepartment, ScopeCode: District, PasswordHash: "x"})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.auditCount()
			wantField(t, c.do(), c.field, c.name)
			if n := e.auditCount(); n != before {
				t.Errorf("a refused change appended %d audit entries", n-before)
			}
		})
	}
	// Nothing of it was written.
	st, err := e.db.Stats(ctx, wangge.ScopeAll())
	ok(t, err)
	if st.Persons != 4 || st.Units != 0 || st.Households != 4 || st.Buildings != 3 || st.Memberships-e.ageMembers(t, wangge.ScopeAll()) != 0 || st.Users != 0 || st.Visits != 0 || st.Services != 0 {
		t.Errorf("refused changes left rows: %+v", st)
	}
}

func indexOf(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}
