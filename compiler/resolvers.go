package compiler

import (
	"fmt"

	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/spec"
)

// Resolvers are what SQL cannot do, written in Go and registered by name
// with a server built on package extend: an operation run in the
// request's transaction, which either picks rows by key of a table or
// view (the selection beneath is read from it: look-ahead) or gives the
// value itself; and a field computed from columns of its row, batched
// over the rows of a request. The compiler checks the names, the types
// and, with a database, the columns; that a server has each resolver is
// checked when it loads the plan.

// resolverOperation checks an operation run by a resolver and completes
// out, whose name, description, roles and result are set.
func (c *checker) resolverOperation(op declaredOp, out *spec.Operation, returns *spec.TypeRef, what string) {
	out.Resolver = c.resolverName(*op.Resolver, what)
	for _, bad := range []struct {
		set  bool
		at   decl.Range
		what string
	}{
		{len(op.Inject) > 0, injectRange(op.Operation), "inject (a resolver is given the request's claims)"},
		{op.Token != nil && op.Token.Value, rangeOf(op.Token), "token"},
		{op.TypeColumn != nil, textRange(op.TypeColumn), "type_column"},
		{op.SourceKind != nil, textRange(op.SourceKind), "source_kind (a resolver's rows come from a table or view)"},
		{op.Shape != nil, textRange(op.Shape), "shape"},
	} {
		if bad.set {
			c.diags.Errorf(bad.at, "invalid-resolver", "%s is run by resolver %q, so it cannot set %s", what, out.Resolver, bad.what)
		}
	}
	for _, a := range op.Args {
		argWhat := fmt.Sprintf("argument %q of %s", a.Name.Value, what)
		if !c.checkName(a.Name, "argument") {
			continue
		}
		out.Args = append(out.Args, c.inputValue(a.Name, a.Type, a.Description, a.Default, argWhat))
		switch {
		case a.Filter != nil:
			c.diags.Errorf(a.Filter.Range, "invalid-resolver", "%s has a filter, but the arguments of a resolver's operation are passed to the resolver", argWhat)
		case a.Param != nil:
			c.diags.Errorf(a.Param.Range, "invalid-resolver", "%s has a param, but the arguments of a resolver's operation are passed to the resolver", argWhat)
		case a.Node != nil:
			out.Args[len(out.Args)-1].Node = c.nodeID(a.Node, a.Type, argWhat)
		}
	}
	if op.SQLSource == nil {
		out.Source = spec.Source{Kind: spec.SourceResolver, Shape: spec.ShapeColumns}
		if l := op.List; l.OrderBy != nil || l.Limit != nil || l.Connection != nil || l.Filterable != nil || l.Sortable != nil {
			c.diags.Errorf(op.Name.Range, "invalid-resolver", "%s is run by resolver %q without sql_source, so its value is the resolver's: it has no order_by, limit, connection, filterable or sortable; give it sql_source to page rows the resolver picks", what, out.Resolver)
		}
		if returns != nil && c.kindOf(returns).isAbstract() {
			c.diags.Errorf(op.Returns.Range, "abstract-type-use", "%s is run by a resolver and returns %s, an interface or union; a resolver's operation returns an object, a scalar or an enum", what, returns.Named())
		}
		if returns != nil && c.kindOf(returns) == kindObject {
			c.lookaheadsInCatalog(returns.Named(), what, c.cat != nil && c.checksRole(out))
		}
		return
	}
	src := spec.Source{Kind: spec.SourceRelation, Shape: spec.ShapeColumns}
	if q, ok := c.qualifiedName(*op.SQLSource, op.file, "sql_source"); ok {
		src.Schema, src.Name, src.SQL = q.Schema, q.Name, q.SQL
	}
	out.Source = src
	if returns == nil || c.kindOf(returns) != kindObject {
		if returns != nil {
			c.diags.Errorf(op.Returns.Range, "invalid-returns", "%s is run by resolver %q, which picks rows of %s, so it returns an object type, not %s %q", what, out.Resolver, src.Name, c.kindOf(returns), returns.Named())
		}
		return
	}
	if key, ok := c.typeKey(returns.Named(), op.Returns.Range, "resolver", what); ok && len(key) != 1 {
		c.diags.Errorf(op.Returns.Range, "invalid-resolver", "%s: resolver %q picks rows of %s by key, which must be one column; %s's key has %d", what, out.Resolver, returns.Named(), returns.Named(), len(key))
	}
	c.operationListing(op, out, listSite{what: what, list: out.List || op.List.Connection != nil, shape: src.Shape, node: returns.Named()})
	if c.cat != nil {
		c.checkSourceInCatalog(op, out, nil, nil, returns, what)
	}
}

