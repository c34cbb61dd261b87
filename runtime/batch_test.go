package runtime_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gqlplan/gqlplan/runtime"
)

// batchAnswer is the answer to a batch: its status, and each request's
// response when it is an array (else the whole body's errors).
type batchAnswer struct {
	status int
	items  []*result
	whole  *result
}

// batch posts body, a batch, as tok.
func (s *server) batch(t *testing.T, body, tok string) batchAnswer {
	t.Helper()
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, postRequest(body, tok))
	out := batchAnswer{status: rec.Code}
	var items []json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &items); err != nil {
		out.whole = &result{}
		if err := json.Unmarshal(rec.Body.Bytes(), out.whole); err != nil {
			t.Fatalf("the answer is not JSON: %s", rec.Body)
		}
		return out
	}
	for _, raw := range items {
		r := &result{body: string(raw)}
		if err := json.Unmarshal(raw, r); err != nil {
			t.Fatalf("an answer of the batch is no response: %s", raw)
		}
		out.items = append(out.items, r)
	}
	return out
}

// Batches (Limits.MaxBatch): an array of requests is answered by an array
// of their responses, in order, each run as a request of its own — a
// query after a mutation sees its row, an element that is no request or
// does not validate is answered with its error in its place. A batch
// over the limit, an empty one and a bad token are refused whole; the
// batch's requests share the cost bound.
func TestBatches(t *testing.T) {
	s := newServer(t, serverOptions{limits: runtime.Limits{MaxBatch: 4, MaxCost: 150}})
	tok := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 1})
	a := s.batch(t, `[
		{"query":"mutation { createPost(title: \"batched\") { title } }"},
		{"query":"query Mine { posts { title } }"},
		{"query":1},
		{"query":"{ nope }"}]`, tok)
	if a.status != 200 || len(a.items) != 4 {
		t.Fatalf("a batch of 4: %d, %d answers", a.status, len(a.items))
	}
	if d := a.items[0].data(t); d != `{"createPost":{"title":"batched"}}` {
		t.Errorf("the mutation: %s", d)
	}
	if d := a.items[1].data(t); !strings.Contains(d, `"batched"`) {
		t.Errorf("the query after the mutation does not see its row: %s", a.items[1].body)
	}
	for i, want := range map[int]string{2: "BAD_REQUEST", 3: "GRAPHQL_VALIDATION_FAILED"} {
		if codes := a.items[i].codes(); len(codes) != 1 || codes[0] != want {
			t.Errorf("request %d: %s, want %s", i, a.items[i].body, want)
		}
	}
	for _, c := range []struct {
		name, body, tok string
		status          int
		code            string
	}{
		{"over the limit", strings.Repeat(`{"query":"{ __typename }"},`, 4) + `{"query":"{ __typename }"}`, "", 400, "BATCH_TOO_LARGE"},
		{"empty", ``, "", 400, "BAD_REQUEST"},
		{"a bad token", `{"query":"{ __typename }"}`, "not.a.token", 401, "UNAUTHENTICATED"},
	} {
		got := s.batch(t, "["+c.body+"]", c.tok)
		if got.status != c.status || got.whole == nil || len(got.whole.codes()) != 1 || got.whole.codes()[0] != c.code {
			t.Errorf("%s: %d %+v, want %d %s", c.name, got.status, got.whole, c.status, c.code)
		}
	}
	// Thirty events, their nodes and ids cost 61 of 150: two fit, the third
	// and fourth do not fit what the ones before them spent.
	const costly = `{"query":"{ events(first: 30) { nodes { id } } }"}`
	c := s.batch(t, "["+strings.Repeat(costly+",", 3)+costly+"]", tok)
	if len(c.items) != 4 {
		t.Fatalf("a costly batch: %d answers", len(c.items))
	}
	for i, r := range c.items {
		codes := r.codes()
		switch fits := i < 2; {
		case fits && len(codes) > 0:
			t.Errorf("costly request %d, within the batch's bound: %s", i, r.body)
		case !fits && (len(codes) != 1 || codes[0] != "COST_TOO_HIGH" || r.Errors[0].Extensions["maxCost"] != float64(150)):
			t.Errorf("costly request %d: %s, want COST_TOO_HIGH of the batch's 150", i, r.body)
		}
	}
}
