-- +goose Up
-- Messages to reporters (issue 14): one row per message and recipient,
-- queued in the transaction that changed the case. message_id is stable
-- (district, case number, event, recipient), so a receiver drops a repeat.
-- The recipient's phone is sealed with the field key (*_enc: a key rotation
-- re-seals it) and dropped once the message is sent or given up (the case
-- keeps the reporter's contact; the outbox needs it no longer). No text
-- is kept, only the kind, the number and the language it is sent in
-- ('' for the case's reporter's, read from their tracker when it is sent:
-- a public report's tracker is written after its create queued
-- "received").
-- state is queued, sent or failed; a claim sets lease_until, so two
-- servers never send one message at once, and counts the attempt before
-- it is made (a server that dies mid-send still uses one up).
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	message_id      TEXT NOT NULL UNIQUE,
	case_id         INTEGER NOT NULL REFERENCES cases (id),
	case_number     TEXT NOT NULL,
	kind            TEXT NOT NULL,
	recipient_enc   BLOB,
	lang            TEXT NOT NULL,
	state           TEXT NOT NULL DEFAULT 'queued',
	created_at      TIMESTAMP NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TIMESTAMP NOT NULL,
	lease_until     TIMESTAMP,
	sent_at         TIMESTAMP,
	last_error      TEXT NOT NULL DEFAULT ''
);
-- The due scan: queued messages by when they are next due.
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_case ON outbox (case_id);

-- +goose Down
DROP TABLE outbox;
