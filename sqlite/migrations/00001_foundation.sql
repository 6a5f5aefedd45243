-- +goose Up
CREATE TABLE meta (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE areas (
	code         TEXT PRIMARY KEY,
	name         TEXT NOT NULL,
	level        INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
	parent_code  TEXT REFERENCES areas (code),
	address      TEXT NOT NULL DEFAULT '',
	phone        TEXT NOT NULL DEFAULT '',
	service_area TEXT NOT NULL DEFAULT '',
	retired_at   TIMESTAMP,
	next_seq     INTEGER NOT NULL DEFAULT 1, -- next building sequence (grids); never reused
	version      INTEGER NOT NULL DEFAULT 1,
	created_at   TIMESTAMP NOT NULL,
	updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX areas_parent ON areas (parent_code);

CREATE TABLE buildings (
	id         INTEGER PRIMARY KEY,
	grid_code  TEXT NOT NULL REFERENCES areas (code),
	seq        INTEGER NOT NULL,
	name       TEXT NOT NULL,
	kind       TEXT NOT NULL,
	address    TEXT NOT NULL DEFAULT '',
	floors     INTEGER NOT NULL DEFAULT 0,
	entrances  INTEGER NOT NULL DEFAULT 0,
	lng        REAL NOT NULL DEFAULT 0,
	lat        REAL NOT NULL DEFAULT 0,
	version    INTEGER NOT NULL DEFAULT 1,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	UNIQUE (grid_code, seq)
);

CREATE TABLE building_moves (
	id          INTEGER PRIMARY KEY,
	building_id INTEGER NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
	from_grid   TEXT NOT NULL,
	to_grid     TEXT NOT NULL,
	at          TIMESTAMP NOT NULL,
	by_user     TEXT NOT NULL,
	reason      TEXT NOT NULL
);
CREATE INDEX building_moves_building ON building_moves (building_id);

CREATE TABLE building_heads (
	id          INTEGER PRIMARY KEY,
	building_id INTEGER NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
	grid_code   TEXT NOT NULL,
	person_id   INTEGER,
	name        TEXT NOT NULL,
	phone_enc   BLOB,
	from_date   TIMESTAMP NOT NULL,
	to_date     TIMESTAMP,
	version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX building_heads_building ON building_heads (building_id);
CREATE UNIQUE INDEX building_heads_current ON building_heads (building_id) WHERE to_date IS NULL;

CREATE TABLE households (
	id          INTEGER PRIMARY KEY,
	building_id INTEGER NOT NULL REFERENCES buildings (id),
	grid_code   TEXT NOT NULL,
	entrance    TEXT NOT NULL DEFAULT '',
	room        TEXT NOT NULL,
	number      TEXT NOT NULL DEFAULT '',
	kind        TEXT NOT NULL,
	phone_enc   BLOB,
	phone_idx   BLOB,
	note        TEXT NOT NULL DEFAULT '',
	version     INTEGER NOT NULL DEFAULT 1,
	created_at  TIMESTAMP NOT NULL,
	updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX households_grid ON households (grid_code);
CREATE INDEX households_building ON households (building_id);

CREATE TABLE household_moves (
	id            INTEGER PRIMARY KEY,
	household_id  INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
	from_building INTEGER NOT NULL,
	to_building   INTEGER NOT NULL,
	from_grid     TEXT NOT NULL,
	to_grid       TEXT NOT NULL,
	at            TIMESTAMP NOT NULL,
	by_user       TEXT NOT NULL,
	reason        TEXT NOT NULL
);
CREATE INDEX household_moves_household ON household_moves (household_id);

CREATE TABLE persons (
	id           INTEGER PRIMARY KEY,
	household_id INTEGER NOT NULL REFERENCES households (id),
	grid_code    TEXT NOT NULL,
	name         TEXT NOT NULL,
	id_enc       BLOB NOT NULL,
	id_idx       BLOB NOT NULL UNIQUE,
	phone_enc    BLOB,
	phone_idx    BLOB,
	relation     TEXT NOT NULL,
	kind         TEXT NOT NULL,
	ethnicity    TEXT NOT NULL DEFAULT '',
	party        BOOLEAN NOT NULL DEFAULT FALSE,
	employment   TEXT NOT NULL DEFAULT '',
	note         TEXT NOT NULL DEFAULT '',
	birth_date   DATE NOT NULL,
	sex          INTEGER NOT NULL,
	version      INTEGER NOT NULL DEFAULT 1,
	created_at   TIMESTAMP NOT NULL,
	updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX persons_grid ON persons (grid_code, name);
CREATE INDEX persons_household ON persons (household_id);
CREATE INDEX persons_phone ON persons (phone_idx);

CREATE TABLE person_moves (
	id             INTEGER PRIMARY KEY,
	person_id      INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
	from_household INTEGER NOT NULL,
	to_household   INTEGER NOT NULL,
	from_grid      TEXT NOT NULL,
	to_grid        TEXT NOT NULL,
	at             TIMESTAMP NOT NULL,
	by_user        TEXT NOT NULL,
	reason         TEXT NOT NULL
);
CREATE INDEX person_moves_person ON person_moves (person_id);

CREATE TABLE units (
	id                INTEGER PRIMARY KEY,
	grid_code         TEXT NOT NULL REFERENCES areas (code),
	building_id       INTEGER REFERENCES buildings (id),
	name              TEXT NOT NULL,
	credit_code       TEXT UNIQUE,
	kind              TEXT NOT NULL,
	headcount         INTEGER NOT NULL DEFAULT 0,
	party_org         TEXT NOT NULL DEFAULT '',
	party_members     INTEGER NOT NULL DEFAULT 0,
	address           TEXT NOT NULL DEFAULT '',
	contact_name      TEXT NOT NULL DEFAULT '',
	contact_phone_enc BLOB,
	version           INTEGER NOT NULL DEFAULT 1,
	created_at        TIMESTAMP NOT NULL,
	updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX units_grid ON units (grid_code);

CREATE TABLE assistants (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	sex        TEXT NOT NULL DEFAULT '',
	work_phone TEXT NOT NULL DEFAULT '',
	phone_enc  BLOB,
	photo_url  TEXT NOT NULL DEFAULT '',
	user_id    INTEGER,
	active     BOOLEAN NOT NULL DEFAULT TRUE,
	version    INTEGER NOT NULL DEFAULT 1,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

CREATE TABLE assignments (
	id           INTEGER PRIMARY KEY,
	assistant_id INTEGER NOT NULL REFERENCES assistants (id),
	grid_code    TEXT NOT NULL REFERENCES areas (code),
	from_at      TIMESTAMP NOT NULL,
	to_at        TIMESTAMP,
	note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX assignments_assistant ON assignments (assistant_id);
CREATE INDEX assignments_grid ON assignments (grid_code);
CREATE UNIQUE INDEX assignments_current_grid ON assignments (grid_code) WHERE to_at IS NULL;
CREATE UNIQUE INDEX assignments_current_assistant ON assignments (assistant_id) WHERE to_at IS NULL;

CREATE TABLE memberships (
	id         INTEGER PRIMARY KEY,
	person_id  INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
	grid_code  TEXT NOT NULL,
	grp        TEXT NOT NULL,
	attrs      TEXT NOT NULL DEFAULT '{}',
	joined     DATE NOT NULL,
	left_on    DATE,
	note       TEXT NOT NULL DEFAULT '',
	version    INTEGER NOT NULL DEFAULT 1,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX memberships_grid ON memberships (grid_code, grp);
CREATE INDEX memberships_person ON memberships (person_id);

CREATE TABLE services (
	id              INTEGER PRIMARY KEY,
	code            TEXT NOT NULL UNIQUE,
	name            TEXT NOT NULL,
	line            TEXT NOT NULL,
	department      TEXT NOT NULL DEFAULT '',
	materials       TEXT NOT NULL DEFAULT '',
	time_limit_days INTEGER NOT NULL DEFAULT 0,
	description     TEXT NOT NULL DEFAULT '',
	active          BOOLEAN NOT NULL DEFAULT TRUE,
	version         INTEGER NOT NULL DEFAULT 1,
	updated_at      TIMESTAMP NOT NULL
);

CREATE TABLE visits (
	id           INTEGER PRIMARY KEY,
	assistant_id INTEGER NOT NULL REFERENCES assistants (id),
	grid_code    TEXT NOT NULL,
	at           TIMESTAMP NOT NULL,
	household_id INTEGER REFERENCES households (id) ON DELETE SET NULL,
	unit_id      INTEGER REFERENCES units (id) ON DELETE SET NULL,
	place        TEXT NOT NULL DEFAULT '',
	purpose      TEXT NOT NULL DEFAULT '',
	clears       TEXT NOT NULL DEFAULT '{}',
	note         TEXT NOT NULL DEFAULT '',
	problems     TEXT NOT NULL DEFAULT '[]',
	version      INTEGER NOT NULL DEFAULT 1,
	created_at   TIMESTAMP NOT NULL
);
CREATE INDEX visits_grid ON visits (grid_code, at);
CREATE INDEX visits_household ON visits (household_id, at);
CREATE INDEX visits_unit ON visits (unit_id);

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	display_name  TEXT NOT NULL DEFAULT '',
	role          TEXT NOT NULL,
	scope_code    TEXT NOT NULL,
	line          TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL,
	disabled      BOOLEAN NOT NULL DEFAULT FALSE,
	assistant_id  INTEGER REFERENCES assistants (id),
	version       INTEGER NOT NULL DEFAULT 1,
	created_at    TIMESTAMP NOT NULL,
	updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
	token_hash BLOB PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	addr       TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  INTEGER NOT NULL,
	hash BLOB NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, X'');

CREATE TABLE audit_log (
	seq       INTEGER PRIMARY KEY,
	at        TIMESTAMP NOT NULL,
	user_id   INTEGER NOT NULL,
	username  TEXT NOT NULL,
	role      TEXT NOT NULL,
	addr      TEXT NOT NULL,
	action    TEXT NOT NULL,
	object    TEXT NOT NULL,
	object_id TEXT NOT NULL,
	grid_code TEXT NOT NULL,
	detail    TEXT NOT NULL,
	prev_hash BLOB NOT NULL,
	hash      BLOB NOT NULL
);
CREATE INDEX audit_log_object ON audit_log (object, object_id);
CREATE INDEX audit_log_user ON audit_log (username, seq);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE audit_head;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE visits;
DROP TABLE services;
DROP TABLE memberships;
DROP TABLE assignments;
DROP TABLE assistants;
DROP TABLE units;
DROP TABLE person_moves;
DROP TABLE persons;
DROP TABLE household_moves;
DROP TABLE households;
DROP TABLE building_heads;
DROP TABLE building_moves;
DROP TABLE buildings;
DROP TABLE areas;
DROP TABLE meta;
