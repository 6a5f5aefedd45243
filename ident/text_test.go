package ident

import (
	"testing"

	"github.com/wangge/wangge/msg/msgtest"
)

// TestIdentBuildsNoUserFacingText: an ident error's text is the message
// catalogue's (msg/ident.*.json), not the package's.
func TestIdentBuildsNoUserFacingText(t *testing.T) {
	msgtest.NoChinese(t, ".", 40, msgtest.Allow{
		Funcs: map[string]string{"Zh": "Sex.Zh: the sex's name (男, 女) that ledgers print in their cells"},
	})
}
