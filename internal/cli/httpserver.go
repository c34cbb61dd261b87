package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gqlplan/gqlplan/runtime"
)

// gate serves GraphQL once it has a handler and 503 SERVICE_UNAVAILABLE,
// saying why, until then: the listener opens before the database answers
// (serve --db-wait) or the declarations compile (dev), so that probes and
// clients get an answer rather than a refused connection. Once serving,
// it holds the handler of the newest plan (see planReloader): each
// request runs on the handler it found.
type gate struct {
	handler atomic.Pointer[runtime.Handler]
	why     atomic.Pointer[string]
	// draining: the server is shutting down, and readiness says so while
	// it still serves (serve --shutdown-delay).
	draining atomic.Bool
}

func newGate(why string) *gate {
	g := &gate{}
	g.why.Store(&why)
	return g
}

// set starts serving h.
func (g *gate) set(h *runtime.Handler) { g.handler.Store(h) }

// wait says why nothing is served (while there is no handler yet).
func (g *gate) wait(why string) { g.why.Store(&why) }

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := g.handler.Load(); h != nil {
		h.ServeHTTP(w, r)
		return
	}
	body, _ := json.Marshal(map[string]any{"errors": []any{map[string]any{
		"message": *g.why.Load(), "extensions": map[string]any{"code": runtime.CodeUnavailable},
	}}})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Retry-After", "1")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write(append(body, '\n'))
}

// readiness answers /readyz: the handler's readiness, or 503 without one.
func (g *gate) readiness() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.draining.Load() {
			runtime.NotReady(w, "the server is shutting down")
			return
		}
		if h := g.handler.Load(); h != nil {
			h.Readiness().ServeHTTP(w, r)
			return
		}
		runtime.NotReady(w, *g.why.Load())
	})
}

// httpServer is the listener of serve and dev, with /healthz (liveness:
// the process answers) on the mux given.
type httpServer struct {
	srv    *http.Server
	addr   string
	served chan error
	log    *slog.Logger
	// cancel ends the context every request's derives from: at the
	// shutdown timeout, their database work is canceled.
	cancel context.CancelCauseFunc
	// drain, when set, ends the WebSockets as the server stops (Shutdown
	// does not wait for hijacked connections), within the context's time.
	drain func(context.Context)
}

// listen opens addr and serves mux on it. writeTimeout bounds a whole
// exchange after its headers were read (the GraphQL handler sets its own,
// tighter deadline for the response); 0 leaves it unbounded.
func listen(log *slog.Logger, addr string, mux *http.ServeMux, writeTimeout time.Duration) (*httpServer, error) {
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	base, cancel := context.WithCancelCause(context.Background())
	s := &httpServer{addr: listener.Addr().String(), served: make(chan error, 1), log: log, cancel: cancel}
	s.srv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	go func() { s.served <- s.srv.Serve(listener) }()
	return s, nil
}

// run serves until ctx ends, then stops within shutdown: it stops
// accepting and lets in-flight requests finish; a grace before the
// timeout it cancels what is still running (their statements are canceled
// in PostgreSQL, and they answer 503), then closes what remains.
//
// With a delay, it first serves on for that long with readiness saying
// it is shutting down and connections closed after each response, so
// that a load balancer's health checks take it out while it still
// accepts: closing the listener resets connections the kernel accepted
// that no one will read, whose requests a balancer already sent.
func (s *httpServer) run(ctx context.Context, shutdown, delay time.Duration, g *gate) error {
	select {
	case err := <-s.served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	if delay > 0 && g != nil {
		s.log.Info("shutting down: not ready, serving on for the shutdown delay", "delay", delay)
		g.draining.Store(true)
		s.srv.SetKeepAlivesEnabled(false)
		select {
		case <-time.After(delay):
		case err := <-s.served:
			return fmt.Errorf("serve: %w", err)
		}
	}
	s.log.Info("shutting down", "timeout", shutdown)
	return s.stop(shutdown)
}

// stop shuts the server down within timeout (see run).
func (s *httpServer) stop(timeout time.Duration) error {
	grace := min(timeout/3, 2*time.Second)
	finish, cancel := context.WithTimeout(context.Background(), timeout-grace)
	defer cancel()
	// WebSockets (hijacked: Shutdown does not wait for them) and event
	// streams (which Shutdown waits for) end while Shutdown waits.
	drained := make(chan struct{})
	go func() {
		if s.drain != nil {
			s.drain(finish)
		}
		close(drained)
	}()
	err := s.srv.Shutdown(finish)
	<-drained
	if errors.Is(err, context.DeadlineExceeded) {
		s.log.Warn("requests still running at the shutdown timeout: canceling them")
		s.cancel(runtime.ErrShuttingDown)
		last, cancel := context.WithTimeout(context.Background(), grace)
		defer cancel()
		if err := s.srv.Shutdown(last); err != nil {
			s.srv.Close()
		}
	}
	s.cancel(runtime.ErrShuttingDown)
	if err := <-s.served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	s.log.Info("stopped")
	return nil
}
