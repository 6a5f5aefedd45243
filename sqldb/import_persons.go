package sqldb

import (
	"bytes"
	"strings"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/msg"
)

// personColumns maps the fields of domain errors about persons and
// households to ledger columns.
var personColumns = map[string]string{
	"name": "name", "id_number": "id_number", "phone": "phone", "relation": "relation", "kind": "person_kind",
	"employment": "employment", "room": "room", "building_id": "building_code", "household_id": "room",
}

// persons imports a batch of persons with their households.
func (im *importer) persons(rows []wangge.ImportRow) error {
	n := len(rows)
	box := im.db.box
	bs := make([]*importBuilding, n)
	for i := range rows {
		r := &rows[i]
		if len(r.Errors) == 0 && r.Person != nil {
			p := r.Person
			bs[i] = im.building(p.BuildingCode, p.GridCode, p.BuildingName)
		}
	}
	// Blind indexes, in parallel: they find stored persons and compare
	// phones without decrypting anything.
	idIdx, phoneIdx, houseIdx := make([][][]byte, n), make([][][]byte, n), make([][][]byte, n)
	parallel(n, func(i int) {
		if bs[i] == nil || bs[i].err != nil {
			return
		}
		p := rows[i].Person
		idIdx[i] = box.Indexes(fPersonID, p.IDNumber)
		phoneIdx[i] = box.Indexes(fPersonPhone, p.Phone)
		houseIdx[i] = box.Indexes(fHouseholdPh, p.HousePhone)
	})
	existing, err := im.lookupPersons(idIdx)
	if err != nil {
		return err
	}
	for i := range rows {
		r := &rows[i]
		switch {
		case len(r.Errors) > 0 || r.Person == nil:
			im.reject(r, r.Errors...)
		case bs[i].err != nil:
			im.reject(r, *bs[i].err)
		default:
			var ex *existingPerson
			for _, x := range idIdx[i] {
				if e, ok := existing[string(x)]; ok {
					ex = e
					break
				}
			}
			if err := im.person(r, bs[i], ex, phoneIdx[i], houseIdx[i]); err != nil {
				return err
			}
		}
	}
	return im.flushPersons()
}

