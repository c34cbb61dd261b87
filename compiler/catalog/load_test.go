package catalog_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/gqlplan/gqlplan/compiler/catalog"
	"github.com/gqlplan/gqlplan/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func connect(t *testing.T, sql string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
	return conn
}

// TestLoadReadsTheCatalog checks the facts the compiler relies on against
// objects whose shape is known.
func TestLoadReadsTheCatalog(t *testing.T) {
	conn := connect(t, `
		CREATE SCHEMA "Api";
		CREATE TYPE "Api".mood AS ENUM ('sad', 'ok', 'happy');
		CREATE DOMAIN "Api".email AS text CHECK (VALUE LIKE '%@%');
		CREATE TABLE "Api".person (id int PRIMARY KEY, mail "Api".email, mood "Api".mood NOT NULL, tags text[], data jsonb);
		INSERT INTO "Api".person VALUES (1, 'a@b', 'ok', '{x}', '{"a": 1, "b": null}'), (2, 'c@d', 'sad', NULL, '{"a": "two"}');
		CREATE FUNCTION "Api".find(p_id int, p_mood "Api".mood DEFAULT 'ok', VARIADIC rest text[] DEFAULT '{}')
			RETURNS TABLE (id int, label text) LANGUAGE sql STABLE AS 'SELECT 1, $$x$$';
		SET search_path = "$user", "Api", public;`)
	cat, err := catalog.Load(context.Background(), conn, catalog.Options{
		Sample: []catalog.SampleTarget{{Relation: "person", Column: "data"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"pg_catalog", "Api", "public"}; !slices.Equal(cat.SearchPath, want) {
		t.Errorf("search path %q, want %q (no schema for $user; pg_catalog first)", cat.SearchPath, want)
	}
	schema, rel, _ := cat.Resolve("", "person")
	if schema != "Api" || rel == nil || rel.KindName() != "table" {
		t.Fatalf("person resolved to %q %v", schema, rel)
	}
	mail, mood, tags := rel.Column("mail"), rel.Column("mood"), rel.Column("tags")
	if mail.Type.Underlying().Name != (catalog.Name{Schema: "pg_catalog", Name: "text"}) || mail.NotNull {
		t.Errorf("mail: %+v, want a nullable domain over text", mail.Type.Underlying().Name)
	}
	if !slices.Equal(mood.Type.Labels, []string{"sad", "ok", "happy"}) || !mood.NotNull || mood.TypeSQL != `"Api".mood` {
		t.Errorf("mood: %q %v %q", mood.Type.Labels, mood.NotNull, mood.TypeSQL)
	}
	if tags.Type.Elem == nil || tags.Type.Elem.Name.Name != "text" {
		t.Errorf("tags: element type %v", tags.Type.Elem)
	}
	_, _, fns := cat.Resolve("", "find")
	if len(fns) != 1 {
		t.Fatalf("find: %d overloads", len(fns))
	}
	f := fns[0]
	if got := f.Signature(); got != `Api.find(integer, "Api".mood, text[])` {
		t.Errorf("signature %s", got)
	}
	if f.Defaults != 2 || !f.ReturnsSet || f.Volatility != 's' || len(f.Columns) != 2 || f.Columns[1].Name != "label" {
		t.Errorf("find: defaults %d, set %v, volatility %c, columns %d", f.Defaults, f.ReturnsSet, f.Volatility, len(f.Columns))
	}
	s := cat.Samples[catalog.Name{Schema: "Api", Name: "person"}]["data"]
	if s == nil || s.Rows != 2 || s.Keys["a"].Rows != 2 || s.Keys["a"].Types["string"] != 1 || s.Keys["b"].Types["null"] != 1 {
		t.Errorf("sample: %+v", s)
	}
}

// TestLoadNeverWrites samples a view whose rows come from a function that
// inserts: the read-only transaction refuses the write, the sample records
// why, and the table stays empty.
func TestLoadNeverWrites(t *testing.T) {
	conn := connect(t, `
		CREATE TABLE audit (at timestamptz);
		CREATE FUNCTION touch() RETURNS jsonb LANGUAGE sql VOLATILE AS 'INSERT INTO audit VALUES (now()) RETURNING $${}$$::jsonb';
		CREATE VIEW v_touch AS SELECT touch() AS data;
		CREATE TABLE fine (data jsonb);
		INSERT INTO fine VALUES ('{"k": true}');`)
	ctx := context.Background()
	cat, err := catalog.Load(ctx, conn, catalog.Options{Sample: []catalog.SampleTarget{{"v_touch", "data"}, {"fine", "data"}}})
	if err != nil {
		t.Fatal(err)
	}
	if s := cat.Samples[catalog.Name{Schema: "public", Name: "v_touch"}]["data"]; s == nil || s.Err == "" {
		t.Errorf("the writing view was sampled without error: %+v", s)
	}
	if s := cat.Samples[catalog.Name{Schema: "public", Name: "fine"}]["data"]; s == nil || s.Rows != 1 {
		t.Errorf("a failed sample stopped the next one: %+v", s)
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM audit`).Scan(&n); err != nil || n != 0 {
		t.Errorf("audit has %d rows (%v); Load wrote", n, err)
	}
}

func TestUnknownRole(t *testing.T) {
	conn := connect(t, `SELECT 1`)
	_, err := catalog.Load(context.Background(), conn, catalog.Options{Role: "no_such_role_here"})
	if err == nil || !errors.Is(err, catalog.ErrUnknownRole) {
		t.Errorf("err = %v, want ErrUnknownRole", err)
	}
}
