package runtime_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// A field statement is prepared once per connection and role, but
// PostgreSQL checks privileges on every execution: a revoke takes effect
// on the next request, a grant too.
func TestPreparedStatementsCheckPrivilegesOnEveryRequest(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 1})
	const q = `{ posts { title } }`
	want := s.query(q, nil, "")
	s.query(q, nil, "") // prepared by now
	s.exec(fmt.Sprintf("REVOKE SELECT ON shop.post FROM %s", s.roles.anon))
	r := s.do(call{query: q})
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "FORBIDDEN" {
		t.Fatalf("after REVOKE: %s", r.body)
	}
	s.exec(fmt.Sprintf("GRANT SELECT ON shop.post TO %s", s.roles.anon))
	if got := s.query(q, nil, ""); got != want {
		t.Errorf("after GRANT: %s, want %s", got, want)
	}
}

// Each role gets its own prepared copy, and row security is the role's
// and claims' of each request, not of the request that prepared it.
func TestPreparedStatementsFollowRoleAndClaims(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 1})
	const q = `{ posts { title } }`
	ada := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 1})
	alan := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 2})
	for range 3 {
		if got, want := s.query(q, nil, ada), `{"posts":[{"title":"Notes on the engine"},{"title":"Ada private"},{"title":"Computable numbers"}]}`; got != want {
			t.Errorf("Ada: %s, want %s", got, want)
		}
		if got, want := s.query(q, nil, alan), `{"posts":[{"title":"Notes on the engine"},{"title":"Computable numbers"},{"title":"Alan private"}]}`; got != want {
			t.Errorf("Alan: %s, want %s", got, want)
		}
		if got, want := s.query(q, nil, ""), `{"posts":[{"title":"Notes on the engine"},{"title":"Computable numbers"}]}`; got != want {
			t.Errorf("anonymous: %s, want %s", got, want)
		}
	}
	if n := s.preparedCount(); n != 2 { // the posts statement as member and as anon
		t.Errorf("%d field statements prepared on the connection, want 2", n)
	}
}

// Clients sending ever new documents do not grow a backend without bound:
// a connection keeps the 256 statements it used last, and a statement it
// dropped is prepared again when needed.
func TestPreparedStatementsAreBoundedPerConnection(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 1})
	fields := []string{"id", "firstName", "lastName", "email", "color", "balance", "tags", "createdAt", "address { city }"}
	doc := func(subset int) string {
		var sel []string
		for i, f := range fields {
			if subset&(1<<i) != 0 {
				sel = append(sel, f)
			}
		}
		return `{ people(limit: 1) { ` + strings.Join(sel, " ") + ` } }`
	}
	const documents = 300 // distinct statements: more than a connection keeps
	for subset := 1; subset <= documents; subset++ {
		s.query(doc(subset), nil, "")
	}
	if n := s.preparedCount(); n != 256 {
		t.Errorf("%d field statements prepared on the connection, want 256", n)
	}
	if got, want := s.query(doc(1), nil, ""), `{"people":[{"id":1}]}`; got != want {
		t.Errorf("a dropped statement, again: %s, want %s", got, want)
	}
}

func (s *server) exec(sql string) {
	s.t.Helper()
	if _, err := s.admin.Exec(context.Background(), sql); err != nil {
		s.t.Fatal(err)
	}
}

// preparedCount counts the field statements prepared on the pool's one
// connection (their names are a digest; the fixed statements', such as
// BEGIN's, are words).
func (s *server) preparedCount() int {
	s.t.Helper()
	var n int
	if err := s.pool.QueryRow(context.Background(), "SELECT count(*) FROM pg_prepared_statements WHERE name ~ '^gqlplan_[0-9a-f]{24}$'").Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// Two root fields with one statement share one prepared copy.
func TestPreparedStatementSharedByTwoFields(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 1})
	const q = `{ a: posts { title } b: posts { title } }`
	want := `{"a":[{"title":"Notes on the engine"},{"title":"Computable numbers"}],"b":[{"title":"Notes on the engine"},{"title":"Computable numbers"}]}`
	for range 2 {
		if got := s.query(q, nil, ""); got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
	if n := s.preparedCount(); n != 1 {
		t.Errorf("%d field statements prepared on the connection, want 1", n)
	}
}

