package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wangge/wangge/anchor"
	"github.com/wangge/wangge/postgres"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqldb"
	"github.com/wangge/wangge/sqlite"
)

// dbFlag adds the --db flag with its default from WANGGE_DB.
func dbFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("WANGGE_DB")
	if def == "" {
		def = "wangge.db"
	}
	return fs.String("db", def, "database: a SQLite file or postgres://… (env WANGGE_DB)")
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// keyPath is where the field-encryption key lives: WANGGE_SECRET_KEY_FILE,
// or beside the SQLite file, or wangge.key in the working directory.
func keyPath(dsn string) string {
	if p := os.Getenv("WANGGE_SECRET_KEY_FILE"); p != "" {
		return p
	}
	if isPostgres(dsn) {
		return "wangge.key"
	}
	return sqlite.Path(dsn) + ".key"
}

// checkpointPath is the audit chain's checkpoint file, beside the key file:
// wangge.db.key → wangge.db.audit. It is kept with the key, out of the
// database's reach, so whoever can write to the database cannot rewrite it.
func checkpointPath(keyFile string) string {
	return strings.TrimSuffix(keyFile, ".key") + ".audit"
}

// openStore opens an existing database, migrates it and sets the keys. A
// path (or PostgreSQL database) with no database is refused, and nothing is
// created: only demo, migrate and serve make a database (createStore), so a
// mistyped --db never passes as a new, empty, healthy one.
func openStore(ctx context.Context, dsn string) (*sqldb.DB, error) {
	if err := databaseExists(ctx, dsn); err != nil {
		return nil, err
	}
	return createStore(ctx, dsn)
}

// databaseExists refuses a DSN with no wangge database behind it: a SQLite
// path with no file (or an empty one), a PostgreSQL database without the
// schema.
func databaseExists(ctx context.Context, dsn string) error {
	if isPostgres(dsn) {
		raw, err := sql.Open("pgx", dsn)
		if err != nil {
			return err
		}
		defer raw.Close()
		var has bool
		if err := raw.QueryRowContext(ctx, `SELECT to_regclass('audit_head') IS NOT NULL`).Scan(&has); err != nil {
			return fmt.Errorf("connect to PostgreSQL: %w", err)
		}
		if !has {
			return cliErr(nil, "cli.store.no_database", "Path", redactDSN(dsn))
		}
		return nil
	}
	path := sqlite.Path(dsn)
	if st, err := os.Stat(path); err != nil || st.Size() == 0 || !st.Mode().IsRegular() {
		return cliErr(nil, "cli.store.no_database", "Path", path)
	}
	return nil
}

// redactDSN drops the password from a PostgreSQL DSN for a message.
func redactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil {
		return u.Redacted()
	}
	return "postgres://…"
}

// createStore opens and migrates the database, creating it when there is
// none, and sets the encryption key and the audit chain's key. A database
// that already holds encrypted data never gets a new key: a missing key
// file is an error that says what to do.
func createStore(ctx context.Context, dsn string) (*sqldb.DB, error) {
	var db *sqldb.DB
	var err error
	if isPostgres(dsn) {
		db, err = postgres.Open(ctx, dsn)
	} else {
		if dir := filepath.Dir(sqlite.Path(dsn)); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, err
			}
		}
		db, err = sqlite.Open(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := useKey(ctx, db, keyPath(dsn)); err != nil {
		db.Close()
		return nil, err
	}
	if err := useAuditKey(ctx, db, keyPath(dsn)); err != nil {
		db.Close()
		return nil, err
	}
	if n, err := db.SealClearAttrs(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("seal the secret key-group attributes: %w", err)
	} else if n > 0 {
		slog.Info("sealed secret key-group attributes an older version kept in clear", "memberships", n)
	}
	if err := db.SeedServices(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("seed the services catalogue: %w", err)
	}
	return db, nil
}

