package pgexec

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// A constraint violation tells the client which constraint, when the
// error names one; a NOT NULL violation names a column, and a check a
// function or trigger raised may name nothing.
func TestConstraintViolationMessages(t *testing.T) {
	x := &Executor{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, c := range []struct {
		code, constraint, column, want string
	}{
		{"23505", "person_email_key", "", `The values violate the constraint "person_email_key".`},
		{"23514", "post_title_check", "", `The values violate the constraint "post_title_check".`},
		{"23502", "", "priority", `A required value is missing: "priority" may not be null.`},
		{"23514", "", "", "The values violate a constraint."},
		{"23503", "", "", "The values violate a constraint."},
	} {
		e := x.fault(context.Background(), &pgconn.PgError{Code: c.code, ConstraintName: c.constraint, ColumnName: c.column, Message: "value 42 is secret"})
		if e.Message != c.want || e.Code != "BAD_USER_INPUT" {
			t.Errorf("%s %q: %q [%s], want %q", c.code, c.constraint, e.Message, e.Code, c.want)
		}
		if _, named := e.Extra["constraint"]; named != (c.constraint != "") {
			t.Errorf("%s %q: extensions %v", c.code, c.constraint, e.Extra)
		}
	}
}
