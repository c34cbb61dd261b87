package runtime_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"

	"github.com/gqlplan/gqlplan/runtime"
)

// pipelined is one request of the mix: who sends it, and what.
type pipelined struct {
	name, query string
	vars        map[string]any
	token       string
	mutation    bool
}

// pipelineMix is requests of three identities (anonymous, and two
// members whose row security and injected claims differ), reading their
// own session (role, claims, read-only, statement timeout, the role's
// settings), rows their policies filter, and failing: a RAISE, a write
// refused by the read-only transaction, more rows than a single field
// takes, a statement timeout; and mutations: applied, refused by a
// RAISE, by a check at commit, and written then failed.
func pipelineMix(t *testing.T, s *server) []pipelined {
	ada := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 1, "sub": "ada"})
	alan := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 2, "sub": "alan"})
	var mix []pipelined
	for who, tok := range map[string]string{"anon": "", "ada": ada, "alan": alan} {
		mix = append(mix,
			pipelined{name: who + " session", query: `{ session { role personId sub claims readOnly statementTimeout tenant } }`, token: tok},
			pipelined{name: who + " notes", query: `{ myNotes { id } }`, token: tok},
			pipelined{name: who + " people and a person", query: `query($id: Int!) { people(limit: 3) { id firstName } person(id: $id) { firstName } }`, vars: map[string]any{"id": 2}, token: tok},
			pipelined{name: who + " raise", query: `{ session { role } raiseIn(message: "no such luck") { id } people(limit: 1) { id } }`, token: tok},
			pipelined{name: who + " write in a read", query: `{ sneakyWrite { id } session { readOnly } }`, token: tok},
			pipelined{name: who + " more than one row", query: `{ anyPerson { id } person(id: 1) { id } }`, token: tok},
			pipelined{name: who + " statement timeout", query: `{ slow(seconds: 2) { id } session { statementTimeout } }`, token: tok},
		)
	}
	mix = append(mix,
		pipelined{name: "create a post", query: `mutation { createPost(title: "pipelined") { title } }`, token: ada, mutation: true},
		pipelined{name: "a mutation that raises", query: `mutation { failWith(message: "refused") { id } }`, token: ada, mutation: true},
		pipelined{name: "a check at commit", query: `mutation { pledge(kept: false) }`, token: ada, mutation: true},
		pipelined{name: "written, then failed", query: `mutation { createPostThenFail(title: "never") { id } }`, token: ada, mutation: true},
	)
	return mix
}

// requestIDs are what differs between two runs of one request.
var requestIDs = regexp.MustCompile(`"requestId":"[0-9a-f]+"`)

// TestPipelinedRequestsAnswerAsAlone: 1,000 requests of the mix, some
// canceled, sent by 20 clients at once through 2 connections, pipelined:
// each answer is the one the same request got alone, or, canceled, a 499;
// the mutations applied are exactly those answered as applied; and the
// queries did share pipelines.
func TestPipelinedRequestsAnswerAsAlone(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 2, pipelining: true, limits: runtime.Limits{StatementTimeout: 300 * time.Millisecond}})
	mix := pipelineMix(t, s)
	alone := make([]string, len(mix))
	for i, p := range mix {
		r := s.do(call{query: p.query, vars: p.vars, token: p.token})
		alone[i] = requestIDs.ReplaceAllString(r.body, "")
	}
	if !strings.Contains(alone[3], "no such luck") || !strings.Contains(alone[6], `"code":"TIMEOUT"`) {
		t.Fatalf("the mix does not fail as it should alone:\n%s\n%s", alone[3], alone[6])
	}
	postsBefore := s.scalar(`SELECT count(*)::text FROM shop.post`)

	const clients, total = 20, 1000
	type answer struct {
		i        int
		body     string
		status   int
		canceled bool
	}
	answers := make(chan answer, total)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 7))
			for range total / clients {
				i := rng.IntN(len(mix))
				ctx, cancel := context.WithCancel(context.Background())
				canceled := rng.IntN(8) == 0 && !mix[i].mutation
				if canceled {
					time.AfterFunc(time.Duration(rng.IntN(3000))*time.Microsecond, cancel)
				}
				r := s.do(call{query: mix[i].query, vars: mix[i].vars, token: mix[i].token, context: ctx})
				cancel()
				answers <- answer{i, requestIDs.ReplaceAllString(r.body, ""), r.status, canceled}
			}
		}()
	}
	wg.Wait()
	close(answers)
	created, canceledSeen, n := 0, 0, 0
	for a := range answers {
		n++
		switch {
		case a.canceled && a.status == 499 && strings.Contains(a.body, "REQUEST_CANCELED"):
			canceledSeen++
		case a.body != alone[a.i]:
			t.Errorf("%s: pipelined\n%s\nalone\n%s", mix[a.i].name, a.body, alone[a.i])
		case mix[a.i].name == "create a post":
			created++
		}
	}
	if n != total/clients*clients {
		t.Fatalf("%d answers of %d", n, total/clients*clients)
	}
	after := s.scalar(`SELECT count(*)::text FROM shop.post`)
	before, _ := strconv.Atoi(postsBefore)
	if want := fmt.Sprint(before + created); after != want {
		t.Errorf("posts: %s before, %d created, %s after (want %s): a failed mutation left a row, or an applied one was lost", postsBefore, created, after, want)
	}
	st := s.handler.Stats()
	if st.QueryPipelines == 0 || st.PipelinedQueries <= st.QueryPipelines {
		t.Errorf("%d queries went in %d pipelines: they did not share any", st.PipelinedQueries, st.QueryPipelines)
	}
	t.Logf("%d requests (%d canceled mid-way), %d queries pipelined in %d pipelines", n, canceledSeen, st.PipelinedQueries, st.QueryPipelines)
}

