package sqlgen

import (
	"fmt"
	"strings"

	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/schema"
)

// A query returning an interface or a union reads rows that name their
// type (the type column) and hold that type's key; each row's object is
// read from the type's node source by that key, with the selection the
// document makes for that type. Rows whose type is not one of the
// abstract type's, or whose object the caller may not see, are left out
// of a list (a single one is null): a value is never an object of the
// wrong type.

// abstract writes the value of a root field of an abstract type.
func (c *composer) abstract(op *schema.Operation, sel *operation.Field) (string, error) {
	args := sel.Args
	rs, err := c.rootRows(op, args)
	if err != nil {
		return "", err
	}
	up := upOf(op.Returns, 0)
	if op.Spec.List {
		up = elemUp(op.Returns, up)
	}
	value, types, err := c.typedObject(rs, op, sel, up)
	if err != nil {
		return "", err
	}
	known := rs.alias + "." + op.Spec.TypeColumn.SQL + " IN (" + strings.Join(types, ", ") + ")"
	if !op.Spec.List {
		return fmt.Sprintf("(SELECT %s FROM %s%s)", value, rs.from, rs.where(known)), nil
	}
	var keys []orderKey
	for _, t := range rs.listing.OrderBy {
		keys = append(keys, orderKey{expr: rs.alias + "." + t.SQL, column: t.Column, descending: t.Descending, nulls: t.Nulls})
	}
	page, err := c.limitOffset(rs, args)
	if err != nil {
		return "", err
	}
	// json_agg keeps the order of its sorted subquery (see list).
	return fmt.Sprintf("(SELECT coalesce(json_agg(r.j), '[]'::json) FROM (SELECT %s AS j FROM %s%s%s%s) r WHERE r.j IS NOT NULL)",
		value, rs.from, rs.where(known), orderBy(keys, false), page), nil
}

// typedObject is the CASE over a row's type column that reads its object
// from its type's node source; types are the type names, as literals.
func (c *composer) typedObject(rs *rows, op *schema.Operation, sel *operation.Field, up int) (string, []string, error) {
	var b strings.Builder
	b.WriteString("CASE " + rs.alias + "." + op.Spec.TypeColumn.SQL)
	var types []string
	for _, typ := range c.index.PossibleTypes(op.Returns.Named()) {
		obj := c.index.Objects[typ]
		if obj == nil || obj.Spec.Node == nil {
			return "", nil, fmt.Errorf("plan: %s of %s is not a node type", typ, op.Returns.Named())
		}
		alias := c.alias("t")
		member := &rows{from: c.from(obj.Spec.Node.Source.SQL) + " " + alias, alias: alias, row: rowRef{alias: alias, columns: obj.Spec.Node.Source.Columns}, obj: obj, columns: obj.Spec.Node.Source.Columns}
		for _, k := range obj.Spec.Key {
			member.conds = append(member.conds, alias+"."+k.SQL+" = "+rs.alias+"."+k.SQL)
		}
		value, err := c.single(member, &operation.Field{Children: sel.ByType[typ]}, 1, up)
		if err != nil {
			return "", nil, err
		}
		fmt.Fprintf(&b, " WHEN %s THEN %s", quoteLiteral(typ), value)
		types = append(types, quoteLiteral(typ))
	}
	b.WriteString(" END")
	return b.String(), types, nil
}
