package runtime

import (
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
	files, diags, err := compiler.LoadPaths("", []string{"testdata/api.yaml"})
	if err != nil || diags.HasErrors() {
		f.Fatalf("load: %v %v", err, diags)
	}
	plan, diags := compiler.CompileWith(files, compiler.Options{})
	if diags.HasErrors() {
		f.Fatal(diags)
	}
	s, err := newSchema(plan)
	if err != nil {
		f.Fatal(err)
	}
	gql, err := loadSchema(plan)
	if err != nil {
		f.Fatal(err)
	}
	limits := Limits{}.withDefaults()
	docs, err := newDocuments(gql, limits, false)
	if err != nil {
		f.Fatal(err)
	}
	intro, err := loadIntrospection(gql, plan.SDL)
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
		if v, err := decodeJSON([]byte(varsJSON)); err == nil {
			vars, _ = v.(map[string]any)
		}
		coded := func(errs ...*Error) {
			for _, e := range errs {
				if e.Code == "" || e.Message == "" {
					t.Fatalf("an error without a code or message: %+v", e)
				}
			}
		}
		doc := docs.get(query)
		if doc.errs != nil {
			coded(doc.errs...)
			return
		}
		op, e := selectOperation(doc.ast, "")
		if e != nil {
			coded(e)
			return
		}
		exec, errs := s.newExecutable(op, vars)
		if errs != nil {
			coded(errs...)
			return
		}
		r := &request{schema: s, limits: limits, exec: exec, claims: map[string]any{"sub": "u1"}}
		fields, err := r.plan()
		if err != nil {
			coded(asError(err, CodeBadUserInput))
			return
		}
		intro.answer(fields)
		for _, field := range fields {
			if field.err != nil {
				coded(field.err)
			}
			if field.intro != nil && !json.Valid(field.result) {
				t.Fatalf("introspection of %q is not JSON: %s", field.key, field.result)
			}
		}
	})
}