// BEGIN, BEGIN READ ONLY, COMMIT and the settings statement of arrays are
// prepared on a connection the first time it serves, the plain settings
// statement of a request's number of settings the first time one needs
// it (here 3: role, timeout, read-only), and none of them again.
func TestFixedStatementsArePreparedOncePerConnection(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 1})
	fixed := func() string {
		var names []string
		if err := s.pool.QueryRow(context.Background(), `SELECT array_agg(name || ' ' || prepare_time ORDER BY name) FROM pg_prepared_statements WHERE name !~ '^gqlplan_[0-9a-f]{24}$'`).Scan(&names); err != nil {
			t.Fatal(err)
		}
		if len(names) != 5 || !strings.HasPrefix(names[3], "gqlplan_set_config_3 ") {
			t.Fatalf("fixed statements prepared: %q, want BEGIN, BEGIN READ ONLY, COMMIT, the settings statement of 3 and that of arrays", names)
		}
		return strings.Join(names, ", ")
	}
	s.query(`{ posts { title } }`, nil, "")
	first := fixed()
	s.query(`{ posts { title } }`, nil, "")
	if again := fixed(); again != first {
		t.Errorf("prepared again: %s, then %s", first, again)
	}
}

// A mutation's call and the statement reading its payload are prepared
// once, like any field's statement, and reused.
func TestMutationCallIsPrepared(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 1})
	tok := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 3})
	for i := range 3 {
		if got := s.query(`mutation($t: String!) { createPost(title: $t) { title } }`, map[string]any{"t": fmt.Sprint("post ", i)}, tok); got != fmt.Sprintf(`{"createPost":{"title":"post %d"}}`, i) {
			t.Fatalf("createPost: %s", got)
		}
		if n := s.preparedCount(); n != 2 {
			t.Fatalf("after request %d: %d statements prepared, want the call's and the payload's", i, n)
		}
	}
}

// With StatementCache none (or describe, the same), nothing is prepared
// by name on any connection — queries, mutations of one field and of
// several, Go resolvers' transactions, failures — with pipelining off and
// on, and the answers are those of a server that prepares.
func TestUnnamedStatementsLeaveNothingOnTheConnection(t *testing.T) {
	for _, mode := range []struct {
		cache      string
		pipelining bool
	}{{"none", false}, {"none", true}, {"describe", false}, {"describe", true}} {
		t.Run(fmt.Sprint(mode.cache, " pipelining ", mode.pipelining), func(t *testing.T) {
			s := newServer(t, serverOptions{maxConns: 2, statementCache: mode.cache, pipelining: mode.pipelining})
			tok := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 3, "sub": "ada"})
			for i, c := range []struct{ query, want string }{
				{`{ posts { title } }`, `{"posts":[{"title":"Notes on the engine"},{"title":"Computable numbers"}]}`},
				{`{ person(id: 2) { firstName } session { role } }`, `{"person":{"firstName":"Alan"},"session":{"role":"` + s.roles.member + `"}}`},
				{`mutation { createPost(title: "unnamed") { title } }`, `{"createPost":{"title":"unnamed"}}`},
				{`mutation { a: createPost(title: "one") { title } b: createPost(title: "two") { title } }`, `{"a":{"title":"one"},"b":{"title":"two"}}`},
				{`{ raiseIn(message: "no") { id } people(limit: 1) { id } }`, `null`}, // raiseIn is non-null
				{`{ person(id: 1) { firstName peers { id } } }`, `{"person":{"firstName":"Ada","peers":[{"id":3},{"id":2}]}}`},
			} {
				if got := s.do(call{query: c.query, token: tok}).data(t); got != c.want {
					t.Errorf("request %d: %s, want %s", i, got, c.want)
				}
			}
			conns := s.pool.AcquireAllIdle(context.Background())
			if len(conns) == 0 {
				t.Fatal("no idle connection")
			}
			for _, conn := range conns {
				var n int
				if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM pg_prepared_statements").Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != 0 {
					t.Errorf("a connection holds %d prepared statements", n)
				}
				conn.Release()
			}
		})
	}
}
