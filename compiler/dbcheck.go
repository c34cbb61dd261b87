package compiler

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/gqlplan/gqlplan/compiler/catalog"
	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/spec"
)

// This file checks declarations against a database catalog: that what
// they name exists, has the kind and types they assume, and that the
// serving role may use it. Every diagnostic points at the declaration.

// safeSQLType is what a type name recorded in the plan may look like; the
// runtime writes it into casts, so anything else is left out of the plan.
var safeSQLType = regexp.MustCompile(`^[A-Za-z_"][A-Za-z0-9_ ."(),\[\]]*$`)

// castable returns a type name the plan may record, or "".
func castable(sqlType string) string {
	if safeSQLType.MatchString(sqlType) {
		return sqlType
	}
	return ""
}

// castType is the type a value compared with col is cast to: the column's
// type without its modifier, because a cast to varchar(5) or numeric(4,1)
// would silently truncate or round the value, and a truncated claim could
// match another user's row.
func castType(col *catalog.Column) string {
	if col.Type == nil {
		return ""
	}
	return castable(col.Type.SQL)
}

// dbSource is one operation's source as the catalog knows it.
type dbSource struct {
	op   declaredOp
	out  *spec.Operation
	what string
	desc string // `view app.v_post`, for messages
	used map[string]*catalog.Column
	// whereFrom is the declaration of each of out.Where's conditions, and
	// callFrom of each of out.Call's parameters.
	whereFrom, callFrom []origin
	// nullsKnown says whether NOT NULL of the columns holds for the rows
	// read: true for tables, false for views and function results.
	nullsKnown bool
	// row is the composite type of the rows (a table's or view's row
	// type), which computed fields take; zero when the rows have none.
	row catalog.Name
}

// origin is the declaration a condition or call parameter came from:
// exactly one of arg and inject is set.
type origin struct {
	arg    *decl.Arg
	inject *decl.Inject
}

// use records a column the operation relies on, for the plan and for the
// privilege check.
func (s *dbSource) use(col *catalog.Column) { s.used[col.Name] = col }

func (c *checker) checkSourceInCatalog(op declaredOp, out *spec.Operation, whereFrom, callFrom []origin, returns *spec.TypeRef, what string) {
	src := &out.Source
	if op.SQLSource == nil || src.Name == "" {
		return // reported by the static checks
	}
	schema := c.searchSchema(op.SQLSource, op.file, src.Schema)
	found, rel, fns := c.cat.Resolve(schema, src.Name)
	if found == "" {
		where := fmt.Sprintf("on the search_path (%s)", strings.Join(c.cat.SearchPath, ", "))
		if len(c.cat.SearchPath) == 0 {
			where = "on the search_path, which is empty"
		}
		if schema != "" {
			where = fmt.Sprintf("in schema %q", schema)
		}
		c.diags.Errorf(op.SQLSource.Range, "db-missing-source", "%s: no table, view or function %q %s%s",
			what, src.Name, where, decl.DidYouMean(src.Name, c.cat.Names(schema)))
		return
	}
	if !sqlIdent.MatchString(found) {
		c.diags.Errorf(op.SQLSource.Range, "invalid-sql-identifier", "%s: %q was found in schema %q, whose name gqlplan cannot use unquoted; rename the schema", what, src.Name, found)
		return
	}
	src.Schema, src.SQL = found, quoteIdent(found)+"."+quoteIdent(src.Name)
	if s := c.cat.Schemas[found]; s != nil && !s.Usable && c.checksRole(out) {
		c.diags.Errorf(op.SQLSource.Range, "db-privilege", "%s: role %q has no USAGE on schema %q; %s", what, c.cat.Role, found, c.grant("USAGE ON SCHEMA "+quoteIdent(found)))
	}
	s := &dbSource{op: op, out: out, what: what, used: map[string]*catalog.Column{}, whereFrom: whereFrom, callFrom: callFrom}
	switch {
	case src.Kind == spec.SourceRelation && rel == nil:
		c.diags.Errorf(op.SQLSource.Range, "db-source-kind", "%s: %s.%s is a function; add \"source_kind: function\" to call it", what, found, src.Name)
		return
	case src.Kind == spec.SourceRelation && rel.Kind == catalog.Composite:
		c.diags.Errorf(op.SQLSource.Range, "db-source-kind", "%s: %s.%s is a composite type, which holds no rows; name a table, view or function", what, found, src.Name)
		return
	case src.Kind == spec.SourceFunction && rel != nil:
		c.diags.Errorf(op.SQLSource.Range, "db-source-kind", "%s: %s.%s is a %s, not a function%s", what, found, src.Name, rel.KindName(),
			map[bool]string{true: "; a mutation calls a function", false: "; remove \"source_kind: function\""}[op.Kind == decl.Mutation])
		return
	case rel != nil:
		s.desc = rel.KindName() + " " + rel.Name.String()
		src.Object = rel.KindName()
		c.checkRelation(s, rel, returns)
	default:
		c.checkFunction(s, fns, returns)
	}
	c.recordColumns(s)
}

