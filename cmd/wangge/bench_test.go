package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchGroupListRunsOnTheDemo: the benchmark times the key-group list
// pages of the busiest grid against a raw read and gives a verdict; it
// refuses a database that is not the demo district.
func TestBenchGroupListRunsOnTheDemo(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	db := filepath.Join(t.TempDir(), "w.db")
	capture(t, "demo", "--db", db, "--scale", "0.05", "--admin-password", "Demo-Test-2026")
	out := capture(t, "bench", "grouplist", "--db", db, "--requests", "50")
	for _, want := range []string{"key-group list page  p50", "anchor: raw read", "ratio page/raw", "target p99 ≤ 20 ms: PASS"} {
		if !strings.Contains(out, want) {
			t.Errorf("bench printed no %q:\n%s", want, out)
		}
	}
	empty := filepath.Join(t.TempDir(), "e.db")
	if _, err := runOut("bench", "grouplist", "--db", empty); err == nil {
		t.Error("bench ran on a database without the demo district")
	}
}
