package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gqlplan/gqlplan/internal/npmclients"
)

// clientsDir is tests/clients (see package npmclients).
const clientsDir = "../clients"

func installClients(t *testing.T) { npmclients.Install(t) }

// sdlFile writes the schema of the plan s serves, as `gqlplan sdl` prints
// it, to a file of the test's and returns its path.
func (s *server) sdlFile(t *testing.T) string {
	t.Helper()
	sdl, err := exec.Command(binary, "sdl", s.plan).Output()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "schema.graphql")
	if err := os.WriteFile(path, sdl, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// node runs a script of tests/clients with args and fails the test with
// its output when it fails.
func node(t *testing.T, script string, args ...string) string {
	t.Helper()
	return npmclients.Node(t, nil, script, args...)
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
			out := node(t, "introspection.mjs", s.url, s.sdlFile(t))
			if strings.Count(out, "introspection matches the SDL") != 2 {
				t.Errorf("%s", out)
			}
		})
	}
}

// TestClientsAgainstTheForum points the npm tools users run at one forum
// server:
//   - Apollo Client's PersistedQueryLink and urql's persistedExchange go
//     through their fallback: the hash alone is answered
//     PERSISTED_QUERY_NOT_FOUND, and the document they send next with data;
//   - graphql-http's audits of the GraphQL over HTTP specification pass,
//     with two warnings documented in the README (the watershed rules for
//     application/json, the spec's SHOULD for pre-2025 clients);
//   - graphql-inspector (diff, validate) and graphql-codegen
//     (typescript-operations, strictScalars) report no problem with the
//     operations of the README.
func TestClientsAgainstTheForum(t *testing.T) {
	installClients(t)
	s := startExample(t, "forum", "forum_example_gqlplan", "--default-role", "forum_example_anonymous")
	t.Run("automatic persisted queries", func(t *testing.T) {
		out := node(t, "persisted.mjs", s.url)
		t.Log(out)
		if strings.Count(out, ": ok ") != 4 {
			t.Errorf("%s", out)
		}
	})
	t.Run("GraphQL over HTTP audit", func(t *testing.T) {
		out := node(t, "audit.mjs", s.url)
		t.Log(out)
		if !strings.Contains(out, " 0 error") || strings.Count(out, "warn: ") > 2 {
			t.Errorf("%s", out)
		}
	})
	t.Run("graphql-ws over WebSocket", func(t *testing.T) {
		ops := `[{"query":"{ currentPerson { fullName } }"},` +
			`{"query":"mutation($h: String!) { createPost(authorId: 1, headline: $h) { headline author { fullName } } }","variables":{"h":"over graphql-ws"}}]`
		out := node(t, "ws.mjs", s.url, personToken(t), ops)
		t.Log(out)
		want := []string{
			`{"result":{"data":{"currentPerson":{"fullName":"Sara Powell"}}}}`,
			`{"result":{"data":{"createPost":{"headline":"over graphql-ws","author":{"fullName":"Sara Powell"}}}}}`,
			`{"closed":4403,`,
		}
		linesStartWith(t, out, want)
	})
	t.Run("a live subscription over graphql-ws", func(t *testing.T) {
		out := node(t, "ws-live.mjs", s.url, personToken(t), `subscription { latestPosts(limit: 2) { headline author { fullName } } }`,
			`mutation { createPost(authorId: 1, headline: "live over graphql-ws") { headline } }`)
		t.Log(out)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 3 || strings.Contains(lines[0], "live over graphql-ws") || !strings.Contains(lines[0], `"latestPosts":[{"headline"`) ||
			!strings.Contains(lines[1], `"createPost":{"headline":"live over graphql-ws"}`) ||
			!strings.Contains(lines[2], `{"next":{"data":{"latestPosts":[{"headline":"live over graphql-ws","author":{"fullName":"Sara Powell"}}`) {
			t.Errorf("%s", out)
		}
	})
	t.Run("Apollo Client and urql subscribed over graphql-ws", func(t *testing.T) {
		out := node(t, "subscriptions.mjs", s.url, personToken(t), `subscription Latest { latestPosts(limit: 2) { id headline } }`,
			`mutation { createPost(authorId: 1, headline: "seen by Apollo and urql") { headline } }`, "seen by Apollo and urql")
		t.Log(out)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 5 || !strings.Contains(lines[0], `{"client":"apollo","first":{"latestPosts":[{`) || !strings.Contains(lines[1], `{"client":"urql","first":{"latestPosts":[{`) ||
			strings.Contains(lines[0]+lines[1], "seen by Apollo and urql") ||
			!strings.Contains(lines[3], `{"client":"apollo","update":{"latestPosts":[{"__typename":"Post","id":`) || !strings.Contains(lines[3], `"headline":"seen by Apollo and urql"`) ||
			!strings.Contains(lines[4], `{"client":"urql","update":{"latestPosts":[{`) || !strings.Contains(lines[4], `"headline":"seen by Apollo and urql"`) {
			t.Errorf("%s", out)
		}
	})
	t.Run("a stream over graphql-ws", func(t *testing.T) {
		var last int
		if err := connect(t, s.admin).QueryRow(context.Background(), "SELECT max(id) FROM forum_example.post").Scan(&last); err != nil {
			t.Fatal(err)
		}
		out := node(t, "ws-live.mjs", s.url, personToken(t), fmt.Sprintf(`subscription { newPosts(after: %d) { rowId headline } }`, last),
			`mutation { createPost(authorId: 1, headline: "streamed over graphql-ws") { headline } }`)
		t.Log(out)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 3 || lines[0] != `{"first":{"data":{"newPosts":[]}}}` ||
			lines[2] != fmt.Sprintf(`{"next":{"data":{"newPosts":[{"rowId":%d,"headline":"streamed over graphql-ws"}]}}}`, last+1) {
			t.Errorf("%s", out)
		}
	})
	t.Run("a live subscription over graphql-sse", func(t *testing.T) {
		out := node(t, "sse.mjs", s.url, personToken(t), `subscription { latestPosts(limit: 2) { headline } }`,
			`mutation { createPost(authorId: 1, headline: "live over graphql-sse") { headline } }`)
		t.Log(out)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 3 || strings.Contains(lines[0], "live over graphql-sse") || !strings.Contains(lines[0], `"latestPosts":[{"headline"`) ||
			!strings.Contains(lines[2], `{"next":{"data":{"latestPosts":[{"headline":"live over graphql-sse"}`) {
			t.Errorf("%s", out)
		}
	})
	t.Run("schema tools", func(t *testing.T) {
		ops, err := filepath.Abs("../../examples/forum/client")
		if err != nil {
			t.Fatal(err)
		}
		out := node(t, "tools.mjs", s.url, s.sdlFile(t), ops)
		t.Log(out)
		for _, want := range []string{"diff: 0 changes", "validate: 0 problems", "graphql-codegen: "} {
			if !strings.Contains(out, want) {
				t.Errorf("no %q in:\n%s", want, out)
			}
		}
	})
}

