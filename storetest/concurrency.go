package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

var concurrencyTests = []test{
	{"StaleWriterGetsConflictAndWinnerKeepsChange", testStaleWriter},
	{"StaleVersionAfterDeleteIsNotFound", testStaleAfterDelete},
	{"ConcurrentUpdatesExactlyOneWins", testConcurrentUpdates},
	{"ConcurrentCreatesOfOneIDNumberExactlyOneWins", testConcurrentCreates},
	{"ConcurrentBuildingsGetDistinctSeqs", testConcurrentSeqs},
}

// race is one kind of object for the two-writers test: read returns a fresh
// copy, set changes one field of a copy to a marker, update writes it, and
// has reports whether a copy carries a marker.
type race[T any] struct {
	read    func() (*T, error)
	set     func(x *T, mark string)
	has     func(x *T, mark string) bool
	update  func(x *T) error
	version func(x *T) int
}

// twoWriters reads the object twice, writes the first copy and then the
// second: the second must fail with EConflict, change nothing and append no
// audit entry, and the first writer's change must be intact.
func twoWriters[T any](t *testing.T, e *env, r race[T]) {
	t.Helper()
	a, err := r.read()
	ok(t, err, "read")
	b, err := r.read()
	ok(t, err, "read")
	v := r.version(a)
	r.set(a, "甲改")
	r.set(b, "乙改")
	ok(t, r.update(a), "first writer")
	before := e.auditCount()
	wantCode(t, r.update(b), wangge.EConflict, "second writer with the stale version")
	if n := e.auditCount(); n != before {
		t.Errorf("a refused update appended %d audit entries", n-before)
	}
	got, err := r.read()
	ok(t, err, "read back")
	if !r.has(got, "甲改") || r.has(got, "乙改") {
		t.Errorf("after both writers: %+v; want the first writer's change only", got)
	}
	if r.version(got) != v+1 {
		t.Errorf("version %d, want %d", r.version(got), v+1)
	}
}

