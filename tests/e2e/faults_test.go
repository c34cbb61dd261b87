package e2e

// Faults and load: what one anonymous client, a slow database, a full pool,
// a shutdown or a restarted PostgreSQL do to `gqlplan serve` (issue 22).
// Each test drives a real server process over a real PostgreSQL and logs
// its figures (run with -v). The longer cases (a 10 s outage, restarts
// under a minute of load) are in faults_long_test.go, behind the faults
// build tag: make faults.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"

	"github.com/gqlplan/gqlplan/internal/pgcluster"
)

// TestFaultLargeResponseMemory: a response of 20 MB, allowed, costs the
// server a bounded multiple of its size in peak memory (the JSON is read
// once from PostgreSQL and written from there, never copied into a body
// or re-encoded), and with the default heap floor at most the floor more;
// one above --max-response-bytes is refused with its code before its
// bytes are read.
func TestFaultLargeResponseMemory(t *testing.T) {
	admin, login, plan := compileExample(t, "forum", "forum_example_gqlplan")
	addPosts(t, admin, 100, 20<<10) // 100 posts of 20 KiB
	big := aliasedPosts(10)         // the 100 posts 10 times: 20 MB
	for _, c := range []struct {
		minHeap string
		floor   float64 // bytes the heap may hold before it is collected
	}{
		// Without the floor, what is measured is the copies the response
		// costs; the floor lets garbage reach it first, which would hide them.
		{"0", 0},
		{"64", 64 << 20}, // the default
	} {
		s := serve(t, admin, login, plan, "--default-role", "forum_example_anonymous", "--max-response-bytes", "64000000", "--gc-min-heap", c.minHeap)
		before := memoryOf(t, s)
		r := s.send(t, "", big)
		if r.status != 200 || len(r.body) < 20e6 {
			t.Fatalf("the large response: %d, %d bytes: %.300s", r.status, len(r.body), r.body)
		}
		after := memoryOf(t, s)
		grew := after.peak - before.peak
		t.Logf("--gc-min-heap %s: a %.1f MB response: peak RSS %.1f → %.1f MB (+%.1f MB, %.2f× the response) in %v",
			c.minHeap, mb(len(r.body)), mb(before.peak), mb(after.peak), mb(grew), float64(grew)/float64(len(r.body)), r.took)
		// The bound: the results (read once into memory of their own size),
		// pgx's read buffer and the collector's slack; measured at 1.2×, the
		// old path (a doubling arena, then a body copy) took 4.8×.
		if limit := c.floor + 2.5*float64(len(r.body)); float64(grew) > limit {
			t.Errorf("--gc-min-heap %s: peak RSS grew %.1f MB for a %.1f MB response, more than %.0f MB", c.minHeap, mb(grew), mb(len(r.body)), limit/1e6)
		}
	}

	refused := serve(t, admin, login, plan, "--default-role", "forum_example_anonymous", "--max-response-bytes", "5000000")
	before := memoryOf(t, refused)
	r := refused.send(t, "", big)
	if r.status != 400 || r.code() != "RESPONSE_TOO_LARGE" || !strings.Contains(r.message(), "5000000 bytes") {
		t.Fatalf("over --max-response-bytes: %d %.300s", r.status, r.body)
	}
	after := memoryOf(t, refused)
	t.Logf("over a 5 MB limit: refused in %v, peak RSS %.1f → %.1f MB", r.took, mb(before.peak), mb(after.peak))
	if grew := after.peak - before.peak; grew > 4*5_000_000 {
		t.Errorf("a refused response still cost %.1f MB", mb(grew))
	}
	if r := refused.send(t, "", `{ allPosts(limit: 2) { id } }`); r.status != 200 {
		t.Errorf("after the refusal: %d %s", r.status, r.body)
	}
}

