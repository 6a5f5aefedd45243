package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/wangge/wangge/internal/pgtest"
	"github.com/wangge/wangge/postgres"
	"github.com/wangge/wangge/sqlite"
)

// The SQLite and PostgreSQL migrations are written by hand, side by side.
// TestSchemasAgree migrates a fresh database of each and compares what the
// store relies on: tables, columns (types mapped), NOT NULL, defaults,
// primary keys, unique constraints and indexes, other indexes, foreign keys
// with their actions, CHECK constraints (by count), triggers and the
// migrations applied. Whatever migrations exist are compared, not a list.
//
// The differences that must be are listed below, each with its reason; a
// listed exception that no longer occurs fails the test too, so the list
// stays true.
var schemaExceptions = map[string]string{
	// PostgreSQL tells every app server of boundary changes at commit
	// (LISTEN/NOTIFY); SQLite has one server, which sees its own writes.
	"migration 5: postgres only":                          "00005_boundary_notify is PostgreSQL's trigger for LISTEN/NOTIFY",
	"trigger areas.areas_notify: postgres only":           "LISTEN/NOTIFY of boundary changes (00005)",
	"trigger boundaries.boundaries_notify: postgres only": "LISTEN/NOTIFY of boundary changes (00005)",
	// A name search by its start reads an index in code point order
	// (text_pattern_ops); SQLite, comparing bytes, reads persons_grid.
	"index persons_name_prefix: postgres only": "LIKE-prefix name search under a non-C collation (00006)",
	// The key-group attributes are queried as JSON in PostgreSQL; SQLite
	// keeps JSON as text, which its json functions read.
	"column memberships.attrs: type text (sqlite) vs json (postgres)": "jsonb in PostgreSQL, JSON text in SQLite",
	// In SQLite an INTEGER PRIMARY KEY is the rowid, which the database
	// assigns when none is given; these keys are always given by the store
	// (the audit chain's sequence, the single chain head), so PostgreSQL
	// has no identity there.
	"column audit_log.seq: generated id (sqlite) vs given (postgres)": "the store numbers the audit chain itself",
	"column audit_head.id: generated id (sqlite) vs given (postgres)": "one row, id 1, written by the first migration",
	// SQLite lets a PRIMARY KEY that is not an INTEGER hold NULL unless it
	// is declared NOT NULL, and only a rebuild of the table changes that;
	// areas is referred to by nine tables, which a rebuild under SQLite's
	// foreign keys cannot leave alone. The store writes only validated codes.
	"column areas.code: not null false (sqlite) vs true (postgres)": "a rebuild of areas is not worth a quirk the store never meets",
}

func TestSchemasAgree(t *testing.T) {
	ctx := context.Background()
	pg := freshPostgres(t)
	lite, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "schema.db")+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	lite.SetMaxOpenConns(1)
	if err := sqlite.Migrate(ctx, lite); err != nil {
		t.Fatal(err)
	}
	if err := postgres.Migrate(ctx, pg); err != nil {
		t.Fatal(err)
	}
	a, err := sqliteSchema(ctx, lite)
	if err != nil {
		t.Fatal(err)
	}
	b, err := postgresSchema(ctx, pg)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.tables) < 10 || len(b.tables) < 10 {
		t.Fatalf("read %d SQLite and %d PostgreSQL tables: the schema queries are wrong", len(a.tables), len(b.tables))
	}
	t.Logf("compared %d tables, %d named indexes, %d unique constraints, %d foreign keys, %d check constraints, %d migrations",
		len(a.tables), len(a.named), len(a.uniques), len(a.fks), sumValues(a.checks), len(a.migrations))
	seen := map[string]bool{}
	for _, d := range compareSchemas(a, b) {
		if _, ok := schemaExceptions[d]; ok {
			seen[d] = true
			continue
		}
		t.Errorf("the schemas differ: %s", d)
	}
	for d := range schemaExceptions {
		if !seen[d] {
			t.Errorf("the listed exception %q no longer occurs: remove it from schemaExceptions", d)
		}
	}
}

