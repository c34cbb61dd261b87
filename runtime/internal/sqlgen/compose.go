// Package sqlgen composes SQL: it takes a root [operation.Field] bound to
// a plan operation and the caller's claims, and gives the [Statement]
// whose one row and column is the field's JSON, built by PostgreSQL —
// objects and jsonb documents, relations and computed fields,
// filters, orders, keyset cursors and Relay connections — one statement
// per root field, however deep. Identifiers come from the plan, quoted by
// the compiler; every value is a bound parameter. It runs nothing, so its
// output is tested as golden files without a database.
package sqlgen

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gqlplan/gqlplan/runtime/internal/nonnull"
	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/schema"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
	"github.com/gqlplan/gqlplan/spec"
)

// Statement is the SQL of one root field, returning one row with one json
// column (the field's value, built by PostgreSQL), and its parameters.
//
// The SQL text is made only of the plan's identifiers (quoted by the
// compiler) and fixed keywords; every value from the request — arguments,
// claims, aliases — is a bound parameter.
type Statement struct {
	SQL  string
	Args []any
	// Slots are the parameters a request's variables or claims give
	// without deciding the SQL: those Rebind replaces.
	Slots []Slot
	// Resolves are the field resolvers whose markers the result holds.
	Resolves []Resolve
	// Nulls are the sites of the non-null markers the result may hold
	// (see package nonnull), by number.
	Nulls []nonnull.Site
	// Call, for a mutation, is the statement run first, in the same
	// transaction: the function's call, which keeps the rows it returned
	// for this statement to read (see mutation.go). It returns no JSON.
	Call *Statement
	// Reads are the sources the statement names — tables, views and
	// functions, as the plan quotes them — sorted: what it reads is what
	// they read (read-your-writes on replicas asks whether a write
	// touched any of it).
	Reads []string
}

// Slot is a parameter of a statement that a variable (the whole value of
// an argument) or a claim gives, and how its value is converted.
type Slot struct {
	Index    int
	Variable string
	Claim    string
	convert  func(any) (any, error)
}

// Template is the statement to keep for Rebind: its slots' values, the
// request's own, left out.
func (s *Statement) Template() *Statement {
	t := *s
	t.Args = slices.Clone(s.Args)
	for _, slot := range s.Slots {
		t.Args[slot.Index] = nil
	}
	if s.Call != nil {
		t.Call = s.Call.Template()
	}
	return &t
}

// Rebind is the statement with its slots given the values of vars and
// claims, for a request whose every deciding variable has the values the
// statement was composed with (see operation.Uses). It fails, and the
// statement must be composed, when a value does not convert: an id of
// the wrong type, a claim missing, where composing gives the error.
func (s *Statement) Rebind(vars, claims map[string]any) (Statement, bool) {
	out := Statement{SQL: s.SQL, Args: slices.Clone(s.Args), Slots: s.Slots, Resolves: s.Resolves, Nulls: s.Nulls, Reads: s.Reads}
	if s.Call != nil {
		call, ok := s.Call.Rebind(vars, claims)
		if !ok {
			return Statement{}, false
		}
		out.Call = &call
	}
	for _, slot := range s.Slots {
		var v any
		var ok bool
		if slot.Claim != "" {
			v, ok = claims[slot.Claim]
		} else {
			v, ok = vars[slot.Variable]
		}
		if !ok {
			return Statement{}, false
		}
		converted, err := slot.convert(v)
		if err != nil {
			return Statement{}, false
		}
		out.Args[slot.Index] = converted
	}
	return out, true
}

// Limits bound the pages a statement reads (PAGE_TOO_LARGE) and its
// nesting (DOCUMENT_TOO_DEEP, checked by the document phase first).
type Limits struct {
	MaxPageSize int64
	MaxDepth    int
}

// composer writes one statement.
type composer struct {
	index  *schema.Schema
	limits Limits
	claims map[string]any
	args   []any
	slots  []Slot
	// resolves are the field resolvers' call sites (see resolvers.go);
	// pick is how a resolver picked the root rows (nil: no resolver).
	resolves []Resolve
	nulls    []nonnull.Site
	slotBase int
	pick     *Pick
	aliases  int      // aliases of nested rows and values: t1, n2, …
	reads    []string // the sources named (see Statement.Reads)
}

