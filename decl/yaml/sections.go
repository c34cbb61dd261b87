package yaml

import (
	"fmt"

	"github.com/gqlplan/gqlplan/decl"
	yamlv3 "gopkg.in/yaml.v3"
)

func (l *loader) objectType(kv pair) *decl.ObjectType {
	t := &decl.ObjectType{Name: kv.name(l)}
	what := fmt.Sprintf("type %q", kv.key.Value)
	e := l.entries(kv.value, objectKeys, what)
	if d, ok := e["description"]; ok {
		t.Description = l.text(d.value, "description")
	}
	t.Fields = l.fields(e, fieldKeys, what)
	if k, ok := e["key"]; ok {
		t.Key = l.texts(k.value, "key")
		t.KeyRange = l.rng(k.key)
	}
	if n, ok := e["node"]; ok {
		t.Node = l.node(n, what)
	}
	if i, ok := e["implements"]; ok {
		t.Implements = l.texts(i.value, "implements")
	}
	return t
}

func (l *loader) interfaceType(kv pair) *decl.Interface {
	t := &decl.Interface{Name: kv.name(l)}
	what := fmt.Sprintf("interface %q", kv.key.Value)
	e := l.entries(kv.value, interfaceKeys, what)
	if d, ok := e["description"]; ok {
		t.Description = l.text(d.value, "description")
	}
	t.Fields = l.fields(e, ifaceFieldKey, what)
	return t
}

func (l *loader) union(kv pair) *decl.Union {
	u := &decl.Union{Name: kv.name(l)}
	what := fmt.Sprintf("union %q", kv.key.Value)
	e := l.entries(kv.value, unionKeys, what)
	if d, ok := e["description"]; ok {
		u.Description = l.text(d.value, "description")
	}
	if t, ok := e["types"]; ok {
		u.Types = l.texts(t.value, "types")
		u.TypesRange = l.rng(t.key)
	}
	return u
}

// node reads "node: source" or "node: {sql_source: source}".
func (l *loader) node(kv pair, owner string) *decl.Node {
	if kv.value.Kind == yamlv3.ScalarNode {
		if src := l.text(kv.value, "node"); src != nil {
			return &decl.Node{SQLSource: *src, Range: l.rng(kv.key)}
		}
		return nil
	}
	e := l.entries(kv.value, nodeKeys, "the node of "+owner)
	src, ok := e["sql_source"]
	if !ok {
		l.diags.Errorf(l.rng(kv.key), "missing-sql-source", "the node of %s needs sql_source: the table or view its rows are fetched from by key", owner)
		return nil
	}
	if t := l.text(src.value, "sql_source"); t != nil {
		return &decl.Node{SQLSource: *t, Range: l.rng(kv.key)}
	}
	return nil
}

func (l *loader) inputType(kv pair) *decl.InputType {
	t := &decl.InputType{Name: kv.name(l)}
	what := fmt.Sprintf("input %q", kv.key.Value)
	e := l.entries(kv.value, inputKeys, what)
	if d, ok := e["description"]; ok {
		t.Description = l.text(d.value, "description")
	}
	t.Fields = l.fields(e, inputFieldKey, what)
	return t
}

// fields reads the "fields" entry of a type, an interface or an input:
// each field with the keys allowed.
func (l *loader) fields(e map[string]pair, allowed []string, owner string) []*decl.Field {
	f, ok := e["fields"]
	if !ok {
		return nil
	}
	var out []*decl.Field
	for _, fkv := range l.pairs(f.value, owner+" fields") {
		if fld := l.field(fkv, allowed, owner); fld != nil {
			out = append(out, fld)
		}
	}
	return out
}