// TestPipelinedCancelHitsOnlyItsOwn: a request canceled while a neighbour
// in its pipeline runs leaves at once, and the neighbour's statement runs
// to its end (a cancel request would have stopped it); the last request
// of a pipeline, canceled while its own statement runs, has it canceled,
// so the connection is free long before the statement would have ended.
func TestPipelinedCancelHitsOnlyItsOwn(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 1, pipelining: true})
	ctx := context.Background()
	slow, quick := `{ slow(seconds: 1) { id } }`, `{ people(limit: 2) { id } }`
	slowAlone, quickAlone := s.do(call{query: slow}).body, s.do(call{query: quick}).body // prepared on the one connection
	open := func(n int64) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); s.handler.Stats().PipelineOpen != n; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d queries queued or in a pipeline, want %d", s.handler.Stats().PipelineOpen, n)
			}
		}
	}
	// The one pipeline in flight waits on a lock, so the next two queue
	// and go together: the slow one, then the quick one.
	if _, err := s.admin.Exec(ctx, "BEGIN; LOCK TABLE shop.person IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	held := make(chan *result, 1)
	go func() { held <- s.do(call{query: quick}) }()
	open(1)
	neighbour := make(chan *result, 1)
	go func() { neighbour <- s.do(call{query: slow}) }()
	open(2)
	leaving, leave := context.WithCancel(ctx)
	left := make(chan *result, 1)
	go func() { left <- s.do(call{query: quick, context: leaving}) }()
	open(3)
	if _, err := s.admin.Exec(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if r := <-held; r.body != quickAlone {
		t.Fatalf("the query that waited on the lock: %s", r.body)
	}
	slowRuns(t, s)
	leave() // while its neighbour's statement runs
	if r := <-left; r.status != 499 || !strings.Contains(r.body, "REQUEST_CANCELED") {
		t.Fatalf("the canceled request: %d %s", r.status, r.body)
	}
	if r := <-neighbour; r.body != slowAlone {
		t.Fatalf("the neighbour of a canceled request: %s, want %s", r.body, slowAlone)
	}

	// The last of its pipeline, canceled while its statement runs.
	long := `{ slow(seconds: 60) { id } }`
	leaving, leave = context.WithCancel(ctx)
	start := time.Now()
	go func() { left <- s.do(call{query: long, context: leaving}) }()
	slowRuns(t, s)
	leave()
	if r := <-left; r.status != 499 {
		t.Fatalf("the canceled request: %d %s", r.status, r.body)
	}
	if r := s.do(call{query: quick}); r.body != quickAlone {
		t.Fatalf("the request after: %s", r.body)
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Fatalf("the connection was free only after %v: the canceled statement ran on", took)
	}
}

// slowRuns waits until a statement of the slow query runs.
func slowRuns(t *testing.T, s *server) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); s.scalar(`SELECT count(*)::text FROM pg_stat_activity WHERE query LIKE '%slow%' AND state = 'active' AND pid <> pg_backend_pid()`) != "1"; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the slow statement did not start")
		}
	}
}

// TestPipelineSettingsOfANewShape: a request whose statements are
// prepared on its connection for its role, but whose settings are of a
// shape the connection has not seen (another number of claims), has
// that settings statement prepared before the pipeline begins: prepared
// once it had, the connection was busy, and the pipeline failed.
func TestPipelineSettingsOfANewShape(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 1, pipelining: true})
	const query = `{ session { role personId } }`
	one := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 1})
	if got := s.query(query, nil, one); got != `{"session":{"role":"`+s.roles.member+`","personId":"1"}}` {
		t.Fatalf("one claim: %s", got)
	}
	three := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 2, "sub": "alan", "tenant": "t1"})
	if got := s.query(query, nil, three); got != `{"session":{"role":"`+s.roles.member+`","personId":"2"}}` {
		t.Errorf("three claims, on the connection that prepared the statement with one: %s", got)
	}
}

