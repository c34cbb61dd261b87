package e2e

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestNodeFetchesEveryNodeTypeUnderRLS: node(id:) over `gqlplan serve`
// fetches a row of every node type by its global id, and Row Level Security
// decides as for any query: another user's hidden profile and note are
// null, their owner sees them; nodes(ids:) answers in order.
func TestNodeFetchesEveryNodeTypeUnderRLS(t *testing.T) {
	s := startExample(t, "testdata/nodes", "nodes_gqlplan", "--default-role", "nodes_anonymous")
	user := func(sub string) string {
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"role": "nodes_user", "sub": sub, "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(secret))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	ada, alan := user("ada"), user("alan")
	const q = `query($id: ID!) { node(id: $id) { __typename id ... on Profile { name } ... on Note { body } } }`
	for _, c := range []struct {
		token, id, want string
	}{
		{ada, globalID("Profile", 1), `{"__typename":"Profile","id":"` + globalID("Profile", 1) + `","name":"Ada"}`},
		{ada, globalID("Note", 1), `{"__typename":"Note","id":"` + globalID("Note", 1) + `","body":"Ada's note"}`},
		{ada, globalID("Profile", 2), `null`}, // Alan's hidden profile
		{ada, globalID("Note", 2), `null`},    // Alan's note
		{alan, globalID("Profile", 2), `{"__typename":"Profile","id":"` + globalID("Profile", 2) + `","name":"Alan"}`},
		{alan, globalID("Note", 2), `{"__typename":"Note","id":"` + globalID("Note", 2) + `","body":"Alan's note"}`},
		{"", globalID("Note", 1), `null`},
		{"", globalID("Profile", 1), `{"__typename":"Profile","id":"` + globalID("Profile", 1) + `","name":"Ada"}`},
	} {
		r := s.post(t, c.token, q, map[string]any{"id": c.id})
		if len(r.Errors) > 0 || string(compactJSON(t, r.Data["node"])) != c.want {
			t.Errorf("node(%s): %s %+v, want %s", c.id, r.Data["node"], r.Errors, c.want)
		}
	}
	r := s.post(t, ada, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []string{globalID("Note", 2), globalID("Note", 1), globalID("Profile", 1)}})
	if want := `[null,{"id":"` + globalID("Note", 1) + `"},{"id":"` + globalID("Profile", 1) + `"}]`; string(compactJSON(t, r.Data["nodes"])) != want {
		t.Errorf("nodes: %s, want %s", r.Data["nodes"], want)
	}
}

// compactJSON is raw without insignificant whitespace (PostgreSQL's json
// output has spaces after its colons and commas).
func compactJSON(t *testing.T, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	return b.Bytes()
}
