package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5"
)

// The subscriptions benchmark (make bench-subscriptions): many
// subscribers of the forum's latestPosts, in groups (one page of posts
// each, by offset), over graphql-transport-ws. It measures what one
// committed change they all read costs — SQL executions and round trips
// (from pg_stat_statements), commit-to-delivery latency, CPU per message —
// what an idle subscriber costs the server in memory, and the same
// figures under a steady rate of changes.

type subscriptionOptions struct {
	subscribers, groups int
	sustain             time.Duration
	out                 string
}

// subscriptionDoc is every subscriber's document; its offset picks the group.
const subscriptionDoc = `subscription Latest($offset: Int) { latestPosts(limit: 5, offset: $offset) { rowId headline author { fullName } } }`

func runSubscriptions(ctx context.Context, o options, so subscriptionOptions) error {
	say := func(format string, args ...any) { fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...) }
	f, err := setUpForum(ctx, o, say, "shared_preload_libraries=pg_stat_statements")
	if err != nil {
		return err
	}
	defer f.close()
	cluster, admin, login, planFile := f.cluster, f.admin, f.login, f.planFile
	db, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer db.Close(ctx)
	if _, err := db.Exec(ctx, "CREATE EXTENSION pg_stat_statements"); err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	args := []string{"serve", "--plan", planFile, "--database-url", login, "--listen", addr,
		"--default-role", anonymousRole, "--log-requests", "none", "--subscription-poll", "0",
		"--max-connections", fmt.Sprint(so.subscribers + 100)}
	port, err = freePort()
	if err != nil {
		return err
	}
	debug := fmt.Sprintf("127.0.0.1:%d", port) // /debug/live counts the shared pipelines
	args = append(args, "--debug-listen", debug)
	cmd := exec.CommandContext(ctx, o.gqlplan, args...)
	cmd.Env = append(os.Environ(), "GQLPLAN_JWT_SECRET=bench-subscriptions-secret-of-32-bytes")
	srv, err := startServer(ctx, "gqlplan serve", cmd, "http://"+addr+"/graphql")
	if err != nil {
		return err
	}
	defer srv.stop()
	pid := srv.cmd.Process.Pid
	rss0 := rssOf(pid)

	say("connecting %d subscribers in %d groups", so.subscribers, so.groups)
	subs := make([]*benchSubscriber, so.subscribers)
	start := time.Now()
	var failed error
	var wg sync.WaitGroup
	var mu sync.Mutex
	sem := make(chan struct{}, 64)
	for i := range subs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s, err := dialSubscriber(ctx, srv.url, i%so.groups)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && failed == nil {
				failed = err
			}
			subs[i] = s
		}()
	}
	wg.Wait()
	if failed != nil {
		return fmt.Errorf("subscribing: %w", failed)
	}
	defer func() {
		for _, s := range subs {
			s.conn.CloseNow()
		}
	}()
	say("%d subscribed in %v", so.subscribers, time.Since(start).Round(time.Millisecond))
	time.Sleep(3 * time.Second) // settle: the initial reads done, the collector run
	rssIdle := rssOf(pid)
	if o.pprofDir != "" { // what an idle subscriber holds
		if err := os.MkdirAll(o.pprofDir, 0o755); err != nil {
			return err
		}
		for _, p := range []string{"heap", "goroutine"} {
			if err := fetch(ctx, "http://"+debug+"/debug/pprof/"+p, filepath.Join(o.pprofDir, "subscribers-idle."+p)); err != nil {
				return err
			}
		}
	}
	perIdle := float64(rssIdle-rss0) / float64(so.subscribers)

	// One change every subscriber reads: a post newer than all.
	change := func(n int) (time.Time, error) {
		_, err := db.Exec(ctx, `INSERT INTO forum_example.post (author_id, headline, created_at) VALUES (1, $1, now() + interval '1 year')`, fmt.Sprintf("bench change %d", n))
		return time.Now(), err
	}
	if _, err := db.Exec(ctx, "SELECT pg_stat_statements_reset()"); err != nil {
		return err
	}
	live0, err := liveStats(ctx, debug)
	if err != nil {
		return err
	}
	cpu0 := sampleCPU()
	before := counts(subs)
	committed, err := change(0)
	if err != nil {
		return err
	}
	one, err := awaitDeliveries(ctx, subs, before, "the change", committed)
	if err != nil {
		return err
	}
	time.Sleep(200 * time.Millisecond)
	cpu1 := sampleCPU()
	executions, transactions, err := statementCounts(ctx, db)
	if err != nil {
		return err
	}
	live1, err := liveStats(ctx, debug)
	if err != nil {
		return err
	}

	// A steady rate: one change a second.
	var steady []time.Duration
	cpu2 := sampleCPU()
	begin := time.Now()
	for n := 1; time.Since(begin) < so.sustain; n++ {
		next := begin.Add(time.Duration(n) * time.Second)
		before := counts(subs)
		committed, err := change(n)
		if err != nil {
			return err
		}
		lat, err := awaitDeliveries(ctx, subs, before, fmt.Sprintf("change %d", n), committed)
		if err != nil {
			return err
		}
		steady = append(steady, lat...)
		time.Sleep(time.Until(next))
	}
	wall := time.Since(begin)
	cpu3 := sampleCPU()

	r := subscriptionReport{
		machine: machine(ctx, cluster), subscribers: so.subscribers, groups: so.groups,
		executions: executions, transactions: transactions, pipelines: live1.SharedPipelines - live0.SharedPipelines,
		p50: percentile(one, 0.5), p99: percentile(one, 0.99),
		cpuPerMessage: perRequest(cpu0, cpu1, "gqlplan", so.subscribers), pgPerMessage: perRequest(cpu0, cpu1, "postgres", so.subscribers),
		rssIdleMiB: float64(rssIdle) / (1 << 20), rssPerIdle: perIdle,
		sustain: wall, changes: len(steady) / so.subscribers,
		steadyP50: percentile(steady, 0.5), steadyP99: percentile(steady, 0.99),
		serverShare: float64(cpu3["gqlplan"]-cpu2["gqlplan"]) / float64(wall),
		pgShare:     float64(cpu3["postgres"]-cpu2["postgres"]) / float64(wall),
	}
	text := r.markdown()
	fmt.Print(text)
	if so.out != "" {
		return os.WriteFile(so.out, []byte(text), 0o644)
	}
	return nil
}

