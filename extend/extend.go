// Package extend is how a server adds what SQL cannot do, in Go:
// resolvers, registered by name, for the operations and fields its
// declarations mark "resolver: <name>". It is PostGraphile's
// makeExtendSchemaPlugin (seed 003) for gqlplan: a field computed from
// columns of its row (requires), batched over every row of a request; an
// operation run in the request's own transaction — the same connection,
// role and jwt.claims.* settings as the SQL fields, inside a SAVEPOINT
// for a mutation — that has side effects, or picks rows by key and lets
// the server read whatever the client selected beneath them, as SQL, in
// one statement (look-ahead).
//
// A server binary is a main.go of a few lines (see package
// extend/server):
//
//	func main() {
//		server.Main(extend.Resolvers{
//			Operations: map[string]extend.OperationFunc{"registerUser": registerUser},
//			Fields:     map[string]extend.FieldFunc{"priceInAuCents": priceInAuCents},
//		})
//	}
//
// It runs the gqlplan command line — serve with every flag and variable,
// compile, check — with these resolvers; serve refuses a plan naming a
// resolver the binary does not have. The README's "Extending the API in
// Go" section starts a server of one's own from an empty directory and
// walks through examples/extend.
//
// # Values
//
// A resolver is given values in one convention, wherever they come from
// — its arguments, a parent's required columns, the token's claims:
// numbers as json.Number (n.Int64(), n.Float64(); no digit is lost),
// strings, bools, nil, []any and map[string]any; an enum by its GraphQL
// name; a JSON argument decoded; an argument or input field declared with
// node (a global id) as a [NodeID] whose type the server has checked. What
// it gives back is checked against the field's type as graphql-js
// completes a value: a name that is no value of the enum, or a string for
// an Int, is an error at the field's path, never output.
package extend

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Resolvers are a server's resolvers, by the names declarations give.
type Resolvers struct {
	Operations map[string]OperationFunc
	Fields     map[string]FieldFunc
}

// Has reports whether r registers a resolver named name.
func (r Resolvers) Has(name string) bool {
	_, op := r.Operations[name]
	_, field := r.Fields[name]
	return op || field
}

// OperationFunc runs a query or mutation: args are its arguments, coerced
// to their types and given as the package doc's Values say; its Result is
// the field's value.
type OperationFunc func(ctx context.Context, req *Request, args map[string]any) (Result, error)

// FieldFunc computes a field for every row of a request that selects it,
// in one call: it returns one value per parent, in order — a Go value for
// a scalar or an enum field (nil for null), or, for an object field
// declared with sql_source, the Rows or Where of that source's rows for
// the parent, which the server reads with the client's selection beneath
// (the keys of every parent in one statement).
type FieldFunc func(ctx context.Context, req *Request, parents []Parent) ([]any, error)

// Parent is one row a field resolver computes its field for.
type Parent struct {
	// Requires are the columns the declaration requires, by column name,
	// as PostgreSQL's JSON gives them (numbers as json.Number, an enum
	// column by its SQL label).
	Requires map[string]any
	// Args are the field's arguments at this place in the document, as
	// an operation's are given.
	Args map[string]any
}

// Request is what a resolver knows of the request it serves.
type Request struct {
	ID     string         // the request id, as in the logs and X-Request-Id
	Role   string         // the role the transaction runs as
	Claims map[string]any // the verified token's claims (nil: anonymous), numbers as json.Number; read only
	// Tx is the request's transaction: the role and settings are set, Row
	// Level Security applies. A resolver must not commit or roll it back
	// (nor release the savepoint it runs in): the server fails the
	// request if one does.
	Tx Tx
}

// Tx is the request's transaction, as pgx's.
type Tx interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	// Savepoint runs fn inside a savepoint of its own (seed 003's
	// SAVEPOINT / ROLLBACK TO / RELEASE, which a resolver may not send
	// itself): when fn returns an error, or a statement of fn failed,
	// what fn did is rolled back and fn's error returned, and the
	// transaction goes on; otherwise what it did is kept. So a resolver
	// can try a statement, recover and go on. Savepoints nest.
	Savepoint(ctx context.Context, fn func(tx Tx) error) error
}

// Result is an operation's value: a Go value (Value), the keys of rows of
// its sql_source (Rows), or an object of such results (Object).
type Result struct {
	kind   resultKind
	value  any
	keys   []any
	where  string
	fields map[string]Result
}

type resultKind int

const (
	valueResult resultKind = iota
	rowsResult
	whereResult
	objectResult
)

// Value is a result given as a Go value, encoded as JSON: for an
// operation returning a scalar, an enum (by name) or a list of them.
func Value(v any) Result { return Result{kind: valueResult, value: v} }

// Rows is a result of the rows of the operation's (or the look-ahead
// field's) sql_source with these keys: the server reads what the client
// selected of them, as one statement, RLS applying. A single object is
// the first row found (null when none); a list or a connection holds the
// rows in the order of keys; a key with no visible row is left out.
func Rows(keys ...any) Result { return Result{kind: rowsResult, keys: keys} }

// Where is a result of the rows of the operation's (or the look-ahead
// field's) sql_source for which condition holds: SQL over the source's
// columns, unqualified, with $1, $2, … bound to args, as pgx binds them
// (queryBuilder.where of seed 003). The server reads the rows with the
// client's selection, as one statement, RLS applying; the condition is
// your code's, never a client's.
func Where(condition string, args ...any) Result {
	return Result{kind: whereResult, where: condition, keys: args}
}

// Object is the result of an operation returning an object type that no
// table or view holds (a payload): a Result per field — Value for a
// scalar or enum field, Rows for a field declared with sql_source. A
// selected field missing from fields is null.
func Object(fields map[string]Result) Result { return Result{kind: objectResult, fields: fields} }

// IsRows reports whether r is a Rows result, and its keys.
func (r Result) IsRows() ([]any, bool) { return r.keys, r.kind == rowsResult }

// IsWhere reports whether r is a Where result, and its condition and
// arguments.
func (r Result) IsWhere() (condition string, args []any, ok bool) {
	return r.where, r.keys, r.kind == whereResult
}

// IsObject reports whether r is an Object result, and its fields.
func (r Result) IsObject() (map[string]Result, bool) { return r.fields, r.kind == objectResult }

// IsValue reports whether r is a Value result, and its value.
func (r Result) IsValue() (any, bool) { return r.value, r.kind == valueResult }

// Error is an error a resolver returns to be shown to the client, with a
// code (BAD_USER_INPUT, FORBIDDEN, or one of the application's own).
// A database error (a *pgconn.PgError, wrapped or not) is shown as the
// same error of a declared SQL operation is: a violated constraint is
// BAD_USER_INPUT naming it (extensions.constraint), a missing privilege
// or a row security policy FORBIDDEN, a RAISE EXCEPTION its message.
// Any other error is reported as INTERNAL_SERVER_ERROR, its message
// logged and not shown (unless the server runs with --dev).
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf is an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
