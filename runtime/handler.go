package runtime

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/trace"

	"github.com/gqlplan/gqlplan/auth"
	"github.com/gqlplan/gqlplan/extend"
	"github.com/gqlplan/gqlplan/runtime/internal/deadline"
	"github.com/gqlplan/gqlplan/runtime/internal/document"
	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/pgexec"
	"github.com/gqlplan/gqlplan/runtime/internal/ratelog"
	"github.com/gqlplan/gqlplan/runtime/internal/schema"
	"github.com/gqlplan/gqlplan/runtime/internal/transport"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
	"github.com/gqlplan/gqlplan/spec"
)

// Config is what a [Handler] serves and how.
type Config struct {
	Plan *spec.Plan
	// Pool connects as the authenticator role; every request switches to
	// its own role inside its transaction. Make it with [Connect], or set
	// its DefaultQueryExecMode to [QueryExecMode].
	Pool *pgxpool.Pool
	// Verifier verifies bearer tokens and names the role of a request;
	// nil accepts no tokens and keeps the pool's own role.
	Verifier *auth.Verifier
	// Signer signs the results of operations declared as tokens; a plan
	// with such operations needs one.
	Signer *auth.Signer
	// NoIntrospection refuses __schema and __type (INTROSPECTION_DISABLED)
	// and leaves "Did you mean …?" out of validation errors.
	NoIntrospection bool
	// CORSOrigins are the origins browsers may call from ("*": any);
	// empty: no CORS headers, cross-origin calls fail in the browser.
	CORSOrigins []string
	// Dev shows database error details in responses.
	Dev bool
	// SkipCatalogCheck: readiness does not require the database to match
	// the plan's catalog facts (the server was started despite them).
	SkipCatalogCheck bool
	Limits           Limits
	// Resolvers are the Go resolvers the plan's operations and fields
	// name (see package extend); NewHandler refuses a plan naming one
	// that is not here.
	Resolvers extend.Resolvers
	// Logger gets a line per request (see LogRequests) and the database
	// failures; warnings and errors are rate-limited per message (see
	// package ratelog). No line holds a value, a token or SQL.
	Logger      *slog.Logger
	LogRequests RequestLog
	// TrustedDocuments is off (the default), allow or only: see
	// trusted.go. AllowIntrospection serves introspection under only.
	TrustedDocuments   string
	AllowIntrospection bool
	// TracerProvider, when set, traces each request (see tracing.go):
	// OpenTelemetry spans of the request, its statements and its
	// resolvers. Nil: no spans, and no cost.
	TracerProvider trace.TracerProvider
	// Pipelining sends the queries that arrive together as one pipeline
	// on one connection, each still its own transaction, at most
	// PipelineDepth of them (0: pgexec's default); see pgexec's shared.go.
	Pipelining          bool
	PipelineDepth       int
	PipelineConnections int // the most pipelines in flight at once (0: pgexec's default)
	// Replicas are streaming replicas of Pool's database that serve
	// queries (see replicas.go); Handler.WatchReplicas must run for them
	// to be used. ReplicaMaxLag (0: 5 s) is the most one may lag and
	// serve; ReplicaWait how long a read that must see a write waits for
	// one that replayed it before going to the primary;
	// ReplicaProbeInterval (0: 1 s) how often each is probed.
	// ReadYourWritesKey signs read-your-writes tokens, at least 32 bytes;
	// nil: a random key of this process, so that only it accepts them.
	// ReadYourWritesAllTables: a token constrains every read, and a
	// mutation does not list the tables it wrote (see replicas.go).
	Replicas                []ReplicaPool
	ReplicaMaxLag           time.Duration
	ReplicaWait             time.Duration
	ReplicaProbeInterval    time.Duration
	ReadYourWritesKey       []byte
	ReadYourWritesAllTables bool
	// StatementCache is how statements are prepared: "prepare" (the
	// default: by name, once per connection and role) or "none" (each
	// the unnamed statement of its request's pipeline: no state on a
	// connection between transactions, for PgBouncer in transaction
	// mode; see pgexec.Options.Unnamed). "describe" runs as "none" (see
	// StatementCacheDescribe).
	StatementCache string
	// NoCancelRequests: no cancel request is sent for a pipelined request
	// that ends (see WithoutCancelRequests, which Pool must have been
	// made with too).
	NoCancelRequests bool
	// Listen is how the listener connects (nil: as Pool does): a direct
	// connection to the server when Pool goes through a pooler in
	// transaction mode, where LISTEN does not work.
	Listen *pgx.ConnConfig
	// ServerTiming adds a Server-Timing header to each HTTP response: the
	// time spent reading the request and its document (parse), choosing
	// and composing its statements (plan) and in the database (db).
	ServerTiming bool
}

