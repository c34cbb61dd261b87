package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// A variant is gqlplan serve run another way, measured in the same rounds
// as the default one: what metrics and tracing cost when on, and what a
// build of another revision (-gqlplan-before) costs, so that a change's
// cost is measured against the code before it, on the same machine at
// the same time. Each runs as a symlink named for it, so that its CPU is
// counted apart from the default server's (cpu.go counts by process
// name, at most 15 characters).
type variant struct {
	key, comm, label string
	binary           string // "": -gqlplan
	args, env        []string
	// scrape: Prometheus' part is played too: /metrics of the admin
	// listener is read each second while the variant is measured.
	scrape bool
	// dsn, when set, is the database URL the variant serves from instead
	// of the default server's (through PgBouncer).
	dsn string
}

// variants are those measured: metrics on, tracing on, pipelining on,
// the statement cache off, through PgBouncer and reading from a standby
// (when the scale-out is given: see scaleOut), and the build before when
// given.
func variants(o options, otlp string, scale *scaleOut) []variant {
	out := []variant{
		{key: "metrics", comm: "gqlplan-metrics", label: "metrics on (`--admin-listen`, `/metrics` scraped each second)", scrape: true},
		{key: "tracing", comm: "gqlplan-traced", label: "tracing on (every request sampled, spans exported over OTLP/HTTP to a sink)",
			env: []string{"OTEL_EXPORTER_OTLP_ENDPOINT=" + otlp}},
		{key: "pipelined", comm: "gqlplan-piped", label: "pipelining on (`--pipelining`: requests that arrive together share a pipeline)", args: []string{"--pipelining"}},
	}
	if scale != nil {
		out = append(out, scale.variants()...)
	}
	if o.gqlplanBefore != "" {
		label := "the build before (`-gqlplan-before`: " + o.gqlplanBefore + ")"
		if o.gqlplanBeforeArgs != "" {
			label = "the build before (`-gqlplan-before`: " + o.gqlplanBefore + ", serving with `" + o.gqlplanBeforeArgs + "`)"
		}
		out = append(out, variant{key: "before", comm: "gqlplan-before", label: label, binary: o.gqlplanBefore, args: strings.Fields(o.gqlplanBeforeArgs)})
	}
	return slices.DeleteFunc(out, func(v variant) bool { return !o.variants.MatchString(v.key) })
}

// runningVariant is a variant's server, and its admin listener.
type runningVariant struct {
	variant
	srv   *server
	admin string
}

// startVariant starts v's server on the plan, its binary a symlink in dir.
func startVariant(ctx context.Context, o options, v variant, dir, plan, dsn string, secret []byte) (*runningVariant, error) {
	target, err := filepath.Abs(cmp.Or(v.binary, o.gqlplan))
	if err != nil {
		return nil, err
	}
	link := filepath.Join(dir, v.comm)
	if err := os.Symlink(target, link); err != nil {
		return nil, err
	}
	rv := &runningVariant{variant: v}
	args := v.args
	if v.scrape {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		rv.admin = fmt.Sprintf("127.0.0.1:%d", port)
		args = append(slices.Clone(args), "--admin-listen", rv.admin)
	}
	vo := o
	vo.gqlplan, vo.pprofDir = link, ""
	if rv.srv, err = startGqlplan(ctx, vo, plan, cmp.Or(v.dsn, dsn), secret, args, v.env); err != nil {
		return nil, fmt.Errorf("gqlplan, %s: %w", v.key, err)
	}
	return rv, nil
}

// scraping reads the variant's /metrics each second until the returned
// function is called, which fails when a scrape did.
func (rv *runningVariant) scraping(ctx context.Context) (stop func() error) {
	if !rv.scrape {
		return func() error { return nil }
	}
	ctx, cancel := context.WithCancel(ctx)
	failed := make(chan error, 1)
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				failed <- nil
				return
			case <-tick.C:
			}
			resp, err := http.Get("http://" + rv.admin + "/metrics")
			if err == nil {
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("/metrics: %s", resp.Status)
				}
			}
			if err != nil && ctx.Err() == nil {
				failed <- err
				return
			}
		}
	}()
	return func() error { cancel(); return <-failed }
}

// otlpSink is an OTLP/HTTP endpoint that takes every export and keeps
// nothing: the traced variant's spans go somewhere, as they would to a
// collector.
func otlpSink() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
}

