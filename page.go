package wangge

// Page is the one pagination shape: an offset and a limit. Lists return the
// items of the page and the total count that matched.
type Page struct {
	Offset int
	Limit  int
}

// DefaultPageLimit and MaxPageLimit bound list sizes.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 1000
)

// Normalize clamps the page to sane bounds.
func (p Page) Normalize() Page {
	if p.Offset < 0 {
		p.Offset = 0
	}
	if p.Limit <= 0 {
		p.Limit = DefaultPageLimit
	}
	if p.Limit > MaxPageLimit {
		p.Limit = MaxPageLimit
	}
	return p
}
