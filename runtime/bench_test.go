package runtime_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gqlplan/gqlplan/internal/nodeid"
	"github.com/gqlplan/gqlplan/runtime"
)

// The request path, measured in layers: the handler with a cached
// document up to (not including) the database, the whole request against
// the test PostgreSQL (a query, and a mutation), and the same in
// parallel. `make bench-runtime` runs them; b.ReportMetric prints
// requests per second.

const benchQuery = `query($id: Int!) { person(id: $id) { id firstName lastName email color balance tags createdAt address { city } } }`

func BenchmarkRequestEndToEnd(b *testing.B) {
	s := newServer(b, serverOptions{})
	body := `{"query":` + quoteJSON(benchQuery) + `,"variables":{"id":1}}`
	tok := token(b, jwt.MapClaims{"role": s.roles.member, "sub": "ada"})
	serveRepeatedly(b, s, body, tok)
}

// BenchmarkMutationEndToEnd is createPost with a token of a few claims,
// as make bench's write workload: one field, so one pipeline of the
// settings and the statement, in the implicit transaction of its Sync.
func BenchmarkMutationEndToEnd(b *testing.B) {
	s := newServer(b, serverOptions{})
	body := `{"query":` + quoteJSON(`mutation($t: String!) { createPost(title: $t) { id title } }`) + `,"variables":{"t":"benchmark"}}`
	tok := token(b, jwt.MapClaims{"role": s.roles.member, "person_id": 1, "sub": "ada", "exp": 4102444800})
	serveRepeatedly(b, s, body, tok)
}

// BenchmarkNodeEndToEnd is one row by its global id, anonymous, as make
// bench's first workload: the id is decoded and checked against its type
// before the statement is bound.
func BenchmarkNodeEndToEnd(b *testing.B) {
	s := newServer(b, serverOptions{})
	body := `{"query":` + quoteJSON(`query($id: ID!) { article(id: $id) { id rowId title } }`) + `,"variables":{"id":` + quoteJSON(nodeid.Encode("Article", 1)) + `}}`
	serveRepeatedly(b, s, body, "")
}

// BenchmarkResolversEndToEnd is a request whose fields run Go: a field
// resolver over each row, an object field resolver picking rows for each
// and a field resolver beneath them (a second round), in the request's
// explicit transaction.
func BenchmarkResolversEndToEnd(b *testing.B) {
	s := newServer(b, serverOptions{})
	body := `{"query":` + quoteJSON(`{ people(limit: 3) { id shout peers { firstName shout(suffix: "!") } } }`) + `}`
	serveRepeatedly(b, s, body, "")
}

// serveRepeatedly is the measured loop of a benchmark of one request:
// allocations, and requests per second.
func serveRepeatedly(b *testing.B, s *server, body, tok string) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		serveOnce(b, s, body, tok)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

func BenchmarkRequestEndToEndParallel(b *testing.B) {
	s := newServer(b, serverOptions{maxConns: 8})
	body := `{"query":` + quoteJSON(`{ myNotes { id body color meta { length } } people(limit: 3) { id firstName } }`) + `}`
	tok := token(b, jwt.MapClaims{"role": s.roles.member, "sub": "ada"})
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			serveOnce(b, s, body, tok)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkRequestWithoutDatabase is the path up to the database: HTTP
// parameters, token verification, the cached document, variable coercion,
// planning and the response. Its query needs a claim the token lacks, so
// it stops right before SQL.
func BenchmarkRequestWithoutDatabase(b *testing.B) {
	benchmarkWithoutDatabase(b, serverOptions{}, `{"query":`+quoteJSON(`query($n: Boolean!) { myNotes @include(if: $n) { id body meta { length owner { name } } } }`)+`,"variables":{"n":true}}`)
}

// benchmarkWithoutDatabase measures body, a request of myNotes without the
// claim it needs, up to the database (see
// BenchmarkRequestWithoutDatabase).
func benchmarkWithoutDatabase(b *testing.B, opts serverOptions, body string) {
	s := newServer(b, opts)
	tok := token(b, jwt.MapClaims{"role": s.roles.member}) // no "sub"
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, postRequest(body, tok))
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "FORBIDDEN") {
			b.Fatal(rec.Body.String())
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

func serveOnce(b *testing.B, s *server, body, tok string) {
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, postRequest(body, tok))
	if rec.Code != 200 || strings.Contains(rec.Body.String(), `"errors"`) {
		b.Fatal(rec.Body.String())
	}
}

// postRequest is a POST of the JSON body to /graphql, as tok when set.
func postRequest(body, tok string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return req
}

func quoteJSON(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// BenchmarkTrustedDocumentByID and BenchmarkTrustedDocumentAsText are a
// request of a client's size (a fragment, 90 aliases: 1.4 KB) with
// --trusted-documents only, up to the database as
// BenchmarkRequestWithoutDatabase: named by its documentId, and sent as
// text, which the server decodes from the body and hashes to find it
// trusted; BenchmarkUntrustedDocument is the same text without trusted
// documents.
var benchClientDocument = func() string {
	var b strings.Builder
	b.WriteString("query Notes($n: Boolean!) { myNotes @include(if: $n) { ...NoteFields } }\nfragment NoteFields on Note {\n  id\n  meta { length owner { name } }\n")
	for i := range 90 {
		fmt.Fprintf(&b, "  body%02d: body\n", i)
	}
	b.WriteString("}\n")
	return b.String()
}()

func BenchmarkTrustedDocumentByID(b *testing.B) {
	benchmarkWithoutDatabase(b, serverOptions{trusted: runtime.TrustedOnly, documents: []string{benchClientDocument}},
		`{"documentId":"sha256:`+hexSum(benchClientDocument)+`","variables":{"n":true}}`)
}

func BenchmarkTrustedDocumentAsText(b *testing.B) {
	benchmarkWithoutDatabase(b, serverOptions{trusted: runtime.TrustedOnly, documents: []string{benchClientDocument}},
		`{"query":`+quoteJSON(benchClientDocument)+`,"variables":{"n":true}}`)
}

func BenchmarkUntrustedDocument(b *testing.B) {
	benchmarkWithoutDatabase(b, serverOptions{}, `{"query":`+quoteJSON(benchClientDocument)+`,"variables":{"n":true}}`)
}
