package runtime_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gqlplan/gqlplan/internal/nodeid"
)

// TestGlobalIDsAreUniqueAcrossTypes: the id of a node type is a string
// naming its type and key, so Member 1 and Article 1 — both key 1 — never
// share one (Relay's store would merge them), and a two-column key is
// all in it.
func TestGlobalIDsAreUniqueAcrossTypes(t *testing.T) {
	s := newServer(t, serverOptions{})
	var got struct {
		Members []struct {
			ID, FirstName string
			RowID         int
		}
		Articles []struct {
			ID    string
			RowID int
		}
		Shelves []struct {
			ID, Room string
			Position int
		}
	}
	if err := json.Unmarshal([]byte(s.query(`{ members { id rowId firstName } articles { id rowId } shelves { id room position } }`, nil, "")), &got); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	check := func(id, typ string, key ...any) {
		t.Helper()
		if want := nodeid.Encode(typ, key...); id != want {
			t.Errorf("%s %v: id %q, want %q", typ, key, id, want)
		}
		if seen[id] {
			t.Errorf("id %q given twice", id)
		}
		seen[id] = true
	}
	for _, m := range got.Members {
		check(m.ID, "Member", m.RowID)
	}
	for _, a := range got.Articles {
		check(a.ID, "Article", a.RowID)
	}
	for _, sh := range got.Shelves {
		check(sh.ID, "Shelf", sh.Room, sh.Position)
	}
	if len(got.Members) != 3 || len(got.Articles) != 2 || len(got.Shelves) != 3 {
		t.Errorf("rows: %+v", got)
	}
}

// TestNodeFetchesEveryNodeType: node(id:) and nodes(ids:) read each id's
// row from its type's source with the selection made for that type;
// a row RLS hides is null; an id this API did not give is BAD_USER_INPUT
// on the field, not an internal error.
func TestNodeFetchesEveryNodeType(t *testing.T) {
	s := newServer(t, serverOptions{})
	const fields = `id __typename ... on Member { rowId firstName } ... on Article { title author { firstName } } ... on Shelf { label }`
	node := func(id, tok string) string {
		t.Helper()
		return s.query(`query($id: ID!) { node(id: $id) { `+fields+` } }`, map[string]any{"id": id}, tok)
	}
	member, article, shelf, hidden := nodeid.Encode("Member", 2), nodeid.Encode("Article", 1), nodeid.Encode("Shelf", "hall", 2), nodeid.Encode("Article", 2)
	for id, want := range map[string]string{
		member:                      `{"node":{"id":"` + member + `","__typename":"Member","rowId":2,"firstName":"Alan"}}`,
		article:                     `{"node":{"id":"` + article + `","__typename":"Article","title":"Notes on the engine","author":{"firstName":"Ada"}}}`,
		shelf:                       `{"node":{"id":"` + shelf + `","__typename":"Shelf","label":"hats"}}`,
		hidden:                      `{"node":null}`, // Ada's secret post, to an anonymous caller
		nodeid.Encode("Member", 99): `{"node":null}`,
	} {
		if got := node(id, ""); got != want {
			t.Errorf("node(%s):\n got %s\nwant %s", id, got, want)
		}
	}
	ada := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 1})
	if got := node(hidden, ada); !strings.Contains(got, `"title":"Ada private"`) {
		t.Errorf("Ada's own secret post, to Ada: %s", got)
	}

	got := s.query(`query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Shelf { room } } }`,
		map[string]any{"ids": []string{shelf, hidden, member, shelf}}, "")
	want := `{"nodes":[{"id":"` + shelf + `","room":"hall"},null,{"id":"` + member + `"},{"id":"` + shelf + `","room":"hall"}]}`
	if got != want {
		t.Errorf("nodes:\n got %s\nwant %s", got, want)
	}
	if got := s.query(`{ nodes(ids: []) { id } }`, nil, ""); got != `{"nodes":[]}` {
		t.Errorf("nodes(ids: []): %s", got)
	}

	for id, why := range map[string]string{
		"1":                            "malformed",
		"not-an-id":                    "malformed",
		nodeid.Encode("Color", 1):      "names no type of node",
		nodeid.Encode("Member", "x"):   "does not fit",
		nodeid.Encode("Shelf", "hall"): "does not fit",
	} {
		r := s.do(call{query: `query($id: ID!) { node(id: $id) { id } other: members { rowId } }`, vars: map[string]any{"id": id}})
		if r.status != 200 || len(r.Errors) != 1 || r.codes()[0] != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, why) ||
			r.Errors[0].Path[0] != "node" || !strings.Contains(r.data(t), `"node":null`) || !strings.Contains(r.data(t), `"rowId":1`) {
			t.Errorf("node(id: %q): %d %s", id, r.status, r.body)
		}
	}
}

