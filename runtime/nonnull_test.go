package runtime_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"

	"github.com/gqlplan/gqlplan/internal/npmclients"
	"github.com/gqlplan/gqlplan/runtime/internal/nonnull"
)

// TestNonNullAsGraphQLJS serves documents of the issue tracker
// (testdata/tracker) whose non-null fields meet nulls — a nullable
// column, a relation over a null key, a relation whose row RLS hides, a
// function's NULL, an enum label the GraphQL enum lacks — in objects,
// lists, connections and lists of lists, and compares each response with
// what graphql-js (17 and 16) answers for the same schema over the same
// rows: the data with its nulls placed, and the errors with their
// messages, paths and locations, in order.
func TestNonNullAsGraphQLJS(t *testing.T) {
	npmclients.Install(t)
	s := newServer(t, serverOptions{fixture: "testdata/tracker"})
	claims := map[string]any{"role": s.roles.member, "tenant_id": float64(1)}
	tok := token(t, jwt.MapClaims(map[string]any{"role": s.roles.member, "tenant_id": 1}))
	docs := []string{
		// Nothing null: the markers are not written, the result is as is.
		`{ issue(rowId: 1) { rowId title status assigneeIdNN assigneeRequired { name } project { name } bodyLen labels { rowId } } }`,
		// Each kind of null, in a nullable root object.
		`{ issue(rowId: 2) { rowId assigneeIdNN } }`,
		`{ issue(rowId: 2) { rowId assigneeRequired { name } } }`,
		`{ issue(rowId: 2) { rowId bodyLen } }`,
		`{ issue(rowId: 3) { rowId project { name } } }`,
		`{ issue(rowId: 4) { rowId status } }`,
		`{ issue(rowId: 4) { rowId maybeStatus } }`,
		`{ issue(rowId: 1) { rowId labels { rowId name } } }`,
		// A non-null root: the data is null; the other root field is not run.
		`{ issueNN(rowId: 2) { rowId bodyLen } ok: issue(rowId: 1) { title } }`,
		`{ ok: issue(rowId: 1) { title } issueNN(rowId: 2) { rowId bodyLen } }`,
		// Lists of non-null elements: the null reaches the list's nullable
		// parent; of nullable ones, the element.
		`{ issues { rowId assigneeRequired { name } } }`,
		`{ maybeIssues { rowId status project { name } } }`,
		`{ maybeIssues { rowId assignee { name } maybeStatus labels { name } } }`,
		// A NULL element of an array column typed [String!]: the list is
		// null, or its parent when the list is non-null too.
		`{ maybeIssues { rowId tags } }`,
		`{ maybeIssues { rowId tagsNN } }`,
		`{ issue(rowId: 1) { tags tagsNN } }`,
		// Connections: nodes and edges are [T!]!, node is T!.
		`{ issuePage(first: 10) { totalCount nodes { rowId bodyLen } } }`,
		`{ issuePage(first: 10) { edges { cursor node { rowId status } } } }`,
		// Two errors under one nullable parent: only the first is reported.
		`{ issue(rowId: 2) { bodyLen assigneeIdNN } }`,
		// A nested field's own argument errors: at its path, under each
		// parent it runs under, and under none when there is none.
		`{ maybeIssues { rowId assignee { name issues(limit: -1) { rowId } } } }`,
		`{ issues(limit: 0) { assignee { issues(limit: -1) { rowId } } } }`,
		`{ projects { name issues(first: 1, last: 1) { totalCount } } }`,
		`{ projects { name issues(first: 1000) { totalCount } } }`,
		`{ projects { name issues(after: "nope") { totalCount } } }`,
		`{ maybeIssues { rowId project { issues(first: -1) { totalCount } } } }`,
		`{ projects { issues(first: 5) { nodes { rowId assignee { issues(offset: -1) { rowId } } } } } }`,
		// Aliases and fragments.
		`{ a: issue(rowId: 3) { ...I } b: issue(rowId: 1) { ...I } } fragment I on Issue { n: rowId p: project { name } }`,
	}
	type outcome struct {
		Data   any `json:"data"`
		Errors []struct {
			Message   string `json:"message"`
			Path      []any  `json:"path"`
			Locations []any  `json:"locations"`
		} `json:"errors"`
	}
	type input struct {
		Query string         `json:"query"`
		Root  map[string]any `json:"root"`
	}
	var cases []input
	var served []outcome
	for _, doc := range docs {
		r := s.do(call{query: doc, token: tok})
		var got outcome
		if err := json.Unmarshal([]byte(r.body), &got); err != nil {
			t.Fatal(err)
		}
		served = append(served, got)
		cases = append(cases, input{Query: doc, Root: s.rawResults(t, doc, claims)})
		if strings.Contains(r.body, "$null") {
			t.Errorf("%s: a marker reached the client: %s", doc, r.body)
		}
	}
	stdin, _ := json.Marshal(map[string]any{"sdl": s.plan.SDL, "cases": cases})
	var ref []struct{ V17, V16 outcome }
	if err := json.Unmarshal([]byte(npmclients.Node(t, stdin, "execute.mjs")), &ref); err != nil {
		t.Fatal(err)
	}
	for i, doc := range docs {
		got, want := served[i], ref[i].V17
		// Served data is JSON with numbers as float64, as graphql-js's is
		// once decoded; errors are compared without the code, which
		// graphql-js does not give.
		if !reflect.DeepEqual(got.Data, want.Data) || !reflect.DeepEqual(got.Errors, want.Errors) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			t.Errorf("%s\n served: %s\ngraphql-js: %s", doc, g, w)
		}
		if !reflect.DeepEqual(ref[i].V16, want) {
			v16, _ := json.Marshal(ref[i].V16)
			t.Logf("%s: graphql-js 16 answers otherwise: %s", doc, v16)
		}
	}
}

