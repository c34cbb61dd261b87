package sqlgen

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/gqlplan/gqlplan/runtime/internal/nonnull"
	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/schema"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
	"github.com/gqlplan/gqlplan/spec"
)

// Resolvers: a field computed in Go is written as a marker object,
// {"$r": <slot>, "v": {<required column>: <value>, …}}, where its value
// belongs; the runtime gathers the markers of a request's results, calls
// each field resolver once with every row's values and writes the values
// in their place. "$r" is no GraphQL name, so no alias of the client's can
// forge a marker. An operation run by a resolver that picks rows by key is
// composed once the resolver has given them (ComposeRows).

// MarkerKey is the key that makes an object of a result a resolver's
// marker.
const MarkerKey = "$r"

// Resolve is a field resolver's call site in a statement: its slot is
// the index in Statement.Resolves.
type Resolve struct {
	Resolver string
	Type     string // the object type whose field it computes
	Field    string
	Args     map[string]any // as coerced for SQL (enums by SQL value)
	// Up is how far a null of the field goes up (a nonnull.Site's Up):
	// an invalid value, or a null of a non-null field, is an error
	// there.
	Up  int
	Loc wire.Location
	// Sel is the field's selection: what is read of the rows an object
	// field's resolver picks.
	Sel *operation.Field
}

// resolverMarker writes the marker of field f of obj, computed by a
// resolver, of the row at row.
func (c *composer) resolverMarker(b *strings.Builder, obj *schema.Object, f *schema.Field, sel *operation.Field, row rowRef, up int) {
	c.resolves = append(c.resolves, Resolve{Resolver: f.Spec.Resolver, Type: obj.Spec.Name, Field: f.Spec.Name, Args: sel.Args.Map(),
		Up: upOf(f.Type, up), Loc: sel.Loc, Sel: sel})
	if f.Spec.Lookahead != nil {
		// The selection beneath is composed once the resolver has run, from
		// this statement's Sel: every value in it decides, so a statement
		// kept for later requests is reused only with the same ones.
		decideAll(sel.Children)
	}
	fmt.Fprintf(b, "json_build_object(%s, %d, 'v', json_build_object(", quoteLiteral(MarkerKey), c.slotBase+len(c.resolves)-1)
	for i, col := range f.Spec.Requires {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteLiteral(col.Column) + ", ")
		if row.jsonb != "" {
			b.WriteString(row.jsonb + "->" + quoteLiteral(col.Column))
		} else {
			b.WriteString(row.alias + "." + col.SQL)
		}
	}
	b.WriteString("))")
}

// decideAll reads the arguments of fields and of every field beneath as
// deciding (see operation.Uses).
func decideAll(fields []*operation.Field) {
	for _, f := range fields {
		f.Args.Map()
		decideAll(f.Children)
		for _, byType := range f.ByType {
			decideAll(byType)
		}
	}
}

// Pick is how a resolver picked the rows of a source: by Keys, or by a
// Condition over its columns with Args bound to its $1, $2, ….
type Pick struct {
	Keys        []any
	ByCondition bool
	Condition   string
	Args        []any
}

// ComposeRows is Compose for an operation whose resolver picked the rows
// of its source: the same selection, paging and order, of the rows it
// picked (no keys: no rows). Its markers' slots start at slotBase: a
// field whose value several statements build numbers them across all.
func ComposeRows(index *schema.Schema, limits Limits, op *schema.Operation, sel *operation.Field, claims map[string]any, pick Pick, slotBase int) (Statement, error) {
	pick.Keys, pick.Args = bindable(pick.Keys), bindable(pick.Args)
	c := &composer{index: index, limits: limits, claims: claims, pick: &pick, slotBase: slotBase}
	rows, err := c.rootRows(op, sel.Args)
	if err != nil {
		return Statement{}, err
	}
	value, err := c.rootObjects(rows, op, sel)
	if err != nil {
		return Statement{}, err
	}
	return c.statement(value), nil
}

// bindable are a resolver's keys or condition arguments as pgx binds
// them (see Bindable).
func bindable(values []any) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = Bindable(v)
	}
	return out
}

// Bindable is a value a resolver gives to SQL as pgx binds it: a
// json.Number (how a resolver is given numbers) as an int64, or a float64
// when it is not an integer, and every Go integer as an int64, so that a
// list of them is one typed array.
func Bindable(v any) any {
	if n, ok := v.(json.Number); ok {
		if x, err := n.Int64(); err == nil {
			return x
		}
		if x, err := n.Float64(); err == nil {
			return x
		}
		return v
	}
	switch rv := reflect.ValueOf(v); {
	case rv.CanInt():
		return rv.Int()
	case rv.CanUint() && rv.Uint() <= math.MaxInt64:
		return int64(rv.Uint())
	}
	return v
}

