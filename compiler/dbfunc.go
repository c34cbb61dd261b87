package compiler

import (
	"fmt"
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
// arguments, result and attributes.
func (c *checker) checkFunction(s *dbSource, fns []*catalog.Function, returns *spec.TypeRef) {
	op, n := s.op, len(s.out.Call)
	sigs := make([]string, len(fns))
	var byArity []*catalog.Function
	for i, f := range fns {
		sigs[i] = f.Signature()
		if len(f.Args)-f.Defaults <= n && n <= len(f.Args) {
			byArity = append(byArity, f)
		}
	}
	if len(byArity) == 0 {
		injected := 0
		for _, o := range s.callFrom {
			if o.inject != nil {
				injected++
			}
		}
		c.diags.Errorf(op.SQLSource.Range, "db-function-arity", "%s passes %d argument(s) (%d declared, %d injected), but no overload takes that many: %s",
			s.what, n, n-injected, injected, strings.Join(sigs, "; "))
		return
	}
	var fitting []*catalog.Function
	for _, f := range byArity {
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
	case len(byArity) == 1:
		f = byArity[0]
		for _, p := range c.callProblems(s, f) {
			c.diags.Errorf(p.r, "db-type-mismatch", "%s: %s", s.what, p.msg)
		}
	default:
		c.diags.Errorf(op.SQLSource.Range, "db-type-mismatch", "%s: no overload fits its argument types: %s", s.what, strings.Join(sigs, "; "))
		return
	}
	s.desc = "function " + f.Signature()
	if f.Procedure {
		c.diags.Errorf(op.SQLSource.Range, "db-source-kind", "%s: %s is a procedure, which cannot return rows to a query; make it a function", s.what, f.Signature())
		return
	}
	src := &s.out.Source
	src.Object = "function"
	types := make([]string, len(f.Args))
	for i, a := range f.Args {
		types[i] = a.Type.SQL
	}
	src.Signature = src.SQL + "(" + strings.Join(types, ", ") + ")"
	for i := range s.out.Call {
		t := f.Args[i].Type
		s.out.Call[i].SQLType = castable(t.SQL)
		if in := s.callFrom[i].inject; in != nil {
			c.checkClaimCast(in, t, fmt.Sprintf("argument %d (%s) of %s", i+1, f.Args[i].Name, f.Signature()), s.what)
		}
	}
	c.checkResult(s, f, returns)
	if op.Kind == decl.Query && f.Volatility == 'v' {
		c.diags.Warnf(op.SQLSource.Range, "db-volatile-query", "%s calls %s, which is VOLATILE: queries run in read-only transactions, so a write fails; declare it STABLE, or make the operation a mutation", s.what, f.Signature())
	}
	if f.SecurityDefiner && !f.FixedSearchPath {
		c.diags.Warnf(op.SQLSource.Range, "db-security-definer", "%s calls %s, which is SECURITY DEFINER without a fixed search_path: add SET search_path = <schemas>, pg_temp to it", s.what, f.Signature())
	}
	if c.cat.Role != "" && !f.Executable {
		c.diags.Errorf(op.SQLSource.Range, "db-privilege", "%s: role %q may not EXECUTE %s", s.what, c.cat.Role, f.Signature())
	}
}

// callProblems lists the declared arguments whose types do not fit f.
// Injected claims are text and fit any argument through a cast, which
// checkClaimCast warns about.
func (c *checker) callProblems(s *dbSource, f *catalog.Function) []callProblem {
	var out []callProblem
	for i, p := range s.out.Call {
		a := s.callFrom[i].arg
		if p.Arg == "" || a == nil {
			continue
		}
		ref, err := spec.ParseTypeRef(s.argType(p.Arg))
		if err != nil {
			continue
		}
		if problem, _ := c.fit(ref, f.Args[i].Type); problem != "" {
			out = append(out, callProblem{a.Type.Range, fmt.Sprintf("argument %q is passed as argument %d of %s: %s", p.Arg, i+1, f.Signature(), problem)})
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
