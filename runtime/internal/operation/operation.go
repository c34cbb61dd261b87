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
	// Uses are the variables that decided the fields and, once they are
	// composed, the SQL.
	Uses *Uses
	// Cost is what the operation could return (see document's checkCost;
	// 0 when the server sets no bound): a batch's operations share one
	// bound.
	Cost int64
}

// Field is one response key of a selection set: the fields of the
// document that share it, merged (validation made sure they are the same
// field with the same arguments).
type Field struct {
	Key, Name string
	// Args are the coerced arguments: every argument given or with a
	// default; one neither given nor defaulted is absent.
	Args     Args
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

// Args are a field's coerced arguments, read in one of two ways, so that
// what a request's statement was composed from is known (see Uses):
// Value, for a value that decides something — the SQL's shape, a check,
// a cost; Bound, for a value only bound as a parameter of the SQL, which
// another request may change without changing the SQL.
type Args struct {
	values map[string]any
	// vars names, for an argument whose whole value is a variable, that
	// variable.
	vars map[string]string
	uses *Uses
}

// NewArgs are the arguments values, of which those in vars are whole
// variables; reads are recorded on uses (nil: not recorded).
func NewArgs(values map[string]any, vars map[string]string, uses *Uses) Args {
	return Args{values: values, vars: vars, uses: uses}
}

// Value is the argument name, which decides something: a variable that
// is its value is recorded as deciding.
func (a Args) Value(name string) (any, bool) {
	v, ok := a.values[name]
	if x, isVar := a.vars[name]; isVar {
		a.uses.decide(x)
	}
	return v, ok
}

// Bound is the argument name, which is only bound as a parameter, and
// the variable that is its whole value ("" when it is a literal or a
// default: then it cannot change without the document).
func (a Args) Bound(name string) (value any, variable string, ok bool) {
	v, ok := a.values[name]
	return v, a.vars[name], ok
}

// Map is every argument, by name, read as deciding (they go to Go code,
// which may do anything with them).
func (a Args) Map() map[string]any {
	out := make(map[string]any, len(a.values))
	for name := range a.values {
		out[name], _ = a.Value(name)
	}
	return out
}

// WithArg is a copy of f whose argument name is value, a literal.
func (f *Field) WithArg(name string, value any) *Field {
	c := *f
	c.Args = f.Args.With(name, value)
	return &c
}

// With is a copy of a with argument name set to value, a literal.
func (a Args) With(name string, value any) Args {
	values := make(map[string]any, len(a.values)+1)
	for k, v := range a.values {
		values[k] = v
	}
	values[name] = value
	vars := make(map[string]string, len(a.vars))
	for k, v := range a.vars {
		if k != name {
			vars[k] = v
		}
	}
	return Args{values: values, vars: vars, uses: a.uses}
}

// Has reports whether the argument is given (or defaulted): a variable's
// presence is part of what a reused statement must match anyway.
func (a Args) Has(name string) bool {
	_, ok := a.values[name]
	return ok
}

// Uses records which variables decided an operation's shape: those read
// by Args.Value or used in a directive or inside a literal. The others —
// free — reach the SQL only as bound parameters (or not at all), so a
// statement composed for one request serves another that differs in
// them, once it rebinds them; whether each is given, and null, must
// match too (presence decides what is called, null what is filtered).
type Uses struct {
	decided map[string]bool
	sealed  bool
}

// ForgetFreeValues drops, everywhere in op's fields, the values of
// arguments that are a free variable (one no Value read decided on):
// once op is composed, nothing reads them, and a request reusing op binds
// its own. A kept operation then holds no client's bound values.
func (op *Operation) ForgetFreeValues() {
	var walk func([]*Field)
	walk = func(fields []*Field) {
		for _, f := range fields {
			for arg, variable := range f.Args.vars {
				if !op.Uses.Decided(variable) {
					f.Args.values[arg] = nil
				}
			}
			walk(f.Children)
			for _, children := range f.ByType {
				walk(children)
			}
		}
	}
	walk(op.Fields)
}

// NewUses starts recording.
func NewUses() *Uses { return &Uses{decided: map[string]bool{}} }

func (u *Uses) decide(variable string) {
	if u != nil && !u.sealed {
		u.decided[variable] = true
	}
}

// Decide records that variable decided something.
func (u *Uses) Decide(variable string) { u.decide(variable) }

// Decided reports whether variable decided something.
func (u *Uses) Decided(variable string) bool { return u != nil && u.decided[variable] }

// Seal stops recording: the operation is about to be shared by requests,
// which read it concurrently.
func (u *Uses) Seal() {
	if u != nil {
		u.sealed = true
	}
}
