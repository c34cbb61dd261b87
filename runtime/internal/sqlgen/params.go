package sqlgen

import (
	"encoding/json"
	"fmt"

	"github.com/gqlplan/gqlplan/runtime/internal/wire"
	"github.com/gqlplan/gqlplan/spec"
)

// paramValue is the SQL parameter for p: an argument or a claim.
func (c *composer) paramValue(p spec.Param, args map[string]any) (any, error) {
	if p.Claim != "" {
		v, ok := c.claims[p.Claim]
		if !ok {
			return nil, &wire.Error{Message: fmt.Sprintf("the token carries no claim %q", p.Claim), Code: wire.CodeForbidden}
		}
		return ClaimText(v), nil
	}
	if p.Node != "" && args[p.Arg] != nil {
		return c.nodeKey(p, args[p.Arg])
	}
	return sqlValue(args[p.Arg]), nil
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