// useAuditKey keys the audit chain with the key file's audit key, adding
// one to the key file the first time, and checkpoints it in the file beside
// the key. The first time, the entries an older version linked with plain
// SHA-256 are re-linked under the key (sqldb.UseAuditKey), and it says so.
func useAuditKey(ctx context.Context, db *sqldb.DB, path string) error {
	master, err := secret.LoadAuditKey(path)
	if errors.Is(err, secret.ErrNoAuditKey) {
		if master, err = addAuditKey(ctx, db, path); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	n, err := db.UseAuditKey(ctx, master, checkpointPath(path))
	var broken *sqldb.PlainChainBrokenError
	switch {
	case errors.Is(err, sqldb.ErrChainKeyMismatch):
		return cliErr(nil, "cli.store.audit_key_mismatch", "Path", path)
	case errors.Is(err, sqldb.ErrChainUnkeyed):
		return cliErr(nil, "cli.store.audit_unkeyed", "File", checkpointPath(path))
	case errors.As(err, &broken):
		return cliErr(nil, "cli.store.audit_plain_broken", "Entry", broken.Seq)
	case err != nil:
		return err
	}
	if n > 0 {
		slog.Info("re-linked the audit chain under the audit key: entries an older version chained with plain SHA-256 are now keyed, and a checkpoint records the head", "entries", n, "checkpoints", checkpointPath(path))
	}
	return nil
}

// startNewChain writes a base checkpoint at entry 0 to the checkpoint file
// beside the key file, when there is a key file with an audit key: a new
// database is made on purpose where one was (demo --force), and its chain
// starts afresh. Without it, the new database's chain would be refused as
// one whose record of being keyed was removed (sqldb.ErrChainUnkeyed).
func startNewChain(keyFile string) error {
	master, err := secret.LoadAuditKey(keyFile)
	if errors.Is(err, secret.ErrNoKey) || errors.Is(err, secret.ErrNoAuditKey) {
		return nil
	} else if err != nil {
		return err
	}
	key, id, err := secret.ChainKey(master)
	if err != nil {
		return err
	}
	log, err := anchor.Open(checkpointPath(keyFile), key, id)
	if err != nil {
		return err
	}
	if _, err := log.Append(0, nil, time.Now(), true); err != nil {
		log.Close()
		return err
	}
	return log.Close()
}

// addAuditKey gives the key file an audit key, unless the database's chain
// is keyed already: then the key file is not the one the chain was keyed
// with (a copy made before?), and a new key would only refuse it later.
func addAuditKey(ctx context.Context, db *sqldb.DB, path string) ([]byte, error) {
	if id, err := db.AuditKeyID(ctx); err != nil {
		return nil, err
	} else if id != "" {
		return nil, cliErr(nil, "cli.store.audit_key_missing", "Path", path, "KeyID", id)
	}
	master, err := secret.AddAuditKey(path)
	if err != nil {
		return nil, fmt.Errorf("add the audit key to %s: %w", path, err)
	}
	slog.Info("added an audit chain key to the key file; back it up with the database", "file", path)
	return master, nil
}

func useKey(ctx context.Context, db *sqldb.DB, path string) error {
	recorded, err := db.KeyID(ctx)
	if err != nil {
		return err
	}
	keys, err := secret.LoadKeys(path) // the current key, and older ones during a rotation
	switch {
	case errors.Is(err, secret.ErrNoKey) && recorded != "":
		return cliErr(nil, "cli.store.key_missing", "Path", path, "KeyID", recorded)
	case errors.Is(err, secret.ErrNoKey):
		keys = [][]byte{secret.NewKey()}
		if err := secret.WriteKeyFile(path, keys[0]); err != nil {
			return fmt.Errorf("create the encryption key: %w", err)
		}
		slog.Info("created a new field-encryption key; back it up with the database", "file", path)
	case err != nil:
		return err
	}
	box, err := secret.New(keys[0], keys[1:]...)
	if err != nil {
		return err
	}
	if err := db.UseKey(ctx, box); err != nil {
		return err
	}
	// A running server follows `wangge key rotate` by rereading the file.
	db.WatchKey(watchKeyFile(path))
	return nil
}
