// Package schema indexes a plan for the request path: it takes a
// [spec.Plan] and gives a [Schema] — object types, fields, enums, inputs
// and operations by name, type references parsed, argument defaults
// coerced once — and the strict coercion of input values to their types
// ([Schema.CoerceInput], [ReadLiteral]). It sees neither documents nor
// SQL.
package schema

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gqlplan/gqlplan/runtime/internal/wire"
	"github.com/gqlplan/gqlplan/spec"
)

// Schema is a plan indexed for the request path.
type Schema struct {
	Plan          *spec.Plan
	Objects       map[string]*Object
	Enums         map[string]*Enum
	Inputs        map[string]*spec.InputType
	Queries       map[string]*Operation
	Mutations     map[string]*Operation
	Subscriptions map[string]*Operation
	// Interfaces and Unions are the abstract types by name.
	Interfaces map[string]*spec.Interface
	Unions     map[string]*spec.Union
}

// IsAbstract reports whether the named type is an interface or a union.
func (s *Schema) IsAbstract(name string) bool {
	return s.Interfaces[name] != nil || s.Unions[name] != nil
}

// PossibleTypes are the object types a value of the named type may be:
// an interface's implementations, a union's members, or the object type
// itself.
func (s *Schema) PossibleTypes(name string) []string {
	if in := s.Interfaces[name]; in != nil {
		return in.PossibleTypes
	}
	if u := s.Unions[name]; u != nil {
		return u.PossibleTypes
	}
	return []string{name}
}

// Applies reports whether a fragment on condition ("" for none) applies
// to a value of object type typ.
func (s *Schema) Applies(condition, typ string) bool {
	if condition == "" || condition == typ {
		return true
	}
	return s.IsAbstract(condition) && slices.Contains(s.PossibleTypes(condition), typ)
}

type Object struct {
	Spec   *spec.ObjectType
	Fields map[string]*Field
	// byColumn finds the field that reads a column (for the type of a
	// sort or cursor value).
	ByColumn map[string]*Field
}

type Field struct {
	Spec *spec.Field
	Type *spec.TypeRef
	Args map[string]*Argument
}

type Enum struct {
	Spec   *spec.Enum
	ToSQL  map[string]string // GraphQL name → SQL value
	ToName map[string]string // SQL value → GraphQL name
	// renamed is set when some SQL value differs from its GraphQL name, so
	// output needs a mapping.
	Renamed bool
	// whens is the tail of enumCase's CASE expression, written once.
	CaseTail string
	// JSONCaseTail maps SQL values to GraphQL names as json: the WHENs
	// of a CASE, left open for its ELSE.
	JSONCaseTail string
}

type Operation struct {
	Spec     *spec.Operation
	Mutation bool
	Returns  *spec.TypeRef
	Args     map[string]*Argument
}

type Argument struct {
	Spec *spec.InputValue
	Type *spec.TypeRef
	// defaultValue is the coerced default (nil and hasDefault false when
	// there is none).
	Default    any
	HasDefault bool
}