// from notes that the statement names source (its quoted SQL name) and
// returns it.
func (c *composer) from(source string) string {
	if !slices.Contains(c.reads, source) {
		c.reads = append(c.reads, source)
	}
	return source
}

// alias returns a new alias: prefix and a number unique in the statement.
func (c *composer) alias(prefix string) string {
	c.aliases++
	return prefix + strconv.Itoa(c.aliases)
}

func (c *composer) param(v any) string {
	c.args = append(c.args, v)
	return "$" + strconv.Itoa(len(c.args))
}

// typedParam binds v cast to sqlType, the type the compiler found in the
// catalog ("" when the plan was compiled without one: PostgreSQL infers
// it from the context).
func (c *composer) typedParam(v any, sqlType string) string {
	if sqlType == "" {
		return c.param(v)
	}
	return c.param(v) + "::" + sqlType
}

// Compose builds the statement of root field sel, bound to op, for a
// caller with claims (nil: anonymous): one SQL statement, however deep the
// selection, returning the field's value.
func Compose(index *schema.Schema, limits Limits, op *schema.Operation, sel *operation.Field, claims map[string]any) (Statement, error) {
	args := sel.Args
	c := &composer{index: index, limits: limits, claims: claims}
	if op.Spec.Source.Kind == spec.SourceNodes || op.Spec.TypeColumn != nil {
		var value string
		var err error
		if op.Spec.TypeColumn != nil {
			value, err = c.abstract(op, sel)
		} else {
			value, err = c.nodes(op, sel)
		}
		if err != nil {
			return Statement{}, err
		}
		return c.statement(value), nil
	}
	rows, err := c.rootRows(op, args)
	if err != nil {
		return Statement{}, err
	}
	var call *Statement
	if op.Mutation && op.Spec.Source.RowType != "" && !op.Spec.Token && c.pick == nil {
		call = c.callFirst(rows, op.Spec.Source.RowType)
	}
	var value string
	switch {
	case op.Spec.Token:
		value = c.tokenRow(rows, op)
	case rows.obj == nil: // a function returning scalars or an enum: the row is the value
		value, err = c.scalarRows(rows, op, args)
	default:
		value, err = c.rootObjects(rows, op, sel)
	}
	if err != nil {
		return Statement{}, err
	}
	stmt := c.statement(value)
	stmt.Call = call
	return stmt, nil
}

// statement is the composed statement whose value is value.
func (c *composer) statement(value string) Statement {
	slices.Sort(c.reads)
	return Statement{SQL: "SELECT " + value, Args: c.args, Slots: c.slots, Resolves: c.resolves, Nulls: c.nulls, Reads: c.reads}
}

// rootObjects is the value of a root field over rows of objects: a
// connection, a list or one object.
func (c *composer) rootObjects(rows *rows, op *schema.Operation, sel *operation.Field) (string, error) {
	up := upOf(op.Returns, 0) // the data's up is 0: it may be null
	switch {
	case op.Spec.Connection:
		return c.connection(rows, sel, sel.Args, 1, up)
	case op.Spec.Stream != nil:
		return c.streamBatch(rows, sel, op.Spec.Stream, elemUp(op.Returns, up))
	case op.Spec.List:
		return c.list(rows, sel, sel.Args, 1, elemUp(op.Returns, up))
	default:
		return c.single(rows, sel, 1, up)
	}
}

// rowRef is where an object's fields are read: the columns of a row alias
// (columns shape), or the keys of a jsonb expression (jsonb shape and
// every nested object).
type rowRef struct {
	alias string
	jsonb string
	// columns are the catalog's facts about the row's columns (nil:
	// unknown, so any may be null).
	columns []spec.Column
}

// notNull reports whether the catalog says column name of the row holds
// no null.
func (r rowRef) notNull(name string) bool {
	col := r.column(name)
	return col != nil && col.NotNull
}

// column is the catalog's fact about column name of the row (nil when
// unknown).
func (r rowRef) column(name string) *spec.Column {
	for i := range r.columns {
		if r.columns[i].Name == name {
			return &r.columns[i]
		}
	}
	return nil
}

