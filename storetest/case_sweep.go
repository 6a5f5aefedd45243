package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/sqldb"
)

var caseSweepTests = []test{
	{"CaseEmergencyUnacknowledgedEscalatesTwiceThenStays", testEmergencyEscalates},
	{"CaseOverdueCoordinationEscalatesUpTheLevels", testOverdueEscalates},
	{"CaseEscalationOnceAcrossTwoStores", testEscalationOnce},
	{"CaseChangesFeedInOrderAndScoped", testCaseChanges},
}

// sweepMonday is 10:00 on a Monday in Beijing, a working day.
var sweepMonday = time.Date(2026, 5, 11, 2, 0, 0, 0, time.UTC)

// sweep runs one escalation sweep and checks how many it escalated.
func (e *env) sweep(t *testing.T, db *sqldb.DB, want int, what string) {
	t.Helper()
	n, err := db.EscalateDue(e.ctx, 0)
	ok(t, err, what)
	if n != want {
		t.Errorf("%s: %d escalated, want %d", what, n, want)
	}
}

// levelOf reads the case as the district sees it.
func (e *env) levelOf(t *testing.T, number string) (*casework.Case, wangge.Level) {
	t.Helper()
	c, err := e.db.Case(e.ctx, caseActors["district"], number)
	ok(t, err, "read ", number)
	return c, c.Level
}

func testEmergencyEscalates(t *testing.T, e *env) {
	e.fixture()
	now := sweepMonday
	e.db.SetClock(func() time.Time { return now })
	at := func(d time.Duration) { now = sweepMonday.Add(d) }
	ignored := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Emergency, "P06", "smoke from a window"))
	taken := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Emergency, "P07", "a fall on the stairs"))
	e.step(t, "community_a", taken, casework.Action{Name: casework.ActAcknowledge})

	steps := []struct {
		after time.Duration
		want  int
		level wangge.Level
	}{
		{9*time.Minute + 59*time.Second, 0, wangge.LevelCommunity},
		{10 * time.Minute, 1, wangge.LevelSubdistrict},
		{10*time.Minute + time.Second, 0, wangge.LevelSubdistrict}, // once, not every tick
		{19 * time.Minute, 0, wangge.LevelSubdistrict},
		{20 * time.Minute, 1, wangge.LevelDistrict},
		{30 * time.Minute, 0, wangge.LevelDistrict}, // at the top it stays, with no error
		{90 * time.Minute, 0, wangge.LevelDistrict},
	}
	for _, s := range steps {
		at(s.after)
		e.sweep(t, e.db, s.want, fmt.Sprint("the sweep at +", s.after))
		if _, l := e.levelOf(t, ignored.Number); l != s.level {
			t.Errorf("at +%s the unacknowledged emergency is at level %d, want %d", s.after, l, s.level)
		}
	}
	c, _ := e.levelOf(t, ignored.Number)
	var escalations []wangge.Level
	for _, ev := range c.Events {
		if ev.Action == casework.ActEscalate {
			escalations = append(escalations, ev.Level)
			if ev.ActorRole != wangge.RoleSystem || ev.From != casework.Reported || ev.To != casework.Reported {
				t.Errorf("escalation event %+v: want the system's, reported → reported", ev)
			}
		}
	}
	if fmt.Sprint(escalations) != fmt.Sprint([]wangge.Level{wangge.LevelSubdistrict, wangge.LevelDistrict}) || c.Escalations != 2 {
		t.Errorf("escalation events to levels %v (counter %d), want the sub-district then the district", escalations, c.Escalations)
	}
	if got := e.caseAudit(t, ignored.Number); fmt.Sprint(got) != "[case.create case.escalate case.escalate]" {
		t.Errorf("audit of the ignored emergency: %v", got)
	}
	// The acknowledged one runs against its handle deadline (two hours),
	// not the acknowledgement's: it stayed with the community.
	got, l := e.levelOf(t, taken.Number)
	if l != wangge.LevelCommunity || got.Escalations != 0 {
		t.Errorf("the acknowledged emergency: level %d, %d escalations", l, got.Escalations)
	}
	if a := e.caseAudit(t, taken.Number); fmt.Sprint(a) != "[case.create case.acknowledge]" {
		t.Errorf("audit of the acknowledged emergency: %v", a)
	}
	// The district, which follows the case now, may still take it on.
	e.step(t, "district", c, casework.Action{Name: casework.ActAcknowledge})
	e.verifyAudit()
}

