package compiler

import (
	"github.com/gqlplan/gqlplan/spec"

	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"

	"github.com/gqlplan/gqlplan/decl"
)

// defaultValue coerces a declared default to its type, as GraphQL input
// coercion would, and returns it as compact JSON for the plan.
func (c *checker) defaultValue(v *decl.Value, t *spec.TypeRef, what string) json.RawMessage {
	got, err := c.coerce(v, t)
	if err != nil {
		c.diags.Errorf(err.at, "default-type", "default value of %s: %s", what, err.msg)
		return nil
	}
	raw, merr := json.Marshal(got)
	if merr != nil { // unreachable: coerce only builds JSON-encodable values
		c.diags.Errorf(v.Range, "default-type", "default value of %s: %v", what, merr)
		return nil
	}
	return raw
}

type coerceError struct {
	at  decl.Range
	msg string
}

func mismatch(v *decl.Value, want string) *coerceError {
	return &coerceError{at: v.Range, msg: fmt.Sprintf("%s is not %s", describeValue(v), want)}
}

func describeValue(v *decl.Value) string {
	switch v.Kind {
	case decl.NullValue:
		return "null"
	case decl.ListValue:
		return "a list"
	case decl.ObjectValue:
		return "an object"
	case decl.StringValue:
		return strconv.Quote(v.Scalar)
	}
	return v.Scalar
}

var (
	uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	timeLayouts = []string{"15:04:05.999999999", "15:04:05.999999999Z07:00"}
)

// coerce returns the JSON form of v as a value of type t.
func (c *checker) coerce(v *decl.Value, t *spec.TypeRef) (any, *coerceError) {
	if v.Kind == decl.NullValue {
		if t.NonNull {
			return nil, &coerceError{at: v.Range, msg: fmt.Sprintf("null is not allowed for the non-null type %s", t)}
		}
		return nil, nil
	}
	if t.Elem != nil {
		if v.Kind != decl.ListValue { // GraphQL coerces a single value to a one-item list
			item, err := c.coerce(v, t.Elem)
			if err != nil {
				return nil, err
			}
			return []any{item}, nil
		}
		items := make([]any, 0, len(v.List))
		for _, e := range v.List {
			item, err := c.coerce(e, t.Elem)
			if err != nil {
				return nil, err
			}
			items = append(items, item)
		}
		return items, nil
	}
	d := c.defs[t.Name]
	switch d.kind {
	case kindEnum:
		if v.Kind == decl.StringValue {
			for _, ev := range d.enum.Values {
				if ev.Name.Value == v.Scalar {
					return v.Scalar, nil
				}
			}
		}
		names := make([]string, len(d.enum.Values))
		for i, ev := range d.enum.Values {
			names[i] = ev.Name.Value
		}
		e := mismatch(v, "a value of enum "+t.Name)
		if v.Kind == decl.StringValue {
			e.msg += decl.DidYouMean(v.Scalar, names)
		}
		return nil, e
	case kindInput:
		return c.coerceInput(v, d)
	}
	return coerceScalar(v, t.Name)
}

func (c *checker) coerceInput(v *decl.Value, d *definition) (any, *coerceError) {
	if v.Kind != decl.ObjectValue {
		return nil, mismatch(v, "an object of input "+d.name.Value)
	}
	fields := map[string]*decl.Field{}
	names := make([]string, 0, len(d.input.Fields))
	for _, f := range d.input.Fields {
		fields[f.Name.Value] = f
		names = append(names, f.Name.Value)
	}
	out := map[string]any{}
	for _, kv := range v.Fields {
		f, ok := fields[kv.Key.Value]
		if !ok {
			return nil, &coerceError{at: kv.Key.Range, msg: fmt.Sprintf("input %s has no field %q%s", d.name.Value, kv.Key.Value, decl.DidYouMean(kv.Key.Value, names))}
		}
		ref, err := spec.ParseTypeRef(f.Type.Value)
		if err != nil || c.defs[ref.Named()] == nil {
			continue // the field's own type is reported where it is declared
		}
		got, cerr := c.coerce(kv.Value, ref)
		if cerr != nil {
			return nil, cerr
		}
		out[kv.Key.Value] = got
	}
	for _, f := range d.input.Fields {
		ref, err := spec.ParseTypeRef(f.Type.Value)
		if _, given := out[f.Name.Value]; err == nil && ref.NonNull && !given && f.Default == nil {
			return nil, &coerceError{at: v.Range, msg: fmt.Sprintf("the required field %q of input %s is missing", f.Name.Value, d.name.Value)}
		}
	}
	return out, nil
}

