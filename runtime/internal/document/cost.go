package document

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/schema"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
	"github.com/gqlplan/gqlplan/spec"
)

// The cost of an operation bounds what its response can hold, before any
// SQL: each selected field counts one, times the rows of every list it is
// nested in — a list's page size being the first, last or limit given,
// else the declared default, else the server's page cap (for a list
// without a declared limit). Page caps bound each list alone; nested lists
// multiply (100 posts × 100 posts of each author × … is millions of
// values from a 240-byte document), which only the product catches.

// checkCost is the cost of fields, and refuses them when it is above
// limits.MaxCost (without one, it is not counted: 0).
func checkCost(index *schema.Schema, root string, fields []*operation.Field, limits Limits) (int64, *wire.Error) {
	if limits.MaxCost <= 0 {
		return 0, nil
	}
	c := &coster{index: index, limits: limits}
	var total int64
	for _, f := range fields {
		total = c.add(total, c.rootField(root, f))
	}
	if total > limits.MaxCost {
		e := &wire.Error{
			// The count stops once past the limit: total is a lower bound.
			Message: fmt.Sprintf("The operation could return at least %d values, more than the %d this server allows; ask for smaller pages or fewer nested lists.", total, limits.MaxCost),
			Code:    wire.CodeCostTooHigh, Extra: map[string]any{"cost": total, "maxCost": limits.MaxCost},
		}
		if top, ok := c.largestFactor(); ok {
			e.Message = fmt.Sprintf("The operation could return at least %d values, more than the %d this server allows; the largest factor is %s, up to %d rows for each of its parents: ask for a smaller page of it, or fewer nested lists.", total, limits.MaxCost, top.path, top.rows)
			e.Extra["field"], e.Extra["fieldRows"] = top.path, top.rows
		}
		return total, e
	}
	return total, nil
}

type coster struct {
	index  *schema.Schema
	limits Limits
	// lists are the selected lists, each with its path of response keys
	// (posts.author.posts) and the rows of one page: the factors the cost
	// is a product of.
	lists []listRows
}

type listRows struct {
	path string
	rows int64
}

// list notes that the field at path reads pages of rows.
func (c *coster) list(path string, rows int64) {
	if rows > 1 {
		c.lists = append(c.lists, listRows{path, rows})
	}
}

// largestFactor is the list to shrink: the one with the most rows a page,
// the deepest of equals.
func (c *coster) largestFactor() (listRows, bool) {
	var best listRows
	for _, l := range c.lists {
		if l.rows > best.rows || l.rows == best.rows && strings.Count(l.path, ".") > strings.Count(best.path, ".") {
			best = l
		}
	}
	return best, best.path != ""
}

// add saturates: a hostile document must not overflow into a small cost.
func (c *coster) add(a, b int64) int64 {
	if a > c.limits.MaxCost || b > c.limits.MaxCost {
		return c.limits.MaxCost + 1
	}
	return a + b
}

func (c *coster) times(a, b int64) int64 {
	if a != 0 && b > (c.limits.MaxCost+1)/a {
		return c.limits.MaxCost + 1
	}
	return a * b
}

func (c *coster) rootField(root string, f *operation.Field) int64 {
	ops := c.index.Queries
	switch root {
	case "Mutation":
		ops = c.index.Mutations
	case "Subscription":
		ops = c.index.Subscriptions
	}
	op := ops[f.Name]
	if op != nil && f.ByType != nil { // node, nodes, interfaces, unions: one object per row, of its type
		rows := int64(1)
		v, _ := f.Args.Value("ids")
		if ids, ok := v.([]any); ok {
			rows = int64(len(ids))
		} else if op.Spec.List {
			rows = c.pageRows(&op.Spec.Listing, f.Args)
		}
		c.list(f.Key, rows)
		return c.add(1, c.times(rows, c.widest(f.ByType, f.Key)))
	}
	if op == nil || len(f.Children) == 0 { // __typename, introspection, scalars
		return 1
	}
	rows := int64(1)
	if op.Spec.List || op.Spec.Connection {
		rows = c.pageRows(&op.Spec.Listing, f.Args)
	}
	node := op.Spec.Node
	if node == "" {
		node = op.Returns.Named()
	}
	if op.Spec.Connection {
		node = op.Returns.Named() // the connection type; its lists are the page
	}
	c.list(f.Key, rows)
	return c.add(1, c.times(rows, c.selection(node, f.Children, f.Key)))
}

// widest is the costliest of the selections of an interface's types.
func (c *coster) widest(byType map[string][]*operation.Field, path string) int64 {
	var most int64
	for _, typ := range slices.Sorted(maps.Keys(byType)) { // the same path each time
		most = max(most, c.selection(typ, byType[typ], path))
	}
	return most
}

// selection is the cost of fields selected on object type typ, for one
// row, at path.
func (c *coster) selection(typ string, fields []*operation.Field, path string) int64 {
	obj := c.index.Objects[typ]
	var total int64
	for _, f := range fields {
		total = c.add(total, c.field(obj, f, path+"."+f.Key))
	}
	return total
}

func (c *coster) field(obj *schema.Object, f *operation.Field, path string) int64 {
	if obj == nil || len(f.Children) == 0 {
		return 1
	}
	def := obj.Fields[f.Name]
	if def == nil {
		return 1
	}
	target := def.Type.Named()
	if target == spec.RootQuery { // a payload's query: its fields are the root query's
		total := int64(1)
		for _, child := range f.Children {
			total = c.add(total, c.rootField(spec.RootQuery, child))
		}
		return total
	}
	rows := int64(1)
	switch {
	case def.Spec.Relation != nil && def.Spec.Relation.List:
		rows = c.pageRows(&def.Spec.Relation.Listing, f.Args)
	case def.Spec.Function != nil && def.Spec.Function.Limit != nil:
		rows = c.pageRows(&spec.Listing{Limit: def.Spec.Function.Limit}, f.Args)
	case def.Spec.Resolver != "" && def.Spec.Limit != nil:
		rows = c.pageRows(&spec.Listing{Limit: def.Spec.Limit}, f.Args)
	case def.Spec.Function != nil && def.Spec.Function.Set,
		def.Spec.Resolver != "" && def.Type.Elem != nil:
		rows = c.limits.MaxPageSize // a set-returning function, or rows a resolver picks: no declared bound
	}
	c.list(path, rows)
	return c.add(1, c.times(rows, c.selection(target, f.Children, path)))
}

// pageRows is how many rows one page of a listing reads: what was asked,
// but no more than the caps, since a page above them is refused on its
// own (PAGE_TOO_LARGE).
func (c *coster) pageRows(l *spec.Listing, args operation.Args) int64 {
	limit := c.limits.MaxPageSize
	if l.Limit != nil {
		limit = min(limit, l.Limit.Max)
	}
	for _, name := range []string{spec.ArgFirst, spec.ArgLast, spec.ArgLimit} {
		v, _ := args.Value(name)
		if n, ok := v.(int64); ok && n >= 0 {
			return min(n, limit)
		}
	}
	if l.Limit != nil {
		return min(l.Limit.Default, limit)
	}
	return limit
}