// benchSubscriber is one subscriber: its reader counts the results and
// notes when the newest arrived.
type benchSubscriber struct {
	conn *websocket.Conn
	mu   sync.Mutex
	at   time.Time // when the newest result arrived
	got  atomic.Int64
}

func dialSubscriber(ctx context.Context, url string, offset int) (*benchSubscriber, error) {
	dial, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, _, err := websocket.Dial(dial, "ws"+strings.TrimPrefix(url, "http"), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, err
	}
	payload, _ := json.Marshal(map[string]any{"query": subscriptionDoc, "variables": map[string]any{"offset": offset}})
	for _, msg := range []string{`{"type":"connection_init"}`, `{"type":"subscribe","id":"1","payload":` + string(payload) + `}`} {
		if err := conn.Write(dial, websocket.MessageText, []byte(msg)); err != nil {
			return nil, err
		}
	}
	s := &benchSubscriber{conn: conn}
	for s.got.Load() == 0 { // the ack, then the first result
		_, data, err := conn.Read(dial)
		if err != nil {
			return nil, err
		}
		if strings.Contains(string(data), `"next"`) {
			s.note(data)
		}
	}
	go func() {
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			s.note(data)
		}
	}()
	return s, nil
}

func (s *benchSubscriber) note(data []byte) {
	s.mu.Lock()
	s.at = time.Now()
	s.mu.Unlock()
	s.got.Add(1)
}

// awaitDeliveries waits until every subscriber got a message after the
// counts in before (a change shifts every page by one, so each group's
// result changes), and returns each one's latency from committed.
func awaitDeliveries(ctx context.Context, subs []*benchSubscriber, before []int64, what string, committed time.Time) ([]time.Duration, error) {
	lat := make([]time.Duration, 0, len(subs))
	deadline := time.Now().Add(30 * time.Second)
	for i, s := range subs {
		for s.got.Load() <= before[i] {
			if time.Now().After(deadline) || ctx.Err() != nil {
				return nil, fmt.Errorf("%s did not reach every subscriber within 30 s", what)
			}
			time.Sleep(time.Millisecond)
		}
		s.mu.Lock()
		lat = append(lat, s.at.Sub(committed))
		s.mu.Unlock()
	}
	return lat, nil
}