// object writes a json_build_object of the selected fields of obj, keys in
// selection order; up is the object's (see upOf).
func (c *composer) object(b *strings.Builder, obj *schema.Object, sel *operation.Field, row rowRef, depth, up int) error {
	sels := sel.Children
	if depth > c.limits.MaxDepth {
		return &wire.Error{Message: fmt.Sprintf("The document nests selections deeper than %d levels.", c.limits.MaxDepth), Code: wire.CodeDocumentTooDeep}
	}
	// json_build_object takes at most 100 arguments; wider objects are
	// built from chunks merged by json_object_agg in selection order.
	const perCall = 50
	if len(sels) > perCall {
		b.WriteString("(SELECT json_object_agg(kv.k, kv.v ORDER BY kv.n) FROM (VALUES ")
		for i, sel := range sels {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, "(%d, %s, to_json(", i, c.key(sel))
			if err := c.fieldValue(b, obj, sel, row, depth, up); err != nil {
				return err
			}
			b.WriteString("))")
		}
		b.WriteString(") kv(n, k, v))")
		return nil
	}
	b.WriteString("json_build_object(")
	for i, sel := range sels {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.key(sel))
		b.WriteString(", ")
		if err := c.fieldValue(b, obj, sel, row, depth, up); err != nil {
			return err
		}
	}
	b.WriteByte(')')
	return nil
}

// key is the JSON key of a selection: the field's name from the plan, or a
// parameter when the client chose an alias.
func (c *composer) key(sel *operation.Field) string {
	if sel.Key == sel.Name {
		return quoteLiteral(sel.Key) // a field or __typename: plan text, not request text
	}
	return c.param(sel.Key) + "::text"
}

// fieldValue writes the SQL value of one selected field of an object
// whose up is up.
func (c *composer) fieldValue(b *strings.Builder, obj *schema.Object, sel *operation.Field, row rowRef, depth, up int) error {
	name := sel.Name
	if name == "__typename" {
		b.WriteString(quoteLiteral(obj.Spec.Name) + "::text")
		return nil
	}
	f := obj.Fields[name]
	if f == nil {
		return fmt.Errorf("plan: type %s has no field %s", obj.Spec.Name, name)
	}
	if f.Spec.GlobalID {
		c.globalID(b, obj, row)
		return nil
	}
	if f.Spec.Resolver != "" {
		if _, _, err := ResolverPage(f, sel.Args.Map(), c.limits.MaxPageSize); err != nil {
			return c.argumentError(b, obj.Spec.Name, f, sel, up, err)
		}
		c.resolverMarker(b, obj, f, sel, row, up)
		return nil
	}
	named := f.Type.Named()
	if target := c.index.Objects[named]; target != nil && f.Spec.Relation == nil && f.Spec.Function == nil {
		return c.nested(b, obj, target, f, sel, row, depth, up)
	}
	switch {
	case f.Spec.Relation != nil || f.Spec.Function != nil:
		if row.jsonb != "" { // the compiler refuses these plans
			return fmt.Errorf("plan: %s.%s needs a row, but is read from a document", obj.Spec.Name, name)
		}
		var value strings.Builder
		var err error
		if f.Spec.Relation != nil {
			err = c.relation(&value, obj, f, sel, row, depth, up)
		} else {
			err = c.computed(&value, obj, f, sel, row, depth, up)
		}
		if err != nil {
			return c.argumentError(b, obj.Spec.Name, f, sel, up, err)
		}
		b.WriteString(value.String())
	case row.jsonb != "":
		c.jsonbLeaf(b, obj, f, sel, up, row.jsonb+"->"+quoteLiteral(f.Spec.Column))
	case f.Type.Elem == nil && c.index.Enums[f.Type.Named()] != nil:
		c.enumValue(b, obj.Spec.Name, f, sel, up, c.index.Enums[f.Type.Named()], row.alias+"."+f.Spec.SQL+"::text")
	case row.notNull(f.Spec.Column):
		b.WriteString(c.arrayElements(obj.Spec.Name, f, sel, up, row, row.alias+"."+f.Spec.SQL))
	default:
		c.guard(b, obj.Spec.Name, f, sel, up, c.arrayElements(obj.Spec.Name, f, sel, up, row, row.alias+"."+f.Spec.SQL))
	}
	return nil
}

// leaf is what columnLeaf writes, as a string.
func leaf(c *composer, f *schema.Field, col string) string {
	var b strings.Builder
	c.columnLeaf(&b, f, col)
	return b.String()
}

