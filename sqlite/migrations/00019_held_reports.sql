-- +goose Up
-- Open311 requests held for a place (issue 14): a request whose words for
-- the place (address_string) match no single building is neither lost nor
-- guessed. It waits here until staff place it on the map, which makes the
-- case (case_id), or dismiss it with a reason. token is Open311's token: an
-- opaque public id the client asks about (not a secret), unique. The
-- reporter's name, phone and e-mail are sealed with the field key (a key
-- rotation finds the *_enc columns by name) and cleared once the request is
-- placed (the case keeps the contact) or dismissed.
CREATE TABLE held_reports (
	id             INTEGER PRIMARY KEY,
	token          TEXT NOT NULL,
	source         TEXT NOT NULL,
	category       TEXT NOT NULL,
	description    TEXT NOT NULL,
	attributes     TEXT NOT NULL DEFAULT '{}',
	address        TEXT NOT NULL DEFAULT '',
	name_enc       BLOB,
	phone_enc      BLOB,
	email_enc      BLOB,
	lang           TEXT NOT NULL,
	media_url      TEXT NOT NULL DEFAULT '',
	api_key_id     INTEGER NOT NULL DEFAULT 0,
	state          TEXT NOT NULL DEFAULT 'held',
	case_id        INTEGER REFERENCES cases (id),
	placed_by      INTEGER,
	placed_at      TIMESTAMP,
	dismissed_by   INTEGER,
	dismissed_at   TIMESTAMP,
	dismiss_reason TEXT NOT NULL DEFAULT '',
	created_at     TIMESTAMP NOT NULL,
	UNIQUE (token)
);
CREATE INDEX held_reports_state ON held_reports (state, created_at);

-- +goose Down
DROP TABLE held_reports;
