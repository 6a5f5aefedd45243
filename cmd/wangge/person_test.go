package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wangge/wangge"
)

// TestPersonRightsCommands walks a person's request through the operator's
// commands: find by ID number, export everything held (to a private file
// naming the exporter and time), correct the phone, delete — each audited
// with its reason.
func TestPersonRightsCommands(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	capture(t, "demo", "--db", db, "--scale", "0.02", "--admin-password", "Demo-Test-2026")

	// Take a person with a phone and learn the full ID number the way an
	// operator would, through an audited export.
	store, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	ps, _, err := store.ListPersons(context.Background(), wangge.ScopeAll(), wangge.PersonFilter{Page: wangge.Page{Limit: 50}})
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	var p wangge.Person
	for _, x := range ps {
		if x.Phone != "" {
			p = x
			break
		}
	}
	id := itoa(p.ID)

	out := filepath.Join(dir, "export.json")
	capture(t, "person", "export", id, "--db", db, "--reason", "本人申请查阅", "-o", out)
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(out); st.Mode().Perm() != 0o600 {
		t.Errorf("export file mode %v, want 0600", st.Mode().Perm())
	}
	var rec personExport
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Person.ID != p.ID || strings.Contains(rec.Person.IDNumber, "*") || rec.Exporter == "" || rec.Exported.IsZero() || rec.Reason != "本人申请查阅" {
		t.Fatalf("export: %+v", rec)
	}
	full := rec.Person.IDNumber

	found := capture(t, "person", "find", "--db", db, "--id-number", strings.ToLower(full))
	if !strings.Contains(found, id) || strings.Contains(found, full) || !strings.Contains(found, "1 人") {
		t.Errorf("find by ID number:\n%s", found)
	}

	capture(t, "person", "correct", id, "--db", db, "--reason", "本人更正电话", "--phone", "13900001234")
	shown := capture(t, "person", "show", id, "--db", db, "--reason", "核对更正")
	if !strings.Contains(shown, "13900001234") || !strings.Contains(shown, full) {
		t.Errorf("after correction the record shows:\n%s", shown)
	}

	if err := run(context.Background(), []string{"person", "delete", id, "--db", db}); err == nil {
		t.Error("delete without a reason was accepted")
	}
	capture(t, "person", "delete", id, "--db", db, "--reason", "本人申请删除（已迁出本区）")
	if err := run(context.Background(), []string{"person", "show", id, "--db", db, "--reason", "x"}); wangge.ErrorCode(err) != wangge.ENotFound {
		t.Errorf("show after delete: %v, want not found", err)
	}

	store, err = openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for action, reason := range map[string]string{"person.reveal": "本人申请查阅", "person.update": "", "person.delete": "本人申请删除"} {
		es, _, err := store.ListAudit(context.Background(), wangge.AuditFilter{Action: action, ObjectID: id})
		if err != nil || len(es) == 0 {
			t.Errorf("no %s entry for person %s: %v", action, id, err)
			continue
		}
		if reason != "" && !strings.Contains(es[len(es)-1].Detail+es[0].Detail, reason) {
			t.Errorf("%s entry lacks the reason: %s", action, es[0].Detail)
		}
	}
	capture(t, "audit", "verify", "--db", db)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
