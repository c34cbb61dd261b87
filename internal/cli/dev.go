package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gqlplan/gqlplan/auth"
	"github.com/gqlplan/gqlplan/internal/pgcluster"
	"github.com/gqlplan/gqlplan/runtime"
)

// DevCmd runs an example directory end to end: a throwaway PostgreSQL, its
// SQL, its declarations compiled against it, and a server that reloads when
// a file changes.
type DevCmd struct {
	Dir         string        `arg:"" help:"The project directory: *.sql files (applied in name order) and declarations (*.yaml, *.yml, *.go)."`
	Listen      string        `default:"127.0.0.1:8080" env:"GQLPLAN_LISTEN" help:"Address to listen on."`
	DatabaseURL string        `name:"database-url" env:"GQLPLAN_DATABASE_URL" help:"Use this database (its admin connection) instead of a throwaway cluster; the SQL is applied to it once."`
	Role        string        `help:"The login role the server connects as (default: the only non-superuser login role the SQL created)."`
	DefaultRole string        `help:"Role of anonymous requests."`
	JWTSecret   string        `name:"jwt-secret" env:"GQLPLAN_JWT_SECRET" help:"Secret that verifies and signs tokens (default: a random one for this run)."`
	Token       string        `name:"token" placeholder:"CLAIMS" help:"Print a development token carrying these JSON claims, and a curl command using it."`
	Poll        time.Duration `default:"500ms" help:"How often files are checked for changes."`
}

// devDatabase is the database name dev creates in its throwaway cluster.
const devDatabase = "gqlplan_dev"

func (c *DevCmd) Run(ctx context.Context, env *Env) error {
	log := slog.New(slog.NewTextHandler(env.Stderr, nil))
	dir := resolvePath(env.Dir, c.Dir)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("%s is not a directory", c.Dir)
	}
	secret := []byte(c.JWTSecret)
	if len(secret) == 0 {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		secret = []byte(hex.EncodeToString(b))
	}
	d := &devServer{cmd: c, env: env, dir: dir, log: log, secret: secret,
		api: newGate("The declarations have errors; gqlplan dev printed them and serves once they compile.")}
	defer d.close()
	if err := d.start(ctx); err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/graphql", d.api)
	mux.Handle("/readyz", d.api.readiness())
	playground(mux, playgroundConfig{URL: "/graphql", Token: d.token()})
	// The watcher swaps the pool and the handler: it must be done before
	// close releases them.
	watchCtx, stopWatching := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		d.watch(watchCtx)
	}()
	srv, err := listen(log, c.Listen, mux, 0)
	if err == nil {
		d.announce(srv.addr)
		err = srv.run(ctx, 5*time.Second, 0, nil)
	}
	stopWatching()
	<-watched
	return err
}

// devServer is the state of one gqlplan dev run.
type devServer struct {
	cmd     *DevCmd
	env     *Env
	dir     string
	log     *slog.Logger
	secret  []byte
	cluster *pgcluster.Cluster // nil with --database-url
	admin   string             // DSN of the database, as its owner
	server  string             // DSN of the database, as the server's login role
	pool    *pgxpool.Pool
	api     *gate             // serves the last plan that compiled
	seen    map[string]string // file → size and modification time
	// stopListening ends the listener of the handler served now.
	stopListening context.CancelFunc
	tokenOnce     sync.Once
	signed        string // the development token (see token)
}

// start gets a database, applies the SQL, compiles and builds the handler.
func (d *devServer) start(ctx context.Context) error {
	d.admin = d.cmd.DatabaseURL
	if d.admin == "" {
		fmt.Fprintln(d.env.Stderr, "gqlplan dev: starting a throwaway PostgreSQL …")
		cluster, err := pgcluster.StartCluster(ctx)
		if err != nil {
			return err
		}
		d.cluster = cluster
	}
	d.seen = d.fingerprint()
	if err := d.loadDatabase(ctx); err != nil {
		return err
	}
	if err := d.reload(ctx); err != nil {
		if !errors.Is(err, errFindings) {
			return err
		}
		// Keep watching: the next change that compiles is served.
		fmt.Fprintln(d.env.Stderr, "gqlplan dev: the declarations have errors (above); watching for a change that fixes them")
	}
	return nil
}

