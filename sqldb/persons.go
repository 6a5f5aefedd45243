package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

const personCols = `p.id, p.household_id, p.grid_code, p.name, p.id_enc, p.phone_enc, p.relation, p.kind, p.ethnicity, p.party, p.employment, p.note, p.birth_date, p.sex, p.version, p.created_at, p.updated_at`

// scanPerson reads a person; reveal decides whether the ID number and phone
// come back in full or masked.
func (db *DB) scanPerson(row interface{ Scan(...any) error }, reveal bool) (*wangge.Person, error) {
	var ps personScan
	if err := row.Scan(ps.dest()...); err != nil {
		return nil, err
	}
	return db.openPerson(&ps, reveal)
}

// personScan holds the columns of personCols as scanned, so that a query
// reading a person with other columns can scan them all in one go.
type personScan struct {
	p                       wangge.Person
	idEnc, phoneEnc         []byte
	birth, created, updated timeValue
}

func (ps *personScan) dest() []any {
	p := &ps.p
	return []any{&p.ID, &p.HouseholdID, &p.GridCode, &p.Name, &ps.idEnc, &ps.phoneEnc, &p.Relation, &p.Kind, &p.Ethnicity, &p.Party,
		&p.Employment, &p.Note, &ps.birth, &p.Sex, &p.Version, &ps.created, &ps.updated}
}

// openPerson finishes a scanned person: times, and the ID number and phone
// opened, masked unless reveal.
func (db *DB) openPerson(ps *personScan, reveal bool) (*wangge.Person, error) {
	p := ps.p
	p.BirthDate, p.CreatedAt, p.UpdatedAt = ps.birth.Time, ps.created.Time, ps.updated.Time
	maskI, maskP := maskID, maskPhone
	if reveal {
		maskI, maskP = plain, plain
	}
	var err error
	if p.IDNumber, err = db.openMasked(fPersonID, ps.idEnc, maskI); err != nil {
		return nil, err
	}
	if p.Phone, err = db.openMasked(fPersonPhone, ps.phoneEnc, maskP); err != nil {
		return nil, err
	}
	return &p, nil
}

// errNoHousehold is the refusal of a household that does not exist or lies
// outside the writer's scope: the two read the same.
var errNoHousehold = wangge.Invalid("household_id", "error.household.none")

// householdGrid returns the grid of a household the scope may change.
func (tx *Tx) householdGrid(s wangge.Scope, id int64) (string, error) {
	var grid string
	err := tx.queryRow(`SELECT grid_code FROM households WHERE id = ?`, id).Scan(&grid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNoHousehold
	} else if err != nil {
		return "", err
	}
	return grid, mayChange(s, grid, errNoHousehold)
}

// personGrid returns the grid of a person the scope may change, and
// ErrNotFound for one it may not.
func (tx *Tx) personGrid(s wangge.Scope, id int64) (household int64, grid string, err error) {
	err = tx.queryRow(`SELECT household_id, grid_code FROM persons WHERE id = ?`, id).Scan(&household, &grid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", wangge.ErrNotFound
	} else if err != nil {
		return 0, "", err
	}
	return household, grid, mayChange(s, grid, wangge.ErrNotFound)
}

// idTaken is the conflict for an ID number already on file.
var idTaken = &wangge.Error{Code: wangge.EConflict, Field: "id_number", Key: "error.person.id_taken"}

