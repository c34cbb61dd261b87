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
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gqlplan/gqlplan/auth"
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
	Dev    bool
	Limits Limits
	Logger *slog.Logger
}

// Handler serves a plan as GraphQL over HTTP.
type Handler struct {
	cfg    Config
	schema *schema
	docs   *documents
	auth   *auth.Verifier
	exec   *executor
	intro  *introspection
	log    *slog.Logger
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
	s, err := newSchema(cfg.Plan)
	if err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	gql, err := loadSchema(cfg.Plan)
	if err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	docs, err := newDocuments(gql, cfg.Limits, cfg.NoIntrospection)
	if err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	if cfg.Verifier == nil {
		if cfg.Verifier, err = auth.NewVerifier(ctx, auth.Config{}); err != nil {
			return nil, fmt.Errorf("runtime: %w", err)
		}
	}
	if names := tokenOperations(cfg.Plan); len(names) > 0 && cfg.Signer == nil {
		return nil, fmt.Errorf("runtime: the operations that sign tokens (%s) need a signing key: a JWT secret or private key", strings.Join(names, ", "))
	}
	h := &Handler{cfg: cfg, schema: s, docs: docs, auth: cfg.Verifier, log: cfg.Logger}
	settingsSQL, err := settingsStatement(ctx, cfg.Pool)
	if err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	h.exec = newExecutor(cfg.Pool, settingsSQL, func(ctx context.Context, err error) *Error {
		return dbFault(ctx, h.log, cfg.Dev, err)
	})
	if h.intro, err = loadIntrospection(gql, cfg.Plan.SDL); err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	return h, nil
}

// ServeHTTP answers one GraphQL-over-HTTP request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	start := time.Now()
	id := newRequestID()
	ctx := withRequestID(req.Context(), id)
	w.Header().Set("X-Request-Id", id)
	if h.cors(w, req) {
		return
	}
	out := h.serve(ctx, req)
	out.write(w)
	returnBuffer(out.arena)
	h.log.LogAttrs(ctx, slog.LevelInfo, "request",
		slog.String("request_id", id),
		slog.String("method", req.Method),
		slog.String("operation", out.operation),
		slog.Int("status", out.status),
		slog.Int("errors", len(out.errors)),
		slog.Duration("duration", time.Since(start)))
}

// serve runs the request and returns the response to write.
func (h *Handler) serve(ctx context.Context, req *http.Request) *response {
	media, ok := negotiate(req.Header.Get("Accept"))
	if !ok {
		return requestFailure(mediaJSON, http.StatusNotAcceptable, CodeBadRequest,
			"The Accept header allows neither application/graphql-response+json nor application/json.")
	}
	params, fail := h.readParams(req, media)
	if fail != nil {
		return fail
	}
	who, refused := h.auth.Verify(ctx, req.Header.Get("Authorization"))
	if refused != nil {
		return authFailure(media, refused)
	}
	claims := who.Claims
	out := &response{media: media, operation: params.OperationName}
	doc := h.docs.get(params.Query)
	if doc.errs != nil {
		return out.requestErrors(doc.errs...)
	}
	op, e := selectOperation(doc.ast, params.OperationName)
	if e != nil {
		return out.requestErrors(e)
	}
	if op.name != "" {
		out.operation = op.name
	}
	switch {
	case op.subscription:
		return out.requestErrors(&Error{Message: "Subscriptions are not supported.", Code: CodeBadRequest})
	case op.mutation && req.Method == http.MethodGet:
		out = out.requestErrors(&Error{Message: "Mutations are only accepted with POST.", Code: CodeBadRequest})
		out.status = http.StatusMethodNotAllowed
		out.header = http.Header{"Allow": {http.MethodPost}}
		return out
	}
	exec, errs := h.schema.newExecutable(op, params.Variables)
	if errs != nil {
		return out.requestErrors(errs...)
	}
	r := &request{schema: h.schema, limits: h.cfg.Limits, noIntrospection: h.cfg.NoIntrospection, exec: exec, claims: claims}
	fields, err := r.plan()
	if err != nil {
		return out.requestErrors(asError(err, CodeBadUserInput))
	}
	sess := newSession(who, h.cfg.Limits.StatementTimeout)
	out.arena = borrowBuffer()
	if fatal := h.exec.run(ctx, exec.mutation, sess, fields, out.arena); fatal != nil {
		return out.executionFailure(fatal)
	}
	h.signTokens(ctx, fields)
	h.intro.answer(fields)
	return out.data(fields)
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
