package tests

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gqlplan/gqlplan/internal/cli"
	"github.com/gqlplan/gqlplan/internal/pgcluster"
	"github.com/gqlplan/gqlplan/internal/pgtest"
	"github.com/gqlplan/gqlplan/spec"
)

// TestExamplesMatchTheirSQL applies each example's SQL files (in name
// order, as gqlplan dev does: the schema, then the seed) to a real
// PostgreSQL and compiles the example with --database-url: every source,
// column, type, function signature and enum label must match, with no
// diagnostic at all, and the plan must record the catalog facts.
func TestExamplesMatchTheirSQL(t *testing.T) {
	dirs, _ := filepath.Glob("../examples/*")
	if len(dirs) == 0 {
		t.Fatal("no examples found")
	}
	for _, dir := range dirs {
		if len(pgcluster.SQLFiles(dir)) == 0 {
			continue // parity twins are compiled by TestGoTagParity
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			dsn := pgtest.Database(t)
			if err := pgcluster.ApplySQLFiles(context.Background(), dsn, dir); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(dir, "triggers.sql")); err == nil {
				checkTriggersFile(t, dir, dsn)
			}
			start := time.Now()
			args := []string{"compile", ".", "-o", "-", "--database-url", dsn}
			if _, err := os.Stat(filepath.Join(dir, "client")); err == nil {
				args = append(args, "--documents", "client") // its client's operations: trusted documents
			}
			code, stdout, stderr := run(t, dir, args...)
			t.Logf("compile --database-url took %v", time.Since(start))
			if code != cli.ExitOK || stderr != "" {
				t.Fatalf("exit %d; the example does not compile cleanly against its schema:\n%s", code, stderr)
			}
			plan, err := spec.Decode([]byte(stdout))
			if err != nil {
				t.Fatal(err)
			}
			for _, op := range append(plan.Queries, plan.Mutations...) {
				if op.Source.Kind == spec.SourceNodes || op.Source.Kind == spec.SourceResolver {
					continue // node, nodes: their facts are the node types'; a resolver's value has no source
				}
				if op.Source.Object == "" || len(op.Source.Columns) == 0 && op.Source.Signature == "" {
					t.Errorf("%s: the plan records no catalog facts: %+v", op.Name, op.Source)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "client")); err == nil && len(plan.Documents) == 0 {
				t.Errorf("the example's client/ holds no trusted document the plan records")
			}
			if _, err := os.Stat(filepath.Join(dir, "triggers.sql")); len(plan.Subscriptions) > 0 && err != nil {
				t.Errorf("the example has subscriptions: it applies what gqlplan triggers prints, in triggers.sql")
			}
			if filepath.Base(dir) == "forum" {
				// COMMENT ON of tables, columns and functions describes
				// the types, fields and operations the declarations leave
				// undescribed.
				for _, want := range []string{`"""A user of the forum."""`, `"""The person’s first name."""`, `"""Returns posts containing a given search term."""`, `"""A truncated version of the body for summaries."""`} {
					if !strings.Contains(plan.SDL, want) {
						t.Errorf("the forum's SDL lacks %s, its SQL comment", want)
					}
				}
			}
		})
	}
}

// BenchmarkCheckForumAgainstDatabase measures "gqlplan check
// --database-url" on the forum example: connecting, reading the catalog
// in one read-only transaction, and every check.
func BenchmarkCheckForumAgainstDatabase(b *testing.B) {
	schema, err := os.ReadFile("../examples/forum/schema.sql")
	if err != nil {
		b.Fatal(err)
	}
	dsn := databaseWith(b, string(schema))
	for b.Loop() {
		var out, errOut bytes.Buffer
		code := cli.Main(context.Background(), cli.Env{Dir: "../examples/forum", Stdout: &out, Stderr: &errOut},
			[]string{"check", ".", "--database-url", dsn})
		if code != cli.ExitOK || errOut.Len() > 0 {
			b.Fatalf("exit %d: %s", code, errOut.String())
		}
	}
}

// checkTriggersFile checks that an example with subscriptions applies, in
// its triggers.sql, exactly the migration "gqlplan triggers" prints for
// it (-update writes it), and that applying it again changes nothing.
func checkTriggersFile(t *testing.T, dir, dsn string) {
	t.Helper()
	code, stdout, stderr := run(t, dir, "triggers", ".", "--database-url", dsn)
	if code != cli.ExitOK || stderr != "" {
		t.Fatalf("triggers: exit %d:\n%s", code, stderr)
	}
	path := filepath.Join(dir, "triggers.sql")
	if *update {
		if err := os.WriteFile(path, []byte(stdout), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	applied, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(applied) != stdout {
		t.Errorf("%s differs from what gqlplan triggers prints (run with -update if intended):\n%s", path, diff(applied, []byte(stdout)))
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), stdout); err != nil {
		t.Errorf("applying the triggers again: %v", err)
	}
}
