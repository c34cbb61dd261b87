package runtime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gqlplan/gqlplan/extend"
	"github.com/gqlplan/gqlplan/runtime"
)

// shoutCalls and echoCalls count the calls of two resolvers.
var shoutCalls, echoCalls, peerCalls atomic.Int64

// goString writes a resolver's value with its Go types, to compare.
func goString(v any) string {
	switch v := v.(type) {
	case []any:
		parts := make([]string, len(v))
		for i, item := range v {
			parts[i] = goString(item)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case map[string]any:
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(v)) {
			parts = append(parts, k+":"+goString(v[k]))
		}
		return "{" + strings.Join(parts, " ") + "}"
	case extend.NodeID:
		return fmt.Sprintf("NodeID(%s %s)", v.Type, goString(v.Key))
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

// testResolvers are the resolvers testdata/api.yaml names.
func testResolvers() extend.Resolvers {
	return extend.Resolvers{
		Operations: map[string]extend.OperationFunc{
			"pickPeople": func(_ context.Context, _ *extend.Request, args map[string]any) (extend.Result, error) {
				ids, _ := args["ids"].([]any)
				return extend.Rows(ids...), nil
			},
			// whoAmI reports what it was given and what the transaction
			// it was given says.
			"whoAmI": func(ctx context.Context, req *extend.Request, _ map[string]any) (extend.Result, error) {
				var user, personID string
				err := req.Tx.QueryRow(ctx, `SELECT current_user::text, coalesce(current_setting('jwt.claims.person_id', true), '')`).Scan(&user, &personID)
				return extend.Value(fmt.Sprintf("role=%s claim=%v db_user=%s db_claim=%s id=%t", req.Role, req.Claims["person_id"], user, personID, req.ID != "")), err
			},
			"peopleWhere": func(_ context.Context, _ *extend.Request, args map[string]any) (extend.Result, error) {
				return extend.Where("first_name LIKE $1 || '%' AND first_name <> '$1' AND id <> $2", args["prefix"], 0), nil
			},
			"explode": func(context.Context, *extend.Request, map[string]any) (extend.Result, error) {
				panic("boom")
			},
			"endTransaction": func(ctx context.Context, req *extend.Request, args map[string]any) (extend.Result, error) {
				_, err := req.Tx.Exec(ctx, args["sql"].(string))
				return extend.Value(fmt.Sprint(err)), nil
			},
			"addPersonThenFail": func(ctx context.Context, req *extend.Request, args map[string]any) (extend.Result, error) {
				name, _ := args["firstName"].(string)
				if _, err := req.Tx.Exec(ctx, `SELECT shop.add_person($1, $1 || '@example.com')`, name); err != nil {
					return extend.Result{}, err
				}
				if args["panic"] == true {
					panic("after the write")
				}
				return extend.Result{}, extend.Errorf("APP_REFUSED", "%s may not stay", name)
			},
			// addPeopleTrying adds each person in a savepoint of its own:
			// one that fails is rolled back and reported, and the next goes
			// on in the same transaction.
			"addPeopleTrying": func(ctx context.Context, req *extend.Request, args map[string]any) (extend.Result, error) {
				var outcomes []any
				for _, email := range args["emails"].([]any) {
					err := req.Tx.Savepoint(ctx, func(tx extend.Tx) error {
						_, err := tx.Exec(ctx, `SELECT shop.add_person('Tried', $1)`, email)
						return err
					})
					var pgErr *pgconn.PgError
					switch {
					case errors.As(err, &pgErr):
						outcomes = append(outcomes, fmt.Sprintf("%s: %s", email, pgErr.ConstraintName))
					case err != nil:
						return extend.Result{}, err
					default:
						outcomes = append(outcomes, fmt.Sprintf("%s: added", email))
					}
				}
				return extend.Value(outcomes), nil
			},
			"echoValues": func(_ context.Context, _ *extend.Request, args map[string]any) (extend.Result, error) {
				echoCalls.Add(1)
				var out []any
				for _, name := range slices.Sorted(maps.Keys(args)) {
					out = append(out, fmt.Sprintf("%s=%s", name, goString(args[name])))
				}
				return extend.Value(out), nil
			},
			"colorsNamed": func(_ context.Context, _ *extend.Request, args map[string]any) (extend.Result, error) {
				return extend.Value(args["names"]), nil
			},
			"countOf": func(_ context.Context, _ *extend.Request, args map[string]any) (extend.Result, error) {
				return extend.Value(args["text"]), nil // a string for an Int
			},
			"addPersonReturning": func(ctx context.Context, req *extend.Request, args map[string]any) (extend.Result, error) {
				var id int64
				err := req.Tx.QueryRow(ctx, `SELECT (shop.add_person($1, lower($1) || '@example.net')).id`, args["firstName"]).Scan(&id)
				return extend.Object(map[string]extend.Result{"person": extend.Rows(id)}), err
			},
			"execSQL": func(ctx context.Context, req *extend.Request, args map[string]any) (extend.Result, error) {
				_, err := req.Tx.Exec(ctx, args["sql"].(string))
				return extend.Value("done"), err
			},
		},
		Fields: map[string]extend.FieldFunc{
			// peers: the people of ids 1 to 3 other than the row, highest
			// first (an id with no visible row, 99, is left out).
			"peers": func(_ context.Context, _ *extend.Request, parents []extend.Parent) ([]any, error) {
				peerCalls.Add(1)
				out := make([]any, len(parents))
				for i, p := range parents {
					id, _ := p.Requires["id"].(json.Number).Int64()
					var keys []any
					for _, k := range []int64{99, 3, 2, 1} {
						if k != id {
							keys = append(keys, k)
						}
					}
					out[i] = extend.Rows(keys...)
				}
				return out, nil
			},
			// mentor: the person before, none for the first.
			"mentor": func(_ context.Context, _ *extend.Request, parents []extend.Parent) ([]any, error) {
				out := make([]any, len(parents))
				for i, p := range parents {
					if id, _ := p.Requires["id"].(json.Number).Int64(); id > 1 {
						out[i] = extend.Rows(json.Number(strconv.FormatInt(id-1, 10)))
					}
				}
				return out, nil
			},
			"postsWhere": func(_ context.Context, _ *extend.Request, parents []extend.Parent) ([]any, error) {
				out := make([]any, len(parents))
				for i, p := range parents {
					out[i] = extend.Where("author_id = $1", p.Requires["id"])
				}
				return out, nil
			},
			"shade": func(_ context.Context, _ *extend.Request, parents []extend.Parent) ([]any, error) {
				out := make([]any, len(parents))
				for i, p := range parents {
					out[i] = p.Requires["color"]
					if as, ok := p.Args["as"].(string); ok {
						out[i] = as
					}
				}
				return out, nil
			},
			"shout": func(_ context.Context, _ *extend.Request, parents []extend.Parent) ([]any, error) {
				shoutCalls.Add(1)
				out := make([]any, len(parents))
				for i, p := range parents {
					suffix, _ := p.Args["suffix"].(string)
					if suffix == "null" {
						continue // a null for a non-null field
					}
					out[i] = fmt.Sprintf("%s#%v%s", strings.ToUpper(p.Requires["first_name"].(string)), p.Requires["id"], suffix)
				}
				return out, nil
			},
		},
	}
}

// Rows a resolver picks are read, with everything selected beneath them,
// by one statement, under row security.
func TestResolverRowsAreOneStatement(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 1})
	s.sent.take()
	got := s.query(`{ pickedPeople(ids: [2, 1, 99]) { id firstName posts { title } } }`, nil, "")
	want := `{"pickedPeople":[{"id":1,"firstName":"Ada","posts":[{"title":"Notes on the engine"}]},{"id":2,"firstName":"Alan","posts":[{"title":"Computable numbers"}]}]}`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	var reads []string
	for _, sql := range s.sent.take() {
		if strings.Contains(sql, `"person"`) || strings.Contains(sql, `"post"`) {
			reads = append(reads, sql)
		}
	}
	if len(reads) != 1 || !strings.Contains(reads[0], `"post"`) {
		t.Errorf("%d statements read the people and their posts, want 1: %q", len(reads), reads)
	}
}

