package secret

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// The key file may hold, besides the field keys, one line
//
//	audit <64 hex digits>
//
// the master key of the audit chain. It is a key of its own, not derived
// from a field key, because `wangge key rotate` retires field keys: the
// chain's links made years ago must still verify after any number of
// rotations, so its key outlives them. ReplaceKeyFile carries it over.
const auditPrefix = "audit "

// ErrNoAuditKey means the key file holds no audit chain key.
var ErrNoAuditKey = errors.New("secret: the key file holds no audit chain key")

// LoadAuditKey reads the audit chain's master key from a key file:
// ErrNoKey when the file is missing, ErrNoAuditKey when it holds none.
func LoadAuditKey(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNoKey, path)
	} else if err != nil {
		return nil, err
	}
	return auditLine(path, string(raw))
}

func auditLine(path, raw string) ([]byte, error) {
	for _, line := range strings.Split(raw, "\n") {
		v, ok := strings.CutPrefix(strings.TrimSpace(line), auditPrefix)
		if !ok {
			continue
		}
		k, err := hex.DecodeString(strings.TrimSpace(v))
		if err != nil || len(k) != keyLen {
			return nil, fmt.Errorf("secret: %s: the audit line does not hold a key (64 hex digits)", path)
		}
		return k, nil
	}
	return nil, ErrNoAuditKey
}

// AddAuditKey gives a key file that has none an audit chain key, rewriting
// the file atomically with its field keys unchanged, and returns the key.
// A file that already holds one keeps it.
func AddAuditKey(path string) ([]byte, error) {
	if k, err := LoadAuditKey(path); !errors.Is(err, ErrNoAuditKey) {
		return k, err
	}
	keys, err := LoadKeys(path)
	if err != nil {
		return nil, err
	}
	k := NewKey()
	return k, writeKeys(path, keys, k)
}

// ChainKey derives from the audit master key the key the chain's links and
// checkpoints are made with, and its short id, which the database records
// so that a key file with another audit key is refused.
func ChainKey(master []byte) (key []byte, id string, err error) {
	if len(master) != keyLen {
		return nil, "", fmt.Errorf("secret: audit key has %d bytes, want %d", len(master), keyLen)
	}
	key, err = hkdf.Key(sha256.New, master, nil, "wangge audit chain v1", keyLen)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(key)
	return key, hex.EncodeToString(sum[:idLen]), nil
}
