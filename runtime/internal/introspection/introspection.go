// Package introspection answers __schema and __type: it takes a root
// [operation.Field] and a [Schema] — the schema as declared, which the
// document phase converts once at start from what validation uses — and
// gives the field's JSON, keys in selection order, types, fields,
// arguments and enum values in declaration order, a missing description
// null. It never sees a document.
package introspection

import (
	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"

	"bytes"
	"encoding/json"
	"strconv"
)

// Schema is the schema as introspection shows it: the named types in
// declaration order (only the scalars the schema uses), the root types
// and the directives, with the plan's descriptions, defaults and
// deprecations.
type Schema struct {
	Types    []*Type // the schema's named types, in declaration order
	ByName   map[string]*Type
	Query    *Type
	Mutation *Type // nil without mutations
	// Subscription is nil without subscriptions.
	Subscription *Type
	Directives   []*Directive
}

// Type is a __Type: a named type, or a LIST or NON_NULL wrapper
// (ofType set, no name).
type Type struct {
	Kind, Name, Description, SpecifiedByURL string
	Fields                                  []*Field
	InputFields                             []*InputValue
	EnumValues                              []*EnumValue
	IsOneOf                                 bool
	OfType                                  *Type
	// Interfaces an object type implements; PossibleTypes of an interface.
	Interfaces, PossibleTypes []*Type
}

type Field struct {
	Name, Description string
	Args              []*InputValue
	Type              *Type
	Deprecated        *string // the reason, when deprecated
}

type InputValue struct {
	Name, Description string
	Type              *Type
	DefaultValue      *string // a GraphQL literal
	Deprecated        *string
}

type EnumValue struct {
	Name, Description string
	Deprecated        *string
}

type Directive struct {
	Name, Description string
	Locations         []string
	Args              []*InputValue
	Repeatable        bool
}

// Answer is the value of the root field __schema or __type.
func (in *Schema) Answer(f *operation.Field) []byte {
	var b bytes.Buffer
	switch f.Name {
	case "__schema":
		in.schema(&b, f.Children)
	case "__type":
		v, _ := f.Args.Value("name")
		name, _ := v.(string)
		in.typ(&b, in.ByName[name], f.Children)
	default:
		b.WriteString("null")
	}
	return b.Bytes()
}

// introObject writes the selected keys of one introspection object; value
// writes the value of one selection, or reports false for an unknown field
// (validation leaves none), written as null.
func introObject(b *bytes.Buffer, typename string, sels []*operation.Field, value func(s *operation.Field) bool) {
	b.WriteByte('{')
	for i, s := range sels {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, s.Key)
		b.WriteByte(':')
		if s.Name == "__typename" {
			writeString(b, typename)
		} else if !value(s) {
			b.WriteString("null")
		}
	}
	b.WriteByte('}')
}

func introList[T any](b *bytes.Buffer, items []T, each func(T)) {
	b.WriteByte('[')
	for i, item := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		each(item)
	}
	b.WriteByte(']')
}

func writeString(b *bytes.Buffer, s string) {
	text, _ := wire.MarshalNoEscape(s)
	b.Write(text)
}

// writeNullable writes s, or null when it is empty (a missing
// description is null, never "").
func writeNullable(b *bytes.Buffer, s string) {
	if s == "" {
		b.WriteString("null")
		return
	}
	writeString(b, s)
}

func writeBool(b *bytes.Buffer, v bool) { b.WriteString(strconv.FormatBool(v)) }

func (in *Schema) schema(b *bytes.Buffer, sels []*operation.Field) {
	introObject(b, "__Schema", sels, func(s *operation.Field) bool {
		switch s.Name {
		case "description":
			b.WriteString("null")
		case "types":
			introList(b, in.Types, func(t *Type) { in.typ(b, t, s.Children) })
		case "queryType":
			in.typ(b, in.Query, s.Children)
		case "mutationType":
			in.typ(b, in.Mutation, s.Children)
		case "subscriptionType":
			in.typ(b, in.Subscription, s.Children)
		case "directives":
			introList(b, in.Directives, func(d *Directive) { in.directive(b, d, s.Children) })
		default:
			return false
		}
		return true
	})
}

// includeDeprecated reads the argument of fields, args, enumValues and
// inputFields (false by default).
func includeDeprecated(s *operation.Field) bool {
	arg, _ := s.Args.Value("includeDeprecated")
	v, _ := arg.(bool)
	return v
}

func visible[T any](items []T, all bool, deprecated func(T) *string) []T {
	if all {
		return items
	}
	out := make([]T, 0, len(items))
	for _, item := range items {
		if deprecated(item) == nil {
			out = append(out, item)
		}
	}
	return out
}

