package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gqlplan/gqlplan/internal/pgtest"
)

// TestHangupReloadsRoleSettings: SIGHUP to gqlplan serve reloads the
// roles' settings (ALTER ROLE … SET), which it keeps between requests;
// the server serves on.
func TestHangupReloadsRoleSettings(t *testing.T) {
	s := startExample(t, "forum", "forum_example_gqlplan", "--default-role", "forum_example_anonymous")
	waitFor(t, "the reload listener to start", func() bool { return strings.Contains(s.log.String(), "on=\"listening again\"") })
	if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the SIGHUP reload", func() bool { return strings.Contains(s.log.String(), "reloaded the roles' settings\" on=SIGHUP") })
	if r := s.post(t, "", `{ allPosts(limit: 1) { rowId } }`, nil); len(r.Errors) > 0 {
		t.Errorf("after SIGHUP: %+v", r.Errors)
	}
}

// The declarations the reload test adds to the forum: one more query
// (what a new plan adds and the next removes), and one over a view that
// only another database has (a plan compiled there is stale here).
const (
	addedQuery = `version: 1
schema: forum_example
queries:
  firstPosts:
    returns: "[Post!]!"
    sql_source: post
    order_by: [id]
    limit: {default: 3, max: 10}
`
	staleSQL = `CREATE FUNCTION forum_example.posts_elsewhere() RETURNS SETOF forum_example.post
  LANGUAGE sql STABLE BEGIN ATOMIC SELECT * FROM forum_example.post; END;
GRANT EXECUTE ON FUNCTION forum_example.posts_elsewhere() TO forum_example_anonymous, forum_example_person;
`
	staleQuery = `version: 1
schema: forum_example
queries:
  postsElsewhere:
    returns: "[Post!]!"
    sql_source: posts_elsewhere
    source_kind: function
    limit: {default: 3, max: 10}
`
)

