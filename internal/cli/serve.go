package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/gqlplan/gqlplan/auth"
	"github.com/gqlplan/gqlplan/extend"
	"github.com/gqlplan/gqlplan/internal/heapfloor"
	"github.com/gqlplan/gqlplan/runtime"
	"github.com/gqlplan/gqlplan/spec"
)

// ServeCmd serves a compiled plan.
type ServeCmd struct {
	Plan             string        `required:"" env:"GQLPLAN_PLAN" help:"The plan written by gqlplan compile."`
	DatabaseURL      string        `required:"" name:"database-url" env:"GQLPLAN_DATABASE_URL,DATABASE_URL" help:"PostgreSQL connection string of the authenticator role."`
	Listen           string        `default:"127.0.0.1:8080" env:"GQLPLAN_LISTEN" help:"Address to listen on."`
	DefaultRole      string        `env:"GQLPLAN_DEFAULT_ROLE" help:"Role of anonymous requests and of tokens without a role claim."`
	AllowedRoles     []string      `name:"allowed-roles" env:"GQLPLAN_ALLOWED_ROLES" help:"The only roles a token may switch to (comma-separated); default: any the server's role may SET ROLE to."`
	Dev              bool          `env:"GQLPLAN_DEV" help:"Development mode: database error details in responses."`
	DBWait           time.Duration `name:"db-wait" default:"0s" env:"GQLPLAN_DB_WAIT" help:"Keep retrying an unreachable database at start for this long (with backoff) before giving up."`
	ShutdownTimeout  time.Duration `default:"30s" env:"GQLPLAN_SHUTDOWN_TIMEOUT" help:"After SIGTERM/SIGINT, how long in-flight requests may finish; what still runs is then canceled, in the database too, and the server exits within it. A second signal exits at once."`
	ShutdownDelay    time.Duration `name:"shutdown-delay" default:"0s" env:"GQLPLAN_SHUTDOWN_DELAY" help:"After SIGTERM/SIGINT, first serve on for this long with /readyz answering 503, so a load balancer takes the server out before it stops accepting (set it above the balancer's health-check interval)."`
	PoolSize         int           `name:"pool-size" env:"GQLPLAN_POOL_SIZE" help:"Most database connections (default: 4 per core, at least 8; the URL's pool_max_conns if set)."`
	Pipelining       bool          `name:"pipelining" negatable:"" env:"GQLPLAN_PIPELINING" help:"Send the queries that arrive together as one pipeline on one connection, each still its own transaction (--no-pipelining: each query its own round trip)."`
	PipelineDepth    int           `name:"pipeline-depth" default:"16" env:"GQLPLAN_PIPELINE_DEPTH" help:"With --pipelining, the most queries of one pipeline: a slow statement holds at most this many behind it."`
	PipelineConns    int           `name:"pipeline-connections" default:"0" env:"GQLPLAN_PIPELINE_CONNECTIONS" help:"With --pipelining, the most pipelines in flight at once, each on a connection of its own (0: one per core); queries that come meanwhile wait for the next, and one beyond the first opens for two waiting (or one kept waiting past a millisecond by a slow pipeline)."`
	StatementCache   string        `name:"statement-cache" enum:"prepare,describe,none" default:"prepare" env:"GQLPLAN_STATEMENT_CACHE" help:"prepare: statements are prepared by name once per connection and role; none: each is parsed in its request's own pipeline, so a connection keeps nothing between transactions (PgBouncer in transaction mode before 1.21); describe: pgx's name for that, and the same (the statements' casts give the types a Describe would)."`
	CancelRequests   bool          `name:"cancel-requests" negatable:"" default:"true" env:"GQLPLAN_CANCEL_REQUESTS" help:"Stop a request's statement in PostgreSQL with a cancel request when the request ends early (--no-cancel-requests: close its connection instead; needed behind PgBouncer before 1.21, which a cancel request can crash)."`
	ListenURL        string        `name:"listen-database-url" env:"GQLPLAN_LISTEN_DATABASE_URL" help:"PostgreSQL connection string for LISTEN (subscriptions' changes, NOTIFY gqlplan reload), straight to the server: a pooler in transaction mode does not deliver notifications (default: --database-url)."`
	LogFormat        string        `enum:"text,json" default:"text" env:"GQLPLAN_LOG_FORMAT" help:"Log format: text or json."`
	LogRequests      string        `name:"log-requests" enum:"all,errors,none" default:"all" env:"GQLPLAN_LOG_REQUESTS" help:"Which requests get a log line: all, errors (a status of 400 or more, or errors in the response), none. Failure lines are rate-limited either way."`
	ServerTiming     bool          `name:"server-timing" env:"GQLPLAN_SERVER_TIMING" help:"Add a Server-Timing header to each response: parse, plan and db, in milliseconds (off by default: it tells clients how long the database took)."`
	Playground       bool          `name:"playground" env:"GQLPLAN_PLAYGROUND" help:"Serve GraphiQL at / (from the binary: it loads nothing from elsewhere)."`
	AdminListen      string        `name:"admin-listen" env:"GQLPLAN_ADMIN_LISTEN" help:"Address of the admin listener: /live, /ready and /metrics (Prometheus) apart from the API (off by default)."`
	DebugListen      string        `name:"debug-listen" env:"GQLPLAN_DEBUG_LISTEN" help:"Address of a second listener serving Go's profiles at /debug/pprof/ (off by default; keep it private)."`
	GCMinHeap        uint64        `name:"gc-min-heap" default:"${gc_min_heap}" env:"GQLPLAN_GC_MIN_HEAP" help:"MiB the heap may grow beyond twice what is live before Go collects it (README, Memory); 0: Go's own pacing. Ignored when GOGC or GOMEMLIMIT is set."`
	WatchPlan        bool          `name:"watch-plan" env:"GQLPLAN_WATCH_PLAN" help:"Load the plan file again when it changes (checked each second), as SIGHUP does: a plan that loads and matches the database serves the next requests; one that does not is logged and the old plan serves on."`
	SkipCatalogCheck bool          `name:"skip-catalog-check" env:"GQLPLAN_SKIP_CATALOG_CHECK" help:"Start even when the database no longer matches what the plan recorded of its catalog (logged); every request reading what changed will fail."`

	JWT    jwtFlags    `embed:"" prefix:"jwt-"`
	JWKS   jwksFlags   `embed:"" prefix:"jwks-"`
	Limits limitsFlags `embed:""`

	Replicas replicaFlags `embed:""`

	TrustedDocuments   string `name:"trusted-documents" enum:"off,allow,only" default:"off" env:"GQLPLAN_TRUSTED_DOCUMENTS" help:"The plan's trusted documents (compile --documents): off (ids are not looked up); allow (requests may name them by documentId, an Apollo persisted-query hash or Relay's doc_id, and any other document is served too, logged and counted as untrusted); only (nothing else is served, nor parsed)."`
	AllowIntrospection bool   `name:"allow-introspection" env:"GQLPLAN_ALLOW_INTROSPECTION" help:"With --trusted-documents only, serve introspection too (a document asking for __schema, __type and __typename alone)."`

	NoIntrospection bool     `name:"no-introspection" env:"GQLPLAN_NO_INTROSPECTION" help:"Refuse __schema and __type, and leave \"Did you mean\" suggestions out of errors."`
	CORSOrigin      []string `name:"cors-origin" env:"GQLPLAN_CORS_ORIGINS" help:"An origin browsers may call from (repeat, or comma-separated; * for any). Default: none, CORS off."`
}

