// Package anchor keeps the audit chain's checkpoints where the database's
// writer cannot rewrite them: an append-only file beside the key file, one
// line per checkpoint, each signed with the chain key.
//
// A keyed chain alone shows an entry edited or a chain recomputed, but not a
// tail cut off with the head moved back: what is left is a sound chain. A
// checkpoint says "the chain had reached entry S with link H at time T";
// when the database later holds fewer entries, or another link at S, what
// was cut or replaced since shows, and the last checkpoint that still
// matches says from where. An auditor may keep a copy (`wangge audit
// checkpoints`), so even the file's own owner cannot quietly rewrite it.
package anchor

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Checkpoint is one signed record of the chain's head.
type Checkpoint struct {
	N    int // its line in the file, from 1
	Seq  int64
	Hash []byte // the link of entry Seq (empty for Seq 0)
	At   time.Time
	// Base marks a new start made on purpose by whoever holds the key: the
	// chain was reset (demo --force), restored from a backup or re-linked
	// under the key. Checkpoints before it are of the chain it replaced.
	Base bool
	Key  string // the id of the chain key that signed it
}

// line is a checkpoint as the file holds it: JSON, one a line.
type line struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
	At   string `json:"at"`
	Base bool   `json:"base,omitempty"`
	Key  string `json:"key"`
	MAC  string `json:"mac"`
}

// mac signs what a checkpoint says.
func mac(key []byte, c Checkpoint) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("wangge audit checkpoint v1\n"))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(c.Seq))
	m.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(len(c.Hash)))
	m.Write(n[:])
	m.Write(c.Hash)
	binary.BigEndian.PutUint64(n[:], uint64(c.At.UTC().UnixMicro()))
	m.Write(n[:])
	if c.Base {
		m.Write([]byte{1})
	} else {
		m.Write([]byte{0})
	}
	m.Write([]byte(c.Key))
	return m.Sum(nil)
}

// BadLineError is a line of the file that does not hold: not a checkpoint,
// or one whose signature fails (edited, or signed with another key).
type BadLineError struct {
	Path   string
	N      int
	Reason string
}

func (e *BadLineError) Error() string {
	return fmt.Sprintf("anchor: %s line %d: %s", e.Path, e.N, e.Reason)
}

// Log is the checkpoint file of one chain key.
type Log struct {
	path  string
	key   []byte
	keyID string

	mu   sync.Mutex
	f    *os.File // opened at the first Append
	last *Checkpoint
}

// Open returns the checkpoint file at path for the chain key with the id.
// It creates nothing: the file is made by the first Append.
func Open(path string, key []byte, keyID string) (*Log, error) {
	l := &Log{path: path, key: key, keyID: keyID}
	cs, err := Read(path, key)
	var bad *BadLineError
	if err != nil && !errors.As(err, &bad) {
		return nil, err
	}
	if len(cs) > 0 {
		l.last = &cs[len(cs)-1]
	}
	return l, nil
}

// Path returns the file's name.
func (l *Log) Path() string { return l.path }

// Last returns the newest checkpoint this log read or wrote, if any.
func (l *Log) Last() (Checkpoint, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		return Checkpoint{}, false
	}
	return *l.last, true
}

// Append signs a checkpoint and appends it to the file, synced before it
// returns. The file is opened O_APPEND: several processes (a server and a
// command) may append to it; each line is one write.
func (l *Log) Append(seq int64, hash []byte, at time.Time, base bool) (Checkpoint, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := Checkpoint{Seq: seq, Hash: append([]byte{}, hash...), At: at.UTC().Truncate(time.Microsecond), Base: base, Key: l.keyID}
	b, err := json.Marshal(line{Seq: c.Seq, Hash: hex.EncodeToString(c.Hash), At: c.At.Format(time.RFC3339Nano), Base: c.Base, Key: c.Key, MAC: hex.EncodeToString(mac(l.key, c))})
	if err != nil {
		return c, err
	}
	if l.f == nil {
		if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
			return c, err
		}
		_, statErr := os.Stat(l.path)
		f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return c, err
		}
		if statErr != nil {
			syncDir(filepath.Dir(l.path))
		}
		l.f = f
	}
	if _, err := l.f.Write(append(b, '\n')); err != nil {
		return c, err
	}
	if err := l.f.Sync(); err != nil {
		return c, err
	}
	l.last = &c
	return c, nil
}

// Close closes the file.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Read returns every checkpoint of the file, each signature checked with
// key. A missing file holds none. A line that does not hold ends the read
// with a *BadLineError and the checkpoints before it.
func Read(path string, key []byte) ([]Checkpoint, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return parse(path, bytes.NewReader(raw), key)
}

func parse(path string, r io.Reader, key []byte) ([]Checkpoint, error) {
	var out []Checkpoint
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 4096), 1<<20)
	n := 0
	for s.Scan() {
		n++
		if len(bytes.TrimSpace(s.Bytes())) == 0 {
			continue
		}
		var l line
		if err := json.Unmarshal(s.Bytes(), &l); err != nil {
			return out, &BadLineError{path, n, "not a checkpoint"}
		}
		c := Checkpoint{N: n, Seq: l.Seq, Base: l.Base, Key: l.Key}
		var e1, e2, e3 error
		c.Hash, e1 = hex.DecodeString(l.Hash)
		c.At, e2 = time.Parse(time.RFC3339Nano, l.At)
		sig, e3 := hex.DecodeString(l.MAC)
		if e1 != nil || e2 != nil || e3 != nil {
			return out, &BadLineError{path, n, "not a checkpoint"}
		}
		if !hmac.Equal(sig, mac(key, c)) {
			return out, &BadLineError{path, n, "its signature does not hold: edited, or signed with another key"}
		}
		out = append(out, c)
	}
	return out, s.Err()
}

// Export copies the file's checkpoints, each checked, to w as the file
// holds them, and returns how many.
func Export(path string, key []byte, w io.Writer) (int, error) {
	raw, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return 0, err
	}
	cs, err := parse(path, bytes.NewReader(raw), key)
	if err != nil {
		return 0, err
	}
	_, err = w.Write(raw)
	return len(cs), err
}

// syncDir makes a new file in dir durable.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
