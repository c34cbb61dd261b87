package compiler

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/spec"
)

// The types gqlplan generates for lists — Relay connections, filter
// inputs, order inputs — go into the plan like declared ones, so the SDL,
// introspection and the runtime see one schema. Each is generated once,
// when the first list needs it; a declared type of the same name is an
// error rather than a silent replacement.

// generatedTypes collects the generated types by name.
type generatedTypes struct {
	types  map[string]spec.ObjectType
	inputs map[string]spec.InputType
	enums  map[string]spec.Enum
}

// claim reserves a generated name; false (after reporting) when a declared
// type has it.
func (c *checker) claimName(name string, at decl.Range, why string) bool {
	if d, ok := c.defs[name]; ok && d.kind != kindScalar {
		c.diags.Errorf(at, "generated-name-conflict", "%s needs the generated type %s, but %s %s is declared at %s; rename it", why, name, d.kind, name, d.name.Range)
		return false
	}
	return true
}

func (c *checker) connectionTypes(node string, at decl.Range) {
	conn, edge := node+"Connection", node+"Edge"
	if _, done := c.gen.types[conn]; done {
		return
	}
	why := "a connection of " + node
	if !c.claimName(conn, at, why) || !c.claimName(edge, at, why) || !c.claimName("PageInfo", at, why) {
		return
	}
	c.gen.types[conn] = spec.ObjectType{
		Name: conn, Generated: spec.GeneratedConnection,
		Description: fmt.Sprintf("A page of %s rows.", node),
		Fields: []spec.Field{
			{Name: "edges", Type: "[" + edge + "!]!", Description: "The rows of the page, each with its cursor."},
			{Name: "nodes", Type: "[" + node + "!]!", Description: "The rows of the page."},
			{Name: "pageInfo", Type: "PageInfo!", Description: "Where the page is in the list."},
			{Name: "totalCount", Type: "Int!", Description: "How many rows the list has, over all pages (counted only when selected)."},
		},
	}
	c.gen.types[edge] = spec.ObjectType{
		Name: edge, Generated: spec.GeneratedEdge,
		Description: fmt.Sprintf("%s %s row and its cursor.", article(node), node),
		Fields: []spec.Field{
			{Name: "cursor", Type: "String!", Description: "Pass it as after or before to read the rows after or before this one."},
			{Name: "node", Type: node + "!"},
		},
	}
	c.gen.types["PageInfo"] = spec.ObjectType{
		Name: "PageInfo", Generated: spec.GeneratedPageInfo,
		Description: "Where a page is in its list (Relay cursor connections).",
		Fields: []spec.Field{
			{Name: "hasNextPage", Type: "Boolean!"},
			{Name: "hasPreviousPage", Type: "Boolean!"},
			{Name: "startCursor", Type: "String", Description: "The cursor of the first row of the page."},
			{Name: "endCursor", Type: "String", Description: "The cursor of the last row of the page."},
		},
	}
}

// Operators of the generated filter inputs, by kind of value.
var (
	equalityOps   = []string{"eq", "neq", "in", "nin", "isNull"}
	comparableOps = []string{"eq", "neq", "gt", "gte", "lt", "lte", "in", "nin", "isNull"}
	textOps       = []string{"eq", "neq", "gt", "gte", "lt", "lte", "in", "nin", "isNull", "like", "ilike", "startsWith", "contains"}
	booleanOps    = []string{"eq", "neq", "isNull"}
)

// filterOperators are the operators a field of the named scalar or enum
// may be filtered with (nil: not filterable).
func (c *checker) filterOperators(named string) []string {
	switch d := c.defs[named]; {
	case d == nil:
		return nil
	case d.kind == kindEnum:
		return equalityOps
	case d.kind != kindScalar:
		return nil
	}
	switch named {
	case "JSON":
		return nil
	case "Boolean":
		return booleanOps
	case "String":
		return textOps
	case "ID", "UUID":
		return equalityOps
	}
	return comparableOps
}

var filterOpDescriptions = map[string]string{
	"eq": "Equal to.", "neq": "Not equal to (rows where the value is null do not match).",
	"gt": "Greater than.", "gte": "Greater than or equal to.", "lt": "Less than.", "lte": "Less than or equal to.",
	"in": "Equal to one of.", "nin": "Equal to none of.", "isNull": "true: is null; false: is not null.",
	"like": "Matches a LIKE pattern (% and _ are wildcards).", "ilike": "Matches a LIKE pattern, ignoring case.",
	"startsWith": "Starts with (no wildcards).", "contains": "Contains (no wildcards).",
}

