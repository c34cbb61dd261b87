package gotag

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/gqlplan/gqlplan/decl"
)

// Struct tag keys gqlplan reads, by where they stand. They are the YAML
// format's keys, so the two forms read alike.
var (
	fieldTagKeys     = []string{"gql", "column", "relation", "join", "function", "args", "filterable", "sortable", "connection", "order_by", "limit", "resolver", "requires", "sql_source", "rls_bypass"}
	inputTagKeys     = []string{"gql", "column", "node"}
	operationTagKeys = []string{"gql", "returns", "args", "params", "nodes", "type_column", "roles", "sql_source", "source_kind", "shape", "data_column", "inject", "token", "filter", "order_by", "limit", "connection", "filterable", "sortable", "resolver", "rls_bypass", "stream", "tables"}
	gqlFieldOptions  = []string{"type", "deprecated"}
	gqlOpOptions     = []string{"deprecated"}
	limitOptions     = []string{"default", "max"}
	streamOptions    = []string{"cursor", "batch_size"}
	directives       = []string{"schema", "roles", "type", "input", "enum", "interface", "union", "deprecated"}
)

// Root struct names: their fields are operations.
const (
	queryRoot        = "Query"
	mutationRoot     = "Mutation"
	subscriptionRoot = "Subscription"
)

// Load reads one Go source file. It parses the file (go/parser) and never
// type-checks, builds or runs it. declares is false, with no diagnostics,
// for a Go file that holds no declarations (any other file of a package).
func Load(name string, src []byte) (file *decl.File, diags decl.Diagnostics, declares bool) {
	l := &loader{name: name, fset: token.NewFileSet()}
	defer func() {
		// go/parser does not panic on bad input; this is a last line of
		// defence so that a file can never crash a CI job or an editor.
		if r := recover(); r != nil {
			file, declares = nil, true
			diags = append(l.diags, decl.Diagnostic{Severity: decl.Error, Code: "go-syntax",
				Message: fmt.Sprintf("cannot read Go source: %v", r), Range: l.fileStart()})
		}
	}()
	file, declares = l.parse(src)
	return file, l.diags, declares
}

func (l *loader) parse(src []byte) (*decl.File, bool) {
	f, err := parser.ParseFile(l.fset, l.name, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		l.syntaxError(err)
		return nil, true
	}
	file := l.load(f)
	return file, !file.Empty() || len(l.diags) > 0 || file.Schema != nil
}

type loader struct {
	name  string
	fset  *token.FileSet
	diags decl.Diagnostics
	enums map[string]*decl.Enum // by Go type name, to collect constants
}

func (l *loader) errorf(r decl.Range, code, format string, args ...any) {
	l.diags.Errorf(r, code, format, args...)
}

func (l *loader) pos(p token.Pos) decl.Pos {
	position := l.fset.Position(p)
	return decl.Pos{Line: position.Line, Column: position.Column}
}

func (l *loader) rangeOf(start, end token.Pos) decl.Range {
	return decl.Range{Filename: l.name, Start: l.pos(start), End: l.pos(end)}
}

func (l *loader) fileStart() decl.Range {
	p := decl.Pos{Line: 1, Column: 1}
	return decl.Range{Filename: l.name, Start: p, End: p}
}

func (l *loader) syntaxError(err error) {
	r := l.fileStart()
	msg := err.Error()
	if list, ok := err.(interface{ Unwrap() []error }); ok && len(list.Unwrap()) > 0 {
		msg = list.Unwrap()[0].Error()
	}
	var line, col int
	if _, scanErr := fmt.Sscanf(strings.TrimPrefix(msg, l.name+":"), "%d:%d:", &line, &col); scanErr == nil {
		r.Start, r.End = decl.Pos{Line: line, Column: col}, decl.Pos{Line: line, Column: col}
		msg = msg[strings.Index(msg, fmt.Sprintf("%d:%d:", line, col))+len(fmt.Sprintf("%d:%d:", line, col)):]
	}
	l.errorf(r, "go-syntax", "not valid Go: %s", strings.TrimSpace(msg))
}

