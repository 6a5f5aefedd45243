// Package msgtest checks from a package's tests that its Go source builds no
// user-facing Chinese text of its own: what a user reads comes from the
// message catalogue (package msg). Comments may say what they like.
package msgtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// Allow lists the Chinese string literals a package may keep, each with the
// reason why it is not a message (header labels of an import sheet are data
// people type, not text the program says).
type Allow struct {
	// Files are whole files, by base name.
	Files map[string]string
	// Funcs are functions or methods, by name, in any file.
	Funcs map[string]string
	// Literals are exact string values, anywhere.
	Literals map[string]string
}

// NoChinese fails t for every string literal with Chinese characters in the
// non-test Go files of dir that allow does not list, and when it reads fewer
// than min literals (a scan that reads nothing cannot fail).
func NoChinese(t *testing.T, dir string, min int, allow Allow) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	read := 0
	for _, path := range files {
		base := filepath.Base(path)
		if strings.HasSuffix(base, "_test.go") || allow.Files[base] != "" {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok && allow.Funcs[fn.Name.Name] != "" {
				continue
			}
			ast.Inspect(decl, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				read++
				s, err := strconv.Unquote(lit.Value)
				if err != nil || allow.Literals[s] != "" || !hasHan(s) {
					return true
				}
				t.Errorf("%s: a string with Chinese text (give it a catalogue key): %s", fset.Position(lit.Pos()), lit.Value)
				return true
			})
		}
	}
	if read < min {
		t.Fatalf("read only %d string literals in %s: is the scan still reading the package?", read, dir)
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
