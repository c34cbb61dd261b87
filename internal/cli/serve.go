package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/gqlplan/gqlplan/auth"
	"github.com/gqlplan/gqlplan/runtime"
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
	ShutdownTimeout  time.Duration `default:"30s" env:"GQLPLAN_SHUTDOWN_TIMEOUT" help:"How long in-flight requests may finish after SIGTERM/SIGINT."`
	LogFormat        string        `enum:"text,json" default:"text" env:"GQLPLAN_LOG_FORMAT" help:"Log format: text or json."`
	DebugListen      string        `name:"debug-listen" env:"GQLPLAN_DEBUG_LISTEN" help:"Address of a second listener serving Go's profiles at /debug/pprof/ (off by default; keep it private)."`
	SkipCatalogCheck bool          `name:"skip-catalog-check" env:"GQLPLAN_SKIP_CATALOG_CHECK" help:"Start even when the database no longer matches what the plan recorded of its catalog (logged); every request reading what changed will fail."`

	JWT    jwtFlags    `embed:"" prefix:"jwt-"`
	JWKS   jwksFlags   `embed:"" prefix:"jwks-"`
	Limits limitsFlags `embed:""`

	NoIntrospection bool     `name:"no-introspection" env:"GQLPLAN_NO_INTROSPECTION" help:"Refuse __schema and __type, and leave \"Did you mean\" suggestions out of errors."`
	CORSOrigin      []string `name:"cors-origin" env:"GQLPLAN_CORS_ORIGINS" help:"An origin browsers may call from (repeat, or comma-separated; * for any). Default: none, CORS off."`
}

// jwtFlags configure how tokens are verified and issued.
type jwtFlags struct {
	Secret      string        `env:"GQLPLAN_JWT_SECRET" help:"HS256/384/512 secret that verifies bearer tokens and signs issued ones (at least 32 bytes)."`
	Issuer      string        `env:"GQLPLAN_JWT_ISSUER" help:"Required iss of tokens; added to issued tokens."`
	Audience    string        `env:"GQLPLAN_JWT_AUDIENCE" help:"Required aud of tokens (a token without aud is refused); added to issued tokens."`
	Leeway      time.Duration `default:"30s" env:"GQLPLAN_JWT_LEEWAY" help:"Clock skew tolerated on exp, nbf and iat."`
	ExpOptional bool          `name:"exp-optional" env:"GQLPLAN_JWT_EXP_OPTIONAL" help:"Accept tokens without exp (refused by default)."`
	MaxBytes    int           `default:"8192" env:"GQLPLAN_JWT_MAX_BYTES" help:"Longest token accepted."`
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
	StatementTimeout time.Duration `default:"30s" env:"GQLPLAN_STATEMENT_TIMEOUT" help:"statement_timeout of each request (a role's ALTER ROLE … SET statement_timeout wins; TIMEOUT); -1s: the server's."`
}

func (l limitsFlags) limits() runtime.Limits {
	return runtime.Limits{
		MaxBodyBytes: l.MaxBodyBytes, MaxDocumentBytes: l.MaxDocumentBytes, MaxDepth: l.MaxDepth, MaxTokens: l.MaxTokens,
		MaxSelections: l.MaxFields, MaxAliases: l.MaxAliases, MaxRootFields: l.MaxRootFields, MaxDirectives: l.MaxDirectives,
		MaxPageSize: l.MaxPageSize, MaxCost: l.MaxCost, StatementTimeout: l.StatementTimeout,
	}
}

func (c *ServeCmd) Run(ctx context.Context, env *Env) error {
	log := c.logger(env)
	plan, err := readPlan(env, c.Plan)
	if err != nil {
		return err
	}
	leeway := c.JWT.Leeway
	if leeway == 0 {
		leeway = -1 // the flag's 0 means none; auth.Config's zero means the default
	}
	verifier, err := auth.NewVerifier(ctx, auth.Config{
		Secret: []byte(c.JWT.Secret),
		JWKS:   &auth.JWKS{URL: c.JWKS.URL, File: resolvePath(env.Dir, c.JWKS.File), Refresh: c.JWKS.Refresh, UnknownKIDInterval: c.JWKS.UnknownKID},
		Issuer: c.JWT.Issuer, Audience: c.JWT.Audience, Leeway: leeway, AllowNoExpiry: c.JWT.ExpOptional,
		MaxTokenBytes: c.JWT.MaxBytes, RoleClaim: c.JWT.RoleClaim, DefaultRole: c.DefaultRole, AllowedRoles: c.AllowedRoles,
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
	pool, err := runtime.Connect(ctx, c.DatabaseURL, c.DBWait, log)
	if err != nil {
		return err
	}
	defer pool.Close()
	started := time.Now()
	switch err := runtime.VerifyCatalog(ctx, pool, plan); {
	case err == nil:
		log.Info("plan matches the database", "duration", time.Since(started))
	case c.SkipCatalogCheck:
		log.Warn("starting on a plan the database does not match (--skip-catalog-check)", "error", err.Error())
	default:
		return err
	}
	handler, err := runtime.NewHandler(ctx, runtime.Config{
		Plan: plan, Pool: pool, Verifier: verifier, Signer: signer, Limits: c.Limits.limits(),
		NoIntrospection: c.NoIntrospection, CORSOrigins: c.CORSOrigin, Dev: c.Dev, Logger: log,
	})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/graphql", handler)
	if c.DebugListen != "" {
		if err := serveDebug(ctx, log, c.DebugListen); err != nil {
			return err
		}
	}
	// The pool (deferred above) closes once no request can use it.
	return listenAndServe(ctx, log, c.Listen, mux, c.ShutdownTimeout, func(addr string) {
		log.Info("serving", "url", "http://"+addr+"/graphql", "plan", c.Plan, "hash", plan.Hash)
	})
}

// listenAndServe serves mux (plus /healthz) on addr until ctx ends, then
// stops accepting and lets in-flight requests finish within shutdown.
// ready is told the address once the listener is open.
func listenAndServe(ctx context.Context, log *slog.Logger, addr string, mux *http.ServeMux, shutdown time.Duration, ready func(addr string)) error {
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ready(listener.Addr().String())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(listener) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", shutdown)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdown)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// serveDebug serves net/http/pprof's handlers on addr, apart from the
// API, until ctx ends.
func serveDebug(ctx context.Context, log *slog.Logger, addr string) error {
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
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	log.Info("serving profiles", "profiles", "http://"+listener.Addr().String()+"/debug/pprof/")
	go func() { _ = srv.Serve(listener) }()
	context.AfterFunc(ctx, func() { srv.Close() })
	return nil
}

func (c *ServeCmd) logger(env *Env) *slog.Logger {
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(env.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(env.Stderr, nil))
}
