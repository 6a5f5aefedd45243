package wangge

import (
	"testing"

	"github.com/wangge/wangge/msg/msgtest"
)

// TestDomainBuildsNoUserFacingText: the domain's errors take their text from
// the message catalogue, so its source holds no Chinese message of its own.
// What it may keep is listed here with the reason.
func TestDomainBuildsNoUserFacingText(t *testing.T) {
	msgtest.NoChinese(t, ".", 300, msgtest.Allow{
		Files: map[string]string{
			"keygroup.go":        "key groups' names and attributes: converted by the key-group change, not this one",
			"report.go":          "report definitions: converted by the key-group change, not this one",
			"ledgers.go":         "the ledgers' rules: converted by the key-group change, not this one",
			"address.go":         "address parsing: the unit words people type (号楼, 单元, 室 …) and Chinese numerals are data",
			"fourbounds.go":      "parses the 四至 (东至 …) people write in a boundary description: data",
			"householdsearch.go": "room patterns people type (1单元101室): data",
		},
		Funcs: map[string]string{
			// Level.Zh, Line.Zh, Role.Zh: the names ledgers and exports print
			// in their cells; http's TestCatalogueCoversDomain holds them
			// equal to the web catalogue's level.*, role.* entries.
			"Zh":              "the Chinese names of levels, lines and roles are written into ledger cells",
			"DefaultGridName": "a new grid's stored name (社区第N网格), data rather than a message",
			"DefaultServices": "reads the embedded services table, where 无 means no materials",
		},
	})
}
