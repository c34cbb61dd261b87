package runtime

import (
	"context"
	"fmt"
	"log/slog"
	goruntime "runtime"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
)

// QueryExecMode is how the runtime's pool must run statements: what is
// not prepared by name is parsed inside the request's pipeline, after the
// role switch. pgx's default (cached prepared statements) would parse each
// statement first, outside the transaction, as the authenticator role,
// which by design may read nothing. The runtime prepares its statements
// itself, as the request's role (see package pgexec).
const QueryExecMode = pgx.QueryExecModeExec

// DefaultPoolSize is the pool's size when none is given: four connections
// per core this process may use, at least 8. A request holds its
// connection only while PostgreSQL works on it, so a few per core keep
// the database busy without queueing work inside it; more would only move
// the queue from the pool (where --pool-timeout bounds it) into
// PostgreSQL (where nothing does).
func DefaultPoolSize() int { return max(8, 4*goruntime.GOMAXPROCS(0)) }

// cancelGrace is how long a statement whose request was canceled (its
// deadline, the client leaving, shutdown) may take to stop after
// PostgreSQL was asked to cancel it; then the connection is closed under
// it, and the pool opens a new one.
const cancelGrace = time.Second

// PoolConfig is the configuration of the runtime's connection pool to url:
// at most size connections (0: [DefaultPoolSize]; negative: the URL's
// pool_max_conns); statements run as
// [QueryExecMode]; a canceled request cancels its statement in PostgreSQL
// (pgx's default only closes the socket, and the backend works on); no
// protocol message larger than limits.MaxResponseBytes is read, so an
// oversized result is refused before it is in memory; a connection idle
// for more than a second is pinged before use, so one a restart killed is
// replaced, not handed to a request.
func PoolConfig(url string, size int, limits Limits) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's parse errors can quote the connection string, password included.
		return nil, fmt.Errorf("connect: the database URL is not valid")
	}
	limits = limits.withDefaults()
	switch {
	case size == 0:
		cfg.MaxConns = int32(DefaultPoolSize())
	case size > 0:
		cfg.MaxConns = int32(size)
	}
	cfg.HealthCheckPeriod = 15 * time.Second
	cfg.ConnConfig.DefaultQueryExecMode = QueryExecMode
	cfg.ConnConfig.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: cancelGrace}
	}
	// A root field's value is one DataRow; its header is a few bytes.
	cfg.ConnConfig.MaxProtocolMessageBodyLen = int(min(limits.MaxResponseBytes+1024, 1<<30))
	return cfg, nil
}

// WithoutCancelRequests makes cfg's connections close, rather than send
// PostgreSQL a cancel request, when a request's context ends: behind
// PgBouncer before 1.21, a cancel request whose connection the client
// closes first (pgx closes it once the statement it cancels has ended)
// can crash PgBouncer (pgbouncer#801, #904). The statement then stops at
// its statement_timeout, or when PostgreSQL next writes to the closed
// connection. Give the Handler Config.NoCancelRequests too.
func WithoutCancelRequests(cfg *pgxpool.Config) {
	cfg.ConnConfig.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn()}
	}
}

// Connect opens the connection pool and proves the database answers. When
// wait is positive and the database is not reachable yet (an orchestrator
// starting both at once), it retries with exponential backoff for up to
// wait before giving up.
func Connect(ctx context.Context, cfg *pgxpool.Config, wait time.Duration, log *slog.Logger) (*pgxpool.Pool, error) {
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
