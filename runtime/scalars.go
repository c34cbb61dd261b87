package runtime

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
)

// scalar is how one built-in scalar is read from a request. Both readers
// return the value bound to SQL: int64, float64, bool or string (text that
// PostgreSQL parses into the column's type).
type scalar struct {
	description string
	// fromJSON reads a variable value (decoded with json.Number).
	fromJSON func(v any) (any, bool)
	// fromLiteral reads a literal in the document.
	fromLiteral func(v ast.Value) (any, bool)
}

var (
	uuidPattern    = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	bigIntPattern  = regexp.MustCompile(`^-?[0-9]+$`)
	decimalPattern = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)
	timePattern    = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[-+][0-9]{2}(:?[0-9]{2})?)?$`)
)

// scalars are the built-in scalars of a plan (compiler.builtinScalars).
var scalars = map[string]scalar{
	"Int": {
		fromJSON: func(v any) (any, bool) {
			n, ok := v.(json.Number)
			if !ok {
				return nil, false
			}
			i, err := strconv.ParseInt(string(n), 10, 32)
			return i, err == nil
		},
		fromLiteral: func(v ast.Value) (any, bool) {
			lit, ok := v.(*ast.IntValue)
			if !ok {
				return nil, false
			}
			i, err := strconv.ParseInt(lit.Value, 10, 32)
			return i, err == nil
		},
	},
	"Float": {
		fromJSON: func(v any) (any, bool) {
			n, ok := v.(json.Number)
			if !ok {
				return nil, false
			}
			return finiteFloat(string(n))
		},
		fromLiteral: func(v ast.Value) (any, bool) {
			switch lit := v.(type) {
			case *ast.IntValue:
				return finiteFloat(lit.Value)
			case *ast.FloatValue:
				return finiteFloat(lit.Value)
			}
			return nil, false
		},
	},
	"String": {
		fromJSON:    stringMatching(nil),
		fromLiteral: stringLiteral(nil),
	},
	"Boolean": {
		fromJSON: func(v any) (any, bool) { b, ok := v.(bool); return b, ok },
		fromLiteral: func(v ast.Value) (any, bool) {
			lit, ok := v.(*ast.BooleanValue)
			if !ok {
				return nil, false
			}
			return lit.Value, true
		},
	},
	"ID": {
		fromJSON: func(v any) (any, bool) {
			if n, ok := v.(json.Number); ok {
				return string(n), bigIntPattern.MatchString(string(n))
			}
			return stringMatching(nil)(v)
		},
		fromLiteral: func(v ast.Value) (any, bool) {
			if lit, ok := v.(*ast.IntValue); ok {
				return lit.Value, true
			}
			return stringLiteral(nil)(v)
		},
	},
	"BigInt": {
		description: "A 64-bit integer, written as a string so that JavaScript clients keep every digit.",
		fromJSON: func(v any) (any, bool) {
			if n, ok := v.(json.Number); ok {
				return int64Text(string(n))
			}
			s, ok := v.(string)
			if !ok {
				return nil, false
			}
			return int64Text(s)
		},
		fromLiteral: func(v ast.Value) (any, bool) {
			switch lit := v.(type) {
			case *ast.IntValue:
				return int64Text(lit.Value)
			case *ast.StringValue:
				return int64Text(lit.Value)
			}
			return nil, false
		},
	},
	"Decimal": {
		description: "An exact decimal number, written as a string.",
		fromJSON: func(v any) (any, bool) {
			if n, ok := v.(json.Number); ok {
				return string(n), true
			}
			return stringMatching(decimalPattern.MatchString)(v)
		},
		fromLiteral: func(v ast.Value) (any, bool) {
			switch lit := v.(type) {
			case *ast.IntValue:
				return lit.Value, true
			case *ast.FloatValue:
				return lit.Value, true
			}
			return stringLiteral(decimalPattern.MatchString)(v)
		},
	},
	"DateTime": {
		description: "A date and time with a time zone offset, RFC 3339 (2024-05-01T12:00:00Z).",
		fromJSON:    stringMatching(isDateTime),
		fromLiteral: stringLiteral(isDateTime),
	},
	"Date": {
		description: "A calendar date, YYYY-MM-DD.",
		fromJSON:    stringMatching(isDate),
		fromLiteral: stringLiteral(isDate),
	},
	"Time": {
		description: "A time of day, HH:MM:SS with optional fraction and offset.",
		fromJSON:    stringMatching(timePattern.MatchString),
		fromLiteral: stringLiteral(timePattern.MatchString),
	},
	"UUID": {
		description: "A UUID in its canonical text form.",
		fromJSON:    stringMatching(uuidPattern.MatchString),
		fromLiteral: stringLiteral(uuidPattern.MatchString),
	},
	"JSON": {
		description: "Any JSON value.",
		fromJSON: func(v any) (any, bool) {
			text, err := json.Marshal(v)
			return string(text), err == nil
		},
		fromLiteral: func(v ast.Value) (any, bool) {
			value, ok := jsonFromLiteral(v)
			if !ok {
				return nil, false
			}
			text, err := json.Marshal(value)
			return string(text), err == nil
		},
	},
}

// graphqlScalar returns the graphql-go type of a built-in scalar; the five
// GraphQL scalars keep graphql-go's own types so introspection shows them
// as built-in.
func graphqlScalar(name string) *graphql.Scalar {
	switch name {
	case "Int":
		return graphql.Int
	case "Float":
		return graphql.Float
	case "String":
		return graphql.String
	case "Boolean":
		return graphql.Boolean
	case "ID":
		return graphql.ID
	}
	s := scalars[name]
	return graphql.NewScalar(graphql.ScalarConfig{
		Name:        name,
		Description: s.description,
		Serialize:   func(v any) any { return v },
		ParseValue: func(v any) any {
			if n, ok := v.(float64); ok { // graphql-go decodes variables without json.Number
				v = json.Number(strconv.FormatFloat(n, 'f', -1, 64))
			}
			out, ok := s.fromJSON(v)
			if !ok {
				return nil
			}
			return out
		},
		ParseLiteral: func(v ast.Value) any {
			out, ok := s.fromLiteral(v)
			if !ok {
				return nil
			}
			return out
		},
	})
}

func finiteFloat(s string) (any, bool) {
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
}

func int64Text(s string) (any, bool) {
	if !bigIntPattern.MatchString(s) {
		return nil, false
	}
	n, ok := new(big.Int).SetString(s, 10)
	return n.String(), ok && n.IsInt64()
}

func isDateTime(s string) bool {
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// stringMatching reads a JSON string that valid accepts (any when nil).
func stringMatching(valid func(string) bool) func(any) (any, bool) {
	return func(v any) (any, bool) {
		s, ok := v.(string)
		if !ok || valid != nil && !valid(s) {
			return nil, false
		}
		return s, true
	}
}

// stringLiteral reads a string literal that valid accepts (any when nil).
func stringLiteral(valid func(string) bool) func(ast.Value) (any, bool) {
	return func(v ast.Value) (any, bool) {
		lit, ok := v.(*ast.StringValue)
		if !ok || valid != nil && !valid(lit.Value) {
			return nil, false
		}
		return lit.Value, true
	}
}

// jsonFromLiteral converts a constant literal into a JSON-encodable value.
func jsonFromLiteral(v ast.Value) (any, bool) {
	switch lit := v.(type) {
	case *ast.IntValue:
		return json.Number(lit.Value), true
	case *ast.FloatValue:
		return json.Number(lit.Value), true
	case *ast.StringValue:
		return lit.Value, true
	case *ast.BooleanValue:
		return lit.Value, true
	case *ast.EnumValue:
		return lit.Value, true
	case *ast.ListValue:
		out := make([]any, 0, len(lit.Values))
		for _, item := range lit.Values {
			value, ok := jsonFromLiteral(item)
			if !ok {
				return nil, false
			}
			out = append(out, value)
		}
		return out, true
	case *ast.ObjectValue:
		out := make(map[string]any, len(lit.Fields))
		for _, field := range lit.Fields {
			value, ok := jsonFromLiteral(field.Value)
			if !ok {
				return nil, false
			}
			out[field.Name.Value] = value
		}
		return out, true
	}
	return nil, false // a variable inside a JSON literal is not supported
}

// describeValue names a rejected input value's JSON kind for an error
// message without echoing the value itself.
func describeValue(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