// maxGCMinHeap bounds --gc-min-heap (MiB): its ballast is address space,
// but a floor this far above any heap is a typo, not a setting.
const maxGCMinHeap = 1 << 16

// jwtFlags configure how tokens are verified and issued.
type jwtFlags struct {
	Secret      string        `env:"GQLPLAN_JWT_SECRET" help:"HS256/384/512 secret that verifies bearer tokens and signs issued ones (at least 32 bytes)."`
	Issuer      string        `env:"GQLPLAN_JWT_ISSUER" help:"Required iss of tokens; added to issued tokens."`
	Audience    string        `env:"GQLPLAN_JWT_AUDIENCE" help:"Required aud of tokens (a token without aud is refused); added to issued tokens."`
	Leeway      time.Duration `default:"30s" env:"GQLPLAN_JWT_LEEWAY" help:"Clock skew tolerated on exp, nbf and iat."`
	ExpOptional bool          `name:"exp-optional" env:"GQLPLAN_JWT_EXP_OPTIONAL" help:"Accept tokens without exp (refused by default)."`
	MaxBytes    int           `default:"8192" env:"GQLPLAN_JWT_MAX_BYTES" help:"Longest token accepted."`
	Cache       int           `default:"4096" env:"GQLPLAN_JWT_CACHE" help:"Tokens verified by the secret that are remembered, each until its exp (at most a minute), so that a repeated one is not verified again; 0: none."`
	RoleClaim   string        `default:"role" env:"GQLPLAN_JWT_ROLE_CLAIM" help:"Path of the role in the claims: role, app.role, \"https://example.com/claims\".role, roles[0]."`
	PrivateKey  string        `name:"private-key" env:"GQLPLAN_JWT_PRIVATE_KEY" help:"PEM private key (RSA, EC, Ed25519) that signs issued tokens instead of the secret."`
	KeyID       string        `name:"key-id" env:"GQLPLAN_JWT_KEY_ID" help:"kid header of issued tokens."`
	Lifetime    time.Duration `default:"1h" env:"GQLPLAN_JWT_LIFETIME" help:"Lifetime of issued tokens whose row has no exp."`
}