func (l *loader) load(f *ast.File) *decl.File {
	out := &decl.File{Name: l.name, Version: &decl.Int{Value: 1}}
	l.enums = map[string]*decl.Enum{}
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			d, ok := l.directive(c)
			switch {
			case ok && d.name == "schema":
				v := d.arg
				out.Schema = &v
			case ok && d.name == "roles": // //gqlplan:roles anon person
				out.Roles = append(out.Roles, splitWords(d.arg)...)
			}
		}
	}
	// Types first, so constants can find their enum whatever the order.
	for _, gd := range genDecls(f, token.TYPE) {
		for _, spec := range gd.Specs {
			ts := spec.(*ast.TypeSpec)
			doc := ts.Doc
			if doc == nil && len(gd.Specs) == 1 {
				doc = gd.Doc
			}
			l.typeSpec(out, ts, doc)
		}
	}
	for _, gd := range genDecls(f, token.CONST) {
		l.constants(gd)
	}
	return out
}

func genDecls(f *ast.File, tok token.Token) []*ast.GenDecl {
	var out []*ast.GenDecl
	for _, d := range f.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == tok {
			out = append(out, gd)
		}
	}
	return out
}

// directive is a //gqlplan:name arg comment.
type directive struct {
	name string
	arg  decl.Text
	at   decl.Range
}

// directive parses a //gqlplan: comment, reporting unknown ones.
func (l *loader) directive(c *ast.Comment) (directive, bool) {
	rest, ok := strings.CutPrefix(c.Text, "//gqlplan:")
	if !ok {
		return directive{}, false
	}
	name, arg, _ := strings.Cut(rest, " ")
	d := directive{name: name, at: l.rangeOf(c.Pos()+2, c.Pos()+token.Pos(len("//gqlplan:")+len(name)))}
	argStart := c.Pos() + token.Pos(len("//gqlplan:")+len(name)+1)
	d.arg = decl.Text{Value: strings.TrimSpace(arg), Range: l.rangeOf(argStart, c.End())}
	if !slices.Contains(directives, name) {
		l.errorf(d.at, "unknown-key", "unknown directive //gqlplan:%s; directives are %s%s", name, strings.Join(directives, ", "), decl.DidYouMean(name, directives))
		return directive{}, false
	}
	return d, true
}

// docOf returns a comment group's description (directives left out) and
// its directives.
func (l *loader) docOf(cg *ast.CommentGroup) (*decl.Text, []directive) {
	if cg == nil {
		return nil, nil
	}
	var ds []directive
	for _, c := range cg.List {
		if d, ok := l.directive(c); ok {
			ds = append(ds, d)
		}
	}
	text := strings.TrimSpace(cg.Text())
	if text == "" {
		return nil, ds
	}
	return &decl.Text{Value: text, Range: l.rangeOf(cg.Pos(), cg.End())}, ds
}

// description is a field's or constant's doc comment, or else its line
// comment, with the doc comment's directives.
func (l *loader) description(doc, line *ast.CommentGroup) (*decl.Text, []directive) {
	d, ds := l.docOf(doc)
	if d == nil {
		d, _ = l.docOf(line)
	}
	return d, ds
}

func find(ds []directive, name string) *directive {
	for i := range ds {
		if ds[i].name == name {
			return &ds[i]
		}
	}
	return nil
}

func (l *loader) ident(id *ast.Ident) decl.Text {
	return decl.Text{Value: id.Name, Range: l.rangeOf(id.Pos(), id.End())}
}

