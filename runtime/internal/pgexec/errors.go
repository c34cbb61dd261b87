package pgexec

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/gqlplan/gqlplan/runtime/internal/wire"
)

// RequestTimeout is the cause of a request's context ending at its
// deadline (context.WithTimeoutCause): its statements are canceled and
// it fails with REQUEST_TIMEOUT.
type RequestTimeout struct{ After time.Duration }

func (e RequestTimeout) Error() string {
	return fmt.Sprintf("the request took longer than %v", e.After)
}

// ErrShuttingDown is the cause of the requests' contexts canceled when the
// server stops before they finished: they fail with SERVICE_UNAVAILABLE.
var ErrShuttingDown = errors.New("the server is shutting down")

var (
	// errPoolTimeout is the cause of a wait for a connection cut short by
	// the pool timeout.
	errPoolTimeout = errors.New("no connection of the pool became free in time")
	// errResponseTooLarge: the results read so far reach the limit.
	errResponseTooLarge = errors.New("the results exceed the response limit")
)

// requestLevel reports whether e fails the whole request rather than its
// field: the database is gone, the request's time is up, the response
// too large. One outage is one answer, not a field error here and a 503
// there.
func requestLevel(e *wire.Error) bool {
	switch e.Code {
	case wire.CodeUnavailable, wire.CodeRequestTimeout, wire.CodeRequestCanceled, wire.CodeResponseTooLarge:
		return true
	}
	return false
}

// interrupted is the error of a request whose context ended: why it ended
// decides the code.
func interrupted(ctx context.Context) *wire.Error {
	cause := context.Cause(ctx)
	var timeout RequestTimeout
	switch {
	case errors.As(cause, &timeout):
		return &wire.Error{Message: fmt.Sprintf("The request did not finish within %v and was canceled.", timeout.After), Code: wire.CodeRequestTimeout}
	case errors.Is(cause, ErrShuttingDown):
		return unavailable("The server is shutting down; retry.")
	case errors.Is(cause, errPoolTimeout):
		return atCapacity()
	}
	return &wire.Error{Message: "The request was canceled by the client.", Code: wire.CodeRequestCanceled}
}

// atCapacity is the answer to a request that no connection (or pipeline)
// took within the pool timeout.
func atCapacity() *wire.Error {
	e := unavailable("The server is at capacity: no database connection became free in time; retry shortly.")
	e.Err = errPoolTimeout
	return e
}

// AtCapacity reports whether e is the answer to a request that no
// connection took in time: its database is busy, not unavailable.
func AtCapacity(e *wire.Error) bool { return errors.Is(e, errPoolTimeout) }

func unavailable(message string) *wire.Error {
	return &wire.Error{Message: message, Code: wire.CodeUnavailable}
}

// fault maps a database error to the error a client sees. Only what a
// client may act on is shown: a message a function raised on purpose
// (RAISE EXCEPTION, SQLSTATE P0001), the name of a violated constraint,
// "permission denied". Everything else is masked outside development mode
// as a generic message with the request id; the log has the details.
//
// The error keeps the database's own (Err, never shown): a trace reports
// its SQLSTATE.
func (x *Executor) fault(ctx context.Context, err error) *wire.Error {
	e := x.classify(ctx, err)
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && e.Err == nil {
		e.Err = pgErr
	}
	return e
}

// classify is fault's error, without the cause.
func (x *Executor) classify(ctx context.Context, err error) *wire.Error {
	if ctx.Err() != nil {
		return interrupted(ctx)
	}
	id := wire.RequestID(ctx)
	var tooLarge *pgproto3.ExceededMaxBodyLenErr
	if errors.As(err, &tooLarge) || errors.Is(err, errResponseTooLarge) {
		return &wire.Error{Message: fmt.Sprintf("The response would be larger than this server's limit of %d bytes; ask for fewer items or fields.", x.maxResponseBytes),
			Code: wire.CodeResponseTooLarge}
	}
	var pgErr *pgconn.PgError
	var connect *pgconn.ConnectError
	if errors.As(err, &connect) || !errors.As(err, &pgErr) {
		// No connection: whatever the server said (too many clients, the
		// role may not log in), the database is not to be had.
		x.log.LogAttrs(ctx, slog.LevelError, "database unavailable", slog.String("request_id", id), slog.String("error", err.Error()))
		e := unavailable("The database is unavailable; retry shortly.")
		if x.dev {
			e.Message += " " + err.Error()
		}
		return e
	}
	// Data errors (class 22) and constraint violations (23) quote the
	// offending values in their message and detail; the log must not.
	message := pgErr.Message
	class := pgErr.Code[:min(2, len(pgErr.Code))]
	if class == "22" || class == "23" {
		message = "(values withheld)"
	}
	x.log.LogAttrs(ctx, slog.LevelWarn, "database error", slog.String("request_id", id),
		slog.String("sqlstate", pgErr.Code), slog.String("message", message),
		slog.String("table", pgErr.SchemaName+"."+pgErr.TableName), slog.String("constraint", pgErr.ConstraintName))
	switch code := pgErr.Code; {
	case class == "08" || class == "53" || code == "57P01" || code == "57P02" || code == "57P03":
		// Connection failures, the server out of connections or memory,
		// a terminated backend, a server shutting down or starting.
		return unavailable("The database is unavailable; retry shortly.")
	case code == "P0001":
		return &wire.Error{Message: pgErr.Message, Code: wire.CodeBadUserInput, Extra: map[string]any{"sqlstate": code}}
	case code == "42501":
		e := &wire.Error{Message: "Permission denied.", Code: wire.CodeForbidden}
		if x.dev { // which privilege on what: what a developer fixes the grant with
			e.Message = "Permission denied: " + pgErr.Message + "."
		}
		return e
	case code == "23505" || code == "23514" || code == "23503" || code == "23502" || code == "23P01":
		e := &wire.Error{Message: fmt.Sprintf("The values violate the constraint %q.", pgErr.ConstraintName), Code: wire.CodeBadUserInput,
			Extra: map[string]any{"constraint": pgErr.ConstraintName}}
		switch {
		case code == "23502": // a NOT NULL violation names a column, not a constraint
			e.Message, e.Extra = fmt.Sprintf("A required value is missing: %q may not be null.", pgErr.ColumnName), map[string]any{"column": pgErr.ColumnName}
		case pgErr.ConstraintName == "": // raised by a function or trigger that named none
			e.Message, e.Extra = "The values violate a constraint.", nil
		}
		return e
	case code == "57014":
		return &wire.Error{Message: "The statement took longer than its statement_timeout and was canceled.", Code: wire.CodeTimeout}
	case class == "22":
		return &wire.Error{Message: "A value is not valid for the database: " + pgErr.Message + ".", Code: wire.CodeBadUserInput}
	}
	e := &wire.Error{Message: "Internal error; the server log has the details under this request id.", Code: wire.CodeInternal, Extra: map[string]any{"requestId": id}}
	if x.dev {
		e.Message = pgErr.Message
		e.Extra["sqlstate"] = pgErr.Code
		if pgErr.Detail != "" {
			e.Extra["detail"] = pgErr.Detail
		}
	}
	return e
}

// Fault is the error a client sees of err, a database error of a
// statement a resolver ran: as one of the plan's statements would be.
func (x *Executor) Fault(ctx context.Context, err error) *wire.Error { return x.fault(ctx, err) }

// sqlState is the SQLSTATE of err, or "".
func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}
