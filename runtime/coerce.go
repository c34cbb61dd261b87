package runtime

import (
	"fmt"
	"sort"

	"github.com/graphql-go/graphql/language/ast"

	"github.com/gqlplan/gqlplan/spec"
)

// Input coercion follows the GraphQL specification ("Input Coercion" of
// each type, CoerceVariableValues, CoerceArgumentValues) strictly: a
// string is never an Int, a float is never an Int, unknown input fields
// are errors. The coerced value of an enum is its SQL value. Error
// messages name the place and the expected type, never the value sent.

// coerceInput coerces a JSON value (a variable or a default) to t.
func (s *schema) coerceInput(v any, t *spec.TypeRef) (any, error) {
	return s.coerceJSON(v, t, "")
}

func (s *schema) coerceJSON(v any, t *spec.TypeRef, path string) (any, error) {
	if v == nil {
		if t.NonNull {
			return nil, inputErrorf(path, "expected %s, found null", t)
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
			return nil, inputErrorf(path, "expected %s, found %s", t.Name, describeValue(v))
		}
		return out, nil
	}
	if e := s.enums[t.Name]; e != nil {
		name, _ := v.(string)
		sqlValue, ok := e.toSQL[name]
		if !ok {
			return nil, inputErrorf(path, "expected a value of enum %s, found %s", t.Name, describeValue(v))
		}
		return sqlValue, nil
	}
	if in := s.inputs[t.Name]; in != nil {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, inputErrorf(path, "expected input object %s, found %s", t.Name, describeValue(v))
		}
		return s.coerceFields(in, path, keysOf(obj), func(name string, typ *spec.TypeRef, path string) (any, bool, error) {
			raw, ok := obj[name]
			if !ok {
				return nil, false, nil
			}
			value, err := s.coerceJSON(raw, typ, path)
			return value, err == nil, err
		})
	}
	return nil, inputErrorf(path, "unknown input type %s", t.Name)
}

// coerceFields coerces the fields of input object in: given lists the
// field names the client sent, value coerces one of them (present false
// when it was not sent). Absent fields take their default; a field not
// declared is an error.
func (s *schema) coerceFields(in *spec.InputType, path string, given []string, value func(name string, typ *spec.TypeRef, path string) (any, bool, error)) (map[string]any, error) {
	declared := map[string]bool{}
	out := make(map[string]any, len(in.Fields))
	for _, f := range in.Fields {
		declared[f.Name] = true
		typ, err := spec.ParseTypeRef(f.Type)
		if err != nil {
			return nil, err
		}
		fieldPath := joinPath(path, f.Name)
		v, present, err := value(f.Name, typ, fieldPath)
		switch {
		case err != nil:
			return nil, err
		case present:
			out[f.Name] = v
		case len(f.Default) > 0:
			raw, err := decodeJSON(f.Default)
			if err != nil {
				return nil, err
			}
			if out[f.Name], err = s.coerceJSON(raw, typ, fieldPath); err != nil {
				return nil, err
			}
		case typ.NonNull:
			return nil, inputErrorf(fieldPath, "required field of type %s was not provided", typ)
		}
	}
	for _, name := range given {
		if !declared[name] {
			return nil, inputErrorf(joinPath(path, name), "field is not defined by input type %s", in.Name)
		}
	}
	return out, nil
}

// coerceLiteral coerces a literal of the document, where variables have
// already been coerced. present is false for a variable that was not
// provided and has no default (the argument is then absent).
func (s *schema) coerceLiteral(v ast.Value, t *spec.TypeRef, vars map[string]any, path string) (value any, present bool, err error) {
	if ref, ok := v.(*ast.Variable); ok {
		value, present = vars[ref.Name.Value]
		if present && value == nil && t.NonNull {
			return nil, false, inputErrorf(path, "expected %s, found null", t)
		}
		return value, present, nil
	}
	if t.Elem != nil {
		list, ok := v.(*ast.ListValue)
		if !ok {
			item, present, err := s.coerceLiteral(v, t.Elem, vars, path)
			if err != nil || !present {
				return nil, present, err
			}
			return []any{item}, true, nil
		}
		out := make([]any, len(list.Values))
		for i, item := range list.Values {
			if out[i], _, err = s.coerceLiteral(item, t.Elem, vars, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return nil, false, err
			}
		}
		return out, true, nil
	}
	if sc, ok := scalars[t.Name]; ok {
		out, ok := sc.fromLiteral(v)
		if !ok {
			return nil, false, inputErrorf(path, "expected %s", t.Name)
		}
		return out, true, nil
	}
	if e := s.enums[t.Name]; e != nil {
		lit, _ := v.(*ast.EnumValue)
		if lit == nil {
			return nil, false, inputErrorf(path, "expected a value of enum %s", t.Name)
		}
		sqlValue, ok := e.toSQL[lit.Value]
		if !ok {
			return nil, false, inputErrorf(path, "expected a value of enum %s", t.Name)
		}
		return sqlValue, true, nil
	}
	if in := s.inputs[t.Name]; in != nil {
		obj, ok := v.(*ast.ObjectValue)
		if !ok {
			return nil, false, inputErrorf(path, "expected input object %s", t.Name)
		}
		fields := map[string]*ast.ObjectField{}
		var given []string
		for _, f := range obj.Fields {
			fields[f.Name.Value] = f
			given = append(given, f.Name.Value)
		}
		out, err := s.coerceFields(in, path, given, func(name string, typ *spec.TypeRef, path string) (any, bool, error) {
			f := fields[name]
			if f == nil {
				return nil, false, nil
			}
			return s.coerceLiteral(f.Value, typ, vars, path)
		})
		return out, err == nil, err
	}
	return nil, false, inputErrorf(path, "unknown input type %s", t.Name)
}

// typeFromAST converts a variable's declared type.
func typeFromAST(t ast.Type) *spec.TypeRef {
	switch t := t.(type) {
	case *ast.NonNull:
		inner := typeFromAST(t.Type)
		inner.NonNull = true
		return inner
	case *ast.List:
		return &spec.TypeRef{Elem: typeFromAST(t.Type)}
	case *ast.Named:
		return &spec.TypeRef{Name: t.Name.Value}
	}
	return &spec.TypeRef{}
}

// coerceVariables implements CoerceVariableValues: the result holds every
// variable that was provided or has a default.
func (s *schema) coerceVariables(defs []*ast.VariableDefinition, input map[string]any) (map[string]any, []*Error) {
	out := make(map[string]any, len(defs))
	var errs []*Error
	for _, def := range defs {
		name := def.Variable.Name.Value
		typ := typeFromAST(def.Type)
		raw, given := input[name]
		var err error
		switch {
		case given:
			out[name], err = s.coerceInput(raw, typ)
		case def.DefaultValue != nil:
			var present bool
			var value any
			value, present, err = s.coerceLiteral(def.DefaultValue, typ, nil, "")
			if present {
				out[name] = value
			}
		case typ.NonNull:
			err = fmt.Errorf("required variable of type %s was not provided", typ)
		}
		if err != nil {
			e := &Error{Message: fmt.Sprintf("Variable \"$%s\" got an invalid value: %v", name, err), Code: CodeBadUserInput}
			e.locate(def.Loc)
			errs = append(errs, e)
		}
	}
	return out, errs
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

func inputErrorf(path, format string, args ...any) error {
	return &inputError{path: path, msg: fmt.Sprintf(format, args...)}
}

func joinPath(path, name string) string {
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
