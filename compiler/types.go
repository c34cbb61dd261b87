package compiler

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/spec"
)

func text(t *decl.Text) string {
	if t == nil {
		return ""
	}
	return t.Value
}

func (c *checker) objectType(d *definition) spec.ObjectType {
	t := d.object
	out := spec.ObjectType{Name: t.Name.Value, Description: text(t.Description), Fields: []spec.Field{}}
	if len(t.Fields) == 0 {
		c.diags.Errorf(t.Name.Range, "empty-type", "type %q has no fields", t.Name.Value)
	}
	c.checkKeyDeclared(t)
	for _, f := range t.Fields {
		if !c.checkName(f.Name, "field") {
			continue
		}
		out.Fields = append(out.Fields, c.objectField(d, f))
	}
	c.nodeType(d, &out)
	return out
}

// fieldColumn is the SQL column (or jsonb key) a field reads, and where
// it was written: "column", or the field name in snake_case.
func fieldColumn(f *decl.Field) (string, decl.Range) {
	if f.Column != nil {
		return f.Column.Value, f.Column.Range
	}
	return snakeCase(f.Name.Value), f.Name.Range
}

func (c *checker) inputType(d *definition) spec.InputType {
	t := d.input
	out := spec.InputType{Name: t.Name.Value, Description: text(t.Description), Fields: []spec.InputValue{}}
	if len(t.Fields) == 0 {
		c.diags.Errorf(t.Name.Range, "empty-type", "input %q has no fields", t.Name.Value)
	}
	for _, f := range t.Fields {
		if !c.checkName(f.Name, "input field") {
			continue
		}
		what := fmt.Sprintf("input field %s.%s", t.Name.Value, f.Name.Value)
		v := c.inputValue(f.Name, f.Type, f.Description, f.Default, what)
		v.Node = c.nodeID(f.Node, f.Type, what)
		out.Fields = append(out.Fields, v)
	}
	return out
}

// inputValue checks an input field or argument: its type must be an input
// type and its default must coerce to that type.
func (c *checker) inputValue(name, typ decl.Text, desc *decl.Text, def *decl.Value, what string) spec.InputValue {
	v := spec.InputValue{Name: name.Value, Description: text(desc)}
	ref := c.resolveType(typ, true, what)
	if ref == nil {
		return v
	}
	v.Type = ref.String()
	// "default: null" on a nullable type means no default, and is recorded
	// as none: an absent argument and a null one read the same in SQL.
	if def != nil && (def.Kind != decl.NullValue || ref.NonNull) {
		v.Default = c.defaultValue(def, ref, what)
	}
	return v
}

func (c *checker) enumType(d *definition) spec.Enum {
	e := d.enum
	out := spec.Enum{Name: e.Name.Value, Description: text(e.Description), Values: []spec.EnumValue{}}
	if e.SQLType != nil {
		q, _ := c.qualifiedName(*e.SQLType, d.file, "sql_type of enum "+e.Name.Value)
		out.SQLType = q.SQL
	}
	if len(e.Values) == 0 {
		c.diags.Errorf(e.Name.Range, "empty-enum", "enum %q has no values", e.Name.Value)
	}
	sqlValues := map[string]decl.Text{}
	for _, v := range e.Values {
		if !c.checkName(v.Name, "enum value") {
			continue
		}
		if slices.Contains([]string{"true", "false", "null"}, v.Name.Value) {
			c.diags.Errorf(v.Name.Range, "invalid-name", "enum value %q cannot be true, false or null", v.Name.Value)
			continue
		}
		sqlValue := decl.Text{Value: strings.ToLower(v.Name.Value), Range: v.Name.Range}
		if v.SQLValue != nil {
			sqlValue = *v.SQLValue
		}
		if prev, dup := sqlValues[sqlValue.Value]; dup {
			c.diags.Errorf(sqlValue.Range, "duplicate-enum-value", "enum %s maps two values to the SQL value %q (the first at %s)", e.Name.Value, sqlValue.Value, prev.Range)
			continue
		}
		sqlValues[sqlValue.Value] = sqlValue
		out.Values = append(out.Values, spec.EnumValue{
			Name: v.Name.Value, SQLValue: sqlValue.Value,
			Description: text(v.Description), Deprecated: text(v.Deprecated),
		})
	}
	return out
}

// qualifiedName validates "[schema.]name" and returns it quoted and
// qualified, defaulting the schema to the file's "schema" or public.
func (c *checker) qualifiedName(t decl.Text, f *decl.File, what string) (qualified, bool) {
	parts := strings.Split(t.Value, ".")
	if len(parts) > 2 {
		c.diags.Errorf(t.Range, "invalid-sql-identifier", "%s %q has too many dots: write name or schema.name", what, t.Value)
		return qualified{}, false
	}
	schema := defaultSchema(f)
	// An invalid file schema was reported once, by checkFileSchemas.
	schemaOK := sqlIdent.MatchString(schema) && len(schema) <= maxIdentLen
	if len(parts) == 2 {
		schema = parts[0]
		_, schemaOK = c.checkSQLIdent(schema, t.Range, "schema of "+what)
	}
	_, nameOK := c.checkSQLIdent(parts[len(parts)-1], t.Range, what)
	if !schemaOK || !nameOK {
		return qualified{}, false
	}
	q := qualified{Schema: schema, Name: parts[len(parts)-1]}
	q.SQL = quoteIdent(q.Schema) + "." + quoteIdent(q.Name)
	return q, true
}

// qualified is a validated schema-qualified SQL name.
type qualified struct {
	Schema, Name string
	SQL          string // quoted: "schema"."name"
}

func defaultSchema(f *decl.File) string {
	if f.Schema != nil {
		return f.Schema.Value
	}
	return "public"
}

func (c *checker) checkFileSchemas() {
	for _, f := range c.files {
		if f.Schema != nil {
			c.checkSQLIdent(f.Schema.Value, f.Schema.Range, "schema")
		}
	}
}
