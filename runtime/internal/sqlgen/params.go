package sqlgen

import (
	"encoding/json"
	"fmt"

	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
	"github.com/gqlplan/gqlplan/spec"
)

// A value of the request reaches the SQL in one of two ways. One that
// decides the statement's text — a filter's shape, an order, a page size,
// a cursor, a node id — is read with [decided] and recorded as deciding.
// One that is only bound as a parameter — a function's argument, a
// condition's value, a claim — is a [boundValue]: composed into a
// parameter and recorded as a [Slot] of the statement, so that
// [Statement.Rebind] can bind another request's value without composing.

// decided is the argument name, read to decide the statement's text.
func decided(args operation.Args, name string) any {
	v, _ := args.Value(name)
	return v
}

// boundValue is a parameter's value and, when the request can change it
// without changing the SQL, where it came from.
type boundValue struct {
	value    any
	variable string // the variable that is the argument's whole value
	claim    string // or the claim
	convert  func(any) (any, error)
}

// plainValue binds an argument as pgx binds it (see sqlValue).
func plainValue(v any) (any, error) { return sqlValue(v), nil }

// claimValue binds a claim: absent, it is the error the composer gives.
func claimValue(v any) (any, error) {
	if v == nil {
		return nil, errNoClaim
	}
	return ClaimText(v), nil
}

var errNoClaim = fmt.Errorf("no claim")

// bind writes the parameter of b cast to sqlType (see typedParam),
// recording it as a slot when it may change between requests.
func (c *composer) bind(b boundValue, sqlType string) string {
	placeholder := c.typedParam(b.value, sqlType)
	if b.variable != "" || b.claim != "" {
		c.slots = append(c.slots, Slot{Index: len(c.args) - 1, Variable: b.variable, Claim: b.claim, convert: b.convert})
	}
	return placeholder
}

// paramValue is the bound value of p: an argument or a claim, converted.
func (c *composer) paramValue(p spec.Param, args operation.Args) (boundValue, error) {
	if p.Claim != "" {
		v, ok := c.claims[p.Claim]
		if !ok {
			return boundValue{}, &wire.Error{Message: fmt.Sprintf("the token carries no claim %q", p.Claim), Code: wire.CodeForbidden}
		}
		return boundValue{value: ClaimText(v), claim: p.Claim, convert: claimValue}, nil
	}
	v, variable, _ := args.Bound(p.Arg)
	if p.Node != "" && v != nil {
		index := c.index
		convert := func(v any) (any, error) { return nodeKey(index, p, v) }
		key, err := convert(v)
		if err != nil {
			return boundValue{}, err
		}
		return boundValue{value: key, variable: variable, convert: convert}, nil
	}
	return boundValue{value: sqlValue(v), variable: variable, convert: plainValue}, nil
}

// ClaimText is a claim as the text PostgreSQL parses into the parameter's
// type: strings as they are, numbers and booleans in their JSON spelling,
// objects and arrays as JSON.
func ClaimText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return string(v)
	}
	text, _ := json.Marshal(v)
	return string(text)
}

// sqlValue converts a coerced value into what pgx binds: lists become
// slices of one element type (so PostgreSQL gets a typed array), input
// objects become JSON text (for a json/jsonb parameter).
func sqlValue(v any) any {
	switch v := v.(type) {
	case []any:
		return typedSlice(v)
	case map[string]any:
		text, _ := json.Marshal(v)
		return string(text)
	}
	return v
}

func typedSlice(items []any) any {
	if len(items) == 0 {
		return []string{}
	}
	switch items[0].(type) {
	case string:
		return sliceOf[string](items)
	case int64:
		return sliceOf[int64](items)
	case float64:
		return sliceOf[float64](items)
	case bool:
		return sliceOf[bool](items)
	}
	out := make([]any, len(items))
	for i, item := range items {
		out[i] = sqlValue(item)
	}
	return out
}

// sliceOf returns items as []T, or as []any (elements converted) when
// some item is not a T (a null in the list).
func sliceOf[T any](items []any) any {
	out := make([]T, len(items))
	for i, item := range items {
		v, ok := item.(T)
		if !ok {
			generic := make([]any, len(items))
			copy(generic, items)
			return generic
		}
		out[i] = v
	}
	return out
}
