package runtime_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

func TestQueryColumnsShape(t *testing.T) {
	s := newServer(t, serverOptions{})
	got := s.query(`{ people(limit: 10) { id firstName lastName email color balance score tags createdAt address { city lines { text } } } }`, nil, "")
	want := `{"people":[` +
		`{"id":1,"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com","color":"DARK_BLUE","balance":"9007199254740993","score":"12.50","tags":["math","poetry"],"createdAt":"2024-01-02T03:04:05+00:00","address":{"city":"London","lines":[{"text":"12 St James Sq"}]}},` +
		`{"id":2,"firstName":"Alan","lastName":"Turing","email":"alan@example.com","color":"GREEN","balance":"2","score":null,"tags":[],"createdAt":"2024-01-02T03:04:05+00:00","address":null},` +
		`{"id":3,"firstName":"Grace","lastName":null,"email":"grace@example.com","color":null,"balance":"3","score":"1.00","tags":["navy"],"createdAt":"2024-01-02T03:04:05+00:00","address":{"city":"Arlington","lines":null}}]}`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestQueryJSONBShape(t *testing.T) {
	s := newServer(t, serverOptions{})
	tok := token(t, jwt.MapClaims{"sub": "ada"})
	got := s.query(`{ myNotes { id body color stars meta { length owner { name } } labels { color name } } }`, nil, tok)
	want := `{"myNotes":[` +
		`{"id":"1","body":"first","color":"RED","stars":"5","meta":{"length":5,"owner":{"name":"ada"}},"labels":[{"color":"RED","name":"x"},{"color":"DARK_BLUE","name":"y"}]},` +
		`{"id":"2","body":"second","color":"DARK_BLUE","stars":"12345678901234","meta":{"length":6,"owner":{"name":"ada"}},"labels":[{"color":"RED","name":"x"},{"color":"DARK_BLUE","name":"y"}]}]}`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestQueryArgumentsOrderLimitAndSingle(t *testing.T) {
	// With catalog facts every parameter is cast ($1::bigint, $2::text[]…);
	// without them PostgreSQL infers the types. The answers are the same.
	for _, withoutCatalog := range []bool{false, true} {
		t.Run(fmt.Sprintf("withoutCatalog=%v", withoutCatalog), func(t *testing.T) {
			testQueryArguments(t, newServer(t, serverOptions{withoutCatalog: withoutCatalog}))
		})
	}
}

func testQueryArguments(t *testing.T, s *server) {
	for _, c := range []struct {
		query string
		vars  map[string]any
		want  string
	}{
		// default limit from the plan (2), then offset, then explicit limit
		{`{ people { id } }`, nil, `{"people":[{"id":1},{"id":2}]}`},
		{`{ people(offset: 2) { id } }`, nil, `{"people":[{"id":3}]}`},
		{`query($l: Int) { people(limit: $l) { id } }`, map[string]any{"l": 1}, `{"people":[{"id":1}]}`},
		// filters: enum (GraphQL name → SQL value), in, gte on BigInt, ilike
		{`{ people(color: GREEN) { firstName } }`, nil, `{"people":[{"firstName":"Alan"}]}`},
		{`query($c: Color) { people(color: $c) { firstName } }`, map[string]any{"c": "DARK_BLUE"}, `{"people":[{"firstName":"Ada"}]}`},
		{`{ people(ids: [3, 1], limit: 10) { id } }`, nil, `{"people":[{"id":1},{"id":3}]}`},
		{`query($ids: [Int!]) { people(ids: $ids) { id } }`, map[string]any{"ids": []int{2}}, `{"people":[{"id":2}]}`},
		{`{ people(minBalance: "3", limit: 10) { id } }`, nil, `{"people":[{"id":1},{"id":3}]}`},
		{`{ people(nameLike: "a%", limit: 10) { id } }`, nil, `{"people":[{"id":1},{"id":2}]}`},
		// ordering from the plan
		{`{ peopleByBalance { id } }`, nil, `{"peopleByBalance":[{"id":1},{"id":3},{"id":2}]}`},
		// single: a row, no row
		{`{ person(id: 2) { firstName } }`, nil, `{"person":{"firstName":"Alan"}}`},
		{`{ person(id: 99) { firstName } }`, nil, `{"person":null}`},
		// a set-returning function source with an argument
		{`{ peopleNamed(prefix: "A") { firstName } }`, nil, `{"peopleNamed":[{"firstName":"Ada"},{"firstName":"Alan"}]}`},
		// aliases, __typename, several root fields, in selection order
		{`{ b: person(id: 2) { __typename name: firstName } a: person(id: 1) { id firstName } __typename }`, nil,
			`{"b":{"__typename":"Person","name":"Alan"},"a":{"id":1,"firstName":"Ada"},"__typename":"Query"}`},
		// named and inline fragments, merged with plain fields
		{`query { person(id: 1) { ...names ... on Person { email } id firstName } } fragment names on Person { firstName lastName }`, nil,
			`{"person":{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com","id":1}}`},
		// @skip / @include, literal and variable
		{`query($yes: Boolean!) { person(id: 1) { id email @include(if: $yes) firstName @skip(if: true) lastName @include(if: false) } }`,
			map[string]any{"yes": true}, `{"person":{"id":1,"email":"ada@example.com"}}`},
		{`query($no: Boolean = false) { person(id: 1) @include(if: $no) { id } x: person(id: 2) { id } }`, nil, `{"x":{"id":2}}`},
		// an alias that looks like SQL is only ever a bound value
		{`{ person(id: 1) { x_1_or_1_eq_1: firstName } }`, nil, `{"person":{"x_1_or_1_eq_1":"Ada"}}`},
	} {
		if got := s.query(c.query, c.vars, ""); got != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.query, got, c.want)
		}
	}
}

