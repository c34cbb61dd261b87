package tests

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gqlplan/gqlplan/compiler"
	"github.com/gqlplan/gqlplan/internal/pgtest"
	"github.com/gqlplan/gqlplan/spec"
)

// TestExamplesMatchTheirSQL applies each example's schema.sql to a real
// PostgreSQL and checks that everything its plan names exists there: the
// sources with the right kind, the jsonb data columns, and every column a
// filter or inject rule compares. It is the example's own drift check until
// "gqlplan check --database-url" does this for every user.
func TestExamplesMatchTheirSQL(t *testing.T) {
	dirs, _ := filepath.Glob("../examples/*")
	if len(dirs) == 0 {
		t.Fatal("no examples found")
	}
	for _, dir := range dirs {
		schema, err := os.ReadFile(filepath.Join(dir, "schema.sql"))
		if err != nil {
			continue // an example without SQL is checked by the schema tests only
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			files, diags, err := compiler.LoadPaths("", []string{dir})
			if err != nil || diags.HasErrors() {
				t.Fatalf("load: %v %v", err, diags)
			}
			plan, diags := compiler.Compile(files)
			if plan == nil || len(diags) > 0 {
				t.Fatalf("the example does not compile cleanly:\n%v", diags)
			}
			conn, err := pgx.Connect(ctx, pgtest.Database(t))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			if _, err := conn.Exec(ctx, string(schema)); err != nil {
				t.Fatalf("schema.sql: %v", err)
			}
			for _, op := range append(plan.Queries, plan.Mutations...) {
				checkOperationAgainstCatalog(ctx, t, conn, op)
			}
		})
	}
}

func checkOperationAgainstCatalog(ctx context.Context, t *testing.T, conn *pgx.Conn, op spec.Operation) {
	t.Helper()
	var found int
	if op.Source.Kind == spec.SourceFunction {
		err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
			WHERE n.nspname = $1 AND p.proname = $2`, op.Source.Schema, op.Source.Name).Scan(&found)
		if err != nil || found == 0 {
			t.Errorf("%s: function %s not found (%v)", op.Name, op.Source.SQL, err)
		}
		return
	}
	columns := map[string]string{}
	rows, err := conn.Query(ctx, `SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
		WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`, op.Source.SQL)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		columns[name] = typ
	}
	if len(columns) == 0 {
		t.Errorf("%s: relation %s not found", op.Name, op.Source.SQL)
		return
	}
	if op.Source.Shape == spec.ShapeJSONB {
		data := op.Source.DataColumn[1 : len(op.Source.DataColumn)-1]
		if columns[data] != "jsonb" {
			t.Errorf("%s: %s.%s is %q, want jsonb", op.Name, op.Source.SQL, data, columns[data])
		}
	}
	for _, w := range op.Where {
		if _, ok := columns[w.Column]; !ok {
			t.Errorf("%s: column %s of %s, compared by a filter or inject rule, does not exist", op.Name, w.Column, op.Source.SQL)
		}
	}
}
