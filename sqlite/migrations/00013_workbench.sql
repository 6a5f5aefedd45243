-- +goose Up
-- A change in a household that a visit found (someone moved out or in, a
-- new phone, a birth, a death), proposed to the ledger rather than typed
-- into it again (issue 13): community staff confirm it with one tap or
-- refuse it with a reason, or the assistant applies it within their own
-- grid. What a proposal names is kept with it; a new phone only sealed
-- (detail_enc), the same as a person's phone.
CREATE TABLE ledger_changes (
	id              INTEGER PRIMARY KEY,
	household_id    INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
	visit_id        INTEGER REFERENCES visits (id) ON DELETE SET NULL,
	grid_code       TEXT NOT NULL,
	kind            TEXT NOT NULL,
	person_id       INTEGER REFERENCES persons (id) ON DELETE SET NULL,
	name            TEXT NOT NULL DEFAULT '',
	detail          TEXT NOT NULL DEFAULT '',
	detail_enc      BLOB,
	state           TEXT NOT NULL,
	proposed_by     INTEGER NOT NULL,
	proposed_name   TEXT NOT NULL DEFAULT '',
	proposed_at     TIMESTAMP NOT NULL,
	decided_by      INTEGER,
	decided_name    TEXT NOT NULL DEFAULT '',
	decided_at      TIMESTAMP,
	reason          TEXT NOT NULL DEFAULT '',
	version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX ledger_changes_grid ON ledger_changes (grid_code, state);
CREATE INDEX ledger_changes_household ON ledger_changes (household_id);

-- The idempotency record of a visit sent from the phone's queue: per
-- account, the client's UUID, a keyed hash of the request and the answer
-- the first request got (the visit, its proposals, its case), written in
-- the visit's own transaction so a resend after a crash never doubles
-- anything and gets the same answer.
CREATE TABLE visit_requests (
	user_id     INTEGER NOT NULL,
	request_key TEXT NOT NULL,
	request_mac BLOB NOT NULL,
	visit_id    INTEGER REFERENCES visits (id) ON DELETE SET NULL,
	answer      TEXT NOT NULL,
	created_at  TIMESTAMP NOT NULL,
	PRIMARY KEY (user_id, request_key)
);

-- Who the assistant met on a visit (the head, a neighbour, nobody home).
ALTER TABLE visits ADD COLUMN met TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE visits DROP COLUMN met;
DROP TABLE visit_requests;
DROP TABLE ledger_changes;