// New indexes plan.
func New(plan *spec.Plan) (*Schema, error) {
	s := &Schema{
		Plan:          plan,
		Objects:       map[string]*Object{},
		Enums:         map[string]*Enum{},
		Inputs:        map[string]*spec.InputType{},
		Queries:       map[string]*Operation{},
		Mutations:     map[string]*Operation{},
		Subscriptions: map[string]*Operation{},
		Interfaces:    map[string]*spec.Interface{},
		Unions:        map[string]*spec.Union{},
	}
	for i := range plan.Interfaces {
		s.Interfaces[plan.Interfaces[i].Name] = &plan.Interfaces[i]
	}
	for i := range plan.Unions {
		s.Unions[plan.Unions[i].Name] = &plan.Unions[i]
	}
	for i := range plan.Enums {
		e := &Enum{Spec: &plan.Enums[i], ToSQL: map[string]string{}, ToName: map[string]string{}}
		for _, v := range e.Spec.Values {
			e.ToSQL[v.Name] = v.SQLValue
			e.ToName[v.SQLValue] = v.Name
			e.Renamed = e.Renamed || v.Name != v.SQLValue
			e.CaseTail += " WHEN " + sqlLiteral(v.SQLValue) + " THEN " + sqlLiteral(v.Name)
			e.JSONCaseTail += " WHEN " + sqlLiteral(v.SQLValue) + " THEN " + sqlLiteral(`"`+v.Name+`"`) + "::json"
		}
		e.CaseTail += " END"
		s.Enums[e.Spec.Name] = e
	}
	for i := range plan.Inputs {
		s.Inputs[plan.Inputs[i].Name] = &plan.Inputs[i]
	}
	for i := range plan.Types {
		o := &Object{Spec: &plan.Types[i], Fields: map[string]*Field{}, ByColumn: map[string]*Field{}}
		for j := range o.Spec.Fields {
			f := &o.Spec.Fields[j]
			typ, err := spec.ParseTypeRef(f.Type)
			if err != nil {
				return nil, fmt.Errorf("type %s field %s: %w", o.Spec.Name, f.Name, err)
			}
			args, err := s.indexArgs(f.Args)
			if err != nil {
				return nil, fmt.Errorf("type %s field %s: %w", o.Spec.Name, f.Name, err)
			}
			o.Fields[f.Name] = &Field{Spec: f, Type: typ, Args: args}
			if f.Column != "" && f.Relation == nil && f.Function == nil {
				o.ByColumn[f.Column] = o.Fields[f.Name]
			}
		}
		s.Objects[o.Spec.Name] = o
	}
	for _, ops := range []struct {
		list     []spec.Operation
		into     map[string]*Operation
		mutation bool
	}{{plan.Queries, s.Queries, false}, {plan.Mutations, s.Mutations, true}, {plan.Subscriptions, s.Subscriptions, false}} {
		for i := range ops.list {
			op, err := s.indexOperation(&ops.list[i], ops.mutation)
			if err != nil {
				return nil, err
			}
			ops.into[op.Spec.Name] = op
		}
	}
	return s, nil
}

func (s *Schema) indexOperation(o *spec.Operation, mutation bool) (*Operation, error) {
	returns, err := spec.ParseTypeRef(o.Returns)
	if err != nil {
		return nil, fmt.Errorf("operation %s: %w", o.Name, err)
	}
	if s.Objects[returns.Named()] == nil && !s.IsAbstract(returns.Named()) && o.Source.Kind == spec.SourceRelation {
		return nil, fmt.Errorf("operation %s reads a relation but returns %s, which is not an object type of the plan", o.Name, o.Returns)
	}
	args, err := s.indexArgs(o.Args)
	if err != nil {
		return nil, fmt.Errorf("operation %s: %w", o.Name, err)
	}
	return &Operation{Spec: o, Mutation: mutation, Returns: returns, Args: args}, nil
}

// indexArgs parses the types of arguments and coerces their defaults.
// Enums and inputs must be indexed already.
func (s *Schema) indexArgs(list []spec.InputValue) (map[string]*Argument, error) {
	out := make(map[string]*Argument, len(list))
	for i := range list {
		a := &Argument{Spec: &list[i]}
		var err error
		if a.Type, err = spec.ParseTypeRef(a.Spec.Type); err != nil {
			return nil, fmt.Errorf("argument %s: %w", a.Spec.Name, err)
		}
		if len(a.Spec.Default) > 0 {
			raw, err := wire.DecodeJSON(a.Spec.Default)
			if err != nil {
				return nil, fmt.Errorf("argument %s default: %w", a.Spec.Name, err)
			}
			if a.Default, err = s.CoerceInput(raw, a.Type); err != nil {
				return nil, fmt.Errorf("argument %s default: %w", a.Spec.Name, err)
			}
			a.HasDefault = true
		}
		out[a.Spec.Name] = a
	}
	return out, nil
}

// ArgumentsOf is the indexed arguments of field name of type parent: a
// root field's or an object field's (nil for introspection fields).
func (s *Schema) ArgumentsOf(parent, name string) map[string]*Argument {
	switch parent {
	case "Query":
		if op := s.Queries[name]; op != nil {
			return op.Args
		}
	case "Mutation":
		if op := s.Mutations[name]; op != nil {
			return op.Args
		}
	case "Subscription":
		if op := s.Subscriptions[name]; op != nil {
			return op.Args
		}
	default:
		if o := s.Objects[parent]; o != nil {
			if f := o.Fields[name]; f != nil {
				return f.Args
			}
		}
	}
	return nil
}

// sqlLiteral quotes a string of the plan as a SQL literal.
func sqlLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
