package geo

import (
	"testing"

	"github.com/wangge/wangge/msg/msgtest"
)

// TestGeoBuildsNoUserFacingText: GeoJSON, code and partition errors and the
// partition's warnings take their text from the message catalogue
// (msg/geo.*.json).
func TestGeoBuildsNoUserFacingText(t *testing.T) {
	msgtest.NoChinese(t, ".", 200, msgtest.Allow{})
}
