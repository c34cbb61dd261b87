package document

import (
	"encoding/json"
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/schema"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
	"github.com/gqlplan/gqlplan/spec"
)

// This file is where a validated document becomes an
// [operation.Operation]: the operation chosen, its variables coerced, its
// fields collected and merged (CollectFields, @skip, @include) and every
// argument coerced to its type.

// selectOperation picks the operation to run (GraphQL "GetOperation").
func selectOperation(doc *ast.QueryDocument, name string) (*ast.OperationDefinition, *wire.Error) {
	var op *ast.OperationDefinition
	switch {
	case name == "" && len(doc.Operations) > 1:
		return nil, &wire.Error{Message: "The document has several operations; operationName must name one.", Code: wire.CodeBadRequest}
	case name == "" && len(doc.Operations) == 1:
		op = doc.Operations[0]
	case name != "":
		if op = doc.Operations.ForName(name); op == nil {
			return nil, &wire.Error{Message: fmt.Sprintf("The document has no operation named %q.", name), Code: wire.CodeBadRequest}
		}
	case len(doc.Fragments) == 0:
		// Nothing but comments and white space: the grammar needs a
		// definition (graphql-js: a syntax error at the end).
		return nil, &wire.Error{Message: "Syntax Error: Unexpected <EOF>.", Code: wire.CodeParseFailed}
	default:
		return nil, &wire.Error{Message: "The document has no operation.", Code: wire.CodeBadRequest}
	}
	return op, nil
}

// build collects the fields of r's operation. On failure the operation is
// returned too, without fields: its kind still decides how a request
// error is answered.
func build(index *schema.Schema, r *Request, limits Limits) (*operation.Operation, []*wire.Error) {
	out := r.operation()
	root := "Query"
	if r.Kind == operation.Mutation {
		root = "Mutation"
	}
	b := &builder{index: index, doc: r.ast, vars: r.Vars, uses: operation.NewUses()}
	fields, err := b.collect(root, []ast.SelectionSet{r.op.SelectionSet}, true)
	if err != nil {
		return out, []*wire.Error{err}
	}
	if len(fields) > limits.MaxRootFields {
		return out, []*wire.Error{{Message: fmt.Sprintf("The operation selects more than %d root fields.", limits.MaxRootFields), Code: wire.CodeTooManyRootFields}}
	}
	cost, e := checkCost(index, root, fields, limits)
	if e != nil {
		return out, []*wire.Error{e}
	}
	out.Fields, out.Uses, out.Cost = fields, b.uses, cost
	return out, nil
}

// builder collects the selections of one operation.
type builder struct {
	index *schema.Schema
	doc   *ast.QueryDocument
	vars  map[string]any
	// argErr is the first argument that did not coerce under the root
	// field being collected.
	argErr *wire.Error
	// invalid is a literal argument that does not coerce: the document
	// is invalid whatever the variables (graphql-js's
	// ValuesOfCorrectTypeRule), a request error.
	invalid *wire.Error
	uses    *operation.Uses
}

