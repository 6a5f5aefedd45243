// Package secret encrypts personal fields at rest (AES-256-GCM) and computes
// the keyed blind index (HMAC-SHA-256) that finds them by exact value.
//
// One 32-byte master key lives in a key file. Separate keys for encryption and
// for the blind index are derived from it with HKDF, so neither use weakens
// the other. Each ciphertext starts with a format byte and the key's id, so a
// rotation can tell old ciphertexts from new ones: while it runs, the key
// file holds the new key on its first line and the old one below, and a Box
// seals under the first and opens under either.
package secret

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

const (
	keyLen    = 32
	idLen     = 4
	formatV1  = 1
	indexLen  = 16 // bytes of HMAC kept in the blind index
	headerLen = 1 + idLen
)

// ErrNoKey means the key file is missing where data already exists.
var ErrNoKey = errors.New("secret: key file not found")

// ErrUnknownKey means a ciphertext names a key the Box does not hold.
var ErrUnknownKey = errors.New("secret: ciphertext is under a key not in the key file")

// Box seals and opens personal fields and computes their blind index. It
// holds a ring of keys: the first is current and seals; the others are older
// keys kept while a rotation re-encrypts under the current one. A ciphertext
// opens under whichever key its header names. A Box never changes.
type Box struct {
	keys []*derived // keys[0] is current
}

// derived is one master key's derived keys.
type derived struct {
	id    [idLen]byte
	aead  cipher.AEAD
	index []byte
}

