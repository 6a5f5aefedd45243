package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqlite"
)

// capture runs the command line and returns what it printed.
func capture(t *testing.T, args ...string) string {
	t.Helper()
	out, err := runOut(args...)
	if err != nil {
		t.Fatalf("wangge %v: %v\n%s", args, err, out)
	}
	return out
}

// TestDemoDistrictIsCompleteAndValid generates the full demo district (a
// tenth of it under -short), checks the counts the contract promises, that
// every person's ID number is valid, and that nothing is orphaned at any
// level: person → household → building → grid → community → sub-district.
func TestDemoDistrictIsCompleteAndValid(t *testing.T) {
	scale, minP, maxP := "1", 300000, 360000
	if testing.Short() {
		scale, minP, maxP = "0.1", 25000, 40000
	}
	dbPath := filepath.Join(t.TempDir(), "demo.db")
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	start := time.Now()
	out := capture(t, "demo", "--db", dbPath, "--scale", scale, "--seed", "7", "--admin-password", "Demo-Test-2026")
	t.Logf("demo at scale %s took %.1fs", scale, time.Since(start).Seconds())
	if !bytes.Contains([]byte(out), []byte("admin")) || !bytes.Contains([]byte(out), []byte("Demo-Test-2026")) {
		t.Errorf("demo did not print how to log in:\n%s", out)
	}

	var st wangge.Stats
	if err := json.Unmarshal([]byte(capture(t, "stats", "--db", dbPath, "--json")), &st); err != nil {
		t.Fatal(err)
	}
	if scale == "1" {
		if st.Communities != 50 || st.Grids < 380 || st.Grids > 420 || st.Households < 110000 || st.Households > 130000 {
			t.Errorf("stats out of range: %+v", st)
		}
	}
	if st.Persons < minP || st.Persons > maxP || st.Assistants != st.Grids || st.Subdistricts < 1 {
		t.Errorf("stats out of range: %+v", st)
	}

	// A year of cases: 2–4 a grid a week, most closed, some still open.
	total := 0
	for _, n := range st.Cases {
		total += n
	}
	if perWeek := float64(total) / float64(st.Grids) / 52.14; perWeek < 2 || perWeek > 4 {
		t.Errorf("%d cases in %d grids: %.2f a grid a week, want 2–4", total, st.Grids, perWeek)
	}
	if open := total - st.Cases["closed"] - st.Cases["merged"]; st.Cases["closed"] < total*3/4 || open == 0 {
		t.Errorf("cases by state %v: want most closed and some open", st.Cases)
	}

	// The demo refuses a database that holds data unless told.
	if err := run(context.Background(), []string{"demo", "--db", dbPath, "--scale", "0.02"}); err == nil {
		t.Error("demo ran again on a non-empty database")
	}

	ctx := context.Background()
	db, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	key, err := secret.LoadKeyFile(dbPath + ".key")
	if err != nil {
		t.Fatal(err)
	}
	box, _ := secret.New(key)

	for _, c := range []struct{ what, q string }{
		{"persons without a household", `SELECT COUNT(*) FROM persons p LEFT JOIN households h ON h.id = p.household_id WHERE h.id IS NULL OR h.grid_code <> p.grid_code`},
		{"households without a building", `SELECT COUNT(*) FROM households h LEFT JOIN buildings b ON b.id = h.building_id WHERE b.id IS NULL OR b.grid_code <> h.grid_code`},
		{"buildings outside every grid", `SELECT COUNT(*) FROM buildings b LEFT JOIN areas g ON g.code = b.grid_code AND g.level = 4 WHERE g.code IS NULL`},
		{"areas without their parent", `SELECT COUNT(*) FROM areas a LEFT JOIN areas p ON p.code = a.parent_code WHERE a.level > 1 AND (p.code IS NULL OR p.level <> a.level - 1)`},
		{"grids without buildings", `SELECT COUNT(*) FROM areas g WHERE g.level = 4 AND NOT EXISTS (SELECT 1 FROM buildings b WHERE b.grid_code = g.code)`},
		{"buildings without households", `SELECT COUNT(*) FROM buildings b WHERE NOT EXISTS (SELECT 1 FROM households h WHERE h.building_id = b.id)`},
		{"households without persons", `SELECT COUNT(*) FROM households h WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.household_id = h.id)`},
		{"households without exactly one head", `SELECT COUNT(*) FROM households h WHERE (SELECT COUNT(*) FROM persons p WHERE p.household_id = h.id AND p.relation = 'head') <> 1`},
		{"grids without one current assistant", `SELECT COUNT(*) FROM areas g WHERE g.level = 4 AND (SELECT COUNT(*) FROM assignments s WHERE s.grid_code = g.code AND s.to_at IS NULL) <> 1`},
		{"memberships in another grid than their person", `SELECT COUNT(*) FROM memberships m JOIN persons p ON p.id = m.person_id WHERE m.grid_code <> p.grid_code`},
		{"units outside every grid", `SELECT COUNT(*) FROM units u LEFT JOIN areas g ON g.code = u.grid_code AND g.level = 4 WHERE g.code IS NULL`},
		{"cases without their first event", `SELECT COUNT(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.seq = 1 AND e.action = 'create')`},
		{"cases whose version is not their events'", `SELECT COUNT(*) FROM cases c WHERE c.version <> (SELECT COUNT(*) FROM case_events e WHERE e.case_id = c.id)`},
		{"years whose case counter is not their last number", `SELECT COUNT(*) FROM case_numbers n WHERE n.last <> (SELECT COUNT(*) FROM cases c WHERE c.district_code = n.district_code AND c.number LIKE n.year || '-%')
			OR n.last <> (SELECT MAX(CAST(SUBSTR(c.number, 6) AS INTEGER)) FROM cases c WHERE c.district_code = n.district_code AND c.number LIKE n.year || '-%')`},
		{"areas without a current boundary", `SELECT COUNT(*) FROM areas a WHERE NOT EXISTS (SELECT 1 FROM boundaries b WHERE b.area_code = a.code AND b.valid_to IS NULL)`},
	} {
		var n int
		if err := db.Reader().QueryRowContext(ctx, c.q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if n != 0 {
			t.Errorf("%d %s", n, c.what)
		}
	}

	// Every person's ID number, decrypted, is valid and agrees with the
	// derived birth date and sex stored beside it.
	rows, err := db.Reader().QueryContext(ctx, `SELECT id_enc, birth_date, sex FROM persons`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	now := time.Now()
	seen := map[string]bool{}
	checked := 0
	for rows.Next() {
		var enc []byte
		var birth string
		var sex int
		if err := rows.Scan(&enc, &birth, &sex); err != nil {
			t.Fatal(err)
		}
		plain, err := box.Open("persons.id_number", enc)
		if err != nil {
			t.Fatal(err)
		}
		id, err := ident.ParseIDAt(plain, now)
		if err != nil {
			t.Fatalf("invalid ID number in the demo: %v", err)
		}
		if seen[plain] {
			t.Fatalf("duplicate ID number %s", ident.MaskID(plain))
		}
		seen[plain] = true
		if id.BirthDate().Format(time.DateOnly) != birth[:10] || int(id.Sex()) != sex {
			t.Fatalf("derived fields disagree with %s: %s %d", ident.MaskID(plain), birth, sex)
		}
		checked++
	}
	if checked != st.Persons {
		t.Fatalf("checked %d ID numbers of %d persons", checked, st.Persons)
	}
	t.Logf("checked %d ID numbers", checked)
}

// accountsOf reads the login list the demo prints: username → password.
func accountsOf(out string) map[string]string {
	m := map[string]string{}
	in := false
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "登录账号 Accounts") {
			in = true
			continue
		}
		if f := strings.Fields(l); in && strings.HasPrefix(l, "  ") && len(f) >= 3 {
			m[f[0]] = f[1]
		}
	}
	return m
}

