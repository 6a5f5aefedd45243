-- +goose Up
-- The ledgers' lists (四本台账). Households in ledger order (grid, building,
-- entrance, room) read from one covering index, so a page of a district's
-- 120,000 households sorts only within the grids it shows. A key group's
-- members in a scope are counted, sorted by date and counted by grid over a
-- period (joined, left) from one covering index, without reading the rows.
-- Searching names by their start ("王秀…") reads an index of names in code
-- point order, which a LIKE prefix can use whatever the database's
-- collation (SQLite reads persons_grid's names instead).
CREATE INDEX households_ledger ON households (grid_code, building_id, entrance, room);
CREATE INDEX memberships_ledger ON memberships (grp, grid_code, joined, left_on);
CREATE INDEX persons_name_prefix ON persons (name text_pattern_ops);

-- +goose Down
DROP INDEX persons_name_prefix;
DROP INDEX memberships_ledger;
DROP INDEX households_ledger;
