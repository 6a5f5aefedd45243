-- +goose Up
-- The ledgers' lists (四本台账). Households in ledger order (grid, building,
-- entrance, room) read from one covering index, so a page of a district's
-- 120,000 households sorts only within the grids it shows. A key group's
-- members in a scope are counted, sorted by date and counted by grid over a
-- period (joined, left) from one covering index, without reading the rows.
CREATE INDEX households_ledger ON households (grid_code, building_id, entrance, room);
CREATE INDEX memberships_ledger ON memberships (grp, grid_code, joined, left_on);

-- +goose Down
DROP INDEX memberships_ledger;
DROP INDEX households_ledger;
