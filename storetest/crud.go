package storetest

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

var crudTests = []test{
	{"AreasCreateReadUpdateList", testAreas},
	{"AreaSummariesCountWithinScope", testAreaSummaries},
	{"BuildingsCreateReadUpdateList", testBuildings},
	{"BuildingHeadsKeepPastTerms", testBuildingHeads},
	{"HouseholdsCreateReadUpdateList", testHouseholds},
	{"PersonsCreateReadUpdateListDelete", testPersons},
	{"UnitsCreateReadUpdateListDelete", testUnits},
	{"AssistantsKeepAssignmentHistory", testAssistants},
	{"MembershipsJoinUpdateEndAndCount", testMemberships},
	{"ServicesSeedListAndUpdate", testServices},
	{"VisitsToHouseholdUnitAndPlace", testVisits},
	{"UsersCreateReadUpdateList", testUsers},
	{"SessionsExpireAndEndWithDisabledUsers", testSessions},
	{"AuditListFilters", testAuditList},
	{"StatsCountWhatTheScopeHolds", testStats},
	{"EmptyUntilTheFirstArea", testEmpty},
}

func testAreas(t *testing.T, e *env) {
	ctx := e.ctx
	e.fixture()
	a, err := e.db.Area(ctx, GridA1)
	ok(t, err)
	if a.Code != GridA1 || a.Name != "东苑第一网格" || a.Level != wangge.LevelGrid || a.ParentCode != CommunityA || a.Version != 1 || a.RetiredAt != nil {
		t.Errorf("Area(%s) = %+v", GridA1, a)
	}
	d, err := e.db.Area(ctx, District)
	ok(t, err)
	if d.Level != wangge.LevelDistrict || d.ParentCode != "" {
		t.Errorf("district: level %v parent %q", d.Level, d.ParentCode)
	}
	_, err = e.db.Area(ctx, GridA3)
	wantCode(t, err, wangge.ENotFound, "Area of a missing code")

	a.Name, a.Address, a.Phone, a.ServiceArea = "东苑一网格（改）", "东苑路1号", "0355-2020001", "东苑路以东"
	ok(t, e.db.UpdateArea(ctx, a))
	if a.Version != 2 {
		t.Errorf("version after update = %d, want 2", a.Version)
	}
	got, err := e.db.Area(ctx, GridA1)
	ok(t, err)
	if got.Name != a.Name || got.Address != a.Address || got.Phone != a.Phone || got.ServiceArea != a.ServiceArea || got.Version != 2 {
		t.Errorf("after update got %+v, want %+v", got, a)
	}
	if !got.UpdatedAt.Equal(a.UpdatedAt) || got.CreatedAt.After(got.UpdatedAt) {
		t.Errorf("updated_at %v (set %v), created_at %v", got.UpdatedAt, a.UpdatedAt, got.CreatedAt)
	}
	missing := &wangge.Area{Code: GridA3, Name: "无", Version: 1}
	wantCode(t, e.db.UpdateArea(ctx, missing), wangge.ENotFound, "UpdateArea of a missing area")

	// Retiring a grid keeps it and records when.
	e.area(GridA3, "东苑第三网格")
	a3, err := e.db.Area(ctx, GridA3)
	ok(t, err)
	retired := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	a3.RetiredAt = &retired
	ok(t, e.db.UpdateArea(ctx, a3))
	a3, err = e.db.Area(ctx, GridA3)
	ok(t, err)
	if a3.RetiredAt == nil || !a3.RetiredAt.Equal(retired) {
		t.Errorf("RetiredAt = %v, want %v", a3.RetiredAt, retired)
	}
	err = e.db.CreateBuilding(ctx, wangge.ScopeAll(), &wangge.Building{GridCode: GridA3, Name: "退役网格的楼", Kind: wangge.BuildingTower})
	wantField(t, err, "grid_code", "CreateBuilding in a retired grid")

	wantCode(t, e.db.CreateArea(ctx, &wangge.Area{Code: GridA1, Name: "重复"}), wangge.EConflict, "CreateArea with a taken code")
	wantField(t, e.db.CreateArea(ctx, &wangge.Area{Code: "140499009001", Name: "无上级"}), "parent_code", "CreateArea without parent")

	// Lists: filters, order, totals and pages.
	list := func(f wangge.AreaFilter) ([]string, int) {
		t.Helper()
		as, n, err := e.db.ListAreas(ctx, f)
		ok(t, err, "ListAreas")
		var codes []string
		for _, a := range as {
			codes = append(codes, a.Code)
		}
		return codes, n
	}
	if codes, n := list(wangge.AreaFilter{}); n != 8 || len(codes) != 8 || !slices.IsSorted(codes) {
		t.Errorf("all areas: %v (total %d), want 8 in code order", codes, n)
	}
	if codes, n := list(wangge.AreaFilter{Level: wangge.LevelGrid}); n != 4 || !slices.Equal(codes, []string{GridA1, GridA2, GridA3, GridB1}) {
		t.Errorf("grids: %v (total %d)", codes, n)
	}
	if codes, n := list(wangge.AreaFilter{ParentCode: CommunityA}); n != 3 || !slices.Equal(codes, []string{GridA1, GridA2, GridA3}) {
		t.Errorf("children of A: %v (total %d)", codes, n)
	}
	if codes, n := list(wangge.AreaFilter{Query: "西苑"}); n != 2 || !slices.Equal(codes, []string{CommunityB, GridB1}) {
		t.Errorf("query 西苑: %v (total %d)", codes, n)
	}
	if codes, n := list(wangge.AreaFilter{Query: "%"}); n != 0 || len(codes) != 0 {
		t.Errorf("query %%: %v (total %d), want nothing: wildcards are literal", codes, n)
	}
	if codes, n := list(wangge.AreaFilter{Query: "_"}); n != 0 || len(codes) != 0 {
		t.Errorf("query _: %v (total %d), want nothing: wildcards are literal", codes, n)
	}
	if codes, n := list(wangge.AreaFilter{Page: wangge.Page{Offset: 2, Limit: 3}}); n != 8 || !slices.Equal(codes, []string{CommunityA, GridA1, GridA2}) {
		t.Errorf("page 2+3: %v (total %d)", codes, n)
	}
	if codes, n := list(wangge.AreaFilter{Level: wangge.LevelGrid, Page: wangge.Page{Offset: 10}}); n != 4 || len(codes) != 0 {
		t.Errorf("page past the end: %v (total %d)", codes, n)
	}
}

func testAreaSummaries(t *testing.T, e *env) {
	ctx := e.ctx
	e.fixture()
	e.unit(GridA1, "东苑商店")
	as := e.assistant("协理员甲")
	ok(t, e.db.AssignAssistant(ctx, as.ID, GridA1, time.Time{}, ""))

	type counts struct{ children, grids, buildings, households, persons, units int }
	of := func(s wangge.AreaSummary) counts {
		return counts{s.Children, s.Grids, s.Buildings, s.Households, s.Persons, s.Units}
	}
	s, err := e.db.AreaSummary(ctx, wangge.ScopeAll(), District)
	ok(t, err)
	if got, want := of(*s), (counts{1, 3, 3, 4, 4, 1}); got != want {
		t.Errorf("district summary %+v, want %+v", got, want)
	}
	if s.Name != "示范城区" || s.Level != wangge.LevelDistrict {
		t.Errorf("summary area = %+v", s.Area)
	}
	// Staff of community A see the district's name, counted within A only.
	s, err = e.db.AreaSummary(ctx, wangge.ScopeOf(CommunityA), District)
	ok(t, err, "summary of an ancestor")
	if s.Grids != 2 || s.Buildings != 2 || s.Households != 3 || s.Persons != 3 || s.Units != 1 {
		t.Errorf("district summary for community A: %+v", of(*s))
	}
	s, err = e.db.AreaSummary(ctx, wangge.ScopeOf(GridA1), GridA1)
	ok(t, err)
	if got, want := of(*s), (counts{0, 1, 1, 2, 2, 1}); got != want {
		t.Errorf("grid A1 summary %+v, want %+v", got, want)
	}
	if s.AssistantName != "协理员甲" || s.AssistantPhone != "0355-2021234" {
		t.Errorf("grid A1 assistant %q %q", s.AssistantName, s.AssistantPhone)
	}
	for _, c := range []struct {
		scope wangge.Scope
		code  string
	}{{wangge.ScopeOf(GridA1), CommunityB}, {wangge.ScopeOf(GridA1), GridA2}, {wangge.ScopeOf(CommunityB), GridA1}, {wangge.Scope{}, District}, {wangge.Scope{}, GridA1}} {
		_, err := e.db.AreaSummary(ctx, c.scope, c.code)
		wantCode(t, err, wangge.ENotFound, "AreaSummary(", c.scope.Prefix(), ", ", c.code, ")")
		_, err = e.db.ChildSummaries(ctx, c.scope, c.code)
		wantCode(t, err, wangge.ENotFound, "ChildSummaries(", c.scope.Prefix(), ", ", c.code, ")")
	}

	kids, err := e.db.ChildSummaries(ctx, wangge.ScopeAll(), Subdistrict)
	ok(t, err)
	if len(kids) != 2 || kids[0].Code != CommunityA || kids[1].Code != CommunityB {
		t.Fatalf("children of the sub-district: %+v", kids)
	}
	if got, want := of(kids[0]), (counts{2, 2, 2, 3, 3, 1}); got != want {
		t.Errorf("community A %+v, want %+v", got, want)
	}
	if got, want := of(kids[1]), (counts{1, 1, 1, 1, 1, 0}); got != want {
		t.Errorf("community B %+v, want %+v", got, want)
	}
	kids, err = e.db.ChildSummaries(ctx, wangge.ScopeOf(GridA1), CommunityA)
	ok(t, err)
	if len(kids) != 1 || kids[0].Code != GridA1 || kids[0].Households != 2 || kids[0].AssistantName != "协理员甲" {
		t.Errorf("children of A seen from grid A1: %+v", kids)
	}
	kids, err = e.db.ChildSummaries(ctx, wangge.ScopeOf(CommunityA), CommunityA)
	ok(t, err)
	if len(kids) != 2 || kids[1].Code != GridA2 || kids[1].Persons != 1 || kids[1].AssistantName != "" {
		t.Errorf("children of A: %+v", kids)
	}
}

