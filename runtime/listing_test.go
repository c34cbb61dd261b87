package runtime_test

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// ids runs a query whose one root field is a list (or connection nodes)
// of objects with an id, and returns the ids.
func ids(t *testing.T, s *server, query string, vars map[string]any) []int {
	t.Helper()
	var data map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s.query(query, vars, "")), &data); err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, raw := range data {
		var rows []struct{ ID int }
		if err := json.Unmarshal(raw, &rows); err != nil {
			var conn struct{ Nodes []struct{ ID int } }
			if err := json.Unmarshal(raw, &conn); err != nil {
				t.Fatalf("%s: %v", raw, err)
			}
			rows = conn.Nodes
		}
		for _, r := range rows {
			out = append(out, r.ID)
		}
	}
	return out
}

func TestTypedFilters(t *testing.T) {
	for _, withoutCatalog := range []bool{false, true} {
		t.Run(fmt.Sprintf("withoutCatalog=%v", withoutCatalog), func(t *testing.T) {
			s := newServer(t, serverOptions{withoutCatalog: withoutCatalog})
			for _, c := range []struct {
				where string
				want  []int
			}{
				{`{}`, []int{1, 2, 3}},
				{`{firstName: {eq: "Ada"}}`, []int{1}},
				{`{firstName: {neq: "Ada"}}`, []int{2, 3}},
				{`{balance: {gt: "2"}}`, []int{1, 3}},
				{`{balance: {gte: "3"}}`, []int{1, 3}},
				{`{balance: {lt: "3"}}`, []int{2}},
				{`{balance: {lte: "3"}}`, []int{2, 3}},
				{`{balance: {gt: "2", lt: "9007199254740993"}}`, []int{3}},
				{`{score: {gt: "5"}}`, []int{1}},
				{`{id: {in: [3, 1]}}`, []int{1, 3}},
				{`{id: {nin: [1]}}`, []int{2, 3}},
				{`{id: {in: []}}`, nil},
				{`{lastName: {isNull: true}}`, []int{3}},
				{`{lastName: {isNull: false}}`, []int{1, 2}},
				{`{firstName: {like: "A%"}}`, []int{1, 2}},
				{`{firstName: {ilike: "a%"}}`, []int{1, 2}},
				{`{firstName: {startsWith: "Al"}}`, []int{2}},
				{`{firstName: {startsWith: "A%"}}`, nil}, // no wildcards: % is a character
				{`{firstName: {contains: "ra"}}`, []int{3}},
				{`{email: {contains: "_"}}`, nil},
				{`{color: {eq: GREEN}}`, []int{2}},
				{`{color: {in: [RED, DARK_BLUE]}}`, []int{1}},
				{`{color: {nin: [GREEN]}}`, []int{1}}, // NULL is neither in nor not in
				{`{createdAt: {gte: "2024-01-02T03:04:05Z", lt: "2024-01-02T03:04:06Z"}}`, []int{1, 2, 3}},
				{`{or: [{id: {eq: 1}}, {lastName: {isNull: true}}]}`, []int{1, 3}},
				{`{and: [{id: {gte: 2}}, {id: {lte: 2}}]}`, []int{2}},
				{`{not: {firstName: {startsWith: "A"}}}`, []int{3}},
				{`{not: {or: [{id: {eq: 1}}, {id: {eq: 2}}]}, firstName: {neq: "Bob"}}`, []int{3}},
				{`{or: []}`, nil},
				{`{and: []}`, []int{1, 2, 3}},
				{`{firstName: {eq: "x'; DROP TABLE shop.person; --"}}`, nil},
			} {
				got := ids(t, s, `{ people(limit: 10, where: `+c.where+`) { id } }`, nil)
				if !slices.Equal(got, c.want) {
					t.Errorf("where: %s: got %v, want %v", c.where, got, c.want)
				}
			}
			// with a declared filter argument, and through a variable
			if got := ids(t, s, `{ people(color: GREEN, where: {id: {eq: 1}}) { id } }`, nil); len(got) != 0 {
				t.Errorf("declared filter AND where: got %v", got)
			}
			got := ids(t, s, `query($w: PersonFilter) { people(limit: 10, where: $w) { id } }`,
				map[string]any{"w": map[string]any{"firstName": map[string]any{"in": []string{"Ada", "Grace"}}, "color": map[string]any{"isNull": true}}})
			if !slices.Equal(got, []int{3}) {
				t.Errorf("where from a variable: got %v", got)
			}
			if n := s.scalar(`SELECT count(*)::text FROM shop.person`); n != "3" {
				t.Errorf("person has %s rows", n)
			}
		})
	}
}

