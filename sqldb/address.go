package sqldb

import (
	"context"

	"github.com/wangge/wangge"
)

// AddressCandidates streams the buildings whose name, address, grid name or
// community name hold every fragment, in grid and sequence order. Only
// public facts are read: no household or person.
func (db *DB) AddressCandidates(ctx context.Context, fragments []string, fn func(wangge.AddressCandidate) bool) error {
	var w where
	for _, f := range fragments {
		q := "%" + likeEscape(f) + "%"
		w.add(`(b.name LIKE ? ESCAPE '\' OR b.address LIKE ? ESCAPE '\' OR g.name LIKE ? ESCAPE '\' OR c.name LIKE ? ESCAPE '\')`, q, q, q, q)
	}
	rows, err := db.query(ctx, `SELECT b.id, b.name, b.address, b.entrances, b.grid_code, g.name, COALESCE(c.name, '')
		FROM buildings b JOIN areas g ON g.code = b.grid_code LEFT JOIN areas c ON c.code = g.parent_code`+w.String()+`
		ORDER BY b.grid_code, b.seq`, w.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c wangge.AddressCandidate
		if err := rows.Scan(&c.BuildingID, &c.Name, &c.Address, &c.Entrances, &c.GridCode, &c.GridName, &c.CommunityName); err != nil {
			return err
		}
		if !fn(c) {
			return nil
		}
	}
	return rows.Err()
}

// GridNames streams the current grids with their community's name, in code
// order.
func (db *DB) GridNames(ctx context.Context, fn func(gridCode, gridName, communityName string) bool) error {
	rows, err := db.query(ctx, `SELECT g.code, g.name, COALESCE(c.name, '') FROM areas g LEFT JOIN areas c ON c.code = g.parent_code
		WHERE g.level = ? AND g.retired_at IS NULL ORDER BY g.code`, wangge.LevelGrid)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var code, grid, comm string
		if err := rows.Scan(&code, &grid, &comm); err != nil {
			return err
		}
		if !fn(code, grid, comm) {
			return nil
		}
	}
	return rows.Err()
}
