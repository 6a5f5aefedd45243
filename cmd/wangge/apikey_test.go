package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wangge/wangge/sqlite"
)

// TestAPIKeyAddListRevoke: `wangge apikey add` prints a key the store then
// finds, `list --json` names it without the key, `revoke` refuses it from
// then on, and a second revoke or an unknown name says there is no such key.
func TestAPIKeyAddListRevoke(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	dbPath := filepath.Join(t.TempDir(), "w.db")
	capture(t, "migrate", "--db", dbPath)
	key := strings.TrimSpace(capture(t, "apikey", "add", "fixmystreet", "--db", dbPath))
	if !strings.HasPrefix(key, "wg_") || len(key) != len("wg_12345678_")+43 || strings.ContainsAny(key, " \n") {
		t.Fatalf("printed %q, want the key alone", key)
	}
	if out, err := runOut("apikey", "add", "fixmystreet", "--db", dbPath); err == nil {
		t.Fatalf("a second key of one name was made:\n%s", out)
	}

	var listed []apiKeyJSON
	for _, line := range strings.Split(strings.TrimSpace(capture(t, "apikey", "list", "--json", "--db", dbPath)), "\n") {
		if strings.Contains(line, key[12:]) {
			t.Fatalf("the list shows the key: %s", line)
		}
		var k apiKeyJSON
		if err := json.Unmarshal([]byte(line), &k); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		listed = append(listed, k)
	}
	if len(listed) != 1 || listed[0].Name != "fixmystreet" || "wg_"+listed[0].Prefix+"_" != key[:12] || listed[0].PerHour != 600 || listed[0].RevokedAt != "" {
		t.Fatalf("listed %+v", listed)
	}

	db, err := sqlite.Open(t.Context(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.APIKeyByKey(t.Context(), key); err != nil {
		t.Fatalf("the printed key is not the store's: %v", err)
	}
	db.Close()

	capture(t, "apikey", "revoke", "fixmystreet", "--db", dbPath)
	if out := capture(t, "apikey", "list", "--db", dbPath); !strings.Contains(out, "revoked") {
		t.Errorf("the list does not say revoked:\n%s", out)
	}
	for _, name := range []string{"fixmystreet", "nobody"} {
		out, err := runOut("apikey", "revoke", name, "--db", dbPath)
		if err == nil || !strings.Contains(err.Error(), "no live API key named "+name) {
			t.Errorf("revoke %s: %v\n%s", name, err, out)
		}
	}
	db, err = sqlite.Open(t.Context(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.APIKeyByKey(t.Context(), key); err == nil {
		t.Error("the revoked key is still found")
	}
	capture(t, "audit", "verify", "--db", dbPath)
}