// jwksFlags configure public keys.
type jwksFlags struct {
	URL        string        `name:"url" env:"GQLPLAN_JWKS_URL" help:"JWKS URL of RS/PS/ES/EdDSA public keys (fetched at start, refreshed; the server starts even if the first fetch fails)."`
	File       string        `name:"file" env:"GQLPLAN_JWKS_FILE" help:"JWKS file of public keys."`
	Refresh    time.Duration `default:"1h" env:"GQLPLAN_JWKS_REFRESH" help:"How often the JWKS URL is fetched again."`
	UnknownKID time.Duration `name:"unknown-kid-interval" default:"5m" env:"GQLPLAN_JWKS_UNKNOWN_KID_INTERVAL" help:"At most one early fetch per this interval for tokens with an unknown kid."`
}

// limitsFlags bound what a request may cost (see runtime.Limits).
type limitsFlags struct {
	MaxBodyBytes     int64         `default:"1048576" env:"GQLPLAN_MAX_BODY_BYTES" help:"Largest request body (REQUEST_TOO_LARGE)."`
	MaxDocumentBytes int           `default:"102400" env:"GQLPLAN_MAX_DOCUMENT_BYTES" help:"Longest query text (DOCUMENT_TOO_LARGE)."`
	MaxDepth         int           `default:"32" env:"GQLPLAN_MAX_DEPTH" help:"Deepest nesting (DOCUMENT_TOO_DEEP)."`
	MaxTokens        int           `default:"15000" env:"GQLPLAN_MAX_TOKENS" help:"Most lexical tokens (TOO_MANY_TOKENS)."`
	MaxFields        int           `default:"5000" env:"GQLPLAN_MAX_FIELDS" help:"Most fields once fragments are expanded (TOO_MANY_FIELDS)."`
	MaxAliases       int           `default:"100" env:"GQLPLAN_MAX_ALIASES" help:"Most aliases (TOO_MANY_ALIASES)."`
	MaxRootFields    int           `default:"32" env:"GQLPLAN_MAX_ROOT_FIELDS" help:"Most root fields in one operation (TOO_MANY_ROOT_FIELDS)."`
	MaxDirectives    int           `default:"50" env:"GQLPLAN_MAX_DIRECTIVES" help:"Most directives (TOO_MANY_DIRECTIVES)."`
	MaxPageSize      int64         `default:"1000" env:"GQLPLAN_MAX_PAGE_SIZE" help:"Largest first, last or limit, whatever declarations allow (PAGE_TOO_LARGE)."`
	MaxCost          int64         `default:"100000" env:"GQLPLAN_MAX_COST" help:"Most values one operation may return: each field counts one, times the page sizes of the lists it is nested in (COST_TOO_HIGH); -1: no bound."`
	MaxBatch         int           `name:"max-batch" default:"0" env:"GQLPLAN_MAX_BATCH" help:"Most requests one batch (a POST of a JSON array of requests, as Apollo's BatchHttpLink sends) may hold, each run as a request of its own, in order, sharing --max-cost and --request-timeout (BATCH_TOO_LARGE); 0: batches are refused (BATCHING_DISABLED)."`
	MaxResponseBytes int64         `default:"16777216" env:"GQLPLAN_MAX_RESPONSE_BYTES" help:"Largest response, checked while results are read (RESPONSE_TOO_LARGE)."`
	StatementTimeout time.Duration `default:"20s" env:"GQLPLAN_STATEMENT_TIMEOUT" help:"statement_timeout of each request (a role's ALTER ROLE … SET statement_timeout wins; a field error, TIMEOUT); -1s: the server's."`
	RequestTimeout   time.Duration `default:"30s" env:"GQLPLAN_REQUEST_TIMEOUT" help:"Longest a request may take, waiting for a connection and every statement included; its statements are then canceled (504 REQUEST_TIMEOUT); -1s: none."`
	PoolTimeout      time.Duration `default:"3s" env:"GQLPLAN_POOL_TIMEOUT" help:"Longest wait for a free database connection (503 SERVICE_UNAVAILABLE, Retry-After)."`
	WriteTimeout     time.Duration `default:"15s" env:"GQLPLAN_WRITE_TIMEOUT" help:"How long a client has to read its response; then the connection is closed."`

	ConnectionInitTimeout time.Duration `default:"3s" env:"GQLPLAN_CONNECTION_INIT_TIMEOUT" help:"How long a WebSocket client has to send connection_init (then 4408)."`
	MaxConnections        int           `default:"10000" env:"GQLPLAN_MAX_CONNECTIONS" help:"Most WebSockets and event streams open at once; one more gets 503 (TOO_MANY_CONNECTIONS)."`
	MaxSocketOperations   int           `default:"100" env:"GQLPLAN_MAX_SOCKET_OPERATIONS" help:"Most operations one WebSocket runs at once (TOO_MANY_OPERATIONS)."`
	SocketQueue           int           `default:"64" env:"GQLPLAN_SOCKET_QUEUE" help:"Most messages waiting for a WebSocket client to read them; a client that lets them pile up is closed (1008)."`
	SubscriptionPoll      time.Duration `default:"10s" env:"GQLPLAN_SUBSCRIPTION_POLL" help:"How often each subscription is read again without a notified change to its tables (the safety net; 0: never); its result is sent when it changed."`
}

