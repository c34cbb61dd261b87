// Package decl is the in-memory model of gqlplan declarations: the operations,
// object types, input types and enums that a front end ([github.com/gqlplan/gqlplan/decl/yaml],
// and later Go source) reads from files, each node carrying the [Range] it was
// read from.
//
// The model records what was written, not what it means: type references are
// kept as text, defaults as raw YAML scalars, and nothing is validated beyond
// what the front end needs to build the tree. The compiler
// ([github.com/gqlplan/gqlplan/compiler]) checks the model and reports problems
// as [Diagnostic] values, the one diagnostic type shared by every phase.
package decl