// nodeID checks node, the node type that an argument or input field of
// type typ given to a resolver is a global id of: a node type, and typ
// names ID (a list of ids too). It returns the type's name, or "".
func (c *checker) nodeID(node *decl.Text, typ decl.Text, what string) string {
	if node == nil {
		return ""
	}
	target := node.Value
	if !c.isNodeType(target) {
		c.diags.Errorf(node.Range, "invalid-node-arg", "%s is a global id of %q, which is not a node type%s", what, target, decl.DidYouMean(target, c.nodeTypeNames()))
		return ""
	}
	if ref, err := spec.ParseTypeRef(typ.Value); err == nil && ref != nil && ref.Named() != "ID" {
		c.diags.Errorf(typ.Range, "invalid-node-arg", "%s is a global id of %s, so its type is ID (or a list of ids), not %s", what, target, typ.Value)
		return ""
	}
	return target
}

// checkNodeInputsReachResolvers reports an input field that is a global
// id (node) in an input type a SQL operation takes: the id is decoded for
// a resolver; SQL would be given it as it was sent.
func (c *checker) checkNodeInputsReachResolvers(plan *spec.Plan) {
	inputs := map[string]*spec.InputType{}
	for i := range plan.Inputs {
		inputs[plan.Inputs[i].Name] = &plan.Inputs[i]
	}
	reported := map[string]bool{}
	var walk func(typ string, seen map[string]bool, op string)
	walk = func(typ string, seen map[string]bool, op string) {
		ref, err := spec.ParseTypeRef(typ)
		if err != nil {
			return
		}
		in := inputs[ref.Named()]
		if in == nil || seen[in.Name] {
			return
		}
		seen[in.Name] = true
		for _, f := range in.Fields {
			if f.Node != "" && !reported[in.Name+"."+f.Name] {
				reported[in.Name+"."+f.Name] = true
				if at, ok := c.inputFieldNode(in.Name, f.Name); ok {
					c.diags.Errorf(at, "invalid-node-arg", "input field %s.%s is a global id decoded for resolvers, but %s passes %s to SQL; take it in a resolver's operation, or declare the field without node", in.Name, f.Name, op, in.Name)
				}
			}
			walk(f.Type, seen, op)
		}
	}
	for _, ops := range [][]spec.Operation{plan.Queries, plan.Mutations, plan.Subscriptions} {
		for _, op := range ops {
			if op.Resolver != "" {
				continue
			}
			for _, a := range op.Args {
				walk(a.Type, map[string]bool{}, "operation "+op.Name)
			}
		}
	}
	for _, t := range plan.Types {
		for _, f := range t.Fields {
			if f.Resolver != "" {
				continue
			}
			for _, a := range f.Args {
				walk(a.Type, map[string]bool{}, "field "+t.Name+"."+f.Name)
			}
		}
	}
}

// inputFieldNode is where input field name of input typ declares node.
func (c *checker) inputFieldNode(typ, name string) (decl.Range, bool) {
	if d := c.defs[typ]; d != nil && d.input != nil {
		for _, f := range d.input.Fields {
			if f.Name.Value == name && f.Node != nil {
				return f.Node.Range, true
			}
		}
	}
	return decl.Range{}, false
}

