package sqldb

import (
	"database/sql"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

// memberColumns maps the fields of domain errors about memberships to
// ledger columns; attributes map to "attr.<group>.<key>".
var memberColumns = map[string]string{"group": "group", "person_id": "id_number", "left": "left"}

type importMember struct {
	id         int64
	grid, name string
	birth      time.Time
	sex        ident.Sex
}

type storedMembership struct {
	id      int64
	person  int64
	group   wangge.KeyGroup
	attrs   map[string]string
	joined  time.Time
	left    *time.Time
	note    string
	version int
}

// memberships imports a batch of key-group memberships.
func (im *importer) memberships(rows []wangge.ImportRow) error {
	n := len(rows)
	box := im.db.box
	idIdx := make([][][]byte, n)
	parallel(n, func(i int) {
		if len(rows[i].Errors) == 0 && rows[i].Membership != nil {
			idIdx[i] = box.Indexes(fPersonID, rows[i].Membership.IDNumber)
		}
	})
	// The persons, then their memberships, each in a query or a few.
	persons := map[string]*importMember{}
	var all []any
	for _, xs := range idIdx {
		for _, x := range xs {
			all = append(all, x)
		}
	}
	for len(all) > 0 {
		part := all[:min(500, len(all))]
		all = all[len(part):]
		rs, err := im.tx.query(`SELECT id, grid_code, name, id_idx, birth_date, sex FROM persons WHERE id_idx IN (`+marks(len(part))+`)`, part...)
		if err != nil {
			return err
		}
		for rs.Next() {
			var p importMember
			var idx []byte
			var birth timeValue
			if err := rs.Scan(&p.id, &p.grid, &p.name, &idx, &birth, &p.sex); err != nil {
				rs.Close()
				return err
			}
			p.birth = birth.Time
			persons[string(idx)] = &p
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
	}
	byPerson := map[int64][]*storedMembership{}
	var ids []any
	for _, p := range persons {
		ids = append(ids, p.id)
	}
	for len(ids) > 0 {
		part := ids[:min(500, len(ids))]
		ids = ids[len(part):]
		rs, err := im.tx.query(`SELECT id, person_id, grp, attrs, attrs_enc, joined, left_on, note, version FROM memberships WHERE person_id IN (`+marks(len(part))+`) ORDER BY id`, part...)
		if err != nil {
			return err
		}
		for rs.Next() {
			var m storedMembership
			var attrs string
			var sealed []byte
			var joined timeValue
			var left sql.Null[timeValue]
			if err := rs.Scan(&m.id, &m.person, &m.group, &attrs, &sealed, &joined, &left, &m.note, &m.version); err != nil {
				rs.Close()
				return err
			}
			wm := wangge.Membership{Group: m.group}
			if err := json.Unmarshal([]byte(attrs), &wm.Attrs); err != nil {
				rs.Close()
				return err
			}
			if err := im.db.openAttrs(&wm, sealed); err != nil {
				rs.Close()
				return err
			}
			m.attrs, m.joined = wm.Attrs, date(joined.Time)
			if left.Valid {
				l := date(left.V.Time)
				m.left = &l
			}
			byPerson[m.person] = append(byPerson[m.person], &m)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
	}
	for i := range rows {
		r := &rows[i]
		if len(r.Errors) > 0 || r.Membership == nil {
			im.reject(r, r.Errors...)
			continue
		}
		var p *importMember
		for _, x := range idIdx[i] {
			if q, ok := persons[string(x)]; ok {
				p = q
				break
			}
		}
		if err := im.membership(r, p, byPerson); err != nil {
			return err
		}
	}
	return nil
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func (im *importer) membership(r *wangge.ImportRow, p *importMember, byPerson map[int64][]*storedMembership) error {
	row := r.Membership
	if p == nil || !im.inScope(p.grid) {
		im.reject(r, detail("id_number", "error.import.member_unknown"))
		return nil
	}
	if !im.scope.GroupVisible(row.Group) {
		im.reject(r, detail("group", "error.import.group_forbidden"))
		return nil
	}
	if row.Name != "" && normalizeName(row.Name) != normalizeName(p.name) {
		im.reject(r, detail("name", "error.import.name_differs", "Name", p.name))
		return nil
	}
	// A row of an age-derived group keeps the details of a member by age:
	// for a person outside the band today it would make nobody a member.
	_, aged := wangge.GroupAges[row.Group]
	if err := wangge.CheckAgeBand(row.Group, p.birth, p.sex, date(im.tx.now.In(chinaTime))); err != nil {
		im.reject(r, domainDetail(err, attrColumns(row.Group)))
		return nil
	}
	// The stored membership: the one that joined that day, or else the
	// current one. Of an age group, the current one: its joining date is
	// the birthday the export writes, not the row's.
	var cur, current *storedMembership
	for _, m := range byPerson[p.id] {
		if m.group != row.Group {
			continue
		}
		if !aged && row.Joined != nil && m.joined.Equal(*row.Joined) {
			cur = m
		}
		if m.left == nil {
			current = m
		}
	}
	if aged && current == nil && !hasDetails(row) {
		// A member by age with nothing to keep: nothing to record.
		im.report(r, wangge.ImportOutcome{Status: wangge.ImportUnchanged})
		return nil
	}
	if aged {
		cur = current
	}
	if cur == nil && current != nil {
		if row.Joined != nil {
			im.reject(r, detail("joined", "error.import.joined_differs", "Joined", current.joined.Format(time.DateOnly)))
			return nil
		}
		cur = current
	}
	if cur == nil {
		m := wangge.Membership{PersonID: p.id, GridCode: p.grid, Group: row.Group, Attrs: row.Attrs, Left: row.Left, Note: row.Note}
		if m.Attrs == nil {
			m.Attrs = map[string]string{}
		}
		m.Joined = date(im.tx.now.In(chinaTime))
		if row.Joined != nil {
			m.Joined = *row.Joined
		}
		if err := m.Validate(); err != nil {
			im.reject(r, domainDetail(err, attrColumns(row.Group)))
			return nil
		}
		attrs, sealed := im.db.sealAttrs(m.Group, m.Attrs)
		var id int64
		if !im.dry {
			if err := im.tx.queryRow(`INSERT INTO memberships (person_id, grid_code, grp, attrs, attrs_enc, joined, left_on, note, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
				m.PersonID, m.GridCode, m.Group, attrs, sealed, m.Joined, nullTime(m.Left), m.Note, im.tx.now, im.tx.now).Scan(&id); err != nil {
				return im.db.classify(err)
			}
		}
		fields := []string{"group", "joined"}
		for _, k := range slices.Sorted(maps.Keys(m.Attrs)) {
			fields = append(fields, "attrs."+k)
		}
		fields = append(fields, setFields("left", leftSet(m.Left), "note", m.Note)...)
		im.record("membership", id, m.GridCode, wangge.ImportAdded, fields)
		byPerson[p.id] = append(byPerson[p.id], &storedMembership{id: id, person: p.id, group: m.Group, attrs: m.Attrs, joined: m.Joined, left: m.Left, note: m.Note, version: 1})
		im.report(r, wangge.ImportOutcome{Status: wangge.ImportAdded})
		return nil
	}
	// Merge: an empty cell keeps the stored value.
	attrs := maps.Clone(cur.attrs)
	if attrs == nil {
		attrs = map[string]string{}
	}
	changed := false
	var fields []string // for the audit
	for _, k := range slices.Sorted(maps.Keys(row.Attrs)) {
		if v := row.Attrs[k]; attrs[k] != v {
			attrs[k], changed = v, true
			fields = append(fields, "attrs."+k)
		}
	}
	note := cur.note
	if row.Note != "" && row.Note != note {
		note, changed = row.Note, true
		fields = append(fields, "note")
	}
	left := cur.left
	if row.Left != nil && (left == nil || !left.Equal(*row.Left)) {
		left, changed = row.Left, true
		fields = append(fields, "left")
	}
	if !changed {
		im.report(r, wangge.ImportOutcome{Status: wangge.ImportUnchanged})
		return nil
	}
	m := wangge.Membership{PersonID: p.id, Group: row.Group, Attrs: attrs, Joined: cur.joined, Left: left, Note: note}
	if err := m.Validate(); err != nil {
		im.reject(r, domainDetail(err, attrColumns(row.Group)))
		return nil
	}
	clear, sealed := im.db.sealAttrs(m.Group, m.Attrs)
	if err := im.exec(`UPDATE memberships SET attrs = ?, attrs_enc = ?, left_on = ?, note = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		clear, sealed, nullTime(left), note, im.tx.now, cur.id); err != nil {
		return err
	}
	cur.attrs, cur.left, cur.note = attrs, left, note
	im.record("membership", cur.id, p.grid, wangge.ImportUpdated, fields)
	im.report(r, wangge.ImportOutcome{Status: wangge.ImportUpdated})
	return nil
}

// hasDetails reports whether a ledger row gives a value for a
// membership's attributes or note.
func hasDetails(row *wangge.MembershipRow) bool {
	for _, v := range row.Attrs {
		if v != "" {
			return true
		}
	}
	return row.Note != ""
}

// attrColumns maps "attrs.<key>" of a group to its ledger column.
func attrColumns(g wangge.KeyGroup) map[string]string {
	out := maps.Clone(memberColumns)
	if def := wangge.GroupDefOf(g); def != nil {
		for _, a := range def.Attrs {
			out["attrs."+a.Key] = "attr." + string(g) + "." + a.Key
		}
	}
	return out
}

// normalizeName folds the spaces people put into names ("王 芳", "王　芳").
func normalizeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u3000' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

// chinaTime is Beijing time: "today" for a membership without a date.
var chinaTime = time.FixedZone("CST", 8*60*60)

// leftSet is "set" when a membership has ended, for setFields.
func leftSet(t *time.Time) string {
	if t == nil {
		return ""
	}
	return "set"
}
