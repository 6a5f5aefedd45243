package ledger

import (
	"testing"

	"github.com/wangge/wangge/msg/msgtest"
)

// TestLedgerBuildsNoUserFacingText: the import's errors and row problems
// take their text from the message catalogue (msg/ledger.*.json). What the
// package keeps in Chinese is listed here with the reason.
func TestLedgerBuildsNoUserFacingText(t *testing.T) {
	msgtest.NoChinese(t, ".", 150, msgtest.Allow{
		Files: map[string]string{
			"columns.go": "the column spec: the sheets' Chinese headers, the variants people write, the enumeration labels (户籍, 在业 …) and the notes of the template are data a file holds, matched against what people type",
			"docs.go":    "writes docs/ledger-columns.md from the column spec: documentation, bilingual by construction",
			"write.go":   "the template and rejected-rows workbooks: sheet names, headers, the example row and the 填表说明 sheet are the Chinese ledger itself",
			"export.go":  "export workbooks: headers, derived tags and the 说明 sheet are the Chinese ledger itself (the key-group part belongs to the key-group change)",
			"report.go":  "report workbooks: sheet names and headers are the Chinese report itself",
		},
		Funcs: map[string]string{
			"parseMembership": "key-group rows: converted by the key-group change, not this one",
		},
		Literals: map[string]string{
			"2006年1月2日": "a date layout people write",
			"室号":        "suffixes people put after a room number (301室, 301号)",
			"单元":        "the suffix people put after an entrance number (1单元)",
		},
	})
}
