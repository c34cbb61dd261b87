package runtime_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gqlplan/gqlplan/runtime/internal/nonnull"
)

var update = flag.Bool("update", false, "rewrite the golden SQL files")

// TestComposedSQL keeps the SQL composed for each testdata/sql/*.graphql
// document in the .sql file beside it: reviewable, stable from run to
// run, and a diff whenever composition changes. Every statement is also
// run, so a snapshot is never of SQL PostgreSQL refuses.
func TestComposedSQL(t *testing.T) {
	s := newServer(t, serverOptions{})
	docs, err := filepath.Glob("testdata/sql/*.graphql")
	if err != nil || len(docs) == 0 {
		t.Fatalf("no documents: %v", err)
	}
	for _, doc := range docs {
		name := strings.TrimSuffix(filepath.Base(doc), ".graphql")
		t.Run(name, func(t *testing.T) {
			query, err := os.ReadFile(doc)
			if err != nil {
				t.Fatal(err)
			}
			stmts, err := s.handler.Compose(string(query), nil, map[string]any{"sub": "ada"})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, st := range stmts {
				// The markers' key is the process's own: shown as $null.
				fmt.Fprintf(&b, "-- %s\n%s\n-- args: %s\n-- reads: %s\n", st.Field, indentSQL(strings.ReplaceAll(st.SQL, nonnull.Key, "$null")), formatArgs(st.Args), strings.Join(st.Reads, ", "))
				if _, err := s.admin.Exec(t.Context(), st.SQL, st.Args...); err != nil {
					t.Errorf("%s: PostgreSQL refuses the statement: %v", st.Field, err)
				}
			}
			golden := strings.TrimSuffix(doc, ".graphql") + ".sql"
			if *update {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if b.String() != string(want) {
				t.Errorf("composed SQL differs from %s (run with -update if intended):\n%s", golden, b.String())
			}
		})
	}
}

// indentSQL breaks a statement before each subquery, indented by depth,
// so nesting reads at a glance. Quoted literals are left alone.
func indentSQL(sql string) string {
	var b strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(sql); i++ {
		ch := sql[i]
		switch {
		case ch == '\'':
			quoted = !quoted
		case quoted:
		case ch == '(' && strings.HasPrefix(sql[i:], "(SELECT "):
			depth++
			b.WriteString("\n" + strings.Repeat("  ", depth))
		case ch == '(':
			depth++
		case ch == ')':
			depth--
		}
		b.WriteByte(ch)
	}
	return b.String()
}

func formatArgs(args []any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = fmt.Sprintf("$%d=%#v", i+1, a)
	}
	return "[" + strings.Join(parts, " ") + "]"
}