// resolverField checks a field computed by a resolver from columns of its
// row: a scalar or an enum (or a list of them), or — with sql_source —
// an object type (or a list of one) whose rows the resolver picks, read
// with the client's selection; its arguments.
func (c *checker) resolverField(d *definition, f *decl.Field, ref *spec.TypeRef, out *spec.Field, what string) {
	out.Resolver = c.resolverName(*f.Resolver, what)
	switch {
	case ref == nil:
	case c.kindOf(ref) == kindObject && f.SQLSource != nil:
		out.Lookahead = c.lookaheadField(d, f, ref, what)
	case c.kindOf(ref) == kindObject:
		c.diags.Errorf(f.Type.Range, "invalid-resolver", "%s is computed by resolver %q and is of object type %s: give it sql_source, the table or view whose rows the resolver picks", what, out.Resolver, ref.Named())
	case c.kindOf(ref) != kindScalar && c.kindOf(ref) != kindEnum:
		c.diags.Errorf(f.Type.Range, "invalid-resolver", "%s is computed by resolver %q, which gives a scalar or an enum (or a list of them), or rows of its sql_source, not %s %q", what, out.Resolver, c.kindOf(ref), ref.Named())
	case f.SQLSource != nil:
		c.diags.Errorf(f.SQLSource.Range, "invalid-resolver", "%s is computed by resolver %q and is of type %s, a value: sql_source is for an object type's rows", what, out.Resolver, ref.Named())
	}
	for _, col := range f.Requires {
		if quoted, ok := c.checkSQLIdent(col.Value, col.Range, "required column of "+what); ok {
			out.Requires = append(out.Requires, spec.ColumnRef{Column: col.Value, SQL: quoted})
		}
	}
	for _, a := range f.Args {
		if c.checkName(a.Name, "argument") {
			out.Args = append(out.Args, c.inputValue(a.Name, a.Type, a.Description, a.Default, fmt.Sprintf("argument %q of %s", a.Name.Value, what)))
		}
	}
	if f.Limit == nil || ref == nil {
		return
	}
	if out.Lookahead == nil || ref.Elem == nil {
		c.diags.Errorf(f.Limit.Range, "limit-not-list", "%s sets limit, which pages the list of rows a resolver picks: a list of an object type with sql_source", what)
		return
	}
	for _, a := range out.Args {
		if a.Name == spec.ArgLimit || a.Name == spec.ArgOffset {
			c.diags.Errorf(f.Limit.Range, "arg-conflict", "%s sets limit, which adds the arguments limit and offset, but it has an argument %q of its own", what, a.Name)
			return
		}
	}
	out.Limit = c.limitOf(f.Limit, what)
	out.Args = append(out.Args, pageArgs(&spec.Listing{Limit: out.Limit})...)
}

// lookaheadField checks a field whose rows a resolver gives by key: an
// object type (or a list of one) with a one-column key, read from its
// table or view.
func (c *checker) lookaheadField(d *definition, f *decl.Field, ref *spec.TypeRef, what string) *spec.Source {
	if ref == nil {
		return nil
	}
	if c.kindOf(ref) != kindObject {
		c.diags.Errorf(f.Type.Range, "invalid-lookahead", "%s reads rows of %s by the keys a resolver gives, so its type is an object type (or a list of one), not %s %q", what, f.SQLSource.Value, c.kindOf(ref), ref.Named())
		return nil
	}
	if key, ok := c.typeKey(ref.Named(), f.SQLSource.Range, "sql_source", what); ok && len(key) != 1 {
		c.diags.Errorf(f.SQLSource.Range, "invalid-lookahead", "%s reads rows of %s by key, which must be one column; %s's key has %d", what, ref.Named(), ref.Named(), len(key))
	}
	src := &spec.Source{Kind: spec.SourceRelation, Shape: spec.ShapeColumns}
	if q, ok := c.qualifiedName(*f.SQLSource, d.file, "sql_source"); ok {
		src.Schema, src.Name, src.SQL = q.Schema, q.Name, q.SQL
	}
	return src
}

// lookaheadsInCatalog checks the sources of the look-ahead fields of
// typeName, which a resolver's operation returns.
func (c *checker) lookaheadsInCatalog(typeName, what string, privileges bool) {
	d := c.defs[typeName]
	if c.cat == nil || d == nil || d.object == nil {
		return
	}
	for _, f := range d.object.Fields {
		out := fieldNamed(c.objects[typeName], f.Name.Value)
		key := fmt.Sprintf("lookahead %s.%s %t", typeName, f.Name.Value, privileges)
		if out == nil || c.rowsChecked[key] {
			continue
		}
		c.rowsChecked[key] = true
		c.checkLookaheadSource(d, f, out, fmt.Sprintf("field %s.%s of %s", typeName, f.Name.Value, what), privileges)
	}
}

