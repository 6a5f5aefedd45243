package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

var caseBoardTests = []test{
	{"CaseBoardColumnsOrderAndCounts", testCaseBoardColumns},
	{"CaseBoardSearchEscapedAndScoped", testCaseBoardSearch},
	{"CaseBoardAttentionByCommunity", testCaseBoardAttention},
}

// boardCases are the cases of the board tests, by name, made on a clock
// that the tests then leave at boardNow.
type boardCases map[string]*casework.Case

// boardNow is Wednesday 2026-05-13 10:05 in Beijing; boardSoon is
// Thursday 20:05, after the next day's close, when a working day's limit
// started on Wednesday runs out.
var (
	boardNow  = time.Date(2026, 5, 13, 2, 5, 0, 0, time.UTC)
	boardSoon = boardNow.Add(34 * time.Hour)
)

// boardFixture makes one case per column and a closed one:
//
//	old      coordination, community A, made Monday: its dispatch was due Tuesday (overdue)
//	far      coordination, community B, made a minute later (overdue; due at the
//	         same close as old, so the newer first)
//	em       emergency, made Wednesday 10:00 (the emergencies' column)
//	soon     coordination, made Wednesday 10:00: dispatch due at Thursday's close (due soon)
//	ontime   coordination, dispatched and accepted: five working days to handle (on time)
//	waiting  an application collecting its materials: no clock runs (waiting)
//	closed   a general case fed back and closed (no column)
func (e *env) boardFixture(t *testing.T) boardCases {
	e.fixture()
	now := time.Date(2026, 5, 11, 2, 0, 0, 0, time.UTC) // Monday 10:00 in Beijing
	e.db.SetClock(func() time.Time { return now })
	cs := boardCases{}
	cs["old"] = e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "rubbish by the north gate"))
	now = now.Add(time.Minute)
	cs["far"] = e.newCase(t, "community_b", caseDraft(GridB1, casework.Coordination, "P02", "a loose railing 100% broken <urgent>"))
	now = time.Date(2026, 5, 13, 2, 0, 0, 0, time.UTC)
	cs["em"] = e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Emergency, "P06", "smoke from a window"))
	cs["soon"] = e.newCase(t, "assistant_a2", caseDraft(GridA2, casework.Coordination, "P01", "a broken street lamp"))
	on := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P12", "an old man alone needs help"))
	on = e.step(t, "community_a", on, casework.Action{Name: casework.ActDispatch,
		Receiver: &casework.Receiver{Kind: casework.ToDepartment, Line: wangge.LineCivil, Name: "civil affairs"}})
	cs["ontime"] = e.step(t, "dept_civil", on, casework.Action{Name: casework.ActAccept})
	cs["waiting"] = e.newCase(t, "community_a", caseDraft(GridA1, casework.Approval, "P12", "an allowance to apply for"))
	closed := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.General, "P14", "a bulb changed"))
	closed = e.step(t, "assistant_a1", closed, casework.Action{Name: casework.ActFeedback, Channel: casework.ChannelPhone, Note: "fixed"})
	cs["closed"] = e.step(t, "assistant_a1", closed, casework.Action{Name: casework.ActClose})
	now = boardNow
	return cs
}

// names returns the fixture names of the cases, in their order.
func (cs boardCases) names(got []casework.Case) []string {
	var out []string
	for _, c := range got {
		for n, x := range cs {
			if x.Number == c.Number {
				out = append(out, n)
			}
		}
	}
	return out
}

func boardQuery(f casework.Filter) casework.BoardQuery {
	return casework.BoardQuery{Filter: f, Now: boardNow, Soon: boardSoon}
}

