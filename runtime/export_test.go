package runtime

import (
	"github.com/gqlplan/gqlplan/auth"
	"github.com/gqlplan/gqlplan/runtime/internal/nonnull"
	"github.com/gqlplan/gqlplan/runtime/internal/operation"
)

// ComposedStatement is the SQL of one root field.
type ComposedStatement struct {
	Field string
	SQL   string
	Args  []any
	// Call is the SQL of a mutation's call, run first; Nulls the sites
	// of the result's markers.
	Call     string
	CallArgs []any
	Nulls    []nonnull.Site
	Reads    []string // the sources it names
}

// Compose plans a query document as a request does (variables coerced,
// the claims of a verified token) and returns its statements without
// running them: the golden SQL tests print them, the keyset tests EXPLAIN
// them.
func (h *Handler) Compose(query string, vars, claims map[string]any) ([]ComposedStatement, error) {
	return h.compose(query, vars, claims, false)
}

// ComposeReusing is Compose as a request does it: reusing what an
// earlier request of the same shape composed; reused reports whether it
// did.
func (h *Handler) ComposeReusing(query string, vars, claims map[string]any) (stmts []ComposedStatement, reused bool, err error) {
	if r, errs := h.docs.Read(query, "", vars); errs == nil {
		reused = h.composed.find(r) != nil
	}
	stmts, err = h.compose(query, vars, claims, true)
	return stmts, reused, err
}

func (h *Handler) compose(query string, vars, claims map[string]any, reuse bool) ([]ComposedStatement, error) {
	role, _ := claims["role"].(string)
	r, errs := h.docs.Read(query, "", vars)
	if errs != nil {
		return nil, errs[0]
	}
	var fields []*rootField
	if reuse {
		var es []*Error
		if _, fields, es = h.planRequest(r, auth.Identity{Role: role, Claims: claims}, nil); es != nil {
			return nil, es[0]
		}
	} else {
		op, errs := h.docs.Collect(r)
		if errs != nil {
			return nil, errs[0]
		}
		var e *Error
		if fields, e = h.plan(op, role, claims, nil, nil, nil); e != nil {
			return nil, e
		}
	}
	var out []ComposedStatement
	for _, f := range fields {
		if f.err != nil {
			return nil, f.err
		}
		if f.stmt != nil {
			st := ComposedStatement{Field: f.key, SQL: f.stmt.SQL, Args: f.stmt.Args, Nulls: f.stmt.Nulls, Reads: f.stmt.Reads}
			if f.stmt.Call != nil {
				st.Call, st.CallArgs = f.stmt.Call.SQL, f.stmt.Call.Args
			}
			out = append(out, st)
		}
	}
	return out, nil
}

// KeptValues are every argument value the composed cache holds: the kept
// statements' arguments and the kept fields' argument values.
func (h *Handler) KeptValues() []any {
	var out []any
	var walk func([]*operation.Field)
	walk = func(fields []*operation.Field) {
		for _, f := range fields {
			for _, v := range f.Args.Map() {
				out = append(out, v)
			}
			walk(f.Children)
		}
	}
	for _, key := range h.composed.lru.Keys() {
		entry, _ := h.composed.lru.Peek(key)
		for _, s := range entry.shapes {
			for _, st := range s.statements {
				if st != nil {
					out = append(out, st.Args...)
				}
			}
			walk(s.op.Fields)
		}
	}
	return out
}
