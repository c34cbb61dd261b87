package gotag

import (
	"fmt"
	"go/ast"
	"slices"
	"strconv"
	"strings"

	"github.com/gqlplan/gqlplan/decl"
)

// operations reads the root fields declared by one field line of the
// Query or Mutation struct.
func (l *loader) operations(kind decl.OperationKind, f *ast.Field) []*decl.Operation {
	description, _ := l.description(f.Doc, f.Comment)
	var out []*decl.Operation
	for _, id := range f.Names {
		if !id.IsExported() {
			continue
		}
		t := l.parseTag(f.Tag)
		op := &decl.Operation{Kind: kind, Name: decl.Text{Value: lowerCamel(id.Name), Range: l.rangeOf(id.Pos(), id.End())}, Description: description}
		g := t.get("gql")
		var opts []item
		if g != nil {
			opts = g.items()
			if opts[0].text == "-" {
				continue
			}
			if opts[0].text != "" {
				op.Name = g.textOf(opts[0], 0, opts[0].text)
			}
		}
		owner := fmt.Sprintf("%s %q", kind, op.Name.Value)
		t.checkKeys(operationTagKeys, owner)
		for _, o := range opts[min(1, len(opts)):] {
			if key, _, value := l.option(g, o, gqlOpOptions, owner); key == "deprecated" {
				op.Deprecated = &value
			}
		}
		for key, dst := range map[string]**decl.Text{"sql_source": &op.SQLSource, "source_kind": &op.SourceKind, "shape": &op.Shape, "data_column": &op.DataColumn, "type_column": &op.TypeColumn, "resolver": &op.Resolver, "rls_bypass": &op.RLSBypass} {
			if v := t.get(key); v != nil {
				text := v.text()
				*dst = &text
			}
		}
		resultType := f.Type
		overrides := l.argOverrides(t, owner)
		if fn, ok := f.Type.(*ast.FuncType); ok {
			resultType = l.result(fn, owner)
			op.Args = l.args(fn, overrides, owner)
		}
		if r := t.get("returns"); r != nil {
			text := r.text()
			op.Returns = &text
		} else if resultType == nil {
			continue // reported: an operation without a result is left out
		} else if text, ok := l.graphQLType(resultType, "the result of "+owner, "returns:\"…\""); ok {
			op.Returns = &text
		} else {
			continue
		}
		l.filters(t, op, owner)
		l.params(t, op, owner)
		for key, dst := range map[string]*[]decl.Text{"roles": &op.Roles, "tables": &op.Tables} {
			if v := t.get(key); v != nil {
				for _, it := range v.items() {
					*dst = append(*dst, v.textOf(it, 0, it.text))
				}
			}
		}
		l.injects(t, op, owner)
		op.Token = l.flag(t, "token", owner)
		op.List = l.list(t, owner)
		op.Stream = l.stream(t, owner)
		out = append(out, op)
	}
	return out
}

// result is the type of a func-typed operation's single result.
func (l *loader) result(fn *ast.FuncType, owner string) ast.Expr {
	if fn.Results == nil || len(fn.Results.List) != 1 || len(fn.Results.List[0].Names) > 1 {
		l.errorf(l.rangeOf(fn.Pos(), fn.End()), "unsupported-go-type", "%s: a func-typed operation returns exactly one value, its GraphQL result (no error: failures are GraphQL errors)", owner)
		return nil
	}
	return fn.Results.List[0].Type
}

// args reads the parameters of a func-typed operation.
func (l *loader) args(fn *ast.FuncType, overrides map[string]decl.Text, owner string) []*decl.Arg {
	var out []*decl.Arg
	for _, p := range fn.Params.List {
		if len(p.Names) == 0 {
			l.errorf(l.rangeOf(p.Pos(), p.End()), "missing-type", "%s: every parameter needs a name, which is the argument's name", owner)
			continue
		}
		for _, id := range p.Names {
			a := &decl.Arg{Name: l.ident(id)}
			if t, ok := overrides[id.Name]; ok {
				a.Type = t
			} else if t, ok := l.graphQLType(p.Type, fmt.Sprintf("argument %q of %s", id.Name, owner), "args:\""+id.Name+"=…\""); ok {
				a.Type = t
			} else {
				continue // reported; the argument is left out
			}
			out = append(out, a)
		}
	}
	return out
}

// argOverrides reads args:"name=Type,…", the GraphQL types of parameters
// whose Go type does not say it.
func (l *loader) argOverrides(t *tag, owner string) map[string]decl.Text {
	out := map[string]decl.Text{}
	v := t.get("args")
	if v == nil {
		return out
	}
	for _, pair := range l.assignments(v, "args takes name=Type pairs", owner) {
		out[pair[0].Value] = pair[1]
	}
	return out
}

