package runtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"

	"github.com/gqlplan/gqlplan/internal/pgcluster"
	"github.com/gqlplan/gqlplan/runtime"
	"github.com/gqlplan/gqlplan/runtime/internal/readset"
)

// replicaSetup is a primary of its own, a streaming standby of it, and a
// server of the runtime fixture on the primary that reads from the
// standby.
type replicaSetup struct {
	s                *server
	primary, standby *pgcluster.Cluster
}

const replicaDatabase = "replicas"

func newReplicaSetup(t *testing.T) *replicaSetup {
	t.Helper()
	ctx := context.Background()
	primary, err := pgcluster.StartCluster(ctx, "wal_writer_delay=10ms")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = primary.Stop() })
	conn, err := pgx.Connect(ctx, primary.AdminDSN())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+replicaDatabase); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	standby, err := primary.StartStandby(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = standby.Stop() })
	primaryURL, err := pgcluster.WithDatabase(primary.AdminDSN(), replicaDatabase)
	if err != nil {
		t.Fatal(err)
	}
	standbyURL, err := pgcluster.WithDatabase(standby.AdminDSN(), replicaDatabase)
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, serverOptions{database: primaryURL, replicas: []string{standbyURL}, replicaWait: 20 * time.Millisecond})
	return &replicaSetup{s: s, primary: primary, standby: standby}
}

// replica is the standby's state as the handler reports it.
func (r *replicaSetup) replica() runtime.ReplicaStats { return r.s.handler.Stats().Replicas[0] }

// waitReplica waits until the standby is in use (or not, with a reason
// holding reason).
func (r *replicaSetup) waitReplica(t *testing.T, inUse bool, reason string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		st := r.replica()
		if st.InUse == inUse && strings.Contains(st.Reason, reason) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the standby is not %v (%q) after a minute: %+v", inUse, reason, st)
		}
	}
}

// setDelay sets the standby's recovery_min_apply_delay ("" resets it).
func (r *replicaSetup) setDelay(t *testing.T, delay string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, r.standby.AdminDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	sql := "ALTER SYSTEM RESET recovery_min_apply_delay"
	if delay != "" {
		sql = "ALTER SYSTEM SET recovery_min_apply_delay = '" + delay + "'"
	}
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_reload_conf()"); err != nil {
		t.Fatal(err)
	}
}