func testBuildings(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	if f.BA1.Seq != 1 || f.BA1.Version != 1 || f.BA1.ID == 0 || f.BA1.Code() != GridA1+"00001" {
		t.Errorf("first building: %+v code %s", f.BA1, f.BA1.Code())
	}
	b2 := e.building(GridA1, "东苑3号楼")
	if b2.Seq != 2 {
		t.Errorf("second building in the grid has seq %d, want 2", b2.Seq)
	}
	b10 := &wangge.Building{GridCode: GridA1, Seq: 10, Name: "东苑平房院", Kind: wangge.BuildingCourtyard, Address: "东苑胡同10号"}
	ok(t, e.db.CreateBuilding(ctx, wangge.ScopeAll(), b10))
	b11 := e.building(GridA1, "东苑11号楼")
	if b10.Seq != 10 || b11.Seq != 11 {
		t.Errorf("explicit seq 10 then next: %d, %d; want 10, 11", b10.Seq, b11.Seq)
	}
	dup := &wangge.Building{GridCode: GridA1, Seq: 10, Name: "重复序号", Kind: wangge.BuildingTower}
	wantCode(t, e.db.CreateBuilding(ctx, wangge.ScopeAll(), dup), wangge.EConflict, "CreateBuilding with a taken seq")
	wantField(t, e.db.CreateBuilding(ctx, wangge.ScopeAll(), &wangge.Building{GridCode: GridA3, Name: "无网格", Kind: wangge.BuildingTower}), "grid_code", "CreateBuilding in a missing grid")

	got, err := e.db.Building(ctx, wangge.ScopeOf(GridA1), f.BA1.ID)
	ok(t, err)
	if got.Name != f.BA1.Name || got.GridCode != GridA1 || got.Kind != wangge.BuildingTower || got.Address != f.BA1.Address ||
		got.Floors != 6 || got.Entrances != 2 || got.Lng != 113.1 || got.Lat != 36.2 || got.Seq != 1 || got.Version != 1 {
		t.Errorf("Building = %+v, want %+v", got, f.BA1)
	}
	got.Name, got.Address, got.Floors, got.Lng, got.Lat = "东苑1号楼（新）", "东苑路8号", 18, 113.123456, 36.654321
	ok(t, e.db.UpdateBuilding(ctx, wangge.ScopeAll(), got))
	again, err := e.db.Building(ctx, wangge.ScopeOf(GridA1), f.BA1.ID)
	ok(t, err)
	if again.Name != got.Name || again.Address != got.Address || again.Floors != 18 || again.Lng != got.Lng || again.Lat != got.Lat || again.Version != 2 || again.Seq != 1 {
		t.Errorf("after update %+v, want %+v", again, got)
	}
	_, err = e.db.Building(ctx, wangge.ScopeAll(), 999999)
	wantCode(t, err, wangge.ENotFound, "Building of a missing id")

	ok(t, e.db.SetBuildingHead(ctx, wangge.ScopeAll(), &wangge.BuildingHead{BuildingID: f.BA1.ID, PersonID: &f.PA1.ID, Name: f.PA1.Name, Phone: f.Phone[f.PA1.ID]}))

	list := func(s wangge.Scope, fl wangge.BuildingFilter) ([]wangge.BuildingSummary, int) {
		t.Helper()
		bs, n, err := e.db.ListBuildings(ctx, s, fl)
		ok(t, err, "ListBuildings")
		return bs, n
	}
	bid := func(b wangge.BuildingSummary) int64 { return b.ID }
	bs, n := list(wangge.ScopeOf(GridA1), wangge.BuildingFilter{})
	if want := []int64{f.BA1.ID, b2.ID, b10.ID, b11.ID}; n != 4 || !sameIDs(ids(bs, bid), want) {
		t.Fatalf("buildings of A1: %v (total %d), want %v in seq order", ids(bs, bid), n, want)
	}
	if bs[0].Households != 2 || bs[0].Persons != 2 || bs[0].HeadName != f.PA1.Name {
		t.Errorf("summary of BA1: households %d persons %d head %q", bs[0].Households, bs[0].Persons, bs[0].HeadName)
	}
	if bs[1].Households != 0 || bs[1].Persons != 0 || bs[1].HeadName != "" {
		t.Errorf("summary of an empty building: %+v", bs[1])
	}
	bs, n = list(wangge.ScopeOf(District), wangge.BuildingFilter{})
	if n != 6 || len(bs) != 6 || bs[4].ID != f.BA2.ID || bs[5].ID != f.BB1.ID {
		t.Errorf("buildings of the district: %v (total %d)", ids(bs, bid), n)
	}
	bs, n = list(wangge.ScopeOf(District), wangge.BuildingFilter{GridCode: GridA2})
	if n != 1 || len(bs) != 1 || bs[0].ID != f.BA2.ID {
		t.Errorf("filter grid A2: %v (total %d)", ids(bs, bid), n)
	}
	bs, n = list(wangge.ScopeAll(), wangge.BuildingFilter{Query: "平房"})
	if n != 1 || len(bs) != 1 || bs[0].ID != b10.ID {
		t.Errorf("query by name: %v (total %d)", ids(bs, bid), n)
	}
	bs, n = list(wangge.ScopeAll(), wangge.BuildingFilter{Query: "东苑路8"})
	if n != 1 || len(bs) != 1 || bs[0].ID != f.BA1.ID {
		t.Errorf("query by address: %v (total %d)", ids(bs, bid), n)
	}
	bs, n = list(wangge.ScopeAll(), wangge.BuildingFilter{Query: "%"})
	if n != 0 || len(bs) != 0 {
		t.Errorf("query %%: %v (total %d), want nothing", ids(bs, bid), n)
	}
	bs, n = list(wangge.ScopeOf(GridA1), wangge.BuildingFilter{Page: wangge.Page{Offset: 1, Limit: 2}})
	if want := []int64{b2.ID, b10.ID}; n != 4 || !sameIDs(ids(bs, bid), want) {
		t.Errorf("page 1+2: %v (total %d), want %v", ids(bs, bid), n, want)
	}

	// Delete an empty building.
	ok(t, e.db.DeleteBuilding(ctx, wangge.ScopeAll(), b11.ID, b11.Version))
	_, err = e.db.Building(ctx, wangge.ScopeAll(), b11.ID)
	wantCode(t, err, wangge.ENotFound, "Building after delete")
	wantCode(t, e.db.DeleteBuilding(ctx, wangge.ScopeAll(), b2.ID, b2.Version+1), wangge.EConflict, "DeleteBuilding with a wrong version")
}

func testBuildingHeads(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	t1 := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	t2 := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	h1 := &wangge.BuildingHead{BuildingID: f.BA1.ID, PersonID: &f.PA1.ID, Name: f.PA1.Name, Phone: f.Phone[f.PA1.ID], From: t1}
	ok(t, e.db.SetBuildingHead(ctx, wangge.ScopeAll(), h1))
	if h1.ID == 0 || h1.GridCode != GridA1 || h1.Version != 1 {
		t.Errorf("first head %+v", h1)
	}
	h2 := &wangge.BuildingHead{BuildingID: f.BA1.ID, Name: "楼长乙", Phone: "0355 202 1235", From: t2}
	ok(t, e.db.SetBuildingHead(ctx, wangge.ScopeAll(), h2))
	hs, err := e.db.BuildingHeads(ctx, wangge.ScopeOf(CommunityA), f.BA1.ID)
	ok(t, err)
	if len(hs) != 2 {
		t.Fatalf("heads: %+v, want 2", hs)
	}
	cur, past := hs[0], hs[1]
	if cur.ID != h2.ID || cur.To != nil || !cur.From.Equal(t2) || cur.Name != "楼长乙" || cur.PersonID != nil || cur.GridCode != GridA1 {
		t.Errorf("current head %+v", cur)
	}
	if cur.Phone != ident.MaskPhone("0355-2021235") {
		t.Errorf("current head phone %q, want masked %q", cur.Phone, ident.MaskPhone("0355-2021235"))
	}
	if past.ID != h1.ID || past.To == nil || !past.To.Equal(t2) || !past.From.Equal(t1) || past.PersonID == nil || *past.PersonID != f.PA1.ID {
		t.Errorf("past head %+v", past)
	}
	if !strings.Contains(past.Phone, "*") || past.Phone == f.Phone[f.PA1.ID] {
		t.Errorf("past head phone %q is not masked", past.Phone)
	}
	hs, err = e.db.BuildingHeads(ctx, wangge.ScopeOf(GridB1), f.BA1.ID)
	ok(t, err)
	if len(hs) != 0 {
		t.Errorf("heads of A1's building seen from B1: %+v", hs)
	}
	wantField(t, e.db.SetBuildingHead(ctx, wangge.ScopeAll(), &wangge.BuildingHead{BuildingID: 999999, Name: "无楼"}), "building_id", "SetBuildingHead of a missing building")
	wantField(t, e.db.SetBuildingHead(ctx, wangge.ScopeAll(), &wangge.BuildingHead{BuildingID: f.BA1.ID}), "name", "SetBuildingHead without name")
	wantField(t, e.db.SetBuildingHead(ctx, wangge.ScopeAll(), &wangge.BuildingHead{BuildingID: f.BA1.ID, Name: "号码错", Phone: "12345"}), "phone", "SetBuildingHead with a bad phone")
}