// TestFaultNonReadingClientsAreCutOff: clients that send the large query
// and never read hold the server's buffers only until --write-timeout.
func TestFaultNonReadingClientsAreCutOff(t *testing.T) {
	admin, login, plan := compileExample(t, "forum", "forum_example_gqlplan")
	addPosts(t, admin, 100, 20<<10)
	s := serve(t, admin, login, plan, "--default-role", "forum_example_anonymous", "--write-timeout", "1s")
	const clients = 4
	start := time.Now()
	for range clients {
		conn := stalledClient(t, s, aliasedPosts(6)) // 12 MB each
		defer conn.Close()
	}
	waitFor(t, "the write timeout to cut the clients off", func() bool {
		return strings.Count(s.log.String(), "write_error=") >= clients
	})
	m := memoryOf(t, s)
	t.Logf("%d clients that never read: cut off after %v (write timeout 1s); peak RSS %.1f MB, %.1f MB once they were",
		clients, time.Since(start).Round(time.Millisecond), mb(m.peak), mb(m.now))
	if r := s.send(t, "", `{ allPosts(limit: 2) { id } }`); r.status != 200 {
		t.Errorf("after the stalled clients: %d %s", r.status, r.body)
	}
}

// TestFaultPoolExhaustion: with every connection held by slow requests, a
// request needing the database is refused with 503 and Retry-After once
// --pool-timeout has passed, not queued without limit; one needing none is
// answered at once; the slow ones finish when the database lets them.
func TestFaultPoolExhaustion(t *testing.T) {
	admin, login, plan := compileExample(t, "forum", "forum_example_gqlplan")
	s := serve(t, admin, login, plan, "--default-role", "forum_example_anonymous", "--pool-size", "2", "--pool-timeout", "500ms")
	release := lockPosts(t, admin)
	slow := make(chan reply, 2)
	for range 2 {
		go func() { slow <- s.sendAsync("", `{ allPosts(limit: 1) { id } }`) }()
	}
	waitForLockWaiters(t, admin, 2)
	r := s.send(t, "", `{ personById(id: "`+globalID("Person", 1)+`") { id } }`)
	if r.status != 503 || r.code() != "SERVICE_UNAVAILABLE" || r.header.Get("Retry-After") != "1" {
		t.Fatalf("with the pool held: %d %v %s", r.status, r.header, r.body)
	}
	if r.took < 500*time.Millisecond {
		t.Errorf("refused after %v, before the pool timeout", r.took)
	}
	typename := s.send(t, "", `{ __typename }`)
	if typename.status != 200 {
		t.Errorf("a request needing no connection: %d %s", typename.status, typename.body)
	}
	t.Logf("pool of 2 held: a database request refused 503 after %v (pool timeout 500ms); __typename answered in %v", r.took, typename.took)
	release()
	for range 2 {
		if r := <-slow; r.status != 200 || r.err != nil {
			t.Errorf("a held request: %d %v %s", r.status, r.err, r.body)
		}
	}
}

// TestFaultRequestDeadline: --request-timeout bounds the whole request;
// at it, the statement is canceled in PostgreSQL, not left running.
func TestFaultRequestDeadline(t *testing.T) {
	admin, login, plan := compileExample(t, "forum", "forum_example_gqlplan")
	s := serve(t, admin, login, plan, "--default-role", "forum_example_anonymous", "--request-timeout", "1s")
	release := lockPosts(t, admin)
	defer release()
	r := s.send(t, "", `{ a: allPosts(limit: 1) { id } b: allPosts(limit: 2) { id } }`)
	if r.status != 504 || r.code() != "REQUEST_TIMEOUT" {
		t.Fatalf("past the request timeout: %d %s", r.status, r.body)
	}
	if r.took < time.Second {
		t.Errorf("timed out after %v, before the 1s deadline", r.took)
	}
	left := waitForNoLockWaiters(t, admin)
	t.Logf("request timeout 1s: 504 after %v; its statement was gone from pg_stat_activity %v later", r.took, left)
}