func TestQueryFieldErrors(t *testing.T) {
	s := newServer(t, serverOptions{})
	// Over the plan's max: a field error, the other root field still answers.
	r := s.do(call{query: `{ people(limit: 11) { id } person(id: 1) { id } }`})
	if r.status != 200 || r.data(t) != `null` || len(r.Errors) != 1 || r.codes()[0] != "PAGE_TOO_LARGE" {
		t.Errorf("limit over max: %d %s", r.status, r.body) // people is non-null, so data is null
	}
	r = s.do(call{query: `{ person(id: 1) { id } anyPerson { id } p2: person(id: 2) { id } }`})
	if r.status != 200 || r.data(t) != `{"person":{"id":1},"anyPerson":null,"p2":{"id":2}}` || len(r.Errors) != 1 {
		t.Fatalf("a failing field among others: %d %s", r.status, r.body)
	}
	if r.codes()[0] != "INTERNAL_SERVER_ERROR" || fmt.Sprint(r.Errors[0].Path) != "[anyPerson]" {
		t.Errorf("a failing field among others: %d %s", r.status, r.body)
	}
	if strings.Contains(r.body, "SELECT") || strings.Contains(r.body, "more than one row") {
		t.Errorf("database details leaked outside --dev: %s", r.body)
	}
	if id := r.Errors[0].Extensions["requestId"]; id != r.header.Get("X-Request-Id") || id == "" {
		t.Errorf("masked error has request id %v, header %q", id, r.header.Get("X-Request-Id"))
	}
	dev := newServer(t, serverOptions{dev: true})
	r = dev.do(call{query: `{ anyPerson { id } }`})
	if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "more than one row") {
		t.Errorf("--dev shows the database message: %s", r.body)
	}
}

func TestVariablesCoercedStrictly(t *testing.T) {
	s := newServer(t, serverOptions{})
	for _, c := range []struct {
		query string
		vars  map[string]any
	}{
		{`query($id: Int!) { person(id: $id) { id } }`, map[string]any{"id": "1"}},      // a string is not an Int
		{`query($id: Int!) { person(id: $id) { id } }`, map[string]any{"id": 1.5}},      // nor a float
		{`query($id: Int!) { person(id: $id) { id } }`, map[string]any{"id": 1 << 40}},  // nor beyond 32 bits
		{`query($id: Int!) { person(id: $id) { id } }`, map[string]any{}},               // required
		{`query($id: Int!) { person(id: $id) { id } }`, map[string]any{"id": nil}},      // non-null
		{`query($c: Color) { people(color: $c) { id } }`, map[string]any{"c": "green"}}, // the SQL value is not the name
		{`query($b: BigInt) { people(minBalance: $b) { id } }`, map[string]any{"b": "1e3"}},
	} {
		r := s.do(call{query: c.query, vars: c.vars})
		if r.status != 400 || len(r.Errors) != 1 || r.codes()[0] != "BAD_USER_INPUT" || r.Data != nil {
			t.Errorf("%s %v: %d %s", c.query, c.vars, r.status, r.body)
		}
	}
}

// TestDateTimeOffsetsAreHonoured: a DateTime reads timestamptz, written
// with its offset, and an instant sent with any offset selects the same
// rows as the same instant in UTC.
func TestDateTimeOffsetsAreHonoured(t *testing.T) {
	s := newServer(t, serverOptions{})
	var out struct {
		People []struct{ CreatedAt string }
	}
	if err := json.Unmarshal([]byte(s.query(`{ people(limit: 1) { createdAt } }`, nil, "")), &out); err != nil || len(out.People) != 1 {
		t.Fatalf("people: %v %+v", err, out)
	}
	if at := out.People[0].CreatedAt; !strings.HasSuffix(at, "+00:00") && !strings.HasSuffix(at, "Z") {
		t.Errorf("createdAt %q carries no offset", at)
	}
	const q = `query ($at: DateTime!) { people(limit: 10, where: {createdAt: {lt: $at}}) { id } }`
	utc := s.query(q, map[string]any{"at": "2024-01-02T03:04:06Z"}, "")
	if utc == `{"people":[]}` {
		t.Fatalf("no person created before 2024-01-02T03:04:06Z: %s", utc)
	}
	if shifted := s.query(q, map[string]any{"at": "2024-01-02T08:04:06+05:00"}, ""); shifted != utc {
		t.Errorf("the same instant with +05:00 selects %s, in UTC %s", shifted, utc)
	}
	if before := s.query(q, map[string]any{"at": "2024-01-02T03:04:06+05:00"}, ""); before == utc {
		t.Errorf("an earlier instant (+05:00) selects the same rows: %s", before)
	}
}
