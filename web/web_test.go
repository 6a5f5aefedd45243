package web

import (
	"io/fs"
	"strings"
	"testing"
)

// TestOneSpellingOfLedger: the pages write 台账, the standard form, never
// the variant 台帐, so a reader meets one word (msg checks the catalogue).
func TestOneSpellingOfLedger(t *testing.T) {
	n := 0
	err := fs.WalkDir(FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(path, "static/vendor/") {
			return err
		}
		b, err := FS.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		if strings.Contains(string(b), "台帐") {
			t.Errorf("%s writes 台帐; the pages use 台账", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("read only %d files of the embedded web files", n)
	}
}
