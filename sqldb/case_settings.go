package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/workcal"
)

// The district's case settings (migration 00012): the working hours and
// yellow share the calendar runs on, the engine's acknowledge minutes,
// reopen window and approval chain, the calendar years an administrator
// loaded and the limits per category × mechanism × step. Only the
// district's administrator (or the operator at the command line) changes
// them, each change audited in its transaction with what it replaced.
//
// The engine is built from them and kept (caseSettingsCache). Every change
// bumps case_settings.generation; a server rebuilds when the generation it
// built from is no longer the database's. It reads that number at most
// once every settingsRecheck, and at once after a change of its own: a
// read per create or transition would add a round trip to every case write
// (the load test's 200 clients) for settings that change a few times a
// year, while a change reaching another server some seconds later is
// harmless — a new limit applies to deadlines started after it anyway.

// settingsRecheck is how long a server trusts the settings it built its
// engine from before it reads their version again.
const settingsRecheck = 10 * time.Second

// caseSettingsCache is the engine and calendar built from the settings of
// generation, and when the generation was last read (the store's clock, so a test
// moves it).
type caseSettingsCache struct {
	mu         sync.Mutex
	e          *casework.Engine
	cal        *workcal.Calendar
	generation int
	checked    time.Time
}

// invalidate makes the next use read the generation again: after a change
// this server made, its own next case runs on it.
func (c *caseSettingsCache) invalidate() {
	c.mu.Lock()
	c.checked = time.Time{}
	c.mu.Unlock()
}

// caseConfig returns the engine and the calendar of the current settings,
// rebuilt when their generation changed.
func (db *DB) caseConfig(ctx context.Context) (*casework.Engine, *workcal.Calendar, error) {
	c := &db.caseCfg
	c.mu.Lock()
	defer c.mu.Unlock()
	now := db.now()
	if c.e != nil && !c.checked.IsZero() && !now.Before(c.checked) && now.Sub(c.checked) < settingsRecheck {
		return c.e, c.cal, nil
	}
	var g int
	if err := db.queryRow(ctx, `SELECT generation FROM case_settings WHERE id = 1`).Scan(&g); err != nil {
		return nil, nil, err
	}
	if c.e != nil && g == c.generation {
		c.checked = now
		return c.e, c.cal, nil
	}
	s, err := db.readSettings(ctx)
	if err != nil {
		return nil, nil, err
	}
	loaded, err := db.loadedYears(ctx)
	if err != nil {
		return nil, nil, err
	}
	rows, err := db.limitRows(ctx, "")
	if err != nil {
		return nil, nil, err
	}
	cal, err := calendarOf(s, loaded)
	if err != nil {
		return nil, nil, err
	}
	e := casework.NewEngine(workClock{cal})
	s.Configure(e, rows)
	// The rows read after g are at least as new as g says; a change made
	// since bumps the generation again, and the next check rebuilds.
	c.e, c.cal, c.generation, c.checked = e, cal, g, now
	return e, cal, nil
}

// calendarOf builds the calendar of the settings and the loaded years.
func calendarOf(s *casework.Settings, loaded []workcal.Loaded) (*workcal.Calendar, error) {
	hours, err := workcal.ParseHours(s.Hours)
	if err != nil {
		return nil, err
	}
	var years []*workcal.Year
	for _, l := range loaded {
		y, err := workcal.ParseYear(strings.NewReader(l.Text))
		if err != nil {
			return nil, err
		}
		years = append(years, y)
	}
	return workcal.New(workcal.Options{Hours: hours, YellowAt: float64(s.YellowPercent) / 100, Years: years})
}

// WorkCalendar returns the district's work calendar: the embedded years
// with the loaded ones over them, its working hours and yellow share. It
// is no one's personal data, so it takes no actor.
func (db *DB) WorkCalendar(ctx context.Context) (*workcal.Calendar, error) {
	_, cal, err := db.caseConfig(ctx)
	return cal, err
}

// mayManageCalendar refuses everyone but the district's administrator and
// the system (the operator at the command line).
func mayManageCalendar(a casework.Actor) error {
	if a.Role == wangge.RoleSystem ||
		a.Role.Can(wangge.PermManageCalendar) && len(a.ScopeCode) == wangge.DistrictCodeLen {
		return nil
	}
	return wangge.E(wangge.EForbidden, "error.case_settings.forbidden")
}