// params reads params:"arg=sql_param,…" (the function parameter each
// argument is passed as, when it is not the argument's name in
// snake_case) and nodes:"arg=Type,…" (the arguments that are global ids
// of a node type).
func (l *loader) params(t *tag, op *decl.Operation, owner string) {
	names := make([]string, len(op.Args))
	for i, a := range op.Args {
		names[i] = a.Name.Value
	}
	for _, key := range []string{"params", "nodes"} {
		v := t.get(key)
		if v == nil {
			continue
		}
		what := map[string]string{"params": "params takes arg=sql_param pairs", "nodes": "nodes takes arg=NodeType pairs"}[key]
		for _, pair := range l.assignments(v, what, owner) {
			i := slices.Index(names, pair[0].Value)
			if i < 0 {
				l.errorf(pair[0].Range, "unknown-key", "%s: %s names %q, which is not a parameter%s", owner, key, pair[0].Value, decl.DidYouMean(pair[0].Value, names))
				continue
			}
			value := pair[1]
			if key == "params" {
				op.Args[i].Param = &value
			} else {
				op.Args[i].Node = &value
			}
		}
	}
}

// filters reads filter:"arg[=column[ op]],…" onto the operation's args.
func (l *loader) filters(t *tag, op *decl.Operation, owner string) {
	v := t.get("filter")
	if v == nil {
		return
	}
	for _, it := range v.items() {
		argName, rest, hasColumn := strings.Cut(it.text, "=")
		argName = strings.TrimSpace(argName)
		var arg *decl.Arg
		for _, a := range op.Args {
			if a.Name.Value == argName {
				arg = a
			}
		}
		names := make([]string, len(op.Args))
		for i, a := range op.Args {
			names[i] = a.Name.Value
		}
		if arg == nil {
			l.errorf(v.textOf(it, 0, it.text).Range, "unknown-key", "%s: filter names %q, which is not a parameter%s", owner, argName, decl.DidYouMean(argName, names))
			continue
		}
		f := &decl.Filter{Column: v.textOf(it, 0, argName), Range: v.textOf(it, 0, it.text).Range}
		if hasColumn {
			off := strings.Index(it.text, "=") + 1
			fields := strings.Fields(rest)
			if len(fields) == 0 || len(fields) > 2 {
				l.errorf(f.Range, "tag-syntax", "%s: filter takes arg, arg=column or arg=column op, not %q", owner, it.text)
				continue
			}
			f.Column = v.textOf(it, off+strings.Index(rest, fields[0]), fields[0])
			if len(fields) == 2 {
				opText := v.textOf(it, off+strings.LastIndex(rest, fields[1]), fields[1])
				f.Op = &opText
			}
		}
		arg.Filter = f
	}
}

// injects reads inject:"key=jwt:claim,…".
func (l *loader) injects(t *tag, op *decl.Operation, owner string) {
	v := t.get("inject")
	if v == nil {
		return
	}
	seen := map[string]decl.Text{}
	for _, it := range v.items() {
		key, source, ok := strings.Cut(it.text, "=")
		if !ok {
			l.errorf(v.textOf(it, 0, it.text).Range, "tag-syntax", "%s: inject takes key=jwt:claim pairs, not %q", owner, it.text)
			continue
		}
		keyText := v.textOf(it, 0, key)
		if prev, dup := seen[key]; dup {
			l.errorf(keyText.Range, "duplicate-key", "%s: inject key %q appears twice (first at %s)", owner, key, prev.Range)
			continue
		}
		seen[key] = keyText
		op.Inject = append(op.Inject, &decl.Inject{Key: keyText, Source: v.textOf(it, len(key)+1, source)})
	}
}

// list reads the tags a list operation and a list relation share:
// order_by, limit, connection, filterable, sortable.
func (l *loader) list(t *tag, owner string) decl.List {
	var out decl.List
	if v := t.get("order_by"); v != nil {
		for _, it := range v.items() {
			out.OrderBy = append(out.OrderBy, v.textOf(it, 0, it.text))
		}
	}
	out.Limit = l.limit(t, owner)
	out.Connection = l.flag(t, "connection", owner)
	out.Filterable = l.flag(t, "filterable", owner)
	out.Sortable = l.flag(t, "sortable", owner)
	return out
}

