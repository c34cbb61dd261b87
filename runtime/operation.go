package runtime

import (
	"encoding/json"
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/gqlplan/gqlplan/spec"
)

// This file is where a validated document becomes an [executable]: the
// operation chosen, its variables coerced, its fields collected and
// merged (CollectFields, @skip, @include) and every argument coerced to
// its type. It is the last stage that sees gqlparser's AST: composition,
// introspection and execution read the executable only.

// executable is one operation ready to run.
type executable struct {
	mutation bool
	name     string
	fields   []*selection // the root fields, collected
}

// selection is one response key of a selection set: the fields of the
// document that share it, merged (validation has made sure they are the
// same field with the same arguments).
type selection struct {
	key, name string
	// args are the coerced arguments: every argument given or with a
	// default; one neither given nor defaulted is absent.
	args     map[string]any
	children []*selection
	loc      Location
	// err is set on a root field whose arguments, anywhere beneath it, do
	// not coerce: a field error, the other root fields still run.
	err *Error
}

// chosen is the operation of a document a request runs, before its
// variables are read.
type chosen struct {
	def                    *ast.OperationDefinition
	doc                    *ast.QueryDocument
	name                   string
	mutation, subscription bool
}

// selectOperation picks the operation to run (GraphQL "GetOperation").
func selectOperation(doc *ast.QueryDocument, name string) (*chosen, *Error) {
	var op *ast.OperationDefinition
	switch {
	case name == "" && len(doc.Operations) > 1:
		return nil, &Error{Message: "The document has several operations; operationName must name one.", Code: CodeBadRequest}
	case name == "" && len(doc.Operations) == 1:
		op = doc.Operations[0]
	case name != "":
		if op = doc.Operations.ForName(name); op == nil {
			return nil, &Error{Message: fmt.Sprintf("The document has no operation named %q.", name), Code: CodeBadRequest}
		}
	default:
		return nil, &Error{Message: "The document has no operation.", Code: CodeBadRequest}
	}
	return &chosen{def: op, doc: doc, name: op.Name, mutation: op.Operation == ast.Mutation, subscription: op.Operation == ast.Subscription}, nil
}

// newExecutable coerces the variables of op (request errors when they do
// not fit) and collects its fields.
func (s *schema) newExecutable(op *chosen, input map[string]any) (*executable, []*Error) {
	vars, errs := s.coerceVariables(op.def.VariableDefinitions, input)
	if errs != nil {
		return nil, errs
	}
	b := &builder{schema: s, doc: op.doc, vars: vars}
	root := "Query"
	if op.mutation {
		root = "Mutation"
	}
	fields, err := b.collect(root, []ast.SelectionSet{op.def.SelectionSet}, true)
	if err != nil {
		return nil, []*Error{err}
	}
	return &executable{mutation: op.mutation, name: op.name, fields: fields}, nil
}

// builder collects the selections of one operation.
type builder struct {
	schema *schema
	doc    *ast.QueryDocument
	vars   map[string]any
	// argErr is the first argument that did not coerce under the root
	// field being collected.
	argErr *Error
}

