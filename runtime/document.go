package runtime

import (
	"crypto/sha256"
	"fmt"
	"regexp"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/parser"
	"github.com/graphql-go/graphql/language/source"
	lru "github.com/hashicorp/golang-lru/v2"
)

// document is a parsed and validated document; errs is set when it is not
// executable, and is cached too, so a repeated bad document costs a lookup.
type document struct {
	ast  *ast.Document
	errs []*Error
}

// documents parses and validates documents once per distinct text.
type documents struct {
	schema *schema
	limits Limits
	// hideSuggestions drops graphql-go's "Did you mean …?" from
	// validation messages: with introspection off they would reveal the
	// schema one guess at a time.
	hideSuggestions bool
	cache           *lru.Cache[[sha256.Size]byte, *document]
}

func newDocuments(s *schema, limits Limits, hideSuggestions bool) (*documents, error) {
	cache, err := lru.New[[sha256.Size]byte, *document](max(limits.DocumentCache, 1))
	if err != nil {
		return nil, err
	}
	return &documents{schema: s, limits: limits, hideSuggestions: hideSuggestions, cache: cache}, nil
}

// suggestion is graphql-go's hint at a name the document may have meant.
var suggestion = regexp.MustCompile(` ?Did you mean [^?]*\?`)

// get returns the document for text, from the cache when it was seen.
func (d *documents) get(text string) *document {
	key := sha256.Sum256([]byte(text))
	if doc, ok := d.cache.Get(key); ok {
		return doc
	}
	doc := d.load(text)
	d.cache.Add(key, doc)
	return doc
}

func (d *documents) load(text string) (doc *document) {
	if err := scanDocument(text, d.limits); err != nil {
		return &document{errs: []*Error{err}}
	}
	src := source.NewSource(&source.Source{Body: []byte(text), Name: "GraphQL request"})
	defer func() { // graphql-go is not ours; a panic in it is a bad document, not a dead server
		if r := recover(); r != nil {
			doc = &document{errs: []*Error{{Message: "the document could not be processed", Code: CodeValidationFailed}}}
		}
	}()
	parsed, err := parser.Parse(parser.ParseParams{Source: src, Options: parser.ParseOptions{NoSource: false}})
	if err != nil {
		return &document{errs: []*Error{fromGraphQLError(err, CodeParseFailed)}}
	}
	if errs := checkFragments(parsed, d.limits); errs != nil {
		return &document{errs: errs}
	}
	result := graphql.ValidateDocument(&d.schema.gql, parsed, graphql.SpecifiedRules)
	if !result.IsValid {
		errs := make([]*Error, len(result.Errors))
		for i, e := range result.Errors {
			errs[i] = fromFormatted(e, CodeValidationFailed)
			if d.hideSuggestions {
				errs[i].Message = suggestion.ReplaceAllString(errs[i].Message, "")
			}
		}
		return &document{errs: errs}
	}
	return &document{ast: parsed}
}

// checkFragments rejects fragment cycles (which crash graphql-go's
// validator) and documents whose expansion exceeds MaxSelections or
// MaxDepth, before validation runs.
func checkFragments(doc *ast.Document, limits Limits) []*Error {
	fragments := map[string]*ast.FragmentDefinition{}
	for _, def := range doc.Definitions {
		if f, ok := def.(*ast.FragmentDefinition); ok && f.Name != nil {
			fragments[f.Name.Value] = f
		}
	}
	type cost struct{ fields, depth int }
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[string]int{}
	costs := map[string]cost{}
	var cycle *Error
	var measure func(set *ast.SelectionSet) cost
	spread := func(s *ast.FragmentSpread) cost {
		name := s.Name.Value
		f := fragments[name]
		if f == nil { // reported by validation (KnownFragmentNames)
			return cost{}
		}
		switch state[name] {
		case visiting:
			if cycle == nil {
				cycle = &Error{Message: fmt.Sprintf("Cannot spread fragment %q within itself.", name), Code: CodeValidationFailed}
				cycle.locate(s.Loc)
			}
			return cost{}
		case done:
			return costs[name]
		}
		state[name] = visiting
		c := measure(f.SelectionSet)
		state[name] = done
		costs[name] = c
		return c
	}
	measure = func(set *ast.SelectionSet) cost {
		var total cost
		if set == nil {
			return total
		}
		for _, sel := range set.Selections {
			var c cost
			switch sel := sel.(type) {
			case *ast.Field:
				c = measure(sel.SelectionSet)
				c.fields++
				c.depth++
			case *ast.InlineFragment:
				c = measure(sel.SelectionSet)
			case *ast.FragmentSpread:
				c = spread(sel)
			}
			total.fields = min(total.fields+c.fields, limits.MaxSelections+1) // saturate: no overflow
			total.depth = max(total.depth, c.depth)
		}
		return total
	}
	for _, def := range doc.Definitions {
		op, ok := def.(*ast.OperationDefinition)
		if !ok {
			continue
		}
		c := measure(op.SelectionSet)
		if cycle != nil {
			return []*Error{cycle}
		}
		if c.fields > limits.MaxSelections {
			return []*Error{{Message: fmt.Sprintf("The document selects more than %d fields once its fragments are expanded.", limits.MaxSelections), Code: CodeTooManyFields}}
		}
		if c.depth > limits.MaxDepth {
			return []*Error{{Message: fmt.Sprintf("The document nests selections deeper than %d levels.", limits.MaxDepth), Code: CodeDocumentTooDeep}}
		}
	}
	for name := range fragments { // fragments no operation uses may still form a cycle
		if state[name] == unvisited {
			spread(&ast.FragmentSpread{Name: ast.NewName(&ast.Name{Value: name}), Loc: fragments[name].Loc})
			if cycle != nil {
				return []*Error{cycle}
			}
		}
	}
	return nil
}

func fromGraphQLError(err error, code string) *Error {
	if e, ok := err.(*gqlerrors.Error); ok {
		return fromFormatted(gqlerrors.FormatError(e), code)
	}
	return &Error{Message: err.Error(), Code: code}
}

func fromFormatted(e gqlerrors.FormattedError, code string) *Error {
	out := &Error{Message: e.Message, Code: code}
	for _, l := range e.Locations {
		out.Locations = append(out.Locations, Location{Line: l.Line, Column: l.Column})
	}
	return out
}
