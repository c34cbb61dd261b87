package pgexec

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gqlplan/gqlplan/runtime/internal/wire"
)

// dbFault maps a database error to the error a client sees. Only what a
// client may act on is shown: a message a function raised on purpose
// (RAISE EXCEPTION, SQLSTATE P0001), the name of a violated constraint,
// "permission denied". Everything else is masked outside development mode
// as a generic message with the request id; the log has the details.
func dbFault(ctx context.Context, log *slog.Logger, dev bool, err error) *wire.Error {
	id := wire.RequestID(ctx)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return &wire.Error{Message: "The request was canceled.", Code: wire.CodeTimeout}
		}
		log.LogAttrs(ctx, slog.LevelError, "database unavailable", slog.String("request_id", id), slog.String("error", err.Error()))
		e := &wire.Error{Message: "The database is unavailable.", Code: wire.CodeInternal, Extra: map[string]any{"requestId": id}}
		if dev {
			e.Message += " " + err.Error()
		}
		return e
	}
	// Data errors (class 22) and constraint violations (23) quote the
	// offending values in their message and detail; the log must not.
	message := pgErr.Message
	if class := pgErr.Code[:min(2, len(pgErr.Code))]; class == "22" || class == "23" {
		message = "(values withheld)"
	}
	log.LogAttrs(ctx, slog.LevelWarn, "database error", slog.String("request_id", id),
		slog.String("sqlstate", pgErr.Code), slog.String("message", message),
		slog.String("table", pgErr.SchemaName+"."+pgErr.TableName), slog.String("constraint", pgErr.ConstraintName))
	switch code := pgErr.Code; {
	case code == "P0001":
		return &wire.Error{Message: pgErr.Message, Code: wire.CodeBadUserInput, Extra: map[string]any{"sqlstate": code}}
	case code == "42501":
		e := &wire.Error{Message: "Permission denied.", Code: wire.CodeForbidden}
		if dev { // which privilege on what: what a developer fixes the grant with
			e.Message = "Permission denied: " + pgErr.Message + "."
		}
		return e
	case code == "23505" || code == "23514" || code == "23503" || code == "23502" || code == "23P01":
		e := &wire.Error{Message: fmt.Sprintf("The values violate the constraint %q.", pgErr.ConstraintName), Code: wire.CodeBadUserInput,
			Extra: map[string]any{"constraint": pgErr.ConstraintName}}
		if pgErr.ConstraintName == "" { // a NOT NULL violation names a column, not a constraint
			e.Message, e.Extra = "A required value is missing.", nil
		}
		return e
	case code == "57014":
		return &wire.Error{Message: "The statement took too long and was canceled.", Code: wire.CodeTimeout}
	case len(code) == 5 && code[:2] == "22":
		return &wire.Error{Message: "A value is not valid for the database: " + pgErr.Message + ".", Code: wire.CodeBadUserInput}
	}
	e := &wire.Error{Message: "Internal error; the server log has the details under this request id.", Code: wire.CodeInternal, Extra: map[string]any{"requestId": id}}
	if dev {
		e.Message = pgErr.Message
		e.Extra["sqlstate"] = pgErr.Code
		if pgErr.Detail != "" {
			e.Extra["detail"] = pgErr.Detail
		}
	}
	return e
}

// sqlState is the SQLSTATE of err, or "".
func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}
