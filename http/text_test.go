package http

import (
	"testing"

	"github.com/wangge/wangge/msg/msgtest"
)

// TestCoreBuildsNoChineseText: the core's errors and pages take their
// words from the catalogue, as the pages' do.
func TestCoreBuildsNoChineseText(t *testing.T) {
	msgtest.NoChinese(t, ".", 150, msgtest.Allow{})
}
