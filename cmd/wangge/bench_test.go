package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchGroupListRunsOnTheDemo: the benchmark times the key-group list
// pages of the busiest grid against a raw read and gives a verdict, which
// its exit status follows; it refuses a database that is not the demo
// district. Which verdict depends on the machine and its load, so the test
// pins only that one is given and kept to.
func TestBenchGroupListRunsOnTheDemo(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	db := filepath.Join(t.TempDir(), "w.db")
	capture(t, "demo", "--db", db, "--scale", "0.05", "--admin-password", "Demo-Test-2026")
	out, err := runOut("bench", "grouplist", "--db", db, "--requests", "50")
	for _, want := range []string{"key-group list page  p50", "anchor: raw read", "ratio page/raw", "target p99 ≤ 20 ms: "} {
		if !strings.Contains(out, want) {
			t.Errorf("bench printed no %q:\n%s", want, out)
		}
	}
	var exit exitError
	switch {
	case strings.Contains(out, "target p99 ≤ 20 ms: PASS"):
		if err != nil {
			t.Errorf("verdict PASS, but the bench failed: %v", err)
		}
	case strings.Contains(out, "target p99 ≤ 20 ms: FAIL"):
		if !errors.As(err, &exit) || exit != 1 {
			t.Errorf("verdict FAIL, but the exit is %v, want status 1", err)
		}
	default:
		t.Errorf("no verdict (err %v):\n%s", err, out)
	}
	empty := filepath.Join(t.TempDir(), "e.db")
	if _, err := runOut("bench", "grouplist", "--db", empty); err == nil {
		t.Error("bench ran on a database without the demo district")
	}
}

// TestBenchReportsRunsOnTheDemo: the report benchmark asks every report
// page of the district, each against the raw scan measured in the same
// run, and its exit status follows its verdict, whichever the machine gives.
func TestBenchReportsRunsOnTheDemo(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	db := filepath.Join(t.TempDir(), "w.db")
	capture(t, "demo", "--db", db, "--scale", "0.02", "--admin-password", "Demo-Test-2026")
	out, err := runOut("bench", "reports", "--db", db, "--rounds", "1")
	for _, want := range []string{"completeness  median", "civil ", "labor ", "health ", "order ", "city ", "party ", "× the scan", "anchor: raw scan of persons", "target every page ≤ 1 s: "} {
		if !strings.Contains(out, want) {
			t.Errorf("bench printed no %q:\n%s", want, out)
		}
	}
	var exit exitError
	switch {
	case strings.Contains(out, "target every page ≤ 1 s: PASS"):
		if err != nil {
			t.Errorf("verdict PASS, but the bench failed: %v", err)
		}
	case strings.Contains(out, "target every page ≤ 1 s: FAIL"):
		if !errors.As(err, &exit) || exit != 1 {
			t.Errorf("verdict FAIL, but the exit is %v, want status 1", err)
		}
	default:
		t.Errorf("no verdict (err %v):\n%s", err, out)
	}
}
