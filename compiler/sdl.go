package compiler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gqlplan/gqlplan/spec"
)

// printSDL prints the GraphQL schema of a plan: Query, Mutation, then
// object types, inputs, enums and the custom scalars in use, each group
// sorted by name, fields in declaration order.
func printSDL(p *spec.Plan) string {
	s := sdlPrinter{plan: p, scalars: map[string]bool{}}
	s.rootType("Query", p.Queries)
	s.rootType("Mutation", p.Mutations)
	s.rootType("Subscription", p.Subscriptions)
	for _, in := range p.Interfaces {
		s.description(in.Description, "")
		fmt.Fprintf(&s.buf, "interface %s {\n", in.Name)
		s.fields(in.Fields)
	}
	for _, u := range p.Unions {
		s.description(u.Description, "")
		fmt.Fprintf(&s.buf, "union %s = %s\n\n", u.Name, strings.Join(u.PossibleTypes, " | "))
	}
	for _, t := range p.Types {
		s.description(t.Description, "")
		implements := ""
		if len(t.Interfaces) > 0 {
			implements = " implements " + strings.Join(t.Interfaces, " & ")
		}
		fmt.Fprintf(&s.buf, "type %s%s {\n", t.Name, implements)
		s.fields(t.Fields)
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
		sc := spec.Scalars[name]
		s.description(sc.Description, "")
		fmt.Fprintf(&s.buf, "scalar %s @specifiedBy(url: %s)\n\n", name, strconv.Quote(sc.SpecifiedBy))
	}
	return strings.TrimRight(s.buf.String(), "\n") + "\n"
}

// fields prints the fields of an object or interface type, and its end.
func (s *sdlPrinter) fields(fields []spec.Field) {
	for _, f := range fields {
		s.description(f.Description, "  ")
		fmt.Fprintf(&s.buf, "  %s%s: %s%s\n", f.Name, s.argList(f.Args), s.use(f.Type), deprecation(f.Deprecated))
	}
	s.buf.WriteString("}\n\n")
}

type sdlPrinter struct {
	buf     bytes.Buffer
	plan    *spec.Plan
	scalars map[string]bool // custom scalars referenced
}

// use records a custom scalar that a type reference names and returns the reference.
func (s *sdlPrinter) use(typ string) string {
	name := strings.Trim(typ, "[]!")
	if sc, ok := spec.Scalars[name]; ok && !sc.BuiltIn {
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
		out += " = " + s.plan.Literal(v.Default, v.Type)
	}
	return out
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
