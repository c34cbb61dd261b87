package runtime_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gqlplan/gqlplan/runtime"
	"github.com/gqlplan/gqlplan/spec"
)

// A plan reload, as the server routes it: new requests go to the handler
// Reload returns. A subscription started before keeps its plan and its
// group, and reads on; a WebSocket opened before runs its next operation
// on the new plan; the same document subscribed on the new plan gets a
// group of its own; a plan that does not load is refused and the handler
// serving goes on; the same plan again changes nothing.
func TestReloadSwapsThePlanKeepingSubscriptions(t *testing.T) {
	s := newServer(t, serverOptions{})
	var serving atomic.Pointer[runtime.Handler]
	serving.Store(s.handler)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { serving.Load().ServeHTTP(w, r) }))
	defer srv.Close()
	tok := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 1})
	const doc = `subscription { liveTitles { id title } }`
	before := subscribeLive(t, srv.URL, tok, doc, "liveTitles")
	ws := dialWS(t, srv.URL, nil)
	ws.send(`{"type":"connection_init","payload":{"Authorization":"Bearer ` + tok + `"}}`)
	ws.expect("connection_ack")

	added := filepath.Join(t.TempDir(), "added.yaml")
	if err := os.WriteFile(added, []byte("version: 1\nschema: shop\nqueries:\n  titlesAgain: {returns: \"[PostTitle!]!\", sql_source: post, order_by: id}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	next := s.compile(t, true, "testdata/api.yaml", added)
	ctx := context.Background()
	if _, err := s.handler.Reload(ctx, func() (*spec.Plan, error) { return nil, errors.New("no such file") }); err == nil {
		t.Fatal("a plan that did not load was taken")
	}
	if same, err := s.handler.Reload(ctx, func() (*spec.Plan, error) { return s.plan, nil }); err != nil || same != s.handler {
		t.Fatalf("the plan served, again: %v, %v (want the same handler)", same, err)
	}
	h, err := s.handler.Reload(ctx, func() (*spec.Plan, error) { return next, nil })
	if err != nil {
		t.Fatal(err)
	}
	if h.PlanHash() != next.Hash || s.handler.PlanHash() != s.plan.Hash {
		t.Fatalf("plan hashes: new handler %s, old %s", h.PlanHash(), s.handler.PlanHash())
	}
	serving.Store(h)

	// The socket opened before the reload: its next operation is the new plan's.
	ws.send(`{"type":"subscribe","id":"q","payload":{"query":"{ titlesAgain { id } }"}}`)
	if got := ws.expect("next"); strings.Contains(string(got["payload"]), "errors") {
		t.Errorf("the added query on a socket opened before the reload: %s", got["payload"])
	}
	ws.expect("complete")
	if r := s.do(call{token: tok, query: `{ titlesAgain { id } }`}); len(r.Errors) == 0 {
		t.Errorf("the handler of the old plan serves the added query: %s", r.body)
	}
	after := subscribeLive(t, srv.URL, tok, doc, "liveTitles")
	// A subscriber joins its group just after its first result is sent.
	eventually(t, "the second subscriber to join a group", func() bool { return h.Stats().Subscribers == 2 })
	if st := h.Stats(); st.LiveGroups != 2 || st.Subscribers != 2 {
		t.Errorf("the same document on two plans: %d groups, %d subscribers; want 2 and 2", st.LiveGroups, st.Subscribers)
	}
	// Both read the change, the old plan's subscriber included.
	if _, err := s.admin.Exec(ctx, `INSERT INTO shop.post (author_id, title, secret) VALUES (1, 'after the reload', false)`); err != nil {
		t.Fatal(err)
	}
	want := fresh(t, s, call{handler: h, token: tok, query: `{ titlesAgain { id title } }`}, "titlesAgain")
	before.await(t, want, "the subscriber of the old plan", 1)
	after.await(t, want, "the subscriber of the new plan", 1)
}