func TestTypedFilterErrors(t *testing.T) {
	s := newServer(t, serverOptions{})
	deep := `{id: {eq: 1}}`
	for range 9 {
		deep = `{not: ` + deep + `}`
	}
	// The nulls come in variables; literal nulls are probed in tests/e2e.
	for _, c := range []struct {
		where   map[string]any
		message string
	}{
		{map[string]any{"firstName": map[string]any{"eq": nil}}, "use isNull"},
		{map[string]any{"firstName": nil}, "leave it out"},
		{map[string]any{"not": nil}, "leave it out"},
	} {
		r := s.do(call{query: `query($w: PersonFilter) { people(where: $w) { id } }`, vars: map[string]any{"w": c.where}})
		if !slices.Equal(r.codes(), []string{"BAD_USER_INPUT"}) || !strings.Contains(r.body, c.message) {
			t.Errorf("where: %v: got %v %s", c.where, r.codes(), r.body)
		}
	}
	for _, c := range []struct {
		where, code, message string
	}{
		{deep, "BAD_USER_INPUT", "deeper than 8"},
		{`{tags: {eq: "x"}}`, "GRAPHQL_VALIDATION_FAILED", ""},       // not filterable
		{`{firstName: {gt: 1}}`, "GRAPHQL_VALIDATION_FAILED", ""},    // wrong type
		{`{color: {like: "%"}}`, "GRAPHQL_VALIDATION_FAILED", ""},    // no like on enums
		{`{fullName: {eq: "Ada"}}`, "GRAPHQL_VALIDATION_FAILED", ""}, // computed
	} {
		r := s.do(call{query: `{ people(where: ` + c.where + `) { id } }`})
		if !slices.Equal(r.codes(), []string{c.code}) || !strings.Contains(r.body, c.message) {
			t.Errorf("where: %s: got %v %s", c.where, r.codes(), r.body)
		}
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf(`{id: {eq: %d}}`, i)
	}
	r := s.do(call{query: `{ people(where: {or: [` + strings.Join(many, ", ") + `]}) { id } }`})
	if !slices.Equal(r.codes(), []string{"BAD_USER_INPUT"}) {
		t.Errorf("101 conditions: got %v %s", r.codes(), r.body)
	}
}

func TestOrderByInput(t *testing.T) {
	s := newServer(t, serverOptions{})
	if _, err := s.admin.Exec(t.Context(), `INSERT INTO shop.person (id, first_name, last_name, balance) VALUES (4, 'Ada', 'Byron', 3)`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		orderBy string
		want    []int
	}{
		{``, []int{1, 2, 3, 4}}, // the declared order_by
		{`[{field: LAST_NAME}]`, []int{4, 1, 2, 3}},
		{`[{field: LAST_NAME, direction: DESC}]`, []int{3, 2, 1, 4}}, // nulls first when descending
		{`[{field: LAST_NAME, direction: DESC, nulls: LAST}]`, []int{2, 1, 4, 3}},
		{`[{field: LAST_NAME, nulls: FIRST}]`, []int{3, 4, 1, 2}},
		{`[{field: COLOR}]`, []int{2, 1, 3, 4}},                       // enum order: red, green, dark_blue
		{`[{field: FIRST_NAME}]`, []int{1, 4, 2, 3}},                  // the key breaks the tie…
		{`[{field: FIRST_NAME, direction: DESC}]`, []int{3, 2, 4, 1}}, // …in the last term's direction
		{`[{field: BALANCE, direction: DESC}, {field: FIRST_NAME}]`, []int{1, 4, 3, 2}},
		{`[]`, []int{1, 2, 3, 4}},
	} {
		args := "limit: 10"
		if c.orderBy != "" {
			args += ", orderBy: " + c.orderBy
		}
		if got := ids(t, s, `{ people(`+args+`) { id } }`, nil); !slices.Equal(got, c.want) {
			t.Errorf("orderBy %s: got %v, want %v", c.orderBy, got, c.want)
		}
	}
	r := s.do(call{query: `{ people(orderBy: [{field: TAGS}]) { id } }`})
	if !slices.Equal(r.codes(), []string{"GRAPHQL_VALIDATION_FAILED"}) {
		t.Errorf("ordering by a field that is not sortable: %v %s", r.codes(), r.body)
	}
}

// page is a connection as the client sees it.
type page struct {
	TotalCount int
	Edges      []struct {
		Cursor string
		Node   struct{ ID int }
	}
	PageInfo struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
}

func (p page) ids() []int {
	var out []int
	for _, e := range p.Edges {
		out = append(out, e.Node.ID)
	}
	return out
}

const pageSelection = `{ totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }`

