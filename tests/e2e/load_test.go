package e2e

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// load is readers and writers sending requests to a server until stopped,
// each writer's posts named so that what reached the database can be
// told apart from what was acknowledged.
type load struct {
	stopped chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	reads   []attempt
	writes  []attempt
}

// attempt is one request of the load.
type attempt struct {
	start    time.Time
	status   int
	code     string
	message  string
	err      error
	headline string // a write's post
	acked    bool   // a write answered with its post
}

// startLoad runs readers anonymous readers of the newest posts and
// writers writers of posts as the forum's first person.
func startLoad(t *testing.T, s *server, readers, writers int) *load {
	l := &load{stopped: make(chan struct{})}
	token := personToken(t)
	run := func(each func(n int) attempt, into *[]attempt) {
		defer l.wg.Done()
		for n := 0; ; n++ {
			select {
			case <-l.stopped:
				return
			default:
			}
			a := each(n)
			l.mu.Lock()
			*into = append(*into, a)
			l.mu.Unlock()
		}
	}
	for range readers {
		l.wg.Add(1)
		go run(func(int) attempt {
			return outcomeOf(time.Now(), s.sendAsync("", `{ allPosts(limit: 5) { id headline } }`))
		}, &l.reads)
	}
	for w := range writers {
		l.wg.Add(1)
		go run(func(n int) attempt {
			headline := fmt.Sprintf("load-%d-%d-%d", time.Now().UnixNano(), w, n)
			a := outcomeOf(time.Now(), s.sendAsync(token, fmt.Sprintf(
				`mutation { createPost(authorId: 1, headline: %q, body: %q) { id headline body } }`, headline, "body of "+headline)))
			a.headline = headline
			a.acked = !a.failed()
			return a
		}, &l.writes)
	}
	return l
}

func outcomeOf(start time.Time, r reply) attempt {
	return attempt{start: start, status: r.status, code: r.code(), message: r.message(), err: r.err}
}

func (l *load) stop() {
	close(l.stopped)
	l.wg.Wait()
}

// failed reports whether a was not answered with data.
func (a attempt) failed() bool { return a.err != nil || a.status != 200 || a.code != "" }

// check asserts what a fault may not cost: every acknowledged write is in
// the database, whole, once; a write said not applied is not there; every
// failure is a 503 SERVICE_UNAVAILABLE (one code, one status for an
// outage); no read started after back failed.
func (l *load) check(t *testing.T, admin string, back time.Time) {
	t.Helper()
	l.checkWrites(t, admin)
	var late []attempt
	for _, r := range l.reads {
		if r.failed() && r.start.After(back) {
			late = append(late, r)
		}
	}
	if len(late) > 0 {
		t.Errorf("%d reads started after the database was back failed, the first: %d %s %q %v", len(late), late[0].status, late[0].code, late[0].message, late[0].err)
	}
}

// checkWrites is check without the reads.
func (l *load) checkWrites(t *testing.T, admin string) {
	t.Helper()
	ctx := context.Background()
	conn := connect(t, admin)
	rows, _ := conn.Query(ctx, `SELECT headline, body, count(*) OVER (PARTITION BY headline) FROM forum_example.post WHERE headline LIKE 'load-%'`)
	type stored struct {
		body   string
		copies int
	}
	inDB := map[string]stored{}
	for rows.Next() {
		var h, b string
		var n int
		if err := rows.Scan(&h, &b, &n); err != nil {
			t.Fatal(err)
		}
		inDB[h] = stored{b, n}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, w := range l.writes {
		got, ok := inDB[w.headline]
		switch {
		case w.acked && !ok:
			t.Errorf("acknowledged write %s is not in the database", w.headline)
		case w.acked && (got.body != "body of "+w.headline || got.copies != 1):
			t.Errorf("acknowledged write %s is stored partially or twice: %+v", w.headline, got)
		case !w.acked && ok && strings.Contains(w.message, "was not applied"):
			t.Errorf("write %s was reported not applied (%s), yet it is in the database", w.headline, w.message)
		}
	}
	for _, a := range slices.Concat(l.reads, l.writes) {
		if a.err != nil {
			t.Errorf("a request got no answer: %v", a.err)
		} else if a.failed() && !(a.status == 503 && a.code == "SERVICE_UNAVAILABLE") {
			t.Errorf("a failure that is not 503 SERVICE_UNAVAILABLE: %d %s %q", a.status, a.code, a.message)
		}
	}
}

// recovery is the time from back to the first request started after it
// that succeeded.
func (l *load) recovery(back time.Time) time.Duration {
	first := time.Time{}
	for _, a := range slices.Concat(l.reads, l.writes) {
		if !a.failed() && a.start.After(back) && (first.IsZero() || a.start.Before(first)) {
			first = a.start
		}
	}
	return first.Sub(back).Round(time.Millisecond)
}

// summary counts the attempts by outcome.
func (l *load) summary(back time.Time) string {
	count := func(as []attempt) string {
		by := map[string]int{}
		afterBack := 0
		for _, a := range as {
			switch {
			case a.err != nil:
				by["no answer"]++
			case a.failed():
				by[fmt.Sprintf("%d %s", a.status, a.code)]++
			default:
				by["ok"]++
				continue
			}
			if a.start.After(back) {
				afterBack++
			}
		}
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(by)) {
			parts = append(parts, fmt.Sprintf("%s: %d", k, by[k]))
		}
		return fmt.Sprintf("%d (%s; failed after the database was back: %d)", len(as), strings.Join(parts, ", "), afterBack)
	}
	acked := 0
	for _, w := range l.writes {
		if w.acked {
			acked++
		}
	}
	return fmt.Sprintf("reads %s; writes %s, %d acknowledged and all in the database", count(l.reads), count(l.writes), acked)
}
