package compiler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gqlplan/gqlplan/spec"
)

// printSDL prints the GraphQL schema of a plan: Query, Mutation, then
// object types, inputs, enums and the custom scalars in use, each group
// sorted by name, fields in declaration order.
func printSDL(p *spec.Plan) string {
	s := sdlPrinter{plan: p, enums: map[string]bool{}, inputs: map[string]spec.InputType{}, scalars: map[string]bool{}}
	for _, e := range p.Enums {
		s.enums[e.Name] = true
	}
	for _, in := range p.Inputs {
		s.inputs[in.Name] = in
	}
	s.rootType("Query", p.Queries)
	s.rootType("Mutation", p.Mutations)
	for _, t := range p.Types {
		s.description(t.Description, "")
		fmt.Fprintf(&s.buf, "type %s {\n", t.Name)
		for _, f := range t.Fields {
			s.description(f.Description, "  ")
			fmt.Fprintf(&s.buf, "  %s%s: %s%s\n", f.Name, s.argList(f.Args), s.use(f.Type), deprecation(f.Deprecated))
		}
		s.buf.WriteString("}\n\n")
	}
	for _, in := range p.Inputs {
		s.description(in.Description, "")
		fmt.Fprintf(&s.buf, "input %s {\n", in.Name)
		for _, f := range in.Fields {
			s.description(f.Description, "  ")
			fmt.Fprintf(&s.buf, "  %s\n", s.inputValue(f))
		}
		s.buf.WriteString("}\n\n")
	}
	for _, e := range p.Enums {
		s.description(e.Description, "")
		fmt.Fprintf(&s.buf, "enum %s {\n", e.Name)
		for _, v := range e.Values {
			s.description(v.Description, "  ")
			fmt.Fprintf(&s.buf, "  %s%s\n", v.Name, deprecation(v.Deprecated))
		}
		s.buf.WriteString("}\n\n")
	}
	scalars := make([]string, 0, len(s.scalars))
	for name := range s.scalars {
		scalars = append(scalars, name)
	}
	slices.Sort(scalars)
	for _, name := range scalars {
		fmt.Fprintf(&s.buf, "scalar %s\n\n", name)
	}
	return strings.TrimRight(s.buf.String(), "\n") + "\n"
}

type sdlPrinter struct {
	buf     bytes.Buffer
	plan    *spec.Plan
	enums   map[string]bool
	inputs  map[string]spec.InputType
	scalars map[string]bool // custom scalars referenced
}

var graphQLScalars = []string{"Boolean", "Float", "ID", "Int", "String"}

// use records a custom scalar that a type reference names and returns the reference.
func (s *sdlPrinter) use(typ string) string {
	name := strings.Trim(typ, "[]!")
	if slices.Contains(builtinScalars, name) && !slices.Contains(graphQLScalars, name) {
		s.scalars[name] = true
	}
	return typ
}

func (s *sdlPrinter) rootType(name string, ops []spec.Operation) {
	if len(ops) == 0 {
		return
	}
	fmt.Fprintf(&s.buf, "type %s {\n", name)
	for _, op := range ops {
		s.description(op.Description, "  ")
		fmt.Fprintf(&s.buf, "  %s%s: %s%s\n", op.Name, s.argList(op.Args), s.use(op.Returns), deprecation(op.Deprecated))
	}
	s.buf.WriteString("}\n\n")
}

// argList prints "(a: T, b: U = 1)", or nothing for no arguments.
func (s *sdlPrinter) argList(args []spec.InputValue) string {
	if len(args) == 0 {
		return ""
	}
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = s.inputValue(a)
	}
	return "(" + strings.Join(out, ", ") + ")"
}

func (s *sdlPrinter) inputValue(v spec.InputValue) string {
	out := v.Name + ": " + s.use(v.Type)
	if v.Default != nil {
		out += " = " + s.literal(v.Default, v.Type)
	}
	return out
}

// literal prints a JSON default as a GraphQL literal of the given type:
// enum values bare, object keys unquoted.
func (s *sdlPrinter) literal(raw json.RawMessage, typ string) string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "null"
	}
	return s.value(v, typ)
}

func (s *sdlPrinter) value(v any, typ string) string {
	ref, err := spec.ParseTypeRef(typ)
	if err != nil {
		return "null"
	}
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return x.String()
	case string:
		if s.enums[ref.Named()] && ref.Elem == nil {
			return x
		}
		b, _ := json.Marshal(x) // a JSON string is a valid GraphQL string
		return string(b)
	case []any:
		elem := typ
		if ref.Elem != nil {
			elem = ref.Elem.String()
		}
		items := make([]string, len(x))
		for i, e := range x {
			items[i] = s.value(e, elem)
		}
		return "[" + strings.Join(items, ", ") + "]"
	case map[string]any:
		var parts []string
		if in, ok := s.inputs[ref.Named()]; ok {
			for _, f := range in.Fields {
				if fv, ok := x[f.Name]; ok {
					parts = append(parts, f.Name+": "+s.value(fv, f.Type))
				}
			}
			return "{" + strings.Join(parts, ", ") + "}"
		}
		// A JSON scalar holding an object: a GraphQL object literal, which
		// needs its keys to be GraphQL names; otherwise the JSON text.
		keys := slices.Sorted(maps.Keys(x))
		for _, k := range keys {
			if !graphQLName.MatchString(k) {
				b, _ := json.Marshal(x)
				return strconv.Quote(string(b))
			}
			parts = append(parts, k+": "+s.value(x[k], "JSON"))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return "null"
}

func (s *sdlPrinter) description(d, indent string) {
	if d == "" {
		return
	}
	d = strings.ReplaceAll(d, `"""`, `\"""`)
	if !strings.Contains(d, "\n") {
		fmt.Fprintf(&s.buf, "%s\"\"\"%s\"\"\"\n", indent, d)
		return
	}
	fmt.Fprintf(&s.buf, "%s\"\"\"\n", indent)
	for _, line := range strings.Split(strings.TrimRight(d, "\n"), "\n") {
		fmt.Fprintf(&s.buf, "%s%s\n", indent, line)
	}
	fmt.Fprintf(&s.buf, "%s\"\"\"\n", indent)
}

func deprecation(reason string) string {
	if reason == "" {
		return ""
	}
	b, _ := json.Marshal(reason)
	return " @deprecated(reason: " + string(b) + ")"
}
