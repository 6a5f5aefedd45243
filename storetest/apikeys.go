package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
)

var apiKeyTests = []test{
	{"APIKeyShownOnceKeptHashedFoundByKey", testAPIKeyAddAndFind},
	{"APIKeyRevokedIsRefused", testAPIKeyRevoke},
	{"APIKeyLastUseStampedAtMostOnceAMinute", testAPIKeyTouch},
}

func testAPIKeyAddAndFind(t *testing.T, e *env) {
	key, k, err := e.db.AddAPIKey(e.ctx, "  fixmystreet ")
	ok(t, err, "add")
	if k.Name != "fixmystreet" || k.PerHour != wangge.APIKeyPerHour || k.ID == 0 || k.RevokedAt != nil {
		t.Fatalf("added %+v", k)
	}
	if !strings.HasPrefix(key, "wg_"+k.Prefix+"_") || len(k.Prefix) != 8 || len(key) != len("wg_12345678_")+43 {
		t.Fatalf("key %q with prefix %q: not wg_<8>_<43>", key, k.Prefix)
	}
	// The key is nowhere in the database, only its hash.
	var n int
	ok(t, e.db.Reader().QueryRowContext(e.ctx, e.rebind(`SELECT COUNT(*) FROM api_keys WHERE key_hash = ? OR prefix = ? OR name = ?`), []byte(key), key, key).Scan(&n))
	if n != 0 {
		t.Error("the key is stored in clear")
	}
	got, err := e.db.APIKeyByKey(e.ctx, key)
	ok(t, err, "by key")
	if got.ID != k.ID || got.Name != "fixmystreet" || got.Prefix != k.Prefix {
		t.Errorf("by key: %+v, want %+v", got, k)
	}
	flipped := []byte(key)
	if flipped[len(flipped)-1] == 'A' {
		flipped[len(flipped)-1] = 'B'
	} else {
		flipped[len(flipped)-1] = 'A'
	}
	other, _, err := e.db.AddAPIKey(e.ctx, "12345 热线")
	ok(t, err, "a second key")
	for _, tc := range []struct{ name, key string }{
		{"empty", ""},
		{"the prefix alone", "wg_" + k.Prefix},
		{"one character changed", string(flipped)},
		{"another key's secret under this prefix", key[:12] + other[12:]},
		{"the right length, no form", strings.Repeat("a", len(key))},
		{"with a space", " " + key},
	} {
		if _, err := e.db.APIKeyByKey(e.ctx, tc.key); wangge.ErrorCode(err) != wangge.ENotFound {
			t.Errorf("%s: %v, want not found", tc.name, err)
		}
	}
	// Names are unique and checked.
	_, _, err = e.db.AddAPIKey(e.ctx, "fixmystreet")
	if we := wantCode(t, err, wangge.EConflict, "a taken name"); we != nil && we.Field != "name" {
		t.Errorf("a taken name: field %q, want name", we.Field)
	}
	_, _, err = e.db.AddAPIKey(e.ctx, " ")
	wantField(t, err, "name", "an empty name")
	keys, err := e.db.ListAPIKeys(e.ctx)
	ok(t, err)
	var names []string
	for _, k := range keys {
		names = append(names, k.Name)
	}
	if !slices.Equal(names, []string{"12345 热线", "fixmystreet"}) {
		t.Errorf("listed %v", names)
	}
	if acts := e.auditActions(t, "api_key"); len(acts) != 2 || acts[0] != "apikey.add" || acts[1] != "apikey.add" {
		t.Errorf("audited %v, want two apikey.add", acts)
	}
}

func testAPIKeyRevoke(t *testing.T, e *env) {
	key, _, err := e.db.AddAPIKey(e.ctx, "client")
	ok(t, err)
	ok(t, e.db.RevokeAPIKey(e.ctx, "client"), "revoke")
	if _, err := e.db.APIKeyByKey(e.ctx, key); wangge.ErrorCode(err) != wangge.ENotFound {
		t.Errorf("a revoked key: %v, want not found", err)
	}
	if err := e.db.RevokeAPIKey(e.ctx, "client"); wangge.ErrorCode(err) != wangge.ENotFound {
		t.Errorf("revoked twice: %v, want not found", err)
	}
	if err := e.db.RevokeAPIKey(e.ctx, "nobody"); wangge.ErrorCode(err) != wangge.ENotFound {
		t.Errorf("revoking an unknown name: %v, want not found", err)
	}
	keys, err := e.db.ListAPIKeys(e.ctx)
	ok(t, err)
	if len(keys) != 1 || keys[0].RevokedAt == nil {
		t.Fatalf("listed %+v, want the key revoked", keys)
	}
	// The name stays taken: audit entries name keys by it.
	_, _, err = e.db.AddAPIKey(e.ctx, "client")
	if we := wantCode(t, err, wangge.EConflict, "the name of a revoked key"); we != nil && we.Field != "name" {
		t.Errorf("the name of a revoked key: field %q, want name", we.Field)
	}
	if acts := e.auditActions(t, "api_key"); !slices.Equal(acts, []string{"apikey.add", "apikey.revoke"}) && !slices.Equal(acts, []string{"apikey.revoke", "apikey.add"}) {
		t.Errorf("audited %v", acts)
	}
}

func testAPIKeyTouch(t *testing.T, e *env) {
	now := time.Date(2026, 3, 6, 2, 0, 0, 0, time.UTC)
	e.db.SetClock(func() time.Time { return now })
	key, k, err := e.db.AddAPIKey(e.ctx, "client")
	ok(t, err)
	if k.LastUsedAt != nil {
		t.Fatalf("a new key was used at %v", k.LastUsedAt)
	}
	lastUsed := func() time.Time {
		t.Helper()
		keys, err := e.db.ListAPIKeys(e.ctx)
		ok(t, err)
		if keys[0].LastUsedAt == nil {
			return time.Time{}
		}
		return keys[0].LastUsedAt.UTC()
	}
	for _, step := range []struct {
		after time.Duration
		want  time.Time
	}{
		{0, now},
		{30 * time.Second, now}, // within the minute: not written again
		{61 * time.Second, now.Add(61 * time.Second)}, // stale: written
		{90 * time.Second, now.Add(61 * time.Second)}, // within a minute of that
		{10 * time.Minute, now.Add(10 * time.Minute)}, // stale again
	} {
		at := now.Add(step.after)
		e.db.SetClock(func() time.Time { return at })
		_, err := e.db.APIKeyByKey(e.ctx, key)
		ok(t, err)
		if got := lastUsed(); !got.Equal(step.want) {
			t.Errorf("after %v: last used %v, want %v", step.after, got, step.want)
		}
	}
}