// field reads "name: Type" or "name: {type: …, …}".
func (l *loader) field(kv pair, allowed []string, owner string) *decl.Field {
	typ, e, ok := l.typed(kv, allowed, fmt.Sprintf("field %q of %s", kv.key.Value, owner))
	if !ok {
		return nil
	}
	f := &decl.Field{Name: kv.name(l), Type: typ}
	if d, ok := e["description"]; ok {
		f.Description = l.text(d.value, "description")
	}
	if c, ok := e["column"]; ok {
		f.Column = l.text(c.value, "column")
	}
	if d, ok := e["deprecated"]; ok {
		f.Deprecated = l.deprecated(d.value)
	}
	if d, ok := e["default"]; ok {
		f.Default = l.value(d.value)
	}
	if n, ok := e["node"]; ok {
		f.Node = l.text(n.value, "node")
	}
	what := fmt.Sprintf("field %q of %s", kv.key.Value, owner)
	if r, ok := e["relation"]; ok {
		f.Relation = l.relation(r, what)
		if lim, ok := e["limit"]; ok { // a computed field's key, which a relation would not read
			l.diags.Errorf(l.rng(lim.key), "unknown-key", "\"limit\" beside \"relation:\" in %s: a relation's limit belongs inside it (relation: {…, limit: …})", what)
		}
	}
	if fn, ok := e["function"]; ok {
		f.Function = l.text(fn.value, "function")
	}
	if a, ok := e["args"]; ok {
		for _, akv := range l.pairs(a.value, what+" args") {
			if arg := l.arg(akv, what); arg != nil {
				f.Args = append(f.Args, arg)
			}
		}
	}
	l.flag(e, "filterable", &f.Filterable)
	l.flag(e, "sortable", &f.Sortable)
	if r, ok := e["rls_bypass"]; ok {
		f.RLSBypass = l.text(r.value, "rls_bypass")
	}
	if lim, ok := e["limit"]; ok {
		f.Limit = l.limit(lim.value, fmt.Sprintf("field %q of %s", kv.key.Value, owner))
	}
	if r, ok := e["resolver"]; ok {
		f.Resolver = l.text(r.value, "resolver")
	}
	if r, ok := e["requires"]; ok {
		f.Requires = l.texts(r.value, "requires of "+what)
	}
	if s, ok := e["sql_source"]; ok {
		f.SQLSource = l.text(s.value, "sql_source")
	}
	return f
}

// flag reads the boolean entry key of e, if present, into dst.
func (l *loader) flag(e map[string]pair, key string, dst **decl.Bool) {
	if p, ok := e[key]; ok {
		*dst = l.boolean(p.value, key)
	}
}

// relation reads {sql_source, columns: {parent: child}, …list keys}.
func (l *loader) relation(kv pair, owner string) *decl.Relation {
	r := &decl.Relation{Range: l.rng(kv.key)}
	what := "the relation of " + owner
	e := l.entries(kv.value, relationKeys, what)
	if s, ok := e["sql_source"]; ok {
		r.SQLSource = l.text(s.value, "sql_source")
	}
	if c, ok := e["columns"]; ok {
		for _, ckv := range l.pairs(c.value, what+" columns") {
			if child := l.text(ckv.value, fmt.Sprintf("the source column joined to %q", ckv.key.Value)); child != nil {
				r.Columns = append(r.Columns, &decl.JoinColumns{Parent: ckv.name(l), Child: *child})
			}
		}
	}
	l.list(e, &r.List, what)
	return r
}

// list reads the keys a list operation and a list relation share.
func (l *loader) list(e map[string]pair, dst *decl.List, owner string) {
	if o, ok := e["order_by"]; ok {
		dst.OrderBy = l.orderBy(o.value)
	}
	if lim, ok := e["limit"]; ok {
		dst.Limit = l.limit(lim.value, owner)
	}
	l.flag(e, "connection", &dst.Connection)
	l.flag(e, "filterable", &dst.Filterable)
	l.flag(e, "sortable", &dst.Sortable)
}

