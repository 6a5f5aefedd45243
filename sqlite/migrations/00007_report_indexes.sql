-- +goose Up
-- The reports count and list people by age at the report date: ages are
-- ranges of birth dates, never stored (docs/reports.md). Per grid, an age
-- band (60+, 80+, women of 15–49) is one range of this index, and the
-- counts per grid of every band read the index alone, not the rows.
CREATE INDEX persons_birth ON persons (grid_code, birth_date, sex);

-- +goose Down
DROP INDEX persons_birth;
