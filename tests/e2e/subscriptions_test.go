package e2e

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5"
)

// subscriber is one graphql-transport-ws client subscribed to one
// document: a reader keeps its newest result and, once the socket ends,
// why.
type subscriber struct {
	conn   *websocket.Conn
	mu     sync.Mutex
	latest string
	closed error
	done   chan struct{}
}

// subscribe connects to url as token ("" anonymous), subscribes to query
// with vars and returns once the first result came.
func subscribe(t *testing.T, url, token, query string, vars map[string]any) *subscriber {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http"), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	conn.SetReadLimit(-1)
	init := `{"type":"connection_init"}`
	if token != "" {
		init = `{"type":"connection_init","payload":{"Authorization":"Bearer ` + token + `"}}`
	}
	payload, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	for _, msg := range []string{init, `{"type":"subscribe","id":"1","payload":` + string(payload) + `}`} {
		if err := conn.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	s := &subscriber{conn: conn, done: make(chan struct{})}
	first := make(chan struct{})
	go func() {
		defer close(s.done)
		var once sync.Once
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				s.mu.Lock()
				s.closed = err
				s.mu.Unlock()
				return
			}
			var m struct {
				Type    string
				Payload json.RawMessage
			}
			if json.Unmarshal(data, &m) != nil || m.Type == "connection_ack" {
				continue
			}
			s.mu.Lock()
			s.latest = m.Type + " " + string(m.Payload)
			s.mu.Unlock()
			once.Do(func() { close(first) })
		}
	}()
	select {
	case <-first:
	case <-s.done:
		t.Fatalf("the subscription ended before its first result: %v", s.closed)
	case <-ctx.Done():
		t.Fatal("no first result")
	}
	return s
}

func (s *subscriber) newest() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.latest
}

// subscriberIdentity is who subscribes, with which variables: each is
// one group of subscribers sharing reads.
type subscriberIdentity struct {
	token string
	vars  map[string]any
}

const latestPostsDoc = `subscription Latest($n: Int) { latestPosts(limit: $n) { rowId headline author { fullName } } }`

