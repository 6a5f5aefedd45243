package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/wangge/wangge"
)

const membershipCols = `m.id, m.person_id, m.grid_code, m.grp, m.attrs, m.joined, m.left_on, m.note, m.version, m.created_at, m.updated_at, p.name, m.attrs_enc,
	p.household_id, p.id_enc, p.sex, p.birth_date`

func (db *DB) scanMembership(row interface{ Scan(...any) error }) (*wangge.Membership, error) {
	return db.scanMembershipFull(row, false)
}

// scanMembershipFull is scanMembership with the person's ID number in full
// when full (exports).
func (db *DB) scanMembershipFull(row interface{ Scan(...any) error }, full bool) (*wangge.Membership, error) {
	var m wangge.Membership
	var attrs string
	var sealed, idEnc []byte
	var joined, created, updated, birth timeValue
	var left sql.Null[timeValue]
	if err := row.Scan(&m.ID, &m.PersonID, &m.GridCode, &m.Group, &attrs, &joined, &left, &m.Note, &m.Version, &created, &updated, &m.PersonName, &sealed,
		&m.HouseholdID, &idEnc, &m.PersonSex, &birth); err != nil {
		return nil, err
	}
	m.PersonBirth = birth.Time
	var err error
	maskI := maskID
	if full {
		maskI = plain
	}
	if m.PersonIDNumber, err = db.openMasked(fPersonID, idEnc, maskI); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(attrs), &m.Attrs); err != nil {
		return nil, err
	}
	if err := db.openAttrs(&m, sealed); err != nil {
		return nil, err
	}
	maskSecretAttrs(&m)
	m.Joined, m.CreatedAt, m.UpdatedAt = joined.Time, created.Time, updated.Time
	if left.Valid {
		t := left.V.Time
		m.Left = &t
	}
	return &m, nil
}

// groupCond keeps only the key groups the scope may read: sensitive ones
// need a sensitive scope, a department's scope sees its own line's.
func groupCond(w *where, s wangge.Scope, col string) {
	var marks []string
	for _, g := range wangge.KeyGroups {
		if s.GroupVisible(g.Group) {
			marks = append(marks, "?")
			w.args = append(w.args, string(g.Group))
		}
	}
	if len(marks) == 0 {
		w.conds = append(w.conds, "1 = 0")
		return
	}
	w.conds = append(w.conds, col+" IN ("+strings.Join(marks, ", ")+")")
}

func attrsJSON(a map[string]string) string {
	if a == nil {
		return "{}"
	}
	b, _ := json.Marshal(a)
	return string(b)
}

// datesOnly makes a membership's joined and left dates calendar dates.
func datesOnly(m *wangge.Membership) {
	if !m.Joined.IsZero() {
		m.Joined = date(m.Joined)
	}
	if m.Left != nil {
		l := date(*m.Left)
		m.Left = &l
	}
}

