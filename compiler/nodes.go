package compiler

import (
	"fmt"
	"slices"

	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/spec"
)

// Relay's global object identification: a type declared a node
// implements the Node interface; its id field is a global ID made of the
// type's name and its key, and Query.node(id:) and Query.nodes(ids:)
// fetch any node from its own source by that key.

// nodeType compiles the node declaration of type d into out: the source,
// the key, the Node interface and the id field, first.
func (c *checker) nodeType(d *definition, out *spec.ObjectType) {
	t := d.object
	if t.Node == nil {
		return
	}
	name := t.Name.Value
	for _, f := range t.Fields {
		if f.Name.Value == "id" {
			col, _ := fieldColumn(f)
			c.diags.Errorf(f.Name.Range, "node-id-field",
				"type %s is a node: its id field is the global ID that node(id:) takes; declare the row key under another name, e.g. rowId: {type: %s, column: %s}",
				name, f.Type.Value, col)
		}
	}
	src := spec.Source{Kind: spec.SourceRelation, Shape: spec.ShapeColumns}
	if q, ok := c.qualifiedName(t.Node.SQLSource, d.file, "sql_source of the node of type "+name); ok {
		src.Schema, src.Name, src.SQL = q.Schema, q.Name, q.SQL
	}
	if _, ok := c.typeKey(name, t.Node.Range, "", ""); !ok {
		c.diags.Errorf(t.Node.Range, "missing-key",
			"type %s is a node, identified by its key, but declares no \"key\" and no field reads the column id; add key: [<unique columns>]", name)
	}
	out.Node = &spec.NodeSource{Source: src}
	out.Interfaces = append(out.Interfaces, spec.NodeInterface)
	id := spec.Field{Name: "id", Type: "ID!", GlobalID: true,
		Description: fmt.Sprintf("The globally unique id of this %s; node(id:) fetches it.", name)}
	out.Fields = append([]spec.Field{id}, out.Fields...)
}

// nodeFields adds, when some type is a node, the Node interface and the
// node and nodes queries. A declared query or type of those names is an
// error: clients (Relay first) rely on their meaning.
func (c *checker) nodeFields(plan *spec.Plan) {
	var possible []string
	for _, t := range plan.Types {
		if t.Node != nil {
			possible = append(possible, t.Name)
		}
	}
	if len(possible) == 0 {
		return
	}
	if d := c.defs[spec.NodeInterface]; d != nil && d.kind != kindScalar {
		c.diags.Errorf(d.name.Range, "duplicate-definition", "%s %q takes the name of the interface every node type implements; rename it", d.kind, spec.NodeInterface)
	}
	for _, f := range c.files {
		for _, op := range f.Queries {
			if op.Name.Value == spec.NodeField || op.Name.Value == spec.NodesField {
				c.diags.Errorf(op.Name.Range, "duplicate-operation", "query %q is the one gqlplan adds when types are nodes (node(id:), nodes(ids:)); rename it", op.Name.Value)
			}
		}
	}
	slices.Sort(possible)
	plan.Interfaces = append(plan.Interfaces, spec.Interface{
		Name:          spec.NodeInterface,
		Description:   "An object with a globally unique id, which Query.node fetches.",
		Fields:        []spec.Field{{Name: "id", Type: "ID!", GlobalID: true, Description: "The globally unique id of the object."}},
		PossibleTypes: possible,
	})
	source := spec.Source{Kind: spec.SourceNodes, Shape: spec.ShapeColumns}
	plan.Queries = append(plan.Queries,
		spec.Operation{Name: spec.NodeField, Description: "Fetches an object by its global id: null when it does not exist or is not visible to the caller.",
			Returns: spec.NodeInterface, Source: source, Args: []spec.InputValue{{Name: "id", Type: "ID!", Description: "A global id, as the id field of a node gives it."}}},
		spec.Operation{Name: spec.NodesField, Description: "Fetches objects by their global ids, in order: null for each that does not exist or is not visible.",
			Returns: "[" + spec.NodeInterface + "]!", List: true, Source: source, Args: []spec.InputValue{{Name: "ids", Type: "[ID!]!", Description: "Global ids, as the id fields of nodes give them."}}},
	)
}

// nodeArg compiles an argument that is a global id of a node type: for a
// table or view, a condition per key column of that type (the source is
// expected to have them); for a function, the key value passed as the
// parameter (a single-column key).
func (c *checker) nodeArg(a *decl.Arg, argType string, function bool, what string) ([]spec.Condition, *spec.FunctionArg) {
	target := a.Node.Value
	d := c.defs[target]
	switch {
	case d == nil || d.object == nil || d.object.Node == nil:
		c.diags.Errorf(a.Node.Range, "invalid-node-arg", "%s is a global id of %q, which is not a node type%s", what, target, decl.DidYouMean(target, c.nodeTypeNames()))
		return nil, nil
	case argType != "ID" && argType != "ID!":
		c.diags.Errorf(a.Type.Range, "invalid-node-arg", "%s is a global id of %s, so its type is ID or ID!, not %s", what, target, argType)
		return nil, nil
	case a.Filter != nil:
		c.diags.Errorf(a.Filter.Range, "invalid-node-arg", "%s is a global id of %s, which filters %s's key columns; remove \"filter\"", what, target, target)
		return nil, nil
	}
	key, ok := c.typeKey(target, a.Node.Range, "", "")
	if !ok {
		return nil, nil // reported with the type
	}
	if function {
		if len(key) != 1 {
			c.diags.Errorf(a.Node.Range, "invalid-node-arg", "%s is a global id of %s, whose key has %d columns; a function parameter takes one value", what, target, len(key))
			return nil, nil
		}
		name, at := snakeCase(a.Name.Value), a.Name.Range
		if a.Param != nil {
			name, at = a.Param.Value, a.Param.Range
		}
		quoted, ok := c.checkSQLIdent(name, at, "function parameter of "+what)
		if !ok {
			return nil, nil
		}
		return nil, &spec.FunctionArg{Name: name, SQL: quoted, Param: spec.Param{Arg: a.Name.Value, Node: target}}
	}
	conds := make([]spec.Condition, len(key))
	for i, k := range key {
		conds[i] = spec.Condition{ColumnRef: k, Op: "eq", Param: spec.Param{Arg: a.Name.Value, Node: target, Key: i}}
	}
	return conds, nil
}

// isNodeType reports whether the named type was declared a node.
func (c *checker) isNodeType(name string) bool {
	d := c.defs[name]
	return d != nil && d.object != nil && d.object.Node != nil
}

// nodeTypeNames are the declared node types, sorted, for suggestions.
func (c *checker) nodeTypeNames() []string {
	var out []string
	for _, name := range c.names {
		if c.isNodeType(name) {
			out = append(out, name)
		}
	}
	return out
}

// checkNodesInCatalog checks each node type's source like a relation's:
// it exists, has the key columns, and the type's fields fit it.
func (c *checker) checkNodesInCatalog(plan *spec.Plan) {
	for i := range plan.Types {
		t := &plan.Types[i]
		d := c.defs[t.Name]
		if t.Node == nil || d == nil || d.object == nil || t.Node.Source.Name == "" {
			continue
		}
		what := "the node of type " + t.Name
		var need []columnUse
		for _, k := range c.keys[t.Name] {
			need = append(need, columnUse{k.Column, d.object.Node.Range, "key column of " + what})
		}
		c.checkRowSource(&t.Node.Source, &d.object.Node.SQLSource, d.file, t.Name, what, need, true)
	}
}
