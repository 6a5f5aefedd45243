package sqldb

import (
	"database/sql"
	"errors"

	"github.com/wangge/wangge"
)

// unitColumns maps the fields of domain errors about units to ledger
// columns.
var unitColumns = map[string]string{
	"name": "unit_name", "credit_code": "credit_code", "kind": "unit_kind", "party_members": "party_members",
	"contact_phone": "phone", "grid_code": "grid_code",
}

// grid checks that a grid exists, is not retired and lies in scope.
func (im *importer) grid(code string) error {
	if err, ok := im.grids[code]; ok {
		return err
	}
	err := im.tx.activeGrid("grid_code", code)
	if err == nil && !im.inScope(code) {
		err = wangge.Invalid("grid_code", "error.import.grid_outside", "Code", code)
	}
	var e *wangge.Error
	if err != nil && !errors.As(err, &e) {
		return err // the database failed
	}
	im.grids[code] = err
	return err
}

// units imports a batch of units, one at a time: a district has a few
// thousand.
func (im *importer) units(rows []wangge.ImportRow) error {
	for i := range rows {
		r := &rows[i]
		if len(r.Errors) > 0 || r.Unit == nil {
			im.reject(r, r.Errors...)
			continue
		}
		if err := im.unit(r); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) unit(r *wangge.ImportRow) error {
	u := r.Unit
	grid := u.GridCode
	var buildingID *int64
	if u.BuildingCode != "" {
		b := im.building(u.BuildingCode, "", "")
		if b.err != nil {
			im.reject(r, *b.err)
			return nil
		}
		grid, buildingID = b.grid, &b.id
	}
	if err := im.grid(grid); err != nil {
		var e *wangge.Error
		if !errors.As(err, &e) {
			return err
		}
		im.reject(r, domainDetail(err, unitColumns))
		return nil
	}
	// The stored unit: by credit code, else by grid and name.
	var cur *wangge.Unit
	var err error
	if u.CreditCode != "" {
		cur, err = im.scanUnit(`SELECT `+unitCols+` FROM units u WHERE u.credit_code = ?`, u.CreditCode)
	}
	if cur == nil && err == nil {
		cur, err = im.scanUnit(`SELECT `+unitCols+` FROM units u WHERE u.grid_code = ? AND u.name = ?`, grid, u.Name)
		if errors.Is(err, errAmbiguous) {
			im.reject(r, detail("unit_name", "error.import.unit_ambiguous"))
			return nil
		}
		if cur != nil && u.CreditCode != "" && cur.CreditCode != "" && cur.CreditCode != u.CreditCode {
			cur = nil // another unit of the same name
		}
	}
	if err != nil {
		return err
	}
	if cur != nil && !im.inScope(cur.GridCode) {
		im.reject(r, detail("credit_code", "error.import.not_here"))
		return nil
	}
	if cur == nil {
		n := wangge.Unit{GridCode: grid, BuildingID: buildingID, Name: u.Name, CreditCode: u.CreditCode, Kind: u.Kind, PartyOrg: u.PartyOrg,
			Address: u.Address, ContactName: u.ContactName, ContactPhone: u.ContactPhone}
		if u.Headcount != nil {
			n.Headcount = *u.Headcount
		}
		if u.PartyMembers != nil {
			n.PartyMembers = *u.PartyMembers
		}
		if n.Kind == "" {
			im.reject(r, detail("unit_kind", "error.import.unit_kind"))
			return nil
		}
		if err := n.Normalize(); err != nil {
			im.reject(r, domainDetail(err, unitColumns))
			return nil
		}
		var id int64
		if !im.dry {
			if id, err = im.ids("units").next(im); err != nil {
				return err
			}
		}
		if err := im.exec(`INSERT INTO units (id, grid_code, building_id, name, credit_code, kind, headcount, party_org, party_members, address, contact_name, contact_phone_enc, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
			id, n.GridCode, nullInt(n.BuildingID), n.Name, nullStr(n.CreditCode), n.Kind, n.Headcount, n.PartyOrg, n.PartyMembers, n.Address,
			n.ContactName, im.db.box.Seal(fUnitPhone, n.ContactPhone), im.tx.now, im.tx.now); err != nil {
			return im.db.classify(err)
		}
		headcount, members := "", ""
		if u.Headcount != nil {
			headcount = "set"
		}
		if u.PartyMembers != nil {
			members = "set"
		}
		im.record("unit", id, n.GridCode, wangge.ImportAdded, setFields("name", n.Name, "credit_code", n.CreditCode, "kind", string(n.Kind),
			"headcount", headcount, "party_org", n.PartyOrg, "party_members", members, "address", n.Address, "contact_name", n.ContactName, "contact_phone", n.ContactPhone))
		im.report(r, wangge.ImportOutcome{Status: wangge.ImportAdded})
		return nil
	}
	// Merge: an empty cell keeps the stored value.
	m := *cur
	changed := false
	var fields []string // for the audit
	str := func(field string, dst *string, v string) {
		if v != "" && v != *dst {
			*dst, changed = v, true
			fields = append(fields, field)
		}
	}
	num := func(field string, dst *int, v *int) {
		if v != nil && *v != *dst {
			*dst, changed = *v, true
			fields = append(fields, field)
		}
	}
	str("name", &m.Name, u.Name)
	str("credit_code", &m.CreditCode, u.CreditCode)
	str("grid_code", &m.GridCode, grid)
	kind := string(m.Kind)
	str("kind", &kind, string(u.Kind))
	m.Kind = wangge.UnitKind(kind)
	num("headcount", &m.Headcount, u.Headcount)
	num("party_members", &m.PartyMembers, u.PartyMembers)
	str("party_org", &m.PartyOrg, u.PartyOrg)
	str("address", &m.Address, u.Address)
	str("contact_name", &m.ContactName, u.ContactName)
	if buildingID != nil && (m.BuildingID == nil || *m.BuildingID != *buildingID) {
		m.BuildingID, changed = buildingID, true
		fields = append(fields, "building")
	}
	phoneChanged := u.ContactPhone != "" && u.ContactPhone != m.ContactPhone
	if phoneChanged {
		m.ContactPhone, changed = u.ContactPhone, true
		fields = append(fields, "contact_phone")
	}
	if !changed {
		im.report(r, wangge.ImportOutcome{Status: wangge.ImportUnchanged})
		return nil
	}
	if err := m.Normalize(); err != nil {
		im.reject(r, domainDetail(err, unitColumns))
		return nil
	}
	if m.CreditCode != cur.CreditCode {
		var one int
		err := im.tx.queryRow(`SELECT 1 FROM units WHERE credit_code = ? AND id <> ?`, m.CreditCode, m.ID).Scan(&one)
		if err == nil {
			im.reject(r, detail("credit_code", "error.import.credit_taken"))
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	if err := im.exec(`UPDATE units SET grid_code = ?, building_id = ?, name = ?, credit_code = ?, kind = ?, headcount = ?, party_org = ?, party_members = ?,
		address = ?, contact_name = ?, contact_phone_enc = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		m.GridCode, nullInt(m.BuildingID), m.Name, nullStr(m.CreditCode), m.Kind, m.Headcount, m.PartyOrg, m.PartyMembers, m.Address,
		m.ContactName, im.db.box.Seal(fUnitPhone, m.ContactPhone), im.tx.now, m.ID); err != nil {
		return im.db.classify(err)
	}
	im.record("unit", m.ID, m.GridCode, wangge.ImportUpdated, fields)
	im.report(r, wangge.ImportOutcome{Status: wangge.ImportUpdated})
	return nil
}

var errAmbiguous = errors.New("sqldb: more than one row matches")

// scanUnit reads the one unit the query finds in full (the contact phone
// decrypted, for comparing), nil for none.
func (im *importer) scanUnit(q string, args ...any) (*wangge.Unit, error) {
	rows, err := im.tx.query(q+` LIMIT 2`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out *wangge.Unit
	for rows.Next() {
		if out != nil {
			return nil, errAmbiguous
		}
		var u wangge.Unit
		var building sql.Null[int64]
		var credit sql.Null[string]
		var phone []byte
		var created, updated timeValue
		if err := rows.Scan(&u.ID, &u.GridCode, &building, &u.Name, &credit, &u.Kind, &u.Headcount, &u.PartyOrg, &u.PartyMembers, &u.Address,
			&u.ContactName, &phone, &u.Version, &created, &updated); err != nil {
			return nil, err
		}
		u.BuildingID, u.CreditCode = ptrInt(building), credit.V
		if u.ContactPhone, err = im.db.box.Open(fUnitPhone, phone); err != nil {
			return nil, err
		}
		out = &u
	}
	return out, rows.Err()
}
