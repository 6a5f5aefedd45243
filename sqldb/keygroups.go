package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
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
	if err := db.openMembership(&m, attrs, sealed, idEnc, full); err != nil {
		return nil, err
	}
	m.Joined, m.CreatedAt, m.UpdatedAt = joined.Time, created.Time, updated.Time
	if left.Valid {
		t := left.V.Time
		m.Left = &t
	}
	return &m, nil
}

// openMembership fills a membership's ID number (masked unless full) and
// attributes (secret ones opened, then masked).
func (db *DB) openMembership(m *wangge.Membership, attrs string, sealed, idEnc []byte, full bool) error {
	var err error
	maskI := maskID
	if full {
		maskI = plain
	}
	if m.PersonIDNumber, err = db.openMasked(fPersonID, idEnc, maskI); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(attrs), &m.Attrs); err != nil {
		return err
	}
	if err := db.openAttrs(m, sealed); err != nil {
		return err
	}
	maskSecretAttrs(m)
	return nil
}

// The age-derived groups (wangge.GroupAges) are read from persons: their
// members are the persons in the band on the day, each with the membership
// row that keeps their details when there is one. A row never makes a
// member by itself.

// ageMemberCols are the columns of an age group's member: the person p and
// their detail row m (NULLs when none).
const ageMemberCols = `COALESCE(m.id, 0), p.id, p.grid_code, COALESCE(m.attrs, '{}'), COALESCE(m.note, ''), COALESCE(m.version, 0),
	m.created_at, m.updated_at, p.name, m.attrs_enc, p.household_id, p.id_enc, p.sex, p.birth_date`

// scanAgeMember reads a member of age group g (ageMemberCols).
func (db *DB) scanAgeMember(row interface{ Scan(...any) error }, g wangge.KeyGroup, full bool) (*wangge.Membership, error) {
	m := wangge.Membership{Group: g}
	var attrs string
	var sealed, idEnc []byte
	var created, updated sql.Null[timeValue]
	var birth timeValue
	if err := row.Scan(&m.ID, &m.PersonID, &m.GridCode, &attrs, &m.Note, &m.Version, &created, &updated, &m.PersonName, &sealed,
		&m.HouseholdID, &idEnc, &m.PersonSex, &birth); err != nil {
		return nil, err
	}
	m.PersonBirth = birth.Time
	m.Joined = wangge.GroupAges[g].Entered(birth.Time)
	if err := db.openMembership(&m, attrs, sealed, idEnc, full); err != nil {
		return nil, err
	}
	if m.Attrs == nil {
		m.Attrs = map[string]string{}
	}
	if created.Valid {
		m.CreatedAt, m.UpdatedAt = created.V.Time, updated.V.Time
	}
	return &m, nil
}

// ageFrom is the FROM clause of the members of age group g: persons p, each
// with their detail row m if any, the latest not ended (on day, when day is
// set: a report's date), and its arguments, which come before the WHERE's.
func ageFrom(g wangge.KeyGroup, day time.Time) (string, []any) {
	q := `persons p LEFT JOIN memberships m ON m.id = (SELECT MAX(x.id) FROM memberships x WHERE x.person_id = p.id AND x.grp = ?`
	args := []any{string(g)}
	if day.IsZero() {
		return q + ` AND x.left_on IS NULL)`, args
	}
	until := day.AddDate(0, 0, 1)
	return q + ` AND x.joined < ? AND (x.left_on IS NULL OR x.left_on >= ?))`, append(args, until, until)
}

// ageWhere adds the conditions of f for the members of an age group in
// band at day: persons of the scope (by the grid they live in), by person
// or name.
func ageWhere(w *where, s wangge.Scope, f wangge.MembershipFilter, band wangge.AgeBand, day time.Time) {
	s = s.Narrow(f.GridCode)
	w.scope("p.grid_code", s)
	bandCond(w, band, day)
	if f.PersonID != 0 {
		w.add("p.id = ?", f.PersonID)
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		w.add(`p.name LIKE ? ESCAPE '\'`, likeEscape(q)+"%")
	}
}

// ageOrder is the ORDER BY of a checked membership sort over an age
// group's members: joining is turning the band's age, so by birth date;
// none has left.
func ageOrder(s wangge.Sort) string {
	d := desc(s)
	switch s.Key() {
	case wangge.SortJoined:
		return "p.birth_date" + d + ", p.id" + d
	case wangge.SortLeft:
		return "p.id" + d
	}
	return "p.grid_code" + d + ", p.id"
}

// today is the calendar day in Beijing: the day pages reckon ages at.
func (db *DB) today() time.Time { return date(db.now().In(chinaTime)) }

// dayOf is the calendar day of at, or today when at is zero.
func (db *DB) dayOf(at time.Time) time.Time {
	if at.IsZero() {
		return db.today()
	}
	return date(at)
}

