-- +goose Up
-- Cases (issue 12). The engine's whole state is one JSON document (doc),
-- read and written whole by the store around casework's Apply; what the
-- board filters and the scope check read is kept beside it as columns:
-- grid, state, mechanism, category and its line, level, the running
-- deadline, the receiver's line and the reporting account. The reporter's
-- contact is personal data: sealed with the field key (*_enc, so a key
-- rotation re-seals it), never in the document. version is the optimistic
-- concurrency counter every transition names.
CREATE TABLE cases (
	id               INTEGER PRIMARY KEY,
	district_code    TEXT NOT NULL,
	number           TEXT NOT NULL,
	grid_code        TEXT NOT NULL REFERENCES areas (code),
	mechanism        TEXT NOT NULL,
	state            TEXT NOT NULL,
	category         TEXT NOT NULL,
	line             TEXT NOT NULL,
	priority         TEXT NOT NULL,
	level            INTEGER NOT NULL,
	due_at           TIMESTAMP,
	receiver_line    TEXT NOT NULL DEFAULT '',
	reporter_user_id INTEGER NOT NULL DEFAULT 0,
	reporter_contact_enc BLOB,
	doc              TEXT NOT NULL,
	version          INTEGER NOT NULL DEFAULT 1,
	created_at       TIMESTAMP NOT NULL,
	updated_at       TIMESTAMP NOT NULL,
	UNIQUE (district_code, number)
);
CREATE INDEX cases_grid ON cases (grid_code, state);
CREATE INDEX cases_state ON cases (state, due_at);
CREATE INDEX cases_receiver ON cases (receiver_line, state);
CREATE INDEX cases_reporter ON cases (reporter_user_id);

-- The timeline, append-only: one row per event, numbered within its case.
-- detail holds what an action carried beyond the note (receiver, feedback,
-- a deadline, a level, the other case of a merge, a rating) as JSON.
CREATE TABLE case_events (
	case_id    INTEGER NOT NULL REFERENCES cases (id),
	seq        INTEGER NOT NULL,
	at         TIMESTAMP NOT NULL,
	actor_id   INTEGER NOT NULL,
	actor_name TEXT NOT NULL,
	role       TEXT NOT NULL,
	action     TEXT NOT NULL,
	from_state TEXT NOT NULL,
	to_state   TEXT NOT NULL,
	note       TEXT NOT NULL,
	detail     TEXT NOT NULL,
	PRIMARY KEY (case_id, seq)
);

-- The last sequence given out per district and year: numbers are assigned
-- in the creating transaction, so none is given twice or skipped by a
-- rolled-back create on another server.
CREATE TABLE case_numbers (
	district_code TEXT NOT NULL,
	year          INTEGER NOT NULL,
	last          INTEGER NOT NULL,
	PRIMARY KEY (district_code, year)
);

-- Idempotency keys of creates (POST /api/v1/cases, Idempotency-Key): per
-- account, the case a key made and a keyed hash of the request, so a retry
-- returns the same case and the same key with other content is refused.
CREATE TABLE case_requests (
	user_id     INTEGER NOT NULL,
	request_key TEXT NOT NULL,
	request_mac BLOB NOT NULL,
	case_id     INTEGER REFERENCES cases (id),
	created_at  TIMESTAMP NOT NULL,
	PRIMARY KEY (user_id, request_key)
);

-- +goose Down
DROP TABLE case_requests;
DROP TABLE case_numbers;
DROP TABLE case_events;
DROP TABLE cases;