// TestFaultShutdownCancelsStatements: SIGTERM with a statement that would
// run 20 s: the server exits within --shutdown-timeout, the request is
// answered 503, and its backend's statement is canceled.
func TestFaultShutdownCancelsStatements(t *testing.T) {
	admin, login, plan := compileExample(t, "forum", "forum_example_gqlplan")
	s := serve(t, admin, login, plan, "--default-role", "forum_example_anonymous", "--shutdown-timeout", "3s")
	release := lockPosts(t, admin) // held 20 s unless the test ends first
	defer release()
	inFlight := make(chan reply, 1)
	go func() { inFlight <- s.sendAsync("", `{ allPosts(limit: 1) { id } }`) }()
	waitForLockWaiters(t, admin, 1)
	signaled := time.Now()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	s.waitExit(t, 20*time.Second, "SIGTERM")
	exited := time.Since(signaled)
	if s.err != nil {
		t.Errorf("serve exited with %v:\n%s", s.err, s.log)
	}
	// 3 s and the time a loaded machine takes to end a process.
	if exited > 4*time.Second {
		t.Errorf("exited %v after SIGTERM; --shutdown-timeout is 3s", exited)
	}
	r := <-inFlight
	if r.err == nil && (r.status != 503 || r.code() != "SERVICE_UNAVAILABLE") {
		t.Errorf("the in-flight request: %d %s", r.status, r.body)
	}
	left := waitForNoLockWaiters(t, admin)
	t.Logf("shutdown timeout 3s, a statement held on a lock: exited %v after SIGTERM, the request answered %d; its backend's statement gone %v after exit",
		exited.Round(time.Millisecond), r.status, left)
}

// TestFaultSecondSignalExitsAtOnce: a second SIGTERM does not wait for the
// shutdown timeout.
func TestFaultSecondSignalExitsAtOnce(t *testing.T) {
	admin, login, plan := compileExample(t, "forum", "forum_example_gqlplan")
	s := serve(t, admin, login, plan, "--default-role", "forum_example_anonymous", "--shutdown-timeout", "60s")
	release := lockPosts(t, admin)
	defer release()
	go s.sendAsync("", `{ allPosts(limit: 1) { id } }`)
	waitForLockWaiters(t, admin, 1)
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	waitFor(t, "serve to begin shutting down", func() bool { return strings.Contains(s.log.String(), "shutting down") })
	second := time.Now()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	s.waitExit(t, 10*time.Second, "the second signal")
	if code := s.cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit code %d after the second signal, want 130", code)
	}
	t.Logf("second SIGTERM: exited after %v", time.Since(second).Round(time.Millisecond))
}

