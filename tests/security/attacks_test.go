package security

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gqlplan/gqlplan/internal/authtest"
)

const (
	notes      = `{ myNotes { body } }`
	status401  = http.StatusUnauthorized
	status403  = http.StatusForbidden
	unauth     = "UNAUTHENTICATED"
	forbidden  = "FORBIDDEN"
	validation = "GRAPHQL_VALIDATION_FAILED"
)

// onlyAda asserts the response carries Ada's note and nobody else's.
func onlyAda(t *testing.T, body string) {
	if !strings.Contains(body, `"ada note"`) {
		t.Errorf("Ada's note is missing: %s", body)
	}
}

func contains(s string) func(*testing.T, string) {
	return func(t *testing.T, body string) {
		if !strings.Contains(body, s) {
			t.Errorf("the response lacks %q: %.500s", s, body)
		}
	}
}

func lacks(s string) func(*testing.T, string) {
	return func(t *testing.T, body string) {
		if strings.Contains(body, s) {
			t.Errorf("the response has %q: %.500s", s, body)
		}
	}
}

func TestAttacks(t *testing.T) {
	tg := newTarget(t)
	now := tg.now.Unix()
	hs := authtest.HMAC([]byte(secret))
	forge := func(header map[string]any, edits jwt.MapClaims, sign func(string) []byte) string {
		return authtest.Forge(header, tg.claims(edits), sign)
	}
	hsHeader := func(extra map[string]any) map[string]any {
		h := map[string]any{"alg": "HS256", "typ": "JWT"}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}
	attackerKey := authtest.NewRSA(t, "rsa-1") // same kid as the real key
	tg.attacker.Serve(authtest.JWKS(t, attackerKey))
	attackerJWK := func() any {
		var set struct{ Keys []any }
		_ = json.Unmarshal(authtest.JWKS(t, attackerKey), &set)
		return set.Keys[0]
	}()
	otherSecret := authtest.HMAC([]byte("another-secret-0123456789abcdef-0123456789"))
	rsaPublicAsSecret := authtest.HMAC(tg.jwksKey.PublicPEM(t))
	big := strings.Repeat("x", 9000)

	attacks := []attack{
		// Algorithms and signatures.
		{name: "alg none", query: notes, token: forge(map[string]any{"alg": "none"}, nil, nil), status: status401, code: unauth},
		{name: "alg NONE with a signature", query: notes, token: forge(map[string]any{"alg": "NONE"}, nil, hs), status: status401, code: unauth},
		{name: "HS256 signed with the RSA public key (alg confusion)", query: notes, token: forge(hsHeader(map[string]any{"kid": "rsa-1"}), nil, rsaPublicAsSecret), status: status401, code: unauth},
		{name: "wrong signature", query: notes, token: authtest.Tamper(tg.token(t, nil)), status: status401, code: unauth},
		{name: "another secret", query: notes, token: forge(hsHeader(nil), nil, otherSecret), status: status401, code: unauth},
		{name: "RS256 by a key the set does not hold", query: notes, token: forge(map[string]any{"alg": "RS256", "kid": "rsa-1"}, nil, attackerKey.Signs), status: status401, code: unauth},
		{name: "RS256 by the published key", query: notes, token: forge(map[string]any{"alg": "RS256", "kid": "rsa-1"}, nil, tg.jwksKey.Signs), status: 200, sqlRuns: true, check: onlyAda},
		{name: "not a JWT", query: notes, token: "not-a-token", status: status401, code: unauth},
		{name: "Basic credentials", query: notes, header: map[string]string{"Authorization": "Basic YWRhOnB3"}, status: status401, code: unauth},

		// Time claims, each at the leeway boundary.
		{name: "expired beyond the leeway", query: notes, token: tg.token(t, jwt.MapClaims{"exp": now - 31}), status: status401, code: unauth},
		{name: "expired within the leeway", query: notes, token: tg.token(t, jwt.MapClaims{"exp": now - 29}), status: 200, sqlRuns: true, check: onlyAda},
		{name: "nbf beyond the leeway", query: notes, token: tg.token(t, jwt.MapClaims{"nbf": now + 31}), status: status401, code: unauth},
		{name: "nbf within the leeway", query: notes, token: tg.token(t, jwt.MapClaims{"nbf": now + 29}), status: 200, sqlRuns: true, check: onlyAda},
		{name: "iat in the future beyond the leeway", query: notes, token: tg.token(t, jwt.MapClaims{"iat": now + 31}), status: status401, code: unauth},
		{name: "iat in the future within the leeway", query: notes, token: tg.token(t, jwt.MapClaims{"iat": now + 29}), status: 200, sqlRuns: true, check: onlyAda},
		{name: "exp a string", query: notes, token: tg.token(t, jwt.MapClaims{"exp": fmt.Sprint(now + 3600)}), status: status401, code: unauth},
		{name: "nbf a boolean", query: notes, token: tg.token(t, jwt.MapClaims{"nbf": true}), status: status401, code: unauth},
		{name: "iat an object", query: notes, token: tg.token(t, jwt.MapClaims{"iat": map[string]any{"n": 1}}), status: status401, code: unauth},
		{name: "no exp", query: notes, token: tg.token(t, jwt.MapClaims{"exp": nil}), status: status401, code: unauth},

		// Audience and issuer.
		{name: "wrong aud", query: notes, token: tg.token(t, jwt.MapClaims{"aud": "another-api"}), status: status401, code: unauth},
		{name: "no aud", query: notes, token: tg.token(t, jwt.MapClaims{"aud": nil}), status: status401, code: unauth},
		{name: "wrong iss", query: notes, token: tg.token(t, jwt.MapClaims{"iss": "https://evil.test"}), status: status401, code: unauth},
		{name: "no iss", query: notes, token: tg.token(t, jwt.MapClaims{"iss": nil}), status: status401, code: unauth},

		// Headers that point elsewhere or demand extensions.
		{name: "path-traversal kid", query: notes, token: forge(map[string]any{"alg": "RS256", "kid": "../../../../etc/passwd"}, nil, attackerKey.Signs), status: status401, code: unauth},
		{name: "jku to the attacker's keys", query: notes, token: forge(map[string]any{"alg": "RS256", "kid": "rsa-1", "jku": tg.attacker.URL()}, nil, attackerKey.Signs), status: status401, code: unauth},
		{name: "x5u to the attacker", query: notes, token: forge(map[string]any{"alg": "RS256", "kid": "rsa-1", "x5u": tg.attacker.URL() + "/cert.pem"}, nil, attackerKey.Signs), status: status401, code: unauth},
		{name: "embedded jwk", query: notes, token: forge(map[string]any{"alg": "RS256", "jwk": attackerJWK}, nil, attackerKey.Signs), status: status401, code: unauth},
		{name: "unknown crit", query: notes, token: forge(hsHeader(map[string]any{"crit": []any{"http://example.com/ext"}, "http://example.com/ext": true}), nil, hs), status: status401, code: unauth},
		{name: "oversized token", query: notes, token: tg.token(t, jwt.MapClaims{"pad": big}), status: status401, code: unauth},

		// Roles.
		{name: "role claim an array", query: notes, token: tg.token(t, jwt.MapClaims{"role": []any{tg.roles.member}}), status: status403, code: forbidden},
		{name: "role claim an object", query: notes, token: tg.token(t, jwt.MapClaims{"role": map[string]any{"name": tg.roles.member}}), status: status403, code: forbidden},
		{name: "role not allowed", query: notes, token: tg.token(t, jwt.MapClaims{"role": "postgres"}), status: status403, code: forbidden},
		{name: "role not granted", query: notes, token: tg.token(t, jwt.MapClaims{"role": tg.roles.stranger}), status: status403, code: forbidden, sqlRuns: true},
		{name: "role nonexistent", query: notes, token: tg.token(t, jwt.MapClaims{"role": "sec_ghost_role"}), status: status403, code: forbidden, sqlRuns: true},

		// Claim values and names.
		{name: "NUL in a claim value", query: notes, token: tg.token(t, jwt.MapClaims{"sub": "ada\x00bob"}), status: status401, code: unauth},
		{name: "NUL in a nested claim", query: notes, token: tg.token(t, jwt.MapClaims{"app": map[string]any{"x": []any{"\x00"}}}), status: status401, code: unauth},
		{name: "quotes in sub", query: notes, token: tg.token(t, jwt.MapClaims{"sub": `ada' OR '1'='1`}), status: 200, sqlRuns: true, check: contains(`{"data":{"myNotes":[]}}`)},
		{name: "claim names with - and /", query: `{ session { sub claims } }`, token: tg.token(t, jwt.MapClaims{"x-role": "admin", "a/b": "c", "jwt.claims.sub": "bob"}), status: 200, sqlRuns: true,
			check: contains(`{"data":{"session":{"sub":"ada",`)},

		// Inject: the client never sets the owner.
		{name: "argument named like the inject key", query: `{ myNotes(owner: "bob") { body } }`, token: tg.token(t, nil), status: 400, code: validation},
		{name: "variables named like the inject key and claim", query: `query($owner: String) { myNotes { body } }`, vars: map[string]any{"owner": "bob"}, token: tg.token(t, nil), status: 400, code: validation},
		{name: "undeclared variables named like the claim", query: notes, vars: map[string]any{"owner": "bob", "sub": "bob"}, token: tg.token(t, nil), status: 200, sqlRuns: true, check: onlyAda},
		{name: "aliases of the injected field", query: `{ a: myNotes { body } b: myNotes { body } }`, token: tg.token(t, nil), status: 200, sqlRuns: true, check: onlyAda},
		{name: "mutation argument named like the inject key", query: `mutation { addNote(body: "x", stars: 1, weight: 1, pinned: false, owner: "bob") { id } }`, token: tg.token(t, nil), status: 400, code: validation},
		{name: "inject without a token", query: notes, status: status401, code: unauth},

		// SQL metacharacters in every argument type.
		{name: "String", query: `query($n: String!) { personByName(name: $n) { id } }`, vars: map[string]any{"n": `Ada'; DROP TABLE sec.note; --`}, status: 200, sqlRuns: true, check: contains(`{"data":{"personByName":[]}}`)},
		{name: "String in a filter", query: `query($n: String!) { people(where: {name: {startsWith: $n}}) { totalCount } }`, vars: map[string]any{"n": `%' OR 1=1 --`}, status: 200, sqlRuns: true, check: contains(`"totalCount":0`)},
		{name: "ID", query: `query($id: ID!) { note(id: $id) { id } }`, vars: map[string]any{"id": `1 OR 1=1`}, token: tg.token(t, nil), status: 200, code: "BAD_USER_INPUT", sqlRuns: true},
		{name: "Int", query: `query($s: Int) { notesWith(stars: $s) { id } }`, vars: map[string]any{"s": `0 OR 1=1`}, status: 400, code: "BAD_USER_INPUT"},
		{name: "Float", query: `query($w: Float) { notesWith(weight: $w) { id } }`, vars: map[string]any{"w": `1e400`}, status: 400, code: "BAD_USER_INPUT"},
		{name: "Boolean", query: `query($p: Boolean) { notesWith(pinned: $p) { id } }`, vars: map[string]any{"p": `true; DELETE FROM sec.note`}, status: 400, code: "BAD_USER_INPUT"},
		{name: "enum", query: `query($c: Color!) { peopleByColor(color: $c) { id } }`, vars: map[string]any{"c": `RED' OR 'x'='x`}, status: 400, code: "BAD_USER_INPUT"},
		{name: "enum literal", query: `{ peopleByColor(color: red) { id } }`, status: 400, code: validation},
		{name: "String and JSON in a mutation", query: `mutation($b: String!, $m: JSON) { addNote(body: $b, stars: 1, weight: 0.5, pinned: true, meta: $m) { body meta } }`,
			vars:  map[string]any{"b": `x'); DELETE FROM note; --`, "m": map[string]any{"q": `"); DROP TABLE person; --`, "n": []any{`\x00`, "$1"}}},
			token: tg.token(t, nil), status: 200, sqlRuns: true,
			inserts: `["x'); DELETE FROM note; --", {"n": ["\\x00", "$1"], "q": "\"); DROP TABLE person; --"}]`},
		{name: "order field", query: `{ people(orderBy: [{field: "name; DROP TABLE person"}]) { totalCount } }`, status: 400, code: validation},
		{name: "cursor", query: `query($c: String) { people(after: $c) { totalCount } }`, vars: map[string]any{"c": `'); DROP TABLE sec.person; --`}, status: 200, code: "BAD_USER_INPUT"},

		// Documents built to exhaust the server.
		{name: "depth bomb", query: strings.Repeat("{ a ", 5000) + strings.Repeat("}", 5000), status: 400, code: "DOCUMENT_TOO_DEEP"},
		{name: "alias bomb", query: "{ " + aliases(500, "person(id: 1) { name }") + " }", status: 400, code: "TOO_MANY_ALIASES"},
		{name: "thousands of duplicate fields", query: "{ person(id: 1) { " + strings.Repeat("name ", 6000) + "} }", status: 400, code: "TOO_MANY_FIELDS"},
		{name: "deeply nested list literal", query: `{ personByName(name: ` + strings.Repeat("[", 3000) + strings.Repeat("]", 3000) + `) { id } }`, status: 400, code: "DOCUMENT_TOO_DEEP"},
		{name: "cyclic fragments", query: `fragment A on Person { ...B } fragment B on Person { ...A } { person(id: 1) { ...A } }`, status: 400, code: validation},
		{name: "fragment bomb", query: fragmentBomb(30), status: 400, code: "TOO_MANY_FIELDS"},
		{name: "too many root fields", query: "{ " + aliases(40, "__typename") + " }", status: 400, code: "TOO_MANY_ROOT_FIELDS"},
		{name: "too many directives", query: "{ person(id: 1) { " + strings.Repeat("name @include(if: true) ", 60) + "} }", status: 400, code: "TOO_MANY_DIRECTIVES"},
		{name: "too many tokens", query: "{ " + strings.Repeat("a ", 16000) + "}", status: 400, code: "TOO_MANY_TOKENS"},
		{name: "document too large", query: "{ __typename }" + strings.Repeat("#", 200<<10), status: 400, code: "DOCUMENT_TOO_LARGE"},
		{name: "huge variables", query: notes, vars: map[string]any{"x": strings.Repeat("x", 2<<20)}, status: 413, code: "REQUEST_TOO_LARGE"},
		{name: "page above the cap", query: `{ people(first: 100000) { totalCount } }`, status: 200, code: "PAGE_TOO_LARGE"},
		{name: "a statement past the timeout", query: `{ slow(seconds: 5) { id } }`, status: 200, code: "TIMEOUT", sqlRuns: true},

		// Malformed HTTP.
		{name: "malformed JSON", body: `{"query": "{ __typename }"`, status: 400, code: "BAD_REQUEST"},
		{name: "JSON that is not an object", body: `"{ __typename }"`, status: 400, code: "BAD_REQUEST"},
		{name: "batch", body: `[{"query":"{ __typename }"},{"query":"{ __typename }"}]`, status: 400, code: "BATCHING_DISABLED"},
		{name: "wrong content type", body: `{"query":"{ __typename }"}`, ctype: "text/plain", status: 415, code: "BAD_REQUEST"},
		{name: "form content type", body: `query=%7B__typename%7D`, ctype: "application/x-www-form-urlencoded", status: 415, code: "BAD_REQUEST"},
		{name: "mutation over GET", method: http.MethodGet, query: `mutation { addNote(body: "x", stars: 1, weight: 1, pinned: false) { id } }`, token: tg.token(t, nil), status: 405, code: "BAD_REQUEST"},
		{name: "PUT", method: http.MethodPut, query: notes, status: 405, code: "BAD_REQUEST"},
		{name: "introspection when disabled", query: `{ __schema { types { name } } }`, status: 400, code: "INTROSPECTION_DISABLED"},
		{name: "__type when disabled", query: `{ __type(name: "Note") { fields { name } } }`, status: 400, code: "INTROSPECTION_DISABLED"},
		{name: "no suggestions when introspection is disabled", query: `{ myNote { body } }`, status: 400, code: validation, check: lacks("Did you mean")},
		{name: "preflight from another origin", method: http.MethodOptions, header: map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}, status: 403, code: "CORS_ORIGIN_NOT_ALLOWED"},
		{name: "request from another origin gets no CORS grant", query: `{ __typename }`, header: map[string]string{"Origin": "https://evil.example"}, status: 200,
			absentHeader: "Access-Control-Allow-Origin"},
	}
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) { tg.run(t, a) })
	}
	if len(attacks) < 40 {
		t.Errorf("%d attack cases, want at least 40", len(attacks))
	}
	if n := tg.attacker.Fetches.Load(); n != 0 {
		t.Errorf("the attacker's key server was fetched %d times (jku/x5u followed)", n)
	}
}

