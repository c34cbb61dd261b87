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
	return &t
}

// Rebind is the statement with its slots given the values of vars and
// claims, for a request whose every deciding variable has the values the
// statement was composed with (see operation.Uses). It fails, and the
// statement must be composed, when a value does not convert: an id of
// the wrong type, a claim missing, where composing gives the error.
func (s *Statement) Rebind(vars, claims map[string]any) (Statement, bool) {
	out := Statement{SQL: s.SQL, Args: slices.Clone(s.Args), Slots: s.Slots, Resolves: s.Resolves}
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
	slotBase int
	pick     *Pick
	aliases  int // aliases of nested rows and values: t1, n2, …
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
		return Statement{SQL: "SELECT " + value, Args: c.args, Slots: c.slots, Resolves: c.resolves}, nil
	}
	rows, err := c.rootRows(op, args)
	if err != nil {
		return Statement{}, err
	}
	var value string
	switch {
	case op.Spec.Token:
		value = c.tokenRow(rows, op)
	case rows.obj == nil: // a function returning scalars or an enum: the row is the value
		value, err = c.scalarRows(rows, op, args)
	case op.Spec.Connection:
		value, err = c.connection(rows, sel, args, 1)
	case op.Spec.List:
		value, err = c.list(rows, sel, args, 1)
	default:
		value, err = c.single(rows, sel, 1)
	}
	if err != nil {
		return Statement{}, err
	}
	return Statement{SQL: "SELECT " + value, Args: c.args, Slots: c.slots, Resolves: c.resolves}, nil
}

// rowRef is where an object's fields are read: the columns of a row alias
// (columns shape), or the keys of a jsonb expression (jsonb shape and
// every nested object).
type rowRef struct {
	alias string
	jsonb string
}

// object writes a json_build_object of the selected fields of obj, keys in
// selection order.
func (c *composer) object(b *strings.Builder, obj *schema.Object, sel *operation.Field, row rowRef, depth int) error {
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
			if err := c.fieldValue(b, obj, sel, row, depth); err != nil {
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
		if err := c.fieldValue(b, obj, sel, row, depth); err != nil {
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

// fieldValue writes the SQL value of one selected field.
func (c *composer) fieldValue(b *strings.Builder, obj *schema.Object, sel *operation.Field, row rowRef, depth int) error {
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
		c.resolverMarker(b, f, sel, row)
		return nil
	}
	named := f.Type.Named()
	if target := c.index.Objects[named]; target != nil && f.Spec.Relation == nil && f.Spec.Function == nil {
		return c.nested(b, target, f, sel, row, depth)
	}
	switch {
	case f.Spec.Relation != nil || f.Spec.Function != nil:
		if row.jsonb != "" { // the compiler refuses these plans
			return fmt.Errorf("plan: %s.%s needs a row, but is read from a document", obj.Spec.Name, name)
		}
		if f.Spec.Relation != nil {
			return c.relation(b, f, sel, row, depth)
		}
		return c.computed(b, f, sel, row, depth)
	case row.jsonb != "":
		c.jsonbLeaf(b, f, row.jsonb+"->"+quoteLiteral(f.Spec.Column))
	default:
		c.columnLeaf(b, f, row.alias+"."+f.Spec.SQL)
	}
	return nil
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

// jsonbLeaf writes a scalar or enum value stored inside a jsonb document.
func (c *composer) jsonbLeaf(b *strings.Builder, f *schema.Field, value string) {
	named := f.Type.Named()
	if e := c.index.Enums[named]; e != nil && e.Renamed {
		if f.Type.Elem != nil {
			fmt.Fprintf(b, "(SELECT json_agg(%s ORDER BY u.i) FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(%s) = 'array' THEN %s END) WITH ORDINALITY u(e, i))", enumCase(e, "u.e"), value, value)
			return
		}
		b.WriteString(enumCase(e, "("+value+" #>> '{}')"))
		return
	}
	switch named {
	case "BigInt", "Decimal", "ID":
		if f.Type.Elem == nil { // numbers in the document become strings, as the scalar says
			fmt.Fprintf(b, "to_json(%s #>> '{}')", value)
			return
		}
	}
	b.WriteString(value)
}

// nested writes an object-typed field: a jsonb value (a key of the parent
// document, or a json/jsonb/composite column) projected field by field,
// so only what was selected is returned.
func (c *composer) nested(b *strings.Builder, target *schema.Object, f *schema.Field, sel *operation.Field, row rowRef, depth int) error {
	value := "to_jsonb(" + row.alias + "." + f.Spec.SQL + ")"
	if row.jsonb != "" {
		value = row.jsonb + "->" + quoteLiteral(f.Spec.Column)
	}
	alias := c.alias("n")
	inner := rowRef{jsonb: alias + ".v"}
	if f.Type.Elem != nil {
		fmt.Fprintf(b, "CASE WHEN jsonb_typeof(%s) = 'array' THEN (SELECT coalesce(json_agg(CASE WHEN jsonb_typeof(%s.v) = 'object' THEN ", value, alias)
		if err := c.object(b, target, sel, inner, depth+1); err != nil {
			return err
		}
		fmt.Fprintf(b, " END ORDER BY %s.i), '[]'::json) FROM jsonb_array_elements(%s) WITH ORDINALITY %s(v, i)) END", alias, value, alias)
		return nil
	}
	b.WriteString("(SELECT ")
	if err := c.object(b, target, sel, inner, depth+1); err != nil {
		return err
	}
	fmt.Fprintf(b, " FROM (SELECT %s AS v) %s WHERE jsonb_typeof(%s.v) = 'object')", value, alias, alias)
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