// TestFaultReadinessThroughAnOutage: /readyz follows the database down
// and up (while /healthz, liveness, stays 200), requests during the outage
// get 503 with Retry-After, and the first requests after it succeed: the
// connections the restart killed are replaced, not handed to them. A
// server started while the database is down listens and answers 503 while
// --db-wait waits.
func TestFaultReadinessThroughAnOutage(t *testing.T) {
	c := ownCluster(t)
	admin, login, plan := compileExampleIn(t, c.AdminDSN(), "forum", "forum_example_gqlplan")
	s := serve(t, admin, login, plan, "--default-role", "forum_example_anonymous")
	base := strings.TrimSuffix(s.url, "/graphql")
	if code := statusOf(t, base+"/readyz"); code != 200 {
		t.Fatalf("/readyz before the outage: %d", code)
	}
	if err := c.Halt(false); err != nil {
		t.Fatal(err)
	}
	down := time.Now()
	waitFor(t, "/readyz to say not ready", func() bool { return statusOf(t, base+"/readyz") == 503 })
	noticed := time.Since(down)
	r := s.send(t, "", `{ allPosts(limit: 1) { id } }`)
	if r.status != 503 || r.code() != "SERVICE_UNAVAILABLE" || r.header.Get("Retry-After") == "" {
		t.Errorf("during the outage: %d %v %s", r.status, r.header, r.body)
	}
	if code := statusOf(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz during the outage: %d", code)
	}
	if err := c.Resume(context.Background()); err != nil {
		t.Fatal(err)
	}
	up := time.Now()
	waitFor(t, "/readyz to say ready", func() bool { return statusOf(t, base+"/readyz") == 200 })
	recovered := time.Since(up)
	for i := range 20 {
		if r := s.send(t, "", `{ allPosts(limit: 1) { id } }`); r.status != 200 {
			t.Errorf("request %d after the database came back: %d %s", i, r.status, r.body)
		}
	}
	t.Logf("outage: /readyz 503 within %v of the stop, 200 within %v of the start; 20 requests after it, all 200", noticed.Round(time.Millisecond), recovered.Round(time.Millisecond))

	// Started while the database is down, with --db-wait.
	if err := c.Halt(false); err != nil {
		t.Fatal(err)
	}
	waiting := serveWaiting(t, admin, login, plan, "--default-role", "forum_example_anonymous", "--db-wait", "60s")
	if code := statusOf(t, waiting+"/readyz"); code != 503 {
		t.Errorf("/readyz while --db-wait waits: %d", code)
	}
	if code := statusOf(t, waiting+"/healthz"); code != 200 {
		t.Errorf("/healthz while --db-wait waits: %d", code)
	}
	if code := statusOf(t, waiting+"/graphql?query=%7B__typename%7D"); code != 503 {
		t.Errorf("/graphql while --db-wait waits: %d", code)
	}
	if err := c.Resume(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the waiting server to become ready", func() bool { return statusOf(t, waiting+"/readyz") == 200 })
}

// TestFaultRestartUnderLoad: PostgreSQL restarted (fast, then immediate)
// under reads and writes: no acknowledged write is lost or partial, and
// no read fails once the database accepts connections again.
func TestFaultRestartUnderLoad(t *testing.T) {
	c := ownCluster(t)
	admin, login, plan := compileExampleIn(t, c.AdminDSN(), "forum", "forum_example_gqlplan")
	s := serve(t, admin, login, plan, "--default-role", "forum_example_anonymous")
	for _, immediate := range []bool{false, true} {
		name := map[bool]string{false: "fast", true: "immediate"}[immediate]
		t.Run(name, func(t *testing.T) {
			l := startLoad(t, s, 4, 2)
			time.Sleep(time.Second)
			if err := c.Halt(immediate); err != nil {
				t.Fatal(err)
			}
			down := time.Now()
			if err := c.Resume(context.Background()); err != nil {
				t.Fatal(err)
			}
			back := time.Now()
			time.Sleep(2 * time.Second)
			l.stop()
			l.check(t, admin, back)
			t.Logf("%s restart, down %v: %s", name, back.Sub(down).Round(time.Millisecond), l.summary(back))
		})
	}
}

// reply is one response as a fault test sees it.
type reply struct {
	status int
	header http.Header
	body   []byte
	took   time.Duration
	err    error // the exchange failed (the server closed the connection)
}

func (r reply) errors() []struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
} {
	var out struct {
		Errors []struct {
			Message    string `json:"message"`
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	_ = json.Unmarshal(r.body, &out)
	return out.Errors
}

// code is the first error's code, "" without errors.
func (r reply) code() string {
	if errs := r.errors(); len(errs) > 0 {
		return errs[0].Extensions.Code
	}
	return ""
}

func (r reply) message() string {
	if errs := r.errors(); len(errs) > 0 {
		return errs[0].Message
	}
	return ""
}

// sendAsync posts query, reporting a failed exchange in reply.err: it may
// run in a goroutine.
func (s *server) sendAsync(token, query string) reply {
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return reply{err: err, took: time.Since(start)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: raw, took: time.Since(start), err: err}
}

// send is sendAsync failing the test when the exchange fails.
func (s *server) send(t *testing.T, token, query string) reply {
	t.Helper()
	r := s.sendAsync(token, query)
	if r.err != nil {
		t.Fatalf("%.80s: %v", query, r.err)
	}
	return r
}

// aliasedPosts is a query of n aliased pages of 100 posts with their bodies.
func aliasedPosts(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " p%d: allPosts(limit: 100) { id headline body }", i)
	}
	b.WriteString(" }")
	return b.String()
}

