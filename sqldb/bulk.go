package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/wangge/wangge"
)

// batch collects rows for one table and writes them as multi-row INSERTs.
type batch struct {
	table string
	cols  []string
	rows  int
	args  []any
	full  *sql.Stmt // prepared statement for a full batch
	max   int       // rows per statement
	n     int       // rows written, for the audit entry
}

func (b *batch) insertSQL(rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(b.cols)), ", ") + ")"
	var s strings.Builder
	s.WriteString("INSERT INTO " + b.table + " (" + strings.Join(b.cols, ", ") + ") VALUES ")
	for i := 0; i < rows; i++ {
		if i > 0 {
			s.WriteString(", ")
		}
		s.WriteString(one)
	}
	return s.String()
}

// bulk implements wangge.Bulk: one transaction, batched inserts, written in
// foreign-key order whenever any batch fills up.
type bulk struct {
	db      *DB
	ctx     context.Context
	tx      *Tx
	batches []*batch // in foreign-key order
	by      map[string]*batch
}

// Bulk starts a bulk load into an empty database.
func (db *DB) Bulk(ctx context.Context) (wangge.Bulk, error) {
	if empty, err := db.Empty(ctx); err != nil {
		return nil, err
	} else if !empty {
		return nil, wangge.E(wangge.EConflict, "error.db.not_empty")
	}
	t, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	b := &bulk{db: db, ctx: ctx, tx: &Tx{Tx: t, db: db, ctx: ctx, actor: wangge.ActorFrom(ctx), now: db.now()}, by: map[string]*batch{}}
	for _, spec := range []struct {
		table string
		cols  string
	}{
		{"areas", "code, name, level, parent_code, address, phone, service_area, version, created_at, updated_at"},
		{"boundaries", boundaryCols},
		{"assistants", "id, name, sex, work_phone, phone_enc, photo_url, active, version, created_at, updated_at"},
		{"assignments", "id, assistant_id, grid_code, from_at, to_at, note"},
		{"buildings", "id, grid_code, seq, name, kind, address, floors, entrances, lng, lat, version, created_at, updated_at"},
		{"households", "id, building_id, grid_code, entrance, room, number, kind, phone_enc, phone_idx, note, version, created_at, updated_at"},
		{"persons", "id, household_id, grid_code, name, id_enc, id_idx, phone_enc, phone_idx, relation, kind, ethnicity, party, employment, note, birth_date, sex, version, created_at, updated_at"},
		{"building_heads", "id, building_id, grid_code, person_id, name, phone_enc, from_date, to_date, version"},
		{"units", "id, grid_code, building_id, name, credit_code, kind, headcount, party_org, party_members, address, contact_name, contact_phone_enc, version, created_at, updated_at"},
		{"memberships", "id, person_id, grid_code, grp, attrs, attrs_enc, joined, left_on, note, version, created_at, updated_at"},
		{"visits", "id, assistant_id, grid_code, at, household_id, unit_id, place, purpose, clears, note, problems, version, created_at"},
		{"users", "id, username, display_name, role, scope_code, line, password_hash, disabled, assistant_id, version, created_at, updated_at"},
	} {
		bt := &batch{table: spec.table, cols: strings.Split(spec.cols, ", ")}
		bt.max = min(500, db.d.MaxParams/len(bt.cols))
		b.batches = append(b.batches, bt)
		b.by[spec.table] = bt
	}
	return b, nil
}

func (b *bulk) add(table string, args ...any) error {
	bt := b.by[table]
	if len(args) != len(bt.cols) {
		return fmt.Errorf("bulk %s: %d values for %d columns", table, len(args), len(bt.cols))
	}
	bt.args = append(bt.args, args...)
	bt.rows++
	if bt.rows >= bt.max {
		return b.flush()
	}
	return nil
}

// flush writes every pending row, parents before children.
func (b *bulk) flush() error {
	for _, bt := range b.batches {
		if err := bt.flush(b.ctx, b.db, b.tx, "bulk"); err != nil {
			return err
		}
	}
	return nil
}

// flush writes the batch's pending rows in tx: a full batch through its
// statement, prepared once, the last shorter one through a statement of
// its own. what names the writer in an error.
func (bt *batch) flush(ctx context.Context, db *DB, tx *Tx, what string) error {
	if bt.rows == 0 {
		return nil
	}
	var err error
	if bt.rows == bt.max {
		if bt.full == nil {
			if bt.full, err = tx.PrepareContext(ctx, db.sql(bt.insertSQL(bt.max))); err != nil {
				return err
			}
		}
		_, err = bt.full.ExecContext(ctx, bt.args...)
	} else {
		_, err = tx.ExecContext(ctx, db.sql(bt.insertSQL(bt.rows)), bt.args...)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, bt.table, db.classify(err))
	}
	bt.n += bt.rows
	bt.rows, bt.args = 0, bt.args[:0]
	return nil
}

func (b *bulk) Area(a *wangge.Area) error {
	a.Level = wangge.LevelOf(a.Code)
	a.ParentCode = wangge.ParentCode(a.Code)
	if err := a.Validate(); err != nil {
		return err
	}
	return b.add("areas", a.Code, a.Name, a.Level, nullStr(a.ParentCode), a.Address, a.Phone, a.ServiceArea, 1, b.stamp(a.CreatedAt), b.stamp(a.UpdatedAt))
}

func (b *bulk) stamp(t time.Time) any {
	if t.IsZero() {
		return b.tx.now
	}
	return ts(t)
}

func (b *bulk) Boundary(x *wangge.Boundary) error {
	if x.Version == 0 {
		x.Version = 1
	}
	if x.CreatedBy == "" {
		x.CreatedBy = b.tx.actor.Username
	}
	return b.add("boundaries", x.AreaCode, x.Version, x.GeoJSON, b.stamp(x.ValidFrom), nullTime(x.ValidTo), x.CreatedBy, b.stamp(x.CreatedAt))
}

