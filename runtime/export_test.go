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
	doc := h.docs.get(query)
	if doc.errs != nil {
		return nil, doc.errs[0]
	}
	op, e := selectOperation(doc.ast, "")
	if e != nil {
		return nil, e
	}
	exec, errs := h.schema.newExecutable(op, vars)
	if errs != nil {
		return nil, errs[0]
	}
	r := &request{schema: h.schema, limits: h.cfg.Limits, exec: exec, claims: claims}
	fields, err := r.plan()
	if err != nil {
		return nil, err
	}
	var out []ComposedStatement
	for _, f := range fields {
		if f.err != nil {
			return nil, f.err
		}
		if f.stmt != nil {
			out = append(out, ComposedStatement{Field: f.key, SQL: f.stmt.sql, Args: f.stmt.args})
		}
	}
	return out, nil
}