func readPage(t *testing.T, s *server, field, args string, vars map[string]any, tok string) page {
	t.Helper()
	if args != "" {
		args = "(" + args + ")"
	}
	decl := ""
	if vars != nil {
		var defs []string
		for k := range vars {
			defs = append(defs, "$"+k+": String")
		}
		slices.Sort(defs)
		decl = "(" + strings.Join(defs, ", ") + ")"
	}
	var data map[string]page
	out := s.query(`query`+decl+` { `+field+args+` `+pageSelection+` }`, vars, tok)
	if err := json.Unmarshal([]byte(out), &data); err != nil {
		t.Fatal(err)
	}
	p := data[field]
	if n := len(p.Edges); n > 0 && (p.PageInfo.StartCursor == nil || *p.PageInfo.StartCursor != p.Edges[0].Cursor ||
		p.PageInfo.EndCursor == nil || *p.PageInfo.EndCursor != p.Edges[n-1].Cursor) {
		t.Errorf("%s(%s): start/end cursors are not the first/last edge's: %s", field, args, out)
	}
	return p
}

func TestConnections(t *testing.T) {
	for _, withoutCatalog := range []bool{false, true} {
		t.Run(fmt.Sprintf("withoutCatalog=%v", withoutCatalog), func(t *testing.T) {
			s := newServer(t, serverOptions{withoutCatalog: withoutCatalog})
			check := func(p page, want []int, next, prev bool, total int) {
				t.Helper()
				if !slices.Equal(p.ids(), want) || p.PageInfo.HasNextPage != next || p.PageInfo.HasPreviousPage != prev || p.TotalCount != total {
					t.Errorf("got ids %v next %v prev %v total %d; want %v %v %v %d", p.ids(), p.PageInfo.HasNextPage, p.PageInfo.HasPreviousPage, p.TotalCount, want, next, prev, total)
				}
			}
			// forward, by the plan's default page size (2)
			p1 := readPage(t, s, "peopleConnection", "", nil, "")
			check(p1, []int{1, 2}, true, false, 3)
			p2 := readPage(t, s, "peopleConnection", "after: $c", map[string]any{"c": *p1.PageInfo.EndCursor}, "")
			check(p2, []int{3}, false, true, 3)
			// backward
			b1 := readPage(t, s, "peopleConnection", "last: 2", nil, "")
			check(b1, []int{2, 3}, false, true, 3)
			b2 := readPage(t, s, "peopleConnection", "last: 2, before: $c", map[string]any{"c": *b1.PageInfo.StartCursor}, "")
			check(b2, []int{1}, true, false, 3)
			// a window between two cursors
			w := readPage(t, s, "peopleConnection", "first: 5, after: $a, before: $b", map[string]any{"a": p1.Edges[0].Cursor, "b": p2.Edges[0].Cursor}, "")
			check(w, []int{2}, false, true, 3)
			empty := readPage(t, s, "peopleConnection", "first: 0", nil, "")
			if len(empty.Edges) != 0 || !empty.PageInfo.HasNextPage || empty.PageInfo.StartCursor != nil {
				t.Errorf("first: 0: %+v", empty)
			}
			// filter and order: cursors carry the order's values
			f1 := readPage(t, s, "peopleConnection", "first: 1, where: {id: {gte: 2}}, orderBy: [{field: FIRST_NAME, direction: DESC}]", nil, "")
			check(f1, []int{3}, true, false, 2)
			f2 := readPage(t, s, "peopleConnection", "first: 1, after: $c, where: {id: {gte: 2}}, orderBy: [{field: FIRST_NAME, direction: DESC}]", map[string]any{"c": *f1.PageInfo.EndCursor}, "")
			check(f2, []int{2}, false, true, 2)
			// nullable order column: NULLs are placed and paged past like values
			var seen []int
			cursor := ""
			for range 5 {
				args := "first: 1, orderBy: [{field: LAST_NAME, direction: DESC}]"
				var vars map[string]any
				if cursor != "" {
					args += ", after: $c"
					vars = map[string]any{"c": cursor}
				}
				p := readPage(t, s, "peopleConnection", args, vars, "")
				seen = append(seen, p.ids()...)
				if !p.PageInfo.HasNextPage {
					break
				}
				cursor = *p.PageInfo.EndCursor
			}
			if !slices.Equal(seen, []int{3, 2, 1}) {
				t.Errorf("paging by a nullable column: %v", seen)
			}
			// a set-returning function, paged
			sp := readPage(t, s, "searchPosts", `search: "o", first: 1`, nil, "")
			check(sp, []int{1}, true, false, 2)
			sp2 := readPage(t, s, "searchPosts", `search: "o", first: 1, after: $c`, map[string]any{"c": *sp.PageInfo.EndCursor}, "")
			check(sp2, []int{3}, false, true, 2)
		})
	}
}