func testHouseholds(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	plain := "0355-2021236"
	h := &wangge.Household{BuildingID: f.BA1.ID, Entrance: "2", Room: "402", Number: "A0402", Kind: wangge.ResidentFloating, Phone: "(0355) 2021236", Note: "租户"}
	ok(t, e.db.CreateHousehold(ctx, wangge.ScopeAll(), h))
	if h.ID == 0 || h.GridCode != GridA1 || h.Version != 1 || h.Phone != ident.MaskPhone(plain) {
		t.Errorf("created %+v", h)
	}
	got, err := e.db.Household(ctx, wangge.ScopeOf(GridA1), h.ID)
	ok(t, err)
	if got.BuildingID != f.BA1.ID || got.GridCode != GridA1 || got.Entrance != "2" || got.Room != "402" || got.Number != "A0402" ||
		got.Kind != wangge.ResidentFloating || got.Note != "租户" || got.Version != 1 {
		t.Errorf("Household = %+v", got)
	}
	if got.Phone != ident.MaskPhone(plain) || !strings.Contains(got.Phone, "*") {
		t.Errorf("household phone %q, want masked %q", got.Phone, ident.MaskPhone(plain))
	}
	raw := e.rawRow(`SELECT phone_enc, phone_idx FROM households WHERE id = ?`, h.ID)

	// An update that carries the masked phone keeps the stored one.
	got.Note, got.Room = "租户（已续租）", "403"
	ok(t, e.db.UpdateHousehold(ctx, wangge.ScopeAll(), got))
	if got.Version != 2 {
		t.Errorf("version %d, want 2", got.Version)
	}
	after := e.rawRow(`SELECT phone_enc, phone_idx FROM households WHERE id = ?`, h.ID)
	if !bytes.Equal(raw["phone_enc"], after["phone_enc"]) || !bytes.Equal(raw["phone_idx"], after["phone_idx"]) {
		t.Errorf("an update with the masked phone changed the stored phone")
	}
	got2, err := e.db.Household(ctx, wangge.ScopeAll(), h.ID)
	ok(t, err)
	if got2.Note != "租户（已续租）" || got2.Room != "403" || got2.Phone != ident.MaskPhone(plain) || got2.Version != 2 {
		t.Errorf("after update %+v", got2)
	}
	// A new phone replaces it.
	got2.Phone = "13812345678"
	ok(t, e.db.UpdateHousehold(ctx, wangge.ScopeAll(), got2))
	got3, err := e.db.Household(ctx, wangge.ScopeAll(), h.ID)
	ok(t, err)
	if got3.Phone != "138****5678" || got3.Version != 3 {
		t.Errorf("after a new phone: %q version %d", got3.Phone, got3.Version)
	}
	_, err = e.db.Household(ctx, wangge.ScopeAll(), 999999)
	wantCode(t, err, wangge.ENotFound, "Household of a missing id")
	wantField(t, e.db.CreateHousehold(ctx, wangge.ScopeAll(), &wangge.Household{BuildingID: 999999, Room: "1", Kind: wangge.ResidentRegistered}), "building_id", "CreateHousehold in a missing building")

	// A visit shows as the household's last visit.
	as := e.assistant("协理员甲")
	ok(t, e.db.AssignAssistant(ctx, as.ID, GridA1, time.Time{}, ""))
	at := time.Date(2025, 4, 1, 9, 30, 0, 0, time.UTC)
	ok(t, e.db.CreateVisit(ctx, wangge.ScopeAll(), &wangge.Visit{AssistantID: as.ID, HouseholdID: &f.HA1.ID, At: at, Purpose: "入户走访"}))

	list := func(s wangge.Scope, fl wangge.HouseholdFilter) ([]wangge.HouseholdSummary, int) {
		t.Helper()
		hs, n, err := e.db.ListHouseholds(ctx, s, fl)
		ok(t, err, "ListHouseholds")
		return hs, n
	}
	hid := func(h wangge.HouseholdSummary) int64 { return h.ID }
	hs, n := list(wangge.ScopeOf(CommunityA), wangge.HouseholdFilter{})
	if want := []int64{f.HA1.ID, f.HA1b.ID, h.ID, f.HA2.ID}; n != 4 || !sameIDs(ids(hs, hid), want) {
		t.Fatalf("households of A: %v (total %d), want %v", ids(hs, hid), n, want)
	}
	s := hs[0]
	if s.BuildingName != f.BA1.Name || s.HeadName != f.PA1.Name || s.Persons != 2 || s.LastVisit == nil || !s.LastVisit.Equal(at) {
		t.Errorf("summary of HA1: building %q head %q persons %d last visit %v", s.BuildingName, s.HeadName, s.Persons, s.LastVisit)
	}
	if s := hs[1]; s.HeadName != "" || s.Persons != 0 || s.LastVisit != nil {
		t.Errorf("summary of an empty household: %+v", s)
	}
	if hs[2].Phone != "138****5678" {
		t.Errorf("listed phone %q, want masked", hs[2].Phone)
	}
	hs, n = list(wangge.ScopeAll(), wangge.HouseholdFilter{BuildingID: f.BA1.ID})
	if n != 3 || len(hs) != 3 {
		t.Errorf("households of BA1: %v (total %d)", ids(hs, hid), n)
	}
	hs, n = list(wangge.ScopeAll(), wangge.HouseholdFilter{Query: "40"})
	if n != 1 || len(hs) != 1 || hs[0].ID != h.ID {
		t.Errorf("query room 40…: %v (total %d)", ids(hs, hid), n)
	}
	hs, n = list(wangge.ScopeAll(), wangge.HouseholdFilter{Query: "A04"})
	if n != 1 || len(hs) != 1 || hs[0].ID != h.ID {
		t.Errorf("query number A04…: %v (total %d)", ids(hs, hid), n)
	}
	hs, n = list(wangge.ScopeAll(), wangge.HouseholdFilter{GridCode: GridB1})
	if n != 1 || len(hs) != 1 || hs[0].ID != f.HB1.ID {
		t.Errorf("filter grid B1: %v (total %d)", ids(hs, hid), n)
	}
	hs, n = list(wangge.ScopeOf(District), wangge.HouseholdFilter{Page: wangge.Page{Offset: 3, Limit: 10}})
	if n != 5 || len(hs) != 2 || hs[0].ID != f.HA2.ID || hs[1].ID != f.HB1.ID {
		t.Errorf("page 3+10: %v (total %d)", ids(hs, hid), n)
	}
}

func testPersons(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	p, err := e.db.Person(ctx, wangge.ScopeOf(GridA1), f.PA1.ID)
	ok(t, err)
	id := ident.IDNumber(f.IDNumber[f.PA1.ID])
	if p.Name != "测试甲一" || p.HouseholdID != f.HA1.ID || p.GridCode != GridA1 || p.Relation != wangge.RelHead ||
		p.Kind != wangge.ResidentRegistered || p.Ethnicity != "汉族" || p.Party || p.Employment != wangge.EmployEmployed || p.Version != 1 {
		t.Errorf("Person = %+v", p)
	}
	if !p.BirthDate.Equal(id.BirthDate()) || p.Sex != id.Sex() {
		t.Errorf("derived birth %v sex %v, want %v %v", p.BirthDate, p.Sex, id.BirthDate(), id.Sex())
	}
	p.Name, p.Party, p.Employment, p.Note, p.Kind = "测试甲一（改）", true, wangge.EmployRetired, "党员", wangge.ResidentAbsent
	ok(t, e.db.UpdatePerson(ctx, wangge.ScopeAll(), p))
	if p.Version != 2 {
		t.Errorf("version %d, want 2", p.Version)
	}
	got, err := e.db.Person(ctx, wangge.ScopeAll(), f.PA1.ID)
	ok(t, err)
	if got.Name != p.Name || !got.Party || got.Employment != wangge.EmployRetired || got.Note != "党员" || got.Kind != wangge.ResidentAbsent || got.Version != 2 {
		t.Errorf("after update %+v", got)
	}
	_, err = e.db.Person(ctx, wangge.ScopeAll(), 999999)
	wantCode(t, err, wangge.ENotFound, "Person of a missing id")
	wantField(t, e.db.CreatePerson(ctx, wangge.ScopeAll(), &wangge.Person{HouseholdID: 999999, Name: "无户", IDNumber: e.newID(ident.SexMale)}), "household_id", "CreatePerson in a missing household")

	list := func(s wangge.Scope, fl wangge.PersonFilter) ([]wangge.Person, int) {
		t.Helper()
		ps, n, err := e.db.ListPersons(ctx, s, fl)
		ok(t, err, "ListPersons")
		return ps, n
	}
	pid := func(p wangge.Person) int64 { return p.ID }
	ps, n := list(wangge.ScopeOf(District), wangge.PersonFilter{})
	if want := []int64{f.PA1.ID, f.PA1b.ID, f.PA2.ID, f.PB1.ID}; n != 4 || !sameIDs(ids(ps, pid), want) {
		t.Errorf("persons of the district: %v (total %d), want %v", ids(ps, pid), n, want)
	}
	ps, n = list(wangge.ScopeAll(), wangge.PersonFilter{HouseholdID: f.HA1.ID})
	if n != 2 || len(ps) != 2 {
		t.Errorf("persons of HA1: %v (total %d)", ids(ps, pid), n)
	}
	ps, n = list(wangge.ScopeAll(), wangge.PersonFilter{Name: "测试乙"})
	if n != 1 || len(ps) != 1 || ps[0].ID != f.PA2.ID {
		t.Errorf("name prefix 测试乙: %v (total %d)", ids(ps, pid), n)
	}
	ps, n = list(wangge.ScopeAll(), wangge.PersonFilter{Name: "甲一"})
	if n != 0 {
		t.Errorf("name 甲一 is not a prefix, found %v", ids(ps, pid))
	}
	ps, n = list(wangge.ScopeAll(), wangge.PersonFilter{Name: "%"})
	if n != 0 {
		t.Errorf("name %% found %v: wildcards are literal", ids(ps, pid))
	}
	ps, n = list(wangge.ScopeAll(), wangge.PersonFilter{GridCode: GridA2})
	if n != 1 || len(ps) != 1 || ps[0].ID != f.PA2.ID {
		t.Errorf("filter grid A2: %v (total %d)", ids(ps, pid), n)
	}
	ps, n = list(wangge.ScopeAll(), wangge.PersonFilter{Page: wangge.Page{Offset: 1, Limit: 2}})
	if want := []int64{f.PA1b.ID, f.PA2.ID}; n != 4 || !sameIDs(ids(ps, pid), want) {
		t.Errorf("page 1+2: %v (total %d), want %v", ids(ps, pid), n, want)
	}

	// Delete needs a reason and takes the person's memberships along; a
	// building head who was the person stays, without the link.
	m := e.membership(f.PA1.ID, wangge.GroupFloating, floatingAttrs)
	ok(t, e.db.SetBuildingHead(ctx, wangge.ScopeAll(), &wangge.BuildingHead{BuildingID: f.BA1.ID, PersonID: &f.PA1.ID, Name: got.Name}))
	wantField(t, e.db.DeletePerson(ctx, wangge.ScopeAll(), got.ID, got.Version, ""), "reason", "DeletePerson without reason")
	wantCode(t, e.db.DeletePerson(ctx, wangge.ScopeAll(), got.ID, got.Version-1, "重复登记"), wangge.EConflict, "DeletePerson with a stale version")
	ok(t, e.db.DeletePerson(ctx, wangge.ScopeAll(), got.ID, got.Version, "重复登记"))
	_, err = e.db.Person(ctx, wangge.ScopeAll(), got.ID)
	wantCode(t, err, wangge.ENotFound, "Person after delete")
	_, err = e.db.Membership(ctx, wangge.ScopeAll(), m.ID)
	wantCode(t, err, wangge.ENotFound, "Membership of a deleted person")
	if _, n := list(wangge.ScopeAll(), wangge.PersonFilter{}); n != 3 {
		t.Errorf("persons after delete: %d, want 3", n)
	}
	hs, err := e.db.BuildingHeads(ctx, wangge.ScopeAll(), f.BA1.ID)
	ok(t, err)
	if len(hs) != 1 || hs[0].PersonID != nil || hs[0].Name != got.Name {
		t.Errorf("head after the person's deletion: %+v", hs)
	}
	if a := e.lastAudit(); a.Action != "person.delete" || !strings.Contains(a.Detail, "重复登记") {
		t.Errorf("last audit entry %s %q, want person.delete with the reason", a.Action, a.Detail)
	}
}

