package runtime_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gqlplan/gqlplan/runtime"
)

// terminateBackends ends every connection of the server's pool from the
// database side (pg_terminate_backend, as a restart or an operator would)
// and waits until they are gone.
func terminateBackends(t *testing.T, s *server) {
	t.Helper()
	count := func() string {
		return s.scalar(`SELECT count(*)::text FROM pg_stat_activity WHERE usename = $1 AND application_name <> 'gqlplan listener'`, s.roles.auth)
	}
	if n := count(); n == "0" {
		t.Fatal("the pool holds no connection to terminate")
	}
	s.scalar(`SELECT count(pg_terminate_backend(pid))::text FROM pg_stat_activity WHERE usename = $1 AND application_name <> 'gqlplan listener'`, s.roles.auth)
	for deadline := time.Now().Add(time.Minute); count() != "0"; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the terminated backends did not exit")
		}
	}
}

// TestATerminatedConnectionCostsNoRequest: a query handed a connection the
// server has terminated runs again on a live one; so does a mutation, since
// the termination is the first thing it reads back (nothing of it ran), and
// it is applied once.
func TestATerminatedConnectionCostsNoRequest(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 1, noPing: true, lone: true})
	s.query(`{ people { id } }`, nil, "")
	terminateBackends(t, s)
	if got := s.query(`{ person(id: 1) { firstName } }`, nil, ""); !strings.Contains(got, "firstName") {
		t.Fatalf("the query after the termination: %s", got)
	}
	if met := metTermination(s); met != 1 {
		t.Fatalf("the query met %d terminated connections, want 1; the test proves nothing:\n%s", met, s.logs)
	}

	tok := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 2})
	terminateBackends(t, s)
	r := s.do(call{token: tok, query: `mutation { createPost(title: "after a termination") { title } }`})
	if r.status != 200 || len(r.Errors) > 0 {
		t.Fatalf("the mutation after the termination: %d %s", r.status, r.body)
	}
	if got := s.scalar(`SELECT count(*)::text FROM shop.post WHERE title = 'after a termination'`); got != "1" {
		t.Errorf("the retried mutation is stored %s times", got)
	}
	if met := metTermination(s); met != 2 {
		t.Errorf("the mutation did not meet the terminated connection (%d met in all)", met)
	}
}

// metTermination counts the requests whose log tells of a terminated
// connection: its termination read (57P01), or the connection pgx closed
// on reading it.
func metTermination(s *server) int {
	met := map[string]bool{}
	for _, line := range strings.Split(s.logs.String(), "\n") {
		if strings.Contains(line, `"sqlstate":"57P01"`) || strings.Contains(line, `"msg":"database unavailable"`) {
			_, id, _ := strings.Cut(line, `"request_id":"`)
			met[id[:16]] = true
		}
	}
	return len(met)
}

// TestAnUnreachableDatabaseIsOneAnswer: with the connections gone and none
// to be had, every request needing the database is the same 503
// SERVICE_UNAVAILABLE with Retry-After, never a field error or a 500.
func TestAnUnreachableDatabaseIsOneAnswer(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 1, noPing: true, limits: runtime.Limits{PoolTimeout: 200 * time.Millisecond}})
	s.query(`{ people { id } }`, nil, "")
	// The authenticator may no longer log in: new connections fail as
	// they would against a stopped server.
	if _, err := s.admin.Exec(context.Background(), `ALTER ROLE "`+s.roles.auth+`" NOLOGIN`); err != nil {
		t.Fatal(err)
	}
	defer s.admin.Exec(context.Background(), `ALTER ROLE "`+s.roles.auth+`" LOGIN`)
	terminateBackends(t, s)
	for _, q := range []string{`{ people { id } }`, `{ a: people { id } b: person(id: 1) { id } }`} {
		r := s.do(call{query: q})
		if r.status != 503 || len(r.Errors) != 1 || r.codes()[0] != "SERVICE_UNAVAILABLE" || r.header.Get("Retry-After") != "1" || r.Data != nil {
			t.Errorf("%s: %d %v %s", q, r.status, r.header, r.body)
		}
	}
}

// TestAbortedRequestsKeepTheirConnections: a client that leaves while its
// statement runs (a browser navigating away, a proxy's timeout, wrk
// stopping) has the statement canceled in PostgreSQL, and the connection
// goes back to the pool: 100 aborted requests leave the pool's backends —
// their PIDs — as they were, and the next requests are answered.
func TestAbortedRequestsKeepTheirConnections(t *testing.T) {
	const size = 4
	s := newServer(t, serverOptions{maxConns: size, lone: true}) // each request a connection: all four wait on the lock
	ctx := context.Background()
	backends := func() string {
		return s.scalar(`SELECT coalesce(string_agg(pid::text, ',' ORDER BY pid), '') FROM pg_stat_activity WHERE usename = $1 AND application_name <> 'gqlplan listener'`, s.roles.auth)
	}
	// Fill the pool: hold all of its connections at once, then let go.
	var held []*pgxpool.Conn
	for range size {
		conn, err := s.pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, conn)
	}
	for _, conn := range held {
		conn.Release()
	}
	s.query(`{ people { id } }`, nil, "")
	before := backends()
	if strings.Count(before, ",") != size-1 {
		t.Fatalf("the pool has backends %q, want %d", before, size)
	}
	waiting := func() string {
		return s.scalar(`SELECT count(*)::text FROM pg_stat_activity WHERE usename = $1 AND wait_event_type = 'Lock'`, s.roles.auth)
	}
	// The lock is held on a connection of its own: pg_stat_activity, read
	// in the locking transaction, would be one snapshot for all of it.
	lock, err := pgx.Connect(ctx, s.adminDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close(ctx)
	aborted := 0
	for aborted < 100 {
		if _, err := lock.Exec(ctx, "BEGIN; LOCK TABLE shop.post IN ACCESS EXCLUSIVE MODE"); err != nil {
			t.Fatal(err)
		}
		reqCtx, leave := context.WithCancel(ctx)
		results := make(chan *result, size)
		for range size {
			go func() { results <- s.do(call{query: `{ articles { title } }`, context: reqCtx}) }()
		}
		for deadline := time.Now().Add(time.Minute); waiting() != strconv.Itoa(size); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the requests did not all reach the lock (%s waiting)", waiting())
			}
		}
		leave() // the clients go away mid-statement
		for range size {
			if r := <-results; r.status != 499 || r.codes()[0] != "REQUEST_CANCELED" {
				t.Fatalf("an aborted request: %d %s", r.status, r.body)
			}
		}
		aborted += size
		if _, err := lock.Exec(ctx, "COMMIT"); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 * size {
		if got := s.query(`{ articles { rowId } }`, nil, ""); !strings.Contains(got, `"rowId":1`) {
			t.Fatalf("a request after the aborted ones: %s", got)
		}
	}
	if after := backends(); after != before {
		t.Errorf("%d aborted requests replaced backends: %s before, %s after", aborted, before, after)
	}
}