// typeSpec turns one type declaration into an object type, input, enum or
// root type, or nothing when it declares nothing for gqlplan.
func (l *loader) typeSpec(out *decl.File, ts *ast.TypeSpec, doc *ast.CommentGroup) {
	description, ds := l.docOf(doc)
	name := l.ident(ts.Name)
	st, isStruct := ts.Type.(*ast.StructType)
	switch {
	case isStruct && (ts.Name.Name == queryRoot || ts.Name.Name == mutationRoot || ts.Name.Name == subscriptionRoot):
		kind, into := decl.Query, &out.Queries
		switch ts.Name.Name {
		case mutationRoot:
			kind, into = decl.Mutation, &out.Mutations
		case subscriptionRoot:
			kind, into = decl.Subscription, &out.Subscriptions
		}
		for _, f := range st.Fields.List {
			*into = append(*into, l.operations(kind, f)...)
		}
	case find(ds, "enum") != nil:
		d := find(ds, "enum")
		if id, ok := ts.Type.(*ast.Ident); !ok || id.Name != "string" {
			l.errorf(d.at, "unsupported-go-type", "enum %s must be a named string type (type %s string)", ts.Name.Name, ts.Name.Name)
			return
		}
		e := &decl.Enum{Name: name, Description: description}
		if opt, ok := strings.CutPrefix(d.arg.Value, "sql_type="); ok {
			t := d.arg
			t.Value = opt
			e.SQLType = &t
		} else if d.arg.Value != "" {
			l.errorf(d.arg.Range, "unknown-key", "//gqlplan:enum takes sql_type=<type>, not %q", d.arg.Value)
		}
		l.enums[ts.Name.Name] = e
		out.Enums = append(out.Enums, e)
	case find(ds, "union") != nil:
		d := find(ds, "union")
		u := &decl.Union{Name: name, Description: description, TypesRange: d.arg.Range}
		for _, t := range strings.Fields(d.arg.Value) {
			u.Types = append(u.Types, decl.Text{Value: t, Range: d.arg.Range})
		}
		out.Unions = append(out.Unions, u)
	case isStruct && find(ds, "interface") != nil:
		in := &decl.Interface{Name: name, Description: description}
		for _, f := range st.Fields.List {
			in.Fields = append(in.Fields, l.fields(f, []string{"gql"}, "interface "+ts.Name.Name)...)
		}
		out.Interfaces = append(out.Interfaces, in)
	case isStruct && find(ds, "input") != nil:
		in := &decl.InputType{Name: name, Description: description}
		for _, f := range st.Fields.List {
			in.Fields = append(in.Fields, l.fields(f, inputTagKeys, "input "+ts.Name.Name)...)
		}
		out.Inputs = append(out.Inputs, in)
	case isStruct && (find(ds, "type") != nil || hasOurTags(st)):
		obj := &decl.ObjectType{Name: name, Description: description}
		if d := find(ds, "type"); d != nil && d.arg.Value != "" {
			l.typeOptions(obj, d)
		}
		for _, f := range st.Fields.List {
			obj.Fields = append(obj.Fields, l.fields(f, fieldTagKeys, "type "+ts.Name.Name)...)
		}
		out.Types = append(out.Types, obj)
	}
}

// hasOurTags reports whether any field carries a gql or column tag.
func hasOurTags(st *ast.StructType) bool {
	for _, f := range st.Fields.List {
		if f.Tag != nil && (strings.Contains(f.Tag.Value, "gql:") || strings.Contains(f.Tag.Value, "column:")) {
			return true
		}
	}
	return false
}

