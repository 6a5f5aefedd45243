-- +goose Up
-- Ledger imports under way or waiting for their commit live here, not on
-- the server that received the upload, so any server can show, resume and
-- commit them and a restart loses none. The upload and the rejected rows
-- hold ID numbers: both are sealed with the field key (*_enc, so a key
-- rotation re-seals them). holder and heartbeat_at are the lease of the
-- server running a job: a running job not heard of for a while is taken
-- over. Rows go when they expire.
CREATE TABLE import_jobs (
	id           INTEGER PRIMARY KEY,
	token        TEXT NOT NULL UNIQUE,
	user_id      INTEGER NOT NULL,
	session_hash BLOB NOT NULL,
	kind         TEXT NOT NULL,
	file_name    TEXT NOT NULL,
	upload_enc   BLOB,
	state        TEXT NOT NULL,
	done         INTEGER NOT NULL DEFAULT 0,
	total        INTEGER NOT NULL DEFAULT 0,
	report       TEXT NOT NULL DEFAULT '',
	rejects_enc  BLOB,
	result       TEXT NOT NULL DEFAULT '',
	error        TEXT NOT NULL DEFAULT '',
	holder       TEXT NOT NULL DEFAULT '',
	heartbeat_at TIMESTAMP NOT NULL,
	created_at   TIMESTAMP NOT NULL,
	expires_at   TIMESTAMP NOT NULL,
	version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX import_jobs_user ON import_jobs (user_id, state);
CREATE INDEX import_jobs_expires ON import_jobs (expires_at);

-- +goose Down
DROP TABLE import_jobs;
