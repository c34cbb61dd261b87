package sqlgen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
	"github.com/gqlplan/gqlplan/spec"
)

// connection writes a Relay connection over rs: one page of rows after
// or before a cursor, read by keyset (never OFFSET), in one subquery:
//
//	(SELECT json_build_object('edges', …, 'pageInfo', …)
//	 FROM (SELECT <node> AS j1, <cursor> AS c, row_number() OVER (<order>) AS n
//	       FROM <source> WHERE <conditions> AND <after cursor> ORDER BY <order> LIMIT <size + 1>) p GROUP BY ())
//
// The extra row says whether there is a next page. "last" reads the
// reversed order and the edges are put back in order. totalCount counts
// the rows without the cursor conditions, only when selected. up is the
// connection object's.
func (c *composer) connection(rs *rows, sel *operation.Field, args operation.Args, depth, up int) (string, error) {
	filter, keys, err := c.filterAndOrder(rs, args)
	if err != nil {
		return "", err
	}
	size, backward, err := pageSize(rs.listing.Limit, c.limits.MaxPageSize, args)
	if err != nil {
		return "", err
	}
	if depth > c.limits.MaxDepth {
		return "", &wire.Error{Message: fmt.Sprintf("The document nests selections deeper than %d levels.", c.limits.MaxDepth), Code: wire.CodeDocumentTooDeep}
	}
	p := &page{c: c, rs: rs, keys: keys, size: size, backward: backward, depth: depth, up: up,
		base: slices.Concat(rs.conds, filter)}
	conds := slices.Clone(p.base)
	for _, cursor := range []struct {
		arg      string
		cond     *string
		reversed bool
	}{{spec.ArgAfter, &p.afterCond, false}, {spec.ArgBefore, &p.beforeCond, true}} {
		if v, ok := decided(args, cursor.arg).(string); ok {
			values, err := decodeCursor(v, keys)
			if err != nil {
				return "", err
			}
			*cursor.cond = c.keyset(keys, values, cursor.reversed)
			conds = append(conds, *cursor.cond)
		}
	}
	fetch := c.param(size + 1)
	value, err := c.jsonObject(sel, p.connectionField)
	if err != nil {
		return "", err
	}
	inner := append(p.columns, "row_number() OVER ("+strings.TrimPrefix(orderBy(keys, backward), " ")+") AS n")
	// GROUP BY (): one row even when no field aggregates (totalCount alone).
	return fmt.Sprintf("(SELECT %s FROM (SELECT %s FROM %s%s%s LIMIT %s) p GROUP BY ())",
		value, strings.Join(inner, ", "), rs.from, conditions(conds), orderBy(keys, backward), fetch), nil
}

// page is a connection being composed: what its fields read from the
// page query, and the columns they add to it.
type page struct {
	c        *composer
	rs       *rows
	keys     []orderKey
	size     int64
	backward bool
	depth    int
	up       int // the connection's; nodes and edges are [T!]!, node T!
	// base are the conditions without the cursors (totalCount, EXISTS).
	base                  []string
	afterCond, beforeCond string

	columns   []string // of the page query
	limit     string   // the page size parameter, bound when first used
	hasCursor bool
}

// connectionField is the value of one field of <Node>Connection.
func (p *page) connectionField(s *operation.Field) (string, error) {
	switch s.Name {
	case "__typename":
		return quoteLiteral(p.rs.obj.Spec.Name+"Connection") + "::text", nil
	case "totalCount":
		return fmt.Sprintf("(SELECT count(*) FROM %s%s)", p.rs.from, conditions(p.base)), nil
	case "nodes":
		j, err := p.nodeColumn(s, p.depth+1, p.up+2)
		return p.rowsInOrder(j), err
	case "edges":
		edge, err := p.c.jsonObject(s, p.edgeField)
		return p.rowsInOrder(edge), err
	case "pageInfo":
		return p.c.jsonObject(s, p.pageInfoField)
	}
	return "", fmt.Errorf("plan: %sConnection has no field %s", p.rs.obj.Spec.Name, s.Name)
}

// edgeField is the value of one field of <Node>Edge.
func (p *page) edgeField(s *operation.Field) (string, error) {
	switch s.Name {
	case "__typename":
		return quoteLiteral(p.rs.obj.Spec.Name+"Edge") + "::text", nil
	case "cursor":
		return p.cursor(), nil
	case "node":
		return p.nodeColumn(s, p.depth+2, p.up+3)
	}
	return "", fmt.Errorf("plan: %sEdge has no field %s", p.rs.obj.Spec.Name, s.Name)
}

