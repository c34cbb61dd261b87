package compiler

import (
	"fmt"
	"strings"

	"github.com/gqlplan/gqlplan/compiler/catalog"
	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/spec"
)

// Relations and computed fields are checked where their type is read:
// the parent's join columns against each source that provides the rows,
// the relation's source and the function once per field. The walk
// follows relations and row-returning functions to any depth; each
// (type, source) pair is checked once.

// checkRowFields checks the relations and computed fields of typeName,
// whose rows come from s with columns cols.
func (c *checker) checkRowFields(s *dbSource, typeName string, cols []*catalog.Column) {
	d := c.defs[typeName]
	key := typeName + " from " + s.desc
	if d == nil || d.object == nil || c.rowsChecked[key] {
		return
	}
	c.rowsChecked[key] = true
	for _, f := range d.object.Fields {
		out := fieldNamed(c.objects[typeName], f.Name.Value)
		if out == nil {
			continue
		}
		what := fmt.Sprintf("field %s.%s", typeName, f.Name.Value)
		switch {
		case out.Relation != nil:
			for _, pair := range f.Relation.Columns {
				col := c.column(s, cols, pair.Parent.Value, pair.Parent.Range, "join column of "+what)
				if col != nil && s.nullsKnown && !col.NotNull && nonNullOne(f, out.Relation.List) {
					c.diags.Warnf(f.Type.Range, "db-nullability", "%s is non-null but its join column %s of %s allows NULL; a row without one gets a field error, and null in place of its nearest nullable parent", what, col.Name, s.desc)
				}
			}
			c.checkRelationField(d, f, out, what)
		case out.Function != nil:
			c.checkComputedField(s, d, f, out, what)
		case out.Resolver != "":
			for _, col := range f.Requires {
				c.column(s, cols, col.Value, col.Range, "required column of "+what)
			}
			if out.Lookahead != nil && !c.rowsChecked[what] { // an object field's: the rows it picks
				c.rowsChecked[what] = true
				c.checkLookaheadSource(d, f, out, what, true)
			}
		}
	}
}

// checkRelationField checks a relation's source, its join columns and the
// fields of its type, and records the catalog facts in the plan.
func (c *checker) checkRelationField(d *definition, f *decl.Field, out *spec.Field, what string) {
	if c.rowsChecked[what] || f.Relation.SQLSource == nil || out.Relation.Source.Name == "" {
		return
	}
	c.rowsChecked[what] = true
	var need []columnUse
	for _, pair := range f.Relation.Columns {
		need = append(need, columnUse{pair.Child.Value, pair.Child.Range, "join column of " + what})
	}
	for _, t := range out.Relation.OrderBy {
		need = append(need, columnUse{t.Column, f.Relation.Range, "order_by column of " + what})
	}
	typeName := ""
	if ref, err := spec.ParseTypeRef(f.Type.Value); err == nil {
		typeName = ref.Named()
	}
	rel := c.checkRowSource(&out.Relation.Source, f.Relation.SQLSource, d.file, typeName, what, need, true)
	if rel != nil && rel.RowSecurity && !rel.PoliciesShowAll && nonNullOne(f, out.Relation.List) {
		c.diags.Warnf(f.Type.Range, "db-nullability", "%s is non-null but %s has row level security: a row its policies hide from the caller gets a field error, and null in place of its nearest nullable parent; make the field nullable", what, rel.Name)
	}
}

// nonNullOne reports whether f is one value (not a list) of a non-null
// type.
func nonNullOne(f *decl.Field, list bool) bool {
	ref, err := spec.ParseTypeRef(f.Type.Value)
	return err == nil && ref.NonNull && !list && ref.Elem == nil
}

// columnUse is a column a source must have, where and why it is named.
type columnUse struct {
	name string
	at   decl.Range
	role string
}

