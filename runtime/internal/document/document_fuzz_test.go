package document

import (
	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/schema"
	"github.com/gqlplan/gqlplan/runtime/internal/sqlgen"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"

	"encoding/json"
	"testing"

	"github.com/gqlplan/gqlplan/compiler"
)

// FuzzDocument runs the document phase on arbitrary text and variables —
// the limits' scan, gqlparser's parser and validator, operation selection,
// variable coercion, field collection and argument coercion — then
// composes the SQL of every root field and answers introspection, all
// without a database. Nothing may panic; an accepted document's
// introspection answers are valid JSON; every error has a code.
func FuzzDocument(f *testing.F) {
	files, diags, err := compiler.LoadPaths("", []string{"../../testdata/api.yaml"})
	if err != nil || diags.HasErrors() {
		f.Fatalf("load: %v %v", err, diags)
	}
	plan, diags := compiler.CompileWith(files, compiler.Options{})
	if diags.HasErrors() {
		f.Fatal(diags)
	}
	index, err := schema.New(plan)
	if err != nil {
		f.Fatal(err)
	}
	limits := Limits{MaxDocumentBytes: 100 << 10, MaxDepth: 32, MaxTokens: 15000, MaxSelections: 5000, MaxAliases: 100, MaxRootFields: 32, MaxDirectives: 50, DocumentCache: 100, MaxCost: 100000, MaxPageSize: 1000}
	docs, err := New(plan, index, limits, false)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []struct{ query, vars string }{
		{`{ people(limit: null, color: RED) { id firstName posts { id summary(length: 3) } } }`, `{}`},
		{`query ($w: PersonFilter, $o: [PersonOrderBy!]) { peopleConnection(where: $w, orderBy: $o, first: 2) { edges { cursor node { id } } pageInfo { hasNextPage } } }`, `{"w": {"or": [{"id": {"in": [1, 2]}}, {"color": {"eq": "GREEN"}}]}, "o": {"field": "FIRST_NAME", "direction": "DESC"}}`},
		{`query Q($id: Int! = 1) { person(id: $id) { ...F address { city lines { text } } } } fragment F on Person { id balance score tags createdAt }`, `{"id": 2}`},
		{`{ __schema { types { name kind fields(includeDeprecated: true) { name args { name defaultValue } type { kind name ofType { name } } } } directives { name args { name } } } t: __type(name: "Color") { enumValues { name } } }`, `{}`},
		{`mutation { __typename }`, `{}`},
		{`{ searchPosts(search: """a\nb""", after: "\u{1F600}") { totalCount } }`, `{}`},
		{`{ people @skip(if: $x) { id } }`, `{"x": true}`},
		{`fragment A on Person { ...A } { people { ...A } }`, `{}`},
		{`{ a: people { id } a: people { firstName } }`, `{}`},
	} {
		f.Add(seed.query, seed.vars)
	}
	f.Fuzz(func(t *testing.T, query, varsJSON string) {
		var vars map[string]any
		if v, err := wire.DecodeJSON([]byte(varsJSON)); err == nil {
			vars, _ = v.(map[string]any)
		}
		coded := func(errs ...*wire.Error) {
			for _, e := range errs {
				if e.Code == "" || e.Message == "" {
					t.Fatalf("an error without a code or message: %+v", e)
				}
			}
		}
		op, errs := docs.Operation(query, "", vars)
		if errs != nil {
			coded(errs...)
			return
		}
		for _, field := range op.Fields {
			if field.Err != nil {
				coded(field.Err)
				continue
			}
			switch field.Name {
			case "__schema", "__type":
				if out := docs.Introspection().Answer(field); !json.Valid(out) {
					t.Fatalf("introspection of %q is not JSON: %s", field.Key, out)
				}
			case "__typename":
			default:
				ops := index.Queries
				if op.Kind == operation.Mutation {
					ops = index.Mutations
				}
				if _, err := sqlgen.Compose(index, sqlgen.Limits{MaxPageSize: 1000, MaxDepth: limits.MaxDepth}, ops[field.Name], field, map[string]any{"sub": "u1"}); err != nil {
					coded(wire.As(err, wire.CodeBadUserInput))
				}
			}
		}
	})
}
