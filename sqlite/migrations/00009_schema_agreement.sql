-- +goose Up
-- The two schemas agree (postgres/schema_test.go compares them). SQLite
-- lets a PRIMARY KEY that is not an INTEGER hold NULL unless it is declared
-- NOT NULL, as PostgreSQL's always is; meta and sessions are rebuilt so, as
-- only a rebuild can change a column (nothing refers to either table).
-- 00009 in PostgreSQL gives units.credit_code the byte-wise collation
-- SQLite always uses.
CREATE TABLE meta_new (
	name  TEXT NOT NULL PRIMARY KEY,
	value TEXT NOT NULL
);
INSERT INTO meta_new (name, value) SELECT name, value FROM meta WHERE name IS NOT NULL;
DROP TABLE meta;
ALTER TABLE meta_new RENAME TO meta;

CREATE TABLE sessions_new (
	token_hash BLOB NOT NULL PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	addr       TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT ''
);
INSERT INTO sessions_new (token_hash, user_id, created_at, expires_at, addr, user_agent)
	SELECT token_hash, user_id, created_at, expires_at, addr, user_agent FROM sessions WHERE token_hash IS NOT NULL;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_expires ON sessions (expires_at);

-- +goose Down
-- The NOT NULL stays: no row can need a NULL key.
SELECT 1;
