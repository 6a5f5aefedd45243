package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

// The building head's reads (楼院长): the buildings his account heads and
// the public facts of the open cases located in them. The case store's
// sight (caseVisible) gives a building head only his own reports; his
// phone page also shows what else is open in his building and when it is
// due, so the neighbours who told him see it is in hand. That is a read of
// its own, narrower than any case read: number, category, state, the
// running deadline — never the reporter, the description, notes or the
// timeline, which may name a neighbour.
//
// An account is linked to the buildings it heads by the head's term: the
// current head (no end date) of a building in the account's grid whose
// name is the account's display name, as the administrator set both (the
// demo's building-head account is made so). building_heads has no account
// column, and a head who is not a resident has no person to link by.

// BuildingCasesMax bounds one read of a building head's open cases.
const BuildingCasesMax = 100

// headedBuildings is the condition that building id col is one the actor
// heads now, with its arguments; it matches nothing for any other role, an
// account without a name, or a scope that is not one grid.
func headedBuildings(a casework.Actor, col string) (string, []any) {
	if a.Role != wangge.RoleBuildingHead || a.UserID == 0 || a.Name == "" || wangge.LevelOf(a.ScopeCode) != wangge.LevelGrid {
		return "1 = 0", nil
	}
	lo, hi := wangge.ScopeOf(a.ScopeCode).Range()
	return col + ` IN (SELECT bh.building_id FROM building_heads bh JOIN buildings hb ON hb.id = bh.building_id
		WHERE bh.to_date IS NULL AND bh.name = ? AND hb.grid_code BETWEEN ? AND ?)`, []any{a.Name, lo, hi}
}

// HeadedBuildings returns the buildings the building head's account heads
// now, by name; none for any other actor.
func (db *DB) HeadedBuildings(ctx context.Context, a casework.Actor) ([]wangge.Building, error) {
	cond, args := headedBuildings(a, "b.id")
	return collect(ctx, db, `SELECT `+buildingCols+` FROM buildings b WHERE `+cond+` ORDER BY b.seq, b.id`, args,
		func(rows *sql.Rows) (wangge.Building, error) {
			b, err := scanBuilding(rows)
			if err != nil {
				return wangge.Building{}, err
			}
			return *b, nil
		})
}

// BuildingOpenCases returns the open cases located in the buildings the
// building head heads now, whoever reported them, the next due first, at
// most BuildingCasesMax. Each carries only its public facts: number,
// category, mechanism, state, the grid and building, when it came in and
// the running deadline; the reporter, the description, the receiver and
// the timeline are left out here, in the store, so no page can show them.
func (db *DB) BuildingOpenCases(ctx context.Context, a casework.Actor) ([]casework.Case, error) {
	cond, args := headedBuildings(a, "CAST("+db.caseDocField("Location", "BuildingID")+" AS BIGINT)")
	lo, hi := wangge.ScopeOf(a.ScopeCode).Range()
	// The grid range first: it is the cases' index, and a case in a
	// building lies in the building's grid.
	return collect(ctx, db, `SELECT c.number, c.version, c.doc FROM cases c
		WHERE c.grid_code BETWEEN ? AND ? AND `+caseOpen+` AND `+cond+`
		ORDER BY c.due_at ASC NULLS LAST, c.created_at DESC, c.id DESC LIMIT ?`,
		append(append([]any{lo, hi}, args...), BuildingCasesMax), func(rows *sql.Rows) (casework.Case, error) {
			var number, doc string
			var version int
			if err := rows.Scan(&number, &version, &doc); err != nil {
				return casework.Case{}, err
			}
			var c casework.Case
			if err := json.Unmarshal([]byte(doc), &c); err != nil {
				return casework.Case{}, err
			}
			return publicCase(&c, number, version), nil
		})
}

// publicCase is what anyone in the building may know of a case.
func publicCase(c *casework.Case, number string, version int) casework.Case {
	out := casework.Case{
		Number: number, Source: c.Source, Mechanism: c.Mechanism, Priority: c.Priority, State: c.State, Level: c.Level,
		Category: casework.Category{Code: c.Category.Code, Kind: c.Category.Kind, Name: c.Category.Name, NameEn: c.Category.NameEn,
			Line: c.Category.Line, Mechanism: c.Category.Mechanism},
		Location:  casework.Location{GridCode: c.Location.GridCode, BuildingID: c.Location.BuildingID},
		CreatedAt: c.CreatedAt, Version: version,
	}
	if d := c.Running(); d != nil {
		out.Deadlines = []casework.Deadline{*d}
	}
	return out
}
