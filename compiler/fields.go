package compiler

import (
	"fmt"
	"slices"

	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/spec"
)

// A field of an object type reads one of three things from its row: a
// column (or a key of a jsonb document), a relation (rows of another
// table or view joined on columns) or a computed field (a function called
// with the row). The runtime fetches all three inside the statement of
// the root field.

// objectField checks one field of an object type. The listing of a list
// relation (paging, filter, order) is added later by relationListings,
// once every object type is known.
func (c *checker) objectField(d *definition, f *decl.Field) spec.Field {
	what := fmt.Sprintf("field %s.%s", d.name.Value, f.Name.Value)
	if ref, err := spec.ParseTypeRef(f.Type.Value); err == nil && ref.Named() == spec.RootQuery {
		return c.rootQueryField(f, ref, what)
	}
	ref := c.resolveType(f.Type, false, what)
	out := spec.Field{Name: f.Name.Value, Description: text(f.Description), Deprecated: text(f.Deprecated)}
	if ref != nil {
		out.Type = ref.String()
	}
	switch {
	case f.Resolver != nil && (f.Relation != nil || f.Function != nil || f.Column != nil):
		c.diags.Errorf(f.Resolver.Range, "field-source-conflict", "%s sets resolver and a column, relation or function; a field reads one of them (an object field's resolver picks rows of its sql_source)", what)
	case f.SQLSource != nil && (f.Relation != nil || f.Function != nil || f.Column != nil):
		c.diags.Errorf(f.SQLSource.Range, "field-source-conflict", "%s sets sql_source and a column, relation or function; a field reads one of them", what)
	case f.Resolver != nil:
		c.resolverField(d, f, ref, &out, what)
	case f.SQLSource != nil:
		out.Lookahead = c.lookaheadField(d, f, ref, what)
	case f.Relation != nil && f.Function != nil:
		c.diags.Errorf(f.Function.Range, "field-source-conflict", "%s sets both relation and function; a field reads one of a column, a relation or a function", what)
	case (f.Relation != nil || f.Function != nil) && f.Column != nil:
		c.diags.Errorf(f.Column.Range, "field-source-conflict", "%s sets column and %s; a field reads one of a column, a relation or a function", what,
			map[bool]string{true: "relation", false: "function"}[f.Relation != nil])
	case f.Relation != nil:
		out.Relation = c.relation(d, f, ref, what)
	case f.Function != nil:
		out.Function, out.Args = c.computed(d, f, ref, what)
	default:
		column, colRange := fieldColumn(f)
		out.Column = column
		out.SQL, _ = c.checkSQLIdent(column, colRange, "column of "+what)
		if ref != nil && c.kindOf(ref).isAbstract() {
			c.diags.Errorf(f.Type.Range, "abstract-type-use", "%s is a column, but %s is %s; only queries return interfaces and unions", what, ref.Named(), withArticle(c.kindOf(ref).String()))
		}
	}
	if f.Function == nil && f.Resolver == nil && len(f.Args) > 0 {
		c.diags.Errorf(f.Args[0].Name.Range, "invalid-field-option", "%s declares args, which only a computed field (function or resolver) takes", what)
	}
	if f.Resolver == nil && len(f.Requires) > 0 {
		c.diags.Errorf(f.Requires[0].Range, "invalid-resolver", "%s sets requires, which only a field computed by a resolver has", what)
	}
	out.Filterable = c.fieldMark(f, f.Filterable, "filterable", ref, what)
	out.Sortable = c.fieldMark(f, f.Sortable, "sortable", ref, what)
	return out
}

// fieldMark checks filterable or sortable on a field: only a column of a
// scalar or enum type compares with a value.
func (c *checker) fieldMark(f *decl.Field, mark *decl.Bool, key string, ref *spec.TypeRef, what string) bool {
	if mark == nil || !mark.Value || ref == nil {
		return false
	}
	switch {
	case f.Relation != nil || f.Function != nil:
		c.diags.Errorf(mark.Range, "invalid-field-option", "%s is %s; only a column can be %s", what,
			map[bool]string{true: "a relation", false: "a computed field"}[f.Relation != nil], key)
	case ref.Elem != nil:
		c.diags.Errorf(mark.Range, "invalid-field-option", "%s is a list (%s); only a single scalar or enum value can be %s", what, ref, key)
	case c.filterOperators(ref.Named()) == nil:
		c.diags.Errorf(mark.Range, "invalid-field-option", "%s has type %s, which cannot be %s; only scalars (not JSON) and enums can", what, ref.Named(), key)
	default:
		return true
	}
	return false
}

