package runtime

import (
	"fmt"
	"strings"

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
// the rows without the cursor conditions, only when selected.
func (c *composer) connection(rs *rows, sel *selection, args map[string]any, depth int) (string, error) {
	filter, keys, err := c.filterAndOrder(rs, args)
	if err != nil {
		return "", err
	}
	size, backward, err := pageSize(rs.listing.Limit, args)
	if err != nil {
		return "", err
	}
	base := append(append([]string(nil), rs.conds...), filter...)
	page := append([]string(nil), base...)
	var afterCond, beforeCond string
	if after, ok := args[spec.ArgAfter].(string); ok {
		values, err := decodeCursor(after, keys)
		if err != nil {
			return "", err
		}
		afterCond = c.keyset(keys, values, false)
		page = append(page, afterCond)
	}
	if before, ok := args[spec.ArgBefore].(string); ok {
		values, err := decodeCursor(before, keys)
		if err != nil {
			return "", err
		}
		beforeCond = c.keyset(keys, values, true)
		page = append(page, beforeCond)
	}
	fetch := c.param(size + 1)
	// The page size is bound only when a selection uses it: an unused
	// parameter has no type PostgreSQL can infer.
	var limit string
	pageLimit := func() string {
		if limit == "" {
			limit = c.param(size)
		}
		return limit
	}
	outputOrder, reverseOrder := "p.n", "p.n DESC"
	if backward {
		outputOrder, reverseOrder = reverseOrder, outputOrder
	}
	inPage := func() string { return " FILTER (WHERE p.n <= " + pageLimit() + ")" }
	conn := &pageColumns{keys: keys}
	sels, err := c.r.collectFields(subSelections(sel.fields)...)
	if err != nil {
		return "", err
	}
	if depth > c.r.limits.MaxDepth {
		return "", &Error{Message: fmt.Sprintf("The document nests selections deeper than %d levels.", c.r.limits.MaxDepth), Code: CodeDocumentTooDeep}
	}
	node := rs.obj.spec.Name
	parts := make([]string, 0, len(sels))
	for _, s := range sels {
		var value string
		switch s.name() {
		case "__typename":
			value = quoteLiteral(node+"Connection") + "::text"
		case "totalCount":
			value = fmt.Sprintf("(SELECT count(*) FROM %s%s)", rs.from, conditions(base))
		case "nodes":
			j, err := c.nodeColumn(conn, rs, s, depth+1)
			if err != nil {
				return "", err
			}
			value = fmt.Sprintf("coalesce(json_agg(%s ORDER BY %s)%s, '[]'::json)", j, outputOrder, inPage())
		case "edges":
			edge, err := c.edge(conn, rs, s, depth+1)
			if err != nil {
				return "", err
			}
			value = fmt.Sprintf("coalesce(json_agg(%s ORDER BY %s)%s, '[]'::json)", edge, outputOrder, inPage())
		case "pageInfo":
			var others []string // whether rows exist on the other side of the cursor
			more := "count(*) > " + pageLimit()
			hasNext, hasPrevious := more, "false"
			if backward {
				hasNext, hasPrevious = "false", more
				if beforeCond != "" {
					others = append(base, "NOT ("+beforeCond+")")
					hasNext = fmt.Sprintf("EXISTS (SELECT 1 FROM %s%s)", rs.from, conditions(others))
				}
			} else if afterCond != "" {
				others = append(base, "NOT ("+afterCond+")")
				hasPrevious = fmt.Sprintf("EXISTS (SELECT 1 FROM %s%s)", rs.from, conditions(others))
			}
			infoSels, err := c.r.collectFields(subSelections(s.fields)...)
			if err != nil {
				return "", err
			}
			var info []string
			for _, is := range infoSels {
				var v string
				switch is.name() {
				case "__typename":
					v = quoteLiteral("PageInfo") + "::text"
				case "hasNextPage":
					v = hasNext
				case "hasPreviousPage":
					v = hasPrevious
				case "startCursor":
					v = fmt.Sprintf("(array_agg(%s ORDER BY %s)%s)[1]", conn.cursor(), outputOrder, inPage())
				case "endCursor":
					v = fmt.Sprintf("(array_agg(%s ORDER BY %s)%s)[1]", conn.cursor(), reverseOrder, inPage())
				default:
					return "", fmt.Errorf("plan: PageInfo has no field %s", is.name())
				}
				info = append(info, c.key(is)+", "+v)
			}
			value = "json_build_object(" + strings.Join(info, ", ") + ")"
		default:
			return "", fmt.Errorf("plan: %sConnection has no field %s", node, s.name())
		}
		parts = append(parts, c.key(s)+", "+value)
	}
	inner := append(conn.columns, "row_number() OVER ("+strings.TrimPrefix(orderBy(keys, backward), " ")+") AS n")
	// GROUP BY (): one row even when no field aggregates (totalCount alone).
	return fmt.Sprintf("(SELECT json_build_object(%s) FROM (SELECT %s FROM %s%s%s LIMIT %s) p GROUP BY ())",
		strings.Join(parts, ", "), strings.Join(inner, ", "), rs.from, conditions(page), orderBy(keys, backward), fetch), nil
}

// edge writes one edge object of a page row.
func (c *composer) edge(conn *pageColumns, rs *rows, sel *selection, depth int) (string, error) {
	sels, err := c.r.collectFields(subSelections(sel.fields)...)
	if err != nil {
		return "", err
	}
	var parts []string
	for _, s := range sels {
		var v string
		switch s.name() {
		case "__typename":
			v = quoteLiteral(rs.obj.spec.Name+"Edge") + "::text"
		case "cursor":
			v = conn.cursor()
		case "node":
			if v, err = c.nodeColumn(conn, rs, s, depth+1); err != nil {
				return "", err
			}
		default:
			return "", fmt.Errorf("plan: %sEdge has no field %s", rs.obj.spec.Name, s.name())
		}
		parts = append(parts, c.key(s)+", "+v)
	}
	return "json_build_object(" + strings.Join(parts, ", ") + ")", nil
}

// nodeColumn adds the node object for one selection to the page query
// and returns its column.
func (c *composer) nodeColumn(conn *pageColumns, rs *rows, sel *selection, depth int) (string, error) {
	var value strings.Builder
	if err := c.object(&value, rs.obj, sel.fields, rs.row, depth); err != nil {
		return "", err
	}
	name := fmt.Sprintf("j%d", len(conn.columns)+1)
	conn.columns = append(conn.columns, value.String()+" AS "+name)
	return "p." + name, nil
}

// pageColumns are the columns of a connection's page query.
type pageColumns struct {
	keys      []orderKey
	columns   []string
	hasCursor bool
}

// cursor returns the cursor column, adding it the first time it is used.
func (p *pageColumns) cursor() string {
	if !p.hasCursor {
		p.hasCursor = true
		p.columns = append(p.columns, cursorExpr(p.keys)+" AS c")
	}
	return "p.c"
}

// conditions is a WHERE clause of conds, or "".
func conditions(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// pageSize reads first or last: the size of the page and whether it is
// read backward (last). The plan's limit caps it.
func pageSize(l *spec.Limit, args map[string]any) (size int64, backward bool, err error) {
	first, hasFirst := args[spec.ArgFirst].(int64)
	last, hasLast := args[spec.ArgLast].(int64)
	switch {
	case hasFirst && hasLast:
		return 0, false, &Error{Message: "Pass first or last, not both.", Code: CodeBadUserInput}
	case hasLast:
		size, backward = last, true
	case hasFirst:
		size = first
	default:
		size = l.Default
	}
	if size < 0 || size > l.Max {
		name := map[bool]string{false: spec.ArgFirst, true: spec.ArgLast}[backward]
		return 0, false, &Error{Message: fmt.Sprintf("%s must be between 0 and %d.", name, l.Max), Code: CodeBadUserInput}
	}
	return size, backward, nil
}
