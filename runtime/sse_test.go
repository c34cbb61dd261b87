package runtime_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gqlplan/gqlplan/runtime"
)

// sseEvents posts query asking for an event stream and returns its
// events, one name and data each, as they come.
func sseEvents(t *testing.T, url, query, tok string) (<-chan [2]string, *http.Response) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"query":`+quoteJSON(query)+`}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	events := make(chan [2]string, 16)
	go func() {
		defer close(events)
		scan := bufio.NewScanner(resp.Body)
		var name string
		var data []string
		for scan.Scan() {
			switch line := scan.Text(); {
			case strings.HasPrefix(line, "event: "):
				name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = append(data, strings.TrimPrefix(line, "data: "))
			case line == "":
				events <- [2]string{name, strings.Join(data, "\n")}
				name, data = "", nil
			}
		}
	}()
	return events, resp
}

func nextEvent(t *testing.T, events <-chan [2]string) [2]string {
	t.Helper()
	select {
	case e, ok := <-events:
		if !ok {
			t.Fatal("the stream ended")
		}
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no event")
	}
	return [2]string{}
}

// GraphQL over Server-Sent Events: a query is one next and complete; a
// subscription its result, then its result again after a write, as its
// subscriber sees it, until the server goes away (complete); a document
// that does not validate is answered as over HTTP, not as a stream.
func TestEventStream(t *testing.T) {
	s := newServer(t, serverOptions{limits: runtime.Limits{SubscriptionPoll: -1}})
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	alan := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 2})

	events, resp := sseEvents(t, srv.URL, `{ person(id: 1) { firstName } }`, "")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("Content-Type %q", ct)
	}
	if e := nextEvent(t, events); e[0] != "next" || compactJSON(e[1]) != `{"data":{"person":{"firstName":"Ada"}}}` {
		t.Errorf("the query's event: %q", e)
	}
	if e := nextEvent(t, events); e[0] != "complete" {
		t.Errorf("then: %q", e)
	}

	events, _ = sseEvents(t, srv.URL, `subscription { livePosts { title } }`, alan)
	if e := nextEvent(t, events); e[0] != "next" || !strings.Contains(e[1], `"Alan private"`) || strings.Contains(e[1], "Ada private") {
		t.Errorf("the subscription's first event: %q", e)
	}
	if r := s.do(call{token: alan, query: `mutation { createPost(title: "streamed") { title } }`}); len(r.Errors) > 0 {
		t.Fatal(r.body)
	}
	if e := nextEvent(t, events); e[0] != "next" || !strings.Contains(e[1], `"streamed"`) {
		t.Errorf("after the write: %q", e)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.handler.GoingAway(ctx)
	if e := nextEvent(t, events); e[0] != "complete" {
		t.Errorf("as the server goes away: %q", e)
	}

	// urql lists text/event-stream after the JSON types: JSON it gets.
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"query":"{ person(id: 1) { firstName } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed")
	if resp, err := http.DefaultClient.Do(req); err != nil || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/graphql-response+json") {
		t.Errorf("urql's Accept: %v %v", resp.Header.Get("Content-Type"), err)
	} else {
		resp.Body.Close()
	}
	_, resp = sseEvents(t, srv.URL, `{ nope }`, "")
	if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(ct, "text/event-stream") {
		t.Errorf("a document that does not validate got a stream")
	}
}