func testUnits(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	code := e.newCreditCode()
	phone := e.newPhone()
	u := &wangge.Unit{GridCode: GridA1, BuildingID: &f.BA1.ID, Name: "东苑超市", CreditCode: strings.ToLower(code), Kind: wangge.UnitEnterprise,
		Headcount: 30, PartyOrg: "东苑超市党支部", PartyMembers: 5, Address: "东苑路1号", ContactName: "经理", ContactPhone: phone}
	ok(t, e.db.CreateUnit(ctx, wangge.ScopeAll(), u))
	if u.ID == 0 || u.CreditCode != code || u.Version != 1 || u.ContactPhone != ident.MaskPhone(phone) {
		t.Errorf("created %+v", u)
	}
	got, err := e.db.Unit(ctx, wangge.ScopeOf(GridA1), u.ID)
	ok(t, err)
	if got.GridCode != GridA1 || got.BuildingID == nil || *got.BuildingID != f.BA1.ID || got.Name != "东苑超市" || got.CreditCode != code ||
		got.Kind != wangge.UnitEnterprise || got.Headcount != 30 || got.PartyOrg != "东苑超市党支部" || got.PartyMembers != 5 ||
		got.Address != "东苑路1号" || got.ContactName != "经理" || got.Version != 1 {
		t.Errorf("Unit = %+v", got)
	}
	if got.ContactPhone != ident.MaskPhone(phone) || got.ContactPhone == phone {
		t.Errorf("contact phone %q, want masked", got.ContactPhone)
	}
	raw := e.rawRow(`SELECT contact_phone_enc FROM units WHERE id = ?`, u.ID)

	// Update with the masked phone keeps it; the unit may move grid.
	got.Name, got.GridCode, got.BuildingID, got.Headcount = "东苑超市（西苑店）", GridB1, nil, 40
	ok(t, e.db.UpdateUnit(ctx, wangge.ScopeAll(), got))
	if got.Version != 2 {
		t.Errorf("version %d, want 2", got.Version)
	}
	if after := e.rawRow(`SELECT contact_phone_enc FROM units WHERE id = ?`, u.ID); !bytes.Equal(raw["contact_phone_enc"], after["contact_phone_enc"]) {
		t.Errorf("an update with the masked phone changed the stored phone")
	}
	got2, err := e.db.Unit(ctx, wangge.ScopeOf(GridB1), u.ID)
	ok(t, err, "unit in its new grid")
	if got2.Name != got.Name || got2.BuildingID != nil || got2.Headcount != 40 || got2.ContactPhone != ident.MaskPhone(phone) || got2.CreditCode != code {
		t.Errorf("after update %+v", got2)
	}
	got2.ContactPhone = "13712345678"
	ok(t, e.db.UpdateUnit(ctx, wangge.ScopeAll(), got2))
	got3, err := e.db.Unit(ctx, wangge.ScopeAll(), u.ID)
	ok(t, err)
	if got3.ContactPhone != "137****5678" {
		t.Errorf("contact phone after change %q", got3.ContactPhone)
	}
	wantField(t, e.db.UpdateUnit(ctx, wangge.ScopeAll(), &wangge.Unit{ID: u.ID, Version: got3.Version, GridCode: GridA3, Name: "x", Kind: wangge.UnitEnterprise}), "grid_code", "UpdateUnit into a missing grid")

	u2 := e.unit(GridA1, "东苑物业")
	u3 := e.unit(GridA2, "东苑学校")
	u3.Kind, u3.PartyOrg = wangge.UnitInstitution, "学校党总支"
	ok(t, e.db.UpdateUnit(ctx, wangge.ScopeAll(), u3))
	list := func(s wangge.Scope, fl wangge.UnitFilter) []int64 {
		t.Helper()
		us, n, err := e.db.ListUnits(ctx, s, fl)
		ok(t, err, "ListUnits")
		if n != len(us) && fl.Limit == 0 {
			t.Errorf("ListUnits total %d, items %d", n, len(us))
		}
		return ids(us, func(u wangge.Unit) int64 { return u.ID })
	}
	yes, no := true, false
	if got := list(wangge.ScopeOf(District), wangge.UnitFilter{}); !sameIDs(got, []int64{u2.ID, u3.ID, u.ID}) {
		t.Errorf("units of the district %v", got)
	}
	if got := list(wangge.ScopeOf(CommunityA), wangge.UnitFilter{}); !sameIDs(got, []int64{u2.ID, u3.ID}) {
		t.Errorf("units of A %v", got)
	}
	if got := list(wangge.ScopeAll(), wangge.UnitFilter{PartyOrg: &yes}); !sameIDs(got, []int64{u3.ID, u.ID}) {
		t.Errorf("units with a party organisation %v", got)
	}
	if got := list(wangge.ScopeAll(), wangge.UnitFilter{PartyOrg: &no}); !sameIDs(got, []int64{u2.ID}) {
		t.Errorf("units without a party organisation %v", got)
	}
	if got := list(wangge.ScopeAll(), wangge.UnitFilter{Query: "学校"}); !sameIDs(got, []int64{u3.ID}) {
		t.Errorf("query 学校 %v", got)
	}
	if got := list(wangge.ScopeAll(), wangge.UnitFilter{GridCode: GridB1}); !sameIDs(got, []int64{u.ID}) {
		t.Errorf("filter grid B1 %v", got)
	}
	us, n, err := e.db.ListUnits(ctx, wangge.ScopeAll(), wangge.UnitFilter{Page: wangge.Page{Offset: 2, Limit: 1}})
	ok(t, err)
	if n != 3 || len(us) != 1 || us[0].ID != u.ID {
		t.Errorf("page 2+1: %v total %d", ids(us, func(u wangge.Unit) int64 { return u.ID }), n)
	}

	wantCode(t, e.db.DeleteUnit(ctx, wangge.ScopeAll(), u2.ID, u2.Version+1), wangge.EConflict, "DeleteUnit with a wrong version")
	ok(t, e.db.DeleteUnit(ctx, wangge.ScopeAll(), u2.ID, u2.Version))
	_, err = e.db.Unit(ctx, wangge.ScopeAll(), u2.ID)
	wantCode(t, err, wangge.ENotFound, "Unit after delete")
	wantCode(t, e.db.DeleteUnit(ctx, wangge.ScopeAll(), u2.ID, u2.Version), wangge.ENotFound, "DeleteUnit twice")
}