// ageMembers lists the members of the age group f.Group, one page of them
// when paged.
func (db *DB) ageMembers(ctx context.Context, s wangge.Scope, f wangge.MembershipFilter, full, paged bool) ([]wangge.Membership, int, error) {
	band := wangge.GroupAges[f.Group]
	if !s.GroupVisible(f.Group) {
		return nil, 0, nil
	}
	from, fargs := ageFrom(f.Group, time.Time{})
	scan := func(rows *sql.Rows) (wangge.Membership, error) { return deref(db.scanAgeMember(rows, f.Group, full)) }
	var w where
	ageWhere(&w, s, f, band, db.dayOf(f.At))
	order := ageOrder(f.Sort)
	if !paged {
		ms, err := collect(ctx, db, `SELECT `+ageMemberCols+` FROM `+from+w.String()+` ORDER BY `+order, append(fargs, w.args...), scan)
		return ms, len(ms), err
	}
	ids, total, err := pageIDs(ctx, db, "persons p", "p.id", &w, order, f.Page)
	if err != nil || len(ids) == 0 {
		return nil, total, err
	}
	in, args := inList(ids)
	ms, err := collect(ctx, db, `SELECT `+ageMemberCols+` FROM `+from+` WHERE p.id IN (`+in+`)`, append(fargs, args...), scan)
	if err != nil {
		return nil, 0, err
	}
	return inOrder(ids, ms, func(m wangge.Membership) int64 { return m.PersonID }), total, nil
}

// rowMemberships lists the membership rows f selects (not of an age
// group), one page of them when paged.
func (db *DB) rowMemberships(ctx context.Context, s wangge.Scope, f wangge.MembershipFilter, full, paged bool) ([]wangge.Membership, int, error) {
	var w where
	membershipWhere(&w, s, f)
	scan := func(rows *sql.Rows) (wangge.Membership, error) { return deref(db.scanMembershipFull(rows, full)) }
	if !paged {
		ms, err := collect(ctx, db, `SELECT `+membershipCols+` FROM memberships m JOIN persons p ON p.id = m.person_id`+w.String()+
			` ORDER BY `+membershipOrder(f.Sort), w.args, scan)
		return ms, len(ms), err
	}
	ids, total, err := pageIDs(ctx, db, "memberships m", "m.id", &w, membershipOrder(f.Sort), f.Page)
	if err != nil || len(ids) == 0 {
		return nil, total, err
	}
	in, args := inList(ids)
	ms, err := collect(ctx, db, `SELECT `+membershipCols+` FROM memberships m JOIN persons p ON p.id = m.person_id WHERE m.id IN (`+in+`)`, args, scan)
	if err != nil {
		return nil, 0, err
	}
	return inOrder(ids, ms, func(m wangge.Membership) int64 { return m.ID }), total, nil
}

// memberKey is what orders a list of every group: a membership row, or a
// member of an age group (id the person's).
type memberKey struct {
	id     int64
	group  wangge.KeyGroup
	grid   string
	joined time.Time
	left   *time.Time
}

// memberships lists what f selects, one page of it when paged. A list of
// one group is ordered and paged in SQL; a list of every group (a person's,
// or an export's count) merges the rows of the other groups with the
// members of the age groups, ordered here by the same keys.
func (db *DB) memberships(ctx context.Context, s wangge.Scope, f wangge.MembershipFilter, full, paged bool) ([]wangge.Membership, int, error) {
	if f.Group != "" {
		if _, ok := wangge.GroupAges[f.Group]; ok {
			return db.ageMembers(ctx, s, f, full, paged)
		}
		return db.rowMemberships(ctx, s, f, full, paged)
	}
	var w where
	membershipWhere(&w, s, f)
	keys, err := collect(ctx, db, `SELECT m.id, m.grp, m.grid_code, m.joined, m.left_on FROM memberships m`+w.String(), w.args,
		func(rows *sql.Rows) (memberKey, error) {
			var k memberKey
			var joined timeValue
			var left sql.Null[timeValue]
			err := rows.Scan(&k.id, &k.group, &k.grid, &joined, &left)
			k.joined = joined.Time
			if left.Valid {
				t := left.V.Time
				k.left = &t
			}
			return k, err
		})
	if err != nil {
		return nil, 0, err
	}
	day := db.dayOf(f.At)
	for _, g := range wangge.AgeGroups {
		if !s.GroupVisible(g) {
			continue
		}
		band := wangge.GroupAges[g]
		var w where
		ageWhere(&w, s, f, band, day)
		ks, err := collect(ctx, db, `SELECT p.id, p.grid_code, p.birth_date FROM persons p`+w.String(), w.args, func(rows *sql.Rows) (memberKey, error) {
			k := memberKey{group: g}
			var birth timeValue
			err := rows.Scan(&k.id, &k.grid, &birth)
			k.joined = band.Entered(birth.Time)
			return k, err
		})
		if err != nil {
			return nil, 0, err
		}
		keys = append(keys, ks...)
	}
	sortMemberKeys(keys, f.Sort)
	total := len(keys)
	if paged {
		p := f.Page.Normalize()
		keys = keys[min(p.Offset, len(keys)):min(p.Offset+p.Limit, len(keys))]
	}
	// Read the rows of the list, group by group.
	byGroup := map[wangge.KeyGroup][]int64{}
	for _, k := range keys {
		byGroup[k.group] = append(byGroup[k.group], k.id)
	}
	read := map[memberKey]wangge.Membership{}
	var rowIDs []int64
	for g, ids := range byGroup {
		if _, ok := wangge.GroupAges[g]; !ok {
			rowIDs = append(rowIDs, ids...)
			continue
		}
		from, fargs := ageFrom(g, time.Time{})
		for part := range slices.Chunk(ids, 500) {
			in, args := inList(part)
			ms, err := collect(ctx, db, `SELECT `+ageMemberCols+` FROM `+from+` WHERE p.id IN (`+in+`)`, append(fargs, args...),
				func(rows *sql.Rows) (wangge.Membership, error) { return deref(db.scanAgeMember(rows, g, full)) })
			if err != nil {
				return nil, 0, err
			}
			for _, m := range ms {
				read[memberKey{id: m.PersonID, group: g}] = m
			}
		}
	}
	for part := range slices.Chunk(rowIDs, 500) {
		in, args := inList(part)
		ms, err := collect(ctx, db, `SELECT `+membershipCols+` FROM memberships m JOIN persons p ON p.id = m.person_id WHERE m.id IN (`+in+`)`, args,
			func(rows *sql.Rows) (wangge.Membership, error) { return deref(db.scanMembershipFull(rows, full)) })
		if err != nil {
			return nil, 0, err
		}
		for _, m := range ms {
			read[memberKey{id: m.ID, group: m.Group}] = m
		}
	}
	out := make([]wangge.Membership, 0, len(keys))
	for _, k := range keys {
		if m, ok := read[memberKey{id: k.id, group: k.group}]; ok {
			out = append(out, m)
		}
	}
	return out, total, nil
}

