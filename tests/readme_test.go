package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/internal/cli"
)

// TestReadmeListsEveryDiagnosticCode keeps the README's code table true.
func TestReadmeListsEveryDiagnosticCode(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for code := range decl.Codes {
		if !strings.Contains(string(readme), "| `"+code+"` |") {
			t.Errorf("README.md has no row for diagnostic code %q", code)
		}
	}
}

// TestReadmeExampleCompiles compiles the YAML example of the README's
// format reference, so the documentation cannot drift from the format.
func TestReadmeExampleCompiles(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	// The first YAML example under each of these headings.
	for _, heading := range []string{"## Declaration format", "### Relations and computed fields"} {
		_, after, ok := strings.Cut(string(readme), heading)
		if !ok {
			t.Fatalf("README.md has no %q", heading)
		}
		_, block, ok := strings.Cut(after, "```yaml\n")
		block, _, ok2 := strings.Cut(block, "```")
		if !ok || !ok2 {
			t.Fatalf("no yaml example under %q", heading)
		}
		dir := t.TempDir()
		if err := os.WriteFile(dir+"/readme.yaml", []byte(block), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := run(t, dir, "check", ".")
		if code != 0 || strings.Contains(stderr, "error:") {
			t.Fatalf("the README example under %q does not compile (exit %d):\n%s", heading, code, stderr)
		}
	}
}

// TestReadmeGoAndYAMLFormsAgree compiles the side-by-side example of
// "Declaring in Go": the YAML and the Go form must give the same plan.
func TestReadmeGoAndYAMLFormsAgree(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "## Declaring in Go")
	if !ok {
		t.Fatal("README.md has no \"Declaring in Go\" section")
	}
	plans := map[string]string{}
	for _, form := range []struct{ fence, file string }{{"```yaml\n", "api.yaml"}, {"```go\n", "api.go"}} {
		_, block, ok := strings.Cut(section, form.fence)
		block, _, ok2 := strings.Cut(block, "```")
		if !ok || !ok2 {
			t.Fatalf("no %s block in the section", strings.TrimSpace(form.fence))
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, form.file), []byte(block), 0o644); err != nil {
			t.Fatal(err)
		}
		code, plan, stderr := run(t, dir, "compile", ".", "-o", "-")
		if code != cli.ExitOK {
			t.Fatalf("%s: exit %d\n%s", form.file, code, stderr)
		}
		plans[form.file] = plan
	}
	if plans["api.yaml"] != plans["api.go"] {
		t.Errorf("the README's two forms compile to different plans:\n%s", diff([]byte(plans["api.yaml"]), []byte(plans["api.go"])))
	}
}
