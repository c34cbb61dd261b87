package runtime

// ComposedStatement is the SQL of one root field.
type ComposedStatement struct {
	Field string
	SQL   string
	Args  []any
}

// Compose plans a query document as a request does (variables coerced,
// the claims of a verified token) and returns its statements without
// running them: the golden SQL tests print them, the keyset tests EXPLAIN
// them.
func (h *Handler) Compose(query string, vars, claims map[string]any) ([]ComposedStatement, error) {
	op, errs := h.docs.Operation(query, "", vars)
	if errs != nil {
		return nil, errs[0]
	}
	role, _ := claims["role"].(string)
	fields, e := h.plan(op, role, claims)
	if e != nil {
		return nil, e
	}
	var out []ComposedStatement
	for _, f := range fields {
		if f.err != nil {
			return nil, f.err
		}
		if f.stmt != nil {
			out = append(out, ComposedStatement{Field: f.key, SQL: f.stmt.SQL, Args: f.stmt.Args})
		}
	}
	return out, nil
}
