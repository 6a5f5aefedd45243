package casework

import (
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
)

func TestBoardColumnOfEveryOpenCase(t *testing.T) {
	now := time.Date(2026, 5, 13, 2, 0, 0, 0, time.UTC)
	q := BoardQuery{Now: now, Soon: now.Add(8 * time.Hour)}
	running := func(due time.Time) []Deadline { return []Deadline{{Step: StepHandle, Due: due}} }
	tests := []struct {
		name string
		c    Case
		want BoardColumn
	}{
		{"an emergency, even one on time", Case{Mechanism: Emergency, State: Acknowledged, Deadlines: running(now.Add(time.Hour))}, ColEmergency},
		{"an emergency with its time run out", Case{Mechanism: Emergency, State: Reported, Deadlines: running(now.Add(-time.Hour))}, ColEmergency},
		{"overdue", Case{Mechanism: Coordination, State: Accepted, Deadlines: running(now.Add(-time.Minute))}, ColOverdue},
		{"due at this moment is not overdue yet", Case{Mechanism: Coordination, State: Accepted, Deadlines: running(now)}, ColDueSoon},
		{"due soon", Case{Mechanism: Coordination, State: InProgress, Deadlines: running(now.Add(7 * time.Hour))}, ColDueSoon},
		{"on time", Case{Mechanism: Coordination, State: InProgress, Deadlines: running(now.Add(8 * time.Hour))}, ColOnTime},
		{"a met deadline runs no clock", Case{Mechanism: Approval, State: Collecting, Deadlines: []Deadline{{Due: now.Add(-time.Hour), Met: now}}}, ColWaiting},
		{"no deadline: waiting on the reporter", Case{Mechanism: Approval, State: Collecting}, ColWaiting},
		{"closed: no column", Case{Mechanism: General, State: Closed}, ""},
		{"merged: no column", Case{Mechanism: Emergency, State: Merged}, ""},
	}
	for _, tc := range tests {
		if got := q.ColumnOf(&tc.c); got != tc.want {
			t.Errorf("%s: column %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestSearchWordsBounded(t *testing.T) {
	tests := []struct {
		q     string
		words int
		err   string
	}{
		{"", 0, ""},
		{"  lamp   broken ", 2, ""},
		{"a b c d e", 5, ""},
		{"a b c d e f", 0, "error.case.search_words"},
		{strings.Repeat("x", SearchMax+1), 0, "error.case.search_long"},
	}
	for _, tc := range tests {
		words, err := SearchWords(tc.q)
		if tc.err != "" {
			var we *wangge.Error
			if e, ok := err.(*wangge.Error); ok {
				we = e
			}
			if we == nil || we.Key != tc.err {
				t.Errorf("%q: %v, want %s", tc.q, err, tc.err)
			}
			continue
		}
		if err != nil || len(words) != tc.words {
			t.Errorf("%q: %q, %v; want %d words", tc.q, words, err, tc.words)
		}
	}
}
