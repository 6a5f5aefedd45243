package proposal

import (
	"testing"

	"github.com/wangge/wangge/msg/msgtest"
)

// TestProposalBuildsNoUserFacingText: a proposal's errors and warnings take
// their text from the message catalogue (msg/proposal.*.json).
func TestProposalBuildsNoUserFacingText(t *testing.T) {
	msgtest.NoChinese(t, ".", 50, msgtest.Allow{})
}
