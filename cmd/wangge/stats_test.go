package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

// statsRaw runs `wangge stats --db db --json` and decodes its output into
// a map, numbers kept as written, so a renamed key or a non-integer count
// fails the contract test rather than vanishing into a struct.
func statsRaw(t *testing.T, db string) map[string]any {
	t.Helper()
	out := capture(t, "stats", "--db", db, "--json")
	dec := json.NewDecoder(strings.NewReader(out))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("stats --json: %v\n%s", err, out)
	}
	if dec.More() {
		t.Errorf("stats --json printed more than one object:\n%s", out)
	}
	return m
}

// statsKeys are the counts DESIGN.md promises, each an integer.
var statsKeys = []string{"subdistricts", "communities", "grids", "buildings", "households", "persons", "units", "assistants"}

// count is m[key] as an integer; it fails the test when it is missing or
// not an integer literal.
func count(t *testing.T, m map[string]any, key string) int64 {
	t.Helper()
	n, ok := m[key].(json.Number)
	if !ok {
		t.Fatalf("%q is %#v, want an integer", key, m[key])
	}
	v, err := n.Int64()
	if err != nil || strings.ContainsAny(n.String(), ".eE") {
		t.Fatalf("%q is %s, want an integer", key, n)
	}
	return v
}

// TestStatsJSONContract: `wangge stats --json`, run through the CLI on an
// empty database and on the demo district, has the contract's integer
// counts, and "cases" as an object of counts by state (empty until cases
// exist).
func TestStatsJSONContract(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	empty := filepath.Join(t.TempDir(), "empty.db")
	capture(t, "migrate", "--db", empty)
	m := statsRaw(t, empty)
	for _, k := range statsKeys {
		if n := count(t, m, k); n != 0 {
			t.Errorf("empty database: %s = %d", k, n)
		}
	}
	cases, ok := m["cases"].(map[string]any)
	if !ok || len(cases) != 0 {
		t.Errorf("empty database: cases = %#v, want {}", m["cases"])
	}

	db := filepath.Join(t.TempDir(), "demo.db")
	capture(t, "demo", "--db", db, "--scale", "0.02", "--admin-password", "Demo-Test-2026")
	m = statsRaw(t, db)
	n := map[string]int64{}
	for _, k := range statsKeys {
		n[k] = count(t, m, k)
	}
	if n["subdistricts"] < 1 || n["communities"] < n["subdistricts"] || n["grids"] < n["communities"] ||
		n["buildings"] < n["grids"] || n["households"] < n["buildings"] || n["persons"] < n["households"] || n["units"] < 1 {
		t.Errorf("demo counts do not nest: %v", n)
	}
	if n["assistants"] != n["grids"] {
		t.Errorf("demo: %d assistants for %d grids, want one each", n["assistants"], n["grids"])
	}
	for state, v := range m["cases"].(map[string]any) {
		count(t, map[string]any{state: v}, state)
	}

	// Every key the command prints, so a rename or removal shows here
	// (adding one means adding it here, on purpose).
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"assistants", "buildings", "cases", "communities", "grids", "households", "key_group_members",
		"persons", "services", "subdistricts", "units", "users", "visits"}
	if !slices.Equal(keys, want) {
		t.Errorf("stats --json keys:\n got %v\nwant %v", keys, want)
	}

	// Without --json: one line per count, for people.
	if out := capture(t, "stats", "--db", db); !bytes.Contains([]byte(out), []byte("households")) {
		t.Errorf("stats without --json:\n%s", out)
	}
}

// TestStatsCountsCasesByState: the cases the store holds show in
// `wangge stats --json` as counts by state.
func TestStatsCountsCasesByState(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	path := filepath.Join(t.TempDir(), "cases.db")
	capture(t, "migrate", "--db", path)
	ctx := context.Background()
	db, err := openStore(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"140499", "140499001", "140499001001", "140499001001001"} {
		if err := db.CreateArea(ctx, &wangge.Area{Code: code, Name: "area " + code}); err != nil {
			t.Fatal(err)
		}
	}
	system := casework.Actor{Role: wangge.RoleSystem}
	for i, m := range []casework.Mechanism{casework.Coordination, casework.Coordination, casework.Emergency} {
		d := casework.Draft{Source: casework.SourceOpen311, Category: casework.ProblemTypes[0], Mechanism: m,
			Location: casework.Location{GridCode: "140499001001001"}, Description: fmt.Sprint("report ", i)}
		if _, err := db.CreateCase(ctx, system, d, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for state, v := range statsRaw(t, path)["cases"].(map[string]any) {
		got[state] = count(t, map[string]any{state: v}, state)
	}
	if fmt.Sprint(got) != fmt.Sprint(map[string]int64{"accepted": 2, "reported": 1}) {
		t.Errorf("cases by state: %v, want 2 accepted and 1 reported", got)
	}
}
