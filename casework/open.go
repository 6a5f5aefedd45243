package casework

import "github.com/wangge/wangge"

// MayOpen reports whether an account of role r may raise a case of
// mechanism m: the register form offers only those, and Open refuses the
// rest with the same rule.
func MayOpen(m Mechanism, r wangge.Role) bool { return mayOpen(m, r) }
