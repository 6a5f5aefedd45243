package secret

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"
)

// TestAuditKeyOutlivesFieldKeyRotation: the key file's audit line is no
// field key (LoadKeys skips it), is added once, and survives every rewrite
// of the field keys a rotation makes.
func TestAuditKeyOutlivesFieldKeyRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.key")
	field := NewKey()
	if err := WriteKeyFile(path, field); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadAuditKey(path); !errors.Is(err, ErrNoAuditKey) {
		t.Fatalf("a new key file's audit key: %v, want ErrNoAuditKey", err)
	}
	audit, err := AddAuditKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := AddAuditKey(path); err != nil || !bytes.Equal(again, audit) {
		t.Errorf("a second AddAuditKey made another key: %v", err)
	}
	keys, err := LoadKeys(path)
	if err != nil || len(keys) != 1 || !bytes.Equal(keys[0], field) {
		t.Fatalf("field keys beside the audit key: %d keys, %v", len(keys), err)
	}
	fresh := NewKey()
	for _, ring := range [][][]byte{{fresh, field}, {fresh}} { // the two steps of a rotation
		if err := ReplaceKeyFile(path, ring...); err != nil {
			t.Fatal(err)
		}
		if got, err := LoadAuditKey(path); err != nil || !bytes.Equal(got, audit) {
			t.Errorf("after writing %d field keys the audit key is %x, %v", len(ring), got, err)
		}
		if keys, _ := LoadKeys(path); len(keys) != len(ring) {
			t.Errorf("%d field keys, want %d", len(keys), len(ring))
		}
	}
	k1, id1, _ := ChainKey(audit)
	k2, id2, _ := ChainKey(NewKey())
	if bytes.Equal(k1, audit) || bytes.Equal(k1, k2) || id1 == id2 || len(id1) != 8 {
		t.Errorf("chain keys %x (%s) and %x (%s)", k1, id1, k2, id2)
	}
	if _, err := LoadAuditKey(filepath.Join(t.TempDir(), "none.key")); !errors.Is(err, ErrNoKey) {
		t.Errorf("a missing key file: %v, want ErrNoKey", err)
	}
}
