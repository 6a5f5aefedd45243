package storetest

import (
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

var timeTests = []test{
	{"CreatedAndUpdatedAtRoundTripInUTCMicroseconds", testStamps},
	{"DatesAreMidnightUTC", testDates},
	{"MembershipCreatedWithLeftKeepsADate", testMembershipLeftDate},
	{"CallerTimesRoundTripInUTCMicroseconds", testCallerTimes},
	{"BuildingHeadsOrderByTimeWhateverTheZone", testHeadOrderZones},
}

var cst = time.FixedZone("CST", 8*3600)

// wantTime checks that got is want, in UTC.
func wantTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("%s = %v (%v), want %v in UTC", what, got.Format(time.RFC3339Nano), got.Location(), want.Format(time.RFC3339Nano))
	}
}

func testStamps(t *testing.T, e *env) {
	ctx := e.ctx
	all := wangge.ScopeAll()
	t1 := time.Date(2025, 3, 4, 13, 6, 7, 123456789, cst) // 05:06:07.123456789Z
	w1 := time.Date(2025, 3, 4, 5, 6, 7, 123456000, time.UTC)
	e.db.SetClock(func() time.Time { return t1 })
	f := e.fixture()
	u := e.unit(GridA1, "东苑超市")
	as := e.assistant("协理员甲")
	m := e.membership(f.PA1.ID, wangge.GroupElderly, elderlyAttrs)
	usr := e.user("staff", wangge.RoleCommunityStaff, CommunityA)
	ok(t, e.db.SeedServices(ctx))
	ok(t, e.db.AssignAssistant(ctx, as.ID, GridA1, time.Time{}, ""))
	ok(t, e.db.SetBuildingHead(ctx, wangge.ScopeAll(), &wangge.BuildingHead{BuildingID: f.BA1.ID, Name: "楼长"}))
	v := &wangge.Visit{AssistantID: as.ID, Place: "广场", At: time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)}
	ok(t, e.db.CreateVisit(ctx, wangge.ScopeAll(), v))
	ok(t, e.db.MovePerson(ctx, wangge.ScopeAll(), f.PA2.ID, f.PA2.Version, f.HB1.ID, "搬家"))

	// What the create calls left on the objects.
	wantTime(t, "CreateBuilding CreatedAt", f.BA1.CreatedAt, w1)
	wantTime(t, "CreatePerson UpdatedAt", f.PA1.UpdatedAt, w1)
	wantTime(t, "CreateVisit CreatedAt", v.CreatedAt, w1)

	type stamped struct {
		name      string
		read      func() (created, updated time.Time, err error)
		noCreated bool
		update    func() error
	}
	items := []stamped{
		{name: "area", read: func() (time.Time, time.Time, error) {
			a, err := e.db.Area(ctx, GridA1)
			if err != nil {
				return time.Time{}, time.Time{}, err
			}
			return a.CreatedAt, a.UpdatedAt, nil
		}, update: func() error {
			a, err := e.db.Area(ctx, GridA1)
			if err != nil {
				return err
			}
			a.Address = "新址"
			return e.db.UpdateArea(ctx, a)
		}},
		{name: "building", read: func() (time.Time, time.Time, error) {
			b, err := e.db.Building(ctx, all, f.BA1.ID)
			if err != nil {
				return time.Time{}, time.Time{}, err
			}
			return b.CreatedAt, b.UpdatedAt, nil
		}, update: func() error {
			b, err := e.db.Building(ctx, all, f.BA1.ID)
			if err != nil {
				return err
			}
			b.Floors++
			return e.db.UpdateBuilding(ctx, wangge.ScopeAll(), b)
		}},
		{name: "household", read: func() (time.Time, time.Time, error) {
			h, err := e.db.Household(ctx, all, f.HA1.ID)
			if err != nil {
				return time.Time{}, time.Time{}, err
			}
			return h.CreatedAt, h.UpdatedAt, nil
		}, update: func() error {
			h, err := e.db.Household(ctx, all, f.HA1.ID)
			if err != nil {
				return err
			}
			h.Note = "新"
			return e.db.UpdateHousehold(ctx, wangge.ScopeAll(), h)
		}},
		{name: "person", read: func() (time.Time, time.Time, error) {
			p, err := e.db.Person(ctx, all, f.PA1.ID)
			if err != nil {
				return time.Time{}, time.Time{}, err
			}
			return p.CreatedAt, p.UpdatedAt, nil
		}, update: func() error {
			p, err := e.db.Person(ctx, all, f.PA1.ID)
			if err != nil {
				return err
			}
			p.Note = "新"
			return e.db.UpdatePerson(ctx, wangge.ScopeAll(), p)
		}},
		{name: "unit", read: func() (time.Time, time.Time, error) {
			x, err := e.db.Unit(ctx, all, u.ID)
			if err != nil {
				return time.Time{}, time.Time{}, err
			}
			return x.CreatedAt, x.UpdatedAt, nil
		}, update: func() error {
			x, err := e.db.Unit(ctx, all, u.ID)
			if err != nil {
				return err
			}
			x.Headcount++
			return e.db.UpdateUnit(ctx, wangge.ScopeAll(), x)
		}},
		{name: "assistant", read: func() (time.Time, time.Time, error) {
			x, err := e.db.Assistant(ctx, as.ID)
			if err != nil {
				return time.Time{}, time.Time{}, err
			}
			return x.CreatedAt, x.UpdatedAt, nil
		}, update: func() error {
			x, err := e.db.Assistant(ctx, as.ID)
			if err != nil {
				return err
			}
			x.PhotoURL = "/p.jpg"
			return e.db.UpdateAssistant(ctx, x)
		}},
		{name: "membership", read: func() (time.Time, time.Time, error) {
			x, err := e.db.Membership(ctx, all, m.ID)
			if err != nil {
				return time.Time{}, time.Time{}, err
			}
			return x.CreatedAt, x.UpdatedAt, nil
		}, update: func() error {
			x, err := e.db.Membership(ctx, all, m.ID)
			if err != nil {
				return err
			}
			x.Note = "新"
			return e.db.UpdateMembership(ctx, wangge.ScopeAll(), x)
		}},
		{name: "user", read: func() (time.Time, time.Time, error) {
			x, err := e.db.User(ctx, usr.ID)
			if err != nil {
				return time.Time{}, time.Time{}, err
			}
			return x.CreatedAt, x.UpdatedAt, nil
		}, update: func() error {
			x, err := e.db.User(ctx, usr.ID)
			if err != nil {
				return err
			}
			x.DisplayName = "新"
			return e.db.UpdateUser(ctx, x)
		}},
		{name: "service", noCreated: true, read: func() (time.Time, time.Time, error) {
			ss, err := e.db.ListServices(ctx, "", false)
			if err != nil {
				return time.Time{}, time.Time{}, err
			}
			return time.Time{}, ss[0].UpdatedAt, nil
		}, update: func() error {
			ss, err := e.db.ListServices(ctx, "", false)
			if err != nil {
				return err
			}
			ss[0].Description += "。"
			return e.db.UpdateService(ctx, &ss[0])
		}},
	}
	for _, it := range items {
		c, u, err := it.read()
		ok(t, err, it.name)
		if !it.noCreated {
			wantTime(t, it.name+" CreatedAt", c, w1)
		}
		wantTime(t, it.name+" UpdatedAt", u, w1)
	}
	vv, err := e.db.Visit(ctx, all, v.ID)
	ok(t, err)
	wantTime(t, "visit CreatedAt", vv.CreatedAt, w1)
	moves, err := e.db.PersonMoves(ctx, all, f.PA2.ID)
	ok(t, err)
	wantTime(t, "move At", moves[0].At, w1)
	terms, err := e.db.Assignments(ctx, all, as.ID)
	ok(t, err)
	wantTime(t, "assignment From (now)", terms[0].From, w1)
	heads, err := e.db.BuildingHeads(ctx, all, f.BA1.ID)
	ok(t, err)
	wantTime(t, "building head From (now)", heads[0].From, w1)
	es, _, err := e.db.ListAudit(ctx, wangge.AuditFilter{})
	ok(t, err)
	for _, a := range es {
		wantTime(t, "audit At of "+a.Action, a.At, w1)
	}

	// Updates move UpdatedAt only.
	t2 := time.Date(2025, 3, 5, 0, 0, 0, 999, time.UTC)
	w2 := time.Date(2025, 3, 5, 0, 0, 0, 0, time.UTC)
	e.db.SetClock(func() time.Time { return t2 })
	for _, it := range items {
		ok(t, it.update(), it.name, " update")
		c, u, err := it.read()
		ok(t, err, it.name)
		if !it.noCreated {
			wantTime(t, it.name+" CreatedAt after update", c, w1)
		}
		wantTime(t, it.name+" UpdatedAt after update", u, w2)
	}
	e.verifyAudit()
}

