package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqldb"
)

const keyUsage = `usage:
  wangge key rotate [--db DSN] [--batch N]
      re-encrypt every personal field under a new key, without stopping the
      server: the key file gets the new key on its first line and keeps the
      old one below it until every field is re-encrypted, then holds the new
      key alone. The old key file is copied to <keyfile>.bak-<time> first.
      Interrupted, it finishes the job when run again.`

// Test hooks: how long rotation waits for running servers to reread the
// key file, and a look at every batch.
var (
	keySettle   = 2 * sqldb.KeyCheckEvery
	rotateWatch func(sqldb.RotateProgress)
)

func keyCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "rotate" {
		fmt.Fprintln(os.Stderr, keyUsage)
		return exitError(2)
	}
	fset := flag.NewFlagSet("key rotate", flag.ExitOnError)
	dsn := dbFlag(fset)
	batch := fset.Int("batch", 500, "rows re-encrypted per transaction")
	fset.Parse(args[1:])
	return rotateKey(ctx, *dsn, *batch)
}

func rotateKey(ctx context.Context, dsn string, batch int) error {
	path := keyPath(dsn)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return cliErr(nil, "cli.key.none", "Path", path)
	}
	db, err := openStore(ctx, dsn) // checks the key file against the database
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = cliActor(ctx)

	keys, err := secret.LoadKeys(path)
	if err != nil {
		return err
	}
	if len(keys) == 1 {
		old, _ := secret.New(keys[0])
		var fresh []byte
		for {
			fresh = secret.NewKey()
			if b, _ := secret.New(fresh); b.KeyID() != old.KeyID() {
				break
			}
		}
		bak, err := secret.BackupKeyFile(path, time.Now())
		if err != nil {
			return fmt.Errorf("back up the key file: %w", err)
		}
		fmt.Printf("旧密钥文件已备份 The old key file is copied to %s\n", bak)
		if err := secret.ReplaceKeyFile(path, fresh, keys[0]); err != nil {
			return fmt.Errorf("write the new key file: %w", err)
		}
		keys = [][]byte{fresh, keys[0]}
	} else {
		fmt.Printf("继续未完成的密钥轮换 The key file holds %d keys: finishing the rotation to the first.\n", len(keys))
	}
	ring, err := secret.New(keys[0], keys[1:]...)
	if err != nil {
		return err
	}
	if err := db.UseKey(ctx, ring); err != nil {
		return err
	}
	from, _ := db.KeyID(ctx)
	fmt.Printf("密钥轮换 Rotating from key %s to key %s (%s holds both until the end).\n", from, ring.KeyID(), path)
	if keySettle > 0 {
		// A running server rereads the key file within a second of using
		// it: after this, every one seals, indexes and looks up with both keys.
		fmt.Printf("等待运行中的服务读取新密钥文件 Waiting %s for running servers to take up the new key file …\n", keySettle)
		select {
		case <-time.After(keySettle):
		case <-ctx.Done():
			return fmt.Errorf("interrupted before any data changed; run `wangge key rotate` again to finish: %w", ctx.Err())
		}
	}

	start, last := time.Now(), time.Time{}
	rot, err := db.RotateKey(ctx, sqldb.RotateOptions{Batch: batch, Progress: func(p sqldb.RotateProgress) {
		if rotateWatch != nil {
			rotateWatch(p)
		}
		if time.Since(last) < 500*time.Millisecond && p.Done < p.Total {
			return
		}
		last = time.Now()
		what := "重新加密 re-encrypting"
		if p.Pass > 1 {
			what = "复核     checking    " // a pass that finds what was written meanwhile
		}
		fmt.Fprintf(os.Stderr, "\r%s %-15s %8d/%-8d %3d%%  %8d re-encrypted  %6.1fs", what, p.Table, p.Done, p.Total, 100*p.Done/max(p.Total, 1), p.Resealed, time.Since(start).Seconds())
		if p.Done >= p.Total {
			fmt.Fprintln(os.Stderr)
		}
	}})
	if err != nil {
		fmt.Fprintln(os.Stderr)
		return cliErr(err, "cli.key.rotation_stopped", "Path", path)
	}
	if err := secret.ReplaceKeyFile(path, keys[0]); err != nil {
		return fmt.Errorf("the data is under key %s now, but the key file could not be rewritten to hold it alone: %w (it still holds both keys, which works)", rot.To, err)
	}
	var parts []string
	for _, t := range []string{"persons", "households", "units", "assistants", "building_heads", "users"} {
		if n, ok := rot.Rows[t]; ok {
			parts = append(parts, fmt.Sprintf("%s %d", t, n))
		}
	}
	for t, n := range rot.Rows {
		if !strings.Contains(" persons households units assistants building_heads users ", " "+t+" ") {
			parts = append(parts, fmt.Sprintf("%s %d", t, n))
		}
	}
	fmt.Printf("密钥轮换完成 Key rotation done in %.1fs: %d values re-encrypted (rows: %s), %d passes.\n"+
		"The data is under key %s; %s holds it alone. Back up the new key file with the database; keep the .bak until no backup of the database needs the old key.\n",
		time.Since(start).Seconds(), rot.Values, strings.Join(parts, ", "), rot.Passes, rot.To, path)
	return nil
}

// watchKeyFile returns a loader for sqldb.WatchKey: the key file's ring when
// the file changed since the last look (another name, size or time), else
// nil. A file gone missing keeps the ring in use.
func watchKeyFile(path string) func() (*secret.Box, error) {
	prev, _ := os.Stat(path)
	return func() (*secret.Box, error) {
		st, err := os.Stat(path)
		if err != nil {
			return nil, nil // keep the keys in use; the next start reports it
		}
		if prev != nil && os.SameFile(prev, st) && st.ModTime().Equal(prev.ModTime()) && st.Size() == prev.Size() {
			return nil, nil
		}
		prev = st
		return secret.Load(path)
	}
}
