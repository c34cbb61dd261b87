package tests

import (
	"os"
	"strings"
	"testing"

	"github.com/gqlplan/gqlplan/decl"
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
	_, after, ok := strings.Cut(string(readme), "## Declaration format")
	if !ok {
		t.Fatal("README.md has no format reference")
	}
	_, block, ok := strings.Cut(after, "```yaml\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("no yaml example in the format reference")
	}
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/readme.yaml", []byte(block), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, dir, "check", ".")
	if code != 0 || strings.Contains(stderr, "error:") {
		t.Fatalf("the README example does not compile (exit %d):\n%s", code, stderr)
	}
}
