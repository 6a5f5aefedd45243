package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqlite"
)

// clearValues maps each secret, as it could sit in a file in clear, to what
// it is: a person's ID number (all 18 characters, and the first 17 digits)
// and phone, a household's phone, a unit's contact phone.
type clearValues map[string]string

func (c clearValues) add(s, what string) {
	if s == "" {
		return
	}
	c[strings.ToUpper(s)] = what
	if len(s) == 18 {
		c[s[:17]] = what + " (first 17 digits)"
	}
}

// collectClear opens every sealed ID number and phone of the database with
// the key file.
func collectClear(t *testing.T, dbPath, keyFile string) (clearValues, map[string]int) {
	t.Helper()
	ctx := context.Background()
	box, err := secret.Load(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	vals, counts := clearValues{}, map[string]int{}
	for _, c := range []struct{ what, q, field string }{
		{"a person's ID number", `SELECT id_enc FROM persons`, "persons.id_number"},
		{"a person's phone", `SELECT phone_enc FROM persons`, "persons.phone"},
		{"a household's phone", `SELECT phone_enc FROM households`, "households.phone"},
		{"a unit's contact phone", `SELECT contact_phone_enc FROM units`, "units.contact_phone"},
	} {
		rows, err := db.Reader().QueryContext(ctx, c.q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v []byte
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			plain, err := box.Open(c.field, v)
			if err != nil {
				t.Fatalf("%s: %v", c.what, err)
			}
			if plain != "" {
				vals.add(plain, c.what)
				counts[c.what]++
			}
		}
		rows.Close()
	}
	return vals, counts
}

// inClear returns the secrets found in data: every run of digits (and X)
// is cut into windows of 11, 17 and 18 characters, each looked up.
func (c clearValues) inClear(data []byte) []string {
	var found []string
	isDigit := func(b byte) bool { return b >= '0' && b <= '9' || b == 'X' || b == 'x' }
	for i := 0; i < len(data); {
		if !isDigit(data[i]) {
			i++
			continue
		}
		j := i
		for j < len(data) && isDigit(data[j]) {
			j++
		}
		if j-i >= 11 {
			run := strings.ToUpper(string(data[i:j]))
			for k := 0; k < len(run); k++ {
				for _, n := range []int{11, 17, 18} {
					if k+n <= len(run) {
						if what, ok := c[run[k:k+n]]; ok {
							found = append(found, what)
						}
					}
				}
			}
		}
		i = j
	}
	return found
}

// checkFiles reads the database file and its -wal and -shm files, as
// copied off the machine, and fails on any secret in clear.
func checkFiles(t *testing.T, dbPath string, vals clearValues, when string) {
	t.Helper()
	read := 0
	for _, f := range []string{dbPath, dbPath + "-wal", dbPath + "-shm", dbPath + "-journal"} {
		data, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		read++
		if found := vals.inClear(data); len(found) > 0 {
			t.Errorf("%s: %s (%d bytes) holds %d secrets in clear, e.g. %s", when, f, len(data), len(found), found[0])
		}
	}
	if read == 0 {
		t.Fatalf("%s: no database file read", when)
	}
}

// TestDatabaseFileHoldsNoIDNumberOrPhoneInClear generates the small demo
// district, opens every person's ID number and phone and every household
// and unit phone with the key, and then greps the raw bytes of the database
// file and its write-ahead log for them: closed, open with writes in the
// log, closed again (checkpointed), and after a key rotation.
func TestDatabaseFileHoldsNoIDNumberOrPhoneInClear(t *testing.T) {
	noSettle(t)
	dbPath, keyFile := demoDB(t)
	vals, counts := collectClear(t, dbPath, keyFile)
	t.Logf("looking for %d values in clear: %v", len(vals), counts)
	if counts["a person's ID number"] < 3000 || counts["a person's phone"] < 1000 || counts["a household's phone"] < 500 || counts["a unit's contact phone"] < 10 {
		t.Fatalf("too few values to look for: %v", counts)
	}
	// The search finds what is there.
	for v := range vals {
		if len(v) == 18 && len(vals.inClear([]byte("\x00\x01abc"+strings.ToLower(v)+"\x02"))) == 0 {
			t.Fatalf("the search misses %s", v)
		}
		break
	}

	checkFiles(t, dbPath, vals, "after the demo")

	// Open, write through the store (re-typed values are sealed anew, a
	// reveal is audited), and look while the changes are in the WAL.
	ctx := wangge.WithActor(context.Background(), wangge.Actor{Username: "tester", Role: wangge.RoleDistrictAdmin})
	db, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	box, err := secret.Load(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UseKey(ctx, box); err != nil {
		t.Fatal(err)
	}
	audit, err := secret.LoadAuditKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UseAuditKey(ctx, audit, checkpointPath(keyFile)); err != nil {
		t.Fatal(err)
	}
	ps, _, err := db.ListPersons(ctx, wangge.ScopeAll(), wangge.PersonFilter{Page: wangge.Page{Limit: 20}})
	if err != nil || len(ps) == 0 {
		t.Fatalf("ListPersons: %d, %v", len(ps), err)
	}
	for _, p := range ps {
		full, err := db.RevealPerson(ctx, wangge.ScopeAll(), p.ID, "核对在库数据")
		if err != nil {
			t.Fatal(err)
		}
		if vals[full.IDNumber] == "" {
			t.Fatalf("the revealed ID number of person %d was not collected", p.ID)
		}
		p := *full
		if err := db.UpdatePerson(ctx, wangge.ScopeAll(), &p); err != nil {
			t.Fatal(err)
		}
		if found, _, err := db.ListPersons(ctx, wangge.ScopeAll(), wangge.PersonFilter{IDNumber: full.IDNumber}); err != nil || len(found) != 1 {
			t.Fatalf("lookup of person %d: %d, %v", p.ID, len(found), err)
		}
	}
	if _, err := os.Stat(dbPath + "-wal"); err != nil {
		t.Fatalf("no write-ahead log while open: %v", err)
	}
	checkFiles(t, dbPath, vals, "open, with writes in the WAL")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	checkFiles(t, dbPath, vals, "closed (checkpointed)")

	// After a rotation, neither the new pages nor the freed old ones hold them.
	capture(t, "key", "rotate", "--db", dbPath)
	checkFiles(t, dbPath, vals, "after a key rotation")
}