func TestNestedConnection(t *testing.T) {
	s := newServer(t, serverOptions{})
	tok := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 1})
	got := s.query(`{ people(limit: 3) { id postsConnection { totalCount nodes { id } pageInfo { hasNextPage } } } }`, nil, tok)
	want := `{"people":[` +
		`{"id":1,"postsConnection":{"totalCount":2,"nodes":[{"id":1}],"pageInfo":{"hasNextPage":true}}},` +
		`{"id":2,"postsConnection":{"totalCount":1,"nodes":[{"id":3}],"pageInfo":{"hasNextPage":false}}},` +
		`{"id":3,"postsConnection":{"totalCount":0,"nodes":[],"pageInfo":{"hasNextPage":false}}}]}`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	var first struct {
		Person struct{ PostsConnection page }
	}
	if err := json.Unmarshal([]byte(s.query(`{ person(id: 1) { postsConnection `+pageSelection+` } }`, nil, tok)), &first); err != nil {
		t.Fatal(err)
	}
	cursor := *first.Person.PostsConnection.PageInfo.EndCursor
	got = s.query(`query($c: String) { person(id: 1) { postsConnection(after: $c, where: {id: {gt: 0}}) { edges { node { id } } pageInfo { hasNextPage hasPreviousPage } } } }`, map[string]any{"c": cursor}, tok)
	want = `{"person":{"postsConnection":{"edges":[{"node":{"id":2}}],"pageInfo":{"hasNextPage":false,"hasPreviousPage":true}}}}`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestTotalCountOnlyWhenSelected(t *testing.T) {
	s := newServer(t, serverOptions{lone: true})
	s.sent.take()
	s.query(`{ peopleConnection { edges { node { id } } } }`, nil, "")
	if sql := strings.Join(s.sent.take(), "\n"); strings.Contains(sql, "count(*)") {
		t.Errorf("totalCount not selected, but counted:\n%s", sql)
	}
	s.query(`{ peopleConnection { totalCount } }`, nil, "")
	if sql := strings.Join(s.sent.take(), "\n"); !strings.Contains(sql, "count(*)") {
		t.Errorf("totalCount selected, but not counted:\n%s", sql)
	}
}

func TestBadCursorsAndPageSizes(t *testing.T) {
	s := newServer(t, serverOptions{})
	p := readPage(t, s, "peopleConnection", "first: 1", nil, "")
	valid := *p.PageInfo.EndCursor
	raw, _ := base64.StdEncoding.DecodeString(valid)
	var values []any
	if err := json.Unmarshal(raw, &values); err != nil {
		t.Fatalf("cursor %q is not base64 JSON: %v", valid, err)
	}
	forge := func(v ...any) string {
		b, _ := json.Marshal(v)
		return base64.StdEncoding.EncodeToString(b)
	}
	for _, c := range []struct {
		name, args string
		cursor     string
		code       string
	}{
		{"not base64", "after: $c", "%%%", ""},
		{"not JSON", "after: $c", base64.StdEncoding.EncodeToString([]byte("{")), ""},
		{"another order's cursor", "after: $c, orderBy: [{field: FIRST_NAME}]", valid, ""},
		{"wrong signature", "after: $c", forge("00000000", 1), ""},
		{"too few values", "after: $c", forge(values[0]), ""},
		{"an object value", "after: $c", forge(values[0], map[string]any{"a": 1}), ""},
		{"null for a NOT NULL key", "before: $c", forge(values[0], nil), ""},
		{"text for an integer key", "after: $c", forge(values[0], "1; DROP TABLE shop.person"), ""},
		{"first and last", "first: 1, last: 1, after: $c", valid, ""},
		{"first above the cap", "first: 11, after: $c", valid, "PAGE_TOO_LARGE"},
		{"negative last", "last: -1, before: $c", valid, ""},
	} {
		r := s.do(call{query: `query($c: String) { peopleConnection(` + c.args + `) { edges { node { id } } } }`, vars: map[string]any{"c": c.cursor}})
		want := cmp.Or(c.code, "BAD_USER_INPUT")
		if !slices.Equal(r.codes(), []string{want}) || strings.Contains(r.body, "SELECT") {
			t.Errorf("%s: got %v %s", c.name, r.codes(), r.body)
		}
	}
	if n := s.scalar(`SELECT count(*)::text FROM shop.person`); n != "3" {
		t.Errorf("person has %s rows", n)
	}
}