// A resolver may pick rows by a condition of its own, with bound values,
// as seed 003's queryBuilder.where: the statement renumbers its
// parameters, and the client's selection is read in the same statement.
func TestResolverRowsByCondition(t *testing.T) {
	s := newServer(t, serverOptions{})
	got := s.query(`query($p: String!) { peopleWhere(prefix: $p) { id firstName latestPost { title } } }`, map[string]any{"p": "A"}, "")
	want := `{"peopleWhere":[{"id":1,"firstName":"Ada","latestPost":{"title":"Notes on the engine"}},{"id":2,"firstName":"Alan","latestPost":{"title":"Computable numbers"}}]}`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	if got := s.query(`{ peopleWhere(prefix: "G") { firstName } }`, nil, ""); got != `{"peopleWhere":[{"firstName":"Grace"}]}` {
		t.Errorf("G: %s", got)
	}
}

// A resolver runs in the request's transaction: its role and claims.
func TestResolverSeesTheRequestsRoleAndClaims(t *testing.T) {
	s := newServer(t, serverOptions{})
	member := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 2})
	want := fmt.Sprintf(`{"whoAmI":"role=%[1]s claim=2 db_user=%[1]s db_claim=2 id=true"}`, s.roles.member)
	if got := s.query(`{ whoAmI }`, nil, member); got != want {
		t.Errorf("member: %s, want %s", got, want)
	}
	want = fmt.Sprintf(`{"whoAmI":"role=%[1]s claim=<nil> db_user=%[1]s db_claim= id=true"}`, s.roles.anon)
	if got := s.query(`{ whoAmI }`, nil, ""); got != want {
		t.Errorf("anonymous: %s, want %s", got, want)
	}
}

