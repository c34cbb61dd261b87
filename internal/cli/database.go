package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gqlplan/gqlplan/compiler"
	"github.com/gqlplan/gqlplan/compiler/catalog"
	"github.com/gqlplan/gqlplan/decl"
)

// DatabaseFlags are the flags of compile and check that check the
// declarations against a live database.
type DatabaseFlags struct {
	DatabaseURL string        `name:"database-url" env:"GQLPLAN_DATABASE_URL" placeholder:"URL" help:"Check against this database's catalog (read-only). Connect as the login role the server uses, so the search_path is the same."`
	Role        string        `name:"role" placeholder:"ROLE" help:"With --database-url: check the privileges requests running as this role need."`
	DBTimeout   time.Duration `name:"db-timeout" default:"10s" help:"With --database-url: how long connecting and each catalog statement may take."`
	StrictRLS   bool          `name:"strict-rls" env:"GQLPLAN_STRICT_RLS" help:"With --database-url: make the row level security findings (db-rls-off, db-rls-bypass) errors, for CI."`
}

// readCatalog connects and reads the catalog, or returns the one
// diagnostic that says why it could not.
func (f DatabaseFlags) readCatalog(ctx context.Context, files []*decl.File) (*catalog.Catalog, *decl.Diagnostic) {
	fail := func(code, format string, args ...any) *decl.Diagnostic {
		return &decl.Diagnostic{Severity: decl.Error, Code: code, Message: fmt.Sprintf(format, args...)}
	}
	cfg, err := pgx.ParseConfig(f.DatabaseURL)
	if err != nil {
		// pgx's parse errors can quote the URL, password included.
		return nil, fail("db-unreachable", "--database-url is not a valid PostgreSQL connection string")
	}
	cfg.ConnectTimeout = f.DBTimeout
	cfg.RuntimeParams["application_name"] = "gqlplan check"
	connCtx, cancel := context.WithTimeout(ctx, f.DBTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(connCtx, cfg)
	if err != nil {
		return nil, fail("db-unreachable", "cannot connect to the database: %v", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	cat, err := catalog.Load(ctx, conn, catalog.Options{
		Role: f.Role, Sample: compiler.SampleTargets(files), StatementTimeout: f.DBTimeout,
	})
	switch {
	case errors.Is(err, catalog.ErrUnknownRole):
		return nil, fail("db-unknown-role", "--role %q: no such role in the database", f.Role)
	case err != nil:
		return nil, fail("db-unreachable", "cannot read the database catalog: %v", err)
	}
	return cat, nil
}