func testCaseBoardColumns(t *testing.T, e *env) {
	cs := e.boardFixture(t)
	district := caseActors["district"]
	tests := []struct {
		name string
		q    casework.BoardQuery
		want []string
	}{
		{"the board: emergencies, overdue, due soon, the rest, no clock", boardQuery(casework.Filter{Board: true, Open: true}),
			[]string{"em", "far", "old", "soon", "ontime", "waiting"}},
		{"emergencies", casework.BoardQuery{Filter: casework.Filter{Board: true}, Column: casework.ColEmergency, Now: boardNow, Soon: boardSoon}, []string{"em"}},
		{"overdue", casework.BoardQuery{Filter: casework.Filter{Board: true}, Column: casework.ColOverdue, Now: boardNow, Soon: boardSoon}, []string{"far", "old"}},
		{"due soon", casework.BoardQuery{Column: casework.ColDueSoon, Now: boardNow, Soon: boardSoon}, []string{"soon"}},
		{"on time", casework.BoardQuery{Column: casework.ColOnTime, Now: boardNow, Soon: boardSoon}, []string{"ontime"}},
		{"waiting on the reporter", casework.BoardQuery{Column: casework.ColWaiting, Now: boardNow, Soon: boardSoon}, []string{"waiting"}},
		{"a column within a community", casework.BoardQuery{Filter: casework.Filter{Area: CommunityB}, Column: casework.ColOverdue, Now: boardNow, Soon: boardSoon}, []string{"far"}},
		{"a state", boardQuery(casework.Filter{State: casework.InProgress}), []string{"ontime"}},
		{"a page of the board", boardQuery(casework.Filter{Board: true, Open: true, Page: wangge.Page{Offset: 1, Limit: 2}}), []string{"far", "old"}},
	}
	for _, tc := range tests {
		got, total, err := e.db.BoardCases(e.ctx, district, tc.q)
		ok(t, err, tc.name)
		if names := cs.names(got); fmt.Sprint(names) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, names, tc.want)
		}
		if tc.q.Page.Limit == 0 && total != len(tc.want) {
			t.Errorf("%s: total %d, want %d", tc.name, total, len(tc.want))
		}
	}
	_, total, err := e.db.BoardCases(e.ctx, district, boardQuery(casework.Filter{Board: true, Open: true, Page: wangge.Page{Offset: 1, Limit: 2}}))
	ok(t, err)
	if total != 6 {
		t.Errorf("a page's total %d, want every open case's 6", total)
	}
	past, total, err := e.db.BoardCases(e.ctx, district, boardQuery(casework.Filter{Board: true, Open: true, Page: wangge.Page{Offset: 10, Limit: 2}}))
	ok(t, err)
	if len(past) != 0 || total != 6 {
		t.Errorf("a page past the end: %d rows, total %d; want none of 6", len(past), total)
	}
	_, _, err = e.db.BoardCases(e.ctx, district, casework.BoardQuery{Column: "late", Now: boardNow})
	wantCode(t, err, wangge.EInvalid, "an unknown column")

	// The counts leave out the query's own column and state, and agree
	// with the rule the pages show (ColumnOf).
	q := boardQuery(casework.Filter{})
	q.Column, q.State = casework.ColOverdue, casework.Accepted
	counts, err := e.db.BoardCounts(e.ctx, district, q)
	ok(t, err)
	all, _, err := e.db.BoardCases(e.ctx, district, boardQuery(casework.Filter{}))
	ok(t, err)
	wantCols, wantStates := map[casework.BoardColumn]int{}, map[casework.State]int{}
	for i := range all {
		if col := q.ColumnOf(&all[i]); col != "" {
			wantCols[col]++
		}
		wantStates[all[i].State]++
	}
	if fmt.Sprint(counts.Columns) != fmt.Sprint(wantCols) || fmt.Sprint(counts.States) != fmt.Sprint(wantStates) {
		t.Errorf("counts %v %v, want %v %v", counts.Columns, counts.States, wantCols, wantStates)
	}
	want := map[casework.BoardColumn]int{casework.ColEmergency: 1, casework.ColOverdue: 2, casework.ColDueSoon: 1, casework.ColOnTime: 1, casework.ColWaiting: 1}
	if fmt.Sprint(counts.Columns) != fmt.Sprint(want) || counts.States[casework.Closed] != 1 || counts.States[casework.Accepted] != 3 {
		t.Errorf("counts %v %v, want columns %v, 1 closed and 3 accepted", counts.Columns, counts.States, want)
	}
	// Within sight only: community A's staff count none of B's.
	counts, err = e.db.BoardCounts(e.ctx, caseActors["community_a"], boardQuery(casework.Filter{}))
	ok(t, err)
	if counts.Columns[casework.ColOverdue] != 1 || counts.States[casework.Accepted] != 2 {
		t.Errorf("community A's counts %v %v, want its own overdue case and 2 accepted", counts.Columns, counts.States)
	}
	// The department counts what it sees: the case dispatched to it.
	counts, err = e.db.BoardCounts(e.ctx, caseActors["dept_civil"], boardQuery(casework.Filter{Receiver: wangge.LineCivil}))
	ok(t, err)
	if fmt.Sprint(counts.Columns) != fmt.Sprint(map[casework.BoardColumn]int{casework.ColOnTime: 1}) {
		t.Errorf("civil affairs' inbox counts %v, want the one on time", counts.Columns)
	}
}

