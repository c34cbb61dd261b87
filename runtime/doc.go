// Package runtime will serve a compiled plan ([github.com/gqlplan/gqlplan/spec.Plan])
// as GraphQL over HTTP on PostgreSQL: JWT verification, one transaction per
// request with a transaction-local role and jwt.claims.* settings, SQL
// composed from the plan with every value a bound parameter, and the
// response JSON built by PostgreSQL and written through.
//
// It holds no code yet; the design it follows is "The runtime request path"
// in the project's DESIGN.md.
package runtime