// A field resolver is called once per request, with every row that
// selects it, wherever they are.
func TestFieldResolverIsBatched(t *testing.T) {
	s := newServer(t, serverOptions{})
	before := shoutCalls.Load()
	got := s.query(`{ people(limit: 3) { shout } again: pickedPeople(ids: [3]) { loud: shout(suffix: "!") } }`, nil, "")
	want := `{"people":[{"shout":"ADA#1"},{"shout":"ALAN#2"},{"shout":"GRACE#3"}],"again":[{"loud":"GRACE#3!"}]}`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	if n := shoutCalls.Load() - before; n != 1 {
		t.Errorf("shout was called %d times, want 1", n)
	}
}

// A null where the type is non-null is an error, never a null in the
// response: a resolver's operation that finds no row, a field resolver's
// value.
func TestResolverNullsOfNonNullTypes(t *testing.T) {
	s := newServer(t, serverOptions{})
	r := s.do(call{query: `{ onePerson(ids: [99]) { id } }`})
	if string(r.Data) != "null" || len(r.Errors) != 1 || r.Errors[0].Message != "Cannot return null for non-nullable field Query.onePerson." {
		t.Errorf("no row for Person!: %s", r.body)
	}
	if got := s.query(`{ onePerson(ids: [2]) { id } }`, nil, ""); got != `{"onePerson":{"id":2}}` {
		t.Errorf("a row: %s", got)
	}
	r = s.do(call{query: `{ person(id: 1) { shout(suffix: "null") } posts { title } }`})
	if len(r.Errors) != 1 || r.codes()[0] != "INTERNAL_SERVER_ERROR" || !strings.Contains(string(r.Data), `"person":null`) || !strings.Contains(string(r.Data), `"posts":[{`) {
		t.Errorf("a null from a field resolver for String!: %s", r.body)
	}
}