// CreatePerson adds a person to a household.
func (db *DB) CreatePerson(ctx context.Context, s wangge.Scope, p *wangge.Person) error {
	if err := p.Normalize(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		grid, err := tx.householdGrid(s, p.HouseholdID)
		if err != nil {
			return err
		}
		if taken, err := tx.idNumberTaken(p.IDNumber, 0); err != nil {
			return err
		} else if taken {
			return idTaken
		}
		p.GridCode, p.Version, p.CreatedAt, p.UpdatedAt = grid, 1, tx.now, tx.now
		err = tx.queryRow(`INSERT INTO persons (household_id, grid_code, name, id_enc, id_idx, phone_enc, phone_idx, relation, kind, ethnicity, party, employment, note, birth_date, sex, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
			p.HouseholdID, grid, p.Name, db.box.Seal(fPersonID, p.IDNumber), db.box.Index(fPersonID, p.IDNumber),
			db.box.Seal(fPersonPhone, p.Phone), db.box.Index(fPersonPhone, p.Phone), p.Relation, p.Kind, p.Ethnicity, p.Party, p.Employment, p.Note,
			p.BirthDate, int(p.Sex), tx.now, tx.now).Scan(&p.ID)
		if err != nil {
			return db.classify(err, idTaken)
		}
		p.IDNumber, p.Phone = maskID(p.IDNumber), maskPhone(p.Phone)
		return tx.audit("person.create", "person", p.ID, grid, jsonDetail(map[string]any{"household_id": p.HouseholdID}))
	})
}

// Person returns a person within the scope, ID number and phone masked.
func (db *DB) Person(ctx context.Context, s wangge.Scope, id int64) (*wangge.Person, error) {
	c, a := people("p.grid_code", s)
	p, err := db.scanPerson(db.queryRow(ctx, `SELECT `+personCols+` FROM persons p WHERE p.id = ? AND `+c, append([]any{id}, a...)...), false)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	}
	return p, err
}

// RevealPerson returns a person in full and audits who asked and why. A
// user who has revealed RevealsPerHour values in the last hour is refused
// (the operator's tools, acting as the system, are not);
// counting and recording happen in one write transaction, so concurrent
// requests cannot slip past the limit.
func (db *DB) RevealPerson(ctx context.Context, s wangge.Scope, id int64, reason string) (*wangge.Person, error) {
	reason, err := wangge.CheckReason(reason)
	if err != nil {
		return nil, err
	}
	var p *wangge.Person
	err = db.inTx(ctx, func(tx *Tx) error {
		// The one hourly limit a reporter's contact counts against too
		// (case_reveal.go).
		n, err := tx.revealsLastHour()
		if err != nil {
			return err
		}
		if err := wangge.CheckRevealRate(tx.actor, n); err != nil {
			return err
		}
		c, a := people("p.grid_code", s)
		p, err = db.scanPerson(tx.queryRow(`SELECT `+personCols+` FROM persons p WHERE p.id = ? AND `+c, append([]any{id}, a...)...), true)
		if errors.Is(err, sql.ErrNoRows) {
			return wangge.ErrNotFound
		} else if err != nil {
			return err
		}
		return tx.audit("person.reveal", "person", id, p.GridCode, jsonDetail(map[string]any{"reason": reason}))
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// UpdatePerson changes a person's details. An empty or masked ID number or
// phone keeps the stored value; a new ID number re-derives birth date and sex.
func (db *DB) UpdatePerson(ctx context.Context, s wangge.Scope, p *wangge.Person) error {
	keepID := p.IDNumber == "" || masked(p.IDNumber)
	keepPhone := p.Phone == "" || masked(p.Phone)
	return db.inTx(ctx, func(tx *Tx) error {
		var idEnc, phoneEnc []byte
		var grid string
		if err := tx.queryRow(`SELECT id_enc, phone_enc, grid_code FROM persons WHERE id = ?`, p.ID).Scan(&idEnc, &phoneEnc, &grid); errors.Is(err, sql.ErrNoRows) {
			return wangge.ErrNotFound
		} else if err != nil {
			return err
		}
		if err := mayChange(s, grid, wangge.ErrNotFound); err != nil {
			return err
		}
		var err error
		if keepID {
			if p.IDNumber, err = db.box.Open(fPersonID, idEnc); err != nil {
				return err
			}
		}
		if keepPhone {
			if p.Phone, err = db.box.Open(fPersonPhone, phoneEnc); err != nil {
				return err
			}
		}
		if err := p.Normalize(); err != nil {
			return err
		}
		if taken, err := tx.idNumberTaken(p.IDNumber, p.ID); err != nil {
			return err
		} else if taken {
			return idTaken
		}
		err = tx.updateUnique(idTaken, "persons", "id", p.ID, `UPDATE persons SET name = ?, id_enc = ?, id_idx = ?, phone_enc = ?, phone_idx = ?, relation = ?, kind = ?,
			ethnicity = ?, party = ?, employment = ?, note = ?, birth_date = ?, sex = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ? AND household_id = ?`,
			p.Name, db.box.Seal(fPersonID, p.IDNumber), db.box.Index(fPersonID, p.IDNumber), db.box.Seal(fPersonPhone, p.Phone), db.box.Index(fPersonPhone, p.Phone),
			p.Relation, p.Kind, p.Ethnicity, p.Party, p.Employment, p.Note, p.BirthDate, int(p.Sex), tx.now, p.ID, p.Version, p.HouseholdID)
		if err != nil {
			return err
		}
		p.Version++
		p.UpdatedAt = tx.now
		p.IDNumber, p.Phone = maskID(p.IDNumber), maskPhone(p.Phone)
		tx.queryRow(`SELECT grid_code FROM persons WHERE id = ?`, p.ID).Scan(&p.GridCode)
		return tx.audit("person.update", "person", p.ID, p.GridCode, jsonDetail(map[string]any{"id_changed": !keepID, "phone_changed": !keepPhone}))
	})
}

// MovePerson moves a person to another household, keeping the history.
func (db *DB) MovePerson(ctx context.Context, s wangge.Scope, id int64, version int, toHousehold int64, reason string) error {
	reason, err := wangge.CheckReason(reason)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		from, fromGrid, err := tx.personGrid(s, id)
		if err != nil {
			return err
		}
		toGrid, err := tx.householdGrid(s, toHousehold)
		if err != nil {
			return err
		}
		if from == toHousehold {
			return wangge.Invalid("household_id", "error.person.already_in_household")
		}
		if err := tx.update("persons", "id", id, `UPDATE persons SET household_id = ?, grid_code = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			toHousehold, toGrid, tx.now, id, version); err != nil {
			return err
		}
		if _, err := tx.exec(`UPDATE memberships SET grid_code = ? WHERE person_id = ?`, toGrid, id); err != nil {
			return err
		}
		if _, err := tx.exec(`INSERT INTO person_moves (person_id, from_household, to_household, from_grid, to_grid, at, by_user, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			id, from, toHousehold, fromGrid, toGrid, tx.now, tx.actor.Username, reason); err != nil {
			return err
		}
		return tx.audit("person.move", "person", id, toGrid, jsonDetail(map[string]any{"from_household": from, "to_household": toHousehold, "reason": reason}))
	})
}

// DeletePerson removes a person and their memberships (a correction, or a
// deletion the person asked for); the audit entry keeps the reason.
func (db *DB) DeletePerson(ctx context.Context, s wangge.Scope, id int64, version int, reason string) error {
	reason, err := wangge.CheckReason(reason)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		_, grid, err := tx.personGrid(s, id)
		if err != nil {
			return err
		}
		if _, err := tx.exec(`UPDATE building_heads SET person_id = NULL WHERE person_id = ?`, id); err != nil {
			return err
		}
		if err := tx.update("persons", "id", id, `DELETE FROM persons WHERE id = ? AND version = ?`, id, version); err != nil {
			return err
		}
		return tx.audit("person.delete", "person", id, grid, jsonDetail(map[string]any{"reason": reason}))
	})
}

// ListPersons lists persons in the scope, masked. Lookup by ID number or
// phone goes through the blind index.
func (db *DB) ListPersons(ctx context.Context, s wangge.Scope, f wangge.PersonFilter) ([]wangge.Person, int, error) {
	var w where
	w.people("p.grid_code", s.Narrow(f.GridCode))
	if f.HouseholdID != 0 {
		w.add("p.household_id = ?", f.HouseholdID)
	}
	if f.Name != "" {
		w.add(`p.name LIKE ? ESCAPE '\'`, likeEscape(f.Name)+"%")
	}
	if f.IDNumber != "" {
		id, err := ident.ParseID(f.IDNumber)
		if err != nil {
			return nil, 0, nil // no valid number can match
		}
		c, a := db.matchIndex("p.id_idx", fPersonID, string(id))
		w.add(c, a...)
	}
	if f.Phone != "" {
		ph, err := ident.ParsePhone(f.Phone)
		if err != nil {
			return nil, 0, nil
		}
		c, a := db.matchIndex("p.phone_idx", fPersonPhone, string(ph))
		w.add(c, a...)
	}
	return page(ctx, db, "persons p", `SELECT `+personCols+` FROM persons p`, &w, "p.grid_code, p.household_id, p.id", f.Page,
		func(rows *sql.Rows) (wangge.Person, error) { return deref(db.scanPerson(rows, false)) })
}

// PersonMoves returns the person's moves, oldest first.
func (db *DB) PersonMoves(ctx context.Context, s wangge.Scope, id int64) ([]wangge.Move, error) {
	if _, err := db.Person(ctx, s, id); err != nil {
		return nil, err
	}
	return db.moves(ctx, `SELECT id, person_id, from_household, to_household, from_grid, to_grid, at, by_user, reason FROM person_moves WHERE person_id = ? ORDER BY at, id`, id)
}
