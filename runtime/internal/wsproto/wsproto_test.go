package wsproto

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
)

func TestDecode(t *testing.T) {
	for _, c := range []struct {
		in, typ string
		ok      bool
	}{
		{`{"type":"connection_init"}`, ConnectionInit, true},
		{`{"type":"connection_init","payload":{"Authorization":"Bearer x"}}`, ConnectionInit, true},
		{`{"type":"connection_init","payload":null}`, ConnectionInit, true},
		{`{"type":"connection_init","payload":"x"}`, "", false},
		{`{"type":"ping","payload":{}}`, Ping, true},
		{`{"type":"pong"}`, Pong, true},
		{`{"type":"subscribe","id":"1","payload":{"query":"{ a }","variables":{"n":1.50}}}`, Subscribe, true},
		{`{"type":"subscribe","id":"1","payload":{"variables":{}}}`, "", false},
		{`{"type":"subscribe","payload":{"query":"{ a }"}}`, "", false},
		{`{"type":"subscribe","id":"","payload":{"query":"{ a }"}}`, "", false},
		{`{"type":"subscribe","id":"1"}`, "", false},
		{`{"type":"subscribe","id":"1","payload":{"query":1}}`, "", false},
		{`{"type":"complete","id":"1"}`, Complete, true},
		{`{"type":"complete"}`, "", false},
		{`{"type":"next","id":"1","payload":{}}`, "", false}, // the server's, not a client's
		{`{"type":"start","id":"1"}`, "", false},             // subscriptions-transport-ws
		{`{"id":"1"}`, "", false},
		{`{"type":"ping"} {}`, "", false},
		{`[]`, "", false},
		{``, "", false},
	} {
		m, err := Decode([]byte(c.in))
		if (err == nil) != c.ok || c.ok && m.Type != c.typ || !c.ok && !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %+v %v", c.in, m, err)
		}
	}
	m, _ := Decode([]byte(`{"type":"subscribe","id":"1","payload":{"query":"{ a }","variables":{"n":1.50}}}`))
	if m.Subscribe.Variables["n"] != json.Number("1.50") {
		t.Errorf("variables: %#v, want the number exact", m.Subscribe.Variables)
	}
}

// FuzzDecode: any bytes are a message of the protocol or ErrInvalid,
// never a panic; a message read has what its type needs.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"type":"connection_init","payload":{"a":1}}`, `{"type":"subscribe","id":"x","payload":{"query":"{ a }","operationName":null,"variables":{"v":[1,"2",null]},"extensions":{}}}`,
		`{"type":"complete","id":"x"}`, `{"type":"ping"}`, `{"type":"pong","payload":{}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("%q: %v is not ErrInvalid", data, err)
			}
			return
		}
		if !slices.Contains([]string{ConnectionInit, Ping, Pong, Subscribe, Complete}, m.Type) {
			t.Fatalf("%q: read as type %q", data, m.Type)
		}
		if (m.Type == Subscribe || m.Type == Complete) && (m.ID == "" || len(m.ID) > MaxIDLength) {
			t.Fatalf("%q: id %q", data, m.ID)
		}
		if _, hashed := m.Subscribe.Extensions["persistedQuery"]; m.Type == Subscribe && m.Subscribe.Query == "" && m.Subscribe.DocumentID == "" && !hashed {
			t.Fatalf("%q: subscribe without a query or a document's id", data)
		}
	})
}
