package gotag_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gqlplan/gqlplan/compiler"
	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/decl/gotag"
)

// tagSlots is a Go file with the fuzzed struct tag on an object field, a
// query and a mutation, so every tag key and option is reachable.
const tagSlots = "package p\n\n//gqlplan:type\ntype T struct {\n\tID int\n\tF string `%s`\n}\n\n" +
	"type Query struct {\n\tQ func(id int, name *string) []T `%s`\n}\n\n" +
	"type Mutation struct {\n\tM func(a string, b []int) *T `%s`\n}\n"

var tagLiteral = regexp.MustCompile("`[^`\n]*`")

// FuzzTag feeds arbitrary struct tags through the Go front end and the
// compiler. Nothing may panic; every diagnostic has a documented code and
// a position inside the file; loading twice gives the same result.
func FuzzTag(f *testing.F) {
	files, _ := filepath.Glob("../../tests/testdata/*/*.go")
	examples, _ := filepath.Glob("../../examples/*/*.go")
	twins, _ := filepath.Glob("../../examples/parity/*/*.go")
	examples = append(examples, twins...)
	for _, p := range append(files, examples...) {
		data, _ := os.ReadFile(p)
		for _, lit := range tagLiteral.FindAll(data, -1) {
			f.Add(string(lit[1 : len(lit)-1]))
		}
	}
	f.Add(`gql:"x,type=[Int!]!,deprecated=old" column:"c"`)
	f.Add(`sql_source:"a.b" inject:"k=jwt:c,k=jwt:d" filter:"id=x in,name" limit:"default=1,max=2" order_by:"a desc nulls last"`)
	f.Add(`gql:"\u00e9" x:"\"" y:"\\"`)

	f.Fuzz(func(t *testing.T, tag string) {
		if strings.ContainsAny(tag, "`\n\r") {
			return // cannot stand in a raw string literal on one line
		}
		src := []byte(strings.ReplaceAll(tagSlots, "%s", tag))
		lines := bytes.Count(src, []byte("\n")) + 1
		file, diags, declares := gotag.LoadUnguarded("f.go", src)
		if !declares {
			t.Fatalf("a file with //gqlplan:type does not declare")
		}
		for _, d := range diags {
			if _, ok := decl.Codes[d.Code]; !ok {
				t.Fatalf("undocumented code %q: %s", d.Code, d)
			}
			if d.Range.Filename != "f.go" || d.Range.Start.Line < 1 || d.Range.Start.Line > lines || d.Range.Start.Column < 1 {
				t.Fatalf("diagnostic outside the file: %s", d)
			}
		}
		_, diags2, _ := gotag.LoadUnguarded("f.go", src)
		if diags.Error() != diags2.Error() {
			t.Fatalf("loading twice gave different diagnostics:\n%s\n---\n%s", diags, diags2)
		}
		if file == nil {
			return
		}
		_, cdiags := compiler.Compile([]*decl.File{file})
		for _, d := range cdiags {
			if _, ok := decl.Codes[d.Code]; !ok {
				t.Fatalf("undocumented code %q: %s", d.Code, d)
			}
		}
	})
}