// TestFaultSubscribersThroughRestarts: 200 subscribers of the forum's
// latestPosts, in 40 groups (anonymous and a person, 20 page sizes), with
// polling off. A post written without notifying (the trigger skipped),
// then PostgreSQL restarted fast and immediate: within 2 s of PostgreSQL
// accepting connections again, every subscriber's newest result equals a
// fresh read as that subscriber — the listener, back, reads every group
// again. A post written after that arrives by notification. Then SIGTERM:
// every subscriber's socket closes with 1001.
func TestFaultSubscribersThroughRestarts(t *testing.T) {
	c := ownCluster(t)
	admin, login, plan := compileExampleIn(t, c.AdminDSN(), "forum", "forum_example_gqlplan")
	s := serve(t, admin, login, plan, "--default-role", "forum_example_anonymous", "--subscription-poll", "0", "--shutdown-timeout", "20s")
	var identities []subscriberIdentity
	for _, token := range []string{"", personToken(t)} {
		for n := 1; n <= 20; n++ {
			identities = append(identities, subscriberIdentity{token, map[string]any{"n": n}})
		}
	}
	subs := make([]*subscriber, 200)
	for i := range subs {
		id := identities[i%len(identities)]
		subs[i] = subscribe(t, s.url, id.token, latestPostsDoc, id.vars)
	}
	// fresh reads each identity's result now, as a new subscriber.
	fresh := func() []string {
		out := make([]string, len(identities))
		for i, id := range identities {
			f := subscribe(t, s.url, id.token, latestPostsDoc, id.vars)
			out[i] = f.newest()
			f.conn.Close(websocket.StatusNormalClosure, "")
		}
		return out
	}
	// converged waits until every subscriber holds its identity's result
	// in want, and says how long that took.
	converged := func(want []string, what string, since time.Time, within time.Duration) {
		t.Helper()
		for {
			stale := 0
			for i, sub := range subs {
				if sub.newest() != want[i%len(identities)] {
					stale++
				}
			}
			if stale == 0 {
				t.Logf("%s: all 200 subscribers current %v after", what, time.Since(since).Round(time.Millisecond))
				return
			}
			if time.Since(since) > within {
				t.Fatalf("%s: %d of 200 subscribers still hold an old result %v after", what, stale, within)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	ctx := context.Background()
	write := func(headline string, notify bool) {
		t.Helper()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if !notify { // triggers do not fire for this session
			if _, err := conn.Exec(ctx, "SET session_replication_role = replica"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := conn.Exec(ctx, `INSERT INTO forum_example.post (author_id, headline, created_at) VALUES (1, $1, now() + interval '1 day')`, headline); err != nil {
			t.Fatal(err)
		}
	}
	for _, immediate := range []bool{false, true} {
		name := map[bool]string{false: "fast", true: "immediate"}[immediate]
		write("unnotified before the "+name+" restart", false)
		want := fresh() // read before the restart: the 2 s are the subscribers' alone
		if err := c.Halt(immediate); err != nil {
			t.Fatal(err)
		}
		if err := c.Resume(ctx); err != nil {
			t.Fatal(err)
		}
		back := time.Now()
		converged(want, name+" restart", back, 2*time.Second)
		write("notified after the "+name+" restart", true)
		start := time.Now()
		converged(fresh(), "a post after the "+name+" restart", start, 10*time.Second)
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	for i, sub := range subs {
		select {
		case <-sub.done:
		case <-time.After(30 * time.Second):
			t.Fatalf("subscriber %d: the socket did not close", i)
		}
		var ce websocket.CloseError
		if !errors.As(sub.closed, &ce) || ce.Code != websocket.StatusGoingAway {
			t.Errorf("subscriber %d: ended with %v, want close 1001", i, sub.closed)
		}
		if !strings.HasPrefix(sub.newest(), "complete") {
			t.Errorf("subscriber %d: the last message before the close is %.80s, want complete", i, sub.newest())
		}
	}
	s.waitExit(t, 30*time.Second, "SIGTERM")
	if s.err != nil {
		t.Errorf("serve exited with %v:\n%s", s.err, s.log)
	}
}

// TestFaultNonReadingSubscribers: 100 subscribers that never read their
// messages, sent 80 KB results on each of 100 changes: the server's
// memory stays within what --socket-queue bounds (each socket holds at
// most that many messages, and its subscription one newest result),
// nowhere near the 800 MB the messages add up to, and once the write
// timeout has passed the sockets are closed and the server still serves.
func TestFaultNonReadingSubscribers(t *testing.T) {
	admin, login, plan := compileExample(t, "forum", "forum_example_gqlplan")
	addPosts(t, admin, 20, 4<<10)
	const clients, queue, changes = 100, 4, 100
	const doc = `subscription { latestPosts(limit: 20) { headline body } }`
	s := serve(t, admin, login, plan, "--default-role", "forum_example_anonymous", "--subscription-poll", "0",
		"--socket-queue", fmt.Sprint(queue), "--write-timeout", "3s")
	dialer := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	client := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	base := memoryOf(t, s)
	var message int
	var conns []*websocket.Conn
	for range clients {
		conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.url, "http"), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPClient: client})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.CloseNow()
		conns = append(conns, conn)
		conn.SetReadLimit(-1)
		for _, msg := range []string{`{"type":"connection_init"}`, `{"type":"subscribe","id":"1","payload":{"query":"` + doc + `"}}`} {
			if err := conn.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
				t.Fatal(err)
			}
		}
		for range 2 { // the ack and the first result; then it never reads
			_, data, err := conn.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			message = len(data)
		}
	}
	// A subscriber that reads, in the same group: each change is read
	// before the next is made, so each is one more message for the others.
	reader := subscribe(t, s.url, "", doc, nil)
	admin1 := connect(t, admin)
	for i := range changes {
		if _, err := admin1.Exec(ctx, `UPDATE forum_example.post SET body = repeat(md5($1::text), 128)
			WHERE id = (SELECT id FROM forum_example.post ORDER BY created_at DESC NULLS LAST, id DESC LIMIT 1)`, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
		sum := md5.Sum([]byte(fmt.Sprint(i)))
		waitFor(t, "the change to reach the reading subscriber", func() bool { return strings.Contains(reader.newest(), hex.EncodeToString(sum[:])) })
	}
	// Each socket was closed: reading now, a client gets what the kernel
	// held, then the end.
	closed := 0
	for i, conn := range conns {
		for {
			if _, _, err := conn.Read(ctx); err != nil {
				if ctx.Err() != nil {
					t.Fatalf("client %d: the server did not close the socket\n%s", i, s.log.String())
				}
				closed++
				break
			}
		}
	}
	m := memoryOf(t, s)
	grew := m.peak - base.now
	bound := 2*clients*(queue+2)*message + 64<<20 // the queues and mailboxes, twice over for the collector, and the heap floor
	t.Logf("%d non-reading subscribers, %d changes of %d KB results (%.0f MB in all): peak RSS grew %.1f MB (bound %.1f MB), %.1f MB after they were closed",
		clients, changes, message>>10, mb(clients*changes*message), mb(grew), mb(bound), mb(m.now))
	if grew > bound {
		t.Errorf("the server's peak RSS grew by %.1f MB, more than the queues bound (%.1f MB)", mb(grew), mb(bound))
	}
	if r := s.send(t, "", `{ allPosts(limit: 2) { id } }`); r.status != 200 {
		t.Errorf("after the non-reading subscribers: %d %s", r.status, r.body)
	}
}
