package tests

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"

	"github.com/gqlplan/gqlplan/internal/cli"
	"github.com/gqlplan/gqlplan/internal/logbuf"
	"github.com/gqlplan/gqlplan/internal/pgtest"
)

const serveSecret = "serve-test-secret-0123456789abcdef!!"

func compileDocuments(t *testing.T) string {
	t.Helper()
	plan := filepath.Join(t.TempDir(), "plan.json")
	if code, _, stderr := run(t, "", "compile", "../examples/documents", "-o", plan); code != 0 {
		t.Fatal(stderr)
	}
	return plan
}

func TestServeRefusesABadStart(t *testing.T) {
	plan := compileDocuments(t)
	forum := filepath.Join(t.TempDir(), "forum.json")
	if code, _, stderr := run(t, "", "compile", "../examples/forum", "-o", forum); code != 0 {
		t.Fatal(stderr)
	}
	data, _ := os.ReadFile(plan)
	edited := filepath.Join(t.TempDir(), "edited.json")
	os.WriteFile(edited, bytes.Replace(data, []byte("The caller's documents"), []byte("Somebody's documents"), 1), 0o644)
	future := filepath.Join(t.TempDir(), "future.json")
	os.WriteFile(future, bytes.Replace(data, []byte(`"format": 1`), []byte(`"format": 99`), 1), 0o644)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"edited plan", []string{"--plan", edited, "--database-url", "postgres://x@127.0.0.1:1/x"}, "hash mismatch"},
		{"future format", []string{"--plan", future, "--database-url", "postgres://x@127.0.0.1:1/x"}, "unknown plan format 99"},
		{"no plan", []string{"--plan", "missing.json", "--database-url", "postgres://x@127.0.0.1:1/x"}, "read plan"},
		{"unreachable database", []string{"--plan", plan, "--database-url", "postgres://u:secretpw@127.0.0.1:1/x?connect_timeout=2"}, "unreachable"},
		{"unreachable database, retried", []string{"--plan", plan, "--database-url", "postgres://u:secretpw@127.0.0.1:1/x?connect_timeout=1", "--db-wait", "1s"}, "retrying"},
		{"short secret", []string{"--plan", plan, "--database-url", pgtest.Database(t), "--jwt-secret", "short"}, "at least 32"},
		{"token operations without a signing key", []string{"--plan", forum, "--database-url", pgtest.Database(t)}, "sign tokens (authenticate) need a signing key"},
		{"bad role claim path", []string{"--plan", plan, "--database-url", pgtest.Database(t), "--jwt-role-claim", `a."b`}, "role claim path"},
		{"JWKS URL and file", []string{"--plan", plan, "--database-url", pgtest.Database(t), "--jwks-url", "http://127.0.0.1:1/k", "--jwks-file", "x.json"}, "not both"},
	} {
		code, _, stderr := run(t, "", append([]string{"serve"}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "secretpw") {
			t.Errorf("%s: exit %d, stderr %q", c.name, code, stderr)
		}
	}
}

