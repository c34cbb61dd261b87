package runtime_test

import (
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

func TestMutationsRunInOrderAndAFailureUndoesOnlyItself(t *testing.T) {
	s := newServer(t, serverOptions{})
	tok := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 3})
	r := s.do(call{token: tok, query: `mutation {
		first: createPost(title: "one") { title authorId }
		second: failWith(message: "no, thank you") { id }
		third: createPost(title: "three") { title authorId }
	}`})
	if r.status != 200 || r.data(t) != `{"first":{"title":"one","authorId":3},"second":null,"third":{"title":"three","authorId":3}}` {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if len(r.Errors) != 1 || r.Errors[0].Message != "no, thank you" || r.codes()[0] != "BAD_USER_INPUT" || r.Errors[0].Path[0] != "second" {
		t.Errorf("the raised message is shown on its field: %s", r.body)
	}
	if got := s.scalar(`SELECT string_agg(title, ',' ORDER BY id) FROM shop.post WHERE author_id = 3`); got != "one,three" {
		t.Errorf("committed posts: %q", got)
	}
	// A constraint violation names the constraint; a single failing
	// mutation leaves nothing behind.
	r = s.do(call{token: tok, query: `mutation { createPost(title: "") { id } }`})
	if len(r.Errors) != 1 || r.codes()[0] != "BAD_USER_INPUT" || r.Errors[0].Extensions["constraint"] != "post_title_check" || r.data(t) != `{"createPost":null}` {
		t.Errorf("check violation: %s", r.body)
	}
	if got := s.scalar(`SELECT count(*)::text FROM shop.post WHERE author_id = 3`); got != "2" {
		t.Errorf("posts after a failed mutation: %s", got)
	}
	r = s.do(call{token: tok, query: `mutation { addPerson(firstName: "Ada", email: "ada@example.com") { id } }`})
	if len(r.Errors) != 1 || r.Errors[0].Extensions["constraint"] != "person_email_key" || strings.Contains(r.body, "ada@example.com") {
		t.Errorf("unique violation: %s", r.body)
	}
	// Scalar and enum returns, and a NULL composite is a null object.
	if got := s.query(`mutation { echoColor(c: DARK_BLUE) noPerson { id } }`, nil, tok); got != `{"echoColor":"DARK_BLUE","noPerson":null}` {
		t.Errorf("scalar/enum/null returns: %s", got)
	}
}

func TestInjectRefusesWithoutTokenOrClaimBeforeAnySQL(t *testing.T) {
	s := newServer(t, serverOptions{})
	s.query(`{ __typename }`, nil, "") // warm the pool
	// No token: the request is refused whole (401, a Bearer challenge,
	// no data), as with a token the verifier refuses; a token without the
	// claim: the field is FORBIDDEN.
	for _, c := range []struct {
		name, token, code string
		status            int
		data              string
	}{
		{"no token", "", "UNAUTHENTICATED", 401, ""},
		{"claim absent", token(t, jwt.MapClaims{"role": s.roles.member}), "FORBIDDEN", 200, "null"},
	} {
		s.wire.reset()
		r := s.do(call{query: `{ myNotes { id } }`, token: c.token})
		if r.status != c.status || len(r.Errors) != 1 || r.codes()[0] != c.code || r.data(t) != c.data {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
		}
		if challenge := r.header.Get("WWW-Authenticate"); (c.status == 401) != (challenge == "Bearer") {
			t.Errorf("%s: WWW-Authenticate %q", c.name, challenge)
		}
		if n := s.wire.syncs.Load(); n != 0 {
			t.Errorf("%s: %d statements reached the database", c.name, n)
		}
		s.wire.reset()
		r = s.do(call{query: `mutation { createPost(title: "x") { id } }`, token: c.token})
		if len(r.Errors) != 1 || r.codes()[0] != c.code || s.wire.syncs.Load() != 0 {
			t.Errorf("%s (mutation): %s, %d round trips", c.name, r.body, s.wire.syncs.Load())
		}
	}
	if got := s.scalar(`SELECT count(*)::text FROM shop.post WHERE title = 'x'`); got != "0" {
		t.Errorf("a refused mutation wrote %s rows", got)
	}
	// A client cannot supply the injected value: it is no argument.
	r := s.do(call{query: `{ myNotes(owner_id: "ada") { id } }`})
	if r.status != 400 || r.codes()[0] != "GRAPHQL_VALIDATION_FAILED" {
		t.Errorf("inject key as argument: %s", r.body)
	}
	// With the claim, only the caller's rows.
	if got := s.query(`{ myNotes { id } }`, nil, token(t, jwt.MapClaims{"sub": "alan"})); got != `{"myNotes":[{"id":"3"}]}` {
		t.Errorf("alan's notes: %s", got)
	}
}