// typeOptions reads //gqlplan:type [key=column[,column…]] [node=source]:
// the type's key, and the source that makes it a node.
func (l *loader) typeOptions(obj *decl.ObjectType, d *directive) {
	for _, option := range strings.Fields(d.arg.Value) {
		switch name, value, _ := strings.Cut(option, "="); name {
		case "key":
			obj.KeyRange = d.arg.Range
			for _, c := range strings.Split(value, ",") {
				if c = strings.TrimSpace(c); c != "" {
					obj.Key = append(obj.Key, decl.Text{Value: c, Range: d.arg.Range})
				}
			}
		case "implements":
			for _, in := range strings.Split(value, ",") {
				if in = strings.TrimSpace(in); in != "" {
					obj.Implements = append(obj.Implements, decl.Text{Value: in, Range: d.arg.Range})
				}
			}
		case "node":
			if value == "" {
				l.errorf(d.arg.Range, "missing-sql-source", "//gqlplan:type node= needs the table or view the node's rows are fetched from by key")
				continue
			}
			obj.Node = &decl.Node{SQLSource: decl.Text{Value: value, Range: d.arg.Range}, Range: d.arg.Range}
		default:
			l.errorf(d.arg.Range, "unknown-key", "//gqlplan:type takes key=<column>[,<column>…], node=<table or view> and implements=<interface>[,…], not %q%s", option, decl.DidYouMean(name, []string{"key", "node", "implements"}))
		}
	}
}

// fields reads the GraphQL fields of one struct field line.
func (l *loader) fields(f *ast.Field, allowed []string, owner string) []*decl.Field {
	t := l.parseTag(f.Tag)
	t.checkKeys(allowed, owner)
	description, _ := l.description(f.Doc, f.Comment)
	var out []*decl.Field
	for _, id := range f.Names {
		if !id.IsExported() {
			continue
		}
		field := &decl.Field{Name: decl.Text{Value: lowerCamel(id.Name), Range: l.rangeOf(id.Pos(), id.End())}, Description: description}
		var typeOverride *decl.Text
		if g := t.get("gql"); g != nil {
			opts := g.items()
			if opts[0].text == "-" {
				continue
			}
			if opts[0].text != "" {
				field.Name = g.textOf(opts[0], 0, opts[0].text)
			}
			for _, o := range opts[1:] {
				key, val, value := l.option(g, o, gqlFieldOptions, owner)
				switch key {
				case "type":
					typeOverride = &val
				case "deprecated":
					field.Deprecated = &value
				}
			}
		}
		if c := t.get("column"); c != nil {
			v := c.text()
			field.Column = &v
		}
		if n := t.get("node"); n != nil {
			v := n.text()
			field.Node = &v
		}
		what := fmt.Sprintf("field %s of %s", id.Name, owner)
		resultType := f.Type
		if fn, ok := f.Type.(*ast.FuncType); ok { // a computed field with arguments
			resultType = l.result(fn, what)
			field.Args = l.args(fn, l.argOverrides(t, what), what)
		}
		l.rowField(t, field, what)
		if typeOverride != nil {
			field.Type = *typeOverride
		} else if resultType == nil {
			continue // reported
		} else if t, ok := l.graphQLType(resultType, what, "gql:\",type=…\""); ok {
			field.Type = t
		} else {
			continue // reported; the field is left out
		}
		out = append(out, field)
	}
	return out
}

// option reads one key=value option of a tag value; key is "" after a
// reported problem. value is the whole option (for deprecated=, whose
// reason may hold anything but a comma).
func (l *loader) option(v *tagValue, o item, allowed []string, owner string) (key string, val, whole decl.Text) {
	k, rest, ok := strings.Cut(o.text, "=")
	k = strings.TrimSpace(k)
	if !slices.Contains(allowed, k) {
		l.errorf(v.textOf(o, 0, o.text).Range, "unknown-key", "unknown option %q in %s tag on %s; options are %s%s", k, v.key.Value, owner, strings.Join(allowed, ", "), decl.DidYouMean(k, allowed))
		return "", decl.Text{}, decl.Text{}
	}
	if !ok {
		l.errorf(v.textOf(o, 0, o.text).Range, "tag-syntax", "option %q in %s tag on %s needs a value: %s=…", k, v.key.Value, owner, k)
		return "", decl.Text{}, decl.Text{}
	}
	off := strings.Index(o.text, "=") + 1
	val = v.textOf(o, off, rest)
	return k, val, val
}

