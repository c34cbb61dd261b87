package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// serveAdmin starts the admin listener — /live (the process answers),
// /ready (as /readyz on the API's listener) and /metrics (Prometheus'
// text format) — apart from the API, so that probes and scrapes need no
// route through it. It answers while the database is awaited; the
// handler's metrics join the registry it returns once there is one.
func serveAdmin(ctx context.Context, log *slog.Logger, addr string, api *gate) (*prometheus.Registry, error) {
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("admin listen: %w", err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.HandleFunc("/live", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("/ready", api.readiness())
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	log.Info("admin listening", "addr", listener.Addr().String())
	go func() { _ = srv.Serve(listener) }()
	context.AfterFunc(ctx, func() { srv.Close() })
	return reg, nil
}
