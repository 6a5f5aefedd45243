-- +goose Up
-- The weekly grid meetings (网格化工作例会, issue 13): one row per meeting of
-- a grid or of a whole community (area_code: 15 or 12 digits), scheduled
-- by the community's staff. Attendance is the list as written (name, role,
-- present or absent with why) as JSON: it is read and written whole with
-- the meeting, under the meeting's version.
CREATE TABLE meetings (
	id         INTEGER PRIMARY KEY,
	area_code  TEXT NOT NULL REFERENCES areas (code),
	at         TIMESTAMP NOT NULL,
	place      TEXT NOT NULL DEFAULT '',
	title      TEXT NOT NULL,
	minutes    TEXT NOT NULL DEFAULT '',
	attendance TEXT NOT NULL DEFAULT '[]',
	version    INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER NOT NULL DEFAULT 0,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX meetings_area ON meetings (area_code, at);

-- What a meeting decided, each tied to a case: one it follows up, or the
-- one it opened (opened). request_key is the form's token, so a double
-- submit records one decision (and, through the case store's idempotency
-- key, opens one case).
CREATE TABLE meeting_decisions (
	id          INTEGER PRIMARY KEY,
	meeting_id  INTEGER NOT NULL REFERENCES meetings (id),
	text        TEXT NOT NULL,
	case_id     INTEGER NOT NULL REFERENCES cases (id),
	opened      BOOLEAN NOT NULL DEFAULT FALSE,
	request_key TEXT NOT NULL,
	created_by  INTEGER NOT NULL DEFAULT 0,
	created_at  TIMESTAMP NOT NULL,
	UNIQUE (meeting_id, request_key)
);

-- +goose Down
DROP TABLE meeting_decisions;
DROP TABLE meetings;
