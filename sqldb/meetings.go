package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

// The weekly grid meetings (migration 00014). A meeting belongs to a grid
// or a community; it is read by whoever may read people's data there or
// below it (the grid's assistant reads his community's meetings too), and
// written only where the scope may change people's data (the role that
// may keep meetings at all is the page's check, wangge.MayKeepMeetings).

const meetingCols = `m.id, m.area_code, m.at, m.place, m.title, m.minutes, m.attendance, m.version, m.created_at, m.updated_at`

func scanMeeting(row interface{ Scan(...any) error }) (*wangge.Meeting, error) {
	var m wangge.Meeting
	var at, created, updated timeValue
	var attendance string
	if err := row.Scan(&m.ID, &m.AreaCode, &at, &m.Place, &m.Title, &m.Minutes, &attendance, &m.Version, &created, &updated); err != nil {
		return nil, err
	}
	m.At, m.CreatedAt, m.UpdatedAt = at.Time, created.Time, updated.Time
	if err := json.Unmarshal([]byte(attendance), &m.Attendance); err != nil {
		return nil, err
	}
	return &m, nil
}

func attendanceJSON(list []wangge.Attendee) string {
	if list == nil {
		list = []wangge.Attendee{}
	}
	b, _ := json.Marshal(list)
	return string(b)
}

// meetingVisible is the condition that keeps meetings m to those the
// scope may read: of an area within it, or of the community above a
// grid's scope.
func meetingVisible(s wangge.Scope) (string, []any) {
	lo, hi := s.PeopleRange()
	if !s.People() || len(s.Prefix()) != wangge.GridCodeLen {
		return "m.area_code BETWEEN ? AND ?", []any{lo, hi}
	}
	return "(m.area_code BETWEEN ? AND ? OR m.area_code = ?)", []any{lo, hi, s.Prefix()[:wangge.CommunityCodeLen]}
}

// meetingArea checks, in the transaction, that a meeting's area is a
// current grid or community the scope may change.
func (tx *Tx) meetingArea(s wangge.Scope, code string) error {
	var level int
	err := tx.queryRow(`SELECT level FROM areas WHERE code = ? AND retired_at IS NULL`, code).Scan(&level)
	if errors.Is(err, sql.ErrNoRows) || err == nil && wangge.Level(level) != wangge.MeetingLevel(code) {
		return wangge.Invalid("area_code", "error.meeting.area")
	}
	if err != nil {
		return err
	}
	return mayChange(s, code, wangge.Invalid("area_code", "error.meeting.area"))
}