func TestRowLevelSecurityReadsTheClaims(t *testing.T) {
	s := newServer(t, serverOptions{})
	titles := func(tok string) string {
		return s.query(`{ posts { title } }`, nil, tok)
	}
	if got := titles(""); got != `{"posts":[{"title":"Notes on the engine"},{"title":"Computable numbers"}]}` {
		t.Errorf("anonymous: %s", got)
	}
	if got := titles(token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 1})); got != `{"posts":[{"title":"Notes on the engine"},{"title":"Ada private"},{"title":"Computable numbers"}]}` {
		t.Errorf("person 1: %s", got)
	}
	// The insert policy checks the injected author against the claim.
	tok := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 2})
	if got := s.query(`mutation { createPost(title: "mine") { authorId } }`, nil, tok); got != `{"createPost":{"authorId":2}}` {
		t.Errorf("insert under RLS: %s", got)
	}
	// The anonymous role may not insert at all: permission denied → FORBIDDEN.
	r := s.do(call{query: `mutation { createPost(title: "anon") { id } }`, token: token(t, jwt.MapClaims{"person_id": 2})})
	if len(r.Errors) != 1 || r.codes()[0] != "FORBIDDEN" || r.Errors[0].Message != "Permission denied." {
		t.Errorf("anonymous insert: %s", r.body)
	}
	// In development mode the message says which privilege on what.
	dev := newServer(t, serverOptions{dev: true})
	r = dev.do(call{query: `mutation { createPost(title: "anon") { id } }`, token: token(t, jwt.MapClaims{"person_id": 2})})
	if len(r.Errors) != 1 || r.codes()[0] != "FORBIDDEN" || !strings.Contains(r.Errors[0].Message, "permission denied for") {
		t.Errorf("anonymous insert, --dev: %s", r.body)
	}
	// A role the authenticator may not switch to is refused, not a 500.
	r = s.do(call{query: `{ posts { id } }`, token: token(t, jwt.MapClaims{"role": "postgres"})})
	if r.status != 403 || r.codes()[0] != "FORBIDDEN" {
		t.Errorf("role postgres: %d %s", r.status, r.body)
	}
	r = s.do(call{query: `{ posts { id } }`, token: token(t, jwt.MapClaims{"role": "no_such_role"})})
	if r.status != 403 || r.codes()[0] != "FORBIDDEN" {
		t.Errorf("unknown role: %d %s", r.status, r.body)
	}
}

func TestQueryTransactionIsReadOnly(t *testing.T) {
	s := newServer(t, serverOptions{})
	before := s.scalar(`SELECT count(*)::text FROM shop.person`)
	r := s.do(call{query: `{ sneakyWrite { id } }`, token: token(t, jwt.MapClaims{"role": s.roles.member})})
	if len(r.Errors) != 1 || r.data(t) != "null" {
		t.Errorf("a write inside a query: %s", r.body)
	}
	if after := s.scalar(`SELECT count(*)::text FROM shop.person`); after != before {
		t.Errorf("rows %s → %s", before, after)
	}
	if !strings.Contains(s.logs.String(), `"sqlstate":"25006"`) {
		t.Errorf("the log should show the read-only refusal (25006):\n%s", s.logs)
	}
	if got := s.query(`{ session { readOnly } }`, nil, ""); got != `{"session":{"readOnly":"on"}}` {
		t.Errorf("query transaction: %s", got)
	}
}

func TestNothingLeaksBetweenRequestsOnOneConnection(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 1})
	const q = `{ session { role personId sub claims } }`
	member := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 7, "sub": "u7", "exp": 4102444800})
	want := `{"session":{"role":"` + s.roles.member + `","personId":"7","sub":"u7","claims":{"exp": 4102444800, "sub": "u7", "role": "` + s.roles.member + `", "person_id": 7}}}` // jsonb orders keys
	anon := `{"session":{"role":"` + s.roles.anon + `","personId":null,"sub":null,"claims":null}}`
	for i := 0; i < 3; i++ {
		if got := s.query(q, nil, member); got != compact(t, want) {
			t.Errorf("with token: %s\nwant %s", got, compact(t, want))
		}
		if got := s.query(q, nil, ""); got != anon {
			t.Errorf("next request, anonymous, same connection: %s", got)
		}
	}
	// A failed request leaves the connection clean too.
	s.do(call{query: `{ anyPerson { id } }`, token: member})
	if got := s.query(q, nil, ""); got != anon {
		t.Errorf("after a failed request: %s", got)
	}
	if n := s.pool.Stat().TotalConns(); n != 1 {
		t.Errorf("pool has %d connections, want 1", n)
	}
}

