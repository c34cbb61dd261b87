package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The npm clients of tests/clients, installed from its package-lock.json
// once per run (npm ci), as a user's project would install them.
var (
	clientsOnce sync.Once
	clientsErr  error
)

const clientsDir = "../clients"

func installClients(t *testing.T) {
	t.Helper()
	clientsOnce.Do(func() {
		if _, err := exec.LookPath("npm"); err != nil {
			clientsErr = err
			return
		}
		lock, _ := os.ReadFile(filepath.Join(clientsDir, "package-lock.json"))
		installed, _ := os.ReadFile(filepath.Join(clientsDir, "node_modules", ".package-lock.json"))
		if len(installed) > 0 && strings.Contains(string(lock), `"node_modules/@apollo/client"`) && sameDependencies(lock, installed) {
			return
		}
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = clientsDir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Logf("npm ci: %s", out)
			clientsErr = err
		}
	})
	if clientsErr != nil {
		t.Fatalf("the npm clients of tests/clients are not installed (.ci/run installs node and npm): %v", clientsErr)
	}
}

// sameDependencies reports whether node_modules holds what the lock file
// asks for: npm writes the installed tree's lock into node_modules.
func sameDependencies(lock, installed []byte) bool {
	version := func(data []byte, pkg string) string {
		i := strings.Index(string(data), `"node_modules/`+pkg+`": {`)
		if i < 0 {
			return ""
		}
		rest := string(data[i:])
		j := strings.Index(rest, `"version": "`)
		if j < 0 {
			return ""
		}
		rest = rest[j+len(`"version": "`):]
		return rest[:strings.IndexByte(rest, '"')]
	}
	for _, pkg := range []string{"@apollo/client", "@urql/core", "@urql/exchange-persisted", "graphql", "graphql16", "graphql-http", "@graphql-inspector/core", "@graphql-codegen/core", "relay-compiler"} {
		if v := version(lock, pkg); v == "" || v != version(installed, pkg) {
			return false
		}
	}
	return true
}

// node runs a script of tests/clients with args and fails the test with
// its output when it fails.
func node(t *testing.T, script string, args ...string) string {
	t.Helper()
	cmd := exec.Command("node", append([]string{script}, args...)...)
	cmd.Dir = clientsDir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, out)
	}
	return string(out)
}

// TestIntrospectionMatchesTheSDL reads each example's schema as GraphQL
// tools do (graphql-js 16 and 17: getIntrospectionQuery with every
// option, buildClientSchema) and compares it with `gqlplan sdl`.
func TestIntrospectionMatchesTheSDL(t *testing.T) {
	installClients(t)
	for _, c := range []struct{ example, login string }{
		{"forum", "forum_example_gqlplan"},
		{"documents", "documents_gqlplan"},
	} {
		t.Run(c.example, func(t *testing.T) {
			s := startExample(t, c.example, c.login)
			sdl, err := exec.Command(binary, "sdl", s.plan).Output()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "schema.graphql")
			if err := os.WriteFile(path, sdl, 0o644); err != nil {
				t.Fatal(err)
			}
			out := node(t, "introspection.mjs", s.url, path)
			if strings.Count(out, "introspection matches the SDL") != 2 {
				t.Errorf("%s", out)
			}
		})
	}
}

// TestAutomaticPersistedQueriesFallBack drives Apollo Client's
// PersistedQueryLink and urql's persistedExchange through their fallback:
// the hash alone is answered PERSISTED_QUERY_NOT_FOUND, and the document
// they send next is answered with data.
func TestAutomaticPersistedQueriesFallBack(t *testing.T) {
	installClients(t)
	s := startExample(t, "forum", "forum_example_gqlplan", "--default-role", "forum_example_anonymous")
	out := node(t, "persisted.mjs", s.url)
	t.Log(out)
	if strings.Count(out, ": ok ") != 4 {
		t.Errorf("%s", out)
	}
}

// TestGraphQLOverHTTPAudit runs graphql-http's audits of the GraphQL over
// HTTP specification on the forum. Two warnings are expected and
// documented in the README: the watershed rules for application/json
// (the spec's SHOULD for requests before 2025 clients).
func TestGraphQLOverHTTPAudit(t *testing.T) {
	installClients(t)
	s := startExample(t, "forum", "forum_example_gqlplan", "--default-role", "forum_example_anonymous")
	out := node(t, "audit.mjs", s.url)
	t.Log(out)
	if !strings.Contains(out, " 0 error") || strings.Count(out, "warn: ") > 2 {
		t.Errorf("%s", out)
	}
}

// TestSchemaToolsAgainstTheLiveEndpoint runs graphql-inspector (diff and
// validate) and graphql-codegen (typescript-operations, strictScalars) on
// the forum as served, with the operations of its README.
func TestSchemaToolsAgainstTheLiveEndpoint(t *testing.T) {
	installClients(t)
	s := startExample(t, "forum", "forum_example_gqlplan", "--default-role", "forum_example_anonymous")
	sdl, err := exec.Command(binary, "sdl", s.plan).Output()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "schema.graphql")
	if err := os.WriteFile(path, sdl, 0o644); err != nil {
		t.Fatal(err)
	}
	ops, err := filepath.Abs("testdata/forum-operations.graphql")
	if err != nil {
		t.Fatal(err)
	}
	out := node(t, "tools.mjs", s.url, path, ops)
	t.Log(out)
	for _, want := range []string{"diff: 0 changes", "validate: 0 problems", "graphql-codegen: "} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}

// TestRelayCompilerAcceptsTheSchema compiles a small Relay app of forum
// queries, fragments and a @connection with relay-compiler against the
// schema gqlplan prints (which introspection matches: see
// TestIntrospectionMatchesTheSDL). @refetchable fragments need the Node
// interface, which the schema does not have yet.
func TestRelayCompilerAcceptsTheSchema(t *testing.T) {
	installClients(t)
	s := startExample(t, "forum", "forum_example_gqlplan", "--default-role", "forum_example_anonymous")
	sdl, err := exec.Command(binary, "sdl", s.plan).Output()
	if err != nil {
		t.Fatal(err)
	}
	app := t.TempDir()
	src, err := os.ReadFile("testdata/relay-app.js")
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"schema.graphql":    sdl,
		"src/App.js":        src,
		"relay.config.json": []byte(`{"src": "./src", "schema": "./schema.graphql", "language": "javascript", "eagerEsModules": true}`),
	} {
		path := filepath.Join(app, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	compiler, err := filepath.Abs(filepath.Join(clientsDir, "node_modules", ".bin", "relay-compiler"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(compiler, "--output", "quiet-with-errors")
	cmd.Dir = app
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("relay-compiler: %v\n%s", err, out)
	}
	artifacts, _ := filepath.Glob(filepath.Join(app, "src", "__generated__", "*.graphql.js"))
	if len(artifacts) != 3 {
		t.Errorf("relay-compiler wrote %d artifacts, want 3: %v\n%s", len(artifacts), artifacts, out)
	}
}
