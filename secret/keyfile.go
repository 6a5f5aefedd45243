package secret

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ReplaceKeyFile writes keys, the current one first, one per line, over the
// key file at path atomically: a new file (mode 0600) in the same directory,
// synced and renamed over the old one, so a crash leaves either the old file
// or the new one, never a torn one. The audit chain's key, when the file
// holds one, is kept: rotating the field keys never touches it.
func ReplaceKeyFile(path string, keys ...[]byte) error {
	audit, err := LoadAuditKey(path)
	if err != nil && !errors.Is(err, ErrNoKey) && !errors.Is(err, ErrNoAuditKey) {
		return err
	}
	return writeKeys(path, keys, audit)
}

// writeKeys writes the field keys and, when not nil, the audit key over the
// key file at path atomically.
func writeKeys(path string, keys [][]byte, audit []byte) error {
	if len(keys) == 0 {
		return errors.New("secret: no key to write")
	}
	var b strings.Builder
	for _, k := range keys {
		if len(k) != keyLen {
			return fmt.Errorf("secret: key has %d bytes, want %d", len(k), keyLen)
		}
		b.WriteString(hex.EncodeToString(k))
		b.WriteByte('\n')
	}
	if audit != nil {
		b.WriteString(auditPrefix + hex.EncodeToString(audit) + "\n")
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := f.WriteString(b.String()); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(dir)
}

// BackupKeyFile copies the key file at path, byte for byte, to
// <path>.bak-<UTC time, e.g. 20260514T101530Z> with mode 0600 and returns the copy's name. It
// never overwrites a file.
func BackupKeyFile(path string, now time.Time) (string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	base := path + ".bak-" + now.UTC().Format("20060102T150405Z")
	bak := base
	f, err := os.OpenFile(bak, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	for n := 2; errors.Is(err, os.ErrExist) && n < 100; n++ {
		bak = fmt.Sprintf("%s-%d", base, n)
		f, err = os.OpenFile(bak, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	}
	if err != nil {
		return "", err
	}
	if _, err := f.Write(raw); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return bak, syncDir(filepath.Dir(bak))
}

// syncDir makes a rename or a new file in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