// TestNodeInterfaceIsIntrospected: Node, its implementations and the
// interfaces of each, as Relay's compiler reads them; a fragment on Node
// applies inside any node type's selection.
func TestNodeInterfaceIsIntrospected(t *testing.T) {
	s := newServer(t, serverOptions{})
	got := s.query(`{ node: __type(name: "Node") { kind fields { name } possibleTypes { name } }
		member: __type(name: "Member") { interfaces { name } } person: __type(name: "Person") { interfaces { name } } }`, nil, "")
	want := `{"node":{"kind":"INTERFACE","fields":[{"name":"id"}],"possibleTypes":[{"name":"Article"},{"name":"Member"},{"name":"Shelf"}]},` +
		`"member":{"interfaces":[{"name":"Node"}]},"person":{"interfaces":[]}}`
	if got != want {
		t.Errorf("introspection:\n got %s\nwant %s", got, want)
	}
	var members struct{ Members []map[string]any }
	_ = json.Unmarshal([]byte(s.query(`{ members { ...N } } fragment N on Node { id }`, nil, "")), &members)
	if len(members.Members) != 3 || !slices.ContainsFunc(members.Members, func(m map[string]any) bool { return m["id"] == nodeid.Encode("Member", 1) }) {
		t.Errorf("a fragment on Node inside members: %v", members)
	}
}

// TestArgumentsTakeGlobalIDs: an argument declared the id of a node type
// filters its key columns with the id's values; the id of another type,
// or a malformed one, is BAD_USER_INPUT.
func TestArgumentsTakeGlobalIDs(t *testing.T) {
	s := newServer(t, serverOptions{})
	q := `query($a: ID!, $s: ID!) { article(id: $a) { rowId title } shelf(id: $s) { label } }`
	got := s.query(q, map[string]any{"a": nodeid.Encode("Article", 3), "s": nodeid.Encode("Shelf", "attic", 1)}, "")
	if want := `{"article":{"rowId":3,"title":"Computable numbers"},"shelf":{"label":"boxes"}}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	r := s.do(call{query: q, vars: map[string]any{"a": nodeid.Encode("Member", 3), "s": "nonsense"}})
	if len(r.Errors) != 2 || r.codes()[0] != "BAD_USER_INPUT" || r.codes()[1] != "BAD_USER_INPUT" ||
		!strings.Contains(r.body, "is an id of type Member; it takes one of type Article") || !strings.Contains(r.body, "Argument id is not a global id") {
		t.Errorf("ids of the wrong type: %s", r.body)
	}
}

// TestUnionsAndInterfaces: a query returning a union or an interface reads
// rows naming their type; each object is read from its type's node source
// with the fragments for that type; a row of no possible type, or whose
// object RLS hides, is left out.
func TestUnionsAndInterfaces(t *testing.T) {
	s := newServer(t, serverOptions{})
	got := s.query(`{ things { __typename ... on Member { rowId firstName } ... on Article { title } ... on Shelf { label } ... on Titled { title } } }`, nil, "")
	want := `{"things":[{"__typename":"Article","title":"Notes on the engine"},{"__typename":"Article","title":"Computable numbers"},` +
		`{"__typename":"Member","rowId":1,"firstName":"Ada"},{"__typename":"Member","rowId":2,"firstName":"Alan"},{"__typename":"Member","rowId":3,"firstName":"Grace"},` +
		`{"__typename":"Shelf","label":"boxes"},{"__typename":"Shelf","label":"umbrellas"},{"__typename":"Shelf","label":"hats"}]}`
	if got != want {
		t.Errorf("things:\n got %s\nwant %s", got, want)
	}
	ada := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 1})
	if got := s.query(`{ titled { title ... on Article { rowId } } }`, nil, ada); got != `{"titled":[{"title":"Notes on the engine","rowId":1},{"title":"Ada private","rowId":2},{"title":"Computable numbers","rowId":3}]}` {
		t.Errorf("titled, as Ada: %s", got)
	}
	if got := s.query(`{ a: thing(id: 2, typename: "Member") { ... on Member { firstName } } b: thing(id: 1, typename: "Gone") { __typename } }`, nil, ""); got != `{"a":{"firstName":"Alan"},"b":null}` {
		t.Errorf("thing: %s", got)
	}
	got = s.query(`{ thing: __type(name: "Thing") { kind possibleTypes { name } } titled: __type(name: "Titled") { kind fields { name } possibleTypes { name } }
		article: __type(name: "Article") { interfaces { name } } }`, nil, "")
	want = `{"thing":{"kind":"UNION","possibleTypes":[{"name":"Article"},{"name":"Member"},{"name":"Shelf"}]},` +
		`"titled":{"kind":"INTERFACE","fields":[{"name":"title"}],"possibleTypes":[{"name":"Article"}]},"article":{"interfaces":[{"name":"Titled"},{"name":"Node"}]}}`
	if got != want {
		t.Errorf("introspection:\n got %s\nwant %s", got, want)
	}
}
