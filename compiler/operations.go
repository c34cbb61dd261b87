package compiler

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/spec"
)

// declaredOp is an operation with the file it came from.
type declaredOp struct {
	*decl.Operation
	file *decl.File
}

// operations returns queries, mutations and subscriptions sorted by name,
// dropping (and reporting) later duplicates and invalid names.
func (c *checker) operations() (queries, mutations, subscriptions []declaredOp) {
	var all []declaredOp
	for _, f := range c.files {
		for _, op := range f.Queries {
			all = append(all, declaredOp{op, f})
		}
		for _, op := range f.Mutations {
			all = append(all, declaredOp{op, f})
		}
		for _, op := range f.Subscriptions {
			all = append(all, declaredOp{op, f})
		}
	}
	slices.SortStableFunc(all, func(a, b declaredOp) int { return compareRange(a.Name.Range, b.Name.Range) })
	seen := map[decl.OperationKind]map[string]declaredOp{decl.Query: {}, decl.Mutation: {}, decl.Subscription: {}}
	for _, op := range all {
		if !c.checkName(op.Name, op.Kind.String()) {
			continue
		}
		if prev, dup := seen[op.Kind][op.Name.Value]; dup {
			c.diags.Errorf(op.Name.Range, "duplicate-operation", "%s %q is already declared at %s", op.Kind, op.Name.Value, prev.Name.Range)
			continue
		}
		seen[op.Kind][op.Name.Value] = op
	}
	byName := func(kind decl.OperationKind) []declaredOp {
		keys := slices.Sorted(maps.Keys(seen[kind]))
		out := make([]declaredOp, len(keys))
		for i, k := range keys {
			out[i] = seen[kind][k]
		}
		return out
	}
	return byName(decl.Query), byName(decl.Mutation), byName(decl.Subscription)
}