// typed reads the two forms of a typed entry, "name: Type" and
// "name: {type: Type, …}", returning the type and the mapping's other
// entries. ok is false when there is no usable type (already reported).
func (l *loader) typed(kv pair, allowed []string, what string) (decl.Text, map[string]pair, bool) {
	switch {
	case isNull(kv.value):
		l.diags.Errorf(l.rng(kv.key), "missing-type", "%s has no type", what)
		return decl.Text{}, nil, false
	case kv.value.Kind == yamlv3.ScalarNode:
		t := l.text(kv.value, what)
		if t == nil {
			return decl.Text{}, nil, false
		}
		return *t, nil, true
	}
	e := l.entries(kv.value, allowed, what)
	t, ok := e["type"]
	if !ok {
		if kv.value.Kind == yamlv3.MappingNode {
			l.diags.Errorf(l.rng(kv.key), "missing-type", "%s has no type", what)
		}
		return decl.Text{}, e, false
	}
	tt := l.text(t.value, "type")
	if tt == nil {
		return decl.Text{}, e, false
	}
	return *tt, e, true
}

func (l *loader) enum(kv pair) *decl.Enum {
	en := &decl.Enum{Name: kv.name(l)}
	what := fmt.Sprintf("enum %q", kv.key.Value)
	e := l.entries(kv.value, enumKeys, what)
	if d, ok := e["description"]; ok {
		en.Description = l.text(d.value, "description")
	}
	if s, ok := e["sql_type"]; ok {
		en.SQLType = l.text(s.value, "sql_type")
	}
	if vs, ok := e["values"]; ok {
		for _, vkv := range l.pairs(vs.value, what+" values") {
			en.Values = append(en.Values, l.enumValue(vkv, what))
		}
	}
	return en
}

// enumValue reads "NAME:", "NAME: sql_value" or "NAME: {value, description, deprecated}".
func (l *loader) enumValue(kv pair, owner string) *decl.EnumValue {
	v := &decl.EnumValue{Name: kv.name(l)}
	switch {
	case isNull(kv.value):
	case kv.value.Kind == yamlv3.ScalarNode:
		v.SQLValue = l.text(kv.value, "the SQL value of "+kv.key.Value)
	default:
		e := l.entries(kv.value, enumValueKeys, fmt.Sprintf("value %q of %s", kv.key.Value, owner))
		if s, ok := e["value"]; ok {
			v.SQLValue = l.text(s.value, "value")
		}
		if d, ok := e["description"]; ok {
			v.Description = l.text(d.value, "description")
		}
		if d, ok := e["deprecated"]; ok {
			v.Deprecated = l.deprecated(d.value)
		}
	}
	return v
}

func (l *loader) operation(kind decl.OperationKind, kv pair) *decl.Operation {
	op := &decl.Operation{Kind: kind, Name: kv.name(l)}
	what := fmt.Sprintf("%s %q", kind, kv.key.Value)
	if isNull(kv.value) {
		// Reported by the compiler as missing returns and sql_source.
		return op
	}
	e := l.entries(kv.value, operationKeys, what)
	texts := []struct {
		key string
		dst **decl.Text
	}{
		{"description", &op.Description},
		{"returns", &op.Returns},
		{"sql_source", &op.SQLSource},
		{"source_kind", &op.SourceKind},
		{"shape", &op.Shape},
		{"data_column", &op.DataColumn},
	}
	for _, t := range texts {
		if p, ok := e[t.key]; ok {
			*t.dst = l.text(p.value, t.key)
		}
	}
	if d, ok := e["deprecated"]; ok {
		op.Deprecated = l.deprecated(d.value)
	}
	if a, ok := e["args"]; ok {
		for _, akv := range l.pairs(a.value, what+" args") {
			if arg := l.arg(akv, what); arg != nil {
				op.Args = append(op.Args, arg)
			}
		}
	}
	if in, ok := e["inject"]; ok {
		for _, ikv := range l.pairs(in.value, what+" inject") {
			if src := l.text(ikv.value, fmt.Sprintf("the source of inject key %q", ikv.key.Value)); src != nil {
				op.Inject = append(op.Inject, &decl.Inject{Key: ikv.name(l), Source: *src})
			}
		}
	}
	if r, ok := e["roles"]; ok {
		op.Roles = l.texts(r.value, "roles of "+what)
	}
	if c, ok := e["type_column"]; ok {
		op.TypeColumn = l.text(c.value, "type_column")
	}
	if r, ok := e["rls_bypass"]; ok {
		op.RLSBypass = l.text(r.value, "rls_bypass")
	}
	if r, ok := e["resolver"]; ok {
		op.Resolver = l.text(r.value, "resolver")
	}
	if t, ok := e["tables"]; ok {
		op.Tables = l.texts(t.value, "tables of "+what)
	}
	l.flag(e, "token", &op.Token)
	l.list(e, &op.List, what)
	if st, ok := e["stream"]; ok {
		op.Stream = &decl.Stream{Range: l.rng(st.value)}
		se := l.entries(st.value, streamKeys, "the stream of "+what)
		if c, ok := se["cursor"]; ok {
			op.Stream.Cursor = l.text(c.value, "stream cursor")
		}
		if b, ok := se["batch_size"]; ok {
			op.Stream.BatchSize = l.integer(b.value, "stream batch_size")
		}
	}
	return op
}

