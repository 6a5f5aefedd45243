package secret

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpenRoundTrip(t *testing.T) {
	b, err := New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"11010519491231002X", "13800138000", "张三", ""} {
		c := b.Seal("id_number", v)
		if v != "" && bytes.Contains(c, []byte(v)) {
			t.Fatalf("ciphertext contains plaintext %q", v)
		}
		got, err := b.Open("id_number", c)
		if err != nil || got != v {
			t.Fatalf("Open(Seal(%q)) = %q, %v", v, got, err)
		}
	}
}

func TestSealIsRandomisedButIndexIsStable(t *testing.T) {
	b, _ := New(bytes.Repeat([]byte{1}, 32))
	if bytes.Equal(b.Seal("f", "x1"), b.Seal("f", "x1")) {
		t.Fatal("two seals of one value are equal: nonce reuse")
	}
	if !bytes.Equal(b.Index("f", "x1"), b.Index("f", "x1")) {
		t.Fatal("blind index not deterministic")
	}
	if bytes.Equal(b.Index("f", "x1"), b.Index("g", "x1")) {
		t.Fatal("blind index does not depend on the field")
	}
	if b.Index("f", "") != nil {
		t.Fatal("empty value must index to nil")
	}
}

func TestOpenRefusesWrongKeyFieldOrTampering(t *testing.T) {
	b1, _ := New(bytes.Repeat([]byte{1}, 32))
	b2, _ := New(bytes.Repeat([]byte{2}, 32))
	c := b1.Seal("phone", "13800138000")
	if _, err := b2.Open("phone", c); err == nil {
		t.Fatal("opened under another key")
	}
	if _, err := b1.Open("id_number", c); err == nil {
		t.Fatal("opened as another field")
	}
	c[len(c)-1] ^= 1
	if _, err := b1.Open("phone", c); err == nil {
		t.Fatal("opened tampered ciphertext")
	}
	if _, err := b1.Open("phone", []byte{1, 2, 3}); err == nil {
		t.Fatal("opened short garbage")
	}
}

func TestKeyFileIsPrivateAndNeverOverwritten(t *testing.T) {
	p := filepath.Join(t.TempDir(), "k", "wangge.key")
	if _, err := LoadKeyFile(p); !errors.Is(err, ErrNoKey) {
		t.Fatalf("missing file: got %v, want ErrNoKey", err)
	}
	k := NewKey()
	if err := WriteKeyFile(p, k); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", st.Mode().Perm())
	}
	if err := WriteKeyFile(p, NewKey()); err == nil {
		t.Fatal("overwrote an existing key file")
	}
	got, err := LoadKeyFile(p)
	if err != nil || !bytes.Equal(got, k) {
		t.Fatalf("LoadKeyFile = %x, %v", got, err)
	}
	os.WriteFile(p+".bad", []byte("not a key"), 0o600)
	if _, err := LoadKeyFile(p + ".bad"); err == nil {
		t.Fatal("accepted a malformed key file")
	}
}
