package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

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

// openStore opens and migrates the database and sets the encryption key.
// A database that already holds encrypted data never gets a new key: a
// missing key file is an error that says what to do.
func openStore(ctx context.Context, dsn string) (*sqldb.DB, error) {
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
