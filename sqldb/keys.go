package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wangge/wangge/secret"
)

// KeyCheckEvery is how often a store with a key loader (WatchKey) asks it
// whether the key file changed. `wangge key rotate` waits longer than this
// after writing the new key file before it re-seals the first row, so every
// watching server seals, indexes and looks up under the new ring by then.
const KeyCheckEvery = time.Second

// keyring holds the store's key ring (a *secret.Box): set by UseKey,
// replaced whole when a rotation starts or ends, read without locks. Its
// methods are the Box's, so the store seals, opens and indexes through it.
type keyring struct {
	db   *DB
	cur  atomic.Pointer[secret.Box]
	load atomic.Pointer[func() (*secret.Box, error)]
	next atomic.Int64 // unix nanoseconds of the next look at the key file
	mu   sync.Mutex   // one reload at a time
}

// WatchKey gives the store a way to reread its key file, so that a running
// server follows `wangge key rotate` without a restart: the store calls
// load at most once every second, and at once when it meets a ciphertext
// under a key its ring lacks. load returns nil when the file is unchanged.
// A ring is taken only when it holds the keys the database records, as
// UseKey requires; otherwise the store keeps the ring it has. Call it after
// UseKey.
func (db *DB) WatchKey(load func() (*secret.Box, error)) {
	if db.box == nil {
		panic("sqldb: WatchKey before UseKey")
	}
	db.box.load.Store(&load)
	db.box.next.Store(time.Now().Add(KeyCheckEvery).UnixNano())
}

// Box returns the key ring in use (nil before UseKey).
func (db *DB) Box() *secret.Box {
	if db.box == nil {
		return nil
	}
	return db.box.get()
}

// get returns the ring, first rereading the key file when it is time to.
func (k *keyring) get() *secret.Box {
	if k.load.Load() != nil {
		if now := time.Now().UnixNano(); now >= k.next.Load() && k.mu.TryLock() {
			k.next.Store(now + int64(KeyCheckEvery))
			k.reload()
			k.mu.Unlock()
		}
	}
	return k.cur.Load()
}

// reload asks the loader for the key file's ring and takes it when the
// database's recorded keys are in it. The caller holds mu.
func (k *keyring) reload() error {
	load := k.load.Load()
	if load == nil {
		return nil
	}
	box, err := (*load)()
	if err == nil && box != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = k.db.ringFits(ctx, box)
		cancel()
	}
	if err != nil {
		slog.Warn("the key file changed, but its keys are not taken up; the keys in use stay", "err", err)
		return err
	}
	if box != nil {
		k.cur.Store(box)
	}
	return nil
}

func (k *keyring) KeyID() string                        { return k.get().KeyID() }
func (k *keyring) Seal(field, plain string) []byte      { return k.get().Seal(field, plain) }
func (k *keyring) Index(field, value string) []byte     { return k.get().Index(field, value) }
func (k *keyring) Indexes(field, value string) [][]byte { return k.get().Indexes(field, value) }

// Open opens a ciphertext under whichever key of the ring its header names.
// A key the ring lacks sends the store to its key file first (WatchKey): a
// rotation run by another process may have sealed it under a new key.
func (k *keyring) Open(field string, sealed []byte) (string, error) {
	v, err := k.get().Open(field, sealed)
	if !errors.Is(err, secret.ErrUnknownKey) || k.load.Load() == nil {
		return v, err
	}
	k.mu.Lock()
	var rerr error
	if !k.cur.Load().Has(secret.SealedKeyID(sealed)) {
		rerr = k.reload()
		k.next.Store(time.Now().Add(KeyCheckEvery).UnixNano())
	}
	k.mu.Unlock()
	v, err = k.cur.Load().Open(field, sealed)
	if err != nil && rerr != nil {
		err = fmt.Errorf("%w (rereading the key file: %v)", err, rerr)
	}
	return v, err
}

// keyState returns the key the database's data is recorded under and, while
// a rotation runs, the key it is rotating to.
func (db *DB) keyState(ctx context.Context) (recorded, next string, err error) {
	// The read pool: a reload may run inside a write transaction, which
	// holds SQLite's one writer connection.
	rows, err := db.r.QueryContext(ctx, db.sql(`SELECT name, value FROM meta WHERE name IN ('key_id', 'key_next')`))
	if err != nil {
		return "", "", err
	}
	defer rows.Close()
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return "", "", err
		}
		if name == "key_id" {
			recorded = value
		} else {
			next = value
		}
	}
	return recorded, next, rows.Err()
}

// ringFits checks that a ring can open what the database holds: the key it
// is recorded under and, during a rotation, the key it is rotating to.
func (db *DB) ringFits(ctx context.Context, box *secret.Box) error {
	recorded, next, err := db.keyState(ctx)
	if err != nil {
		return err
	}
	return ringHolds(box, recorded, next)
}

func ringHolds(box *secret.Box, recorded, next string) error {
	held := strings.Join(box.KeyIDs(), ", ")
	switch {
	case recorded != "" && !box.Has(recorded):
		if next != "" && box.Has(next) {
			return fmt.Errorf("a key rotation from key %s to key %s is under way, but the key file holds only key %s: use the key file `wangge key rotate` wrote, which holds both, and run it again to finish (WANGGE_SECRET_KEY_FILE)", recorded, next, held)
		}
		return fmt.Errorf("the database's personal data is encrypted under key %s, but the key file holds key %s: use the right key file (WANGGE_SECRET_KEY_FILE)", recorded, held)
	case next != "" && !box.Has(next):
		return fmt.Errorf("a key rotation from key %s to key %s is under way, and some personal data is already encrypted under key %s, but the key file holds only key %s: use the key file `wangge key rotate` wrote, which holds both, and run it again to finish (WANGGE_SECRET_KEY_FILE)", recorded, next, next, held)
	}
	return nil
}

// matchIndex returns the condition that finds a value through col, its
// blind index, under any key of the ring: during a rotation some rows still
// carry the old key's index.
func (db *DB) matchIndex(col, field, value string) (string, []any) {
	idx := db.box.Indexes(field, value)
	args := make([]any, len(idx))
	for i, x := range idx {
		args[i] = x
	}
	return col + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(idx)), ", ") + ")", args
}

// idNumberTaken reports whether a person other than except holds the ID
// number, under any key's index. The UNIQUE constraint on id_idx alone
// would miss a person a rotation has not re-indexed yet; it stays as the
// last guard.
func (tx *Tx) idNumberTaken(idNumber string, except int64) (bool, error) {
	if idNumber == "" {
		return false, nil
	}
	c, a := tx.db.matchIndex("id_idx", fPersonID, idNumber)
	var one int
	err := tx.queryRow(`SELECT 1 FROM persons WHERE `+c+` AND id <> ? LIMIT 1`, append(a, except)...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
