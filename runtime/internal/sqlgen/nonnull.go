package sqlgen

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gqlplan/gqlplan/runtime/internal/nonnull"
	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/schema"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
	"github.com/gqlplan/gqlplan/spec"
)

// Non-null: where the schema promises a value but the row may hold none
// — a nullable column, a key in a jsonb document, a to-one relation (its
// key may be null, Row Level Security may hide its row), a function's
// result, an enum label the GraphQL enum lacks, a NULL element of an
// array typed [T!] — the statement writes a marker of package nonnull in
// place of the null, and the runtime turns it into a field error and
// places the null as the specification does. A column the catalog says
// is NOT NULL needs no check. A nested field whose own arguments are
// wrong is a marker too (argumentError), so its error is reported under
// each parent row it runs under.
//
// Each composed value knows its "up": how many path segments a null in
// it goes up to the nearest nullable position (see nonnull.Site.Up). An
// object's fields are at one segment below the object.

// upOf is the up of a value of type t whose parent's up is parent.
func upOf(t *spec.TypeRef, parent int) int {
	if t != nil && t.NonNull {
		return parent + 1
	}
	return 0
}

// elemUp is the up of the elements of a list of type t at a position
// whose up is at.
func elemUp(t *spec.TypeRef, at int) int {
	if t == nil {
		return 0
	}
	return upOf(t.Elem, at)
}

// site adds the site of field f (of type typ, in an object whose up is
// up) to the statement and returns its marker, as a json literal.
func (c *composer) site(typ string, f *schema.Field, sel *operation.Field, enum string, up int) string {
	c.nulls = append(c.nulls, nonnull.Site{Type: typ, Field: f.Spec.Name, Enum: enum, Up: upOf(f.Type, up), Loc: sel.Loc})
	return markerOf(len(c.nulls) - 1)
}

// markerOf is the marker of site number site, as a json literal.
func markerOf(site int) string {
	return "'{\"" + nonnull.Key + "\":" + strconv.Itoa(site) + "}'::json"
}

// guard writes value, an SQL expression of field f that may be null,
// with a null replaced by its marker when f's type is non-null.
func (c *composer) guard(b *strings.Builder, typ string, f *schema.Field, sel *operation.Field, up int, value string) {
	if !f.Type.NonNull {
		b.WriteString(value)
		return
	}
	b.WriteString("coalesce(to_json(" + value + "), " + c.site(typ, f, sel, "", up) + ")")
}

// argumentError writes, in place of field f of an object of type typ,
// the marker of err when it is an error of the field's own arguments (a
// negative size, a bad cursor, first with last, a page too large, a null
// in where): the runtime reports it at the field's path under each
// parent the field runs under — under none, not at all — and places its
// null as the specification does. Any other error is returned.
func (c *composer) argumentError(b *strings.Builder, typ string, f *schema.Field, sel *operation.Field, up int, err error) error {
	var e *wire.Error
	if !errors.As(err, &e) || (e.Code != wire.CodeBadUserInput && e.Code != wire.CodePageTooLarge) {
		return err
	}
	c.nulls = append(c.nulls, nonnull.Site{Type: typ, Field: f.Spec.Name, Up: upOf(f.Type, up), Loc: sel.Loc, Message: e.Message, Code: e.Code})
	b.WriteString(markerOf(len(c.nulls) - 1))
	return nil
}

// arrayElements is the value of column col of row, which field f reads;
// when it is an array (as the catalog says: a json column is written as
// it is) and f's type, [T!], promises no NULL element, a NULL element
// puts the site's marker, with the first NULL's index, where the list
// would be (see nonnull.Site.Element).
func (c *composer) arrayElements(typ string, f *schema.Field, sel *operation.Field, up int, row rowRef, col string) string {
	value := leaf(c, f, col)
	info := row.column(f.Spec.Column)
	if f.Type.Elem == nil || !f.Type.Elem.NonNull || info == nil || !strings.HasSuffix(info.SQLType, "[]") {
		return value
	}
	c.nulls = append(c.nulls, nonnull.Site{Type: typ, Field: f.Spec.Name, Element: true, Up: elemUp(f.Type, upOf(f.Type, up)), Loc: sel.Loc})
	first := "array_position(" + col + ", NULL)"
	return "CASE WHEN " + first + " IS NULL THEN to_json(" + value + ") ELSE json_build_object(" + quoteLiteral(nonnull.Key) + ", " +
		strconv.Itoa(len(c.nulls)-1) + ", 'i', " + first + " - 1) END"
}

// enumValue writes the GraphQL name of the SQL label text (an expression
// of type text), as json: null for NULL (a marker when f is non-null),
// and a marker holding the label when the enum has no value for it.
func (c *composer) enumValue(b *strings.Builder, typ string, f *schema.Field, sel *operation.Field, up int, e *schema.Enum, text string) {
	site := len(c.nulls)
	marker := c.site(typ, f, sel, e.Spec.Name, up)
	ifNull := "NULL::json"
	if f.Type.NonNull {
		ifNull = marker
	}
	b.WriteString("CASE WHEN " + text + " IS NULL THEN " + ifNull + " ELSE CASE " + text + e.JSONCaseTail)
	b.WriteString(" ELSE json_build_object(" + quoteLiteral(nonnull.Key) + ", " + strconv.Itoa(site) + ", 'v', " + text + ") END END")
}