func TestOneRoundTripPerQueryRequest(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 1})
	tok := token(t, jwt.MapClaims{"role": s.roles.member, "sub": "ada", "person_id": 1})
	const q = `{ a: people { id address { city } } myNotes { id meta { owner { name } } } posts { title } session { role } __typename }`
	s.query(q, nil, tok) // the pool's connection is established here
	for i := 0; i < 3; i++ {
		s.wire.reset()
		s.query(q, nil, tok)
		if syncs, trips := s.wire.syncs.Load(), s.wire.turnarounds.Load(); syncs != 1 || trips != 1 {
			t.Errorf("request %d: %d Sync/Query messages and %d write→read turnarounds, want 1 and 1", i, syncs, trips)
		}
	}
}

// A mutation of one field is one pipeline, its settings, its call and the
// statement reading its payload after it (see sqlgen's mutation.go), in
// the implicit transaction of its Sync: no BEGIN or COMMIT is sent, and it
// is still all or nothing — a write its function made before failing, and
// a write a check deferred to the commit refuses, are both rolled back.
func TestASingleMutationIsOneAtomicPipeline(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 1, lone: true})
	tok := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 3})
	posts := `SELECT count(*)::text FROM shop.post WHERE author_id = 3`
	s.query(`mutation { createPost(title: "first") { title authorId } }`, nil, tok) // connects and prepares
	s.sent.take()
	s.wire.reset()
	if got := s.query(`mutation { createPost(title: "second") { title authorId } }`, nil, tok); got != `{"createPost":{"title":"second","authorId":3}}` {
		t.Fatalf("createPost: %s", got)
	}
	if syncs, trips := s.wire.syncs.Load(), s.wire.turnarounds.Load(); syncs != 1 || trips != 1 {
		t.Errorf("%d Sync/Query messages and %d write→read turnarounds, want 1 and 1", syncs, trips)
	}
	sent := s.sent.take()
	if len(sent) != 3 || !strings.HasPrefix(sent[0], "SELECT num_nulls(set_config(") || !strings.Contains(sent[1], `"shop"."create_post"(`) {
		t.Errorf("want the settings statement, the mutation's call and its payload's, got:\n%s", strings.Join(sent, "\n"))
	}
	before := s.scalar(posts)

	r := s.do(call{token: tok, query: `mutation { createPostThenFail(title: "lost") { id } }`})
	if len(r.Errors) != 1 || r.Errors[0].Message != "changed my mind" || r.data(t) != `{"createPostThenFail":null}` {
		t.Errorf("a function failing after its write: %s", r.body)
	}
	if got := s.scalar(posts); got != before {
		t.Errorf("the failed function's write was kept: %s posts, want %s", got, before)
	}

	r = s.do(call{token: tok, query: `mutation { pledge(kept: false) }`})
	if len(r.Errors) != 1 || r.Errors[0].Extensions["constraint"] != "pledge_kept" || r.codes()[0] != "BAD_USER_INPUT" || strings.Contains(r.body, `"pledge":1`) {
		t.Errorf("a check deferred to the commit: %s", r.body)
	}
	if got := s.query(`mutation { pledge(kept: true) }`, nil, tok); got != `{"pledge":2}` {
		t.Errorf("a kept pledge: %s", got)
	}
	if got := s.scalar(`SELECT string_agg(id::text || ':' || kept::text, ',') FROM shop.pledge`); got != "2:true" {
		t.Errorf("pledges committed: %s", got)
	}

	// The connection is back to idle and clean: the next request is
	// anonymous and may not write.
	if got := s.query(`{ session { role personId } }`, nil, ""); got != `{"session":{"role":"`+s.roles.anon+`","personId":null}}` {
		t.Errorf("after the mutations: %s", got)
	}
	if n := s.pool.Stat().TotalConns(); n != 1 {
		t.Errorf("pool has %d connections, want 1", n)
	}
}