// TestPlanReloadUnderLoad: four clients send queries and mutations while
// the plan file is swapped ten times (--watch-plan), between the forum's
// plan and one with a query more; no request fails, the added query is
// served exactly while its plan is. A broken plan file and a plan
// compiled against another database are refused (logged, counted) and
// the plan before serves on.
func TestPlanReloadUnderLoad(t *testing.T) {
	work := t.TempDir()
	forum := filepath.Join(work, "forum")
	if err := os.CopyFS(forum, os.DirFS("../../examples/forum")); err != nil {
		t.Fatal(err)
	}
	admin, login, planA := compileExampleIn(t, pgtest.Database(t), forum, "forum_example_gqlplan")
	added := filepath.Join(work, "added")
	if err := os.CopyFS(added, os.DirFS(forum)); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(added, "added.yaml"), addedQuery)
	planB := filepath.Join(work, "added.json")
	if out, err := exec.Command(binary, "compile", added, "-o", planB, "--database-url", login).CombinedOutput(); err != nil {
		t.Fatalf("compile the added query: %v\n%s", err, out)
	}
	elsewhere := filepath.Join(work, "elsewhere")
	if err := os.CopyFS(elsewhere, os.DirFS(forum)); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(elsewhere, "stale.sql"), staleSQL)
	writeFile(t, filepath.Join(elsewhere, "stale.yaml"), staleQuery)
	_, _, planStale := compileExampleIn(t, pgtest.Database(t), elsewhere, "forum_example_gqlplan")

	served := filepath.Join(work, "plan.json")
	replaceFile(t, served, readFile(t, planA))
	s := serve(t, admin, login, served, "--default-role", "forum_example_anonymous", "--watch-plan", "--admin-listen", "127.0.0.1:0")
	addr := adminAddr(t, s)
	token := personToken(t)

	var stop atomic.Bool
	var sent, failed atomic.Int64
	var mu sync.Mutex
	var failures []string
	var wg sync.WaitGroup
	for c := range 4 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				query, who := `{ allPosts(limit: 5) { id headline author { fullName } } }`, ""
				if i%4 == c%4 {
					query, who = `mutation { createPost(authorId: 1, headline: "during a reload") { id } }`, token
				}
				r := s.sendAsync(who, query)
				sent.Add(1)
				if r.err != nil || r.status != 200 || len(r.errors()) > 0 {
					failed.Add(1)
					mu.Lock()
					failures = append(failures, r.message()+string(r.body))
					mu.Unlock()
				}
			}
		})
	}
	// A reload is seen in the log: each line of the plan served counts.
	count := func(line string) int { return strings.Count(s.log.String(), line) }
	firstPosts := func() string {
		r := s.send(t, "", `{ firstPosts { rowId } }`)
		return r.code()
	}
	started := time.Now()
	var swaps []time.Duration
	for i := 1; i <= 10; i++ {
		next := planA
		if i%2 == 1 {
			next = planB
		}
		at := time.Now()
		replaceFile(t, served, readFile(t, next))
		waitFor(t, "the new plan to serve", func() bool { return count(`"serving a new plan"`) == i })
		swaps = append(swaps, time.Since(at))
		switch code := firstPosts(); {
		case next == planB && code != "":
			t.Errorf("swap %d: the added query is served by the plan that declares it: %s", i, code)
		case next == planA && code != "GRAPHQL_VALIDATION_FAILED":
			t.Errorf("swap %d: the added query is gone with its plan: got %q", i, code)
		}
	}
	// The plan serving now (A, after ten swaps) serves on through what is
	// refused: a file cut short, a plan of another database.
	replaceFile(t, served, readFile(t, planA)[:100])
	waitFor(t, "the broken plan to be refused", func() bool { return count(`"the plan file was not loaded`) == 1 })
	replaceFile(t, served, readFile(t, planStale))
	waitFor(t, "the stale plan to be refused", func() bool { return count(`"the plan file was not loaded`) == 2 })
	if log := s.log.String(); !strings.Contains(log, `\"posts_elsewhere\"(), which does not exist [stale-plan]`) {
		t.Errorf("the stale plan's refusal does not name what the database lacks:\n%s", log)
	}
	if code := s.send(t, "", `{ postsElsewhere { rowId } }`).code(); code != "GRAPHQL_VALIDATION_FAILED" {
		t.Errorf("the stale plan's query: %q, want it refused by the plan still serving", code)
	}
	// SIGHUP reads the file again, as the watch does.
	replaceFile(t, served, readFile(t, planB))
	if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the SIGHUP reload", func() bool { return count(`"serving a new plan"`) == 11 })
	time.Sleep(200 * time.Millisecond) // requests after the last swap
	stop.Store(true)
	wg.Wait()
	took := time.Since(started)
	if failed.Load() > 0 {
		t.Errorf("%d of %d requests failed during the reloads; first: %s", failed.Load(), sent.Load(), failures[0])
	}
	if code := firstPosts(); code != "" {
		t.Errorf("after SIGHUP, the added query: %s", code)
	}
	metrics := scrape(t, addr)
	for result, want := range map[string]float64{"swapped": 11, "refused": 2} {
		if got := sample(metrics, "gqlplan_plan_reloads_total", map[string]string{"result": result}); got < want {
			t.Errorf("gqlplan_plan_reloads_total{result=%q} = %v, want at least %v", result, got, want)
		}
	}
	hashB := regexp.MustCompile(`"hash": "(sha256:[0-9a-f]+)"`).FindStringSubmatch(readFile(t, planB))
	if hashB == nil || sample(metrics, "gqlplan_plan_info", map[string]string{"hash": hashB[1]}) != 1 {
		t.Errorf("gqlplan_plan_info does not show the plan served now (%v)", hashB)
	}
	slices.Sort(swaps)
	t.Logf("%d requests (a quarter of them mutations) by 4 clients in %v, %d failed; 10 swaps by --watch-plan (file written → serving: median %v, slowest %v; it polls each second) and one by SIGHUP, 2 refused",
		sent.Load(), took.Round(time.Millisecond), failed.Load(), swaps[len(swaps)/2].Round(time.Millisecond), swaps[len(swaps)-1].Round(time.Millisecond))
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replaceFile writes content over path at once (a new file renamed over
// it), as compile does: a reader never sees half of it.
func replaceFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	writeFile(t, tmp, content)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}