// flag reads key:"true" or key:"false".
func (l *loader) flag(t *tag, key, owner string) *decl.Bool {
	v := t.get(key)
	if v == nil {
		return nil
	}
	text := v.text()
	if text.Value != "true" && text.Value != "false" {
		l.errorf(text.Range, "invalid-value", "%s: %s must be \"true\" or \"false\", not %q", owner, key, text.Value)
		return nil
	}
	return &decl.Bool{Value: text.Value == "true", Range: text.Range}
}

// rowField reads what a field of an object type reads besides a column:
// relation:"source" with join:"parent=child,…" and the list tags,
// function:"name", resolver:"name" with requires:"column,…", or
// sql_source:"source" (look-ahead); and, on a column, filterable and
// sortable; limit on a function's or a resolver's rows.
func (l *loader) rowField(t *tag, f *decl.Field, owner string) {
	for key, dst := range map[string]**decl.Text{"function": &f.Function, "resolver": &f.Resolver, "sql_source": &f.SQLSource, "rls_bypass": &f.RLSBypass} {
		if v := t.get(key); v != nil {
			text := v.text()
			*dst = &text
		}
	}
	if v := t.get("requires"); v != nil {
		for _, it := range v.items() {
			f.Requires = append(f.Requires, v.textOf(it, 0, strings.TrimSpace(it.text)))
		}
	}
	r := t.get("relation")
	if r == nil {
		f.Filterable = l.flag(t, "filterable", owner)
		f.Sortable = l.flag(t, "sortable", owner)
		paged := f.Function != nil || f.Resolver != nil // a set-returning function's rows, or a resolver's
		if paged {
			f.Limit = l.limit(t, owner)
		}
		for _, key := range []string{"join", "connection", "order_by", "limit"} {
			if key == "limit" && paged {
				continue
			}
			if v := t.get(key); v != nil {
				l.errorf(v.key.Range, "invalid-field-option", "%s: %s applies to a relation field (relation:\"<table or view>\")", owner, key)
			}
		}
		return
	}
	source := r.text()
	rel := &decl.Relation{SQLSource: &source, Range: r.key.Range, List: l.list(t, owner)}
	if j := t.get("join"); j != nil {
		for _, pair := range l.assignments(j, "join takes parent_column=source_column pairs", owner) {
			rel.Columns = append(rel.Columns, &decl.JoinColumns{Parent: pair[0], Child: pair[1]})
		}
	}
	f.Relation = rel
}

// assignments reads a tag value of comma-separated left=right pairs,
// each side trimmed and positioned; syntax says what a malformed item
// should have been.
func (l *loader) assignments(v *tagValue, syntax, owner string) [][2]decl.Text {
	var out [][2]decl.Text
	for _, it := range v.items() {
		left, right, ok := strings.Cut(it.text, "=")
		left, right = strings.TrimSpace(left), strings.TrimSpace(right)
		if !ok || left == "" || right == "" {
			l.errorf(v.textOf(it, 0, it.text).Range, "tag-syntax", "%s: %s, not %q", owner, syntax, it.text)
			continue
		}
		off := strings.Index(it.text, "=") + 1
		out = append(out, [2]decl.Text{v.textOf(it, 0, left), v.textOf(it, off+strings.Index(it.text[off:], right), right)})
	}
	return out
}

// stream reads stream:"cursor=column,batch_size=N".
func (l *loader) stream(t *tag, owner string) *decl.Stream {
	v := t.get("stream")
	if v == nil {
		return nil
	}
	st := &decl.Stream{Range: v.text().Range}
	for _, it := range v.items() {
		key, val, _ := l.option(v, it, streamOptions, owner)
		switch key {
		case "cursor":
			st.Cursor = &val
		case "batch_size":
			n, err := strconv.ParseInt(val.Value, 10, 64)
			if err != nil {
				l.errorf(val.Range, "invalid-value", "%s: stream batch_size must be an integer, not %q", owner, val.Value)
				continue
			}
			st.BatchSize = &decl.Int{Value: n, Range: val.Range}
		}
	}
	return st
}

// limit reads limit:"default=N,max=M".
func (l *loader) limit(t *tag, owner string) *decl.Limit {
	v := t.get("limit")
	if v == nil {
		return nil
	}
	lim := &decl.Limit{Range: v.text().Range}
	for _, it := range v.items() {
		key, val, _ := l.option(v, it, limitOptions, owner)
		if key == "" {
			continue
		}
		n, err := strconv.ParseInt(val.Value, 10, 64)
		if err != nil {
			l.errorf(val.Range, "invalid-value", "%s: limit %s must be an integer, not %q", owner, key, val.Value)
			continue
		}
		i := &decl.Int{Value: n, Range: val.Range}
		if key == "default" {
			lim.Default = i
		} else {
			lim.Max = i
		}
	}
	return lim
}
