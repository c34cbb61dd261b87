package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/graphql-go/graphql"

	"github.com/gqlplan/gqlplan/spec"
)

// schema is a plan indexed for the request path, with the graphql-go
// schema built from it (for validation and introspection only: data is
// never resolved by graphql-go).
type schema struct {
	plan      *spec.Plan
	gql       graphql.Schema
	objects   map[string]*object
	enums     map[string]*enum
	inputs    map[string]*spec.InputType
	queries   map[string]*operation
	mutations map[string]*operation
}

type object struct {
	spec   *spec.ObjectType
	fields map[string]*field
	// byColumn finds the field that reads a column (for the type of a
	// sort or cursor value).
	byColumn map[string]*field
}

type field struct {
	spec *spec.Field
	typ  *spec.TypeRef
	args map[string]*argument
}

type enum struct {
	spec  *spec.Enum
	toSQL map[string]string // GraphQL name → SQL value
	// renamed is set when some SQL value differs from its GraphQL name, so
	// output needs a mapping.
	renamed bool
	// whens is the tail of enumCase's CASE expression, written once.
	whens string
}

type operation struct {
	spec     *spec.Operation
	mutation bool
	returns  *spec.TypeRef
	args     map[string]*argument
}

type argument struct {
	spec *spec.InputValue
	typ  *spec.TypeRef
	// defaultValue is the coerced default (nil and hasDefault false when
	// there is none).
	defaultValue any
	hasDefault   bool
}

// newSchema indexes plan and builds its graphql-go schema.
func newSchema(plan *spec.Plan) (*schema, error) {
	s := &schema{
		plan:      plan,
		objects:   map[string]*object{},
		enums:     map[string]*enum{},
		inputs:    map[string]*spec.InputType{},
		queries:   map[string]*operation{},
		mutations: map[string]*operation{},
	}
	for i := range plan.Enums {
		e := &enum{spec: &plan.Enums[i], toSQL: map[string]string{}}
		for _, v := range e.spec.Values {
			e.toSQL[v.Name] = v.SQLValue
			e.renamed = e.renamed || v.Name != v.SQLValue
			e.whens += " WHEN " + quoteLiteral(v.SQLValue) + " THEN " + quoteLiteral(v.Name)
		}
		e.whens += " END"
		s.enums[e.spec.Name] = e
	}
	for i := range plan.Inputs {
		s.inputs[plan.Inputs[i].Name] = &plan.Inputs[i]
	}
	for i := range plan.Types {
		o := &object{spec: &plan.Types[i], fields: map[string]*field{}, byColumn: map[string]*field{}}
		for j := range o.spec.Fields {
			f := &o.spec.Fields[j]
			typ, err := spec.ParseTypeRef(f.Type)
			if err != nil {
				return nil, fmt.Errorf("type %s field %s: %w", o.spec.Name, f.Name, err)
			}
			args, err := s.indexArgs(f.Args)
			if err != nil {
				return nil, fmt.Errorf("type %s field %s: %w", o.spec.Name, f.Name, err)
			}
			o.fields[f.Name] = &field{spec: f, typ: typ, args: args}
			if f.Column != "" && f.Relation == nil && f.Function == nil {
				o.byColumn[f.Column] = o.fields[f.Name]
			}
		}
		s.objects[o.spec.Name] = o
	}
	for _, ops := range []struct {
		list     []spec.Operation
		into     map[string]*operation
		mutation bool
	}{{plan.Queries, s.queries, false}, {plan.Mutations, s.mutations, true}} {
		for i := range ops.list {
			op, err := s.indexOperation(&ops.list[i], ops.mutation)
			if err != nil {
				return nil, err
			}
			ops.into[op.spec.Name] = op
		}
	}
	gql, err := s.buildGraphQL()
	if err != nil {
		return nil, fmt.Errorf("build GraphQL schema: %w", err)
	}
	s.gql = gql
	return s, nil
}

func (s *schema) indexOperation(o *spec.Operation, mutation bool) (*operation, error) {
	returns, err := spec.ParseTypeRef(o.Returns)
	if err != nil {
		return nil, fmt.Errorf("operation %s: %w", o.Name, err)
	}
	if s.objects[returns.Named()] == nil && o.Source.Kind != spec.SourceFunction {
		return nil, fmt.Errorf("operation %s reads a relation but returns %s, which is not an object type of the plan", o.Name, o.Returns)
	}
	args, err := s.indexArgs(o.Args)
	if err != nil {
		return nil, fmt.Errorf("operation %s: %w", o.Name, err)
	}
	return &operation{spec: o, mutation: mutation, returns: returns, args: args}, nil
}

// indexArgs parses the types of arguments and coerces their defaults.
// Enums and inputs must be indexed already.
func (s *schema) indexArgs(list []spec.InputValue) (map[string]*argument, error) {
	out := make(map[string]*argument, len(list))
	for i := range list {
		a := &argument{spec: &list[i]}
		var err error
		if a.typ, err = spec.ParseTypeRef(a.spec.Type); err != nil {
			return nil, fmt.Errorf("argument %s: %w", a.spec.Name, err)
		}
		if len(a.spec.Default) > 0 {
			raw, err := decodeJSON(a.spec.Default)
			if err != nil {
				return nil, fmt.Errorf("argument %s default: %w", a.spec.Name, err)
			}
			if a.defaultValue, err = s.coerceInput(raw, a.typ); err != nil {
				return nil, fmt.Errorf("argument %s default: %w", a.spec.Name, err)
			}
			a.hasDefault = true
		}
		out[a.spec.Name] = a
	}
	return out, nil
}