// A resolver cannot end the request's transaction: a statement that
// would is refused before it is sent, and several statements in one are
// refused by PostgreSQL (one statement of the extended protocol).
func TestResolverCannotEndTheTransaction(t *testing.T) {
	s := newServer(t, serverOptions{})
	for _, sql := range []string{"COMMIT", " /* first /* nested */ */ -- a comment\n rollback", "end", "SAVEPOINT x", "prepare transaction 'x'", "/* c */ PREPARE /* c */ TRANSACTION 'y'"} {
		got := s.query(`query($sql: String!) { endTransaction(sql: $sql) }`, map[string]any{"sql": sql}, "")
		if !strings.Contains(got, "a resolver may not run") {
			t.Errorf("%q: %s", sql, got)
		}
	}
	r := s.do(call{query: `{ endTransaction(sql: "SELECT 1; COMMIT") }`})
	if !strings.Contains(r.body, "cannot insert multiple commands") && !strings.Contains(r.body, "INTERNAL_SERVER_ERROR") {
		t.Errorf("two statements in one: %s", r.body)
	}
	if got := s.query(`{ endTransaction(sql: "SELECT 1") }`, nil, ""); got != `{"endTransaction":"<nil>"}` {
		t.Errorf("a plain statement: %s", got)
	}
}

// A panic is recovered: INTERNAL with the request id, logged; a failing
// mutation resolver's writes are rolled back to its savepoint, and the
// request's other mutation fields commit.
func TestResolverFailuresAreRolledBackAlone(t *testing.T) {
	s := newServer(t, serverOptions{})
	r := s.do(call{query: `{ explode posts { title } }`})
	if len(r.Errors) != 1 || r.codes()[0] != "INTERNAL_SERVER_ERROR" || !strings.Contains(r.Errors[0].Message, "see request ") || !strings.Contains(string(r.Data), `"posts":[{`) {
		t.Errorf("a panicking query resolver: %s", r.body)
	}
	if !strings.Contains(s.logs.String(), "resolver panicked") {
		t.Error("the panic is not logged")
	}
	r = s.do(call{query: `mutation {
		a: addPerson(firstName: "Kept", email: "kept@example.com") { id }
		b: addPersonThenFail(firstName: "Refused", panic: false)
		c: addPersonThenFail(firstName: "Exploded", panic: true)
		d: addPerson(firstName: "AlsoKept", email: "also@example.com") { id }
	}`})
	if codes := strings.Join(r.codes(), ","); codes != "APP_REFUSED,INTERNAL_SERVER_ERROR" {
		t.Errorf("errors %s: %s", codes, r.body)
	}
	var names []string
	rows, _ := s.admin.Query(context.Background(), `SELECT first_name FROM shop.person WHERE email LIKE '%@example.com' AND id > 3 ORDER BY id`)
	for rows.Next() {
		var n string
		_ = rows.Scan(&n)
		names = append(names, n)
	}
	if err := errors.Join(rows.Err()); err != nil || strings.Join(names, ",") != "Kept,AlsoKept" {
		t.Errorf("people stored: %v %v, want Kept,AlsoKept", names, err)
	}
}

// A resolver tries a statement inside a savepoint of its own, recovers
// from its failure and goes on: the failed insert is rolled back, the
// others are kept, and the field succeeds.
func TestResolverSavepointRecovers(t *testing.T) {
	s := newServer(t, serverOptions{})
	got := s.query(`mutation { addPeopleTrying(emails: ["try1@example.org", "ada@example.com", "no-at-sign", "try2@example.org"]) }`, nil, "")
	want := `{"addPeopleTrying":["try1@example.org: added","ada@example.com: person_email_key","no-at-sign: person_email_check","try2@example.org: added"]}`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	var emails []string
	rows, _ := s.admin.Query(context.Background(), `SELECT email FROM shop.person WHERE first_name = 'Tried' ORDER BY id`)
	for rows.Next() {
		var e string
		_ = rows.Scan(&e)
		emails = append(emails, e)
	}
	if rows.Err() != nil || strings.Join(emails, ",") != "try1@example.org,try2@example.org" {
		t.Errorf("stored %v %v, want the two that succeeded", emails, rows.Err())
	}
}

