package runtime

import (
	"fmt"

	"github.com/graphql-go/graphql/language/ast"
	"strconv"
	"strings"

	"github.com/gqlplan/gqlplan/spec"
)

// statement is the SQL of one root field, returning one row with one json
// column (the field's value, built by PostgreSQL), and its parameters.
//
// The SQL text is made only of the plan's identifiers (quoted by the
// compiler) and fixed keywords; every value from the request — arguments,
// claims, aliases — is a bound parameter.
type statement struct {
	sql  string
	args []any
}

// composer writes one statement.
type composer struct {
	r       *request
	sql     strings.Builder
	args    []any
	aliases int // nested value aliases n1, n2, …
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

// compose builds the statement of a root field bound to op.
func (r *request) compose(op *operation, sel *selection) (statement, error) {
	args, err := r.argumentValues(op, sel)
	if err != nil {
		return statement{}, err
	}
	c := &composer{r: r}
	o := op.spec
	obj := r.schema.objects[op.returns.Named()]
	row := rowRef{alias: "s"}
	if o.Source.Shape == spec.ShapeJSONB {
		row = rowRef{jsonb: "s." + o.Source.DataColumn}
	}
	value := &strings.Builder{}
	if obj == nil { // a function returning a scalar or an enum: the row is the value
		typ := op.returns
		if o.List {
			typ = typ.Elem
		}
		value.WriteString("to_json(")
		c.columnLeaf(value, &field{spec: &spec.Field{Name: o.Name}, typ: typ}, "s")
		value.WriteString(")")
	} else if err := c.object(value, obj, sel.fields, row, 1); err != nil {
		return statement{}, err
	}
	// from is the FROM and WHERE of the source, with its parameters bound
	// after those of the selection (aliases).
	from, err := c.from(op, args)
	if err != nil {
		return statement{}, err
	}
	if op.spec.List {
		// json_agg keeps the order of its sorted subquery: the aggregate has
		// no combine function, so it is never split across parallel workers.
		fmt.Fprintf(&c.sql, "SELECT coalesce(json_agg(r.j), '[]'::json) FROM (SELECT %s AS j FROM %s) r", value, from)
	} else {
		// A scalar subquery: no row is null, two rows are an error (21000)
		// rather than an arbitrary pick.
		fmt.Fprintf(&c.sql, "SELECT (SELECT %s FROM %s)", value, from)
	}
	return statement{sql: c.sql.String(), args: c.args}, nil
}

// from writes the source, its WHERE conditions, order and limit.
func (c *composer) from(op *operation, args map[string]any) (string, error) {
	o := op.spec
	var b strings.Builder
	b.WriteString(o.Source.SQL)
	if o.Source.Kind == spec.SourceFunction {
		b.WriteByte('(')
		for i, p := range o.Call {
			if i > 0 {
				b.WriteString(", ")
			}
			v, err := c.r.paramValue(p, args)
			if err != nil {
				return "", err
			}
			b.WriteString(c.typedParam(v, p.SQLType))
		}
		b.WriteByte(')')
	}
	b.WriteString(" s")
	var conds []string
	if o.Source.Kind == spec.SourceFunction {
		// A function returning a NULL composite yields one all-NULL row:
		// that is "no result", not an object of nulls.
		switch {
		case c.r.schema.objects[op.returns.Named()] == nil:
			conds = append(conds, "s IS NOT NULL")
		case o.Source.Shape == spec.ShapeJSONB:
			conds = append(conds, "s."+o.Source.DataColumn+" IS NOT NULL")
		default:
			conds = append(conds, "NOT (s IS NULL)")
		}
	}
	for _, w := range o.Where {
		if w.Arg != "" {
			if v, ok := args[w.Arg]; !ok || v == nil {
				continue // an optional filter left out filters nothing
			}
		}
		v, err := c.r.paramValue(w.Param, args)
		if err != nil {
			return "", err
		}
		op, ok := spec.Operators[w.Op]
		if !ok {
			return "", fmt.Errorf("plan: unknown operator %q", w.Op)
		}
		if w.Op == "in" {
			arrayType := ""
			if w.SQLType != "" {
				arrayType = w.SQLType + "[]"
			}
			conds = append(conds, "s."+w.SQL+" = ANY("+c.typedParam(v, arrayType)+")")
		} else {
			conds = append(conds, "s."+w.SQL+" "+op+" "+c.typedParam(v, w.SQLType))
		}
	}
	if len(conds) > 0 {
		b.WriteString(" WHERE ")
		b.WriteString(strings.Join(conds, " AND "))
	}
	if len(o.OrderBy) > 0 {
		b.WriteString(" ORDER BY ")
		for i, t := range o.OrderBy {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("s." + t.SQL)
			if t.Descending {
				b.WriteString(" DESC")
			}
			if t.Nulls != "" {
				b.WriteString(" NULLS " + strings.ToUpper(t.Nulls))
			}
		}
	}
	if o.List && o.Limit != nil {
		limit, offset, err := pageOf(o.Limit, args)
		if err != nil {
			return "", err
		}
		b.WriteString(" LIMIT " + c.param(limit) + " OFFSET " + c.param(offset))
	}
	return b.String(), nil
}

// pageOf reads the limit and offset arguments of a list query.
func pageOf(l *spec.Limit, args map[string]any) (limit, offset int64, err error) {
	limit = l.Default
	if v, ok := args["limit"].(int64); ok {
		limit = v
	}
	if v, ok := args["offset"].(int64); ok {
		offset = v
	}
	if limit < 0 || limit > l.Max {
		return 0, 0, &Error{Message: fmt.Sprintf("limit must be between 0 and %d", l.Max), Code: CodeBadUserInput}
	}
	if offset < 0 {
		return 0, 0, &Error{Message: "offset must not be negative", Code: CodeBadUserInput}
	}
	return limit, offset, nil
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
func (c *composer) object(b *strings.Builder, obj *object, fields []*ast.Field, row rowRef, depth int) error {
	sels, err := c.r.collectFields(subSelections(fields)...)
	if err != nil {
		return err
	}
	if depth > c.r.limits.MaxDepth {
		return &Error{Message: fmt.Sprintf("The document nests selections deeper than %d levels.", c.r.limits.MaxDepth), Code: CodeDocumentTooDeep}
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
func (c *composer) key(sel *selection) string {
	if sel.key == sel.name() {
		return quoteLiteral(sel.key) // a field or __typename: plan text, not request text
	}
	return c.param(sel.key) + "::text"
}

// fieldValue writes the SQL value of one selected field.
func (c *composer) fieldValue(b *strings.Builder, obj *object, sel *selection, row rowRef, depth int) error {
	name := sel.name()
	if name == "__typename" {
		b.WriteString(quoteLiteral(obj.spec.Name) + "::text")
		return nil
	}
	f := obj.fields[name]
	if f == nil {
		return fmt.Errorf("plan: type %s has no field %s", obj.spec.Name, name)
	}
	named := f.typ.Named()
	if target := c.r.schema.objects[named]; target != nil {
		return c.nested(b, target, f, sel, row, depth)
	}
	if row.jsonb != "" {
		c.jsonbLeaf(b, f, row.jsonb+"->"+quoteLiteral(f.spec.Column))
		return nil
	}
	c.columnLeaf(b, f, "s."+f.spec.SQL)
	return nil
}

// columnLeaf writes a scalar or enum column, converted where JSON would
// lose information or the GraphQL value differs from the SQL one.
func (c *composer) columnLeaf(b *strings.Builder, f *field, col string) {
	named := f.typ.Named()
	if e := c.r.schema.enums[named]; e != nil && e.renamed {
		if f.typ.Elem != nil {
			fmt.Fprintf(b, "(SELECT json_agg(%s ORDER BY u.i) FROM unnest(%s) WITH ORDINALITY u(e, i))", enumCase(e, "u.e::text"), col)
			return
		}
		b.WriteString(enumCase(e, col+"::text"))
		return
	}
	switch named {
	case "BigInt", "Decimal", "ID":
		if f.typ.Elem != nil {
			b.WriteString(col + "::text[]")
		} else {
			b.WriteString(col + "::text")
		}
	default:
		b.WriteString(col)
	}
}

// jsonbLeaf writes a scalar or enum value stored inside a jsonb document.
func (c *composer) jsonbLeaf(b *strings.Builder, f *field, value string) {
	named := f.typ.Named()
	if e := c.r.schema.enums[named]; e != nil && e.renamed {
		if f.typ.Elem != nil {
			fmt.Fprintf(b, "(SELECT json_agg(%s ORDER BY u.i) FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(%s) = 'array' THEN %s END) WITH ORDINALITY u(e, i))", enumCase(e, "u.e"), value, value)
			return
		}
		b.WriteString(enumCase(e, "("+value+" #>> '{}')"))
		return
	}
	switch named {
	case "BigInt", "Decimal", "ID":
		if f.typ.Elem == nil { // numbers in the document become strings, as the scalar says
			fmt.Fprintf(b, "to_json(%s #>> '{}')", value)
			return
		}
	}
	b.WriteString(value)
}

// nested writes an object-typed field: a jsonb value (a key of the parent
// document, or a json/jsonb/composite column) projected field by field,
// so only what was selected is returned.
func (c *composer) nested(b *strings.Builder, target *object, f *field, sel *selection, row rowRef, depth int) error {
	value := "to_jsonb(s." + f.spec.SQL + ")"
	if row.jsonb != "" {
		value = row.jsonb + "->" + quoteLiteral(f.spec.Column)
	}
	c.aliases++
	alias := "n" + strconv.Itoa(c.aliases)
	inner := rowRef{jsonb: alias + ".v"}
	if f.typ.Elem != nil {
		fmt.Fprintf(b, "CASE WHEN jsonb_typeof(%s) = 'array' THEN (SELECT coalesce(json_agg(CASE WHEN jsonb_typeof(%s.v) = 'object' THEN ", value, alias)
		if err := c.object(b, target, sel.fields, inner, depth+1); err != nil {
			return err
		}
		fmt.Fprintf(b, " END ORDER BY %s.i), '[]'::json) FROM jsonb_array_elements(%s) WITH ORDINALITY %s(v, i)) END", alias, value, alias)
		return nil
	}
	b.WriteString("(SELECT ")
	if err := c.object(b, target, sel.fields, inner, depth+1); err != nil {
		return err
	}
	fmt.Fprintf(b, " FROM (SELECT %s AS v) %s WHERE jsonb_typeof(%s.v) = 'object')", value, alias, alias)
	return nil
}

// enumCase maps an enum's SQL values (text expression expr) to GraphQL names.
func enumCase(e *enum, expr string) string {
	var b strings.Builder
	b.WriteString("CASE " + expr)
	for _, v := range e.spec.Values {
		b.WriteString(" WHEN " + quoteLiteral(v.SQLValue) + " THEN " + quoteLiteral(v.Name))
	}
	b.WriteString(" END")
	return b.String()
}

// quoteLiteral quotes a string from the plan as a SQL literal.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
