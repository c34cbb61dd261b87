package runtime

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gqlplan/gqlplan/runtime/internal/pgexec"
	"github.com/gqlplan/gqlplan/runtime/internal/readset"
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
// token of the primary's log position after its commit and of the tables
// it wrote (package readset). A request that sends it back (either way)
// and reads one of those tables reads from a replica that has replayed
// that position — waiting up to Config.ReplicaWait for one — or else from
// the primary; a request that reads none of them goes to any replica. A
// token carries the tables of the token it replaced too, at the newer
// position. A WebSocket keeps the newest position and the tables of its
// own operations and of its upgrade request, so its reads see its
// writes.

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

// replicas is a server's replicas, how read-your-writes tokens are
// signed, and what the sources read (nil until first read).
type replicas struct {
	set     *replica.Set
	tokens  *replica.Signer
	primary *pgxpool.Pool
	scoped  bool // not Config.ReadYourWritesAllTables
	catalog atomic.Pointer[readset.Catalog]
}

// catalogRefresh is how often what each source reads is read again: a
// migration that makes a view read another table is seen within it.
const catalogRefresh = 10 * time.Second

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
	return &replicas{set: set, tokens: replica.NewSigner(key), primary: cfg.Pool, scoped: !cfg.ReadYourWritesAllTables}
}

// readCatalog reads what each source reads, from the primary; on failure
// the last one read stays (or none: every token then constrains every
// read). Tokens of every table need none.
func (h *Handler) readCatalog(ctx context.Context) {
	if !h.replicas.scoped {
		return
	}
	cat, err := readset.Load(ctx, h.replicas.primary)
	if err != nil {
		if ctx.Err() == nil {
			h.log.Warn("read-your-writes: could not read what the sources read; tokens keep constraining every read", "error", err.Error())
		}
		return
	}
	h.replicas.catalog.Store(cat)
}

// WatchReplicas probes the read replicas until ctx ends; until it runs,
// none is used and every request goes to the primary.
func (h *Handler) WatchReplicas(ctx context.Context) {
	if h.replicas == nil {
		return
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for tick := time.NewTicker(catalogRefresh); ; {
			h.readCatalog(ctx)
			select {
			case <-ctx.Done():
				tick.Stop()
				return
			case <-tick.C:
			}
		}
	}()
	h.replicas.set.Watch(ctx, func(_ context.Context, r *replica.Replica) error {
		r.Exec.Store(h.exec.OnReplica(r.Pool))
		return nil
	})
	wg.Wait()
}

// readAfter is what a request's reads must see: the log position of
// the token it came with and of the writes it (or its WebSocket) made,
// and the tables they wrote.
type readAfter struct {
	mu     sync.Mutex
	lsn    replica.LSN
	tables readset.Tables
	wrote  bool // a mutation moved it: the response carries a token
}

type readAfterKey struct{}

func withReadAfter(ctx context.Context, r *readAfter) context.Context {
	return context.WithValue(ctx, readAfterKey{}, r)
}

func readAfterOf(ctx context.Context) *readAfter {
	r, _ := ctx.Value(readAfterKey{}).(*readAfter)
	return r
}

// raise adds the writes of tables up to lsn.
func (r *readAfter) raise(lsn replica.LSN, tables readset.Tables) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lsn = max(r.lsn, lsn)
	r.tables = r.tables.Union(tables)
}

// position is the log position a read must see: that of the writes, when
// it may read a table they wrote (reads, asked only then), else 0.
func (r *readAfter) position(reads func() readset.Tables) replica.LSN {
	r.mu.Lock()
	lsn, tables := r.lsn, r.tables
	r.mu.Unlock()
	if lsn == 0 || !tables.Intersects(reads()) {
		return 0
	}
	return lsn
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
	if lsn, scope, ok := h.replicas.tokens.Read(token); ok {
		if tables, ok := readset.Parse(scope); ok {
			r.raise(lsn, tables)
		}
	}
	return r
}

// setReadAfter gives a response whose request wrote the token of the
// position its reads must see.
func (h *Handler) setReadAfter(w http.ResponseWriter, req *http.Request, r *readAfter) {
	r.mu.Lock()
	wrote, lsn, tables := r.wrote, r.lsn, r.tables
	r.mu.Unlock()
	if !wrote {
		return
	}
	token := h.replicas.tokens.Token(lsn, tables.String())
	w.Header().Set(ReadAfterHeader, token)
	http.SetCookie(w, &http.Cookie{Name: ReadAfterCookie, Value: token, Path: "/", MaxAge: int(readAfterCookieAge.Seconds()),
		HttpOnly: true, Secure: req.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// noteWrite records, after a mutation, the primary's position and the
// tables it wrote — all of them unless its transaction listed them before
// its commit (a mutation of Go resolvers, or one that failed before, may
// have written any) — for the request's later reads.
func (h *Handler) noteWrite(ctx context.Context, writes *pgexec.Writes) {
	r := readAfterOf(ctx)
	if r == nil {
		return
	}
	lsn, err := h.replicas.set.Position(context.WithoutCancel(ctx))
	if err != nil {
		h.log.Warn("read-your-writes: the mutation's log position is unknown; its token is not updated", "error", err.Error())
		return
	}
	tables := readset.All()
	if cat := h.replicas.catalog.Load(); writes.Known && cat != nil {
		tables = cat.Written(writes.Tables)
	} else if writes.Known {
		tables = readset.Of(writes.Tables...) // indexes too: more to carry, nothing less
	}
	r.raise(lsn, tables)
	r.mu.Lock()
	r.wrote = true
	r.mu.Unlock()
}

// readsOf is what stmts may read.
func (h *Handler) readsOf(stmts []sqlgen.Statement) readset.Tables {
	cat := h.replicas.catalog.Load()
	if cat == nil {
		return readset.All()
	}
	var t readset.Tables
	for i := range stmts {
		t = t.Union(cat.Reads(stmts[i].Reads))
	}
	return t
}

// runRead runs a query's statements, or a subscription's read, on a
// replica that may serve it, or on the primary. A subscription's read
// must see the commit that woke it, and never an older state than its
// last read: it is served at a primary position read after it was woken
// (see readStartOf) — after the commit, and after its last read ended —
// by a replica that has replayed it, or else by the primary. A replica
// found unavailable is taken out and the read runs on the primary; one
// found at capacity (no connection free within the pool timeout) too, but
// it stays in use: busy is not down, and taking it out would send all of
// its reads to the primary at once.
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
		after = r.position(func() readset.Tables { return h.readsOf(stmts) })
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
		if !pgexec.AtCapacity(fatal) { // busy is not down: it stays in use
			h.replicas.set.TakeOut(r, "a query found it unavailable")
		}
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