func (l limitsFlags) limits() runtime.Limits {
	limits := runtime.Limits{
		MaxBodyBytes: l.MaxBodyBytes, MaxDocumentBytes: l.MaxDocumentBytes, MaxDepth: l.MaxDepth, MaxTokens: l.MaxTokens,
		MaxSelections: l.MaxFields, MaxAliases: l.MaxAliases, MaxRootFields: l.MaxRootFields, MaxDirectives: l.MaxDirectives,
		MaxPageSize: l.MaxPageSize, MaxCost: l.MaxCost, MaxBatch: l.MaxBatch, MaxResponseBytes: l.MaxResponseBytes,
		StatementTimeout: l.StatementTimeout, RequestTimeout: l.RequestTimeout, PoolTimeout: l.PoolTimeout, WriteTimeout: l.WriteTimeout,
		ConnectionInitTimeout: l.ConnectionInitTimeout, MaxConnections: l.MaxConnections, SocketOperations: l.MaxSocketOperations, SocketQueue: l.SocketQueue,
		SubscriptionPoll: l.SubscriptionPoll,
	}
	if l.SubscriptionPoll == 0 {
		limits.SubscriptionPoll = -1 // off: runtime.Limits takes zero for its default
	}
	return limits
}

func (c *ServeCmd) Run(ctx context.Context, env *Env) error {
	if c.GCMinHeap > maxGCMinHeap {
		return fmt.Errorf("--gc-min-heap %d: at most %d (MiB)", c.GCMinHeap, maxGCMinHeap)
	}
	logs := newBatchedWriter(env.Stderr)
	defer logs.Close()
	log := c.logger(logs)
	defer heapfloor.Start(c.GCMinHeap << 20)()
	plan, err := readPlan(env, c.Plan)
	if err != nil {
		return err
	}
	if missing := runtime.MissingResolvers(plan, env.Resolvers); len(missing) > 0 {
		return fmt.Errorf("%s names resolvers this server does not have: %s; serve it with a server built with package extend/server that registers them (README: \"Extending the API in Go\")", c.Plan, strings.Join(missing, ", "))
	}
	leeway := c.JWT.Leeway
	if leeway == 0 {
		leeway = -1 // the flag's 0 means none; auth.Config's zero means the default
	}
	cacheTokens := c.JWT.Cache
	if cacheTokens <= 0 {
		cacheTokens = -1 // likewise
	}
	verifier, err := auth.NewVerifier(ctx, auth.Config{
		Secret: []byte(c.JWT.Secret),
		JWKS:   &auth.JWKS{URL: c.JWKS.URL, File: resolvePath(env.Dir, c.JWKS.File), Refresh: c.JWKS.Refresh, UnknownKIDInterval: c.JWKS.UnknownKID},
		Issuer: c.JWT.Issuer, Audience: c.JWT.Audience, Leeway: leeway, AllowNoExpiry: c.JWT.ExpOptional,
		MaxTokenBytes: c.JWT.MaxBytes, CacheTokens: cacheTokens, RoleClaim: c.JWT.RoleClaim, DefaultRole: c.DefaultRole, AllowedRoles: c.AllowedRoles,
		Logger: log,
	})
	if err != nil {
		return err
	}
	var signer *auth.Signer
	if c.JWT.Secret != "" || c.JWT.PrivateKey != "" {
		secret := []byte(c.JWT.Secret)
		if c.JWT.PrivateKey != "" {
			secret = nil // the key signs; the secret only verifies
		}
		if signer, err = auth.NewSigner(auth.SignerConfig{Secret: secret, PrivateKeyFile: resolvePath(env.Dir, c.JWT.PrivateKey), KeyID: c.JWT.KeyID,
			Lifetime: c.JWT.Lifetime, Issuer: c.JWT.Issuer, Audience: c.JWT.Audience}); err != nil {
			return err
		}
	}
	tracer, stopTracing, err := startTracing(ctx, log)
	if err != nil {
		return err
	}
	defer stopTracing()
	limits := c.Limits.limits()
	poolConfig, err := runtime.PoolConfig(c.DatabaseURL, c.poolSize(), limits)
	if err != nil {
		return err
	}
	if !c.CancelRequests {
		runtime.WithoutCancelRequests(poolConfig)
	}
	// The listener opens first: while the database is awaited, /graphql
	// and /readyz answer 503 and /healthz 200.
	api := newGate("The server is starting: it is connecting to the database.")
	mux := http.NewServeMux()
	mux.Handle("/graphql", api)
	mux.Handle("/readyz", api.readiness())
	if c.Playground {
		playground(mux, playgroundConfig{URL: "/graphql"})
	}
	srv, err := listen(log, c.Listen, mux, serverWriteTimeout(limits))
	if err != nil {
		return err
	}
	log.Info("listening", "addr", srv.addr)
	var metrics *prometheus.Registry
	if c.AdminListen != "" {
		if metrics, err = serveAdmin(ctx, log, c.AdminListen, api); err != nil {
			_ = srv.stop(time.Second)
			return err
		}
	}
	handler, pool, err := c.connect(ctx, log, plan, poolConfig, verifier, signer, limits, env.Resolvers, tracer)
	if err != nil {
		_ = srv.stop(time.Second)
		return err
	}
	// Requests canceled at the shutdown timeout release their connections
	// within a second; past that, exiting closes them.
	defer closeWithin(pool, 2*time.Second)
	api.set(handler)
	if metrics != nil {
		metrics.MustRegister(handler.Collector())
	}
	srv.drain = handler.GoingAway // WebSockets answer what they run, then close with 1001
	go handler.Listen(ctx)        // role settings reloads, subscriptions' changes
	go handler.WatchReplicas(ctx) // with --read-replica-url
	reloader := &planReloader{log: log, api: api, path: resolvePath(env.Dir, c.Plan), read: func() (*spec.Plan, error) { return readPlan(env, c.Plan) }}
	reloader.start(ctx, c.WatchPlan)
	if c.DebugListen != "" {
		if err := serveDebug(ctx, log, c.DebugListen, handler); err != nil {
			_ = srv.stop(time.Second)
			return err
		}
	}
	log.Info("serving", "url", "http://"+srv.addr+"/graphql", "plan", c.Plan, "hash", plan.Hash, "pool_size", poolConfig.MaxConns)
	return srv.run(ctx, c.ShutdownTimeout, c.ShutdownDelay, api)
}

