// Package npmclients runs the npm clients of tests/clients (graphql-js,
// Apollo, urql, Relay, …) from tests: [Install] installs them from the
// package-lock.json once per test binary (npm ci), as a user's project
// would, and [Node] runs one of the directory's scripts.
package npmclients

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var (
	once       sync.Once
	installErr error
)

// Dir is the absolute path of tests/clients.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "tests", "clients")
}

// Install installs the clients, unless node_modules already holds every
// package of the lock file at its version; it fails t when it cannot.
func Install(t testing.TB) {
	t.Helper()
	once.Do(func() {
		if _, installErr = exec.LookPath("npm"); installErr != nil {
			return
		}
		dir := Dir()
		if installed(filepath.Join(dir, "package-lock.json"), filepath.Join(dir, "node_modules", ".package-lock.json")) {
			return
		}
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			installErr = fmt.Errorf("npm ci: %w\n%s", err, out)
		}
	})
	if installErr != nil {
		t.Fatalf("the npm clients of tests/clients are not installed (.ci/run installs node and npm): %v", installErr)
	}
}

// installed reports whether node_modules holds every package of the lock
// file at its version: npm keeps the installed tree's lock in
// node_modules/.package-lock.json.
func installed(lockFile, installedFile string) bool {
	type lock struct {
		Packages map[string]struct{ Version string } `json:"packages"`
	}
	var want, have lock
	for file, into := range map[string]*lock{lockFile: &want, installedFile: &have} {
		data, err := os.ReadFile(file)
		if err != nil || json.Unmarshal(data, into) != nil {
			return false
		}
	}
	for path, p := range want.Packages {
		if path != "" && have.Packages[path].Version != p.Version {
			return false
		}
	}
	return len(want.Packages) > 1
}

// Node runs script of tests/clients with args, stdin as its input, and
// returns its output; it fails t with the output when the script fails.
func Node(t testing.TB, stdin []byte, script string, args ...string) string {
	t.Helper()
	cmd := exec.Command("node", append([]string{script}, args...)...)
	cmd.Dir = Dir()
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, out)
	}
	return string(out)
}