// A database error of a resolver's own SQL reaches the client as the same
// error of a declared SQL operation: a constraint is BAD_USER_INPUT naming
// it, a missing privilege FORBIDDEN, a RAISE its message.
func TestResolverDatabaseErrorsAreMapped(t *testing.T) {
	s := newServer(t, serverOptions{})
	for _, c := range []struct{ sql, code, message, constraint string }{
		{`SELECT shop.add_person('Dup', 'ada@example.com')`, "BAD_USER_INPUT", `The values violate the constraint "person_email_key".`, "person_email_key"},
		{`CREATE TABLE shop.not_allowed ()`, "FORBIDDEN", "Permission denied.", ""},
		{`DO $$BEGIN RAISE EXCEPTION 'the shop is closed'; END$$`, "BAD_USER_INPUT", "the shop is closed", ""},
	} {
		r := s.do(call{query: `mutation($sql: String!) { execSQL(sql: $sql) }`, vars: map[string]any{"sql": c.sql}})
		if len(r.Errors) != 1 || r.codes()[0] != c.code || r.Errors[0].Message != c.message || string(r.Data) != `{"execSQL":null}` {
			t.Errorf("%s: %s", c.sql, r.body)
			continue
		}
		if got, _ := r.Errors[0].Extensions["constraint"].(string); got != c.constraint {
			t.Errorf("%s: constraint %q, want %q", c.sql, got, c.constraint)
		}
	}
}

