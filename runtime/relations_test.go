package runtime_test

import (
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// Relations and computed fields are read inside the statement of their
// root field, at any depth.
func TestRelationsAndComputedFields(t *testing.T) {
	s := newServer(t, serverOptions{})
	for _, c := range []struct {
		name, query, token, want string
	}{
		{"object relation and computed fields",
			`{ posts { title author { fullName } summary short: summary(length: 4) bang: summary(length: 4, omission: "!") } }`, "",
			`{"posts":[` +
				`{"title":"Notes on the engine","author":{"fullName":"Ada Lovelace"},"summary":"Notes on t…","short":"Note…","bang":"Note!"},` +
				`{"title":"Computable numbers","author":{"fullName":"Alan Turing"},"summary":"Computable…","short":"Comp…","bang":"Comp!"}]}`},
		{"list relation in its declared order, RLS applies inside",
			`{ people(limit: 3) { firstName posts { id } } }`, "",
			`{"people":[{"firstName":"Ada","posts":[{"id":1}]},{"firstName":"Alan","posts":[{"id":3}]},{"firstName":"Grace","posts":[]}]}`},
		{"the author sees the secret post",
			`{ person(id: 1) { posts { id title } } }`, "member:1",
			`{"person":{"posts":[{"id":2,"title":"Ada private"},{"id":1,"title":"Notes on the engine"}]}}`},
		{"a computed field returning a row, and a relation of that row",
			`{ people(limit: 3) { fullName latestPost { title author { firstName latestPost { id } } } } }`, "",
			`{"people":[` +
				`{"fullName":"Ada Lovelace","latestPost":{"title":"Notes on the engine","author":{"firstName":"Ada","latestPost":{"id":1}}}},` +
				`{"fullName":"Alan Turing","latestPost":{"title":"Computable numbers","author":{"firstName":"Alan","latestPost":{"id":3}}}},` +
				`{"fullName":"Grace","latestPost":null}]}`},
		{"aliases, fragments and __typename through relations",
			`{ p: person(id: 2) { __typename who: fullName ...P } } fragment P on Person { posts { __typename by: author { id } } }`, "",
			`{"p":{"__typename":"Person","who":"Alan Turing","posts":[{"__typename":"Post","by":{"id":2}}]}}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			tok := ""
			if c.token == "member:1" {
				tok = token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 1})
			}
			if got := s.query(c.query, nil, tok); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// The look-ahead promise of seed 003: however deep the selection, each
// root field is one SQL statement, and a query request is one round trip.
func TestNestedQueryIsOneStatementPerRootField(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 1, lone: true})
	const q = `{
		posts { title author { fullName latestPost { summary author { fullName } } } }
		people(limit: 1) { posts { author { latestPost { author { fullName } } } } }
	}`
	// The first request connects and prepares the statements, which costs
	// round trips of its own.
	s.query(q, nil, "")
	s.sent.take()
	s.wire.reset()
	got := s.query(q, nil, "")
	want := `{"posts":[` +
		`{"title":"Notes on the engine","author":{"fullName":"Ada Lovelace","latestPost":{"summary":"Notes on t…","author":{"fullName":"Ada Lovelace"}}}},` +
		`{"title":"Computable numbers","author":{"fullName":"Alan Turing","latestPost":{"summary":"Computable…","author":{"fullName":"Alan Turing"}}}}],` +
		`"people":[{"posts":[{"author":{"latestPost":{"author":{"fullName":"Ada Lovelace"}}}}]}]}`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	var selects []string
	for _, sql := range s.sent.take() {
		switch {
		case sql == "BEGIN READ ONLY", sql == "COMMIT", strings.HasPrefix(sql, "SELECT num_nulls(set_config("):
			continue
		}
		selects = append(selects, sql)
	}
	if len(selects) != 2 {
		t.Errorf("want 2 statements (one per root field), got %d:\n%s", len(selects), strings.Join(selects, "\n"))
	}
	if n := s.wire.turnarounds.Load(); n != 1 {
		t.Errorf("want 1 round trip, got %d", n)
	}
}
