package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gqlplan/gqlplan/internal/heapfloor"
	"github.com/gqlplan/gqlplan/runtime"
)

// The floor is the least a server can do for a workload over HTTP and
// pgx, measured like gqlplan: net/http reads the request (the same bytes
// wrk sends gqlplan), pgx sends the pipeline gqlplan sent for it — the
// recorded statements, prepared on each connection as the request's role,
// the same values bound, in the implicit transaction of one Sync — and
// the JSON PostgreSQL built is written back in a GraphQL response. It
// parses no GraphQL and no JSON, verifies no token, plans nothing and
// logs nothing, so gqlplan's CPU above it is what those cost, and the
// floor's CPU against PostGraphile's is the least the 1/5 target can
// leave for them. It runs as a copy of this program named floorComm,
// so that its CPU is counted apart from the bench's own.

// floorEnv names the floor's configuration file in its environment.
const floorEnv = "GQLPLAN_BENCH_FLOOR"

// floorComm is the floor process's name (/proc/<pid>/stat's comm).
const floorComm = "gqlplan-floor"

// floorConfig is what the floor serves: each workload's pipeline at
// /w/<its index>.
type floorConfig struct {
	Listen    string            `json:"listen"`
	DSN       string            `json:"dsn"`
	Pipelines [][]textStatement `json:"pipelines"`
}

// textStatement is a recorded statement with its arguments in
// PostgreSQL's text form (nil: NULL): pgx sends a string parameter as
// text, whatever its type, so the values reach PostgreSQL as gqlplan's
// did.
type textStatement struct {
	SQL  string    `json:"sql"`
	Args []*string `json:"args"`
}

// startFloor starts the floor on the recorded pipelines, with a pool of
// poolSize connections to dsn (gqlplan's).
func startFloor(ctx context.Context, dir, dsn string, scripts []pgbenchScript) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cfg := floorConfig{Listen: fmt.Sprintf("127.0.0.1:%d", port), DSN: dsn}
	for _, s := range scripts {
		cfg.Pipelines = append(cfg.Pipelines, s.statements)
	}
	data, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	file := filepath.Join(dir, "floor.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, floorComm)
	if err := copyFile(self, bin); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), floorEnv+"="+file)
	return startServer(ctx, "the floor", cmd, "http://"+cfg.Listen+"/graphql")
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o755)
}

// floorURL is the floor's address of workload i.
func floorURL(floor *server, i int) string {
	return floor.url[:len(floor.url)-len("/graphql")] + "/w/" + strconv.Itoa(i)
}

// runFloor serves the floor described by file until interrupted.
func runFloor(file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var cfg floorConfig
	if err := json.Unmarshal(data, &cfg); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer heapfloor.Start(heapfloor.DefaultMiB << 20)() // a Go server's garbage is collected as gqlplan's is
	poolCfg, err := pgxpool.ParseConfig(cfg.DSN)
	if err != nil {
		return err
	}
	poolCfg.ConnConfig.DefaultQueryExecMode = runtime.QueryExecMode
	pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	f := &floor{pool: pool, pipelines: map[string]floorPipeline{}}
	for i, p := range cfg.Pipelines {
		path := "/w/" + strconv.Itoa(i)
		fp := floorPipeline{path: path}
		for _, s := range p {
			args := make([]any, len(s.Args))
			for j, a := range s.Args {
				if a != nil {
					args[j] = *a
				}
			}
			fp.sql, fp.args = append(fp.sql, s.SQL), append(fp.args, args)
		}
		f.pipelines[path] = fp
	}
	srv := &http.Server{Addr: cfg.Listen, Handler: f}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

type floor struct {
	pool      *pgxpool.Pool
	pipelines map[string]floorPipeline // by path
}

// floorPipeline is a recorded pipeline, its arguments boxed once.
type floorPipeline struct {
	path string
	sql  []string
	args [][]any
}

// floorPreparedKey is where a connection's prepared pipelines live in its
// CustomData: the statement names, by path.
const floorPreparedKey = "floor.prepared"

func (f *floor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	pipeline, ok := f.pipelines[r.URL.Path]
	if !ok { // startServer's probe
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"data":{"__typename":"Query"}}`)
		return
	}
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	value, err := f.run(r.Context(), pipeline)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	head, tail := `{"data":{"floor":`, "}}\n"
	w.Header()["Content-Type"] = []string{"application/json"}
	w.Header()["Content-Length"] = []string{strconv.Itoa(len(head) + len(value) + len(tail))}
	_, _ = io.WriteString(w, head)
	_, _ = w.Write(value)
	_, _ = io.WriteString(w, tail)
}

// run sends pipeline on a pooled connection, its statements prepared
// there first, and returns the last statement's value.
func (f *floor) run(ctx context.Context, p floorPipeline) ([]byte, error) {
	conn, err := f.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	names, err := prepareFloor(ctx, conn, p)
	if err != nil {
		return nil, err
	}
	batch := &pgx.Batch{}
	for i, name := range names {
		batch.Queue(name, p.args[i]...)
	}
	results := conn.SendBatch(ctx, batch)
	for range len(names) - 1 {
		if _, err := results.Exec(); err != nil {
			results.Close()
			return nil, err
		}
	}
	var value []byte
	if err := results.QueryRow().Scan(&value); err != nil {
		results.Close()
		return nil, err
	}
	return value, results.Close()
}

// prepareFloor returns the names pipeline's statements are prepared under
// on conn, preparing them the first time: after the first statement (the
// settings, the role among them) in a transaction rolled back, so each is
// parsed as the request's role, as gqlplan prepares its own.
func prepareFloor(ctx context.Context, conn *pgxpool.Conn, p floorPipeline) ([]string, error) {
	data := conn.Conn().PgConn().CustomData()
	byPath, _ := data[floorPreparedKey].(map[string][]string)
	if names, ok := byPath[p.path]; ok {
		return names, nil
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, p.sql[0], p.args[0]...); err != nil {
		return nil, fmt.Errorf("the settings statement: %w", err)
	}
	names := make([]string, len(p.sql))
	for i, sql := range p.sql {
		names[i] = fmt.Sprintf("floor_%s_%d", p.path[len("/w/"):], i)
		if _, err := tx.Prepare(ctx, names[i], sql); err != nil {
			return nil, err
		}
	}
	if byPath == nil {
		byPath = map[string][]string{}
		data[floorPreparedKey] = byPath
	}
	byPath[p.path] = names
	return names, nil
}