// A resolver is given every value in one convention: numbers as
// json.Number, enums by name (inside input objects and lists too), JSON
// decoded, global ids decoded; an id of another node type is refused
// before the resolver runs.
func TestResolverArgumentValues(t *testing.T) {
	s := newServer(t, serverOptions{})
	member, article := extend.EncodeNodeID("Member", 2), extend.EncodeNodeID("Article", 1)
	got := s.query(`query($paint: Paint!, $blob: JSON) {
		echoValues(color: DARK_BLUE, colors: [RED, DARK_BLUE], paint: $paint, paints: [{color: GREEN}],
			count: 7, ratio: 0.25, blob: $blob, member: "`+member+`", members: ["`+member+`"])
	}`, map[string]any{"paint": map[string]any{"color": "DARK_BLUE", "mix": []any{"GREEN"}, "owner": member}, "blob": map[string]any{"n": 1.5, "s": []any{"x"}}}, "")
	want := `{"echoValues":[` +
		`"blob={n:json.Number(1.5) s:[string(x)]}",` +
		`"color=string(DARK_BLUE)",` +
		`"colors=[string(RED) string(DARK_BLUE)]",` +
		`"count=json.Number(7)",` +
		`"member=NodeID(Member [json.Number(2)])",` +
		`"members=[NodeID(Member [json.Number(2)])]",` +
		`"paint={color:string(DARK_BLUE) mix:[string(GREEN)] owner:NodeID(Member [json.Number(2)])}",` +
		`"paints=[{color:string(GREEN)}]",` +
		`"ratio=json.Number(0.25)"]}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	before := echoCalls.Load()
	for _, c := range []struct{ query, message string }{
		{`{ echoValues(member: "` + article + `") }`, "Argument member is an id of type Article; it takes one of type Member."},
		{`{ echoValues(members: ["` + member + `", "` + article + `"]) }`, "Argument members[1] is an id of type Article; it takes one of type Member."},
		{`{ echoValues(paint: {color: RED, owner: "` + article + `"}) }`, "Argument paint.owner is an id of type Article; it takes one of type Member."},
		{`{ echoValues(member: "not-an-id") }`, "Argument member is not a global id of this API: it is malformed."},
	} {
		r := s.do(call{query: c.query})
		if len(r.Errors) != 1 || r.codes()[0] != "BAD_USER_INPUT" || r.Errors[0].Message != c.message || string(r.Data) != "null" {
			t.Errorf("%s: %s", c.query, r.body)
		}
	}
	if n := echoCalls.Load() - before; n != 0 {
		t.Errorf("the resolver ran %d times with an id of the wrong type", n)
	}
}

// What a resolver gives is checked against the field's type: an enum by
// name, a number for an Int; anything else is an error at the field's
// path, with the nulls placed as for any field error.
func TestResolverValuesAreChecked(t *testing.T) {
	s := newServer(t, serverOptions{})
	if got := s.query(`{ colorsNamed(names: ["RED", "DARK_BLUE"]) }`, nil, ""); got != `{"colorsNamed":["RED","DARK_BLUE"]}` {
		t.Errorf("enum names: %s", got)
	}
	for _, c := range []struct{ query, message string }{
		{`{ colorsNamed(names: ["RED", "dark_blue"]) }`, "Resolver colorsNamed returned an invalid value for Query.colorsNamed: item 1: enum Color has no value \"dark_blue\"."},
		{`{ countOf(text: "seven") }`, "Resolver countOf returned an invalid value for Query.countOf: Int cannot represent \"seven\"."},
	} {
		r := s.do(call{query: c.query})
		if len(r.Errors) != 1 || r.codes()[0] != "INTERNAL_SERVER_ERROR" || r.Errors[0].Message != c.message {
			t.Errorf("%s: %s", c.query, r.body)
		}
	}
	if r := s.do(call{query: `{ countOf(text: "7") }`}); !strings.Contains(r.body, "Int cannot represent") {
		t.Errorf("a string of digits for an Int: %s", r.body)
	}
	// A field resolver: Ada's color is dark_blue, a SQL value; the error
	// is at her shade's path, and the other rows keep theirs.
	r := s.do(call{query: `{ people(limit: 3) { firstName shade named: shade(as: GREEN) } }`})
	want := `{"people":[{"firstName":"Ada","shade":null,"named":"GREEN"},{"firstName":"Alan","shade":null,"named":"GREEN"},{"firstName":"Grace","shade":null,"named":"GREEN"}]}`
	var data bytes.Buffer
	if err := json.Compact(&data, r.Data); err != nil || data.String() != want {
		t.Errorf("data %s\nwant %s", r.Data, want)
	}
	var paths []string
	for _, e := range r.Errors {
		paths = append(paths, fmt.Sprint(e.Path))
	}
	if strings.Join(paths, " ") != "[people 0 shade] [people 1 shade]" || !strings.Contains(r.Errors[0].Message, `enum Color has no value "dark_blue"`) {
		t.Errorf("errors: %s", r.body)
	}
}

// A payload's query: Query is the root query, with the client's
// selection, read after the resolver ran: it sees the write. Its errors
// are beneath it, and its lists count toward the operation's cost.
func TestPayloadQueryReadsTheWrite(t *testing.T) {
	s := newServer(t, serverOptions{})
	r := s.do(call{query: `mutation {
		addPersonReturning(firstName: "Quinn") {
			person { firstName }
			query { __typename everyone: people(limit: 10) { firstName } again: pickedPeople(ids: [1]) { firstName } whoAmI }
		}
	}`})
	var got struct {
		AddPersonReturning struct {
			Person struct{ FirstName string }
			Query  struct {
				Typename string `json:"__typename"`
				Everyone []struct{ FirstName string }
				Again    []struct{ FirstName string }
				WhoAmI   string
			}
		}
	}
	if err := json.Unmarshal(r.Data, &got); err != nil || len(r.Errors) != 0 {
		t.Fatalf("%v: %s", err, r.body)
	}
	p := got.AddPersonReturning
	var names []string
	for _, e := range p.Query.Everyone {
		names = append(names, e.FirstName)
	}
	if p.Person.FirstName != "Quinn" || p.Query.Typename != "Query" || !slices.Contains(names, "Quinn") ||
		len(p.Query.Again) != 1 || p.Query.Again[0].FirstName != "Ada" || !strings.HasPrefix(p.Query.WhoAmI, "role=") {
		t.Errorf("the payload's query: %s", r.body)
	}
	// Its lists count toward the operation's cost: refused before the
	// resolver runs, nothing written.
	costly := newServer(t, serverOptions{limits: runtime.Limits{MaxCost: 20}})
	r = costly.do(call{query: `mutation { addPersonReturning(firstName: "Costly") { query { people(limit: 10) { firstName lastName } } } }`})
	if len(r.Errors) != 1 || r.codes()[0] != "COST_TOO_HIGH" || costly.scalar(`SELECT count(*)::text FROM shop.person WHERE first_name = 'Costly'`) != "0" {
		t.Errorf("the payload's query is not counted: %s", r.body)
	}
	// An error of a field inside it is pathed beneath it.
	r = s.do(call{query: `mutation { addPersonReturning(firstName: "Rae") { query { onePerson(ids: [99]) { id } } } }`})
	if len(r.Errors) != 1 || fmt.Sprint(r.Errors[0].Path) != "[addPersonReturning query onePerson]" || string(r.Data) != `{"addPersonReturning":null}` {
		t.Errorf("a non-null field of the query failed: %s", r.body)
	}
}

// An object field computed in Go: its resolver, called once for every row
// of the request, picks rows of its sql_source for each (by key, or by a
// condition), and the server reads them with the selection beneath — field
// resolvers there included, in a further round — placing each parent's in
// the order of its keys.
func TestObjectFieldResolver(t *testing.T) {
	s := newServer(t, serverOptions{})
	before := peerCalls.Load()
	r := s.do(call{query: `{ people(limit: 3) { id peers { id shout mentor { firstName } } mentor { id } postsWhere { title } } }`})
	want := `{"people":[` +
		`{"id":1,"peers":[{"id":3,"shout":"GRACE#3","mentor":{"firstName":"Alan"}},{"id":2,"shout":"ALAN#2","mentor":{"firstName":"Ada"}}],"mentor":null,"postsWhere":[{"title":"Notes on the engine"}]},` +
		`{"id":2,"peers":[{"id":3,"shout":"GRACE#3","mentor":{"firstName":"Alan"}},{"id":1,"shout":"ADA#1","mentor":null}],"mentor":{"id":1},"postsWhere":[{"title":"Computable numbers"}]},` +
		`{"id":3,"peers":[{"id":2,"shout":"ALAN#2","mentor":{"firstName":"Ada"}},{"id":1,"shout":"ADA#1","mentor":null}],"mentor":{"id":2},"postsWhere":[]}]}`
	var data bytes.Buffer
	if err := json.Compact(&data, r.Data); err != nil || data.String() != want || len(r.Errors) > 0 {
		t.Errorf("got  %s\nwant %s\n%s", data.String(), want, r.body)
	}
	if n := peerCalls.Load() - before; n != 1 {
		t.Errorf("peers was called %d times for three people, want once", n)
	}
	// A variable beneath an object field's selection, which is read once
	// the resolver ran: a request of the same shape with another value
	// gets its own.
	for _, suffix := range []string{"!", "?"} {
		got := s.query(`query($s: String) { person(id: 1) { peers { shout(suffix: $s) } } }`, map[string]any{"s": suffix}, "")
		if want := `{"person":{"peers":[{"shout":"GRACE#3` + suffix + `"},{"shout":"ALAN#2` + suffix + `"}]}}`; compactJSON(got) != want {
			t.Errorf("suffix %s: %s, want %s", suffix, got, want)
		}
	}
	// No row for a non-null object field: an error at its path, its null
	// going up to the nearest nullable place.
	r = s.do(call{query: `{ person(id: 1) { firstName mentorNN { id } } }`})
	if len(r.Errors) != 1 || fmt.Sprint(r.Errors[0].Path) != "[person mentorNN]" || string(r.Data) != `{"person":null}` {
		t.Errorf("a non-null object field without a row: %s", r.body)
	}
}

// compactJSON is doc without the spaces PostgreSQL's JSON puts between
// members.
func compactJSON(doc string) string {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(doc)); err != nil {
		return doc
	}
	return b.String()
}