// checkRelation checks a query reading a table or view.
func (c *checker) checkRelation(s *dbSource, rel *catalog.Relation, returns *spec.TypeRef) {
	s.nullsKnown = rel.Kind == catalog.Table || rel.Kind == catalog.PartitionedTable
	s.row = rel.Name
	s.out.Source.Reads = relationReads(rel)
	if returns != nil && c.kindOf(returns) == kindObject {
		c.describeType(returns.Named(), rel)
		if s.out.Source.Shape == spec.ShapeJSONB {
			if col := c.dataColumn(s, rel.Columns); col != nil {
				c.checkSample(s, c.cat.Samples[rel.Name][col.Name], returns)
			}
		} else {
			c.checkFields(s, returns.Named(), rel.Columns)
		}
	}
	if returns != nil && c.kindOf(returns).isAbstract() && s.out.TypeColumn != nil {
		at := s.op.Returns.Range
		if s.op.TypeColumn != nil {
			at = s.op.TypeColumn.Range
		}
		c.column(s, rel.Columns, s.out.TypeColumn.Column, at, "type_column")
		for _, member := range c.possibleTypes(returns.Named()) {
			for _, k := range c.keys[member] {
				c.column(s, rel.Columns, k.Column, s.op.Returns.Range, "key column of "+member)
			}
		}
	}
	c.checkConditions(s, rel.Columns)
	c.checkStreamCursor(s.op, s.out, rel, s.what)
	if c.cat.Role == "" || c.checksRole(s.out) {
		c.checkRowSecurity(rel, s.op.SQLSource.Range, s.what, injectsClaims(s.whereFrom))
	}
	if c.checksRole(s.out) && !rel.Selectable {
		var denied []string
		for _, name := range slices.Sorted(maps.Keys(s.used)) {
			if !s.used[name].Selectable {
				denied = append(denied, name)
			}
		}
		if len(denied) > 0 {
			c.diags.Errorf(s.op.SQLSource.Range, "db-privilege", "%s: role %q may not SELECT column %s of %s; %s", s.what, c.cat.Role, strings.Join(denied, ", "), s.desc, c.grant("SELECT ON "+rel.Name.String()))
		}
	}
}

// column finds a column the operation names, reporting it when missing.
func (c *checker) column(s *dbSource, cols []*catalog.Column, name string, r decl.Range, role string) *catalog.Column {
	names := make([]string, len(cols))
	for i, col := range cols {
		if col.Name == name {
			s.use(col)
			return col
		}
		names[i] = col.Name
	}
	c.diags.Errorf(r, "db-missing-column", "%s: %s: column %q does not exist in %s%s", s.what, role, name, s.desc, decl.DidYouMean(name, names))
	return nil
}

// checkConditions checks filters, inject keys and order_by terms against
// the columns of the source's rows.
func (c *checker) checkConditions(s *dbSource, cols []*catalog.Column) {
	for i := range s.out.Where {
		cond, origin := &s.out.Where[i], s.whereFrom[i]
		if in := origin.inject; in != nil {
			col := c.column(s, cols, in.Key.Value, in.Key.Range, "inject key")
			if col != nil {
				cond.SQLType = castType(col)
				c.checkClaimCast(in, col.Type, fmt.Sprintf("column %s of %s", col.Name, s.desc), s.what)
			}
			continue
		}
		a := origin.arg
		if a.Node != nil { // a key column of the node type: the id's values are typed by its fields
			if col := c.column(s, cols, cond.Column, a.Node.Range, fmt.Sprintf("key column of %s, which argument %q identifies", a.Node.Value, a.Name.Value)); col != nil {
				cond.SQLType = castType(col)
			}
			continue
		}
		col := c.column(s, cols, a.Filter.Column.Value, a.Filter.Column.Range, fmt.Sprintf("filter of argument %q", a.Name.Value))
		if col == nil {
			continue
		}
		cond.SQLType = castType(col)
		argType, err := spec.ParseTypeRef(s.argType(a.Name.Value))
		if err != nil {
			continue
		}
		if cond.Op == "in" && argType.Elem != nil {
			argType = argType.Elem
		}
		if problem, _ := c.fit(argType, col.Type); problem != "" {
			c.diags.Errorf(a.Type.Range, "db-type-mismatch", "%s: argument %q is compared with column %s of %s: %s", s.what, a.Name.Value, col.Name, s.desc, problem)
		} else if (cond.Op == "like" || cond.Op == "ilike") && col.Type != nil && col.Type.Underlying().Category != 'S' {
			c.diags.Errorf(a.Filter.Column.Range, "db-type-mismatch", "%s: op %q needs a text column, but %s of %s is %s", s.what, cond.Op, col.Name, s.desc, col.TypeSQL)
		}
	}
	for _, t := range s.op.OrderBy {
		if term, err := parseOrderTerm(t.Value); err == nil {
			c.column(s, cols, term.Column, t.Range, "order_by")
		}
	}
}