type rowQuerier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func (db *DB) scanSettings(ctx context.Context, q rowQuerier) (*casework.Settings, error) {
	var s casework.Settings
	var chain string
	var updated sql.Null[timeValue]
	err := q.QueryRowContext(ctx, db.sql(`SELECT hours, yellow_percent, ack_minutes, reopen_days, approval_chain, version, updated_by, updated_at
		FROM case_settings WHERE id = 1`)).Scan(&s.Hours, &s.YellowPercent, &s.AckMinutes, &s.ReopenDays, &chain, &s.Version, &s.UpdatedBy, &updated)
	if err != nil {
		return nil, err
	}
	if s.Chain, err = casework.ParseChain(chain); err != nil {
		return nil, err
	}
	if updated.Valid {
		s.UpdatedAt = updated.V.Time
	}
	return &s, nil
}

func (db *DB) readSettings(ctx context.Context) (*casework.Settings, error) {
	return db.scanSettings(ctx, db.r)
}

// CaseSettings returns the district's case settings, for its administrator.
func (db *DB) CaseSettings(ctx context.Context, a casework.Actor) (*casework.Settings, error) {
	if err := mayManageCalendar(a); err != nil {
		return nil, err
	}
	return db.readSettings(ctx)
}

// settingsDetail is the settings as an audit entry records them.
func settingsDetail(s *casework.Settings) map[string]any {
	return map[string]any{"hours": s.Hours, "yellow_percent": s.YellowPercent, "ack_minutes": s.AckMinutes,
		"reopen_days": s.ReopenDays, "approval_chain": casework.FormatChain(s.Chain), "version": s.Version}
}

// UpdateCaseSettings changes the settings read at s.Version (ErrConflict
// when another save came since) and returns them as saved. The hours are kept in
// workcal's own form, whatever spacing they were typed with.
func (db *DB) UpdateCaseSettings(ctx context.Context, a casework.Actor, s casework.Settings) (*casework.Settings, error) {
	if err := mayManageCalendar(a); err != nil {
		return nil, err
	}
	hours, err := workcal.ParseHours(s.Hours)
	if err != nil {
		return nil, err
	}
	parts := make([]string, len(hours))
	for i, p := range hours {
		parts[i] = p.String()
	}
	s.Hours = strings.Join(parts, ",")
	if err := s.Validate(); err != nil {
		return nil, err
	}
	var out *casework.Settings
	err = db.inTx(ctx, func(tx *Tx) error {
		tx.actor = auditActor(tx.actor, a)
		before, err := tx.db.scanSettings(ctx, tx.Tx)
		if err != nil {
			return err
		}
		if err := tx.update("case_settings", "id", 1, `UPDATE case_settings SET hours = ?, yellow_percent = ?, ack_minutes = ?, reopen_days = ?,
			approval_chain = ?, version = version + 1, generation = generation + 1, updated_by = ?, updated_at = ? WHERE id = 1 AND version = ?`,
			s.Hours, s.YellowPercent, s.AckMinutes, s.ReopenDays, casework.FormatChain(s.Chain), loader(tx, a), tx.now, s.Version); err != nil {
			return err
		}
		if out, err = tx.db.scanSettings(ctx, tx.Tx); err != nil {
			return err
		}
		return tx.audit("case_settings.update", "case_settings", 1, "", jsonDetail(map[string]any{"before": settingsDetail(before), "after": settingsDetail(out)}))
	})
	if err != nil {
		return nil, err
	}
	db.caseCfg.invalidate()
	return out, nil
}

// loader names who made a change, for the rows that say so: the audit
// entry's username, or the case actor's name.
func loader(tx *Tx, a casework.Actor) string {
	if tx.actor.Username != "" {
		return tx.actor.Username
	}
	return a.Name
}

// bumpGeneration tells every server's engine that the settings changed,
// within a change of the years or the limits.
func (tx *Tx) bumpGeneration() error {
	_, err := tx.exec(`UPDATE case_settings SET generation = generation + 1 WHERE id = 1`)
	return err
}

