package sqlgen

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/schema"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
	"github.com/gqlplan/gqlplan/spec"
)

// rows is a set of rows a field reads: the source as a FROM item with its
// alias, the conditions every row meets, and how the list is read.
type rows struct {
	from    string // `"shop"."post" t2`, `"shop"."search"($1) s`
	alias   string
	conds   []string
	obj     *schema.Object // the type of a row (nil: a function returning scalars)
	row     rowRef         // where the row's fields are read
	listing *spec.Listing
	columns []spec.Column // catalog facts about the source's columns, if any
}

// where is the WHERE clause of rs ("" when there is no condition), with
// extra conditions AND-ed.
func (rs *rows) where(extra ...string) string {
	return conditions(append(append([]string(nil), rs.conds...), extra...))
}

// column is the catalog fact about a source column (nil when unknown).
func (rs *rows) column(name string) *spec.Column {
	for i := range rs.columns {
		if rs.columns[i].Name == name {
			return &rs.columns[i]
		}
	}
	return nil
}

// columnType is the catalog type of a source column ("" when unknown).
func (rs *rows) columnType(name string) string {
	if col := rs.column(name); col != nil {
		return col.SQLType
	}
	return ""
}

// rootRows are the rows of a root field: its source, called with its
// parameters when it is a function, and its WHERE conditions.
func (c *composer) rootRows(op *schema.Operation, args operation.Args) (*rows, error) {
	o := op.Spec
	rs := &rows{alias: "s", obj: c.index.Objects[o.Node], listing: &o.Listing, columns: o.Source.Columns}
	if rs.obj == nil {
		rs.obj = c.index.Objects[op.Returns.Named()]
	}
	rs.row = rowRef{alias: rs.alias, columns: o.Source.Columns}
	if o.Source.Shape == spec.ShapeJSONB {
		rs.row = rowRef{jsonb: rs.alias + "." + o.Source.DataColumn}
	}
	var from strings.Builder
	from.WriteString(c.from(o.Source.SQL))
	if o.Source.Kind == spec.SourceFunction {
		from.WriteByte('(')
		n := 0
		for _, p := range o.Call {
			// By name, an argument the client left out is left out of
			// the call when its parameter has a default, so the default
			// applies; a null one is passed, as NULL.
			if p.Arg != "" && !args.Has(p.Arg) && p.Default && p.Name != "" {
				continue
			}
			v, err := c.paramValue(p.Param, args)
			if err != nil {
				return nil, err
			}
			if n++; n > 1 {
				from.WriteString(", ")
			}
			if p.Name != "" {
				from.WriteString(p.SQL + " => ")
			}
			from.WriteString(c.bind(v, p.SQLType))
		}
		from.WriteByte(')')
		// A function returning a NULL composite yields one all-NULL row:
		// that is "no result", not an object of nulls.
		switch {
		case rs.obj == nil && !o.Token:
			rs.conds = append(rs.conds, "s IS NOT NULL")
		case o.Source.Shape == spec.ShapeJSONB:
			rs.conds = append(rs.conds, "s."+o.Source.DataColumn+" IS NOT NULL")
		default:
			rs.conds = append(rs.conds, "NOT (s IS NULL)")
		}
	}
	rs.from = from.String() + " s"
	if c.pick != nil {
		cond, err := c.pickCondition(rs)
		if err != nil {
			return nil, err
		}
		rs.conds = append(rs.conds, cond)
	}
	for _, w := range o.Where {
		if w.Arg != "" {
			if v, _, ok := args.Bound(w.Arg); !ok || v == nil {
				continue // an optional filter left out filters nothing
			}
		}
		v, err := c.paramValue(w.Param, args)
		if err != nil {
			return nil, err
		}
		op, ok := spec.Operators[w.Op]
		if !ok {
			return nil, fmt.Errorf("plan: unknown operator %q", w.Op)
		}
		if w.Op == "in" {
			arrayType := ""
			if w.SQLType != "" {
				arrayType = w.SQLType + "[]"
			}
			rs.conds = append(rs.conds, "s."+w.SQL+" = ANY("+c.bind(v, arrayType)+")")
		} else {
			rs.conds = append(rs.conds, "s."+w.SQL+" "+op+" "+c.bind(v, w.SQLType))
		}
	}
	return rs, nil
}

// tokenRow is the claims of a token operation: its row as a JSON object
// (the data column of the jsonb shape), which the handler signs.
func (c *composer) tokenRow(rs *rows, op *schema.Operation) string {
	row := "to_json(s)"
	if op.Spec.Source.Shape == spec.ShapeJSONB {
		row = "s." + op.Spec.Source.DataColumn
	}
	return fmt.Sprintf("(SELECT %s FROM %s%s)", row, rs.from, rs.where())
}

