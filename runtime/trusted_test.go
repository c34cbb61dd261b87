package runtime_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gqlplan/gqlplan/runtime"
)

// hexSum is the hex SHA-256 of text.
func hexSum(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// Serving trusted documents only: a request names a plan's document by
// any id a client sends — documentId, Apollo's persisted-query hash,
// Relay's doc_id — by POST or GET, or sends its exact text; any other
// document is refused with PERSISTED_QUERY_NOT_FOUND before it is parsed
// (a syntax error in it is never reported), and introspection only with
// AllowIntrospection. A mutation named by id over GET is still 405.
func TestTrustedDocumentsOnly(t *testing.T) {
	const people = `query People { people { id } }`
	const publish = `mutation Publish { createPost(title: "trusted") { title } }`
	const intro = `{ __schema { queryType { name } } }`
	s := newServer(t, serverOptions{trusted: runtime.TrustedOnly, documents: []string{people, publish}})
	id := "sha256:" + hexSum(people)
	tok := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 1})
	for _, c := range []struct {
		name   string
		call   call
		status int
		code   string
	}{
		{"documentId", call{body: `{"documentId":"` + id + `"}`}, 200, ""},
		{"an Apollo persisted-query hash", call{body: `{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"` + hexSum(people) + `"}}}`}, 200, ""},
		{"Relay's doc_id", call{body: `{"doc_id":"relay-` + hexSum(people)[:8] + `","variables":{}}`}, 200, ""},
		{"documentId by GET", call{method: http.MethodGet, rawQuery: "documentId=" + id}, 200, ""},
		{"the document's text", call{query: people}, 200, ""},
		{"its text with an id the plan does not know", call{body: `{"query":` + quoteJSON(people) + `,"extensions":{"persistedQuery":{"version":1,"sha256Hash":"00"}}}`}, 200, ""},
		{"an ad hoc text with an id the plan does not know", call{body: `{"query":"{ people { id firstName } }","documentId":"sha256:00"}`}, 200, "PERSISTED_QUERY_NOT_FOUND"},
		{"a mutation by id", call{body: `{"documentId":"sha256:` + hexSum(publish) + `"}`, token: tok}, 200, ""},
		{"a mutation by id over GET", call{method: http.MethodGet, rawQuery: "documentId=sha256:" + hexSum(publish), token: tok}, 405, "BAD_REQUEST"},
		{"an unknown id", call{body: `{"documentId":"sha256:` + hexSum("nope") + `"}`}, 200, "PERSISTED_QUERY_NOT_FOUND"},
		{"an unknown id by GET", call{method: http.MethodGet, rawQuery: "documentId=sha256:" + hexSum("nope")}, 404, "PERSISTED_QUERY_NOT_FOUND"},
		{"an ad hoc document", call{query: `{ people { id firstName } }`}, 200, "PERSISTED_QUERY_NOT_FOUND"},
		{"an ad hoc document that does not parse", call{query: `{ people { id `}, 200, "PERSISTED_QUERY_NOT_FOUND"},
		{"introspection", call{query: intro}, 200, "PERSISTED_QUERY_NOT_FOUND"},
	} {
		r := s.do(c.call)
		code := ""
		if len(r.Errors) > 0 {
			code = r.codes()[0]
		}
		if r.status != c.status || code != c.code {
			t.Errorf("%s: %d %s, want %d %q", c.name, r.status, r.body, c.status, c.code)
		}
	}
	if !strings.Contains(s.logs.String(), `"trusted":"no"`) || !strings.Contains(s.logs.String(), `"trusted":"yes"`) {
		t.Errorf("the log lines do not say which documents were trusted:\n%s", s.logs)
	}

	open := newServer(t, serverOptions{trusted: runtime.TrustedOnly, allowIntrospection: true, documents: []string{people}})
	if r := open.do(call{query: intro}); len(r.Errors) > 0 {
		t.Errorf("introspection with AllowIntrospection: %s", r.body)
	}
	if r := open.do(call{query: `{ __typename people { id } }`}); len(r.codes()) != 1 || r.codes()[0] != "PERSISTED_QUERY_NOT_FOUND" {
		t.Errorf("introspection and more, with AllowIntrospection: %s", r.body)
	}
}

