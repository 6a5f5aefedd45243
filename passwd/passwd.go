// Package passwd hashes and checks login passwords with argon2id and holds
// the minimum password policy.
package passwd

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/crypto/argon2"

	"github.com/wangge/wangge/msg"
)

// Params are argon2id cost parameters. Default follows RFC 9106's second
// recommended option (64 MiB, 3 passes), scaled to one lane per core here.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// Default is used for new hashes.
var Default = Params{Memory: 64 * 1024, Time: 3, Threads: 2}

const (
	saltLen = 16
	keyLen  = 32
	// MinLen is the minimum password length.
	MinLen = 10
)

// Hash returns the PHC string of password under p.
func Hash(password string, p Params) string {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		panic(err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Check reports whether password matches the PHC string. A malformed hash
// never matches.
func Check(password, hash string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var v int
	var p Params
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false
	}
	if p.Memory == 0 || p.Memory > 1<<21 || p.Time == 0 || p.Time > 100 || p.Threads == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// PolicyError says why a password is refused. Key names the text in the
// message catalogue (package msg) and Params fill it in; Zh and En are that
// text in each language, for callers that show it as it is.
type PolicyError struct {
	Key    string
	Params map[string]any
	Zh, En string
}

func policyError(key string, params map[string]any) *PolicyError {
	return &PolicyError{Key: key, Params: params, Zh: msg.Text("zh", key, params), En: msg.Text("en", key, params)}
}

func (e *PolicyError) Error() string { return e.En }

// CheckPolicy enforces the minimum policy: at least MinLen characters, and
// at least three of lower case, upper case, digits and symbols; not the
// username; and not guessable (common.go): a common word, a run of keys or
// a repetition once decorated with digits and symbols, or one of context's
// words (the user's name).
func CheckPolicy(username, password string, context ...string) error {
	if len([]rune(password)) < MinLen {
		return policyError("passwd.too_short", map[string]any{"Min": MinLen})
	}
	if strings.EqualFold(password, username) || strings.Contains(strings.ToLower(password), strings.ToLower(username)) && len(username) >= 4 {
		return policyError("passwd.has_username", nil)
	}
	var lower, upper, digit, other int
	for _, c := range password {
		switch {
		case unicode.IsLower(c):
			lower = 1
		case unicode.IsUpper(c):
			upper = 1
		case unicode.IsDigit(c):
			digit = 1
		default:
			other = 1
		}
	}
	if lower+upper+digit+other < 3 {
		return policyError("passwd.classes", nil)
	}
	if guessable(password, append([]string{username}, context...)) {
		return policyError("passwd.guessable", nil)
	}
	return nil
}