// linesStartWith checks that out has one line per want, each starting
// with it; it returns the lines.
func linesStartWith(t *testing.T, out string, want []string) []string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d: %s\nwant %s", i+1, lines[i], w)
		}
	}
	return lines
}

// TestBatchingClientsAgainstTheForum: the clients that batch — Apollo
// Client's BatchHttpLink, graphql-request's batchRequests — against serve
// --max-batch: each sends two queries and a mutation in one POST and gets
// each answer, in order; the query after a mutation sees its post.
func TestBatchingClientsAgainstTheForum(t *testing.T) {
	installClients(t)
	s := startExample(t, "forum", "forum_example_gqlplan", "--default-role", "forum_example_anonymous", "--max-batch", "10")
	out := node(t, "batch.mjs", s.url, personToken(t))
	t.Log(out)
	want := []string{
		`{"client":"apollo","posts":[3],"results":[{"currentPerson":{"__typename":"Person","fullName":"Sara Powell"}},{"allPosts":[{"__typename":"Post","rowId":`,
		`{"client":"graphql-request","posts":[3],"results":[{"currentPerson":{"fullName":"Sara Powell"}},{"createPost":{"headline":"batched by graphql-request"}},{"allPosts":[{"headline":"batched by graphql-request"}]}]}`,
	}
	lines := linesStartWith(t, out, want)
	if !strings.Contains(lines[0], `{"createPost":{"__typename":"Post","headline":"batched by Apollo"}}]}`) {
		t.Errorf("Apollo's mutation: %s", lines[0])
	}
}

// TestRelayAppAgainstTheForum compiles the Relay app of tests/clients/relay
// with relay-compiler against the forum's schema — pagination fragments on
// Query.allPeople and Person.posts (@refetchable, which needs the Node
// interface and node(id:)), a @connection on searchPosts, node(id:) — and
// runs it with relay-runtime against `gqlplan dev examples/forum`: pages
// merge into their connections, a person's next page comes through
// node(id:), Post 1 and Person 1 are two records, and relay-runtime warns
// of nothing.
func TestRelayAppAgainstTheForum(t *testing.T) {
	installClients(t)
	addr, _ := startDev(t)
	plan := filepath.Join(t.TempDir(), "plan.json")
	if out, err := exec.Command(binary, "compile", "../../examples/forum", "-o", plan).CombinedOutput(); err != nil {
		t.Fatalf("compile: %v\n%s", err, out)
	}
	compileRelayApp(t, plan, "relay.config.json")
	runRelayApp(t, "http://"+addr+"/graphql")
}

