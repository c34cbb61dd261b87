package compiler

import (
	"fmt"
	"slices"

	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/spec"
)

// Interfaces and unions: a value of one is a row of one of several object
// types. Operations return them from sources whose rows name their type
// (type_column) and hold the key of a node type, which each row's object
// is read from (see operations returning them).

// abstractTypes builds the declared interfaces and unions, after the
// object types: an interface's possible types are those that implement
// it, each checked to have its fields.
func (c *checker) abstractTypes(plan *spec.Plan) {
	for _, name := range c.names {
		d := c.defs[name]
		switch d.kind {
		case kindInterface:
			plan.Interfaces = append(plan.Interfaces, c.interfaceType(d))
		case kindUnion:
			plan.Unions = append(plan.Unions, c.unionType(d))
		}
	}
	for i := range plan.Types {
		c.implements(&plan.Types[i], plan)
	}
}

func (c *checker) interfaceType(d *definition) spec.Interface {
	in := d.iface
	out := spec.Interface{Name: in.Name.Value, Description: text(in.Description), Fields: []spec.Field{}, PossibleTypes: []string{}}
	if len(in.Fields) == 0 {
		c.diags.Errorf(in.Name.Range, "empty-type", "interface %q has no fields", in.Name.Value)
	}
	for _, f := range in.Fields {
		if !c.checkName(f.Name, "field") {
			continue
		}
		what := fmt.Sprintf("field %s.%s", in.Name.Value, f.Name.Value)
		field := spec.Field{Name: f.Name.Value, Description: text(f.Description), Deprecated: text(f.Deprecated)}
		if ref := c.resolveType(f.Type, false, what); ref != nil {
			field.Type = ref.String()
		}
		out.Fields = append(out.Fields, field)
	}
	return out
}

func (c *checker) unionType(d *definition) spec.Union {
	u := d.union
	out := spec.Union{Name: u.Name.Value, Description: text(u.Description), PossibleTypes: []string{}}
	if len(u.Types) == 0 {
		c.diags.Errorf(u.Name.Range, "invalid-union-member", "union %q has no types; list its object types under \"types\"", u.Name.Value)
	}
	for _, t := range u.Types {
		m := c.defs[t.Value]
		switch {
		case m == nil:
			c.diags.Errorf(t.Range, "invalid-union-member", "union %s: unknown type %q%s", u.Name.Value, t.Value, decl.DidYouMean(t.Value, c.names))
		case m.kind != kindObject:
			c.diags.Errorf(t.Range, "invalid-union-member", "union %s: %s %q is not an object type; a union's members are object types", u.Name.Value, m.kind, t.Value)
		case slices.Contains(out.PossibleTypes, t.Value):
			c.diags.Errorf(t.Range, "invalid-union-member", "union %s lists %s twice", u.Name.Value, t.Value)
		default:
			out.PossibleTypes = append(out.PossibleTypes, t.Value)
		}
	}
	slices.Sort(out.PossibleTypes)
	return out
}

// implements checks the interfaces of t's declaration and records them:
// each is a declared interface, and t has each of its fields with a type
// that may stand for the interface's.
func (c *checker) implements(t *spec.ObjectType, plan *spec.Plan) {
	d := c.defs[t.Name]
	if d == nil || d.object == nil {
		return
	}
	var names []string
	for _, in := range d.object.Implements {
		def := c.defs[in.Value]
		switch {
		case in.Value == spec.NodeInterface:
			c.diags.Errorf(in.Range, "invalid-implements", "type %s implements Node by being a node: declare node: <table or view> instead", t.Name)
			continue
		case def == nil:
			c.diags.Errorf(in.Range, "invalid-implements", "type %s implements unknown interface %q%s", t.Name, in.Value, decl.DidYouMean(in.Value, c.names))
			continue
		case def.kind != kindInterface:
			c.diags.Errorf(in.Range, "invalid-implements", "type %s implements %s %q, which is not an interface", t.Name, def.kind, in.Value)
			continue
		case slices.Contains(names, in.Value):
			c.diags.Errorf(in.Range, "invalid-implements", "type %s implements %s twice", t.Name, in.Value)
			continue
		}
		names = append(names, in.Value)
		iface := interfaceNamed(plan, in.Value)
		for _, want := range iface.Fields {
			got := fieldNamed(t, want.Name)
			switch {
			case got == nil:
				c.diags.Errorf(in.Range, "interface-field", "type %s implements %s but has no field %s: %s", t.Name, in.Value, want.Name, want.Type)
			case !c.validImplementation(got.Type, want.Type):
				c.diags.Errorf(in.Range, "interface-field", "type %s implements %s, whose field %s is %s; the type's %s (%s) cannot stand for it", t.Name, in.Value, want.Name, want.Type, want.Name, got.Type)
			}
		}
		iface.PossibleTypes = append(iface.PossibleTypes, t.Name)
		slices.Sort(iface.PossibleTypes)
	}
	t.Interfaces = append(names, t.Interfaces...)
}

