package compiler

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gqlplan/gqlplan/compiler/catalog"
	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/spec"
)

// callProblem is an argument whose type does not fit an overload.
type callProblem struct {
	r   decl.Range
	msg string
}

// checkFunction resolves the overload an operation calls and checks its
// arguments, result and attributes. Arguments and injected claims are
// passed by name, so an overload is one whose named parameters take every
// name passed and whose other parameters have defaults; a function with
// an unnamed parameter can only be called by position.
func (c *checker) checkFunction(s *dbSource, fns []*catalog.Function, returns *spec.TypeRef) {
	op, n := s.op, len(s.out.Call)
	sigs := make([]string, len(fns))
	var byName, byPosition []*catalog.Function
	for i, f := range fns {
		sigs[i] = f.Signature()
		switch {
		case unnamedParameter(f) >= 0:
			if len(f.Args)-f.Defaults <= n && n <= len(f.Args) {
				byPosition = append(byPosition, f)
			}
		case takesByName(f, s.out.Call):
			byName = append(byName, f)
		}
	}
	candidates := byName
	if len(candidates) == 0 {
		candidates = byPosition
	}
	if len(candidates) == 0 {
		c.reportCall(s, fns, sigs)
		return
	}
	var fitting []*catalog.Function
	for _, f := range candidates {
		if len(c.callProblems(s, f)) == 0 {
			fitting = append(fitting, f)
		}
	}
	var f *catalog.Function
	switch {
	case len(fitting) == 1:
		f = fitting[0]
	case len(fitting) > 1:
		var fit []string
		for _, f := range fitting {
			fit = append(fit, f.Signature())
		}
		c.diags.Errorf(op.SQLSource.Range, "db-function-ambiguous", "%s: %d overloads fit its arguments: %s; drop or rename one", s.what, len(fitting), strings.Join(fit, "; "))
		return
	case len(candidates) == 1:
		f = candidates[0]
		for _, p := range c.callProblems(s, f) {
			c.diags.Errorf(p.r, "db-type-mismatch", "%s: %s", s.what, p.msg)
		}
	default:
		c.diags.Errorf(op.SQLSource.Range, "db-type-mismatch", "%s: no overload fits its argument types: %s", s.what, strings.Join(sigs, "; "))
		return
	}
	s.desc = "function " + f.Signature()
	if s.out.Description == "" {
		s.out.Description = f.Comment // COMMENT ON FUNCTION, when the declaration has none
	}
	if f.Procedure {
		c.diags.Errorf(op.SQLSource.Range, "db-source-kind", "%s: %s is a procedure, which cannot return rows to a query; make it a function", s.what, f.Signature())
		return
	}
	if i := unnamedParameter(f); i >= 0 {
		c.diags.Warnf(op.SQLSource.Range, "db-function-positional", "%s calls %s by position: its parameter %d has no name, so arguments are matched by their order; name the function's parameters to have them matched by name", s.what, f.Signature(), i+1)
		for j := range s.out.Call {
			s.out.Call[j].Name, s.out.Call[j].SQL = "", ""
		}
	}
	src := &s.out.Source
	src.Object = "function"
	src.Reads = functionReads(f)
	c.functionsUsed[src.SQL] = f
	types := make([]string, len(f.Args))
	for i, a := range f.Args {
		types[i] = a.Type.SQL
	}
	src.Signature = src.SQL + "(" + strings.Join(types, ", ") + ")"
	for i := range s.out.Call {
		at, a := parameterOf(f, i, s.out.Call[i])
		s.out.Call[i].SQLType = castable(a.Type.SQL)
		s.out.Call[i].Default = s.out.Call[i].Name != "" && at >= len(f.Args)-f.Defaults
		if in := s.callFrom[i].inject; in != nil {
			c.checkClaimCast(in, a.Type, fmt.Sprintf("parameter %s of %s", parameterLabel(at, a), f.Signature()), s.what)
		}
	}
	c.checkResult(s, f, returns)
	c.checkFunctionRowSecurity(f, op.SQLSource.Range, s.what, injectsClaims(s.whereFrom), op.RLSBypass)
	if op.Kind == decl.Query && f.Volatility == 'v' {
		c.diags.Warnf(op.SQLSource.Range, "db-volatile-query", "%s calls %s, which is VOLATILE: queries run in read-only transactions, so a write fails; declare it STABLE, or make the operation a mutation", s.what, f.Signature())
	}
	if f.SecurityDefiner && !f.FixedSearchPath {
		c.diags.Warnf(op.SQLSource.Range, "db-security-definer", "%s calls %s, which is SECURITY DEFINER without a fixed search_path: add SET search_path = <schemas>, pg_temp to it", s.what, f.Signature())
	}
	if c.checksRole(s.out) && !f.Executable {
		c.diags.Errorf(op.SQLSource.Range, "db-privilege", "%s: role %q may not EXECUTE %s; %s", s.what, c.cat.Role, f.Signature(), c.grant("EXECUTE ON FUNCTION "+f.Signature()))
	}
}