// coerceScalar checks a literal against a built-in scalar. BigInt and
// Decimal are strings on the wire, so JavaScript clients keep every digit.
func coerceScalar(v *decl.Value, name string) (any, *coerceError) {
	str := v.Kind == decl.StringValue
	switch name {
	case "String":
		if str {
			return v.Scalar, nil
		}
		return nil, mismatch(v, "a String (quote it)")
	case "ID":
		if str || v.Kind == decl.IntValue {
			return v.Scalar, nil
		}
		return nil, mismatch(v, "an ID")
	case "Boolean":
		if v.Kind == decl.BoolValue {
			return v.Scalar == "true", nil
		}
		return nil, mismatch(v, "a Boolean")
	case "Int":
		if n, err := strconv.ParseInt(v.Scalar, 10, 32); v.Kind == decl.IntValue && err == nil {
			return n, nil
		}
		return nil, mismatch(v, "an Int (a 32-bit integer)")
	case "Float":
		if f, err := strconv.ParseFloat(v.Scalar, 64); (v.Kind == decl.IntValue || v.Kind == decl.FloatValue) && err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f, nil
		}
		return nil, mismatch(v, "a finite Float")
	case "BigInt":
		if _, err := strconv.ParseInt(v.Scalar, 10, 64); (str || v.Kind == decl.IntValue) && err == nil {
			return v.Scalar, nil
		}
		return nil, mismatch(v, "a BigInt (a 64-bit integer)")
	case "Decimal":
		if f, err := strconv.ParseFloat(v.Scalar, 64); (str || v.Kind == decl.IntValue || v.Kind == decl.FloatValue) && err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return v.Scalar, nil
		}
		return nil, mismatch(v, "a Decimal")
	case "DateTime":
		if _, err := time.Parse(time.RFC3339Nano, v.Scalar); str && err == nil {
			return v.Scalar, nil
		}
		return nil, mismatch(v, "a DateTime (RFC 3339, e.g. \"2024-05-01T12:00:00Z\")")
	case "LocalDateTime":
		if _, err := time.Parse("2006-01-02T15:04:05.999999", v.Scalar); str && err == nil {
			return v.Scalar, nil
		}
		return nil, mismatch(v, "a LocalDateTime (ISO 8601 without an offset, e.g. \"2024-05-01T12:00:00\")")
	case "Date":
		if _, err := time.Parse(time.DateOnly, v.Scalar); str && err == nil {
			return v.Scalar, nil
		}
		return nil, mismatch(v, "a Date (\"2024-05-01\")")
	case "Time":
		for _, layout := range timeLayouts {
			if _, err := time.Parse(layout, v.Scalar); str && err == nil {
				return v.Scalar, nil
			}
		}
		return nil, mismatch(v, "a Time (\"12:30:00\")")
	case "UUID":
		if str && uuidPattern.MatchString(v.Scalar) {
			return v.Scalar, nil
		}
		return nil, mismatch(v, "a UUID")
	case "JSON":
		return jsonOf(v), nil
	}
	return nil, mismatch(v, name) // unreachable: every built-in scalar is handled above
}

// jsonOf converts any literal to its JSON value.
func jsonOf(v *decl.Value) any {
	switch v.Kind {
	case decl.BoolValue:
		return v.Scalar == "true"
	case decl.IntValue:
		return json.Number(v.Scalar)
	case decl.FloatValue:
		if f, err := strconv.ParseFloat(v.Scalar, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
		}
		return v.Scalar
	case decl.StringValue:
		return v.Scalar
	case decl.ListValue:
		out := make([]any, len(v.List))
		for i, e := range v.List {
			out[i] = jsonOf(e)
		}
		return out
	case decl.ObjectValue:
		out := map[string]any{}
		for _, kv := range v.Fields {
			out[kv.Key.Value] = jsonOf(kv.Value)
		}
		return out
	}
	return nil
}