// filterInput generates <Node>Filter and the operator input of each
// filterable field's type.
func (c *checker) filterInput(node string, at decl.Range, what string) (string, bool) {
	name := node + "Filter"
	if _, done := c.gen.inputs[name]; done {
		return name, true
	}
	obj := c.objects[node]
	why := what + ": filterable"
	if !c.claimName(name, at, why) {
		return "", false
	}
	in := spec.InputType{Name: name, Description: fmt.Sprintf("Conditions on %s rows; all of them hold.", node)}
	for _, f := range obj.Fields {
		if !f.Filterable {
			continue
		}
		ref, _ := spec.ParseTypeRef(f.Type)
		opsName := ref.Named() + "Filter"
		if _, done := c.gen.inputs[opsName]; !done {
			if !c.claimName(opsName, at, why) {
				return "", false
			}
			ops := spec.InputType{Name: opsName, Description: fmt.Sprintf("Conditions on one %s value; all of them hold.", ref.Named())}
			for _, op := range c.filterOperators(ref.Named()) {
				typ := ref.Named()
				switch op {
				case "in", "nin":
					typ = "[" + typ + "!]"
				case "isNull":
					typ = "Boolean"
				}
				ops.Fields = append(ops.Fields, spec.InputValue{Name: op, Type: typ, Description: filterOpDescriptions[op]})
			}
			c.gen.inputs[opsName] = ops
		}
		in.Fields = append(in.Fields, spec.InputValue{Name: f.Name, Type: opsName})
	}
	if len(in.Fields) == 0 {
		c.diags.Errorf(at, "no-filterable-fields", "%s is filterable, but no field of %s is: mark fields with filterable: true", what, node)
		return "", false
	}
	in.Fields = append(in.Fields,
		spec.InputValue{Name: "and", Type: "[" + name + "!]", Description: "All of these hold."},
		spec.InputValue{Name: "or", Type: "[" + name + "!]", Description: "At least one of these holds."},
		spec.InputValue{Name: "not", Type: name, Description: "This does not hold."})
	c.gen.inputs[name] = in
	return name, true
}

// sortInput generates <Node>OrderBy, <Node>OrderField and the shared
// OrderDirection and NullsOrder enums.
func (c *checker) sortInput(node string, at decl.Range, what string) (string, bool) {
	name, fieldEnum := node+"OrderBy", node+"OrderField"
	if _, done := c.gen.inputs[name]; done {
		return name, true
	}
	why := what + ": sortable"
	for _, n := range []string{name, fieldEnum, "OrderDirection", "NullsOrder"} {
		if !c.claimName(n, at, why) {
			return "", false
		}
	}
	fields := spec.Enum{Name: fieldEnum, Description: fmt.Sprintf("The fields %s rows can be ordered by.", node)}
	for _, f := range c.objects[node].Fields {
		if f.Sortable {
			fields.Values = append(fields.Values, spec.EnumValue{Name: upperSnake(f.Name), SQLValue: f.Name})
		}
	}
	if len(fields.Values) == 0 {
		c.diags.Errorf(at, "no-sortable-fields", "%s is sortable, but no field of %s is: mark fields with sortable: true", what, node)
		return "", false
	}
	c.gen.enums[fieldEnum] = fields
	c.gen.enums["OrderDirection"] = spec.Enum{Name: "OrderDirection", Values: []spec.EnumValue{
		{Name: "ASC", SQLValue: "asc", Description: "Smallest first."},
		{Name: "DESC", SQLValue: "desc", Description: "Largest first."},
	}}
	c.gen.enums["NullsOrder"] = spec.Enum{Name: "NullsOrder", Values: []spec.EnumValue{
		{Name: "FIRST", SQLValue: "first", Description: "Nulls before values."},
		{Name: "LAST", SQLValue: "last", Description: "Nulls after values."},
	}}
	c.gen.inputs[name] = spec.InputType{
		Name: name, Description: fmt.Sprintf("One term of the order of %s rows.", node),
		Fields: []spec.InputValue{
			{Name: "field", Type: fieldEnum + "!"},
			{Name: "direction", Type: "OrderDirection", Default: []byte(`"ASC"`)},
			{Name: "nulls", Type: "NullsOrder", Description: "Where nulls go (default: last ascending, first descending)."},
		},
	}
	return name, true
}

// addGenerated adds the generated types to the plan, keeping each
// section sorted by name.
func (c *checker) addGenerated(plan *spec.Plan) {
	for _, t := range c.gen.types {
		plan.Types = append(plan.Types, t)
	}
	for _, in := range c.gen.inputs {
		plan.Inputs = append(plan.Inputs, in)
	}
	for _, e := range c.gen.enums {
		plan.Enums = append(plan.Enums, e)
	}
	slices.SortFunc(plan.Types, func(a, b spec.ObjectType) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(plan.Inputs, func(a, b spec.InputType) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(plan.Enums, func(a, b spec.Enum) int { return cmp.Compare(a.Name, b.Name) })
}

// article is the indefinite article of a type name in a description, by
// its sound: "An Issue row", "A Post row", "A User row" (a U then one
// consonant and a vowel sounds "you": User, Unit, Usage), "An Update row".
func article(name string) string {
	lower := strings.ToLower(name)
	vowel := func(i int) bool { return i < len(lower) && strings.IndexByte("aeiou", lower[i]) >= 0 }
	switch {
	case lower == "":
		return "A"
	case lower[0] == 'u':
		if len(lower) > 2 && !vowel(1) && vowel(2) {
			return "A"
		}
		return "An"
	case vowel(0):
		return "An"
	}
	return "A"
}