// addPosts adds n posts of size bytes to the forum, by its first person.
func addPosts(t *testing.T, admin string, n, size int) {
	t.Helper()
	ctx := context.Background()
	conn := connect(t, admin)
	if _, err := conn.Exec(ctx, `INSERT INTO forum_example.post (author_id, headline, body)
		SELECT 1, 'bulk ' || g, repeat(md5(g::text), $2 / 32) FROM generate_series(1, $1) g`, n, size); err != nil {
		t.Fatal(err)
	}
}

// lockPosts locks the posts table from a session of its own, so that every
// request reading it waits: a slow statement that no sleep makes
// timing-dependent. release commits; it runs at the latest 20 s later, or
// when the test ends.
func lockPosts(t *testing.T, admin string) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "BEGIN; LOCK TABLE forum_example.post IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			_, _ = conn.Exec(ctx, "COMMIT")
			conn.Close(ctx)
		})
	}
	timer := time.AfterFunc(20*time.Second, release)
	t.Cleanup(func() { timer.Stop(); release() })
	return release
}

// lockWaiters counts the statements of the server's login role waiting
// for a lock.
func lockWaiters(t *testing.T, admin string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin) // polled: closed at once, not when the test ends
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE usename = 'forum_example_gqlplan' AND wait_event_type = 'Lock' AND datname = current_database()`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func waitForLockWaiters(t *testing.T, admin string, n int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d requests to wait on the lock", n), func() bool { return lockWaiters(t, admin) >= n })
}

// waitForNoLockWaiters waits for the server's statements to stop waiting
// (canceled) and says how long that took.
func waitForNoLockWaiters(t *testing.T, admin string) time.Duration {
	t.Helper()
	start := time.Now()
	waitFor(t, "the canceled statements to leave pg_stat_activity", func() bool { return lockWaiters(t, admin) == 0 })
	return time.Since(start).Round(time.Millisecond)
}

// memory is a process's resident set: now and at its peak (VmHWM).
type memory struct{ now, peak int }

func memoryOf(t *testing.T, s *server) memory {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	var m memory
	for _, line := range strings.Split(string(status), "\n") {
		field, value, _ := strings.Cut(line, ":")
		kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(value), " kB"))
		switch field {
		case "VmRSS":
			m.now = kb << 10
		case "VmHWM":
			m.peak = kb << 10
		}
	}
	return m
}

func mb(n int) float64 { return float64(n) / 1e6 }

// stalledClient sends query on a connection with a small receive buffer
// and never reads the answer.
func stalledClient(t *testing.T, s *server, query string) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	host := strings.TrimPrefix(strings.TrimSuffix(s.url, "/graphql"), "http://")
	conn, err := d.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"query": query})
	fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", host, len(body), body)
	return conn
}

// statusOf is the status of a GET of url (0: no answer).
func statusOf(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// serveWaiting starts `gqlplan serve` while its database is down: it
// returns the server's base URL once it listens.
func serveWaiting(t *testing.T, admin, login, plan string, args ...string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	launch(t, admin, login, plan, append(args, "--listen", addr)...)
	base := "http://" + addr
	waitFor(t, "the server to listen while it waits for the database", func() bool { return statusOf(t, base+"/healthz") == 200 })
	return base
}

// ownCluster is a PostgreSQL cluster of the test's own, which it may stop
// and start. Its commits are synchronous: one acknowledged survives an
// immediate shutdown (a crash), as it would on a production server.
func ownCluster(t *testing.T) *pgcluster.Cluster {
	t.Helper()
	c, err := pgcluster.StartCluster(context.Background(), "synchronous_commit=on")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
	})
	return c
}

// personToken is a token of the forum's first person.
func personToken(t *testing.T) string {
	t.Helper()
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"role": "forum_example_person", "person_id": 1, "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// waitFor polls until cond holds; a loaded machine may take long, so the
// bound only stops a test that would otherwise hang.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
