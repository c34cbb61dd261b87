package tests

import (
	"testing"

	"github.com/gqlplan/gqlplan/internal/cli"
)

// TestGoTagParity: each example, declared in YAML and in Go (its twin in
// examples/parity), compiles to a byte-identical plan.
func TestGoTagParity(t *testing.T) {
	for _, c := range []struct{ name, example, twin string }{
		{"forum", "forum/api.yaml", "parity/forum"},
		{"documents", "documents", "parity/documents/api.yaml"},
		{"nodes", "../tests/testdata/valid-nodes/api.yaml", "../tests/testdata/valid-gotag-nodes"},
		{"interfaces and unions", "../tests/testdata/valid-abstract/api.yaml", "../tests/testdata/valid-gotag-abstract"},
		{"resolvers", "../tests/testdata/valid-resolvers/api.yaml", "../tests/testdata/valid-gotag-resolvers"},
		{"subscriptions", "../tests/testdata/valid-subscriptions/api.yaml", "../tests/testdata/valid-gotag-subscriptions"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, want, stderr := run(t, "../examples", "compile", c.example, "-o", "-")
			if code != cli.ExitOK || stderr != "" {
				t.Fatalf("%s: exit %d\n%s", c.example, code, stderr)
			}
			code, got, stderr := run(t, "../examples", "compile", c.twin, "-o", "-")
			if code != cli.ExitOK || stderr != "" {
				t.Fatalf("%s: exit %d\n%s", c.twin, code, stderr)
			}
			if got != want {
				t.Errorf("the twin's plan differs from the example's:\n%s", diff([]byte(want), []byte(got)))
			}
		})
	}
}