// scalarRows is the value of a function returning scalars or an enum.
func (c *composer) scalarRows(rs *rows, op *schema.Operation, args operation.Args) (string, error) {
	typ := op.Returns
	if op.Spec.List {
		typ = typ.Elem
	}
	// Grow: a selection's SQL is rarely shorter than this, so the
	// builders here skip the small doublings.
	var value strings.Builder
	value.Grow(512)
	value.WriteString("to_json(")
	c.columnLeaf(&value, &schema.Field{Spec: &spec.Field{Name: op.Spec.Name}, Type: typ}, "s")
	value.WriteString(")")
	if !op.Spec.List {
		return fmt.Sprintf("(SELECT %s FROM %s%s)", &value, rs.from, rs.where()), nil
	}
	page, err := c.limitOffset(rs, args)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("(SELECT coalesce(json_agg(r.j), '[]'::json) FROM (SELECT %s AS j FROM %s%s%s) r)", &value, rs.from, rs.where(), page), nil
}

// single is the value of one row of rs, or null: a scalar subquery, so
// two rows are an error (21000) rather than an arbitrary pick. up is the
// object's.
func (c *composer) single(rs *rows, sel *operation.Field, depth, up int) (string, error) {
	var value strings.Builder
	value.Grow(512)
	if err := c.object(&value, rs.obj, sel, rs.row, depth, up); err != nil {
		return "", err
	}
	return fmt.Sprintf("(SELECT %s FROM %s%s)", &value, rs.from, rs.where()), nil
}

// list is the JSON array of the rows of rs, in order, one page
// (limit/offset); up is its elements'.
func (c *composer) list(rs *rows, sel *operation.Field, args operation.Args, depth, up int) (string, error) {
	var value strings.Builder
	value.Grow(512)
	if err := c.object(&value, rs.obj, sel, rs.row, depth, up); err != nil {
		return "", err
	}
	filter, keys, err := c.filterAndOrder(rs, args)
	if err != nil {
		return "", err
	}
	page, err := c.limitOffset(rs, args)
	if err != nil {
		return "", err
	}
	// json_agg keeps the order of its sorted subquery: the aggregate has
	// no combine function, so it is never split across parallel workers.
	return fmt.Sprintf("(SELECT coalesce(json_agg(r.j), '[]'::json) FROM (SELECT %s AS j FROM %s%s%s%s) r)",
		&value, rs.from, rs.where(filter...), orderBy(keys, false), page), nil
}

// streamBatch is the value of a stream subscription's root field: the
// next batch of rows as a list, wrapped as [rows, cursor, count] — the
// cursor of the last row (null when none) and how many there are, which
// the server reads the next batch after (see SplitStreamBatch).
func (c *composer) streamBatch(rs *rows, sel *operation.Field, st *spec.Stream, up int) (string, error) {
	var value strings.Builder
	value.Grow(512)
	if err := c.object(&value, rs.obj, sel, rs.row, 1, up); err != nil {
		return "", err
	}
	filter, keys, err := c.filterAndOrder(rs, sel.Args)
	if err != nil {
		return "", err
	}
	page, err := c.limitOffset(rs, sel.Args)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("(SELECT json_build_array(coalesce(json_agg(r.j), '[]'::json), to_json(max(r.c)), count(*)) FROM (SELECT %s AS j, s.%s AS c FROM %s%s%s%s) r)",
		&value, st.Cursor.SQL, rs.from, rs.where(filter...), orderBy(keys, false), page), nil
}

// SplitStreamBatch reads a stream's root value (see streamBatch): its
// rows, the cursor of the last, and their count.
func SplitStreamBatch(value []byte) (rows, cursor json.RawMessage, count int, err error) {
	var parts []json.RawMessage
	if err := json.Unmarshal(value, &parts); err != nil || len(parts) != 3 {
		return nil, nil, 0, fmt.Errorf("sqlgen: a stream batch is [rows, cursor, count], not %.40q", value)
	}
	if err := json.Unmarshal(parts[2], &count); err != nil {
		return nil, nil, 0, fmt.Errorf("sqlgen: a stream batch's count: %w", err)
	}
	return parts[0], parts[1], count, nil
}

// filterAndOrder are the where conditions and the order of a list.
func (c *composer) filterAndOrder(rs *rows, args operation.Args) ([]string, []orderKey, error) {
	filter, err := c.filter(rs, args)
	if err != nil {
		return nil, nil, err
	}
	keys, err := c.orderKeys(rs, args)
	return filter, keys, err
}

// limitOffset is the LIMIT and OFFSET of a plain list.
func (c *composer) limitOffset(rs *rows, args operation.Args) (string, error) {
	l := rs.listing.Limit
	if l == nil {
		return "", nil
	}
	limit, offset := l.Default, int64(0)
	if v, ok := decided(args, spec.ArgLimit).(int64); ok {
		limit = v
	}
	if v, ok := decided(args, spec.ArgOffset).(int64); ok {
		offset = v
	}
	if err := checkPageSize(spec.ArgLimit, limit, l.Max, c.limits.MaxPageSize); err != nil {
		return "", err
	}
	if offset < 0 {
		return "", &wire.Error{Message: "offset must not be negative.", Code: wire.CodeBadUserInput}
	}
	return " LIMIT " + c.param(limit) + " OFFSET " + c.param(offset), nil
}

