package webtest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/passwd"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqldb"
	"github.com/wangge/wangge/sqlite"
)

// chinaTime is http.ChinaTime, which this package may not import (package
// http's own tests import this one).
var chinaTime = time.FixedZone("CST", 8*60*60)

// Region codes of the test District: one sub-District with two communities,
// one grid in each.
const (
	District    = "140499"
	Subdistrict = "140499001"
	CommunityA  = "140499001001"
	CommunityB  = "140499001002"
	GridA       = "140499001001001"
	GridB       = "140499001002001"
)

// Password is every test account's Password.
const Password = "Test-Pass-2026"

// Now is the server's clock in the tests: ages are reckoned at it.
var Now = time.Date(2026, 3, 1, 10, 0, 0, 0, chinaTime)

// Fixture is a small synthetic District filled through the store API.
// Names and numbers are invented.
//
//	东苑社区 / 东苑第一网格 (assistant 周敏):
//	  东苑1号楼: 1单元101室 (张建国 head 75 y, elderly; 李秀英 spouse; 张伟 child),
//	             1单元102室 (王芳 head)
//	  东苑2号楼: 2单元201室 (赵强 head)
//	西苑社区 / 西苑第一网格:
//	  西苑1号院: 5号 (刘洋 head, 陈静 spouse)
type Fixture struct {
	Store wangge.Store
	Path  string      // the SQLite file ("" on PostgreSQL)
	Box   *secret.Box // the field key, to open the same data again
	// Buildings and households by name; persons' plain ID numbers and phones.
	BuildingA1, BuildingA2, BuildingB1 *wangge.Building
	HouseholdA1, HouseholdA2           *wangge.Household
	HouseholdA3, HouseholdB1           *wangge.Household
	IDs, Phones                        []string
}

// NewFixture opens a fresh SQLite store in a temporary directory and fills it.
func NewFixture(t testing.TB) *Fixture {
	t.Helper()
	db, path, box := OpenSQLite(t, context.Background(), "wangge.db")
	f := Fill(t, db, box)
	f.Path = path
	return f
}

// OpenSQLite opens a fresh SQLite store, closed when t ends, in a
// temporary file named name, and makes a new field key for it (not yet
// set: Fill, or the caller, sets it).
func OpenSQLite(t testing.TB, ctx context.Context, name string) (*sqldb.DB, string, *secret.Box) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	box, err := secret.New(secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	return db, path, box
}

