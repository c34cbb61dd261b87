package document

import (
	"crypto/sha256"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
)

// A trusted document (compile --documents) is checked before any request
// sends it, by the code that will read its requests: the text limits,
// the parser, the validator, and — for an operation without variables,
// whose fields no request can change — collection, every argument
// coerced and the cost counted. An operation with variables is collected
// per request, its values known then.

// Checked is what Check found of a document.
type Checked struct {
	Operations []CheckedOperation
	// Faults are the request errors its requests would get, each where
	// it is in the text (no Locations: the document's or the
	// operation's start).
	Faults []Fault
}

// CheckedOperation is one operation of a document.
type CheckedOperation struct {
	Name string
	Kind operation.Kind
	Line int
	Col  int
	// RootFields are the names of its root fields, fragments expanded.
	RootFields []string
	// Collected is the operation collected, when it has no variables
	// and collecting it found no fault; nil otherwise.
	Collected *operation.Operation
}

// Fault is an error of a document, and the operation it is in ("": the
// document as a whole).
type Fault struct {
	Operation string
	*wire.Error
}

// Check checks text as a trusted document (see above); it is not cached.
func (d *Documents) Check(text string) Checked {
	doc := d.load(text)
	var out Checked
	if doc.errs != nil {
		for _, e := range doc.errs {
			out.Faults = append(out.Faults, Fault{Error: e})
		}
		return out
	}
	for _, op := range doc.ast.Operations {
		r := &Request{Name: op.Name, ast: doc.ast, op: op}
		switch op.Operation {
		case ast.Mutation:
			r.Kind = operation.Mutation
		case ast.Subscription:
			r.Kind = operation.Subscription
		}
		out.Operations = append(out.Operations, CheckedOperation{Name: op.Name, Kind: r.Kind, Line: op.Position.Line, Col: op.Position.Column,
			RootFields: rootFields(doc.ast, op.SelectionSet, map[string]bool{})})
		if len(op.VariableDefinitions) > 0 {
			continue
		}
		collected, errs := build(d.index, r, d.limits)
		if errs == nil {
			out.Operations[len(out.Operations)-1].Collected = collected
		}
		if errs != nil {
			for _, e := range errs {
				if len(e.Locations) == 0 {
					e.Locations = []wire.Location{{Line: op.Position.Line, Column: op.Position.Column}}
				}
				out.Faults = append(out.Faults, Fault{Operation: op.Name, Error: e})
			}
		}
	}
	return out
}

// rootFields are the names of the fields set selects, fragments expanded,
// each once, in order.
func rootFields(doc *ast.QueryDocument, set ast.SelectionSet, seen map[string]bool) []string {
	var out []string
	for _, sel := range set {
		var more []string
		switch sel := sel.(type) {
		case *ast.Field:
			more = []string{sel.Name}
		case *ast.InlineFragment:
			more = rootFields(doc, sel.SelectionSet, seen)
		case *ast.FragmentSpread:
			if f := doc.Fragments.ForName(sel.Name); f != nil && !seen["..."+sel.Name] {
				seen["..."+sel.Name] = true
				more = rootFields(doc, f.SelectionSet, seen)
			}
		}
		for _, name := range more {
			if !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	return out
}

// IntrospectionOnly reports whether the operation named name (or the only
// one) of text asks for nothing but __schema, __type and __typename: what
// a server serving trusted documents only may still answer. The text is
// read as a request's would be (limits, parser, validator; cached).
func (d *Documents) IntrospectionOnly(text, name string) bool {
	doc := d.get(text, sha256.Sum256([]byte(text)))
	if doc.errs != nil {
		return false
	}
	op, e := selectOperation(doc.ast, name)
	if e != nil || op.Operation != ast.Query {
		return false
	}
	fields := rootFields(doc.ast, op.SelectionSet, map[string]bool{})
	for _, f := range fields {
		if f != "__schema" && f != "__type" && f != "__typename" {
			return false
		}
	}
	return len(fields) > 0
}

// Coordinates are what text selects, validated: each field as
// "Type.field" (root fields under Query, Mutation, Subscription) and each
// type whose fields it selects, fragments expanded; nil when it is not
// valid.
func (d *Documents) Coordinates(text string) []string {
	doc := d.get(text, sha256.Sum256([]byte(text)))
	if doc.errs != nil {
		return nil
	}
	seen := map[string]bool{}
	var walk func(set ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				if sel.ObjectDefinition != nil {
					seen[sel.ObjectDefinition.Name] = true
					seen[sel.ObjectDefinition.Name+"."+sel.Name] = true
				}
				walk(sel.SelectionSet)
			case *ast.InlineFragment:
				walk(sel.SelectionSet)
			case *ast.FragmentSpread:
				if f := doc.ast.Fragments.ForName(sel.Name); f != nil && !seen["..."+sel.Name] {
					seen["..."+sel.Name] = true
					walk(f.SelectionSet)
				}
			}
		}
	}
	for _, op := range doc.ast.Operations {
		walk(op.SelectionSet)
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		if !strings.HasPrefix(c, "...") {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}
