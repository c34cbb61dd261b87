package runtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"

	"github.com/gqlplan/gqlplan/runtime"
)

// wsClient is a test's WebSocket connection speaking graphql-transport-ws.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

func dialWS(t *testing.T, url string, header http.Header, protocols ...string) *wsClient {
	t.Helper()
	if protocols == nil {
		protocols = []string{"graphql-transport-ws"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http"), &websocket.DialOptions{Subprotocols: protocols, HTTPHeader: header})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	return &wsClient{t, conn}
}

func (c *wsClient) send(msg string) {
	c.t.Helper()
	if err := c.conn.Write(context.Background(), websocket.MessageText, []byte(msg)); err != nil {
		c.t.Fatal(err)
	}
}

// next reads the next message; the error is the socket's close.
func (c *wsClient) next() (map[string]json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, data, err := c.conn.Read(ctx)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		c.t.Fatalf("%s: %v", data, err)
	}
	return m, nil
}

func (c *wsClient) expect(typ string) map[string]json.RawMessage {
	c.t.Helper()
	m, err := c.next()
	if err != nil {
		c.t.Fatalf("waiting for %s: %v", typ, err)
	}
	if string(m["type"]) != `"`+typ+`"` {
		c.t.Fatalf("got %s, want a %s message", m, typ)
	}
	return m
}

// closedWith reads until the socket closes and reports its close code.
func (c *wsClient) closedWith() websocket.StatusCode {
	for {
		if _, err := c.next(); err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code
			}
			return -1
		}
	}
}

// Queries and mutations over graphql-transport-ws: the token from
// connection_init's payload, each subscribe answered by next and
// complete as over HTTP, request errors as an error message.
func TestWebSocketQueriesAndMutations(t *testing.T) {
	s := newServer(t, serverOptions{})
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	tok := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 2})

	c := dialWS(t, srv.URL, nil)
	c.send(`{"type":"connection_init","payload":{"Authorization":"Bearer ` + tok + `"}}`)
	c.expect("connection_ack")
	c.send(`{"type":"ping"}`)
	c.expect("pong")
	c.send(`{"type":"subscribe","id":"1","payload":{"query":"query($id: Int!) { person(id: $id) { firstName } }","variables":{"id":1}}}`)
	if m := c.expect("next"); string(m["id"]) != `"1"` || compactJSON(string(m["payload"])) != `{"data":{"person":{"firstName":"Ada"}}}` {
		t.Errorf("next: %s", m)
	}
	c.expect("complete")
	// A mutation as the token's person: row security sees the claim.
	c.send(`{"type":"subscribe","id":"2","payload":{"query":"mutation { createPost(title: \"over a socket\") { title } }"}}`)
	if m := c.expect("next"); !strings.Contains(string(m["payload"]), `"over a socket"`) {
		t.Errorf("mutation: %s", m)
	}
	c.expect("complete")
	if got := s.scalar(`SELECT author_id::text FROM shop.post WHERE title = 'over a socket'`); got != "2" {
		t.Errorf("the post's author is %s, want the token's person 2", got)
	}
	// A document that does not validate: error, with the errors.
	c.send(`{"type":"subscribe","id":"3","payload":{"query":"{ nope }"}}`)
	if m := c.expect("error"); !strings.Contains(string(m["payload"]), "GRAPHQL_VALIDATION_FAILED") || string(m["id"]) != `"3"` {
		t.Errorf("error: %s", m)
	}

	// The token of the upgrade request, when connection_init has none.
	h := http.Header{"Authorization": {"Bearer " + tok}}
	c = dialWS(t, srv.URL, h)
	c.send(`{"type":"connection_init"}`)
	c.expect("connection_ack")
	c.send(`{"type":"subscribe","id":"a","payload":{"query":"{ whoAmI }"}}`)
	if m := c.expect("next"); !strings.Contains(string(m["payload"]), "claim=2") {
		t.Errorf("the upgrade request's token: %s", m)
	}
}

