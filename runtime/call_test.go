package runtime_test

import "testing"

// Functions are called with named notation: arguments reach the
// parameters of their names whatever order they are declared in, an
// argument the client leaves out is left out of the call (its SQL
// default applies), and an explicit null is passed as NULL.
func TestFunctionArgumentsByName(t *testing.T) {
	s := newServer(t, serverOptions{})
	const byVariable = `mutation ($n: String) { greet(name: $n) }`
	for _, c := range []struct {
		query string
		vars  map[string]any
		want  string
	}{
		{`mutation { greet }`, nil, `{"greet":"hello world!"}`},
		{`mutation { greet(punctuation: "?") }`, nil, `{"greet":"hello world?"}`},
		{`mutation { greet(name: "Ada") }`, nil, `{"greet":"hello Ada!"}`},
		{`mutation { greet(punctuation: ".", name: "Ada") }`, nil, `{"greet":"hello Ada."}`},
		{`mutation { greet(name: null) }`, nil, `{"greet":"hello (null)!"}`},
		{byVariable, nil, `{"greet":"hello world!"}`},                       // a variable not given: absent
		{byVariable, map[string]any{"n": nil}, `{"greet":"hello (null)!"}`}, // given as null: NULL
		{`mutation { greet(punctuation: null) }`, nil, `{"greet":null}`},
	} {
		if got := s.query(c.query, c.vars, ""); got != c.want {
			t.Errorf("%s %v: %s, want %s", c.query, c.vars, got, c.want)
		}
	}
}
