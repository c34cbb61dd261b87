// Package operation is what the document phase decides about a request,
// in types of its own: an [Operation] — query or mutation, its name — and
// its root [Field]s, each with its arguments coerced to their types, its
// collected and merged sub-selections and its position in the document.
// Composition, introspection and execution read these; none of them sees
// a GraphQL AST.
package operation

import "github.com/gqlplan/gqlplan/runtime/internal/wire"

// Kind is the type of an operation.
type Kind int

const (
	Query Kind = iota
	Mutation
	Subscription
)

// Operation is one operation ready to run.
type Operation struct {
	Kind   Kind
	Name   string   // "" for an anonymous operation
	Fields []*Field // the root fields, collected
}

// Field is one response key of a selection set: the fields of the
// document that share it, merged (validation made sure they are the same
// field with the same arguments).
type Field struct {
	Key, Name string
	// Args are the coerced arguments: every argument given or with a
	// default; one neither given nor defaulted is absent.
	Args     map[string]any
	Children []*Field
	// ByType, for a field of an interface type, is its sub-selection as
	// each type implementing it sees it (fragments on that type and on
	// the interface); Children is then nil.
	ByType map[string][]*Field
	Loc    wire.Location
	// Err is set on a root field whose arguments, anywhere beneath it, do
	// not coerce: a field error; the other root fields still run.
	Err *wire.Error
}
