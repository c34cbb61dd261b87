package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gqlplan/gqlplan/internal/cli"
)

// A --config file sets flags by their long names; the environment wins
// over it, and the command line over both; gqlplan config prints what
// serve would run with, its secrets redacted; a key that is no flag is
// refused with the flag meant.
func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "gqlplan.yaml")
	if err := os.WriteFile(file, []byte(`database-url: postgres://auth:s3cret@db.example:5432/forum
plan: plan.json
max-depth: 12
max-aliases: 7
listen: 0.0.0.0:9000
jwt-secret: a-secret-of-thirty-two-bytes-or-more
allowed-roles: [reader, writer]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GQLPLAN_MAX_ALIASES", "9")
	code, out, errOut := run(t, dir, "config", "--config", file, "--listen", "127.0.0.1:7000")
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		`max-depth: "12"`,        // the file
		`max-aliases: "9"`,       // the environment over the file
		"listen: 127.0.0.1:7000", // the command line over the file
		"max-tokens: \"15000\"",  // the default
		"allowed-roles: reader,writer",
		"database-url: postgres://auth:redacted@db.example:5432/forum",
		"jwt-secret: (redacted)",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("gqlplan config lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "s3cret") || strings.Contains(out, "thirty-two") {
		t.Errorf("a secret is printed:\n%s", out)
	}
	if err := os.WriteFile(file, []byte("max-dept: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = run(t, dir, "config", "--config", file, "--plan", "p", "--database-url", "postgres://x")
	if code != cli.ExitUsage || !strings.Contains(errOut, `unknown key "max-dept"`) || !strings.Contains(errOut, `did you mean "max-depth"?`) {
		t.Errorf("an unknown key: exit %d: %s", code, errOut)
	}
}
