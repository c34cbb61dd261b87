package runtime_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/gqlplan/gqlplan/internal/nodeid"
)

// Every request composed by reusing an earlier one of its shape gets
// exactly the statements — SQL and arguments — or the error that
// composing it afresh gives; and reuse happens when only bound values
// change, never when a value that decides the SQL does.
func TestReusedCompositionEqualsAFreshOne(t *testing.T) {
	s := newServer(t, serverOptions{})
	type step struct {
		vars   string // JSON
		claims map[string]any
		reused bool // what this step must do, given the steps before
		// failing: composing fails (the same way reused or not)
		failing bool
	}
	ada, bob := map[string]any{"sub": "ada"}, map[string]any{"sub": "bob"}
	cases := []struct {
		name, query string
		steps       []step
	}{
		{"filter argument", `query($id: Int!) { person(id: $id) { id firstName } }`, []step{
			{vars: `{"id": 1}`}, {vars: `{"id": 2}`, reused: true}, {vars: `{"id": 99}`, reused: true},
		}},
		{"node id", `query($id: ID!) { article(id: $id) { id title } }`, []step{
			{vars: `{"id": "` + nodeid.Encode("Article", 1) + `"}`},
			{vars: `{"id": "` + nodeid.Encode("Article", 2) + `"}`, reused: true},
			{vars: `{"id": "` + nodeid.Encode("Shelf", 1, 2) + `"}`, reused: true, failing: true}, // of another type: the error composing gives
			{vars: `{"id": "not an id"}`, reused: true, failing: true},
		}},
		{"page size decides", `query($n: Int) { people(limit: $n) { id } }`, []step{
			{vars: `{"n": 1}`}, {vars: `{"n": 2}`}, {vars: `{"n": 1}`, reused: true},
			{vars: `{"n": 11}`, failing: true}, // PAGE_TOO_LARGE, composed
			{vars: `{}`},
		}},
		{"@include decides", `query($full: Boolean!, $id: Int!) { person(id: $id) { id firstName @include(if: $full) } }`, []step{
			{vars: `{"full": true, "id": 1}`}, {vars: `{"full": false, "id": 1}`},
			{vars: `{"full": true, "id": 2}`, reused: true},
		}},
		{"optional filters: null and absent are shapes", `query($c: Color, $like: String) { people(color: $c, nameLike: $like) { id } }`, []step{
			{vars: `{"like": "a%"}`}, {vars: `{"like": "b%"}`, reused: true},
			{vars: `{"like": null}`}, {vars: `{}`},
			{vars: `{"like": "c%", "c": "RED"}`}, {vars: `{"like": "d%", "c": "GREEN"}`, reused: true},
		}},
		{"a variable inside a literal decides", `query($name: String) { people(where: {firstName: {eq: $name}}) { id } }`, []step{
			{vars: `{"name": "Ada"}`}, {vars: `{"name": "Alan"}`}, {vars: `{"name": "Ada"}`, reused: true},
		}},
		{"list argument", `query($ids: [Int!]) { people(ids: $ids) { id } }`, []step{
			{vars: `{"ids": [1, 2]}`}, {vars: `{"ids": [3]}`, reused: true},
		}},
		{"function argument", `query($p: String!) { peopleNamed(prefix: $p) { id } }`, []step{
			{vars: `{"p": "A"}`}, {vars: `{"p": "B"}`, reused: true},
		}},
		{"computed field argument", `query($len: Int) { posts { summary(length: $len) } }`, []step{
			{vars: `{"len": 5}`}, {vars: `{"len": 10}`, reused: true}, {vars: `{}`},
		}},
		{"cursor decides", `query($after: String) { peopleConnection(first: 1, after: $after) { edges { cursor node { id } } } }`, []step{
			{vars: `{}`}, {vars: `{"after": "bad cursor"}`, failing: true}, {vars: `{"after": "bad cursor"}`, failing: true},
		}},
		{"claims are rebound", `{ myNotes { id body } }`, []step{
			{claims: ada}, {claims: bob, reused: true},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for i, st := range c.steps {
				claims := st.claims
				if claims == nil {
					claims = ada
				}
				vars := map[string]any{}
				if st.vars != "" {
					vars = decodeJSON(t, st.vars).(map[string]any)
				}
				want, wantErr := s.handler.Compose(c.query, vars, claims)
				got, reused, gotErr := s.handler.ComposeReusing(c.query, vars, claims)
				if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
					t.Errorf("step %d %s: reused %v\ngot  %v %v\nwant %v %v", i, st.vars, reused, got, gotErr, want, wantErr)
				}
				if (gotErr != nil) != st.failing {
					t.Errorf("step %d %s: error %v, want one: %v", i, st.vars, gotErr, st.failing)
				}
				if reused != st.reused {
					t.Errorf("step %d %s: reused %v, want %v", i, st.vars, reused, st.reused)
				}
			}
		})
	}
}

// Concurrent requests of one document with other values, sharing what
// the first composed, each get their own row (run with -race: the
// shared fields are only read).
func TestReusedCompositionUnderConcurrentRequests(t *testing.T) {
	s := newServer(t, serverOptions{})
	names := map[int]string{1: "Ada", 2: "Alan", 3: "Grace"}
	const q = `query($id: Int!, $len: Int) { person(id: $id) { id firstName } posts { summary(length: $len) } }`
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				id, length := 1+(g+i)%3, 1+i%4
				got := s.query(q, map[string]any{"id": id, "len": length}, "")
				want := fmt.Sprintf(`{"person":{"id":%d,"firstName":%q},"posts":[{"summary":"`, id, names[id])
				if !strings.HasPrefix(got, want) || strings.Count(got, "summary") != 2 || !strings.Contains(got, `"summary":"`+"Notes on the engine"[:length]) {
					t.Errorf("id %d, length %d: %s", id, length, got)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// What the cache keeps holds no request's bound values: the kept
// statements' slots and the kept fields' free arguments are emptied,
// and a shape with large deciding values is not kept at all.
func TestReusedCompositionKeepsNoBoundValues(t *testing.T) {
	s := newServer(t, serverOptions{})
	const q = `query($p: String!, $id: Int!) { peopleNamed(prefix: $p) { id } person(id: $id) { firstName } }`
	if got := s.query(q, map[string]any{"p": "secret-prefix", "id": 2}, ""); got != `{"peopleNamed":[],"person":{"firstName":"Alan"}}` {
		t.Fatalf("first: %s", got)
	}
	for _, v := range s.handler.KeptValues() {
		if v == "secret-prefix" || v == int64(2) {
			t.Errorf("the cache keeps the request's value %v", v)
		}
	}
	if got := s.query(q, map[string]any{"p": "A", "id": 1}, ""); got != `{"peopleNamed":[{"id":1},{"id":2}],"person":{"firstName":"Ada"}}` {
		t.Errorf("reused: %s", got)
	}
	big := strings.Repeat("x", 5000)
	const decided = `query($name: String) { people(where: {firstName: {eq: $name}}) { id } }`
	s.query(decided, map[string]any{"name": big}, "")
	for _, v := range s.handler.KeptValues() {
		if m, ok := v.(map[string]any); ok && fmt.Sprint(m) != "" && strings.Contains(fmt.Sprint(m), big) {
			t.Error("a 5 kB deciding value is kept")
		}
	}
}

// decodeJSON decodes text as a request body's JSON is (numbers kept as
// json.Number).
func decodeJSON(t *testing.T, text string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
