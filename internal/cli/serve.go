package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gqlplan/gqlplan/runtime"
)

// ServeCmd serves a compiled plan.
type ServeCmd struct {
	Plan            string        `required:"" env:"GQLPLAN_PLAN" help:"The plan written by gqlplan compile."`
	DatabaseURL     string        `required:"" name:"database-url" env:"GQLPLAN_DATABASE_URL,DATABASE_URL" help:"PostgreSQL connection string of the authenticator role."`
	Listen          string        `default:"127.0.0.1:8080" env:"GQLPLAN_LISTEN" help:"Address to listen on."`
	JWTSecret       string        `name:"jwt-secret" env:"GQLPLAN_JWT_SECRET" help:"HS256/384/512 secret that verifies bearer tokens (at least 32 bytes); without it, tokens are refused."`
	DefaultRole     string        `env:"GQLPLAN_DEFAULT_ROLE" help:"Role of anonymous requests and of tokens without a role claim."`
	Dev             bool          `env:"GQLPLAN_DEV" help:"Development mode: database error details in responses."`
	DBWait          time.Duration `name:"db-wait" default:"0s" env:"GQLPLAN_DB_WAIT" help:"Keep retrying an unreachable database at start for this long (with backoff) before giving up."`
	ShutdownTimeout time.Duration `default:"30s" env:"GQLPLAN_SHUTDOWN_TIMEOUT" help:"How long in-flight requests may finish after SIGTERM/SIGINT."`
	LogFormat       string        `enum:"text,json" default:"text" env:"GQLPLAN_LOG_FORMAT" help:"Log format: text or json."`
}

func (c *ServeCmd) Run(ctx context.Context, env *Env) error {
	log := c.logger(env)
	plan, err := readPlan(env, c.Plan)
	if err != nil {
		return err
	}
	pool, err := runtime.Connect(ctx, c.DatabaseURL, c.DBWait, log)
	if err != nil {
		return err
	}
	defer pool.Close()
	handler, err := runtime.NewHandler(runtime.Config{
		Plan: plan, Pool: pool, JWTSecret: []byte(c.JWTSecret), DefaultRole: c.DefaultRole,
		Dev: c.Dev, Logger: log,
	})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/graphql", handler)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	listener, err := net.Listen("tcp", c.Listen)
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
	log.Info("serving", "url", "http://"+listener.Addr().String()+"/graphql", "plan", c.Plan, "hash", plan.Hash)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(listener) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Stop accepting, let in-flight requests finish, then close the pool
	// (deferred above) once no request can use it.
	log.Info("shutting down", "timeout", c.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.ShutdownTimeout)
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

func (c *ServeCmd) logger(env *Env) *slog.Logger {
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(env.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(env.Stderr, nil))
}