func testDates(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	all := wangge.ScopeAll()
	birth := time.Date(1975, 12, 31, 23, 0, 0, 0, cst) // the calendar day counts
	id := string(ident.MakeID("149901", birth, 3, ident.SexFemale))
	p := &wangge.Person{HouseholdID: f.HA1b.ID, Name: "测试", IDNumber: id}
	ok(t, e.db.CreatePerson(ctx, wangge.ScopeAll(), p))
	wantTime(t, "BirthDate from create", p.BirthDate, time.Date(1975, 12, 31, 0, 0, 0, 0, time.UTC))
	got, err := e.db.Person(ctx, all, p.ID)
	ok(t, err)
	wantTime(t, "BirthDate", got.BirthDate, time.Date(1975, 12, 31, 0, 0, 0, 0, time.UTC))
	ps, _, err := e.db.ListPersons(ctx, all, wangge.PersonFilter{HouseholdID: f.HA1b.ID})
	ok(t, err)
	wantTime(t, "BirthDate in a list", ps[0].BirthDate, time.Date(1975, 12, 31, 0, 0, 0, 0, time.UTC))

	// A group no age decides, whose rows are the membership.
	m := &wangge.Membership{PersonID: p.ID, Group: wangge.GroupRetiree, Joined: time.Date(2024, 3, 5, 23, 59, 59, 999, cst)}
	ok(t, e.db.CreateMembership(ctx, wangge.ScopeAll(), m))
	wantTime(t, "Joined from create", m.Joined, time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC))
	x, err := e.db.Membership(ctx, all, m.ID)
	ok(t, err)
	wantTime(t, "Joined", x.Joined, time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC))
	ok(t, e.db.EndMembership(ctx, wangge.ScopeAll(), m.ID, x.Version, time.Date(2024, 9, 1, 7, 30, 0, 0, cst)))
	x, err = e.db.Membership(ctx, all, m.ID)
	ok(t, err)
	if x.Left == nil {
		t.Fatal("Left not set")
	}
	wantTime(t, "Left", *x.Left, time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC))
	ms, _, err := e.db.ListMemberships(ctx, all, wangge.MembershipFilter{PersonID: p.ID, Group: wangge.GroupRetiree})
	ok(t, err)
	wantTime(t, "Left in a list", *ms[0].Left, time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC))
	// The zero Joined means today.
	today := time.Date(2025, 7, 8, 22, 15, 0, 0, time.UTC)
	e.db.SetClock(func() time.Time { return today })
	m2 := &wangge.Membership{PersonID: p.ID, Group: wangge.GroupRetiree}
	ok(t, e.db.CreateMembership(ctx, wangge.ScopeAll(), m2))
	x, err = e.db.Membership(ctx, all, m2.ID)
	ok(t, err)
	wantTime(t, "Joined today", x.Joined, time.Date(2025, 7, 8, 0, 0, 0, 0, time.UTC))
}

