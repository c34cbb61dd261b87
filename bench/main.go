// Command bench measures gqlplan against the SQL it sends, against the
// floor of an HTTP server sending that SQL (floor.go), and against
// PostGraphile v4 and v5, side by side in one run, and writes
// docs/BENCHMARKS.md (make bench runs it).
//
// It starts a throwaway PostgreSQL, loads the forum example (seed 001)
// scaled up in SQL (bench/scale.sql), and starts `gqlplan serve` on it.
// For each of five workloads it drives the server with wrk (closed loop,
// fixed concurrency, fixed time), then runs the exact pipeline gqlplan
// sent for that request (recorded from the runtime with a pgx tracer)
// through pgbench at the same concurrency, with the same values bound as
// parameters — the cost of the SQL alone — and, when
// Node.js and npm are there, the equivalent query against PostGraphile v4
// and v5 on the same database, roles and JWT secret. It does that in
// several rounds, the servers taking turns, and reports each server's
// median round: separate runs on a shared machine differ by up to 15%,
// and taking turns spreads any drift over all of them. It reports where
// each request's CPU goes (server, PostgreSQL, load generator), and with
// -pprof writes gqlplan's profiles of each workload.
package main

import (
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"

	"github.com/gqlplan/gqlplan/internal/pgcluster"
	"github.com/gqlplan/gqlplan/spec"
)

//go:embed scale.sql
var scaleSQL string

const (
	loginRole     = "forum_example_gqlplan"
	anonymousRole = "forum_example_anonymous"
	personRole    = "forum_example_person"
)

type options struct {
	concurrency       int
	rounds            int
	warmup, duration  time.Duration
	people, posts     int
	gqlplan           string
	gqlplanProcs      int
	gqlplanPool       int
	out, chart        string
	peerDir           string
	noPeer            bool
	pprofDir          string
	gqlplanBefore     string
	gqlplanBeforeArgs string
	// variants picks the variants measured (variants.go) by key: a
	// comparison of two needs no others' rounds.
	variants *regexp.Regexp
}