// checkRowSource checks a table or view the rows of typeName are read
// from (a relation's, a node's): it exists, has the columns need names,
// and the type's fields fit its columns; its row security and the
// serving role's privileges (unless privileges is false: no operation of
// the role reads it); the catalog facts go into src. It returns the table
// or view (nil when there is none).
func (c *checker) checkRowSource(src *spec.Source, name *decl.Text, file *decl.File, typeName, what string, need []columnUse, privileges bool) *catalog.Relation {
	at := name.Range
	found, rel, _ := c.cat.Resolve(c.searchSchema(name, file, src.Schema), src.Name)
	switch {
	case found == "":
		c.diags.Errorf(at, "db-missing-source", "%s: no table or view %q%s", what, src.Name, decl.DidYouMean(src.Name, c.cat.Names(src.Schema)))
		return nil
	case rel == nil || rel.Kind == catalog.Composite:
		c.diags.Errorf(at, "db-source-kind", "%s: %s.%s is not a table or view; a relation reads rows joined on columns (a function taking the row is a computed field)", what, found, src.Name)
		return nil
	}
	src.Schema, src.SQL, src.Object = found, quoteIdent(found)+"."+quoteIdent(src.Name), rel.KindName()
	s := &dbSource{out: &spec.Operation{}, what: what, desc: rel.KindName() + " " + rel.Name.String(), used: map[string]*catalog.Column{},
		nullsKnown: rel.Kind == catalog.Table || rel.Kind == catalog.PartitionedTable, row: rel.Name}
	for _, u := range need {
		c.column(s, rel.Columns, u.name, u.at, u.role)
	}
	if c.objects[typeName] != nil {
		c.describeType(typeName, rel)
		c.checkFields(s, typeName, rel.Columns)
	}
	c.checkRowSecurity(rel, at, what, false)
	if privileges && c.cat.Role != "" && !rel.Selectable {
		for name, col := range s.used {
			if !col.Selectable {
				c.diags.Errorf(at, "db-privilege", "%s: role %q may not SELECT column %s of %s; %s", what, c.cat.Role, name, s.desc, c.grant("SELECT ON "+rel.Name.String()))
				break
			}
		}
	}
	c.recordColumns(s)
	src.Columns = s.out.Source.Columns
	src.Reads = relationReads(rel)
	return rel
}

