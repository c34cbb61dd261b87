// Package document is the phase of a request that reads its GraphQL
// document, and the only one that sees gqlparser's AST. It takes the
// document's text, the operation name and the variables, and gives an
// [operation.Operation] — or the request errors that stop it: a linear
// scan of the text against [Limits], gqlparser's parser and validator
// against the schema the plan's SDL declares (the result cached per
// distinct text), the operation chosen, its variables coerced, its
// fields collected and every argument coerced to its type. At start it
// converts that same schema, once, into what introspection answers.
package document

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/gqlplan/gqlplan/runtime/internal/introspection"
	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/schema"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
	"github.com/gqlplan/gqlplan/spec"
)

// Limits bound what a document may cost; each has its own error code
// (see runtime.Limits, which documents them).
type Limits struct {
	MaxDocumentBytes, MaxDepth, MaxTokens, MaxSelections, MaxAliases, MaxRootFields, MaxDirectives int
	// DocumentCache is how many distinct documents are kept parsed.
	DocumentCache int
	// MaxCost bounds the values an operation may return (see checkCost);
	// MaxPageSize is the rows a list without a declared limit counts as.
	MaxCost     int64
	MaxPageSize int64
}

// document is a parsed and validated document; errs is set when it is not
// executable, and is cached too, so a repeated bad document costs a lookup.
type document struct {
	ast    *ast.QueryDocument
	errs   []*wire.Error
	digest [sha256.Size]byte
}

// Documents reads the documents of requests to one plan.
type Documents struct {
	schema *ast.Schema
	index  *schema.Schema
	intro  *introspection.Schema
	limits Limits
	// hideSuggestions: validation messages without "Did you mean …?".
	hideSuggestions bool
	cache           *lru.Cache[[sha256.Size]byte, *document]
}

// loadSchema is the GraphQL schema a plan declares, as gqlparser
// validates against it: the plan's SDL after gqlparser's prelude (the
// built-in scalars, directives and introspection types).
func loadSchema(plan *spec.Plan) (*ast.Schema, error) {
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "plan", Input: plan.SDL})
	if err != nil {
		return nil, fmt.Errorf("the plan's SDL: %w", err)
	}
	if s.Query == nil {
		return nil, errors.New("the plan declares no query; GraphQL requires at least one")
	}
	// Responses are never incremental: a document asking to defer is
	// refused by validation rather than answered whole.
	delete(s.Directives, "defer")
	return s, nil
}

// New loads the schema plan declares; index is the same plan, indexed.
// hideSuggestions drops "Did you mean …?" from validation messages: with
// introspection off they would reveal the schema one guess at a time.
func New(plan *spec.Plan, index *schema.Schema, limits Limits, hideSuggestions bool) (*Documents, error) {
	s, err := loadSchema(plan)
	if err != nil {
		return nil, err
	}
	intro, err := loadIntrospection(s, plan.SDL)
	if err != nil {
		return nil, err
	}
	cache, err := lru.New[[sha256.Size]byte, *document](max(limits.DocumentCache, 1))
	if err != nil {
		return nil, err
	}
	return &Documents{schema: s, index: index, intro: intro, limits: limits, hideSuggestions: hideSuggestions, cache: cache}, nil
}

// Introspection is the schema as introspection answers it.
func (d *Documents) Introspection() *introspection.Schema { return d.intro }

// Operation reads the operation named name (or the only one) of text with
// its variables: Read, then Collect. When it fails after choosing the
// operation, the operation is returned too, without fields: its kind
// decides how a request error is answered (a mutation over GET is 405
// first).
func (d *Documents) Operation(text, name string, vars map[string]any) (*operation.Operation, []*wire.Error) {
	r, errs := d.Read(text, name, vars)
	if r == nil || errs != nil {
		return r.operation(), errs
	}
	return d.Collect(r)
}

// Request is the operation of a request chosen from its document, its
// variables coerced: what collecting its fields starts from, and what
// tells whether a composition done for another request serves it (see
// Shape).
type Request struct {
	Kind operation.Kind
	Name string
	// Vars are the variables, coerced; one neither given nor defaulted
	// is absent.
	Vars map[string]any
	// Document digests the document's text.
	Document [sha256.Size]byte
	ast      *ast.QueryDocument
	op       *ast.OperationDefinition
}

// operation is r without fields (nil: none was chosen).
func (r *Request) operation() *operation.Operation {
	if r == nil {
		return nil
	}
	return &operation.Operation{Kind: r.Kind, Name: r.Name}
}

// Read parses and validates text (cached), chooses the operation named
// name (or the only one) and coerces its variables. When it fails after
// choosing the operation, the request is returned too: its kind decides
// how the error is answered.
func (d *Documents) Read(text, name string, vars map[string]any) (*Request, []*wire.Error) {
	return d.ReadDigested(text, sha256.Sum256([]byte(text)), name, vars)
}

