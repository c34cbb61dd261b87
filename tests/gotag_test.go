package tests

import (
	"testing"

	"github.com/gqlplan/gqlplan/internal/cli"
)

// TestGoTagParity: the forum and documents APIs, declared in YAML and in
// Go, compile to byte-identical plans.
func TestGoTagParity(t *testing.T) {
	for _, example := range []string{"documents", "forum"} {
		t.Run(example, func(t *testing.T) {
			code, fromYAML, stderr := run(t, "../examples", "compile", example+"/api.yaml", "-o", "-")
			if code != cli.ExitOK || stderr != "" {
				t.Fatalf("YAML: exit %d\n%s", code, stderr)
			}
			code, fromGo, stderr := run(t, "../examples", "compile", "gotag/"+example, "-o", "-")
			if code != cli.ExitOK || stderr != "" {
				t.Fatalf("Go: exit %d\n%s", code, stderr)
			}
			if fromGo != fromYAML {
				t.Errorf("the Go form's plan differs from the YAML form's:\n%s", diff([]byte(fromYAML), []byte(fromGo)))
			}
		})
	}
}
