package document

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gqlplan/gqlplan/runtime/internal/operation"
)

// Shape is what of r's variables an operation collected and composed
// with uses depends on: the value of each variable that decided
// something, and for each other one whether it is given and whether it
// is null. Two requests of one document and operation with the same
// shape collect the same fields and compose the same SQL, but for the
// values of the free variables, which are only bound. ok is false when a
// value is of no type a coerced variable has (then nothing is reused).
func (r *Request) Shape(uses *operation.Uses) (shape string, ok bool) {
	var b strings.Builder
	for _, def := range r.op.VariableDefinitions {
		name := def.Variable
		v, given := r.Vars[name]
		b.WriteString(name)
		switch {
		case !given:
			b.WriteString("=absent;")
		case uses.Decided(name):
			b.WriteByte('=')
			if !writeValue(&b, v) {
				return "", false
			}
			b.WriteByte(';')
		case v == nil:
			b.WriteString("=null;")
		default:
			b.WriteString("=free;")
		}
	}
	return b.String(), true
}

// writeValue writes a coerced value unambiguously: each kind tagged,
// each string and list length-prefixed, object keys sorted.
func writeValue(b *strings.Builder, v any) bool {
	switch v := v.(type) {
	case nil:
		b.WriteByte('n')
	case bool:
		if v {
			b.WriteByte('T')
		} else {
			b.WriteByte('F')
		}
	case int64:
		b.WriteByte('i')
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		b.WriteByte('f')
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	case string:
		writeString(b, v)
	case []any:
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(len(v)))
		for _, item := range v {
			b.WriteByte(',')
			if !writeValue(b, item) {
				return false
			}
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		b.WriteString(strconv.Itoa(len(v)))
		for _, k := range slices.Sorted(maps.Keys(v)) {
			b.WriteByte(',')
			writeString(b, k)
			b.WriteByte(':')
			if !writeValue(b, v[k]) {
				return false
			}
		}
		b.WriteByte('}')
	default:
		return false
	}
	return true
}

func writeString(b *strings.Builder, s string) {
	b.WriteByte('s')
	b.WriteString(strconv.Itoa(len(s)))
	b.WriteByte(':')
	b.WriteString(s)
}
