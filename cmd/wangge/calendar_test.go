package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge/workcal"
)

// TestCalendarJSONContract: `wangge calendar --from 2020-01-01 --to
// 2027-12-31 --json` prints one object per date, in order, with exactly
// date and workday, and name only on the days a notice names, agreeing
// with every embedded notice. No database is needed yet.
func TestCalendarJSONContract(t *testing.T) {
	out := capture(t, "calendar", "--from", "2020-01-01", "--to", "2027-12-31", "--json")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2922 {
		t.Fatalf("%d lines, want one per date of 2020–2027 (2922)", len(lines))
	}
	byDate := map[string]map[string]any{}
	want := workcal.MakeDate(2020, time.January, 1)
	for _, l := range lines {
		dec := json.NewDecoder(strings.NewReader(l))
		var m map[string]any
		if err := dec.Decode(&m); err != nil || dec.More() {
			t.Fatalf("not one JSON object: %q (%v)", l, err)
		}
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, []string{"date", "workday"}) && !slices.Equal(keys, []string{"date", "name", "workday"}) {
			t.Fatalf("%q: keys %v", l, keys)
		}
		if _, ok := m["workday"].(bool); !ok {
			t.Fatalf("%q: workday is not a boolean", l)
		}
		if name, ok := m["name"]; ok && (name == "" || name == nil) {
			t.Fatalf("%q: an empty name", l)
		}
		if m["date"] != want.String() {
			t.Fatalf("%q: want the date %s", l, want)
		}
		want++
		byDate[m["date"].(string)] = m
	}

	// Raw lines, as a reader of the contract sees them.
	for _, raw := range []string{
		`{"date":"2026-10-01","workday":false,"name":"国庆节"}`,
		`{"date":"2026-10-10","workday":true,"name":"国庆节补班"}`,
		`{"date":"2026-12-05","workday":false}`,
		`{"date":"2026-12-07","workday":true}`,
		`{"date":"2020-02-01","workday":false,"name":"春节"}`,
	} {
		if !slices.Contains(lines, raw) {
			t.Errorf("no line %s", raw)
		}
	}

	years, err := workcal.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	named := 0
	for _, y := range years {
		for _, d := range y.Days {
			m := byDate[d.Date.String()]
			if m["workday"] != !d.Off || m["name"] != d.Name {
				t.Errorf("%s: %v, the %d notice says off=%v %q", d.Date, m, y.Year, d.Off, d.Name)
			}
			named++
		}
	}
	for _, m := range byDate {
		if _, ok := m["name"]; ok {
			named--
		}
	}
	if named != 0 {
		t.Errorf("%d more named dates printed than the notices name", -named)
	}
}

func TestCalendarRange(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, workcal.Beijing)
	cases := []struct {
		from, to         string
		wantFrom, wantTo string
		refusal          string
	}{
		{"", "", "2026-01-01", "2026-12-31", ""},
		{"2025-03-01", "", "2025-03-01", "2025-12-31", ""},
		{"", "2024-02-10", "2024-01-01", "2024-02-10", ""},
		{"2026-10-01", "2026-10-01", "2026-10-01", "2026-10-01", ""},
		{"2026-10-02", "2026-10-01", "", "", "cli.calendar.range"},
		{"2026-13-01", "", "", "", "cli.calendar.date"},
		{"", "tomorrow", "", "", "cli.calendar.date"},
		{"1990-01-01", "2026-01-01", "", "", "cli.calendar.range"},
	}
	for _, tc := range cases {
		from, to, err := calendarRange(tc.from, tc.to, now)
		var r *refusal
		if tc.refusal != "" {
			if !errors.As(err, &r) || r.key != tc.refusal {
				t.Errorf("%q %q: %v, want %s", tc.from, tc.to, err, tc.refusal)
			}
			continue
		}
		if err != nil || from.String() != tc.wantFrom || to.String() != tc.wantTo {
			t.Errorf("%q %q: %s %s %v, want %s %s", tc.from, tc.to, from, to, err, tc.wantFrom, tc.wantTo)
		}
	}
}

// TestCalendarForPeople: without --json, a line a day with the day's
// kind and name; the word about a year no notice covers goes to stderr,
// not into the listing.
func TestCalendarForPeople(t *testing.T) {
	out := capture(t, "calendar", "--from", "2026-09-30", "--to", "2026-10-10")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 11 || !strings.HasPrefix(lines[1], "2026-10-01 Thu off") || !strings.HasSuffix(lines[1], "国庆节") ||
		!strings.Contains(lines[10], "workday") || !bytes.Contains([]byte(lines[10]), []byte("国庆节补班")) {
		t.Errorf("calendar for people:\n%s", out)
	}
	if out := capture(t, "calendar", "--from", "2027-01-01", "--to", "2027-01-03", "--json"); strings.Count(out, "\n") != 3 || strings.Contains(out, "notice") {
		t.Errorf("an uncovered year's listing:\n%s", out)
	}
	if _, err := runOut("calendar", "--from", "2026-10-01", "2026-10-07"); err == nil {
		t.Error("a stray argument is accepted")
	}
}
