package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqlite"
)

const backupUsage = `usage:
  wangge backup  [--db DSN] OUT
      copy the SQLite database, consistently while the server writes, to OUT
      (mode 0600) and its key file to OUT.key; both are checked before it
      says done. PostgreSQL: use pg_dump (README, "Backup and restore").
  wangge restore [--db DSN] BACKUP [--key FILE] [--force]
      check BACKUP and its key file (BACKUP.key, or FILE when kept apart),
      then put them in place as the database and its key file. A database that holds data is replaced only with
      --force, and kept beside it as DSN.before-restore-<time>.`

// The tables whose counts a backup and a restore print.
var backupCounted = []string{"areas", "households", "persons", "visits", "cases", "case_events", "users", "audit_log"}

// backupKeyPath is where a backup's key file is written and looked for.
func backupKeyPath(backup string) string { return backup + ".key" }

func backupCmd(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("backup", flag.ExitOnError)
	dsn := dbFlag(fset)
	pos, err := parseInterleaved(fset, args)
	if err != nil || len(pos) != 1 {
		fmt.Fprintln(os.Stderr, backupUsage)
		return exitError(2)
	}
	return backup(ctx, *dsn, pos[0])
}

func restoreCmd(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("restore", flag.ExitOnError)
	dsn := dbFlag(fset)
	force := fset.Bool("force", false, "replace a database that holds data (kept as DSN.before-restore-<time>)")
	key := fset.String("key", "", "the backup's key file (default: BACKUP.key)")
	pos, err := parseInterleaved(fset, args)
	if err != nil || len(pos) != 1 {
		fmt.Fprintln(os.Stderr, backupUsage)
		return exitError(2)
	}
	return restore(ctx, *dsn, pos[0], *key, *force)
}

var errPostgresBackup = cliErr(nil, "cli.backup.postgres")

func backup(ctx context.Context, dsn, out string) error {
	if isPostgres(dsn) {
		return errPostgresBackup
	}
	src := sqlite.Path(dsn)
	if err := databaseExists(ctx, dsn); err != nil {
		return err
	}
	out = sqlite.Path(out)
	outKey := backupKeyPath(out)
	for _, p := range []string{out, outKey} {
		if _, err := os.Lstat(p); err == nil {
			return cliErr(nil, "cli.backup.exists", "Path", p)
		}
	}
	// The source's key file is checked against the database before a copy
	// is made: a backup whose key is missing is no backup.
	key := keyPath(dsn)
	if _, err := os.Stat(key); err != nil {
		return cliErr(nil, "cli.backup.key_unreadable", "Path", key, "Cause", err.Error())
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
		return err
	}
	start := time.Now()
	if err := sqlite.Backup(ctx, src, out); err != nil {
		return fmt.Errorf("back up %s: %w", src, err)
	}
	if err := copyPrivate(key, outKey); err != nil {
		os.Remove(out)
		return fmt.Errorf("copy the key file: %w", err)
	}
	sum, err := checkBackup(ctx, out, outKey)
	if err != nil {
		os.Remove(out)
		os.Remove(outKey)
		return cliErr(err, "cli.backup.check_failed")
	}
	// A backup is a copy of everyone's data: the source's audit log says
	// who made it, where to and how much it holds.
	db, err := openStore(ctx, dsn)
	if err != nil {
		return fmt.Errorf("the backup %s is made and checked, but recording it in the audit log failed: %w", out, err)
	}
	abs, _ := filepath.Abs(out)
	err = db.Audit(cliActor(ctx), &wangge.AuditEntry{Action: "db.backup", Object: "database", Detail: detailJSON(map[string]any{"file": abs, "counts": sum.counts, "audit_entries": sum.audit})})
	db.Close()
	if err != nil {
		return fmt.Errorf("the backup %s is made and checked, but recording it in the audit log failed: %w", out, err)
	}
	fmt.Printf("备份完成 Backup written in %.1fs and checked (integrity, audit chain of %d entries, key opens the data):\n", time.Since(start).Seconds(), sum.audit)
	fmt.Printf("  %s  (schema version %d, %d bytes)\n  %s  (the key file: keep it with the backup, as safely)\n", out, sum.version, sum.size, outKey)
	printCounts(sum.counts)
	return nil
}

// backupSummary is what checking a backup found.
type backupSummary struct {
	version int64
	size    int64
	audit   int64 // entries in the audit chain
	opened  int   // sealed columns whose value the key opened
	counts  map[string]int64
}