func (l *loader) arg(kv pair, owner string) *decl.Arg {
	what := fmt.Sprintf("argument %q of %s", kv.key.Value, owner)
	typ, e, ok := l.typed(kv, argKeys, what)
	if !ok {
		return nil
	}
	a := &decl.Arg{Name: kv.name(l), Type: typ}
	if d, ok := e["description"]; ok {
		a.Description = l.text(d.value, "description")
	}
	if d, ok := e["default"]; ok {
		a.Default = l.value(d.value)
	}
	if f, ok := e["filter"]; ok {
		a.Filter = l.filter(f.value, what)
	}
	if n, ok := e["node"]; ok {
		a.Node = l.text(n.value, "node")
	}
	if p, ok := e["param"]; ok {
		a.Param = l.text(p.value, "param")
	}
	return a
}

// filter reads "filter: column" or "filter: {column: c, op: gte}".
func (l *loader) filter(n *yamlv3.Node, owner string) *decl.Filter {
	if n.Kind == yamlv3.ScalarNode {
		c := l.text(n, "filter")
		if c == nil {
			return nil
		}
		return &decl.Filter{Column: *c, Range: c.Range}
	}
	f := &decl.Filter{Range: l.rng(n)}
	e := l.entries(n, filterKeys, "the filter of "+owner)
	if c, ok := e["column"]; ok {
		if ct := l.text(c.value, "column"); ct != nil {
			f.Column = *ct
		}
	} else if n.Kind == yamlv3.MappingNode {
		l.diags.Errorf(l.rng(n), "invalid-value", "the filter of %s needs a column", owner)
		return nil
	}
	if o, ok := e["op"]; ok {
		f.Op = l.text(o.value, "op")
	}
	if f.Column.Value == "" {
		return nil
	}
	return f
}

// orderBy reads one term or a list of terms.
func (l *loader) orderBy(n *yamlv3.Node) []decl.Text {
	if n.Kind == yamlv3.ScalarNode {
		if t := l.text(n, "order_by"); t != nil {
			return []decl.Text{*t}
		}
		return nil
	}
	if !l.expect(n, yamlv3.SequenceNode, "order_by must be a term or a list of terms") {
		return nil
	}
	var out []decl.Text
	for _, c := range n.Content {
		if t := l.text(c, "an order_by term"); t != nil {
			out = append(out, *t)
		}
	}
	return out
}

func (l *loader) limit(n *yamlv3.Node, owner string) *decl.Limit {
	lim := &decl.Limit{Range: l.rng(n)}
	e := l.entries(n, limitKeys, "the limit of "+owner)
	if d, ok := e["default"]; ok {
		lim.Default = l.integer(d.value, "limit default")
	}
	if m, ok := e["max"]; ok {
		lim.Max = l.integer(m.value, "limit max")
	}
	return lim
}
