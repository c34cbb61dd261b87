package compiler

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/spec"
)

// Defaults for lists that declare no limit: enough for a page, bounded so
// one request cannot ask for a whole table.
const (
	defaultLimit = 100
	defaultMax   = 1000
)

// listSite is a field that may read a list of rows: a query or a
// relation.
type listSite struct {
	what  string // for messages: `query "posts"`, `field Person.posts`
	list  bool   // it returns many rows
	node  string // the object type of the rows ("" for scalars)
	shape string // of the source
}

// listing checks how a list reads its rows — order, page size, and the
// connection, filter and order a client may use — and returns it with the
// arguments it adds to the field, in a fixed order.
func (c *checker) listing(l *decl.List, site listSite) (spec.Listing, []spec.InputValue) {
	var out spec.Listing
	if !site.list {
		if len(l.OrderBy) > 0 {
			c.diags.Errorf(l.OrderBy[0].Range, "order-by-not-list", "%s sets order_by, which only applies to a query or relation that returns a list", site.what)
		}
		if l.Limit != nil {
			c.diags.Errorf(l.Limit.Range, "limit-not-list", "%s sets limit, which only applies to a query or relation that returns a list", site.what)
		}
		for _, opt := range listOptions(l) {
			c.diags.Errorf(opt.flag.Range, "not-a-list", "%s sets %s, which only applies to a query or relation that returns a list", site.what, opt.key)
		}
		return out, nil
	}
	out.Node = site.node
	out.OrderBy = c.orderTerms(l.OrderBy, site.what)
	out.Limit = c.limitOf(l.Limit, site.what)
	usable := true
	for _, opt := range listOptions(l) {
		switch {
		case site.node == "":
			c.diags.Errorf(opt.flag.Range, "not-a-list", "%s sets %s, which needs a list of an object type's rows, not of scalars", site.what, opt.key)
			usable = false
		case site.shape == spec.ShapeJSONB:
			c.diags.Errorf(opt.flag.Range, "requires-columns-shape", "%s sets %s, which reads columns; a jsonb document source cannot use it", site.what, opt.key)
			usable = false
		}
	}
	var args []spec.InputValue
	connection := l.Connection != nil && l.Connection.Value && usable
	if connection {
		if _, ok := c.typeKey(site.node, l.Connection.Range, "connection", site.what); ok {
			out.Connection = true
			c.connectionTypes(site.node, l.Connection.Range)
		}
		args = append(args,
			spec.InputValue{Name: spec.ArgFirst, Type: "Int", Description: fmt.Sprintf("The first rows after the cursor \"after\" (default %d, at most %d).", out.Limit.Default, out.Limit.Max)},
			spec.InputValue{Name: spec.ArgAfter, Type: "String", Description: "A cursor: read the rows after this one."},
			spec.InputValue{Name: spec.ArgLast, Type: "Int", Description: fmt.Sprintf("The last rows before the cursor \"before\" (at most %d).", out.Limit.Max)},
			spec.InputValue{Name: spec.ArgBefore, Type: "String", Description: "A cursor: read the rows before this one."})
	} else {
		args = append(args, pageArgs(&out)...)
	}
	if l.Filterable != nil && l.Filterable.Value && usable {
		if name, ok := c.filterInput(site.node, l.Filterable.Range, site.what); ok {
			out.Filter = name
			args = append(args, spec.InputValue{Name: spec.ArgWhere, Type: name, Description: "Only the rows that match."})
		}
	}
	if l.Sortable != nil && l.Sortable.Value && usable {
		if _, ok := c.typeKey(site.node, l.Sortable.Range, "sortable", site.what); ok {
			if name, ok := c.sortInput(site.node, l.Sortable.Range, site.what); ok {
				out.Sort = name
				args = append(args, spec.InputValue{Name: spec.ArgOrderBy, Type: "[" + name + "!]", Description: "The order of the rows; the key breaks ties."})
			}
		}
	}
	if site.node != "" && site.shape == spec.ShapeColumns && !out.Connection && out.Sort == "" {
		c.typeKey(site.node, decl.Range{}, "", site.what) // the tie-breaker, when there is a key
	}
	return out, args
}

// pageArgs are the arguments of a plain list's page: limit and offset.
func pageArgs(l *spec.Listing) []spec.InputValue {
	return []spec.InputValue{
		{Name: spec.ArgLimit, Type: "Int", Default: json.RawMessage(strconv.FormatInt(l.Limit.Default, 10)),
			Description: fmt.Sprintf("At most this many rows (at most %d).", l.Limit.Max)},
		{Name: spec.ArgOffset, Type: "Int", Default: json.RawMessage("0"), Description: "Rows to skip."},
	}
}

