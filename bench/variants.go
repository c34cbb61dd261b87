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
}

// variants are those measured: metrics on, tracing on, and the build
// before when given.
func variants(o options, otlp string) []variant {
	out := []variant{
		{key: "metrics", comm: "gqlplan-metrics", label: "metrics on (`--admin-listen`, `/metrics` scraped each second)", scrape: true},
		{key: "tracing", comm: "gqlplan-traced", label: "tracing on (every request sampled, spans exported over OTLP/HTTP to a sink)",
			env: []string{"OTEL_EXPORTER_OTLP_ENDPOINT=" + otlp}},
	}
	if o.gqlplanBefore != "" {
		out = append(out, variant{key: "before", comm: "gqlplan-before", label: "the build before (`-gqlplan-before`: " + o.gqlplanBefore + ")", binary: o.gqlplanBefore})
	}
	return out
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
	if rv.srv, err = startGqlplan(ctx, vo, plan, dsn, secret, args, v.env); err != nil {
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