// lookupPersons finds the stored persons with any of the indexes.
func (im *importer) lookupPersons(idx [][][]byte) (map[string]*existingPerson, error) {
	var all []any
	for _, xs := range idx {
		for _, x := range xs {
			all = append(all, x)
		}
	}
	out := map[string]*existingPerson{}
	const chunk = 500
	for len(all) > 0 {
		part := all[:min(chunk, len(all))]
		all = all[len(part):]
		q := `SELECT id, household_id, grid_code, name, id_idx, phone_idx, relation, kind, ethnicity, party, employment, note, version
			FROM persons WHERE id_idx IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", ") + `)`
		st, err := im.stmt(q)
		if err != nil {
			return nil, err
		}
		rows, err := st.QueryContext(im.tx.ctx, part...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var e existingPerson
			if err := rows.Scan(&e.id, &e.householdID, &e.grid, &e.name, &e.idIdx, &e.phoneIdx, &e.relation, &e.kind, &e.ethnicity, &e.party,
				&e.employment, &e.note, &e.version); err != nil {
				rows.Close()
				return nil, err
			}
			out[string(e.idIdx)] = &e
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// householdsOf returns the households of a building, read once per import.
func (im *importer) householdsOf(buildingID int64) ([]*importHousehold, error) {
	if hs, ok := im.households[buildingID]; ok {
		return hs, nil
	}
	st, err := im.stmt(`SELECT id, grid_code, entrance, room, number, kind, phone_idx FROM households WHERE building_id = ?`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(im.tx.ctx, buildingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	hs := []*importHousehold{}
	for rows.Next() {
		h := &importHousehold{buildingID: buildingID}
		if err := rows.Scan(&h.id, &h.grid, &h.entrance, &h.room, &h.number, &h.kind, &h.phoneIdx); err != nil {
			return nil, err
		}
		hs = append(hs, h)
	}
	// A district has some hundred thousand households; past that many
	// cached, start afresh rather than grow without bound.
	if len(im.households) > 20000 && !im.dry {
		im.households = map[int64][]*importHousehold{}
	}
	im.households[buildingID] = hs
	return hs, rows.Err()
}

func hasIndex(idx [][]byte, stored []byte) bool {
	for _, x := range idx {
		if bytes.Equal(x, stored) {
			return true
		}
	}
	return false
}

// person decides one row and applies it: everything that could reject the
// row is checked before anything is written for it.
func (im *importer) person(r *wangge.ImportRow, b *importBuilding, ex *existingPerson, phoneIdx, houseIdx [][]byte) error {
	p := r.Person
	if ex != nil && !im.inScope(ex.grid) {
		im.reject(r, detail("id_number", "error.import.not_here"))
		return nil
	}
	// The household: matched by entrance, room and number.
	hs, err := im.householdsOf(b.id)
	if err != nil {
		return err
	}
	dwellings := make([]wangge.Dwelling, len(hs))
	for i, h := range hs {
		dwellings[i] = wangge.Dwelling{Entrance: h.entrance, Room: h.room, Number: h.number}
	}
	var hh *importHousehold
	if i, err := wangge.MatchHousehold(dwellings, wangge.Dwelling{Entrance: p.Entrance, Room: p.Room, Number: p.Number}); err != nil {
		im.reject(r, domainDetail(err, personColumns))
		return nil
	} else if i >= 0 {
		hh = hs[i]
	}
	// Later rows of a household may not contradict its first row.
	if hh != nil {
		if f := im.houseRows[hh.id]; f != nil {
			var errs []wangge.ErrorDetail
			if p.HouseKind != "" && f.kind != "" && p.HouseKind != f.kind {
				errs = append(errs, detail("house_kind", "error.import.household_differs", "Line", f.line))
			}
			if p.HousePhone != "" && f.phone != "" && p.HousePhone != f.phone {
				errs = append(errs, detail("house_phone", "error.import.household_differs", "Line", f.line))
			}
			if len(errs) > 0 {
				im.reject(r, errs...)
				return nil
			}
		}
	}
	// The person, merged with what is stored: an empty cell keeps it.
	var np *wangge.Person
	status := wangge.ImportUnchanged
	var upd []any
	var notes []wangge.ErrorDetail
	phoneChanged := false
	changed := []string{} // the person's fields the row changes, for the audit
	if ex == nil {
		np = &wangge.Person{HouseholdID: 1, GridCode: b.grid, Name: p.Name, IDNumber: p.IDNumber, Phone: p.Phone, Relation: p.Relation,
			Kind: p.Kind, Ethnicity: p.Ethnicity, Employment: p.Employment, Note: p.Note}
		if p.Party != nil {
			np.Party = *p.Party
		}
		if err := np.Normalize(); err != nil {
			im.reject(r, domainDetail(err, personColumns))
			return nil
		}
		status = wangge.ImportAdded
	} else {
		m := *ex
		set := func(field string, dst *string, v string) {
			if wangge.KeepOrSet(dst, v) {
				status = wangge.ImportUpdated
				changed = append(changed, field)
			}
		}
		set("name", &m.name, p.Name)
		rel, kind := string(m.relation), string(m.kind)
		set("relation", &rel, string(p.Relation))
		set("kind", &kind, string(p.Kind))
		m.relation, m.kind = wangge.Relation(rel), wangge.ResidenceKind(kind)
		set("ethnicity", &m.ethnicity, p.Ethnicity)
		set("employment", &m.employment, p.Employment)
		set("note", &m.note, p.Note)
		if p.Party != nil && *p.Party != m.party {
			m.party = *p.Party
			status = wangge.ImportUpdated
			changed = append(changed, "party")
		}
		if p.Phone != "" && !hasIndex(phoneIdx, ex.phoneIdx) {
			phoneChanged = true
			status = wangge.ImportUpdated
			changed = append(changed, "phone")
		}
		if status == wangge.ImportUpdated {
			upd = []any{m.name, m.relation, m.kind, m.ethnicity, m.party, m.employment, m.note, im.tx.now}
			if phoneChanged {
				upd = append(upd, im.db.box.Seal(fPersonPhone, p.Phone), im.db.box.Index(fPersonPhone, p.Phone))
			}
			upd = append(upd, ex.id)
		}
	}

	// Apply. First the household.
	if hh == nil {
		id, err := im.nextHouseholdID()
		if err != nil {
			return err
		}
		kind := p.HouseKind
		if kind == "" {
			kind = wangge.ResidentRegistered
		}
		hh = &importHousehold{id: id, buildingID: b.id, grid: b.grid, entrance: p.Entrance, room: p.Room, number: p.Number, kind: kind,
			phone: p.HousePhone, pending: true}
		if err := (&wangge.Household{BuildingID: b.id, Entrance: hh.entrance, Room: hh.room, Number: hh.number, Kind: kind}).Validate(); err != nil {
			im.reject(r, domainDetail(err, personColumns))
			return nil
		}
		im.households[b.id] = append(hs, hh)
		im.newHouses = append(im.newHouses, hh)
		im.houseRows[hh.id] = &houseFirst{line: r.Line, kind: p.HouseKind, phone: p.HousePhone, number: p.Number}
		im.counts.Households++
		im.record("household", hh.id, hh.grid, wangge.ImportAdded, setFields("entrance", hh.entrance, "room", hh.room, "number", hh.number,
			"kind", string(hh.kind), "phone", p.HousePhone))
		if status == wangge.ImportUnchanged {
			status = wangge.ImportUpdated
		}
	} else {
		f := im.houseRows[hh.id]
		if f == nil {
			f = &houseFirst{line: r.Line}
			im.houseRows[hh.id] = f
		}
		if f.kind == "" {
			f.kind = p.HouseKind
		}
		if f.phone == "" {
			f.phone = p.HousePhone
		}
		kindChanged := p.HouseKind != "" && p.HouseKind != hh.kind
		phoneChanged := p.HousePhone != "" && !hasIndex(houseIdx, hh.phoneIdx) && (!hh.pending || hh.phone != p.HousePhone)
		numberSet := p.Number != "" && hh.number == ""
		if kindChanged || phoneChanged || numberSet {
			if kindChanged {
				hh.kind = p.HouseKind
			}
			if numberSet {
				hh.number = p.Number
			}
			if phoneChanged {
				hh.phone, hh.phoneIdx = p.HousePhone, im.db.box.Index(fHouseholdPh, p.HousePhone)
			}
			if !hh.pending {
				var hf []string
				for _, c := range []struct {
					on    bool
					field string
				}{{kindChanged, "kind"}, {numberSet, "number"}, {phoneChanged, "phone"}} {
					if c.on {
						hf = append(hf, c.field)
					}
				}
				im.record("household", hh.id, hh.grid, wangge.ImportUpdated, hf)
				q, args := `UPDATE households SET kind = ?, number = ?, version = version + 1, updated_at = ? WHERE id = ?`, []any{hh.kind, hh.number, im.tx.now, hh.id}
				if phoneChanged {
					q = `UPDATE households SET kind = ?, number = ?, phone_enc = ?, phone_idx = ?, version = version + 1, updated_at = ? WHERE id = ?`
					args = []any{hh.kind, hh.number, im.db.box.Seal(fHouseholdPh, p.HousePhone), hh.phoneIdx, im.tx.now, hh.id}
				}
				if err := im.exec(q, args...); err != nil {
					return err
				}
			}
			if status == wangge.ImportUnchanged {
				status = wangge.ImportUpdated
			}
		}
	}

	// Then the person.
	switch {
	case ex == nil:
		np.HouseholdID, np.GridCode = hh.id, hh.grid
		if !im.dry {
			if np.ID, err = im.nextPersonID(); err != nil {
				return err
			}
		}
		im.newPersons = append(im.newPersons, &importPerson{p: np})
		im.record("person", np.ID, np.GridCode, wangge.ImportAdded, setFields("name", np.Name, "id_number", np.IDNumber, "phone", np.Phone,
			"relation", string(np.Relation), "kind", string(np.Kind), "ethnicity", np.Ethnicity, "employment", np.Employment, "note", np.Note))
	default:
		if ex.householdID != hh.id {
			if err := im.movePerson(ex, hh); err != nil {
				return err
			}
			status = wangge.ImportUpdated
			changed = append(changed, "household")
			notes = append(notes, detail("id_number", "note.import.moved_in"))
		}
		if upd != nil {
			q := `UPDATE persons SET name = ?, relation = ?, kind = ?, ethnicity = ?, party = ?, employment = ?, note = ?, version = version + 1, updated_at = ? WHERE id = ?`
			if phoneChanged {
				q = `UPDATE persons SET name = ?, relation = ?, kind = ?, ethnicity = ?, party = ?, employment = ?, note = ?, version = version + 1, updated_at = ?,
					phone_enc = ?, phone_idx = ? WHERE id = ?`
			}
			if err := im.exec(q, upd...); err != nil {
				return err
			}
		}
		if len(changed) > 0 {
			im.record("person", ex.id, hh.grid, wangge.ImportUpdated, changed)
		}
	}
	im.report(r, wangge.ImportOutcome{Status: status, Notes: notes})
	return nil
}

// movePerson moves a stored person to another household as MovePerson
// does: history row, memberships follow, one audit entry.
func (im *importer) movePerson(ex *existingPerson, hh *importHousehold) error {
	if hh.pending {
		if err := im.flushHouseholds(); err != nil {
			return err
		}
	}
	reason := msg.Text("zh", "import.move_reason", map[string]any{"File": im.opt.File})
	if err := im.exec(`UPDATE persons SET household_id = ?, grid_code = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		hh.id, hh.grid, im.tx.now, ex.id); err != nil {
		return err
	}
	if err := im.exec(`UPDATE memberships SET grid_code = ? WHERE person_id = ?`, hh.grid, ex.id); err != nil {
		return err
	}
	if err := im.exec(`INSERT INTO person_moves (person_id, from_household, to_household, from_grid, to_grid, at, by_user, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		ex.id, ex.householdID, hh.id, ex.grid, hh.grid, im.tx.now, im.tx.actor.Username, reason); err != nil {
		return err
	}
	if im.dry {
		return nil
	}
	return im.tx.audit("person.move", "person", ex.id, hh.grid, jsonDetail(map[string]any{"from_household": ex.householdID, "to_household": hh.id, "reason": reason}))
}

var (
	importHouseCols  = []string{"id", "building_id", "grid_code", "entrance", "room", "number", "kind", "phone_enc", "phone_idx", "note", "version", "created_at", "updated_at"}
	importPersonCols = []string{"id", "household_id", "grid_code", "name", "id_enc", "id_idx", "phone_enc", "phone_idx", "relation", "kind", "ethnicity", "party", "employment", "note", "birth_date", "sex", "version", "created_at", "updated_at"}
)

// flushHouseholds writes the new households.
func (im *importer) flushHouseholds() error {
	hs := im.newHouses
	if len(hs) == 0 {
		return nil
	}
	sealed := make([][]byte, len(hs))
	parallel(len(hs), func(i int) {
		if !im.dry {
			sealed[i] = im.db.box.Seal(fHouseholdPh, hs[i].phone)
		}
		if hs[i].phone != "" && hs[i].phoneIdx == nil {
			hs[i].phoneIdx = im.db.box.Index(fHouseholdPh, hs[i].phone)
		}
	})
	if im.dry {
		for _, h := range hs {
			h.pending, h.phone = false, ""
		}
		im.newHouses = im.newHouses[:0]
		return nil
	}
	args := make([]any, 0, len(hs)*len(importHouseCols))
	now := im.tx.now
	for i, h := range hs {
		args = append(args, h.id, h.buildingID, h.grid, h.entrance, h.room, h.number, h.kind, sealed[i], h.phoneIdx, "", 1, now, now)
		h.pending, h.phone = false, ""
	}
	im.newHouses = im.newHouses[:0]
	return im.insert("households", importHouseCols, args)
}

// flushPersons writes the new households and persons, sealing in parallel.
func (im *importer) flushPersons() error {
	if err := im.flushHouseholds(); err != nil {
		return err
	}
	ps := im.newPersons
	if len(ps) == 0 || im.dry {
		im.newPersons = im.newPersons[:0]
		return nil
	}
	type sealedPerson struct{ idEnc, idIdx, phEnc, phIdx []byte }
	sealed := make([]sealedPerson, len(ps))
	box := im.db.box
	parallel(len(ps), func(i int) {
		p := ps[i].p
		sealed[i] = sealedPerson{box.Seal(fPersonID, p.IDNumber), box.Index(fPersonID, p.IDNumber), box.Seal(fPersonPhone, p.Phone), box.Index(fPersonPhone, p.Phone)}
	})
	args := make([]any, 0, len(ps)*len(importPersonCols))
	now := im.tx.now
	for i, x := range ps {
		p, s := x.p, sealed[i]
		args = append(args, p.ID, p.HouseholdID, p.GridCode, p.Name, s.idEnc, s.idIdx, s.phEnc, s.phIdx, p.Relation, p.Kind, p.Ethnicity, p.Party,
			p.Employment, p.Note, p.BirthDate, int(p.Sex), 1, now, now)
	}
	im.newPersons = im.newPersons[:0]
	return im.insert("persons", importPersonCols, args)
}

// insert writes rows with multi-row INSERTs, a prepared statement for
// each full chunk.
func (im *importer) insert(table string, cols []string, args []any) error {
	b := &batch{table: table, cols: cols}
	b.max = min(500, im.db.d.MaxParams/len(cols))
	rows := len(args) / len(cols)
	for rows > 0 {
		n := min(rows, b.max)
		var err error
		if n == b.max {
			err = im.exec(b.insertSQL(n), args[:n*len(cols)]...)
		} else {
			_, err = im.tx.exec(b.insertSQL(n), args[:n*len(cols)]...)
		}
		if err != nil {
			return im.db.classify(err)
		}
		args, rows = args[n*len(cols):], rows-n
	}
	return nil
}

// setFields returns the names of the fields, given as name-value pairs,
// whose values are not empty: what a new record was given.
func setFields(kv ...string) []string {
	out := []string{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			out = append(out, kv[i])
		}
	}
	return out
}
