-- +goose Up
-- Every change to outlines or to the area tree tells the app servers at
-- commit (LISTEN wangge_boundaries), so each rebuilds its locate index at
-- once instead of at its next poll. One notice per statement: a bulk load
-- or a redraw of many grids is one notice, and PostgreSQL folds identical
-- notices of one transaction into one.
-- +goose StatementBegin
CREATE FUNCTION wangge_boundaries_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('wangge_boundaries', '');
	RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER boundaries_notify AFTER INSERT OR UPDATE OR DELETE ON boundaries
	FOR EACH STATEMENT EXECUTE FUNCTION wangge_boundaries_notify();
CREATE TRIGGER areas_notify AFTER INSERT OR UPDATE OR DELETE ON areas
	FOR EACH STATEMENT EXECUTE FUNCTION wangge_boundaries_notify();

-- +goose Down
DROP TRIGGER areas_notify ON areas;
DROP TRIGGER boundaries_notify ON boundaries;
DROP FUNCTION wangge_boundaries_notify();