func testOverdueEscalates(t *testing.T, e *env) {
	e.fixture()
	now := sweepMonday
	e.db.SetClock(func() time.Time { return now })
	c := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "rubbish by the gate"))
	for i, want := range []wangge.Level{wangge.LevelSubdistrict, wangge.LevelDistrict} {
		d := c.Running()
		if d == nil || d.Step != casework.StepDispatch {
			t.Fatalf("round %d: running deadline %+v, want the dispatch's", i, d)
		}
		now = d.Due.Add(-time.Minute)
		e.sweep(t, e.db, 0, fmt.Sprint("a minute before the deadline, round ", i))
		now = d.Due
		e.sweep(t, e.db, 1, fmt.Sprint("at the deadline, round ", i))
		var l wangge.Level
		c, l = e.levelOf(t, c.Number)
		if l != want {
			t.Errorf("round %d: level %d, want %d", i, l, want)
		}
		last := c.Events[len(c.Events)-1]
		if last.Action != casework.ActEscalate || last.Level != want || !last.At.Equal(now) {
			t.Errorf("round %d: last event %+v, want the escalation to %d", i, last, want)
		}
	}
	// At the district the case stays, however late it runs.
	now = c.Running().Due.Add(72 * time.Hour)
	e.sweep(t, e.db, 0, "past the district's deadline")
	if _, l := e.levelOf(t, c.Number); l != wangge.LevelDistrict {
		t.Errorf("level %d after the district's deadline", l)
	}
	if a := e.caseAudit(t, c.Number); fmt.Sprint(a) != "[case.create case.escalate case.escalate]" {
		t.Errorf("audit: %v", a)
	}
	// The district, which follows it now, dispatches it: its clock runs
	// on the accept step, and the old steps' escalations stand.
	c = e.step(t, "district", c, casework.Action{Name: casework.ActDispatch,
		Receiver: &casework.Receiver{Kind: casework.ToOutside, Name: "property manager"}})
	if d := c.Running(); d == nil || d.Step != casework.StepAccept || c.Escalations != 2 {
		t.Errorf("after the dispatch: running %+v, %d escalations", d, c.Escalations)
	}
	e.verifyAudit()
}