func (c *checker) operation(op declaredOp) spec.Operation {
	what := fmt.Sprintf("%s %q", op.Kind, op.Name.Value)
	out := spec.Operation{
		Name: op.Name.Value, Description: text(op.Description), Deprecated: text(op.Deprecated),
		Args: []spec.InputValue{},
	}
	isMutation := op.Kind == decl.Mutation
	out.Roles = c.operationRoles(op, what)

	var returns *spec.TypeRef
	if op.Returns == nil {
		c.diags.Errorf(op.Name.Range, "missing-returns", "%s has no \"returns\" type", what)
	} else if returns = c.resolveType(*op.Returns, false, "the result of "+what); returns != nil {
		out.Returns = returns.String()
		out.List = returns.Depth() > 0
		if returns.Depth() > 1 {
			c.diags.Errorf(op.Returns.Range, "invalid-returns", "%s returns a list of lists (%s); an operation returns one value or one list", what, returns)
		}
	}

	if op.Kind == decl.Subscription && (op.Resolver != nil || op.Token != nil && op.Token.Value) {
		at, key := textRange(op.Resolver), "a resolver"
		if op.Resolver == nil {
			at, key = rangeOf(op.Token), "token"
		}
		c.diags.Errorf(at, "invalid-subscription", "%s cannot set %s: a subscription is a query read again whenever its result changes", what, key)
		return out
	}
	if op.Resolver != nil {
		c.resolverOperation(op, &out, returns, what)
		return out
	}
	out.Source = c.source(op, what)
	if op.Token != nil && op.Token.Value {
		out.Token = true
		if returns != nil && (returns.Depth() > 0 || returns.Named() != "String") {
			c.diags.Errorf(op.Returns.Range, "invalid-token", "%s signs its row as a token, so it returns String (the token, null when there is no row), not %s", what, returns)
		}
	} else if returns != nil && c.kindOf(returns).isAbstract() {
		c.abstractOperation(op, &out, returns, what)
	} else if op.TypeColumn != nil {
		c.diags.Errorf(op.TypeColumn.Range, "abstract-type-use", "%s sets type_column, which only a query returning an interface or a union has", what)
	} else if returns != nil && out.Source.Kind == spec.SourceRelation && c.kindOf(returns) != kindObject {
		c.diags.Errorf(op.Returns.Range, "invalid-returns", "%s reads a table or view, so it must return an object type, not %s %q", what, c.kindOf(returns), returns.Named())
	}

	var whereFrom, callFrom []origin // the declaration of each condition and call parameter
	argNames := map[string]bool{}
	for _, a := range op.Args {
		argWhat := fmt.Sprintf("argument %q of %s", a.Name.Value, what)
		if !c.checkName(a.Name, "argument") {
			continue
		}
		argNames[a.Name.Value] = true
		arg := c.inputValue(a.Name, a.Type, a.Description, a.Default, argWhat)
		out.Args = append(out.Args, arg)
		param := spec.Param{Arg: a.Name.Value}
		if a.Param != nil && out.Source.Kind != spec.SourceFunction {
			c.diags.Errorf(a.Param.Range, "invalid-param", "%s has a param, but %s reads a table or view, which takes no parameters; compare a column with \"filter\"", argWhat, what)
		}
		switch {
		case a.Node != nil:
			conds, call := c.nodeArg(a, arg.Type, out.Source.Kind == spec.SourceFunction, argWhat)
			for _, cond := range conds {
				out.Where = append(out.Where, cond)
				whereFrom = append(whereFrom, origin{arg: a})
			}
			if call != nil {
				out.Call = append(out.Call, *call)
				callFrom = append(callFrom, origin{arg: a})
			}
		case a.Filter != nil && isMutation:
			c.diags.Errorf(a.Filter.Range, "filter-on-mutation", "%s has a filter, but mutation arguments are passed to the function; remove \"filter\"", argWhat)
		case a.Filter != nil:
			if cond, ok := c.filter(a, arg.Type, argWhat); ok {
				cond.Param = param
				out.Where = append(out.Where, cond)
				whereFrom = append(whereFrom, origin{arg: a})
			}
		case out.Source.Kind == spec.SourceFunction:
			// Passed by name: the declared parameter, or the argument's
			// name in snake_case (the catalog check confirms it).
			name, at := snakeCase(a.Name.Value), a.Name.Range
			if a.Param != nil {
				name, at = a.Param.Value, a.Param.Range
			}
			if quoted, ok := c.checkSQLIdent(name, at, "function parameter of "+argWhat); ok {
				out.Call = append(out.Call, spec.FunctionArg{Name: name, SQL: quoted, Param: param})
				callFrom = append(callFrom, origin{arg: a})
			}
		default:
			c.diags.Errorf(a.Name.Range, "missing-filter", "%s reads a table or view, so it needs \"filter: <column>\" to say which column it compares with", argWhat)
		}
	}

	claims := map[string]bool{}
	for _, in := range op.Inject {
		claim, ok := c.inject(in, argNames, what)
		if !ok {
			continue
		}
		claims[claim] = true
		// A declared type is the cast, until the catalog gives the real one.
		_, declared, _ := strings.Cut(in.Source.Value, "::")
		param := spec.Param{Claim: claim, SQLType: declared}
		if isMutation { // after the explicit arguments (seed 002), as the parameter the key names
			out.Call = append(out.Call, spec.FunctionArg{Name: in.Key.Value, SQL: quoteIdent(in.Key.Value), Param: param})
			callFrom = append(callFrom, origin{inject: in})
			continue
		}
		out.Where = append(out.Where, spec.Condition{ColumnRef: spec.ColumnRef{Column: in.Key.Value, SQL: quoteIdent(in.Key.Value)}, Op: "eq", Param: param})
		whereFrom = append(whereFrom, origin{inject: in})
	}
	out.Claims = slices.Sorted(maps.Keys(claims))

	site := listSite{what: what, list: out.List && !isMutation, shape: out.Source.Shape}
	if returns != nil && c.kindOf(returns) == kindObject {
		site.node = returns.Named()
	}
	c.operationListing(op, &out, site)
	if op.Stream != nil {
		c.streamOperation(op, &out, returns, &whereFrom, what)
	}
	if len(op.Tables) > 0 && op.Kind != decl.Subscription {
		c.diags.Errorf(op.Tables[0].Range, "invalid-tables", "%s: tables is for a subscription: it names the tables a function's body or a Go resolver reads, so that their changes read it again", what)
	}
	for _, t := range op.Tables {
		c.qualifiedName(t, op.file, "a table of "+what)
	}
	if c.cat != nil {
		c.checkSourceInCatalog(op, &out, whereFrom, callFrom, returns, what)
	}
	return out
}