func testMembershipLeftDate(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	left := time.Date(2024, 6, 30, 15, 30, 0, 0, time.UTC)
	m := &wangge.Membership{PersonID: f.PA1.ID, Group: wangge.GroupElderly, Attrs: elderlyAttrs,
		Joined: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), Left: &left}
	ok(t, e.db.CreateMembership(ctx, wangge.ScopeAll(), m))
	x, err := e.db.Membership(ctx, wangge.ScopeAll(), m.ID)
	ok(t, err)
	if x.Left == nil {
		t.Fatal("Left not kept")
	}
	wantTime(t, "Left of a membership created ended", *x.Left, time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC))
	if m.Left == nil || !m.Left.Equal(*x.Left) {
		t.Errorf("CreateMembership left Left = %v on the object, the store holds %v", m.Left, x.Left)
	}
}

func testCallerTimes(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	all := wangge.ScopeAll()
	ns := time.Date(2025, 3, 4, 13, 6, 7, 123456789, cst)
	want := ns.UTC().Truncate(time.Microsecond)

	as := e.assistant("协理员甲")
	ok(t, e.db.AssignAssistant(ctx, as.ID, GridA1, ns, ""))
	terms, err := e.db.Assignments(ctx, all, as.ID)
	ok(t, err)
	wantTime(t, "Assignment.From", terms[0].From, want)

	v := &wangge.Visit{AssistantID: as.ID, HouseholdID: &f.HA1.ID, At: ns}
	ok(t, e.db.CreateVisit(ctx, wangge.ScopeAll(), v))
	wantTime(t, "Visit.At left by CreateVisit", v.At, want)
	got, err := e.db.Visit(ctx, all, v.ID)
	ok(t, err)
	wantTime(t, "Visit.At", got.At, want)
	vs, _, err := e.db.ListVisits(ctx, all, wangge.VisitFilter{Since: want})
	ok(t, err)
	if len(vs) != 1 {
		t.Errorf("ListVisits since the visit's own (stored) time: %d", len(vs))
	}

	h := &wangge.BuildingHead{BuildingID: f.BA1.ID, Name: "楼长", From: ns}
	ok(t, e.db.SetBuildingHead(ctx, wangge.ScopeAll(), h))
	hs, err := e.db.BuildingHeads(ctx, all, f.BA1.ID)
	ok(t, err)
	wantTime(t, "BuildingHead.From", hs[0].From, want)

	a, err := e.db.Area(ctx, GridA2)
	ok(t, err)
	a.RetiredAt = &ns
	ok(t, e.db.UpdateArea(ctx, a))
	a, err = e.db.Area(ctx, GridA2)
	ok(t, err)
	wantTime(t, "Area.RetiredAt", *a.RetiredAt, want)

	usr := e.user("staff", wangge.RoleCommunityStaff, CommunityA)
	tok := []byte("token-hash-0123456789abcdef012345")
	ok(t, e.db.CreateSession(ctx, &wangge.Session{TokenHash: tok, UserID: usr.ID, CreatedAt: ns, ExpiresAt: ns.Add(time.Hour)}))
	s, _, err := e.db.SessionUser(ctx, tok, ns)
	ok(t, err)
	wantTime(t, "Session.CreatedAt", s.CreatedAt, want)
	wantTime(t, "Session.ExpiresAt", s.ExpiresAt, want.Add(time.Hour))
}

