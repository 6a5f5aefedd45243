package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// The load test, bounded (20 clients for 5 s): it asserts the invariants
// the run checks — nothing lost or duplicated, every retry answered with
// the first case, every reuse of a key with another body and every stale
// version refused, every transition in its timeline and one audit entry
// each, the chain verifying — never a time.

// benchCasesJSON runs `wangge bench cases … --json` and reads its report.
func benchCasesJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	out, err := runOut(append([]string{"bench", "cases", "--clients", "20", "--duration", "5s", "--json"}, args...)...)
	var rep map[string]any
	if jerr := json.Unmarshal([]byte(out), &rep); jerr != nil {
		t.Fatalf("bench cases: %v, %v\n%s", err, jerr, out)
	}
	if err != nil {
		t.Errorf("bench cases exited with %v; problems: %v", err, rep["problems"])
	}
	return rep
}

func checkCaseLoadReport(t *testing.T, rep map[string]any, dialect string) {
	t.Helper()
	if rep["database"] != dialect || rep["ok"] != true || rep["clients"] != 20.0 {
		t.Errorf("database %v, ok %v, clients %v; problems %v", rep["database"], rep["ok"], rep["clients"], rep["problems"])
	}
	c, _ := rep["checks"].(map[string]any)
	num := func(k string) float64 { v, _ := c[k].(float64); return v }
	for _, k := range []string{"created", "transitions", "closed", "retries", "audit_checked"} {
		if num(k) <= 0 {
			t.Errorf("checks.%s = %v: the run did too little to check anything", k, c[k])
		}
	}
	for _, k := range []string{"lost", "duplicated", "missing_events", "extra_events", "unexpected", "uncertain"} {
		if num(k) != 0 {
			t.Errorf("checks.%s = %v, want 0", k, c[k])
		}
	}
	for _, pair := range [][2]string{{"cases_in_store", "created"}, {"retries_same", "retries"}, {"conflicts_refused", "conflicts"}, {"stale_refused", "stale"}} {
		if num(pair[0]) != num(pair[1]) {
			t.Errorf("checks.%s = %v, checks.%s = %v", pair[0], c[pair[0]], pair[1], c[pair[1]])
		}
	}
	if num("audit_case_entries") != num("created")+num("transitions") || c["audit_intact"] != true {
		t.Errorf("audit: %v entries about cases for %v creates and %v transitions, intact %v", c["audit_case_entries"], c["created"], c["transitions"], c["audit_intact"])
	}
	ops := map[string]float64{}
	for _, o := range rep["operations"].([]any) {
		om := o.(map[string]any)
		ops[om["op"].(string)] = om["count"].(float64)
		if _, ok := om["p50_x_trivial"].(float64); !ok {
			t.Errorf("%v has no ratio to the trivial handler", om["op"])
		}
	}
	for _, op := range []string{"create", "dispatch", "accept", "handle", "verify", "feedback", "close"} {
		if ops[op] == 0 {
			t.Errorf("no %s was measured: %v", op, ops)
		}
	}
	if tr, _ := rep["trivial"].(map[string]any); tr["count"] == 0.0 {
		t.Error("the trivial handler was not measured")
	}
}

// TestBenchCasesOnSQLite runs the load test on a fresh SQLite file.
func TestBenchCasesOnSQLite(t *testing.T) {
	checkCaseLoadReport(t, benchCasesJSON(t), "sqlite")
}

// TestBenchCasesRefusesAnExistingStore: the load test writes only to a
// fresh store.
func TestBenchCasesRefusesAnExistingStore(t *testing.T) {
	p := filepath.Join(t.TempDir(), "w.db")
	if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := runOut("bench", "cases", "--db", p, "--clients", "4", "--duration", "1s"); err == nil {
		t.Error("bench cases ran on an existing database file")
	}
}

// TestBenchCasesOnPostgres runs it on a throwaway database of the suite's
// PostgreSQL (WANGGE_TEST_POSTGRES; skips without a server unless
// WANGGE_REQUIRE_POSTGRES=1).
func TestBenchCasesOnPostgres(t *testing.T) {
	dsn, _, admin := testPostgres(t)
	rep := benchCasesJSON(t, "--db", dsn)
	checkCaseLoadReport(t, rep, "postgres")
	var left int
	if err := admin.QueryRow(`SELECT COUNT(*) FROM pg_database WHERE datname LIKE 'wangge_bench_%'`).Scan(&left); err != nil || left != 0 {
		t.Errorf("throwaway databases left behind: %d (%v)", left, err)
	}
}