func (db *DB) loadedYears(ctx context.Context) ([]workcal.Loaded, error) {
	return collect(ctx, db, `SELECT year, text, loaded_by, loaded_at FROM calendar_years ORDER BY year`, nil,
		func(rows *sql.Rows) (workcal.Loaded, error) {
			var l workcal.Loaded
			var at timeValue
			err := rows.Scan(&l.Year, &l.Text, &l.LoadedBy, &at)
			l.LoadedAt = at.Time
			return l, err
		})
}

// CalendarYears returns the years loaded on top of the embedded ones, by
// year, with their text.
func (db *DB) CalendarYears(ctx context.Context, a casework.Actor) ([]workcal.Loaded, error) {
	if err := mayManageCalendar(a); err != nil {
		return nil, err
	}
	return db.loadedYears(ctx)
}

// yearDetail is a year as an audit entry records it: enough to tell one
// load from another without the whole text.
func yearDetail(y *workcal.Year, by string, at time.Time) map[string]any {
	var notices []string
	for _, n := range y.Notices {
		notices = append(notices, strings.TrimSpace(n.Number+" "+n.Title))
	}
	return map[string]any{"year": y.Year, "notices": notices, "holidays": y.Holidays(), "workdays": y.Workdays(),
		"loaded_by": by, "loaded_at": at}
}