func testHeadOrderZones(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	// First term from 09:00 Beijing (01:00Z), the second from 05:00Z, the
	// third from 08:00Z: past terms, latest first, are the second, then
	// the first.
	first := time.Date(2024, 2, 1, 9, 0, 0, 0, cst)
	second := time.Date(2024, 2, 1, 5, 0, 0, 0, time.UTC)
	third := time.Date(2024, 2, 1, 8, 0, 0, 0, time.UTC)
	for i, from := range []time.Time{first, second, third} {
		ok(t, e.db.SetBuildingHead(ctx, wangge.ScopeAll(), &wangge.BuildingHead{BuildingID: f.BA1.ID, Name: []string{"甲", "乙", "丙"}[i], From: from}))
	}
	hs, err := e.db.BuildingHeads(ctx, wangge.ScopeAll(), f.BA1.ID)
	ok(t, err)
	var names []string
	for _, h := range hs {
		names = append(names, h.Name)
	}
	if len(hs) != 3 || names[0] != "丙" || names[1] != "乙" || names[2] != "甲" {
		t.Errorf("heads in order %v, want 丙 乙 甲 (current, then latest first)", names)
	}
	for _, h := range hs {
		if h.From.Location() != time.UTC || (h.To != nil && h.To.Location() != time.UTC) {
			t.Errorf("head %s: times not in UTC: %v %v", h.Name, h.From, h.To)
		}
	}
	if !hs[2].From.Equal(first) || hs[2].To == nil || !hs[2].To.Equal(second) {
		t.Errorf("first head's term %v – %v", hs[2].From, hs[2].To)
	}
}
