package wangge

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"time"
)

// AuditEntry is one entry of the audit log: every change and every reveal or
// export of personal data, with who, when, what and from where. Entries form
// one chain: each stores the link of the one before and its own, a keyed
// hash (ComputeLink) under a key kept outside the database.
type AuditEntry struct {
	Seq      int64
	At       time.Time
	UserID   int64
	Username string
	Role     Role
	Addr     string
	Action   string // e.g. "person.create", "person.reveal", "login.fail"
	Object   string // the kind of object, e.g. "person"
	ObjectID string
	GridCode string // where the object is, for scoped search
	Detail   string // JSON with what changed; never personal data in clear
	PrevHash []byte
	Hash     []byte
}

// ComputeHash returns the entry's plain hash: SHA-256 over the previous
// hash and every field. Chains made before the chain was keyed used it; it
// is kept to check such a chain once, when it is re-linked under the key,
// and to recognise a chain recomputed by someone without the key.
func (e *AuditEntry) ComputeHash() []byte {
	h := sha256.New()
	e.encode(h)
	return h.Sum(nil)
}

// ComputeLink returns the entry's keyed link: HMAC-SHA-256 under the chain
// key over the same encoding as ComputeHash. Without the key, which lives
// outside the database, nobody who can write to the database can make a
// link that holds, so deleting entries and recomputing the chain shows.
func (e *AuditEntry) ComputeLink(key []byte) []byte {
	h := hmac.New(sha256.New, key)
	e.encode(h)
	return h.Sum(nil)
}

// encode writes the previous hash and every field, each length-prefixed so
// that no two entries encode alike. Times count in microseconds, the
// resolution both stores keep.
func (e *AuditEntry) encode(h hash.Hash) {
	var n [8]byte
	put := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	num := func(v int64) {
		binary.BigEndian.PutUint64(n[:], uint64(v))
		h.Write(n[:])
	}
	put(e.PrevHash)
	num(e.Seq)
	num(e.At.UTC().UnixMicro())
	num(e.UserID)
	put([]byte(e.Username))
	put([]byte(e.Role))
	put([]byte(e.Addr))
	put([]byte(e.Action))
	put([]byte(e.Object))
	put([]byte(e.ObjectID))
	put([]byte(e.GridCode))
	put([]byte(e.Detail))
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	Username string
	Action   string // prefix, e.g. "person."
	Object   string
	ObjectID string
	Since    time.Time
	Until    time.Time
	Page
}

// HouseholdChangeActions are the actions a household's change record
// lists: what changed the household or one of its persons. Views and
// reveals are not changes; key-group memberships are left out because a
// group may be hidden from a viewer who may read the household.
var HouseholdChangeActions = []string{
	"household.create", "household.update", "household.move", "household.import",
	"person.create", "person.update", "person.move", "person.import",
	// What a visit proposed to the file and what became of it (issue 13).
	"ledger_change.propose", "ledger_change.confirm", "ledger_change.apply", "ledger_change.refuse",
}
