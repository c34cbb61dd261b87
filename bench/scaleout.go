package main

import (
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/gqlplan/gqlplan/internal/pgcluster"
)

// Past one database (issue 45): gqlplan through Debian's pgbouncer in
// transaction mode, and reading from a streaming standby, each a variant
// measured in the same rounds as the default server, against what the
// default's named statements cost — and the unnamed statements PgBouncer
// 1.18 needs, straight to PostgreSQL, so that the pooler's own cost is
// told apart from theirs.

// scaleOut is the pgbouncer and the standby the variants use.
type scaleOut struct {
	bouncer              *pgcluster.PgBouncer // nil: pgbouncer is not installed
	standby              *pgcluster.Cluster
	login, pooled, reads string
}

// startScaleOut starts pgbouncer (pooling as many server connections as
// gqlplan's pool holds) in front of f's cluster and a standby of it.
func startScaleOut(ctx context.Context, f *forum, poolDSN string, pool int, say func(string, ...any)) (_ *scaleOut, err error) {
	s := &scaleOut{login: f.login}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if _, err := os.Stat(pgcluster.PgBouncerBin); err == nil {
		say("starting pgbouncer in transaction mode")
		if s.bouncer, err = pgcluster.StartPgBouncer(ctx, f.login, []string{loginRole}, pool); err != nil {
			return nil, err
		}
		if s.pooled, err = s.bouncer.URL(poolDSN); err != nil {
			return nil, err
		}
	} else {
		say("pgbouncer is not installed (apt-get install pgbouncer): its run is left out")
	}
	say("starting a streaming standby")
	if s.standby, err = f.cluster.StartStandby(ctx); err != nil {
		return nil, err
	}
	db, err := pgcluster.WithDatabase(s.standby.AdminDSN(), "bench")
	if err != nil {
		return nil, err
	}
	if s.reads, err = pgcluster.WithUser(db, loginRole); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *scaleOut) close() {
	if s.bouncer != nil {
		s.bouncer.Stop()
	}
	if s.standby != nil {
		s.standby.Stop()
	}
}

// variants are the servers past one database.
func (s *scaleOut) variants() []variant {
	out := []variant{{key: "unnamed", comm: "gqlplan-unnamed", label: "statements unnamed (`--statement-cache none`), straight to PostgreSQL",
		args: []string{"--statement-cache", "none"}}}
	if s.bouncer != nil {
		out = append(out, variant{key: "pgbouncer", comm: "gqlplan-bouncer", label: "through PgBouncer in transaction mode (`--statement-cache none`)",
			args: []string{"--statement-cache", "none", "--no-cancel-requests", "--listen-database-url", s.login}, dsn: s.pooled})
	}
	return append(out, variant{key: "standby", comm: "gqlplan-standby", label: "queries read from a streaming standby (`--read-replica-url`)",
		args: []string{"--read-replica-url", s.reads}})
}

// scaleOutSection writes the report's section on the servers past one
// database: each variant's median round beside the default server's.
func (r *report) scaleOutSection(p func(string, ...any)) {
	keys := []string{"gqlplan"}
	for _, v := range r.variants {
		if slices.Contains([]string{"unnamed", "pgbouncer", "standby"}, v.key) {
			keys = append(keys, v.key)
		}
	}
	if len(keys) == 1 {
		return
	}
	comm := map[string]string{"gqlplan": "gqlplan", "unnamed": "gqlplan-unnamed", "pgbouncer": "gqlplan-bouncer", "standby": "gqlplan-standby"}
	cpu := func(res result, comm string) string {
		if res.Requests == 0 {
			return "–"
		}
		return fmt.Sprintf("%.0f", micros(perRequest(res.cpuFrom, res.cpuTo, comm, res.Requests)))
	}
	p("\n## Past one database\n\n")
	p("At %d clients, each server its median round: the default (statements prepared by name, straight to PostgreSQL); statements unnamed (`--statement-cache none`, what PgBouncer 1.18 needs), straight; the same through Debian's pgbouncer in transaction mode, pooling as many server connections as gqlplan's pool holds; and queries read from a streaming standby of the database (`--read-replica-url`; mutations on the primary, each followed by a read of the primary's log position for its read-your-writes token). CPU per request in µs by process; PostgreSQL's is every postgres process, the standby's too.\n\n", r.concurrency)
	p("| Workload | server | req/s | p50 ms | p99 ms | gqlplan µs | pgbouncer µs | PostgreSQL µs |\n|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, row := range r.rows {
		for _, k := range keys {
			res := row.results[k]
			if res.Requests == 0 {
				continue
			}
			p("| %s | %s | %.0f | %s | %s | %s | %s | %s |\n", row.workload.name, k, res.RPS, ms(res.P50), ms(res.P99),
				cpu(res, comm[k]), cpu(res, "pgbouncer"), cpu(res, "postgres"))
		}
	}
}
