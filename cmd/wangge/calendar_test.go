package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/workcal"
)

// TestCalendarJSONContract: `wangge calendar --from 2020-01-01 --to
// 2027-12-31 --json` prints one object per date, in order, with exactly
// date and workday, and name only on the days a notice names, agreeing
// with every embedded notice. No database is needed yet.
func TestCalendarJSONContract(t *testing.T) {
	t.Setenv("WANGGE_DB", "")
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
	t.Setenv("WANGGE_DB", "")
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

// testYear2027 is a year file the test writes for 2027, whose notice had
// not been published when the embedded years were written: the path an
// administrator takes when it is. Its days are the test's own.
const testYear2027 = `# written by the test
year 2027
notice - 国务院办公厅关于2027年部分节假日安排的通知
holiday 2027-10-01..2027-10-07 国庆节
workday 2027-10-09 国庆节补班
`

// TestCalendarImportAndDistrictListing: `wangge calendar import FILE
// --db DSN` loads a year into the district's calendar, audited as the
// operator; `wangge calendar --db DSN --json` then prints it (raw lines),
// while the listing without a database keeps to the embedded years. A
// faulty file is refused with its line and loads nothing.
func TestCalendarImportAndDistrictListing(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	t.Setenv("WANGGE_DB", "")
	dir := t.TempDir()
	db := filepath.Join(dir, "district.db")
	capture(t, "migrate", "--db", db)

	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte(strings.Replace(testYear2027, "2027-10-09", "2027-10-08", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := runOut("calendar", "import", bad, "--db", db)
	var r *refusal
	if !errors.As(err, &r) || r.key != "cli.calendar.import_invalid" || !strings.Contains(err.Error(), "第 5 行") || !strings.Contains(err.Error(), "Line 5") {
		t.Errorf("a make-up workday on a Friday: %v, want refused on line 5", err)
	}
	if _, err := runOut("calendar", "import", "--db", db); err == nil {
		t.Error("import without a file is accepted")
	}

	good := filepath.Join(dir, "2027.txt")
	if err := os.WriteFile(good, []byte(testYear2027), 0o600); err != nil {
		t.Fatal(err)
	}
	out := capture(t, "calendar", "import", good, "--db", db)
	if !strings.Contains(out, "loaded 2027") || !strings.Contains(out, "7 days off, 1 make-up workdays") {
		t.Errorf("import said:\n%s", out)
	}

	lines := strings.Split(strings.TrimSuffix(capture(t, "calendar", "--from", "2027-09-30", "--to", "2027-10-11", "--json", "--db", db), "\n"), "\n")
	want := []string{
		`{"date":"2027-09-30","workday":true}`,
		`{"date":"2027-10-01","workday":false,"name":"国庆节"}`,
		`{"date":"2027-10-07","workday":false,"name":"国庆节"}`,
		`{"date":"2027-10-08","workday":true}`,
		`{"date":"2027-10-09","workday":true,"name":"国庆节补班"}`,
		`{"date":"2027-10-10","workday":false}`,
	}
	if len(lines) != 12 {
		t.Fatalf("%d lines for 12 dates:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	for _, w := range want {
		if !slices.Contains(lines, w) {
			t.Errorf("no line %s in\n%s", w, strings.Join(lines, "\n"))
		}
	}
	// The district's other years are still the embedded ones.
	if out := capture(t, "calendar", "--from", "2026-10-01", "--to", "2026-10-01", "--json", "--db", db); out != `{"date":"2026-10-01","workday":false,"name":"国庆节"}`+"\n" {
		t.Errorf("2026 through the district: %q", out)
	}
	// Without a database, 2027 is weekends only.
	if out := capture(t, "calendar", "--from", "2027-10-01", "--to", "2027-10-01", "--json"); out != `{"date":"2027-10-01","workday":true}`+"\n" {
		t.Errorf("2027 without a database: %q", out)
	}

	store, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	es, _, err := store.ListAudit(context.Background(), wangge.AuditFilter{Action: "calendar.", Page: wangge.Page{Limit: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Action != "calendar.load" || es[0].ObjectID != "2027" || es[0].Username != cliIdentity() || es[0].Role != wangge.RoleSystem {
		t.Errorf("audit of the import: %+v, want one calendar.load of 2027 by %s", es, cliIdentity())
	}
	if _, err := runOut("audit", "verify", "--db", db); err != nil {
		t.Errorf("audit verify after the import: %v", err)
	}
}