// lowerCamel maps a Go name to the GraphQL default: CreatedAt → createdAt,
// ID → id, URLPath → urlPath.
func lowerCamel(s string) string {
	rs := []rune(s)
	i := 0
	for i < len(rs) && unicode.IsUpper(rs[i]) {
		i++
	}
	switch {
	case i == 0:
		return s
	case i == 1 || i == len(rs):
		i = min(i, len(rs))
	default:
		i-- // URLPath: the last upper-case letter starts the next word
	}
	for j := 0; j < i; j++ {
		rs[j] = unicode.ToLower(rs[j])
	}
	return string(rs)
}

// constants reads the values of enums declared in this file.
func (l *loader) constants(gd *ast.GenDecl) {
	var typeName string // a const block repeats the previous type when omitted (iota-style)
	for _, spec := range gd.Specs {
		vs := spec.(*ast.ValueSpec)
		if id, ok := vs.Type.(*ast.Ident); ok {
			typeName = id.Name
		} else if vs.Type != nil {
			typeName = ""
		}
		e := l.enums[typeName]
		if e == nil {
			continue
		}
		doc := vs.Doc
		if doc == nil && len(gd.Specs) == 1 {
			doc = gd.Doc
		}
		description, ds := l.description(doc, vs.Comment)
		for i, id := range vs.Names {
			if i >= len(vs.Values) {
				l.errorf(l.rangeOf(id.Pos(), id.End()), "invalid-value", "enum constant %s needs a string value (its SQL value)", id.Name)
				continue
			}
			lit, ok := vs.Values[i].(*ast.BasicLit)
			value, err := "", error(nil)
			if ok && lit.Kind == token.STRING {
				value, err = unquote(lit.Value)
			}
			if !ok || lit.Kind != token.STRING || err != nil {
				l.errorf(l.rangeOf(vs.Values[i].Pos(), vs.Values[i].End()), "invalid-value", "enum constant %s must be a string literal (its SQL value)", id.Name)
				continue
			}
			valueRange := l.rangeOf(lit.Pos(), lit.End())
			// The GraphQL name is the SQL value upper-cased, as the YAML
			// form's SQL value defaults to the name lower-cased.
			v := &decl.EnumValue{Name: decl.Text{Value: enumName.Replace(strings.ToUpper(value)), Range: valueRange}, Description: description}
			if value != strings.ToLower(value) {
				v.SQLValue = &decl.Text{Value: value, Range: valueRange}
			}
			if d := find(ds, "deprecated"); d != nil {
				reason := d.arg
				v.Deprecated = &reason
			}
			if prev := valueNamed(e, v.Name.Value); prev != nil {
				l.errorf(v.Name.Range, "duplicate-key", "enum %s: constant %s is the GraphQL value %s, like the constant at %s", e.Name.Value, id.Name, v.Name.Value, prev.Name.Range)
				continue
			}
			e.Values = append(e.Values, v)
		}
	}
}

func valueNamed(e *decl.Enum, name string) *decl.EnumValue {
	for _, v := range e.Values {
		if v.Name.Value == name {
			return v
		}
	}
	return nil
}

var enumName = strings.NewReplacer("-", "_", " ", "_", ".", "_")

func unquote(s string) (string, error) {
	if strings.HasPrefix(s, "`") {
		return s[1 : len(s)-1], nil
	}
	return strconv.Unquote(s)
}

// splitWords splits a directive's argument at spaces, each word keeping
// its own position.
func splitWords(t decl.Text) []decl.Text {
	var out []decl.Text
	col := 0
	for _, w := range strings.Fields(t.Value) {
		i := strings.Index(t.Value[col:], w) + col
		r := t.Range
		r.Start.Column += i
		r.End = r.Start
		r.End.Column += len(w)
		out = append(out, decl.Text{Value: w, Range: r})
		col = i + len(w)
	}
	return out
}