// Allow serves the plan's documents by id and any other document too;
// off looks no id up: an id alone is PERSISTED_QUERY_NOT_FOUND, which
// automatic persisted queries answer with the text.
func TestTrustedDocumentsAllowAndOff(t *testing.T) {
	const people = `query People { people { id } }`
	allow := newServer(t, serverOptions{trusted: runtime.TrustedAllow, documents: []string{people}})
	if r := allow.do(call{body: `{"documentId":"sha256:` + hexSum(people) + `"}`}); len(r.Errors) > 0 {
		t.Errorf("allow, by id: %s", r.body)
	}
	if r := allow.do(call{query: `{ people { firstName } }`}); len(r.Errors) > 0 {
		t.Errorf("allow, an ad hoc document: %s", r.body)
	}
	off := newServer(t, serverOptions{documents: []string{people}})
	if r := off.do(call{body: `{"documentId":"sha256:` + hexSum(people) + `"}`}); len(r.codes()) != 1 || r.codes()[0] != "PERSISTED_QUERY_NOT_FOUND" {
		t.Errorf("off, by id: %s", r.body)
	}
	if r := off.do(call{query: `{ people { firstName } }`}); len(r.Errors) > 0 {
		t.Errorf("off, a document: %s", r.body)
	}
}

// Over a WebSocket too, a subscription names a trusted document by its
// documentId (or Apollo's hash in extensions), and under only an ad hoc
// one is refused.
func TestTrustedDocumentsOverWebSocket(t *testing.T) {
	const titles = `subscription Titles { liveTitles { id title } }`
	s := newServer(t, serverOptions{trusted: runtime.TrustedOnly, documents: []string{titles}})
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	ws := dialWS(t, srv.URL, nil)
	tok := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 1})
	ws.send(`{"type":"connection_init","payload":{"Authorization":"Bearer ` + tok + `"}}`)
	ws.expect("connection_ack")
	ws.send(`{"type":"subscribe","id":"by-id","payload":{"documentId":"sha256:` + hexSum(titles) + `"}}`)
	if got := ws.expect("next"); !strings.Contains(string(got["payload"]), `"liveTitles"`) {
		t.Errorf("by documentId: %s", got["payload"])
	}
	ws.send(`{"type":"subscribe","id":"by-hash","payload":{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"` + hexSum(titles) + `"}}}}`)
	if got := ws.expect("next"); !strings.Contains(string(got["payload"]), `"liveTitles"`) {
		t.Errorf("by an Apollo hash: %s", got["payload"])
	}
	ws.send(`{"type":"subscribe","id":"ad-hoc","payload":{"query":"subscription { liveTitles { id } }"}}`)
	if got := ws.expect("error"); !strings.Contains(string(got["payload"]), "PERSISTED_QUERY_NOT_FOUND") {
		t.Errorf("an ad hoc subscription: %s", got["payload"])
	}
}

// A trusted operation without variables is collected and composed when
// the plan loads: its first request already reuses the statements (a
// composed-cache hit), and runs as its caller, with the caller's claims:
// each person reads their own notes, as the same query sent ad hoc to
// another server over the same data does.
func TestTrustedDocumentsAreComposedAtLoad(t *testing.T) {
	const mine = `query Mine { myNotes { id body } }`
	s := newServer(t, serverOptions{trusted: runtime.TrustedOnly, documents: []string{mine}})
	plain := newServer(t, serverOptions{}) // the same fixture, ad hoc documents served
	registry := prometheus.NewRegistry()
	registry.MustRegister(s.handler.Collector())
	for _, person := range []string{"ada", "alan"} {
		tok := token(t, jwt.MapClaims{"role": s.roles.member, "sub": person})
		r := s.do(call{body: `{"documentId":"sha256:` + hexSum(mine) + `"}`, token: tok})
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %s", person, r.body)
		}
		want := plain.query(mine, nil, token(t, jwt.MapClaims{"role": plain.roles.member, "sub": person}))
		if strings.ReplaceAll(r.data(t), " ", "") != strings.ReplaceAll(want, " ", "") {
			t.Errorf("%s by id: %s; as ad hoc text the server reads %s", person, r.data(t), want)
		}
	}
	families, err := registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var hits, misses float64
	for _, f := range families {
		if f.GetName() != "gqlplan_composed_statements_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			switch m.GetLabel()[0].GetValue() {
			case "hit":
				hits = m.GetCounter().GetValue()
			case "miss":
				misses = m.GetCounter().GetValue()
			}
		}
	}
	if hits < 2 {
		t.Errorf("the trusted requests reused composed statements %v times (misses %v), want both", hits, misses)
	}
}
