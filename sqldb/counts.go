package sqldb

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// gridCount is what one active grid holds.
type gridCount struct {
	code                                  string
	buildings, households, persons, units int
}

// countSnapshot is every active grid's counts and every area's code, taken
// at one write generation.
type countSnapshot struct {
	gen   uint64
	at    time.Time
	grids []gridCount // sorted by code
	areas []string
}

// countCache keeps the per-grid counts the area pages add up, so a page at
// the top of the tree does not count 300,000 persons on every view. Every
// write through this store bumps the generation and so invalidates it; the
// TTL bounds how stale it can be when another server writes.
type countCache struct {
	gen  atomic.Uint64
	mu   sync.Mutex
	snap *countSnapshot
}

const countTTL = 30 * time.Second

// gridCounts returns the current per-grid counts.
func (db *DB) gridCounts(ctx context.Context) (*countSnapshot, error) {
	gen := db.counts.gen.Load()
	db.counts.mu.Lock()
	defer db.counts.mu.Unlock()
	if s := db.counts.snap; s != nil && s.gen == gen && time.Since(s.at) < countTTL {
		return s, nil
	}
	snap := &countSnapshot{gen: gen, at: time.Now()}
	byCode := map[string]*gridCount{}
	rows, err := db.query(ctx, `SELECT code, level, retired_at IS NULL FROM areas`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var code string
		var level int
		var active bool
		if err := rows.Scan(&code, &level, &active); err != nil {
			rows.Close()
			return nil, err
		}
		snap.areas = append(snap.areas, code)
		if level == 4 && active {
			byCode[code] = &gridCount{code: code}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, q := range []struct {
		table string
		field func(*gridCount) *int
	}{
		{"buildings", func(c *gridCount) *int { return &c.buildings }},
		{"households", func(c *gridCount) *int { return &c.households }},
		{"persons", func(c *gridCount) *int { return &c.persons }},
		{"units", func(c *gridCount) *int { return &c.units }},
	} {
		rows, err := db.query(ctx, `SELECT grid_code, COUNT(*) FROM `+q.table+` GROUP BY grid_code`)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var code string
			var n int
			if err := rows.Scan(&code, &n); err != nil {
				rows.Close()
				return nil, err
			}
			if c := byCode[code]; c != nil {
				*q.field(c) = n
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for _, c := range byCode {
		snap.grids = append(snap.grids, *c)
	}
	sort.Slice(snap.grids, func(i, j int) bool { return snap.grids[i].code < snap.grids[j].code })
	db.counts.snap = snap
	return snap, nil
}
