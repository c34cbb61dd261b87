// Package cli is the gqlplan command line: one kong struct per command, each
// with a Run method that returns an error. [Main] parses an argument list
// and runs it in-process against the given [Env], which is how both
// cmd/gqlplan and the tests call it.
//
// Exit codes: 0 clean (warnings allowed), 1 diagnostics with errors, 2 usage
// or I/O errors. Usage and I/O errors are one line on stderr, never a stack.
package cli
