package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/jackc/pgx/v5"
)

// postgraphileVersion is the peer: PostGraphile v4, from the npm registry.
const postgraphileVersion = "postgraphile@4"

// installPostgraphile installs the peer into dir once (npm install) and
// returns its executable.
func installPostgraphile(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "node_modules", ".bin", "postgraphile")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "npm", "install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error", postgraphileVersion)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("npm install %s: %v\n%s", postgraphileVersion, err, out)
	}
	return bin, nil
}

// startPostgraphile runs the peer on the same database, as the same login
// role, with the tutorial's options (seed 001): the forum_example schema,
// anonymous requests as forum_example_anonymous, the same JWT secret.
func startPostgraphile(ctx context.Context, bin, dsn string, secret []byte) (*server, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	conn := fmt.Sprintf("postgres://%s@localhost/%s?host=%s", cfg.User, cfg.Database, cfg.Host)
	cmd := exec.CommandContext(ctx, bin, "--connection", conn, "--schema", "forum_example",
		"--default-role", anonymousRole, "--jwt-secret", string(secret), "--jwt-token-identifier", "forum_example.jwt_token",
		"--host", "127.0.0.1", "--port", fmt.Sprint(port), "--disable-query-log", "--disable-graphiql")
	cmd.Env = append(os.Environ(), "NODE_ENV=production")
	return startServer(ctx, "PostGraphile", cmd, fmt.Sprintf("http://127.0.0.1:%d/graphql", port))
}