// commits is the transactions the database has committed on a cluster,
// once the backends' statistics are flushed.
func commits(t *testing.T, dsn string) int64 {
	return statistic(t, dsn, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
}

// postScans is how often a cluster has scanned shop.post, once the
// backends' statistics are flushed.
func postScans(t *testing.T, dsn string) int64 {
	return statistic(t, dsn, "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relid = 'shop.post'::regclass")
}

// statistic is the number sql reads in the test's database on the
// cluster of dsn.
func statistic(t *testing.T, dsn, sql string) int64 {
	t.Helper()
	ctx := context.Background()
	dsn, err := pgcluster.WithDatabase(dsn, replicaDatabase)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int64
	if err := conn.QueryRow(ctx, sql).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

const postsQuery = `{ posts { id title } }`

func TestReadReplicas(t *testing.T) {
	r := newReplicaSetup(t)
	s := r.s
	want := s.do(call{query: postsQuery}).data(t) // the primary's, before the standby serves
	r.waitReplica(t, true, "")

	t.Run("queries are answered by the standby", func(t *testing.T) {
		standby0, primary0 := commits(t, r.standby.AdminDSN()), postScans(t, r.primary.AdminDSN())
		reads0 := r.replica().Reads
		const n = 200
		for range n {
			if got := s.do(call{query: postsQuery}).data(t); got != want {
				t.Fatalf("the standby answered %s; the primary %s", got, want)
			}
		}
		// A probe that times out on a busy machine takes the standby out
		// for a moment: a few may go to the primary.
		served := r.replica().Reads - reads0
		if served < n*9/10 {
			t.Errorf("the standby served %d of %d queries: %+v", served, n, s.handler.Stats())
		}
		// Backends flush their statistics when idle, at most once a second.
		for deadline := time.Now().Add(20 * time.Second); commits(t, r.standby.AdminDSN())-standby0 < served; time.Sleep(200 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the standby's pg_stat_database counts %d transactions, not %d", commits(t, r.standby.AdminDSN())-standby0, served)
			}
		}
		// The primary's transactions move with the probes (ten a second
		// here), more the slower the machine: its scans of the posts
		// the queries read do not.
		if moved := postScans(t, r.primary.AdminDSN()) - primary0; moved >= n/2 {
			t.Errorf("the primary's scans of shop.post moved by %d: the queries went there", moved)
		}
		r.waitReplica(t, true, "")
		rec := httptest.NewRecorder()
		s.handler.Readiness().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		if !strings.Contains(rec.Body.String(), "replica standby1: in use") {
			t.Errorf("/readyz says %q", rec.Body)
		}
	})

	t.Run("each read after a write sees it, and reads without a token stay on the standby", func(t *testing.T) {
		r.setDelay(t, "300ms") // the standby replays each commit 300 ms late
		defer r.setDelay(t, "")
		tok := token(t, jwt.MapClaims{"role": s.roles.member})
		const clients, pairs = 4, 250
		reads0 := r.replica().Reads
		var wg sync.WaitGroup
		var failures atomic.Int64
		var stale atomic.Int64
		for c := range clients {
			wg.Go(func() {
				for i := range pairs {
					name := fmt.Sprintf("ryw %d-%d", c, i)
					w := s.do(call{token: tok, query: `mutation($n: String!, $e: String!) { addPerson(firstName: $n, email: $e) { id } }`,
						vars: map[string]any{"n": name, "e": fmt.Sprintf("ryw%d-%d@example.com", c, i)}})
					readAfter := w.header.Get(runtime.ReadAfterHeader)
					var created struct{ AddPerson struct{ ID int } }
					_ = json.Unmarshal([]byte(w.data(t)), &created)
					id := created.AddPerson.ID
					if w.status != 200 || readAfter == "" || id == 0 {
						failures.Add(1)
						t.Errorf("the mutation answered %d %s, token %q", w.status, w.body, readAfter)
						return
					}
					got := s.do(call{token: tok, query: `query($id: Int!) { person(id: $id) { firstName } }`, vars: map[string]any{"id": id},
						header: http.Header{runtime.ReadAfterHeader: {readAfter}}}).data(t)
					if got != fmt.Sprintf(`{"person":{"firstName":%q}}`, name) {
						stale.Add(1)
						t.Errorf("the read after writing %q answered %s", name, got)
					}
					if got := s.do(call{query: postsQuery}).data(t); got != want {
						t.Errorf("a read without a token answered %s", got)
					}
				}
			})
		}
		wg.Wait()
		if failures.Load() > 0 || stale.Load() > 0 {
			t.Fatalf("%d mutations failed, %d reads did not see their write", failures.Load(), stale.Load())
		}
		if served := r.replica().Reads - reads0; served < clients*pairs*9/10 {
			t.Errorf("the standby served %d reads; the %d without a token should have gone there (but for a probe timing out on a busy machine)", served, clients*pairs)
		}
		// A token this server did not sign constrains nothing.
		reads1 := r.replica().Reads
		forged := s.do(call{query: postsQuery, header: http.Header{runtime.ReadAfterHeader: {"1.ffffffffffffffff.AAAAAAAAAAAAAAAAAAAAAAAA"}}})
		if forged.data(t) != want || r.replica().Reads != reads1+1 {
			t.Errorf("a forged token: %s, standby reads %d → %d", forged.body, reads1, r.replica().Reads)
		}
	})

	t.Run("a stopped standby loses no query, and serves again once back", func(t *testing.T) {
		r.waitReplica(t, true, "")
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var answered, failed atomic.Int64
		for range 4 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					if res := s.do(call{query: postsQuery}); res.status != 200 || res.data(t) != want {
						failed.Add(1)
						t.Errorf("a query answered %d %s", res.status, res.body)
					}
					answered.Add(1)
				}
			})
		}
		time.Sleep(300 * time.Millisecond)
		primary0 := s.handler.Stats().PrimaryReads
		if err := r.standby.Halt(false); err != nil {
			t.Fatal(err)
		}
		r.waitReplica(t, false, "")
		time.Sleep(500 * time.Millisecond)
		if s.handler.Stats().PrimaryReads == primary0 {
			t.Error("with the standby down, the primary served nothing")
		}
		if err := r.standby.Resume(context.Background()); err != nil {
			t.Fatal(err)
		}
		r.waitReplica(t, true, "")
		reads0 := r.replica().Reads
		time.Sleep(500 * time.Millisecond)
		close(stop)
		wg.Wait()
		if failed.Load() > 0 {
			t.Fatalf("%d of %d queries failed", failed.Load(), answered.Load())
		}
		if r.replica().Reads == reads0 {
			t.Error("back, the standby served nothing")
		}
		t.Logf("%d queries, none failed", answered.Load())
	})

	t.Run("a lagging standby is skipped", func(t *testing.T) {
		r.waitReplica(t, true, "")
		r.setDelay(t, "1h")
		stop := make(chan struct{})
		wrote := make(chan struct{})
		go func() { // commits for the standby to lag behind
			defer close(wrote)
			for {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
				if _, err := s.admin.Exec(context.Background(), "INSERT INTO shop.person (first_name) VALUES ('lag')"); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		r.waitReplica(t, false, "lags")
		reads0, primary0 := r.replica().Reads, s.handler.Stats().PrimaryReads
		if got := s.do(call{query: postsQuery}).data(t); got != want {
			t.Errorf("a query answered %s", got)
		}
		if st := s.handler.Stats(); st.Replicas[0].Reads != reads0 || st.PrimaryReads != primary0+1 {
			t.Errorf("the lagging standby served a query: %+v", st)
		}
		close(stop)
		<-wrote
		r.setDelay(t, "")
		r.waitReplica(t, true, "")
	})

	t.Run("a busy standby's query goes to the primary, and the standby stays in use", func(t *testing.T) {
		r.waitReplica(t, true, "")
		// Every connection of the standby's pool — pipelining, every
		// pipeline — held by a slow query.
		fill := runtime.DefaultPoolSize()
		if os.Getenv("GQLPLAN_TEST_PIPELINING") == "1" {
			fill = min(goruntime.GOMAXPROCS(0), fill)
		}
		slowOnStandby := func() int {
			return int(statistic(t, r.standby.AdminDSN(), `SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%slow%' AND state = 'active' AND pid <> pg_backend_pid()`))
		}
		ctx, leave := context.WithCancel(context.Background())
		var slow sync.WaitGroup
		defer func() { leave(); slow.Wait() }()
		// One at a time, so each takes a connection (or a pipeline) of its
		// own; one that a probe timing out on a busy machine sent to the
		// primary is followed by another.
		for sent := 0; slowOnStandby() < fill; sent++ {
			if sent == 3*fill {
				t.Fatalf("%d slow queries sent, %d run on the standby", sent, slowOnStandby())
			}
			before := slowOnStandby()
			slow.Add(1)
			go func() { defer slow.Done(); s.do(call{query: `{ slow(seconds: 60) { id } }`, context: ctx}) }()
			for deadline := time.Now().Add(2 * time.Second); slowOnStandby() == before && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			}
		}
		mark, primary0 := len(s.logs.String()), s.handler.Stats().PrimaryReads
		if got := s.do(call{query: postsQuery}).data(t); got != want {
			t.Errorf("a query while the standby was busy answered %s", got)
		}
		if st := s.handler.Stats(); st.PrimaryReads <= primary0 {
			t.Errorf("the primary served no query while the standby was busy: %+v", st)
		}
		if logs := s.logs.String()[mark:]; strings.Contains(logs, "a query found it unavailable") {
			t.Errorf("the busy standby was taken out:\n%s", logs)
		}
	})

	// It adds posts, which the queries above compare: after them.
	t.Run("a subscription sees each change, read from the standby once it replayed it", func(t *testing.T) {
		r.waitReplica(t, true, "")
		srv := httptest.NewServer(s.handler)
		defer srv.Close()
		tok := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 1})
		sub := subscribeLive(t, srv.URL, tok, `subscription { livePosts { title } }`, "livePosts")
		change := func(title string, within time.Duration) {
			t.Helper()
			if _, err := s.admin.Exec(context.Background(), "INSERT INTO shop.post (author_id, title) VALUES (1, $1)", title); err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(within); ; {
				sub.mu.Lock()
				latest := sub.latest
				sub.mu.Unlock()
				if strings.Contains(latest, `"title":"`+title+`"`) {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s after the commit of %q, the subscriber's newest result is %s", within, title, latest)
				}
				select {
				case <-sub.got:
				case <-time.After(10 * time.Millisecond):
				}
			}
		}
		// Replaying 2 s late, the standby cannot serve a read that must
		// see the commit: the primary does, at once.
		r.setDelay(t, "2s")
		for i := range 3 {
			change(fmt.Sprint("live late ", i), time.Second)
		}
		r.setDelay(t, "")
		r.waitReplica(t, true, "")
		reads0 := r.replica().Reads
		for i := range 10 {
			change(fmt.Sprint("live ", i), 5*time.Second)
		}
		t.Logf("the standby served %d of the subscription's reads after 10 changes", r.replica().Reads-reads0)
		if r.replica().Reads == reads0 {
			t.Error("the standby served none of the subscription's reads")
		}
		// No result went back to an older state than one before it.
		sub.mu.Lock()
		defer sub.mu.Unlock()
		for i := 1; i < len(sub.seen); i++ {
			if strings.Count(sub.seen[i], `"title":"live`) < strings.Count(sub.seen[i-1], `"title":"live`) {
				t.Errorf("result %d holds fewer of the new posts than result %d:\n%s\n%s", i, i-1, sub.seen[i], sub.seen[i-1])
			}
		}
	})

	// It adds posts too.
	t.Run("a token constrains only the reads of the tables its mutations wrote", func(t *testing.T) {
		r.waitReplica(t, true, "")
		r.setDelay(t, "2s") // what a token constrains cannot be read from the standby
		defer r.setDelay(t, "")
		oid := func(table string) uint32 {
			var o uint32
			if err := s.admin.QueryRow(context.Background(), "SELECT $1::regclass::oid", table).Scan(&o); err != nil {
				t.Fatal(err)
			}
			return o
		}
		scope := func(token string) string { // "2.<position>.<scope>.<mac>"
			parts := strings.Split(token, ".")
			if len(parts) != 4 {
				t.Fatalf("token %q", token)
			}
			return parts[2]
		}
		base36 := func(oid uint32) string { return strconv.FormatUint(uint64(oid), 36) }
		person, post := base36(oid("shop.person")), base36(oid("shop.post"))
		tok := token(t, jwt.MapClaims{"role": s.roles.member, "person_id": 1})
		read := func(readAfter, query string) (data string, standby bool) {
			t.Helper()
			reads0 := r.replica().Reads
			res := s.do(call{token: tok, query: query, header: http.Header{runtime.ReadAfterHeader: {readAfter}}})
			return res.data(t), r.replica().Reads > reads0
		}
		// posts reads shop.post (its policy reads settings only); person,
		// shop.person.
		const readPosts = `{ posts { title } }`
		readPerson := func(id int) string { return fmt.Sprintf(`{ person(id: %d) { firstName } }`, id) }
		onStandby := func(readAfter string) int {
			n := 0
			for range 20 {
				if _, standby := read(readAfter, readPosts); standby {
					n++
				}
			}
			return n
		}

		w := s.do(call{token: tok, query: `mutation { addPerson(firstName: "Scoped", email: "scoped@example.com") { id } }`})
		wrotePerson := w.header.Get(runtime.ReadAfterHeader)
		if got := scope(wrotePerson); got != person {
			t.Fatalf("addPerson wrote shop.person (%s): its token's scope is %q", person, got)
		}
		var created struct{ AddPerson struct{ ID int } }
		_ = json.Unmarshal([]byte(w.data(t)), &created)
		if got, standby := read(wrotePerson, readPerson(created.AddPerson.ID)); got != `{"person":{"firstName":"Scoped"}}` || standby {
			t.Errorf("the read of the person written answered %s (from the standby: %v)", got, standby)
		}
		// Reads of posts go to the standby, which has not replayed the
		// write: they cannot see it. (A probe timing out on a busy
		// machine takes it out for a moment.)
		if n := onStandby(wrotePerson); n < 15 {
			t.Errorf("the standby served %d of 20 reads of posts after a write of a person", n)
		}

		// A write of a post with that token: the new one names both, and
		// what a trigger deferred to the commit wrote.
		if _, err := s.admin.Exec(context.Background(), `CREATE TABLE shop.post_log (title text);
			CREATE FUNCTION shop.log_post() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
				BEGIN INSERT INTO shop.post_log VALUES (NEW.title); RETURN NULL; END $$;
			CREATE CONSTRAINT TRIGGER log_post AFTER INSERT ON shop.post DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION shop.log_post()`); err != nil {
			t.Fatal(err)
		}
		defer s.admin.Exec(context.Background(), "DROP TABLE shop.post_log; DROP FUNCTION shop.log_post() CASCADE")
		postLog := base36(oid("shop.post_log"))
		w = s.do(call{token: tok, query: `mutation { createPost(title: "Scoped post") { id } }`, header: http.Header{runtime.ReadAfterHeader: {wrotePerson}}})
		wroteBoth := w.header.Get(runtime.ReadAfterHeader)
		if got, want := scope(wroteBoth), readset.Of(oid("shop.person"), oid("shop.post"), oid("shop.post_log")).String(); got != want {
			t.Fatalf("the token after writing a post with a token of a person's write has the scope %q, want %s (%s, %s, %s)", got, want, person, post, postLog)
		}
		if got, standby := read(wroteBoth, readPosts); !strings.Contains(got, "Scoped post") || standby {
			t.Errorf("the read of posts after writing one answered %s (from the standby: %v)", got, standby)
		}
		if got, standby := read(wroteBoth, readPerson(created.AddPerson.ID)); got != `{"person":{"firstName":"Scoped"}}` || standby {
			t.Errorf("the read of the person written before answered %s (from the standby: %v)", got, standby)
		}

		// A check deferred to the commit fails the mutation as before.
		w = s.do(call{token: tok, query: `mutation { pledge(kept: false) }`})
		if len(w.Errors) != 1 || w.Errors[0].Extensions["constraint"] != "pledge_kept" || w.codes()[0] != "BAD_USER_INPUT" {
			t.Errorf("an unkept pledge answered %s", w.body)
		}
		if n := s.scalar(`SELECT count(*) FROM shop.pledge WHERE NOT kept`); n != "0" {
			t.Errorf("%s unkept pledges committed", n)
		}

		// What a Go resolver wrote is not known: its token names every
		// table.
		w = s.do(call{token: tok, query: `mutation { addPersonReturning(firstName: "Resolved") { person { firstName } } }`})
		if got := scope(w.header.Get(runtime.ReadAfterHeader)); got != "*" {
			t.Errorf("a resolver's mutation has the scope %q", got)
		}
		if n := onStandby(w.header.Get(runtime.ReadAfterHeader)); n != 0 {
			t.Errorf("the standby served %d reads of posts after a write of unknown tables", n)
		}
	})

	t.Run("a promoted standby is taken out", func(t *testing.T) {
		conn, err := pgx.Connect(context.Background(), r.standby.AdminDSN()) // the standby was restarted
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "SELECT pg_promote()"); err != nil {
			t.Fatal(err)
		}
		r.waitReplica(t, false, "not a replica")
		primary0 := s.handler.Stats().PrimaryReads
		if res := s.do(call{query: postsQuery}); res.status != 200 || s.handler.Stats().PrimaryReads != primary0+1 {
			t.Errorf("after the promotion a query answered %s, the primary's reads %d → %d", res.body, primary0, s.handler.Stats().PrimaryReads)
		}
	})
}
