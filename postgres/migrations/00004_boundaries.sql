-- +goose Up
-- Area outlines, versioned: an edit starts a new version valid from a date
-- and ends the one before then; old versions stay for "as of" questions.
-- The geometry is GeoJSON in WGS-84; the in-process index answers locate.
CREATE TABLE boundaries (
	area_code  TEXT COLLATE "C" NOT NULL REFERENCES areas (code),
	version    INTEGER NOT NULL,
	geojson    TEXT NOT NULL,
	valid_from TIMESTAMPTZ NOT NULL,
	valid_to   TIMESTAMPTZ,
	created_by TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (area_code, version)
);
CREATE UNIQUE INDEX boundaries_current ON boundaries (area_code) WHERE valid_to IS NULL;

-- +goose Down
DROP TABLE boundaries;
