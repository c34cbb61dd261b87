package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gqlplan/gqlplan/spec"
)

// schema is a plan indexed for the request path.
type schema struct {
	plan      *spec.Plan
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

// newSchema indexes plan.
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

// argumentsOf is the indexed arguments of field name of type parent: a
// root field's or an object field's (nil for introspection fields).
func (s *schema) argumentsOf(parent, name string) map[string]*argument {
	switch parent {
	case "Query":
		if op := s.queries[name]; op != nil {
			return op.args
		}
	case "Mutation":
		if op := s.mutations[name]; op != nil {
			return op.args
		}
	default:
		if o := s.objects[parent]; o != nil {
			if f := o.fields[name]; f != nil {
				return f.args
			}
		}
	}
	return nil
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
