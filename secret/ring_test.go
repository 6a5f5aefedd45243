package secret

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRingSealsWithTheCurrentKeyAndOpensEvery(t *testing.T) {
	oldKey, newKey := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	old, _ := New(oldKey)
	ring, err := New(newKey, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	only, _ := New(newKey)
	if ring.KeyID() != only.KeyID() || ring.KeyID() == old.KeyID() {
		t.Fatalf("ring KeyID %s, want the new key's %s", ring.KeyID(), only.KeyID())
	}
	if ids := ring.KeyIDs(); len(ids) != 2 || ids[0] != only.KeyID() || ids[1] != old.KeyID() {
		t.Fatalf("KeyIDs %v", ids)
	}
	if !ring.Has(old.KeyID()) || !ring.Has(only.KeyID()) || old.Has(only.KeyID()) {
		t.Fatal("Has")
	}

	c := ring.Seal("phone", "13800138000")
	if SealedKeyID(c) != only.KeyID() {
		t.Fatalf("the ring sealed under %s, want the current key %s", SealedKeyID(c), only.KeyID())
	}
	if v, err := only.Open("phone", c); err != nil || v != "13800138000" {
		t.Fatalf("the new key alone opens the ring's seal: %q %v", v, err)
	}
	oc := old.Seal("phone", "13900139000")
	if SealedKeyID(oc) != old.KeyID() {
		t.Fatalf("SealedKeyID %q", SealedKeyID(oc))
	}
	for _, x := range []struct {
		c    []byte
		want string
	}{{c, "13800138000"}, {oc, "13900139000"}} {
		if v, err := ring.Open("phone", x.c); err != nil || v != x.want {
			t.Fatalf("ring.Open = %q, %v; want %q", v, err, x.want)
		}
	}
	// A key the ring does not hold is named, not guessed.
	stranger, _ := New(bytes.Repeat([]byte{3}, 32))
	if _, err := ring.Open("phone", stranger.Seal("phone", "13700137000")); !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), stranger.KeyID()) {
		t.Fatalf("an unknown key id: %v, want ErrUnknownKey naming %s", err, stranger.KeyID())
	}
	if _, err := only.Open("phone", oc); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("the new key alone opened an old ciphertext: %v", err)
	}
	// A forged header naming a known key does not help a tampered body.
	forged := append([]byte(nil), oc...)
	copy(forged[1:headerLen], c[1:headerLen])
	if _, err := ring.Open("phone", forged); err == nil || errors.Is(err, ErrUnknownKey) {
		t.Fatalf("forged header: %v", err)
	}
	if SealedKeyID(nil) != "" || SealedKeyID([]byte{9, 1, 2, 3, 4}) != "" {
		t.Fatal("SealedKeyID of nothing or of another format")
	}
}

func TestRingIndexesEveryKeyCurrentFirst(t *testing.T) {
	oldKey, newKey := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	old, _ := New(oldKey)
	only, _ := New(newKey)
	ring, _ := New(newKey, oldKey)
	idx := ring.Indexes("persons.id_number", "11010519491231002X")
	if len(idx) != 2 || !bytes.Equal(idx[0], only.Index("persons.id_number", "11010519491231002X")) ||
		!bytes.Equal(idx[1], old.Index("persons.id_number", "11010519491231002X")) {
		t.Fatalf("Indexes %x", idx)
	}
	if !bytes.Equal(ring.Index("persons.id_number", "11010519491231002X"), idx[0]) {
		t.Fatal("Index is not the current key's")
	}
	if bytes.Equal(idx[0], idx[1]) {
		t.Fatal("two keys give one index")
	}
	if ring.Indexes("f", "") != nil {
		t.Fatal("the empty value must have no index")
	}
	if got := only.Indexes("f", "x"); len(got) != 1 {
		t.Fatalf("a single key gives %d indexes", len(got))
	}
	// The same key twice is one key.
	twice, err := New(newKey, newKey)
	if err != nil || len(twice.KeyIDs()) != 1 {
		t.Fatalf("New(k, k): %v %v", twice.KeyIDs(), err)
	}
	// Join makes the same ring of Boxes.
	joined, err := Join(only, old)
	if err != nil || strings.Join(joined.KeyIDs(), ",") != strings.Join(ring.KeyIDs(), ",") {
		t.Fatalf("Join: %v, %v; want %v", joined.KeyIDs(), err, ring.KeyIDs())
	}
	if v, err := joined.Open("f", old.Seal("f", "v")); err != nil || v != "v" {
		t.Fatalf("the joined ring opens the old key's seal: %q %v", v, err)
	}
	if _, err := New(newKey, []byte("short")); err == nil {
		t.Fatal("a short older key was taken")
	}
}