// pickCondition is the condition that rs's rows are those the resolver
// picked: its condition, its parameters renumbered into the statement's;
// or a key column equal to one of its keys.
func (c *composer) pickCondition(rs *rows) (string, error) {
	if c.pick.ByCondition {
		placeholders := make([]string, len(c.pick.Args))
		for i, a := range c.pick.Args {
			placeholders[i] = c.param(a)
		}
		cond, err := Renumber(c.pick.Condition, placeholders)
		if err != nil {
			return "", &wire.Error{Message: "a resolver's condition: " + err.Error(), Code: wire.CodeInternal}
		}
		return "(" + cond + ")", nil
	}
	if rs.obj == nil || len(rs.obj.Spec.Key) != 1 {
		return "", &wire.Error{Message: "plan: rows picked by a resolver need a type with a one-column key", Code: wire.CodeInternal}
	}
	k := rs.obj.Spec.Key[0]
	arrayType := ""
	if t := rs.columnType(k.Column); t != "" {
		arrayType = t + "[]"
	}
	return rs.alias + "." + k.SQL + " = ANY(" + c.typedParam(sqlValue(c.pick.Keys), arrayType) + ")", nil
}

// ComposeFieldRows is the statement reading the rows a resolver picked
// for an object field f, with sel's selection beneath: by Where, one
// parent's value (a list, or one object or null); by Rows, keyed, the rows
// of every key the parents were given, each as [key, object], for the
// runtime to place in each parent's order. up is the field's own (its
// Resolve's); resolver slots are numbered from slotBase and non-null
// sites from nullBase, after those of the result the value is written
// into (Statement.Nulls holds nullBase empty sites first).
func ComposeFieldRows(index *schema.Schema, limits Limits, f *schema.Field, sel *operation.Field, claims map[string]any, pick Pick, keyed bool, up, slotBase, nullBase int) (Statement, error) {
	pick.Keys, pick.Args = bindable(pick.Keys), bindable(pick.Args)
	c := &composer{index: index, limits: limits, claims: claims, pick: &pick, slotBase: slotBase, nulls: make([]nonnull.Site, nullBase)}
	rs, err := c.rootRows(LookaheadOperation(f), sel.Args)
	if err != nil {
		return Statement{}, err
	}
	var value string
	switch {
	case keyed:
		if rs.obj == nil || len(rs.obj.Spec.Key) != 1 {
			return Statement{}, fmt.Errorf("plan: rows picked by a resolver need a type with a one-column key")
		}
		at := up
		if f.Type.Elem != nil {
			at = elemUp(f.Type, up)
		}
		var obj strings.Builder
		if err := c.object(&obj, rs.obj, sel, rs.row, 1, at); err != nil {
			return Statement{}, err
		}
		value = fmt.Sprintf("(SELECT coalesce(json_agg(json_build_array(to_json(%s.%s), %s)), '[]'::json) FROM %s%s)",
			rs.alias, rs.obj.Spec.Key[0].SQL, &obj, rs.from, rs.where())
	case f.Type.Elem != nil:
		value, err = c.list(rs, sel, sel.Args, 1, elemUp(f.Type, up))
	default:
		value, err = c.single(rs, sel, 1, up)
	}
	if err != nil {
		return Statement{}, err
	}
	return c.statement(value), nil
}

// ResolverPage is the page of the rows a resolver picks for a parent of
// field f, from its arguments (as coerced for SQL): limit and offset when
// f declares a limit (-1 for no limit when it does not), or the error of a
// page too large.
func ResolverPage(f *schema.Field, args map[string]any, maxPage int64) (limit, offset int64, err error) {
	if f.Spec.Limit == nil {
		return -1, 0, nil
	}
	limit = f.Spec.Limit.Default
	if v, ok := args[spec.ArgLimit].(int64); ok {
		limit = v
	}
	if v, ok := args[spec.ArgOffset].(int64); ok {
		offset = v
	}
	if err := checkPageSize(spec.ArgLimit, limit, f.Spec.Limit.Max, maxPage); err != nil {
		return 0, 0, err
	}
	if offset < 0 {
		return 0, 0, &wire.Error{Message: "offset must not be negative.", Code: wire.CodeBadUserInput}
	}
	return limit, offset, nil
}

// LookaheadOperation is the operation that reads a look-ahead field's
// rows: its source, one object or a list in key order.
func LookaheadOperation(f *schema.Field) *schema.Operation {
	return &schema.Operation{
		Spec: &spec.Operation{Name: f.Spec.Name, Returns: f.Spec.Type, List: f.Type.Elem != nil, Source: *f.Spec.Lookahead,
			Listing: spec.Listing{Limit: f.Spec.Limit}},
		Returns: f.Type,
	}
}
