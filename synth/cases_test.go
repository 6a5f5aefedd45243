package synth

import (
	"cmp"
	"crypto/sha256"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/workcal"
)

// calClock is the work calendar as the engine's clock, as the store wires
// it (sqldb's workClock): the cases run on the same deadlines.
type calClock struct{ cal *workcal.Calendar }

func (w calClock) Add(from time.Time, d casework.Duration) time.Time {
	t, err := w.cal.Due(from, workcal.Limit{N: d.N, Unit: workcal.Unit(d.Unit)}, nil)
	if err != nil {
		return from
	}
	return t
}

func testEngine(t *testing.T) *casework.Engine {
	t.Helper()
	cal, err := workcal.New(workcal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return casework.NewEngine(calClock{cal})
}

func testCategories(t *testing.T) []casework.Category {
	t.Helper()
	services, err := wangge.DefaultServices()
	if err != nil {
		t.Fatal(err)
	}
	return casework.Categories(services)
}

// caseCollector keeps the cases it is given, as JSON too (a deep copy: a
// case handed on must not change afterwards).
type caseCollector struct {
	cases []*casework.Case
	h     []byte
}

func (c *caseCollector) Case(x *casework.Case) error {
	b, err := json.Marshal(x)
	if err != nil {
		return err
	}
	c.cases = append(c.cases, x)
	sum := sha256.Sum256(append(c.h, b...))
	c.h = sum[:]
	return nil
}

func generateCases(t *testing.T, cfg Config) (*caseCollector, *CaseResult) {
	t.Helper()
	return generateCasesInto(t, cfg, newCounter(false))
}

func generateCasesInto(t *testing.T, cfg Config, b wangge.Bulk) (*caseCollector, *CaseResult) {
	t.Helper()
	res, err := Generate(cfg, b, "Admin-Passw0rd", cheapHash, nil)
	if err != nil {
		t.Fatal(err)
	}
	col := &caseCollector{}
	cr, err := GenerateCases(res, CaseOptions{Engine: testEngine(t), Categories: testCategories(t)}, col, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cr.Cases != len(col.cases) {
		t.Fatalf("result counts %d cases, the sink got %d", cr.Cases, len(col.cases))
	}
	return col, cr
}

func TestGenerateCasesIsDeterministic(t *testing.T) {
	cfg := Config{Seed: 42, Scale: 0.02, Now: testNow}
	a, _ := generateCases(t, cfg)
	b, _ := generateCases(t, cfg)
	if string(a.h) != string(b.h) || len(a.cases) == 0 {
		t.Errorf("the same config gave different cases (%d and %d)", len(a.cases), len(b.cases))
	}
	cfg.Seed = 43
	c, _ := generateCases(t, cfg)
	if string(a.h) == string(c.h) {
		t.Error("different seeds gave the same cases")
	}
}

// TestGeneratedCasesHaveRealisticProportions pins the mix the demo's
// boards show: mechanisms near 55/35/7/2, the common categories on top,
// 2–4 cases a grid a week, and some of every kind of trouble.
func TestGeneratedCasesHaveRealisticProportions(t *testing.T) {
	cfg := Config{Seed: 5, Scale: 0.1, Now: testNow}
	col, cr := generateCases(t, cfg)
	n := float64(cr.Cases)
	share := func(m casework.Mechanism) float64 { return 100 * float64(cr.ByMechanism[m]) / n }
	t.Logf("%d cases, %d events; by mechanism %v; by state %v; by source %v", cr.Cases, cr.Events, cr.ByMechanism, cr.ByState, cr.BySource)
	t.Logf("returned %d, reworked %d, deferred %d, merged %d, supervised %d, escalated %d (emergencies %d), reopened %d, rated %d, open and overdue %d",
		cr.Returned, cr.Reworked, cr.Deferred, cr.Merged, cr.Supervised, cr.Escalated, cr.EmergencyEscalated, cr.Reopened, cr.Rated, cr.OverdueOpen)
	for _, b := range []struct {
		m      casework.Mechanism
		lo, hi float64
	}{
		{casework.General, 47, 63}, {casework.Coordination, 28, 42}, {casework.Approval, 4, 10}, {casework.Emergency, 1, 3},
	} {
		if s := share(b.m); s < b.lo || s > b.hi {
			t.Errorf("%s: %.1f%% of the cases, want %.0f–%.0f%%", b.m, s, b.lo, b.hi)
		}
	}
	grids := 0
	for code := range Layout(cfg) {
		if len(code) == wangge.GridCodeLen {
			grids++
		}
	}
	perWeek := n / float64(grids) / 52.14
	t.Logf("%d grids, %.2f cases a grid a week", grids, perWeek)
	if perWeek < 2 || perWeek > 4 {
		t.Errorf("%.2f cases a grid a week, want 2–4", perWeek)
	}
	byCat := map[string]int{}
	for _, c := range col.cases {
		byCat[c.Category.Code]++
	}
	codes := make([]string, 0, len(byCat))
	for c := range byCat {
		codes = append(codes, c)
	}
	slices.SortFunc(codes, func(a, b string) int { return cmp.Or(cmp.Compare(byCat[b], byCat[a]), cmp.Compare(a, b)) })
	top := codes[:4]
	for _, want := range []string{"P01", "P02", "P03", "P14"} {
		if !slices.Contains(top, want) {
			t.Errorf("the commonest categories are %v, want %s among them", top, want)
		}
	}
	closed := cr.ByState[casework.Closed]
	for _, x := range []struct {
		what   string
		n, min int
	}{
		{"returned", cr.Returned, 5}, {"reworked", cr.Reworked, 5}, {"deferred", cr.Deferred, 3}, {"merged", cr.Merged, 5},
		{"supervised", cr.Supervised, 5}, {"escalated", cr.Escalated, 5}, {"reopened", cr.Reopened, 3},
		{"open and overdue", cr.OverdueOpen, 1}, {"open", cr.Cases - closed - cr.ByState[casework.Merged], 20},
	} {
		if x.n < x.min {
			t.Errorf("%d cases %s, want at least %d", x.n, x.what, x.min)
		}
	}
	if r := float64(cr.Rated) / float64(closed); r < 0.7 || r > 0.95 {
		t.Errorf("%.0f%% of the closed cases rated, want most", 100*r)
	}
	if closed < cr.Cases*3/4 {
		t.Errorf("%d of %d cases closed, want most of a year's", closed, cr.Cases)
	}
}

// TestGeneratedCasesAreWhatTheEngineMakes replays every timeline through a
// fresh engine — the case opened from its first event, every later event
// applied as the action it records, merges with the case they join — and
// requires the very case generated; and checks what a reader relies on:
// states follow the events, numbers are the store's series, nothing
// closed without its reporters told, nothing after the reference date.
func TestGeneratedCasesAreWhatTheEngineMakes(t *testing.T) {
	cfg := Config{Seed: 11, Scale: 0.02, Now: testNow}
	col, cr := generateCases(t, cfg)
	if cr.Cases < 500 {
		t.Fatalf("only %d cases", cr.Cases)
	}
	from := testNow.AddDate(0, 0, -366)
	beijing := time.FixedZone("CST", 8*3600)
	seqs := map[int][]int{}
	byNumber := map[string]*casework.Case{}
	for _, c := range col.cases {
		if byNumber[c.Number] != nil {
			t.Fatalf("number %s twice", c.Number)
		}
		byNumber[c.Number] = c
		y, seq, ok := casework.ParseNumber(c.Number)
		if !ok || y != c.CreatedAt.In(beijing).Year() {
			t.Errorf("%s: not a number of the year it was made (%v)", c.Number, c.CreatedAt)
		}
		seqs[y] = append(seqs[y], seq)
		if c.CreatedAt.Before(from) || !c.CreatedAt.Before(testNow) {
			t.Errorf("%s made %v, outside the year before %v", c.Number, c.CreatedAt, testNow)
		}
		prev := casework.State("")
		for i, ev := range c.Events {
			if ev.Seq != i+1 || ev.From != prev || i > 0 && ev.At.Before(c.Events[i-1].At) || !ev.At.Before(testNow) {
				t.Fatalf("%s: event %d (%s at %v, %s → %s) does not follow the one before", c.Number, i+1, ev.Action, ev.At, ev.From, ev.To)
			}
			prev = ev.To
		}
		if prev != c.State {
			t.Errorf("%s is %s, its last event left it %s", c.Number, c.State, prev)
		}
		if c.State == casework.Closed {
			for _, n := range c.Recipients() {
				if !c.Told(n) {
					t.Errorf("%s closed without telling the reporter of %s", c.Number, n)
				}
			}
		}
	}
	for y, s := range seqs {
		slices.Sort(s)
		for i, seq := range s {
			if seq != i+1 {
				t.Fatalf("year %d: numbers are not 1…%d without gaps (%d at %d)", y, len(s), seq, i+1)
			}
		}
	}
	// Sorted by creation, the numbers of a year rise: given out in order.
	sorted := slices.Clone(col.cases)
	slices.SortStableFunc(sorted, func(a, b *casework.Case) int { return a.CreatedAt.Compare(b.CreatedAt) })
	last := map[int]int{}
	for _, c := range sorted {
		y, seq, _ := casework.ParseNumber(c.Number)
		if seq < last[y] {
			t.Fatalf("%s was made after number %d of its year", c.Number, last[y])
		}
		last[y] = seq
	}

	replayed := replay(t, testEngine(t), col.cases)
	for _, c := range col.cases {
		want, _ := json.Marshal(c)
		got, _ := json.Marshal(replayed[c.Number])
		if string(want) != string(got) {
			t.Fatalf("%s replayed differs:\n got %s\nwant %s", c.Number, got, want)
		}
	}
}

// replay rebuilds the cases from their timelines alone, in time order
// across cases (a merge needs the case it joins as it was then).
func replay(t *testing.T, eng *casework.Engine, cases []*casework.Case) map[string]*casework.Case {
	t.Helper()
	type step struct {
		c  *casework.Case
		ev casework.Event
	}
	var steps []step
	for _, c := range cases {
		for _, ev := range c.Events {
			steps = append(steps, step{c, ev})
		}
	}
	slices.SortStableFunc(steps, func(a, b step) int {
		return cmp.Or(a.ev.At.Compare(b.ev.At), cmp.Compare(a.c.Number, b.c.Number), cmp.Compare(a.ev.Seq, b.ev.Seq))
	})
	out := map[string]*casework.Case{}
	actor := func(c *casework.Case, ev casework.Event) casework.Actor {
		g := c.Location.GridCode
		a := casework.Actor{UserID: ev.ActorID, Name: ev.ActorName, Role: ev.ActorRole}
		switch ev.ActorRole {
		case wangge.RoleAssistant, wangge.RoleBuildingHead:
			a.ScopeCode = g
		case wangge.RoleCommunityStaff:
			a.ScopeCode = g[:12]
		case wangge.RoleSubdistrictStaff:
			a.ScopeCode = g[:9]
		case wangge.RoleDistrictAdmin, wangge.RoleDepartment:
			a.ScopeCode = g[:6]
			a.Line = c.Category.Line
			if r := out[c.Number]; r != nil && r.Receiver != nil {
				a.Line = r.Receiver.Line
			}
		}
		return a
	}
	for _, s := range steps {
		c, ev := s.c, s.ev
		a := actor(c, ev)
		if ev.Action == casework.ActCreate {
			d := casework.Draft{Number: c.Number, Source: c.Source, Category: c.Category, Location: c.Location,
				Reporter: c.Reporter, Mechanism: c.Mechanism, Priority: c.Priority, Description: c.Description, Done: ev.Note,
				Materials: openingMaterials(c)}
			if c.Mechanism == casework.Emergency {
				d.Priority = casework.PriorityNormal // Open makes it urgent
			}
			if ev.ActorRole == wangge.RoleBuildingHead {
				d.Reporter.UserID = 0 // Open sets it
			}
			r, err := eng.Open(d, a, ev.At)
			if err != nil {
				t.Fatalf("%s: open: %v", c.Number, err)
			}
			out[c.Number] = r
			continue
		}
		r := out[c.Number]
		if ev.Action == casework.ActMerge && ev.To != casework.Merged {
			continue // the joining side of a merge: the duplicate's own makes it
		}
		act := casework.Action{Name: ev.Action, Note: ev.Note, Receiver: ev.Receiver, Due: ev.Due, Satisfaction: ev.Satisfaction}
		if f := ev.Feedback; f != nil {
			act.To, act.Channel, act.NoContact, act.At = f.Number, f.Channel, f.NoContact, f.At
		}
		if ev.Action == casework.ActSubmit {
			act.Materials = c.Category.Materials
		}
		if ev.Action == casework.ActMerge {
			act.Into = out[ev.Ref]
			if act.Into == nil {
				t.Fatalf("%s merged into %s, which is not there yet", c.Number, ev.Ref)
			}
		}
		if _, err := eng.Apply(r, a, act, ev.At); err != nil {
			t.Fatalf("%s: %s by %s at %v: %v", c.Number, ev.Action, ev.ActorRole, ev.At, err)
		}
	}
	return out
}

// openingMaterials are the materials an application was opened with, as
// far as the case tells: what it holds while it waits for a first submit.
// After one, the materials are the catalogue entry's list in its order
// whatever was brought first (the generator brings a prefix of it), so
// opening with none leaves the same case.
func openingMaterials(c *casework.Case) []string {
	if c.Mechanism != casework.Approval {
		return nil
	}
	for _, ev := range c.Events {
		if ev.Action == casework.ActSubmit {
			return nil
		}
	}
	return c.Materials
}

// TestGeneratedCasesComeFromTheDistrict: a case lies in a grid of the
// district, at a building and household of that grid; one from a visit
// was registered by the grid's assistant at the visited household, within
// the hour after the visit, its reporter one of the household with their
// own (synthetic) phone; the demo's building head reports as himself.
func TestGeneratedCasesComeFromTheDistrict(t *testing.T) {
	cfg := Config{Seed: 3, Scale: 0.02, Now: testNow}
	rec := newRecorder()
	col, _ := generateCasesInto(t, cfg, rec)
	grids := map[string]bool{}
	for _, a := range rec.areas {
		if a.Level == wangge.LevelGrid {
			grids[a.Code] = true
		}
	}
	buildings := map[int64]*wangge.Building{}
	for _, b := range rec.buildings {
		buildings[b.ID] = b
	}
	households := map[int64]*wangge.Household{}
	for _, h := range rec.households {
		households[h.ID] = h
	}
	members := map[int64]map[string]bool{} // household → name and phone of its persons
	for _, p := range rec.persons {
		if members[p.HouseholdID] == nil {
			members[p.HouseholdID] = map[string]bool{}
		}
		members[p.HouseholdID][p.Name+"|"+p.Phone] = true
	}
	assistantOf := map[string]string{} // grid → current assistant's name
	names := map[int64]string{}
	for _, a := range rec.assistants {
		names[a.ID] = a.Name
	}
	for _, as := range rec.assignments {
		if as.To == nil {
			assistantOf[as.GridCode] = names[as.AssistantID]
		}
	}
	visits := map[int64][]time.Time{}
	for _, v := range rec.visits {
		if v.HouseholdID != nil {
			visits[*v.HouseholdID] = append(visits[*v.HouseholdID], v.At)
		}
	}
	var head *wangge.User
	for _, u := range rec.users {
		if u.Role == wangge.RoleBuildingHead {
			head = u
		}
	}
	fromVisits, byHead := 0, 0
	for _, c := range col.cases {
		loc := c.Location
		if !grids[loc.GridCode] {
			t.Fatalf("%s in %s, no grid of the district", c.Number, loc.GridCode)
		}
		if b := buildings[loc.BuildingID]; b == nil || b.GridCode != loc.GridCode || loc.Point == nil || loc.Point.Lng != b.Lng {
			t.Fatalf("%s at building %d, not one of its grid's", c.Number, loc.BuildingID)
		}
		if loc.HouseholdID != 0 {
			if h := households[loc.HouseholdID]; h == nil || h.BuildingID != loc.BuildingID {
				t.Fatalf("%s at household %d, not one of building %d", c.Number, loc.HouseholdID, loc.BuildingID)
			}
		}
		if c.Reporter.Contact != "" && len(c.Reporter.Contact) != 11 || c.Reporter.Contact != "" && c.Reporter.Contact[:3] != "199" {
			t.Errorf("%s: contact %q is not a synthetic mobile", c.Number, c.Reporter.Contact)
		}
		if c.Reporter.UserID != 0 {
			byHead++
			if head == nil || c.Reporter.UserID != head.ID || c.Events[0].ActorRole != wangge.RoleBuildingHead {
				t.Errorf("%s reported by account %d", c.Number, c.Reporter.UserID)
			}
		}
		if c.Source != casework.SourceVisit {
			continue
		}
		fromVisits++
		if c.Events[0].ActorName != assistantOf[loc.GridCode] || c.Events[0].ActorRole != wangge.RoleAssistant {
			t.Errorf("%s from a visit registered by %s (%s), not the grid's assistant %s", c.Number, c.Events[0].ActorName, c.Events[0].ActorRole, assistantOf[loc.GridCode])
		}
		if !members[loc.HouseholdID][c.Reporter.Name+"|"+c.Reporter.Contact] {
			t.Errorf("%s: reporter %s (%s) is not of household %d", c.Number, c.Reporter.Name, c.Reporter.Contact, loc.HouseholdID)
		}
		found := false
		for _, at := range visits[loc.HouseholdID] {
			if d := c.CreatedAt.Sub(at); d > 0 && d < time.Hour {
				found = true
			}
		}
		if !found {
			t.Errorf("%s from a visit made %v: no visit to household %d in the hour before", c.Number, c.CreatedAt, loc.HouseholdID)
		}
	}
	if fromVisits < len(col.cases)/2 || byHead == 0 {
		t.Errorf("%d of %d cases from visits, %d by the building head: want most from visits and some by him", fromVisits, len(col.cases), byHead)
	}
}
