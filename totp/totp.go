// Package totp implements time-based one-time passwords (RFC 6238) as the
// authenticator apps in use expect them: HMAC-SHA1, 6 digits, a 30-second
// step, and a window of one step either side for clocks that drift. It uses
// the standard library only.
package totp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"net/url"
	"strings"
	"time"
)

const (
	// Digits is the length of a code.
	Digits = 6
	// Period is the length of one time step.
	Period = 30 * time.Second
	// Skew is how many steps either side of the current one are accepted.
	Skew = 1
	// SecretLen is the length of a new secret in bytes (160 bits, the
	// length of an HMAC-SHA1 key that RFC 4226 recommends).
	SecretLen = 20
	// MinSecretLen is the shortest secret Decode accepts (128 bits).
	MinSecretLen = 16
)

// b32 is the base32 alphabet of RFC 4648 without padding, as otpauth URIs
// and authenticator apps write secrets.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSecret returns a new random secret.
func NewSecret() []byte {
	b := make([]byte, SecretLen)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return b
}

// Encode returns the secret in base32, the form people type into an app.
func Encode(secret []byte) string { return b32.EncodeToString(secret) }

// ErrSecret means a base32 secret could not be read or is too short.
var ErrSecret = errors.New("totp: malformed or too short secret")

// Decode reads a base32 secret, ignoring spaces, hyphens and case.
func Decode(s string) ([]byte, error) {
	s = strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(s))
	s = strings.TrimRight(s, "=")
	b, err := b32.DecodeString(s)
	if err != nil || len(b) < MinSecretLen {
		return nil, ErrSecret
	}
	return b, nil
}

// Step returns the number of the time step t falls in.
func Step(t time.Time) int64 {
	return t.Unix() / int64(Period/time.Second)
}

// HOTP returns the RFC 4226 code of the counter with the given number of
// digits (6 to 8), using HMAC-SHA1.
func HOTP(secret []byte, counter uint64, digits int) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	m := hmac.New(sha1.New, secret)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	v %= mod
	out := make([]byte, digits)
	for i := digits - 1; i >= 0; i-- {
		out[i] = byte('0' + v%10)
		v /= 10
	}
	return string(out)
}

// Code returns the 6-digit code for the time t.
func Code(secret []byte, t time.Time) string {
	return HOTP(secret, uint64(Step(t)), Digits)
}

// Validate reports whether code is the code of the step of t or of a step
// within Skew of it, and returns the step it matched. The caller must refuse
// a step at or before the last one it accepted for the same secret, so that
// a code seen over someone's shoulder cannot be used a second time (RFC
// 6238 section 5.2). Spaces in the code are ignored.
func Validate(secret []byte, code string, t time.Time) (step int64, ok bool) {
	code = strings.ReplaceAll(code, " ", "")
	if len(code) != Digits {
		return 0, false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	now := Step(t)
	// Compare every candidate, so the time taken says nothing about which
	// one (if any) matched.
	match := int64(-1)
	for d := int64(-Skew); d <= Skew; d++ {
		s := now + d
		if s < 0 {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(HOTP(secret, uint64(s), Digits)), []byte(code)) == 1 && match < 0 {
			match = s
		}
	}
	if match < 0 {
		return 0, false
	}
	return match, true
}

// URI returns the otpauth:// URI an authenticator app reads (Key Uri
// Format): the issuer and account label what the app shows.
func URI(issuer, account string, secret []byte) string {
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	q := url.Values{}
	q.Set("secret", Encode(secret))
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", "6")
	q.Set("period", "30")
	return "otpauth://totp/" + label + "?" + q.Encode()
}