// checkLookaheadSource checks the table or view whose rows a resolver
// picks by key for field f of d (out, compiled): it has the key column
// and the columns of the type's fields.
func (c *checker) checkLookaheadSource(d *definition, f *decl.Field, out *spec.Field, what string, privileges bool) {
	if out.Lookahead == nil || out.Lookahead.Name == "" {
		return
	}
	target := ""
	if ref, err := spec.ParseTypeRef(f.Type.Value); err == nil {
		target = ref.Named()
	}
	var need []columnUse
	for _, k := range c.keys[target] {
		need = append(need, columnUse{k.Column, f.SQLSource.Range, "key of " + target})
	}
	c.checkRowSource(out.Lookahead, f.SQLSource, d.file, target, what, need, privileges)
}

// rootQueryField checks a field of type Query: a payload's way back to
// the root (seed 003's RegisterUserPayload.query), read with the client's
// selection after the operation's resolver ran. It reads nothing itself.
func (c *checker) rootQueryField(f *decl.Field, ref *spec.TypeRef, what string) spec.Field {
	out := spec.Field{Name: f.Name.Value, Description: text(f.Description), Deprecated: text(f.Deprecated), Type: ref.String()}
	switch {
	case ref.Elem != nil:
		c.diags.Errorf(f.Type.Range, "invalid-lookahead", "%s is of type %s; the root query is one object: Query or Query!", what, ref)
	case f.Column != nil || f.Relation != nil || f.Function != nil || f.Resolver != nil || f.SQLSource != nil || len(f.Args) > 0:
		c.diags.Errorf(f.Type.Range, "invalid-lookahead", "%s is the root query, read after the resolver ran; it has no column, relation, function, resolver, sql_source or args", what)
	}
	return out
}

// checkLookaheadsFilled refuses a type with look-ahead fields where no
// resolver gives their keys: returned by an operation that is not run by
// a resolver, or the type of a field.
func (c *checker) checkLookaheadsFilled(plan *spec.Plan, queries, mutations []declaredOp) {
	owners := map[string]bool{}
	for _, t := range plan.Types {
		for _, f := range t.Fields {
			// A field resolver's rows are picked for each row: its type is a
			// row type like any other.
			if ref, err := spec.ParseTypeRef(f.Type); f.Lookahead != nil && f.Resolver == "" || err == nil && ref.Named() == spec.RootQuery {
				owners[t.Name] = true
			}
		}
	}
	if len(owners) == 0 {
		return
	}
	check := func(declared []declaredOp, ops []spec.Operation) {
		for i, op := range ops {
			ref, err := spec.ParseTypeRef(op.Returns)
			if err == nil && owners[ref.Named()] && op.Source.Kind != spec.SourceResolver {
				c.diags.Errorf(declared[i].Name.Range, "invalid-lookahead", "%s %q returns %s, whose look-ahead fields (or query: Query) read what a resolver gives; run it by a resolver without sql_source", declared[i].Kind, op.Name, ref.Named())
			}
		}
	}
	check(queries, plan.Queries)
	check(mutations, append(plan.Mutations, plan.Subscriptions...))
	for _, name := range c.names {
		d := c.defs[name]
		if d.kind != kindObject {
			continue
		}
		for _, f := range d.object.Fields {
			if ref, err := spec.ParseTypeRef(f.Type.Value); err == nil && owners[ref.Named()] {
				c.diags.Errorf(f.Type.Range, "invalid-lookahead", "field %s.%s is of type %s, whose look-ahead fields (or query: Query) read what a resolver gives; only a resolver's operation returns it", d.name.Value, f.Name.Value, ref.Named())
			}
		}
	}
}

// resolverName checks the name a resolver is registered under.
func (c *checker) resolverName(name decl.Text, what string) string {
	if !graphQLName.MatchString(name.Value) {
		c.diags.Errorf(name.Range, "invalid-resolver", "%s: resolver name %q is not a name (letters, digits and _, not starting with a digit)", what, name.Value)
	}
	return name.Value
}

func textRange(t *decl.Text) decl.Range {
	if t == nil {
		return decl.Range{}
	}
	return t.Range
}

func rangeOf(b *decl.Bool) decl.Range {
	if b == nil {
		return decl.Range{}
	}
	return b.Range
}

func injectRange(op *decl.Operation) decl.Range {
	if len(op.Inject) == 0 {
		return decl.Range{}
	}
	return op.Inject[0].Key.Range
}
