-- +goose Up
-- Area outlines, versioned: an edit starts a new version valid from a date
-- and ends the one before then; old versions stay for "as of" questions.
-- The geometry is GeoJSON in WGS-84; the in-process index answers locate.
CREATE TABLE boundaries (
	area_code  TEXT NOT NULL REFERENCES areas (code),
	version    INTEGER NOT NULL,
	geojson    TEXT NOT NULL,
	valid_from TIMESTAMP NOT NULL,
	valid_to   TIMESTAMP,
	created_by TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	PRIMARY KEY (area_code, version)
);
CREATE UNIQUE INDEX boundaries_current ON boundaries (area_code) WHERE valid_to IS NULL;

-- +goose Down
DROP TABLE boundaries;
