package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/gqlplan/gqlplan/extend"
	"github.com/gqlplan/gqlplan/runtime/internal/schema"
	"github.com/gqlplan/gqlplan/runtime/internal/sqlgen"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
	"github.com/gqlplan/gqlplan/spec"
)

// A resolver sees values in one convention, whatever they come from
// (package extend): arguments, required columns and claims alike hold
// numbers as json.Number, strings, bools, nil, []any and map[string]any;
// enums by their GraphQL names; a global id declared with node as an
// extend.NodeID. What it returns is checked against the field's type as
// graphql-js completes a value: an enum value that is not a name of the
// enum, or a string for an Int, is an error with the field's path, never
// output.

// goArgs are a field's arguments as a resolver is given them, from the
// values coerced for SQL: specs are the field's arguments. A global id of
// another node type than declared is a BAD_USER_INPUT error: the resolver
// does not run.
func (h *Handler) goArgs(args map[string]any, specs map[string]*schema.Argument) (map[string]any, *Error) {
	out := make(map[string]any, len(args))
	for name, v := range args {
		a := specs[name]
		if a == nil {
			out[name] = v
			continue
		}
		converted, err := h.goValue(a.Type, a.Spec.Node, v, name)
		if err != nil {
			return nil, wire.As(err, CodeBadUserInput)
		}
		out[name] = converted
	}
	return out, nil
}

// goValue is v, of type t, as a resolver is given it; node is the node
// type a global id is declared of; path names the place for an error.
func (h *Handler) goValue(t *spec.TypeRef, node string, v any, path string) (any, error) {
	if v == nil {
		return nil, nil
	}
	if t.Elem != nil {
		items, ok := v.([]any)
		if !ok {
			return v, nil
		}
		out := make([]any, len(items))
		for i, item := range items {
			var err error
			if out[i], err = h.goValue(t.Elem, node, item, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	if node != "" {
		id, _ := v.(string)
		key, err := sqlgen.NodeKey(h.index, id, path, node)
		if err != nil {
			return nil, err
		}
		return extend.NodeID{Type: node, Key: key}, nil
	}
	switch x := v.(type) {
	case int64:
		return json.Number(strconv.FormatInt(x, 10)), nil
	case float64:
		return json.Number(strconv.FormatFloat(x, 'g', -1, 64)), nil
	}
	if t.Name == "JSON" {
		text, _ := v.(string)
		return wire.DecodeJSON([]byte(text))
	}
	if e := h.index.Enums[t.Name]; e != nil {
		sqlValue, _ := v.(string)
		return e.ToName[sqlValue], nil
	}
	if in := h.index.Inputs[t.Name]; in != nil {
		fields, _ := v.(map[string]any)
		out := make(map[string]any, len(fields))
		for _, f := range in.Fields {
			value, given := fields[f.Name]
			if !given {
				continue
			}
			ft, err := spec.ParseTypeRef(f.Type)
			if err != nil {
				return nil, err
			}
			if out[f.Name], err = h.goValue(ft, f.Node, value, schema.JoinPath(path, f.Name)); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return v, nil
}

// completeValue is the JSON of v, a resolver's value of type t: v as
// JSON encodes it, read back as t (strictly, as a variable is read),
// written as the server writes t. An error says why v is not a t.
func (h *Handler) completeValue(t *spec.TypeRef, v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("the value does not encode as JSON: %w", err)
	}
	decoded, err := wire.DecodeJSON(b.Bytes())
	if err != nil {
		return nil, err
	}
	completed, err := h.complete(t, decoded)
	if err != nil {
		return nil, err
	}
	b.Reset()
	if err := enc.Encode(completed); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func (h *Handler) complete(t *spec.TypeRef, v any) (any, error) {
	if v == nil {
		if t.NonNull {
			return nil, fmt.Errorf("null where the type %s promises a value", t)
		}
		return nil, nil
	}
	if t.Elem != nil {
		items, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("%s is not a list, for %s", describe(v), t)
		}
		out := make([]any, len(items))
		for i, item := range items {
			var err error
			if out[i], err = h.complete(t.Elem, item); err != nil {
				return nil, fmt.Errorf("item %d: %w", i, err)
			}
		}
		return out, nil
	}
	if t.Name == "JSON" {
		return v, nil
	}
	if e := h.index.Enums[t.Name]; e != nil {
		name, _ := v.(string)
		if _, ok := e.ToSQL[name]; !ok {
			return nil, fmt.Errorf("enum %s has no value %s", t.Name, describe(v))
		}
		return name, nil
	}
	out, ok := schema.ReadJSON(t.Name, v)
	if !ok {
		return nil, fmt.Errorf("%s cannot represent %s", t.Name, describe(v))
	}
	return out, nil
}

// describe is a value of a resolver's for an error message: its JSON,
// cut short.
func describe(v any) string {
	text, _ := json.Marshal(v)
	if len(text) > 40 {
		return string(text[:37]) + "…"
	}
	return string(text)
}