func testAssistants(t *testing.T, e *env) {
	ctx := e.ctx
	e.fixture()
	phone := e.newPhone()
	a := &wangge.Assistant{Name: "协理员甲", Sex: "F", WorkPhone: "0355-2021234", Phone: phone, PhotoURL: "/photos/1.jpg", Active: true}
	ok(t, e.db.CreateAssistant(ctx, a))
	if a.ID == 0 || a.Version != 1 || a.Phone != ident.MaskPhone(phone) {
		t.Errorf("created %+v", a)
	}
	got, err := e.db.Assistant(ctx, a.ID)
	ok(t, err)
	if got.Name != "协理员甲" || got.Sex != "F" || got.WorkPhone != "0355-2021234" || got.PhotoURL != "/photos/1.jpg" || !got.Active ||
		got.UserID != nil || got.Version != 1 || got.Phone != ident.MaskPhone(phone) {
		t.Errorf("Assistant = %+v", got)
	}
	u := e.user("xieliyuan", wangge.RoleAssistant, GridA1)
	got.UserID, got.Name, got.Active = &u.ID, "协理员甲（改）", false
	ok(t, e.db.UpdateAssistant(ctx, got))
	got2, err := e.db.Assistant(ctx, a.ID)
	ok(t, err)
	if got2.UserID == nil || *got2.UserID != u.ID || got2.Name != "协理员甲（改）" || got2.Active || got2.Version != 2 || got2.Phone != ident.MaskPhone(phone) {
		t.Errorf("after update %+v", got2)
	}
	got2.Active = true
	ok(t, e.db.UpdateAssistant(ctx, got2))
	_, err = e.db.Assistant(ctx, 999999)
	wantCode(t, err, wangge.ENotFound, "Assistant of a missing id")

	_, err = e.db.GridAssistant(ctx, GridA1)
	wantCode(t, err, wangge.ENotFound, "GridAssistant of a grid without one")

	b := e.assistant("协理员乙")
	t1 := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	t2 := time.Date(2024, 6, 1, 8, 0, 0, 0, time.UTC)
	t3 := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
	ok(t, e.db.AssignAssistant(ctx, a.ID, GridA1, t1, "首次任职"))
	ga, err := e.db.GridAssistant(ctx, GridA1)
	ok(t, err)
	if ga.ID != a.ID || ga.WorkPhone != "0355-2021234" || !strings.Contains(ga.Phone, "*") {
		t.Errorf("GridAssistant(A1) = %+v", ga)
	}
	// a moves to B1: the A1 term ends.
	ok(t, e.db.AssignAssistant(ctx, a.ID, GridB1, t2, "调任"))
	_, err = e.db.GridAssistant(ctx, GridA1)
	wantCode(t, err, wangge.ENotFound, "GridAssistant(A1) after its assistant left")
	// b takes B1: a's B1 term ends.
	ok(t, e.db.AssignAssistant(ctx, b.ID, GridB1, t3, ""))
	ga, err = e.db.GridAssistant(ctx, GridB1)
	ok(t, err)
	if ga.ID != b.ID {
		t.Errorf("GridAssistant(B1) = %d, want %d", ga.ID, b.ID)
	}

	terms, err := e.db.Assignments(ctx, wangge.ScopeAll(), a.ID)
	ok(t, err)
	if len(terms) != 2 {
		t.Fatalf("a's terms: %+v", terms)
	}
	if x := terms[0]; x.GridCode != GridB1 || !x.From.Equal(t2) || x.To == nil || !x.To.Equal(t3) || x.Note != "调任" || x.AssistantID != a.ID {
		t.Errorf("latest term %+v", x)
	}
	if x := terms[1]; x.GridCode != GridA1 || !x.From.Equal(t1) || x.To == nil || !x.To.Equal(t2) || x.Note != "首次任职" {
		t.Errorf("first term %+v", x)
	}
	terms, err = e.db.Assignments(ctx, wangge.ScopeOf(CommunityA), a.ID)
	ok(t, err)
	if len(terms) != 1 || terms[0].GridCode != GridA1 {
		t.Errorf("a's terms within community A: %+v", terms)
	}
	terms, err = e.db.Assignments(ctx, wangge.ScopeAll(), b.ID)
	ok(t, err)
	if len(terms) != 1 || terms[0].To != nil {
		t.Errorf("b's terms: %+v", terms)
	}

	c := e.assistant("协理员丙")
	ok(t, e.db.AssignAssistant(ctx, c.ID, GridA2, time.Time{}, ""))
	list := func(s wangge.Scope, fl wangge.AssistantFilter) ([]wangge.AssistantSummary, int) {
		t.Helper()
		as, n, err := e.db.ListAssistants(ctx, s, fl)
		ok(t, err, "ListAssistants")
		return as, n
	}
	aid := func(a wangge.AssistantSummary) int64 { return a.ID }
	as, n := list(wangge.ScopeOf(District), wangge.AssistantFilter{})
	if n != 2 || !sameIDs(ids(as, aid), []int64{c.ID, b.ID}) {
		t.Errorf("serving assistants: %v (total %d), want c, b in grid order (a serves nowhere now)", ids(as, aid), n)
	} else if as[0].GridCode != GridA2 || as[0].GridName != "东苑第二网格" || as[1].GridCode != GridB1 {
		t.Errorf("summaries %+v", as)
	}
	as, n = list(wangge.ScopeOf(CommunityA), wangge.AssistantFilter{})
	if n != 1 || len(as) != 1 || as[0].ID != c.ID {
		t.Errorf("assistants of A: %v (total %d)", ids(as, aid), n)
	}
	as, n = list(wangge.ScopeAll(), wangge.AssistantFilter{Query: "乙"})
	if n != 1 || len(as) != 1 || as[0].ID != b.ID {
		t.Errorf("query 乙: %v (total %d)", ids(as, aid), n)
	}
	as, n = list(wangge.ScopeAll(), wangge.AssistantFilter{GridCode: GridB1})
	if n != 1 || len(as) != 1 || as[0].ID != b.ID {
		t.Errorf("filter B1: %v (total %d)", ids(as, aid), n)
	}
	as, n = list(wangge.ScopeAll(), wangge.AssistantFilter{Page: wangge.Page{Offset: 1, Limit: 1}})
	if n != 2 || len(as) != 1 || as[0].ID != b.ID {
		t.Errorf("page 1+1: %v (total %d)", ids(as, aid), n)
	}

	wantField(t, e.db.AssignAssistant(ctx, 999999, GridA1, time.Time{}, ""), "assistant_id", "AssignAssistant of a missing assistant")
	wantField(t, e.db.AssignAssistant(ctx, a.ID, CommunityA, time.Time{}, ""), "grid_code", "AssignAssistant to a community")
	wantField(t, e.db.AssignAssistant(ctx, a.ID, GridA3, time.Time{}, ""), "grid_code", "AssignAssistant to a missing grid")
}

func testMemberships(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	joined := time.Date(2024, 3, 5, 23, 30, 0, 0, time.FixedZone("CST", 8*3600))
	m := &wangge.Membership{PersonID: f.PA1.ID, Group: wangge.GroupFloating, Attrs: floatingAttrs, Joined: joined, Note: "来自外省"}
	ok(t, e.db.CreateMembership(ctx, wangge.ScopeAll(), m))
	if m.ID == 0 || m.GridCode != GridA1 || m.Version != 1 || !m.Joined.Equal(time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("created %+v", m)
	}
	got, err := e.db.Membership(ctx, wangge.ScopeOf(GridA1), m.ID)
	ok(t, err)
	if got.PersonID != f.PA1.ID || got.GridCode != GridA1 || got.Group != wangge.GroupFloating || got.Attrs["origin"] != "河北省石家庄市" ||
		len(got.Attrs) != 2 || !got.Joined.Equal(m.Joined) || got.Left != nil || got.Note != "来自外省" || got.Version != 1 || got.PersonName != f.PA1.Name {
		t.Errorf("Membership = %+v", got)
	}
	dup := &wangge.Membership{PersonID: f.PA1.ID, Group: wangge.GroupFloating, Attrs: floatingAttrs}
	wantCode(t, e.db.CreateMembership(ctx, wangge.ScopeAll(), dup), wangge.EConflict, "a second current membership of the same group")
	wantField(t, e.db.CreateMembership(ctx, wangge.ScopeAll(), &wangge.Membership{PersonID: 999999, Group: wangge.GroupElderly, Attrs: elderlyAttrs}), "person_id", "CreateMembership of a missing person")

	got.Attrs = map[string]string{"origin": "河南省郑州市", "permit": "已办理"}
	got.Note = "已办居住证"
	ok(t, e.db.UpdateMembership(ctx, wangge.ScopeAll(), got))
	got2, err := e.db.Membership(ctx, wangge.ScopeAll(), m.ID)
	ok(t, err)
	if got2.Attrs["origin"] != "河南省郑州市" || got2.Attrs["permit"] != "已办理" || len(got2.Attrs) != 2 || got2.Note != "已办居住证" || got2.Version != 2 {
		t.Errorf("after update %+v", got2)
	}

	// Ending keeps the row; the person may then join again.
	wantField(t, e.db.EndMembership(ctx, wangge.ScopeAll(), m.ID, got2.Version, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)), "left", "EndMembership before joining")
	left := time.Date(2024, 6, 30, 15, 0, 0, 0, time.UTC)
	ok(t, e.db.EndMembership(ctx, wangge.ScopeAll(), m.ID, got2.Version, left))
	got3, err := e.db.Membership(ctx, wangge.ScopeAll(), m.ID)
	ok(t, err)
	if got3.Left == nil || !got3.Left.Equal(time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)) || got3.Version != 3 {
		t.Errorf("after end: left %v version %d", got3.Left, got3.Version)
	}
	wantCode(t, e.db.EndMembership(ctx, wangge.ScopeAll(), m.ID, got3.Version, left), wangge.EConflict, "ending an ended membership")
	wantCode(t, e.db.EndMembership(ctx, wangge.ScopeAll(), 999999, 1, left), wangge.ENotFound, "EndMembership of a missing id")
	again := e.membership(f.PA1.ID, wangge.GroupFloating, floatingAttrs)

	el := e.membership(f.PA1b.ID, wangge.GroupElderly, elderlyAttrs)
	dis := e.membership(f.PA1b.ID, wangge.GroupDisabled, disabledAttrs)
	b1 := e.membership(f.PB1.ID, wangge.GroupElderly, elderlyAttrs)

	sens := wangge.ScopeOf(District)
	sens.Sensitive = true
	list := func(s wangge.Scope, fl wangge.MembershipFilter) ([]int64, int) {
		t.Helper()
		ms, n, err := e.db.ListMemberships(ctx, s, fl)
		ok(t, err, "ListMemberships")
		return ids(ms, func(m wangge.Membership) int64 { return m.ID }), n
	}
	// Order: grid, group, id. The fixture's persons are all over 60, so
	// all four are elderly by age: PA1 and PA2 without a row (ID 0), PA1b
	// and PB1 with the rows that keep their details.
	if got, n := list(sens, wangge.MembershipFilter{}); n != 7 || !sameIDs(got, []int64{dis.ID, 0, el.ID, m.ID, again.ID, 0, b1.ID}) {
		t.Errorf("all memberships %v (total %d)", got, n)
	}
	if got, n := list(sens, wangge.MembershipFilter{Current: true}); n != 6 || !sameIDs(got, []int64{dis.ID, 0, el.ID, again.ID, 0, b1.ID}) {
		t.Errorf("current memberships %v (total %d)", got, n)
	}
	if got, n := list(sens, wangge.MembershipFilter{Group: wangge.GroupElderly}); n != 4 || !sameIDs(got, []int64{0, el.ID, 0, b1.ID}) {
		t.Errorf("elderly %v (total %d)", got, n)
	}
	if got, n := list(sens, wangge.MembershipFilter{PersonID: f.PA1.ID}); n != 3 || !sameIDs(got, []int64{0, m.ID, again.ID}) {
		t.Errorf("PA1's %v (total %d)", got, n)
	}
	if got, n := list(sens, wangge.MembershipFilter{GridCode: GridB1}); n != 1 || !sameIDs(got, []int64{b1.ID}) {
		t.Errorf("grid B1 %v (total %d)", got, n)
	}
	if got, n := list(sens, wangge.MembershipFilter{Page: wangge.Page{Offset: 1, Limit: 2}}); n != 7 || !sameIDs(got, []int64{0, el.ID}) {
		t.Errorf("page 1+2 %v (total %d)", got, n)
	}

	counts := func(s wangge.Scope) map[wangge.KeyGroup]int {
		t.Helper()
		gc, err := e.db.GroupCounts(ctx, s)
		ok(t, err, "GroupCounts")
		out := map[wangge.KeyGroup]int{}
		for _, c := range gc {
			out[c.Group] = c.Count
		}
		if want := 9; s.Sensitive && len(gc) != want {
			t.Errorf("GroupCounts lists %d groups, want all %d", len(gc), want)
		}
		return out
	}
	c := counts(sens)
	if c[wangge.GroupFloating] != 1 || c[wangge.GroupElderly] != 4 || c[wangge.GroupDisabled] != 1 || c[wangge.GroupAid] != 0 {
		t.Errorf("district counts %v", c)
	}
	sa1 := wangge.ScopeOf(GridA1)
	sa1.Sensitive = true
	c = counts(sa1)
	if c[wangge.GroupFloating] != 1 || c[wangge.GroupElderly] != 2 || c[wangge.GroupDisabled] != 1 {
		t.Errorf("grid A1 counts %v", c)
	}
}

