// Package runtime serves a compiled plan ([github.com/gqlplan/gqlplan/spec.Plan])
// as GraphQL over HTTP on PostgreSQL.
//
// A request flows through [Handler]: HTTP parameters and content
// negotiation and CORS (params.go, response.go, cors.go), the request's
// identity from its bearer token (package auth), a cheap scan of the document text and a cache of parsed and
// validated documents (scan.go, document.go), strict input coercion
// (coerce.go, scalars.go), planning of the root fields (request.go,
// collect.go) and SQL composition in which PostgreSQL builds each field's
// JSON: objects and documents (compose.go), the rows of a source with its
// relations and computed fields (rows.go), where inputs (filter.go), order
// and keyset cursors (order.go) and Relay connections (connection.go) —
// one statement per root field, however deep. execute.go runs a query's statements in one pipelined
// read-only transaction with a transaction-local role, the role's own
// settings, a statement timeout and jwt.claims.* settings — one network
// round trip — and mutations serially, each in a savepoint. The JSON
// PostgreSQL returns is written into the response without being decoded,
// except the claims of token operations, which are signed (token.go).
// limits.go holds what a request may cost, each limit with its own code.
//
// The design it follows is "The runtime request path" in DESIGN.md.
package runtime
