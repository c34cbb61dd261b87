package e2e

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

// TestGraphQLLanguageProbes sends the forum the parts of the GraphQL
// language clients write that an older parser refused: null literals
// everywhere a value goes, block strings, \u{…} escapes, a single value
// where a list is expected, and the newest introspection fields.
func TestGraphQLLanguageProbes(t *testing.T) {
	s := startExample(t, "forum", "forum_example_gqlplan", "--default-role", "forum_example_anonymous")
	ids := func(r *response, field string) []int {
		t.Helper()
		var posts []post
		r.field(t, field, &posts)
		out := make([]int, len(posts))
		for i, p := range posts {
			out[i] = p.RowID
		}
		return out
	}
	searchIDs := func(r *response) []int {
		t.Helper()
		var c connection[post]
		r.field(t, "searchPosts", &c)
		var out []int
		for _, e := range c.Edges {
			out = append(out, e.Node.RowID)
		}
		return out
	}
	twenty := ids(s.post(t, "", `{ allPosts { rowId } }`, nil), "allPosts")
	if len(twenty) != 20 {
		t.Fatalf("allPosts reads %d posts by default, want the declared 20", len(twenty))
	}
	byHeadline := ids(s.post(t, "", `{ allPosts(limit: 3, orderBy: [{field: HEADLINE, direction: DESC}]) { rowId } }`, nil), "allPosts")
	if len(byHeadline) != 3 {
		t.Fatalf("allPosts by headline: %v", byHeadline)
	}
	circuit := searchIDs(s.post(t, "", `{ searchPosts(search: "circuit") { edges { node { rowId } } } }`, nil))
	if len(circuit) != 3 {
		t.Fatalf("searchPosts(circuit): %v", circuit)
	}

	for _, c := range []struct {
		name, query string
		vars        map[string]any
		field       string
		want        []int
	}{
		{"null argument: the declared default", `{ allPosts(limit: null, topic: null) { rowId } }`, nil, "allPosts", twenty},
		{"null filter argument: no filter", `{ allPosts(authorId: null) { rowId } }`, nil, "allPosts", twenty},
		{"null variable default", `query ($n: Int = null) { allPosts(limit: $n) { rowId } }`, nil, "allPosts", twenty},
		{"null variable value", `query ($n: Int) { allPosts(limit: $n) { rowId } }`, map[string]any{"n": nil}, "allPosts", twenty},
		{"null inside an input object", `{ allPosts(limit: 3, orderBy: [{field: HEADLINE, direction: DESC, nulls: null}]) { rowId } }`, nil, "allPosts", byHeadline},
		{"null in a where input", `{ allPosts(limit: 2, where: {and: null}) { rowId } }`, nil, "allPosts", nil},
		{"a single value for a list", `{ allPosts(limit: 3, orderBy: {field: HEADLINE, direction: DESC}) { rowId } }`, nil, "allPosts", byHeadline},
		{"a single variable value for a list", `query ($o: [PostOrderBy!]) { allPosts(limit: 3, orderBy: $o) { rowId } }`, map[string]any{"o": map[string]any{"field": "HEADLINE", "direction": "DESC"}}, "allPosts", byHeadline},
	} {
		r := s.post(t, "", c.query, c.vars)
		if c.want == nil { // a null where an object's entries go is refused, with the field named
			if len(r.Errors) != 1 || r.Errors[0].Extensions.Code != "BAD_USER_INPUT" {
				t.Errorf("%s: %d %+v", c.name, r.status, r.Errors)
			}
			continue
		}
		if got := ids(r, c.field); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}

	for name, query := range map[string]string{
		"block string":             `{ searchPosts(search: """circuit""") { edges { node { rowId } } } }`,
		"block string, indented":   "{ searchPosts(search: \"\"\"\n      circuit\n    \"\"\") { edges { node { rowId } } } }",
		`\u{…} escape`:             `{ searchPosts(search: "circ\u{75}it") { edges { node { rowId } } } }`,
		`\uXXXX escape`:            `{ searchPosts(search: "circ\u0075it") { edges { node { rowId } } } }`,
		"null cursor":              `{ searchPosts(search: "circuit", after: null, first: null) { edges { node { rowId } } } }`,
		"null argument to include": `{ searchPosts(search: "circuit") @include(if: true) { edges { node { rowId } } } }`,
	} {
		if got := searchIDs(s.post(t, "", query, nil)); !slices.Equal(got, circuit) {
			t.Errorf("%s: %v, want %v", name, got, circuit)
		}
	}

	// A null for a non-null argument is refused by validation, not run.
	if r := s.post(t, "", `{ postById(id: null) { rowId } }`, nil); r.status != 400 || !slices.Equal(r.codes(), []string{"GRAPHQL_VALIDATION_FAILED"}) {
		t.Errorf("postById(id: null): %d %v", r.status, r.codes())
	}

	// Explicit null and absent stay apart: the patch's body: null clears
	// the body, its headline left out keeps the headline.
	register := s.post(t, "", `mutation { registerPerson(firstName: "Nul", lastName: "L", email: "null@example.com", password: "pw-null-literal") { rowId } }`, nil)
	var who person
	register.field(t, "registerPerson", &who)
	var tok string
	s.post(t, "", `mutation { authenticate(email: "null@example.com", password: "pw-null-literal") }`, nil).field(t, "authenticate", &tok)
	var created post
	s.post(t, tok, fmt.Sprintf(`mutation { createPost(authorId: %d, headline: "Null", body: null, topic: null) { rowId body topic } }`, who.RowID), nil).field(t, "createPost", &created)
	if created.Body != nil || created.Topic != nil {
		t.Errorf("createPost with null body and topic: %+v", created)
	}
	var updated post
	s.post(t, tok, fmt.Sprintf(`mutation { updatePost(id: %q, patch: {body: "Some text", topic: HELP}) { headline body topic } }`, globalID("Post", created.RowID)), nil).field(t, "updatePost", &updated)
	if updated.Headline != "Null" || updated.Body == nil || *updated.Body != "Some text" || updated.Topic == nil || *updated.Topic != "HELP" {
		t.Errorf("updatePost setting body and topic: %+v", updated)
	}
	s.post(t, tok, fmt.Sprintf(`mutation { updatePost(id: %q, patch: {body: null}) { headline body topic } }`, globalID("Post", created.RowID)), nil).field(t, "updatePost", &updated)
	if updated.Headline != "Null" || updated.Body != nil || updated.Topic == nil || *updated.Topic != "HELP" {
		t.Errorf("updatePost with body: null: %+v, want the body cleared and the rest kept", updated)
	}
	if r := s.post(t, tok, fmt.Sprintf(`mutation { updatePost(id: %q, patch: {headline: null}) { headline } }`, globalID("Post", created.RowID)), nil); len(r.Errors) != 1 || r.Errors[0].Extensions.Code != "BAD_USER_INPUT" {
		t.Errorf("updatePost with headline: null (NOT NULL): %+v", r.Errors)
	}

	// The introspection fields of the 2021 specification and later.
	r := s.post(t, "", `{ __type(name: "LocalDateTime") { kind specifiedByURL }
		t: __type(name: "PostOrderBy") { isOneOf inputFields(includeDeprecated: true) { name defaultValue isDeprecated } }
		__schema { description directives { name isRepeatable args(includeDeprecated: true) { name } } } }`, nil)
	var intro struct {
		Type struct {
			Kind, SpecifiedByURL string
		} `json:"__type"`
		T struct {
			IsOneOf     bool
			InputFields []struct {
				Name         string
				DefaultValue *string
			}
		} `json:"t"`
		Schema struct {
			Description *string
			Directives  []struct{ Name string }
		} `json:"__schema"`
	}
	raw, _ := json.Marshal(r.Data)
	if len(r.Errors) > 0 || json.Unmarshal(raw, &intro) != nil {
		t.Fatalf("introspection: %+v", r.Errors)
	}
	if intro.Type.Kind != "SCALAR" || intro.Type.SpecifiedByURL == "" || intro.T.IsOneOf || intro.Schema.Description != nil {
		t.Errorf("introspection: %s", raw)
	}
	var defaults []string
	for _, f := range intro.T.InputFields {
		if f.DefaultValue != nil {
			defaults = append(defaults, f.Name+"="+*f.DefaultValue)
		}
	}
	if !slices.Equal(defaults, []string{"direction=ASC"}) {
		t.Errorf("PostOrderBy defaults: %v", defaults)
	}
	var directives []string
	for _, d := range intro.Schema.Directives {
		directives = append(directives, d.Name)
	}
	if !slices.Equal(directives, []string{"include", "skip", "deprecated", "specifiedBy", "oneOf"}) {
		t.Errorf("directives: %v", directives)
	}
}