// relation checks a relation field, all but its listing.
func (c *checker) relation(d *definition, f *decl.Field, ref *spec.TypeRef, what string) *spec.Relation {
	r := f.Relation
	out := &spec.Relation{Source: spec.Source{Kind: spec.SourceRelation, Shape: spec.ShapeColumns}, Join: []spec.Join{}}
	if ref != nil {
		out.List = ref.Depth() > 0
		switch {
		case c.kindOf(ref) != kindObject:
			c.diags.Errorf(f.Type.Range, "invalid-relation", "%s is a relation, so its type must be an object type (or a list of one), not %s %q", what, c.kindOf(ref), ref.Named())
		case ref.Depth() > 1:
			c.diags.Errorf(f.Type.Range, "invalid-relation", "%s is a relation returning a list of lists (%s); a relation reads one row or a list of rows", what, ref)
		}
	}
	if r.SQLSource == nil {
		c.diags.Errorf(r.Range, "missing-sql-source", "the relation of %s has no sql_source: name the table or view it reads", what)
	} else if q, ok := c.qualifiedName(*r.SQLSource, d.file, "sql_source of the relation of "+what); ok {
		out.Source.Schema, out.Source.Name, out.Source.SQL = q.Schema, q.Name, q.SQL
	}
	if len(r.Columns) == 0 {
		c.diags.Errorf(r.Range, "invalid-relation", "the relation of %s needs columns: {<column of %s>: <column of the source>} to say how rows join", what, d.name.Value)
	}
	for _, pair := range r.Columns {
		parent, ok1 := c.checkSQLIdent(pair.Parent.Value, pair.Parent.Range, "join column of "+what)
		child, ok2 := c.checkSQLIdent(pair.Child.Value, pair.Child.Range, "join column of the source of "+what)
		if ok1 && ok2 {
			out.Join = append(out.Join, spec.Join{
				Parent: spec.ColumnRef{Column: pair.Parent.Value, SQL: parent},
				Child:  spec.ColumnRef{Column: pair.Child.Value, SQL: child},
			})
		}
	}
	return out
}

// relationListings adds to each relation field of the plan's types its
// listing and the arguments it brings (a connection's type replaces the
// list type).
func (c *checker) relationListings() {
	for _, name := range c.names {
		d := c.defs[name]
		if d.kind != kindObject {
			continue
		}
		obj := c.objects[name]
		for _, f := range d.object.Fields {
			out := fieldNamed(obj, f.Name.Value)
			if f.Relation == nil || out == nil || out.Relation == nil || out.Type == "" {
				continue
			}
			what := fmt.Sprintf("field %s.%s", name, f.Name.Value)
			ref, _ := spec.ParseTypeRef(out.Type)
			site := listSite{what: what, list: out.Relation.List, shape: spec.ShapeColumns}
			if c.kindOf(ref) == kindObject {
				site.node = ref.Named()
			}
			listing, args := c.listing(&f.Relation.List, site)
			out.Relation.Listing = listing
			out.Args = args
			if listing.Connection {
				out.Type = listing.Node + "Connection!"
			}
		}
	}
}