// CreateMeeting schedules a meeting of a grid or community in scope.
func (db *DB) CreateMeeting(ctx context.Context, s wangge.Scope, m *wangge.Meeting) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.meetingArea(s, m.AreaCode); err != nil {
			return err
		}
		m.At, m.Version, m.CreatedAt, m.UpdatedAt = ts(m.At), 1, tx.now, tx.now
		if err := tx.queryRow(`INSERT INTO meetings (area_code, at, place, title, minutes, attendance, version, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
			m.AreaCode, m.At, m.Place, m.Title, m.Minutes, attendanceJSON(m.Attendance), tx.actor.UserID, tx.now, tx.now).Scan(&m.ID); err != nil {
			return db.classify(err)
		}
		return tx.audit("meeting.create", "meeting", m.ID, m.AreaCode, jsonDetail(map[string]any{"at": m.At, "title": m.Title}))
	})
}

// UpdateMeeting writes a meeting's time, place, title, attendance and
// minutes under the version read. Its area never changes: a meeting of
// another grid is another meeting.
func (db *DB) UpdateMeeting(ctx context.Context, s wangge.Scope, m *wangge.Meeting) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var area string
		c, a := meetingVisible(s)
		err := tx.queryRow(`SELECT m.area_code FROM meetings m WHERE m.id = ? AND `+c, append([]any{m.ID}, a...)...).Scan(&area)
		if errors.Is(err, sql.ErrNoRows) {
			return wangge.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := mayChange(s, area, wangge.ErrNotFound); err != nil {
			return err
		}
		m.AreaCode = area
		if err := m.Validate(); err != nil {
			return err
		}
		m.At = ts(m.At)
		if err := tx.update("meetings", "id", m.ID, `UPDATE meetings SET at = ?, place = ?, title = ?, minutes = ?, attendance = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`, m.At, m.Place, m.Title, m.Minutes, attendanceJSON(m.Attendance), tx.now, m.ID, m.Version); err != nil {
			return err
		}
		m.Version++
		m.UpdatedAt = tx.now
		present := 0
		for _, x := range m.Attendance {
			if x.Present {
				present++
			}
		}
		return tx.audit("meeting.update", "meeting", m.ID, area, jsonDetail(map[string]any{
			"version": m.Version, "at": m.At, "present": present, "absent": len(m.Attendance) - present, "minutes_chars": len([]rune(m.Minutes))}))
	})
}

// Meeting returns a meeting in scope with its decisions, in the order
// taken.
func (db *DB) Meeting(ctx context.Context, s wangge.Scope, id int64) (*wangge.Meeting, error) {
	c, a := meetingVisible(s)
	m, err := scanMeeting(db.queryRow(ctx, `SELECT `+meetingCols+` FROM meetings m WHERE m.id = ? AND `+c, append([]any{id}, a...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	m.Decisions, err = collect(ctx, db, `SELECT d.id, d.meeting_id, d.text, c.number, d.opened, d.created_at
		FROM meeting_decisions d JOIN cases c ON c.id = d.case_id WHERE d.meeting_id = ? ORDER BY d.id`, []any{id}, scanDecision)
	return m, err
}

func scanDecision(row *sql.Rows) (wangge.Decision, error) {
	var d wangge.Decision
	var created timeValue
	err := row.Scan(&d.ID, &d.MeetingID, &d.Text, &d.CaseNumber, &d.Opened, &created)
	d.CreatedAt = created.Time
	return d, err
}

// ListMeetings lists the meetings in scope, the coming ones first (the
// soonest first), then those held (the latest first). A filter by a grid
// takes its community's meetings too; by a community, its grids'.
func (db *DB) ListMeetings(ctx context.Context, s wangge.Scope, f wangge.MeetingFilter) ([]wangge.Meeting, int, error) {
	var w where
	c, a := meetingVisible(s)
	w.add(c, a...)
	if f.AreaCode != "" {
		if wangge.MeetingLevel(f.AreaCode) == 0 {
			return nil, 0, wangge.Invalid("area", "error.meeting.area")
		}
		areas := []any{f.AreaCode}
		if len(f.AreaCode) == wangge.GridCodeLen {
			areas = append(areas, f.AreaCode[:wangge.CommunityCodeLen])
		}
		lo, hi := wangge.ScopeOf(f.AreaCode).Range()
		w.add("(m.area_code IN ("+marks(len(areas))+") OR m.area_code BETWEEN ? AND ?)", append(areas, lo, hi)...)
	}
	now := db.now()
	order := "CASE WHEN m.at >= ? THEN 0 ELSE 1 END, CASE WHEN m.at >= ? THEN m.at END, m.at DESC, m.id"
	total, err := db.count(ctx, "meetings m", &w)
	if err != nil {
		return nil, 0, err
	}
	lim, largs := limit(f.Page)
	args := append(append(append([]any{}, w.args...), now, now), largs...)
	out, err := collect(ctx, db, `SELECT `+meetingCols+` FROM meetings m`+w.String()+" ORDER BY "+order+lim, args,
		func(rows *sql.Rows) (wangge.Meeting, error) { return deref(scanMeeting(rows)) })
	return out, total, err
}

// NextMeeting returns the next meeting concerning the grid — its own or
// its community's — that has not started yet, or nil when none is
// scheduled; the workbench shows it. Read within the scope like any
// meeting.
func (db *DB) NextMeeting(ctx context.Context, s wangge.Scope, grid string) (*wangge.Meeting, error) {
	areas := wangge.MeetingAreas(grid)
	if areas == nil {
		return nil, wangge.Invalid("grid_code", "error.meeting.area")
	}
	c, a := meetingVisible(s)
	args := append(append([]any{db.now()}, a...), areas[0], areas[1])
	m, err := scanMeeting(db.queryRow(ctx, `SELECT `+meetingCols+` FROM meetings m WHERE m.at >= ? AND `+c+` AND m.area_code IN (?, ?)
		ORDER BY m.at, m.id LIMIT 1`, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return m, err
}

// DecideInMeeting records a decision of a meeting in scope, with the case
// it is tied to: the one d names, or the one newCase opens (the decision's
// text is its description when it has none). A new case is opened through CreateCase under an
// idempotency key made of the meeting and the form's token, so a decision
// sent again after a failure between the two finds the case it opened
// rather than opening another.
func (db *DB) DecideInMeeting(ctx context.Context, s wangge.Scope, a casework.Actor, meetingID int64, d wangge.DecisionDraft, newCase *casework.Draft) (*wangge.Decision, error) {
	text, err := wangge.ValidateDecision(d.Text)
	if err != nil {
		return nil, err
	}
	if len(d.Key) < 8 || len(d.Key) > 64 {
		return nil, wangge.Invalid("key", "error.meeting.request_key")
	}
	if (newCase == nil) == (strings.TrimSpace(d.CaseNumber) == "") {
		return nil, wangge.Invalid("case", "error.meeting.decision_case")
	}
	m, err := db.Meeting(ctx, s, meetingID)
	if err != nil {
		return nil, err
	}
	if !s.MayChange(m.AreaCode) {
		return nil, wangge.ErrNotFound
	}
	var c *casework.Case
	if newCase != nil {
		nc := *newCase
		if !strings.HasPrefix(nc.Location.GridCode, m.AreaCode) {
			return nil, wangge.Invalid("grid_code", "error.meeting.decision_grid")
		}
		if strings.TrimSpace(nc.Description) == "" {
			nc.Description = text
		}
		if c, err = db.CreateCase(ctx, a, nc, "meeting:"+strconv.FormatInt(m.ID, 10)+":"+d.Key); err != nil {
			return nil, err
		}
	} else {
		if c, err = db.Case(ctx, a, strings.TrimSpace(d.CaseNumber)); err != nil {
			return nil, err
		}
		if !strings.HasPrefix(c.Location.GridCode, m.AreaCode) {
			return nil, wangge.Invalid("case", "error.meeting.case_elsewhere")
		}
	}
	out := &wangge.Decision{MeetingID: m.ID, Text: text, CaseNumber: c.Number, Opened: newCase != nil}
	err = db.inTx(ctx, func(tx *Tx) error {
		// The meeting again, in the transaction that writes under it.
		var area string
		if err := tx.queryRow(`SELECT area_code FROM meetings WHERE id = ?`, m.ID).Scan(&area); err != nil {
			return err
		}
		if err := mayChange(s, area, wangge.ErrNotFound); err != nil {
			return err
		}
		var caseID int64
		if err := tx.queryRow(`SELECT id FROM cases WHERE district_code = ? AND number = ?`, c.Location.GridCode[:wangge.DistrictCodeLen], c.Number).Scan(&caseID); err != nil {
			return err
		}
		res, err := tx.exec(`INSERT INTO meeting_decisions (meeting_id, text, case_id, opened, request_key, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (meeting_id, request_key) DO NOTHING`,
			m.ID, text, caseID, out.Opened, d.Key, tx.actor.UserID, tx.now)
		if err != nil {
			return db.classify(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			// A resend: the first decision, if it said the same.
			var had string
			var hadCase int64
			var created timeValue
			if err := tx.queryRow(`SELECT id, text, case_id, created_at FROM meeting_decisions WHERE meeting_id = ? AND request_key = ?`, m.ID, d.Key).
				Scan(&out.ID, &had, &hadCase, &created); err != nil {
				return err
			}
			if had != text || hadCase != caseID {
				return wangge.E(wangge.EConflict, "error.meeting.request_key")
			}
			out.CreatedAt = created.Time
			return nil
		}
		if err := tx.queryRow(`SELECT id FROM meeting_decisions WHERE meeting_id = ? AND request_key = ?`, m.ID, d.Key).Scan(&out.ID); err != nil {
			return err
		}
		out.CreatedAt = tx.now
		return tx.audit("meeting.decide", "meeting", m.ID, area, jsonDetail(map[string]any{
			"decision_id": out.ID, "case": c.Number, "opened": out.Opened}))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MeetingAgenda draws a meeting's agenda from the store, within the scope
// and the actor's sight of cases: the open cases of its area with their
// lights, the visits since the area's previous meeting (or in the week
// before) that found something, and the key-group changes in that time
// of the groups the scope may read.
func (db *DB) MeetingAgenda(ctx context.Context, s wangge.Scope, a casework.Actor, m *wangge.Meeting) (*wangge.Agenda, error) {
	var prev sql.Null[timeValue]
	if err := db.queryRow(ctx, `SELECT MAX(at) FROM meetings WHERE area_code = ? AND at < ?`, m.AreaCode, ts(m.At)).Scan(&prev); err != nil {
		return nil, err
	}
	var previous *time.Time
	if prev.Valid && !prev.V.Time.IsZero() {
		previous = &prev.V.Time
	}
	from, to := wangge.AgendaWindow(m.At, previous)
	eng, err := db.caseEngine()
	if err != nil {
		return nil, err
	}
	now := db.now()
	cases, _, err := db.ListCases(ctx, a, casework.Filter{Area: m.AreaCode, Open: true, Board: true, Page: wangge.Page{Limit: wangge.MaxPageLimit}})
	if err != nil {
		return nil, err
	}
	items := make([]wangge.AgendaCaseItem, 0, len(cases))
	for i := range cases {
		c := &cases[i]
		it := wangge.AgendaCaseItem{Number: c.Number, GridCode: c.Location.GridCode, Category: c.Category.Code, State: string(c.State), Description: c.Description}
		if d := c.Running(); d != nil {
			due := d.Due
			it.Due, it.Light, it.Overdue = &due, string(eng.Light(d, now)), d.Overdue(now)
		}
		items = append(items, it)
	}
	visits, _, err := db.ListVisits(ctx, s, wangge.VisitFilter{GridCode: m.AreaCode, Since: from, Page: wangge.Page{Limit: wangge.MaxPageLimit}})
	if err != nil {
		return nil, err
	}
	changes, err := db.keyGroupChanges(ctx, s.Narrow(m.AreaCode), from, to)
	if err != nil {
		return nil, err
	}
	ag := wangge.BuildAgenda(from, to, items, visits, changes)
	return &ag, nil
}

// keyGroupChanges lists the memberships in scope recorded or changed in
// [from, to) — a person joined a group, left it, or their entry changed —
// of the groups the scope may read. What counts is when it was recorded:
// a departure written this week with last month's date is this week's news.
func (db *DB) keyGroupChanges(ctx context.Context, s wangge.Scope, from, to time.Time) ([]wangge.KeyGroupChange, error) {
	c, a := people("m.grid_code", s)
	args := append(a, ts(from), ts(to), ts(from), ts(to))
	rows, err := collect(ctx, db, `SELECT m.id, m.person_id, p.name, p.household_id, m.grid_code, m.grp, m.created_at, m.left_on, m.updated_at
		FROM memberships m JOIN persons p ON p.id = m.person_id
		WHERE `+c+` AND (m.created_at >= ? AND m.created_at < ? OR m.updated_at >= ? AND m.updated_at < ?)
		ORDER BY m.id`, args,
		func(rows *sql.Rows) (wangge.KeyGroupChange, error) {
			var k wangge.KeyGroupChange
			var created, updated timeValue
			var left sql.Null[timeValue]
			err := rows.Scan(&k.MembershipID, &k.PersonID, &k.PersonName, &k.HouseholdID, &k.GridCode, &k.Group, &created, &left, &updated)
			switch {
			case err != nil:
			case !created.Time.Before(from) && created.Time.Before(to) && !left.Valid:
				k.Change, k.At = "join", created.Time
			case left.Valid:
				k.Change, k.At = "leave", updated.Time
			default:
				k.Change, k.At = "update", updated.Time
			}
			return k, err
		})
	if err != nil {
		return nil, err
	}
	out := rows[:0]
	for _, k := range rows {
		if s.GroupVisible(k.Group) {
			out = append(out, k)
		}
	}
	return out, nil
}
