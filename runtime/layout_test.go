package runtime_test

import (
	"go/parser"
	gotoken "go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPhasesKeepTheirBoundaries checks the runtime's layout: only the
// document phase imports gqlparser (everything after it reads the
// operation's own types), and every package says in its doc comment what
// it takes and gives.
func TestPhasesKeepTheirBoundaries(t *testing.T) {
	dirs, _ := filepath.Glob("internal/*")
	dirs = append(dirs, ".")
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		documented := false
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(gotoken.NewFileSet(), file, src, parser.ImportsOnly|parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			documented = documented || f.Doc != nil && strings.HasPrefix(f.Doc.Text(), "Package ")
			for _, imp := range f.Imports {
				if strings.Contains(imp.Path.Value, "github.com/vektah/gqlparser") && filepath.Base(dir) != "document" {
					t.Errorf("%s imports %s: only the document phase may see gqlparser's AST", file, imp.Path.Value)
				}
			}
		}
		if !documented {
			t.Errorf("package %s has no package doc comment", dir)
		}
	}
}
