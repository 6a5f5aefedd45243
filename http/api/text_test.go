package api

import (
	"testing"

	"github.com/wangge/wangge/msg/msgtest"
)

// TestAPIBuildsNoChineseText: the JSON API's errors name catalogue keys.
func TestAPIBuildsNoChineseText(t *testing.T) {
	msgtest.NoChinese(t, ".", 20, msgtest.Allow{})
}
