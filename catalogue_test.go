package wangge

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wangge/wangge/msg"
)

// TestEveryErrorKeyIsInTheCatalogue reads the module's Go files and checks
// that every key a domain error names (wangge.E, wangge.Invalid, Key:) has
// its text in every language of the catalogue, so that a typo fails here
// rather than showing a key to a resident.
func TestEveryErrorKeyIsInTheCatalogue(t *testing.T) {
	fset := token.NewFileSet()
	var keys, missing []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "tmp" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		check := func(e ast.Expr) {
			lit, ok := e.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return
			}
			k, _ := strconv.Unquote(lit.Value)
			keys = append(keys, k)
			if !msg.Has(k) {
				missing = append(missing, fset.Position(lit.Pos()).String()+": "+k)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				name := ""
				switch fn := n.Fun.(type) {
				case *ast.Ident:
					if f.Name.Name == "wangge" {
						name = fn.Name
					}
				case *ast.SelectorExpr:
					if x, ok := fn.X.(*ast.Ident); ok && x.Name == "wangge" {
						name = fn.Sel.Name
					}
				}
				if (name == "E" || name == "Invalid") && len(n.Args) >= 2 {
					check(n.Args[1])
				}
			case *ast.CompositeLit:
				isError := false
				switch ty := n.Type.(type) {
				case *ast.Ident:
					isError = f.Name.Name == "wangge" && ty.Name == "Error"
				case *ast.SelectorExpr:
					x, ok := ty.X.(*ast.Ident)
					isError = ok && x.Name == "wangge" && ty.Sel.Name == "Error"
				}
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok && isError {
						if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Key" {
							check(kv.Value)
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) < 30 {
		t.Fatalf("found only %d error keys in the source: is the scan still finding them?", len(keys))
	}
	for _, m := range missing {
		t.Errorf("not in the message catalogue: %s", m)
	}
}
