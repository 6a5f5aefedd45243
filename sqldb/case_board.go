package sqldb

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

// The board's reads (案件看板): its columns, its counts, the search and the
// supervision view's selection, on the same columns and the same sight
// (caseVisible) as ListCases. ListCases stays the plain list the JSON API
// serves; these add what only the pages ask for.

// BoardCasesMax bounds one read of the board's rows, whatever page size a
// caller asks for (an export reads at most this many).
const BoardCasesMax = 5000

// caseDocField is a field of the case's JSON document as SQL text: the
// description and the category's names are kept only there. Each database
// spells its JSON access its own way.
func (db *DB) caseDocField(path ...string) string {
	if db.d.Name == "postgres" {
		e := "CAST(c.doc AS json)"
		for i, p := range path {
			op := " -> "
			if i == len(path)-1 {
				op = " ->> "
			}
			e += op + "'" + p + "'"
		}
		return "(" + e + ")"
	}
	jp := "$"
	for _, p := range path {
		jp += "." + p
	}
	return "json_extract(c.doc, '" + jp + "')"
}

const caseOpen = "c.state NOT IN ('closed', 'merged')"

// boardWhere is the selection of q within the actor's sight: Filter's
// conditions as ListCases applies them, the search, and — unless left out
// for the counts — the column and the state.
func (db *DB) boardWhere(a casework.Actor, q *casework.BoardQuery, withColumn, withState bool) (*where, error) {
	w := new(where)
	cond, args := caseVisible(a)
	w.add(cond, args...)
	f := q.Filter
	if f.Area != "" {
		if !wangge.ValidRegionCode(f.Area) {
			return nil, wangge.Invalid("area", "error.case.area")
		}
		lo, hi := wangge.ScopeOf(f.Area).Range()
		w.add("c.grid_code BETWEEN ? AND ?", lo, hi)
	}
	if f.State != "" && withState {
		w.add("c.state = ?", string(f.State))
	}
	if f.Mechanism != "" {
		w.add("c.mechanism = ?", string(f.Mechanism))
	}
	if f.Category != "" {
		w.add("c.category = ?", f.Category)
	}
	if f.Receiver != "" {
		w.add("c.receiver_line = ?", string(f.Receiver))
	}
	if f.Level != 0 {
		w.add("c.level = ?", int(f.Level))
	}
	if f.Open {
		w.add(caseOpen)
	}
	if !f.DueBefore.IsZero() {
		w.add("c.due_at < ?", ts(f.DueBefore))
	}
	if len(q.Words) > casework.SearchWordsMax {
		return nil, wangge.Invalid("q", "error.case.search_words", "Max", casework.SearchWordsMax)
	}
	// LOWER on both sides: SQLite's LIKE ignores the case of ASCII
	// letters and PostgreSQL's does not; so both ignore it here.
	desc, name, nameEn := db.caseDocField("Description"), db.caseDocField("Category", "Name"), db.caseDocField("Category", "NameEn")
	for _, word := range q.Words {
		p := "%" + likeEscape(strings.ToLower(word)) + "%"
		if jsonPlain(word) {
			// A word JSON writes as it is appears as it is in the
			// document wherever it appears in its fields: the plain scan
			// rules out most cases before their documents are parsed.
			w.add(`LOWER(c.doc) LIKE ? ESCAPE '\'`, p)
		}
		w.add(`(LOWER(`+desc+`) LIKE ? ESCAPE '\' OR LOWER(`+name+`) LIKE ? ESCAPE '\' OR LOWER(`+nameEn+`) LIKE ? ESCAPE '\')`, p, p, p)
	}
	if q.Attention {
		w.add(caseOpen+` AND (c.due_at < ? OR EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.action = ?))`,
			ts(q.Now), string(casework.ActSupervise))
	}
	if q.Column != "" && withColumn {
		if !q.Column.Valid() {
			return nil, wangge.Invalid("col", "error.case.column")
		}
		w.add(caseOpen)
		switch q.Column {
		case casework.ColEmergency:
			w.add("c.mechanism = 'emergency'")
		case casework.ColWaiting:
			w.add("c.mechanism <> 'emergency' AND c.due_at IS NULL")
		case casework.ColOverdue:
			w.add("c.mechanism <> 'emergency' AND c.due_at < ?", ts(q.Now))
		case casework.ColDueSoon:
			w.add("c.mechanism <> 'emergency' AND c.due_at >= ? AND c.due_at < ?", ts(q.Now), ts(soon(q)))
		case casework.ColOnTime:
			w.add("c.mechanism <> 'emergency' AND c.due_at >= ?", ts(soon(q)))
		}
	}
	return w, nil
}

