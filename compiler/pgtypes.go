package compiler

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gqlplan/gqlplan/compiler/catalog"
	"github.com/gqlplan/gqlplan/spec"
)

// scalarSQLTypes are the pg_catalog types each built-in scalar reads from
// and is passed as. The runtime renders these as the README documents
// (BigInt and Decimal as strings, dates in ISO 8601, …).
var scalarSQLTypes = map[string][]string{
	"BigInt":   {"int2", "int4", "int8"},
	"Boolean":  {"bool"},
	"Date":     {"date"},
	"DateTime": {"timestamptz"},
	// timestamp holds no offset: DateTime would output none and drop one
	// sent in.
	"LocalDateTime": {"timestamp"},
	"Decimal":       {"numeric", "int2", "int4", "int8", "float4", "float8"},
	"Float":         {"float4", "float8", "numeric", "int2", "int4", "int8"},
	"ID":            {"text", "varchar", "bpchar", "name", "citext", "uuid", "int2", "int4", "int8"},
	"Int":           {"int2", "int4"},
	"JSON":          {"json", "jsonb"},
	"Time":          {"time", "timetz"},
	"UUID":          {"uuid"},
	// String: any type of the string category, enums and uuid; see fit.
}

// wideInts are the types an Int may read but not always hold: PostgreSQL
// counts (count(*)) and sums are bigint or numeric.
var wideInts = []string{"int8", "numeric"}

// builtinName is the name of a type of pg_catalog ("int4"), following
// domains, or "" for other types.
func builtinName(t *catalog.Type) string {
	t = t.Underlying()
	if t == nil || t.Name.Schema != "pg_catalog" {
		return ""
	}
	return t.Name.Name
}

func isJSON(t *catalog.Type) bool {
	n := builtinName(t)
	return n == "json" || n == "jsonb"
}

// fit reports whether values of the PostgreSQL type t can stand for the
// GraphQL type ref: "" when they can, else what is wrong. wide is set when
// an Int reads a type wider than 32 bits.
func (c *checker) fit(ref *spec.TypeRef, t *catalog.Type) (problem string, wide bool) {
	if t == nil {
		return "", false // a type the catalog could not name: nothing to check
	}
	u := t.Underlying()
	if ref.Elem != nil {
		switch {
		case isJSON(u):
			return "", false
		case u.Category == 'A' && u.Elem != nil:
			problem, wide := c.fit(ref.Elem, u.Elem)
			if problem != "" {
				return fmt.Sprintf("the elements of %s: %s", t.SQL, problem), false
			}
			return "", wide
		}
		return fmt.Sprintf("%s is a list, so it needs an array or a json/jsonb column, not %s", ref, t.SQL), false
	}
	name := ref.Named()
	switch c.defs[name].kind {
	case kindObject, kindInput:
		if isJSON(u) {
			return "", false
		}
		return fmt.Sprintf("%s is an object, so it needs json or jsonb, not %s", name, t.SQL), false
	case kindEnum:
		if u.Kind == catalog.EnumType || u.Category == 'S' {
			return "", false
		}
		return fmt.Sprintf("enum %s needs a PostgreSQL enum or text, not %s", name, t.SQL), false
	}
	builtin := builtinName(u)
	if name == "String" {
		if u.Category == 'S' || u.Kind == catalog.EnumType || builtin == "uuid" {
			return "", false
		}
		return fmt.Sprintf("String needs a text-like type (text, varchar, an enum, uuid), not %s", t.SQL), false
	}
	if name == "Int" && slices.Contains(wideInts, builtin) {
		return "", true
	}
	if slices.Contains(scalarSQLTypes[name], builtin) {
		return "", false
	}
	problem = fmt.Sprintf("%s does not fit %s, which reads %s", t.SQL, name, joinOr(scalarSQLTypes[name]))
	if fits := scalarsReading(builtin); len(fits) > 0 {
		problem += ": declare " + joinOr(fits)
	}
	return problem, false
}

// scalarsReading are the scalars a pg_catalog type is read as, the one
// that keeps it exactly first.
func scalarsReading(builtin string) []string {
	var out []string
	for name, types := range scalarSQLTypes {
		if slices.Contains(types, builtin) {
			out = append(out, name)
		}
	}
	if builtin != "" && builtin != "uuid" && slices.Contains([]string{"text", "varchar", "bpchar", "name", "citext"}, builtin) {
		out = append(out, "String")
	}
	slices.SortFunc(out, func(a, b string) int {
		ia, ib := slices.Index(scalarSQLTypes[a], builtin), slices.Index(scalarSQLTypes[b], builtin)
		if ia != ib {
			return ia - ib // where the type comes first, it is the scalar's own
		}
		if la, lb := len(scalarSQLTypes[a]), len(scalarSQLTypes[b]); la != lb {
			return la - lb // the narrower scalar fits more exactly
		}
		return strings.Compare(a, b)
	})
	return out
}

func joinOr(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// jsonKinds are the jsonb_typeof values a GraphQL type accepts.
func (c *checker) jsonKinds(ref *spec.TypeRef) []string {
	if ref.Elem != nil {
		return []string{"array"}
	}
	name := ref.Named()
	switch c.defs[name].kind {
	case kindObject:
		return []string{"object"}
	case kindEnum:
		return []string{"string"}
	}
	switch name {
	case "Int", "Float":
		return []string{"number"}
	case "BigInt", "Decimal", "ID":
		return []string{"number", "string"}
	case "Boolean":
		return []string{"boolean"}
	case "JSON":
		return nil // anything
	}
	return []string{"string"}
}
