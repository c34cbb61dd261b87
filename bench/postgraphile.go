package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
)

// peer is one PostGraphile the bench measures gqlplan against, on the
// same database, with the tutorial's options (seed 001): the forum_example
// schema, anonymous requests as forum_example_anonymous, the same JWT
// secret. v4 and v5 serve the tutorial's schema under the same names (v5
// through makeV4Preset), so each workload sends them the same request.
type peer struct {
	key, label string   // the report's: "postgraphile", "PostGraphile v4"
	packages   []string // what npm installs into dir
	dir        string
}

// peers are the PostGraphiles: v4, and v5 (Grafast), the current release,
// which needs Node.js 22, installed from npm as the package node@22.
func peers(cache string) []peer {
	return []peer{
		{key: "postgraphile", label: "PostGraphile v4", packages: []string{"postgraphile@4"}, dir: filepath.Join(cache, "postgraphile4")},
		{key: "postgraphile5", label: "PostGraphile v5", packages: []string{"postgraphile@5", "node@22"}, dir: filepath.Join(cache, "postgraphile5")},
	}
}

// install installs the peer's packages into its directory once (npm
// install).
func (p peer) install(ctx context.Context) error {
	if _, err := os.Stat(filepath.Join(p.dir, "node_modules", "postgraphile", "package.json")); err == nil {
		return nil
	}
	if err := os.MkdirAll(p.dir, 0o755); err != nil {
		return err
	}
	args := append([]string{"install", "--prefix", p.dir, "--no-audit", "--no-fund", "--loglevel=error"}, p.packages...)
	if out, err := exec.CommandContext(ctx, "npm", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("npm install %s: %v\n%s", strings.Join(p.packages, " "), err, out)
	}
	return nil
}

// version is what the report says the peer is: its version and Node.js's.
func (p peer) version(ctx context.Context) string {
	data, _ := os.ReadFile(filepath.Join(p.dir, "node_modules", "postgraphile", "package.json"))
	var pkg struct{ Version string }
	_ = json.Unmarshal(data, &pkg)
	node, _ := exec.CommandContext(ctx, p.node(), "--version").Output()
	return fmt.Sprintf("PostGraphile %s on Node.js %s", pkg.Version, strings.TrimSpace(string(node)))
}

// node is the Node.js the peer runs on: v5's own (node@22), else the
// system's.
func (p peer) node() string {
	own := filepath.Join(p.dir, "node_modules", ".bin", "node")
	if _, err := os.Stat(own); err == nil {
		return own
	}
	return "node"
}

// v5Config is PostGraphile v5's configuration of the tutorial:
// makeV4Preset for v4's names, PgLazyJWTPreset for tokens (v5 has no
// defaultRole option: the context gives the anonymous role, a token's
// role replaces it), and a pool that keeps its connections (node-postgres
// closes idle clients after 10 s by default, which would make v5 pay new
// backends between rounds).
const v5Config = `import { makeV4Preset } from "postgraphile/presets/v4";
import { PgLazyJWTPreset } from "postgraphile/presets/lazy-jwt";
import { makePgService } from "postgraphile/adaptors/pg";

export default {
  extends: [
    makeV4Preset({
      jwtSecret: process.env.BENCH_JWT_SECRET,
      jwtPgTypeIdentifier: "forum_example.jwt_token",
      disableQueryLog: true,
      graphiql: false,
    }),
    PgLazyJWTPreset,
  ],
  pgServices: [
    makePgService({
      connectionString: process.env.BENCH_DATABASE_URL,
      schemas: ["forum_example"],
      poolConfig: { idleTimeoutMillis: 0, max: Number(process.env.BENCH_POOL) },
    }),
  ],
  schema: { pgJwtSecret: process.env.BENCH_JWT_SECRET },
  grafast: {
    context: (_, args) => ({ pgSettings: { role: process.env.BENCH_DEFAULT_ROLE, ...args.contextValue?.pgSettings } }),
  },
  grafserv: { host: "127.0.0.1", port: Number(process.env.BENCH_PORT) },
};
`

// start runs the peer on the database dsn, as dsn's login role.
func (p peer) start(ctx context.Context, dsn string, secret []byte, pool int) (*server, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	conn := fmt.Sprintf("postgres://%s@localhost/%s?host=%s", cfg.User, cfg.Database, cfg.Host)
	var cmd *exec.Cmd
	if p.key == "postgraphile" {
		cmd = exec.CommandContext(ctx, filepath.Join(p.dir, "node_modules", ".bin", "postgraphile"), "--connection", conn, "--schema", "forum_example",
			"--default-role", anonymousRole, "--jwt-secret", string(secret), "--jwt-token-identifier", "forum_example.jwt_token",
			"--host", "127.0.0.1", "--port", fmt.Sprint(port), "--disable-query-log", "--disable-graphiql")
		cmd.Env = append(os.Environ(), "NODE_ENV=production")
	} else {
		config := filepath.Join(p.dir, "graphile.config.mjs")
		if err := os.WriteFile(config, []byte(v5Config), 0o644); err != nil {
			return nil, err
		}
		cmd = exec.CommandContext(ctx, p.node(), filepath.Join(p.dir, "node_modules", "postgraphile", "dist", "cli-run.js"), "-C", config)
		cmd.Dir = p.dir
		cmd.Env = append(os.Environ(), "NODE_ENV=production", "BENCH_JWT_SECRET="+string(secret), "BENCH_DATABASE_URL="+conn,
			"BENCH_DEFAULT_ROLE="+anonymousRole, "BENCH_PORT="+fmt.Sprint(port), "BENCH_POOL="+fmt.Sprint(pool))
	}
	return startServer(ctx, p.label, cmd, fmt.Sprintf("http://127.0.0.1:%d/graphql", port))
}
