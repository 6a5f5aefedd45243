-- +goose Up
-- The district's case settings (issue 12), which its administrator edits:
-- one row of working hours, the yellow light's share, the emergency's
-- acknowledge minutes, the reopen window and the approval chain. version
-- counts the changes of this row (the form names the one it showed);
-- generation counts every change of the row, of the loaded calendar years
-- and of the limits, so every server tells from one read that its engine
-- is stale.
CREATE TABLE case_settings (
	id             INTEGER PRIMARY KEY CHECK (id = 1),
	hours          TEXT NOT NULL,
	yellow_percent INTEGER NOT NULL,
	ack_minutes    INTEGER NOT NULL,
	reopen_days    INTEGER NOT NULL,
	approval_chain TEXT NOT NULL,
	version        INTEGER NOT NULL DEFAULT 1,
	generation     INTEGER NOT NULL DEFAULT 1,
	updated_by     TEXT NOT NULL DEFAULT '',
	updated_at     TIMESTAMP
);
INSERT INTO case_settings (id, hours, yellow_percent, ack_minutes, reopen_days, approval_chain)
	VALUES (1, '08:30-12:00,14:30-18:00', 75, 10, 15, 'community,subdistrict');

-- A year of holidays and make-up workdays loaded on top of the embedded
-- ones (wangge calendar import, or the administrator's page): the file's
-- text as workcal.ParseYear reads it, so what was loaded is kept word for
-- word, with who loaded it and when. One row per year: a new load
-- replaces it (the audit log keeps the one before).
CREATE TABLE calendar_years (
	id        INTEGER PRIMARY KEY,
	year      INTEGER NOT NULL UNIQUE,
	text      TEXT NOT NULL,
	loaded_by TEXT NOT NULL,
	loaded_at TIMESTAMP NOT NULL
);

-- The district's time limit for one step of a category's cases under one
-- mechanism, replacing the default (casework.DefaultLimits and the
-- category's own limit). A step without a row runs on the default.
CREATE TABLE case_limits (
	category   TEXT NOT NULL,
	mechanism  TEXT NOT NULL,
	step       TEXT NOT NULL,
	unit       TEXT NOT NULL,
	n          INTEGER NOT NULL CHECK (n > 0),
	updated_by TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	PRIMARY KEY (category, mechanism, step)
);

-- +goose Down
DROP TABLE case_limits;
DROP TABLE calendar_years;
DROP TABLE case_settings;
