package schema

import (
	"fmt"
	"sort"

	"github.com/gqlplan/gqlplan/runtime/internal/wire"
	"github.com/gqlplan/gqlplan/spec"
)

// Input coercion follows the GraphQL specification ("Input Coercion" of
// each type, CoerceVariableValues, CoerceArgumentValues) strictly: a
// string is never an Int, a float is never an Int, unknown input fields
// are errors. The coerced value of an enum is its SQL value. Error
// messages name the place and the expected type, never the value sent.

// CoerceInput coerces a JSON value (a variable or a default) to t.
func (s *Schema) CoerceInput(v any, t *spec.TypeRef) (any, error) {
	return s.coerceJSON(v, t, "")
}

func (s *Schema) coerceJSON(v any, t *spec.TypeRef, path string) (any, error) {
	if v == nil {
		if t.NonNull {
			return nil, InputErrorf(path, "expected %s, found null", t)
		}
		return nil, nil
	}
	if t.Elem != nil {
		items, ok := v.([]any)
		if !ok { // a single value is a list of one
			item, err := s.coerceJSON(v, t.Elem, path)
			if err != nil {
				return nil, err
			}
			return []any{item}, nil
		}
		out := make([]any, len(items))
		for i, item := range items {
			var err error
			if out[i], err = s.coerceJSON(item, t.Elem, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	if sc, ok := scalars[t.Name]; ok {
		out, ok := sc.fromJSON(v)
		if !ok {
			return nil, InputErrorf(path, "expected %s, found %s", t.Name, describeValue(v))
		}
		return out, nil
	}
	if e := s.Enums[t.Name]; e != nil {
		name, _ := v.(string)
		sqlValue, ok := e.ToSQL[name]
		if !ok {
			return nil, InputErrorf(path, "expected a value of enum %s, found %s", t.Name, describeValue(v))
		}
		return sqlValue, nil
	}
	if in := s.Inputs[t.Name]; in != nil {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, InputErrorf(path, "expected input object %s, found %s", t.Name, describeValue(v))
		}
		return s.CoerceFields(in, path, keysOf(obj), func(name string, typ *spec.TypeRef, path string) (any, bool, error) {
			raw, ok := obj[name]
			if !ok {
				return nil, false, nil
			}
			value, err := s.coerceJSON(raw, typ, path)
			return value, err == nil, err
		})
	}
	return nil, InputErrorf(path, "unknown input type %s", t.Name)
}

// CoerceFields coerces the fields of input object in: given lists the
// field names the client sent, value coerces one of them (present false
// when it was not sent). Absent fields take their default; a field not
// declared is an error.
func (s *Schema) CoerceFields(in *spec.InputType, path string, given []string, value func(name string, typ *spec.TypeRef, path string) (any, bool, error)) (map[string]any, error) {
	declared := map[string]bool{}
	out := make(map[string]any, len(in.Fields))
	for _, f := range in.Fields {
		declared[f.Name] = true
		typ, err := spec.ParseTypeRef(f.Type)
		if err != nil {
			return nil, err
		}
		fieldPath := JoinPath(path, f.Name)
		v, present, err := value(f.Name, typ, fieldPath)
		switch {
		case err != nil:
			return nil, err
		case present:
			out[f.Name] = v
		case len(f.Default) > 0:
			raw, err := wire.DecodeJSON(f.Default)
			if err != nil {
				return nil, err
			}
			if out[f.Name], err = s.coerceJSON(raw, typ, fieldPath); err != nil {
				return nil, err
			}
		case typ.NonNull:
			return nil, InputErrorf(fieldPath, "required field of type %s was not provided", typ)
		}
	}
	for _, name := range given {
		if !declared[name] {
			return nil, InputErrorf(JoinPath(path, name), "field is not defined by input type %s", in.Name)
		}
	}
	return out, nil
}

// inputError is a value that does not fit its type.
type inputError struct {
	path, msg string
}

func (e *inputError) Error() string {
	if e.path == "" {
		return e.msg
	}
	return "at " + e.path + ": " + e.msg
}

func InputErrorf(path, format string, args ...any) error {
	return &inputError{path: path, msg: fmt.Sprintf(format, args...)}
}

func JoinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func keysOf(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
