package workcal

import (
	"testing"

	"github.com/wangge/wangge/msg/msgtest"
)

// TestWorkcalBuildsNoUserFacingText: the refusals take their text from the
// catalogue (msg/errors.*.json); the holiday names are data, in years/*.txt.
func TestWorkcalBuildsNoUserFacingText(t *testing.T) {
	msgtest.NoChinese(t, ".", 40, msgtest.Allow{})
}
