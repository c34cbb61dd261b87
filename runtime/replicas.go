package runtime

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gqlplan/gqlplan/runtime/internal/pgexec"
	"github.com/gqlplan/gqlplan/runtime/internal/replica"
	"github.com/gqlplan/gqlplan/runtime/internal/sqlgen"
)

// With read replicas (Config.Replicas), a query whose fields all read
// SQL, and a subscription's read, goes to a replica (package replica says
// which are in use); a mutation and a request that runs Go resolvers go
// to the primary. A subscription is read again when the primary notifies
// a commit, which a replica may not have replayed yet: see runRead. A
// replica that fails under a read is taken out, and the read runs on the
// primary: it changed nothing, and nothing of it reached the client.
//
// Read-your-writes: a mutation's response carries, in the
// GQLPlan-Read-After header and the gqlplan_read_after cookie, a signed
// token of the primary's log position after its commit. A request that
// sends it back (either way) reads from a replica that has replayed that
// position — waiting up to Config.ReplicaWait for one — or else from the
// primary. A WebSocket keeps the newest position of its own operations
// and of its upgrade request, so its reads see its writes.

// ReplicaPool is a pool of a streaming replica of Config.Pool's database,
// and its name in logs, /readyz and the metrics (never its password).
type ReplicaPool struct {
	Name string
	Pool *pgxpool.Pool
}

// ReadAfterHeader and ReadAfterCookie carry read-your-writes tokens.
const (
	ReadAfterHeader = "GQLPlan-Read-After"
	ReadAfterCookie = "gqlplan_read_after"
)

// readAfterCookieAge is how long a browser keeps the cookie: far longer
// than a replica lags while in use, after which the token constrains
// nothing.
const readAfterCookieAge = 5 * time.Minute

// replicas is a server's replicas and how read-your-writes tokens are
// signed.
type replicas struct {
	set    *replica.Set
	tokens *replica.Signer
}

