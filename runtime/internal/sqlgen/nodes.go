package sqlgen

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gqlplan/gqlplan/internal/nodeid"
	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/schema"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
	"github.com/gqlplan/gqlplan/spec"
)

// Nodes: node(id:) and nodes(ids:) decode each global id to a node type
// and a key, and read that row from the type's node source, its
// selection the one the document makes for that type. Row Level Security
// applies as to any read: a row the caller may not see is null.

// nodes writes the value of node or nodes.
func (c *composer) nodes(op *schema.Operation, sel *operation.Field) (string, error) {
	if !op.Spec.List {
		id, _ := decided(sel.Args, "id").(string)
		return c.node(sel, id, "id")
	}
	ids, _ := decided(sel.Args, "ids").([]any)
	if err := checkPageSize("ids", int64(len(ids)), c.limits.MaxPageSize, c.limits.MaxPageSize); err != nil {
		return "", err
	}
	if len(ids) == 0 {
		return "'[]'::json", nil
	}
	var b strings.Builder
	b.WriteString("(SELECT json_agg(x.v ORDER BY x.n) FROM (VALUES ")
	for i, id := range ids {
		s, _ := id.(string)
		value, err := c.node(sel, s, fmt.Sprintf("ids[%d]", i))
		if err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%d, %s)", i, value)
	}
	b.WriteString(") x(n, v))")
	return b.String(), nil
}

// node is the object of one global id, or null.
func (c *composer) node(sel *operation.Field, id, arg string) (string, error) {
	obj, key, err := decodeID(c.index, id, arg)
	if err != nil {
		return "", err
	}
	alias := c.alias("t")
	rs := &rows{from: c.from(obj.Spec.Node.Source.SQL) + " " + alias, alias: alias, row: rowRef{alias: alias, columns: obj.Spec.Node.Source.Columns},
		obj: obj, columns: obj.Spec.Node.Source.Columns}
	for i, k := range obj.Spec.Key {
		rs.conds = append(rs.conds, alias+"."+k.SQL+" = "+c.typedParam(key[i], rs.columnType(k.Column)))
	}
	// node is nullable, and so is each of nodes' elements: up 0.
	return c.single(rs, &operation.Field{Children: sel.ByType[obj.Spec.Name]}, 1, 0)
}

// decodeID reads a global id, the value of the argument arg: the node
// type it names, and its key values as the fields reading the key columns
// coerce them.
func decodeID(index *schema.Schema, id, arg string) (*schema.Object, []any, error) {
	bad := func(why string) error {
		return &wire.Error{Message: fmt.Sprintf("Argument %s is not a global id of this API: %s.", arg, why), Code: wire.CodeBadUserInput}
	}
	typ, key, err := nodeid.Decode(id)
	if err != nil {
		return nil, nil, bad("it is malformed")
	}
	obj := index.Objects[typ]
	if obj == nil || obj.Spec.Node == nil {
		return nil, nil, bad("it names no type of node")
	}
	if len(key) != len(obj.Spec.Key) {
		return nil, nil, bad("its key does not fit its type")
	}
	for i, k := range obj.Spec.Key { // each decoded value replaced by its SQL value
		v := key[i]
		if f := obj.ByColumn[k.Column]; f != nil {
			t := *f.Type
			t.NonNull = false
			if v, err = index.CoerceInput(v, &t); err != nil || v == nil {
				return nil, nil, bad("its key does not fit its type")
			}
		} else if n, ok := v.(json.Number); ok {
			v = n.String() // PostgreSQL parses it into the column's type
		}
		key[i] = sqlValue(v)
	}
	return obj, key, nil
}

// nodeKey is the value an argument that is a global id of node type
// p.Node binds: the p.Key-th value of the id's key.
func nodeKey(index *schema.Schema, p spec.Param, id any) (any, error) {
	s, _ := id.(string)
	obj, key, err := decodeID(index, s, p.Arg)
	if err != nil {
		return nil, err
	}
	if obj.Spec.Name != p.Node {
		return nil, &wire.Error{Message: fmt.Sprintf("Argument %s is an id of type %s; it takes one of type %s.", p.Arg, obj.Spec.Name, p.Node), Code: wire.CodeBadUserInput}
	}
	return key[p.Key], nil
}

// NodeKey reads id, the value at path (an argument, or a field of one)
// of a resolver's operation, a global id of node type want: its key
// values as the id holds them (numbers as json.Number), which a resolver
// is given. An id of another type is refused as for a SQL operation.
func NodeKey(index *schema.Schema, id, path, want string) ([]any, error) {
	obj, _, err := decodeID(index, id, path)
	if err != nil {
		return nil, err
	}
	if obj.Spec.Name != want {
		return nil, &wire.Error{Message: fmt.Sprintf("Argument %s is an id of type %s; it takes one of type %s.", path, obj.Spec.Name, want), Code: wire.CodeBadUserInput}
	}
	_, key, err := nodeid.Decode(id) // decodeID made SQL values of its own copy
	return key, err
}

// globalID writes the id field of a node type: its global id, built from
// the type's name and its key columns.
func (c *composer) globalID(b *strings.Builder, obj *schema.Object, row rowRef) {
	keys := make([]string, len(obj.Spec.Key))
	for i, k := range obj.Spec.Key {
		if row.jsonb != "" {
			keys[i] = row.jsonb + "->" + quoteLiteral(k.Column)
		} else {
			keys[i] = row.alias + "." + k.SQL
		}
	}
	b.WriteString(nodeid.SQL(obj.Spec.Name, keys))
}
