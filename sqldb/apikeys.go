package sqldb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/wangge/wangge"
)

// The keys of Open311 clients (issue 14, migration 00018). A key is
// "wg_" + an 8-character public prefix + "_" + 32 random bytes in
// base64url: the prefix names the key in lists and logs, the rest is the
// secret. Only the SHA-256 of the whole key is kept: the key is 256 random
// bits, so there is nothing to guess and no need of a slow hash, and a
// lookup is one read of a unique index.

const (
	apiKeyPrefixLen = 8
	apiKeySecretLen = 32
	// APIKeyLen is the length of a key as AddAPIKey writes it.
	APIKeyLen = len("wg_") + apiKeyPrefixLen + 1 + 43
	// apiKeyTouchEvery is how stale a key's last use may be before a
	// lookup writes it again: a stamp per request would make every GET a
	// write for a figure read in lists.
	apiKeyTouchEvery = time.Minute
)

const apiKeyCols = `id, name, prefix, per_hour, created_at, revoked_at, last_used_at`

var apiKeyNameTaken = &wangge.Error{Code: wangge.EConflict, Field: "name", Key: "error.apikey.name_taken"}

func scanAPIKey(row interface{ Scan(...any) error }) (*wangge.APIKey, error) {
	var k wangge.APIKey
	var created, revoked, used timeValue
	if err := row.Scan(&k.ID, &k.Name, &k.Prefix, &k.PerHour, &created, &revoked, &used); err != nil {
		return nil, err
	}
	k.CreatedAt = created.Time
	if !revoked.IsZero() {
		k.RevokedAt = &revoked.Time
	}
	if !used.IsZero() {
		k.LastUsedAt = &used.Time
	}
	return &k, nil
}

// apiKeyHash is what the store keeps of a key.
func apiKeyHash(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// AddAPIKey makes a key for the client name and returns it: the only time
// it is seen whole. Audited (apikey.add) with the name and prefix.
func (db *DB) AddAPIKey(ctx context.Context, name string) (string, *wangge.APIKey, error) {
	name, err := wangge.CheckAPIKeyName(name)
	if err != nil {
		return "", nil, err
	}
	var pre [apiKeyPrefixLen / 2]byte
	var secret [apiKeySecretLen]byte
	rand.Read(pre[:])
	rand.Read(secret[:])
	k := &wangge.APIKey{Name: name, Prefix: hex.EncodeToString(pre[:]), PerHour: wangge.APIKeyPerHour}
	key := "wg_" + k.Prefix + "_" + base64.RawURLEncoding.EncodeToString(secret[:])
	err = db.inTx(ctx, func(tx *Tx) error {
		k.CreatedAt = tx.now
		if err := tx.queryRow(`INSERT INTO api_keys (name, prefix, key_hash, per_hour, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			k.Name, k.Prefix, apiKeyHash(key), k.PerHour, ts(tx.now)).Scan(&k.ID); err != nil {
			return db.classify(err, apiKeyNameTaken)
		}
		return tx.audit("apikey.add", "api_key", k.ID, "", jsonDetail(map[string]any{"name": k.Name, "prefix": k.Prefix, "per_hour": k.PerHour}))
	})
	if err != nil {
		return "", nil, err
	}
	return key, k, nil
}

// ListAPIKeys lists every key, revoked ones too, by name.
func (db *DB) ListAPIKeys(ctx context.Context) ([]wangge.APIKey, error) {
	return collect(ctx, db, `SELECT `+apiKeyCols+` FROM api_keys ORDER BY name`, nil,
		func(rows *sql.Rows) (wangge.APIKey, error) { return deref(scanAPIKey(rows)) })
}

// RevokeAPIKey revokes the key of the client name: from then on it is
// refused. Revoking a revoked key, or a name with no key, is not found.
// Audited (apikey.revoke).
func (db *DB) RevokeAPIKey(ctx context.Context, name string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var id int64
		var prefix string
		err := tx.queryRow(`UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL RETURNING id, prefix`,
			ts(tx.now), strings.TrimSpace(name)).Scan(&id, &prefix)
		if errors.Is(err, sql.ErrNoRows) {
			return wangge.ErrNotFound
		} else if err != nil {
			return err
		}
		return tx.audit("apikey.revoke", "api_key", id, "", jsonDetail(map[string]any{"name": strings.TrimSpace(name), "prefix": prefix}))
	})
}

// APIKeyByKey returns the live key a client sent; a malformed, unknown or
// revoked key is not found. It stamps the key's last use, at most once a
// minute.
func (db *DB) APIKeyByKey(ctx context.Context, key string) (*wangge.APIKey, error) {
	if len(key) != APIKeyLen || !strings.HasPrefix(key, "wg_") || key[3+apiKeyPrefixLen] != '_' {
		return nil, wangge.ErrNotFound
	}
	k, err := scanAPIKey(db.queryRow(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL`, apiKeyHash(key)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	} else if err != nil {
		return nil, err
	}
	now := db.now()
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= apiKeyTouchEvery {
		if _, err := db.w.ExecContext(ctx, db.sql(`UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`),
			ts(now), k.ID, ts(now.Add(-apiKeyTouchEvery))); err != nil {
			return nil, err
		}
		t := ts(now)
		k.LastUsedAt = &t
	}
	return k, nil
}