// observability writes the report's section on what the variants cost:
// gqlplan's own CPU per request, the median of the rounds, against the
// default server's in the same rounds.
func (r *report) observability(p func(string, ...any)) {
	if len(r.variants) == 0 {
		return
	}
	p("\n## What metrics and tracing cost\n\n")
	p("gqlplan's own CPU per request (µs, the median of the rounds), run the default way — no admin listener, no tracing: neither costs anything then — and as each variant, in the same rounds, each its own process named apart:\n\n")
	for _, v := range r.variants {
		p("- %s: %s.\n", v.key, v.label)
	}
	head, align := "| Workload | default", "|---|---:"
	for _, v := range r.variants {
		head += fmt.Sprintf(" | %s | vs default", v.key)
		align += "|---:|---:"
	}
	p("\n%s |\n%s|\n", head, align)
	for _, row := range r.rows {
		base := medianCPU(row.rounds["gqlplan"], "gqlplan")
		line := fmt.Sprintf("| %s | %.1f", row.workload.name, base)
		for _, v := range r.variants {
			own := medianCPU(row.rounds[v.key], v.comm)
			line += fmt.Sprintf(" | %.1f | %+.1f%%", own, 100*(own-base)/base)
		}
		p("%s |\n", line)
	}
}

// medianCPU is the median over rounds of comm's CPU per request, in µs.
func medianCPU(rounds []result, comm string) float64 {
	var us []float64
	for _, res := range rounds {
		us = append(us, micros(perRequest(res.cpuFrom, res.cpuTo, comm, res.Requests)))
	}
	if len(us) == 0 {
		return 0
	}
	slices.Sort(us)
	return us[(len(us)-1)/2]
}

// String is v as the progress lines name it.
func (v variant) String() string { return "gqlplan, " + strings.SplitN(v.label, " (", 2)[0] }

// pipelining writes the report's section on --pipelining (issue 44): the
// pipelined variant against the default server, each its median round,
// beside what pgbench's one-transaction-per-round-trip pipeline costs
// PostgreSQL at gqlplan's rate, the floor's throughput and v5's p99.
func (r *report) pipelining(p func(string, ...any)) {
	if !slices.ContainsFunc(r.variants, func(v variant) bool { return v.key == "pipelined" }) {
		return
	}
	cpu := func(res result, comm string) float64 {
		if res.Requests == 0 {
			return 0
		}
		return micros(perRequest(res.cpuFrom, res.cpuTo, comm, res.Requests))
	}
	p("\n## Pipelining\n\n")
	p("gqlplan with pipelining off (the default server above) and on (`--pipelining`, `gqlplan-piped`), at %d clients, each its median round; CPU per request in µs by process. \"pgbench at the rate\" is PostgreSQL's CPU per transaction when pgbench sends the same pipeline, one transaction per round trip, held to the default server's rate.\n\n", r.concurrency)
	p("| Workload | req/s off | on | the floor | p50 ms off | on | p99 ms off | on | v5 p99 | on ÷ v5 | gqlplan µs off | on | on ÷ off | its PostgreSQL off | on | pgbench at the rate | on ÷ pgbench |\n")
	p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, row := range r.rows {
		off, on, fl := row.results["gqlplan"], row.results["pipelined"], row.results["floor"]
		v5, rate := row.results["postgraphile5"], row.results["pgbench-rate"]
		v5p99, onV5 := "–", "–"
		if v5.Requests > 0 {
			v5p99, onV5 = ms(v5.P99), fmt.Sprintf("%.1f", float64(on.P99)/float64(v5.P99))
		}
		pgb, onPgb := "–", "–"
		if c := cpu(rate, "postgres"); c > 0 {
			pgb, onPgb = fmt.Sprintf("%.0f", c), fmt.Sprintf("%.2f", cpu(on, "postgres")/c)
		}
		p("| %s | %.0f | %.0f | %.0f | %s | %s | %s | %s | %s | %s | %.0f | %.0f | %.2f | %.0f | %.0f | %s | %s |\n",
			row.workload.name, off.RPS, on.RPS, fl.RPS, ms(off.P50), ms(on.P50), ms(off.P99), ms(on.P99), v5p99, onV5,
			cpu(off, "gqlplan"), cpu(on, "gqlplan-piped"), cpu(on, "gqlplan-piped")/cpu(off, "gqlplan"),
			cpu(off, "postgres"), cpu(on, "postgres"), pgb, onPgb)
	}
}
