package sqlgen

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

// Bounds on a where argument: each condition is SQL the database plans,
// and variables can nest and/or far deeper than a document's selections.
const (
	maxFilterDepth      = 8
	maxFilterConditions = 100
)

// comparisons are the filter operators written "<column> <op> <value>".
var comparisons = map[string]string{"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}

// filter turns the where argument of a filterable list into SQL
// conditions on rs. Fields come from the plan (only filterable ones
// exist in the input type), values are bound parameters.
func (c *composer) filter(rs *rows, args operation.Args) ([]string, error) {
	if rs.listing.Filter == "" {
		return nil, nil
	}
	where, ok := decided(args, spec.ArgWhere).(map[string]any)
	if !ok {
		return nil, nil // absent or null: no condition
	}
	w := &filterWriter{c: c, rs: rs}
	cond, err := w.all(where, 1)
	if err != nil {
		return nil, err
	}
	return []string{cond}, nil
}

type filterWriter struct {
	c          *composer
	rs         *rows
	conditions int
}

func filterError(format string, args ...any) error {
	return &wire.Error{Message: "where: " + fmt.Sprintf(format, args...), Code: wire.CodeBadUserInput}
}

// all is the conjunction of the entries of one filter object.
func (w *filterWriter) all(m map[string]any, depth int) (string, error) {
	if depth > maxFilterDepth {
		return "", filterError("and/or/not nest deeper than %d levels", maxFilterDepth)
	}
	var conds []string
	for _, name := range sortedKeys(m) {
		v := m[name]
		if v == nil {
			return "", filterError("%s is null; leave it out to not filter on it", name)
		}
		switch name {
		case "and", "or":
			items, _ := v.([]any)
			parts := make([]string, 0, len(items))
			for _, item := range items {
				obj, _ := item.(map[string]any)
				part, err := w.all(obj, depth+1)
				if err != nil {
					return "", err
				}
				parts = append(parts, part)
			}
			switch {
			case len(parts) == 0 && name == "and":
				conds = append(conds, "true")
			case len(parts) == 0:
				conds = append(conds, "false")
			default:
				conds = append(conds, "("+strings.Join(parts, " "+strings.ToUpper(name)+" ")+")")
			}
		case "not":
			obj, _ := v.(map[string]any)
			part, err := w.all(obj, depth+1)
			if err != nil {
				return "", err
			}
			conds = append(conds, "NOT ("+part+")")
		default:
			f := w.rs.obj.Fields[name]
			ops, _ := v.(map[string]any)
			if f == nil || !f.Spec.Filterable {
				return "", fmt.Errorf("plan: %s has no filterable field %s", w.rs.obj.Spec.Name, name)
			}
			for _, op := range sortedKeys(ops) {
				cond, err := w.condition(f, op, ops[op])
				if err != nil {
					return "", err
				}
				conds = append(conds, cond)
			}
		}
	}
	if len(conds) == 0 {
		return "true", nil
	}
	return strings.Join(conds, " AND "), nil
}

// condition is one operator applied to a field's column.
func (w *filterWriter) condition(f *schema.Field, op string, v any) (string, error) {
	if w.conditions++; w.conditions > maxFilterConditions {
		return "", filterError("more than %d conditions", maxFilterConditions)
	}
	if v == nil {
		return "", filterError("%s.%s is null; use isNull: true to match nulls", f.Spec.Name, op)
	}
	col := w.rs.alias + "." + f.Spec.SQL
	sqlType := w.rs.columnType(f.Spec.Column)
	if e := w.c.index.Enums[f.Type.Named()]; sqlType == "" && e != nil {
		sqlType = e.Spec.SQLType
	}
	c := w.c
	if sqlOp, ok := comparisons[op]; ok {
		return col + " " + sqlOp + " " + c.typedParam(sqlValue(v), sqlType), nil
	}
	switch op {
	case "isNull":
		if v == true {
			return col + " IS NULL", nil
		}
		return col + " IS NOT NULL", nil
	case "like":
		return col + " LIKE " + c.param(v), nil
	case "ilike":
		return col + " ILIKE " + c.param(v), nil
	case "startsWith":
		return col + " LIKE " + c.param(escapeLike(v.(string))+"%"), nil
	case "contains":
		return col + " LIKE " + c.param("%"+escapeLike(v.(string))+"%"), nil
	case "in", "nin":
		items, _ := v.([]any)
		var cond string
		switch {
		case sqlType != "":
			cond = col + " = ANY(" + c.typedParam(sqlValue(items), sqlType+"[]") + ")"
		case len(items) == 0:
			cond = "false"
		default:
			// Without the column's type an array parameter would be typed
			// by its Go elements (text[] against an enum fails); single
			// parameters take the column's type.
			params := make([]string, len(items))
			for i, item := range items {
				params[i] = c.param(sqlValue(item))
			}
			cond = col + " IN (" + strings.Join(params, ", ") + ")"
		}
		if op == "nin" {
			return "NOT (" + cond + ")", nil
		}
		return cond, nil
	}
	return "", fmt.Errorf("plan: unknown filter operator %q", op)
}

// escapeLike makes s match itself in a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }
