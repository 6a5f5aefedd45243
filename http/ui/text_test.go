package ui

import (
	"testing"

	"github.com/wangge/wangge/msg/msgtest"
)

// TestPagesBuildNoChineseText: the pages build no Chinese text of their
// own; what they say — errors, file names, labels — comes from the
// catalogue (msg/ui.*.json, msg/errors.*.json), so it has its English too.
func TestPagesBuildNoChineseText(t *testing.T) {
	msgtest.NoChinese(t, ".", 300, msgtest.Allow{})
}
