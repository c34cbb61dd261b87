package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gqlplan/gqlplan/internal/cli"
)

func run(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Main(context.Background(), cli.Env{Dir: dir, Stdout: &out, Stderr: &errOut}, args)
	return code, out.String(), errOut.String()
}

func TestCheckFormats(t *testing.T) {
	dir := "testdata/error-inject-conflict"
	t.Run("json", func(t *testing.T) {
		code, out, text := run(t, dir, "check", ".", "--format", "json") // tools read standard output
		if code != cli.ExitFindings || text != "" {
			t.Fatalf("exit %d, want 1", code)
		}
		var diags []struct {
			File, Severity, Code, Message string
			Line, Column                  int
			End                           struct{ Line, Column int }
		}
		if err := json.Unmarshal([]byte(out), &diags); err != nil {
			t.Fatalf("not a JSON array: %v\n%s", err, out)
		}
		if len(diags) != 2 {
			t.Fatalf("got %d diagnostics, want 2", len(diags))
		}
		d := diags[0]
		if d.File != "decl.yaml" || d.Line != 14 || d.Column != 14 || d.End.Line != 14 || d.End.Column != 19 ||
			d.Severity != "error" || d.Code != "inject-conflict" || !strings.Contains(d.Message, `"title"`) {
			t.Errorf("first diagnostic = %+v", d)
		}
	})
	t.Run("github", func(t *testing.T) {
		code, out, _ := run(t, dir, "check", ".", "--format=github")
		if code != cli.ExitFindings {
			t.Fatalf("exit %d, want 1", code)
		}
		first := strings.SplitN(out, "\n", 2)[0]
		want := "::error file=decl.yaml,line=14,col=14,endLine=14,endColumn=19,title=gqlplan inject-conflict::query \"documents\": inject key \"title\" conflicts"
		if !strings.HasPrefix(first, want) {
			t.Errorf("first line = %q\nwant prefix %q", first, want)
		}
	})
	t.Run("compile -o - keeps standard output for the plan", func(t *testing.T) {
		code, stdout, stderr := run(t, "testdata/valid-documents", "compile", ".", "-o", "-", "--format", "json")
		if code != cli.ExitOK || !strings.HasPrefix(stdout, "{") || strings.TrimSpace(stderr) != "[]" {
			t.Errorf("exit %d, stdout %.40q, stderr %q; want the plan and []", code, stdout, stderr)
		}
	})
	t.Run("json when clean", func(t *testing.T) {
		code, out, _ := run(t, "testdata/valid-documents", "check", ".", "--format", "json")
		if code != cli.ExitOK || strings.TrimSpace(out) != "[]" {
			t.Errorf("exit %d, stdout %q; want 0 and []", code, out)
		}
	})
}

// -o naming a pipe or a device (/dev/null) writes to it: it is not
// replaced by a file, as the atomic rename of a regular file would.
func TestCompileWritesToAPipeWithoutReplacingIt(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "plan.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	read := make(chan []byte, 1)
	go func() {
		data, _ := os.ReadFile(fifo)
		read <- data
	}()
	code, _, stderr := run(t, "testdata/valid-forum", "compile", ".", "-o", fifo)
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want, _ := os.ReadFile("testdata/valid-forum/plan.json")
	if got := <-read; !bytes.Equal(got, want) {
		t.Error("the pipe did not get the plan")
	}
	if info, err := os.Lstat(fifo); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the pipe was replaced: %v %v", info.Mode(), err)
	}
}

func TestCompileWritesPlanOnlyWhenClean(t *testing.T) {
	tmp := t.TempDir()
	out := filepath.Join(tmp, "plan.json")
	code, _, stderr := run(t, "testdata/valid-forum", "compile", ".", "-o", out)
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want, _ := os.ReadFile("testdata/valid-forum/plan.json")
	if got, _ := os.ReadFile(out); !bytes.Equal(got, want) {
		t.Fatal("written plan differs from the golden plan")
	}

	// A failing compile leaves the previous plan untouched and no temp files.
	code, _, _ = run(t, "testdata/error-inject-key", "compile", ".", "-o", out)
	if code != cli.ExitFindings {
		t.Fatalf("exit %d, want 1", code)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, want) {
		t.Fatal("a failed compile changed the existing plan")
	}
	entries, _ := os.ReadDir(tmp)
	if len(entries) != 1 {
		t.Fatalf("output directory holds %d entries, want only plan.json", len(entries))
	}

	code, sdl, _ := run(t, "", "sdl", out)
	if code != cli.ExitOK || !strings.Contains(sdl, "type Query {\n  allPeople(limit: Int = 100, offset: Int = 0): [Person!]!") {
		t.Errorf("sdl exit %d:\n%s", code, sdl)
	}
}