// validImplementation is the GraphQL rule for an object field of type got
// implementing an interface field of type want: the same type, a non-null
// version of it, a list of valid element types, or an object type of the
// interface or union want names.
func (c *checker) validImplementation(got, want string) bool {
	g, err1 := spec.ParseTypeRef(got)
	w, err2 := spec.ParseTypeRef(want)
	if err1 != nil || err2 != nil {
		return true // reported where the types were written
	}
	var valid func(g, w *spec.TypeRef) bool
	valid = func(g, w *spec.TypeRef) bool {
		if w.NonNull && !g.NonNull {
			return false
		}
		if (g.Elem == nil) != (w.Elem == nil) {
			return false
		}
		if g.Elem != nil {
			return valid(g.Elem, w.Elem)
		}
		if g.Name == w.Name {
			return true
		}
		if d := c.defs[w.Name]; d != nil && d.kind.isAbstract() {
			return c.isMember(g.Name, w.Name)
		}
		return false
	}
	return valid(g, w)
}

// isMember reports whether object type name is one of abstract type's.
func (c *checker) isMember(name, abstract string) bool {
	d := c.defs[abstract]
	switch {
	case d == nil:
		return false
	case d.union != nil:
		return slices.ContainsFunc(d.union.Types, func(t decl.Text) bool { return t.Value == name })
	case d.iface != nil:
		if o := c.defs[name]; o != nil && o.object != nil {
			return slices.ContainsFunc(o.object.Implements, func(t decl.Text) bool { return t.Value == abstract })
		}
	}
	return false
}

// possibleTypes are the object types a value of abstract type name may be.
func (c *checker) possibleTypes(name string) []string {
	var out []string
	for _, n := range c.names {
		if d := c.defs[n]; d.kind == kindObject && c.isMember(n, name) {
			out = append(out, n)
		}
	}
	return out
}

func interfaceNamed(plan *spec.Plan, name string) *spec.Interface {
	for i := range plan.Interfaces {
		if plan.Interfaces[i].Name == name {
			return &plan.Interfaces[i]
		}
	}
	return nil
}

// abstractOperation checks a query returning an interface or a union (or
// a list of one): it reads a table or view whose rows name their type in
// type_column (default: typename) and hold the key columns of that type,
// each possible type being a node, whose row is read from its node source.
func (c *checker) abstractOperation(op declaredOp, out *spec.Operation, returns *spec.TypeRef, what string) {
	name := returns.Named()
	switch {
	case op.Kind == decl.Mutation || out.Source.Kind != spec.SourceRelation || out.Source.Shape != spec.ShapeColumns:
		c.diags.Errorf(op.Returns.Range, "abstract-type-use", "%s returns %s %s, which only a query reading a table or view (columns shape) may", what, c.kindOf(returns), name)
		return
	case returns.Depth() > 1:
		return // invalid-returns
	}
	for _, member := range c.possibleTypes(name) {
		if !c.isNodeType(member) {
			c.diags.Errorf(op.Returns.Range, "abstract-type-use", "%s returns %s, whose type %s is not a node: each row's object is read by its key from its node source; add node: <table or view> to type %s", what, name, member, member)
		}
	}
	column, at := "typename", op.Name.Range
	if op.TypeColumn != nil {
		column, at = op.TypeColumn.Value, op.TypeColumn.Range
	}
	if quoted, ok := c.checkSQLIdent(column, at, "type_column of "+what); ok {
		out.TypeColumn = &spec.ColumnRef{Column: column, SQL: quoted}
	}
}
