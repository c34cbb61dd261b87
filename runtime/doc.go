// Package runtime serves a compiled plan ([github.com/gqlplan/gqlplan/spec.Plan])
// as GraphQL over HTTP on PostgreSQL.
//
// # A request's phases
//
// [Handler] takes an *http.Request through phases, each reading what the
// one before produced and nothing after it:
//
//   - HTTP: the GraphQL-over-HTTP parameters (GET or POST), content
//     negotiation, CORS and, at the end, the response.
//   - Identity: the bearer token, verified by package auth, gives the
//     request's role and claims.
//   - Document: a linear scan of the text against [Limits], then
//     gqlparser's parser and validator against the schema the plan's SDL
//     declares; the result, or its errors, is cached per distinct text.
//     This is the only phase that sees gqlparser's AST: it chooses the
//     operation, coerces the variables, collects the fields (fragments,
//     @skip, @include) and coerces every argument to its type, once,
//     into selections.
//   - Composition: each root field bound to a plan operation becomes one
//     SQL statement, however deep the selection, in which PostgreSQL
//     builds the field's JSON — objects, jsonb documents, relations,
//     computed fields, filters, orders, keyset cursors and Relay
//     connections. Identifiers come from the plan; every value is a
//     bound parameter. __schema and __type are answered from the schema
//     as declared, without SQL.
//   - Execution: a query's statements run in one pipelined read-only
//     transaction with a transaction-local role, the role's own settings,
//     a statement timeout and jwt.claims.* settings — one network round
//     trip; mutations run serially, each in a savepoint. Statements are
//     prepared once per connection and role.
//   - Response: the JSON PostgreSQL returned is copied into the body
//     without being decoded, except the claims of token operations, which
//     are signed first. Every failure is an [Error] with a code.
//
// The design it follows is "The runtime request path" in DESIGN.md.
package runtime
