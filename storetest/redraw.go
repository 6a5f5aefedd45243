package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
)

var redrawTests = []test{
	{"RedrawKeepsCodesMovesEveryoneAndVersionsOutlines", testRedraw},
	{"RedrawRetiresGridsAndNeverReusesTheirCodes", testRedrawRetires},
	{"RedrawRefusalsChangeNothing", testRedrawRefusals},
}

// rectangle is the GeoJSON Polygon of a lng/lat rectangle.
func rectangle(x0, y0, x1, y1 float64) string {
	return `{"type":"Polygon","coordinates":[[[` + f(x0) + `,` + f(y0) + `],[` + f(x1) + `,` + f(y0) + `],[` + f(x1) + `,` + f(y1) + `],[` + f(x0) + `,` + f(y1) + `],[` + f(x0) + `,` + f(y0) + `]]]}`
}

// Dates of the redraw tests: outlines drawn, first and second redraw.
var (
	drawn   = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	redraw1 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	redraw2 = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	redraw3 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

// redrawFixture adds to the fixture a second building in each grid of
// community A (BA1c with one household, BA2c with none), an assistant in
// each of A1 and A2, a unit without a building in A2, and outlines for
// community A and its grids from drawn.
func (e *env) redrawFixture() (f *Fixture, ba1c, ba2c *wangge.Building, asA1, asA2 *wangge.Assistant, unit *wangge.Unit) {
	e.t.Helper()
	f = e.fixture()
	ba1c = e.building(GridA1, "东苑3号楼")
	ba2c = e.building(GridA2, "东苑4号楼")
	e.household(ba1c.ID, "301")
	asA1, asA2 = e.assistant("网格员甲"), e.assistant("网格员乙")
	ok(e.t, e.db.AssignAssistant(e.ctx, asA1.ID, GridA1, drawn, "初任"))
	ok(e.t, e.db.AssignAssistant(e.ctx, asA2.ID, GridA2, drawn, "初任"))
	unit = e.unit(GridA2, "东苑便民店")
	for code, gj := range map[string]string{
		CommunityA: rectangle(113.10, 36.10, 113.20, 36.20),
		GridA1:     rectangle(113.10, 36.10, 113.15, 36.20),
		GridA2:     rectangle(113.15, 36.10, 113.20, 36.20),
	} {
		_, err := e.db.SetBoundary(e.ctx, code, gj, drawn)
		ok(e.t, err, "SetBoundary ", code)
	}
	return
}

func (e *env) gridOf(id int64) string {
	e.t.Helper()
	b, err := e.db.Building(e.ctx, wangge.ScopeAll(), id)
	ok(e.t, err)
	return b.GridCode
}

// testRedraw: a plan of three grids for community A. The first takes over
// most of A1's households and keeps A1's code; the third holds only A2's
// empty building yet keeps A2's code (and its assistant); the second gets
// a fresh code. Buildings move with their households, persons and
// memberships, with the reason in their history; the outlines get new
// versions and the old ones still answer "as of" an earlier date; one
// audit entry records the redraw, one per building moved.
func testRedraw(t *testing.T, e *env) {
	f, ba1c, ba2c, _, asA2, _ := e.redrawFixture()
	m := e.membership(f.PA2.ID, wangge.GroupElderly, elderlyAttrs)
	before := e.auditCount()
	plan := []wangge.GridPlan{
		{Buildings: []int64{f.BA1.ID, f.BA2.ID}, GeoJSON: rectangle(113.10, 36.10, 113.16, 36.20)},
		{Buildings: []int64{ba1c.ID}, GeoJSON: rectangle(113.16, 36.10, 113.20, 36.15)},
		{Buildings: []int64{ba2c.ID}, GeoJSON: rectangle(113.16, 36.15, 113.20, 36.20)},
	}
	codes, err := e.db.RedrawGrids(e.ctx, wangge.ScopeOf(Subdistrict), CommunityA, plan, redraw1, "按300户重新划分网格")
	ok(t, err, "RedrawGrids")
	if len(codes) != 3 || codes[0] != GridA1 || codes[1] != GridA3 || codes[2] != GridA2 {
		t.Fatalf("codes %v, want [%s %s %s]", codes, GridA1, GridA3, GridA2)
	}
	a3, err := e.db.Area(e.ctx, GridA3)
	ok(t, err, "the new grid")
	if a3.Level != wangge.LevelGrid || a3.ParentCode != CommunityA || a3.Name != "东苑社区第3网格" || a3.RetiredAt != nil {
		t.Errorf("new grid %+v", a3)
	}
	for id, want := range map[int64]string{f.BA1.ID: GridA1, f.BA2.ID: GridA1, ba1c.ID: GridA3, ba2c.ID: GridA2, f.BB1.ID: GridB1} {
		if got := e.gridOf(id); got != want {
			t.Errorf("building %d in %s, want %s", id, got, want)
		}
	}
	if !e.personVisible(wangge.ScopeOf(GridA1), f.PA2.ID) || e.personVisible(wangge.ScopeOf(GridA2), f.PA2.ID) {
		t.Error("the person of the moved building did not follow it")
	}
	hh, err := e.db.Household(e.ctx, wangge.ScopeAll(), f.HA2.ID)
	ok(t, err)
	if hh.GridCode != GridA1 {
		t.Errorf("household of the moved building in %s", hh.GridCode)
	}
	mm, err := e.db.Membership(e.ctx, wangge.ScopeAll(), m.ID)
	ok(t, err)
	if mm.GridCode != GridA1 {
		t.Errorf("membership of the moved building in %s", mm.GridCode)
	}
	moves, err := e.db.BuildingMoves(e.ctx, wangge.ScopeAll(), f.BA2.ID)
	ok(t, err)
	if len(moves) != 1 || moves[0].FromGrid != GridA2 || moves[0].ToGrid != GridA1 || moves[0].Reason != "按300户重新划分网格" || moves[0].By != Actor.Username {
		t.Errorf("moves of the moved building %+v", moves)
	}
	if as, err := e.db.GridAssistant(e.ctx, GridA2); err != nil || as.ID != asA2.ID {
		t.Errorf("A2's assistant after the redraw: %+v, %v; want kept", as, err)
	}

	// Outlines: new versions from the redraw; the old ones as of before.
	for code, want := range map[string]string{GridA1: plan[0].GeoJSON, GridA3: plan[1].GeoJSON, GridA2: plan[2].GeoJSON} {
		b, err := e.db.Boundary(e.ctx, code, time.Time{})
		ok(t, err, "current outline of ", code)
		if b.GeoJSON != want || !b.ValidFrom.Equal(redraw1) || b.CreatedBy != Actor.Username {
			t.Errorf("%s: current outline %+v", code, b)
		}
	}
	old, err := e.db.Boundary(e.ctx, GridA1, redraw1.Add(-time.Hour))
	ok(t, err, "A1 as of before the redraw")
	if old.Version != 1 || old.GeoJSON != rectangle(113.10, 36.10, 113.15, 36.20) || old.ValidTo == nil || !old.ValidTo.Equal(redraw1) {
		t.Errorf("A1 as of before the redraw: %+v", old)
	}
	if _, err := e.db.Boundary(e.ctx, GridA3, redraw1.Add(-time.Hour)); wangge.ErrorCode(err) != wangge.ENotFound {
		t.Errorf("the new grid as of before the redraw: %v, want not found", err)
	}

	// Audit: two moves and the redraw.
	if n := e.auditCount(); n != before+3 {
		t.Errorf("%d audit entries, want 3", n-before)
	}
	last := e.lastAudit()
	if last.Action != "grids.redraw" || last.ObjectID != CommunityA || !strings.Contains(last.Detail, "按300户重新划分网格") || !strings.Contains(last.Detail, GridA3) {
		t.Errorf("last audit entry %+v", last)
	}
	e.verifyAudit()

	// Accepting the same plan again changes nothing but the log.
	codes, err = e.db.RedrawGrids(e.ctx, wangge.ScopeOf(CommunityA), CommunityA, plan, redraw2, "复核")
	ok(t, err, "the same plan again")
	if codes[1] != GridA3 {
		t.Errorf("codes the second time %v", codes)
	}
	if hist, _ := e.db.BoundaryHistory(e.ctx, GridA1); len(hist) != 2 {
		t.Errorf("A1 has %d outline versions after an unchanged redraw, want 2", len(hist))
	}
}

// testRedrawRetires: a plan of one grid keeps A1 (most households) and
// retires A2 and A3: their outlines end, their assistant's term ends, the
// unit registered in A2 without a building goes to A1. A later plan of two
// grids gets a fresh code, never a retired one.
func testRedrawRetires(t *testing.T, e *env) {
	f, ba1c, ba2c, _, asA2, unit := e.redrawFixture()
	all := []int64{f.BA1.ID, f.BA2.ID, ba1c.ID, ba2c.ID}
	whole := rectangle(113.10, 36.10, 113.20, 36.20)
	split := []wangge.GridPlan{
		{Buildings: []int64{f.BA1.ID, f.BA2.ID}, GeoJSON: rectangle(113.10, 36.10, 113.16, 36.20)},
		{Buildings: []int64{ba1c.ID}, GeoJSON: rectangle(113.16, 36.10, 113.20, 36.15)},
		{Buildings: []int64{ba2c.ID}, GeoJSON: rectangle(113.16, 36.15, 113.20, 36.20)},
	}
	_, err := e.db.RedrawGrids(e.ctx, wangge.ScopeOf(District), CommunityA, split, redraw1, "细分")
	ok(t, err)
	codes, err := e.db.RedrawGrids(e.ctx, wangge.ScopeOf(District), CommunityA, []wangge.GridPlan{{Buildings: all, GeoJSON: whole}}, redraw2, "合并为一个网格")
	ok(t, err)
	if len(codes) != 1 || codes[0] != GridA1 {
		t.Fatalf("codes %v, want [%s]", codes, GridA1)
	}
	for _, code := range []string{GridA2, GridA3} {
		a, err := e.db.Area(e.ctx, code)
		ok(t, err)
		if a.RetiredAt == nil || !a.RetiredAt.Equal(redraw2) {
			t.Errorf("%s retired at %v, want %v", code, a.RetiredAt, redraw2)
		}
		if _, err := e.db.Boundary(e.ctx, code, time.Time{}); wangge.ErrorCode(err) != wangge.ENotFound {
			t.Errorf("%s still has a current outline: %v", code, err)
		}
		if _, err := e.db.Boundary(e.ctx, code, redraw2.Add(-time.Hour)); err != nil {
			t.Errorf("%s as of before its retirement: %v", code, err)
		}
	}
	if _, err := e.db.GridAssistant(e.ctx, GridA2); wangge.ErrorCode(err) != wangge.ENotFound {
		t.Errorf("the retired grid still has an assistant: %v", err)
	}
	terms, err := e.db.Assignments(e.ctx, wangge.ScopeAll(), asA2.ID)
	ok(t, err)
	if len(terms) != 1 || terms[0].To == nil || !terms[0].To.Equal(redraw2) {
		t.Errorf("A2's assistant's terms %+v, want one ended at %v", terms, redraw2)
	}
	u, err := e.db.Unit(e.ctx, wangge.ScopeAll(), unit.ID)
	ok(t, err)
	if u.GridCode != GridA1 {
		t.Errorf("the unit of the retired grid is in %s, want %s", u.GridCode, GridA1)
	}
	bs, err := e.db.Boundaries(e.ctx, CommunityA, wangge.LevelGrid, time.Time{})
	ok(t, err)
	if len(bs) != 1 || bs[0].AreaCode != GridA1 {
		t.Errorf("current grid outlines %+v, want A1's alone", bs)
	}
	kids, err := e.db.ChildSummaries(e.ctx, wangge.ScopeOf(District), CommunityA)
	ok(t, err)
	if len(kids) != 1 || kids[0].Code != GridA1 || kids[0].Buildings != 4 {
		t.Errorf("community A's grids after the merge: %+v, want A1 alone with the 4 buildings", kids)
	}
	// A retired grid takes no buildings.
	wantField(t, e.db.MoveBuilding(e.ctx, wangge.ScopeAll(), f.BA2.ID, 99, GridA2, "回迁"), "to_grid", "a move into a retired grid")

	codes, err = e.db.RedrawGrids(e.ctx, wangge.ScopeOf(District), CommunityA, []wangge.GridPlan{
		{Buildings: []int64{f.BA1.ID, f.BA2.ID}, GeoJSON: rectangle(113.10, 36.10, 113.16, 36.20)},
		{Buildings: []int64{ba1c.ID, ba2c.ID}, GeoJSON: rectangle(113.16, 36.10, 113.20, 36.20)},
	}, redraw3, "再次细分")
	ok(t, err)
	const gridA4 = CommunityA + "004"
	if len(codes) != 2 || codes[0] != GridA1 || codes[1] != gridA4 {
		t.Errorf("codes %v, want [%s %s]: retired codes are never reused", codes, GridA1, gridA4)
	}
	e.verifyAudit()
}

// testRedrawRefusals: a role without the permission, a community outside
// the scope, a missing reason, a plan that leaves out, repeats or borrows
// buildings, bad outlines, a date in the future or before the current
// outlines: each is refused, and nothing at all changes — even when the
// refusal comes after buildings were moved inside the transaction.
func testRedrawRefusals(t *testing.T, e *env) {
	f, ba1c, ba2c, _, _, _ := e.redrawFixture()
	good := []wangge.GridPlan{
		{Buildings: []int64{f.BA1.ID, f.BA2.ID}, GeoJSON: rectangle(113.10, 36.10, 113.16, 36.20)},
		{Buildings: []int64{ba1c.ID, ba2c.ID}, GeoJSON: rectangle(113.16, 36.10, 113.20, 36.20)},
	}
	snapshot := func() string {
		var b strings.Builder
		for _, id := range []int64{f.BA1.ID, f.BA2.ID, ba1c.ID, ba2c.ID, f.BB1.ID} {
			bl, err := e.db.Building(e.ctx, wangge.ScopeAll(), id)
			ok(t, err)
			b.WriteString(bl.GridCode + "/" + itoa(int64(bl.Seq)) + "/" + itoa(int64(bl.Version)) + " ")
		}
		as, n, err := e.db.ListAreas(e.ctx, wangge.AreaFilter{Page: wangge.Page{Limit: 100}})
		ok(t, err)
		b.WriteString(itoa(int64(n)))
		for _, a := range as {
			b.WriteString(" " + a.Code + "@" + itoa(int64(a.Version)))
		}
		for _, code := range []string{GridA1, GridA2, GridA3} {
			hist, err := e.db.BoundaryHistory(e.ctx, code)
			ok(t, err)
			b.WriteString(" " + code + ":" + itoa(int64(len(hist))))
		}
		b.WriteString(" audit " + itoa(int64(e.auditCount())))
		return b.String()
	}
	want := snapshot()
	scope := wangge.ScopeOf(CommunityA)
	minus := func(p []wangge.GridPlan, mod func([]wangge.GridPlan)) []wangge.GridPlan {
		c := make([]wangge.GridPlan, len(p))
		for i := range p {
			c[i] = p[i]
			c[i].Buildings = append([]int64(nil), p[i].Buildings...)
		}
		mod(c)
		return c
	}
	for _, c := range []struct {
		name  string
		ctx   func() error
		code  string
		field string
	}{
		// The route's permission keeps these roles away; the store refuses
		// them by their scope alone: a grid's does not cover the community,
		// a department's reads no people.
		{"an assistant", func() error {
			_, err := e.db.RedrawGrids(actor(e.ctx, "xly", wangge.RoleAssistant), roleScope(wangge.RoleAssistant, GridA1, ""), CommunityA, good, redraw1, "越权")
			return err
		}, wangge.ENotFound, ""},
		{"a department", func() error {
			_, err := e.db.RedrawGrids(actor(e.ctx, "bm", wangge.RoleDepartment), roleScope(wangge.RoleDepartment, District, wangge.LineCivil), CommunityA, good, redraw1, "越权")
			return err
		}, wangge.ENotFound, ""},
		{"another community's staff", func() error {
			_, err := e.db.RedrawGrids(actor(e.ctx, "xy", wangge.RoleCommunityStaff), wangge.ScopeOf(CommunityB), CommunityA, good, redraw1, "越界")
			return err
		}, wangge.ENotFound, ""},
		{"a grid, not a community", func() error {
			_, err := e.db.RedrawGrids(e.ctx, scope, GridA1, good, redraw1, "错级")
			return err
		}, wangge.ENotFound, ""},
		{"no reason", func() error { _, err := e.db.RedrawGrids(e.ctx, scope, CommunityA, good, redraw1, "  "); return err }, wangge.EInvalid, "reason"},
		{"no grids", func() error {
			_, err := e.db.RedrawGrids(e.ctx, scope, CommunityA, nil, redraw1, "空方案")
			return err
		}, wangge.EInvalid, "plan"},
		{"a building left out", func() error {
			_, err := e.db.RedrawGrids(e.ctx, scope, CommunityA, minus(good, func(p []wangge.GridPlan) { p[1].Buildings = p[1].Buildings[:1] }), redraw1, "漏楼")
			return err
		}, wangge.EConflict, ""},
		{"a building twice", func() error {
			_, err := e.db.RedrawGrids(e.ctx, scope, CommunityA, minus(good, func(p []wangge.GridPlan) { p[1].Buildings = append(p[1].Buildings, f.BA1.ID) }), redraw1, "重复")
			return err
		}, wangge.EInvalid, "plan"},
		{"another community's building", func() error {
			_, err := e.db.RedrawGrids(e.ctx, scope, CommunityA, minus(good, func(p []wangge.GridPlan) { p[1].Buildings = append(p[1].Buildings, f.BB1.ID) }), redraw1, "越界")
			return err
		}, wangge.EInvalid, "plan"},
		{"an empty grid", func() error {
			_, err := e.db.RedrawGrids(e.ctx, scope, CommunityA, append(minus(good, func([]wangge.GridPlan) {}), wangge.GridPlan{GeoJSON: rectangle(113, 36, 113.1, 36.1)}), redraw1, "空网格")
			return err
		}, wangge.EInvalid, "plan"},
		{"a point for an outline", func() error {
			_, err := e.db.RedrawGrids(e.ctx, scope, CommunityA, minus(good, func(p []wangge.GridPlan) { p[0].GeoJSON = `{"type":"Point","coordinates":[113.1,36.1]}` }), redraw1, "坏边界")
			return err
		}, wangge.EInvalid, "plan"},
		{"a date in the future", func() error {
			_, err := e.db.RedrawGrids(e.ctx, scope, CommunityA, good, time.Now().AddDate(0, 0, 2), "未来")
			return err
		}, wangge.EInvalid, "valid_from"},
		// Refused only after buildings were moved inside the transaction.
		{"a date before the current outlines", func() error {
			_, err := e.db.RedrawGrids(e.ctx, scope, CommunityA, good, drawn.AddDate(0, 0, -1), "倒签")
			return err
		}, wangge.EInvalid, "valid_from"},
	} {
		err := c.ctx()
		if c.field != "" {
			wantField(t, err, c.field, c.name)
		} else {
			wantCode(t, err, c.code, c.name)
		}
		if got := snapshot(); got != want {
			t.Errorf("%s: refused, yet something changed:\n got %s\nwant %s", c.name, got, want)
		}
	}
}
