// Package secret encrypts personal fields at rest (AES-256-GCM) and computes
// the keyed blind index (HMAC-SHA-256) that finds them by exact value.
//
// One 32-byte master key lives in a key file. Separate keys for encryption and
// for the blind index are derived from it with HKDF, so neither use weakens
// the other. Each ciphertext starts with a format byte and the key's id, so a
// rotation can tell old ciphertexts from new ones.
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

// Box seals and opens personal fields and computes their blind index.
type Box struct {
	id    [idLen]byte
	aead  cipher.AEAD
	index []byte
}

// New returns a Box for a 32-byte master key.
func New(master []byte) (*Box, error) {
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
	b := &Box{aead: aead, index: idxKey}
	sum := sha256.Sum256(idxKey)
	copy(b.id[:], sum[:idLen])
	return b, nil
}

// KeyID returns the short id that marks this key's ciphertexts.
func (b *Box) KeyID() string { return hex.EncodeToString(b.id[:]) }

// Seal encrypts a field. The empty string seals to nil, so an absent value
// stays absent. field binds the ciphertext to its column: a ciphertext copied
// into another column does not open.
func (b *Box) Seal(field, plain string) []byte {
	if plain == "" {
		return nil
	}
	out := make([]byte, headerLen, headerLen+b.aead.NonceSize()+len(plain)+b.aead.Overhead())
	out[0] = formatV1
	copy(out[1:], b.id[:])
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	out = append(out, nonce...)
	return b.aead.Seal(out, nonce, []byte(plain), []byte(field))
}

// Open decrypts a field sealed by Seal. nil opens to "".
func (b *Box) Open(field string, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	ns := b.aead.NonceSize()
	if len(sealed) < headerLen+ns+b.aead.Overhead() || sealed[0] != formatV1 {
		return "", errors.New("secret: malformed ciphertext")
	}
	if !bytes.Equal(sealed[1:headerLen], b.id[:]) {
		return "", fmt.Errorf("secret: ciphertext is under key %x, not %s", sealed[1:headerLen], b.KeyID())
	}
	plain, err := b.aead.Open(nil, sealed[headerLen:headerLen+ns], sealed[headerLen+ns:], []byte(field))
	if err != nil {
		return "", errors.New("secret: ciphertext does not open under this key (wrong key or tampered data)")
	}
	return string(plain), nil
}

// Index returns the blind index of a normalised value: equal values give
// equal indexes, and without the key the index says nothing about the value.
// The empty string indexes to nil.
func (b *Box) Index(field, value string) []byte {
	if value == "" {
		return nil
	}
	m := hmac.New(sha256.New, b.index)
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

// LoadKeyFile reads a master key written by WriteKeyFile: 64 hex digits.
func LoadKeyFile(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNoKey, path)
	} else if err != nil {
		return nil, err
	}
	k, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(k) != keyLen {
		return nil, fmt.Errorf("secret: %s does not hold a key (64 hex digits)", path)
	}
	return k, nil
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
