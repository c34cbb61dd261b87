package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gqlplan/gqlplan/internal/logbuf"
	"github.com/gqlplan/gqlplan/internal/pgcluster"
	"github.com/gqlplan/gqlplan/internal/pgtest"
)

// binary is the gqlplan executable built once for the package;
// extendServer is examples/extend's server, gqlplan with its resolvers.
var binary, extendServer string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gqlplan-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binary, extendServer = filepath.Join(dir, "gqlplan"), filepath.Join(dir, "extend-server")
	build := exec.Command("go", "build", "-o", binary, "github.com/gqlplan/gqlplan/cmd/gqlplan")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	// examples/extend is a module of its own, as a user's server is: built
	// against this checkout (its replace), from the module cache alone.
	buildExtend := exec.Command("go", "build", "-o", extendServer, "./server")
	buildExtend.Dir = "../../examples/extend"
	buildExtend.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOPROXY=off")
	buildExtend.Stdout, buildExtend.Stderr = os.Stderr, os.Stderr
	code := 2
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building gqlplan:", err)
	} else if err := buildExtend.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building examples/extend/server:", err)
	} else {
		code = pgtest.Run(m)
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// secret signs the tests' tokens and the server's.
const secret = "e2e-secret-that-is-long-enough-for-hs256"

// server is one `gqlplan serve` process over an example's database.
type server struct {
	url   string
	admin string // the database, as its owner: for checks behind the API
	plan  string // the plan it serves
	cmd   *exec.Cmd
	log   *logbuf.Buffer // what it wrote to stderr
	done  chan struct{}  // closed once it has exited; then err is its exit
	err   error
}

// startExample loads an example's SQL (every *.sql, in name order, as
// gqlplan dev does) into a fresh database, compiles the example against it
// as the server's login role, and starts `gqlplan serve` on the plan. The
// server is stopped, and must exit cleanly, when the test ends.
func startExample(t *testing.T, example, loginRole string, serveArgs ...string) *server {
	t.Helper()
	admin, login, plan := compileExample(t, example, loginRole)
	return serve(t, admin, login, plan, serveArgs...)
}

// compileExample loads an example's SQL into a fresh database and compiles
// the example against it as loginRole; it returns the database's URL as
// its owner and as loginRole, and the plan's path.
func compileExample(t *testing.T, example, loginRole string) (admin, login, plan string) {
	t.Helper()
	return compileExampleIn(t, pgtest.Database(t), example, loginRole)
}

// compileExampleIn is compileExample on the database admin.
func compileExampleIn(t *testing.T, admin, example, loginRole string) (_, login, plan string) {
	t.Helper()
	dir := filepath.Join("../../examples", example)
	if strings.Contains(example, "/") { // a directory of the tests' own
		dir = example
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := pgcluster.ApplySQLFiles(ctx, admin, dir); err != nil {
		t.Fatal(err)
	}
	login, err := pgtest.WithUser(admin, loginRole)
	if err != nil {
		t.Fatal(err)
	}
	plan = filepath.Join(t.TempDir(), "plan.json")
	if out, err := exec.Command(binary, "compile", dir, "-o", plan, "--database-url", login).CombinedOutput(); err != nil {
		t.Fatalf("compile %s: %v\n%s", example, err, out)
	}
	return admin, login, plan
}

// serve starts `gqlplan serve` on plan, connected as login, and returns
// once it serves.
func serve(t *testing.T, admin, login, plan string, serveArgs ...string) *server {
	t.Helper()
	return serveBinary(t, binary, nil, admin, login, plan, serveArgs...)
}

// serveBinary is serve of bin with env (see launchBinary).
func serveBinary(t *testing.T, bin string, env []string, admin, login, plan string, serveArgs ...string) *server {
	t.Helper()
	s, urls := launchBinary(t, bin, env, admin, login, plan, serveArgs...)
	select {
	case s.url = <-urls:
		return s
	case <-s.done:
		t.Fatalf("gqlplan serve exited: %v\n%s", s.err, s.log)
	case <-time.After(30 * time.Second):
		t.Fatalf("gqlplan serve did not start:\n%s", s.log)
	}
	return nil
}

// launch starts `gqlplan serve`; urls gets its GraphQL URL once it serves.
// It is stopped, and must exit cleanly, when the test ends.
func launch(t *testing.T, admin, login, plan string, serveArgs ...string) (_ *server, urls <-chan string) {
	t.Helper()
	return launchBinary(t, binary, nil, admin, login, plan, serveArgs...)
}

// servedPipelined reports whether the servers pipeline queries: serve
// reads GQLPLAN_PIPELINING from the environment they inherit
// (GQLPLAN_PIPELINING=true make faults runs the fault cases so).
func servedPipelined() bool {
	on, _ := strconv.ParseBool(os.Getenv("GQLPLAN_PIPELINING"))
	return on
}

// launchBinary is launch of the serve command of bin, a gqlplan or a
// server built with package extend/server, with env added to the
// process's environment.
func launchBinary(t *testing.T, bin string, env []string, admin, login, plan string, serveArgs ...string) (_ *server, urls <-chan string) {
	t.Helper()
	if os.Getenv("GQLPLAN_TEST_PGBOUNCER") == "1" { // every server through PgBouncer, in transaction mode
		var pooled []string
		login, pooled = throughPgBouncer(t, login, 2)
		serveArgs = append(pooled, serveArgs...)
	}
	cmd := exec.Command(bin, append([]string{"serve", "--plan", plan, "--database-url", login,
		"--listen", "127.0.0.1:0", "--jwt-secret", secret}, serveArgs...)...)
	cmd.Env = append(os.Environ(), env...)
	stderr := &logbuf.Buffer{}
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{admin: admin, plan: plan, cmd: cmd, log: stderr, done: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		scan := bufio.NewScanner(pipe)
		addr := regexp.MustCompile(`url=(http://\S+)`)
		for scan.Scan() {
			fmt.Fprintln(stderr, scan.Text())
			if m := addr.FindStringSubmatch(scan.Text()); m != nil {
				found <- m[1]
			}
		}
		s.err = cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done: // a test stopped it, and checked how
		default:
			_ = cmd.Process.Signal(syscall.SIGTERM)
			<-s.done
			if s.err != nil {
				t.Errorf("gqlplan serve: %v\n%s", s.err, stderr)
			}
		}
		if log := stderr.String(); strings.Contains(log, secret) || strings.Contains(log, "password-") || regexp.MustCompile(`eyJ[\w-]+\.eyJ`).MatchString(log) {
			t.Errorf("the server log holds a secret, a password or a token:\n%s", log)
		}
	})
	return s, found
}

