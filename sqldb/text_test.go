package sqldb

import (
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// TestSQLDBBuildsNoUserFacingText: the store's SQL carries no Chinese text
// of its own. What a user reads comes from the message catalogue (package
// msg) through the domain's errors; comments may say what they like.
func TestSQLDBBuildsNoUserFacingText(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		var s scanner.Scanner
		s.Init(fset.AddFile(f, -1, len(src)), src, nil, 0) // comments are skipped
		for {
			pos, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			if tok != token.STRING {
				continue
			}
			checked++
			for _, r := range lit {
				if unicode.Is(unicode.Han, r) {
					t.Errorf("%s: a string with Chinese text: %s", fset.Position(pos), lit)
					break
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("read only %d string literals: is the scan still reading sqldb?", checked)
	}
}