type listOption struct {
	key  string
	flag *decl.Bool
}

// listOptions returns the options of l that are set to true.
func listOptions(l *decl.List) []listOption {
	var out []listOption
	for _, o := range []listOption{{"connection", l.Connection}, {"filterable", l.Filterable}, {"sortable", l.Sortable}} {
		if o.flag != nil && o.flag.Value {
			out = append(out, o)
		}
	}
	return out
}

// checkReservedArgs reports declared arguments that a listing also adds.
func (c *checker) checkReservedArgs(declared []*decl.Arg, added []spec.InputValue, what string) {
	for _, a := range declared {
		for _, g := range added {
			if a.Name.Value == g.Name {
				c.diags.Errorf(a.Name.Range, "reserved-argument", "argument %q of %s: gqlplan adds %q to this list (paging, filter or order); rename the argument", a.Name.Value, what, g.Name)
			}
		}
	}
}

func (c *checker) orderTerms(terms []decl.Text, what string) []spec.OrderTerm {
	var out []spec.OrderTerm
	for _, t := range terms {
		term, err := parseOrderTerm(t.Value)
		if err != nil {
			c.diags.Errorf(t.Range, "order-by-syntax", "%s: order_by term %q: %v; write \"column [asc|desc] [nulls first|last]\"", what, t.Value, err)
			continue
		}
		quoted, ok := c.checkSQLIdent(term.Column, t.Range, "order_by column of "+what)
		if !ok {
			continue
		}
		term.SQL = quoted
		out = append(out, term)
	}
	return out
}

func (c *checker) limitOf(l *decl.Limit, what string) *spec.Limit {
	lim := &spec.Limit{Default: defaultLimit, Max: defaultMax}
	if l == nil {
		return lim
	}
	if d := l.Default; d != nil {
		lim.Default = d.Value
		lim.Max = max(lim.Max, d.Value)
	}
	if m := l.Max; m != nil {
		lim.Max = m.Value
		if l.Default == nil {
			lim.Default = min(lim.Default, m.Value)
		}
	}
	for _, v := range []*decl.Int{l.Default, l.Max} {
		if v != nil && v.Value < 1 {
			c.diags.Errorf(v.Range, "invalid-limit", "%s: limit values must be at least 1, not %d", what, v.Value)
			return lim
		}
	}
	if lim.Default > lim.Max {
		c.diags.Errorf(l.Default.Range, "invalid-limit", "%s: limit default %d is larger than max %d", what, lim.Default, lim.Max)
	}
	return lim
}

// typeKey returns the key of an object type: its declared "key", or the
// column id when a field reads it. A type's key is recorded in the plan
// once something orders its rows. need names the option that requires a
// key ("" when a missing key is not a problem) and at where it was set.
func (c *checker) typeKey(name string, at decl.Range, need, what string) ([]spec.ColumnRef, bool) {
	if key, ok := c.keys[name]; ok {
		return key, true
	}
	d := c.defs[name]
	if d == nil || d.kind != kindObject {
		return nil, false
	}
	var key []spec.ColumnRef
	for _, k := range d.object.Key {
		if quoted, ok := c.checkSQLIdent(k.Value, k.Range, "key column of type "+name); ok {
			key = append(key, spec.ColumnRef{Column: k.Value, SQL: quoted})
		}
	}
	if len(d.object.Key) == 0 {
		for _, f := range d.object.Fields {
			if col, _ := fieldColumn(f); col == "id" && f.Relation == nil && f.Function == nil {
				key = []spec.ColumnRef{{Column: "id", SQL: quoteIdent("id")}}
			}
		}
	}
	if len(key) == 0 {
		if need != "" && len(d.object.Key) == 0 {
			c.diags.Errorf(at, "missing-key", "%s sets %s, which orders rows by %s's key, but %s has no field id and declares no \"key\"; add key: [<unique columns>] to type %s", what, need, name, name, name)
		}
		return nil, false
	}
	c.keys[name] = key
	return key, true
}

// checkKeyDeclared validates a declared key even if nothing uses it.
func (c *checker) checkKeyDeclared(t *decl.ObjectType) {
	if t.KeyRange != (decl.Range{}) && len(t.Key) == 0 {
		c.diags.Errorf(t.KeyRange, "missing-key", "type %s declares an empty key; list the columns that identify a row", t.Name.Value)
		return
	}
	if len(t.Key) > 0 {
		c.typeKey(t.Name.Value, t.KeyRange, "", "type "+t.Name.Value)
	}
}
