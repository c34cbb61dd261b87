package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gqlplan/gqlplan/internal/cli"
	"github.com/gqlplan/gqlplan/internal/logbuf"
)

// devRun is one gqlplan dev process on a copy of the forum example.
type devRun struct {
	t              *testing.T
	dir, addr      string
	stdout, stderr *logbuf.Buffer
}

// startDev copies the forum example into a directory of the test's, lets
// edit change its files, and runs gqlplan dev on it until the test ends,
// when dev must exit cleanly and leave no cluster files behind.
func startDev(t *testing.T, edit func(dir string)) *devRun {
	dir := t.TempDir()
	for _, f := range []string{"schema.sql", "api.yaml"} {
		data, err := os.ReadFile(filepath.Join("../examples/forum", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), data, 0o644)
	}
	if edit != nil {
		edit(dir)
	}
	// dev's throwaway cluster goes into a temporary directory of this
	// test's own, so other packages' clusters (go test runs packages in
	// parallel) do not count as dev's leftovers.
	// (Not t.TempDir: initdb runs as another user when the tests run as
	// root, and must reach the directory.)
	tmp, err := os.MkdirTemp("", "gqlplan-dev-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	if err := os.Chmod(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", tmp)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	ctx, stop := context.WithCancel(context.Background())
	d := &devRun{t: t, dir: dir, addr: addr, stdout: &logbuf.Buffer{}, stderr: &logbuf.Buffer{}}
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, cli.Env{Stdout: d.stdout, Stderr: d.stderr}, []string{"dev", dir, "--listen", addr, "--poll", "50ms",
			"--default-role", "forum_example_anonymous", "--token", `{"role":"forum_example_person","person_id":1}`})
	}()
	t.Cleanup(func() {
		stop()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("dev exited %d: %s", code, d.stderr)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("dev did not stop")
		}
		if left, _ := filepath.Glob(filepath.Join(tmp, "gqlplan-pg-*")); len(left) > 0 {
			t.Errorf("dev left cluster files behind: %v", left)
		}
	})
	return d
}

// query posts a GraphQL query and returns the body (or the error).
func (d *devRun) query(q string) string {
	body, _ := json.Marshal(map[string]string{"query": q})
	resp, err := http.Post("http://"+d.addr+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(resp.Body)
	return out.String()
}

// eventually waits until q answers with want in its body; a loaded
// machine may take long, so the bound only stops a test that would hang.
func (d *devRun) eventually(what, q, want string) {
	d.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for got := d.query(q); !strings.Contains(got, want); got = d.query(q) {
		if time.Now().After(deadline) {
			d.t.Fatalf("%s: %s gives %s\nstderr:\n%s", what, q, got, d.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDevServesAndReloads runs gqlplan dev on a copy of the forum
// example: it serves, picks up a declaration change, keeps the last good
// plan through a broken one, reloads the database on a SQL change, and
// leaves nothing behind when stopped.
func TestDevServesAndReloads(t *testing.T) {
	d := startDev(t, nil)
	dir, addr, stdout, stderr := d.dir, d.addr, d.stdout, d.stderr
	query, eventually := d.query, d.eventually
	eventually("start", `{ __typename }`, `{"data":{"__typename":"Query"}}`)
	if out := stdout.String(); !strings.Contains(out, "http://"+addr+"/graphql") || !strings.Contains(out, "export TOKEN=ey") {
		t.Errorf("stdout: %s", out)
	}
	resp, err := http.Get("http://" + addr + "/")
	if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("playground: %v %v", resp, err)
	}
	resp.Body.Close()

	// A declaration change is compiled and served.
	api := filepath.Join(dir, "api.yaml")
	data, _ := os.ReadFile(api)
	edited := strings.Replace(string(data), "queries:\n", "queries:\n  devProbe: {returns: \"[Person!]!\", sql_source: person, order_by: [id]}\n", 1)
	os.WriteFile(api, []byte(edited), 0o644)
	eventually("declaration change", `{ devProbe { id } }`, `{"data":{"devProbe":[]}}`)

	// A broken declaration prints diagnostics; the last good plan serves on.
	os.WriteFile(api, []byte(edited+"\nqueries: [\n"), 0o644)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stderr.String(), "[yaml-syntax]") && !strings.Contains(stderr.String(), "[duplicate-key]") {
		if time.Now().After(deadline) {
			t.Fatalf("no diagnostic for a broken file:\n%s", stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := query(`{ devProbe { id } }`); got != "{\"data\":{\"devProbe\":[]}}\n" {
		t.Errorf("after a broken change: %s", got)
	}

	// A SQL change rebuilds the database.
	os.WriteFile(api, []byte(edited), 0o644)
	schema := filepath.Join(dir, "schema.sql")
	sql, _ := os.ReadFile(schema)
	os.WriteFile(schema, append(sql, "\nINSERT INTO forum_example.person (first_name, last_name) VALUES ('Dev', 'Probe');\n"...), 0o644)
	eventually("SQL change", `{ devProbe { id } }`, `{"data":{"devProbe":[{"id"`)
}

// TestDevWaitsForAFixWhenTheFirstCompileFails: dev started on broken
// declarations prints them, answers 503 meanwhile, and serves as soon as a
// change compiles.
func TestDevWaitsForAFixWhenTheFirstCompileFails(t *testing.T) {
	api := ""
	d := startDev(t, func(dir string) {
		api = filepath.Join(dir, "api.yaml")
		data, _ := os.ReadFile(api)
		os.WriteFile(api, bytes.Replace(data, []byte("returns: Person"), []byte("returns: Persn"), 1), 0o644)
	})
	d.eventually("start on broken declarations", `{ __typename }`, `"SERVICE_UNAVAILABLE"`)
	if !strings.Contains(d.stderr.String(), "[unknown-type]") {
		t.Errorf("no diagnostic printed:\n%s", d.stderr)
	}
	data, _ := os.ReadFile(api)
	os.WriteFile(api, bytes.Replace(data, []byte("returns: Persn"), []byte("returns: Person"), 1), 0o644)
	d.eventually("fixed", `{ __typename }`, `{"data":{"__typename":"Query"}}`)
}
