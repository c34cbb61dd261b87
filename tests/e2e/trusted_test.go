package e2e

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gqlplan/gqlplan/internal/pgtest"
)

// TestTrustedDocumentsWithApollo: the forum client's operations
// (examples/forum/client) become Apollo's persisted-query manifest
// (@apollo/generate-persisted-query-manifest), which compile --documents
// checks and records; served with --trusted-documents only, Apollo
// Client with @apollo/persisted-query-lists runs them by id alone. An ad
// hoc document is refused before it is parsed; introspection follows
// --allow-introspection.
func TestTrustedDocumentsWithApollo(t *testing.T) {
	installClients(t)
	operations, err := filepath.Abs("../../examples/forum/client/*.graphql")
	if err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(t.TempDir(), "persisted-query-manifest.json")
	if out := node(t, "trusted.mjs", "manifest", operations, manifest); !strings.Contains(out, `"NewestPosts"`) {
		t.Fatalf("the manifest: %s", out)
	}
	admin, login, _ := compileExampleIn(t, pgtest.Database(t), "forum", "forum_example_gqlplan")
	plan := filepath.Join(t.TempDir(), "plan.json")
	if out, err := exec.Command(binary, "compile", "../../examples/forum", "-o", plan, "--database-url", login, "--documents", manifest).CombinedOutput(); err != nil {
		t.Fatalf("compile --documents the manifest: %v\n%s", err, out)
	}
	for _, introspection := range []bool{false, true} {
		args := []string{"--default-role", "forum_example_anonymous", "--trusted-documents", "only"}
		if introspection {
			args = append(args, "--allow-introspection")
		}
		s := serve(t, admin, login, plan, args...)
		if introspection {
			if r := s.send(t, "", `{ __schema { queryType { name } } }`); r.code() != "" {
				t.Errorf("introspection with --allow-introspection: %s", r.body)
			}
			continue
		}
		out := node(t, "trusted.mjs", "run", s.url, manifest, personToken(t))
		t.Log(out)
		if !strings.Contains(out, `{"me":{"currentPerson":{"__typename":"Person","id":`) || !strings.Contains(out, `"newest":2}`) ||
			!strings.Contains(out, `{"requests":2,"withText":0,"hashes":2}`) {
			t.Errorf("Apollo Client by id: %s", out)
		}
		for name, query := range map[string]string{
			"an ad hoc document":                `{ allPeople { totalCount } }`,
			"an ad hoc document that is broken": `{ allPeople { totalCount `,
			"introspection":                     `{ __schema { queryType { name } } }`,
		} {
			if r := s.send(t, "", query); r.code() != "PERSISTED_QUERY_NOT_FOUND" {
				t.Errorf("%s: %s, want PERSISTED_QUERY_NOT_FOUND", name, r.body)
			}
		}
	}
}

// TestStalePlanNamesTheDocumentsItBreaks: after a migration drops a
// column a query reads, check --plan reports the stale plan and each
// trusted document that reads it, where compile read it; the documents
// that do not read it are not named.
func TestStalePlanNamesTheDocumentsItBreaks(t *testing.T) {
	admin, login, _ := compileExampleIn(t, pgtest.Database(t), "forum", "forum_example_gqlplan")
	plan := filepath.Join(t.TempDir(), "plan.json")
	compile := exec.Command(binary, "compile", ".", "-o", plan, "--database-url", login, "--documents", "client")
	compile.Dir = "../../examples/forum"
	if out, err := compile.CombinedOutput(); err != nil {
		t.Fatalf("compile: %v\n%s", err, out)
	}
	if _, err := connect(t, admin).Exec(context.Background(), `ALTER TABLE forum_example.post DROP COLUMN topic CASCADE`); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(binary, "check", "--plan", plan, "--database-url", login).CombinedOutput()
	if err == nil {
		t.Fatalf("check --plan passed a stale plan:\n%s", out)
	}
	text := string(out)
	if !regexp.MustCompile(`client/NewestPosts.graphql:1:1: error: this trusted document reads what no longer matches the database: .*query "allPosts"`).MatchString(text) {
		t.Errorf("the document reading the dropped column is not named:\n%s", text)
	}
	if strings.Contains(text, "client/Me.graphql") || strings.Contains(text, "client/Write.graphql") {
		t.Errorf("a document not reading it is named:\n%s", text)
	}
}