// relation writes a relation field of an object of type parent (whose up
// is up): the rows of its source joined to the parent row, as one
// object, a list or a connection.
func (c *composer) relation(b *strings.Builder, parent *schema.Object, f *schema.Field, sel *operation.Field, row rowRef, depth, up int) error {
	rel := f.Spec.Relation
	alias := c.alias("t")
	rs := &rows{
		from: c.from(rel.Source.SQL) + " " + alias, alias: alias, row: rowRef{alias: alias, columns: rel.Source.Columns},
		obj: c.index.Objects[f.Type.Named()], listing: &rel.Listing, columns: rel.Source.Columns,
	}
	if rel.Node != "" {
		rs.obj = c.index.Objects[rel.Node]
	}
	if rs.obj == nil {
		return fmt.Errorf("plan: relation %s reads %s, which is not an object type", f.Spec.Name, f.Type)
	}
	for _, j := range rel.Join {
		rs.conds = append(rs.conds, alias+"."+j.Child.SQL+" = "+row.alias+"."+j.Parent.SQL)
	}
	at := upOf(f.Type, up)
	if !rel.List {
		// Null when the key is null or the row is hidden from the caller.
		value, err := c.single(rs, sel, depth+1, at)
		c.guard(b, parent.Spec.Name, f, sel, up, value)
		return err
	}
	args := sel.Args
	var value string
	var err error
	if rel.Connection {
		value, err = c.connection(rs, sel, args, depth+1, at)
	} else {
		value, err = c.list(rs, sel, args, depth+1, elemUp(f.Type, at))
	}
	b.WriteString(value)
	return err
}

// computed writes a computed field: its function called with the row,
// then the arguments given, by name, so the omitted ones take their SQL
// defaults.
func (c *composer) computed(b *strings.Builder, parent *schema.Object, f *schema.Field, sel *operation.Field, row rowRef, depth, up int) error {
	fn := f.Spec.Function
	args := sel.Args
	call := c.from(fn.SQL) + "(" + row.alias
	for _, a := range fn.Args {
		if v, variable, ok := args.Bound(a.Arg); ok {
			call += ", " + a.SQL + " => " + c.bind(boundValue{value: sqlValue(v), variable: variable, convert: plainValue}, a.SQLType)
		}
	}
	call += ")"
	// A declared limit pages the function's rows, in its order.
	page := ""
	if fn.Limit != nil {
		var err error
		if page, err = c.limitOffset(&rows{listing: &spec.Listing{Limit: fn.Limit}}, args); err != nil {
			return err
		}
	}
	target := c.index.Objects[f.Type.Named()]
	if target == nil { // a scalar, an enum or an array of them
		if fn.Set {
			alias := c.alias("t")
			var value strings.Builder
			value.Grow(512)
			c.columnLeaf(&value, &schema.Field{Spec: f.Spec, Type: f.Type.Elem}, alias)
			b.WriteString(setRows(&value, call, alias, page))
			return nil
		}
		if e := c.index.Enums[f.Type.Named()]; e != nil && f.Type.Elem == nil {
			c.enumValue(b, parent.Spec.Name, f, sel, up, e, call+"::text")
			return nil
		}
		c.guard(b, parent.Spec.Name, f, sel, up, leaf(c, f, call))
		return nil
	}
	alias := c.alias("t")
	var value strings.Builder
	value.Grow(512)
	at := upOf(f.Type, up)
	if f.Type.Elem != nil { // SETOF rows, in the function's order
		if err := c.object(&value, target, sel, rowRef{alias: alias}, depth+1, elemUp(f.Type, at)); err != nil {
			return err
		}
		b.WriteString(setRows(&value, call, alias, page))
		return nil
	}
	if err := c.object(&value, target, sel, rowRef{alias: alias}, depth+1, at); err != nil {
		return err
	}
	// A function returning a NULL composite yields one all-NULL row.
	c.guard(b, parent.Spec.Name, f, sel, up, fmt.Sprintf("(SELECT %s FROM %s %s WHERE NOT (%s IS NULL))", &value, call, alias, alias))
	return nil
}

// setRows is the JSON array of value over the rows of a set-returning
// call (as alias), in the function's order; page is its LIMIT and
// OFFSET, if any.
func setRows(value *strings.Builder, call, alias, page string) string {
	if page == "" {
		return fmt.Sprintf("(SELECT coalesce(json_agg(%s), '[]'::json) FROM %s %s)", value, call, alias)
	}
	return fmt.Sprintf("(SELECT coalesce(json_agg(r.j), '[]'::json) FROM (SELECT %s AS j FROM %s %s%s) r)", value, call, alias, page)
}