// TestDateTimesRoundTrip: a value the forum returns for a timestamp
// column (LocalDateTime, no offset) is accepted back and finds its row;
// one with an offset, which the column would drop, is refused.
func TestDateTimesRoundTrip(t *testing.T) {
	s := startExample(t, "forum", "forum_example_gqlplan", "--default-role", "forum_example_anonymous")
	var posts []post
	s.post(t, "", `{ allPosts(limit: 1) { rowId createdAt } }`, nil).field(t, "allPosts", &posts)
	if len(posts) != 1 || posts[0].CreatedAt == "" {
		t.Fatalf("allPosts: %+v", posts)
	}
	var found []post
	s.post(t, "", `query ($at: LocalDateTime!) { allPosts(where: {createdAt: {eq: $at}}) { rowId } }`, map[string]any{"at": posts[0].CreatedAt}).field(t, "allPosts", &found)
	if len(found) == 0 || found[0].RowID != posts[0].RowID {
		t.Errorf("createdAt %s sent back finds %+v, want post %d", posts[0].CreatedAt, found, posts[0].RowID)
	}
	for _, at := range []string{posts[0].CreatedAt + "Z", posts[0].CreatedAt + "+05:00", "yesterday"} {
		r := s.post(t, "", `query ($at: LocalDateTime!) { allPosts(where: {createdAt: {eq: $at}}) { rowId } }`, map[string]any{"at": at})
		if !slices.Equal(r.codes(), []string{"BAD_USER_INPUT"}) {
			t.Errorf("createdAt %q: %d %v", at, r.status, r.codes())
		}
	}
}