func testCaseBoardSearch(t *testing.T, e *env) {
	cs := e.boardFixture(t)
	tests := []struct {
		who  string
		q    string
		want []string
	}{
		{"district", "lamp", []string{"soon"}},
		{"district", "rubbish  gate", []string{"old"}},
		{"district", "north lamp", nil},
		// The category's name: P06 is Fire; P01's (Environmental
		// sanitation) matches both of its cases.
		{"district", "Fire", []string{"em"}},
		{"district", "LAMP", []string{"soon"}}, // the case of letters aside, in both databases
		{"district", "sanitation", []string{"soon", "old"}},
		// Wildcards are what they are: a percent sign finds the one
		// description that has one; an underscore finds none.
		{"district", "100%", []string{"far"}},
		// What JSON escapes in the document (<, >) is found all the same.
		{"district", "<urgent>", []string{"far"}},
		{"district", "urgent> broken", []string{"far"}},
		{"district", "%", []string{"far"}},
		{"district", "_", nil},
		// Scoped: community B does not find community A's rubbish.
		{"community_b", "rubbish", nil},
		{"community_b", "railing", []string{"far"}},
		{"head_a1", "lamp", nil},
	}
	for _, tc := range tests {
		words, err := casework.SearchWords(tc.q)
		ok(t, err, tc.q)
		got, total, err := e.db.BoardCases(e.ctx, caseActors[tc.who], casework.BoardQuery{Words: words, Now: boardNow, Soon: boardSoon})
		ok(t, err, tc.who, " searches ", tc.q)
		if names := cs.names(got); fmt.Sprint(names) != fmt.Sprint(tc.want) || total != len(tc.want) {
			t.Errorf("%s searches %q: %v (total %d), want %v", tc.who, tc.q, names, total, tc.want)
		}
	}
	_, _, err := e.db.BoardCases(e.ctx, caseActors["district"], casework.BoardQuery{Words: []string{"a", "b", "c", "d", "e", "f"}})
	wantCode(t, err, wangge.EInvalid, "six words")
}

func testCaseBoardAttention(t *testing.T, e *env) {
	cs := e.boardFixture(t)
	e.step(t, "district", cs["soon"], casework.Action{Name: casework.ActSupervise, Note: "fix it this week"})
	q := casework.BoardQuery{Filter: casework.Filter{Board: true}, Attention: true, Now: boardNow, Soon: boardSoon}
	got, _, err := e.db.BoardCases(e.ctx, caseActors["district"], q)
	ok(t, err)
	if names := cs.names(got); !slices.Equal(names, []string{"far", "old", "soon"}) {
		t.Errorf("overdue and supervised: %v, want old, far and the supervised soon", names)
	}
	for _, tc := range []struct {
		who  string
		want map[string]int
	}{
		{"district", map[string]int{CommunityA: 2, CommunityB: 1}},
		{"community_a", map[string]int{CommunityA: 2}},
		{"assistant_a2", map[string]int{CommunityA: 1}}, // his grid's: the lamp
	} {
		n, err := e.db.CaseCountsByCommunity(e.ctx, caseActors[tc.who], q)
		ok(t, err, tc.who)
		if fmt.Sprint(n) != fmt.Sprint(tc.want) {
			t.Errorf("%s: by community %v, want %v", tc.who, n, tc.want)
		}
	}
}
