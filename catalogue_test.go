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

// keyArgs are the functions that take a catalogue key, by package name
// ("" for any package) and function name, with the key's argument index.
// A selector's package is its qualifier (wangge.E, msg.Text) or, for a call
// made inside the package itself, the file's package (E in package wangge,
// p.problem in package ledger).
var keyArgs = map[[2]string]int{
	{"wangge", "E"}:           1,
	{"wangge", "Invalid"}:     1,
	{"wangge", "Detail"}:      1,
	{"msg", "Text"}:           1,
	{"ident", "idError"}:      1,
	{"ident", "phoneError"}:   1,
	{"ident", "creditError"}:  1,
	{"ledger", "problem"}:     1,
	{"passwd", "policyError"}: 0,
	{"geo", "newError"}:       0,
	{"geo", "partitionError"}: 1,
	{"geo", "fail"}:           1,
	{"main", "cliErr"}:        1,
}

// keyTypes are the packages whose own message-carrying types have a Key
// field (ident.Error, geo.FeatureError, geo.Warning, …): a Key: in any of
// their composite literals, or a key picked into a variable named key (or a
// .Key field) first, is checked as well.
var keyTypes = map[string]bool{"ident": true, "geo": true, "proposal": true, "ledger": true, "passwd": true}

// TestEveryErrorKeyIsInTheCatalogue reads the module's Go files and checks
// that every key a message names (wangge.E, wangge.Invalid, wangge.Detail,
// Key:, msg.Text and the constructors of ident, ledger and passwd, see
// keyArgs) has its text in every language of the catalogue, so that a typo
// fails here rather than showing a key to a resident.
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
		} else if f.Name.Name == "msg" {
			return nil // the catalogue's own tests ask for missing keys on purpose
		}
		check := func(e ast.Expr) {
			lit, ok := e.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return
			}
			k, _ := strconv.Unquote(lit.Value)
			if k == "" {
				return // a key chosen below
			}
			keys = append(keys, k)
			if !msg.Has(k) {
				missing = append(missing, fset.Position(lit.Pos()).String()+": "+k)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				pkg, name := f.Name.Name, ""
				switch fn := n.Fun.(type) {
				case *ast.Ident:
					name = fn.Name
				case *ast.SelectorExpr:
					name = fn.Sel.Name
					if x, ok := fn.X.(*ast.Ident); ok && (x.Name == "wangge" || x.Name == "msg") {
						pkg = x.Name
					}
				}
				if i, ok := keyArgs[[2]string{pkg, name}]; ok && len(n.Args) > i {
					check(n.Args[i])
				}
			case *ast.AssignStmt:
				if keyTypes[f.Name.Name] && len(n.Lhs) == 1 && len(n.Rhs) == 1 {
					switch l := n.Lhs[0].(type) {
					case *ast.Ident:
						if l.Name == "key" {
							check(n.Rhs[0])
						}
					case *ast.SelectorExpr:
						if l.Sel.Name == "Key" {
							check(n.Rhs[0])
						}
					}
				}
			case *ast.CompositeLit:
				isError := keyTypes[f.Name.Name]
				switch ty := n.Type.(type) {
				case *ast.Ident:
					isError = isError || f.Name.Name == "wangge" && ty.Name == "Error"
				case *ast.SelectorExpr:
					x, ok := ty.X.(*ast.Ident)
					isError = isError || ok && x.Name == "wangge" && ty.Sel.Name == "Error"
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
	if len(keys) < 150 {
		t.Fatalf("found only %d error keys in the source: is the scan still finding them?", len(keys))
	}
	for _, m := range missing {
		t.Errorf("not in the message catalogue: %s", m)
	}
}