// ReadDigested is Read of text whose SHA-256 the caller has already (a
// trusted document's): the text is not hashed again.
func (d *Documents) ReadDigested(text string, digest [sha256.Size]byte, name string, vars map[string]any) (*Request, []*wire.Error) {
	doc := d.get(text, digest)
	if doc.errs != nil {
		return nil, doc.errs
	}
	op, e := selectOperation(doc.ast, name)
	if e != nil {
		return nil, []*wire.Error{e}
	}
	r := &Request{Name: op.Name, Document: doc.digest, ast: doc.ast, op: op}
	switch op.Operation {
	case ast.Mutation:
		r.Kind = operation.Mutation
	case ast.Subscription:
		r.Kind = operation.Subscription
	}
	var errs []*wire.Error
	if r.Vars, errs = coerceVariables(d.index, op.VariableDefinitions, vars); errs != nil {
		return r, errs
	}
	return r, nil
}

// Collect collects the fields of r's operation, coercing their
// arguments, and checks the operation's size and cost.
func (d *Documents) Collect(r *Request) (*operation.Operation, []*wire.Error) {
	return build(d.index, r, d.limits)
}

// suggestion is the validator's hint at a name the document may have meant.
var suggestion = regexp.MustCompile(` ?Did you mean [^?]*\?`)

// get returns the document for text, whose SHA-256 is key, from the
// cache when it was seen.
func (d *Documents) get(text string, key [sha256.Size]byte) *document {
	if doc, ok := d.cache.Get(key); ok {
		return doc
	}
	doc := d.load(text)
	doc.digest = key
	d.cache.Add(key, doc)
	return doc
}

func (d *Documents) load(text string) (doc *document) {
	if err := scanDocument(text, d.limits); err != nil {
		return &document{errs: []*wire.Error{err}}
	}
	defer func() { // the parser is not ours; a panic in it is a bad document, not a dead server
		if r := recover(); r != nil {
			doc = &document{errs: []*wire.Error{{Message: "the document could not be processed", Code: wire.CodeValidationFailed}}}
		}
	}()
	parsed, err := parser.ParseQueryWithTokenLimit(&ast.Source{Name: "GraphQL request", Input: text}, d.limits.MaxTokens)
	if err != nil {
		return &document{errs: fromGraphQLErrors(err, wire.CodeParseFailed, false)}
	}
	if errs := checkFragments(parsed, d.limits); errs != nil {
		return &document{errs: errs}
	}
	if list := validator.Validate(d.schema, parsed); len(list) > 0 {
		return &document{errs: fromGraphQLErrors(list, wire.CodeValidationFailed, d.hideSuggestions)}
	}
	return &document{ast: parsed}
}

// checkFragments measures each operation with every fragment spread
// expanded and refuses one that selects more than MaxSelections fields or
// nests deeper than MaxDepth, before the validator's field merging
// (quadratic in the selections) multiplies a fragment "bomb" — each
// fragment spreading the next twice. Cycles are left to the validator
// (NoFragmentCycles); here a spread inside its own expansion counts once.
func checkFragments(doc *ast.QueryDocument, limits Limits) []*wire.Error {
	type cost struct{ fields, depth int }
	costs := map[string]cost{}
	visiting := map[string]bool{}
	var measure func(set ast.SelectionSet) cost
	measure = func(set ast.SelectionSet) cost {
		var total cost
		for _, sel := range set {
			var c cost
			switch sel := sel.(type) {
			case *ast.Field:
				c = measure(sel.SelectionSet)
				c.fields++
				c.depth++
			case *ast.InlineFragment:
				c = measure(sel.SelectionSet)
			case *ast.FragmentSpread:
				f := doc.Fragments.ForName(sel.Name)
				if f == nil || visiting[sel.Name] {
					continue
				}
				var seen bool
				if c, seen = costs[sel.Name]; !seen {
					visiting[sel.Name] = true
					c = measure(f.SelectionSet)
					visiting[sel.Name] = false
					costs[sel.Name] = c
				}
			}
			total.fields = min(total.fields+c.fields, limits.MaxSelections+1) // saturate: no overflow
			total.depth = max(total.depth, c.depth)
		}
		return total
	}
	for _, op := range doc.Operations {
		c := measure(op.SelectionSet)
		if c.fields > limits.MaxSelections {
			return []*wire.Error{{Message: fmt.Sprintf("The document selects more than %d fields once its fragments are expanded.", limits.MaxSelections), Code: wire.CodeTooManyFields}}
		}
		if c.depth > limits.MaxDepth {
			return []*wire.Error{{Message: fmt.Sprintf("The document nests selections deeper than %d levels.", limits.MaxDepth), Code: wire.CodeDocumentTooDeep}}
		}
	}
	return nil
}

// fromGraphQLErrors converts gqlparser's errors (one, or a list).
func fromGraphQLErrors(err error, code string, hideSuggestions bool) []*wire.Error {
	var list gqlerror.List
	var one *gqlerror.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = gqlerror.List{one}
	default:
		return []*wire.Error{{Message: err.Error(), Code: code}}
	}
	out := make([]*wire.Error, len(list))
	for i, e := range list {
		out[i] = &wire.Error{Message: e.Message, Code: code}
		if hideSuggestions {
			out[i].Message = suggestion.ReplaceAllString(out[i].Message, "")
		}
		for _, l := range e.Locations {
			out[i].Locations = append(out[i].Locations, wire.Location{Line: l.Line, Column: l.Column})
		}
	}
	return out
}