// CreateMembership records that a person belongs to a key group.
func (db *DB) CreateMembership(ctx context.Context, s wangge.Scope, m *wangge.Membership) error {
	datesOnly(m)
	if err := m.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		noPerson := wangge.Invalid("person_id", "error.person.none")
		if err := tx.queryRow(`SELECT grid_code FROM persons WHERE id = ?`, m.PersonID).Scan(&m.GridCode); errors.Is(err, sql.ErrNoRows) {
			return noPerson
		} else if err != nil {
			return err
		}
		if err := mayChange(s, m.GridCode, noPerson); err != nil {
			return err
		}
		if !s.GroupVisible(m.Group) {
			return wangge.ErrNotFound
		}
		var n int
		if err := tx.queryRow(`SELECT COUNT(*) FROM memberships WHERE person_id = ? AND grp = ? AND left_on IS NULL`, m.PersonID, m.Group).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return wangge.E(wangge.EConflict, "error.membership.already")
		}
		if m.Joined.IsZero() {
			m.Joined = date(tx.now)
		}
		m.Version, m.CreatedAt, m.UpdatedAt = 1, tx.now, tx.now
		attrs, sealed := db.sealAttrs(m.Group, m.Attrs)
		if err := tx.queryRow(`INSERT INTO memberships (person_id, grid_code, grp, attrs, attrs_enc, joined, left_on, note, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
			m.PersonID, m.GridCode, m.Group, attrs, sealed, m.Joined, nullTime(m.Left), m.Note, tx.now, tx.now).Scan(&m.ID); err != nil {
			return db.classify(err)
		}
		return tx.audit("keygroup.join", "membership", m.ID, m.GridCode, jsonDetail(map[string]any{"person_id": m.PersonID, "group": m.Group}))
	})
}

// membershipGrid returns the grid of a membership the scope may change (its
// grid in scope, its group visible to the scope), and ErrNotFound for one
// it may not.
func (tx *Tx) membershipGrid(s wangge.Scope, id int64) (string, error) {
	var grid string
	var g wangge.KeyGroup
	if err := tx.queryRow(`SELECT grid_code, grp FROM memberships WHERE id = ?`, id).Scan(&grid, &g); errors.Is(err, sql.ErrNoRows) {
		return "", wangge.ErrNotFound
	} else if err != nil {
		return "", err
	}
	if !s.GroupVisible(g) {
		return "", wangge.ErrNotFound
	}
	return grid, mayChange(s, grid, wangge.ErrNotFound)
}

// Membership returns a membership within the scope.
func (db *DB) Membership(ctx context.Context, s wangge.Scope, id int64) (*wangge.Membership, error) {
	var w where
	w.add("m.id = ?", id)
	w.scope("m.grid_code", s)
	groupCond(&w, s, "m.grp")
	m, err := db.scanMembership(db.queryRow(ctx, `SELECT `+membershipCols+` FROM memberships m JOIN persons p ON p.id = m.person_id`+w.String(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	}
	return m, err
}

// UpdateMembership changes a membership's attributes and note.
func (db *DB) UpdateMembership(ctx context.Context, s wangge.Scope, m *wangge.Membership) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.membershipGrid(s, m.ID); err != nil {
			return err
		}
		if err := tx.keepMaskedAttrs(m); err != nil {
			return err
		}
		attrs, sealed := db.sealAttrs(m.Group, m.Attrs)
		if err := tx.update("memberships", "id", m.ID, `UPDATE memberships SET attrs = ?, attrs_enc = ?, note = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND grp = ?`,
			attrs, sealed, m.Note, tx.now, m.ID, m.Version, m.Group); err != nil {
			return err
		}
		m.Version++
		m.UpdatedAt = tx.now
		tx.queryRow(`SELECT grid_code FROM memberships WHERE id = ?`, m.ID).Scan(&m.GridCode)
		return tx.audit("keygroup.update", "membership", m.ID, m.GridCode, jsonDetail(map[string]any{"group": m.Group}))
	})
}

// EndMembership records that the person left the group.
func (db *DB) EndMembership(ctx context.Context, s wangge.Scope, id int64, version int, left time.Time) error {
	left = date(left)
	return db.inTx(ctx, func(tx *Tx) error {
		grid, err := tx.membershipGrid(s, id)
		if err != nil {
			return err
		}
		var joined timeValue
		if err := tx.queryRow(`SELECT joined FROM memberships WHERE id = ?`, id).Scan(&joined); err != nil {
			return err
		}
		if left.Before(joined.Time) {
			return wangge.Invalid("left", "error.membership.left_before_joined")
		}
		if err := tx.update("memberships", "id", id, `UPDATE memberships SET left_on = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND left_on IS NULL`,
			left, tx.now, id, version); err != nil {
			return err
		}
		return tx.audit("keygroup.leave", "membership", id, grid, jsonDetail(map[string]any{"left": left.Format(time.DateOnly)}))
	})
}

// ListMemberships lists memberships within the scope, in the order f.Sort
// names. It finds the page's ids from memberships alone and reads the
// page's rows, with their persons, by id.
func (db *DB) ListMemberships(ctx context.Context, s wangge.Scope, f wangge.MembershipFilter) ([]wangge.Membership, int, error) {
	if err := f.Sort.Check(wangge.MembershipSorts); err != nil {
		return nil, 0, err
	}
	var w where
	membershipWhere(&w, s, f)
	ids, total, err := pageIDs(ctx, db, "memberships m", "m.id", &w, membershipOrder(f.Sort), f.Page)
	if err != nil || len(ids) == 0 {
		return nil, total, err
	}
	in, args := inList(ids)
	ms, err := collect(ctx, db, `SELECT `+membershipCols+` FROM memberships m JOIN persons p ON p.id = m.person_id WHERE m.id IN (`+in+`)`, args,
		func(rows *sql.Rows) (wangge.Membership, error) { return deref(db.scanMembership(rows)) })
	if err != nil {
		return nil, 0, err
	}
	return inOrder(ids, ms, func(m wangge.Membership) int64 { return m.ID }), total, nil
}

// GroupCounts counts current members per group in the scope.
func (db *DB) GroupCounts(ctx context.Context, s wangge.Scope) ([]wangge.GroupCount, error) {
	var w where
	w.scope("grid_code", s)
	groupCond(&w, s, "grp")
	w.add("left_on IS NULL")
	rows, err := db.query(ctx, `SELECT grp, COUNT(*) FROM memberships`+w.String()+` GROUP BY grp`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[wangge.KeyGroup]int{}
	for rows.Next() {
		var g wangge.KeyGroup
		var n int
		if err := rows.Scan(&g, &n); err != nil {
			return nil, err
		}
		m[g] = n
	}
	var out []wangge.GroupCount
	for _, d := range wangge.KeyGroups {
		if !s.GroupVisible(d.Group) {
			continue
		}
		out = append(out, wangge.GroupCount{Group: d.Group, Count: m[d.Group]})
	}
	return out, rows.Err()
}