// collect implements CollectFields over the selection sets of merged
// fields of type parent, then builds each response key's selection.
// Type conditions always hold: a plan has object types only, so
// validation leaves only fragments on the parent type itself.
func (b *builder) collect(parent string, sets []ast.SelectionSet, root bool) ([]*selection, *Error) {
	var keys []string
	groups := map[string][]*ast.Field{}
	visited := map[string]bool{}
	var walk func(set ast.SelectionSet) *Error
	walk = func(set ast.SelectionSet) *Error {
		for _, sel := range set {
			var directives ast.DirectiveList
			switch sel := sel.(type) {
			case *ast.Field:
				directives = sel.Directives
			case *ast.InlineFragment:
				directives = sel.Directives
			case *ast.FragmentSpread:
				directives = sel.Directives
			}
			if include, err := b.included(directives); err != nil || !include {
				if err != nil {
					return err
				}
				continue
			}
			switch sel := sel.(type) {
			case *ast.Field:
				key := sel.Alias
				if key == "" {
					key = sel.Name
				}
				if _, ok := groups[key]; !ok {
					keys = append(keys, key)
				}
				groups[key] = append(groups[key], sel)
			case *ast.InlineFragment:
				if err := walk(sel.SelectionSet); err != nil {
					return err
				}
			case *ast.FragmentSpread:
				f := b.doc.Fragments.ForName(sel.Name)
				if visited[sel.Name] || f == nil {
					continue
				}
				visited[sel.Name] = true
				if err := walk(f.SelectionSet); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, set := range sets {
		if err := walk(set); err != nil {
			return nil, err
		}
	}
	out := make([]*selection, len(keys))
	for i, key := range keys {
		fields := groups[key]
		first := fields[0]
		sel := &selection{key: key, name: first.Name, loc: locationOf(first.Position)}
		if root {
			b.argErr = nil
		}
		sel.args = b.arguments(parent, first)
		if first.Definition != nil && len(first.SelectionSet) > 0 {
			sets := make([]ast.SelectionSet, len(fields))
			for j, f := range fields {
				sets[j] = f.SelectionSet
			}
			var err *Error
			if sel.children, err = b.collect(first.Definition.Type.Name(), sets, false); err != nil {
				return nil, err
			}
		}
		if root {
			sel.err = b.argErr
		}
		out[i] = sel
	}
	return out, nil
}

// included evaluates @skip(if:) and @include(if:).
func (b *builder) included(directives ast.DirectiveList) (bool, *Error) {
	for _, d := range directives {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		arg := d.Arguments.ForName("if")
		if arg == nil {
			continue
		}
		v, _, err := b.schema.coerceLiteral(arg.Value, booleanNonNull, b.vars, "@"+d.Name+"(if:)")
		if err != nil {
			return false, &Error{Message: err.Error(), Code: CodeBadUserInput}
		}
		if on, _ := v.(bool); on == (d.Name == "skip") {
			return false, nil
		}
	}
	return true, nil
}

var booleanNonNull = &spec.TypeRef{Name: "Boolean", NonNull: true}

// arguments implements CoerceArgumentValues for field f of type parent.
// A field of the plan has its arguments indexed (types parsed, defaults
// coerced once); the introspection fields are read from their definition.
func (b *builder) arguments(parent string, f *ast.Field) map[string]any {
	args := b.schema.argumentsOf(parent, f.Name)
	if args == nil && f.Definition != nil && len(f.Definition.Arguments) > 0 {
		args = b.schema.introspectionArguments(f.Definition.Arguments)
	}
	if len(args) == 0 {
		return nil
	}
	out := make(map[string]any, len(args))
	for name, arg := range args {
		present := false
		var value any
		if a := f.Arguments.ForName(name); a != nil {
			var err error
			if value, present, err = b.schema.coerceLiteral(a.Value, arg.typ, b.vars, name); err != nil {
				b.fail(&Error{Message: fmt.Sprintf("Argument %q has an invalid value: %v", name, err), Code: CodeBadUserInput})
				return out
			}
		}
		switch {
		case present:
			out[name] = value
		case arg.hasDefault:
			out[name] = arg.defaultValue
		case arg.typ.NonNull:
			b.fail(&Error{Message: fmt.Sprintf("Argument %q of type %s is required.", name, arg.typ), Code: CodeBadUserInput})
			return out
		}
	}
	return out
}

func (b *builder) fail(e *Error) {
	if b.argErr == nil {
		b.argErr = e
	}
}

// introspectionArguments indexes the arguments of an introspection field
// (__type(name:), fields(includeDeprecated:), …) from their definition.
func (s *schema) introspectionArguments(defs ast.ArgumentDefinitionList) map[string]*argument {
	out := make(map[string]*argument, len(defs))
	for _, d := range defs {
		a := &argument{spec: &spec.InputValue{Name: d.Name}, typ: typeFromAST(d.Type)}
		if d.DefaultValue != nil {
			if v, ok, err := s.coerceLiteral(d.DefaultValue, a.typ, nil, d.Name); err == nil && ok {
				a.defaultValue, a.hasDefault = v, true
			}
		}
		out[d.Name] = a
	}
	return out
}

// coerceLiteral coerces a literal of the document, where variables have
// already been coerced. present is false for a variable that was not
// provided and has no default (the argument is then absent).
func (s *schema) coerceLiteral(v *ast.Value, t *spec.TypeRef, vars map[string]any, path string) (value any, present bool, err error) {
	switch v.Kind {
	case ast.Variable:
		value, present = vars[v.Raw]
		if present && value == nil && t.NonNull {
			return nil, false, inputErrorf(path, "expected %s, found null", t)
		}
		return value, present, nil
	case ast.NullValue:
		if t.NonNull {
			return nil, false, inputErrorf(path, "expected %s, found null", t)
		}
		return nil, true, nil
	}
	if t.Elem != nil {
		if v.Kind != ast.ListValue { // a single value is a list of one
			item, present, err := s.coerceLiteral(v, t.Elem, vars, path)
			if err != nil || !present {
				return nil, present, err
			}
			return []any{item}, true, nil
		}
		out := make([]any, len(v.Children))
		for i, item := range v.Children {
			var itemPresent bool
			if out[i], itemPresent, err = s.coerceLiteral(item.Value, t.Elem, vars, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return nil, false, err
			}
			if !itemPresent && t.Elem.NonNull { // an unset variable in a list is null
				return nil, false, inputErrorf(fmt.Sprintf("%s[%d]", path, i), "expected %s, found null", t.Elem)
			}
		}
		return out, true, nil
	}
	if t.Name == "JSON" {
		raw, ok := jsonFromLiteral(v)
		if !ok {
			return nil, false, inputErrorf(path, "expected JSON")
		}
		text, err := json.Marshal(raw)
		return string(text), err == nil, err
	}
	if sc, ok := scalars[t.Name]; ok {
		out, ok := sc.fromLiteral(literalKindOf(v.Kind), v.Raw)
		if !ok {
			return nil, false, inputErrorf(path, "expected %s", t.Name)
		}
		return out, true, nil
	}
	if e := s.enums[t.Name]; e != nil {
		sqlValue, ok := e.toSQL[v.Raw]
		if v.Kind != ast.EnumValue || !ok {
			return nil, false, inputErrorf(path, "expected a value of enum %s", t.Name)
		}
		return sqlValue, true, nil
	}
	if in := s.inputs[t.Name]; in != nil {
		if v.Kind != ast.ObjectValue {
			return nil, false, inputErrorf(path, "expected input object %s", t.Name)
		}
		given := make([]string, len(v.Children))
		for i, f := range v.Children {
			given[i] = f.Name
		}
		out, err := s.coerceFields(in, path, given, func(name string, typ *spec.TypeRef, path string) (any, bool, error) {
			f := v.Children.ForName(name)
			if f == nil {
				return nil, false, nil
			}
			return s.coerceLiteral(f, typ, vars, path)
		})
		return out, err == nil, err
	}
	return nil, false, inputErrorf(path, "unknown input type %s", t.Name)
}

// literalKindOf is the kind of a literal as the scalars read it.
func literalKindOf(k ast.ValueKind) literalKind {
	switch k {
	case ast.IntValue:
		return literalInt
	case ast.FloatValue:
		return literalFloat
	case ast.StringValue, ast.BlockValue:
		return literalString
	case ast.BooleanValue:
		return literalBoolean
	}
	return literalOther
}

// jsonFromLiteral converts a constant literal of the JSON scalar into a
// value json.Marshal writes. A variable inside it is refused: its value
// was coerced to its own type, and its JSON form is not known here.
func jsonFromLiteral(v *ast.Value) (any, bool) {
	switch v.Kind {
	case ast.NullValue:
		return nil, true
	case ast.IntValue, ast.FloatValue:
		return json.Number(v.Raw), true
	case ast.StringValue, ast.BlockValue, ast.EnumValue:
		return v.Raw, true
	case ast.BooleanValue:
		return v.Raw == "true", true
	case ast.ListValue:
		out := make([]any, 0, len(v.Children))
		for _, item := range v.Children {
			value, ok := jsonFromLiteral(item.Value)
			if !ok {
				return nil, false
			}
			out = append(out, value)
		}
		return out, true
	case ast.ObjectValue:
		out := make(map[string]any, len(v.Children))
		for _, field := range v.Children {
			value, ok := jsonFromLiteral(field.Value)
			if !ok {
				return nil, false
			}
			out[field.Name] = value
		}
		return out, true
	}
	return nil, false
}

// typeFromAST converts a declared type.
func typeFromAST(t *ast.Type) *spec.TypeRef {
	if t.Elem != nil {
		return &spec.TypeRef{Elem: typeFromAST(t.Elem), NonNull: t.NonNull}
	}
	return &spec.TypeRef{Name: t.NamedType, NonNull: t.NonNull}
}

// coerceVariables implements CoerceVariableValues: the result holds every
// variable that was provided or has a default.
func (s *schema) coerceVariables(defs ast.VariableDefinitionList, input map[string]any) (map[string]any, []*Error) {
	out := make(map[string]any, len(defs))
	var errs []*Error
	for _, def := range defs {
		typ := typeFromAST(def.Type)
		raw, given := input[def.Variable]
		var err error
		switch {
		case given:
			out[def.Variable], err = s.coerceInput(raw, typ)
		case def.DefaultValue != nil:
			var present bool
			var value any
			value, present, err = s.coerceLiteral(def.DefaultValue, typ, nil, "")
			if present {
				out[def.Variable] = value
			}
		case typ.NonNull:
			err = fmt.Errorf("required variable of type %s was not provided", typ)
		}
		if err != nil {
			e := &Error{Message: fmt.Sprintf("Variable \"$%s\" got an invalid value: %v", def.Variable, err), Code: CodeBadUserInput}
			if l := locationOf(def.Position); l.Line > 0 {
				e.Locations = []Location{l}
			}
			errs = append(errs, e)
		}
	}
	return out, errs
}

func locationOf(p *ast.Position) Location {
	if p == nil {
		return Location{}
	}
	return Location{Line: p.Line, Column: p.Column}
}