// buildGraphQL builds the graphql-go schema. Field resolvers are absent on
// purpose: graphql-go only validates documents and answers introspection.
func (s *schema) buildGraphQL() (graphql.Schema, error) {
	named := map[string]graphql.Type{}
	for name := range scalars {
		named[name] = graphqlScalar(name)
	}
	for _, e := range s.plan.Enums {
		values := graphql.EnumValueConfigMap{}
		for _, v := range e.Values {
			values[v.Name] = &graphql.EnumValueConfig{Value: v.SQLValue, Description: v.Description, DeprecationReason: v.Deprecated}
		}
		named[e.Name] = graphql.NewEnum(graphql.EnumConfig{Name: e.Name, Description: e.Description, Values: values})
	}
	var typeErr error
	typeOf := func(ref string) graphql.Type {
		t, err := s.graphqlType(named, ref)
		if err != nil && typeErr == nil {
			typeErr = err
		}
		return t
	}
	for _, in := range s.plan.Inputs {
		named[in.Name] = graphql.NewInputObject(graphql.InputObjectConfig{
			Name: in.Name, Description: in.Description,
			Fields: graphql.InputObjectConfigFieldMapThunk(func() graphql.InputObjectConfigFieldMap {
				fields := graphql.InputObjectConfigFieldMap{}
				for _, f := range in.Fields {
					fields[f.Name] = &graphql.InputObjectFieldConfig{Type: typeOf(f.Type), Description: f.Description}
				}
				return fields
			}),
		})
	}
	for _, o := range s.plan.Types {
		named[o.Name] = graphql.NewObject(graphql.ObjectConfig{
			Name: o.Name, Description: o.Description,
			Fields: graphql.FieldsThunk(func() graphql.Fields {
				fields := graphql.Fields{}
				for _, f := range o.Fields {
					fields[f.Name] = &graphql.Field{
						Type: typeOf(f.Type), Description: f.Description, DeprecationReason: f.Deprecated,
						Args: argConfig(s.objects[o.Name].fields[f.Name].args, typeOf),
					}
				}
				return fields
			}),
		})
	}
	root := func(name string, ops map[string]*operation) *graphql.Object {
		if len(ops) == 0 {
			return nil
		}
		fields := graphql.Fields{}
		for _, op := range ops {
			fields[op.spec.Name] = &graphql.Field{
				Type: typeOf(op.spec.Returns), Args: argConfig(op.args, typeOf),
				Description: op.spec.Description, DeprecationReason: op.spec.Deprecated,
			}
		}
		return graphql.NewObject(graphql.ObjectConfig{Name: name, Fields: fields})
	}
	query := root("Query", s.queries)
	if query == nil {
		return graphql.Schema{}, errors.New("the plan declares no query; GraphQL requires at least one")
	}
	config := graphql.SchemaConfig{Query: query}
	if m := root("Mutation", s.mutations); m != nil {
		config.Mutation = m
	}
	for _, t := range named { // types only reachable through introspection still resolve
		config.Types = append(config.Types, t)
	}
	gql, err := graphql.NewSchema(config)
	if err == nil {
		err = typeErr
	}
	return gql, err
}

// argConfig is the graphql-go form of indexed arguments.
func argConfig(args map[string]*argument, typeOf func(string) graphql.Type) graphql.FieldConfigArgument {
	out := graphql.FieldConfigArgument{}
	for name, a := range args {
		arg := &graphql.ArgumentConfig{Type: typeOf(a.spec.Type), Description: a.spec.Description}
		if a.hasDefault {
			arg.DefaultValue = graphqlGoValue(a.defaultValue)
		}
		out[name] = arg
	}
	return out
}

// graphqlType resolves a type reference of the plan against named.
func (s *schema) graphqlType(named map[string]graphql.Type, ref string) (graphql.Type, error) {
	t, err := spec.ParseTypeRef(ref)
	if err != nil {
		return nil, err
	}
	var build func(t *spec.TypeRef) (graphql.Type, error)
	build = func(t *spec.TypeRef) (graphql.Type, error) {
		var out graphql.Type
		if t.Elem != nil {
			elem, err := build(t.Elem)
			if err != nil {
				return nil, err
			}
			out = graphql.NewList(elem)
		} else if out = named[t.Name]; out == nil {
			return nil, fmt.Errorf("unknown type %q", t.Name)
		}
		if t.NonNull {
			out = graphql.NewNonNull(out)
		}
		return out, nil
	}
	return build(t)
}

// decodeJSON decodes one JSON value keeping numbers exact.
func decodeJSON(data []byte) (any, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

// graphqlGoValue converts a coerced value into what graphql-go prints as a
// default in introspection: it knows int, not int64.
func graphqlGoValue(v any) any {
	switch v := v.(type) {
	case int64:
		return int(v)
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = graphqlGoValue(item)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, item := range v {
			out[k] = graphqlGoValue(item)
		}
		return out
	}
	return v
}