// What graphql-transport-ws says of a client that breaks it, the server
// does, with the protocol's close codes.
func TestWebSocketProtocolErrors(t *testing.T) {
	s := newServer(t, serverOptions{limits: runtime.Limits{ConnectionInitTimeout: 300 * time.Millisecond, SocketOperations: 1}})
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	for _, c := range []struct {
		name     string
		messages []string
		code     websocket.StatusCode
	}{
		{"not JSON", []string{`{"type":`}, 4400},
		{"an unknown type", []string{`{"type":"start","id":"1"}`}, 4400},
		{"subscribe without an id", []string{`{"type":"connection_init"}`, `{"type":"subscribe","payload":{"query":"{ posts { title } }"}}`}, 4400},
		{"subscribe before the ack", []string{`{"type":"subscribe","id":"1","payload":{"query":"{ posts { title } }"}}`}, 4401},
		{"a bad token", []string{`{"type":"connection_init","payload":{"Authorization":"Bearer not.a.token"}}`}, 4403},
		{"no connection_init", nil, 4408},
		{"a second connection_init", []string{`{"type":"connection_init"}`, `{"type":"connection_init"}`}, 4429},
		{"an id already running", []string{`{"type":"connection_init"}`, `{"type":"subscribe","id":"1","payload":{"query":"{ slow(seconds: 10) { id } }"}}`, `{"type":"subscribe","id":"1","payload":{"query":"{ slow(seconds: 10) { id } }"}}`}, 4409},
	} {
		t.Run(c.name, func(t *testing.T) {
			ws := dialWS(t, srv.URL, nil)
			for _, m := range c.messages {
				ws.send(m)
			}
			if got := ws.closedWith(); got != c.code {
				t.Errorf("closed with %d, want %d", got, c.code)
			}
		})
	}
	t.Run("an expired token at subscribe", func(t *testing.T) {
		// exp has a resolution of seconds: made at the test's start, a
		// second on, the token could be gone before its connection_init
		// once the cases above ran slowly (a busy machine); made here,
		// it is one to two seconds away.
		exp := time.Now().Unix() + 2
		expiring := token(t, jwt.MapClaims{"role": s.roles.member, "exp": exp})
		ws := dialWS(t, srv.URL, nil)
		ws.send(`{"type":"connection_init","payload":{"Authorization":"Bearer ` + expiring + `"}}`)
		ws.expect("connection_ack")
		time.Sleep(time.Until(time.Unix(exp, 0)) + 1100*time.Millisecond)
		ws.send(`{"type":"subscribe","id":"1","payload":{"query":"{ posts { title } }"}}`)
		if got := ws.closedWith(); got != 4403 {
			t.Errorf("closed with %d, want 4403", got)
		}
	})
	t.Run("without the subprotocol", func(t *testing.T) {
		ws := dialWS(t, srv.URL, nil, "graphql-ws")
		if got := ws.closedWith(); got != 4406 {
			t.Errorf("closed with %d, want 4406", got)
		}
	})
	t.Run("more operations at once than allowed, and a complete", func(t *testing.T) {
		ws := dialWS(t, srv.URL, nil)
		ws.send(`{"type":"connection_init"}`)
		ws.expect("connection_ack")
		ws.send(`{"type":"subscribe","id":"slow","payload":{"query":"{ slow(seconds: 10) { id } }"}}`)
		ws.send(`{"type":"subscribe","id":"more","payload":{"query":"{ posts { title } }"}}`)
		if m := ws.expect("error"); string(m["id"]) != `"more"` || !strings.Contains(string(m["payload"]), "TOO_MANY_OPERATIONS") {
			t.Errorf("one too many: %s", m)
		}
		// Completed by the client: nothing more is sent for it; the next
		// operation is answered.
		ws.send(`{"type":"complete","id":"slow"}`)
		ws.send(`{"type":"subscribe","id":"after","payload":{"query":"{ posts { title } }"}}`)
		if m := ws.expect("next"); string(m["id"]) != `"after"` {
			t.Errorf("after the complete: %s", m)
		}
	})
}