// New returns a Box whose current key is current; older keys, if any, only
// open and find what was sealed under them.
func New(current []byte, older ...[]byte) (*Box, error) {
	b := &Box{}
	for _, master := range append([][]byte{current}, older...) {
		k, err := newKey(master)
		if err != nil {
			return nil, err
		}
		if err := b.add(k); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// Join returns a ring of the boxes' keys in order: the first box's current
// key is current. Keys that appear twice are kept once.
func Join(boxes ...*Box) (*Box, error) {
	if len(boxes) == 0 {
		return nil, errors.New("secret: no key to join")
	}
	b := &Box{}
	for _, o := range boxes {
		if err := b.add(o.keys...); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (b *Box) add(keys ...*derived) error {
	for _, k := range keys {
		dup := false
		for _, o := range b.keys {
			if o.id == k.id {
				if !bytes.Equal(o.index, k.index) {
					return fmt.Errorf("secret: two keys share the id %x", k.id)
				}
				dup = true // the same key twice: once is enough
			}
		}
		if !dup {
			b.keys = append(b.keys, k)
		}
	}
	return nil
}

func newKey(master []byte) (*derived, error) {
	if len(master) != keyLen {
		return nil, fmt.Errorf("secret: key has %d bytes, want %d", len(master), keyLen)
	}
	encKey, err := hkdf.Key(sha256.New, master, nil, "wangge field encryption v1", keyLen)
	if err != nil {
		return nil, err
	}
	idxKey, err := hkdf.Key(sha256.New, master, nil, "wangge blind index v1", keyLen)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	k := &derived{aead: aead, index: idxKey}
	sum := sha256.Sum256(idxKey)
	copy(k.id[:], sum[:idLen])
	return k, nil
}

// KeyID returns the short id of the current key, which marks its ciphertexts.
func (b *Box) KeyID() string { return hex.EncodeToString(b.keys[0].id[:]) }

// KeyIDs returns the ids of every key in the ring, the current one first.
func (b *Box) KeyIDs() []string {
	ids := make([]string, len(b.keys))
	for i, k := range b.keys {
		ids[i] = hex.EncodeToString(k.id[:])
	}
	return ids
}

// Has reports whether the ring holds the key with the id.
func (b *Box) Has(id string) bool {
	for _, k := range b.keys {
		if hex.EncodeToString(k.id[:]) == id {
			return true
		}
	}
	return false
}

// SealedKeyID returns the id of the key a ciphertext was sealed under, as
// its header names it, or "" for nil or a malformed ciphertext.
func SealedKeyID(sealed []byte) string {
	if len(sealed) < headerLen || sealed[0] != formatV1 {
		return ""
	}
	return hex.EncodeToString(sealed[1:headerLen])
}

// Seal encrypts a field under the current key. The empty string seals to
// nil, so an absent value stays absent. field binds the ciphertext to its
// column: a ciphertext copied into another column does not open.
func (b *Box) Seal(field, plain string) []byte {
	if plain == "" {
		return nil
	}
	k := b.keys[0]
	out := make([]byte, headerLen, headerLen+k.aead.NonceSize()+len(plain)+k.aead.Overhead())
	out[0] = formatV1
	copy(out[1:], k.id[:])
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	out = append(out, nonce...)
	return k.aead.Seal(out, nonce, []byte(plain), []byte(field))
}

// Open decrypts a field sealed by Seal under any key of the ring. nil opens
// to "". A ciphertext under a key the ring lacks fails with ErrUnknownKey.
func (b *Box) Open(field string, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	k0 := b.keys[0]
	ns := k0.aead.NonceSize() // the same for every key: AES-GCM
	if len(sealed) < headerLen+ns+k0.aead.Overhead() || sealed[0] != formatV1 {
		return "", errors.New("secret: malformed ciphertext")
	}
	var k *derived
	for _, c := range b.keys {
		if bytes.Equal(sealed[1:headerLen], c.id[:]) {
			k = c
			break
		}
	}
	if k == nil {
		return "", fmt.Errorf("%w: it is under key %x; the key file holds %s", ErrUnknownKey, sealed[1:headerLen], strings.Join(b.KeyIDs(), ", "))
	}
	plain, err := k.aead.Open(nil, sealed[headerLen:headerLen+ns], sealed[headerLen+ns:], []byte(field))
	if err != nil {
		return "", errors.New("secret: ciphertext does not open under this key (wrong key or tampered data)")
	}
	return string(plain), nil
}

// Index returns the blind index of a normalised value under the current key:
// equal values give equal indexes, and without the key the index says
// nothing about the value. The empty string indexes to nil. Writes store it.
func (b *Box) Index(field, value string) []byte {
	return b.keys[0].indexOf(field, value)
}

// Indexes returns the value's blind index under every key of the ring, the
// current key's first (nil for the empty string). A lookup matches any of
// them, so it finds rows a rotation has not re-indexed yet.
func (b *Box) Indexes(field, value string) [][]byte {
	if value == "" {
		return nil
	}
	out := make([][]byte, len(b.keys))
	for i, k := range b.keys {
		out[i] = k.indexOf(field, value)
	}
	return out
}

func (k *derived) indexOf(field, value string) []byte {
	if value == "" {
		return nil
	}
	m := hmac.New(sha256.New, k.index)
	m.Write([]byte(field))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)[:indexLen]
}

// NewKey returns a fresh random master key.
func NewKey() []byte {
	k := make([]byte, keyLen)
	if _, err := rand.Read(k); err != nil {
		panic(err)
	}
	return k
}

// LoadKeyFile reads the current key of a key file: its first key.
func LoadKeyFile(path string) ([]byte, error) {
	keys, err := LoadKeys(path)
	if err != nil {
		return nil, err
	}
	return keys[0], nil
}

// LoadKeys reads every key of a key file, one per line as 64 hex digits,
// the current key first. Blank lines and the audit key's line are ignored. A file of one line, as
// WriteKeyFile writes, holds just the current key; more lines are older keys
// kept while `wangge key rotate` runs.
func LoadKeys(path string) ([][]byte, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNoKey, path)
	} else if err != nil {
		return nil, err
	}
	var keys [][]byte
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, auditPrefix) {
			continue // the audit chain's key is no field key (auditkey.go)
		}
		k, err := hex.DecodeString(line)
		if err != nil || len(k) != keyLen {
			return nil, fmt.Errorf("secret: %s does not hold keys (64 hex digits a line)", path)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("secret: %s does not hold a key (64 hex digits)", path)
	}
	return keys, nil
}

// Load reads a key file into a Box: its first key current, the others older.
func Load(path string) (*Box, error) {
	keys, err := LoadKeys(path)
	if err != nil {
		return nil, err
	}
	return New(keys[0], keys[1:]...)
}

// WriteKeyFile writes a master key with mode 0600. It never overwrites an
// existing file: a replaced key would make every sealed field unreadable.
func WriteKeyFile(path string, key []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(f, "%s\n", hex.EncodeToString(key)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