// Fill sets the key of an empty, migrated store and fills it.
func Fill(t testing.TB, db *sqldb.DB, box *secret.Box) *Fixture {
	t.Helper()
	ctx := context.Background()
	if err := db.UseKey(ctx, box); err != nil {
		t.Fatal(err)
	}
	f := &Fixture{Store: db, Box: box}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []struct{ code, name string }{
		{District, "示范城区"}, {Subdistrict, "示范街道"},
		{CommunityA, "东苑社区"}, {CommunityB, "西苑社区"},
		{GridA, "东苑第一网格"}, {GridB, "西苑第一网格"},
	} {
		must(db.CreateArea(ctx, &wangge.Area{Code: a.code, Name: a.name}))
	}
	building := func(grid, name string, kind wangge.BuildingKind) *wangge.Building {
		b := &wangge.Building{GridCode: grid, Name: name, Kind: kind, Address: "示范路 " + name, Floors: 6, Entrances: 2}
		if kind == wangge.BuildingCourtyard {
			b.Floors, b.Entrances = 1, 0
		}
		must(db.CreateBuilding(ctx, wangge.ScopeAll(), b))
		return b
	}
	f.BuildingA1 = building(GridA, "东苑1号楼", wangge.BuildingTower)
	f.BuildingA2 = building(GridA, "东苑2号楼", wangge.BuildingTower)
	f.BuildingB1 = building(GridB, "西苑1号院", wangge.BuildingCourtyard)
	household := func(b *wangge.Building, entrance, room string) *wangge.Household {
		h := &wangge.Household{BuildingID: b.ID, Entrance: entrance, Room: room, Kind: wangge.ResidentRegistered}
		must(db.CreateHousehold(ctx, wangge.ScopeAll(), h))
		return h
	}
	f.HouseholdA1 = household(f.BuildingA1, "1", "101")
	f.HouseholdA2 = household(f.BuildingA1, "1", "102")
	f.HouseholdA3 = household(f.BuildingA2, "2", "201")
	f.HouseholdB1 = household(f.BuildingB1, "", "5")

	seq := 0
	person := func(h *wangge.Household, name string, rel wangge.Relation, birth string, sex ident.Sex, phone string) *wangge.Person {
		seq++
		bd, err := time.Parse(time.DateOnly, birth)
		must(err)
		id := string(ident.MakeID("149901", bd, seq, sex))
		p := &wangge.Person{HouseholdID: h.ID, Name: name, IDNumber: id, Phone: phone, Relation: rel, Ethnicity: "汉族"}
		must(db.CreatePerson(ctx, wangge.ScopeAll(), p))
		f.IDs = append(f.IDs, id)
		if phone != "" {
			f.Phones = append(f.Phones, phone)
		}
		return p
	}
	head := person(f.HouseholdA1, "张建国", wangge.RelHead, "1950-03-15", ident.SexMale, "13912345678")
	person(f.HouseholdA1, "李秀英", wangge.RelSpouse, "1952-07-01", ident.SexFemale, "")
	person(f.HouseholdA1, "张伟", wangge.RelChild, "1980-01-20", ident.SexMale, "13712345670")
	wang := person(f.HouseholdA2, "王芳", wangge.RelHead, "1990-05-05", ident.SexFemale, "")
	person(f.HouseholdA3, "赵强", wangge.RelHead, "1975-11-11", ident.SexMale, "")
	person(f.HouseholdB1, "刘洋", wangge.RelHead, "1985-02-02", ident.SexMale, "13612345671")
	person(f.HouseholdB1, "陈静", wangge.RelSpouse, "1987-08-08", ident.SexFemale, "")

	a := &wangge.Assistant{Name: "周敏", Sex: "F", WorkPhone: "0355-2021001", Phone: "13512345672", Active: true}
	must(db.CreateAssistant(ctx, a))
	must(db.AssignAssistant(ctx, a.ID, GridA, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), "fixture"))
	must(db.SetBuildingHead(ctx, wangge.ScopeAll(), &wangge.BuildingHead{BuildingID: f.BuildingA1.ID, PersonID: &head.ID, Name: head.Name, Phone: "13912345678"}))
	must(db.CreateMembership(ctx, wangge.ScopeAll(), &wangge.Membership{PersonID: head.ID, Group: wangge.GroupElderly,
		Attrs: map[string]string{"living": "空巢"}, Joined: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}))
	must(db.CreateMembership(ctx, wangge.ScopeAll(), &wangge.Membership{PersonID: wang.ID, Group: wangge.GroupChildbearing,
		Attrs: map[string]string{"married": "已婚"}, Joined: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}))
	hid := f.HouseholdA1.ID
	must(db.CreateVisit(ctx, wangge.ScopeAll(), &wangge.Visit{
		AssistantID: a.ID, HouseholdID: &hid, At: time.Date(2025, 11, 3, 9, 30, 0, 0, time.UTC),
		Purpose: "例行走访", Clears: wangge.SixClears{Household: "老两口与儿子同住", Needs: "希望办理高龄津贴"},
		Problems: []string{"楼道灯损坏"},
	}))
	must(db.CreateUnit(ctx, wangge.ScopeAll(), &wangge.Unit{GridCode: GridA, Name: "东苑便民超市", Kind: wangge.UnitIndividual, Headcount: 3}))

	cheap := passwd.Params{Memory: 1024, Time: 1, Threads: 1}
	for _, u := range []wangge.User{
		{Username: "admin", DisplayName: "区管理员甲", Role: wangge.RoleDistrictAdmin, ScopeCode: District},
		{Username: "dongyuan", DisplayName: "东苑社区工作人员", Role: wangge.RoleCommunityStaff, ScopeCode: CommunityA},
		{Username: "tingyong", DisplayName: "已停用账号", Role: wangge.RoleCommunityStaff, ScopeCode: CommunityA, Disabled: true},
	} {
		u.PasswordHash = passwd.Hash(Password, cheap)
		must(db.CreateUser(ctx, &u))
	}
	return f
}