func main() {
	if file := os.Getenv(floorEnv); file != "" { // this is the floor (floor.go)
		if err := runFloor(file); err != nil {
			fmt.Fprintln(os.Stderr, "floor:", err)
			os.Exit(1)
		}
		return
	}
	var o options
	cache, _ := os.UserCacheDir()
	flag.IntVar(&o.concurrency, "concurrency", 8, "concurrent clients, for every server")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds per workload, the servers taking turns; the report takes each server's median")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured load before each measurement")
	flag.DurationVar(&o.duration, "duration", 6*time.Second, "measured load per workload, server and round")
	flag.IntVar(&o.people, "people", 10000, "people to generate")
	flag.IntVar(&o.posts, "posts", 100000, "posts to generate")
	flag.StringVar(&o.gqlplan, "gqlplan", "bin/gqlplan", "the gqlplan binary")
	flag.IntVar(&o.gqlplanProcs, "gqlplan-procs", 0, "GOMAXPROCS of gqlplan serve (0: Go's default, one per core; README, Memory, says what 1 trades)")
	flag.IntVar(&o.gqlplanPool, "gqlplan-pool", 0, "gqlplan's (and the floor's) pool size (0: -concurrency, at most 8, PostGraphile v5's)")
	flag.StringVar(&o.out, "out", "docs/BENCHMARKS.md", "the report to write")
	flag.StringVar(&o.chart, "chart", "docs/benchmarks.svg", "the chart to write")
	flag.StringVar(&o.peerDir, "peers-dir", filepath.Join(cache, "gqlplan-bench"), "where PostGraphile v4 and v5 are installed with npm")
	flag.BoolVar(&o.noPeer, "no-peer", false, "skip PostGraphile")
	flag.StringVar(&o.pprofDir, "pprof", "", "write gqlplan's CPU and allocation profiles of each workload into this directory")
	flag.StringVar(&o.gqlplanBefore, "gqlplan-before", "", "a gqlplan binary of another revision, measured beside this one in the same rounds (variants.go)")
	flag.StringVar(&o.gqlplanBeforeArgs, "gqlplan-before-args", "", "flags of serve for the build before, space-separated (\"--pipelining\": the change of a pipelined path, measured against the same path before it)")
	only := flag.String("only", "", "run only the workloads whose name matches this regular expression")
	pickVariants := flag.String("variants", "", "measure only the variants whose key (metrics, tracing, pipelined, unnamed, pgbouncer, standby, before) matches this regular expression")
	var so subscriptionOptions
	subscriptions := flag.Bool("subscriptions", false, "measure subscriptions instead (subscriptions.go): the flags below, -people, -posts and -gqlplan")
	flag.IntVar(&so.subscribers, "subscribers", 10000, "with -subscriptions: subscribers")
	flag.IntVar(&so.groups, "groups", 100, "with -subscriptions: groups they fall in")
	flag.DurationVar(&so.sustain, "sustain", 60*time.Second, "with -subscriptions: how long one change a second goes on")
	flag.StringVar(&so.out, "subscriptions-out", "docs/SUBSCRIPTIONS.md", "with -subscriptions: the report to write")
	flag.Parse()
	if *subscriptions {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		if err := runSubscriptions(ctx, o, so); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	pick, err := regexp.Compile(*only)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: -only:", err)
		os.Exit(2)
	}
	workloads = slices.DeleteFunc(workloads, func(w workload) bool { return !pick.MatchString(w.name) })
	if o.variants, err = regexp.Compile(*pickVariants); err != nil {
		fmt.Fprintln(os.Stderr, "bench: -variants:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// pool is gqlplan's and the floor's pool size: -gqlplan-pool, or one
// connection per client up to 8 (PostGraphile v5's pool): many clients
// share a pooled connection in a real deployment.
func (o options) pool() int { return cmp.Or(o.gqlplanPool, min(o.concurrency, 8)) }

func run(ctx context.Context, o options) error {
	say := func(format string, args ...any) { fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...) }
	if !onPath("wrk") {
		return fmt.Errorf("wrk is not installed: apt-get install wrk (make bench installs it)")
	}
	f, err := setUpForum(ctx, o, say)
	if err != nil {
		return err
	}
	defer f.close()
	cluster, login, dir, planFile := f.cluster, f.login, f.dir, f.planFile
	planJSON, err := os.ReadFile(planFile)
	if err != nil {
		return err
	}
	plan, err := spec.Decode(planJSON)
	if err != nil {
		return err
	}
	secret := []byte("bench-secret-bench-secret-bench-secret")
	poolDSN := login + " pool_max_conns=" + fmt.Sprint(o.pool())
	gq, err := startGqlplan(ctx, o, planFile, poolDSN, secret, nil, nil)
	if err != nil {
		return err
	}
	defer gq.stop()
	sink := otlpSink()
	defer sink.Close()
	links, err := os.MkdirTemp("", "gqlplan-bench-variants-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(links)
	scale, err := startScaleOut(ctx, f, poolDSN, o.pool(), say)
	if err != nil {
		return err
	}
	defer scale.close()
	var others []*runningVariant
	for _, v := range variants(o, sink.URL, scale) {
		rv, err := startVariant(ctx, o, v, links, planFile, poolDSN, secret)
		if err != nil {
			return err
		}
		defer rv.srv.stop()
		others = append(others, rv)
	}
	rss := &rssSampler{pid: gq.cmd.Process.Pid}
	rssCtx, stopRSS := context.WithCancel(ctx)
	defer stopRSS()
	go rss.run(rssCtx)

	report := &report{options: o, started: time.Now(), machine: machine(ctx, cluster)}
	for _, rv := range others {
		report.variants = append(report.variants, rv.variant)
	}
	personToken := func(extra jwt.MapClaims) string {
		claims := jwt.MapClaims{"role": personRole, "person_id": benchPerson, "exp": time.Now().Add(24 * time.Hour).Unix()}
		for k, v := range extra {
			claims[k] = v
		}
		s, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
		return s
	}

	// gqlplan, then the statements it sent, through pgbench.
	var requests []request
	for _, w := range workloads {
		vars := w.variables
		if w.gqlplanVariables != nil {
			vars = w.gqlplanVariables
		}
		if w.cursor {
			cursor, err := cursorAt(ctx, gq.url, cursorQueries["gqlplan"], 5)
			if err != nil {
				return err
			}
			vars = map[string]any{"after": cursor}
		}
		token := ""
		if w.token {
			token = personToken(nil)
		}
		requests = append(requests, newRequest(gq.url, w.gqlplan, vars, token))
	}
	scripts, err := recordStatements(ctx, plan, login, secret, requests)
	if err != nil {
		return err
	}
	report.scripts = scripts
	floor, err := startFloor(ctx, dir, login+" pool_max_conns="+fmt.Sprint(o.pool()), scripts)
	if err != nil {
		return err
	}
	defer floor.stop()
	var floorRequests []request
	for i, r := range requests {
		r.url = floorURL(floor, i)
		if body, err := r.send(ctx, nil); err != nil {
			return fmt.Errorf("%s on the floor: %v (%s)", workloads[i].name, err, body)
		}
		floorRequests = append(floorRequests, r)
	}

	// The peers: their own requests, equivalent to gqlplan's.
	peerRequests := map[string][]request{}
	var running []peer
	switch {
	case o.noPeer:
		report.peerSkipped = "skipped (-no-peer)"
	case !onPath("node") || !onPath("npm"):
		report.peerSkipped = "skipped: Node.js and npm are not installed"
		say("PostGraphile %s", report.peerSkipped)
	default:
		for _, p := range peers(o.peerDir) {
			srv, reqs, err := startPeer(ctx, p, o, report, login, secret, personToken)
			if err != nil {
				return err
			}
			defer srv.stop()
			peerRequests[p.key] = reqs
			running = append(running, p)
		}
	}

	for i, w := range workloads {
		for round := 1; round <= o.rounds; round++ {
			// gqlplan, its variants and the floor, the servers whose ratios
			// the report gives, each round in another order (see turns).
			var served float64
			for _, turn := range turns(len(others)+2, round, o.rounds) {
				switch {
				case turn == 0:
					say("%s, round %d of %d: gqlplan", w.name, round, o.rounds)
					rss.takePeak()
					var profiled <-chan error
					if o.pprofDir != "" && round == 1 {
						profiled = profileDuring(ctx, gq.debug, o.pprofDir, strings.ReplaceAll(w.short, " ", "-"), o.warmup, o.duration)
					}
					res, err := drive(ctx, requests[i], o.concurrency, o.warmup, o.duration)
					if err != nil {
						return err
					}
					if profiled != nil {
						if err := <-profiled; err != nil {
							return fmt.Errorf("profiling %s: %w", w.name, err)
						}
					}
					report.add(w, "gqlplan", res, rss.takePeak())
					served = res.RPS
				case turn <= len(others):
					rv := others[turn-1]
					say("%s, round %d of %d: %s", w.name, round, o.rounds, rv.variant)
					r := requests[i]
					r.url = rv.srv.url
					stopScraping := rv.scraping(ctx)
					vres, err := drive(ctx, r, o.concurrency, o.warmup, o.duration)
					if err := errors.Join(err, stopScraping()); err != nil {
						return fmt.Errorf("%s: %w", rv.variant, err)
					}
					report.add(w, rv.key, vres, 0)
				default:
					say("%s, round %d of %d: the floor", w.name, round, o.rounds)
					res, err := drive(ctx, floorRequests[i], o.concurrency, o.warmup, o.duration)
					if err != nil {
						return err
					}
					report.add(w, "floor", res, 0)
				}
			}
			// pgbench: the pipeline and the data statement alone, each flat
			// out and held to the rate gqlplan served.
			for _, run := range []struct {
				key, label string
				script     pgbenchScript
				rate       float64
			}{
				{"pgbench", "pgbench", scripts[i], 0},
				{"pgbench-alone", "pgbench, the data statement alone", *scripts[i].alone, 0},
				{"pgbench-rate", fmt.Sprintf("pgbench at gqlplan's rate (%.0f/s)", served), scripts[i], served},
				{"pgbench-alone-rate", "pgbench, the data statement alone, at gqlplan's rate", *scripts[i].alone, served},
			} {
				say("%s, round %d of %d: %s", w.name, round, o.rounds, run.label)
				res, err := runPgbench(ctx, cluster.Bin("pgbench"), login, run.script, o.concurrency, o.warmup, o.duration, run.rate)
				if err != nil {
					return err
				}
				report.add(w, run.key, res, 0)
			}
			for _, p := range running {
				say("%s, round %d of %d: %s", w.name, round, o.rounds, p.label)
				res, err := drive(ctx, peerRequests[p.key][i], o.concurrency, o.warmup, o.duration)
				if err != nil {
					return err
				}
				report.add(w, p.key, res, 0)
			}
		}
	}
	report.finished = time.Now()
	return report.write()
}

// turns is the order in which n servers run in round (from 1) of rounds:
// the same order, begun each round a further n/rounds along. In one
// order every round, gqlplan went first and each variant after the same
// neighbour: createPost, which pipelining leaves on the same path, cost
// the pipelined server 1.21 times the default's CPU and served 13% less
// (make bench, 8 clients, its median rounds).
func turns(n, round, rounds int) []int {
	start := (round - 1) * n / max(rounds, 1)
	order := make([]int, n)
	for i := range order {
		order[i] = (start + i) % n
	}
	return order
}

// startPeer installs and starts a PostGraphile and returns it with each
// workload's request to it, each checked once.
func startPeer(ctx context.Context, p peer, o options, report *report, login string, secret []byte, personToken func(jwt.MapClaims) string) (*server, []request, error) {
	fmt.Fprintf(os.Stderr, "bench: installing and starting %s\n", p.label)
	if err := p.install(ctx); err != nil {
		return nil, nil, err
	}
	peer, err := p.start(ctx, login, secret, o.concurrency)
	if err != nil {
		return nil, nil, err
	}
	report.peers = append(report.peers, peerInfo{key: p.key, label: p.label, version: p.version(ctx)})
	var requests []request
	for _, w := range workloads {
		vars := w.variables
		if w.cursor {
			cursor, err := cursorAt(ctx, peer.url, cursorQueries["postgraphile"], 5)
			if err != nil {
				peer.stop()
				return nil, nil, err
			}
			vars = map[string]any{"after": cursor}
		}
		token := ""
		if w.token {
			// PostGraphile v4 checks the audience "postgraphile" by default.
			token = personToken(jwt.MapClaims{"aud": "postgraphile"})
		}
		r := newRequest(peer.url, w.postgraphile, vars, token)
		if body, err := r.send(ctx, nil); err != nil {
			peer.stop()
			return nil, nil, fmt.Errorf("%s on %s: %v (%s)", w.name, p.label, err, body)
		}
		requests = append(requests, r)
	}
	return peer, requests, nil
}

// startGqlplan runs `gqlplan serve` on the plan.
func startGqlplan(ctx context.Context, o options, plan, dsn string, secret []byte, extraArgs, extraEnv []string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	args := []string{"serve", "--plan", plan, "--database-url", dsn, "--listen", addr, "--default-role", anonymousRole}
	debug := ""
	if o.pprofDir != "" {
		if err := os.MkdirAll(o.pprofDir, 0o755); err != nil {
			return nil, err
		}
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		debug = fmt.Sprintf("127.0.0.1:%d", port)
		args = append(args, "--debug-listen", debug)
	}
	cmd := exec.CommandContext(ctx, o.gqlplan, append(args, extraArgs...)...)
	cmd.Env = append(append(os.Environ(), "GQLPLAN_JWT_SECRET="+string(secret)), extraEnv...)
	if o.gqlplanProcs > 0 {
		cmd.Env = append(cmd.Env, "GOMAXPROCS="+strconv.Itoa(o.gqlplanProcs))
	}
	s, err := startServer(ctx, "gqlplan serve", cmd, "http://"+addr+"/graphql")
	if err == nil {
		s.debug = debug
	}
	return s, err
}

// cursorAt pages through a connection `pages` times and returns the cursor
// the last page ended at.
func cursorAt(ctx context.Context, url, query string, pages int) (string, error) {
	var after any
	for range pages {
		body, err := newRequest(url, query, map[string]any{"after": after}, "").send(ctx, nil)
		if err != nil {
			return "", err
		}
		var out struct {
			Data struct {
				Q struct {
					PageInfo struct{ EndCursor string } `json:"pageInfo"`
				} `json:"q"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &out); err != nil {
			return "", err
		}
		after = out.Data.Q.PageInfo.EndCursor
	}
	return after.(string), nil
}

// forum is a throwaway PostgreSQL with the forum example loaded and
// compiled.
type forum struct {
	cluster                     *pgcluster.Cluster
	admin, login, dir, planFile string
}

// setUpForum starts a cluster (with settings), loads the forum scaled
// up, and compiles its plan into a temporary directory.
func setUpForum(ctx context.Context, o options, say func(string, ...any), settings ...string) (_ *forum, err error) {
	say("starting a throwaway PostgreSQL")
	f := &forum{}
	if f.cluster, err = pgcluster.StartCluster(ctx, settings...); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			f.close()
		}
	}()
	if f.admin, err = createDatabase(ctx, f.cluster, "bench"); err != nil {
		return nil, err
	}
	say("loading the forum example: %d people, %d posts", o.people, o.posts)
	if err := loadForum(ctx, f.admin, o); err != nil {
		return nil, err
	}
	if f.login, err = pgcluster.WithUser(f.admin, loginRole); err != nil {
		return nil, err
	}
	if f.dir, err = os.MkdirTemp("", "gqlplan-bench-"); err != nil {
		return nil, err
	}
	f.planFile = filepath.Join(f.dir, "plan.json")
	if out, err := exec.CommandContext(ctx, o.gqlplan, "compile", "examples/forum", "-o", f.planFile, "--database-url", f.login).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("gqlplan compile: %v\n%s", err, out)
	}
	return f, nil
}

func (f *forum) close() {
	if f.dir != "" {
		os.RemoveAll(f.dir)
	}
	f.cluster.Stop()
}

func createDatabase(ctx context.Context, cluster *pgcluster.Cluster, name string) (string, error) {
	conn, err := pgx.Connect(ctx, cluster.AdminDSN())
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	return pgcluster.WithDatabase(cluster.AdminDSN(), name)
}

// loadForum applies the forum example's SQL files as gqlplan dev does,
// then bench/scale.sql.
func loadForum(ctx context.Context, dsn string, o options) error {
	if err := pgcluster.ApplySQLFiles(ctx, dsn, "examples/forum"); err != nil {
		return fmt.Errorf("%w (run bench from the repository's root)", err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	scale := strings.NewReplacer(":people", fmt.Sprint(o.people), ":posts", fmt.Sprint(o.posts)).Replace(scaleSQL)
	if _, err := conn.Exec(ctx, scale); err != nil {
		return fmt.Errorf("scale.sql: %w", err)
	}
	return nil
}

func onPath(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

// machine describes where the run happened.
func machine(ctx context.Context, cluster *pgcluster.Cluster) string {
	cpu := "unknown CPU"
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if m := regexp.MustCompile(`model name\s*:\s*(.+)`).FindSubmatch(info); m != nil {
			cpu = string(m[1])
		}
	}
	pg, _ := exec.CommandContext(ctx, cluster.Bin("postgres"), "--version").Output()
	return fmt.Sprintf("%d cores (%s), %s/%s, %s, %s", runtime.NumCPU(), cpu, runtime.GOOS, runtime.GOARCH,
		runtime.Version(), strings.TrimSpace(string(pg)))
}
