package runtime

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// QueryExecMode is how the runtime's pool must run statements: what is
// not prepared by name is parsed inside the request's pipeline, after the
// role switch. pgx's default (cached prepared statements) would parse each
// statement first, outside the transaction, as the authenticator role,
// which by design may read nothing. The runtime prepares its statements
// itself, as the request's role (see package pgexec).
const QueryExecMode = pgx.QueryExecModeExec

// Connect opens the connection pool and proves the database answers. When
// wait is positive and the database is not reachable yet (an orchestrator
// starting both at once), it retries with exponential backoff for up to
// wait before giving up.
func Connect(ctx context.Context, url string, wait time.Duration, log *slog.Logger) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's parse errors can quote the connection string, password included.
		return nil, fmt.Errorf("connect: the database URL is not valid")
	}
	cfg.ConnConfig.DefaultQueryExecMode = QueryExecMode
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	deadline := time.Now().Add(wait)
	backoff := 250 * time.Millisecond
	for {
		pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err = pool.Ping(pingCtx)
		cancel()
		if err == nil {
			return pool, nil
		}
		// Retry until wait has passed: the last wait is cut to the
		// deadline, so the final attempt comes at it, not a backoff early.
		remaining := time.Until(deadline)
		if remaining <= 0 || ctx.Err() != nil {
			pool.Close()
			return nil, fmt.Errorf("connect: the database at %s:%d is unreachable: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
		}
		pause := min(backoff, remaining)
		if log != nil {
			log.Warn("database not reachable yet; retrying", "in", pause, "error", err.Error())
		}
		select {
		case <-time.After(pause):
		case <-ctx.Done():
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}