// reportCall explains why no overload takes the call: with one function,
// each name it has no parameter for (with did-you-mean) and each
// parameter without default nothing passes; with several, the names
// passed and the signatures.
func (c *checker) reportCall(s *dbSource, fns []*catalog.Function, sigs []string) {
	op := s.op
	names := make([]string, len(s.out.Call))
	for i, p := range s.out.Call {
		names[i] = p.Name
	}
	if len(fns) == 1 && unnamedParameter(fns[0]) < 0 {
		f := fns[0]
		var params []string
		for _, a := range f.Args {
			params = append(params, a.Name)
		}
		var unpassed []string // parameters without default that no name passes
		for i, a := range f.Args {
			if i < len(f.Args)-f.Defaults && !slices.Contains(names, a.Name) {
				unpassed = append(unpassed, a.Name)
			}
		}
		suggested := map[string]bool{} // a parameter a wrong name was pointed to is not reported again
		for i, p := range s.out.Call {
			if slices.Contains(params, p.Name) {
				continue
			}
			r, passed, fix := op.SQLSource.Range, "argument "+strconv.Quote(p.Arg), "declare param: %s on the argument"
			if a := s.callFrom[i].arg; a != nil {
				r = a.Name.Range
				if a.Param != nil {
					r = a.Param.Range
				}
			} else if in := s.callFrom[i].inject; in != nil {
				r, passed, fix = in.Key.Range, "inject key "+strconv.Quote(p.Name), "make the inject key %s"
			}
			hint := ""
			like := similarParameter(p.Name, params)
			if like == "" && len(unpassed) == 1 {
				like = unpassed[0]
			}
			if like != "" {
				hint = "; " + fmt.Sprintf(fix, like)
				suggested[like] = true
			}
			c.diags.Errorf(r, "db-function-param", "%s passes %s as parameter %q, but %s has no parameter of that name%s",
				s.what, passed, p.Name, f.Signature(), hint)
		}
		for _, name := range unpassed {
			if !suggested[name] {
				c.diags.Errorf(op.SQLSource.Range, "db-function-param", "%s passes nothing as parameter %q of %s, which has no default: declare an argument %q or an inject key %q",
					s.what, name, f.Signature(), camelCase(name), name)
			}
		}
		return
	}
	passes := strings.Join(quoteEach(names), ", ") + " by name"
	if len(names) == 0 {
		passes = "no arguments"
	}
	c.diags.Errorf(op.SQLSource.Range, "db-function-arity", "%s passes %s, but no overload has parameters of those names with defaults for the others: %s",
		s.what, passes, strings.Join(sigs, "; "))
}

// similarParameter is the parameter name meant for name: one that only
// adds a prefix (p_title for title, _owner for owner), or one a typo away.
func similarParameter(name string, params []string) string {
	for _, p := range params {
		if strings.HasSuffix(p, "_"+name) || p == "_"+name {
			return p
		}
	}
	for _, p := range params {
		if strings.EqualFold(strings.ReplaceAll(p, "_", ""), strings.ReplaceAll(name, "_", "")) {
			return p
		}
	}
	if s := decl.DidYouMean(name, params); s != "" {
		return strings.TrimSuffix(strings.TrimPrefix(s, ` (did you mean "`), `"?)`)
	}
	return ""
}

// unnamedParameter is the index of f's first parameter without a name,
// or -1.
func unnamedParameter(f *catalog.Function) int {
	for i, a := range f.Args {
		if a.Name == "" {
			return i
		}
	}
	return -1
}

// takesByName reports whether f can be called with call in named
// notation: each name is a parameter, and the parameters not passed have
// defaults.
func takesByName(f *catalog.Function, call []spec.FunctionArg) bool {
	given := map[string]bool{}
	for _, p := range call {
		given[p.Name] = true
	}
	named := 0
	for i, a := range f.Args {
		switch {
		case given[a.Name]:
			named++
		case i < len(f.Args)-f.Defaults:
			return false
		}
	}
	return named == len(given) && len(given) == len(call)
}