// collect implements CollectFields over the selection sets of merged
// fields of object type parent, then builds each response key's
// selection. A fragment applies when its type condition is parent or an
// interface parent implements (validation refuses the others).
func (b *builder) collect(parent string, sets []ast.SelectionSet, root bool) ([]*operation.Field, *wire.Error) {
	var keys []string
	groups := map[string][]*ast.Field{}
	visited := map[string]bool{}
	var walk func(set ast.SelectionSet) *wire.Error
	walk = func(set ast.SelectionSet) *wire.Error {
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
				if !b.index.Applies(sel.TypeCondition, parent) {
					continue
				}
				if err := walk(sel.SelectionSet); err != nil {
					return err
				}
			case *ast.FragmentSpread:
				f := b.doc.Fragments.ForName(sel.Name)
				if visited[sel.Name] || f == nil || !b.index.Applies(f.TypeCondition, parent) {
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
	out := make([]*operation.Field, len(keys))
	for i, key := range keys {
		fields := groups[key]
		first := fields[0]
		sel := &operation.Field{Key: key, Name: first.Name, Loc: locationOf(first.Position)}
		if root {
			b.argErr = nil
		}
		sel.Args = b.arguments(parent, first)
		if b.invalid != nil {
			return nil, b.invalid
		}
		if first.Definition != nil && len(first.SelectionSet) > 0 {
			sets := make([]ast.SelectionSet, len(fields))
			for j, f := range fields {
				sets[j] = f.SelectionSet
			}
			named := first.Definition.Type.Name()
			if !b.index.IsAbstract(named) {
				var err *wire.Error
				if sel.Children, err = b.collect(named, sets, false); err != nil {
					return nil, err
				}
			} else {
				sel.ByType = map[string][]*operation.Field{}
				for _, typ := range b.index.PossibleTypes(named) {
					children, err := b.collect(typ, sets, false)
					if err != nil {
						return nil, err
					}
					sel.ByType[typ] = children
				}
			}
		}
		if root {
			sel.Err = b.argErr
		}
		out[i] = sel
	}
	return out, nil
}

// included evaluates @skip(if:) and @include(if:).
func (b *builder) included(directives ast.DirectiveList) (bool, *wire.Error) {
	for _, d := range directives {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		arg := d.Arguments.ForName("if")
		if arg == nil {
			continue
		}
		b.decideVariablesIn(arg.Value) // it decides what is selected
		v, _, err := coerceLiteral(b.index, arg.Value, booleanNonNull, b.vars, "@"+d.Name+"(if:)")
		if err != nil {
			return false, &wire.Error{Message: err.Error(), Code: wire.CodeBadUserInput}
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
func (b *builder) arguments(parent string, f *ast.Field) operation.Args {
	args := b.index.ArgumentsOf(parent, f.Name)
	if args == nil && f.Definition != nil && len(f.Definition.Arguments) > 0 {
		args = introspectionArguments(b.index, f.Definition.Arguments)
	}
	if len(args) == 0 {
		return operation.Args{}
	}
	out := make(map[string]any, len(args))
	var vars map[string]string
	for name, arg := range args {
		present := false
		var value any
		if a := f.Arguments.ForName(name); a != nil {
			var err error
			if value, present, err = coerceLiteral(b.index, a.Value, arg.Type, b.vars, name); err != nil {
				e := &wire.Error{Message: fmt.Sprintf("Argument %q has an invalid value: %v", name, err), Code: wire.CodeBadUserInput}
				if !hasVariable(a.Value) && b.invalid == nil {
					e.Code, e.Locations = wire.CodeValidationFailed, []wire.Location{locationOf(a.Value.Position)}
					b.invalid = e
				}
				b.fail(e)
				return operation.NewArgs(out, vars, b.uses)
			}
			if a.Value.Kind == ast.Variable {
				if vars == nil {
					vars = map[string]string{}
				}
				vars[name] = a.Value.Raw
			} else {
				b.decideVariablesIn(a.Value) // read as part of a literal: not rebindable alone
			}
		}
		switch {
		case present:
			out[name] = value
		case arg.HasDefault:
			out[name] = arg.Default
		case arg.Type.NonNull:
			b.fail(&wire.Error{Message: fmt.Sprintf("Argument %q of type %s is required.", name, arg.Type), Code: wire.CodeBadUserInput})
			return operation.NewArgs(out, vars, b.uses)
		}
	}
	return operation.NewArgs(out, vars, b.uses)
}

// hasVariable reports whether v is or holds a variable.
func hasVariable(v *ast.Value) bool {
	if v.Kind == ast.Variable {
		return true
	}
	for _, c := range v.Children {
		if hasVariable(c.Value) {
			return true
		}
	}
	return false
}

// decideVariablesIn records the variables inside a literal as deciding.
func (b *builder) decideVariablesIn(v *ast.Value) {
	if v.Kind == ast.Variable {
		b.uses.Decide(v.Raw)
	}
	for _, c := range v.Children {
		b.decideVariablesIn(c.Value)
	}
}

func (b *builder) fail(e *wire.Error) {
	if b.argErr == nil {
		b.argErr = e
	}
}

// introspectionArguments indexes the arguments of an introspection field
// (__type(name:), fields(includeDeprecated:), …) from their definition.
func introspectionArguments(s *schema.Schema, defs ast.ArgumentDefinitionList) map[string]*schema.Argument {
	out := make(map[string]*schema.Argument, len(defs))
	for _, d := range defs {
		a := &schema.Argument{Spec: &spec.InputValue{Name: d.Name}, Type: typeFromAST(d.Type)}
		if d.DefaultValue != nil {
			if v, ok, err := coerceLiteral(s, d.DefaultValue, a.Type, nil, d.Name); err == nil && ok {
				a.Default, a.HasDefault = v, true
			}
		}
		out[d.Name] = a
	}
	return out
}

// coerceLiteral coerces a literal of the document, where variables have
// already been coerced. present is false for a variable that was not
// provided and has no default (the argument is then absent).
func coerceLiteral(s *schema.Schema, v *ast.Value, t *spec.TypeRef, vars map[string]any, path string) (value any, present bool, err error) {
	switch v.Kind {
	case ast.Variable:
		value, present = vars[v.Raw]
		if present && value == nil && t.NonNull {
			return nil, false, schema.InputErrorf(path, "expected %s, found null", t)
		}
		return value, present, nil
	case ast.NullValue:
		if t.NonNull {
			return nil, false, schema.InputErrorf(path, "expected %s, found null", t)
		}
		return nil, true, nil
	}
	if t.Elem != nil {
		if v.Kind != ast.ListValue { // a single value is a list of one
			item, present, err := coerceLiteral(s, v, t.Elem, vars, path)
			if err != nil || !present {
				return nil, present, err
			}
			return []any{item}, true, nil
		}
		out := make([]any, len(v.Children))
		for i, item := range v.Children {
			var itemPresent bool
			if out[i], itemPresent, err = coerceLiteral(s, item.Value, t.Elem, vars, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return nil, false, err
			}
			if !itemPresent && t.Elem.NonNull { // an unset variable in a list is null
				return nil, false, schema.InputErrorf(fmt.Sprintf("%s[%d]", path, i), "expected %s, found null", t.Elem)
			}
		}
		return out, true, nil
	}
	if t.Name == "JSON" {
		raw, ok := jsonFromLiteral(v)
		if !ok {
			return nil, false, schema.InputErrorf(path, "expected JSON")
		}
		text, err := json.Marshal(raw)
		return string(text), err == nil, err
	}
	if schema.IsScalar(t.Name) {
		out, ok := schema.ReadLiteral(t.Name, literalKindOf(v.Kind), v.Raw)
		if !ok {
			return nil, false, schema.InputErrorf(path, "expected %s", t.Name)
		}
		return out, true, nil
	}
	if e := s.Enums[t.Name]; e != nil {
		sqlValue, ok := e.ToSQL[v.Raw]
		if v.Kind != ast.EnumValue || !ok {
			return nil, false, schema.InputErrorf(path, "expected a value of enum %s", t.Name)
		}
		return sqlValue, true, nil
	}
	if in := s.Inputs[t.Name]; in != nil {
		if v.Kind != ast.ObjectValue {
			return nil, false, schema.InputErrorf(path, "expected input object %s", t.Name)
		}
		given := make([]string, len(v.Children))
		for i, f := range v.Children {
			given[i] = f.Name
		}
		out, err := s.CoerceFields(in, path, given, func(name string, typ *spec.TypeRef, path string) (any, bool, error) {
			f := v.Children.ForName(name)
			if f == nil {
				return nil, false, nil
			}
			return coerceLiteral(s, f, typ, vars, path)
		})
		return out, err == nil, err
	}
	return nil, false, schema.InputErrorf(path, "unknown input type %s", t.Name)
}

// literalKindOf is the kind of a literal as the scalars read it.
func literalKindOf(k ast.ValueKind) schema.LiteralKind {
	switch k {
	case ast.IntValue:
		return schema.LiteralInt
	case ast.FloatValue:
		return schema.LiteralFloat
	case ast.StringValue, ast.BlockValue:
		return schema.LiteralString
	case ast.BooleanValue:
		return schema.LiteralBoolean
	}
	return schema.LiteralOther
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
func coerceVariables(s *schema.Schema, defs ast.VariableDefinitionList, input map[string]any) (map[string]any, []*wire.Error) {
	out := make(map[string]any, len(defs))
	var errs []*wire.Error
	for _, def := range defs {
		typ := typeFromAST(def.Type)
		raw, given := input[def.Variable]
		var err error
		switch {
		case given:
			out[def.Variable], err = s.CoerceInput(raw, typ)
		case def.DefaultValue != nil:
			var present bool
			var value any
			value, present, err = coerceLiteral(s, def.DefaultValue, typ, nil, "")
			if present {
				out[def.Variable] = value
			}
		case typ.NonNull:
			err = fmt.Errorf("required variable of type %s was not provided", typ)
		}
		if err != nil {
			e := &wire.Error{Message: fmt.Sprintf("Variable \"$%s\" got an invalid value: %v", def.Variable, err), Code: wire.CodeBadUserInput}
			if l := locationOf(def.Position); l.Line > 0 {
				e.Locations = []wire.Location{l}
			}
			errs = append(errs, e)
		}
	}
	return out, errs
}

func locationOf(p *ast.Position) wire.Location {
	if p == nil {
		return wire.Location{}
	}
	return wire.Location{Line: p.Line, Column: p.Column}
}