func TestUnknownKIDBurst(t *testing.T) {
	tg := newTarget(t)
	forger := authtest.NewRSA(t, "")
	start := tg.keys.Fetches.Load()
	var wg sync.WaitGroup
	statements := tg.statements.Load()
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok := authtest.Forge(map[string]any{"alg": "RS256", "kid": fmt.Sprintf("kid-%d", i)}, tg.claims(nil), forger.Signs)
			rec := tg.send(attack{query: notes, token: tok})
			if rec.Code != status401 || !strings.Contains(rec.Body.String(), unauth) {
				t.Errorf("kid-%d: %d %s", i, rec.Code, rec.Body)
			}
		}()
	}
	wg.Wait()
	if n := tg.keys.Fetches.Load() - start; n > 1 {
		t.Errorf("100 unknown kids fetched the key set %d times, want at most once per window", n)
	}
	if n := tg.statements.Load() - statements; n != 0 {
		t.Errorf("%d statements ran", n)
	}
	// The real key still works.
	tok := authtest.Forge(map[string]any{"alg": "RS256", "kid": "rsa-1"}, tg.claims(nil), tg.jwksKey.Signs)
	tg.run(t, attack{query: notes, token: tok, status: 200, sqlRuns: true, check: onlyAda})
}

func aliases(n int, field string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "a%d: %s ", i, field)
	}
	return b.String()
}

func fragmentBomb(levels int) string {
	q := `{ person(id: 1) { ...F0 } }`
	for i := 0; i < levels; i++ {
		q += fmt.Sprintf(" fragment F%d on Person { ...F%d ...F%d }", i, i+1, i+1)
	}
	return q + fmt.Sprintf(" fragment F%d on Person { name }", levels)
}