// operationListing checks op's paging, filter and order and adds their
// arguments — arguments like any other, in the plan and the SDL; a
// connection returns its connection type.
func (c *checker) operationListing(op declaredOp, out *spec.Operation, site listSite) {
	listing, added := c.listing(&op.List, site)
	out.Listing = listing
	c.checkReservedArgs(op.Args, added, site.what)
	out.Args = append(out.Args, added...)
	if listing.Connection {
		out.Returns = listing.Node + "Connection!"
	}
}

// source checks sql_source, source_kind, shape and data_column.
func (c *checker) source(op declaredOp, what string) spec.Source {
	src := spec.Source{Kind: spec.SourceRelation, Shape: spec.ShapeColumns}
	if op.Kind == decl.Mutation {
		src.Kind = spec.SourceFunction
	}
	if op.SourceKind != nil {
		switch v := op.SourceKind.Value; {
		case v == spec.SourceRelation && op.Kind == decl.Mutation:
			c.diags.Errorf(op.SourceKind.Range, "invalid-source-kind", "%s: a mutation calls a function; source_kind %q is for queries", what, v)
		case v == spec.SourceRelation || v == spec.SourceFunction:
			src.Kind = v
		default:
			kinds := []string{spec.SourceFunction, spec.SourceRelation}
			c.diags.Errorf(op.SourceKind.Range, "invalid-source-kind", "%s: source_kind %q is not one of %s%s", what, v, strings.Join(kinds, ", "), decl.DidYouMean(v, kinds))
		}
	}
	if op.Shape != nil {
		switch v := op.Shape.Value; v {
		case spec.ShapeColumns, spec.ShapeJSONB:
			src.Shape = v
		default:
			shapes := []string{spec.ShapeColumns, spec.ShapeJSONB}
			c.diags.Errorf(op.Shape.Range, "invalid-shape", "%s: shape %q is not one of %s%s", what, v, strings.Join(shapes, ", "), decl.DidYouMean(v, shapes))
		}
	}
	switch {
	case src.Shape == spec.ShapeJSONB && op.DataColumn != nil:
		src.DataColumn, _ = c.checkSQLIdent(op.DataColumn.Value, op.DataColumn.Range, "data_column of "+what)
	case src.Shape == spec.ShapeJSONB:
		src.DataColumn = quoteIdent("data")
	case op.DataColumn != nil:
		c.diags.Errorf(op.DataColumn.Range, "data-column-without-jsonb", "%s sets data_column, which only applies to \"shape: jsonb\"", what)
	}
	if op.SQLSource == nil {
		c.diags.Errorf(op.Name.Range, "missing-sql-source", "%s has no sql_source: name the %s it %s", what,
			map[string]string{spec.SourceRelation: "view or table", spec.SourceFunction: "function"}[src.Kind],
			map[bool]string{true: "calls", false: "reads"}[src.Kind == spec.SourceFunction])
		return src
	}
	if q, ok := c.qualifiedName(*op.SQLSource, op.file, "sql_source"); ok {
		src.Schema, src.Name, src.SQL = q.Schema, q.Name, q.SQL
	}
	return src
}

// filter checks an argument's filter and returns its condition.
func (c *checker) filter(a *decl.Arg, argType, what string) (spec.Condition, bool) {
	f := a.Filter
	quoted, ok := c.checkSQLIdent(f.Column.Value, f.Column.Range, "filter column of "+what)
	cond := spec.Condition{ColumnRef: spec.ColumnRef{Column: f.Column.Value, SQL: quoted}, Op: "eq"}
	if f.Op != nil {
		ops := slices.Sorted(maps.Keys(spec.Operators))
		if _, known := spec.Operators[f.Op.Value]; !known {
			c.diags.Errorf(f.Op.Range, "invalid-filter-op", "%s: unknown filter op %q; use one of %s%s", what, f.Op.Value, strings.Join(ops, ", "), decl.DidYouMean(f.Op.Value, ops))
			return cond, false
		}
		cond.Op = f.Op.Value
	}
	if argType != "" {
		isList := strings.HasPrefix(argType, "[")
		if cond.Op == "in" && !isList {
			c.diags.Errorf(a.Type.Range, "filter-op-type", "%s uses op \"in\", so its type must be a list, not %s", what, argType)
			return cond, false
		}
		if cond.Op != "in" && isList {
			c.diags.Errorf(a.Type.Range, "filter-op-type", "%s is a list (%s), so its filter op must be \"in\", not %q", what, argType, cond.Op)
			return cond, false
		}
	}
	return cond, ok
}