// close stops what start started: the pool, then the cluster and its files.
func (d *devServer) close() {
	if d.pool != nil {
		d.pool.Close()
	}
	if d.cluster != nil {
		if err := d.cluster.Stop(); err != nil {
			fmt.Fprintf(d.env.Stderr, "gqlplan dev: %v\n", err)
		}
	}
}

// loadDatabase (re)creates the throwaway database, applies the SQL files
// and opens the server's pool. With --database-url the SQL is applied to
// that database as it is.
func (d *devServer) loadDatabase(ctx context.Context) error {
	if d.cluster != nil {
		if err := d.recreateDatabase(ctx); err != nil {
			return err
		}
	}
	conn, err := pgx.Connect(ctx, d.admin)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, f := range pgcluster.SQLFiles(d.dir) {
		sql, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, string(sql)); err != nil {
			return fmt.Errorf("%s: %w", relativeTo(d.env.Dir, f), err)
		}
		fmt.Fprintf(d.env.Stderr, "gqlplan dev: applied %s\n", relativeTo(d.env.Dir, f))
	}
	d.server = d.admin
	if d.cluster != nil {
		role, err := d.loginRole(ctx, conn)
		if err != nil {
			return err
		}
		if d.server, err = pgcluster.WithUser(d.admin, role); err != nil {
			return err
		}
	}
	poolConfig, err := runtime.PoolConfig(d.server, 0, runtime.Limits{})
	if err != nil {
		return err
	}
	pool, err := runtime.Connect(ctx, poolConfig, 0, d.log)
	if err != nil {
		return err
	}
	d.warnAboutRoles(ctx, pool)
	if d.pool != nil {
		d.pool.Close()
	}
	d.pool = pool
	return nil
}

// warnAboutRoles says when requests would run with more rights than a
// production server should give them: as a superuser (row level security
// and privileges do not apply), or, without --default-role, anonymous
// requests as the login role itself.
func (d *devServer) warnAboutRoles(ctx context.Context, pool *pgxpool.Pool) {
	var role string
	var super bool
	if err := pool.QueryRow(ctx, "SELECT current_user::text, rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&role, &super); err != nil {
		return
	}
	if super {
		d.log.Warn("serving as a superuser: row level security and privileges do not apply to any request; connect as the login role production uses (--role)", "role", role)
	}
	if d.cmd.DefaultRole == "" {
		d.log.Warn("no --default-role: anonymous requests run as the login role itself", "role", role)
	}
}

// recreateDatabase drops and creates devDatabase in the cluster.
func (d *devServer) recreateDatabase(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, d.cluster.AdminDSN())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, sql := range []string{"DROP DATABASE IF EXISTS " + devDatabase + " WITH (FORCE)", "CREATE DATABASE " + devDatabase} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return err
		}
	}
	d.admin, err = pgcluster.WithDatabase(d.cluster.AdminDSN(), devDatabase)
	return err
}

// loginRole is --role, or the only non-superuser login role there is.
func (d *devServer) loginRole(ctx context.Context, conn *pgx.Conn) (string, error) {
	if d.cmd.Role != "" {
		return d.cmd.Role, nil
	}
	rows, _ := conn.Query(ctx, "SELECT rolname FROM pg_roles WHERE rolcanlogin AND NOT rolsuper ORDER BY 1")
	logins, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	if len(logins) != 1 {
		return "", fmt.Errorf("the SQL creates %d non-superuser login roles (%s); name the server's with --role", len(logins), strings.Join(logins, ", "))
	}
	return logins[0], nil
}