func testStaleWriter(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	u := e.unit(GridA1, "东苑超市")
	as := e.assistant("协理员甲")
	m := e.membership(f.PA1.ID, wangge.GroupFloating, floatingAttrs)
	ok(t, e.db.SeedServices(ctx))
	svcs, err := e.db.ListServices(ctx, "", false)
	ok(t, err)
	usr := e.user("staff.a", wangge.RoleCommunityStaff, CommunityA)
	all := wangge.ScopeAll()

	t.Run("Area", func(t *testing.T) {
		twoWriters(t, e.with(t), race[wangge.Area]{
			read:    func() (*wangge.Area, error) { return e.db.Area(ctx, GridA1) },
			set:     func(x *wangge.Area, s string) { x.Name = "网格" + s },
			has:     func(x *wangge.Area, s string) bool { return x.Name == "网格"+s },
			update:  func(x *wangge.Area) error { return e.db.UpdateArea(ctx, x) },
			version: func(x *wangge.Area) int { return x.Version },
		})
	})
	t.Run("Building", func(t *testing.T) {
		twoWriters(t, e.with(t), race[wangge.Building]{
			read:    func() (*wangge.Building, error) { return e.db.Building(ctx, all, f.BA1.ID) },
			set:     func(x *wangge.Building, s string) { x.Name = "楼" + s },
			has:     func(x *wangge.Building, s string) bool { return x.Name == "楼"+s },
			update:  func(x *wangge.Building) error { return e.db.UpdateBuilding(ctx, wangge.ScopeAll(), x) },
			version: func(x *wangge.Building) int { return x.Version },
		})
	})
	t.Run("Household", func(t *testing.T) {
		twoWriters(t, e.with(t), race[wangge.Household]{
			read:    func() (*wangge.Household, error) { return e.db.Household(ctx, all, f.HA1.ID) },
			set:     func(x *wangge.Household, s string) { x.Note = s },
			has:     func(x *wangge.Household, s string) bool { return x.Note == s },
			update:  func(x *wangge.Household) error { return e.db.UpdateHousehold(ctx, wangge.ScopeAll(), x) },
			version: func(x *wangge.Household) int { return x.Version },
		})
	})
	t.Run("Person", func(t *testing.T) {
		twoWriters(t, e.with(t), race[wangge.Person]{
			read:    func() (*wangge.Person, error) { return e.db.Person(ctx, all, f.PA1.ID) },
			set:     func(x *wangge.Person, s string) { x.Note = s },
			has:     func(x *wangge.Person, s string) bool { return x.Note == s },
			update:  func(x *wangge.Person) error { return e.db.UpdatePerson(ctx, wangge.ScopeAll(), x) },
			version: func(x *wangge.Person) int { return x.Version },
		})
	})
	t.Run("Unit", func(t *testing.T) {
		twoWriters(t, e.with(t), race[wangge.Unit]{
			read:    func() (*wangge.Unit, error) { return e.db.Unit(ctx, all, u.ID) },
			set:     func(x *wangge.Unit, s string) { x.Name = "单位" + s },
			has:     func(x *wangge.Unit, s string) bool { return x.Name == "单位"+s },
			update:  func(x *wangge.Unit) error { return e.db.UpdateUnit(ctx, wangge.ScopeAll(), x) },
			version: func(x *wangge.Unit) int { return x.Version },
		})
	})
	t.Run("Assistant", func(t *testing.T) {
		twoWriters(t, e.with(t), race[wangge.Assistant]{
			read:    func() (*wangge.Assistant, error) { return e.db.Assistant(ctx, as.ID) },
			set:     func(x *wangge.Assistant, s string) { x.Name = "协理员" + s },
			has:     func(x *wangge.Assistant, s string) bool { return x.Name == "协理员"+s },
			update:  func(x *wangge.Assistant) error { return e.db.UpdateAssistant(ctx, x) },
			version: func(x *wangge.Assistant) int { return x.Version },
		})
	})
	t.Run("Membership", func(t *testing.T) {
		twoWriters(t, e.with(t), race[wangge.Membership]{
			read:    func() (*wangge.Membership, error) { return e.db.Membership(ctx, all, m.ID) },
			set:     func(x *wangge.Membership, s string) { x.Note = s },
			has:     func(x *wangge.Membership, s string) bool { return x.Note == s },
			update:  func(x *wangge.Membership) error { return e.db.UpdateMembership(ctx, wangge.ScopeAll(), x) },
			version: func(x *wangge.Membership) int { return x.Version },
		})
	})
	t.Run("MembershipEndedMeanwhile", func(t *testing.T) {
		a, err := e.db.Membership(ctx, all, m.ID)
		ok(t, err)
		ok(t, e.db.EndMembership(ctx, wangge.ScopeAll(), m.ID, a.Version, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)))
		a.Note = "晚到的修改"
		wantCode(t, e.db.UpdateMembership(ctx, wangge.ScopeAll(), a), wangge.EConflict, "update of a membership ended since it was read")
		got, err := e.db.Membership(ctx, all, m.ID)
		ok(t, err)
		if got.Left == nil || got.Note == "晚到的修改" {
			t.Errorf("after the end and a stale update: %+v", got)
		}
	})
	t.Run("Service", func(t *testing.T) {
		twoWriters(t, e.with(t), race[wangge.Service]{
			read:    func() (*wangge.Service, error) { return e.db.Service(ctx, svcs[0].ID) },
			set:     func(x *wangge.Service, s string) { x.Name = "服务" + s },
			has:     func(x *wangge.Service, s string) bool { return x.Name == "服务"+s },
			update:  func(x *wangge.Service) error { return e.db.UpdateService(ctx, x) },
			version: func(x *wangge.Service) int { return x.Version },
		})
	})
	t.Run("User", func(t *testing.T) {
		twoWriters(t, e.with(t), race[wangge.User]{
			read:    func() (*wangge.User, error) { return e.db.User(ctx, usr.ID) },
			set:     func(x *wangge.User, s string) { x.DisplayName = s },
			has:     func(x *wangge.User, s string) bool { return x.DisplayName == s },
			update:  func(x *wangge.User) error { return e.db.UpdateUser(ctx, x) },
			version: func(x *wangge.User) int { return x.Version },
		})
	})
	t.Run("MovesCarryTheVersionToo", func(t *testing.T) {
		p, err := e.db.Person(ctx, all, f.PA2.ID)
		ok(t, err)
		p.Note = "先改"
		ok(t, e.db.UpdatePerson(ctx, wangge.ScopeAll(), p))
		wantCode(t, e.db.MovePerson(ctx, wangge.ScopeAll(), p.ID, p.Version-1, f.HB1.ID, "搬家"), wangge.EConflict, "MovePerson with a stale version")
		h, err := e.db.Household(ctx, all, f.HA2.ID)
		ok(t, err)
		wantCode(t, e.db.MoveHousehold(ctx, wangge.ScopeAll(), h.ID, h.Version+1, f.BB1.ID, "搬家"), wangge.EConflict, "MoveHousehold with a wrong version")
		b, err := e.db.Building(ctx, all, f.BA2.ID)
		ok(t, err)
		wantCode(t, e.db.MoveBuilding(ctx, wangge.ScopeAll(), b.ID, b.Version+1, GridB1, "调整"), wangge.EConflict, "MoveBuilding with a wrong version")
		got, err := e.db.Person(ctx, all, f.PA2.ID)
		ok(t, err)
		if got.HouseholdID != f.HA2.ID || got.GridCode != GridA2 {
			t.Errorf("a refused move moved the person: %+v", got)
		}
		moves, err := e.db.PersonMoves(ctx, all, f.PA2.ID)
		ok(t, err)
		if len(moves) != 0 {
			t.Errorf("a refused move recorded %+v", moves)
		}
	})
	e.verifyAudit()
}

