package open311

import (
	"testing"

	"github.com/wangge/wangge/msg/msgtest"
)

// TestOpen311BuildsNoChineseText: every description an answer carries
// comes from the catalogue (msg/open311.*.json).
func TestOpen311BuildsNoChineseText(t *testing.T) {
	msgtest.NoChinese(t, ".", 10, msgtest.Allow{})
}
