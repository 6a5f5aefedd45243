-- +goose Up
-- Photos and documents attached to cases, as package attach cleaned them
-- (type sniffed, images re-encoded without EXIF, size bounded): the bytes
-- in the database with the case, so every server and a backup hold them.
CREATE TABLE case_attachments (
	id           INTEGER PRIMARY KEY,
	case_id      INTEGER NOT NULL REFERENCES cases (id),
	name         TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size         INTEGER NOT NULL,
	sha256       BLOB NOT NULL,
	data         BLOB NOT NULL,
	actor_id     INTEGER NOT NULL,
	created_at   TIMESTAMP NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments (case_id);

-- +goose Down
DROP TABLE case_attachments;