// newReplicas is the replicas of cfg (nil without any).
func newReplicas(cfg Config) *replicas {
	if len(cfg.Replicas) == 0 {
		return nil
	}
	key := cfg.ReadYourWritesKey
	if key == nil {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	var list []*replica.Replica
	for _, r := range cfg.Replicas {
		list = append(list, &replica.Replica{Name: r.Name, Pool: r.Pool})
	}
	set := replica.New(cfg.Pool, list, replica.Options{MaxLag: cfg.ReplicaMaxLag, Wait: cfg.ReplicaWait, ProbeInterval: cfg.ReplicaProbeInterval, Log: cfg.Logger})
	return &replicas{set: set, tokens: replica.NewSigner(key)}
}

// WatchReplicas probes the read replicas until ctx ends; until it runs,
// none is used and every request goes to the primary.
func (h *Handler) WatchReplicas(ctx context.Context) {
	if h.replicas == nil {
		return
	}
	h.replicas.set.Watch(ctx, func(_ context.Context, r *replica.Replica) error {
		r.Exec.Store(h.exec.OnReplica(r.Pool))
		return nil
	})
}

// readAfter is the log position a request's reads must see: the newest
// of the token it came with and the writes it (or its WebSocket) made.
type readAfter struct {
	lsn   atomic.Uint64
	wrote atomic.Bool // a mutation moved it: the response carries a token
}

type readAfterKey struct{}

func withReadAfter(ctx context.Context, r *readAfter) context.Context {
	return context.WithValue(ctx, readAfterKey{}, r)
}

func readAfterOf(ctx context.Context) *readAfter {
	r, _ := ctx.Value(readAfterKey{}).(*readAfter)
	return r
}

// raise moves r to lsn, if that is newer.
func (r *readAfter) raise(lsn replica.LSN) {
	for {
		old := r.lsn.Load()
		if uint64(lsn) <= old || r.lsn.CompareAndSwap(old, uint64(lsn)) {
			return
		}
	}
}

// readAfterRequest is the position req's token names (its header, else
// its cookie); a token this server did not sign is ignored.
func (h *Handler) readAfterRequest(req *http.Request) *readAfter {
	r := &readAfter{}
	token := req.Header.Get(ReadAfterHeader)
	if token == "" {
		if c, err := req.Cookie(ReadAfterCookie); err == nil {
			token = c.Value
		}
	}
	if lsn, ok := h.replicas.tokens.Position(token); ok {
		r.raise(lsn)
	}
	return r
}

// setReadAfter gives a response whose request wrote the token of the
// position its reads must see.
func (h *Handler) setReadAfter(w http.ResponseWriter, req *http.Request, r *readAfter) {
	if !r.wrote.Load() {
		return
	}
	token := h.replicas.tokens.Token(replica.LSN(r.lsn.Load()))
	w.Header().Set(ReadAfterHeader, token)
	http.SetCookie(w, &http.Cookie{Name: ReadAfterCookie, Value: token, Path: "/", MaxAge: int(readAfterCookieAge.Seconds()),
		HttpOnly: true, Secure: req.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// noteWrite records, after a mutation, the primary's position for the
// request's later reads.
func (h *Handler) noteWrite(ctx context.Context) {
	r := readAfterOf(ctx)
	if r == nil {
		return
	}
	lsn, err := h.replicas.set.Position(context.WithoutCancel(ctx))
	if err != nil {
		h.log.Warn("read-your-writes: the mutation's log position is unknown; its token is not updated", "error", err.Error())
		return
	}
	r.raise(lsn)
	r.wrote.Store(true)
}

// runRead runs a query's statements, or a subscription's read, on a
// replica that may serve it, or on the primary. A subscription's read
// must see the commit that woke it, and never an older state than its
// last read: it is served at a primary position read after it was woken
// (see readStartOf) — after the commit, and after its last read ended —
// by a replica that has replayed it, or else by the primary.
func (h *Handler) runRead(ctx context.Context, subscription bool, sess pgexec.Session, stmts []sqlgen.Statement, arena *[]byte) ([]pgexec.Result, *Error) {
	run := func(x *pgexec.Executor) ([]pgexec.Result, *Error) {
		if subscription { // reads that come together: a change wakes many groups
			return x.RunShared(ctx, sess, stmts, arena)
		}
		return x.Run(ctx, false, sess, stmts, arena)
	}
	if h.replicas == nil || len(stmts) == 0 {
		return run(h.exec)
	}
	var after replica.LSN
	if r := readAfterOf(ctx); r != nil {
		after = replica.LSN(r.lsn.Load())
	}
	if subscription {
		lsn, err := h.replicas.set.PositionSince(ctx, readStartOf(ctx))
		if err != nil {
			h.replicas.set.Served(nil)
			return run(h.exec)
		}
		after = max(after, lsn)
	}
	if r := h.replicas.set.Pick(ctx, after); r != nil {
		mark := len(*arena)
		results, fatal := run(r.Exec.Load())
		if fatal == nil || fatal.Code != CodeUnavailable || ctx.Err() != nil {
			h.replicas.set.Served(r)
			return results, fatal
		}
		h.replicas.set.TakeOut(r, "a query found it unavailable")
		*arena = (*arena)[:mark]
	}
	h.replicas.set.Served(nil)
	return run(h.exec)
}

type readStartKey struct{}

// withReadStart marks ctx's read as begun at start: when its subscription
// was woken.
func withReadStart(ctx context.Context, start time.Time) context.Context {
	return context.WithValue(ctx, readStartKey{}, start)
}

// readStartOf is when ctx's read began: when it was woken, else now.
func readStartOf(ctx context.Context) time.Time {
	if t, ok := ctx.Value(readStartKey{}).(time.Time); ok {
		return t
	}
	return time.Now()
}

// replicaReadiness is what /readyz says of the replicas, a line each:
// they do not decide readiness — the primary serves what they cannot.
func (h *Handler) replicaReadiness() string {
	if h.replicas == nil {
		return ""
	}
	var b strings.Builder
	replicas, _ := h.replicas.set.Status()
	for _, r := range replicas {
		if r.InUse {
			fmt.Fprintf(&b, "replica %s: in use, lag %s\n", r.Name, r.Lag.Round(time.Millisecond))
		} else {
			fmt.Fprintf(&b, "replica %s: not in use: %s\n", r.Name, r.Reason)
		}
	}
	return b.String()
}
