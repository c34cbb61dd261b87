package spec

import (
	"bytes"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// graphQLName is what a GraphQL name looks like.
var graphQLName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]*$`)

// Literal prints a default value (JSON, coerced to typ) as the GraphQL
// literal the SDL writes after "=" and introspection gives as
// defaultValue: enum values bare, input object fields in declaration
// order with unquoted names.
func (p *Plan) Literal(raw json.RawMessage, typ string) string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "null"
	}
	return p.literal(v, typ)
}

func (p *Plan) literal(v any, typ string) string {
	ref, err := ParseTypeRef(typ)
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
		if ref.Elem == nil && p.enum(ref.Named()) {
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
			items[i] = p.literal(e, elem)
		}
		return "[" + strings.Join(items, ", ") + "]"
	case map[string]any:
		var parts []string
		if in := p.input(ref.Named()); in != nil {
			for _, f := range in.Fields {
				if fv, ok := x[f.Name]; ok {
					parts = append(parts, f.Name+": "+p.literal(fv, f.Type))
				}
			}
			return "{" + strings.Join(parts, ", ") + "}"
		}
		// A JSON scalar holding an object: a GraphQL object literal, which
		// needs its keys to be GraphQL names; otherwise the JSON text.
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if !graphQLName.MatchString(k) {
				b, _ := json.Marshal(x)
				return strconv.Quote(string(b))
			}
			parts = append(parts, k+": "+p.literal(x[k], "JSON"))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return "null"
}

func (p *Plan) enum(name string) bool {
	return slices.ContainsFunc(p.Enums, func(e Enum) bool { return e.Name == name })
}

func (p *Plan) input(name string) *InputType {
	for i := range p.Inputs {
		if p.Inputs[i].Name == name {
			return &p.Inputs[i]
		}
	}
	return nil
}
