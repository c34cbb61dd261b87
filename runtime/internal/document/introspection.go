package document

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/gqlplan/gqlplan/runtime/internal/introspection"
)

// loadIntrospection converts the schema validation uses — the plan's SDL
// after gqlparser's prelude — once, at start, into what introspection
// answers: the same schema, so what a client reads is what the server
// validates against. Named types keep the order of the SDL (the plan's
// declaration order), then the prelude's; a scalar is listed only when
// some type the roots reach uses it.
func loadIntrospection(schema *ast.Schema, sdl string) (*introspection.Schema, error) {
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
	c := &introConverter{schema: schema, named: map[string]*introspection.Type{}}
	in := &introspection.Schema{ByName: map[string]*introspection.Type{}}
	for _, name := range order {
		d := schema.Types[name]
		if d == nil || in.ByName[name] != nil || d.Kind == ast.Scalar && !used[name] {
			continue
		}
		t := c.namedType(d)
		in.Types = append(in.Types, t)
		in.ByName[name] = t
	}
	in.Query = c.named[schema.Query.Name]
	if schema.Mutation != nil {
		in.Mutation = c.named[schema.Mutation.Name]
	}
	if schema.Subscription != nil {
		in.Subscription = c.named[schema.Subscription.Name]
	}
	// The prelude's directives, in its order (a plan declares none).
	for _, d := range validator.PreludeDocument().Directives {
		if def := schema.Directives[d.Name]; def != nil {
			in.Directives = append(in.Directives, c.directive(def))
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
	for _, root := range []*ast.Definition{schema.Query, schema.Mutation, schema.Subscription, schema.Types["__Schema"]} {
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
	named  map[string]*introspection.Type
}

// namedType converts a definition; its fields refer to other named types
// through ref, which creates them on first use (types refer to each other
// in cycles).
func (c *introConverter) namedType(d *ast.Definition) *introspection.Type {
	if t := c.named[d.Name]; t != nil && t.Kind != "" {
		return t
	}
	t := c.named[d.Name]
	if t == nil {
		t = &introspection.Type{}
		c.named[d.Name] = t
	}
	t.Kind, t.Name, t.Description = string(d.Kind), d.Name, d.Description
	if dir := d.Directives.ForName("specifiedBy"); dir != nil {
		if url := dir.Arguments.ForName("url"); url != nil {
			t.SpecifiedByURL = url.Value.Raw
		}
	}
	t.IsOneOf = d.Directives.ForName("oneOf") != nil
	if d.Kind == ast.Interface || d.Kind == ast.Union {
		for _, p := range c.schema.GetPossibleTypes(d) {
			t.PossibleTypes = append(t.PossibleTypes, c.ref(ast.NamedType(p.Name, nil)))
		}
	}
	switch d.Kind {
	case ast.Object, ast.Interface:
		for _, f := range d.Fields {
			if strings.HasPrefix(f.Name, "__") { // __schema, __type: implicit in the spec
				continue
			}
			out := &introspection.Field{Name: f.Name, Description: f.Description, Type: c.ref(f.Type), Deprecated: deprecatedReason(f.Directives)}
			for _, a := range f.Arguments {
				out.Args = append(out.Args, c.input(a.Name, a.Description, a.Type, a.DefaultValue, a.Directives))
			}
			t.Fields = append(t.Fields, out)
		}
		for _, name := range d.Interfaces {
			t.Interfaces = append(t.Interfaces, c.ref(ast.NamedType(name, nil)))
		}
	case ast.InputObject:
		for _, f := range d.Fields {
			t.InputFields = append(t.InputFields, c.input(f.Name, f.Description, f.Type, f.DefaultValue, f.Directives))
		}
	case ast.Enum:
		for _, v := range d.EnumValues {
			t.EnumValues = append(t.EnumValues, &introspection.EnumValue{Name: v.Name, Description: v.Description, Deprecated: deprecatedReason(v.Directives)})
		}
	}
	return t
}

// ref is the __Type of a type reference: wrappers around a named type.
func (c *introConverter) ref(t *ast.Type) *introspection.Type {
	var out *introspection.Type
	if t.Elem != nil {
		out = &introspection.Type{Kind: "LIST", OfType: c.ref(t.Elem)}
	} else {
		out = c.named[t.NamedType]
		if out == nil {
			out = &introspection.Type{}
			c.named[t.NamedType] = out
			if d := c.schema.Types[t.NamedType]; d != nil {
				c.namedType(d)
			}
		}
	}
	if t.NonNull {
		return &introspection.Type{Kind: "NON_NULL", OfType: out}
	}
	return out
}

func (c *introConverter) input(name, description string, t *ast.Type, def *ast.Value, directives ast.DirectiveList) *introspection.InputValue {
	in := &introspection.InputValue{Name: name, Description: description, Type: c.ref(t), Deprecated: deprecatedReason(directives)}
	if def != nil {
		text := literalText(def)
		in.DefaultValue = &text
	}
	return in
}

func (c *introConverter) directive(d *ast.DirectiveDefinition) *introspection.Directive {
	out := &introspection.Directive{Name: d.Name, Description: d.Description, Repeatable: d.IsRepeatable}
	for _, l := range d.Locations {
		out.Locations = append(out.Locations, string(l))
	}
	for _, a := range d.Arguments {
		out.Args = append(out.Args, c.input(a.Name, a.Description, a.Type, a.DefaultValue, a.Directives))
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