// with returns e for the subtest t (same database).
func (e *env) with(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

func testStaleAfterDelete(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	all := wangge.ScopeAll()
	t.Run("Area", func(t *testing.T) {
		e.area(GridA3, "东苑第三网格")
		a, err := e.db.Area(ctx, GridA3)
		ok(t, err)
		ok(t, e.db.DeleteArea(ctx, a.Code, a.Version))
		a.Name = "迟到"
		wantCode(t, e.db.UpdateArea(ctx, a), wangge.ENotFound, "UpdateArea after delete")
		wantCode(t, e.db.DeleteArea(ctx, a.Code, a.Version), wangge.ENotFound, "DeleteArea twice")
	})
	t.Run("Building", func(t *testing.T) {
		b := e.building(GridA1, "空楼")
		ok(t, e.db.DeleteBuilding(ctx, wangge.ScopeAll(), b.ID, b.Version))
		b.Name = "迟到"
		wantCode(t, e.db.UpdateBuilding(ctx, wangge.ScopeAll(), b), wangge.ENotFound, "UpdateBuilding after delete")
		wantCode(t, e.db.DeleteBuilding(ctx, wangge.ScopeAll(), b.ID, b.Version), wangge.ENotFound, "DeleteBuilding twice")
		wantCode(t, e.db.MoveBuilding(ctx, wangge.ScopeAll(), b.ID, b.Version, GridB1, "迟到"), wangge.ENotFound, "MoveBuilding after delete")
	})
	t.Run("Household", func(t *testing.T) {
		h := e.household(f.BA1.ID, "999")
		ok(t, e.db.DeleteHousehold(ctx, wangge.ScopeAll(), h.ID, h.Version))
		h.Note = "迟到"
		wantCode(t, e.db.UpdateHousehold(ctx, wangge.ScopeAll(), h), wangge.ENotFound, "UpdateHousehold after delete")
		wantCode(t, e.db.DeleteHousehold(ctx, wangge.ScopeAll(), h.ID, h.Version), wangge.ENotFound, "DeleteHousehold twice")
		wantCode(t, e.db.MoveHousehold(ctx, wangge.ScopeAll(), h.ID, h.Version, f.BB1.ID, "迟到"), wangge.ENotFound, "MoveHousehold after delete")
	})
	t.Run("Person", func(t *testing.T) {
		p, err := e.db.Person(ctx, all, f.PA1b.ID)
		ok(t, err)
		m := e.membership(p.ID, wangge.GroupElderly, elderlyAttrs)
		ok(t, e.db.DeletePerson(ctx, wangge.ScopeAll(), p.ID, p.Version, "测试"))
		p.Note = "迟到"
		wantCode(t, e.db.UpdatePerson(ctx, wangge.ScopeAll(), p), wangge.ENotFound, "UpdatePerson after delete")
		wantCode(t, e.db.DeletePerson(ctx, wangge.ScopeAll(), p.ID, p.Version, "测试"), wangge.ENotFound, "DeletePerson twice")
		wantCode(t, e.db.MovePerson(ctx, wangge.ScopeAll(), p.ID, p.Version, f.HB1.ID, "迟到"), wangge.ENotFound, "MovePerson after delete")
		m.Note = "迟到"
		wantCode(t, e.db.UpdateMembership(ctx, wangge.ScopeAll(), m), wangge.ENotFound, "UpdateMembership after the person's delete")
		wantCode(t, e.db.EndMembership(ctx, wangge.ScopeAll(), m.ID, m.Version, time.Now()), wangge.ENotFound, "EndMembership after the person's delete")
	})
	t.Run("Unit", func(t *testing.T) {
		u := e.unit(GridA1, "临时单位")
		ok(t, e.db.DeleteUnit(ctx, wangge.ScopeAll(), u.ID, u.Version))
		u.Name = "迟到"
		wantCode(t, e.db.UpdateUnit(ctx, wangge.ScopeAll(), u), wangge.ENotFound, "UpdateUnit after delete")
		wantCode(t, e.db.DeleteUnit(ctx, wangge.ScopeAll(), u.ID, u.Version), wangge.ENotFound, "DeleteUnit twice")
	})
	t.Run("NeverExisted", func(t *testing.T) {
		wantCode(t, e.db.UpdateAssistant(ctx, &wangge.Assistant{ID: 999999, Name: "无", Version: 1}), wangge.ENotFound, "UpdateAssistant")
		wantCode(t, e.db.UpdateService(ctx, &wangge.Service{ID: 999999, Code: "S999", Name: "无", Line: wangge.LineCivil, Version: 1}), wangge.ENotFound, "UpdateService")
		wantCode(t, e.db.UpdateUser(ctx, &wangge.User{ID: 999999, Username: "nobody", Role: wangge.RoleAuditor, ScopeCode: District, Version: 1}), wangge.ENotFound, "UpdateUser")
		wantCode(t, e.db.UpdateMembership(ctx, wangge.ScopeAll(), &wangge.Membership{ID: 999999, PersonID: 1, Group: wangge.GroupElderly, Attrs: elderlyAttrs, Version: 1}), wangge.ENotFound, "UpdateMembership")
	})
}

// testConcurrentUpdates lets goroutines that all read the same version race
// to update it: exactly one wins, the rest get EConflict.
func testConcurrentUpdates(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	const writers = 8
	all := wangge.ScopeAll()
	for round := 0; round < 3; round++ {
		copies := make([]*wangge.Person, writers)
		for i := range copies {
			p, err := e.db.Person(ctx, all, f.PA1.ID)
			ok(t, err)
			copies[i] = p
		}
		v := copies[0].Version
		start := make(chan struct{})
		errs := make([]error, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				copies[i].Note = fmt.Sprintf("round %d writer %d", round, i)
				errs[i] = e.db.UpdatePerson(ctx, wangge.ScopeAll(), copies[i])
			}()
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch wangge.ErrorCode(err) {
			case "":
				if winner >= 0 {
					t.Errorf("round %d: writers %d and %d both won", round, winner, i)
				}
				winner = i
			case wangge.EConflict:
			default:
				t.Errorf("round %d: writer %d: %v, want success or EConflict", round, i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no writer won: %v", round, errs)
		}
		got, err := e.db.Person(ctx, all, f.PA1.ID)
		ok(t, err)
		if want := fmt.Sprintf("round %d writer %d", round, winner); got.Note != want || got.Version != v+1 {
			t.Errorf("round %d: note %q version %d, want %q version %d", round, got.Note, got.Version, want, v+1)
		}
	}
	e.verifyAudit()
}

func testConcurrentCreates(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	const writers = 6
	id := e.newID(ident.SexFemale)
	errs := make([]error, writers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			p := &wangge.Person{HouseholdID: f.HA1b.ID, Name: fmt.Sprintf("并发%d", i), IDNumber: id}
			errs[i] = e.db.CreatePerson(ctx, wangge.ScopeAll(), p)
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for i, err := range errs {
		if err == nil {
			won++
			continue
		}
		if we := wantCode(t, err, wangge.EConflict, "writer ", i); we != nil && we.Field != "id_number" {
			t.Errorf("writer %d: conflict names field %q, want id_number", i, we.Field)
		}
	}
	if won != 1 {
		t.Errorf("%d writers created the same ID number, want exactly 1", won)
	}
	ps, n, err := e.db.ListPersons(ctx, wangge.ScopeAll(), wangge.PersonFilter{IDNumber: id})
	ok(t, err)
	if n != 1 || len(ps) != 1 {
		t.Errorf("persons with the number: %d", n)
	}
	e.verifyAudit()
}

func testConcurrentSeqs(t *testing.T, e *env) {
	ctx := e.ctx
	e.fixture()
	const writers = 8
	bs := make([]*wangge.Building, writers)
	errs := make([]error, writers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			bs[i] = &wangge.Building{GridCode: GridA2, Name: fmt.Sprintf("并发楼%d", i), Kind: wangge.BuildingTower}
			errs[i] = e.db.CreateBuilding(ctx, wangge.ScopeAll(), bs[i])
		}()
	}
	close(start)
	wg.Wait()
	seen := map[int]bool{}
	for i, err := range errs {
		ok(t, err, "writer ", i)
		if seen[bs[i].Seq] || bs[i].Seq < 2 || bs[i].Seq > writers+1 {
			t.Errorf("writer %d got seq %d (seen: %v)", i, bs[i].Seq, seen)
		}
		seen[bs[i].Seq] = true
	}
	next := e.building(GridA2, "之后的楼")
	if next.Seq != writers+2 {
		t.Errorf("next seq %d, want %d", next.Seq, writers+2)
	}
	e.verifyAudit()
}
