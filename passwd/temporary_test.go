package passwd

import (
	"strings"
	"testing"
)

func TestTemporaryPasswordsMeetThePolicyAndDiffer(t *testing.T) {
	seen := map[string]bool{}
	for _, user := range []string{"admin", "abcd", "kx7m", "dongyuan"} {
		for range 200 {
			p := Temporary(user)
			if err := CheckPolicy(user, p); err != nil {
				t.Fatalf("Temporary(%q) = %q fails the policy: %v", user, p, err)
			}
			if len(p) != 14 || strings.Count(p, "-") != 2 || strings.ContainsAny(p, "0O1lI") {
				t.Fatalf("Temporary(%q) = %q: want three groups of four unambiguous characters", user, p)
			}
			if seen[p] {
				t.Fatalf("Temporary repeated %q", p)
			}
			seen[p] = true
		}
	}
}
