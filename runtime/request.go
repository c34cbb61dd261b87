package runtime

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gqlplan/gqlplan/spec"
)

// request is one operation being planned: what GraphQL decided about it
// (the executable) and the caller's verified claims (nil for an
// anonymous caller).
type request struct {
	schema          *schema
	limits          Limits
	noIntrospection bool
	exec            *executable
	claims          map[string]any
}

// rootField is one key of the response's data and how it is produced.
type rootField struct {
	key      string
	nonNull  bool       // a null here nulls the whole data
	typename string     // __typename: the root type's name
	intro    *selection // __schema / __type, answered from the plan
	stmt     *statement // a plan operation, answered by PostgreSQL
	token    bool       // the result is claims, answered with a signed token
	result   json.RawMessage
	err      *Error
	loc      Location
}

// fail sets the field's error, located at the field and pathed to its key.
func (f *rootField) fail(e *Error) {
	e.Path = []any{f.key}
	e.Locations = nil
	e.locate(f.loc)
	f.err = e
}

// plan turns the root selections into root fields, composing the SQL of
// each plan operation. Errors of one field (bad arguments, a missing
// claim) stay on that field.
func (r *request) plan() ([]*rootField, error) {
	rootType, ops := "Query", r.schema.queries
	if r.exec.mutation {
		rootType, ops = "Mutation", r.schema.mutations
	}
	sels := r.exec.fields
	if len(sels) > r.limits.MaxRootFields {
		return nil, &Error{Message: fmt.Sprintf("The operation selects more than %d root fields.", r.limits.MaxRootFields), Code: CodeTooManyRootFields}
	}
	fields := make([]*rootField, 0, len(sels))
	for _, sel := range sels {
		f := &rootField{key: sel.key, loc: sel.loc}
		fields = append(fields, f)
		switch name := sel.name; name {
		case "__typename":
			f.typename = rootType
		case "__schema", "__type":
			if r.noIntrospection {
				return nil, &Error{Message: "Introspection is disabled on this server.", Code: CodeIntrospectionOff}
			}
			f.intro = sel
		default:
			op := ops[name]
			if op == nil { // validation rejects this; never trust it blindly
				f.fail(&Error{Message: fmt.Sprintf("Cannot query field %q on type %q.", name, rootType), Code: CodeValidationFailed})
				break
			}
			f.nonNull = op.returns.NonNull
			f.token = op.spec.Token
			if sel.err != nil {
				f.fail(sel.err)
				break
			}
			if e := r.authorize(op); e != nil {
				f.fail(e)
				break
			}
			stmt, err := r.compose(op, sel)
			if err != nil {
				f.fail(asError(err, CodeInternal))
				break
			}
			f.stmt = &stmt
		}
	}
	return fields, nil
}

// authorize checks that the claims an operation injects are present.
func (r *request) authorize(op *operation) *Error {
	if len(op.spec.Claims) == 0 {
		return nil
	}
	if r.claims == nil {
		return &Error{Message: fmt.Sprintf("%s requires authentication: send a bearer token.", op.spec.Name), Code: CodeUnauthenticated}
	}
	var missing []string
	for _, c := range op.spec.Claims {
		if v, ok := r.claims[c]; !ok || v == nil {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return &Error{Message: fmt.Sprintf("%s requires the token claim %s, which it does not carry.", op.spec.Name, strings.Join(quoteAll(missing), ", ")), Code: CodeForbidden}
	}
	return nil
}

// paramValue is the SQL parameter for p: an argument or a claim.
func (r *request) paramValue(p spec.Param, args map[string]any) (any, error) {
	if p.Claim != "" {
		v, ok := r.claims[p.Claim]
		if !ok {
			return nil, &Error{Message: fmt.Sprintf("the token carries no claim %q", p.Claim), Code: CodeForbidden}
		}
		return claimText(v), nil
	}
	return sqlValue(args[p.Arg]), nil
}

// claimText is a claim as the text PostgreSQL parses into the parameter's
// type: strings as they are, numbers and booleans in their JSON spelling,
// objects and arrays as JSON.
func claimText(v any) string {
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

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("%q", n)
	}
	return out
}

// asError returns err as an *Error, with code when it is not one already.
func asError(err error, code string) *Error {
	if e, ok := err.(*Error); ok {
		return e
	}
	return &Error{Message: err.Error(), Code: code}
}