// rawResults runs the statements of doc as a request of claims would,
// and returns each root field's value as PostgreSQL built it, its
// markers replaced by what the database held (null, or the enum label):
// the data graphql-js is given.
func (s *server) rawResults(t *testing.T, doc string, claims map[string]any) map[string]any {
	t.Helper()
	stmts, err := s.handler.Compose(doc, nil, claims)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	out := map[string]any{}
	for _, st := range stmts {
		tx, err := s.admin.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var raw []byte
		err = func() error {
			defer tx.Rollback(ctx)
			if _, err := tx.Exec(ctx, "SELECT set_config('role', $1, true), set_config('jwt.claims.tenant_id', $2, true)", claims["role"], fmt.Sprint(claims["tenant_id"])); err != nil {
				return err
			}
			return tx.QueryRow(ctx, st.SQL, st.Args...).Scan(&raw)
		}()
		if err != nil && err != pgx.ErrNoRows {
			t.Fatalf("%s: %v", st.SQL, err)
		}
		var v any
		if raw != nil {
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatal(err)
			}
		}
		out[st.Field] = unmark(v, st.Nulls)
	}
	return out
}

// unmark replaces each marker of v by the value the row held, or, for a
// field whose arguments are wrong, by the error execute.mjs's resolver
// throws.
func unmark(v any, sites []nonnull.Site) any {
	switch v := v.(type) {
	case map[string]any:
		if site, ok := v[nonnull.Key].(float64); ok {
			switch s := sites[int(site)]; {
			case s.Message != "":
				return map[string]any{"__error": s.Message}
			case s.Element: // any non-null elements, then the NULL one
				list := make([]any, int(v["i"].(float64))+1)
				for i := range len(list) - 1 {
					list[i] = "x"
				}
				return list
			}
			return v["v"]
		}
		for k, e := range v {
			v[k] = unmark(e, sites)
		}
	case []any:
		for i, e := range v {
			v[i] = unmark(e, sites)
		}
	}
	return v
}

// TestComputedListLimitAndCost: a set-returning computed field that
// declares its limit is paged by it (limit, offset, PAGE_TOO_LARGE at its
// path) and costed by it, where one without is costed at the server's
// page cap; COST_TOO_HIGH names the field to shrink, with its figure.
func TestComputedListLimitAndCost(t *testing.T) {
	s := newServer(t, serverOptions{fixture: "testdata/tracker"})
	tok := token(t, jwt.MapClaims(map[string]any{"role": s.roles.member, "tenant_id": 1}))
	if got := s.query(`{ issue(rowId: 1) { firstLabels { rowId } two: firstLabels(limit: 2) { rowId } next: firstLabels(offset: 1) { rowId } } }`, nil, tok); got != `{"issue":{"firstLabels":[{"rowId":1}],"two":[{"rowId":1},{"rowId":2}],"next":[{"rowId":2}]}}` {
		t.Errorf("paged labels: %s", got)
	}
	r := s.do(call{query: `{ maybeIssues(limit: 2) { rowId firstLabels(limit: 3) { rowId } } }`, token: tok})
	if r.codes() == nil || len(r.Errors) != 2 || r.Errors[0].Extensions["code"] != "PAGE_TOO_LARGE" || fmt.Sprint(r.Errors[1].Path) != "[maybeIssues 1 firstLabels]" {
		t.Errorf("a page too large, under each issue: %s", r.body)
	}
	// 100 projects × 20 issues × labels: at the page cap (1,000) too
	// costly; at the declared limit, served.
	r = s.do(call{query: `{ allProjects { issues(first: 20) { nodes { labels { name } } } } }`, token: tok})
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "COST_TOO_HIGH" || r.Errors[0].Extensions["field"] != "allProjects.issues.nodes.labels" || r.Errors[0].Extensions["fieldRows"] != float64(1000) ||
		!strings.Contains(r.Errors[0].Message, "the largest factor is allProjects.issues.nodes.labels, up to 1000 rows") {
		t.Errorf("labels at the page cap: %s", r.body)
	}
	if r := s.do(call{query: `{ allProjects { issues(first: 20) { nodes { firstLabels(limit: 2) { rowId } } } } }`, token: tok}); len(r.Errors) > 0 {
		t.Errorf("labels at their declared limit: %s", r.body)
	}
}
