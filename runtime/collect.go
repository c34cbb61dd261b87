package runtime

import (
	"github.com/graphql-go/graphql/language/ast"

	"github.com/gqlplan/gqlplan/spec"
)

// selection is one response key: the fields of the document that share it,
// merged as the specification's CollectFields does (validation has made
// sure they are the same field with the same arguments).
type selection struct {
	key    string
	fields []*ast.Field
}

func (s *selection) name() string { return s.fields[0].Name.Value }

var booleanNonNull = &spec.TypeRef{Name: "Boolean", NonNull: true}

// collectFields implements CollectFields over one or more selection sets
// (the sub-selections of merged fields), honouring @skip and @include.
// Type conditions always hold: a plan has object types only, so
// validation leaves only fragments on the parent type itself.
func (r *request) collectFields(sets ...*ast.SelectionSet) ([]*selection, error) {
	var out []*selection
	index := map[string]int{}
	visited := map[string]bool{}
	var walk func(set *ast.SelectionSet) error
	walk = func(set *ast.SelectionSet) error {
		if set == nil {
			return nil
		}
		for _, sel := range set.Selections {
			include, err := r.included(sel)
			if err != nil {
				return err
			}
			if !include {
				continue
			}
			switch sel := sel.(type) {
			case *ast.Field:
				key := sel.Name.Value
				if sel.Alias != nil {
					key = sel.Alias.Value
				}
				if i, ok := index[key]; ok {
					out[i].fields = append(out[i].fields, sel)
					continue
				}
				index[key] = len(out)
				out = append(out, &selection{key: key, fields: []*ast.Field{sel}})
			case *ast.InlineFragment:
				if err := walk(sel.SelectionSet); err != nil {
					return err
				}
			case *ast.FragmentSpread:
				name := sel.Name.Value
				if visited[name] || r.fragments[name] == nil {
					continue
				}
				visited[name] = true
				if err := walk(r.fragments[name].SelectionSet); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, set := range sets {
		if err := walk(set); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// included evaluates @skip(if:) and @include(if:) on a selection.
func (r *request) included(sel ast.Selection) (bool, error) {
	var directives []*ast.Directive
	switch sel := sel.(type) {
	case *ast.Field:
		directives = sel.Directives
	case *ast.InlineFragment:
		directives = sel.Directives
	case *ast.FragmentSpread:
		directives = sel.Directives
	}
	for _, d := range directives {
		name := d.Name.Value
		if name != "skip" && name != "include" {
			continue
		}
		for _, arg := range d.Arguments {
			if arg.Name.Value != "if" {
				continue
			}
			v, _, err := r.schema.coerceLiteral(arg.Value, booleanNonNull, r.vars, "@"+name+"(if:)")
			if err != nil {
				return false, &Error{Message: err.Error(), Code: CodeBadUserInput}
			}
			if b, _ := v.(bool); b == (name == "skip") {
				return false, nil
			}
		}
	}
	return true, nil
}

// subSelections returns the selection sets of merged fields.
func subSelections(fields []*ast.Field) []*ast.SelectionSet {
	sets := make([]*ast.SelectionSet, 0, len(fields))
	for _, f := range fields {
		sets = append(sets, f.SelectionSet)
	}
	return sets
}