// response is a GraphQL response, with errors reduced to their codes.
type response struct {
	status int
	Data   map[string]json.RawMessage `json:"data"`
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code       string `json:"code"`
			Constraint string `json:"constraint"`
		} `json:"extensions"`
	} `json:"errors"`
}

// codes lists the error codes of the response, in order.
func (r *response) codes() []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, e.Extensions.Code)
	}
	return out
}

// field decodes data[name] into v, failing the test on errors.
func (r *response) field(t *testing.T, name string, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("%s: errors %v: %+v", name, r.codes(), r.Errors)
	}
	raw, ok := r.Data[name]
	if !ok {
		t.Fatalf("%s: no such field in %v", name, r.Data)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v in %s", name, err, raw)
	}
}

// post sends one GraphQL request, with "Authorization: Bearer token"
// unless token is empty.
func (s *server) post(t *testing.T, token, query string, variables map[string]any) *response {
	t.Helper()
	status, raw, err := send(http.DefaultClient, s.url, token, query, variables)
	if err != nil {
		t.Fatal(err)
	}
	out := &response{status: status}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("%s: not JSON (%v): %s", query, err, raw)
	}
	errors, _ := json.Marshal(out.Errors)
	for _, leak := range []string{"forum_example", "app.", "SELECT", "pg_", "password-", "crypt", "policy", secret} {
		if len(out.Errors) > 0 && strings.Contains(string(errors), leak) {
			t.Errorf("the errors of %q leak %q: %s", query, leak, errors)
		}
	}
	return out
}