// TestPipelinedQueryAtCapacity: while every pipeline the pool allows is
// held by a statement waiting on a lock, a query waiting for one is
// answered 503 with Retry-After once the pool timeout has passed, as a
// lone query waiting for a connection is — not queued until its own
// deadline; the held ones finish when the lock goes.
func TestPipelinedQueryAtCapacity(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 1, pipelining: true, limits: runtime.Limits{PoolTimeout: 300 * time.Millisecond}})
	quick := `{ people(limit: 2) { id } }`
	quickAlone := s.do(call{query: quick}).body
	release := holdLock(t, s, "shop.person")
	defer release()
	held := make(chan *result, 1)
	go func() { held <- s.do(call{query: quick}) }()
	waitForLockWaiter(t, s)
	start := time.Now()
	r := s.do(call{query: quick})
	took := time.Since(start)
	if r.status != 503 || !strings.Contains(r.body, "SERVICE_UNAVAILABLE") || r.header.Get("Retry-After") == "" {
		t.Fatalf("a query with the one pipeline held: %d %v %s", r.status, r.header, r.body)
	}
	if took < 300*time.Millisecond {
		t.Errorf("refused after %v, before the pool timeout", took)
	}
	if n := s.handler.Stats().PipelineRefused; n != 1 {
		t.Errorf("%d queries counted as refused, want 1", n)
	}
	release()
	if r := <-held; r.body != quickAlone {
		t.Fatalf("the query that held the pipeline: %d %s", r.status, r.body)
	}
	if r := s.do(call{query: quick}); r.body != quickAlone {
		t.Fatalf("a query after: %d %s", r.status, r.body)
	}
}

// TestPipelineAbandonedOnceAllLeave: without cancel requests (behind
// PgBouncer 1.18), a pipeline whose requests have all left — their
// clients gone, or the server shutting down — is abandoned as a lone
// request is: its connection is closed under its statement, and the pool
// serves the next query on another while that statement's lock is still
// held. Read on, the pipeline held the pool's one connection until the
// lock went (and, behind PgBouncer, its statement outlived the server).
func TestPipelineAbandonedOnceAllLeave(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 1, pipelining: true, noCancelRequests: true, limits: runtime.Limits{PoolTimeout: 5 * time.Second}})
	ctx := context.Background()
	people, session := `{ people(limit: 2) { id } }`, `{ session { role } }`
	sessionAlone := s.do(call{query: session}).body
	s.do(call{query: people}) // prepared on the one connection
	defer holdLock(t, s, "shop.person")()
	leaving, leave := context.WithCancel(ctx)
	left := make(chan *result, 1)
	go func() { left <- s.do(call{query: people, context: leaving}) }()
	waitForLockWaiter(t, s)
	leave()
	if r := <-left; r.status != 499 {
		t.Fatalf("the request whose client left: %d %s", r.status, r.body)
	}
	if r := s.do(call{query: session}); r.body != sessionAlone {
		t.Fatalf("a query with the lock still held, after the only request of the pipeline before it left: %d %s", r.status, r.body)
	}
}

// TestPipelineOpensPastASlowOne: a query that finds a pipeline in flight
// waits for it, or for a neighbour to open the next with — but not for
// long when the one in flight is slow: here it holds a statement waiting
// on a lock, and a query of another table is answered on the second
// pipeline while the lock is still held.
func TestPipelineOpensPastASlowOne(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 2, pipelining: true, pipelineConnections: 2})
	people, session := `{ people(limit: 2) { id } }`, `{ session { role } }`
	peopleAlone, sessionAlone := s.do(call{query: people}).body, s.do(call{query: session}).body
	release := holdLock(t, s, "shop.person")
	defer release()
	held := make(chan *result, 1)
	go func() { held <- s.do(call{query: people}) }()
	waitForLockWaiter(t, s)
	answered := make(chan *result, 1)
	go func() { answered <- s.do(call{query: session}) }()
	select {
	case r := <-answered:
		if r.body != sessionAlone {
			t.Fatalf("the query beside the slow one: %d %s", r.status, r.body)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a query waited on behind a slow pipeline with a connection free")
	}
	release()
	if r := <-held; r.body != peopleAlone {
		t.Fatalf("the slow query: %d %s", r.status, r.body)
	}
}

// holdLock locks table in a transaction on a connection of its own —
// pg_stat_activity, read in the locking transaction, would be one
// snapshot for all of it — until release is called (again: nothing).
func holdLock(t *testing.T, s *server, table string) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.adminDSN)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "BEGIN; LOCK TABLE "+table+" IN ACCESS EXCLUSIVE MODE"); err != nil {
		conn.Close(ctx)
		t.Fatal(err)
	}
	var once sync.Once
	return func() { once.Do(func() { conn.Close(ctx) }) } // closing ends the transaction
}
