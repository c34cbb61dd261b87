package runtime

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/gqlplan/gqlplan/runtime/internal/pgexec"
)

// ErrShuttingDown is the cause to cancel the requests' base context with
// (context.WithCancelCause) when a server stops before they finish: their
// statements are canceled in PostgreSQL, and they answer 503
// SERVICE_UNAVAILABLE.
var ErrShuttingDown = pgexec.ErrShuttingDown

// readyFor is how long a readiness answer is reused: probes are cheap to
// send and anyone may send them, so they must not each cost the database
// a round trip.
const readyFor = time.Second

// readiness is the last readiness check and when it ran.
type readiness struct {
	mu  sync.Mutex
	at  time.Time
	err error
}

// Not-ready reasons: what a probe's answer says; the log has the details.
var (
	errDatabaseSilent = errors.New("the database does not answer")
	errPlanStale      = errors.New("the database does not match the plan")
)

// Ready reports whether the handler can serve: a connection of the pool
// answers, and the database still matches the catalog facts the plan was
// compiled against (unless Config.SkipCatalogCheck). A database restored
// from an older dump, or migrated under a running server, makes it not
// ready until the plan is recompiled.
func (h *Handler) Ready(ctx context.Context) error {
	r := &h.ready
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.at.IsZero() && time.Since(r.at) < readyFor {
		return r.err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	r.err = nil
	if err := h.cfg.Pool.Ping(ctx); err != nil {
		h.log.Warn("not ready: the database does not answer", "error", err.Error())
		r.err = errDatabaseSilent
	} else if err := VerifyCatalog(ctx, h.cfg.Pool, h.cfg.Plan); err != nil && !h.cfg.SkipCatalogCheck {
		h.log.Warn("not ready: the database does not match the plan", "error", err.Error())
		r.err = errPlanStale
		var stale *StalePlanError
		if !errors.As(err, &stale) {
			r.err = errDatabaseSilent
		}
	}
	r.at = time.Now()
	return r.err
}

// Readiness answers readiness probes (/readyz): 200 when [Handler.Ready],
// 503 with the reason otherwise.
func (h *Handler) Readiness() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if err := h.Ready(req.Context()); err != nil {
			NotReady(w, err.Error())
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ready\n" + h.replicaReadiness()))
	})
}

// NotReady answers a readiness probe with 503 and why.
func NotReady(w http.ResponseWriter, why string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Retry-After", "1")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte("not ready: " + why + "\n"))
}