// connect opens the pool (waiting up to --db-wait for the database),
// verifies the plan's catalog facts and builds the handler.
func (c *ServeCmd) connect(ctx context.Context, log *slog.Logger, plan *spec.Plan, poolConfig *pgxpool.Config,
	verifier *auth.Verifier, signer *auth.Signer, limits runtime.Limits, resolvers extend.Resolvers, tracer trace.TracerProvider) (*runtime.Handler, *pgxpool.Pool, error) {
	pool, err := runtime.Connect(ctx, poolConfig, c.DBWait, log)
	if err != nil {
		return nil, nil, err
	}
	started := time.Now()
	switch err := runtime.VerifyCatalog(ctx, pool, plan); {
	case err == nil:
		log.Info("plan matches the database", "duration", time.Since(started))
	case c.SkipCatalogCheck:
		log.Warn("starting on a plan the database does not match (--skip-catalog-check)", "error", err.Error())
	default:
		pool.Close()
		return nil, nil, err
	}
	rywKey, err := c.Replicas.key(c.JWT.Secret, log)
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	replicas, err := c.Replicas.pools(ctx, poolConfig, limits, c.CancelRequests)
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	var listen *pgx.ConnConfig
	if c.ListenURL != "" {
		if listen, err = pgx.ParseConfig(c.ListenURL); err != nil {
			closeReplicas(replicas)
			pool.Close()
			return nil, nil, errors.New("--listen-database-url is not a valid connection string") // pgx's error may quote its password
		}
	}
	handler, err := runtime.NewHandler(ctx, runtime.Config{
		Plan: plan, Pool: pool, Verifier: verifier, Signer: signer, Limits: limits,
		NoIntrospection: c.NoIntrospection, CORSOrigins: c.CORSOrigin, Dev: c.Dev, Logger: log, Resolvers: resolvers,
		LogRequests: runtime.RequestLog(c.LogRequests), SkipCatalogCheck: c.SkipCatalogCheck, ServerTiming: c.ServerTiming,
		TracerProvider: tracer, TrustedDocuments: c.TrustedDocuments, AllowIntrospection: c.AllowIntrospection,
		Pipelining: c.Pipelining, PipelineDepth: c.PipelineDepth, PipelineConnections: c.PipelineConns,
		Replicas: replicas, ReplicaMaxLag: c.Replicas.MaxLag, ReplicaWait: c.Replicas.Wait, ReplicaProbeInterval: c.Replicas.ProbeInterval,
		ReadYourWritesKey: rywKey, ReadYourWritesAllTables: c.Replicas.Scope == "all",
		StatementCache: c.StatementCache, Listen: listen, NoCancelRequests: !c.CancelRequests,
	})
	if err != nil {
		closeReplicas(replicas)
		pool.Close()
		return nil, nil, err
	}
	return handler, pool, nil
}