// checkBackup checks a backup file and its key file: the file is a sound
// SQLite database of a schema this build knows, its audit chain holds, and
// the key is the one its data is sealed under and opens it.
func checkBackup(ctx context.Context, path, keyFile string) (*backupSummary, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	db, err := sqlite.OpenReadOnly(ctx, path)
	if err != nil {
		return nil, cliErr(err, "cli.backup.not_a_database", "Path", path)
	}
	defer db.Close()
	if err := sqlite.IntegrityCheck(ctx, db.Reader()); err != nil {
		return nil, cliErr(nil, "cli.backup.damaged", "Path", path, "Cause", err.Error())
	}
	sum := &backupSummary{size: st.Size()}
	if sum.version, err = sqlite.SchemaVersion(ctx, db.Reader()); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if latest := sqlite.LatestVersion(); sum.version > latest {
		return nil, cliErr(nil, "cli.backup.newer_schema", "Path", path, "Version", sum.version, "Latest", latest)
	}
	recorded, err := db.KeyID(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := secret.LoadKeys(keyFile)
	switch {
	case errors.Is(err, secret.ErrNoKey) && recorded != "":
		return nil, cliErr(nil, "cli.backup.key_missing", "Key", keyFile, "Path", path, "KeyID", recorded)
	case err != nil && !errors.Is(err, secret.ErrNoKey):
		return nil, fmt.Errorf("the key file %s: %w", keyFile, err)
	case recorded != "":
		box, err := secret.New(keys[0], keys[1:]...)
		if err != nil {
			return nil, err
		}
		if err := db.UseKey(ctx, box); err != nil {
			return nil, cliErr(err, "cli.backup.key_mismatch", "Key", keyFile, "Path", path)
		}
		if sum.opened, err = db.CheckKey(ctx); err != nil {
			return nil, cliErr(err, "cli.backup.key_cannot_open", "Key", keyFile, "Path", path)
		}
	}
	// The chain is checked under the key file's audit key (read-only: no
	// checkpoint is written for a backup).
	if chainID, err := db.AuditKeyID(ctx); err != nil {
		return nil, err
	} else if chainID != "" {
		master, err := secret.LoadAuditKey(keyFile)
		if err != nil {
			return nil, cliErr(err, "cli.backup.audit_key_missing", "Key", keyFile, "Path", path)
		}
		if _, err := db.UseAuditKey(ctx, master, ""); err != nil {
			return nil, cliErr(err, "cli.backup.key_mismatch", "Key", keyFile, "Path", path)
		}
	}
	bad, checked, err := db.VerifyAudit(ctx)
	if err != nil {
		return nil, err
	}
	if bad != 0 {
		return nil, cliErr(nil, "cli.backup.audit_broken", "Path", path, "Entry", bad)
	}
	sum.audit = checked
	if sum.counts, err = db.CountRows(ctx, backupCounted...); err != nil {
		return nil, err
	}
	return sum, nil
}

func printCounts(c map[string]int64) {
	var parts []string
	for _, t := range backupCounted {
		parts = append(parts, fmt.Sprintf("%s %d", t, c[t]))
	}
	fmt.Printf("  rows: %s\n", strings.Join(parts, ", "))
}

func restore(ctx context.Context, dsn, from, fromKey string, force bool) error {
	if isPostgres(dsn) {
		return errPostgresBackup
	}
	from = sqlite.Path(from)
	if fromKey == "" {
		fromKey = backupKeyPath(from)
	}
	sum, err := checkBackup(ctx, from, fromKey)
	if err != nil {
		return cliErr(err, "cli.restore.refused")
	}
	dst := sqlite.Path(dsn)
	dstKey := keyPath(dsn)
	if held, err := sqlite.HeldByOther(dst); err != nil {
		return err
	} else if held {
		return cliErr(nil, "cli.restore.in_use", "Path", dst)
	}
	stamp := time.Now().UTC().Format("20060102T150405Z")
	aside := dst + ".before-restore-" + stamp
	_, statErr := os.Stat(dst)
	exists := statErr == nil
	if exists {
		holds, err := holdsData(ctx, dst)
		if err != nil {
			return fmt.Errorf("look into %s: %w", dst, err)
		}
		if holds && !force {
			return cliErr(nil, "cli.restore.holds_data", "Path", dst, "Aside", aside)
		}
	}
	// The key file in place must be the backup's, or one that can be set
	// aside: a different key may be another database's.
	keyRaw, err := os.ReadFile(fromKey)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	oldKey, err := os.ReadFile(dstKey)
	keyDiffers := err == nil && string(oldKey) != string(keyRaw)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if keyDiffers && !force && !exists {
		return cliErr(nil, "cli.restore.key_differs", "Key", dstKey, "Stamp", stamp)
	}

	// Write both beside their places first, synced; then set the old ones
	// aside and rename the new ones in, the database last: a crash leaves
	// either no database (run restore again) or the whole restored one.
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmpDB, err := copyTemp(from, dir, filepath.Base(dst))
	if err != nil {
		return err
	}
	defer os.Remove(tmpDB)
	var tmpKey string
	if len(keyRaw) > 0 && (keyDiffers || oldKey == nil) {
		if tmpKey, err = copyTemp(fromKey, filepath.Dir(dstKey), filepath.Base(dstKey)); err != nil {
			return err
		}
		defer os.Remove(tmpKey)
	}
	var keptDB, keptKey string
	if exists {
		// The -wal and -shm go with their database, under its new name, so
		// the kept copy stays whole and none is applied to the restored one.
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Rename(dst+suffix, aside+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("set the old database aside: %w", err)
			}
		}
		keptDB = aside
	}
	// From here on a failure leaves the target without a database; what
	// was there is kept, and restore can simply be run again.
	partway := func(err error) error {
		if keptDB != "" {
			return cliErr(nil, "cli.restore.partway_kept", "Cause", err.Error(), "Kept", keptDB)
		}
		return cliErr(nil, "cli.restore.partway", "Cause", err.Error())
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(dst + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return partway(err)
		}
	}
	if keyDiffers {
		keptKey = dstKey + ".before-restore-" + stamp
		if err := os.Rename(dstKey, keptKey); err != nil {
			return partway(fmt.Errorf("set the old key file aside: %w", err))
		}
		// Its checkpoints are signed with its audit key and go with it: the
		// restored chain's are signed with the backup's.
		cp := checkpointPath(dstKey)
		if err := os.Rename(cp, cp+".before-restore-"+stamp); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return partway(fmt.Errorf("set the old checkpoint file aside: %w", err))
		}
	}
	if tmpKey != "" {
		if err := os.Rename(tmpKey, dstKey); err != nil {
			return partway(err)
		}
		if err := sqlite.SyncDir(filepath.Dir(dstKey)); err != nil {
			return partway(err)
		}
	}
	if err := os.Rename(tmpDB, dst); err != nil {
		return partway(err)
	}
	if err := sqlite.SyncDir(dir); err != nil {
		return partway(err)
	}

	// Opened as the server opens it (migrating an older backup), the
	// restored database records who restored it, from which file.
	db, err := openStore(ctx, dsn)
	if err != nil {
		return fmt.Errorf("the backup is in place at %s, but it does not open: %w", dst, err)
	}
	// The restored chain was checked above: checkpoints start afresh from
	// its head, those before are of the database it replaced.
	if err := db.AnchorBase(ctx); err != nil {
		db.Close()
		return fmt.Errorf("the backup is in place at %s, but its checkpoint could not be written: %w", dst, err)
	}
	abs, _ := filepath.Abs(from)
	err = db.Audit(cliActor(ctx), &wangge.AuditEntry{Action: "db.restore", Object: "database", Detail: detailJSON(map[string]any{"file": abs, "counts": sum.counts, "audit_entries": sum.audit, "kept": keptDB})})
	db.Close()
	if err != nil {
		return err
	}
	fmt.Printf("恢复完成 Restored %s (schema version %d, audit chain of %d entries, key opens the data) to %s, its key file to %s.\n", from, sum.version, sum.audit, dst, dstKey)
	printCounts(sum.counts)
	if keptDB != "" {
		fmt.Printf("  the database that was there is kept as %s\n", keptDB)
	}
	if keptKey != "" {
		fmt.Printf("  the key file that was there is kept as %s\n", keptKey)
	}
	return nil
}