func testServices(t *testing.T, e *env) {
	ctx := e.ctx
	all, err := e.db.ListServices(ctx, "", false)
	ok(t, err)
	if len(all) != 0 {
		t.Fatalf("a new database has %d services", len(all))
	}
	ok(t, e.db.SeedServices(ctx))
	ok(t, e.db.SeedServices(ctx)) // a second seeding adds nothing
	all, err = e.db.ListServices(ctx, "", false)
	ok(t, err)
	if len(all) != 100 {
		t.Fatalf("seeded %d services, want 100", len(all))
	}
	if all[0].Code != "S001" || !slices.IsSortedFunc(all, func(a, b wangge.Service) int { return strings.Compare(a.Code, b.Code) }) {
		t.Errorf("services are not in code order: first %s", all[0].Code)
	}
	def, err := wangge.DefaultServices()
	ok(t, err)
	if s := all[0]; s.Name != def[0].Name || s.Line != def[0].Line || s.Department != def[0].Department || !slices.Equal(s.Materials, def[0].Materials) ||
		s.TimeLimitDays != def[0].TimeLimitDays || s.Description != def[0].Description || !s.Active || s.Version != 1 {
		t.Errorf("S001 = %+v, want %+v", s, def[0])
	}
	civil, err := e.db.ListServices(ctx, wangge.LineCivil, false)
	ok(t, err)
	want := 0
	for _, s := range def {
		if s.Line == wangge.LineCivil {
			want++
		}
	}
	if len(civil) != want || want == 0 {
		t.Errorf("civil services %d, want %d", len(civil), want)
	}
	for _, s := range civil {
		if s.Line != wangge.LineCivil {
			t.Errorf("ListServices(civil) returned %s of line %s", s.Code, s.Line)
		}
	}

	s := civil[0]
	s.Active, s.Name, s.TimeLimitDays, s.Materials = false, s.Name+"（停办）", 5, []string{"身份证", "申请书"}
	ok(t, e.db.UpdateService(ctx, &s))
	got, err := e.db.Service(ctx, s.ID)
	ok(t, err)
	if got.Active || got.Name != s.Name || got.TimeLimitDays != 5 || !slices.Equal(got.Materials, s.Materials) || got.Version != 2 {
		t.Errorf("after update %+v", got)
	}
	active, err := e.db.ListServices(ctx, wangge.LineCivil, true)
	ok(t, err)
	if len(active) != want-1 {
		t.Errorf("active civil services %d, want %d", len(active), want-1)
	}
	active, err = e.db.ListServices(ctx, "", true)
	ok(t, err)
	if len(active) != 99 {
		t.Errorf("active services %d, want 99", len(active))
	}
	st, err := e.db.Stats(ctx, wangge.ScopeAll())
	ok(t, err)
	if st.Services != 99 {
		t.Errorf("Stats.Services %d, want 99", st.Services)
	}

	n := &wangge.Service{Code: "S901", Name: "测试服务", Line: wangge.LineGeneral, Department: "社区居委会", Description: "说明", Active: true}
	ok(t, e.db.CreateService(ctx, n))
	got, err = e.db.Service(ctx, n.ID)
	ok(t, err)
	if got.Code != "S901" || got.Materials != nil || got.TimeLimitDays != 0 || got.Version != 1 || !got.Active {
		t.Errorf("new service %+v", got)
	}
	wantCode(t, e.db.CreateService(ctx, &wangge.Service{Code: "S901", Name: "重复", Line: wangge.LineGeneral}), wangge.EConflict, "CreateService with a taken code")
	_, err = e.db.Service(ctx, 999999)
	wantCode(t, err, wangge.ENotFound, "Service of a missing id")
}

func testVisits(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	a := e.assistant("协理员甲")
	ok(t, e.db.AssignAssistant(ctx, a.ID, GridA1, time.Time{}, ""))
	idle := e.assistant("协理员乙")
	u := e.unit(GridA1, "东苑超市")
	base := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)

	vh := &wangge.Visit{AssistantID: a.ID, HouseholdID: &f.HA1.ID, At: base, Purpose: "入户走访",
		Clears: wangge.SixClears{Household: "三口之家", Needs: "需要办理居住证"}, Note: "已告知", Problems: []string{"楼道堆物", "路灯不亮"}}
	ok(t, e.db.CreateVisit(ctx, wangge.ScopeAll(), vh))
	vu := &wangge.Visit{AssistantID: a.ID, UnitID: &u.ID, At: base.Add(time.Hour), Purpose: "安全检查"}
	ok(t, e.db.CreateVisit(ctx, wangge.ScopeAll(), vu))
	vp := &wangge.Visit{AssistantID: a.ID, Place: "东苑小广场", At: base.Add(2 * time.Hour), Purpose: "巡查"}
	ok(t, e.db.CreateVisit(ctx, wangge.ScopeAll(), vp))
	vb := &wangge.Visit{AssistantID: idle.ID, HouseholdID: &f.HB1.ID, At: base.Add(3 * time.Hour), Purpose: "入户"}
	ok(t, e.db.CreateVisit(ctx, wangge.ScopeAll(), vb))
	if vh.GridCode != GridA1 || vu.GridCode != GridA1 || vp.GridCode != GridA1 || vb.GridCode != GridB1 || vh.Version != 1 {
		t.Errorf("visit grids %s %s %s %s", vh.GridCode, vu.GridCode, vp.GridCode, vb.GridCode)
	}
	wantField(t, e.db.CreateVisit(ctx, wangge.ScopeAll(), &wangge.Visit{AssistantID: idle.ID, Place: "无网格", At: base}), "assistant_id", "a place visit by an assistant without a grid")
	wantField(t, e.db.CreateVisit(ctx, wangge.ScopeAll(), &wangge.Visit{AssistantID: a.ID, At: base}), "place", "a visit to nowhere")
	wantField(t, e.db.CreateVisit(ctx, wangge.ScopeAll(), &wangge.Visit{AssistantID: a.ID, UnitID: ptr(int64(999999)), At: base}), "unit_id", "a visit to a missing unit")
	wantField(t, e.db.CreateVisit(ctx, wangge.ScopeAll(), &wangge.Visit{AssistantID: a.ID, HouseholdID: ptr(int64(999999)), At: base}), "household_id", "a visit to a missing household")

	got, err := e.db.Visit(ctx, wangge.ScopeOf(GridA1), vh.ID)
	ok(t, err)
	if got.AssistantID != a.ID || got.GridCode != GridA1 || !got.At.Equal(base) || got.HouseholdID == nil || *got.HouseholdID != f.HA1.ID ||
		got.UnitID != nil || got.Purpose != "入户走访" || got.Clears != vh.Clears || got.Note != "已告知" || !slices.Equal(got.Problems, vh.Problems) || got.Version != 1 {
		t.Errorf("Visit = %+v", got)
	}
	got, err = e.db.Visit(ctx, wangge.ScopeAll(), vp.ID)
	ok(t, err)
	if got.Place != "东苑小广场" || got.HouseholdID != nil || got.UnitID != nil || len(got.Problems) != 0 {
		t.Errorf("place visit %+v (problems %#v)", got, got.Problems)
	}
	_, err = e.db.Visit(ctx, wangge.ScopeOf(GridA1), vb.ID)
	wantCode(t, err, wangge.ENotFound, "Visit in B1 from A1")

	list := func(s wangge.Scope, fl wangge.VisitFilter) ([]int64, int) {
		t.Helper()
		vs, n, err := e.db.ListVisits(ctx, s, fl)
		ok(t, err, "ListVisits")
		return ids(vs, func(v wangge.Visit) int64 { return v.ID }), n
	}
	if got, n := list(wangge.ScopeOf(District), wangge.VisitFilter{}); n != 4 || !sameIDs(got, []int64{vb.ID, vp.ID, vu.ID, vh.ID}) {
		t.Errorf("all visits, latest first: %v (total %d)", got, n)
	}
	if got, n := list(wangge.ScopeOf(GridA1), wangge.VisitFilter{}); n != 3 || !sameIDs(got, []int64{vp.ID, vu.ID, vh.ID}) {
		t.Errorf("visits in A1: %v (total %d)", got, n)
	}
	if got, n := list(wangge.ScopeAll(), wangge.VisitFilter{HouseholdID: f.HA1.ID}); n != 1 || !sameIDs(got, []int64{vh.ID}) {
		t.Errorf("visits to HA1: %v (total %d)", got, n)
	}
	if got, n := list(wangge.ScopeAll(), wangge.VisitFilter{UnitID: u.ID}); n != 1 || !sameIDs(got, []int64{vu.ID}) {
		t.Errorf("visits to the unit: %v (total %d)", got, n)
	}
	if got, n := list(wangge.ScopeAll(), wangge.VisitFilter{AssistantID: idle.ID}); n != 1 || !sameIDs(got, []int64{vb.ID}) {
		t.Errorf("visits by the idle assistant: %v (total %d)", got, n)
	}
	if got, n := list(wangge.ScopeAll(), wangge.VisitFilter{Since: base.Add(time.Hour)}); n != 3 || !sameIDs(got, []int64{vb.ID, vp.ID, vu.ID}) {
		t.Errorf("visits since +1h (inclusive): %v (total %d)", got, n)
	}
	if got, n := list(wangge.ScopeAll(), wangge.VisitFilter{Since: base.Add(time.Hour).In(time.FixedZone("CST", 8*3600))}); n != 3 || !sameIDs(got, []int64{vb.ID, vp.ID, vu.ID}) {
		t.Errorf("visits since +1h given in Beijing time: %v (total %d)", got, n)
	}
	if got, n := list(wangge.ScopeAll(), wangge.VisitFilter{GridCode: GridB1}); n != 1 || !sameIDs(got, []int64{vb.ID}) {
		t.Errorf("visits in B1: %v (total %d)", got, n)
	}
	if got, n := list(wangge.ScopeAll(), wangge.VisitFilter{Page: wangge.Page{Offset: 1, Limit: 2}}); n != 4 || !sameIDs(got, []int64{vp.ID, vu.ID}) {
		t.Errorf("page 1+2: %v (total %d)", got, n)
	}

	// Deleting the household keeps the visit, without the link.
	ok(t, e.db.DeletePerson(ctx, wangge.ScopeAll(), f.PB1.ID, f.PB1.Version, "测试"))
	ok(t, e.db.DeleteHousehold(ctx, wangge.ScopeAll(), f.HB1.ID, f.HB1.Version))
	got, err = e.db.Visit(ctx, wangge.ScopeAll(), vb.ID)
	ok(t, err, "visit to a deleted household")
	if got.HouseholdID != nil {
		t.Errorf("visit still names deleted household %d", *got.HouseholdID)
	}
}

