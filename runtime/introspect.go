package runtime

import (
	"sort"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
)

// introspect answers the __schema and __type root fields with graphql-go,
// which owns the type system. It runs an operation made of just those
// selections (with the document's fragments); data fields never reach it.
func (h *Handler) introspect(r *request, fields []*rootField) {
	var sels []ast.Selection
	for _, f := range fields {
		if f.intro != nil {
			for _, field := range f.intro.fields {
				sels = append(sels, field)
			}
		}
	}
	if len(sels) == 0 {
		return
	}
	defs := []ast.Node{&ast.OperationDefinition{
		Kind: "OperationDefinition", Operation: ast.OperationTypeQuery,
		VariableDefinitions: r.op.VariableDefinitions,
		SelectionSet:        &ast.SelectionSet{Kind: "SelectionSet", Selections: sels},
	}}
	for _, frag := range r.fragments {
		defs = append(defs, frag)
	}
	result := func() (result *graphql.Result) {
		defer func() {
			if p := recover(); p != nil {
				result = &graphql.Result{}
			}
		}()
		return graphql.Execute(graphql.ExecuteParams{
			Schema: h.schema.gql, AST: &ast.Document{Kind: "Document", Definitions: defs},
			Args: r.vars, // only strings and booleans matter here: __type(name:), includeDeprecated
		})
	}()
	data, _ := result.Data.(map[string]any)
	for _, f := range fields {
		if f.intro == nil {
			continue
		}
		value, ok := data[f.key]
		if !ok || len(result.Errors) > 0 {
			e := &Error{Message: "Introspection failed.", Code: CodeInternal}
			if len(result.Errors) > 0 {
				e.Message = result.Errors[0].Message
			}
			f.fail(e)
			continue
		}
		f.result, _ = marshalNoEscape(sortByName(value))
	}
}

// sortByName orders every list of named things (types, fields, arguments,
// enum values, input fields, directives) by name: graphql-go keeps them in
// maps, and a tool reading the schema must get the same bytes every time.
func sortByName(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, item := range v {
			v[k] = sortByName(item)
		}
	case []any:
		named := true
		for i, item := range v {
			v[i] = sortByName(item)
			m, ok := v[i].(map[string]any)
			if _, hasName := m["name"].(string); !ok || !hasName {
				named = false
			}
		}
		if named {
			sort.SliceStable(v, func(i, j int) bool {
				return v[i].(map[string]any)["name"].(string) < v[j].(map[string]any)["name"].(string)
			})
		}
	}
	return v
}