func (b *bulk) Assistant(a *wangge.Assistant) error {
	if err := a.Validate(); err != nil {
		return err
	}
	return b.add("assistants", a.ID, a.Name, a.Sex, a.WorkPhone, b.db.box.Seal(fAssistantPh, a.Phone), a.PhotoURL, a.Active, 1, b.stamp(a.CreatedAt), b.stamp(a.UpdatedAt))
}

func (b *bulk) Assignment(as *wangge.Assignment) error {
	return b.add("assignments", as.ID, as.AssistantID, as.GridCode, ts(as.From), nullTime(as.To), as.Note)
}

func (b *bulk) Building(x *wangge.Building) error {
	if err := x.Validate(); err != nil {
		return err
	}
	return b.add("buildings", x.ID, x.GridCode, x.Seq, x.Name, x.Kind, x.Address, x.Floors, x.Entrances, x.Lng, x.Lat, 1, b.stamp(x.CreatedAt), b.stamp(x.UpdatedAt))
}

func (b *bulk) Household(h *wangge.Household) error {
	if err := h.Validate(); err != nil {
		return err
	}
	return b.add("households", h.ID, h.BuildingID, h.GridCode, h.Entrance, h.Room, h.Number, h.Kind,
		b.db.box.Seal(fHouseholdPh, h.Phone), b.db.box.Index(fHouseholdPh, h.Phone), h.Note, 1, b.stamp(h.CreatedAt), b.stamp(h.UpdatedAt))
}

func (b *bulk) Person(p *wangge.Person) error {
	if err := p.Normalize(); err != nil {
		return fmt.Errorf("person %d: %w", p.ID, err)
	}
	box := b.db.box
	return b.add("persons", p.ID, p.HouseholdID, p.GridCode, p.Name, box.Seal(fPersonID, p.IDNumber), box.Index(fPersonID, p.IDNumber),
		box.Seal(fPersonPhone, p.Phone), box.Index(fPersonPhone, p.Phone), p.Relation, p.Kind, p.Ethnicity, p.Party, p.Employment, p.Note,
		p.BirthDate, int(p.Sex), 1, b.stamp(p.CreatedAt), b.stamp(p.UpdatedAt))
}

func (b *bulk) BuildingHead(h *wangge.BuildingHead) error {
	return b.add("building_heads", h.ID, h.BuildingID, h.GridCode, nullInt(h.PersonID), h.Name, b.db.box.Seal(fHeadPhone, h.Phone),
		ts(h.From), nullTime(h.To), 1)
}

func (b *bulk) Unit(u *wangge.Unit) error {
	if err := u.Normalize(); err != nil {
		return fmt.Errorf("unit %d: %w", u.ID, err)
	}
	return b.add("units", u.ID, u.GridCode, nullInt(u.BuildingID), u.Name, nullStr(u.CreditCode), u.Kind, u.Headcount, u.PartyOrg, u.PartyMembers,
		u.Address, u.ContactName, b.db.box.Seal(fUnitPhone, u.ContactPhone), 1, b.stamp(u.CreatedAt), b.stamp(u.UpdatedAt))
}

func (b *bulk) Membership(m *wangge.Membership) error {
	datesOnly(m)
	if err := m.Validate(); err != nil {
		return fmt.Errorf("membership %d: %w", m.ID, err)
	}
	attrs, sealed := b.db.sealAttrs(m.Group, m.Attrs)
	return b.add("memberships", m.ID, m.PersonID, m.GridCode, m.Group, attrs, sealed, m.Joined, nullTime(m.Left), m.Note, 1,
		b.stamp(m.CreatedAt), b.stamp(m.UpdatedAt))
}

func (b *bulk) Visit(v *wangge.Visit) error {
	clears, _ := json.Marshal(v.Clears)
	return b.add("visits", v.ID, v.AssistantID, v.GridCode, ts(v.At), nullInt(v.HouseholdID), nullInt(v.UnitID), v.Place, v.Purpose,
		string(clears), v.Note, problemsJSON(v.Problems), 1, b.stamp(v.CreatedAt))
}

func (b *bulk) User(u *wangge.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return b.add("users", u.ID, u.Username, u.DisplayName, u.Role, u.ScopeCode, u.Line, u.PasswordHash, u.Disabled, nullInt(u.AssistantID), 1,
		b.stamp(u.CreatedAt), b.stamp(u.UpdatedAt))
}

// Commit writes what remains, sets each grid's next building sequence,
// records the load in the audit log and commits.
func (b *bulk) Commit() error {
	if err := b.flush(); err != nil {
		b.Rollback()
		return err
	}
	for _, bt := range b.batches {
		if bt.full != nil {
			bt.full.Close()
		}
	}
	if _, err := b.tx.exec(`UPDATE areas SET next_seq = COALESCE((SELECT MAX(seq) FROM buildings b WHERE b.grid_code = areas.code), 0) + 1 WHERE level = 4`); err != nil {
		b.Rollback()
		return err
	}
	if b.db.d.AfterBulk != nil {
		if err := b.db.d.AfterBulk(b.ctx, b.tx.Tx); err != nil {
			b.Rollback()
			return err
		}
	}
	counts := map[string]int{}
	for _, bt := range b.batches {
		counts[bt.table] = bt.n
	}
	if err := b.tx.audit("bulk.load", "database", "", "", jsonDetail(counts)); err != nil {
		b.Rollback()
		return err
	}
	err := b.tx.Commit()
	b.db.counts.gen.Add(1)
	if err == nil {
		b.tx.committed()
	}
	return err
}

func (b *bulk) Rollback() error { return b.tx.Rollback() }
