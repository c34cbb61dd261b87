package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"time"
)

// scalar is how one built-in scalar is read from a request. Both readers
// return the value bound to SQL: int64, float64, bool or string (text that
// PostgreSQL parses into the column's type).
type scalar struct {
	// fromJSON reads a variable value (decoded with json.Number).
	fromJSON func(v any) (any, bool)
	// fromLiteral reads a literal of the document: its kind and its text
	// (a string's value, unescaped). JSON literals are read apart
	// (jsonFromLiteral), being lists and objects too.
	fromLiteral func(kind LiteralKind, raw string) (any, bool)
}

// LiteralKind is the kind of a literal as scalars read it.
type LiteralKind int

const (
	LiteralOther LiteralKind = iota // null, an enum value, a list, an object
	LiteralInt
	LiteralFloat
	LiteralString
	LiteralBoolean
)

var (
	uuidPattern    = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	bigIntPattern  = regexp.MustCompile(`^-?[0-9]+$`)
	decimalPattern = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)
	timePattern    = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[-+][0-9]{2}(:?[0-9]{2})?)?$`)
)

// scalars read the values of the scalars of every plan (spec.Scalars).
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
		fromLiteral: func(kind LiteralKind, raw string) (any, bool) {
			if kind != LiteralInt {
				return nil, false
			}
			i, err := strconv.ParseInt(raw, 10, 32)
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
		fromLiteral: func(kind LiteralKind, raw string) (any, bool) {
			if kind != LiteralInt && kind != LiteralFloat {
				return nil, false
			}
			return finiteFloat(raw)
		},
	},
	"String": {
		fromJSON:    stringMatching(nil),
		fromLiteral: stringLiteral(nil),
	},
	"Boolean": {
		fromJSON: func(v any) (any, bool) { b, ok := v.(bool); return b, ok },
		fromLiteral: func(kind LiteralKind, raw string) (any, bool) {
			return raw == "true", kind == LiteralBoolean
		},
	},
	"ID": {
		fromJSON: func(v any) (any, bool) {
			if n, ok := v.(json.Number); ok {
				return string(n), bigIntPattern.MatchString(string(n))
			}
			return stringMatching(nil)(v)
		},
		fromLiteral: func(kind LiteralKind, raw string) (any, bool) {
			if kind == LiteralInt {
				return raw, true
			}
			return stringLiteral(nil)(kind, raw)
		},
	},
	"BigInt": {
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
		fromLiteral: func(kind LiteralKind, raw string) (any, bool) {
			if kind != LiteralInt && kind != LiteralString {
				return nil, false
			}
			return int64Text(raw)
		},
	},
	"Decimal": {
		fromJSON: func(v any) (any, bool) {
			if n, ok := v.(json.Number); ok {
				return string(n), true
			}
			return stringMatching(decimalPattern.MatchString)(v)
		},
		fromLiteral: func(kind LiteralKind, raw string) (any, bool) {
			if kind == LiteralInt || kind == LiteralFloat {
				return raw, true
			}
			return stringLiteral(decimalPattern.MatchString)(kind, raw)
		},
	},
	"DateTime": {
		fromJSON:    stringMatching(isDateTime),
		fromLiteral: stringLiteral(isDateTime),
	},
	"LocalDateTime": {
		fromJSON:    stringMatching(isLocalDateTime),
		fromLiteral: stringLiteral(isLocalDateTime),
	},
	"Date": {
		fromJSON:    stringMatching(isDate),
		fromLiteral: stringLiteral(isDate),
	},
	"Time": {
		fromJSON:    stringMatching(timePattern.MatchString),
		fromLiteral: stringLiteral(timePattern.MatchString),
	},
	"UUID": {
		fromJSON:    stringMatching(uuidPattern.MatchString),
		fromLiteral: stringLiteral(uuidPattern.MatchString),
	},
	"JSON": {
		fromJSON: func(v any) (any, bool) {
			text, err := json.Marshal(v)
			return string(text), err == nil
		},
		fromLiteral: func(LiteralKind, string) (any, bool) { return nil, false }, // coerceLiteral reads JSON
	},
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

// isLocalDateTime accepts what PostgreSQL writes for a timestamp without
// time zone (2024-05-01T12:00:00, with up to six fraction digits), and
// nothing with an offset, which the type would drop.
func isLocalDateTime(s string) bool {
	_, err := time.Parse("2006-01-02T15:04:05.999999", s)
	return err == nil && len(s) <= len("2006-01-02T15:04:05.999999")
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
func stringLiteral(valid func(string) bool) func(LiteralKind, string) (any, bool) {
	return func(kind LiteralKind, raw string) (any, bool) {
		if kind != LiteralString || valid != nil && !valid(raw) {
			return nil, false
		}
		return raw, true
	}
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

// ReadJSON reads v, decoded from JSON with json.Number, as the scalar
// name, as a variable's value is read (strictly: a string is never an
// Int): the value, or false when v is not one.
func ReadJSON(name string, v any) (any, bool) {
	sc, ok := scalars[name]
	if !ok {
		return nil, false
	}
	return sc.fromJSON(v)
}

// IsScalar reports whether name is a scalar of every plan.
func IsScalar(name string) bool {
	_, ok := scalars[name]
	return ok
}

// ReadLiteral reads a literal of the document — its kind and its text (a
// string's value, unescaped) — as the scalar name, giving the value bound
// to SQL. JSON literals, being lists and objects too, are read by the
// document phase and coerced from JSON.
func ReadLiteral(name string, kind LiteralKind, raw string) (any, bool) {
	sc, ok := scalars[name]
	if !ok {
		return nil, false
	}
	return sc.fromLiteral(kind, raw)
}
