package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestUserAddRefusesAScopeOfAnotherLevel: `wangge user add` makes an
// account only with a scope of its role's level — an assistant a grid —
// and says which (issue 11: an "assistant" over the district read every
// resident).
func TestUserAddRefusesAScopeOfAnotherLevel(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	db := filepath.Join(t.TempDir(), "w.db")
	capture(t, "migrate", "--db", db)
	out, err := runOut("user", "add", "--db", db, "--username", "xie.li", "--role", "assistant", "--scope", "140499", "--password", "Kx7m-Pq2d-W9rt")
	if err == nil || !strings.Contains(err.Error(), "scope") {
		t.Fatalf("an assistant over the district: %v\n%s", err, out)
	}
	if list := capture(t, "user", "list", "--db", db); strings.Contains(list, "xie.li") {
		t.Fatalf("the refused account exists:\n%s", list)
	}
	capture(t, "user", "add", "--db", db, "--username", "xie.li", "--role", "assistant", "--scope", "140499001001001", "--password", "Kx7m-Pq2d-W9rt")
	if list := capture(t, "user", "list", "--db", db); !strings.Contains(list, "xie.li") {
		t.Fatalf("the assistant over a grid is not listed:\n%s", list)
	}
}
