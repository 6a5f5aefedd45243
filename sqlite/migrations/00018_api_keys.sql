-- +goose Up
-- The keys of Open311 clients (issue 14). The key itself is shown once,
-- when it is made; only its SHA-256 is kept (32 random bytes: no
-- dictionary to try, so a plain hash suffices and a lookup is one index
-- read). prefix is the key's public part, to tell keys apart in a list.
-- A revoked key stays, so the audit entries naming it keep their sense.
CREATE TABLE api_keys (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL UNIQUE,
	prefix       TEXT NOT NULL UNIQUE,
	key_hash     BLOB NOT NULL UNIQUE,
	per_hour     INTEGER NOT NULL DEFAULT 600,
	created_at   TIMESTAMP NOT NULL,
	revoked_at   TIMESTAMP,
	last_used_at TIMESTAMP
);

-- +goose Down
DROP TABLE api_keys;
