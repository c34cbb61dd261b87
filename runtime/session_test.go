package runtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gqlplan/gqlplan/auth"
	"github.com/gqlplan/gqlplan/runtime"
)

func TestRoleSettingsAndStatementTimeout(t *testing.T) {
	s := newServer(t, serverOptions{limits: runtime.Limits{StatementTimeout: 2500 * time.Millisecond}})
	member := token(t, jwt.MapClaims{"role": s.roles.member})
	// The default timeout applies to every role; the member's own
	// settings (ALTER ROLE … SET, and … IN DATABASE … SET, which wins)
	// apply when a request switches to it.
	if got := s.query(`{ session { statementTimeout tenant } }`, nil, ""); got != `{"session":{"statementTimeout":"2500ms","tenant":null}}` {
		t.Errorf("anonymous: %s", got)
	}
	if got := s.query(`{ session { statementTimeout tenant } }`, nil, member); got != `{"session":{"statementTimeout":"2500ms","tenant":"acme-here"}}` {
		t.Errorf("member: %s", got)
	}
	// A per-role statement_timeout overrides the default, once the
	// server reloads the roles' settings (NOTIFY gqlplan, 'reload').
	if _, err := s.admin.Exec(context.Background(), "ALTER ROLE "+s.roles.member+" SET statement_timeout = '50ms'"); err != nil {
		t.Fatal(err)
	}
	if got := s.query(`{ session { statementTimeout } }`, nil, member); got != `{"session":{"statementTimeout":"2500ms"}}` {
		t.Errorf("member, before the reload (the settings are cached): %s", got)
	}
	if _, err := s.admin.Exec(context.Background(), "NOTIFY gqlplan, 'reload'"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); s.query(`{ session { statementTimeout } }`, nil, member) != `{"session":{"statementTimeout":"50ms"}}`; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("NOTIFY gqlplan, 'reload' did not reload the member's settings")
		}
	}
	r := s.do(call{query: `{ slow(seconds: 1) { id } }`, token: member})
	if len(r.Errors) != 1 || r.codes()[0] != "TIMEOUT" || strings.Contains(r.body, "pg_sleep") {
		t.Errorf("member, slow query: %s", r.body)
	}
	if got := s.query(`{ slow(seconds: 0.2) { id } }`, nil, ""); !strings.HasPrefix(got, `{"slow":[{"id":1}`) {
		t.Errorf("anonymous, slow query within the default timeout: %s", got)
	}
	// The settings end with the transaction: the next request on the
	// same connection does not inherit them.
	if got := s.query(`{ session { statementTimeout tenant } }`, nil, ""); got != `{"session":{"statementTimeout":"2500ms","tenant":null}}` {
		t.Errorf("anonymous after member: %s", got)
	}
}

// A token of few claims is set by the plain settings statement, one of
// more than it takes by the statement of arrays; both set every claim,
// and the later of a name set twice wins (the role's own settings over
// the default timeout, above).
func TestClaimsOfAnyNumberAreSet(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 1})
	for _, n := range []int{1, 40} {
		claims := jwt.MapClaims{"role": s.roles.member, "person_id": 2, "sub": "user-7"}
		for i := range n {
			claims[fmt.Sprintf("extra_%02d", i)] = i
		}
		got := s.query(`{ session { role personId sub claims } }`, nil, token(t, claims))
		var out struct {
			Session struct {
				Role, PersonID, Sub string
				Claims              map[string]any
			}
		}
		if err := json.Unmarshal([]byte(got), &out); err != nil {
			t.Fatalf("%d extra claims: %s", n, got)
		}
		if se := out.Session; se.Role != s.roles.member || se.PersonID != "2" || se.Sub != "user-7" || len(se.Claims) != n+4 { // and exp
			t.Errorf("%d extra claims: %s", n, got)
		}
	}
	if got := s.query(`{ session { role personId sub } }`, nil, ""); got != `{"session":{"role":"`+s.roles.anon+`","personId":null,"sub":null}}` {
		t.Errorf("anonymous after them, on the same connection: %s", got)
	}
}

func TestTokenIssuance(t *testing.T) {
	s := newServer(t, serverOptions{})
	verifier, err := auth.NewVerifier(context.Background(), auth.Config{Secret: []byte(testSecret)})
	if err != nil {
		t.Fatal(err)
	}
	// A composite row (query) and a jsonb object (mutation) become the
	// claims of a signed token, which this server then accepts.
	for _, c := range []struct{ name, query, field string }{
		{"composite", `{ login(personId: 2) }`, "login"},
		{"jsonb", `mutation { loginJSON(personId: 2) }`, "loginJSON"},
	} {
		r := s.do(call{query: c.query})
		var data map[string]*string
		if err := json.Unmarshal(r.Data, &data); err != nil || len(r.Errors) > 0 || data[c.field] == nil {
			t.Fatalf("%s: %s", c.name, r.body)
		}
		tok := *data[c.field]
		who, e := verifier.Verify(context.Background(), "Bearer "+tok)
		if e != nil {
			t.Fatalf("%s: the issued token is refused: %v", c.name, e)
		}
		if who.Role != s.roles.member || who.Claims["person_id"] == nil || who.Claims["iat"] == nil || who.Claims["exp"] == nil {
			t.Errorf("%s: claims %v", c.name, who.Claims)
		}
		if got := s.query(`{ session { role personId } }`, nil, tok); got != `{"session":{"role":"`+s.roles.member+`","personId":"2"}}` {
			t.Errorf("%s: requests with the issued token run as %s", c.name, got)
		}
	}
	// A row's own exp is kept.
	r := s.do(call{query: `mutation { loginJSON(personId: 2) }`})
	var data map[string]string
	_ = json.Unmarshal(r.Data, &data)
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(data["loginJSON"], claims); err != nil || claims["exp"] != float64(4102444800) {
		t.Errorf("exp of the row: %v %v", claims["exp"], err)
	}
	// No row: a null token, no error.
	if got := s.query(`{ login(personId: 999) }`, nil, ""); got != `{"login":null}` {
		t.Errorf("unknown person: %s", got)
	}
}
