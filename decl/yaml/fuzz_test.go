package yaml_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/gqlplan/gqlplan/compiler"
	"github.com/gqlplan/gqlplan/decl"
	declyaml "github.com/gqlplan/gqlplan/decl/yaml"
	"github.com/gqlplan/gqlplan/spec"
)

// FuzzLoad feeds arbitrary bytes through the YAML loader and the compiler.
// Neither may panic; every diagnostic must carry a documented code and a
// real position; compiling twice must give the same result; and a plan that
// comes out must survive encoding and decoding.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("../../tests/testdata/*/*.yaml")
	more, _ := filepath.Glob("../../tests/testdata/*/*/*/*.y*ml")
	for _, p := range append(seeds, more...) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("version: 1\nqueries:\n  q: {returns: T, sql_source: v}\ntypes:\n  T: {fields: {id: ID!}}\n"))
	f.Add([]byte("version: 1\nx: &a [*a]\n"))
	f.Add([]byte("{version: 1, queries: {q: {returns: '[[[[[[[[[T]]]]]]]]]', sql_source: 'a.b'}}}"))

	f.Fuzz(func(t *testing.T, data []byte) {
		file, diags := declyaml.LoadUnguarded("f.yaml", data)
		checkDiagnostics(t, diags)
		if file == nil {
			return
		}
		plan, cdiags := compiler.Compile([]*decl.File{file})
		checkDiagnostics(t, cdiags)
		again, cdiags2 := compiler.Compile([]*decl.File{file})
		if cdiags.Error() != cdiags2.Error() || (plan == nil) != (again == nil) {
			t.Fatalf("compiling the same file twice gave different results")
		}
		if plan == nil {
			return
		}
		enc, err := spec.Encode(plan)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		enc2, _ := spec.Encode(again)
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("two compiles encode differently")
		}
		if _, err := spec.Decode(enc); err != nil {
			t.Fatalf("decode of a fresh plan: %v", err)
		}
	})
}

func checkDiagnostics(t *testing.T, diags decl.Diagnostics) {
	t.Helper()
	for _, d := range diags {
		if _, ok := decl.Codes[d.Code]; !ok {
			t.Fatalf("undocumented diagnostic code %q: %s", d.Code, d)
		}
		if d.Range.Filename != "f.yaml" || d.Range.Start.Line < 1 || d.Range.Start.Column < 1 {
			t.Fatalf("diagnostic without a position: %s", d)
		}
		if d.Message == "" {
			t.Fatalf("diagnostic without a message: %+v", d)
		}
	}
}