// TestRelayPersistedAgainstTheForum: the same Relay app compiled with
// relay-compiler's persistConfig, its {id: text} map compiled into the
// plan with --documents, runs against serve --trusted-documents only,
// each request carrying its doc_id alone.
func TestRelayPersistedAgainstTheForum(t *testing.T) {
	installClients(t)
	admin, login, plan := compileExample(t, "forum", "forum_example_gqlplan")
	persisted := compileRelayApp(t, plan, "relay.persisted.json")
	trusted := filepath.Join(t.TempDir(), "trusted.json")
	if out, err := exec.Command(binary, "compile", "../../examples/forum", "-o", trusted, "--database-url", login, "--documents", persisted).CombinedOutput(); err != nil {
		t.Fatalf("compile --documents the persisted queries: %v\n%s", err, out)
	}
	s := serve(t, admin, login, trusted, "--default-role", "forum_example_anonymous", "--trusted-documents", "only")
	runRelayApp(t, s.url)
	if strings.Contains(s.log.String(), "trusted=no") {
		t.Errorf("a request of the persisted app was not a trusted document:\n%s", s.log)
	}
}

// compileRelayApp compiles the Relay app of tests/clients/relay with
// relay-compiler and config, against plan's schema; it returns the
// persisted queries' file (persistConfig writes it).
func compileRelayApp(t *testing.T, plan, config string) (persisted string) {
	t.Helper()
	sdl, err := exec.Command(binary, "sdl", plan).Output()
	if err != nil {
		t.Fatal(err)
	}
	app := filepath.Join(clientsDir, "relay")
	generated := filepath.Join(app, "src", "__generated__")
	persisted = filepath.Join(app, "persisted_queries.json")
	for _, path := range []string{generated, persisted} {
		if err := os.RemoveAll(path); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(persisted, []byte("{}"), 0o644); err != nil { // relay-compiler wants the file to exist
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(app, "schema.graphql"), sdl, 0o644); err != nil {
		t.Fatal(err)
	}
	compiler, err := filepath.Abs(filepath.Join(clientsDir, "node_modules", ".bin", "relay-compiler"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(compiler, config, "--output", "quiet-with-errors")
	cmd.Dir = app
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("relay-compiler: %v\n%s", err, out)
	}
	artifacts, _ := filepath.Glob(filepath.Join(generated, "*.graphql.js"))
	if len(artifacts) != 8 { // 5 operations (2 of them generated refetch queries), 3 fragments
		t.Errorf("relay-compiler wrote %d artifacts, want 8: %v", len(artifacts), artifacts)
	}
	return persisted
}

// runRelayApp runs the compiled Relay app against url (see relay.mjs)
// and checks what its store holds.
func runRelayApp(t *testing.T, url string) {
	t.Helper()
	out := node(t, "relay.mjs", url, globalID("Post", 1), globalID("Person", 1))
	t.Log(out)
	type conn struct {
		IDs         []string `json:"ids"`
		EndCursor   string   `json:"endCursor"`
		HasNextPage bool     `json:"hasNextPage"`
	}
	var got struct {
		People, PersonPosts, Search conn
		Post, Person                map[string]any
		Warnings                    []string
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(got.Warnings) > 0 {
		t.Errorf("relay-runtime warned: %q", got.Warnings)
	}
	distinct := func(ids []string) bool {
		seen := map[string]bool{}
		for _, id := range ids {
			seen[id] = true
		}
		return len(seen) == len(ids)
	}
	if len(got.People.IDs) != 4 || !distinct(got.People.IDs) || !got.People.HasNextPage {
		t.Errorf("two pages of allPeople merged into one connection: %+v", got.People)
	}
	if len(got.PersonPosts.IDs) != 2 || !distinct(got.PersonPosts.IDs) {
		t.Errorf("a person's posts, the second page through node(id:): %+v", got.PersonPosts)
	}
	if len(got.Search.IDs) != 2 {
		t.Errorf("searchPosts: %+v", got.Search)
	}
	if got.Post["__typename"] != "Post" || got.Post["rowId"] != 1.0 || got.Post["headline"] == nil ||
		got.Person["__typename"] != "Person" || got.Person["rowId"] != 1.0 || got.Person["fullName"] == nil {
		t.Errorf("Post 1 and Person 1 are not two records of their own:\npost %v\nperson %v", got.Post, got.Person)
	}
}

// TestNormalizedCachesAgainstTheForum: Apollo Client's InMemoryCache and
// urql's Graphcache, with their default keys (__typename and id), read a
// query from the forum and then from the cache alone; Post 1 and Person 1
// are two entries; neither client warns.
func TestNormalizedCachesAgainstTheForum(t *testing.T) {
	installClients(t)
	s := startExample(t, "forum", "forum_example_gqlplan", "--default-role", "forum_example_anonymous")
	out := node(t, "caches.mjs", s.url, globalID("Post", 1), globalID("Person", 1))
	t.Log(out)
	if !strings.Contains(out, "caches: ok") {
		t.Errorf("%s", out)
	}
}
