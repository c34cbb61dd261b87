package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestPgBouncerOneServerConnectionNoLeaks serves the forum through
// Debian's pgbouncer in transaction mode with a single server connection,
// which every connection of gqlplan's pool shares one transaction at a
// time: Sara, Andrea and anonymous clients interleave reads of who they
// are and writes that row security allows only to their author, so a
// role or a claim left on the connection by another client would show as
// a wrong person or a refused post. `--statement-cache describe` (as
// none) prepares nothing by name, which pgbouncer 1.18 cannot carry from one
// transaction to the next, and `--no-cancel-requests` keeps PgBouncer
// 1.18 alive through requests that end early.
func TestPgBouncerOneServerConnectionNoLeaks(t *testing.T) {
	admin, login, plan := compileExample(t, "forum", "forum_example_gqlplan")
	pooled, flags := throughPgBouncer(t, login, 1)
	s := serve(t, admin, pooled, plan, append(flags, "--default-role", "forum_example_anonymous", "--pool-size", "8")...)
	type identity struct {
		token, name string
		id          int
	}
	ids := []identity{
		{authenticate(t, s, "sara@example.com", "password-sara"), "Sara Powell", 1},
		{authenticate(t, s, "andrea@example.com", "password-andrea"), "Andrea Morales", 2},
		{"", "", 0},
	}
	// Requests whose clients leave at once: their connections are closed
	// under their statements (--no-cancel-requests), which PgBouncer takes
	// in its stride, where a cancel request could crash 1.18.
	for i := range 50 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%5)*time.Millisecond)
		body, _ := json.Marshal(map[string]any{"query": `{ allPosts(limit: 100) { rowId author { fullName } } }`})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		cancel()
	}
	const rounds = 150
	var wg sync.WaitGroup
	for _, who := range ids {
		for range 2 { // two clients per identity
			wg.Go(func() {
				for i := range rounds {
					var me *person
					s.post(t, who.token, `{ currentPerson { fullName } }`, nil).field(t, "currentPerson", &me)
					if (me == nil) != (who.name == "") || me != nil && me.FullName != who.name {
						t.Errorf("%q read currentPerson %+v", who.name, me)
						return
					}
					if who.token == "" || i%10 != 0 {
						continue
					}
					var created post
					s.post(t, who.token, `mutation($author: Int!, $h: String!) { createPost(authorId: $author, headline: $h, topic: DISCUSSION) { authorId author { fullName } } }`,
						map[string]any{"author": who.id, "h": fmt.Sprint("through pgbouncer ", i)}).field(t, "createPost", &created)
					if created.AuthorID != who.id || created.Author.FullName != who.name {
						t.Errorf("%q created %+v", who.name, created)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	// One server connection served the pool, and the listener its own.
	conn := connect(t, admin)
	var backends int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
		WHERE usename = 'forum_example_gqlplan' AND application_name <> 'gqlplan listener'`).Scan(&backends); err != nil {
		t.Fatal(err)
	}
	if backends != 1 {
		t.Errorf("%d server connections of the login role, want pgbouncer's one", backends)
	}
	var posts int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM forum_example.post WHERE headline LIKE 'through pgbouncer %'`).Scan(&posts); err != nil {
		t.Fatal(err)
	}
	if want := 2 * 2 * rounds / 10; posts != want {
		t.Errorf("%d posts written, want %d", posts, want)
	}
}