// Config.StatementCache's values.
const (
	StatementCachePrepare = "prepare"
	StatementCacheNone    = "none"
	// StatementCacheDescribe is pgx's name for its pooler-safe modes,
	// which send each statement unnamed after a Describe has told pgx
	// its parameters' types. A statement of gqlplan states them in its
	// casts, so it is sent unnamed with no Describe: as with "none". (A
	// Describe before the request's transaction would also run as the
	// login role, which need not see the schema.)
	StatementCacheDescribe = "describe"
)

// RequestLog is which requests get a log line.
type RequestLog string

const (
	LogAllRequests    RequestLog = "all" // the default
	LogFailedRequests RequestLog = "errors"
	LogNoRequests     RequestLog = "none"
)

// Handler serves a plan as GraphQL over HTTP. What depends on the plan —
// its index, its documents and composed statements, its readiness — is
// the Handler's own; what outlives a plan — the pool, the token
// verifier, WebSockets, subscriptions' groups, metrics — is shared with
// the handlers of the plans it is reloaded with (see [Handler.Reload]).
type Handler struct {
	*core
	cfg      Config
	index    *schema.Schema
	docs     *document.Documents
	composed *composedCache
	ready    readiness
	// trusted are the plan's trusted documents, by id.
	trusted map[string]*trustedDocument
}

// core is what the handlers of one server share, whichever plan each
// serves.
type core struct {
	auth *auth.Verifier
	exec *pgexec.Executor
	// replicas serve queries, with Config.Replicas; nil without.
	replicas *replicas
	log      *slog.Logger
	// loginRole is the pool's role, which requests without a role of
	// their own run as.
	loginRole string
	sockets   sync.Map     // the open WebSockets: *socket → struct{}
	streaming atomic.Int64 // WebSockets and event streams open (see Limits.MaxConnections)
	live      liveGroups
	// away is closed when the server goes away: event streams complete.
	away     chan struct{}
	metrics  requestMetrics
	awayOnce sync.Once
	tracing  *tracing // nil: not traced
	// metricsOn: a registry collects the metrics (Collector was called);
	// until then requests do not update the histograms and counters.
	metricsOn atomic.Bool
	// current is the handler of the newest plan: a WebSocket's next
	// operation runs on it. reloading serializes reloads.
	current   atomic.Pointer[Handler]
	reloading sync.Mutex
}