func TestServeAnswersAndShutsDownGracefully(t *testing.T) {
	plan := compileDocuments(t)
	dsn := pgtest.Database(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema, _ := os.ReadFile("../examples/documents/schema.sql")
	if _, err := conn.Exec(ctx, string(schema)+`;
		INSERT INTO app.tenant (id, name) VALUES ('acme', 'Acme');
		INSERT INTO app.app_user VALUES ('u1', 'acme');`); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	// The example's declared role: the login role its requests run as.
	login, err := pgtest.WithUser(dsn, "documents_gqlplan")
	if err != nil {
		t.Fatal(err)
	}

	serveCtx, stop := context.WithCancel(ctx)
	stderr := &logbuf.Buffer{}
	done := make(chan int, 1)
	t.Setenv("DATABASE_URL", login) // the fallback for GQLPLAN_DATABASE_URL
	t.Setenv("GQLPLAN_JWT_SECRET", serveSecret)
	go func() {
		done <- cli.Main(serveCtx, cli.Env{Stdout: io.Discard, Stderr: stderr}, []string{"serve", "--plan", plan, "--listen", "127.0.0.1:0", "--shutdown-timeout", "5s", "--debug-listen", "127.0.0.1:0"})
	}()
	addr := regexp.MustCompile(`url=(http://\S+)`)
	var url string
	for deadline := time.Now().Add(20 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := addr.FindStringSubmatch(stderr.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		stop()
		t.Fatalf("serve did not start:\n%s", stderr)
	}
	tok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "u1", "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(serveSecret))
	post := func(query string) string {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"query":`+strconvQuote(query)+`}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(bytes.ReplaceAll(body, []byte(" : "), []byte(":")))
	}
	// Profiles are served on their own listener, never on the API's.
	profiles := regexp.MustCompile(`profiles=(http://\S+)`).FindStringSubmatch(stderr.String())
	if profiles == nil {
		t.Fatalf("no profiles address logged:\n%s", stderr)
	}
	for u, want := range map[string]int{profiles[1] + "cmdline": 200, strings.TrimSuffix(url, "/graphql") + "/debug/pprof/cmdline": 404} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", u, resp.StatusCode, want)
		}
	}
	if got := post(`mutation { createDocument(title: "hello") { title } }`); !strings.Contains(got, `{"data":{"createDocument":{"title":"hello"}}}`) {
		t.Errorf("createDocument: %s", got)
	}
	if got := post(`{ myDocuments { title } }`); !strings.Contains(got, `{"data":{"myDocuments":[{"title":"hello"}]}}`) {
		t.Errorf("myDocuments: %s", got)
	}

	// In-flight requests finish after the signal; new ones are refused. The
	// request is held in flight by a lock on its table, not by a sleep, so
	// the signal surely comes while it runs, however busy the machine.
	lock, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close(ctx)
	if _, err := lock.Exec(ctx, "BEGIN; LOCK TABLE app.tb_document IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	slow := make(chan string, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		slow <- post(`{ myDocuments { title } }`)
	}()
	waitFor(t, "the request to wait on the lock", func() bool {
		var waiting bool
		lock.QueryRow(ctx, "SELECT count(*) > 0 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()").Scan(&waiting)
		return waiting
	})
	stop()
	waitFor(t, "serve to begin shutting down", func() bool { return strings.Contains(stderr.String(), "shutting down") })
	if _, err := lock.Exec(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if got := <-slow; !strings.Contains(got, "hello") {
		t.Errorf("in-flight request: %s", got)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d:\n%s", code, stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("log: %s", stderr)
	}
	if _, err := http.Get(url); err == nil {
		t.Error("still accepting after shutdown")
	}
	if strings.Contains(stderr.String(), tok) || strings.Contains(stderr.String(), "hello") {
		t.Errorf("the log holds a token or a variable value:\n%s", stderr)
	}
}

func strconvQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// waitFor polls until cond holds; a loaded machine may take long, so the
// bound only stops a test that would otherwise hang.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestDBWaitKeepsTryingForItsWholeDuration: --db-wait D retries an
// unreachable database until D has passed (a lower bound, so a busy
// machine cannot make it fail), then gives up with exit 2.
func TestDBWaitKeepsTryingForItsWholeDuration(t *testing.T) {
	plan := compileDocuments(t)
	start := time.Now()
	code, _, stderr := run(t, "", "serve", "--plan", plan, "--database-url", "postgres://u:pw@127.0.0.1:1/x?connect_timeout=1", "--db-wait", "1500ms")
	if elapsed := time.Since(start); code != 2 || elapsed < 1500*time.Millisecond || !strings.Contains(stderr, "unreachable") {
		t.Errorf("exit %d after %v (want 2 after at least 1.5s): %s", code, elapsed, stderr)
	}
}
