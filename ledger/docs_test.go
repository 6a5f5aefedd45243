package ledger

import (
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/ledger-columns.md")

// TestColumnsDocMatchesSpecs keeps docs/ledger-columns.md in step with the
// column specs.
func TestColumnsDocMatchesSpecs(t *testing.T) {
	const path = "../docs/ledger-columns.md"
	want := ColumnsMarkdown()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("%s is out of date: go test ./ledger -run TestColumnsDoc -update", path)
	}
}