// argType returns the declared type of an operation argument.
func (s *dbSource) argType(name string) string {
	for _, a := range s.out.Args {
		if a.Name == name {
			return a.Type
		}
	}
	return ""
}

// checkClaimCast warns when a claim, which is text, is bound to a value of
// another type: PostgreSQL casts it, and a claim that does not parse as
// that type fails the request.
func (c *checker) checkClaimCast(in *decl.Inject, t *catalog.Type, target, what string) {
	if t == nil || t.Underlying().Category == 'S' {
		return
	}
	claim, declared, _ := strings.Cut(strings.TrimPrefix(in.Source.Value, "jwt:"), "::")
	if declared != "" {
		if !sameType(declared, t) {
			c.diags.Warnf(in.Source.Range, "db-inject-cast", "%s: claim %q is declared ::%s, but %s is %s: declare ::%s", what, claim, declared, target, t.SQL, t.SQL)
		}
		return // the cast is declared: the author knows
	}
	key := claim + "\x00" + t.SQL
	if c.castsWarned[key] {
		return // once per claim and type: the fix is the same everywhere
	}
	c.castsWarned[key] = true
	c.diags.Warnf(in.Source.Range, "db-inject-cast", "%s: claim %q is text and %s is %s: it is cast with ::%s, and a token whose claim does not parse as %s fails the request; declare \"jwt:%s::%s\" to say so (reported once per claim)",
		what, claim, target, t.SQL, t.SQL, t.SQL, claim, t.SQL)
}

// typeAliases are PostgreSQL's other names of its built-in types.
var typeAliases = map[string]string{
	"int": "int4", "integer": "int4", "int4": "int4", "smallint": "int2", "int2": "int2", "bigint": "int8", "int8": "int8",
	"bool": "bool", "boolean": "bool", "decimal": "numeric", "numeric": "numeric", "real": "float4", "float4": "float4",
	"float8": "float8", "timestamptz": "timestamptz", "timestamp": "timestamp", "date": "date", "uuid": "uuid", "text": "text",
	"varchar": "varchar", "jsonb": "jsonb", "json": "json",
}

// sameType reports whether a declared type name is t.
func sameType(declared string, t *catalog.Type) bool {
	d := strings.ToLower(declared)
	if a, ok := typeAliases[d]; ok {
		d = a
	}
	name := builtinName(t)
	return d == name || strings.EqualFold(declared, t.SQL) || strings.EqualFold(declared, t.Underlying().Name.Name)
}

// dataColumn finds and checks the jsonb column of a jsonb-shaped source.
func (c *checker) dataColumn(s *dbSource, cols []*catalog.Column) *catalog.Column {
	name, r := "data", s.op.Name.Range
	if s.op.DataColumn != nil {
		name, r = s.op.DataColumn.Value, s.op.DataColumn.Range
	} else if s.op.Shape != nil {
		r = s.op.Shape.Range
	}
	col := c.column(s, cols, name, r, "data column")
	if col == nil {
		return nil
	}
	if builtinName(col.Type) != "jsonb" {
		c.diags.Errorf(r, "db-data-column-type", "%s: data column %q of %s is %s; the jsonb shape needs jsonb", s.what, name, s.desc, col.TypeSQL)
		return nil
	}
	return col
}

