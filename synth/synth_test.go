package synth

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

var testNow = time.Date(2026, time.June, 1, 0, 0, 0, 0, time.UTC)

func cheapHash(pw string) string { return "plain:" + pw }

// recorder is a test double of the wangge.Bulk sink: it keeps every row and
// a hash of every call in order.
type recorder struct {
	h     hash.Hash
	calls []string // kind of each call, in order

	areas       []*wangge.Area
	buildings   []*wangge.Building
	households  []*wangge.Household
	persons     []*wangge.Person
	units       []*wangge.Unit
	assistants  []*wangge.Assistant
	assignments []*wangge.Assignment
	heads       []*wangge.BuildingHead
	members     []*wangge.Membership
	visits      []*wangge.Visit
	users       []*wangge.User
	boundaries  []*wangge.Boundary
}

func newRecorder() *recorder { return &recorder{h: sha256.New()} }

func (r *recorder) record(kind string, v any) {
	r.calls = append(r.calls, kind)
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	r.h.Write([]byte(kind))
	r.h.Write(b)
}

func (r *recorder) Area(a *wangge.Area) error {
	r.record("area", a)
	r.areas = append(r.areas, a)
	return nil
}
func (r *recorder) Building(b *wangge.Building) error {
	r.record("building", b)
	r.buildings = append(r.buildings, b)
	return nil
}
func (r *recorder) Household(h *wangge.Household) error {
	r.record("household", h)
	r.households = append(r.households, h)
	return nil
}
func (r *recorder) Person(p *wangge.Person) error {
	r.record("person", p)
	r.persons = append(r.persons, p)
	return nil
}
func (r *recorder) Unit(u *wangge.Unit) error {
	r.record("unit", u)
	r.units = append(r.units, u)
	return nil
}
func (r *recorder) Assistant(a *wangge.Assistant) error {
	r.record("assistant", a)
	r.assistants = append(r.assistants, a)
	return nil
}
func (r *recorder) Assignment(a *wangge.Assignment) error {
	r.record("assignment", a)
	r.assignments = append(r.assignments, a)
	return nil
}
func (r *recorder) BuildingHead(h *wangge.BuildingHead) error {
	r.record("head", h)
	r.heads = append(r.heads, h)
	return nil
}
func (r *recorder) Membership(m *wangge.Membership) error {
	r.record("membership", m)
	r.members = append(r.members, m)
	return nil
}
func (r *recorder) Boundary(b *wangge.Boundary) error {
	r.record("boundary", b)
	r.boundaries = append(r.boundaries, b)
	return nil
}
func (r *recorder) Visit(v *wangge.Visit) error {
	r.record("visit", v)
	r.visits = append(r.visits, v)
	return nil
}
func (r *recorder) User(u *wangge.User) error {
	r.record("user", u)
	r.users = append(r.users, u)
	return nil
}
func (r *recorder) Commit() error   { return nil }
func (r *recorder) Rollback() error { return nil }

func (r *recorder) sum() string { return fmt.Sprintf("%x", r.h.Sum(nil)) }

