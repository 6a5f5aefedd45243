package passwd

import (
	"crypto/rand"
	"math/big"
)

// temporaryAlphabet leaves out characters that are easily confused when a
// password is read out or copied by hand (0 O o 1 l I).
const (
	tempLower = "abcdefghijkmnpqrstuvwxyz"
	tempUpper = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	tempDigit = "23456789"
)

// Temporary returns a random password for an administrator's reset: three
// groups of four characters (lower case, upper case, digits) joined by
// hyphens, such as "Kx7m-Pq2d-W9rt": about 70 bits, easy to read out, and
// it meets the policy for any username (CheckPolicy), so it can be set as is.
func Temporary(username string) string {
	all := tempLower + tempUpper + tempDigit
	for {
		b := make([]byte, 0, 14)
		for i := range 12 {
			if i > 0 && i%4 == 0 {
				b = append(b, '-')
			}
			b = append(b, all[randInt(len(all))])
		}
		p := string(b)
		if CheckPolicy(username, p) == nil {
			return p
		}
	}
}

func randInt(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return int(v.Int64())
}