// testEscalationOnce runs the sweep from two stores on one database at
// once, again and again, as two servers behind a load balancer do: each
// overdue case goes up exactly once per deadline.
func testEscalationOnce(t *testing.T, e *env) {
	e.fixture()
	other := e.reopen(t)
	now := sweepMonday
	clock := func() time.Time { return now }
	e.db.SetClock(clock)
	other.SetClock(clock)
	const cases = 24
	for i := range cases {
		grid, who := []string{GridA1, GridA2, GridB1}[i%3], []string{"assistant_a1", "assistant_a2", "community_b"}[i%3]
		e.newCase(t, who, caseDraft(grid, casework.Emergency, "P06", fmt.Sprint("smoke ", i)))
	}
	events := func() int {
		var n int
		ok(t, e.db.Reader().QueryRowContext(e.ctx, `SELECT COUNT(*) FROM case_events WHERE action = 'escalate'`).Scan(&n))
		return n
	}
	for round, after := range []time.Duration{10 * time.Minute, 20 * time.Minute, 30 * time.Minute} {
		now = sweepMonday.Add(after)
		var mu sync.Mutex
		total := 0
		var wg sync.WaitGroup
		for g := range 6 {
			db := []*sqldb.DB{e.db, other}[g%2]
			wg.Go(func() {
				for range 5 {
					n, err := db.EscalateDue(e.ctx, 7) // small batches: the servers interleave
					if err != nil {
						t.Errorf("round %d: sweep: %v", round, err)
						return
					}
					mu.Lock()
					total += n
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		want := cases
		if round == 2 {
			want = 0 // at the district: nothing more
		}
		if total != want {
			t.Errorf("round %d: the sweeps say %d escalations, want %d", round, total, want)
		}
		if got := events(); got != cases*min(round+1, 2) {
			t.Errorf("round %d: %d escalation events, want %d", round, got, cases*min(round+1, 2))
		}
	}
	_, n, err := e.db.ListAudit(e.ctx, wangge.AuditFilter{Action: "case.escalate", Page: wangge.Page{Limit: 1}})
	ok(t, err)
	if n != 2*cases {
		t.Errorf("%d escalation audit entries, want %d", n, 2*cases)
	}
	e.verifyAudit()
}

func testCaseChanges(t *testing.T, e *env) {
	e.fixture()
	head, err := e.db.CaseChangeHead(e.ctx)
	ok(t, err)
	em := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Emergency, "P06", "smoke from a window"))
	co := e.newCase(t, "community_b", caseDraft(GridB1, casework.Coordination, "P01", "rubbish by the gate"))
	e.step(t, "community_b", co, casework.Action{Name: casework.ActDispatch,
		Receiver: &casework.Receiver{Kind: casework.ToDepartment, Line: wangge.LineCity, Name: "city management"}})
	now, err := e.db.CaseChangeHead(e.ctx)
	ok(t, err)
	if now <= head {
		t.Fatalf("the head did not move: %d → %d", head, now)
	}
	changes, err := e.db.CaseChangesAfter(e.ctx, head, 0)
	ok(t, err)
	var got []string
	var ids []int64
	for i, ch := range changes {
		got = append(got, fmt.Sprint(ch.Case.Number, " ", ch.Action, " ", ch.Kind()))
		if i > 0 && ch.Seq <= changes[i-1].Seq {
			t.Errorf("changes out of order: %d after %d", ch.Seq, changes[i-1].Seq)
		}
		if ch.Case.Reporter.Contact != "" || len(ch.Case.Events) != 0 {
			t.Errorf("a change carries the contact %q or %d events", ch.Case.Reporter.Contact, len(ch.Case.Events))
		}
		ids = append(ids, ch.ID)
	}
	want := []string{em.Number + " create emergency", co.Number + " create changed", co.Number + " dispatch changed"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("changes %v, want %v", got, want)
	}
	if rest, err := e.db.CaseChangesAfter(e.ctx, changes[1].Seq, 0); err != nil || len(rest) != 1 {
		t.Errorf("after the second change: %d changes, %v", len(rest), err)
	}
	if last, err := e.db.CaseChangesAfter(e.ctx, now, 0); err != nil || len(last) != 0 {
		t.Errorf("after the head: %d changes, %v", len(last), err)
	}
	tests := []struct {
		who  string
		sees []string
	}{
		{"community_a", []string{em.Number}},
		{"community_b", []string{co.Number, co.Number}},
		{"district", []string{em.Number, co.Number, co.Number}},
		{"dept_city", []string{co.Number, co.Number}},
		{"dept_civil", nil},
		{"head_a1", nil},
		{"auditor", nil},
	}
	for _, tc := range tests {
		seen, err := e.db.CasesSeen(e.ctx, caseActors[tc.who], ids)
		ok(t, err, tc.who)
		var numbers []string
		for _, ch := range changes {
			if seen[ch.ID] {
				numbers = append(numbers, ch.Case.Number)
			}
		}
		if fmt.Sprint(numbers) != fmt.Sprint(tc.sees) {
			t.Errorf("%s sees %v, want %v", tc.who, numbers, tc.sees)
		}
	}
}
