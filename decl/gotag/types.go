package gotag

import (
	"go/ast"
	"slices"
	"strconv"

	"github.com/gqlplan/gqlplan/decl"
)

// basicTypes maps Go's predeclared types to GraphQL scalars. Integer types
// that may not fit 32 bits are BigInt.
var basicTypes = map[string]string{
	"string": "String", "bool": "Boolean",
	"int": "Int", "int8": "Int", "int16": "Int", "int32": "Int", "uint8": "Int", "uint16": "Int",
	"int64": "BigInt", "uint32": "BigInt",
	"float32": "Float", "float64": "Float",
}

// unsupportedBasic are predeclared types with no GraphQL counterpart.
var unsupportedBasic = []string{"uint", "uint64", "uintptr", "complex64", "complex128", "byte", "rune", "error", "any"}

// packageTypes maps well-known package types to scalars.
var packageTypes = map[string]string{
	"time.Time": "DateTime", "uuid.UUID": "UUID", "json.RawMessage": "JSON", "json.Number": "Decimal",
}

// graphQLType maps a Go type expression to a GraphQL type reference:
// non-pointers are non-null, pointers nullable, slices lists, named types
// keep their name. An unsupported type is reported with how to override it.
func (l *loader) graphQLType(expr ast.Expr, what, override string) (decl.Text, bool) {
	s, ok := l.goType(expr, what, override)
	return decl.Text{Value: s, Range: l.rangeOf(expr.Pos(), expr.End())}, ok
}

func (l *loader) goType(expr ast.Expr, what, override string) (string, bool) {
	switch t := expr.(type) {
	case *ast.StarExpr:
		inner, ok := l.goType(t.X, what, override)
		if !ok {
			return "", false
		}
		if inner[len(inner)-1] == '!' {
			inner = inner[:len(inner)-1]
		}
		return inner, true
	case *ast.ArrayType:
		if t.Len != nil {
			break // arrays have a fixed length; a list is a slice
		}
		elem, ok := l.goType(t.Elt, what, override)
		if !ok {
			return "", false
		}
		return "[" + elem + "]!", true
	case *ast.Ident:
		if s, ok := basicTypes[t.Name]; ok {
			return s + "!", true
		}
		if slices.Contains(unsupportedBasic, t.Name) {
			break
		}
		return t.Name + "!", true // a type of this package: object, enum, input or scalar by name
	case *ast.SelectorExpr:
		if pkg, ok := t.X.(*ast.Ident); ok {
			if s, ok := packageTypes[pkg.Name+"."+t.Sel.Name]; ok {
				return s + "!", true
			}
		}
	}
	l.errorf(l.rangeOf(expr.Pos(), expr.End()), "unsupported-go-type", "%s: Go type %s has no GraphQL type; name the type with %s (e.g. String!, UUID, [Int!]!)", what, l.source(expr), override)
	return "", false
}

// source prints an expression as written, for messages.
func (l *loader) source(expr ast.Expr) string {
	switch t := expr.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.StarExpr:
		return "*" + l.source(t.X)
	case *ast.ArrayType:
		n := ""
		if lit, ok := t.Len.(*ast.BasicLit); ok {
			n = lit.Value
		}
		return "[" + n + "]" + l.source(t.Elt)
	case *ast.SelectorExpr:
		return l.source(t.X) + "." + t.Sel.Name
	case *ast.MapType:
		return "map[" + l.source(t.Key) + "]" + l.source(t.Value)
	case *ast.InterfaceType:
		return "interface{…}"
	case *ast.FuncType:
		return "func(…)"
	case *ast.ChanType:
		return "chan " + l.source(t.Value)
	case *ast.StructType:
		return "struct{…}"
	}
	return strconv.Quote("?")
}
