// Package postgres opens the store on PostgreSQL through pgx, for a city and
// beyond. It shares its SQL with the SQLite store (package sqldb); only the
// connection, the migrations and the dialect are its own.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" driver
	"github.com/pressly/goose/v3"

	"github.com/wangge/wangge/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Tables whose ids are identity columns: the bulk loaders (the district's
// and the cases') assign ids themselves, so their sequences must move past
// them afterwards.
var identityTables = []string{"buildings", "building_moves", "building_heads", "households", "household_moves", "persons", "person_moves",
	"units", "assistants", "assignments", "memberships", "services", "visits", "users", "cases"}

var dialect = sqldb.Dialect{
	Name:         "postgres",
	Placeholders: sqldb.Dollar,
	IsUnique:     func(err error) bool { return pgCode(err) == "23505" },
	IsForeignKey: func(err error) bool { return pgCode(err) == "23503" },
	AfterBulk: func(ctx context.Context, tx *sql.Tx) error {
		for _, t := range identityTables {
			q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false)`, t, t)
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("reset %s id sequence: %w", t, err)
			}
		}
		return nil
	},
	Optimize:  []string{"ANALYZE"},
	MaxParams: 65535,
}

func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Open connects to the database at dsn (postgres://…) and migrates it.
func Open(ctx context.Context, dsn string) (*sqldb.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	// The same statement reads one grid for an assistant and a whole
	// district for its administrator (a scope is a range of codes), and a
	// search's pattern decides whether an index serves it: a plan cached
	// for one set of values is badly wrong for another, so each execution
	// is planned for its own values (a DSN may still say otherwise).
	if _, ok := cfg.RuntimeParams["plan_cache_mode"]; !ok {
		cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if err := Migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	store := sqldb.New(db, db, dialect)
	store.SetBoundaryFeed(func(ctx context.Context) <-chan struct{} { return listen(ctx, dsn, boundaryChannel) })
	return store, nil
}

// Migrate applies the embedded migrations.
func Migrate(ctx context.Context, db *sql.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub)
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}
