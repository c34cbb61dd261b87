package tests

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/gqlplan/gqlplan/spec"
)

func compileSchema(t *testing.T, name string, data []byte) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(name, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(name)
	if err != nil {
		t.Fatalf("%s does not compile as a JSON Schema: %v", name, err)
	}
	return s
}

// yamlAsJSON converts a YAML document into the JSON value a YAML language
// server validates.
func yamlAsJSON(t *testing.T, path string) any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// declarationFilesUnder lists the YAML declaration files of valid golden
// cases and of the examples.
func declarationFilesUnder(t *testing.T) []string {
	var out []string
	for _, dir := range validCases(t) {
		for _, f := range declarationFiles(t, dir) {
			if !strings.HasSuffix(f, ".go") { // the JSON Schema is the YAML form's
				out = append(out, filepath.Join(dir, f))
			}
		}
	}
	_ = filepath.WalkDir("../examples", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func TestDeclarationSchemaAcceptsEveryValidFile(t *testing.T) {
	s := compileSchema(t, "declarations.v1.json", spec.DeclarationSchema)
	files := declarationFilesUnder(t)
	if len(files) < 8 {
		t.Fatalf("only %d declaration files found", len(files))
	}
	for _, f := range files {
		if err := s.Validate(yamlAsJSON(t, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestDeclarationSchemaRejectsMistakes checks that editors flag the
// mistakes a schema can see, the same ones the compiler reports.
func TestDeclarationSchemaRejectsMistakes(t *testing.T) {
	s := compileSchema(t, "declarations.v1.json", spec.DeclarationSchema)
	for _, c := range []string{
		"error-unknown-key", "error-inject-source-header", "error-inject-source-upper-prefix",
		"error-inject-source-dash-claim", "error-inject-key", "error-missing-version", "error-unknown-version",
		"error-sql-source-unsafe", "error-filter-op", "error-order-by", "error-invalid-value", "error-reserved-name",
	} {
		files := declarationFiles(t, filepath.Join("testdata", c))
		if err := s.Validate(yamlAsJSON(t, filepath.Join("testdata", c, files[0]))); err == nil {
			t.Errorf("%s: the declaration schema accepts it", c)
		}
	}
}

func TestPlanSchemaAcceptsEveryGoldenPlan(t *testing.T) {
	s := compileSchema(t, "plan.v1.json", spec.PlanSchema)
	for _, dir := range validCases(t) {
		data, _ := readOptional(t, filepath.Join(dir, "plan.json"))
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(v); err != nil {
			t.Errorf("%s/plan.json: %v", dir, err)
		}
	}
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"format": 1, "compiler": "x", "hash": "sha256:00", "sdl": "", "types": [], "inputs": [], "enums": [], "queries": [], "mutations": []}`))
	if err := s.Validate(bad); err == nil {
		t.Error("the plan schema accepts a plan with a malformed hash and no queries")
	}
}