// NewHandler indexes cfg.Plan, loads its GraphQL schema for validation
// and builds its introspection answer, so the first request costs no
// more than the next; it reads the parameters a role may set from the
// database once.
func NewHandler(ctx context.Context, cfg Config) (*Handler, error) {
	if cfg.Plan == nil || cfg.Pool == nil {
		return nil, errors.New("runtime: a plan and a pool are required")
	}
	if mode := cfg.Pool.Config().ConnConfig.DefaultQueryExecMode; mode != QueryExecMode {
		return nil, fmt.Errorf("runtime: the pool's DefaultQueryExecMode is %v; it must be runtime.QueryExecMode (%v), see Connect", mode, QueryExecMode)
	}
	cfg.Limits = cfg.Limits.withDefaults()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Logger = slog.New(ratelog.New(cfg.Logger.Handler()))
	switch cfg.LogRequests {
	case "":
		cfg.LogRequests = LogAllRequests
	case LogAllRequests, LogFailedRequests, LogNoRequests:
	default:
		return nil, fmt.Errorf("runtime: LogRequests is %q; it must be all, errors or none", cfg.LogRequests)
	}
	switch cfg.StatementCache {
	case "", StatementCachePrepare, StatementCacheNone, StatementCacheDescribe:
	default:
		return nil, fmt.Errorf("runtime: StatementCache is %q; it must be %s, %s or %s", cfg.StatementCache, StatementCachePrepare, StatementCacheDescribe, StatementCacheNone)
	}
	if err := checkTrustedConfig(cfg); err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	var err error
	if cfg.Verifier == nil {
		if cfg.Verifier, err = auth.NewVerifier(ctx, auth.Config{}); err != nil {
			return nil, fmt.Errorf("runtime: %w", err)
		}
	}
	c := &core{auth: cfg.Verifier, log: cfg.Logger, away: make(chan struct{}), metrics: newRequestMetrics(), tracing: newTracing(cfg.TracerProvider, cfg)}
	if len(cfg.ReadYourWritesKey) > 0 && len(cfg.ReadYourWritesKey) < 32 {
		return nil, errors.New("runtime: the read-your-writes key must be at least 32 bytes")
	}
	c.replicas = newReplicas(cfg)
	h, err := newPlanHandler(c, cfg)
	if err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	if c.exec, err = pgexec.New(ctx, cfg.Pool, pgexec.Options{Log: cfg.Logger, Dev: cfg.Dev,
		MaxResponseBytes: cfg.Limits.MaxResponseBytes, PoolTimeout: cfg.Limits.PoolTimeout, StatementTimeout: cfg.Limits.StatementTimeout,
		Pipelining: cfg.Pipelining, PipelineDepth: cfg.PipelineDepth, PipelineConnections: cfg.PipelineConnections,
		Unnamed: cfg.StatementCache == StatementCacheNone || cfg.StatementCache == StatementCacheDescribe, Listen: cfg.Listen, NoCancelRequests: cfg.NoCancelRequests,
		Writes: len(cfg.Replicas) > 0 && !cfg.ReadYourWritesAllTables}); err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	if err := cfg.Pool.QueryRow(ctx, "SELECT current_user::text").Scan(&c.loginRole); err != nil {
		return nil, fmt.Errorf("runtime: read the login role: %w", err)
	}
	c.current.Store(h)
	return h, nil
}

// newPlanHandler is the handler of cfg.Plan on c: its index, documents
// and an empty cache of composed statements, once the plan is known to
// name nothing this server lacks.
func newPlanHandler(c *core, cfg Config) (*Handler, error) {
	index, err := schema.New(cfg.Plan)
	if err != nil {
		return nil, err
	}
	docs, err := document.New(cfg.Plan, index, cfg.Limits.document(), cfg.NoIntrospection)
	if err != nil {
		return nil, err
	}
	if missing := MissingResolvers(cfg.Plan, cfg.Resolvers); len(missing) > 0 {
		return nil, fmt.Errorf("the plan names resolvers this server does not have: %s; serve it with a server built with package extend that registers them (see the README, \"Extending the API in Go\")", strings.Join(missing, ", "))
	}
	if names := tokenOperations(cfg.Plan); len(names) > 0 && cfg.Signer == nil {
		return nil, fmt.Errorf("the operations that sign tokens (%s) need a signing key: a JWT secret or private key", strings.Join(names, ", "))
	}
	h := &Handler{core: c, cfg: cfg, index: index, docs: docs, composed: newComposedCache(cfg.Limits.DocumentCache), trusted: trustedIndex(cfg.Plan)}
	h.warmTrusted()
	return h, nil
}

// outcome is a request's response and what its log line says.
type outcome struct {
	*transport.Response
	operation string
	live      bool         // a subscription's result: it is read again
	watch     watching     // a subscription's: when it is read again, who shares its reads
	batch     *streamBatch // a stream's: where its next batch starts
	kind      string       // the operation's kind, for the metrics ("" before it is known)
	timing    *phases      // with Config.ServerTiming: when each phase ended
	fields    []*rootField // for the metrics: each one's label and error
	arena     *[]byte      // the fields' results, borrowed from the buffer pool
	logged    bool         // a batch's: each of its requests had its line
	document  string       // the GraphQL document, for a trace
	trust     string       // with trusted documents on: "yes" or "no" (see trustLabel)
}

