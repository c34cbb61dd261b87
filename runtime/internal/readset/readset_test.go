package readset_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gqlplan/gqlplan/internal/pgtest"
	"github.com/gqlplan/gqlplan/runtime/internal/readset"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestTables(t *testing.T) {
	a, b, ab := readset.Of(3, 1), readset.Of(2), readset.Of(1, 2, 3, 2)
	for _, c := range []struct {
		x, y readset.Tables
		want bool
	}{
		{a, b, false}, {a, ab, true}, {b, ab, true}, {readset.All(), a, true}, {a, readset.All(), true},
		{readset.All(), readset.All(), true}, {readset.All(), readset.Of(), false}, {readset.Of(), readset.All(), false},
	} {
		if got := c.x.Intersects(c.y); got != c.want {
			t.Errorf("%v ∩ %v: %v", c.x, c.y, got)
		}
	}
	if got := a.Union(b).String(); got != ab.String() || got != "1-2-3" {
		t.Errorf("union %s, want %s", got, ab)
	}
	if !a.Union(readset.All()).IsAll() {
		t.Error("a union with all is not all")
	}
	for _, s := range []string{"", "*", "1-2-3", "cmo-cmp"} {
		if got, ok := readset.Parse(s); !ok || got.String() != s {
			t.Errorf("Parse(%q) = %s, %v", s, got, ok)
		}
	}
	for _, s := range []string{"-", "1--2", "x!", "zzzzzzzzzzzz"} {
		if got, ok := readset.Parse(s); ok {
			t.Errorf("Parse(%q) accepted: %s", s, got)
		}
	}
	many := make([]uint32, readset.MaxTables+1)
	for i := range many {
		many[i] = uint32(i + 1)
	}
	if !readset.Of(many...).IsAll() {
		t.Error("a set past MaxTables is not all")
	}
}

// schema exercises each way PostgreSQL records a read: a view, a
// policy's subquery, a BEGIN ATOMIC body calling another, an operator, a
// partition, and a function whose body is text.
const schema = `
CREATE SCHEMA app;
CREATE TABLE app.person (id int PRIMARY KEY, name text);
CREATE TABLE app.membership (person_id int, team text);
CREATE TABLE app.post (id int PRIMARY KEY, author_id int, team text);
ALTER TABLE app.post ENABLE ROW LEVEL SECURITY;
CREATE POLICY post_team ON app.post FOR SELECT USING (EXISTS (SELECT 1 FROM app.membership m WHERE m.team = post.team));
CREATE POLICY post_insert ON app.post FOR INSERT WITH CHECK (author_id IN (SELECT id FROM app.person));
CREATE VIEW app.posts AS SELECT * FROM app.post;
CREATE VIEW app.people AS SELECT * FROM app.person;
CREATE TABLE app.tag (name text);
CREATE FUNCTION app.tag_count() RETURNS bigint LANGUAGE sql STABLE BEGIN ATOMIC SELECT count(*) FROM app.tag; END;
CREATE FUNCTION app.tags_and_more() RETURNS bigint LANGUAGE sql STABLE BEGIN ATOMIC SELECT app.tag_count() + 1; END;
CREATE TABLE app.mark (n int);
CREATE FUNCTION app.marked(int, int) RETURNS boolean LANGUAGE sql STABLE BEGIN ATOMIC SELECT EXISTS (SELECT 1 FROM app.mark WHERE n = $1 + $2); END;
CREATE OPERATOR app.~~~ (FUNCTION = app.marked, LEFTARG = int, RIGHTARG = int);
CREATE VIEW app.marked_people AS SELECT * FROM app.person WHERE id OPERATOR(app.~~~) 1;
CREATE TABLE app.event (at date, what text) PARTITION BY RANGE (at);
CREATE TABLE app.event_2026 PARTITION OF app.event FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE FUNCTION app.opaque() RETURNS SETOF app.person LANGUAGE plpgsql AS $$ BEGIN RETURN QUERY SELECT * FROM app.person; END $$;
CREATE VIEW app.through_opaque AS SELECT * FROM app.opaque();
CREATE FUNCTION app.pong(n int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 0; END;
CREATE FUNCTION app.ping(n int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN n > 0 THEN app.pong(n - 1) ELSE (SELECT count(*)::int FROM app.tag) END; END;
CREATE OR REPLACE FUNCTION app.pong(n int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT app.ping(n) + (SELECT count(*)::int FROM app.mark); END;
CREATE VIEW app.counts AS SELECT app.tags_and_more(), lower('x'), now();
CREATE SEQUENCE app.ticket;
`

func TestLoad(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Database(t)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, schema); err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	oid := func(name string) uint32 {
		var o uint32
		if err := conn.QueryRow(ctx, "SELECT $1::regclass::oid", name).Scan(&o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	cat, err := readset.Load(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	person, membership, post, tag, mark, event, event2026 := oid("app.person"), oid("app.membership"), oid("app.post"), oid("app.tag"), oid("app.mark"), oid("app.event"), oid("app.event_2026")
	for _, c := range []struct {
		sources []string
		want    readset.Tables
	}{
		{[]string{`"app"."person"`}, readset.Of(person)},
		{[]string{`"app"."people"`}, readset.Of(person)},
		// A SELECT policy's subquery is read; an INSERT policy's is not.
		{[]string{`"app"."posts"`}, readset.Of(post, membership)},
		{[]string{`"app"."people"`, `"app"."posts"`}, readset.Of(person, post, membership)},
		{[]string{`"app"."tags_and_more"`}, readset.Of(tag)},
		{[]string{`"app"."counts"`}, readset.Of(tag)},
		{[]string{`"app"."marked_people"`}, readset.Of(person, mark)},
		{[]string{`"app"."event"`}, readset.Of(event, event2026)},
		{[]string{`"app"."ping"`}, readset.Of(tag, mark)}, // functions calling each other
		{[]string{`"app"."pong"`}, readset.Of(tag, mark)},
		{[]string{`"app"."opaque"`}, readset.All()},
		{[]string{`"app"."through_opaque"`}, readset.All()},
		{[]string{`"app"."person"`, `"app"."missing"`}, readset.All()},
		{nil, readset.Of()},
	} {
		if got := cat.Reads(c.sources); got.String() != c.want.String() {
			t.Errorf("%v reads %s, want %s", c.sources, got, c.want)
		}
	}
	// What a mutation locked for writing: its tables, not their indexes
	// or sequences; a relation made since the catalog was read is kept.
	const later = 4_000_000_000
	written := cat.Written([]uint32{person, oid("app.person_pkey"), oid("app.ticket"), post, later})
	if want := readset.Of(person, post, later); written.String() != want.String() {
		t.Errorf("written %s, want %s", written, want)
	}
}