func ptr[T any](v T) *T { return &v }

func testUsers(t *testing.T, e *env) {
	ctx := e.ctx
	e.fixture()
	admin := e.user("admin", wangge.RoleDistrictAdmin, District)
	staffA := e.user("staff.a", wangge.RoleCommunityStaff, CommunityA)
	staffB := e.user("staff.b", wangge.RoleCommunityStaff, CommunityB)
	dept := e.user("dept_civil", wangge.RoleDepartment, District)
	if admin.ID == 0 || admin.Version != 1 || admin.CreatedAt.IsZero() {
		t.Errorf("created %+v", admin)
	}
	got, err := e.db.User(ctx, staffA.ID)
	ok(t, err)
	if got.Username != "staff.a" || got.DisplayName != "用户staff.a" || got.Role != wangge.RoleCommunityStaff || got.ScopeCode != CommunityA ||
		got.PasswordHash != staffA.PasswordHash || got.Disabled || got.AssistantID != nil || got.Version != 1 {
		t.Errorf("User = %+v", got)
	}
	byName, err := e.db.UserByUsername(ctx, "dept_civil")
	ok(t, err)
	if byName.ID != dept.ID || byName.Line != wangge.LineCivil {
		t.Errorf("UserByUsername = %+v", byName)
	}
	_, err = e.db.UserByUsername(ctx, "nobody")
	wantCode(t, err, wangge.ENotFound, "UserByUsername of a missing name")
	_, err = e.db.User(ctx, 999999)
	wantCode(t, err, wangge.ENotFound, "User of a missing id")

	as := e.assistant("协理员甲")
	got.DisplayName, got.Role, got.ScopeCode, got.AssistantID, got.PasswordHash = "社区甲", wangge.RoleAssistant, GridA1, &as.ID, "$argon2id$new"
	ok(t, e.db.UpdateUser(ctx, got))
	got2, err := e.db.User(ctx, staffA.ID)
	ok(t, err)
	if got2.DisplayName != "社区甲" || got2.Role != wangge.RoleAssistant || got2.ScopeCode != GridA1 || got2.AssistantID == nil || *got2.AssistantID != as.ID ||
		got2.PasswordHash != "$argon2id$new" || got2.Version != 2 || got2.Username != "staff.a" {
		t.Errorf("after update %+v", got2)
	}
	wantField(t, e.db.CreateUser(ctx, &wangge.User{Username: "nopass", Role: wangge.RoleAuditor, ScopeCode: District}), "password", "CreateUser without a password hash")

	list := func(s wangge.Scope, p wangge.Page) ([]string, int) {
		t.Helper()
		us, n, err := e.db.ListUsers(ctx, s, p)
		ok(t, err, "ListUsers")
		var names []string
		for _, u := range us {
			names = append(names, u.Username)
		}
		return names, n
	}
	if names, n := list(wangge.ScopeAll(), wangge.Page{}); n != 4 || !slices.Equal(names, []string{"admin", "dept_civil", "staff.a", "staff.b"}) {
		t.Errorf("all users %v (total %d)", names, n)
	}
	if names, n := list(wangge.ScopeOf(CommunityA), wangge.Page{}); n != 1 || !slices.Equal(names, []string{"staff.a"}) {
		t.Errorf("users within A %v (total %d)", names, n)
	}
	if names, n := list(wangge.ScopeOf(CommunityB), wangge.Page{}); n != 1 || names[0] != staffB.Username {
		t.Errorf("users within B %v (total %d)", names, n)
	}
	if names, n := list(wangge.ScopeAll(), wangge.Page{Offset: 1, Limit: 2}); n != 4 || !slices.Equal(names, []string{"dept_civil", "staff.a"}) {
		t.Errorf("page 1+2 %v (total %d)", names, n)
	}
	if names, n := list(wangge.Scope{}, wangge.Page{}); n != 0 || len(names) != 0 {
		t.Errorf("users in the zero scope %v (total %d)", names, n)
	}
}

func testSessions(t *testing.T, e *env) {
	ctx := e.ctx
	u := e.user("staff.a", wangge.RoleCommunityStaff, CommunityA)
	off := e.user("gone", wangge.RoleCommunityStaff, CommunityA)
	off.Disabled = true
	ok(t, e.db.UpdateUser(ctx, off))
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	tok := func(s string) []byte { return []byte("token-hash-" + s + "-0123456789abcdef") }
	mk := func(name string, user int64, ttl time.Duration) {
		t.Helper()
		ok(t, e.db.CreateSession(ctx, &wangge.Session{TokenHash: tok(name), UserID: user, CreatedAt: now, ExpiresAt: now.Add(ttl), Addr: "10.1.2.3", UserAgent: "test"}), "CreateSession ", name)
	}
	mk("live", u.ID, time.Hour)
	mk("short", u.ID, time.Minute)
	mk("disabled", off.ID, time.Hour)

	s, su, err := e.db.SessionUser(ctx, tok("live"), now.Add(30*time.Minute))
	ok(t, err)
	if su.ID != u.ID || su.Username != "staff.a" || s.UserID != u.ID || !bytes.Equal(s.TokenHash, tok("live")) ||
		!s.CreatedAt.Equal(now) || !s.ExpiresAt.Equal(now.Add(time.Hour)) || s.Addr != "10.1.2.3" || s.UserAgent != "test" {
		t.Errorf("SessionUser = %+v, %+v", s, su)
	}
	_, _, err = e.db.SessionUser(ctx, tok("live"), now.Add(time.Hour))
	wantCode(t, err, wangge.ENotFound, "a session at its expiry")
	_, _, err = e.db.SessionUser(ctx, tok("short"), now.Add(2*time.Minute))
	wantCode(t, err, wangge.ENotFound, "an expired session")
	_, _, err = e.db.SessionUser(ctx, tok("disabled"), now)
	wantCode(t, err, wangge.ENotFound, "a disabled user's session")
	_, _, err = e.db.SessionUser(ctx, tok("nothing"), now)
	wantCode(t, err, wangge.ENotFound, "an unknown token")

	n, err := e.db.DeleteExpiredSessions(ctx, now.Add(2*time.Minute))
	ok(t, err)
	if n != 1 {
		t.Errorf("DeleteExpiredSessions removed %d, want 1", n)
	}
	_, _, err = e.db.SessionUser(ctx, tok("live"), now.Add(2*time.Minute))
	ok(t, err, "the live session survives DeleteExpiredSessions")

	ok(t, e.db.DeleteSession(ctx, tok("live")))
	_, _, err = e.db.SessionUser(ctx, tok("live"), now)
	wantCode(t, err, wangge.ENotFound, "a deleted session")
	ok(t, e.db.DeleteSession(ctx, tok("live")), "DeleteSession twice")

	// Disabling a user ends their sessions, even once enabled again.
	mk("again", u.ID, time.Hour)
	u.Disabled = true
	ok(t, e.db.UpdateUser(ctx, u))
	u.Disabled = false
	ok(t, e.db.UpdateUser(ctx, u))
	_, _, err = e.db.SessionUser(ctx, tok("again"), now)
	wantCode(t, err, wangge.ENotFound, "a session of a user disabled since")

	wantCode(t, e.db.CreateSession(ctx, &wangge.Session{TokenHash: tok("x"), UserID: 999999, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}), wangge.EInvalid, "a session of a missing user")
}

