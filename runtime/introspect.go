package runtime

import (
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
		f.result, _ = marshalNoEscape(value)
	}
}