func generate(t *testing.T, cfg Config) (*recorder, *Result) {
	t.Helper()
	rec := newRecorder()
	res, err := Generate(cfg, rec, "Admin-Passw0rd", cheapHash, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rec, res
}

// checkIDs requires ids 1, 2, 3 … in the order rows were written.
func checkIDs[T any](t *testing.T, table string, rows []T, id func(T) int64) {
	t.Helper()
	for i, row := range rows {
		if got := id(row); got != int64(i+1) {
			t.Fatalf("%s row %d has id %d, want %d", table, i, got, i+1)
		}
	}
}

func TestGenerateSmallDistrictIsConsistent(t *testing.T) {
	t.Run("one community", func(t *testing.T) {
		res := checkDistrict(t, Config{Seed: 7, Scale: 0.02, Now: testNow})
		if res.Communities != 1 || res.Subdistricts != 1 || res.Grids < 6 || res.Grids > 10 {
			t.Errorf("scale 0.02: %d sub-districts, %d communities, %d grids", res.Subdistricts, res.Communities, res.Grids)
		}
	})
	t.Run("five communities", func(t *testing.T) {
		res := checkDistrict(t, Config{Seed: 8, Scale: 0.1, Now: testNow})
		if res.Communities != 5 {
			t.Errorf("scale 0.1: %d communities", res.Communities)
		}
	})
}

// checkDistrict generates a district into a recorder and checks that every
// row is valid and every reference holds.
func checkDistrict(t *testing.T, cfg Config) *Result {
	rec, res := generate(t, cfg)
	now := cfg.Now
	layout := Layout(cfg)
	counts := map[string]int{
		"area": 1 + res.Subdistricts + res.Communities + res.Grids, "building": res.Buildings,
		"household": res.Households, "person": res.Persons, "unit": res.Units, "assistant": res.Assistants,
		"membership": res.Memberships, "visit": res.Visits, "user": res.Users,
	}
	got := map[string]int{}
	for _, c := range rec.calls {
		got[c]++
	}
	for k, n := range counts {
		if got[k] != n {
			t.Errorf("%d %s calls, Result says %d", got[k], k, n)
		}
	}

	// Order: areas first, each followed by its boundary, parents before
	// children, users last.
	seenArea := map[string]bool{}
	if len(rec.boundaries) != len(rec.areas) {
		t.Fatalf("%d boundaries for %d areas", len(rec.boundaries), len(rec.areas))
	}
	for i, a := range rec.areas {
		if rec.calls[2*i] != "area" || rec.calls[2*i+1] != "boundary" {
			t.Fatalf("calls %d, %d are %s, %s; want all areas first, each with its boundary", 2*i, 2*i+1, rec.calls[2*i], rec.calls[2*i+1])
		}
		if b := rec.boundaries[i]; b.AreaCode != a.Code || b.GeoJSON != layout[a.Code].GeoJSON() {
			t.Errorf("area %s: boundary %s %s", a.Code, b.AreaCode, b.GeoJSON)
		}
		if err := a.Validate(); err != nil {
			t.Errorf("area %s: %v", a.Code, err)
		}
		if p := wangge.ParentCode(a.Code); p != "" && !seenArea[p] {
			t.Errorf("area %s written before its parent", a.Code)
		}
		if _, ok := layout[a.Code]; !ok {
			t.Errorf("area %s has no layout rectangle", a.Code)
		}
		seenArea[a.Code] = true
	}
	for i := len(rec.calls) - res.Users; i < len(rec.calls); i++ {
		if rec.calls[i] != "user" {
			t.Fatalf("call %d is %s, want users last", i, rec.calls[i])
		}
	}

	checkIDs(t, "building", rec.buildings, func(b *wangge.Building) int64 { return b.ID })
	checkIDs(t, "household", rec.households, func(h *wangge.Household) int64 { return h.ID })
	checkIDs(t, "person", rec.persons, func(p *wangge.Person) int64 { return p.ID })
	checkIDs(t, "unit", rec.units, func(u *wangge.Unit) int64 { return u.ID })
	checkIDs(t, "assistant", rec.assistants, func(a *wangge.Assistant) int64 { return a.ID })
	checkIDs(t, "assignment", rec.assignments, func(a *wangge.Assignment) int64 { return a.ID })
	checkIDs(t, "building head", rec.heads, func(h *wangge.BuildingHead) int64 { return h.ID })
	checkIDs(t, "membership", rec.members, func(m *wangge.Membership) int64 { return m.ID })
	checkIDs(t, "visit", rec.visits, func(v *wangge.Visit) int64 { return v.ID })
	checkIDs(t, "user", rec.users, func(u *wangge.User) int64 { return u.ID })

	// Buildings lie inside their grid's rectangle.
	grids := map[string]bool{}
	for _, a := range rec.areas {
		if a.Level == wangge.LevelGrid {
			grids[a.Code] = true
		}
	}
	buildings := map[int64]*wangge.Building{}
	seqs := map[string]int{}
	for _, b := range rec.buildings {
		if err := b.Validate(); err != nil {
			t.Errorf("building %d: %v", b.ID, err)
		}
		if !grids[b.GridCode] {
			t.Errorf("building %d is in grid %s, which does not exist", b.ID, b.GridCode)
		}
		r := layout[b.GridCode]
		if !(b.Lng > r.MinLng && b.Lng < r.MaxLng && b.Lat > r.MinLat && b.Lat < r.MaxLat) {
			t.Errorf("building %d at %f,%f lies outside its grid %s %+v", b.ID, b.Lng, b.Lat, b.GridCode, r)
		}
		seqs[b.GridCode]++
		if b.Seq != seqs[b.GridCode] {
			t.Errorf("building %d has seq %d, want %d", b.ID, b.Seq, seqs[b.GridCode])
		}
		if b.Kind == wangge.BuildingTower && (b.Floors < 5 || b.Floors > 18 || b.Entrances < 1 || b.Entrances > 6) {
			t.Errorf("tower %d has %d floors and %d entrances", b.ID, b.Floors, b.Entrances)
		}
		buildings[b.ID] = b
	}

	households := map[int64]*wangge.Household{}
	numbers := map[string]bool{}
	perBuilding := map[int64]int{}
	for _, h := range rec.households {
		if err := h.Validate(); err != nil {
			t.Errorf("household %d: %v", h.ID, err)
		}
		b := buildings[h.BuildingID]
		if b == nil {
			t.Fatalf("household %d is in building %d, which does not exist", h.ID, h.BuildingID)
		}
		if h.GridCode != b.GridCode {
			t.Errorf("household %d has grid %s, its building %s", h.ID, h.GridCode, b.GridCode)
		}
		if numbers[h.Number] {
			t.Errorf("household number %s is used twice", h.Number)
		}
		numbers[h.Number] = true
		households[h.ID] = h
		perBuilding[h.BuildingID]++
	}
	for _, b := range rec.buildings {
		if perBuilding[b.ID] == 0 {
			t.Errorf("building %d has no household", b.ID)
		}
	}

	persons := map[int64]*wangge.Person{}
	ids := map[string]bool{}
	heads := map[int64]*wangge.Person{}
	members := map[int64][]*wangge.Person{}
	for _, p := range rec.persons {
		id, err := ident.ParseIDAt(p.IDNumber, now)
		if err != nil {
			t.Fatalf("person %d: ID number %s: %v", p.ID, p.IDNumber, err)
		}
		if ids[p.IDNumber] {
			t.Fatalf("ID number %s is used twice", p.IDNumber)
		}
		ids[p.IDNumber] = true
		if !id.BirthDate().Equal(p.BirthDate) || id.Sex() != p.Sex {
			t.Errorf("person %d: birth date or sex disagree with the ID number", p.ID)
		}
		if reg := id.Region(); !(reg[2:4] == "99" || reg[:4] == "1498") {
			t.Errorf("person %d: birthplace %s is not a synthetic region", p.ID, reg)
		}
		q := *p
		if err := q.Normalize(); err != nil {
			t.Errorf("person %d: %v", p.ID, err)
		}
		h := households[p.HouseholdID]
		if h == nil {
			t.Fatalf("person %d is in household %d, which does not exist", p.ID, p.HouseholdID)
		}
		if p.GridCode != h.GridCode || p.Kind != h.Kind {
			t.Errorf("person %d: grid or kind differ from the household's", p.ID)
		}
		if p.Relation == wangge.RelHead {
			if heads[h.ID] != nil {
				t.Errorf("household %d has two heads", h.ID)
			}
			heads[h.ID] = p
		}
		age := p.Age(now)
		if age < 18 && p.Phone != "" {
			t.Errorf("person %d is %d and has a phone", p.ID, age)
		}
		if age > 101 {
			t.Errorf("person %d is %d", p.ID, age)
		}
		persons[p.ID] = p
		members[h.ID] = append(members[h.ID], p)
	}
	for _, h := range rec.households {
		head := heads[h.ID]
		if head == nil {
			t.Fatalf("household %d has no head", h.ID)
		}
		ha := head.Age(now)
		for _, p := range members[h.ID] {
			a := p.Age(now)
			switch p.Relation {
			case wangge.RelSpouse:
				if d := a - ha; d < -6 || d > 6 {
					t.Errorf("household %d: spouse aged %d, head %d", h.ID, a, ha)
				}
			case wangge.RelChild:
				if d := ha - a; d < 18 || d > 42 {
					t.Errorf("household %d: child aged %d, head %d", h.ID, a, ha)
				}
			case wangge.RelParent:
				if d := a - ha; d < 18 || d > 42 {
					t.Errorf("household %d: parent aged %d, head %d", h.ID, a, ha)
				}
			case wangge.RelGrandchild:
				if d := ha - a; d < 36 {
					t.Errorf("household %d: grandchild aged %d, head %d", h.ID, a, ha)
				}
			}
		}
	}

	// One current head per building, living there where named.
	headOf := map[int64]int{}
	for _, h := range rec.heads {
		if h.To != nil {
			continue
		}
		headOf[h.BuildingID]++
		b := buildings[h.BuildingID]
		if b == nil || h.GridCode != b.GridCode || h.Name == "" || h.Phone == "" {
			t.Errorf("building head %d is inconsistent", h.ID)
			continue
		}
		if h.PersonID != nil {
			p := persons[*h.PersonID]
			if p == nil || households[p.HouseholdID].BuildingID != b.ID || p.Name != h.Name {
				t.Errorf("building head %d does not live in building %d", h.ID, b.ID)
			}
		}
	}
	for _, b := range rec.buildings {
		if headOf[b.ID] != 1 {
			t.Errorf("building %d has %d current heads", b.ID, headOf[b.ID])
		}
	}

	groups := map[wangge.KeyGroup]int{}
	left := 0
	for _, m := range rec.members {
		if err := m.Validate(); err != nil {
			t.Errorf("membership %d (%s): %v", m.ID, m.Group, err)
		}
		p := persons[m.PersonID]
		if p == nil || p.GridCode != m.GridCode {
			t.Fatalf("membership %d: person %d missing or in another grid", m.ID, m.PersonID)
		}
		if m.Joined.After(now) || m.Left != nil && m.Left.After(now) {
			t.Errorf("membership %d: dates after today", m.ID)
		}
		if m.Left != nil {
			left++
			continue
		}
		groups[m.Group]++
		switch m.Group {
		case wangge.GroupFloating:
			if p.Kind != wangge.ResidentFloating {
				t.Errorf("membership %d: floating member %d is %s", m.ID, p.ID, p.Kind)
			}
			prov := map[string]string{"14": "山西省", "41": "河南省", "13": "河北省", "37": "山东省", "61": "陕西省",
				"15": "内蒙古自治区", "51": "四川省", "34": "安徽省", "62": "甘肃省"}[p.IDNumber[:2]]
			if m.Attrs["origin"] != prov {
				t.Errorf("membership %d: origin %s, ID number from %s", m.ID, m.Attrs["origin"], prov)
			}
		case wangge.GroupUnemployed:
			if p.Employment != wangge.EmployUnemployed {
				t.Errorf("membership %d: unemployed member %d is %s", m.ID, p.ID, p.Employment)
			}
		case wangge.GroupElderly:
			if !p.Elderly(now) || m.Attrs["living"] != "独居" && m.Attrs["living"] != "空巢" {
				t.Errorf("membership %d: elderly membership of a %d-year-old living %s", m.ID, p.Age(now), m.Attrs["living"])
			}
			if m.Attrs["living"] == "独居" && len(members[p.HouseholdID]) != 1 {
				t.Errorf("membership %d: lives alone in a household of %d", m.ID, len(members[p.HouseholdID]))
			}
		case wangge.GroupChildbearing:
			if !p.ChildbearingAge(now) {
				t.Errorf("membership %d: childbearing membership of a %d-year-old %s", m.ID, p.Age(now), p.Sex)
			}
		}
	}
	for _, p := range rec.persons {
		if p.ChildbearingAge(now) {
			groups["women"]++
		}
	}
	if groups[wangge.GroupChildbearing] != groups["women"] {
		t.Errorf("%d childbearing memberships for %d women aged 15–49", groups[wangge.GroupChildbearing], groups["women"])
	}
	for _, g := range wangge.KeyGroups {
		if g.Group != wangge.GroupReleased && groups[g.Group] == 0 {
			t.Errorf("no current member of %s", g.Group)
		}
	}
	if left == 0 {
		t.Error("no past memberships")
	}

	unitsByID := map[int64]*wangge.Unit{}
	for _, u := range rec.units {
		if _, err := ident.ParseCreditCode(u.CreditCode); err != nil {
			t.Errorf("unit %d: credit code %s: %v", u.ID, u.CreditCode, err)
		}
		q := *u
		if err := q.Normalize(); err != nil {
			t.Errorf("unit %d: %v", u.ID, err)
		}
		if !grids[u.GridCode] {
			t.Errorf("unit %d is in grid %s, which does not exist", u.ID, u.GridCode)
		}
		if u.BuildingID != nil && buildings[*u.BuildingID].GridCode != u.GridCode {
			t.Errorf("unit %d: its building is in another grid", u.ID)
		}
		unitsByID[u.ID] = u
	}

	assistants := map[int64]*wangge.Assistant{}
	for _, a := range rec.assistants {
		if err := a.Validate(); err != nil {
			t.Errorf("assistant %d: %v", a.ID, err)
		}
		if _, err := ident.ParsePhone(a.WorkPhone); err != nil {
			t.Errorf("assistant %d: work phone %s: %v", a.ID, a.WorkPhone, err)
		}
		assistants[a.ID] = a
	}
	current := map[string]int64{}
	for _, as := range rec.assignments {
		a := assistants[as.AssistantID]
		if a == nil || !grids[as.GridCode] {
			t.Fatalf("assignment %d refers to a missing assistant or grid", as.ID)
		}
		if as.To == nil {
			if current[as.GridCode] != 0 {
				t.Errorf("grid %s has two current assistants", as.GridCode)
			}
			current[as.GridCode] = as.AssistantID
			if !a.Active {
				t.Errorf("current assistant %d is not active", a.ID)
			}
		} else if !as.To.After(as.From) {
			t.Errorf("assignment %d ends before it starts", as.ID)
		}
	}
	for g := range grids {
		if current[g] == 0 {
			t.Errorf("grid %s has no current assistant", g)
		}
	}

	visited := map[int64]bool{}
	yearAgo := now.AddDate(-1, 0, -3)
	for _, v := range rec.visits {
		if err := v.Validate(); err != nil {
			t.Errorf("visit %d: %v", v.ID, err)
		}
		if current[v.GridCode] != v.AssistantID {
			t.Errorf("visit %d is not by its grid's assistant", v.ID)
		}
		if v.At.Before(yearAgo) || !v.At.Before(now) {
			t.Errorf("visit %d at %s is not in the year before %s", v.ID, v.At, now)
		}
		if v.At.Location() != time.UTC {
			t.Errorf("visit %d is not stored in UTC", v.ID)
		}
		bj := v.At.In(time.FixedZone("CST", 8*3600))
		if h := bj.Hour(); h < 8 || h > 17 {
			t.Errorf("visit %d at %s is outside working hours", v.ID, bj)
		}
		switch {
		case v.HouseholdID != nil:
			if h := households[*v.HouseholdID]; h == nil || h.GridCode != v.GridCode {
				t.Errorf("visit %d: household missing or in another grid", v.ID)
			}
			visited[*v.HouseholdID] = true
		case v.UnitID != nil:
			if u := unitsByID[*v.UnitID]; u == nil || u.GridCode != v.GridCode {
				t.Errorf("visit %d: unit missing or in another grid", v.ID)
			}
		}
		if v.Purpose == "" {
			t.Errorf("visit %d has no purpose", v.ID)
		}
	}
	if never := 1 - float64(len(visited))/float64(len(rec.households)); never < 0.04 || never > 0.15 {
		t.Errorf("%.1f%% of households never visited, want about 8%%", 100*never)
	}

	roles := map[wangge.Role]bool{}
	for _, u := range rec.users {
		if err := u.Validate(); err != nil {
			t.Errorf("user %s: %v", u.Username, err)
		}
		roles[u.Role] = true
		if u.Role == wangge.RoleAssistant && (u.AssistantID == nil || *u.AssistantID != current[u.ScopeCode]) {
			t.Errorf("user %s is not the assistant of grid %s", u.Username, u.ScopeCode)
		}
	}
	for _, r := range wangge.Roles {
		if !roles[r] {
			t.Errorf("no account with role %s", r)
		}
	}
	for _, a := range res.Accounts {
		if a.Username == "admin" && a.Password != "Admin-Passw0rd" {
			t.Errorf("admin password %q, want the one given", a.Password)
		}
		if !strongPassword(a.Password) {
			t.Errorf("account %s: weak password %q", a.Username, a.Password)
		}
	}
	return res
}

func strongPassword(pw string) bool {
	return len(pw) >= 10 && strings.ContainsAny(pw, upperChars) && strings.ContainsAny(pw, lowerChars) && strings.ContainsAny(pw, "0123456789")
}

func TestGenerateIsDeterministic(t *testing.T) {
	cfg := Config{Seed: 42, Scale: 0.02, Now: testNow}
	a, _ := generate(t, cfg)
	b, _ := generate(t, cfg)
	if a.sum() != b.sum() {
		t.Error("the same config gave different output")
	}
	cfg.Seed = 43
	c, _ := generate(t, cfg)
	if a.sum() == c.sum() {
		t.Error("different seeds gave the same output")
	}
}

// TestPasswordsAreTheGeneratedOnes: Passwords gives, from the seed alone,
// the passwords Generate gave every account but admin, so the demo can print
// them again on a database it filled before.
func TestPasswordsAreTheGeneratedOnes(t *testing.T) {
	for _, seed := range []int64{1, 7} {
		res, err := Generate(Config{Seed: seed, Scale: 0.02, Now: testNow}, newRecorder(), "", cheapHash, nil)
		if err != nil {
			t.Fatal(err)
		}
		pws := Passwords(seed)
		if len(pws) != len(res.Accounts)-1 {
			t.Errorf("seed %d: %d passwords for %d accounts", seed, len(pws), len(res.Accounts))
		}
		for _, a := range res.Accounts {
			if got, ok := pws[a.Username]; a.Username != "admin" && got != a.Password || a.Username == "admin" && ok {
				t.Errorf("seed %d: Passwords()[%s] = %q, Generate gave %q", seed, a.Username, got, a.Password)
			}
		}
	}
	if Passwords(1)["shequ"] == Passwords(2)["shequ"] {
		t.Error("two seeds give the same password")
	}
}

func TestGenerateDrawsRandomAdminPassword(t *testing.T) {
	res, err := Generate(Config{Seed: 1, Scale: 0.02, Now: testNow}, newRecorder(), "", cheapHash, nil)
	if err != nil {
		t.Fatal(err)
	}
	pw := res.Accounts[0].Password
	if res.Accounts[0].Username != "admin" || !strongPassword(pw) || len(pw) != 16 {
		t.Errorf("admin password %q", pw)
	}
}

func TestLayoutTilesEachParent(t *testing.T) {
	for _, scale := range []float64{0.02, 0.3, 1} {
		cfg := Config{Seed: 3, Scale: scale, Now: testNow}
		l := Layout(cfg)
		children := map[string][]string{}
		for code := range l {
			if p := wangge.ParentCode(code); p != "" {
				children[p] = append(children[p], code)
			}
		}
		area := func(r Rect) float64 { return (r.MaxLng - r.MinLng) * (r.MaxLat - r.MinLat) }
		for parent, kids := range children {
			pr := l[parent]
			sum := 0.0
			for i, a := range kids {
				ra := l[a]
				if ra.MinLng < pr.MinLng || ra.MaxLng > pr.MaxLng || ra.MinLat < pr.MinLat || ra.MaxLat > pr.MaxLat {
					t.Errorf("scale %v: %s sticks out of %s", scale, a, parent)
				}
				if ra.MinLng >= ra.MaxLng || ra.MinLat >= ra.MaxLat {
					t.Errorf("scale %v: %s is empty", scale, a)
				}
				sum += area(ra)
				for _, b := range kids[i+1:] {
					rb := l[b]
					if min(ra.MaxLng, rb.MaxLng) > max(ra.MinLng, rb.MinLng) && min(ra.MaxLat, rb.MaxLat) > max(ra.MinLat, rb.MinLat) {
						t.Errorf("scale %v: %s overlaps %s", scale, a, b)
					}
				}
			}
			// No overlaps and the same total area: no gaps either.
			if d := sum - area(pr); d > 1e-12 || d < -1e-12 {
				t.Errorf("scale %v: children of %s cover %g, the parent %g", scale, parent, sum, area(pr))
			}
		}
		if _, ok := l[DistrictCode]; !ok {
			t.Errorf("scale %v: no district rectangle", scale)
		}
	}
}

// counter is a Bulk that counts and checks ID numbers without keeping rows.
type counter struct {
	check      bool
	now        time.Time
	err        error
	ids        map[string]bool
	n          map[string]int
	ages       [7]int // <15, 15–59 … by band: 0–14, 15–59, 60–69, 70–79, 80+
	members    map[wangge.KeyGroup]int
	left       int
	living     map[string]int
	elderly    int
	households int
	persons    int
}

func (c *counter) fail(err error) error {
	if c.err == nil {
		c.err = err
	}
	return err
}

func (c *counter) Area(a *wangge.Area) error       { c.n[a.Level.String()]++; return nil }
func (c *counter) Building(*wangge.Building) error { c.n["building"]++; return nil }
func (c *counter) Household(h *wangge.Household) error {
	c.households++
	c.n[string(h.Kind)]++
	return nil
}
func (c *counter) Person(p *wangge.Person) error {
	c.persons++
	if !c.check {
		return nil
	}
	if _, err := ident.ParseIDAt(p.IDNumber, c.now); err != nil {
		return c.fail(fmt.Errorf("person %d: %v", p.ID, err))
	}
	if c.ids[p.IDNumber] {
		return c.fail(fmt.Errorf("ID number %s twice", p.IDNumber))
	}
	c.ids[p.IDNumber] = true
	switch a := p.Age(c.now); {
	case a < 15:
		c.ages[0]++
	case a < 60:
		c.ages[1]++
	default:
		c.elderly++
	}
	return nil
}
func (c *counter) Unit(u *wangge.Unit) error {
	c.n["unit"]++
	if u.PartyOrg != "" {
		c.n["party org"]++
	}
	return nil
}
func (c *counter) Assistant(*wangge.Assistant) error   { c.n["assistant"]++; return nil }
func (c *counter) Assignment(*wangge.Assignment) error { return nil }
func (c *counter) BuildingHead(*wangge.BuildingHead) error {
	c.n["head"]++
	return nil
}
func (c *counter) Membership(m *wangge.Membership) error {
	c.n["membership"]++
	if m.Left != nil {
		c.left++
		return nil
	}
	c.members[m.Group]++
	if m.Group == wangge.GroupElderly {
		c.living[m.Attrs["living"]]++
	}
	return nil
}
func (c *counter) Visit(*wangge.Visit) error       { c.n["visit"]++; return nil }
func (c *counter) Boundary(*wangge.Boundary) error { c.n["boundary"]++; return nil }
func (c *counter) User(*wangge.User) error         { c.n["user"]++; return nil }
func (c *counter) Commit() error                   { return nil }
func (c *counter) Rollback() error                 { return nil }

func newCounter(check bool) *counter {
	return &counter{check: check, now: testNow, ids: map[string]bool{}, n: map[string]int{},
		members: map[wangge.KeyGroup]int{}, living: map[string]int{}}
}

func TestGenerateFullDistrict(t *testing.T) {
	if testing.Short() {
		t.Skip("the full district takes a few seconds")
	}
	cfg := Config{Seed: 1, Scale: 1, Now: testNow}

	start := time.Now()
	last := 0
	res, err := Generate(cfg, newCounter(false), "Admin-Passw0rd", cheapHash, func(done, total int) {
		if done < last || done > total {
			t.Errorf("progress %d of %d after %d", done, total, last)
		}
		last = done
	})
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	counts := *res
	counts.Accounts = nil // passwords stay out of the log
	t.Logf("generated the full district in %v: %+v", elapsed, counts)
	if last != res.Persons {
		t.Errorf("progress ended at %d of %d persons", last, res.Persons)
	}

	c := newCounter(true)
	if _, err := Generate(cfg, c, "Admin-Passw0rd", cheapHash, nil); err != nil {
		t.Fatal(err)
	}
	in := func(what string, n, lo, hi int) {
		t.Helper()
		if n < lo || n > hi {
			t.Errorf("%d %s, want %d to %d", n, what, lo, hi)
		}
	}
	in("sub-districts", res.Subdistricts, 5, 6)
	in("communities", res.Communities, 50, 50)
	in("grids", res.Grids, 380, 420)
	in("households", res.Households, 110_000, 130_000)
	in("persons", res.Persons, 300_000, 360_000)
	in("units", res.Units, 1_900, 2_100)
	in("assistants", res.Assistants, res.Grids, res.Grids*13/10)
	in("checked persons", c.persons, res.Persons, res.Persons)
	in("checked ID numbers", len(c.ids), res.Persons, res.Persons)

	pct := func(n, of int) float64 { return 100 * float64(n) / float64(of) }
	t.Logf("%.2f persons a household; under 15 %.1f%%, 60+ %.1f%%; elderly living alone %.1f%%, empty nest %.1f%% of the elderly",
		float64(res.Persons)/float64(res.Households), pct(c.ages[0], c.persons), pct(c.elderly, c.persons),
		pct(c.living["独居"], c.elderly), pct(c.living["空巢"], c.elderly))
	for _, g := range wangge.KeyGroups {
		t.Logf("%-12s %7d", g.Group, c.members[g.Group])
	}
	t.Logf("households: %.1f%% floating, %.1f%% absent; units with a party organisation %.1f%%",
		pct(c.n["floating"], c.households), pct(c.n["absent"], c.households), pct(c.n["party org"], c.n["unit"]))
	t.Logf("past memberships %d (%.1f%%), visits %d", c.left, pct(c.left, c.n["membership"]), c.n["visit"])
	if a := pct(c.elderly, c.persons); a < 17 || a > 23 {
		t.Errorf("%.1f%% aged 60+, want about 20%%", a)
	}
	if a := pct(c.ages[0], c.persons); a < 12 || a > 18 {
		t.Errorf("%.1f%% under 15, want about 15%%", a)
	}
}
