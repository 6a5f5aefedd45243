package storetest

import (
	"strings"
	"testing"

	"github.com/wangge/wangge"
)

// testFullExportsOpenPhones: EachResident and EachUnit with Full open the
// household's and the unit's phone in full for a scope that may export (the role's PermExport)
// personal data (as the person's ID number and phone), so that an export
// imports back with them; for anyone else, or without Full, they stay
// masked.
func testFullExportsOpenPhones(t *testing.T, e *env) {
	f := e.fixture()
	phone := e.newPhone()
	h := &wangge.Household{BuildingID: f.BA2.ID, Entrance: "1", Room: "202", Kind: wangge.ResidentRegistered, Phone: phone}
	ok(t, e.db.CreateHousehold(e.ctx, wangge.ScopeAll(), h), "CreateHousehold")
	p, id, _ := e.person(h.ID, "测试乙二", wangge.RelHead)
	u := &wangge.Unit{GridCode: GridA2, Name: "测试单位", Kind: wangge.UnitEnterprise, Headcount: 3, Address: "测试路 1 号", ContactName: "联系人", ContactPhone: e.newPhone()}
	unitPhone := u.ContactPhone
	ok(t, e.db.CreateUnit(e.ctx, wangge.ScopeAll(), u), "CreateUnit")
	for _, c := range []struct {
		name string
		role wangge.Role
		full bool
		want bool // the phones in full
	}{
		{"staff, full", wangge.RoleCommunityStaff, true, true},
		{"staff, masked", wangge.RoleCommunityStaff, false, false},
		{"assistant asking for full", wangge.RoleAssistant, true, false},
	} {
		ctx := actor(e.ctx, "exporter", c.role)
		s := roleScope(c.role, GridA2, "")
		var hp, pid, up string
		ok(t, e.db.EachResident(ctx, s, wangge.HouseholdFilter{Full: c.full}, func(r *wangge.ResidentEntry) error {
			if r.Person.ID == p.ID {
				hp, pid = r.Household.Phone, r.Person.IDNumber
			}
			return nil
		}))
		ok(t, e.db.EachUnit(ctx, s, wangge.UnitFilter{Full: c.full}, func(x *wangge.UnitEntry) error {
			if x.ID == u.ID {
				up = x.ContactPhone
			}
			return nil
		}))
		if c.want && (hp != phone || pid != id || up != unitPhone) {
			t.Errorf("%s: household phone %q, ID %q, unit phone %q; want them in full", c.name, hp, pid, up)
		}
		if !c.want && (hp == phone || !strings.Contains(hp, "*") || pid == id || up == unitPhone || !strings.Contains(up, "*")) {
			t.Errorf("%s: household phone %q, ID %q, unit phone %q; want them masked", c.name, hp, pid, up)
		}
	}
}