// TestDemoAgainPrintsEveryLogin: `wangge demo --if-empty` on a database the
// demo filled before (as `make run` after a restart) prints how to log in
// as every demo role again, with the same passwords; an account whose
// password was changed since is left out, and a database the demo did not
// fill prints no logins.
func TestDemoAgainPrintsEveryLogin(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	dbPath := filepath.Join(t.TempDir(), "demo.db")
	first := accountsOf(capture(t, "demo", "--db", dbPath, "--scale", "0.02", "--seed", "5", "--admin-password", "Demo-Test-2026"))
	if len(first) != len(wangge.Roles) {
		t.Fatalf("the demo printed %d logins, want one per role (%d): %v", len(first), len(wangge.Roles), first)
	}
	again := capture(t, "demo", "--db", dbPath, "--seed", "5", "--if-empty", "--admin-password", "Demo-Test-2026")
	if got := accountsOf(again); !maps.Equal(got, first) {
		t.Errorf("the second run printed %v, want %v\n%s", got, first, again)
	}
	// Without the admin password (as run by hand), the others still print.
	if got := accountsOf(capture(t, "demo", "--db", dbPath, "--seed", "5", "--if-empty")); len(got) != len(first)-1 || got["admin"] != "" || got["shequ"] != first["shequ"] {
		t.Errorf("without --admin-password: %v", got)
	}

	capture(t, "user", "passwd", "shequ", "--db", dbPath, "--password", "Changed-Pass-2026")
	out := capture(t, "demo", "--db", dbPath, "--seed", "5", "--if-empty", "--admin-password", "Demo-Test-2026")
	got := accountsOf(out)
	if _, ok := got["shequ"]; ok || len(got) != len(first)-1 || !strings.Contains(out, "1 more demo accounts") {
		t.Errorf("after a password change: %v\n%s", got, out)
	}
	// Another seed's passwords are not these: nothing is printed as a login.
	out = capture(t, "demo", "--db", dbPath, "--seed", "6", "--if-empty")
	if got := accountsOf(out); len(got) != 0 {
		t.Errorf("with the wrong seed: %v\n%s", got, out)
	}
}
