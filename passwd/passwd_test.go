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

// TestPolicyRefusesGuessablePasswords: what meets the character classes
// but is a common word, a run of keys or a repetition once its
// decorations are off, or the user's login or name (NIST SP 800-63B), is
// refused with its own message; strong passwords, the temporary ones
// included, still pass.
func TestPolicyRefusesGuessablePasswords(t *testing.T) {
	for _, c := range []struct {
		user, name, pw string
		guessable      bool
	}{
		{"zhangsan", "", "Password1234", true},
		{"zhangsan", "", "P@ssw0rd2026!", true},
		{"zhangsan", "", "Admin@123456", true},
		{"zhangsan", "", "Qwerty123456", true},
		{"zhangsan", "", "1qaz2wsx3EDC", true},
		{"zhangsan", "", "Abcdefgh1234", true},
		{"zhangsan", "", "Woaini1314!!", true},
		{"zhangsan", "", "Wangge-2026!", true},
		{"zhangsan", "", "AbAbAbAbAb12", true},
		{"zhangsan", "", "aB1aB1aB1aB1", true},
		{"zhangsan", "张三", "张三Grid-2026!", true}, // the name in characters
		{"li.ming", "李明", "李明Grid2026!", true},   // the name in characters
		{"liming", "", "Kx7m-Pq2d-W9rt", false},
		{"wangfang", "王芳", "Grid-2026-ok", false},
		{"liming", "李明", "春风十里不如你Ab12!", false},
	} {
		err := CheckPolicy(c.user, c.pw, c.name)
		var pe *PolicyError
		got := errors.As(err, &pe) && pe.Key == "passwd.guessable"
		if got != c.guessable {
			t.Errorf("CheckPolicy(%q, %q, %q) = %v, want guessable=%v", c.user, c.pw, c.name, err, c.guessable)
		}
		if !c.guessable && err != nil {
			t.Errorf("CheckPolicy(%q, %q): %v", c.user, c.pw, err)
		}
	}
	for range 200 {
		if p := Temporary("liming"); CheckPolicy("liming", p) != nil {
			t.Fatalf("temporary password %q refused", p)
		}
	}
}