// ServeHTTP answers one GraphQL-over-HTTP request, within the request
// timeout; the client then has the write timeout to read the answer.
func (h *Handler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if socket, events := isWebSocket(req), isEventStream(req); socket || events {
		if h.streaming.Add(1) > int64(h.cfg.Limits.MaxConnections) {
			h.streaming.Add(-1)
			tooManyConnections(w, h.cfg.Limits.MaxConnections)
			return
		}
		if socket && h.serveSocket(w, req) {
			return // the socket gives its place back when it ends
		}
		if events {
			h.serveEvents(w, req)
		}
		h.streaming.Add(-1)
		return
	}
	start := time.Now()
	id := newRequestID()
	ctx := wire.WithRequestID(req.Context(), id)
	if t := h.cfg.Limits.RequestTimeout; t > 0 {
		var cancel context.CancelFunc
		ctx, cancel = deadline.WithTimeoutCause(ctx, t, pgexec.RequestTimeout{After: t})
		defer cancel()
	}
	w.Header().Set("X-Request-Id", id)
	if h.cors(w, req) {
		return
	}
	var readAfter *readAfter
	if h.replicas != nil {
		readAfter = h.readAfterRequest(req)
		ctx = withReadAfter(ctx, readAfter)
	}
	var span trace.Span
	if h.tracing != nil {
		ctx, span = h.tracing.startRequest(ctx, req)
	}
	out := h.serve(ctx, req)
	if out.timing != nil {
		w.Header().Set("Server-Timing", out.timing.header())
	}
	if readAfter != nil {
		h.setReadAfter(w, req, readAfter)
	}
	// A client that does not read is cut off, and its buffers freed,
	// after the write timeout (ErrNotSupported: a recorder, not a socket).
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(h.cfg.Limits.WriteTimeout))
	writeErr := out.Write(w)
	transport.ReturnBuffer(out.arena)
	if !out.logged {
		h.logRequest(ctx, req.Method, out, writeErr, time.Since(start))
	}
	if span != nil {
		endRequest(span, out)
	}
}

// logRequest writes the request's line: a warning when the server failed
// it (5xx) or could not deliver it, so that a flood of them is
// rate-limited; a line of info otherwise.
func (h *Handler) logRequest(ctx context.Context, method string, out outcome, writeErr error, took time.Duration) {
	if h.metricsOn.Load() {
		h.metrics.observe(out, took)
	}
	failed := out.Status >= 500 || writeErr != nil
	switch {
	case h.cfg.LogRequests == LogNoRequests:
		return
	case h.cfg.LogRequests == LogFailedRequests && !failed && len(out.Errors) == 0 && out.Status < 400:
		return
	}
	level := slog.LevelInfo
	if failed {
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("request_id", wire.RequestID(ctx)),
		slog.String("method", method),
		slog.String("operation", out.operation),
		slog.Int("status", out.Status),
		slog.Int("errors", len(out.Errors)),
		slog.Float64("duration_ms", float64(took.Microseconds())/1000), // slog's JSON gives a Duration in nanoseconds
	}
	if len(out.Errors) > 0 {
		attrs = append(attrs, slog.String("code", out.Errors[0].Code))
	}
	if out.trust != "" {
		attrs = append(attrs, slog.String("trusted", out.trust))
	}
	if h.tracing != nil {
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			attrs = append(attrs, slog.String("trace_id", sc.TraceID().String()))
		}
	}
	if writeErr != nil {
		attrs = append(attrs, slog.String("write_error", writeErr.Error()))
	}
	// The record is made here, without the caller's program counter that
	// Logger.LogAttrs takes (runtime.Callers, 1% of a request's CPU): no
	// handler of the server reports the source of a request's line.
	if !h.log.Enabled(ctx, level) {
		return
	}
	r := slog.NewRecord(time.Now(), level, "request", 0)
	r.AddAttrs(attrs...)
	_ = h.log.Handler().Handle(ctx, r)
}

