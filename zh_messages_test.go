package kedaitong_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// zhPackages are the folders (with their subfolders) whose errors reach
// users: every kedaitong.Invalid / Errorf / Wrap there with a code other
// than EInternal, and every kedaitong.Error literal, must carry a Chinese
// message (.ZHf(...) in the same expression, or a ZH field).
var zhPackages = []string{
	"identity", "experts", "review", "consult", "notify", "intel", "riskmap",
	"alerts", "banks", "dashboard", "audit", "rbac", "internal/store", "web",
}

// zhExempt lists the files or folders whose messages stay English, and why.
// Keep it short: a message a user can meet is not exempt.
var zhExempt = map[string]string{
	// Checks of the bundled cue dictionary, a data file the developers
	// maintain (like the taxonomy): a failure is a build problem, not input.
	"intel/classify/": "developer data file checks",
	// Collection, index and query-shape checks: they catch bugs in the
	// calling code, never anything a user typed (the cursor and limit
	// messages in the same file do carry Chinese).
	"internal/store/query.go": "programming-error checks",
}

// TestUserErrorsHaveChinese fails when a user-facing error is made without a
// Chinese message, so that no new English-only message slips onto the
// Chinese pages.
func TestUserErrorsHaveChinese(t *testing.T) {
	var files int
	for _, dir := range zhPackages {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "testdata" {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || exempt(path) {
				return nil
			}
			files++
			for _, p := range missingChinese(t, path, nil) {
				t.Errorf("%s: error without a Chinese message (chain .ZHf(...) or set ZH)", p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files < 100 {
		t.Fatalf("checked only %d files: is the test running from the repository root?", files)
	}
}

// TestMissingChineseFinds shows the check catches what it should and lets
// through what it should.
func TestMissingChineseFinds(t *testing.T) {
	const src = `package x
import "kedaitong"
func f(err error) error {
	_ = kedaitong.Invalid("name", "is required")                                   // 4: missing
	_ = kedaitong.Invalid("name", "is required").ZHf("请填写名称")                  // ok
	_ = kedaitong.Errorf(kedaitong.EConflict, "stale")                             // 6: missing
	_ = kedaitong.Errorf(kedaitong.EInternal, "bug")                               // ok: internal
	_ = kedaitong.Wrap(kedaitong.EInvalid, err, "bad file")                        // 8: missing
	_ = kedaitong.Wrap(kedaitong.EInternal, err, "bug")                            // ok
	_ = &kedaitong.Error{Code: kedaitong.ENotFound, Message: "gone"}               // 10: missing
	_ = &kedaitong.Error{Code: kedaitong.ENotFound, Message: "gone", ZH: "不存在"} // ok
	_ = kedaitong.Invalid("name", "is required").ZHf("is required")                // 12: not Chinese
	return nil
}
`
	got := missingChinese(t, "x.go", []byte(src))
	want := []string{"x.go:4", "x.go:6", "x.go:8", "x.go:10", "x.go:12"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("findings = %v, want %v", got, want)
	}
}

func exempt(path string) bool {
	path = filepath.ToSlash(path)
	for p := range zhExempt {
		if path == p || strings.HasSuffix(p, "/") && strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// missingChinese returns file:line of each user-facing error made in the
// file without a Chinese message. src, when not nil, is the file's text.
func missingChinese(t *testing.T, path string, src []byte) []string {
	t.Helper()
	fset := token.NewFileSet()
	var text any
	if src != nil {
		text = src
	}
	f, err := parser.ParseFile(fset, path, text, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	report := func(n ast.Node) { out = append(out, path+":"+strconv.Itoa(fset.Position(n.Pos()).Line)) }
	// zhCalls are the .ZHf(...) calls, by the error-making call they chain onto.
	zhCalls := map[ast.Expr]*ast.CallExpr{}
	ast.Inspect(f, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if sel, ok := c.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "ZHf" {
				zhCalls[sel.X] = c
			}
		}
		return true
	})
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			name, ok := kedaitongName(n.Fun)
			if !ok {
				return true
			}
			switch name {
			case "Invalid":
			case "Errorf", "Wrap":
				if len(n.Args) > 0 && isInternal(n.Args[0]) {
					return true
				}
			default:
				return true
			}
			zh, ok := zhCalls[n]
			if !ok || len(zh.Args) == 0 || !chineseFormat(zh.Args[0]) {
				report(n)
			}
		case *ast.CompositeLit:
			if name, ok := kedaitongName(n.Type); !ok || name != "Error" {
				return true
			}
			hasZH := false
			for _, e := range n.Elts {
				kv, ok := e.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				switch key := kv.Key.(*ast.Ident); {
				case key == nil:
				case key.Name == "Code" && isInternal(kv.Value):
					return true
				case key.Name == "ZH":
					hasZH = true
				}
			}
			if !hasZH {
				report(n)
			}
		}
		return true
	})
	return out
}

// kedaitongName returns Sel of an expression kedaitong.Sel.
func kedaitongName(e ast.Expr) (string, bool) {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return "", false
	}
	if id, ok := sel.X.(*ast.Ident); !ok || id.Name != "kedaitong" {
		return "", false
	}
	return sel.Sel.Name, true
}

func isInternal(e ast.Expr) bool {
	name, ok := kedaitongName(e)
	return ok && name == "EInternal"
}

// chineseFormat reports whether a ZHf format is Chinese text: a literal
// with Han characters, a plain "%s" passing on a Chinese message, or a
// variable (a helper's parameter whose callers pass Chinese formats, as in
// review's Input.Check).
func chineseFormat(e ast.Expr) bool {
	if _, ok := e.(*ast.Ident); ok {
		return true
	}
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return false
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil {
		return false
	}
	if s == "%s" {
		return true
	}
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