func TestUsageAndIOErrorsExit2WithOneLine(t *testing.T) {
	damaged := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(damaged, []byte(`{"format": 1, "hash": "sha256:00"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing path", []string{"check", "no/such/dir"}, "no/such/dir: no such file or directory"},
		{"not a declaration file", []string{"check", "golden_test.go"}, "golden_test.go is not a declaration file"},
		{"unknown command", []string{"frobnicate"}, "unexpected argument frobnicate"},
		{"bad format", []string{"check", ".", "--format", "xml"}, "--format must be one of"},
		{"no paths", []string{"check"}, "check needs declarations to check"},
		{"plan without a database", []string{"check", "--plan", "plan.json"}, "check --plan needs --database-url"},
		{"paths and a plan", []string{"check", ".", "--plan", "plan.json"}, "not both"},
		{"output dir missing", []string{"compile", "testdata/valid-documents", "-o", "/nonexistent/dir/plan.json"}, "write plan:"},
		{"sdl of damaged plan", []string{"sdl", damaged}, "plan hash mismatch"},
		{"sdl of missing plan", []string{"sdl", "nope.json"}, "read plan:"},
		{"heap floor out of range", []string{"serve", "--plan", "plan.json", "--database-url", "postgres://x", "--gc-min-heap", "18446744073709551615"}, "--gc-min-heap 18446744073709551615: at most 65536 (MiB)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, "", tt.args...)
			if code != cli.ExitUsage {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.HasPrefix(stderr, "gqlplan: ") || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr = %q, want one line starting with \"gqlplan: \" containing %q", stderr, tt.want)
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	code, out, _ := run(t, "", "--help")
	if code != cli.ExitOK || !strings.Contains(out, "compile") || !strings.Contains(out, "check") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "", "schema", "declarations")
	if code != cli.ExitOK || !json.Valid([]byte(out)) || !strings.Contains(out, "declaration file") {
		t.Errorf("schema declarations: exit %d", code)
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ = run(t, "", args...)
		if code != cli.ExitOK || !strings.HasPrefix(out, "gqlplan 0.") || !strings.Contains(out, "plan format 1") {
			t.Errorf("%v: exit %d %q", args, code, out)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{{[]string{"help"}, "Usage: gqlplan <command>"}, {[]string{"help", "check"}, "Usage: gqlplan check"}} {
		if code, out, _ := run(t, "", c.args...); code != cli.ExitOK || !strings.Contains(out, c.want) {
			t.Errorf("%v: exit %d, %q", c.args, code, out)
		}
	}
}

// TestDatabaseURLPasswordNeverPrinted: whether the database is down or the
// URL is malformed, the one diagnostic (exit 2) does not repeat the
// password.
func TestDatabaseURLPasswordNeverPrinted(t *testing.T) {
	for _, url := range []string{
		"postgres://gq:hunter2-secret@/gq?host=/nonexistent-gqlplan-socket-dir&port=1&connect_timeout=2",
		"postgres://gq:hunter2-secret@localhost:notaport/gq",
	} {
		for _, format := range []string{"text", "json", "github"} {
			code, stdout, stderr := run(t, "testdata/valid-forum", "check", ".", "--database-url", url, "--format", format)
			if format != "text" { // for tools: on standard output
				stdout, stderr = stderr, stdout
			}
			if code != cli.ExitUsage || !strings.Contains(stderr, "db-unreachable") || stdout != "" {
				t.Errorf("%s (%s): exit %d, stderr %q; want 2 and one db-unreachable diagnostic", url, format, code, stderr)
			}
			if strings.Contains(stderr, "hunter2") {
				t.Errorf("%s (%s): the password is printed: %s", url, format, stderr)
			}
		}
	}
}
