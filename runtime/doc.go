// Package runtime serves a compiled plan ([github.com/gqlplan/gqlplan/spec.Plan])
// as GraphQL over HTTP on PostgreSQL.
//
// # A request's phases
//
// [Handler] takes an *http.Request through phases, each a package of its
// own under internal/ with one input and one output; data flows down
// once, and only the document phase sees gqlparser's AST:
//
//   - transport: the *http.Request gives the GraphQL-over-HTTP
//     parameters and the negotiated media type, or the response that
//     refuses it (CORS is answered before, by the Handler).
//   - identity: the bearer token, verified by package auth, gives the
//     request's role and claims.
//   - document: the text, operation name and variables give an
//     operation — chosen, its variables coerced, its fields collected,
//     every argument coerced — or request errors: a linear scan of the
//     text against [Limits], then gqlparser's parser and validator
//     against the schema the plan's SDL declares, cached per text.
//   - per root field: authorization (the claims it injects), then
//     sqlgen — the field and the claims give one SQL statement, however
//     deep, in which PostgreSQL builds the field's JSON, every value a
//     bound parameter — or introspection, answered from the schema as
//     declared without SQL.
//   - pgexec: the statements and the session give one result per
//     statement: a query's run in the implicit read-only transaction of
//     one pipeline with a transaction-local role, the role's own
//     settings (read at start, reloaded on NOTIFY or SIGHUP), a
//     statement timeout and jwt.claims.* settings — one network round
//     trip —, a mutation's serially, each in a savepoint. A query whose
//     connection died runs once more; a statement whose request ends is
//     canceled in PostgreSQL.
//   - response: the claims of token operations are signed, and the JSON
//     PostgreSQL returned is written to the client without being decoded
//     or copied, within the write timeout. Every failure is an [Error]
//     with a code; transport decides its HTTP status, one per class.
//
// Around them: the request timeout bounds the whole; nodeid encodes and
// decodes global ids (node types, Relay); ratelog keeps failure lines
// from flooding the log.
//
// The design it follows is "The runtime request path" and "Runtime
// layout" in DESIGN.md.
package runtime