// As the server stops, a socket answers what it runs, completes its
// subscriptions, refuses what comes meanwhile, and closes with 1001.
func TestWebSocketGoingAway(t *testing.T) {
	s := newServer(t, serverOptions{})
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	ws := dialWS(t, srv.URL, nil)
	ws.send(`{"type":"connection_init"}`)
	ws.expect("connection_ack")
	idle := dialWS(t, srv.URL, nil)
	idle.send(`{"type":"connection_init"}`)
	idle.expect("connection_ack")
	live := dialWS(t, srv.URL, nil)
	live.send(`{"type":"connection_init"}`)
	live.expect("connection_ack")
	live.send(`{"type":"subscribe","id":"posts","payload":{"query":"subscription { livePosts { title } }"}}`)
	live.expect("next")
	// The operation in flight waits on a lock the test holds until the
	// socket has refused a late one: no race with its end.
	ctx := context.Background()
	lock, err := s.admin.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback(ctx) //nolint:errcheck // committed below
	if _, err := lock.Exec(ctx, `LOCK TABLE shop.event IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	ws.send(`{"type":"subscribe","id":"slow","payload":{"query":"{ events { totalCount } }"}}`)
	waitForLockWaiter(t, s)
	done := make(chan struct{})
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s.handler.GoingAway(ctx)
		close(done)
	}()
	// The idle socket closes once every socket refuses new operations.
	if got := idle.closedWith(); got != 1001 {
		t.Errorf("the idle socket closed with %d, want 1001", got)
	}
	ws.send(`{"type":"subscribe","id":"late","payload":{"query":"{ posts { title } }"}}`)
	if m := ws.expect("error"); string(m["id"]) != `"late"` || !strings.Contains(string(m["payload"]), "SERVICE_UNAVAILABLE") {
		t.Errorf("an operation while going away: %s", m)
	}
	if err := lock.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if m := ws.expect("next"); string(m["id"]) != `"slow"` || !strings.Contains(string(m["payload"]), `"events"`) {
		t.Errorf("the operation in flight: %s", m)
	}
	ws.expect("complete")
	if got := ws.closedWith(); got != 1001 {
		t.Errorf("closed with %d, want 1001", got)
	}
	// A subscription has no end of its own: the server completes it.
	if m := live.expect("complete"); string(m["id"]) != `"posts"` {
		t.Errorf("the subscription: %s", m)
	}
	if got := live.closedWith(); got != 1001 {
		t.Errorf("the subscription's socket closed with %d, want 1001", got)
	}
	<-done
}

// A subscription over the socket: the initial result, then the result
// again once a write changes it — as the subscriber's role and claims see
// it — and nothing while it is unchanged; over HTTP it is refused.
func TestWebSocketLiveSubscription(t *testing.T) {
	s := newServer(t, serverOptions{limits: runtime.Limits{SubscriptionPoll: -1}})
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	member := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 2})

	anon := dialWS(t, srv.URL, nil)
	anon.send(`{"type":"connection_init"}`)
	anon.expect("connection_ack")
	anon.send(`{"type":"subscribe","id":"live","payload":{"query":"subscription { livePosts { title } }"}}`)
	first := anon.expect("next")
	if !strings.Contains(string(first["payload"]), `"Notes on the engine"`) || strings.Contains(string(first["payload"]), "private") {
		t.Fatalf("the initial result: %s", first)
	}
	// Alan, subscribed to the same document, sees his secret post too.
	alan := dialWS(t, srv.URL, nil)
	alan.send(`{"type":"connection_init","payload":{"Authorization":"Bearer ` + member + `"}}`)
	alan.expect("connection_ack")
	alan.send(`{"type":"subscribe","id":"live","payload":{"query":"subscription { livePosts { title } }"}}`)
	if m := alan.expect("next"); !strings.Contains(string(m["payload"]), `"Alan private"`) || strings.Contains(string(m["payload"]), "Ada private") {
		t.Errorf("Alan's initial result: %s", m)
	}
	// A write on another connection: the next result holds it.
	r := s.do(call{token: member, query: `mutation { createPost(title: "live news") { title } }`})
	if len(r.Errors) > 0 {
		t.Fatal(r.body)
	}
	if m := anon.expect("next"); !strings.Contains(string(m["payload"]), `"live news"`) {
		t.Errorf("after the write: %s", m)
	}
	if m := alan.expect("next"); !strings.Contains(string(m["payload"]), `"live news"`) {
		t.Errorf("Alan, after the write: %s", m)
	}
	// Unchanged for several polls: nothing is sent; completed, it ends.
	time.Sleep(300 * time.Millisecond)
	anon.send(`{"type":"ping"}`)
	anon.expect("pong")
	anon.send(`{"type":"complete","id":"live"}`)
	anon.send(`{"type":"subscribe","id":"q","payload":{"query":"{ posts { title } }"}}`)
	anon.expect("next") // the query's, not the subscription's
	anon.expect("complete")

	r = s.do(call{query: `subscription { livePosts { title } }`})
	if len(r.Errors) != 1 || r.codes()[0] != "BAD_REQUEST" || !strings.Contains(r.Errors[0].Message, "WebSocket") {
		t.Errorf("a subscription over HTTP: %s", r.body)
	}
}

// A subscription ends when its token expires: the socket closes with 4403.
func TestWebSocketSubscriptionEndsWithItsToken(t *testing.T) {
	s := newServer(t, serverOptions{limits: runtime.Limits{SubscriptionPoll: -1}})
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	// exp is in whole seconds: a second from now could be a few
	// milliseconds, gone before the first result under load (CI saw 4403
	// before "next"); this is two to three seconds.
	soon := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 2, "exp": time.Now().Add(3 * time.Second).Unix()})
	ws := dialWS(t, srv.URL, nil)
	ws.send(`{"type":"connection_init","payload":{"Authorization":"Bearer ` + soon + `"}}`)
	ws.expect("connection_ack")
	ws.send(`{"type":"subscribe","id":"live","payload":{"query":"subscription { livePosts { title } }"}}`)
	ws.expect("next")
	if got := ws.closedWith(); got != 4403 {
		t.Errorf("closed with %d, want 4403 once the token expired", got)
	}
}

// Subscribers of the same document and variables, with the same role and
// claims, share one read: one group; another person's is a group of its
// own. Each subscriber gets the change.
func TestWebSocketSubscribersShareReads(t *testing.T) {
	s := newServer(t, serverOptions{limits: runtime.Limits{SubscriptionPoll: -1}})
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	alan := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 2})
	subscribe := func(tok string) *wsClient {
		ws := dialWS(t, srv.URL, nil)
		if tok == "" {
			ws.send(`{"type":"connection_init"}`)
		} else {
			ws.send(`{"type":"connection_init","payload":{"Authorization":"Bearer ` + tok + `"}}`)
		}
		ws.expect("connection_ack")
		ws.send(`{"type":"subscribe","id":"live","payload":{"query":"subscription { livePosts { title } }"}}`)
		ws.expect("next")
		return ws
	}
	var anons []*wsClient
	for range 4 {
		anons = append(anons, subscribe(""))
	}
	alans := []*wsClient{subscribe(alan), subscribe(alan)}
	// Each joins its group right after its first result is sent.
	eventually(t, "the 6 subscribers to join groups", func() bool { return s.handler.Stats().Subscribers == 6 })
	if groups := s.handler.Stats().LiveGroups; groups != 2 {
		t.Errorf("%d groups of 6 subscribers, want 2: the anonymous ones and Alan's", groups)
	}
	if r := s.do(call{token: alan, query: `mutation { createPost(title: "for everyone") { title } }`}); len(r.Errors) > 0 {
		t.Fatal(r.body)
	}
	for i, ws := range append(anons, alans...) {
		if m := ws.expect("next"); !strings.Contains(string(m["payload"]), `"for everyone"`) {
			t.Errorf("subscriber %d: %s", i, m)
		}
	}
	// The last subscriber gone, the group ends.
	for _, ws := range append(anons, alans...) {
		ws.send(`{"type":"complete","id":"live"}`)
	}
	eventually(t, "the groups to end with their subscribers", func() bool { return s.handler.Stats().LiveGroups == 0 })
}

// WebSockets and event streams past Limits.MaxConnections are refused
// with 503 and TOO_MANY_CONNECTIONS; once one closes, another is let in.
func TestLiveConnectionsAreBounded(t *testing.T) {
	s := newServer(t, serverOptions{limits: runtime.Limits{MaxConnections: 2, SubscriptionPoll: -1}})
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	first := dialWS(t, srv.URL, nil)
	first.send(`{"type":"connection_init"}`)
	first.expect("connection_ack")
	second := dialWS(t, srv.URL, nil)
	second.send(`{"type":"connection_init"}`)
	second.expect("connection_ack")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("a third WebSocket: %v %v", resp, err)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"query":"subscription { livePosts { title } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	events, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(events.Body)
	events.Body.Close()
	if events.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "TOO_MANY_CONNECTIONS") {
		t.Errorf("an event stream past the limit: %d %s", events.StatusCode, body)
	}
	first.conn.Close(websocket.StatusNormalClosure, "")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err == nil {
			conn.CloseNow()
			break
		}
		if time.Now().After(deadline) || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("after one closed, another WebSocket: %v %v", resp, err)
		}
	}
}

// waitForLockWaiter waits until a statement of the server's waits on a
// lock.
//
// It reads pg_stat_activity on a connection of its own: on s.admin, which
// may hold the lock in a transaction, it would be one snapshot for all of
// the transaction.
func waitForLockWaiter(t *testing.T, s *server) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.adminDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	eventually(t, "the operation to wait on the lock", func() bool {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE usename = $1 AND wait_event_type = 'Lock'`, s.roles.auth).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n > 0
	})
}
