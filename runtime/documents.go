package runtime

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gqlplan/gqlplan/runtime/internal/document"
	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/schema"
	"github.com/gqlplan/gqlplan/runtime/internal/sqlgen"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
	"github.com/gqlplan/gqlplan/spec"
)

// DocumentChecker checks the documents clients will send (trusted
// documents, compile --documents) against a plan, with the code that
// serves their requests, so a document that passes is one the server
// reads: see document.Check for what runs; and the roles: an operation
// whose root fields no one role may all call is a fault.
type DocumentChecker struct {
	index  *schema.Schema
	docs   *document.Documents
	limits Limits
}

// NewDocumentChecker is the checker of documents against plan, under
// limits (zero fields: the defaults).
func NewDocumentChecker(plan *spec.Plan, limits Limits) (*DocumentChecker, error) {
	index, err := schema.New(plan)
	if err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	docs, err := document.New(plan, index, limits.withDefaults().document(), false)
	if err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	return &DocumentChecker{index: index, docs: docs, limits: limits.withDefaults()}, nil
}

// CheckedDocument is what DocumentChecker.Check found of a document.
type CheckedDocument struct {
	Operations []DocumentOperation
	Faults     []DocumentFault
}

// DocumentOperation is an operation of a document: its name ("" when
// anonymous), kind (query, mutation, subscription) and place.
type DocumentOperation struct {
	Name, Kind   string
	Line, Column int
}

// DocumentFault is an error a request of the document would get: its
// code (GRAPHQL_VALIDATION_FAILED, COST_TOO_HIGH, FORBIDDEN, …), message
// and place in the document; Operation is the operation's name, "" for
// the document as a whole or an anonymous one.
type DocumentFault struct {
	Operation, Code, Message string
	Line, Column             int
}

// Check checks the document text.
func (c *DocumentChecker) Check(text string) CheckedDocument {
	checked := c.docs.Check(text)
	var out CheckedDocument
	for _, f := range checked.Faults {
		fault := DocumentFault{Operation: f.Operation, Code: f.Code, Message: f.Message, Line: 1, Column: 1}
		if len(f.Locations) > 0 {
			fault.Line, fault.Column = f.Locations[0].Line, f.Locations[0].Column
		}
		out.Faults = append(out.Faults, fault)
	}
	for _, op := range checked.Operations {
		out.Operations = append(out.Operations, DocumentOperation{Name: op.Name, Kind: kindName(op.Kind), Line: op.Line, Column: op.Col})
		if msg := c.noRoleCalls(op); msg != "" {
			out.Faults = append(out.Faults, DocumentFault{Operation: op.Name, Code: CodeForbidden, Message: msg, Line: op.Line, Column: op.Col})
		}
		if op.Collected != nil {
			out.Faults = append(out.Faults, c.compose(op.Name, op.Collected)...)
		}
	}
	return out
}

// compose composes the statement of each root field of op, collected, as
// a request of it would: what only composing finds (a page over its
// list's maximum, an argument no row key matches, at the root or on a
// nested field) is a fault. Claims
// are bound as they come, as text, so any stand-in composes the same
// SQL; a Go resolver's field composes nothing here.
func (c *DocumentChecker) compose(name string, op *operation.Operation) []DocumentFault {
	ops := c.ops(op.Kind)
	var out []DocumentFault
	fault := func(sel *operation.Field, e *Error) {
		out = append(out, DocumentFault{Operation: name, Code: e.Code, Message: e.Message, Line: sel.Loc.Line, Column: sel.Loc.Column})
	}
	for _, sel := range op.Fields {
		planned := ops[sel.Name]
		switch {
		case planned == nil || planned.Spec.Resolver != "":
			continue
		case sel.Err != nil:
			fault(sel, sel.Err)
			continue
		}
		claims := map[string]any{}
		for _, claim := range planned.Spec.Claims {
			claims[claim] = ""
		}
		stmt, err := sqlgen.Compose(c.index, c.limits.sql(), planned, sel, claims)
		if err != nil {
			fault(sel, wire.As(err, CodeInternal))
			continue
		}
		for _, site := range stmt.Nulls { // a nested field's own arguments: an error wherever it runs
			if site.Code != "" {
				out = append(out, DocumentFault{Operation: name, Code: site.Code, Message: site.Message, Line: site.Loc.Line, Column: site.Loc.Column})
			}
		}
	}
	return out
}

// ops are the plan's operations of kind k, by name.
func (c *DocumentChecker) ops(k operation.Kind) map[string]*schema.Operation {
	switch k {
	case operation.Mutation:
		return c.index.Mutations
	case operation.Subscription:
		return c.index.Subscriptions
	}
	return c.index.Queries
}

// noRoleCalls says why no role may call every root field of op, or "".
func (c *DocumentChecker) noRoleCalls(op document.CheckedOperation) string {
	ops := c.ops(op.Kind)
	var roles []string // nil: any role so far
	var restricted []string
	for _, name := range op.RootFields {
		planned := ops[name]
		if planned == nil || len(planned.Spec.Roles) == 0 {
			continue
		}
		restricted = append(restricted, fmt.Sprintf("%s (%s)", name, strings.Join(planned.Spec.Roles, ", ")))
		if roles == nil {
			roles = slices.Clone(planned.Spec.Roles)
			continue
		}
		roles = slices.DeleteFunc(roles, func(r string) bool { return !slices.Contains(planned.Spec.Roles, r) })
		if len(roles) == 0 {
			return fmt.Sprintf("No role may call all of its root fields: %s.", strings.Join(restricted, "; "))
		}
	}
	return ""
}

// Reads are those of users — what a stale plan's problems are of
// (StalePlanError.Users) — that the document text reads: its root
// operations, the fields it selects, the node types whose objects it
// reads by node(id:) or nodes(ids:).
func (c *DocumentChecker) Reads(text string, users []string) []string {
	coordinates := c.docs.Coordinates(text)
	var out []string
	for _, user := range users {
		var at string
		switch {
		case strings.HasPrefix(user, `query "`):
			at = "Query." + strings.Trim(strings.TrimPrefix(user, "query "), `"`)
		case strings.HasPrefix(user, `mutation "`):
			at = "Mutation." + strings.Trim(strings.TrimPrefix(user, "mutation "), `"`)
		case strings.HasPrefix(user, "field "):
			at = strings.TrimPrefix(user, "field ")
		case strings.HasPrefix(user, "the node type "):
			// A node type's own source is read by node(id:) and nodes(ids:)
			// alone (objects of the type reached otherwise are read from
			// the source of what reaches them).
			if slices.Contains(coordinates, "Query.node") || slices.Contains(coordinates, "Query.nodes") {
				at = strings.TrimPrefix(user, "the node type ")
			}
		}
		if _, found := slices.BinarySearch(coordinates, at); found && at != "" {
			out = append(out, user)
		}
	}
	return out
}