// reload compiles the declarations against the database and, when they
// are valid, serves the new plan; otherwise the diagnostics are printed
// and the last good plan keeps serving.
func (d *devServer) reload(ctx context.Context) error {
	plan, err := compileAndReport(ctx, d.env, []string{d.dir}, nil, "text", DatabaseFlags{DatabaseURL: d.server, DBTimeout: 10 * time.Second})
	if err != nil {
		return err
	}
	verifier, err := auth.NewVerifier(ctx, auth.Config{Secret: d.secret, DefaultRole: d.cmd.DefaultRole, Logger: d.log})
	if err != nil {
		return err
	}
	signer, err := auth.NewSigner(auth.SignerConfig{Secret: d.secret})
	if err != nil {
		return err
	}
	h, err := runtime.NewHandler(ctx, runtime.Config{Plan: plan, Pool: d.pool, Verifier: verifier, Signer: signer, Dev: true, Logger: d.log, Resolvers: d.env.Resolvers})
	if err != nil {
		fmt.Fprintf(d.env.Stderr, "gqlplan dev: %v\n", err)
		return err
	}
	d.api.set(h)
	if d.stopListening != nil {
		d.stopListening()
	}
	var listenCtx context.Context
	listenCtx, d.stopListening = context.WithCancel(ctx)
	go h.Listen(listenCtx)
	fmt.Fprintf(d.env.Stderr, "gqlplan dev: serving %d queries and %d mutations\n", len(plan.Queries), len(plan.Mutations))
	return nil
}

// watch polls the directory; a changed SQL file reloads the database, a
// changed declaration recompiles.
func (d *devServer) watch(ctx context.Context) {
	tick := time.NewTicker(d.cmd.Poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := d.fingerprint()
		changed := changedFiles(d.seen, now)
		if len(changed) == 0 {
			continue
		}
		d.seen = now
		fmt.Fprintf(d.env.Stderr, "gqlplan dev: changed: %s\n", strings.Join(changed, ", "))
		if slices.ContainsFunc(changed, func(f string) bool { return strings.HasSuffix(f, ".sql") }) {
			if d.cluster == nil {
				fmt.Fprintln(d.env.Stderr, "gqlplan dev: with --database-url, apply SQL changes yourself; recompiling")
			} else if err := d.loadDatabase(ctx); err != nil {
				fmt.Fprintf(d.env.Stderr, "gqlplan dev: %v\n", err)
				continue
			}
		}
		_ = d.reload(ctx) // errors are printed; the last good plan serves on
	}
}

// fingerprint is the size and modification time of every file dev reads.
func (d *devServer) fingerprint() map[string]string {
	out := map[string]string{}
	_ = filepath.WalkDir(d.dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() && path != d.dir && strings.HasPrefix(e.Name(), ".") {
			return filepath.SkipDir
		}
		switch filepath.Ext(path) {
		case ".sql", ".yaml", ".yml", ".go":
			if strings.HasSuffix(path, "_test.go") {
				return nil
			}
			if info, err := e.Info(); err == nil {
				out[relativeTo(d.env.Dir, path)] = fmt.Sprint(info.Size(), info.ModTime().UnixNano())
			}
		}
		return nil
	})
	return out
}

func changedFiles(before, after map[string]string) []string {
	var out []string
	for f, v := range after {
		if before[f] != v {
			out = append(out, f)
		}
	}
	for f := range before {
		if _, ok := after[f]; !ok {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

// token is the development token of --token, signed once ("" without
// it, or when it is no JSON object of claims).
func (d *devServer) token() string {
	d.tokenOnce.Do(func() {
		var claims map[string]any
		if err := json.Unmarshal([]byte(d.cmd.Token), &claims); err == nil && claims != nil {
			signer, _ := auth.NewSigner(auth.SignerConfig{Secret: d.secret, Lifetime: 24 * time.Hour})
			d.signed, _ = signer.Sign(claims)
		}
	})
	return d.signed
}

// announce prints where the server is, and a token and curl when asked.
func (d *devServer) announce(addr string) {
	w := d.env.Stdout
	fmt.Fprintf(w, "gqlplan dev: GraphQL at http://%s/graphql, GraphiQL at http://%s/\n", addr, addr)
	if d.cmd.Token == "" {
		return
	}
	token := d.token()
	if token == "" {
		fmt.Fprintln(w, "gqlplan dev: --token must be a JSON object of claims")
		return
	}
	fmt.Fprintf(w, "\nA development token (24h):\n\n  export TOKEN=%s\n\nTry:\n\n  curl -s http://%s/graphql -H 'Content-Type: application/json' \\\n    -H \"Authorization: Bearer $TOKEN\" -d '{\"query\":\"{ __typename }\"}'\n\n", token, addr)
}
