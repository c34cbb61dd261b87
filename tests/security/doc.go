// Package security attacks a running gqlplan handler over a real
// PostgreSQL: forged and malformed tokens, role escalation, inject
// overrides, SQL metacharacters, document bombs and malformed HTTP. Each
// case asserts the status, the error code, that no SQL ran (or that the
// database is unchanged), and that the response leaks nothing.
package security
