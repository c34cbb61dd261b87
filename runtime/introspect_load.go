package runtime

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// loadIntrospection converts the schema validation uses — the plan's SDL
// after gqlparser's prelude — once, at start, into what introspection
// answers: the same schema, so what a client reads is what the server
// validates against. Named types keep the order of the SDL (the plan's
// declaration order), then the prelude's; a scalar is listed only when
// some type the roots reach uses it.
func loadIntrospection(schema *ast.Schema, sdl string) (*introspection, error) {
	planDoc, err := parser.ParseSchema(&ast.Source{Name: "plan", Input: sdl})
	if err != nil {
		return nil, err
	}
	var order []string
	for _, docs := range []ast.DefinitionList{planDoc.Definitions, validator.PreludeDocument().Definitions} {
		for _, d := range docs {
			order = append(order, d.Name)
		}
	}
	used := reachable(schema)
	c := &introConverter{schema: schema, named: map[string]*introType{}}
	in := &introspection{byName: map[string]*introType{}}
	for _, name := range order {
		d := schema.Types[name]
		if d == nil || in.byName[name] != nil || d.Kind == ast.Scalar && !used[name] {
			continue
		}
		t := c.namedType(d)
		in.types = append(in.types, t)
		in.byName[name] = t
	}
	in.query = c.named[schema.Query.Name]
	if schema.Mutation != nil {
		in.mutation = c.named[schema.Mutation.Name]
	}
	// The prelude's directives, in its order (a plan declares none).
	for _, d := range validator.PreludeDocument().Directives {
		if def := schema.Directives[d.Name]; def != nil {
			in.directives = append(in.directives, c.directive(def))
		}
	}
	return in, nil
}

// reachable is the set of types the roots and the introspection types
// reach through fields, arguments and input fields.
func reachable(schema *ast.Schema) map[string]bool {
	seen := map[string]bool{}
	var visit func(name string)
	visit = func(name string) {
		d := schema.Types[name]
		if d == nil || seen[name] {
			return
		}
		seen[name] = true
		for _, f := range d.Fields {
			visit(f.Type.Name())
			for _, a := range f.Arguments {
				visit(a.Type.Name())
			}
		}
	}
	for _, root := range []*ast.Definition{schema.Query, schema.Mutation, schema.Types["__Schema"]} {
		if root != nil {
			visit(root.Name)
		}
	}
	for _, dir := range schema.Directives {
		for _, a := range dir.Arguments {
			visit(a.Type.Name())
		}
	}
	return seen
}

type introConverter struct {
	schema *ast.Schema
	named  map[string]*introType
}

// namedType converts a definition; its fields refer to other named types
// through ref, which creates them on first use (types refer to each other
// in cycles).
func (c *introConverter) namedType(d *ast.Definition) *introType {
	if t := c.named[d.Name]; t != nil && t.kind != "" {
		return t
	}
	t := c.named[d.Name]
	if t == nil {
		t = &introType{}
		c.named[d.Name] = t
	}
	t.kind, t.name, t.description = string(d.Kind), d.Name, d.Description
	if dir := d.Directives.ForName("specifiedBy"); dir != nil {
		if url := dir.Arguments.ForName("url"); url != nil {
			t.specifiedByURL = url.Value.Raw
		}
	}
	t.isOneOf = d.Directives.ForName("oneOf") != nil
	switch d.Kind {
	case ast.Object, ast.Interface:
		for _, f := range d.Fields {
			if strings.HasPrefix(f.Name, "__") { // __schema, __type: implicit in the spec
				continue
			}
			out := &introField{name: f.Name, description: f.Description, typ: c.ref(f.Type), deprecated: deprecatedReason(f.Directives)}
			for _, a := range f.Arguments {
				out.args = append(out.args, c.input(a.Name, a.Description, a.Type, a.DefaultValue, a.Directives))
			}
			t.fields = append(t.fields, out)
		}
	case ast.InputObject:
		for _, f := range d.Fields {
			t.inputFields = append(t.inputFields, c.input(f.Name, f.Description, f.Type, f.DefaultValue, f.Directives))
		}
	case ast.Enum:
		for _, v := range d.EnumValues {
			t.enumValues = append(t.enumValues, &introEnumValue{name: v.Name, description: v.Description, deprecated: deprecatedReason(v.Directives)})
		}
	}
	return t
}

// ref is the __Type of a type reference: wrappers around a named type.
func (c *introConverter) ref(t *ast.Type) *introType {
	var out *introType
	if t.Elem != nil {
		out = &introType{kind: "LIST", ofType: c.ref(t.Elem)}
	} else {
		out = c.named[t.NamedType]
		if out == nil {
			out = &introType{}
			c.named[t.NamedType] = out
			if d := c.schema.Types[t.NamedType]; d != nil {
				c.namedType(d)
			}
		}
	}
	if t.NonNull {
		return &introType{kind: "NON_NULL", ofType: out}
	}
	return out
}

func (c *introConverter) input(name, description string, t *ast.Type, def *ast.Value, directives ast.DirectiveList) *introInput {
	in := &introInput{name: name, description: description, typ: c.ref(t), deprecated: deprecatedReason(directives)}
	if def != nil {
		text := literalText(def)
		in.defaultValue = &text
	}
	return in
}

func (c *introConverter) directive(d *ast.DirectiveDefinition) *introDirective {
	out := &introDirective{name: d.Name, description: d.Description, repeatable: d.IsRepeatable}
	for _, l := range d.Locations {
		out.locations = append(out.locations, string(l))
	}
	for _, a := range d.Arguments {
		out.args = append(out.args, c.input(a.Name, a.Description, a.Type, a.DefaultValue, a.Directives))
	}
	return out
}

// deprecatedReason is the reason of @deprecated, nil when it is absent.
func deprecatedReason(directives ast.DirectiveList) *string {
	dir := directives.ForName("deprecated")
	if dir == nil {
		return nil
	}
	reason := "No longer supported"
	if r := dir.Arguments.ForName("reason"); r != nil && r.Value.Kind != ast.NullValue {
		reason = r.Value.Raw
	}
	return &reason
}

// literalText prints a constant value as graphql-js's print does
// ({a: 1, b: [X, Y]}), so a default reads the same in introspection and
// in the SDL.
func literalText(v *ast.Value) string {
	switch v.Kind {
	case ast.ListValue:
		items := make([]string, len(v.Children))
		for i, c := range v.Children {
			items[i] = literalText(c.Value)
		}
		return "[" + strings.Join(items, ", ") + "]"
	case ast.ObjectValue:
		items := make([]string, len(v.Children))
		for i, c := range v.Children {
			items[i] = c.Name + ": " + literalText(c.Value)
		}
		return "{" + strings.Join(items, ", ") + "}"
	}
	return v.String()
}
