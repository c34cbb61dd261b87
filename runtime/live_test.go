package runtime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"

	"github.com/gqlplan/gqlplan/runtime"
)

// liveSubscriber is one subscription's client: a reader keeps the newest
// result, and every result it was sent, for the test to compare.
type liveSubscriber struct {
	mu     sync.Mutex
	latest string
	seen   []string
	odd    []string      // messages other than next, checked as the test ends
	got    chan struct{} // a result came
}

// subscribeLive connects, authenticates with tok ("" for none) and
// subscribes to query, whose field is field; the initial result is
// awaited.
func subscribeLive(t *testing.T, url, tok, query, field string) *liveSubscriber {
	t.Helper()
	ws := dialWS(t, url, nil)
	if tok == "" {
		ws.send(`{"type":"connection_init"}`)
	} else {
		ws.send(`{"type":"connection_init","payload":{"Authorization":"Bearer ` + tok + `"}}`)
	}
	ws.expect("connection_ack")
	q, _ := json.Marshal(query)
	ws.send(`{"type":"subscribe","id":"live","payload":{"query":` + string(q) + `}}`)
	sub := &liveSubscriber{got: make(chan struct{}, 1)}
	sub.take(ws.expect("next")["payload"], field)
	// The reader outlives the test: it may not call t, so what it finds
	// odd is reported as the test ends.
	t.Cleanup(func() {
		sub.mu.Lock()
		defer sub.mu.Unlock()
		for _, m := range sub.odd {
			t.Errorf("a subscriber got %s", m)
		}
	})
	go func() {
		for {
			_, data, err := ws.conn.Read(context.Background()) // no deadline: an idle subscription is normal
			if err != nil {
				return
			}
			var m map[string]json.RawMessage
			if json.Unmarshal(data, &m) != nil || string(m["type"]) != `"next"` {
				sub.mu.Lock()
				sub.odd = append(sub.odd, string(data))
				sub.mu.Unlock()
				return
			}
			sub.take(m["payload"], field)
		}
	}()
	return sub
}

// take records a next message's payload: the value of field, compacted.
func (s *liveSubscriber) take(payload json.RawMessage, field string) {
	var p struct{ Data map[string]json.RawMessage }
	if err := json.Unmarshal(payload, &p); err != nil {
		s.mu.Lock()
		s.odd = append(s.odd, string(payload))
		s.mu.Unlock()
		return
	}
	var b bytes.Buffer
	_ = json.Compact(&b, p.Data[field])
	s.mu.Lock()
	s.latest = b.String()
	s.seen = append(s.seen, s.latest)
	s.mu.Unlock()
	select {
	case s.got <- struct{}{}:
	default:
	}
}

// await waits until the subscriber's newest result is want.
func (s *liveSubscriber) await(t *testing.T, want, who string, step int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		s.mu.Lock()
		latest := s.latest
		s.mu.Unlock()
		if latest == want {
			return
		}
		select {
		case <-s.got:
		case <-deadline:
			t.Fatalf("change %d: %s's newest result is\n  %s\nwhile a fresh query as %s reads\n  %s", step, who, latest, who, want)
		}
	}
}

// freshPosts is what query posts reads now, as tok.
func freshPosts(t *testing.T, s *server, tok string) string {
	t.Helper()
	return fresh(t, s, call{token: tok, query: `{ posts { id title secret authorId } }`}, "posts")
}

// fresh is the value of field that the query of c reads now, compacted.
func fresh(t *testing.T, s *server, c call, field string) string {
	t.Helper()
	r := s.do(c)
	var data map[string]json.RawMessage
	if len(r.Errors) > 0 || json.Unmarshal(r.Data, &data) != nil {
		t.Fatalf("the fresh query: %s", r.body)
	}
	var b bytes.Buffer
	_ = json.Compact(&b, data[field])
	return b.String()
}

