package passwd

import (
	"testing"

	"github.com/wangge/wangge/msg/msgtest"
)

// TestPasswdBuildsNoUserFacingText: the policy's refusals take their text
// from the message catalogue (msg/passwd.*.json).
func TestPasswdBuildsNoUserFacingText(t *testing.T) {
	msgtest.NoChinese(t, ".", 10, msgtest.Allow{})
}
