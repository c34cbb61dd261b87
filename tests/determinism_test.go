package tests

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/gqlplan/gqlplan/compiler"
	"github.com/gqlplan/gqlplan/internal/cli"
	"github.com/gqlplan/gqlplan/spec"
)

// validCases returns the golden cases that compile.
func validCases(t *testing.T) []string {
	var out []string
	for _, dir := range caseDirs(t) {
		if _, ok := readOptional(t, filepath.Join(dir, "plan.json")); ok {
			out = append(out, dir)
		}
	}
	return out
}

// declarationFiles lists a case's declaration files relative to the case.
func declarationFiles(t *testing.T, dir string) []string {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".go")) {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestPlanIndependentOfFileOrder compiles every valid case with its files
// named one by one in many orders, twice each: every run must give the
// same bytes.
func TestPlanIndependentOfFileOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, dir := range validCases(t) {
		files := declarationFiles(t, dir)
		var first []byte
		for i := range 8 {
			rng.Shuffle(len(files), func(a, b int) { files[a], files[b] = files[b], files[a] })
			var out, errOut bytes.Buffer
			args := append([]string{"compile", "-o", "-"}, files...)
			if code := cli.Main(context.Background(), cli.Env{Dir: dir, Stdout: &out, Stderr: &errOut}, args); code != 0 {
				t.Fatalf("%s: exit %d: %s", dir, code, errOut.String())
			}
			if i == 0 {
				first = out.Bytes()
				continue
			}
			if !bytes.Equal(first, out.Bytes()) {
				t.Fatalf("%s: plan for file order %v differs from the first run", dir, files)
			}
		}
	}
}

// TestGoldenPlansDecodeAndParse loads every golden plan the way the runtime
// will: the hash verifies, the format is known, and the SDL is valid GraphQL.
func TestGoldenPlansDecodeAndParse(t *testing.T) {
	for _, dir := range validCases(t) {
		data, _ := readOptional(t, filepath.Join(dir, "plan.json"))
		plan, err := spec.Decode(data)
		if err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		if plan.Compiler != compiler.Version || plan.Format != spec.FormatVersion {
			t.Errorf("%s: compiler %q format %d", dir, plan.Compiler, plan.Format)
		}
		if _, err := gqlparser.LoadSchema(&ast.Source{Name: "plan", Input: plan.SDL}); err != nil {
			t.Errorf("%s: SDL is not a valid schema: %v\n%s", dir, err, plan.SDL)
		}
		again, err := spec.Encode(plan)
		if err != nil || !bytes.Equal(again, data) {
			t.Errorf("%s: decoding and re-encoding the plan changed it (%v)", dir, err)
		}
	}
}

func TestDecodeRefusesDamagedPlans(t *testing.T) {
	data, _ := readOptional(t, "testdata/valid-documents/plan.json")
	tests := []struct {
		name string
		edit func(string) string
		want error
	}{
		{"edited by hand", func(s string) string { return strings.Replace(s, `"v_documents"`, `"v_secrets"`, 1) }, spec.ErrHashMismatch},
		{"future format", func(s string) string { return strings.Replace(s, `"format": 1`, `"format": 99`, 1) }, spec.ErrUnknownFormat},
		{"truncated", func(s string) string { return s[:len(s)/2] }, spec.ErrInvalidPlan},
		{"unknown field", func(s string) string { return strings.Replace(s, `"format": 1,`, `"format": 1, "extra": true,`, 1) }, spec.ErrInvalidPlan},
		{"no format", func(s string) string { return `{"hash": ""}` }, spec.ErrInvalidPlan},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := spec.Decode([]byte(tt.edit(string(data))))
			if err == nil || !errors.Is(err, tt.want) {
				t.Fatalf("Decode error = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), "compile") {
				t.Errorf("error %q does not say how to fix it (recompile)", err)
			}
		})
	}
}