// counts is how many messages each subscriber got so far.
func counts(subs []*benchSubscriber) []int64 {
	out := make([]int64, len(subs))
	for i, s := range subs {
		out[i] = s.got.Load()
	}
	return out
}

// statementCounts reads pg_stat_statements since its reset: how often the
// subscription's statement ran, and how many transactions (one pipeline,
// one round trip each, opened by the settings statement) there were.
func statementCounts(ctx context.Context, db *pgx.Conn) (executions, transactions int64, err error) {
	err = db.QueryRow(ctx, `SELECT
			coalesce(sum(calls) FILTER (WHERE query ILIKE '%json%' AND query ILIKE '%forum_example%post%' AND query NOT ILIKE 'INSERT%'), 0)::bigint,
			coalesce(sum(calls) FILTER (WHERE query ILIKE '%set_config%'), 0)::bigint
		FROM pg_stat_statements`).Scan(&executions, &transactions)
	return executions, transactions, err
}

// liveStats reads gqlplan's /debug/live.
func liveStats(ctx context.Context, debug string) (st struct{ SharedPipelines, SharedReads int64 }, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+debug+"/debug/live", nil)
	if err != nil {
		return st, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

func rssOf(pid int) int64 {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb << 10
		}
	}
	return 0
}

type subscriptionReport struct {
	machine                     string
	subscribers, groups         int
	executions, transactions    int64
	pipelines                   int64
	p50, p99                    time.Duration
	cpuPerMessage, pgPerMessage time.Duration
	rssIdleMiB, rssPerIdle      float64
	sustain                     time.Duration
	changes                     int
	steadyP50, steadyP99        time.Duration
	serverShare, pgShare        float64
}

func (r subscriptionReport) markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Subscriptions benchmark\n\n")
	p("Written by `make bench-subscriptions` on %s.\n\n", r.machine)
	p("%d subscribers of the forum's `latestPosts` over graphql-transport-ws, in %d groups (one page each, by `offset`), anonymous, polling off: only the notify triggers of `gqlplan triggers` read them again. Server, PostgreSQL and the subscribers' client share the machine.\n\n", r.subscribers, r.groups)
	p("## One committed change every subscriber reads\n\n")
	p("| figure | value |\n|---|---:|\n")
	p("| SQL executions of the subscription's statement (pg_stat_statements) | %d (groups affected: %d) |\n", r.executions, r.groups)
	p("| transactions (settings statements), each its own Sync | %d |\n", r.transactions)
	p("| round trips: the shared pipelines they went in (gqlplan's /debug/live) | %d |\n", r.pipelines)
	p("| commit-to-delivery latency, p50 | %v |\n", r.p50.Round(time.Millisecond))
	p("| commit-to-delivery latency, p99 | %v |\n", r.p99.Round(time.Millisecond))
	p("| gqlplan CPU per delivered message | %v |\n", r.cpuPerMessage.Round(100*time.Nanosecond))
	p("| PostgreSQL CPU per delivered message | %v |\n", r.pgPerMessage.Round(100*time.Nanosecond))
	p("| gqlplan RSS with every subscriber idle | %.1f MiB |\n", r.rssIdleMiB)
	p("| RSS per idle subscriber | %.1f KiB |\n\n", r.rssPerIdle/1024)
	p("## One change a second for %v\n\n", r.sustain.Round(time.Second))
	p("| figure | value |\n|---|---:|\n")
	p("| changes, each delivered to all %d | %d |\n", r.subscribers, r.changes)
	p("| commit-to-delivery latency, p50 | %v |\n", r.steadyP50.Round(time.Millisecond))
	p("| commit-to-delivery latency, p99 | %v |\n", r.steadyP99.Round(time.Millisecond))
	p("| gqlplan CPU, share of one core | %.1f%% |\n", 100*r.serverShare)
	p("| PostgreSQL CPU, share of one core | %.1f%% |\n", 100*r.pgShare)
	if r.serverShare > 0 {
		p("| subscribers per core at this rate (subscribers ÷ gqlplan's share of a core) | %.0f |\n", float64(r.subscribers)/r.serverShare)
	}
	return b.String()
}
