-- +goose Up
-- The two schemas agree (postgres/schema_test.go compares them): a credit
-- code, like every other code, compares byte by byte as in SQLite, so the
-- unique index can serve a prefix search and the two stores sort alike.
ALTER TABLE units ALTER COLUMN credit_code TYPE TEXT COLLATE "C";

-- +goose Down
ALTER TABLE units ALTER COLUMN credit_code TYPE TEXT COLLATE "default";