// checkComputedField checks a computed field's function against the rows
// of s: an overload takes that row first and the field's arguments by
// name, and its result fits the field's type.
func (c *checker) checkComputedField(s *dbSource, d *definition, f *decl.Field, out *spec.Field, what string) {
	fn := out.Function
	schema, name, _ := strings.Cut(strings.ReplaceAll(fn.SQL, `"`, ""), ".")
	found, rel, fns := c.cat.Resolve(c.searchSchema(f.Function, d.file, schema), name)
	switch {
	case found == "":
		c.diags.Errorf(f.Function.Range, "db-missing-source", "%s: no function %q%s", what, name, decl.DidYouMean(name, c.cat.Names(schema)))
		return
	case rel != nil:
		c.diags.Errorf(f.Function.Range, "db-source-kind", "%s: %s.%s is a %s, not a function; a relation field uses \"relation\"", what, found, name, rel.KindName())
		return
	}
	var fits []*catalog.Function
	for _, candidate := range fns {
		if c.takesRow(candidate, s.row, fn.Args) {
			fits = append(fits, candidate)
		}
	}
	if len(fits) == 0 {
		row := "a row"
		if s.row.Name != "" {
			row = "a " + s.row.String() + " row"
		}
		var names []string
		for _, a := range fn.Args {
			names = append(names, a.Name)
		}
		args := ""
		if len(names) > 0 {
			args = " and argument(s) " + strings.Join(names, ", ") + " by name"
		}
		c.diags.Errorf(f.Function.Range, "db-function-arity", "%s: no overload of %s.%s takes %s (read from %s)%s, with defaults for the rest",
			what, found, name, row, s.desc, args)
		return
	}
	chosen := fits[0]
	if out.Description == "" {
		out.Description = chosen.Comment // COMMENT ON FUNCTION, when the declaration has none
	}
	fn.SQL = quoteIdent(found) + "." + quoteIdent(name)
	fn.Signature = chosen.Signature()
	fn.Reads = functionReads(chosen)
	c.functionsUsed[fn.SQL] = chosen
	for i := range fn.Args {
		for _, a := range chosen.Args[1:] {
			if a.Name == fn.Args[i].Name && a.Type != nil {
				fn.Args[i].SQLType = castable(a.Type.SQL)
			}
		}
	}
	if c.cat.Role != "" && !chosen.Executable {
		c.diags.Errorf(f.Function.Range, "db-privilege", "%s: role %q may not EXECUTE %s; %s", what, c.cat.Role, chosen.Signature(), c.grant("EXECUTE ON FUNCTION "+chosen.Signature()))
	}
	c.checkFunctionRowSecurity(chosen, f.Function.Range, what, false, f.RLSBypass)
	if chosen.Volatility == 'v' {
		c.diags.Warnf(f.Function.Range, "db-volatile-query", "%s calls %s, which is VOLATILE: queries run in read-only transactions, so a write fails; declare it STABLE", what, chosen.Signature())
	}
	ref, err := spec.ParseTypeRef(f.Type.Value)
	if err != nil {
		return
	}
	elem := ref
	if ref.Elem != nil {
		elem = ref.Elem
		fn.Set = chosen.ReturnsSet
	} else if chosen.ReturnsSet {
		c.diags.Errorf(f.Type.Range, "db-returns-mismatch", "%s is one value, but %s returns SETOF %s; make the field a list", what, chosen.Signature(), chosen.Result.SQL)
	}
	cols := chosen.Columns
	if len(cols) == 0 {
		cols = c.cat.RowColumns(chosen.Result)
	}
	if ref.NonNull && ref.Elem == nil {
		c.diags.Warnf(f.Type.Range, "db-nullability", "%s is non-null but %s may return NULL; a NULL gets a field error, and null in place of its nearest nullable parent; make the field nullable, or coalesce in the function", what, chosen.Signature())
	}
	if c.objects[elem.Named()] == nil {
		if problem, _ := c.fit(ref, chosen.Result); !fn.Set && problem != "" {
			c.diags.Errorf(f.Type.Range, "db-returns-mismatch", "%s: the result of %s: %s", what, chosen.Signature(), problem)
		}
		return
	}
	if len(cols) == 0 {
		c.diags.Errorf(f.Type.Range, "db-returns-mismatch", "%s is of object type %s, but %s returns %s, not a row", what, elem.Named(), chosen.Signature(), chosen.Result.SQL)
		return
	}
	result := &dbSource{out: &spec.Operation{}, what: what, desc: "the result of " + chosen.Signature(), used: map[string]*catalog.Column{}}
	if chosen.Result != nil && chosen.Result.Kind == catalog.CompositeType {
		result.row = chosen.Result.Relation
	}
	c.checkFields(result, elem.Named(), cols)
}

// takesRow reports whether f can be called as f(<row>, name => value…):
// its first argument is the row's composite type (any composite when the
// row type is unknown), each argument is a parameter name, and the
// parameters not given have defaults.
func (c *checker) takesRow(f *catalog.Function, row catalog.Name, args []spec.FunctionArg) bool {
	if len(f.Args) == 0 || f.Procedure {
		return false
	}
	first := f.Args[0].Type.Underlying()
	if first == nil || first.Kind != catalog.CompositeType || row.Name != "" && first.Relation != row {
		return false
	}
	given := map[string]bool{}
	for _, a := range args {
		given[a.Name] = true
	}
	named := 0
	for i, a := range f.Args[1:] {
		switch {
		case given[a.Name]:
			named++
		case i+1 < len(f.Args)-f.Defaults:
			return false // a parameter without default is not given
		}
	}
	return named == len(args)
}

// searchSchema is the schema to look a name up in: "" (the search_path)
// when it is unqualified in a file without a schema.
func (c *checker) searchSchema(name *decl.Text, f *decl.File, schema string) string {
	if !strings.Contains(name.Value, ".") && f.Schema == nil {
		return ""
	}
	return schema
}
