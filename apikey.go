package wangge

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// APIKey is a key an Open311 client (another city system, a FixMyStreet
// installation) sends as api_key. The district's administrator issues
// and revokes keys from the command line; the store keeps only the key's
// SHA-256, so the key itself is shown once, when it is made.
type APIKey struct {
	ID   int64
	Name string // who holds it, unique: "fixmystreet", "12345-hotline"
	// Prefix is the key's public part ("wg_<Prefix>_…"): enough to tell
	// keys apart in a list or a log without the secret.
	Prefix     string
	CreatedAt  time.Time
	RevokedAt  *time.Time
	LastUsedAt *time.Time
	// PerHour is how many requests the client may make in an hour.
	PerHour int
}

// APIKeyPerHour is a new key's hourly limit: ten requests a minute, far
// above what a client syncing a district's reports sends, and far below
// what would let one read or flood the public data.
const APIKeyPerHour = 600

// APIKeyNameMax bounds a key's name, in characters.
const APIKeyNameMax = 64

// CheckAPIKeyName returns the name trimmed, or the refusal of an empty, too
// long or unprintable one (a name is printed in lists and audit entries).
func CheckAPIKeyName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > APIKeyNameMax {
		return "", Invalid("name", "error.apikey.name", "Max", APIKeyNameMax)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return "", Invalid("name", "error.apikey.name", "Max", APIKeyNameMax)
		}
	}
	return name, nil
}
