package cli

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gqlplan/gqlplan/runtime"
)

// replicaFlags are serve's read replica flags.
type replicaFlags struct {
	URLs          []string      `name:"read-replica-url" env:"GQLPLAN_READ_REPLICA_URLS" help:"PostgreSQL connection string of a streaming replica that serves queries and subscriptions' reads (repeat for several). Mutations and Go resolvers stay on the primary; a replica that is down, lags or was promoted is taken out until it recovers."`
	MaxLag        time.Duration `name:"replica-max-lag" default:"5s" env:"GQLPLAN_REPLICA_MAX_LAG" help:"The most a replica may lag behind the primary's log and still serve."`
	Wait          time.Duration `name:"replica-wait" default:"50ms" env:"GQLPLAN_REPLICA_WAIT" help:"How long a read that must see a write (it carries a read-your-writes token) waits for a replica to replay it before going to the primary."`
	ProbeInterval time.Duration `name:"replica-probe-interval" default:"1s" env:"GQLPLAN_REPLICA_PROBE_INTERVAL" help:"How often each replica's state and lag are read."`
	Key           string        `name:"read-your-writes-key" env:"GQLPLAN_READ_YOUR_WRITES_KEY" help:"Key that signs read-your-writes tokens, at least 32 bytes; the same on every gqlplan behind one load balancer (default: derived from --jwt-secret, else random per process)."`
	Scope         string        `name:"read-your-writes-scope" enum:"tables,all" default:"tables" env:"GQLPLAN_READ_YOUR_WRITES_SCOPE" help:"tables: a mutation's token names the tables it wrote (read from pg_locks before its commit), and constrains only the reads of them; all: it constrains every read, and a mutation costs the database less."`
}

// pools opens a pool per replica, of the primary's size and limits. A
// pool connects when first used, so a replica down at start is only
// taken out.
func (f replicaFlags) pools(ctx context.Context, primary *pgxpool.Config, limits runtime.Limits, cancelRequests bool) ([]runtime.ReplicaPool, error) {
	var out []runtime.ReplicaPool
	for i, url := range f.URLs {
		cfg, err := runtime.PoolConfig(url, int(primary.MaxConns), limits)
		if err != nil {
			closeReplicas(out)
			return nil, fmt.Errorf("--read-replica-url %d: %w", i+1, err)
		}
		if !cancelRequests {
			runtime.WithoutCancelRequests(cfg)
		}
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			closeReplicas(out)
			return nil, fmt.Errorf("--read-replica-url %d: %w", i+1, err)
		}
		c := cfg.ConnConfig
		out = append(out, runtime.ReplicaPool{Name: fmt.Sprintf("%s:%d/%s", c.Host, c.Port, c.Database), Pool: pool})
	}
	return out, nil
}

func closeReplicas(pools []runtime.ReplicaPool) {
	for _, p := range pools {
		p.Pool.Close()
	}
}

// key is the read-your-writes key: --read-your-writes-key, else one
// derived from the JWT secret (so servers sharing it accept each other's
// tokens), else nil (a random key of this process).
func (f replicaFlags) key(jwtSecret string, log *slog.Logger) ([]byte, error) {
	switch {
	case len(f.URLs) == 0:
		return nil, nil
	case f.Key != "" && len(f.Key) < 32:
		return nil, fmt.Errorf("--read-your-writes-key must be at least 32 bytes")
	case f.Key != "":
		return []byte(f.Key), nil
	case jwtSecret != "":
		sum := sha256.Sum256([]byte("gqlplan read-your-writes key\x00" + jwtSecret))
		return sum[:], nil
	}
	log.Info("read-your-writes tokens are signed with a key of this process: set --read-your-writes-key when several serve one API")
	return nil, nil
}