func TestKeyFileOfSeveralLines(t *testing.T) {
	dir := t.TempDir()
	k1, k2, k3 := NewKey(), NewKey(), NewKey()
	p := filepath.Join(dir, "wangge.key")

	// Today's single-line file still works, with or without its newline.
	for _, body := range []string{hex.EncodeToString(k1) + "\n", hex.EncodeToString(k1), "  " + strings.ToUpper(hex.EncodeToString(k1)) + "\r\n"} {
		os.WriteFile(p, []byte(body), 0o600)
		keys, err := LoadKeys(p)
		if err != nil || len(keys) != 1 || !bytes.Equal(keys[0], k1) {
			t.Fatalf("LoadKeys(%q) = %x, %v", body, keys, err)
		}
		if k, err := LoadKeyFile(p); err != nil || !bytes.Equal(k, k1) {
			t.Fatalf("LoadKeyFile(%q) = %x, %v", body, k, err)
		}
	}

	// Several lines: the first is current.
	if err := ReplaceKeyFile(p, k2, k1); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(p)
	if string(raw) != hex.EncodeToString(k2)+"\n"+hex.EncodeToString(k1)+"\n" {
		t.Fatalf("ReplaceKeyFile wrote %q", raw)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode().Perm())
	}
	keys, err := LoadKeys(p)
	if err != nil || len(keys) != 2 || !bytes.Equal(keys[0], k2) || !bytes.Equal(keys[1], k1) {
		t.Fatalf("LoadKeys = %x, %v", keys, err)
	}
	if k, _ := LoadKeyFile(p); !bytes.Equal(k, k2) {
		t.Fatal("LoadKeyFile did not return the first key")
	}
	box, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := New(k2, k1)
	if strings.Join(box.KeyIDs(), ",") != strings.Join(want.KeyIDs(), ",") {
		t.Fatalf("Load: %v, want %v", box.KeyIDs(), want.KeyIDs())
	}
	os.WriteFile(p, []byte(hex.EncodeToString(k3)+"\n\n"+hex.EncodeToString(k2)+"\n"+hex.EncodeToString(k1)+"\n"), 0o600)
	if keys, err := LoadKeys(p); err != nil || len(keys) != 3 {
		t.Fatalf("three keys with a blank line: %d, %v", len(keys), err)
	}

	// A bad line anywhere refuses the whole file; so does an empty one.
	for _, body := range []string{hex.EncodeToString(k1) + "\nnot a key\n", hex.EncodeToString(k1) + "\n" + hex.EncodeToString(k2)[:62] + "\n", "\n\n"} {
		os.WriteFile(p, []byte(body), 0o600)
		if _, err := LoadKeys(p); err == nil {
			t.Fatalf("accepted %q", body)
		}
	}
	// No temporary file is left behind.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("files left: %v", entries)
	}
}

func TestBackupKeyFileCopiesPrivately(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "wangge.key")
	k := NewKey()
	if err := WriteKeyFile(p, k); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 14, 10, 15, 30, 0, time.UTC)
	bak, err := BackupKeyFile(p, now)
	if err != nil {
		t.Fatal(err)
	}
	if bak != p+".bak-20260514T101530Z" {
		t.Fatalf("backup named %s", bak)
	}
	bak2, err := BackupKeyFile(p, now)
	if err != nil || bak2 == bak {
		t.Fatalf("a second backup in the same second: %s, %v", bak2, err)
	}
	for _, f := range []string{bak, bak2} {
		st, err := os.Stat(f)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v mode %v", f, err, st.Mode().Perm())
		}
		if got, err := LoadKeyFile(f); err != nil || !bytes.Equal(got, k) {
			t.Fatalf("the backup holds %x, %v", got, err)
		}
	}
}