// Row Level Security per subscriber: Ada and Alan subscribe to the same
// document; after each of 100 random inserts, updates and deletes (made
// by the database's owner, so they bypass the policies; the triggers
// notify), each one's newest result equals a fresh query as that person,
// and no result ever sent to one holds the other's secret post. Polling
// is off: only notifications read the subscriptions again.
func TestSubscriptionsFollowEachSubscribersPolicies(t *testing.T) {
	s := newServer(t, serverOptions{limits: runtime.Limits{SubscriptionPoll: -1}})
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	people := []struct {
		name string
		id   int
		tok  string
	}{
		{"Ada", 1, token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 1})},
		{"Alan", 2, token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 2})},
	}
	const doc = `subscription { livePosts { id title secret authorId } }`
	subs := make([]*liveSubscriber, len(people))
	for i, p := range people {
		subs[i] = subscribeLive(t, srv.URL, p.tok, doc, "livePosts")
	}
	rng := rand.New(rand.NewPCG(41, 100))
	ctx := context.Background()
	for step := range 100 {
		ids := strings.Split(s.scalar(`SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM shop.post`), ",")
		pick := ids[rng.IntN(len(ids))]
		author, secret := 1+rng.IntN(2), rng.IntN(2) == 0
		var sql string
		var args []any
		switch op := rng.IntN(5); {
		case op < 2 || len(ids) < 3:
			sql, args = `INSERT INTO shop.post (author_id, title, secret) VALUES ($1, $2, $3)`, []any{author, fmt.Sprintf("step %d by %d", step, author), secret}
		case op == 2:
			sql, args = `UPDATE shop.post SET secret = NOT secret WHERE id = $1`, []any{pick}
		case op == 3:
			sql, args = `UPDATE shop.post SET author_id = $2, title = $3 WHERE id = $1`, []any{pick, author, fmt.Sprintf("moved at %d to %d", step, author)}
		default:
			sql, args = `DELETE FROM shop.post WHERE id = $1`, []any{pick}
		}
		if _, err := s.admin.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("change %d: %s: %v", step, sql, err)
		}
		for i, p := range people {
			subs[i].await(t, freshPosts(t, s, p.tok), p.name, step)
		}
	}
	// Every result ever sent: a secret post only to its author.
	for i, p := range people {
		subs[i].mu.Lock()
		for _, sent := range subs[i].seen {
			var posts []struct {
				Secret   bool
				AuthorID int `json:"authorId"`
				Title    string
			}
			if err := json.Unmarshal([]byte(sent), &posts); err != nil {
				t.Fatal(err)
			}
			for _, post := range posts {
				if post.Secret && post.AuthorID != p.id {
					t.Errorf("%s was sent %d's secret post %q", p.name, post.AuthorID, post.Title)
				}
			}
		}
		t.Logf("%s was sent %d results over 100 changes", p.name, len(subs[i].seen))
		subs[i].mu.Unlock()
	}
}

// LISTEN loses what is notified while its connection is away: when the
// listener connects again, every subscription is read again. A change
// made with the trigger disabled (so nothing is notified) reaches the
// subscriber once the listener's connection is killed and comes back.
func TestSubscriptionsReadAgainWhenTheListenerReconnects(t *testing.T) {
	s := newServer(t, serverOptions{limits: runtime.Limits{SubscriptionPoll: -1}})
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	sub := subscribeLive(t, srv.URL, "", `subscription { livePosts { title } }`, "livePosts")
	if _, err := s.admin.Exec(context.Background(), `ALTER TABLE shop.post DISABLE TRIGGER gqlplan_notify_change;
		INSERT INTO shop.post (author_id, title) VALUES (1, 'unnotified');
		ALTER TABLE shop.post ENABLE TRIGGER gqlplan_notify_change`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // nothing reads it again meanwhile
	sub.mu.Lock()
	before := sub.latest
	sub.mu.Unlock()
	if strings.Contains(before, "unnotified") {
		t.Fatalf("read again without a notification or a poll: %s", before)
	}
	if got := s.scalar(`SELECT count(pg_terminate_backend(pid))::text FROM pg_stat_activity WHERE application_name = 'gqlplan listener' AND datname = current_database()`); got != "1" {
		t.Fatalf("terminated %s listeners, want 1", got)
	}
	sub.await(t, `[{"title":"Notes on the engine"},{"title":"Computable numbers"},{"title":"unnotified"}]`, "the anonymous subscriber", 1)
}

// Subscribers share a read when the claims their rows can depend on agree:
// for liveTitles, the plan says person_id (shop.post's policy reads it),
// so Ada's two tokens, whose other claims differ, share one group; Alan
// and an anonymous subscriber have their own. Each still sees only what
// the policy lets it.
func TestSubscribersShareReadsByTheClaimsTheirRowsRead(t *testing.T) {
	s := newServer(t, serverOptions{limits: runtime.Limits{SubscriptionPoll: -1}})
	for _, op := range s.plan.Subscriptions {
		if op.Name == "liveTitles" && (len(op.GroupClaims) != 1 || op.GroupClaims[0] != "person_id" || op.AllClaims) {
			t.Fatalf("liveTitles groups by %v (all: %v), want [person_id]", op.GroupClaims, op.AllClaims)
		}
	}
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	const doc = `subscription { liveTitles { title secret } }`
	ada1 := subscribeLive(t, srv.URL, token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 1, "device": "phone"}), doc, "liveTitles")
	ada2 := subscribeLive(t, srv.URL, token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 1, "device": "laptop"}), doc, "liveTitles")
	alan := subscribeLive(t, srv.URL, token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 2, "device": "phone"}), doc, "liveTitles")
	anon := subscribeLive(t, srv.URL, "", doc, "liveTitles")
	eventually(t, "the 4 subscribers to join groups", func() bool { return s.handler.Stats().Subscribers == 4 })
	if groups := s.handler.Stats().LiveGroups; groups != 3 {
		t.Errorf("%d groups of 4 subscribers, want 3: Ada's two tokens share one", groups)
	}
	if _, err := s.admin.Exec(context.Background(), `INSERT INTO shop.post (author_id, title, secret) VALUES (1, 'Ada new secret', true)`); err != nil {
		t.Fatal(err)
	}
	const adaSees = `[{"title":"Notes on the engine","secret":false},{"title":"Ada private","secret":true},{"title":"Computable numbers","secret":false},{"title":"Ada new secret","secret":true}]`
	ada1.await(t, adaSees, "Ada on her phone", 1)
	ada2.await(t, adaSees, "Ada on her laptop", 1)
	time.Sleep(100 * time.Millisecond) // had they been sent Ada's, it would have come by now
	for who, sub := range map[string]*liveSubscriber{"Alan": alan, "the anonymous subscriber": anon} {
		sub.mu.Lock()
		for _, sent := range sub.seen {
			if strings.Contains(sent, "Ada new secret") || strings.Contains(sent, "Ada private") {
				t.Errorf("%s was sent Ada's secret post: %s", who, sent)
			}
		}
		sub.mu.Unlock()
	}
}

