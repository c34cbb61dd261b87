package runtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gqlplan/gqlplan/runtime"
)

func TestGraphQLOverHTTP(t *testing.T) {
	s := newServer(t, serverOptions{})
	const ok = `{ person(id: 1) { id } }`
	for _, c := range []struct {
		name   string
		call   call
		status int
		ctype  string
		code   string // first error code, "" for none
	}{
		{"POST, no Accept", call{query: ok}, 200, "application/graphql-response+json", ""},
		{"POST, Accept json", call{query: ok, accept: "application/json"}, 200, "application/json", ""},
		{"POST, Accept */*", call{query: ok, accept: "*/*"}, 200, "application/graphql-response+json", ""},
		{"POST, Accept preferring json", call{query: ok, accept: "application/graphql-response+json;q=0.5, application/json"}, 200, "application/json", ""},
		{"Accept nothing we speak", call{query: ok, accept: "text/html"}, 406, "application/json", "BAD_REQUEST"},
		{"GET query", call{method: "GET", query: `query($id: Int!) { person(id: $id) { id } }`, vars: map[string]any{"id": 1}}, 200, "application/graphql-response+json", ""},
		{"GET mutation", call{method: "GET", query: `mutation { noPerson { id } }`}, 405, "application/graphql-response+json", "BAD_REQUEST"},
		{"PUT", call{method: "PUT", query: ok}, 405, "application/graphql-response+json", "BAD_REQUEST"},
		{"form body", call{body: "query=x", ctype: "application/x-www-form-urlencoded"}, 415, "application/graphql-response+json", "BAD_REQUEST"},
		{"JSON, charset utf-8", call{query: ok, ctype: "application/json; charset=utf-8"}, 200, "application/graphql-response+json", ""},
		{"JSON in capitals, no space", call{query: ok, ctype: "Application/JSON;charset=UTF-8"}, 200, "application/graphql-response+json", ""},
		{"JSON, spelled with spaces", call{query: ok, ctype: "application/json ;  charset=\"utf-8\""}, 200, "application/graphql-response+json", ""},
		{"JSON, charset latin1", call{query: ok, ctype: "application/json; charset=latin1"}, 415, "application/graphql-response+json", "BAD_REQUEST"},
		{"JSON, a type that starts like it", call{query: ok, ctype: "application/jsonx"}, 415, "application/graphql-response+json", "BAD_REQUEST"},
		{"no Content-Type", call{query: ok, ctype: " "}, 415, "application/graphql-response+json", "BAD_REQUEST"},
		{"not JSON", call{body: "{"}, 400, "application/graphql-response+json", "BAD_REQUEST"},
		{"empty body", call{body: " "}, 400, "application/graphql-response+json", "BAD_REQUEST"},
		{"data after the body's object", call{body: `{"query":"{__typename}"} {}`}, 400, "application/graphql-response+json", "BAD_REQUEST"},
		{"a name twice in the body's object", call{body: `{"query":"{__typename}","query":"{ person(id: 1) { id } }"}`}, 400, "application/graphql-response+json", "BAD_REQUEST"},
		{"a name twice in variables", call{body: `{"query":"query($id: Int!) { person(id: $id) { id } }","variables":{"id":1,"id":2}}`}, 400, "application/graphql-response+json", "BAD_REQUEST"},
		{"invalid UTF-8 in the body", call{body: "{\"query\":\"{__typename}\",\"operationName\":\"\xff\"}"}, 400, "application/graphql-response+json", "BAD_REQUEST"},
		{"white space after the body's object", call{body: "{\"query\":\"{__typename}\"}\n\t "}, 200, "application/graphql-response+json", ""},
		{"batch", call{body: `[{"query":"{__typename}"}]`}, 400, "application/graphql-response+json", "BATCHING_DISABLED"},
		{"query not a string", call{body: `{"query":1}`}, 400, "application/graphql-response+json", "BAD_REQUEST"},
		{"variables not an object", call{body: `{"query":"{__typename}","variables":[]}`}, 400, "application/graphql-response+json", "BAD_REQUEST"},
		{"parse error", call{query: `{ person(id: 1) { id }`}, 400, "application/graphql-response+json", "GRAPHQL_PARSE_FAILED"},
		{"parse error, legacy json", call{query: `{ person(`, accept: "application/json"}, 200, "application/json", "GRAPHQL_PARSE_FAILED"},
		{"validation error", call{query: `{ person(id: 1) { nope } }`}, 400, "application/graphql-response+json", "GRAPHQL_VALIDATION_FAILED"},
		// A literal that no variable can fix is a validation error, as
		// graphql-js's ValuesOfCorrectTypeRule says; through a variable it
		// is bad input.
		{"Int literal beyond 32 bits", call{query: `{ person(id: 2147483648) { id } }`}, 400, "application/graphql-response+json", "GRAPHQL_VALIDATION_FAILED"},
		{"Int variable beyond 32 bits", call{query: `query($id: Int!) { person(id: $id) { id } }`, vars: map[string]any{"id": 2147483648}}, 400, "application/graphql-response+json", "BAD_USER_INPUT"},
		{"a document of comments only", call{query: "# nothing here\n  # at all"}, 400, "application/graphql-response+json", "GRAPHQL_PARSE_FAILED"},
		{"fragments only", call{query: `fragment F on Query { __typename }`}, 400, "application/graphql-response+json", "GRAPHQL_VALIDATION_FAILED"},
		{"unknown operation", call{query: `query A { __typename }`, opName: "B"}, 400, "application/graphql-response+json", "BAD_REQUEST"},
		{"two operations, no name", call{query: `query A { __typename } query B { __typename }`}, 400, "application/graphql-response+json", "BAD_REQUEST"},
		{"two operations, named", call{query: `query A { a: __typename } query B { b: __typename }`, opName: "B"}, 200, "application/graphql-response+json", ""},
		{"garbage token", call{query: ok, token: "not.a.token"}, 401, "application/graphql-response+json", "UNAUTHENTICATED"},
		{"expired token", call{query: ok, token: token(t, jwt.MapClaims{"exp": time.Now().Add(-time.Hour).Unix()})}, 401, "application/graphql-response+json", "UNAUTHENTICATED"},
		{"token signed with another key", call{query: ok, token: forged(t, "HS256", "another-secret-of-at-least-32-bytes!!")}, 401, "application/graphql-response+json", "UNAUTHENTICATED"},
		{"alg none", call{query: ok, token: forged(t, "none", "")}, 401, "application/graphql-response+json", "UNAUTHENTICATED"},
	} {
		r := s.do(c.call)
		code := ""
		if len(r.Errors) > 0 {
			code = r.codes()[0]
		}
		if r.status != c.status || !strings.HasPrefix(r.header.Get("Content-Type"), c.ctype) || code != c.code {
			t.Errorf("%s: %d %s %s, want %d %s %q", c.name, r.status, r.header.Get("Content-Type"), r.body, c.status, c.ctype, c.code)
		}
		if c.status == 401 && r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: no WWW-Authenticate", c.name)
		}
		if c.call.token != "" && strings.Contains(s.logs.String(), c.call.token) {
			t.Errorf("%s: the token is in the log", c.name)
		}
	}
}

