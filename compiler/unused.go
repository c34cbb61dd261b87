package compiler

import (
	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/spec"
)

// warnUnused warns about types no operation can reach: they are in the
// schema but no client can ever receive or send them, which usually means a
// misspelled reference or a leftover.
func (c *checker) warnUnused(queries, mutations []declaredOp) {
	reached := map[string]bool{}
	var visit func(typ string)
	visit = func(typ string) {
		ref, err := spec.ParseTypeRef(typ)
		if err != nil {
			return
		}
		name := ref.Named()
		d, ok := c.defs[name]
		if !ok || reached[name] {
			return
		}
		reached[name] = true
		var fields []*decl.Field
		switch d.kind {
		case kindObject:
			fields = d.object.Fields
			for _, in := range d.object.Implements {
				visit(in.Value)
			}
		case kindInput:
			fields = d.input.Fields
		case kindInterface, kindUnion: // a value may be any of their types
			if d.iface != nil {
				fields = d.iface.Fields
			}
			for _, member := range c.possibleTypes(name) {
				visit(member)
			}
		}
		for _, f := range fields {
			visit(f.Type.Value)
		}
	}
	for _, name := range c.names { // node(id:) returns any node
		if c.isNodeType(name) {
			visit(name)
		}
	}
	for _, op := range append(queries, mutations...) {
		if op.Returns != nil {
			visit(op.Returns.Value)
		}
		for _, a := range op.Args {
			visit(a.Type.Value)
		}
	}
	for _, name := range c.names {
		if d := c.defs[name]; d.kind != kindScalar && !reached[name] {
			c.diags.Warnf(d.name.Range, "unused-type", "%s %q is not used by any query or mutation", d.kind, name)
		}
	}
}