// streamRows subscribes to doc as tok and collects the rows of every
// message; rows reports those received so far.
func streamRows(t *testing.T, url, tok, doc string) (rows func() []map[string]any) {
	t.Helper()
	sub := subscribeLive(t, url, tok, doc, "newPosts")
	return func() []map[string]any {
		sub.mu.Lock()
		defer sub.mu.Unlock()
		var all []map[string]any
		for _, sent := range sub.seen {
			var batch []map[string]any
			if err := json.Unmarshal([]byte(sent), &batch); err != nil {
				t.Fatal(err)
			}
			if len(batch) > 2 {
				t.Errorf("a batch of %d rows; the batch size is 2", len(batch))
			}
			all = append(all, batch...)
		}
		return all
	}
}

// awaitRows waits until rows gives want (as JSON).
func awaitRows(t *testing.T, rows func() []map[string]any, want string, who string) {
	t.Helper()
	var got []byte
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if got, _ = json.Marshal(rows()); string(got) == want {
			return
		}
	}
	t.Fatalf("%s's stream sent\n  %s\nwant\n  %s", who, got, want)
}

// A stream sends each row once, in the cursor's order, in batches of at
// most its batch size — as its subscriber's policies let it see them —
// from the first, or after the cursor the client gives; rows written
// later come by notification, a full batch's successor at once.
func TestStreamSendsEachRowOnce(t *testing.T) {
	s := newServer(t, serverOptions{limits: runtime.Limits{SubscriptionPoll: -1}})
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	ada := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 1})
	const doc = `subscription { newPosts { id title } }`
	fromFirst := streamRows(t, srv.URL, ada, doc)
	// Ada sees posts 1 to 3 (4 is Alan's secret): two batches, 2 then 1.
	awaitRows(t, fromFirst, `[{"id":1,"title":"Notes on the engine"},{"id":2,"title":"Ada private"},{"id":3,"title":"Computable numbers"}]`, "Ada")
	after := streamRows(t, srv.URL, ada, `subscription { newPosts(after: 2) { id title } }`)
	awaitRows(t, after, `[{"id":3,"title":"Computable numbers"}]`, "Ada, after 2")
	anon := streamRows(t, srv.URL, "", doc)
	awaitRows(t, anon, `[{"id":1,"title":"Notes on the engine"},{"id":3,"title":"Computable numbers"}]`, "the anonymous subscriber")
	if _, err := s.admin.Exec(context.Background(), `INSERT INTO shop.post (author_id, title, secret) VALUES
		(2, 'Alan secret 5', true), (1, 'Ada public 6', false), (1, 'Ada secret 7', true), (2, 'Alan public 8', false), (1, 'Ada public 9', false)`); err != nil {
		t.Fatal(err)
	}
	awaitRows(t, fromFirst, `[{"id":1,"title":"Notes on the engine"},{"id":2,"title":"Ada private"},{"id":3,"title":"Computable numbers"},`+
		`{"id":6,"title":"Ada public 6"},{"id":7,"title":"Ada secret 7"},{"id":8,"title":"Alan public 8"},{"id":9,"title":"Ada public 9"}]`, "Ada")
	awaitRows(t, after, `[{"id":3,"title":"Computable numbers"},{"id":6,"title":"Ada public 6"},{"id":7,"title":"Ada secret 7"},{"id":8,"title":"Alan public 8"},{"id":9,"title":"Ada public 9"}]`, "Ada, after 2")
	awaitRows(t, anon, `[{"id":1,"title":"Notes on the engine"},{"id":3,"title":"Computable numbers"},{"id":6,"title":"Ada public 6"},{"id":8,"title":"Alan public 8"},{"id":9,"title":"Ada public 9"}]`, "the anonymous subscriber")
	// A change that adds no row sends nothing.
	if _, err := s.admin.Exec(context.Background(), `UPDATE shop.post SET title = title || '!' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if got, _ := json.Marshal(anon()); strings.Contains(string(got), "engine!") {
		t.Errorf("an update was streamed again: %s", got)
	}
}

// A field computed by a Go resolver works inside a live subscription: each
// read runs the resolvers, batched per read as in a query.
func TestLiveSubscriptionRunsResolvers(t *testing.T) {
	s := newServer(t, serverOptions{limits: runtime.Limits{SubscriptionPoll: -1}})
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	sub := subscribeLive(t, srv.URL, "", `subscription { livePosts { title author { shout(suffix: "!") } } }`, "livePosts")
	sub.await(t, `[{"title":"Notes on the engine","author":{"shout":"ADA#1!"}},{"title":"Computable numbers","author":{"shout":"ALAN#2!"}}]`, "the subscriber", 0)
	if _, err := s.admin.Exec(context.Background(), `INSERT INTO shop.post (author_id, title) VALUES (3, 'Compilers')`); err != nil {
		t.Fatal(err)
	}
	sub.await(t, `[{"title":"Notes on the engine","author":{"shout":"ADA#1!"}},{"title":"Computable numbers","author":{"shout":"ALAN#2!"}},{"title":"Compilers","author":{"shout":"GRACE#3!"}}]`, "the subscriber", 1)
}

// The reads one change wakes share pipelines: 20 groups (20 people's
// tokens) read again after a notification while the table is locked, so
// the first reads wait on the lock and the rest queue; once it is
// released, the queued ones go together. Each read is its own
// transaction (20 Syncs), in a handful of round trips rather than 20.
func TestGroupReadsShareRoundTrips(t *testing.T) {
	// noPing: a connection idle for a second is pinged when taken, which
	// would count as one more Sync and round trip.
	s := newServer(t, serverOptions{maxConns: 1, noPing: true, limits: runtime.Limits{SubscriptionPoll: -1}})
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	const groups = 20
	for i := range groups {
		subscribeLive(t, srv.URL, token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 100 + i}), `subscription { liveTitles { title } }`, "liveTitles")
	}
	eventually(t, "the subscribers to join their groups", func() bool {
		st := s.handler.Stats()
		return st.LiveGroups == groups && st.Subscribers == groups
	})
	ctx := context.Background()
	lock, err := s.admin.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback(ctx) //nolint:errcheck // committed below
	if _, err := lock.Exec(ctx, `LOCK TABLE shop.post IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // the connection idle long enough to be pinged, were pings on
	sent0 := s.handler.Stats().SharedPipelines
	s.wire.reset()
	notify, err := pgx.Connect(ctx, s.adminDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer notify.Close(ctx)
	if _, err := notify.Exec(ctx, `SELECT pg_notify('gqlplan_changes', 'shop.post')`); err != nil {
		t.Fatal(err)
	}
	// One pipeline waits on the lock, holding the one connection; the
	// other reads are in a second, which waits for the connection, or
	// queued: once the lock goes, the first pipeline ends, and the
	// others go in at most two more.
	eventually(t, "the reads to queue", func() bool { return s.handler.Stats().SharedOpen == groups })
	if err := lock.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the reads to run", func() bool { return s.wire.syncs.Load() >= groups })
	time.Sleep(100 * time.Millisecond) // nothing more
	sent := s.handler.Stats().SharedPipelines
	syncs, trips := s.wire.syncs.Load(), s.wire.turnarounds.Load()
	t.Logf("%d reads: %d Syncs, %d shared pipelines, %d round trips", groups, syncs, sent-sent0, trips)
	if syncs != groups || sent-sent0 > 3 || trips > 3 {
		t.Errorf("%d reads took %d Syncs, %d pipelines and %d round trips; want %d, at most 3 and at most 3", groups, syncs, sent-sent0, trips, groups)
	}
}
