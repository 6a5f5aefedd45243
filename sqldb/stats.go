package sqldb

import (
	"context"

	"github.com/wangge/wangge"
)

// Stats counts what the scope holds.
func (db *DB) Stats(ctx context.Context, s wangge.Scope) (*wangge.Stats, error) {
	lo, hi := s.Range()
	st := &wangge.Stats{Cases: map[string]int{}}
	for _, c := range []struct {
		dst *int
		q   string
	}{
		{&st.Subdistricts, `SELECT COUNT(*) FROM areas WHERE level = 2 AND code BETWEEN ? AND ?`},
		{&st.Communities, `SELECT COUNT(*) FROM areas WHERE level = 3 AND code BETWEEN ? AND ?`},
		{&st.Grids, `SELECT COUNT(*) FROM areas WHERE level = 4 AND retired_at IS NULL AND code BETWEEN ? AND ?`},
		{&st.Buildings, `SELECT COUNT(*) FROM buildings WHERE grid_code BETWEEN ? AND ?`},
		{&st.Households, `SELECT COUNT(*) FROM households WHERE grid_code BETWEEN ? AND ?`},
		{&st.Persons, `SELECT COUNT(*) FROM persons WHERE grid_code BETWEEN ? AND ?`},
		{&st.Units, `SELECT COUNT(*) FROM units WHERE grid_code BETWEEN ? AND ?`},
		{&st.Assistants, `SELECT COUNT(*) FROM assignments WHERE to_at IS NULL AND grid_code BETWEEN ? AND ?`},
		{&st.Visits, `SELECT COUNT(*) FROM visits WHERE grid_code BETWEEN ? AND ?`},
		{&st.Users, `SELECT COUNT(*) FROM users WHERE scope_code BETWEEN ? AND ?`},
	} {
		if err := db.queryRow(ctx, c.q, lo, hi).Scan(c.dst); err != nil {
			return nil, err
		}
	}
	// Members as the key-group ledger counts them: of an age-derived group,
	// the persons in its band today, not the rows kept for their details.
	counts, err := db.GroupCounts(ctx, s)
	if err != nil {
		return nil, err
	}
	for _, c := range counts {
		st.Memberships += c.Count
	}
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM services WHERE active = ?`, true).Scan(&st.Services); err != nil {
		return nil, err
	}
	cases, err := db.CaseCounts(ctx, s)
	if err != nil {
		return nil, err
	}
	for state, n := range cases {
		st.Cases[string(state)] = n
	}
	return st, nil
}

// Empty reports whether the database holds no areas yet.
func (db *DB) Empty(ctx context.Context) (bool, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM areas`).Scan(&n)
	return n == 0, err
}
