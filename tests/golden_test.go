package tests

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/internal/cli"
	"github.com/gqlplan/gqlplan/internal/pgtest"
)

var update = flag.Bool("update", false, "rewrite the expected files of golden cases")

// A golden case is a directory under testdata/. Its declaration files are
// compiled with "gqlplan compile . -o -", or with the arguments listed one
// per line in its "args" file. A case with schema.sql gets a fresh
// database with that SQL applied, whose URL replaces $DATABASE_URL in args
// (the db-* cases check declarations against the catalog). A case with an
// "exit" file expects that exit code instead. A case with plan.json must compile (exit 0)
// to exactly that plan; a case without one must fail with exit 1. stderr.txt
// holds the expected diagnostics (absent when there are none).
func TestGolden(t *testing.T) {
	for _, dir := range caseDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			code, stdout, stderr := runCase(t, dir)
			planPath, stderrPath := filepath.Join(dir, "plan.json"), filepath.Join(dir, "stderr.txt")
			if *update {
				writeOrRemove(t, planPath, stdout)
				writeOrRemove(t, stderrPath, stderr)
				return
			}
			wantPlan, hasPlan := readOptional(t, planPath)
			wantStderr, _ := readOptional(t, stderrPath)
			wantCode, hasExit := readOptional(t, filepath.Join(dir, "exit"))
			switch {
			case hasExit:
				if got := fmt.Sprint(code); got != strings.TrimSpace(string(wantCode)) {
					t.Errorf("exit code %s, want %s (the case's exit file)\nstderr:\n%s", got, strings.TrimSpace(string(wantCode)), stderr)
				}
			case hasPlan && code != cli.ExitOK:
				t.Errorf("exit code %d, want 0 (the case has plan.json)\nstderr:\n%s", code, stderr)
			case !hasPlan && code != cli.ExitFindings:
				t.Errorf("exit code %d, want 1 (the case has no plan.json)\nstderr:\n%s", code, stderr)
			}
			if !bytes.Equal(stdout, wantPlan) {
				t.Errorf("plan differs from %s (run with -update if intended):\n%s", planPath, diff(wantPlan, stdout))
			}
			if !bytes.Equal(stderr, wantStderr) {
				t.Errorf("stderr differs from %s (run with -update if intended):\n%s", stderrPath, diff(wantStderr, stderr))
			}
		})
	}
}

func caseDirs(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range dirs {
		if info, err := os.Stat(d); err == nil && info.IsDir() {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		t.Fatal("no golden cases found in testdata/")
	}
	return out
}

func runCase(t *testing.T, dir string) (code int, stdout, stderr []byte) {
	t.Helper()
	args := []string{"compile", ".", "-o", "-"}
	if b, ok := readOptional(t, filepath.Join(dir, "args")); ok {
		args = strings.Fields(string(b))
	}
	if schema, ok := readOptional(t, filepath.Join(dir, "schema.sql")); ok {
		dsn := databaseWith(t, string(schema))
		for i, a := range args {
			args[i] = strings.ReplaceAll(a, "$DATABASE_URL", dsn)
		}
	}
	var out, errOut bytes.Buffer
	code = cli.Main(context.Background(), cli.Env{Dir: dir, Stdout: &out, Stderr: &errOut}, args)
	return code, out.Bytes(), errOut.Bytes()
}

func readOptional(t *testing.T, path string) ([]byte, bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return b, true
}

func writeOrRemove(t *testing.T, path string, data []byte) {
	t.Helper()
	if len(data) == 0 {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// diff shows the first differing line of two texts with its neighbours.
func diff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n  want: %s\n  got:  %s", i+1, wl, gl)
		}
	}
	return "(only trailing differences)"
}

var codeInLine = regexp.MustCompile(`\[([a-z-]+)\]$`)

// TestGoldenCoverage holds the suite to its promise: every diagnostic code
// has a golden case, every code in a golden case is documented, and there
// are at least 30 error cases and 5 valid ones.
func TestGoldenCoverage(t *testing.T) {
	seen := map[string]bool{}
	var errorCases, validCases int
	for _, dir := range caseDirs(t) {
		if _, ok := readOptional(t, filepath.Join(dir, "plan.json")); ok {
			validCases++
		} else {
			errorCases++
		}
		b, _ := readOptional(t, filepath.Join(dir, "stderr.txt"))
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if m := codeInLine.FindStringSubmatch(line); m != nil {
				seen[m[1]] = true
				if _, ok := decl.Codes[m[1]]; !ok {
					t.Errorf("%s: code %q is not in decl.Codes", dir, m[1])
				}
			}
		}
	}
	var missing []string
	for code := range decl.Codes {
		if !seen[code] && code != "file-too-large" { // an 8 MiB case does not belong in the repository; see decl/yaml tests
			missing = append(missing, code)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("diagnostic codes without a golden case: %s", strings.Join(missing, ", "))
	}
	if errorCases < 30 || validCases < 5 {
		t.Errorf("%d error cases and %d valid cases; want at least 30 and 5", errorCases, validCases)
	}
}

// databaseWith creates a database for the test, applies sql to it, and
// returns its connection string.
func databaseWith(t testing.TB, sql string) string {
	t.Helper()
	dsn := pgtest.Database(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("schema.sql: %v", err)
	}
	return dsn
}