// parameterOf is the parameter of f that the i-th argument of the call is
// passed as: by its name, or by position in positional notation.
func parameterOf(f *catalog.Function, i int, p spec.FunctionArg) (int, *catalog.Arg) {
	if p.Name != "" {
		for j, a := range f.Args {
			if a.Name == p.Name {
				return j, a
			}
		}
	}
	return i, f.Args[i]
}

func parameterLabel(i int, a *catalog.Arg) string {
	if a.Name == "" {
		return strconv.Itoa(i + 1)
	}
	return strconv.Quote(a.Name)
}

func quoteEach(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strconv.Quote(n)
	}
	return out
}

// callProblems lists the declared arguments whose types do not fit f.
// Injected claims are text and fit any argument through a cast, which
// checkClaimCast warns about.
func (c *checker) callProblems(s *dbSource, f *catalog.Function) []callProblem {
	var out []callProblem
	for i, p := range s.out.Call {
		a := s.callFrom[i].arg
		if p.Arg == "" || a == nil || p.Node != "" { // a node's key value is typed by the node's fields
			continue
		}
		ref, err := spec.ParseTypeRef(s.argType(p.Arg))
		if err != nil {
			continue
		}
		at, param := parameterOf(f, i, p)
		if problem, _ := c.fit(ref, param.Type); problem != "" {
			out = append(out, callProblem{a.Type.Range, fmt.Sprintf("argument %q is passed as parameter %s of %s: %s", p.Arg, parameterLabel(at, param), f.Signature(), problem)})
		}
	}
	return out
}

// checkResult compares a function's result with the operation's returns.
func (c *checker) checkResult(s *dbSource, f *catalog.Function, returns *spec.TypeRef) {
	if returns == nil {
		return
	}
	r := s.op.Returns.Range
	if f.Result != nil && f.Result.Kind == catalog.CompositeType {
		s.row = f.Result.Relation
	}
	cols := f.Columns
	if len(cols) == 0 {
		cols = c.cat.RowColumns(f.Result)
	}
	result := f.Result.SQL
	if f.ReturnsSet {
		result = "SETOF " + result
	}
	switch {
	case s.out.List && !f.ReturnsSet:
		c.diags.Errorf(r, "db-returns-mismatch", "%s returns a list, but %s returns %s, one value; declare it RETURNS SETOF or RETURNS TABLE", s.what, f.Signature(), result)
	case !s.out.List && f.ReturnsSet:
		c.diags.Warnf(r, "db-returns-set", "%s returns one value, but %s returns %s: a second row fails the request", s.what, f.Signature(), result)
	}
	elem := returns
	if elem.Elem != nil {
		elem = elem.Elem
	}
	if s.out.Token {
		c.checkTokenResult(s, f, cols, result)
		return
	}
	if c.kindOf(elem) == kindObject {
		switch {
		case len(cols) == 0:
			c.diags.Errorf(r, "db-returns-mismatch", "%s returns type %s, an object, but %s returns %s, not a row", s.what, elem.Named(), f.Signature(), result)
		case s.out.Source.Shape == spec.ShapeJSONB:
			c.dataColumn(s, cols)
		default:
			c.checkFields(s, elem.Named(), cols)
		}
		if s.op.Kind == decl.Mutation && f.Result != nil && f.Result.Kind == catalog.CompositeType {
			s.out.Source.RowType = castable(f.Result.SQL)
		}
	} else if len(cols) > 0 {
		c.diags.Errorf(r, "db-returns-mismatch", "%s returns %s, but %s returns rows (%s); return an object type", s.what, elem, f.Signature(), result)
	} else if problem, _ := c.fit(elem, f.Result); problem != "" {
		c.diags.Errorf(r, "db-returns-mismatch", "%s: the result of %s: %s", s.what, f.Signature(), problem)
	}
	c.checkConditions(s, cols)
}

// checkTokenResult checks that a token operation's function returns the
// claims: a row (a composite type, RETURNS TABLE) or a json(b) object.
func (c *checker) checkTokenResult(s *dbSource, f *catalog.Function, cols []*catalog.Column, result string) {
	switch {
	case s.out.Source.Shape == spec.ShapeJSONB && len(cols) > 0:
		c.dataColumn(s, cols)
	case len(cols) == 0 && f.Result.SQL != "json" && f.Result.SQL != "jsonb":
		c.diags.Errorf(s.op.Returns.Range, "db-returns-mismatch", "%s signs its result as a token, but %s returns %s, not a row or a json object of claims", s.what, f.Signature(), result)
	}
}
