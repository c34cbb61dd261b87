package runtime

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// introspection answers __schema and __type from the schema the plan
// declares, read once at start (see loadIntrospection): types, fields,
// arguments and enum values in declaration order, the plan's descriptions,
// defaults and deprecations, and only the scalars the schema uses. It
// reads an executable's selections; it never sees a document.
type introspection struct {
	types      []*introType // the schema's named types, in declaration order
	byName     map[string]*introType
	query      *introType
	mutation   *introType
	directives []*introDirective
}

// introType is a __Type: a named type, or a LIST or NON_NULL wrapper
// (ofType set, no name).
type introType struct {
	kind, name, description, specifiedByURL string
	fields                                  []*introField
	inputFields                             []*introInput
	enumValues                              []*introEnumValue
	isOneOf                                 bool
	ofType                                  *introType
}

type introField struct {
	name, description string
	args              []*introInput
	typ               *introType
	deprecated        *string // the reason, when deprecated
}

type introInput struct {
	name, description string
	typ               *introType
	defaultValue      *string // a GraphQL literal
	deprecated        *string
}

type introEnumValue struct {
	name, description string
	deprecated        *string
}

type introDirective struct {
	name, description string
	locations         []string
	args              []*introInput
	repeatable        bool
}

// answer sets the result of every introspection root field.
func (in *introspection) answer(fields []*rootField) {
	for _, f := range fields {
		if f.intro == nil {
			continue
		}
		var b bytes.Buffer
		switch f.intro.name {
		case "__schema":
			in.schema(&b, f.intro.children)
		case "__type":
			name, _ := f.intro.args["name"].(string)
			in.typ(&b, in.byName[name], f.intro.children)
		}
		f.result = b.Bytes()
	}
}

// introObject writes the selected keys of one introspection object; value
// writes the value of one selection, or reports false for an unknown field
// (validation leaves none), written as null.
func introObject(b *bytes.Buffer, typename string, sels []*selection, value func(s *selection) bool) {
	b.WriteByte('{')
	for i, s := range sels {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, s.key)
		b.WriteByte(':')
		if s.name == "__typename" {
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
	text, _ := marshalNoEscape(s)
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

func (in *introspection) schema(b *bytes.Buffer, sels []*selection) {
	introObject(b, "__Schema", sels, func(s *selection) bool {
		switch s.name {
		case "description":
			b.WriteString("null")
		case "types":
			introList(b, in.types, func(t *introType) { in.typ(b, t, s.children) })
		case "queryType":
			in.typ(b, in.query, s.children)
		case "mutationType":
			in.typ(b, in.mutation, s.children)
		case "subscriptionType":
			b.WriteString("null")
		case "directives":
			introList(b, in.directives, func(d *introDirective) { in.directive(b, d, s.children) })
		default:
			return false
		}
		return true
	})
}

// includeDeprecated reads the argument of fields, args, enumValues and
// inputFields (false by default).
func includeDeprecated(s *selection) bool {
	v, _ := s.args["includeDeprecated"].(bool)
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

func (in *introspection) typ(b *bytes.Buffer, t *introType, sels []*selection) {
	if t == nil {
		b.WriteString("null")
		return
	}
	introObject(b, "__Type", sels, func(s *selection) bool {
		switch s.name {
		case "kind":
			writeString(b, t.kind)
		case "name":
			writeNullable(b, t.name)
		case "description":
			writeNullable(b, t.description)
		case "specifiedByURL":
			writeNullable(b, t.specifiedByURL)
		case "fields":
			if t.kind != "OBJECT" {
				return false
			}
			fields := visible(t.fields, includeDeprecated(s), func(f *introField) *string { return f.deprecated })
			introList(b, fields, func(f *introField) { in.field(b, f, s.children) })
		case "interfaces":
			if t.kind != "OBJECT" {
				return false
			}
			b.WriteString("[]")
		case "possibleTypes":
			return false
		case "enumValues":
			if t.kind != "ENUM" {
				return false
			}
			values := visible(t.enumValues, includeDeprecated(s), func(v *introEnumValue) *string { return v.deprecated })
			introList(b, values, func(v *introEnumValue) { in.enumValue(b, v, s.children) })
		case "inputFields":
			if t.kind != "INPUT_OBJECT" {
				return false
			}
			fields := visible(t.inputFields, includeDeprecated(s), func(f *introInput) *string { return f.deprecated })
			introList(b, fields, func(f *introInput) { in.inputValue(b, f, s.children) })
		case "ofType":
			in.typ(b, t.ofType, s.children)
		case "isOneOf":
			if t.kind != "INPUT_OBJECT" {
				return false
			}
			writeBool(b, t.isOneOf)
		default:
			return false
		}
		return true
	})
}

func (in *introspection) field(b *bytes.Buffer, f *introField, sels []*selection) {
	introObject(b, "__Field", sels, func(s *selection) bool {
		switch s.name {
		case "name":
			writeString(b, f.name)
		case "description":
			writeNullable(b, f.description)
		case "args":
			args := visible(f.args, includeDeprecated(s), func(a *introInput) *string { return a.deprecated })
			introList(b, args, func(a *introInput) { in.inputValue(b, a, s.children) })
		case "type":
			in.typ(b, f.typ, s.children)
		default:
			return deprecation(b, s.name, f.deprecated)
		}
		return true
	})
}

func (in *introspection) inputValue(b *bytes.Buffer, v *introInput, sels []*selection) {
	introObject(b, "__InputValue", sels, func(s *selection) bool {
		switch s.name {
		case "name":
			writeString(b, v.name)
		case "description":
			writeNullable(b, v.description)
		case "type":
			in.typ(b, v.typ, s.children)
		case "defaultValue":
			if v.defaultValue == nil {
				return false
			}
			writeString(b, *v.defaultValue)
		default:
			return deprecation(b, s.name, v.deprecated)
		}
		return true
	})
}

func (in *introspection) enumValue(b *bytes.Buffer, v *introEnumValue, sels []*selection) {
	introObject(b, "__EnumValue", sels, func(s *selection) bool {
		switch s.name {
		case "name":
			writeString(b, v.name)
		case "description":
			writeNullable(b, v.description)
		default:
			return deprecation(b, s.name, v.deprecated)
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

func (in *introspection) directive(b *bytes.Buffer, d *introDirective, sels []*selection) {
	introObject(b, "__Directive", sels, func(s *selection) bool {
		switch s.name {
		case "name":
			writeString(b, d.name)
		case "description":
			writeNullable(b, d.description)
		case "locations":
			locations, _ := json.Marshal(d.locations)
			b.Write(locations)
		case "args":
			args := visible(d.args, includeDeprecated(s), func(a *introInput) *string { return a.deprecated })
			introList(b, args, func(a *introInput) { in.inputValue(b, a, s.children) })
		case "isRepeatable":
			writeBool(b, d.repeatable)
		default:
			return false
		}
		return true
	})
}