// sortMemberKeys orders a list of every group as membershipOrder and
// ageOrder do: ties between groups by group, then by id.
func sortMemberKeys(keys []memberKey, s wangge.Sort) {
	dir := 1
	if s.Desc() {
		dir = -1
	}
	tie := func(a, b memberKey) int {
		if c := strings.Compare(string(a.group), string(b.group)); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	}
	slices.SortStableFunc(keys, func(a, b memberKey) int {
		switch s.Key() {
		case wangge.SortJoined:
			if c := a.joined.Compare(b.joined); c != 0 {
				return dir * c
			}
			return dir * tie(a, b)
		case wangge.SortLeft:
			// Members who have not left come last, either way.
			switch {
			case a.left == nil && b.left != nil:
				return 1
			case a.left != nil && b.left == nil:
				return -1
			case a.left != nil:
				if c := a.left.Compare(*b.left); c != 0 {
					return dir * c
				}
			}
			return dir * tie(a, b)
		}
		if c := strings.Compare(a.grid, b.grid); c != 0 {
			return dir * c
		}
		return tie(a, b)
	})
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
		var birth timeValue
		var sex ident.Sex
		if err := tx.queryRow(`SELECT grid_code, birth_date, sex FROM persons WHERE id = ?`, m.PersonID).Scan(&m.GridCode, &birth, &sex); errors.Is(err, sql.ErrNoRows) {
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
		if err := wangge.CheckAgeBand(m.Group, birth.Time, sex, date(tx.now.In(chinaTime))); err != nil {
			return err
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
// names: of an age-derived group, the persons in its band on f.At.
func (db *DB) ListMemberships(ctx context.Context, s wangge.Scope, f wangge.MembershipFilter) ([]wangge.Membership, int, error) {
	if err := f.Sort.Check(wangge.MembershipSorts); err != nil {
		return nil, 0, err
	}
	return db.memberships(ctx, s, f, false, true)
}

// GroupCounts counts current members per group in the scope: of an
// age-derived group, the persons in its band today (an index range of
// persons_birth), whatever rows there are.
func (db *DB) GroupCounts(ctx context.Context, s wangge.Scope) ([]wangge.GroupCount, error) {
	var w where
	w.scope("grid_code", s)
	groupCond(&w, s, "grp")
	notAgeGroups(&w, "grp")
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
	if err := rows.Err(); err != nil {
		return nil, err
	}
	day := db.today()
	for _, g := range wangge.AgeGroups {
		if !s.GroupVisible(g) {
			continue
		}
		var w where
		ageWhere(&w, s, wangge.MembershipFilter{}, wangge.GroupAges[g], day)
		n, err := db.count(ctx, "persons p", &w)
		if err != nil {
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
	return out, nil
}

// notAgeGroups leaves out the rows of the age-derived groups, whose members
// are read from persons instead.
func notAgeGroups(w *where, col string) {
	var marks []string
	for _, g := range wangge.AgeGroups {
		marks = append(marks, "?")
		w.args = append(w.args, string(g))
	}
	w.conds = append(w.conds, col+" NOT IN ("+strings.Join(marks, ", ")+")")
}