// columnLeaf writes a scalar or enum column, converted where JSON would
// lose information or the GraphQL value differs from the SQL one.
func (c *composer) columnLeaf(b *strings.Builder, f *schema.Field, col string) {
	named := f.Type.Named()
	if e := c.index.Enums[named]; e != nil && e.Renamed {
		if f.Type.Elem != nil {
			fmt.Fprintf(b, "(SELECT json_agg(%s ORDER BY u.i) FROM unnest(%s) WITH ORDINALITY u(e, i))", enumCase(e, "u.e::text"), col)
			return
		}
		b.WriteString(enumCase(e, col+"::text"))
		return
	}
	switch named {
	case "BigInt", "Decimal", "ID":
		if f.Type.Elem != nil {
			b.WriteString(col + "::text[]")
		} else {
			b.WriteString(col + "::text")
		}
	default:
		b.WriteString(col)
	}
}

// jsonbLeaf writes a scalar or enum value stored inside a jsonb document
// (a key that may be missing, or null, whatever the type says).
func (c *composer) jsonbLeaf(b *strings.Builder, obj *schema.Object, f *schema.Field, sel *operation.Field, up int, value string) {
	named := f.Type.Named()
	e := c.index.Enums[named]
	switch {
	case e != nil && f.Type.Elem == nil:
		c.enumValue(b, obj.Spec.Name, f, sel, up, e, "("+value+" #>> '{}')")
	case e != nil && e.Renamed:
		c.guard(b, obj.Spec.Name, f, sel, up, fmt.Sprintf("(SELECT json_agg(%s ORDER BY u.i) FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(%s) = 'array' THEN %s END) WITH ORDINALITY u(e, i))", enumCase(e, "u.e"), value, value))
	case f.Type.Elem == nil && (named == "BigInt" || named == "Decimal" || named == "ID"):
		// Numbers in the document become strings, as the scalar says.
		c.guard(b, obj.Spec.Name, f, sel, up, fmt.Sprintf("to_json(%s #>> '{}')", value))
	case f.Type.NonNull:
		c.guard(b, obj.Spec.Name, f, sel, up, "nullif("+value+", 'null'::jsonb)")
	default:
		b.WriteString(value)
	}
}

// nested writes an object-typed field: a jsonb value (a key of the parent
// document, or a json/jsonb/composite column) projected field by field,
// so only what was selected is returned. A value that is not an object
// (or not an array of them) is null.
func (c *composer) nested(b *strings.Builder, parent, target *schema.Object, f *schema.Field, sel *operation.Field, row rowRef, depth, up int) error {
	value := "to_jsonb(" + row.alias + "." + f.Spec.SQL + ")"
	if row.jsonb != "" {
		value = row.jsonb + "->" + quoteLiteral(f.Spec.Column)
	}
	alias := c.alias("n")
	inner := rowRef{jsonb: alias + ".v"}
	var v strings.Builder
	at := upOf(f.Type, up)
	if f.Type.Elem != nil {
		fmt.Fprintf(&v, "CASE WHEN jsonb_typeof(%s) = 'array' THEN (SELECT coalesce(json_agg(CASE WHEN jsonb_typeof(%s.v) = 'object' THEN ", value, alias)
		if err := c.object(&v, target, sel, inner, depth+1, elemUp(f.Type, at)); err != nil {
			return err
		}
		if f.Type.Elem.NonNull {
			c.nulls = append(c.nulls, nonnull.Site{Type: parent.Spec.Name, Field: f.Spec.Name, Up: elemUp(f.Type, at), Loc: sel.Loc})
			v.WriteString(" ELSE " + markerOf(len(c.nulls)-1))
		}
		fmt.Fprintf(&v, " END ORDER BY %s.i), '[]'::json) FROM jsonb_array_elements(%s) WITH ORDINALITY %s(v, i)) END", alias, value, alias)
	} else {
		v.WriteString("(SELECT ")
		if err := c.object(&v, target, sel, inner, depth+1, at); err != nil {
			return err
		}
		fmt.Fprintf(&v, " FROM (SELECT %s AS v) %s WHERE jsonb_typeof(%s.v) = 'object')", value, alias, alias)
	}
	c.guard(b, parent.Spec.Name, f, sel, up, v.String())
	return nil
}

// enumCase maps an enum's SQL values (text expression expr) to GraphQL names.
func enumCase(e *schema.Enum, expr string) string {
	return "CASE " + expr + e.CaseTail
}

// quoteLiteral quotes a string from the plan as a SQL literal.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