// jsonPlain reports whether encoding/json writes s inside a string as it
// is: no quote, backslash, control character, <, >, & or line separator
// (which it escapes).
func jsonPlain(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == '"' || r == '\\' || r == '<' || r == '>' || r == '&' || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// soon is the query's due-soon bound, never before its now.
func soon(q *casework.BoardQuery) time.Time {
	if q.Soon.Before(q.Now) {
		return q.Now
	}
	return q.Soon
}

// BoardCases lists the board's cases the actor sees: q's selection, in the
// board's order when q.Board, otherwise newest first, without timelines.
func (db *DB) BoardCases(ctx context.Context, a casework.Actor, q casework.BoardQuery) ([]casework.Case, int, error) {
	w, err := db.boardWhere(a, &q, true, true)
	if err != nil {
		return nil, 0, err
	}
	order := "c.created_at DESC, c.id DESC"
	if q.Board {
		order = "CASE WHEN c.mechanism = 'emergency' AND " + caseOpen + " THEN 0 ELSE 1 END, c.due_at ASC NULLS LAST, c.created_at DESC, c.id DESC"
	}
	p := q.Page
	if p.Limit <= 0 || p.Limit > BoardCasesMax {
		p.Limit = min(max(p.Limit, wangge.DefaultPageLimit), BoardCasesMax)
	}
	total, err := db.count(ctx, "cases c", w)
	if err != nil || total == 0 {
		return nil, total, err
	}
	// The order is taken over the ids alone and the page's documents read
	// after: sorting the documents themselves would move every case's
	// through the sorter for the 50 shown.
	args := append(append([]any{}, w.args...), p.Limit, max(p.Offset, 0))
	ids, err := collect(ctx, db, `SELECT c.id FROM cases c`+w.String()+` ORDER BY `+order+` LIMIT ? OFFSET ?`, args,
		func(rows *sql.Rows) (int64, error) {
			var id int64
			return id, rows.Scan(&id)
		})
	if err != nil || len(ids) == 0 {
		return nil, total, err
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	idArgs := make([]any, len(ids))
	for i, id := range ids {
		idArgs[i] = id
	}
	type row struct {
		id int64
		c  casework.Case
	}
	rows, err := collect(ctx, db, `SELECT `+caseCols+` FROM cases c WHERE c.id IN (`+marks+`)`, idArgs,
		func(rows *sql.Rows) (row, error) {
			r, err := db.scanCase(rows, db.maskedContact)
			if err != nil {
				return row{}, err
			}
			return row{r.id, *r.c}, nil
		})
	if err != nil {
		return nil, 0, err
	}
	out := make([]casework.Case, 0, len(rows))
	for _, r := range inOrder(ids, rows, func(r row) int64 { return r.id }) {
		out = append(out, r.c)
	}
	return out, total, nil
}

// BoardCounts counts q's selection the actor sees: the open cases per
// column and the cases per state, each leaving out q's own column and
// state, in one grouped query over the columns (no document is read).
func (db *DB) BoardCounts(ctx context.Context, a casework.Actor, q casework.BoardQuery) (*casework.BoardCounts, error) {
	out := &casework.BoardCounts{Columns: map[casework.BoardColumn]int{}, States: map[casework.State]int{}}
	w, err := db.boardWhere(a, &q, false, false)
	if err != nil {
		return nil, err
	}
	bucket := `CASE WHEN c.mechanism = 'emergency' THEN 'emergency' WHEN c.due_at IS NULL THEN 'waiting'
		WHEN c.due_at < ? THEN 'overdue' WHEN c.due_at < ? THEN 'due_soon' ELSE 'on_time' END`
	args := append([]any{ts(q.Now), ts(soon(&q))}, w.args...)
	rows, err := db.query(ctx, `SELECT c.state, `+bucket+`, COUNT(*) FROM cases c`+w.String()+` GROUP BY c.state, 2`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var state, col string
		var n int
		if err := rows.Scan(&state, &col, &n); err != nil {
			return nil, err
		}
		st := casework.State(state)
		out.States[st] += n
		if st.Open() {
			out.Columns[casework.BoardColumn(col)] += n
		}
	}
	return out, rows.Err()
}

// CaseCountsByCommunity counts q's selection the actor sees per community
// (the first 12 digits of the grid code): the supervision view's groups.
func (db *DB) CaseCountsByCommunity(ctx context.Context, a casework.Actor, q casework.BoardQuery) (map[string]int, error) {
	w, err := db.boardWhere(a, &q, true, true)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	err = db.groupCounts(ctx, `SELECT SUBSTR(c.grid_code, 1, 12), COUNT(*) FROM cases c`+w.String()+` GROUP BY SUBSTR(c.grid_code, 1, 12)`, w.args,
		func(k string, n int) { out[k] = n })
	return out, err
}

// groupCounts runs a query of (key, count) rows.
func (db *DB) groupCounts(ctx context.Context, q string, args []any, each func(string, int)) error {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		each(k, n)
	}
	return rows.Err()
}