// checkFields checks the fields of an object type against the columns a
// source provides.
func (c *checker) checkFields(s *dbSource, typeName string, cols []*catalog.Column) {
	d := c.defs[typeName]
	if d == nil || d.object == nil {
		return
	}
	byName := map[string]*catalog.Column{}
	var names []string
	for _, col := range cols {
		byName[col.Name] = col
		names = append(names, col.Name)
	}
	for _, cf := range c.columnFields(d) {
		f, name, r, ref := cf.field, cf.column, cf.columnRange, cf.ref
		col := byName[name]
		if col == nil {
			c.diags.Errorf(r, "db-missing-column", "%s: field %s.%s: column %q does not exist in %s%s", s.what, typeName, f.Name.Value, name, s.desc, decl.DidYouMean(name, names))
			continue
		}
		s.use(col)
		if out := fieldNamed(c.objects[typeName], f.Name.Value); out != nil && out.Description == "" {
			out.Description = col.Comment // COMMENT ON COLUMN, when the declaration has none
		}
		problem, wide := c.fit(ref, col.Type)
		switch {
		case problem != "":
			c.diags.Errorf(f.Type.Range, "db-type-mismatch", "%s: field %s.%s reads column %s of %s: %s", s.what, typeName, f.Name.Value, col.Name, s.desc, problem)
		case wide:
			c.diags.Warnf(f.Type.Range, "db-int-range", "%s: field %s.%s is Int (32-bit) but column %s of %s is %s; use BigInt, or cast in the view", s.what, typeName, f.Name.Value, col.Name, s.desc, col.TypeSQL)
		}
		if s.nullsKnown && ref.NonNull && !col.NotNull {
			c.diags.Warnf(f.Type.Range, "db-nullability", "%s: field %s.%s is non-null but column %s of %s allows NULL; a NULL gets a field error, and null in place of its nearest nullable parent", s.what, typeName, f.Name.Value, col.Name, s.desc)
		}
		if e := c.defs[ref.Named()]; e.kind == kindEnum && col.Type != nil && col.Type.Underlying().Kind == catalog.EnumType {
			c.checkEnumLabels(e, col.Type.Underlying())
		}
	}
	c.checkRowFields(s, typeName, cols)
}

// checkSample compares the fields of a jsonb-shaped type with the keys
// found in a sample of the source's rows.
func (c *checker) checkSample(s *dbSource, sample *catalog.Sample, returns *spec.TypeRef) {
	if sample == nil {
		return
	}
	if sample.Err != "" {
		c.diags.Warnf(s.op.SQLSource.Range, "db-sample-failed", "%s: could not sample the rows of %s to check its keys: %s", s.what, s.desc, sample.Err)
		return
	}
	d := c.defs[returns.Named()]
	if sample.Rows == 0 || d == nil || d.object == nil {
		return
	}
	keys := slices.Sorted(maps.Keys(sample.Keys))
	for _, cf := range c.columnFields(d) {
		f, name, r, ref := cf.field, cf.column, cf.columnRange, cf.ref
		stats := sample.Keys[name]
		if stats == nil {
			c.diags.Errorf(r, "db-jsonb-key-missing", "%s: field %s.%s: key %q is in none of the %d sampled rows of %s%s",
				s.what, d.name.Value, f.Name.Value, name, sample.Rows, s.desc, decl.DidYouMean(name, keys))
			continue
		}
		if missing := sample.Rows - stats.Rows + stats.Types["null"]; missing > 0 && ref.NonNull {
			c.diags.Warnf(r, "db-jsonb-key-sometimes", "%s: field %s.%s is non-null, but key %q is absent or null in %d of %d sampled rows of %s",
				s.what, d.name.Value, f.Name.Value, name, missing, sample.Rows, s.desc)
		}
		if want := c.jsonKinds(ref); want != nil {
			var wrong []string
			for _, kind := range slices.Sorted(maps.Keys(stats.Types)) {
				if kind != "null" && !slices.Contains(want, kind) {
					wrong = append(wrong, fmt.Sprintf("%s in %d", kind, stats.Types[kind]))
				}
			}
			if len(wrong) > 0 {
				c.diags.Warnf(f.Type.Range, "db-jsonb-value-type", "%s: field %s.%s is %s, which takes JSON %s, but key %q holds %s of the sampled rows of %s",
					s.what, d.name.Value, f.Name.Value, ref, joinOr(want), name, strings.Join(wrong, ", "), s.desc)
			}
		}
	}
}

// recordColumns writes the columns the operation relies on into the plan.
func (c *checker) recordColumns(s *dbSource) {
	for _, name := range slices.Sorted(maps.Keys(s.used)) {
		col := s.used[name]
		if castable(col.TypeSQL) == "" {
			continue
		}
		s.out.Source.Columns = append(s.out.Source.Columns, spec.Column{Name: col.Name, SQLType: col.TypeSQL, NotNull: col.NotNull && s.nullsKnown})
	}
}

