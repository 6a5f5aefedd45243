-- +goose Up
-- The board counts an area's cases by state and by column (emergency,
-- overdue, due soon, on time, waiting: mechanism and due time). With the
-- mechanism and the due time in the index the count reads only the index,
-- not every case's row with its document; on the demo district's 68,000
-- cases that halves the district board's count. It replaces cases_grid,
-- its prefix.
CREATE INDEX cases_board ON cases (grid_code, state, mechanism, due_at);
DROP INDEX cases_grid;

-- +goose Down
CREATE INDEX cases_grid ON cases (grid_code, state);
DROP INDEX cases_board;