// pageInfoField is the value of one field of PageInfo. The extra row
// fetched says whether there are more rows in the reading direction;
// rows on the other side of the cursor are looked for only when asked.
func (p *page) pageInfoField(s *operation.Field) (string, error) {
	more := func() string { return "count(*) > " + p.pageLimit() }
	exists := func(cursor string) string {
		if cursor == "" {
			return "false"
		}
		return fmt.Sprintf("EXISTS (SELECT 1 FROM %s%s)", p.rs.from, conditions(append(slices.Clip(p.base), "NOT ("+cursor+")")))
	}
	switch s.Name {
	case "__typename":
		return quoteLiteral("PageInfo") + "::text", nil
	case "hasNextPage":
		if p.backward {
			return exists(p.beforeCond), nil
		}
		return more(), nil
	case "hasPreviousPage":
		if p.backward {
			return more(), nil
		}
		return exists(p.afterCond), nil
	case "startCursor":
		return p.cursorAt(!p.backward), nil
	case "endCursor":
		return p.cursorAt(p.backward), nil
	}
	return "", fmt.Errorf("plan: PageInfo has no field %s", s.Name)
}

// The aggregates below read the page rows in the order of the page query
// (row n before row n+1), as json_agg does a list's (see list): PostgreSQL
// documents that an aggregate over a sorted subquery, with no join at its
// level, gets the rows in that order, and a LIMIT below the aggregate
// keeps it from being split across parallel workers. An aggregate that
// sorts again costs the statement a sort per aggregate (about 6% of
// PostgreSQL's time on a 20-row page), so only "last" pays one, to put the
// rows it read backwards in order.

// rowsInOrder aggregates a per-row value over the page, in response order.
func (p *page) rowsInOrder(value string) string {
	order := ""
	if p.backward {
		order = " ORDER BY p.n DESC"
	}
	return fmt.Sprintf("coalesce(json_agg(%s%s)%s, '[]'::json)", value, order, p.inPage())
}

// cursorAt is the cursor of the page's first row (n = 1, the one next to
// the cursor it was read from) or of its last.
func (p *page) cursorAt(first bool) string {
	at := "1"
	if !first {
		at = "count(*)" + p.inPage()
	}
	return fmt.Sprintf("(array_agg(%s)%s)[%s]", p.cursor(), p.inPage(), at)
}

// inPage keeps the page's rows, not the extra one.
func (p *page) inPage() string { return " FILTER (WHERE p.n <= " + p.pageLimit() + ")" }

// pageLimit is the page size parameter. It is bound only when a field
// uses it: an unused parameter has no type PostgreSQL can infer.
func (p *page) pageLimit() string {
	if p.limit == "" {
		p.limit = p.c.param(p.size)
	}
	return p.limit
}

// nodeColumn adds the node object for one selection to the page query
// and returns its column; up is the node's.
func (p *page) nodeColumn(sel *operation.Field, depth, up int) (string, error) {
	var value strings.Builder
	value.Grow(512)
	if err := p.c.object(&value, p.rs.obj, sel, p.rs.row, depth, up); err != nil {
		return "", err
	}
	name := fmt.Sprintf("j%d", len(p.columns)+1)
	p.columns = append(p.columns, value.String()+" AS "+name)
	return "p." + name, nil
}

// cursor returns the cursor column, adding it the first time it is used.
func (p *page) cursor() string {
	if !p.hasCursor {
		p.hasCursor = true
		p.columns = append(p.columns, cursorExpr(p.keys)+" AS c")
	}
	return "p.c"
}

// jsonObject is a json_build_object of the selected fields of sel, each
// valued by field, keys in selection order.
func (c *composer) jsonObject(sel *operation.Field, field func(*operation.Field) (string, error)) (string, error) {
	parts := make([]string, 0, len(sel.Children))
	for _, s := range sel.Children {
		v, err := field(s)
		if err != nil {
			return "", err
		}
		parts = append(parts, c.key(s)+", "+v)
	}
	return "json_build_object(" + strings.Join(parts, ", ") + ")", nil
}

// conditions is a WHERE clause of conds, or "".
func conditions(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// pageSize reads first or last: the size of the page and whether it is
// read backward (last). The plan's limit and the server's cap bound it.
func pageSize(l *spec.Limit, serverMax int64, args operation.Args) (size int64, backward bool, err error) {
	first, hasFirst := decided(args, spec.ArgFirst).(int64)
	last, hasLast := decided(args, spec.ArgLast).(int64)
	switch {
	case hasFirst && hasLast:
		return 0, false, &wire.Error{Message: "Pass first or last, not both.", Code: wire.CodeBadUserInput}
	case hasLast:
		size, backward = last, true
	case hasFirst:
		size = first
	default:
		size = l.Default
	}
	name := map[bool]string{false: spec.ArgFirst, true: spec.ArgLast}[backward]
	return size, backward, checkPageSize(name, size, l.Max, serverMax)
}

// checkPageSize refuses a negative size (BAD_USER_INPUT) and one above the
// declared maximum or the server's cap (PAGE_TOO_LARGE).
func checkPageSize(name string, size, declaredMax, serverMax int64) error {
	limit := min(declaredMax, serverMax)
	switch {
	case size < 0:
		return &wire.Error{Message: fmt.Sprintf("%s must not be negative.", name), Code: wire.CodeBadUserInput}
	case size > limit:
		return &wire.Error{Message: fmt.Sprintf("%s must be at most %d.", name, limit), Code: wire.CodePageTooLarge}
	}
	return nil
}
