package e2e

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape reads the admin listener's /metrics with Prometheus' own text
// parser.
func scrape(t *testing.T, admin string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return families
}

// sample is the value of the series of family whose labels include
// labels (0 when there is none).
func sample(families map[string]*dto.MetricFamily, family string, labels map[string]string) float64 {
	f := families[family]
	if f == nil {
		return 0
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return 0
}

// seriesOf counts the series of gqlplan's own families.
func seriesOf(families map[string]*dto.MetricFamily) int {
	n := 0
	for name, f := range families {
		if strings.HasPrefix(name, "gqlplan_") {
			n += len(f.Metric)
		}
	}
	return n
}

// TestAdminMetrics: the admin listener's /live, /ready and /metrics. The
// request counters move by root field, kind and code for queries, a
// mutation, a validation error, introspection and __typename; the
// duration and database time histograms count them, the five alike reuse
// their composed statements; the pool's gauges and counters show a
// full pool (waits, and waits that timed out); the plan is named by its
// hash. 100 requests with random operation names and aliases add no
// series: every label comes from the plan or a fixed set.
// adminAddr is the address of s's admin listener (--admin-listen), once
// it listens.
func adminAddr(t *testing.T, s *server) (addr string) {
	t.Helper()
	waitFor(t, "the admin listener", func() bool {
		m := regexp.MustCompile(`"admin listening" addr=(\S+)`).FindStringSubmatch(s.log.String())
		if m != nil {
			addr = m[1]
		}
		return m != nil
	})
	return addr
}

func TestAdminMetrics(t *testing.T) {
	admin, login, plan := compileExample(t, "forum", "forum_example_gqlplan")
	s := serve(t, admin, login, plan, "--default-role", "forum_example_anonymous", "--admin-listen", "127.0.0.1:0",
		"--pool-size", "2", "--pool-timeout", "300ms")
	addr := adminAddr(t, s)
	for _, path := range []string{"/live", "/ready"} {
		if code := statusOf(t, "http://"+addr+path); code != 200 {
			t.Errorf("%s: %d", path, code)
		}
	}
	before := scrape(t, addr)
	for range 5 {
		if r := s.send(t, "", `{ allPosts(limit: 2) { id } }`); r.status != 200 {
			t.Fatalf("a query: %d %s", r.status, r.body)
		}
	}
	if r := s.send(t, personToken(t), `mutation { createPost(authorId: 1, headline: "counted") { id } }`); r.status != 200 {
		t.Fatalf("a mutation: %d %s", r.status, r.body)
	}
	s.send(t, "", `{ nope }`)
	s.send(t, "", `{ __schema { queryType { name } } }`)
	s.send(t, "", `{ __typename }`)
	after := scrape(t, addr)
	moved := func(family string, labels map[string]string) float64 {
		return sample(after, family, labels) - sample(before, family, labels)
	}
	for _, c := range []struct {
		labels map[string]string
		want   float64
	}{
		{map[string]string{"field": "allPosts", "kind": "query", "code": "OK"}, 5},
		{map[string]string{"field": "createPost", "kind": "mutation", "code": "OK"}, 1},
		{map[string]string{"field": "(none)", "code": "GRAPHQL_VALIDATION_FAILED"}, 1},
		{map[string]string{"field": "(introspection)", "kind": "query", "code": "OK"}, 1},
		{map[string]string{"field": "(typename)", "kind": "query", "code": "OK"}, 1},
	} {
		if got := moved("gqlplan_requests_total", c.labels); got != c.want {
			t.Errorf("gqlplan_requests_total%v moved by %v, want %v", c.labels, got, c.want)
		}
	}
	if got := moved("gqlplan_request_duration_seconds", map[string]string{"kind": "query"}); got < 7 {
		t.Errorf("the query duration histogram counted %v requests, want at least 7", got)
	}
	if got := moved("gqlplan_database_duration_seconds", map[string]string{"kind": "query"}); got < 5 {
		t.Errorf("the database time histogram counted %v queries, want at least 5", got)
	}
	if got := moved("gqlplan_composed_statements_total", map[string]string{"result": "hit"}); got < 4 {
		t.Errorf("the five same queries reused statements %v times, want at least 4", got)
	}
	if got := moved("gqlplan_token_cache_total", map[string]string{"result": "miss"}); got != 1 {
		t.Errorf("the one token was verified %v times, want 1", got)
	}
	if _, ok := after["gqlplan_database_retries_total"]; !ok {
		t.Error("gqlplan_database_retries_total is missing")
	}
	if got := sample(after, "gqlplan_pool_connections_max", nil); got != 2 {
		t.Errorf("gqlplan_pool_connections_max is %v, want 2", got)
	}
	if got := moved("gqlplan_pool_acquires_total", nil); got < 6 {
		t.Errorf("gqlplan_pool_acquires_total moved by %v, want at least 6", got)
	}
	if got := sample(after, "gqlplan_plan_info", map[string]string{"format": "1"}); got != 1 || !strings.Contains(fmt.Sprint(after["gqlplan_plan_info"]), "sha256:") {
		t.Errorf("gqlplan_plan_info: %v", after["gqlplan_plan_info"])
	}
	if after["go_goroutines"] == nil || after["process_resident_memory_bytes"] == nil {
		t.Error("the Go and process collectors are missing")
	}

	// A full pool: two requests wait on a lock, a third waits for a
	// connection and times out.
	release := lockPosts(t, admin)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); s.sendAsync("", `{ allPosts(limit: 1) { id } }`) }()
	}
	waitForLockWaiters(t, admin, 2)
	if r := s.send(t, "", `{ allPosts(limit: 1) { id } }`); r.status != 503 {
		t.Errorf("with the pool full: %d %s", r.status, r.body)
	}
	full := scrape(t, addr)
	if got := sample(full, "gqlplan_pool_connections_acquired", nil); got != 2 {
		t.Errorf("gqlplan_pool_connections_acquired is %v with the pool full, want 2", got)
	}
	refusals := "gqlplan_pool_acquire_canceled_total"
	if servedPipelined() { // the query waited for a pipeline, not a connection
		refusals = "gqlplan_pipeline_refused_total"
	}
	if got := sample(full, refusals, nil) - sample(after, refusals, nil); got < 1 {
		t.Errorf("%s moved by %v, want at least 1", refusals, got)
	}
	if got := sample(full, "gqlplan_requests_total", map[string]string{"field": "allPosts", "code": "SERVICE_UNAVAILABLE"}); got < 1 {
		t.Errorf("the refused request is not counted as SERVICE_UNAVAILABLE: %v", got)
	}
	release()
	wg.Wait()

	// Random operation names and aliases: no new series.
	settled := seriesOf(scrape(t, addr))
	for i := range 100 {
		name, alias := fmt.Sprintf("Op%d_%d", i, rand.Int64()), fmt.Sprintf("a%d_%d", i, rand.Int64())
		query := fmt.Sprintf(`query %s { %s: allPosts(limit: 1) { id } }`, name, alias)
		if i%2 == 1 {
			query = fmt.Sprintf(`query %s { %s: nope%d }`, name, alias, i) // refused, with a made-up field
		}
		s.send(t, "", query)
	}
	time.Sleep(100 * time.Millisecond)
	if got := seriesOf(scrape(t, addr)); got != settled {
		t.Errorf("100 requests with random operation names, aliases and fields made %d series of %d", got, settled)
	}
}
