package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/peterstace/simplefeatures/geom"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/geo"
)

// RedrawGrids puts a community's buildings into a new set of grids in one
// transaction; see wangge.GridRedrawer.
func (db *DB) RedrawGrids(ctx context.Context, s wangge.Scope, community string, plan []wangge.GridPlan, validFrom time.Time, reason string) ([]string, error) {
	// The scope must cover the whole community and may change people's
	// data: buildings move with everyone in them.
	if wangge.LevelOf(community) != wangge.LevelCommunity || !wangge.ValidRegionCode(community) || !s.MayChange(community) {
		return nil, wangge.ErrNotFound
	}
	reason, err := wangge.CheckReason(reason)
	if err != nil {
		return nil, err
	}
	if err := wangge.CheckPlan(plan); err != nil {
		return nil, err
	}
	outlines := make([]geom.Geometry, len(plan))
	seen := map[int64]bool{} // every building of the plan, once (CheckPlan)
	for i, p := range plan {
		for _, b := range p.Buildings {
			seen[b] = true
		}
		a, err := geo.ParseArea("", p.GeoJSON)
		if err != nil || a.Geom.IsEmpty() || a.Geom.Type() != geom.TypePolygon && a.Geom.Type() != geom.TypeMultiPolygon {
			return nil, wangge.Invalid("plan", "error.plan.outline", "N", i+1)
		}
		outlines[i] = a.Geom
	}

	var codes []string
	err = db.inTx(ctx, func(tx *Tx) error {
		if validFrom.IsZero() {
			validFrom = tx.now
		}
		validFrom = ts(validFrom)
		if validFrom.After(tx.now) {
			return wangge.Invalid("valid_from", "error.plan.future")
		}
		var level int
		var commName string
		if err := tx.queryRow(`SELECT level, name FROM areas WHERE code = ?`, community).Scan(&level, &commName); errors.Is(err, sql.ErrNoRows) || err == nil && level != int(wangge.LevelCommunity) {
			return wangge.ErrNotFound
		} else if err != nil {
			return err
		}
		// Hold the community's grids (PostgreSQL locks the rows until
		// commit; SQLite has one writer anyway), so that no building enters
		// or leaves them between the reads below and the moves.
		if _, err := tx.exec(`UPDATE areas SET version = version WHERE parent_code = ?`, community); err != nil {
			return err
		}
		lo, hi := wangge.ScopeOf(community).Range()

		// The community's buildings, where they are, and their households.
		where := map[int64]string{}
		if err := tx.scan(func(rows *sql.Rows) error {
			var id int64
			var grid string
			err := rows.Scan(&id, &grid)
			where[id] = grid
			return err
		}, `SELECT id, grid_code FROM buildings WHERE grid_code BETWEEN ? AND ?`, lo, hi); err != nil {
			return err
		}
		households := map[int64]int{}
		if err := tx.scan(func(rows *sql.Rows) error {
			var id int64
			var n int
			err := rows.Scan(&id, &n)
			households[id] = n
			return err
		}, `SELECT building_id, COUNT(*) FROM households WHERE grid_code BETWEEN ? AND ? GROUP BY building_id`, lo, hi); err != nil {
			return err
		}
		for id := range seen {
			if _, ok := where[id]; !ok {
				return wangge.Invalid("plan", "error.plan.foreign_building", "ID", id)
			}
		}
		if len(seen) != len(where) {
			return wangge.E(wangge.EConflict, "error.plan.left_out", "N", len(where)-len(seen))
		}

		// The community's grids: the current ones, and the highest code
		// ever used (retired codes are never reused).
		type grid struct {
			code    string
			retired bool
		}
		var grids []grid
		if err := tx.scan(func(rows *sql.Rows) error {
			var g grid
			var retired sql.Null[timeValue]
			err := rows.Scan(&g.code, &retired)
			g.retired = retired.Valid
			grids = append(grids, g)
			return err
		}, `SELECT code, retired_at FROM areas WHERE parent_code = ? ORDER BY code`, community); err != nil {
			return err
		}
		lastSeq := 0
		for _, g := range grids {
			var seq int
			fmt.Sscanf(g.code[wangge.CommunityCodeLen:], "%d", &seq)
			lastSeq = max(lastSeq, seq)
		}

		overlaps := make([]map[string]wangge.Overlap, len(plan))
		for i, p := range plan {
			overlaps[i] = map[string]wangge.Overlap{}
			for _, b := range p.Buildings {
				o := overlaps[i][where[b]]
				o.Households += households[b]
				o.Buildings++
				overlaps[i][where[b]] = o
			}
		}
		codes = wangge.MatchGrids(overlaps)
		var created []string
		for i := range plan {
			if codes[i] != "" {
				continue
			}
			lastSeq++
			if lastSeq > 999 {
				return wangge.E(wangge.EConflict, "error.plan.codes_used_up")
			}
			codes[i] = wangge.ChildCode(community, lastSeq)
			name := strings.TrimSpace(plan[i].Name)
			if name == "" {
				name = wangge.DefaultGridName(commName, lastSeq)
			}
			if _, err := tx.exec(`INSERT INTO areas (code, name, level, parent_code, address, phone, service_area, version, created_at, updated_at)
				VALUES (?, ?, ?, ?, '', '', '', 1, ?, ?)`, codes[i], name, wangge.LevelGrid, community, tx.now, tx.now); err != nil {
				return db.classify(err)
			}
			created = append(created, codes[i])
		}

		// Buildings move, everyone in them with them.
		moved := 0
		for i, p := range plan {
			ids := slices.Clone(p.Buildings)
			slices.Sort(ids)
			for _, b := range ids {
				if where[b] == codes[i] {
					continue
				}
				if err := tx.moveBuilding(b, -1, where[b], codes[i], reason); err != nil {
					return err
				}
				moved++
			}
		}

		// New outlines, where they changed.
		type outlineRow struct {
			Code    string `json:"code"`
			New     bool   `json:"new,omitempty"`
			Version int    `json:"outline_version,omitempty"`
			Bldgs   int    `json:"buildings"`
			HH      int    `json:"households"`
		}
		var rows []outlineRow
		for i, p := range plan {
			r := outlineRow{Code: codes[i], New: slices.Contains(created, codes[i]), Bldgs: len(p.Buildings)}
			for _, o := range overlaps[i] {
				r.HH += o.Households
			}
			v, err := tx.newOutline(codes[i], p.GeoJSON, validFrom)
			if err != nil {
				return err
			}
			r.Version = v
			rows = append(rows, r)
		}

		// Grids left without a plan are retired.
		var retired []string
		for _, g := range grids {
			if g.retired || slices.Contains(codes, g.code) {
				continue
			}
			if err := tx.retireGrid(g.code, codes, overlaps, outlines, validFrom); err != nil {
				return err
			}
			retired = append(retired, g.code)
		}
		return tx.audit("grids.redraw", "area", community, community, jsonDetail(map[string]any{
			"reason": reason, "valid_from": validFrom, "grids": rows, "created": created, "retired": retired, "moved_buildings": moved,
		}))
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// newOutline starts a new version of a grid's outline from validFrom, unless
// the current one is the same; it returns the new version (0 for none).
func (tx *Tx) newOutline(code, geojson string, validFrom time.Time) (int, error) {
	var last sql.Null[int]
	var lastFrom sql.Null[timeValue]
	if err := tx.queryRow(`SELECT MAX(version), MAX(valid_from) FROM boundaries WHERE area_code = ?`, code).Scan(&last, &lastFrom); err != nil {
		return 0, err
	}
	var cur string
	err := tx.queryRow(`SELECT geojson FROM boundaries WHERE area_code = ? AND valid_to IS NULL`, code).Scan(&cur)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	if err == nil && cur == geojson {
		return 0, nil
	}
	if lastFrom.Valid && !validFrom.After(lastFrom.V.Time) {
		return 0, wangge.Invalid("valid_from", "error.plan.outline_not_after", "Code", code)
	}
	if _, err := tx.exec(`UPDATE boundaries SET valid_to = ? WHERE area_code = ? AND valid_to IS NULL`, validFrom, code); err != nil {
		return 0, err
	}
	if _, err := tx.exec(`INSERT INTO boundaries (`+boundaryCols+`) VALUES (?, ?, ?, ?, NULL, ?, ?)`,
		code, last.V+1, geojson, validFrom, tx.actor.Username, tx.now); err != nil {
		return 0, tx.db.classify(err)
	}
	return last.V + 1, nil
}

// retireGrid retires a grid that a redraw left without buildings: its
// outline and its assistant's term end, and the units registered in it
// without a building go to the planned grid that took most of its
// households (or, failing that, the one its outline lies in).
func (tx *Tx) retireGrid(code string, codes []string, overlaps []map[string]wangge.Overlap, outlines []geom.Geometry, validFrom time.Time) error {
	to := -1
	for i, m := range overlaps {
		o := m[code]
		if o.Buildings > 0 && (to < 0 || o.Households > overlaps[to][code].Households ||
			o.Households == overlaps[to][code].Households && o.Buildings > overlaps[to][code].Buildings) {
			to = i
		}
	}
	var lastFrom sql.Null[timeValue]
	if err := tx.queryRow(`SELECT MAX(valid_from) FROM boundaries WHERE area_code = ?`, code).Scan(&lastFrom); err != nil {
		return err
	}
	if lastFrom.Valid && !validFrom.After(lastFrom.V.Time) {
		return wangge.Invalid("valid_from", "error.plan.not_after", "Code", code)
	}
	if to < 0 {
		to = 0
		var gj string
		err := tx.queryRow(`SELECT geojson FROM boundaries WHERE area_code = ? AND valid_to IS NULL`, code).Scan(&gj)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if a, perr := geo.ParseArea(code, gj); err == nil && perr == nil {
			pt := a.Geom.PointOnSurface().AsGeometry()
			for i, o := range outlines {
				if geom.Intersects(pt, o) {
					to = i
					break
				}
			}
		}
	}
	if _, err := tx.exec(`UPDATE units SET grid_code = ? WHERE grid_code = ?`, codes[to], code); err != nil {
		return err
	}
	if _, err := tx.exec(`UPDATE boundaries SET valid_to = ? WHERE area_code = ? AND valid_to IS NULL`, validFrom, code); err != nil {
		return err
	}
	// A term ends when the grid does, but never before it began.
	var terms []int64
	var starts []time.Time
	if err := tx.scan(func(rows *sql.Rows) error {
		var id int64
		var from timeValue
		err := rows.Scan(&id, &from)
		terms, starts = append(terms, id), append(starts, from.Time)
		return err
	}, `SELECT id, from_at FROM assignments WHERE grid_code = ? AND to_at IS NULL`, code); err != nil {
		return err
	}
	for i, id := range terms {
		end := validFrom
		if end.Before(starts[i]) {
			end = starts[i]
		}
		if _, err := tx.exec(`UPDATE assignments SET to_at = ? WHERE id = ?`, end, id); err != nil {
			return err
		}
	}
	_, err := tx.exec(`UPDATE areas SET retired_at = ?, version = version + 1, updated_at = ? WHERE code = ?`, validFrom, tx.now, code)
	return err
}

// scan runs a query in the transaction and hands each row to fn, closing
// the rows before it returns (SQLite's one connection needs them closed
// before the next statement).
func (tx *Tx) scan(fn func(*sql.Rows) error, q string, args ...any) error {
	rows, err := tx.query(q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