// freshPostgres returns a new, empty database of the test server, dropped
// at the end; it skips without a server unless WANGGE_REQUIRE_POSTGRES=1.
func freshPostgres(t *testing.T) *sql.DB {
	t.Helper()
	dsn := pgtest.Database(t, "wangge_schema")
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

type column struct {
	typ      string // mapped: integer, text, bytes, float, bool, timestamp, date, json, or the raw type
	notNull  bool
	def      string // normalised default, "" for none
	autoID   bool   // the database assigns it when none is given
	collateC bool   // PostgreSQL: COLLATE "C"
}

type index struct {
	table      string
	cols       string // comma-separated; expressions as "expr"
	unique     bool
	constraint bool   // backs a PRIMARY KEY or UNIQUE constraint
	where      string // normalised partial-index predicate
}

func (i index) String() string {
	s := i.table + " (" + i.cols + ")"
	if i.unique {
		s = "unique " + s
	}
	if i.where != "" {
		s += " where " + i.where
	}
	return s
}

type schema struct {
	tables     map[string]map[string]column
	pk         map[string]string // table → columns
	named      map[string]index  // CREATE INDEX indexes by name
	uniques    map[string]bool   // unique constraints, as index strings
	fks        map[string]string // "table (cols)" → "ref (cols) on delete X on update Y"
	checks     map[string]int    // table → CHECK constraints
	triggers   map[string]bool   // "table.name"
	migrations map[int64]bool
}

func newSchema() *schema {
	return &schema{tables: map[string]map[string]column{}, pk: map[string]string{}, named: map[string]index{}, uniques: map[string]bool{},
		fks: map[string]string{}, checks: map[string]int{}, triggers: map[string]bool{}, migrations: map[int64]bool{}}
}

// goose's own table differs by dialect and is goose's business.
const gooseTable = "goose_db_version"

var spaces = regexp.MustCompile(`\s+`)

// normExpr makes SQLite's and PostgreSQL's renderings of a predicate or a
// default comparable: no casts, parentheses, case or extra spaces.
func normExpr(s string) string {
	s = regexp.MustCompile(`::[a-z ]+(\[\])?`).ReplaceAllString(strings.ToLower(s), "")
	s = strings.NewReplacer("(", "", ")", "", `"`, "").Replace(s)
	return strings.TrimSpace(spaces.ReplaceAllString(s, " "))
}

func mapSQLiteType(t string) string {
	switch t = strings.ToUpper(t); t {
	case "INTEGER":
		return "integer"
	case "TEXT":
		return "text"
	case "BLOB":
		return "bytes"
	case "REAL":
		return "float"
	case "BOOLEAN":
		return "bool"
	case "TIMESTAMP":
		return "timestamp" // stored as UTC text (_time_format=sqlite)
	case "DATE":
		return "date"
	}
	return "sqlite " + t
}

func mapPostgresType(t string) string {
	switch t {
	case "bigint", "integer", "smallint":
		return "integer"
	case "text", "character varying":
		return "text"
	case "bytea":
		return "bytes"
	case "double precision":
		return "float"
	case "boolean":
		return "bool"
	case "timestamp with time zone":
		return "timestamp"
	case "date":
		return "date"
	case "jsonb", "json":
		return "json"
	}
	return "postgres " + t
}

func queryStrings(ctx context.Context, db *sql.DB, q string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func sqliteSchema(ctx context.Context, db *sql.DB) (*schema, error) {
	s := newSchema()
	tables, err := queryStrings(ctx, db, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> ? ORDER BY name`, gooseTable)
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		cols := map[string]column{}
		rows, err := db.QueryContext(ctx, `SELECT name, type, "notnull", COALESCE(dflt_value, ''), pk FROM pragma_table_info(?) ORDER BY cid`, t)
		if err != nil {
			return nil, err
		}
		var pk []string
		pkType := ""
		for rows.Next() {
			var name, typ, def string
			var notNull bool
			var pkPos int
			if err := rows.Scan(&name, &typ, &notNull, &def, &pkPos); err != nil {
				rows.Close()
				return nil, err
			}
			cols[name] = column{typ: mapSQLiteType(typ), notNull: notNull, def: normExpr(def)}
			if pkPos > 0 {
				pk = append(pk, fmt.Sprintf("%d:%s", pkPos, name))
				pkType = strings.ToUpper(typ)
			}
		}
		rows.Close()
		sort.Strings(pk)
		for i := range pk {
			pk[i] = pk[i][strings.IndexByte(pk[i], ':')+1:]
		}
		if len(pk) == 1 && pkType == "INTEGER" {
			c := cols[pk[0]]
			c.autoID = true  // the rowid
			c.notNull = true // a rowid is never NULL, declared or not
			cols[pk[0]] = c
		}
		s.tables[t] = cols
		s.pk[t] = strings.Join(pk, ",")

		// Indexes: 'c' made by CREATE INDEX, 'u' by a UNIQUE constraint,
		// 'pk' by a non-integer primary key (compared as the key above).
		rows, err = db.QueryContext(ctx, `SELECT name, "unique", origin FROM pragma_index_list(?)`, t)
		if err != nil {
			return nil, err
		}
		type il struct {
			name, origin string
			unique       bool
		}
		var ils []il
		for rows.Next() {
			var x il
			if err := rows.Scan(&x.name, &x.unique, &x.origin); err != nil {
				rows.Close()
				return nil, err
			}
			ils = append(ils, x)
		}
		rows.Close()
		for _, x := range ils {
			if x.origin == "pk" {
				continue
			}
			cols, err := queryStrings(ctx, db, `SELECT COALESCE(name, 'expr') FROM pragma_index_xinfo(?) WHERE key ORDER BY seqno`, x.name)
			if err != nil {
				return nil, err
			}
			ix := index{table: t, cols: strings.Join(cols, ","), unique: x.unique, constraint: x.origin == "u"}
			if x.origin == "u" {
				s.uniques[ix.String()] = true
				continue
			}
			var def string
			if err := db.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?`, x.name).Scan(&def); err != nil {
				return nil, err
			}
			if i := strings.Index(strings.ToUpper(def), " WHERE "); i >= 0 {
				ix.where = normExpr(def[i+len(" WHERE "):])
			}
			s.named[x.name] = ix
		}

		rows, err = db.QueryContext(ctx, `SELECT id, "from", "table", COALESCE("to", ''), on_delete, on_update FROM pragma_foreign_key_list(?) ORDER BY id, seq`, t)
		if err != nil {
			return nil, err
		}
		fk := map[int][]string{} // id → from, table, to, del, upd (columns joined)
		for rows.Next() {
			var id int
			var from, ref, to, del, upd string
			if err := rows.Scan(&id, &from, &ref, &to, &del, &upd); err != nil {
				rows.Close()
				return nil, err
			}
			if f, ok := fk[id]; ok {
				f[0] += "," + from
				f[2] += "," + to
			} else {
				fk[id] = []string{from, ref, to, strings.ToLower(del), strings.ToLower(upd)}
			}
		}
		rows.Close()
		for _, f := range fk {
			s.fks[t+" ("+f[0]+")"] = fmt.Sprintf("%s (%s) on delete %s on update %s", f[1], f[2], f[3], f[4])
		}

		var def string
		if err := db.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?`, t).Scan(&def); err != nil {
			return nil, err
		}
		if n := len(regexp.MustCompile(`(?i)\bCHECK\s*\(`).FindAllString(def, -1)); n > 0 {
			s.checks[t] = n
		}
	}
	trg, err := queryStrings(ctx, db, `SELECT tbl_name || '.' || name FROM sqlite_schema WHERE type = 'trigger'`)
	if err != nil {
		return nil, err
	}
	for _, x := range trg {
		s.triggers[x] = true
	}
	rows, err := db.QueryContext(ctx, `SELECT version_id FROM goose_db_version WHERE is_applied AND version_id > 0`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v int64
		rows.Scan(&v)
		s.migrations[v] = true
	}
	return s, rows.Err()
}

var pgActions = map[string]string{"a": "no action", "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}

func postgresSchema(ctx context.Context, db *sql.DB) (*schema, error) {
	s := newSchema()
	rows, err := db.QueryContext(ctx, `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable = 'NO', COALESCE(c.column_default, ''), c.is_identity = 'YES', COALESCE(c.collation_name, '') = 'C'
		FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> $1`, gooseTable)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var t, name, typ, def string
		var c column
		if err := rows.Scan(&t, &name, &typ, &c.notNull, &def, &c.autoID, &c.collateC); err != nil {
			rows.Close()
			return nil, err
		}
		c.typ, c.def = mapPostgresType(typ), normExpr(def)
		if s.tables[t] == nil {
			s.tables[t] = map[string]column{}
		}
		s.tables[t][name] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// Indexes with their columns in order (0 in indkey: an expression).
	rows, err = db.QueryContext(ctx, `SELECT t.relname, i.relname, x.indisunique, x.indisprimary,
			EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.contype IN ('p', 'u')),
			COALESCE(pg_get_expr(x.indpred, x.indrelid), ''),
			COALESCE((SELECT string_agg(COALESCE(a.attname, 'expr'), ',' ORDER BY k.n)
				FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n) LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum AND k.attnum > 0), '')
		FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = current_schema() AND t.relname <> $1`, gooseTable)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var ix index
		var name, where string
		var primary bool
		if err := rows.Scan(&ix.table, &name, &ix.unique, &primary, &ix.constraint, &where, &ix.cols); err != nil {
			rows.Close()
			return nil, err
		}
		ix.where = normExpr(where)
		switch {
		case primary:
			s.pk[ix.table] = ix.cols
		case ix.constraint:
			s.uniques[ix.String()] = true
		default:
			s.named[name] = ix
		}
	}
	rows.Close()

	rows, err = db.QueryContext(ctx, `SELECT t.relname, k.contype,
			COALESCE((SELECT string_agg(a.attname, ',' ORDER BY c.n) FROM unnest(k.conkey) WITH ORDINALITY c(attnum, n) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = c.attnum), ''),
			COALESCE(r.relname, ''),
			COALESCE((SELECT string_agg(a.attname, ',' ORDER BY c.n) FROM unnest(k.confkey) WITH ORDINALITY c(attnum, n) JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = c.attnum), ''),
			k.confdeltype, k.confupdtype
		FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace LEFT JOIN pg_class r ON r.oid = k.confrelid
		WHERE n.nspname = current_schema() AND k.contype IN ('f', 'c') AND t.relname <> $1`, gooseTable)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var t, typ, from, ref, to, del, upd string
		if err := rows.Scan(&t, &typ, &from, &ref, &to, &del, &upd); err != nil {
			rows.Close()
			return nil, err
		}
		if typ == "c" {
			s.checks[t]++
			continue
		}
		s.fks[t+" ("+from+")"] = fmt.Sprintf("%s (%s) on delete %s on update %s", ref, to, pgActions[strings.TrimSpace(del)], pgActions[strings.TrimSpace(upd)])
	}
	rows.Close()

	trg, err := queryStrings(ctx, db, `SELECT c.relname || '.' || g.tgname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND NOT g.tgisinternal`)
	if err != nil {
		return nil, err
	}
	for _, x := range trg {
		s.triggers[x] = true
	}
	rows, err = db.QueryContext(ctx, `SELECT version_id FROM goose_db_version WHERE is_applied AND version_id > 0`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v int64
		rows.Scan(&v)
		s.migrations[v] = true
	}
	return s, rows.Err()
}

// codeColumn names the columns that hold region codes: scopes read them as
// prefix ranges, which in PostgreSQL compare bytes only under COLLATE "C",
// as SQLite always does.
var codeColumn = regexp.MustCompile(`(^|_)(code|grid)$`)

// compareSchemas lists the differences, one sentence each.
func compareSchemas(a, b *schema) []string {
	var out []string
	only := func(what string, inA, inB bool) bool {
		switch {
		case inA && !inB:
			out = append(out, what+": sqlite only")
		case inB && !inA:
			out = append(out, what+": postgres only")
		default:
			return false
		}
		return true
	}
	for _, t := range union(a.tables, b.tables) {
		if only("table "+t, a.tables[t] != nil, b.tables[t] != nil) {
			continue
		}
		for _, c := range union(a.tables[t], b.tables[t]) {
			x, inA := a.tables[t][c]
			y, inB := b.tables[t][c]
			what := "column " + t + "." + c
			if only(what, inA, inB) {
				continue
			}
			if x.typ != y.typ {
				out = append(out, fmt.Sprintf("%s: type %s (sqlite) vs %s (postgres)", what, x.typ, y.typ))
			}
			if x.notNull != y.notNull {
				out = append(out, fmt.Sprintf("%s: not null %v (sqlite) vs %v (postgres)", what, x.notNull, y.notNull))
			}
			if x.def != y.def {
				out = append(out, fmt.Sprintf("%s: default %q (sqlite) vs %q (postgres)", what, x.def, y.def))
			}
			if x.autoID != y.autoID {
				out = append(out, fmt.Sprintf("%s: %s (sqlite) vs %s (postgres)", what, autoWord(x.autoID), autoWord(y.autoID)))
			}
			if y.typ == "text" && codeColumn.MatchString(c) && !y.collateC {
				out = append(out, fmt.Sprintf("%s: a code column without COLLATE \"C\" in postgres", what))
			}
		}
		if a.pk[t] != b.pk[t] {
			out = append(out, fmt.Sprintf("primary key of %s: (%s) (sqlite) vs (%s) (postgres)", t, a.pk[t], b.pk[t]))
		}
		if a.checks[t] != b.checks[t] {
			out = append(out, fmt.Sprintf("check constraints of %s: %d (sqlite) vs %d (postgres)", t, a.checks[t], b.checks[t]))
		}
	}
	for _, u := range union(a.uniques, b.uniques) {
		only("unique constraint "+u, a.uniques[u], b.uniques[u])
	}
	for _, n := range union(a.named, b.named) {
		x, inA := a.named[n]
		y, inB := b.named[n]
		if only("index "+n, inA, inB) {
			continue
		}
		if x != y {
			out = append(out, fmt.Sprintf("index %s: %s (sqlite) vs %s (postgres)", n, x, y))
		}
	}
	for _, k := range union(a.fks, b.fks) {
		x, inA := a.fks[k]
		y, inB := b.fks[k]
		if only("foreign key "+k, inA, inB) {
			continue
		}
		if x != y {
			out = append(out, fmt.Sprintf("foreign key %s: to %s (sqlite) vs %s (postgres)", k, x, y))
		}
	}
	for _, g := range union(a.triggers, b.triggers) {
		only("trigger "+g, a.triggers[g], b.triggers[g])
	}
	for _, v := range union(a.migrations, b.migrations) {
		only(fmt.Sprintf("migration %d", v), a.migrations[v], b.migrations[v])
	}
	return out
}

func autoWord(auto bool) string {
	if auto {
		return "generated id"
	}
	return "given"
}

// union returns the keys of both maps, sorted.
func union[K interface{ ~string | ~int64 }, V any](a, b map[K]V) []K {
	var ks []K
	for k := range a {
		ks = append(ks, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}

func sumValues(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