// forged makes a token the server must refuse: signed with the wrong key,
// or unsigned (alg none).
func forged(t *testing.T, alg, key string) string {
	claims := jwt.MapClaims{"role": "postgres", "exp": time.Now().Add(time.Hour).Unix()}
	if alg == "none" {
		signed, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
		if err != nil {
			t.Fatal(err)
		}
		return signed
	}
	signed, err := jwt.NewWithClaims(jwt.GetSigningMethod(alg), claims).SignedString([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func TestIntrospection(t *testing.T) {
	s := newServer(t, serverOptions{})
	r := s.do(call{query: `{ __schema { queryType { name } mutationType { name } } t: __type(name: "Color") { enumValues { name } } person(id: 1) { id } }`})
	if r.status != 200 || len(r.Errors) > 0 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var data struct {
		Schema struct {
			QueryType, MutationType struct{ Name string }
		} `json:"__schema"`
		T      struct{ EnumValues []struct{ Name string } }
		Person struct{ ID int }
	}
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Fatal(err)
	}
	if data.Schema.QueryType.Name != "Query" || data.Schema.MutationType.Name != "Mutation" || len(data.T.EnumValues) != 3 || data.Person.ID != 1 {
		t.Errorf("introspection: %s", r.body)
	}
	if got := fmt.Sprint(data.T.EnumValues); got != "[{RED} {GREEN} {DARK_BLUE}]" {
		t.Errorf("enum values in declaration order: %s", got)
	}
	// The query GraphiQL sends loads, the same bytes every time.
	r = s.do(call{query: graphiqlIntrospection})
	if r.status != 200 || len(r.Errors) > 0 || !strings.Contains(r.body, `"name":"peopleNamed"`) || !strings.Contains(r.body, `"defaultValue":"2"`) {
		t.Errorf("GraphiQL introspection: %d %.600s", r.status, r.body)
	}
	for i := 0; i < 5; i++ {
		if again := s.do(call{query: graphiqlIntrospection}); again.body != r.body {
			t.Fatal("introspection is not deterministic")
		}
	}
}

func TestHostileDocumentsAreRefusedBeforeTheParser(t *testing.T) {
	// The text limits are raised so each check is reached on its own.
	s := newServer(t, serverOptions{limits: runtime.Limits{MaxDocumentBytes: 1 << 20, MaxAliases: 1 << 20}})
	deep := strings.Repeat("{ a ", 100000) + strings.Repeat("}", 100000)
	deepList := `{ people(ids: ` + strings.Repeat("[", 200000) + strings.Repeat("]", 200000) + `) { id } }`
	bomb := `{ people { ...F0 } }`
	for i := 0; i < 40; i++ {
		bomb += " fragment F" + itoa(i) + " on Person { ...F" + itoa(i+1) + " ...F" + itoa(i+1) + " }"
	}
	bomb += " fragment F40 on Person { id }"
	for _, c := range []struct {
		name, query, code string
	}{
		{"deep selections", deep, "DOCUMENT_TOO_DEEP"},
		{"deep list value", deepList, "DOCUMENT_TOO_DEEP"},
		{"many tokens", "{ " + strings.Repeat("__typename ", 20000) + "}", "TOO_MANY_TOKENS"},
		{"fragment cycle", `fragment A on Person { ...B } fragment B on Person { ...A } { person(id: 1) { ...A } }`, "GRAPHQL_VALIDATION_FAILED"},
		{"unused fragment cycle", `fragment A on Person { id ...A } { __typename }`, "GRAPHQL_VALIDATION_FAILED"},
		{"fragment bomb", bomb, "TOO_MANY_FIELDS"},
		{"deep through fragments", fragmentChain(40), "DOCUMENT_TOO_DEEP"},
	} {
		r := s.do(call{query: c.query})
		if r.status != 400 || len(r.Errors) != 1 || r.codes()[0] != c.code {
			t.Errorf("%s: %d %.300s", c.name, r.status, r.body)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if r := s.do(call{query: strings.Repeat("x", 2<<20), context: ctx}); r.status != 413 || r.codes()[0] != "REQUEST_TOO_LARGE" {
		t.Errorf("2 MiB body: %d %.300s", r.status, r.body)
	}
}

// fragmentChain nests selections n levels deep through fragments (each
// adds one level), which the text scan alone cannot see; it is refused
// before validation looks at the (unknown) fields.
func fragmentChain(n int) string {
	q := `{ person(id: 1) { ...L0 } }`
	for i := 0; i < n; i++ {
		q += " fragment L" + itoa(i) + " on Person { a { ...L" + itoa(i+1) + " } }"
	}
	return q + " fragment L" + itoa(n) + " on Person { id }"
}

func itoa(i int) string { return strconv.Itoa(i) }

const graphiqlIntrospection = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`

// With Server-Timing on, a response says how long its phases took: parse,
// plan, db for a request that ran, parse (and plan) for one refused
// before; off, there is no header.
func TestServerTiming(t *testing.T) {
	s := newServer(t, serverOptions{serverTiming: true})
	ran := regexp.MustCompile(`^parse;dur=\d+\.\d{3}, plan;dur=\d+\.\d{3}, db;dur=\d+\.\d{3}$`)
	if r := s.do(call{query: `{ posts { title } }`}); !ran.MatchString(r.header.Get("Server-Timing")) {
		t.Errorf("a query's Server-Timing: %q", r.header.Get("Server-Timing"))
	}
	refused := regexp.MustCompile(`^parse;dur=\d+\.\d{3}(, plan;dur=\d+\.\d{3})?$`)
	if r := s.do(call{query: `{ nope }`}); !refused.MatchString(r.header.Get("Server-Timing")) {
		t.Errorf("a refused query's Server-Timing: %q", r.header.Get("Server-Timing"))
	}
	off := newServer(t, serverOptions{})
	if r := off.do(call{query: `{ posts { title } }`}); r.header.Get("Server-Timing") != "" {
		t.Errorf("Server-Timing off, the header is %q", r.header.Get("Server-Timing"))
	}
}
