-- +goose Up
-- Public intake (issue 14): residents report and follow cases through the
-- kiosk, the resident page and Open311. A case keeps where it came in
-- (source), whether a public path may show it (public: a public source in a
-- public category, decided by casework.IsPublic when the case is made), its
-- WGS-84 point for the map's "near" search, the words given for the place
-- and an Open311 media_url (kept as text, never fetched).
ALTER TABLE cases ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN public BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN lng REAL;
ALTER TABLE cases ADD COLUMN lat REAL;
ALTER TABLE cases ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN media_url TEXT NOT NULL DEFAULT '';
CREATE INDEX cases_public ON cases (public, created_at);

-- Who follows a case from outside: the reporter and every "me too", each by
-- the SHA-256 of a random token only they hold (the link /track/{number}?t=…),
-- with the phone they left (sealed, for the messages), the messages'
-- language and, for the reporter, the rating with the round it was given
-- in (rated_round: that round plus one, 0 before any rating).
CREATE TABLE case_trackers (
	id          INTEGER PRIMARY KEY,
	case_id     INTEGER NOT NULL REFERENCES cases (id),
	token_hash  BLOB NOT NULL,
	kind        TEXT NOT NULL,
	phone_enc   BLOB,
	lang        TEXT NOT NULL,
	rating      TEXT NOT NULL DEFAULT '',
	solved      BOOLEAN,
	rated_round INTEGER NOT NULL DEFAULT 0,
	created_at  TIMESTAMP NOT NULL,
	UNIQUE (token_hash)
);
CREATE INDEX case_trackers_case ON case_trackers (case_id, kind);

-- The public timeline of cases from public sources: what a reporter may
-- read (casework.PublicUpdateOf), written in the transaction of the event,
-- and the residents' and clients' own updates. id is Open311's update_id.
CREATE TABLE case_updates (
	id         INTEGER PRIMARY KEY,
	case_id    INTEGER NOT NULL REFERENCES cases (id),
	at         TIMESTAMP NOT NULL,
	kind       TEXT NOT NULL,
	status     TEXT NOT NULL,
	text       TEXT NOT NULL DEFAULT '',
	media_url  TEXT NOT NULL DEFAULT '',
	api_key_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX case_updates_case ON case_updates (case_id, id);
CREATE INDEX case_updates_at ON case_updates (at, id);

-- The abuse limits' counts: per keyed hash of what is counted (an address,
-- a phone, a client key; never the value itself) and hour.
CREATE TABLE intake_counts (
	bucket       BLOB NOT NULL,
	window_start TIMESTAMP NOT NULL,
	count        INTEGER NOT NULL,
	PRIMARY KEY (bucket, window_start)
);

-- +goose Down
DROP TABLE intake_counts;
DROP TABLE case_updates;
DROP TABLE case_trackers;
DROP INDEX cases_public;
ALTER TABLE cases DROP COLUMN media_url;
ALTER TABLE cases DROP COLUMN address;
ALTER TABLE cases DROP COLUMN lat;
ALTER TABLE cases DROP COLUMN lng;
ALTER TABLE cases DROP COLUMN public;
ALTER TABLE cases DROP COLUMN source;