// inject checks one inject rule against the seed 002 contract and returns
// the claim name.
func (c *checker) inject(in *decl.Inject, argNames map[string]bool, what string) (string, bool) {
	ok := true
	if !injectKey.MatchString(in.Key.Value) {
		c.diags.Errorf(in.Key.Range, "inject-key", "%s: inject key %q must be an identifier matching ^[A-Za-z_][A-Za-z0-9_]*$", what, in.Key.Value)
		ok = false
	} else if len(in.Key.Value) > maxIdentLen {
		c.diags.Errorf(in.Key.Range, "inject-key", "%s: inject key %q is longer than PostgreSQL's %d-byte limit", what, in.Key.Value, maxIdentLen)
		ok = false
	}
	if !injectSource.MatchString(in.Source.Value) {
		hint := ""
		if strings.EqualFold(strings.SplitN(in.Source.Value, ":", 2)[0], "jwt") && !strings.HasPrefix(in.Source.Value, "jwt:") {
			hint = " (the prefix is lower-case \"jwt:\")"
		} else if !strings.HasPrefix(in.Source.Value, "jwt:") {
			hint = "; only JWT claims can be injected"
		}
		c.diags.Errorf(in.Source.Range, "inject-source", "%s: inject source %q must be jwt:<claim>, or jwt:<claim>::<sql type>, matching ^jwt:[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)?$%s", what, in.Source.Value, hint)
		ok = false
	}
	if argNames[in.Key.Value] {
		c.diags.Errorf(in.Key.Range, "inject-conflict", "%s: inject key %q conflicts with argument %q: a client could otherwise supply the injected value", what, in.Key.Value, in.Key.Value)
		ok = false
	}
	claim, _, _ := strings.Cut(strings.TrimPrefix(in.Source.Value, "jwt:"), "::")
	return claim, ok
}

func parseOrderTerm(s string) (spec.OrderTerm, error) {
	words := strings.Fields(s)
	if len(words) == 0 {
		return spec.OrderTerm{}, fmt.Errorf("empty term")
	}
	t := spec.OrderTerm{ColumnRef: spec.ColumnRef{Column: words[0]}}
	rest := words[1:]
	if len(rest) > 0 {
		switch strings.ToLower(rest[0]) {
		case "asc":
			rest = rest[1:]
		case "desc":
			t.Descending = true
			rest = rest[1:]
		}
	}
	if len(rest) == 2 && strings.EqualFold(rest[0], "nulls") {
		switch strings.ToLower(rest[1]) {
		case "first", "last":
			t.Nulls = strings.ToLower(rest[1])
			rest = nil
		}
	}
	if len(rest) > 0 {
		return spec.OrderTerm{}, fmt.Errorf("unexpected %q", strings.Join(rest, " "))
	}
	return t, nil
}

// operationRoles are the roles that may call op: its own roles, each one
// of the files' roles when they list any, or else the files' roles.
func (c *checker) operationRoles(op declaredOp, what string) []string {
	all := c.roles
	if len(op.Roles) == 0 {
		return all
	}
	var out []string
	for _, r := range op.Roles {
		if _, ok := c.checkSQLIdent(r.Value, r.Range, "role of "+what); !ok {
			continue
		}
		if len(all) > 0 && !slices.Contains(all, r.Value) {
			c.diags.Errorf(r.Range, "unknown-role", "%s names role %q, which the top-level roles (%s) do not list%s", what, r.Value, strings.Join(all, ", "), decl.DidYouMean(r.Value, all))
			continue
		}
		out = append(out, r.Value)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// fileRoles are the roles the files list at their top level, sorted.
func (c *checker) fileRoles() []string {
	var out []string
	for _, f := range c.files {
		for _, r := range f.Roles {
			if _, ok := c.checkSQLIdent(r.Value, r.Range, "top-level role"); ok {
				out = append(out, r.Value)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