func testAuditList(t *testing.T, e *env) {
	ctx := e.ctx
	t1 := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
	e.db.SetClock(func() time.Time { return t1 })
	e.area(District, "示范城区")
	e.area(Subdistrict, "示范街道")
	t2 := t1.Add(time.Hour)
	e.db.SetClock(func() time.Time { return t2 })
	ok(t, e.db.Audit(ctx, &wangge.AuditEntry{Username: "visitor", UserID: 0, Role: "", Addr: "10.0.0.9", Action: "login.fail", Object: "user", ObjectID: "visitor", Detail: `{"why":"password"}`}))
	ok(t, e.db.Audit(ctx, &wangge.AuditEntry{Action: "export.persons", Object: "grid", ObjectID: GridA1, GridCode: GridA1, Detail: `{"rows":3}`}))
	t3 := t2.Add(time.Hour)
	e.db.SetClock(func() time.Time { return t3 })
	e.area(CommunityA, "东苑社区")

	list := func(f wangge.AuditFilter) ([]wangge.AuditEntry, int) {
		t.Helper()
		es, n, err := e.db.ListAudit(ctx, f)
		ok(t, err, "ListAudit")
		return es, n
	}
	all, n := list(wangge.AuditFilter{})
	if n != 5 || len(all) != 5 {
		t.Fatalf("audit entries %d (total %d), want 5", len(all), n)
	}
	for i, e := range all {
		if want := int64(5 - i); e.Seq != want {
			t.Errorf("entry %d has seq %d, want %d (latest first)", i, e.Seq, want)
		}
	}
	fail := all[2]
	if fail.Action != "login.fail" || fail.Username != "visitor" || fail.UserID != 0 || fail.Addr != "10.0.0.9" || fail.Object != "user" ||
		fail.ObjectID != "visitor" || fail.Detail != `{"why":"password"}` || !fail.At.Equal(t2) || len(fail.Hash) == 0 || len(fail.PrevHash) == 0 {
		t.Errorf("login.fail entry %+v", fail)
	}
	exp := all[1]
	if exp.Username != "tester" || exp.UserID != 1 || exp.Role != wangge.RoleDistrictAdmin || exp.Addr != "127.0.0.1" || exp.GridCode != GridA1 {
		t.Errorf("an entry without a username takes the context's actor: %+v", exp)
	}
	if a := all[4]; a.Action != "area.create" || a.Object != "area" || a.ObjectID != District || a.GridCode != District || a.Username != "tester" || !a.At.Equal(t1) || len(a.PrevHash) != 0 {
		t.Errorf("first entry %+v", a)
	}
	seqs := func(es []wangge.AuditEntry) []int64 { return ids(es, func(e wangge.AuditEntry) int64 { return e.Seq }) }
	if es, n := list(wangge.AuditFilter{Username: "visitor"}); n != 1 || !sameIDs(seqs(es), []int64{3}) {
		t.Errorf("by username: %v (total %d)", seqs(es), n)
	}
	if es, n := list(wangge.AuditFilter{Action: "area."}); n != 3 || !sameIDs(seqs(es), []int64{5, 2, 1}) {
		t.Errorf("by action prefix area.: %v (total %d)", seqs(es), n)
	}
	if es, n := list(wangge.AuditFilter{Action: "login_"}); n != 0 {
		t.Errorf("by action login_: %v, want nothing: _ is literal", seqs(es))
	}
	if es, n := list(wangge.AuditFilter{Object: "area", ObjectID: Subdistrict}); n != 1 || !sameIDs(seqs(es), []int64{2}) {
		t.Errorf("by object: %v (total %d)", seqs(es), n)
	}
	if es, n := list(wangge.AuditFilter{Since: t2}); n != 3 || !sameIDs(seqs(es), []int64{5, 4, 3}) {
		t.Errorf("since t2 (inclusive): %v (total %d)", seqs(es), n)
	}
	if es, n := list(wangge.AuditFilter{Until: t2}); n != 2 || !sameIDs(seqs(es), []int64{2, 1}) {
		t.Errorf("until t2 (exclusive): %v (total %d)", seqs(es), n)
	}
	if es, n := list(wangge.AuditFilter{Since: t2, Until: t3}); n != 2 || !sameIDs(seqs(es), []int64{4, 3}) {
		t.Errorf("between t2 and t3: %v (total %d)", seqs(es), n)
	}
	cst := time.FixedZone("CST", 8*3600)
	if es, n := list(wangge.AuditFilter{Since: t2.In(cst), Until: t3.In(cst)}); n != 2 || !sameIDs(seqs(es), []int64{4, 3}) {
		t.Errorf("between t2 and t3 given in Beijing time: %v (total %d)", seqs(es), n)
	}
	if es, n := list(wangge.AuditFilter{Page: wangge.Page{Offset: 1, Limit: 2}}); n != 5 || !sameIDs(seqs(es), []int64{4, 3}) {
		t.Errorf("page 1+2: %v (total %d)", seqs(es), n)
	}
	e.verifyAudit()
}

func testStats(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	e.unit(GridA1, "东苑超市")
	e.unit(GridB1, "西苑超市")
	a := e.assistant("协理员甲")
	ok(t, e.db.AssignAssistant(ctx, a.ID, GridA1, time.Time{}, ""))
	b := e.assistant("协理员乙")
	ok(t, e.db.AssignAssistant(ctx, b.ID, GridB1, time.Time{}, ""))
	e.membership(f.PA1.ID, wangge.GroupFloating, floatingAttrs)
	m := e.membership(f.PA2.ID, wangge.GroupElderly, elderlyAttrs)
	ok(t, e.db.EndMembership(ctx, wangge.ScopeAll(), m.ID, m.Version, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)))
	e.membership(f.PB1.ID, wangge.GroupDisabled, disabledAttrs)
	ok(t, e.db.CreateVisit(ctx, wangge.ScopeAll(), &wangge.Visit{AssistantID: a.ID, HouseholdID: &f.HA1.ID, At: time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)}))
	e.user("admin", wangge.RoleDistrictAdmin, District)
	e.user("staff.b", wangge.RoleCommunityStaff, CommunityB)
	ok(t, e.db.SeedServices(ctx))

	// Stats count the members of the age-derived groups as the key-group
	// ledger does (the persons in the band; agegroups.go ties those counts
	// to the lists and the reports); what remains is the rows above.
	stats := func(s wangge.Scope) wangge.Stats {
		t.Helper()
		st, err := e.db.Stats(ctx, s)
		ok(t, err, "Stats")
		st.Cases = nil
		st.Memberships -= e.ageMembers(t, s)
		return *st
	}
	if got, want := stats(wangge.ScopeAll()), (wangge.Stats{Subdistricts: 1, Communities: 2, Grids: 3, Buildings: 3, Households: 4, Persons: 4,
		Units: 2, Assistants: 2, Memberships: 2, Visits: 1, Services: 100, Users: 2}); !equalStats(got, want) {
		t.Errorf("Stats(all) = %+v\nwant %+v", got, want)
	}
	// Staff scopes that may see the sensitive groups count them; the scope
	// test checks that others do not.
	sensitive := func(code string) wangge.Scope {
		s := wangge.ScopeOf(code)
		s.Sensitive = true
		return s
	}
	if got, want := stats(sensitive(District)), (wangge.Stats{Subdistricts: 1, Communities: 2, Grids: 3, Buildings: 3, Households: 4, Persons: 4,
		Units: 2, Assistants: 2, Memberships: 2, Visits: 1, Services: 100, Users: 2}); !equalStats(got, want) {
		t.Errorf("Stats(district) = %+v\nwant %+v", got, want)
	}
	if got, want := stats(sensitive(CommunityA)), (wangge.Stats{Communities: 1, Grids: 2, Buildings: 2, Households: 3, Persons: 3,
		Units: 1, Assistants: 1, Memberships: 1, Visits: 1, Services: 100}); !equalStats(got, want) {
		t.Errorf("Stats(community A) = %+v\nwant %+v", got, want)
	}
	if got, want := stats(sensitive(GridB1)), (wangge.Stats{Grids: 1, Buildings: 1, Households: 1, Persons: 1,
		Units: 1, Assistants: 1, Memberships: 1, Services: 100}); !equalStats(got, want) {
		t.Errorf("Stats(grid B1) = %+v\nwant %+v", got, want)
	}
	if got, want := stats(wangge.Scope{}), (wangge.Stats{Services: 100}); !equalStats(got, want) {
		t.Errorf("Stats(zero scope) = %+v\nwant only the public catalogue counted", got)
	}
}

func equalStats(a, b wangge.Stats) bool {
	a.Cases, b.Cases = nil, nil
	return a.Subdistricts == b.Subdistricts && a.Communities == b.Communities && a.Grids == b.Grids && a.Buildings == b.Buildings &&
		a.Households == b.Households && a.Persons == b.Persons && a.Units == b.Units && a.Assistants == b.Assistants &&
		a.Memberships == b.Memberships && a.Visits == b.Visits && a.Services == b.Services && a.Users == b.Users
}

func testEmpty(t *testing.T, e *env) {
	empty, err := e.db.Empty(e.ctx)
	ok(t, err)
	if !empty {
		t.Fatal("a new database is not Empty")
	}
	ok(t, e.db.SeedServices(e.ctx))
	e.user("admin", wangge.RoleDistrictAdmin, District)
	if empty, err = e.db.Empty(e.ctx); err != nil || !empty {
		t.Errorf("services and users alone: Empty = %v, %v; want true (no areas)", empty, err)
	}
	e.area(District, "示范城区")
	if empty, err = e.db.Empty(e.ctx); err != nil || empty {
		t.Errorf("after the first area: Empty = %v, %v; want false", empty, err)
	}
}
