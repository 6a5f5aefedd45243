package main

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

// TestCLIRefusalsComeFromTheCatalogue: the command line's refusals with a
// Chinese text are cliErr's, whose text is the catalogue's (msg/cli.*.json);
// no fmt.Errorf or errors.New spells Chinese of its own. Progress lines and
// tables the commands print stay bilingual in the source: they are output,
// not errors, and an operator's terminal shows both languages at once.
func TestCLIRefusalsComeFromTheCatalogue(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	calls := 0
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			x, ok := sel.X.(*ast.Ident)
			if !ok || !(x.Name == "fmt" && sel.Sel.Name == "Errorf" || x.Name == "errors" && sel.Sel.Name == "New") {
				return true
			}
			calls++
			ast.Inspect(call, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					if strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
						t.Errorf("%s: an error with Chinese text of its own (use cliErr and a catalogue key): %s", fset.Position(lit.Pos()), lit.Value)
					}
				}
				return true
			})
			return true
		})
	}
	if calls < 20 {
		t.Fatalf("found only %d fmt.Errorf/errors.New calls: is the scan still reading the command?", calls)
	}
}
