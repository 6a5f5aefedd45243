package storetest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

// changeTests pin the change record of a household's file
// (wangge.AuditStore.HouseholdChanges).
var changeTests = []test{
	{"HouseholdChangesListChangesToTheHouseholdAndItsPersons", testHouseholdChanges},
	{"HouseholdChangesAreEmptyOutsideTheScope", testHouseholdChangesScope},
}

// changeWork makes changes to HA1 and its persons, and some that are not
// changes (a view, a reveal) or not about HA1 (a change to HA2's person).
// It returns the new person the import added to HA1.
func (e *env) changeWork(f *Fixture) *wangge.Person {
	e.t.Helper()
	ctx, all := e.ctx, wangge.ScopeAll()
	p := *f.PA1
	p.Note = "改过备注"
	ok(e.t, e.db.UpdatePerson(ctx, all, &p), "UpdatePerson")
	_, err := e.db.RevealPerson(ctx, all, f.PA1.ID, "核对身份")
	ok(e.t, err, "RevealPerson")
	ok(e.t, e.db.Audit(ctx, &wangge.AuditEntry{Action: "household.view", Object: "household", ObjectID: fmt.Sprint(f.HA1.ID), GridCode: GridA1}))
	other := *f.PA2
	other.Note = "别户"
	ok(e.t, e.db.UpdatePerson(ctx, all, &other), "UpdatePerson other household")
	newID := e.newID(ident.SexFemale)
	c, _ := e.runImport(wangge.ScopeOf(CommunityA), wangge.ImportOptions{Kind: wangge.ImportPersons},
		personRow(1, f.BA1, "101", "测试甲二改", f.IDNumber[f.PA1b.ID]),
		personRow(2, f.BA1, "101", "测试甲三", newID))
	if c.Added != 1 || c.Updated != 1 {
		e.t.Fatalf("import: %+v", c)
	}
	ps, _, err := e.db.ListPersons(ctx, all, wangge.PersonFilter{HouseholdID: f.HA1.ID})
	ok(e.t, err)
	for i := range ps {
		if ps[i].Name == "测试甲三" {
			return &ps[i]
		}
	}
	e.t.Fatalf("the imported person is not in HA1: %+v", ps)
	return nil
}

func testHouseholdChanges(t *testing.T, e *env) {
	f := e.fixture()
	added := e.changeWork(f)
	viewer := e.user("c.grid", wangge.RoleAssistant, GridA1).Scope()
	es, total, err := e.db.HouseholdChanges(e.ctx, viewer, f.HA1.ID, wangge.Page{Limit: 50})
	ok(t, err)
	var got []string
	for _, x := range es {
		got = append(got, x.Action+" "+x.Object+" "+x.ObjectID)
	}
	// Newest first: the import's two entries (in the file's order, last
	// first), the update, then the fixture's
	// creations (persons after the household). The reveal, the view and
	// HA2's change are not in it.
	want := []string{
		fmt.Sprintf("person.import person %d", added.ID),
		fmt.Sprintf("person.import person %d", f.PA1b.ID),
		fmt.Sprintf("person.update person %d", f.PA1.ID),
		fmt.Sprintf("person.create person %d", f.PA1b.ID),
		fmt.Sprintf("person.create person %d", f.PA1.ID),
		fmt.Sprintf("household.create household %d", f.HA1.ID),
	}
	if total != len(want) || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("changes (%d):\n%s\nwant:\n%s", total, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i := 1; i < len(es); i++ {
		if es[i].Seq >= es[i-1].Seq {
			t.Fatalf("not newest first: %d after %d", es[i].Seq, es[i-1].Seq)
		}
	}
	imp := es[1]
	if imp.Username != Actor.Username || !strings.Contains(imp.Detail, `"file":"测试.xlsx"`) || !strings.Contains(imp.Detail, `"fields":["name"]`) {
		t.Fatalf("the import's entry: %+v", imp)
	}
	// Pages of two cover the same entries in the same order.
	var paged []string
	for off := 0; off < total; off += 2 {
		ps, n, err := e.db.HouseholdChanges(e.ctx, viewer, f.HA1.ID, wangge.Page{Offset: off, Limit: 2})
		ok(t, err)
		if n != total || len(ps) > 2 {
			t.Fatalf("page at %d: %d entries of %d", off, len(ps), n)
		}
		for _, x := range ps {
			paged = append(paged, x.Action+" "+x.Object+" "+x.ObjectID)
		}
	}
	if strings.Join(paged, "\n") != strings.Join(want, "\n") {
		t.Fatalf("paged:\n%s", strings.Join(paged, "\n"))
	}
	// An empty household has its own creation only.
	es, total, err = e.db.HouseholdChanges(e.ctx, viewer, f.HA1b.ID, wangge.Page{})
	ok(t, err)
	if total != 1 || len(es) != 1 || es[0].Action != "household.create" {
		t.Fatalf("HA1b: %d %+v", total, es)
	}
}

func testHouseholdChangesScope(t *testing.T, e *env) {
	f := e.fixture()
	e.changeWork(f)
	for _, c := range []struct {
		name  string
		scope wangge.Scope
	}{
		{"another grid's assistant", e.user("c.a2", wangge.RoleAssistant, GridA2).Scope()},
		{"another community's staff", e.user("c.b", wangge.RoleCommunityStaff, CommunityB).Scope()},
		{"a department, which may not read people", e.user("c.dept", wangge.RoleDepartment, District).Scope()},
		{"no scope", wangge.Scope{}},
	} {
		es, total, err := e.db.HouseholdChanges(e.ctx, c.scope, f.HA1.ID, wangge.Page{})
		ok(t, err, c.name)
		if total != 0 || len(es) != 0 {
			t.Errorf("%s sees %d changes of HA1: %+v", c.name, total, es)
		}
	}
	// The community's staff see them.
	_, total, err := e.db.HouseholdChanges(e.ctx, e.user("c.a", wangge.RoleCommunityStaff, CommunityA).Scope(), f.HA1.ID, wangge.Page{})
	ok(t, err)
	if total == 0 {
		t.Error("the community's staff see no changes of HA1")
	}
}