// serve runs the request's phases: transport, identity, document, then per
// root field authorization and composition (or introspection), execution,
// token signing, and the response.
func (h *Handler) serve(ctx context.Context, req *http.Request) outcome {
	var start time.Time
	if h.cfg.ServerTiming {
		start = time.Now()
	}
	params, batch, refused := transport.Read(req, h.cfg.Limits.MaxBodyBytes, h.cfg.Limits.MaxBatch)
	if refused != nil {
		return outcome{Response: refused}
	}
	who, denied := h.auth.Verify(ctx, req.Header.Get("Authorization"))
	switch {
	case denied != nil && batch != nil:
		return outcome{Response: transport.AuthFailure(batch.Media(), denied)}
	case denied != nil:
		return outcome{operation: params.OperationName, Response: transport.AuthFailure(params.Media, denied)}
	case batch != nil:
		return h.answerBatch(ctx, req.Method, batch, who)
	}
	out := h.answer(ctx, params, who, nil)
	if out.timing != nil {
		out.timing.start = start
	}
	return out
}

// answer runs a GraphQL request of who, read from HTTP or a socket: its
// document, then per root field authorization and composition (or
// introspection), execution, token signing, and the response.
// A request of a batch spends its cost from the batch's budget.
func (h *Handler) answer(ctx context.Context, params *transport.Request, who auth.Identity, budget *costBudget) outcome {
	out := outcome{operation: params.OperationName}
	refused := h.resolveDocument(params)
	out.trust = h.trustLabel(params)
	if refused != nil {
		out.Response = refused
		return out
	}
	out.document = params.Query
	if h.cfg.ServerTiming {
		out.timing = &phases{}
		defer out.timing.markDone()
	}
	var r *document.Request
	var errs []*Error
	if params.Digest != nil { // a trusted document's, hashed once
		r, errs = h.docs.ReadDigested(params.Query, *params.Digest, params.OperationName, params.Variables)
	} else {
		r, errs = h.docs.Read(params.Query, params.OperationName, params.Variables)
	}
	out.timing.markParsed()
	if r != nil && r.Name != "" {
		out.operation = r.Name
	}
	if r != nil && r.Kind == operation.Mutation && params.Method == http.MethodGet {
		out.Response = transport.RequestErrors(params.Media, &Error{Message: "Mutations are only accepted with POST.", Code: CodeBadRequest})
		out.Status = http.StatusMethodNotAllowed
		out.Header = http.Header{"Allow": {http.MethodPost}}
		return out
	}
	if errs != nil {
		out.Response = transport.RequestErrors(params.Media, errs...)
		return out
	}
	if r.Kind == operation.Subscription && !params.Streamed {
		out.Response = transport.RequestErrors(params.Media, &Error{Message: "Subscriptions are served over WebSocket (the graphql-transport-ws protocol) or as an event stream (Accept: text/event-stream) at this URL.", Code: CodeBadRequest})
		return out
	}
	out.live = r.Kind == operation.Subscription
	op, fields, e := h.planRequest(r, who, params.After)
	if op != nil {
		out.kind = kindName(op.Kind)
	}
	out.fields = fields
	if e == nil && budget != nil {
		if spent := budget.spend(op.Cost); spent != nil {
			e = []*Error{spent}
		}
	}
	if e != nil {
		out.Response = transport.RequestErrors(params.Media, e...)
		return out
	}
	if out.live {
		out.watch = h.watched(op)
	}
	if errs := unauthenticatedFields(who, fields); errs != nil {
		out.Response = transport.Unauthenticated(params.Media, errs...)
		return out
	}
	out.arena = transport.BorrowBuffer()
	out.timing.markPlanned()
	if fatal := h.execute(ctx, op, who, h.exec.NewSession(who), fields, out.arena); fatal != nil {
		out.Response = transport.ExecutionFailure(params.Media, fatal)
		return out
	}
	out.batch = unwrapStreams(fields)
	h.signTokens(ctx, fields)
	out.Response = respond(params.Media, fields)
	return out
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
