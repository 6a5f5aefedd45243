-- +goose Up
-- Attempts to log in, shared by every server: failures per username and per
-- address within a window decide lockouts (see wangge.LockedUntil). Rows
-- older than a day are purged; the audit log keeps the lasting record.
CREATE TABLE login_attempts (
	id       INTEGER PRIMARY KEY,
	username TEXT NOT NULL,
	addr     TEXT NOT NULL,
	at       TIMESTAMP NOT NULL,
	ok       BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_username ON login_attempts (username, at);
CREATE INDEX login_attempts_addr ON login_attempts (addr, at);
CREATE INDEX login_attempts_at ON login_attempts (at);

-- One-time codes (TOTP): the secret is sealed with the field key (field
-- "users.totp_secret"); totp_enabled is false while it awaits confirmation;
-- totp_last_step is the last step a code was accepted for (no code twice).
ALTER TABLE users ADD COLUMN totp_secret BLOB;
ALTER TABLE users ADD COLUMN totp_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
-- Set by an administrator's reset: the temporary password must be changed.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE users DROP COLUMN must_change_password;
ALTER TABLE users DROP COLUMN totp_last_step;
ALTER TABLE users DROP COLUMN totp_enabled;
ALTER TABLE users DROP COLUMN totp_secret;
DROP TABLE login_attempts;