// checkEnumsInCatalog checks the enums that name their PostgreSQL type and
// records where it was found.
func (c *checker) checkEnumsInCatalog(plan *spec.Plan) {
	for i := range plan.Enums {
		e := &plan.Enums[i]
		d := c.defs[e.Name]
		if d == nil || d.enum == nil || d.enum.SQLType == nil {
			continue
		}
		st := d.enum.SQLType
		parts := strings.Split(st.Value, ".")
		schema, name := "", parts[len(parts)-1]
		if len(parts) == 2 {
			schema = parts[0]
		} else if d.file.Schema != nil {
			schema = d.file.Schema.Value
		}
		t := c.cat.TypeByName(schema, name)
		switch {
		case t == nil:
			c.diags.Errorf(st.Range, "db-missing-type", "enum %s: sql_type %q names no type%s", e.Name, st.Value, decl.DidYouMean(name, c.cat.EnumNames(schema)))
		case t.Kind != catalog.EnumType:
			c.diags.Errorf(st.Range, "db-missing-type", "enum %s: sql_type %q is %s, not a PostgreSQL enum", e.Name, st.Value, t.SQL)
		default:
			if sqlIdent.MatchString(t.Name.Schema) {
				e.SQLType = quoteIdent(t.Name.Schema) + "." + quoteIdent(t.Name.Name)
			}
			c.checkEnumLabels(d, t)
		}
	}
}

// checkEnumLabels compares a GraphQL enum's SQL values with the labels of
// a PostgreSQL enum it reads, once per pair.
func (c *checker) checkEnumLabels(d *definition, t *catalog.Type) {
	key := d.name.Value + "\x00" + t.Name.String()
	if c.enumsChecked[key] {
		return
	}
	c.enumsChecked[key] = true
	covered := map[string]bool{}
	for _, v := range d.enum.Values {
		value, r := strings.ToLower(v.Name.Value), v.Name.Range
		if v.SQLValue != nil {
			value, r = v.SQLValue.Value, v.SQLValue.Range
		}
		covered[value] = true
		if !slices.Contains(t.Labels, value) {
			c.diags.Errorf(r, "db-enum-mismatch", "enum %s: value %s maps to %q, which is not a label of %s (labels: %s)%s",
				d.name.Value, v.Name.Value, value, t.SQL, strings.Join(t.Labels, ", "), decl.DidYouMean(value, t.Labels))
		}
	}
	var uncovered []string
	for _, l := range t.Labels {
		if !covered[l] {
			uncovered = append(uncovered, l)
		}
	}
	if len(uncovered) > 0 {
		c.diags.Warnf(d.name.Range, "db-enum-uncovered", "enum %s has no value for label(s) %s of %s; a row holding one gets a field error, and null in place of its nearest nullable parent", d.name.Value, strings.Join(uncovered, ", "), t.SQL)
	}
}

// columnField is a field of a declared object type with the column (or
// jsonb key) it reads and its resolved type.
type columnField struct {
	field       *decl.Field
	column      string
	columnRange decl.Range
	ref         *spec.TypeRef
}

// columnFields lists the column fields of d (not relations or computed
// fields) whose type resolved; the others were reported by the static
// checks.
func (c *checker) columnFields(d *definition) []columnField {
	var out []columnField
	for _, f := range d.object.Fields {
		if f.Relation != nil || f.Function != nil || f.Resolver != nil || f.SQLSource != nil {
			continue // not a column of the source
		}
		ref, err := spec.ParseTypeRef(f.Type.Value)
		if err != nil || c.defs[ref.Named()] == nil {
			continue
		}
		column, r := fieldColumn(f)
		out = append(out, columnField{field: f, column: column, columnRange: r, ref: ref})
	}
	return out
}

// checksRole reports whether the catalog's role is one op may be called
// with, so its privileges are checked: a check runs once per role, and an
// operation is checked only for its own roles.
func (c *checker) checksRole(op *spec.Operation) bool {
	return c.cat.Role != "" && (len(op.Roles) == 0 || slices.Contains(op.Roles, c.cat.Role))
}

// describeType gives an object type without a description the comment of
// the relation its rows come from (COMMENT ON TABLE), as PostGraphile does:
// the first source checked that has one (operations in name order).
func (c *checker) describeType(name string, rel *catalog.Relation) {
	if t := c.objects[name]; t != nil && t.Description == "" {
		t.Description = rel.Comment
	}
}