// computed checks a computed field: the function and its arguments, which
// are passed by name after the row.
func (c *checker) computed(d *definition, f *decl.Field, ref *spec.TypeRef, what string) (*spec.Function, []spec.InputValue) {
	out := &spec.Function{}
	if q, ok := c.qualifiedName(*f.Function, d.file, "function of "+what); ok {
		out.SQL = q.SQL
	}
	// A list of rows comes from a set-returning function; a list of
	// scalars from an array (the catalog check corrects this for SETOF).
	out.Set = ref != nil && ref.Elem != nil && c.kindOf(ref) == kindObject
	var args []spec.InputValue
	for _, a := range f.Args {
		argWhat := fmt.Sprintf("argument %q of %s", a.Name.Value, what)
		if !c.checkName(a.Name, "argument") {
			continue
		}
		if a.Filter != nil {
			c.diags.Errorf(a.Filter.Range, "invalid-field-option", "%s has a filter, but a computed field passes its arguments to the function; remove \"filter\"", argWhat)
		}
		args = append(args, c.inputValue(a.Name, a.Type, a.Description, a.Default, argWhat))
		sqlName := snakeCase(a.Name.Value)
		if quoted, ok := c.checkSQLIdent(sqlName, a.Name.Range, "function parameter of "+argWhat); ok {
			out.Args = append(out.Args, spec.FunctionArg{Name: sqlName, SQL: quoted, Param: spec.Param{Arg: a.Name.Value}})
		}
	}
	if f.Limit != nil {
		if ref == nil || ref.Elem == nil {
			c.diags.Errorf(f.Limit.Range, "limit-not-list", "%s sets limit, which only applies to a field that returns a list", what)
			return out, args
		}
		for _, a := range args {
			if a.Name == spec.ArgLimit || a.Name == spec.ArgOffset {
				c.diags.Errorf(f.Limit.Range, "arg-conflict", "%s sets limit, which adds the arguments limit and offset, but it has an argument %q of its own", what, a.Name)
				return out, args
			}
		}
		out.Limit = c.limitOf(f.Limit, what)
		listing := &spec.Listing{Limit: out.Limit}
		args = append(args, pageArgs(listing)...)
	}
	return out, args
}

// fieldNamed returns the field of o named name, or nil.
func fieldNamed(o *spec.ObjectType, name string) *spec.Field {
	for i := range o.Fields {
		if o.Fields[i].Name == name {
			return &o.Fields[i]
		}
	}
	return nil
}

// checkDocumentTypes reports relations and computed fields on types read
// from a jsonb document (a jsonb-shaped query's type, or the type of a
// json/jsonb/composite column, at any depth): a document has no row to
// join or to pass to a function.
func (c *checker) checkDocumentTypes(plan *spec.Plan) {
	reached := map[string]string{} // type → how it is reached, for the message
	var visit func(name, how string)
	visit = func(name, how string) {
		if c.objects[name] == nil || reached[name] != "" {
			return
		}
		reached[name] = how
		c.nestedDocuments(name, visit)
	}
	for _, op := range append(slices.Clone(plan.Queries), plan.Subscriptions...) {
		if op.Source.Shape == spec.ShapeJSONB {
			if ref, err := spec.ParseTypeRef(op.Returns); err == nil {
				visit(ref.Named(), fmt.Sprintf("query %q, which has shape jsonb", op.Name))
			}
		}
	}
	for _, name := range c.names {
		if c.defs[name].kind == kindObject {
			c.nestedDocuments(name, visit)
		}
	}
	for _, name := range c.names {
		how := reached[name]
		if how == "" {
			continue
		}
		for _, f := range c.defs[name].object.Fields {
			if f.Relation != nil || f.Function != nil {
				c.diags.Errorf(f.Name.Range, "relation-in-document", "field %s.%s is a %s, but %s is read from a jsonb document (through %s), which has no row to join or pass to a function",
					name, f.Name.Value, map[bool]string{true: "relation", false: "computed field"}[f.Relation != nil], name, how)
			}
		}
	}
}

// nestedDocuments calls visit with the object type of each field of type
// name that is neither a relation nor computed: a json, jsonb or
// composite value, or a key of a document, read as a document.
func (c *checker) nestedDocuments(name string, visit func(target, how string)) {
	for _, f := range c.defs[name].object.Fields {
		out := fieldNamed(c.objects[name], f.Name.Value)
		if out == nil || f.Relation != nil || f.Function != nil || f.SQLSource != nil || f.Resolver != nil || out.Type == "" {
			continue // not a document: rows (a relation, a function, a look-ahead) or Go
		}
		if ref, err := spec.ParseTypeRef(out.Type); err == nil && c.objects[ref.Named()] != nil {
			visit(ref.Named(), fmt.Sprintf("field %s.%s, a document", name, f.Name.Value))
		}
	}
}