// LoadCalendarYear reads a year file (workcal.ParseYear: refused with the
// line at fault) and keeps it over the embedded year of its number or the
// one loaded before, checked first against the neighbouring years (two
// notices naming a day at their border must agree on it).
func (db *DB) LoadCalendarYear(ctx context.Context, a casework.Actor, text string) (*workcal.Year, error) {
	if err := mayManageCalendar(a); err != nil {
		return nil, err
	}
	y, err := workcal.ParseYear(strings.NewReader(text))
	if err != nil {
		return nil, err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		tx.actor = auditActor(tx.actor, a)
		s, err := tx.db.scanSettings(ctx, tx.Tx)
		if err != nil {
			return err
		}
		rows, err := tx.query(`SELECT year, text, loaded_by, loaded_at FROM calendar_years ORDER BY year`)
		if err != nil {
			return err
		}
		var others []workcal.Loaded
		var before map[string]any
		for rows.Next() {
			var l workcal.Loaded
			var at timeValue
			if err := rows.Scan(&l.Year, &l.Text, &l.LoadedBy, &at); err != nil {
				rows.Close()
				return err
			}
			if l.Year == y.Year {
				if old, err := workcal.ParseYear(strings.NewReader(l.Text)); err == nil {
					before = yearDetail(old, l.LoadedBy, at.Time)
				}
				continue
			}
			others = append(others, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if before == nil {
			if emb := embeddedYear(y.Year); emb != nil {
				before = yearDetail(emb, "embedded", time.Time{})
			}
		}
		others = append(others, workcal.Loaded{Year: y.Year, Text: text})
		if _, err := calendarOf(s, others); err != nil {
			return err
		}
		by := loader(tx, a)
		if _, err := tx.exec(`INSERT INTO calendar_years (year, text, loaded_by, loaded_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (year) DO UPDATE SET text = excluded.text, loaded_by = excluded.loaded_by, loaded_at = excluded.loaded_at`,
			y.Year, text, by, tx.now); err != nil {
			return err
		}
		if err := tx.bumpGeneration(); err != nil {
			return err
		}
		return tx.audit("calendar.load", "calendar_year", y.Year, "", jsonDetail(map[string]any{"before": before, "after": yearDetail(y, by, tx.now)}))
	})
	if err != nil {
		return nil, err
	}
	db.caseCfg.invalidate()
	return y, nil
}

func embeddedYear(year int) *workcal.Year {
	years, err := workcal.Embedded()
	if err != nil {
		return nil
	}
	for _, y := range years {
		if y.Year == year {
			return y
		}
	}
	return nil
}

// limitRows reads the district's limits, one category's or (category "")
// all, in category, mechanism and step order.
func (db *DB) limitRows(ctx context.Context, category string) ([]casework.LimitRow, error) {
	q := `SELECT category, mechanism, step, unit, n FROM case_limits`
	var args []any
	if category != "" {
		q += ` WHERE category = ?`
		args = append(args, category)
	}
	return collect(ctx, db, q+` ORDER BY category, mechanism, step`, args, func(rows *sql.Rows) (casework.LimitRow, error) {
		var r casework.LimitRow
		err := rows.Scan(&r.Category, &r.Mechanism, &r.Step, &r.Limit.Unit, &r.Limit.N)
		return r, err
	})
}

// CaseLimits returns the district's limits that replace a default, for its
// administrator: one category's, or every one with category "".
func (db *DB) CaseLimits(ctx context.Context, a casework.Actor, category string) ([]casework.LimitRow, error) {
	if err := mayManageCalendar(a); err != nil {
		return nil, err
	}
	return db.limitRows(ctx, category)
}

// limitDetail is a category's rows as an audit entry records them.
func limitDetail(rows []casework.LimitRow) []string {
	out := []string{}
	for _, r := range rows {
		out = append(out, string(r.Mechanism)+"."+string(r.Step)+"="+strconv.Itoa(r.Limit.N)+" "+string(r.Limit.Unit))
	}
	slices.Sort(out)
	return out
}

// SetCaseLimits replaces a category's limits with rows (none: the
// category runs on the defaults again). shown are the category's rows the
// form was made from: ErrConflict when they are no longer the stored ones
// (another administrator saved the category since). The category must be a problem type or an entry of the
// services catalogue; each row is checked (casework.LimitRow.Validate).
func (db *DB) SetCaseLimits(ctx context.Context, a casework.Actor, category string, shown, rows []casework.LimitRow) error {
	if err := mayManageCalendar(a); err != nil {
		return err
	}
	seen := map[[2]string]bool{}
	for i := range rows {
		r := &rows[i]
		if r.Category != category {
			return wangge.Invalid("category", "error.case_limit.category", "Value", r.Category)
		}
		if err := r.Validate(); err != nil {
			return err
		}
		k := [2]string{string(r.Mechanism), string(r.Step)}
		if seen[k] {
			return wangge.Invalid("step", "error.case_limit.step", "Value", string(r.Step))
		}
		seen[k] = true
	}
	known := slices.ContainsFunc(casework.ProblemTypes, func(c casework.Category) bool { return c.Code == category })
	if !known {
		var one int
		err := db.queryRow(ctx, `SELECT 1 FROM services WHERE code = ?`, category).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return wangge.Invalid("category", "error.case_limit.category", "Value", category)
		} else if err != nil {
			return err
		}
	}
	err := db.inTx(ctx, func(tx *Tx) error {
		tx.actor = auditActor(tx.actor, a)
		before, err := tx.limitRowsTx(category)
		if err != nil {
			return err
		}
		if !slices.Equal(limitDetail(before), limitDetail(shown)) {
			return wangge.ErrConflict
		}
		if slices.Equal(limitDetail(before), limitDetail(rows)) {
			return errNoChange // a form saved unchanged: nothing to write or audit
		}
		if err := tx.bumpGeneration(); err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM case_limits WHERE category = ?`, category); err != nil {
			return err
		}
		by := loader(tx, a)
		for _, r := range rows {
			if _, err := tx.exec(`INSERT INTO case_limits (category, mechanism, step, unit, n, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				category, string(r.Mechanism), string(r.Step), string(r.Limit.Unit), r.Limit.N, by, tx.now); err != nil {
				return err
			}
		}
		return tx.audit("case_limits.update", "case_category", category, "",
			jsonDetail(map[string]any{"before": limitDetail(before), "after": limitDetail(rows)}))
	})
	if errors.Is(err, errNoChange) {
		return nil
	}
	if err != nil {
		return err
	}
	db.caseCfg.invalidate()
	return nil
}

// errNoChange ends a transaction that has nothing to write.
var errNoChange = errors.New("sqldb: no change")

func (tx *Tx) limitRowsTx(category string) ([]casework.LimitRow, error) {
	rows, err := tx.query(`SELECT category, mechanism, step, unit, n FROM case_limits WHERE category = ?`, category)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []casework.LimitRow
	for rows.Next() {
		var r casework.LimitRow
		if err := rows.Scan(&r.Category, &r.Mechanism, &r.Step, &r.Limit.Unit, &r.Limit.N); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