// send posts one request with client; its status and body, or the error
// of a request that got no answer.
func send(client *http.Client, url, token, query string, variables map[string]any) (int, []byte, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": variables})
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// digest is a fingerprint of what query returns, read behind the API, for
// "nothing changed" assertions.
func (s *server) digest(t *testing.T, query string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn := connect(t, s.admin)
	var out string
	if err := conn.QueryRow(ctx, "SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM ("+query+") t").Scan(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// startDev runs `gqlplan dev examples/forum` as make demo does (its own
// throwaway PostgreSQL, anonymous requests as forum_example_anonymous),
// with more flags if given, and returns its address and the development
// token it printed ("" without --token). It is stopped with Ctrl-C (SIGINT)
// when the test ends and must exit cleanly.
func startDev(t *testing.T, flags ...string) (addr, token string) {
	t.Helper()
	addr = freeAddr(t)
	dev := exec.Command(binary, append([]string{"dev", "../../examples/forum", "--listen", addr,
		"--default-role", "forum_example_anonymous"}, flags...)...)
	stderr := &logbuf.Buffer{}
	dev.Stderr = stderr
	stdout, err := dev.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := dev.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = dev.Process.Signal(syscall.SIGINT)
		if err := dev.Wait(); err != nil {
			t.Errorf("gqlplan dev: %v\n%s", err, stderr)
		}
	})
	ready := make(chan string, 2)
	go func() {
		scan := bufio.NewScanner(stdout)
		for scan.Scan() {
			line := strings.TrimSpace(scan.Text())
			if strings.HasPrefix(line, "gqlplan dev: GraphQL at") {
				ready <- ""
			}
			if token, ok := strings.CutPrefix(line, "export TOKEN="); ok {
				ready <- token
			}
		}
		close(ready)
	}()
	wantToken := slices.Contains(flags, "--token")
	for deadline := time.After(60 * time.Second); ; {
		select {
		case line, ok := <-ready:
			if !ok {
				t.Fatalf("gqlplan dev stopped:\n%s", stderr)
			}
			token = line
			if token != "" || !wantToken {
				return addr, token
			}
		case <-deadline:
			t.Fatalf("gqlplan dev did not start:\n%s", stderr)
		}
	}
}

// globalID is the global id of the row of a node type with an integer
// key, in the format the README documents: base64url (unpadded) of "g1"
// and the JSON array [type, key] as PostgreSQL prints it.
func globalID(typ string, key int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`g1["%s", %d]`, typ, key)))
}

// connect opens a connection to dsn, closed when the test ends.
func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// waitExit waits for the server to exit, at most within after what (a
// signal) was sent.
func (s *server) waitExit(t *testing.T, within time.Duration, what string) {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(within):
		t.Fatalf("serve did not exit within %v of %s", within, what)
	}
}

// throughPgBouncer starts Debian's pgbouncer in transaction mode in
// front of login's server, with at most poolSize server connections (less
// than a server's pool), and returns login through it and the serve flags
// that work there: no statements prepared by name, no cancel requests
// (which crash PgBouncer 1.18), and LISTEN straight to the server. It stops when the test ends, after the server.
func throughPgBouncer(t *testing.T, login string, poolSize int) (string, []string) {
	t.Helper()
	cfg, err := pgconn.ParseConfig(login)
	if err != nil {
		t.Fatal(err)
	}
	bouncer, err := pgcluster.StartPgBouncer(context.Background(), login, []string{cfg.User}, poolSize)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bouncer.Stop)
	pooled, err := bouncer.URL(login)
	if err != nil {
		t.Fatal(err)
	}
	return pooled, []string{"--statement-cache", "describe", "--no-cancel-requests", "--listen-database-url", login}
}
