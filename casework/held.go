package casework

import (
	"slices"

	"github.com/wangge/wangge"
)

// A held request (issue 14) is an Open311 request whose words for the
// place matched no single building: it is kept, neither lost nor guessed,
// until staff place it on the map — which makes the case — or dismiss it.

// HeldState is where a held request stands.
type HeldState string

const (
	HeldWaiting   HeldState = "held"      // waits for staff to place it
	HeldPlaced    HeldState = "placed"    // became a case
	HeldDismissed HeldState = "dismissed" // refused, with a reason
)

// DismissReasons are why staff may dismiss a held request: what a person
// picks from a list, so the reasons can be counted and nothing personal is
// typed into them.
var DismissReasons = []string{"spam", "duplicate", "outside", "unclear"}

// ValidDismissReason reports whether r is one of DismissReasons.
func ValidDismissReason(r string) bool { return slices.Contains(DismissReasons, r) }

// MayPlaceHeld reports whether the role places and dismisses held
// requests: the staff who dispatch cases (community and above). An
// assistant, a building head or a department works on cases already in
// its area; a held request has no area yet.
func MayPlaceHeld(r wangge.Role) bool {
	switch r {
	case wangge.RoleCommunityStaff, wangge.RoleSubdistrictStaff, wangge.RoleDistrictAdmin, wangge.RoleSystem:
		return true
	}
	return false
}
