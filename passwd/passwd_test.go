package passwd

import (
	"errors"
	"testing"

	"github.com/wangge/wangge/msg"
)

var fast = Params{Memory: 1024, Time: 1, Threads: 1}

func TestHashChecksOnlyTheRightPassword(t *testing.T) {
	h := Hash("Correct-Horse-9", fast)
	if !Check("Correct-Horse-9", h) {
		t.Fatal("right password refused")
	}
	if Check("correct-horse-9", h) {
		t.Fatal("wrong password accepted")
	}
	if Hash("Correct-Horse-9", fast) == h {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
}

func TestCheckRefusesMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=0,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=1024,t=1,p=1$!!$a2V5"} {
		if Check("x", h) {
			t.Fatalf("malformed hash %q matched", h)
		}
	}
}

func TestPolicy(t *testing.T) {
	for _, c := range []struct {
		user, pw string
		ok       bool
	}{
		{"admin", "short1A", false},
		{"admin", "alllowercaseletters", false},
		{"admin", "Admin-12345", false},
		{"wangfang", "Grid-2026-ok", true},
		{"li", "长治市网格管理Ab12", true},
	} {
		err := CheckPolicy(c.user, c.pw)
		if (err == nil) != c.ok {
			t.Errorf("CheckPolicy(%q, %q) = %v, want ok=%v", c.user, c.pw, err, c.ok)
		}
		var pe *PolicyError
		if err != nil && (!errors.As(err, &pe) || !msg.Has(pe.Key) || pe.Zh == pe.Key || pe.En != err.Error()) {
			t.Errorf("CheckPolicy(%q, %q): the refusal's text is not the catalogue's: %#v", c.user, c.pw, err)
		}
	}
}
