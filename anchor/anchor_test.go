package anchor

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCheckpointsAreSignedAndAppended: checkpoints read back in order with
// their numbers; a second writer appends after the first; an edited line,
// or the file read under another key, does not hold.
func TestCheckpointsAreSignedAndAppended(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.audit")
	key, other := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	l, err := Open(path, key, "k1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("Open created the file")
	}
	at := time.Date(2026, 12, 1, 8, 0, 0, 123456000, time.UTC)
	if _, err := l.Append(0, nil, at, true); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(100, []byte{0xab, 0xcd}, at.Add(time.Minute), false); err != nil {
		t.Fatal(err)
	}
	l.Close()
	l2, err := Open(path, key, "k1")
	if err != nil {
		t.Fatal(err)
	}
	if last, ok := l2.Last(); !ok || last.Seq != 100 {
		t.Errorf("reopened: last %+v", last)
	}
	if _, err := l2.Append(150, []byte{0xef}, at.Add(2*time.Minute), false); err != nil {
		t.Fatal(err)
	}
	l2.Close()
	cs, err := Read(path, key)
	if err != nil || len(cs) != 3 {
		t.Fatalf("Read: %d checkpoints, %v", len(cs), err)
	}
	if cs[0].N != 1 || !cs[0].Base || cs[1].N != 2 || cs[1].Seq != 100 || !bytes.Equal(cs[1].Hash, []byte{0xab, 0xcd}) || !cs[1].At.Equal(at.Add(time.Minute)) || cs[2].Seq != 150 || cs[2].Key != "k1" {
		t.Errorf("checkpoints %+v", cs)
	}
	var bad *BadLineError
	if _, err := Read(path, other); !errors.As(err, &bad) || bad.N != 1 {
		t.Errorf("under another key: %v, want line 1 refused", err)
	}
	raw, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(raw), `"seq":100`, `"seq":90`, 1)), 0o600)
	if cs, err := Read(path, key); !errors.As(err, &bad) || bad.N != 2 || len(cs) != 1 {
		t.Errorf("an edited line: %d read, %v; want line 2 refused after one", len(cs), err)
	}
	var out bytes.Buffer
	if _, err := Export(path, key, &out); err == nil {
		t.Error("Export copied a file with an edited line")
	}
}