func (in *Schema) typ(b *bytes.Buffer, t *Type, sels []*operation.Field) {
	if t == nil {
		b.WriteString("null")
		return
	}
	introObject(b, "__Type", sels, func(s *operation.Field) bool {
		switch s.Name {
		case "kind":
			writeString(b, t.Kind)
		case "name":
			writeNullable(b, t.Name)
		case "description":
			writeNullable(b, t.Description)
		case "specifiedByURL":
			writeNullable(b, t.SpecifiedByURL)
		case "fields":
			if t.Kind != "OBJECT" && t.Kind != "INTERFACE" {
				return false
			}
			fields := visible(t.Fields, includeDeprecated(s), func(f *Field) *string { return f.Deprecated })
			introList(b, fields, func(f *Field) { in.field(b, f, s.Children) })
		case "interfaces":
			if t.Kind != "OBJECT" && t.Kind != "INTERFACE" {
				return false
			}
			introList(b, t.Interfaces, func(i *Type) { in.typ(b, i, s.Children) })
		case "possibleTypes":
			if t.Kind != "INTERFACE" && t.Kind != "UNION" {
				return false
			}
			introList(b, t.PossibleTypes, func(p *Type) { in.typ(b, p, s.Children) })
		case "enumValues":
			if t.Kind != "ENUM" {
				return false
			}
			values := visible(t.EnumValues, includeDeprecated(s), func(v *EnumValue) *string { return v.Deprecated })
			introList(b, values, func(v *EnumValue) { in.enumValue(b, v, s.Children) })
		case "inputFields":
			if t.Kind != "INPUT_OBJECT" {
				return false
			}
			fields := visible(t.InputFields, includeDeprecated(s), func(f *InputValue) *string { return f.Deprecated })
			introList(b, fields, func(f *InputValue) { in.inputValue(b, f, s.Children) })
		case "ofType":
			in.typ(b, t.OfType, s.Children)
		case "isOneOf":
			if t.Kind != "INPUT_OBJECT" {
				return false
			}
			writeBool(b, t.IsOneOf)
		default:
			return false
		}
		return true
	})
}

func (in *Schema) field(b *bytes.Buffer, f *Field, sels []*operation.Field) {
	introObject(b, "__Field", sels, func(s *operation.Field) bool {
		switch s.Name {
		case "name":
			writeString(b, f.Name)
		case "description":
			writeNullable(b, f.Description)
		case "args":
			args := visible(f.Args, includeDeprecated(s), func(a *InputValue) *string { return a.Deprecated })
			introList(b, args, func(a *InputValue) { in.inputValue(b, a, s.Children) })
		case "type":
			in.typ(b, f.Type, s.Children)
		default:
			return deprecation(b, s.Name, f.Deprecated)
		}
		return true
	})
}

func (in *Schema) inputValue(b *bytes.Buffer, v *InputValue, sels []*operation.Field) {
	introObject(b, "__InputValue", sels, func(s *operation.Field) bool {
		switch s.Name {
		case "name":
			writeString(b, v.Name)
		case "description":
			writeNullable(b, v.Description)
		case "type":
			in.typ(b, v.Type, s.Children)
		case "defaultValue":
			if v.DefaultValue == nil {
				return false
			}
			writeString(b, *v.DefaultValue)
		default:
			return deprecation(b, s.Name, v.Deprecated)
		}
		return true
	})
}

func (in *Schema) enumValue(b *bytes.Buffer, v *EnumValue, sels []*operation.Field) {
	introObject(b, "__EnumValue", sels, func(s *operation.Field) bool {
		switch s.Name {
		case "name":
			writeString(b, v.Name)
		case "description":
			writeNullable(b, v.Description)
		default:
			return deprecation(b, s.Name, v.Deprecated)
		}
		return true
	})
}

// deprecation writes isDeprecated or deprecationReason.
func deprecation(b *bytes.Buffer, name string, reason *string) bool {
	switch name {
	case "isDeprecated":
		writeBool(b, reason != nil)
	case "deprecationReason":
		if reason == nil {
			return false
		}
		writeString(b, *reason)
	default:
		return false
	}
	return true
}

func (in *Schema) directive(b *bytes.Buffer, d *Directive, sels []*operation.Field) {
	introObject(b, "__Directive", sels, func(s *operation.Field) bool {
		switch s.Name {
		case "name":
			writeString(b, d.Name)
		case "description":
			writeNullable(b, d.Description)
		case "locations":
			locations, _ := json.Marshal(d.Locations)
			b.Write(locations)
		case "args":
			args := visible(d.Args, includeDeprecated(s), func(a *InputValue) *string { return a.Deprecated })
			introList(b, args, func(a *InputValue) { in.inputValue(b, a, s.Children) })
		case "isRepeatable":
			writeBool(b, d.Repeatable)
		default:
			return false
		}
		return true
	})
}