// poolSize is --pool-size, or 0 for the URL's pool_max_conns or else the
// default.
func (c *ServeCmd) poolSize() int {
	if c.PoolSize == 0 && strings.Contains(c.DatabaseURL, "pool_max_conns") {
		return -1
	}
	return c.PoolSize
}

// serverWriteTimeout bounds a whole exchange: the request's time, then the
// time to write its answer, and a margin. The handler's own deadline is
// the tighter one; this one covers the rest of the mux.
func serverWriteTimeout(l runtime.Limits) time.Duration {
	if l.RequestTimeout < 0 {
		return 0
	}
	request := l.RequestTimeout
	if request == 0 {
		request = runtime.DefaultLimits.RequestTimeout
	}
	write := l.WriteTimeout
	if write <= 0 {
		write = runtime.DefaultLimits.WriteTimeout
	}
	return request + write + 5*time.Second
}

// closeWithin closes pool, waiting at most d for the connections still in
// use to come back.
func closeWithin(pool *pgxpool.Pool, d time.Duration) {
	closed := make(chan struct{})
	go func() { pool.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(d):
	}
}

// serveDebug serves net/http/pprof's handlers on addr, apart from the
// API, until ctx ends.
func serveDebug(ctx context.Context, log *slog.Logger, addr string, handler *runtime.Handler) error {
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("debug listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/live", func(w http.ResponseWriter, _ *http.Request) { // what live data is doing (see runtime.Stats)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(handler.Stats())
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	log.Info("serving profiles", "profiles", "http://"+listener.Addr().String()+"/debug/pprof/")
	go func() { _ = srv.Serve(listener) }()
	context.AfterFunc(ctx, func() { srv.Close() })
	return nil
}

func (c *ServeCmd) logger(w io.Writer) *slog.Logger {
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}