// holdsData reports whether a database file holds anything people entered:
// a row in any table but those every new database starts with.
func holdsData(ctx context.Context, path string) (bool, error) {
	db, err := sqlite.OpenReadOnly(ctx, path)
	if err != nil {
		// Not a database we can read: replacing it takes --force.
		st, serr := os.Stat(path)
		return serr != nil || st.Size() > 0, nil
	}
	defer db.Close()
	rows, err := db.Reader().QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
		AND name NOT IN ('goose_db_version', 'meta', 'audit_head', 'services')`)
	if err != nil {
		return false, err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return false, err
		}
		tables = append(tables, t)
	}
	rows.Close()
	for _, t := range tables {
		var one int
		err := db.Reader().QueryRowContext(ctx, `SELECT 1 FROM "`+t+`" LIMIT 1`).Scan(&one)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return false, err
		}
	}
	return false, nil
}

// copyPrivate copies a file to a new one (mode 0600), synced, never over
// an existing file.
func copyPrivate(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	if err := out.Close(); err != nil {
		os.Remove(dst)
		return err
	}
	return sqlite.SyncDir(filepath.Dir(dst))
}

// copyTemp copies src to a new hidden file (mode 0600) in dir, synced, and
// returns its name.
func copyTemp(src, dir, base string) (string, error) {
	f, err := os.CreateTemp(dir, "."+base+".restore-*")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	f.Close()
	os.Remove(tmp)
	if err := copyPrivate(src, tmp); err != nil {
		return "", err
	}
	return tmp, nil
}

func detailJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
